"""Maps for board papers (matplotlib, mapclassify) and for sharing (folium).

``plot_map`` returns a matplotlib Figure on one A4 page (landscape or portrait, as
the council's shape fits best) with a classed choropleth or a contiguity-coloured plan,
every locality named where the name fits and numbered otherwise (with a key table),
insets for towns too small to label, outlying islands in their own panels, a locator
map, north arrow and scale bar on open sea or empty paper, and the Open Government
Licence attribution. The layout decisions are in :mod:`localities.layout`.
``save_figure`` writes vector PDF or SVG (text kept as text) or PNG, atomically.
"""

from __future__ import annotations

import html
import json
import math
import os
import textwrap
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import shapely
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle
from mpl_toolkits.axes_grid1.anchored_artists import AnchoredSizeBar

from . import layout, sources
from .errors import LocalitiesError
from .export import atomic_path
from .outcomes import SIMD
from .plans import Plan

A4_LANDSCAPE = layout.A4
ATTRIBUTION_SOURCES = ["dz_boundaries_2011", "simd_indicators", "nrs_population_2021"]
FLAG_COLOURS = {"worse": "#b2182b", "slightly worse": "#ef8a62", "not different": "#d9d9d9",
                "slightly better": "#67a9cf", "better": "#2166ac", "no interval": "#f0f0f0", "n/a": "#f0f0f0",
                "no data": "#ffffff"}
TIER_COLOURS = {"Poorer than the rest of the council and Scotland": "#67001f",
                "Poorer than Scotland only": "#d6604d",
                "Poorer than the rest of the council only": "#f4a582",
                "Not significantly poorer": "#e0e0e0"}
POORER_COLOURS = TIER_COLOURS  # the name used before the rest-of-council wording
TIER_SHORT = {"Poorer than the rest of the council and Scotland": "both",
              "Poorer than Scotland only": "Scot.", "Poorer than the rest of the council only": "council",
              "Not significantly poorer": ""}


def _frame(obj) -> gpd.GeoDataFrame:
    if isinstance(obj, Plan):
        frame = obj.localities.copy()
        frame.attrs = {**obj.localities.attrs, "council": obj.council_name}
    elif isinstance(obj, gpd.GeoDataFrame):
        frame = normalise(obj)
    else:
        raise LocalitiesError(f"plot a Plan or a GeoDataFrame (such as the output of rank), not {type(obj).__name__}")
    if "name" in frame:  # names are drawn on one line each: no tabs or line breaks from the data
        frame["name"] = frame["name"].map(layout.printable)
    return frame


def normalise(table: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """A ranking table under the current column names (``poorer_than_rest``,
    ``*_vs_rest``), whichever version of :func:`localities.rank` made it."""
    renames = {c: c[: -len("_cpp")] + "_rest" for c in table.columns
               if c.endswith("_cpp") and c[: -len("_cpp")] + "_rest" not in table}
    out = table.rename(columns=renames) if renames else table.copy()
    out.attrs = dict(table.attrs)
    if "tier" not in out and {"poorer_than_rest", "poorer_than_scotland"} <= set(out.columns):
        out["tier"] = 3 - out["poorer_than_rest"].astype(int) - out["poorer_than_scotland"].astype(int)
    if "tier" in out and "poorer_than_rest" in out and "poorer_than_scotland" in out:
        both = out["poorer_than_rest"] & out["poorer_than_scotland"]
        out["tier_label"] = np.select([both, out["poorer_than_scotland"], out["poorer_than_rest"]],
                                      list(TIER_COLOURS)[:3], default=list(TIER_COLOURS)[3])
    return out


def _describe(column: str, frame: gpd.GeoDataFrame) -> tuple[str, str]:
    labels, units = frame.attrs.get("labels", {}), frame.attrs.get("units", {})
    if column in SIMD:
        return SIMD[column].label, SIMD[column].unit
    return labels.get(column, column.replace("_", " ")), units.get(column, "")


def _is_share(column: str, unit: str) -> bool:
    return unit.startswith("proportion") or column.startswith("share_")


def format_value(value, column: str, unit: str = "") -> str:
    """A value as a reader expects it: proportions as percentages, rates and ratios
    rounded, minutes with their unit."""
    if value is None or (isinstance(value, float) and not np.isfinite(value)) or pd.isna(value):
        return "–"
    value = float(value)
    if _is_share(column, unit):
        return f"{value * 100:.1f}%"
    if unit == "minutes":
        return f"{value:.1f} min"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.1f}"


def _numbers(frame: gpd.GeoDataFrame) -> pd.Series:
    if "rank" in frame:
        return frame["rank"].astype(int)
    order = frame["name"].astype(str).sort_values(kind="stable").index if "name" in frame else frame.index
    return pd.Series(np.arange(1, len(frame) + 1), index=order).reindex(frame.index)


@lru_cache(maxsize=4)
def _councils(data_dir: str | None):
    """Council outlines for the locator map, simplified; kept in the user cache between
    commands (keyed by the boundary file and the code), as reading them costs ~0.1-0.2 s."""
    from . import cache
    from .load import load_boundaries

    def outlines():
        councils = load_boundaries("council", data_dir=data_dir).copy()
        councils["geometry"] = councils.geometry.simplify(800)
        return councils

    try:
        path = sources.find("council_boundaries", data_dir, required=False)
        files = [path, *sorted(path.parent.glob(f"{path.stem}.*"))] if path is not None else []
        key = cache.fingerprint("council outlines", 800, files=files,
                                code=[Path(__file__), Path(__file__).with_name("load.py")]) if files else None
        councils = cache.remember("council_outlines", key, outlines)
    except Exception:  # no council layer in this data directory: no locator map
        return None
    if len(councils) < 10:
        return None  # not Scotland (the embedded sample holds one council)
    return councils


# ----------------------------------------------------------------------------- colours


def _colouring(frame, column, significance, categories, scheme, k, cmap):
    """Fill colours, legend handles, legend title, default title and key value column."""
    council = frame.attrs.get("council")
    prefix = f"{council}: " if council else ""
    plan_map = False
    if categories is not None:
        cats, palette, legend_title = categories
        colours = cats.map(palette)
        handles = [Patch(facecolor=c, edgecolor="#303030", label=k) for k, c in palette.items() if (cats == k).any()]
        title, value_col = None, None
    elif significance is not None:
        if significance not in ("scotland", "rest", "cpp"):
            raise LocalitiesError(f"significance must be 'scotland' or 'rest', not {significance!r}")
        against_key = "scotland" if significance == "scotland" else "rest"
        flag = f"{column}_vs_{against_key}"
        if column is None or flag not in frame:
            raise LocalitiesError(f"no {flag!r} column: give an indicator with an interval from a rank() table")
        name, _ = _describe(column, frame)
        against = "Scotland" if against_key == "scotland" else "the rest of the council"
        cats = frame[flag].fillna("n/a")
        colours = cats.map(FLAG_COLOURS).fillna("#ffffff")
        handles = [Patch(facecolor=FLAG_COLOURS[c], edgecolor="#303030",
                         label=f"{c} than {against}" if "worse" in c or "better" in c else c)
                   for c in FLAG_COLOURS if (cats == c).any()]
        legend_title = f"{name} compared with {against} (95% CI)"
        title, value_col = f"{prefix}{name} compared with {against}", column
    elif column is not None:
        if column not in frame:
            raise LocalitiesError(f"no column {column!r} to map; columns include {', '.join(list(frame.columns)[:20])}")
        name, unit = _describe(column, frame)
        share = _is_share(column, unit)
        legend_title = f"{name} ({'%' if share else unit})" if unit or share else name
        higher_worse = SIMD[column].higher_is_worse if column in SIMD else True
        values = pd.to_numeric(frame[column], errors="coerce")
        yb, labels, _ = layout.class_breaks(values, scheme, k, share)
        cmap = cmap or ("Reds" if higher_worse else "Blues_r")
        n = len(labels)
        colours = pd.Series("#ffffff", index=frame.index, dtype=object)
        known = values.dropna().index
        colours[known] = [layout.colour_hex(cmap, i, n) for i in yb]
        handles = [Patch(facecolor=layout.colour_hex(cmap, i, n), edgecolor="#303030", label=lab)
                   for i, lab in enumerate(labels)]
        if values.isna().any():
            handles.append(Patch(facecolor="#ffffff", edgecolor="#909090", hatch="///", label="no data"))
        title, value_col = f"{prefix}{name}", column
    else:
        colours = layout.plan_colours(frame)
        handles, legend_title = [], None
        n = len(frame)
        title, value_col, plan_map = f"{prefix}{n} {'locality' if n == 1 else 'localities'}", None, True
    return colours, handles, legend_title, title, value_col, plan_map


# ----------------------------------------------------------------------------- key table


def _key_rows(frame, numbers, value_col, colours, plan_map):
    rows = []
    unit = _describe(value_col, frame)[1] if value_col else ""
    for idx in numbers.sort_values().index:
        row = {"number": str(int(numbers[idx])), "name": str(frame.at[idx, "name"]) if "name" in frame else str(idx),
               "population": f"{int(frame.at[idx, 'population']):,}" if "population" in frame else ""}
        if value_col:
            row["value"] = format_value(frame.at[idx, value_col], value_col, unit)
        if plan_map:
            row["swatch"] = colours[idx]
        elif "tier_label" in frame:
            row["swatch"] = TIER_COLOURS.get(frame.at[idx, "tier_label"], "#ffffff")
        rows.append(row)
    return rows


def _key_columns(font: float, col_w: float, digits: int, has_value: bool) -> tuple[dict, int]:
    """x positions (inches within a key column) and the name width in characters."""
    char = 0.55 * font / 72
    number_w = char * (max(digits, 2.6) + 1.8)
    tail = char * 7.5 + (char * 7 if has_value else 0) + 0.32
    name_chars = int((col_w - number_w - tail) / char)
    name_end = number_w + name_chars * char
    last = name_end + char * 7.5 + (char * 7 if has_value else 0)
    xs = {"number": 0.0, "name": number_w, "population": name_end + char * 7.5,
          # The swatch column is centred far enough right that its bold header ("Flag",
          # "Key") keeps a gap after the right-aligned "People" header.
          "value": name_end + char * 7.5 + char * 7, "swatch": last + 0.19}
    return xs, name_chars


def _key_fit(rows, width, height, has_value, has_plan_key=False):
    """Font size, columns, name width (characters) and line height so the key fits
    ``width`` x ``height`` inches; None if it cannot."""
    digits = len(str(len(rows)))
    for font in (7, 6.5, 6, 5.5, 5, 4.5):
        line = font * 1.25 / 72
        for ncols in (1, 2, 3, 4):
            _, name_chars = _key_columns(font, width / ncols, digits, has_value)
            if name_chars < 16:
                break
            lines = [len(textwrap.wrap(r["name"], name_chars, break_long_words=False, break_on_hyphens=False)) or 1
                     for r in rows]
            footer = 1 + len({r.get("swatch") for r in rows}) if not has_plan_key else 0
            per_col = math.ceil(sum(lines) / ncols) + max(lines) + 3 + footer
            if per_col * line <= height:
                return font, ncols, name_chars, line
    return None


def _draw_key(fig, rect, rows, fit, value_header, flag_header, footer=()):
    """The key table: number, name (wrapped on spaces), population, value, flag."""
    font, ncols, name_chars, line = fit
    ax = fig.add_axes(rect, gid="key")
    ax.set_axis_off()
    w_in, h_in = rect[2] * fig.get_figwidth(), rect[3] * fig.get_figheight()
    col_w = w_in / ncols
    xs, _ = _key_columns(font, col_w, len(str(len(rows))), value_header is not None)
    wrapped = [textwrap.wrap(r["name"], name_chars, break_long_words=False, break_on_hyphens=False) or [""]
               for r in rows]
    total = sum(len(w) for w in wrapped)
    per_col = math.ceil(total / ncols)
    col, y = 0, h_in
    entries = {}

    def put(x, yy, text, **kw):
        return ax.text((col * col_w + x) / w_in, yy / h_in, text, fontsize=font, va="top", transform=ax.transAxes,
                       **kw)

    def header():
        put(xs["number"], h_in, "\nNo.", fontweight="bold")
        put(xs["name"], h_in, "\nLocality", fontweight="bold")
        put(xs["population"], h_in, "\nPeople", fontweight="bold", ha="right")
        if value_header:
            put(xs["value"], h_in, value_header, fontweight="bold", ha="right")
        if flag_header:
            put(xs["swatch"], h_in, "\n" + flag_header, fontweight="bold", ha="center")
        return h_in - 2.5 * line

    y = header()
    used = 0
    for row, lines in zip(rows, wrapped):
        if used + len(lines) > per_col and col < ncols - 1:
            col, used = col + 1, 0
            y = header()
        t = put(xs["number"], y, row["number"], fontweight="bold")
        put(xs["name"], y, "\n".join(lines), linespacing=1.0)
        put(xs["population"], y, row["population"], ha="right")
        if "value" in row:
            put(xs["value"], y, row["value"], ha="right")
        if row.get("swatch"):
            ax.add_patch(Rectangle(((col * col_w + xs["swatch"] - 0.045) / w_in, (y - line * 0.85) / h_in),
                                   0.09 / w_in, line * 0.75 / h_in, transform=ax.transAxes, facecolor=row["swatch"],
                                   edgecolor="#303030", linewidth=0.3))
        entries[row["number"]] = t
        y -= line * len(lines)
        used += len(lines)
    if footer:
        y -= 0.5 * line
        for colour, text in footer:
            ax.add_patch(Rectangle((xs["number"] / w_in + col * col_w / w_in, (y - line * 0.85) / h_in), 0.09 / w_in,
                                   line * 0.75 / h_in, transform=ax.transAxes, facecolor=colour, edgecolor="#303030",
                                   linewidth=0.3))
            put(xs["name"], y, text)
            y -= line
    return ax, entries


# ----------------------------------------------------------------------------- drawing helpers


def _draw_localities(ax, frame, colours, zones=None, clip=None):
    if clip is not None:  # a panel shows a small part: draw only that (fast at 300 dpi)
        box = shapely.box(*clip)
        keep = frame.geometry.intersects(box)
        frame = frame[keep].copy()
        frame["geometry"] = frame.geometry.intersection(box)
    if zones is not None:
        zones.to_crs(frame.crs).boundary.plot(ax=ax, color="#bdbdbd", linewidth=0.2, zorder=1)
    frame.plot(ax=ax, color=colours.reindex(frame.index).fillna("#ffffff").tolist(), edgecolor="#303030",
               linewidth=0.4, zorder=2)
    frame.boundary.plot(ax=ax, color="#202020", linewidth=0.7, zorder=4)


def _blank(ax, limits):
    ax.set_xlim(limits[0], limits[2])
    ax.set_ylim(limits[1], limits[3])
    ax.set_aspect("equal", adjustable="box")
    ax.apply_aspect()  # the box as it will be drawn: labels are measured against it
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    for s in ax.spines.values():
        s.set_linewidth(0.6)
        s.set_color("#606060")


def _nice_length(metres: float) -> float:
    exp = 10 ** math.floor(math.log10(max(metres, 1)))
    for m in (5, 2, 1):
        if m * exp <= metres:
            return m * exp
    return exp


def _north_arrow(ax, renderer, land, avoid):
    from matplotlib.offsetbox import AnchoredOffsetbox, DrawingArea, TextArea, VPacker
    from matplotlib.patches import Polygon

    def make(x, y):
        arrow = DrawingArea(12, 20)
        arrow.add_artist(Polygon([[6, 20], [0, 0], [6, 5], [12, 0]], closed=True, facecolor="black",
                                 edgecolor="black", linewidth=0.5))
        pack = VPacker(children=[TextArea("N", textprops={"fontsize": 10, "fontweight": "bold"}), arrow],
                       align="center", pad=0, sep=1)
        box = AnchoredOffsetbox(loc="center", child=pack, bbox_to_anchor=(x, y), bbox_transform=ax.transAxes,
                                frameon=False, pad=0.1, borderpad=0)
        box.set_gid("north_arrow")
        box.set_zorder(10)
        ax.add_artist(box)
        return box

    return layout.free_spot(ax, renderer, make, land, avoid, corners=("upper right", "upper left", "lower right",
                                                                        "lower left"))


def _scale_bar(ax, renderer, land, avoid, fraction=0.2, fontsize=7, below=False):
    """A scale bar on open sea or empty paper in ``ax``, clear of the boxes in ``avoid``;
    with ``below``, under the panel's frame when no such place is found (else None)."""
    x0, x1 = ax.get_xlim()
    for frac in (fraction, fraction * 0.6, fraction * 0.35):
        length = _nice_length((x1 - x0) * frac)
        label = f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m"

        def make(x, y, length=length, label=label):
            bar = AnchoredSizeBar(ax.transData, length, label, loc="center", bbox_to_anchor=(x, y),
                                  bbox_transform=ax.transAxes, frameon=True, size_vertical=0,
                                  pad=0.25, borderpad=0, sep=2, fontproperties={"size": fontsize})
            bar.patch.set_alpha(0.8)
            bar.patch.set_edgecolor("none")
            bar.set_gid("scale_bar")
            bar.set_zorder(10)
            ax.add_artist(bar)
            return bar

        # Half-corners first: the scale bar sits low, the north arrow high.
        artist = layout.free_spot(ax, renderer, make, land, avoid,
                                  corners=("lower left", "lower right", "upper left", "upper right"))
        if artist is not None:
            return artist
    if not below:
        return None
    # No open sea in the panel: the bar goes under its frame, at the right, off the map.
    length = _nice_length((x1 - x0) * fraction)
    bar = AnchoredSizeBar(ax.transData, length, f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m",
                          loc="upper right", bbox_to_anchor=(1, 0), bbox_transform=ax.transAxes, frameon=False,
                          size_vertical=0, pad=0.1, borderpad=0.6, sep=2, fontproperties={"size": fontsize})
    bar.set_gid("scale_bar")
    bar.set_clip_on(False)
    ax.add_artist(bar)
    return bar


def _outline_boxes(ax, extent, width_pt: float = 1.5) -> list:
    """The four sides of a rectangle drawn on ``ax`` (data extent), as thin boxes in
    display units for the label placer to keep clear of."""
    from matplotlib.transforms import Bbox

    (x0, y0), (x1, y1) = ax.transData.transform([extent[:2], extent[2:]])
    w = width_pt * ax.figure.dpi / 72
    return [Bbox.from_extents(x0 - w, y0 - w, x1 + w, y0 + w), Bbox.from_extents(x0 - w, y1 - w, x1 + w, y1 + w),
            Bbox.from_extents(x0 - w, y0 - w, x0 + w, y1 + w), Bbox.from_extents(x1 - w, y0 - w, x1 + w, y1 + w)]


def _label_axes(ax, renderer, frame, numbers, names, which, fontsize, view, mode, leader=True, avoid=()):
    """Names where they fit, numbers elsewhere, in one axes, clear of the boxes in
    ``avoid``; returns the placer."""
    placer = layout.Placer(ax, renderer)
    placer.boxes.extend(avoid)
    sub = frame.loc[which]
    area = sub.geometry.intersection(view).area
    order = area.sort_values().index  # the smallest first: they have the fewest places
    if mode in ("auto", "name"):
        for idx in order:
            placer.name(idx, names[idx], frame.at[idx, "geometry"], view, fontsize)
    for idx in order:
        if idx in placer.labels:
            continue
        text = numbers[idx] if mode != "locality" else idx
        placer.number(idx, text, frame.at[idx, "geometry"], view, fontsize - 0.5, leader=leader)
    placer.finish()
    return placer


def plot_map(
    obj,
    column: str | None = None,
    title: str | None = None,
    scheme: str = "FisherJenks",
    k: int = 5,
    cmap: str | None = None,
    significance: str | None = None,
    label: str = "auto",
    inset: str | list | None = "auto",
    figsize: tuple[float, float] | None = None,
    zones: gpd.GeoDataFrame | None = None,
    categories: tuple[pd.Series, dict, str] | None = None,
    orientation: str = "auto",
    islands: str = "auto",
    locator: bool = True,
    data_dir: str | os.PathLike | None = None,
) -> Figure:
    """A board-paper map of localities on one A4 page.

    Parameters
    ----------
    obj : Plan or GeoDataFrame
        A plan, or a ranking table from :func:`localities.rank`.
    column : str, optional
        Column to map as a classed choropleth (mapclassify ``scheme`` with up to ``k``
        classes; fewer when rounded bounds would repeat). Without it, localities are
        coloured so that neighbours differ, with a key table.
    significance : {"scotland", "rest"}, optional
        Map ``column``'s verdict against Scotland or the rest of the council instead
        of its value.
    label : {"auto", "number", "locality", "none"}
        ``auto``: names where they fit inside their locality, numbers (the rank, or the
        alphabetical order for a plan) with a key table otherwise. ``number``: numbers
        and the key for all. ``locality``: locality codes.
    inset : "auto", list of (minx, miny, maxx, maxy), or None
        Zoomed panels; ``auto`` adds up to two for clusters of localities too small to
        label on the main map (a town in a rural council).
    orientation : {"auto", "landscape", "portrait"}
        A4 orientation; ``auto`` takes whichever draws the council largest.
    islands : {"auto", "none"}
        ``auto`` moves island groups far from the main body (St Kilda, Fair Isle,
        Sule Skerry...) into small panels of their own so the main body fills the map.
    locator : bool
        A small map of Scotland's councils with this one marked (needs the council
        boundaries in the data directory).
    zones : GeoDataFrame, optional
        Data Zones to draw faintly beneath the localities.
    categories : (Series, {category: colour}, legend title), optional
        Colour localities by category (used by :func:`plot_poorer`).
    figsize : (width, height), optional
        Accepted for compatibility: its orientation is used; the page stays A4.

    Returns
    -------
    matplotlib.figure.Figure
        ``fig.attrs`` records the layout (axes, labels, key entries, breaks) for checks.
    """
    if label not in ("auto", "name", "number", "rank", "locality", "none"):
        raise LocalitiesError(f"label must be 'auto', 'number', 'locality' or 'none', not {label!r}")
    if orientation not in ("auto", "landscape", "portrait"):
        raise LocalitiesError(f"orientation must be 'auto', 'landscape' or 'portrait', not {orientation!r}")
    if islands not in ("auto", "none"):
        raise LocalitiesError(f"islands must be 'auto' or 'none', not {islands!r}")
    if figsize is not None and orientation == "auto":
        orientation = "landscape" if figsize[0] >= figsize[1] else "portrait"
    frame = _frame(obj)
    # pandas deep-copies attrs at every column read and row selection (~190 times a map, ~0.1 s
    # with a ranking's labels, units and comparator values): keep only what the map reads.
    facts = frame.attrs
    frame.attrs = {key: facts[key] for key in ("council", "data_dir") if key in facts}
    for key in ("labels", "units"):
        if column in facts.get(key, {}):
            frame.attrs[key] = {column: facts[key][column]}
    if frame.crs is None or frame.crs.to_epsg() != 27700:
        frame = frame.to_crs("EPSG:27700")
    frame = frame[~frame.geometry.is_empty & frame.geometry.notna()]
    if label == "rank":
        label = "number"
    colours, handles, legend_title, auto_title, value_col, plan_map = _colouring(
        frame, column, significance, categories, scheme, k, cmap)
    title = layout.printable(title or auto_title)
    numbers = _numbers(frame)
    names = frame["name"].astype(str) if "name" in frame else pd.Series(frame.index.astype(str), index=frame.index)
    outliers, body = layout.outlying_islands(frame) if islands == "auto" else ([], tuple(frame.total_bounds))
    with_key = plan_map or label == "number" or len(frame) > 20
    data_dir = data_dir or frame.attrs.get("data_dir")  # the locator's council outlines, if the table says where
    with plt.rc_context({"text.parse_math": False}):  # names and titles are text: "$5" is not mathtext
        return _plot(frame, colours, handles, legend_title, title, value_col, plan_map, numbers, names, outliers,
                     body, with_key, label, inset, orientation, locator, data_dir, zones)


def _plot(frame, colours, handles, legend_title, title, value_col, plan_map, numbers, names, outliers, body,
          with_key, label, inset, orientation, locator, data_dir, zones) -> Figure:
    fig = _compose(frame, colours, handles, legend_title, title, value_col, plan_map, numbers, names, outliers, body,
                   with_key, label, inset, orientation, locator, data_dir, zones)
    if not with_key and fig.attrs["numbered"]:
        # Some localities got numbers: they need the key table. When the page laid out for
        # the key is the page already drawn (same side column and insets), the map is the
        # same, so the key is added to it; otherwise the page is composed again.
        rows = _key_rows(frame, numbers, value_col, colours, plan_map)
        drawn = fig._localities_page  # (page, insets, locator height, top of the key's space)
        p, fit, extents = _page_layout(frame, names, body, rows, handles, drawn[2], outliers, value_col, plan_map,
                                       inset, orientation)
        if label != "name" and fit is not None and (p, extents) == drawn[:2]:
            with no_idle_draws(fig):
                fig.attrs["key"] = _add_key(fig, p, fit, rows, frame, value_col, plan_map, drawn[3])
            return fig
        plt.close(fig)
        fig = _compose(frame, colours, handles, legend_title, title, value_col, plan_map, numbers, names, outliers,
                       body, True, label, inset, orientation, locator, data_dir, zones)
    return fig


def _page_layout(frame, names, body, rows, handles, lh, outliers, value_col, plan_map, inset, orientation):
    """The page, the key table's fit and the town insets' extents: the side column as
    narrow as the key table (and insets) allow, at most about half the page."""
    legend_est = (len(handles) + 2.5) * 0.17 if handles else 0.0
    top = max(legend_est, lh) + 0.3
    islands_h = 1.5 if outliers else 0.0
    fit, extents = None, []
    for drop_insets in (False, True):
        for side_w in (3.3, 3.9, 4.6, 5.4):
            p = layout.page(body, side_w, orientation)
            _, _, sw, sh = p.inches(p.side)
            extents = []
            if inset == "auto" and not drop_insets:
                extents = layout.town_insets(frame, names, p.limits, p.scale, 7.5 if len(frame) <= 20 else 6.5)
            elif inset and inset != "auto":
                extents = [tuple(inset)] if len(inset) == 4 and not hasattr(inset[0], "__len__") else list(inset)
            inset_h = 2.3 if extents else 0.0
            if not rows:
                break
            fit = _key_fit(rows, sw, sh - top - islands_h - inset_h - 0.5, value_col is not None, plan_map)
            if fit is not None:
                break
        if fit is not None or not rows:
            break
    if rows and fit is None:  # the smallest type and widest column: use them anyway
        fit = (4.5, 4, 14, 4.5 * 1.3 / 72)
    return p, fit, extents


def _compose(frame, colours, handles, legend_title, title, value_col, plan_map, numbers, names, outliers, body,
             with_key, label, inset, orientation, locator, data_dir, zones) -> Figure:
    rows = _key_rows(frame, numbers, value_col, colours, plan_map) if with_key else []
    councils = _councils(str(data_dir) if data_dir else None) if locator else None
    loc_w = 1.0 if councils is not None else 0.0
    if councils is not None:
        cb = councils.total_bounds
        lh = loc_w * (cb[3] - cb[1]) / (cb[2] - cb[0])
    else:
        lh = 0.0
    p, fit, extents = _page_layout(frame, names, body, rows, handles, lh, outliers, value_col, plan_map, inset,
                                   orientation)
    fig = plt.figure(figsize=p.size)
    with no_idle_draws(fig):
        key_top = _fill(fig, p, fit, extents, rows, councils, loc_w, lh, frame, colours, handles, legend_title,
                        title, value_col, plan_map, numbers, names, outliers, body, label, data_dir, zones)
    fig._localities_page = (p, extents, lh, key_top)  # what _plot needs to add the key table later
    return fig


@contextmanager
def no_idle_draws(fig):
    """geopandas' plot asks the canvas for a redraw after each layer, which on a file
    canvas draws the whole page every time; the page is drawn once, when saved."""
    fig.canvas.draw_idle = lambda *args, **kwargs: None
    try:
        yield fig
    finally:
        del fig.canvas.draw_idle


def _fill(fig, p, fit, extents, rows, councils, loc_w, lh, frame, colours, handles, legend_title, title, value_col,
          plan_map, numbers, names, outliers, body, label, data_dir, zones) -> float:
    """Draw the page into ``fig``; returns the top of the space left for the key table
    (inches from the bottom)."""
    renderer = fig.canvas.get_renderer()
    ax = fig.add_axes(p.main, gid="main")
    _draw_localities(ax, frame, colours, zones)
    _blank(ax, p.limits)
    view = shapely.box(*p.limits)
    sl, sb, sw, sh = p.inches(p.side)
    cursor = sb + sh  # inches from the bottom: the next free height in the side column

    # Legend (left) and locator (right) at the top of the side column.
    if handles:
        wrap = int((sw - loc_w - 0.2) * 72 / (0.56 * 8.5))
        for h in handles:
            h.set_label(textwrap.fill(h.get_label(), max(wrap - 5, 12)))
        legend = fig.legend(handles=handles, title=textwrap.fill(legend_title or "", max(wrap, 16)),
                            loc="upper left", bbox_to_anchor=(sl / p.size[0], cursor / p.size[1]), fontsize=8,
                            title_fontsize=8.5, frameon=False, alignment="left", borderaxespad=0, borderpad=0)
        legend_h = legend.get_window_extent(renderer).height / fig.dpi
    else:
        legend, legend_h = None, 0.0
    locator_ax = None
    if councils is not None:
        locator_ax = fig.add_axes(p.fraction(sl + sw - loc_w, cursor - lh, loc_w, lh), gid="locator")
        council_name = frame.attrs.get("council")
        mine = councils["council_name"] == council_name if council_name else np.zeros(len(councils), bool)
        councils.plot(ax=locator_ax, color=np.where(mine, "#c51b7d", "#eeeeee"), edgecolor="#909090",
                      linewidth=0.2)
        if not np.any(mine):
            locator_ax.add_patch(Rectangle(body[:2], body[2] - body[0], body[3] - body[1], fill=False,
                                           edgecolor="#c51b7d", linewidth=1))
        locator_ax.set_axis_off()
        locator_ax.set_aspect("equal")
        locator_ax.set_title("Location in Scotland", fontsize=6.5, loc="left", pad=2)
    cursor -= max(legend_h, lh) + 0.3

    # Outlying islands, each in a small panel of its own.
    panels = []
    if outliers:
        pw = min(1.25, (sw - 0.15 * (len(outliers) - 1)) / len(outliers))
        ph = min(pw, 1.0)
        for i, o in enumerate(outliers):
            rect = p.fraction(sl + i * (pw + 0.15), cursor - ph - 0.25, pw, ph)
            pax = fig.add_axes(rect, gid=f"islands:{i}")
            limits = layout.fit_extent(o.geometry.buffer(1500).bounds, pw, ph)
            _draw_localities(pax, frame, colours, clip=limits)
            _blank(pax, limits)
            where = ", ".join(names[o2] for o2 in o.localities if o2 in names.index)
            pax.set_title(textwrap.fill(f"{o.distance_km:.0f} km {o.direction} (part of {where})",
                                        max(int(pw * 72 / (0.56 * 6)), 10)),
                          fontsize=6, loc="left", pad=2)
            panels.append((pax, shapely.box(*limits), o.localities))
        cursor -= ph + 0.25 + 0.3

    # Town insets: localities too small to label on the main map.
    insets = []
    if extents:
        n = min(len(extents), 2)
        iw = (sw - 0.2 * (n - 1)) / n if n > 1 else sw
        ih = 1.8
        if n == 1:
            iw = min(sw, 2.2 * 1.6)
        for i, extent in enumerate(extents[:n]):
            left = sl + i * (iw + 0.2)
            limits = layout.fit_extent(extent, iw, ih)
            iax = fig.add_axes(p.fraction(left, cursor - ih - 0.2, iw, ih), gid=f"inset:{i}")
            _draw_localities(iax, frame, colours, zones, clip=limits)
            _blank(iax, limits)
            letter = "AB"[i]
            iax.set_title(f"{letter}: inset", fontsize=7, loc="left", pad=2, fontweight="bold")
            ax.add_patch(Rectangle(extent[:2], extent[2] - extent[0], extent[3] - extent[1], fill=False,
                                   edgecolor="#000000", linewidth=1.0, linestyle="--", zorder=7))
            insets.append((iax, shapely.box(*limits), extent, letter))
        cursor -= ih + 0.2 + 0.3

    # Labels: main map (less what an inset shows), then insets and island panels.
    mode = "number" if label == "number" else label
    fontsize = 7.5 if len(frame) <= 20 else 6.5
    numbered = {}
    key_rows_shown = bool(rows)
    if mode != "none":
        in_inset = set()
        for iax, iview, extent, letter in insets:
            geoms = frame.geometry.intersection(shapely.box(*extent))
            share = geoms.area / frame.geometry.intersection(view).area.replace(0, np.nan)
            in_inset |= set(frame.index[share.fillna(0) > 0.8])
        main_which = [i for i in frame.index if i not in in_inset and not frame.at[i, "geometry"].intersection(view).is_empty]
        # Each inset's letter beside its rectangle on the main map, and the rectangle's
        # dashed outline: names are placed clear of both (in Orkney 'Kirkwall West and
        # Orphir' ran across inset A's outline).
        outlines = []
        for iax, iview, extent, letter in insets:
            t = ax.text(extent[0], extent[3], f" {letter}", fontsize=7, fontweight="bold", ha="left", va="bottom",
                        zorder=9, gid=f"inset_letter:{letter}")
            outlines += [t.get_window_extent(renderer), *_outline_boxes(ax, extent)]
        placer = _label_axes(ax, renderer, frame, numbers, names, main_which, fontsize, view,
                             "auto" if mode in ("auto", "name") and key_rows_shown or mode == "auto" else mode,
                             avoid=outlines)
        all_placers = [("main", placer)]
        for iax, iview, extent, letter in insets:
            # A locality showing only a sliver in the inset (under 1% of it), already named
            # on the main map, gets no second label: its number sat on the inset's frame,
            # its leader running into the frame (West Mainland in Orkney's inset).
            shown = frame.geometry.intersection(iview).area
            which = [i for i in frame.index if shown[i] > 0 and (shown[i] >= 0.01 * iview.area
                                                                 or i not in placer.labels)]
            all_placers.append((iax.get_gid(), _label_axes(iax, renderer, frame, numbers, names, which, fontsize,
                                                           iview, mode)))
        for pax, pview, members in panels:
            all_placers.append((pax.get_gid(), _label_axes(pax, renderer, frame, numbers, names, list(members),
                                                           6, pview, "number", leader=False)))
        labels = {}
        for where, pl in all_placers:
            for idx, t in pl.labels.items():
                labels.setdefault(idx, []).append((where, t))
                if t.get_text() == str(numbers[idx]):
                    numbered[idx] = t
    else:
        labels, all_placers = {}, []

    # North arrow and scale bar on open sea or empty paper.
    land = shapely.union_all(frame.geometry.simplify(100).values)
    main_boxes = list(all_placers[0][1].boxes) if all_placers else []
    arrow = _north_arrow(ax, renderer, land, main_boxes)
    if arrow is not None:
        main_boxes.append(arrow.get_window_extent(renderer))
    bar = _scale_bar(ax, renderer, land, main_boxes)
    for where, pl in all_placers[1:]:
        if where.startswith("inset"):
            # The coast as drawn, not simplified by 100 m: at an inset's scale that moved it
            # enough for the bar to sit on a locality's edge.
            x0, x1 = pl.ax.get_xlim()
            y0, y1 = pl.ax.get_ylim()
            coast = shapely.union_all(frame.geometry.clip_by_rect(x0, y0, x1, y1).values)
            _scale_bar(pl.ax, renderer, coast, list(pl.boxes), fraction=0.3, fontsize=6, below=True)

    # Key table at the bottom of the side column.
    key_entries = _add_key(fig, p, fit, rows, frame, value_col, plan_map, cursor) if rows and fit is not None else {}

    notes = []
    if outliers:
        notes.append("Outlying islands are shown in the small panels, not in their true position.")
    fig.suptitle(title, x=MARGIN_FRAC(p), y=1 - 0.25 / p.size[1], ha="left", va="top", fontsize=14,
                 fontweight="bold")
    if notes:
        fig.text(MARGIN_FRAC(p), 1 - 0.55 / p.size[1], " ".join(notes), fontsize=7, color="#404040", va="top")
    fig.text(MARGIN_FRAC(p), 0.12 / p.size[1],
             textwrap.fill(sources.attribution(ATTRIBUTION_SOURCES), int(p.size[0] * 72 / (0.5 * 6.5))),
             fontsize=6.5, color="#404040", ha="left", va="bottom")
    fig.attrs = {"legend_title": legend_title, "legend": legend, "main": ax, "labels": labels,
                 "numbers": numbers, "numbered": numbered, "key": key_entries, "north_arrow": arrow,
                 "scale_bar": bar, "insets": [i[0] for i in insets], "inset": insets[0][2] if insets else None,
                 "islands": [pn[0] for pn in panels], "outliers": outliers, "body": body, "locator": locator_ax,
                 "orientation": "landscape" if p.size[0] > p.size[1] else "portrait", "frame": frame}
    return cursor


def _add_key(fig, p, fit, rows, frame, value_col, plan_map, cursor) -> dict:
    """Draw the key table in the side column below ``cursor`` (inches from the bottom);
    returns its entries (number -> Text)."""
    sl, sb, sw, _ = p.inches(p.side)
    value_header = None
    if value_col:
        name, unit = _describe(value_col, frame)
        value_header = name.split()[0] + ("\n%" if _is_share(value_col, unit) else "\n" + unit.split()[0]
                                          if unit else "\n")
    flag_header = "Key" if plan_map else ("Flag" if "tier_label" in frame else None)
    rect = p.fraction(sl, sb, sw, max(cursor - sb, 0.5))
    footer = []
    if not plan_map and "tier_label" in frame:
        footer = [(c, t) for t, c in TIER_COLOURS.items() if (frame["tier_label"] == t).any()]
    _, entries = _draw_key(fig, rect, rows, fit, value_header, flag_header, footer)
    return entries


def MARGIN_FRAC(p) -> float:  # noqa: N802 - a layout constant that depends on the page
    return layout.MARGIN / p.size[0]


def plot_poorer(table: gpd.GeoDataFrame, title: str | None = None, **kwargs) -> Figure:
    """One call: which localities are significantly poorer than the rest of the council
    and Scotland (``poorer_than_rest`` / ``poorer_than_scotland`` from
    :func:`localities.rank`)."""
    if not isinstance(table, gpd.GeoDataFrame):
        raise LocalitiesError(f"plot_poorer needs the output of localities.rank, not {type(table).__name__}")
    table = normalise(table)
    for col in ("poorer_than_scotland", "poorer_than_rest"):
        if col not in table:
            raise LocalitiesError(f"no {col!r} column: pass the output of localities.rank")
    cats = table["tier_label"]
    labels = table.attrs.get("labels", {})
    headline = " or ".join(labels.get(h, h).lower() for h in table.attrs.get("headline", ["income_rate",
                                                                                        "employment_rate"]))
    council = table.attrs.get("council")
    ratio = table.attrs.get("min_ratio", 1.2)
    rule = f"Significantly poorer (95%) and at least ×{ratio:g} on {headline}"
    return plot_map(table, categories=(cats, TIER_COLOURS, rule),
                    title=title or f"{council + ': ' if council else ''}localities with significantly poorer outcomes",
                    **kwargs)


def save_figure(fig: Figure, path: str | os.PathLike, dpi: int = 300) -> Path:
    """Save as vector PDF or SVG (text stays text) or PNG at ``dpi``; atomic.

    PDF text is in matplotlib's default Type 3 fonts: embedded, subset and with a
    Unicode map, so it can be selected, searched and copied (``≤``, ``–`` and Gaelic
    accents included). TrueType (``pdf.fonttype: 42``) would cost 0.2-0.5 s more a
    file, fontTools subsetting DejaVu. SVG keeps text as ``<text>`` elements."""
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in ("pdf", "svg", "png"):
        raise LocalitiesError(f"{path}: save maps as .pdf, .svg or .png")
    with plt.rc_context({"svg.fonttype": "none", "pdf.fonttype": 3}), atomic_path(path) as tmp:
        fig.savefig(tmp, format=fmt, dpi=dpi if fmt == "png" else None, metadata=None if fmt == "png" else {})
    return path


# ----------------------------------------------------------------------------- HTML


def _label_of(col: str, frame) -> str:
    fixed = {"rank": "Rank", "name": "Locality", "population": "People", "zones": "Data Zones",
             "tier_label": "Significantly poorer?", "reasons": "Why", "score": "Deprivation score (Scotland = 1)",
             "n_worse_rest": "Indicators worse than the rest of the council",
             "n_worse_scotland": "Indicators worse than Scotland",
             "share_most_deprived_20": "People in Scotland's most deprived 20% of zones",
             "share_most_deprived_5": "People in Scotland's most deprived 5% of zones"}
    if col in fixed:
        return fixed[col]
    return _describe(col, frame)[0]


def _text_of(col: str, value, frame) -> str:
    if col == "population":
        return f"{int(value):,}" if pd.notna(value) else "–"
    if col == "score":
        return f"{value:.2f}" if pd.notna(value) else "–"
    if col in ("rank", "zones", "n_worse_rest", "n_worse_scotland"):
        return f"{int(value)}" if pd.notna(value) else "–"
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (int, float, np.integer, np.floating)):
        return format_value(value, col, _describe(col, frame)[1])
    return "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)


def explore(obj, column: str | None = None, tooltip: list[str] | None = None, layers: list[str] | None = None,
            **kwargs):
    """An interactive folium map: one layer per indicator (switched with the layer
    control), human labels in legends and tooltips, percentages as percentages, the
    data attribution, and every text HTML-escaped.

    Parameters
    ----------
    obj : Plan or GeoDataFrame
    column : str, optional
        The indicator shown first.
    tooltip : list of str, optional
        Columns in every tooltip (default: rank, name, population, flag).
    layers : list of str, optional
        Indicators offered in the layer control (default: ``column``, the headline
        indicators and crime, when present).

    Returns
    -------
    folium.Map
        ``.save(path)`` or :func:`save_html` writes the HTML.
    """
    import folium

    frame = _frame(obj)
    if column is not None and column not in frame:
        raise LocalitiesError(f"no column {column!r} to map; columns include {', '.join(list(frame.columns)[:20])}")
    for col in (tooltip or []) + (layers or []):
        if col not in frame:
            raise LocalitiesError(f"no column {col!r} in the table")
    base = tooltip or [c for c in ("rank", "name", "population", "tier_label") if c in frame]
    wanted = layers or [c for c in dict.fromkeys([column, *frame.attrs.get("headline", []), "income_rate",
                                                  "employment_rate", "crime_rate"]) if c]
    wanted = [c for c in wanted if c in frame and pd.api.types.is_numeric_dtype(frame[c])]
    geo = frame.to_crs("EPSG:4326")
    geo = gpd.GeoDataFrame(geometry=geo.geometry.simplify(0.0002), crs="EPSG:4326", index=frame.index)
    esc = html.escape
    props = pd.DataFrame(index=frame.index)
    for col in base:
        props[f"t_{col}"] = [esc(_text_of(col, v, frame)) for v in frame[col]]
    m = folium.Map(tiles=None, control_scale=True, **kwargs)
    folium.TileLayer("OpenStreetMap", name="Background map", control=False).add_to(m)
    legends, titles = {}, {}
    groups = []
    if "tier_label" in frame:
        wanted_all = wanted + ["tier_label"]
    else:
        wanted_all = wanted
    if not wanted_all:
        wanted_all = [None]
    for i, col in enumerate(wanted_all):
        fields, aliases = [f"t_{c}" for c in base], [esc(_label_of(c, frame)) for c in base]
        layer = props.copy()
        legend_title = None
        if col == "tier_label":
            name = "Significantly poorer"
            legend_title = f"Significantly poorer (95%) and at least ×{frame.attrs.get('min_ratio', 1.2):g}"
            layer["fill"] = frame["tier_label"].map(TIER_COLOURS).fillna("#ffffff")
            legend_items = [(c, t) for t, c in TIER_COLOURS.items() if (frame["tier_label"] == t).any()]
        elif col is None:
            name = "Localities"
            layer["fill"] = layout.plan_colours(frame)
            legend_items = []
        else:
            name, unit = _describe(col, frame)
            share = _is_share(col, unit)
            legend_title = f"{name} ({'%' if share else unit})" if share or unit else name
            values = pd.to_numeric(frame[col], errors="coerce")
            yb, labels, _ = layout.class_breaks(values, "FisherJenks", 5, share)
            higher_worse = SIMD[col].higher_is_worse if col in SIMD else True
            cmap = "Reds" if higher_worse else "Blues_r"
            layer["fill"] = "#ffffff"
            layer.loc[values.dropna().index, "fill"] = [layout.colour_hex(cmap, j, len(labels)) for j in yb]
            legend_items = [(layout.colour_hex(cmap, j, len(labels)), lab) for j, lab in enumerate(labels)]
            text = []
            for idx in frame.index:
                t = format_value(frame.at[idx, col], col, unit)
                if f"{col}_lower" in frame and pd.notna(frame.at[idx, f"{col}_lower"]):
                    t += (f" (95% CI {format_value(frame.at[idx, f'{col}_lower'], col, unit)} to "
                          f"{format_value(frame.at[idx, f'{col}_upper'], col, unit)})")
                text.append(esc(t))
            layer["t_value"] = text
            fields.append("t_value")
            aliases.append(esc(f"{name}{' (' + unit + ')' if unit and not share else ''}"))
            for against, suffix in (("the rest of the council", "_vs_rest"), ("Scotland", "_vs_scotland")):
                if f"{col}{suffix}" in frame:
                    layer[f"t{suffix}"] = [esc(str(v)) for v in frame[f"{col}{suffix}"].fillna("n/a")]
                    fields.append(f"t{suffix}")
                    aliases.append(esc(f"Compared with {against}"))
        data = gpd.GeoDataFrame(layer, geometry=geo.geometry, crs="EPSG:4326")
        group = folium.FeatureGroup(name=esc(name), overlay=False, show=i == 0)
        folium.GeoJson(
            data.to_json(),
            style_function=lambda f: {"fillColor": f["properties"]["fill"], "color": "#303030", "weight": 1,
                                      "fillOpacity": 0.7},
            highlight_function=lambda f: {"weight": 3},
            tooltip=folium.GeoJsonTooltip(fields=fields, aliases=aliases, sticky=True),
        ).add_to(group)
        group.add_to(m)
        groups.append(group)
        legends[esc(name)] = legend_items
        titles[esc(name)] = esc(legend_title) if legend_title else None
    folium.LayerControl(collapsed=False).add_to(m)
    m.fit_bounds([[geo.total_bounds[1], geo.total_bounds[0]], [geo.total_bounds[3], geo.total_bounds[2]]])
    _add_legend(m, legends, list(legends)[0], esc(sources.attribution(ATTRIBUTION_SOURCES)), titles)
    return m


def _add_legend(m, legends: dict, first: str, attribution: str, titles: dict | None = None) -> None:
    """One legend per layer (shown with its layer) and the data attribution. Every text
    reaching the page is already HTML-escaped; JSON-encoding keeps it inert in script."""
    from branca.element import MacroElement, Template

    blocks = []
    index = {name: i for i, name in enumerate(legends)}
    for name, items in legends.items():
        rows = "".join(f'<div><span style="display:inline-block;width:14px;height:10px;background:{c};'
                       f'border:1px solid #303030;margin-right:4px"></span>{html.escape(str(t))}</div>'
                       for c, t in items)
        blocks.append(f'<div class="loc-legend" data-layer="{index[name]}" style="display:{"block" if name == first else "none"}">'
                      f"<b>{(titles or {}).get(name) or name}</b>{rows}</div>")
    macro = MacroElement()
    macro._template = Template("""
{% macro html(this, kwargs) %}
<div id="loc-legends" style="position:fixed;top:90px;left:10px;z-index:9999;background:white;padding:6px 8px;
 border:1px solid #999;font:12px sans-serif;max-width:280px">""" + "".join(blocks) + """</div>
{% endmacro %}
{% macro script(this, kwargs) %}
{{ this._parent.get_name() }}.attributionControl.addAttribution(""" + json.dumps(attribution) + """);
var locLayers = """ + json.dumps(index) + """;
{{ this._parent.get_name() }}.on("baselayerchange", function (e) {
  document.querySelectorAll("#loc-legends .loc-legend").forEach(function (d) {
    d.style.display = (d.getAttribute("data-layer") === String(locLayers[e.name])) ? "block" : "none";
  });
});
{% endmacro %}
""")
    m.add_child(macro)


def save_html(m, path: str | os.PathLike) -> Path:
    """Write an interactive map to an HTML file, atomically."""
    with atomic_path(path) as tmp:
        m.save(str(tmp))
    return Path(path)
