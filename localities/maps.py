"""Maps for board papers (matplotlib, mapclassify) and for sharing (folium).

``plot_map`` returns a matplotlib Figure, A4 landscape by default, with a classed
choropleth, locality outlines and labels, title, north arrow, scale bar and the
Open Government Licence attribution the data requires. ``save_figure`` writes vector
PDF or SVG (text kept as text) or 300 dpi PNG, atomically.
"""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import geopandas as gpd
import matplotlib.colors as mcolors
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle
from matplotlib_scalebar.scalebar import ScaleBar

from . import sources
from .build import Plan
from .errors import LocalitiesError
from .export import atomic_path
from .outcomes import SIMD

A4_LANDSCAPE = (11.69, 8.27)
FLAG_COLOURS = {"worse": "#b2182b", "slightly worse": "#f4a582", "not different": "#d9d9d9",
                "slightly better": "#92c5de", "better": "#2166ac", "no interval": "#f0f0f0",
                "n/a": "#f0f0f0", "no data": "#ffffff"}
POORER_COLOURS = {"Poorer than the rest of the council and Scotland": "#67001f", "Poorer than Scotland only": "#d6604d",
                  "Poorer than the rest of the council only": "#f4a582", "Not significantly poorer": "#e0e0e0"}


def _frame(obj) -> gpd.GeoDataFrame:
    if isinstance(obj, Plan):
        return obj.localities
    if isinstance(obj, gpd.GeoDataFrame):
        return obj
    raise LocalitiesError(f"plot a Plan or a GeoDataFrame (such as the output of rank), not {type(obj).__name__}")


def _describe(column: str, frame: gpd.GeoDataFrame) -> tuple[str, str]:
    labels, units = frame.attrs.get("labels", {}), frame.attrs.get("units", {})
    if column in SIMD:
        return SIMD[column].label, SIMD[column].unit
    return labels.get(column, column.replace("_", " ")), units.get(column, "")


def _is_share(column: str, unit: str) -> bool:
    return unit.startswith("proportion") or column.startswith("share_")


def _north_arrow(ax) -> None:
    ax.annotate("N", xy=(0.965, 0.96), xytext=(0.965, 0.86), xycoords="axes fraction", ha="center", va="center",
                fontsize=12, fontweight="bold", arrowprops={"facecolor": "black", "width": 4, "headwidth": 11},
                zorder=10)


def _labels(ax, frame: gpd.GeoDataFrame, text: pd.Series, fontsize: float) -> None:
    """Label localities at a point inside each; drop a label that would overlap one
    already placed. The most disadvantaged are placed first when ranked (their names
    matter most on a board paper), else the largest."""
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    if "rank" in frame:
        order = frame["rank"].sort_values(kind="stable").index
    else:
        order = frame.geometry.area.sort_values(ascending=False).index
    placed = []
    points = frame.geometry.representative_point()
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    for idx in order:
        pt = points[idx]
        if not (x0 <= pt.x <= x1 and y0 <= pt.y <= y1):
            continue
        # Long names ("Cullen, Portknockie, Findochty, ...") wrap rather than run over neighbours.
        label = ax.text(pt.x, pt.y, textwrap.fill(str(text[idx]), 22), fontsize=fontsize, ha="center", va="center", zorder=6,
                        bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.7}, clip_on=True)
        box = label.get_window_extent(renderer)
        if any(box.overlaps(other) for other in placed):
            label.remove()
            continue
        placed.append(box)


def _classes(values: pd.Series, scheme: str, k: int, cmap: str, fmt: str):
    """Colours per row and legend handles from a mapclassify classification."""
    import mapclassify

    colours = pd.Series("#ffffff", index=values.index, dtype=object)
    known = values.dropna()
    handles = []
    if len(known):
        k = min(k, known.nunique())
        if k > 1:
            classifier = mapclassify.classify(known.to_numpy(), scheme=scheme, k=k)
            bins, yb = classifier.bins, classifier.yb
        else:
            bins, yb = np.array([known.max()]), np.zeros(len(known), dtype=int)
        palette = plt.get_cmap(cmap, max(len(bins), 2))
        colours[known.index] = [mcolors.to_hex(palette(i / max(len(bins) - 1, 1))) for i in yb]
        lows = [known.min()] + list(bins[:-1])
        for i, (lo, hi) in enumerate(zip(lows, bins)):
            handles.append(Patch(facecolor=mcolors.to_hex(palette(i / max(len(bins) - 1, 1))), edgecolor="#303030",
                                 label=f"{fmt.format(lo)} to {fmt.format(hi)}"))
    if values.isna().any():
        handles.append(Patch(facecolor="#ffffff", edgecolor="#909090", hatch="///", label="no data"))
    return colours, handles


def _inset_extent(frame: gpd.GeoDataFrame):
    """Bounds of the densest cluster of small localities (a town in a large rural
    council), worth a zoomed inset; None when localities are of like size."""
    if len(frame) < 6:
        return None
    area = frame.geometry.area
    small = frame[area < 0.01 * area.sum()]
    if len(small) < 3:
        return None
    allx0, ally0, allx1, ally1 = frame.total_bounds
    radius = 0.08 * max(allx1 - allx0, ally1 - ally0)
    centres = small.geometry.representative_point()
    xy = np.column_stack([centres.x, centres.y])
    near = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1)) <= radius
    best = int(np.argmax(near.sum(axis=1)))
    cluster = small[near[best]]
    if len(cluster) < 3:
        return None
    minx, miny, maxx, maxy = cluster.total_bounds
    pad = 0.1 * max(maxx - minx, maxy - miny, 2_000)
    return minx - pad, miny - pad, maxx + pad, maxy + pad


def plot_map(
    obj,
    column: str | None = None,
    title: str | None = None,
    scheme: str = "NaturalBreaks",
    k: int = 5,
    cmap: str | None = None,
    significance: str | None = None,
    label: str = "auto",
    inset: str | tuple | None = "auto",
    figsize: tuple[float, float] = A4_LANDSCAPE,
    zones: gpd.GeoDataFrame | None = None,
    categories: tuple[pd.Series, dict, str] | None = None,
) -> Figure:
    """A board-paper map of localities.

    Parameters
    ----------
    obj : Plan or GeoDataFrame
        A plan, or a ranking table from :func:`localities.rank`.
    column : str, optional
        Column to map as a classed choropleth (mapclassify ``scheme`` with ``k``
        classes). Without it, localities are drawn in distinct colours.
    significance : {"scotland", "rest"}, optional
        Map ``column``'s significance flag against Scotland or the council instead of
        its value (worse / not different / better).
    label : {"auto", "name", "locality", "rank", "none"}
        Locality labels; ``auto`` uses names for up to 20 localities, else ranks or ids.
        A label that would overlap one already placed is left out.
    inset : "auto", (minx, miny, maxx, maxy) or None
        A zoomed panel for a dense cluster of small localities (a town in a large rural
        council); ``auto`` adds one when small localities crowd a small part of the map.
    zones : GeoDataFrame, optional
        Data Zones to draw faintly beneath the localities.
    categories : (Series, {category: colour}, legend title), optional
        Colour localities by category (used by :func:`plot_poorer`).

    Returns
    -------
    matplotlib.figure.Figure
    """
    frame = _frame(obj).copy()
    if frame.crs is None or frame.crs.to_epsg() != 27700:
        frame = frame.to_crs("EPSG:27700")
    council = frame.attrs.get("council") or (obj.council_name if isinstance(obj, Plan) else None)
    prefix = f"{council}: " if council else ""
    legend_title, handles = None, []
    if categories is not None:
        cats, palette, legend_title = categories
        colours = cats.map(palette)
        handles = [Patch(facecolor=c, edgecolor="#303030", label=k) for k, c in palette.items() if (cats == k).any()]
    elif significance is not None:
        if significance not in ("scotland", "rest"):
            raise LocalitiesError(f"significance must be 'scotland' or 'rest' (the rest of the council), not {significance!r}")
        flag = f"{column}_vs_{significance}"
        if column is None or flag not in frame:
            raise LocalitiesError(f"no {flag!r} column: give an indicator with an interval from a rank() table")
        name, _ = _describe(column, frame)
        against = "Scotland" if significance == "scotland" else "the rest of the council"
        cats = frame[flag].fillna("n/a")
        colours = cats.map(FLAG_COLOURS)
        handles = [Patch(facecolor=FLAG_COLOURS[c], edgecolor="#303030",
                         label=f"{c} than {against}" if c.endswith(("worse", "better")) else c)
                   for c in FLAG_COLOURS if (cats == c).any()]
        legend_title = f"{name}\ncompared with {against} (95% CI)"
        title = title or f"{prefix}{name} compared with {against}"
    elif column is not None:
        if column not in frame:
            raise LocalitiesError(f"no column {column!r} to map; columns include {', '.join(list(frame.columns)[:20])}")
        name, unit = _describe(column, frame)
        share = _is_share(column, unit)
        legend_title = f"{name}\n({'%' if share else unit})" if unit or share else name
        higher_worse = SIMD[column].higher_is_worse if column in SIMD else True
        colours, handles = _classes(pd.to_numeric(frame[column], errors="coerce"), scheme, k,
                                    cmap or ("Reds" if higher_worse else "Blues_r"), "{:.0%}" if share else "{:,.1f}")
        title = title or f"{prefix}{name}"
    else:
        palette = plt.get_cmap("tab20")
        colours = pd.Series([mcolors.to_hex(palette(i % 20)) for i in range(len(frame))], index=frame.index)
        title = title or f"{prefix}candidate localities ({len(frame)})"

    fig = plt.figure(figsize=figsize)
    ax = fig.add_axes([0.02, 0.07, 0.68, 0.84])
    extent = _inset_extent(frame) if inset == "auto" else inset
    axes = [ax]
    if extent is not None:
        axes.append(fig.add_axes([0.72, 0.08, 0.26, 0.40]))
    mode = None
    if label != "none":
        mode = ("name" if len(frame) <= 20 else "rank" if "rank" in frame else "locality") if label == "auto" else label
    for i, target in enumerate(axes):
        target.set_aspect("equal")
        if zones is not None:
            zones.to_crs(frame.crs).boundary.plot(ax=target, color="#bdbdbd", linewidth=0.2, zorder=1)
        frame.plot(ax=target, color=colours.tolist(), edgecolor="#303030", linewidth=0.5, zorder=2)
        # Outlines on top, thick enough that small islands stay visible.
        frame.boundary.plot(ax=target, color="#202020", linewidth=0.8, zorder=4)
        if i == 1:
            target.set_xlim(extent[0], extent[2])
            target.set_ylim(extent[1], extent[3])
            target.set_xticks([])
            target.set_yticks([])
            target.set_xlabel("")
            target.set_ylabel("")
            target.set_title("Inset: the most built-up area", fontsize=9, loc="left")
            ax.add_patch(Rectangle((extent[0], extent[1]), extent[2] - extent[0], extent[3] - extent[1],
                                   fill=False, edgecolor="#000000", linewidth=1.2, linestyle="--", zorder=7))
            target.add_artist(ScaleBar(1, units="m", location="lower left", box_alpha=0.7, length_fraction=0.3,
                                       font_properties={"size": 7}))
        else:
            target.set_axis_off()
        if mode:
            _labels(target, frame, frame[mode], fontsize=8 if len(frame) <= 20 else 6)
    if handles:
        ax.legend(handles=handles, title=legend_title, loc="upper left", bbox_to_anchor=(1.03, 1.0), fontsize=9,
                  title_fontsize=10, frameon=False, alignment="left")
    fig.suptitle(title, x=0.02, y=0.965, ha="left", fontsize=15, fontweight="bold")
    ax.add_artist(ScaleBar(1, units="m", location="lower left", box_alpha=0.7, length_fraction=0.2))
    _north_arrow(ax)
    fig.text(0.02, 0.02, sources.attribution(["dz_boundaries_2011", "simd_indicators", "nrs_population_2021"]),
             fontsize=6.5, color="#404040", ha="left", va="bottom", wrap=True)
    fig.attrs = {"legend_title": legend_title, "inset": extent}
    return fig


def plot_poorer(table: gpd.GeoDataFrame, title: str | None = None, **kwargs) -> Figure:
    """One call: which localities are significantly poorer than Scotland and the council
    (``poorer_than_scotland`` / ``poorer_than_rest`` from :func:`localities.rank`)."""
    for col in ("poorer_than_scotland", "poorer_than_rest"):
        if col not in table:
            raise LocalitiesError(f"no {col!r} column: pass the output of localities.rank")
    both = table["poorer_than_scotland"] & table["poorer_than_rest"]
    cats = pd.Series(np.select([both, table["poorer_than_scotland"], table["poorer_than_rest"]],
                               list(POORER_COLOURS)[:3], default=list(POORER_COLOURS)[3]), index=table.index)
    headline = " or ".join(h.replace("_rate", "") for h in table.attrs.get("headline", ["income_rate", "employment_rate"]))
    council = table.attrs.get("council")
    ratio = table.attrs.get("min_ratio", 1.2)
    return plot_map(table, categories=(cats, POORER_COLOURS, f"Significantly worse (95%) and at\nleast ×{ratio:g} on {headline}\ndeprivation"),
                    title=title or f"{council + ': ' if council else ''}localities with significantly poorer outcomes",
                    **kwargs)


def save_figure(fig: Figure, path: str | os.PathLike, dpi: int = 300) -> Path:
    """Save as vector PDF or SVG (text stays text) or PNG at ``dpi``; atomic."""
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in ("pdf", "svg", "png"):
        raise LocalitiesError(f"{path}: save maps as .pdf, .svg or .png")
    with plt.rc_context({"svg.fonttype": "none", "pdf.fonttype": 42}), atomic_path(path) as tmp:
        fig.savefig(tmp, format=fmt, dpi=dpi if fmt == "png" else None, metadata=None if fmt == "png" else {})
    return path


def explore(obj, column: str | None = None, tooltip: list[str] | None = None, **kwargs):
    """An interactive folium map (``GeoDataFrame.explore``) with each locality's figures
    in its tooltip. Returns a ``folium.Map``; ``.save(path)`` writes the HTML."""
    frame = _frame(obj)
    if column is not None and column not in frame:
        raise LocalitiesError(f"no column {column!r} to map")
    default = [c for c in ("rank", "name", "population", "zones", "n_worse_scotland", "n_worse_rest",
                           "poorer_than_scotland", "poorer_than_rest", "income_rate", "employment_rate")
               if c in frame]
    if column and column not in default:
        default.append(column)
    shown = frame[(tooltip or default) + ["geometry"]].copy()
    for col in shown.columns:
        if col.endswith("_rate") and col in SIMD and SIMD[col].kind == "proportion":
            shown[col] = (shown[col] * 100).round(1)
    return shown.explore(column=column, tooltip=tooltip or default, cmap=kwargs.pop("cmap", "Reds"),
                         tiles=kwargs.pop("tiles", "OpenStreetMap"), style_kwds={"color": "#303030", "weight": 1}, **kwargs)


def save_html(m, path: str | os.PathLike) -> Path:
    """Write an interactive map to an HTML file, atomically."""
    with atomic_path(path) as tmp:
        m.save(str(tmp))
    return Path(path)
