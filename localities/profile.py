"""Locality profiles: one A4 page per locality for a board paper.

Each page has the locality's key figures, whether and why it is flagged as having
significantly poorer outcomes, a small map placing it in the council, and a spine
chart in the style of ScotPHO's profiles: for every indicator, a bar spanning the
range across the council's localities (the darker middle part their interquartile
range), Scotland's value as the centre line, the rest of the council as a tick and
the locality as a dot coloured by its verdict against Scotland, with worse always
to the left. :func:`save_profiles` writes them as one multi-page vector PDF.
"""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import geopandas as gpd
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from . import layout, sources
from .errors import LocalitiesError
from .export import atomic_path
from .maps import ATTRIBUTION_SOURCES, FLAG_COLOURS, TIER_COLOURS, _is_share, format_value, no_idle_draws, normalise
from .outcomes import SIMD
from .plans import Plan

A4_PORTRAIT = (8.27, 11.69)
# How the locality's dot is drawn for each verdict against Scotland: (marker, fill, key text).
# "not different" and "no interval" differ in shape as well as fill (a filled grey circle,
# a hollow diamond), so they stay apart when a board paper is printed in greyscale.
DOT_STYLES = {
    "worse": ("o", FLAG_COLOURS["worse"], "worse than Scotland"),
    "slightly worse": ("o", FLAG_COLOURS["slightly worse"], "slightly worse than Scotland"),
    "not different": ("o", FLAG_COLOURS["not different"], "not different from Scotland"),
    "slightly better": ("o", FLAG_COLOURS["slightly better"], "slightly better than Scotland"),
    "better": ("o", FLAG_COLOURS["better"], "better than Scotland"),
    "no interval": ("D", "white", "no interval (not tested)"),
}
VERDICT_SHORT = {"worse": "worse", "slightly worse": "sl. worse", "not different": "similar",
                 "slightly better": "sl. better", "better": "better", "no interval": "–", "no data": "no data",
                 "n/a": "–"}


def _ranking(obj, dz) -> gpd.GeoDataFrame:
    if isinstance(obj, Plan):
        if dz is None:
            raise LocalitiesError("profile of a Plan needs its zone table: profile(plan, dz, ...)")
        from .rank import rank

        return normalise(rank(obj, dz))
    if isinstance(obj, gpd.GeoDataFrame) and "rank" in obj:
        return normalise(obj)
    raise LocalitiesError("profile needs a Plan (with its zones) or the output of localities.rank, "
                          f"not {type(obj).__name__}")


def _indicators(table: gpd.GeoDataFrame) -> list[str]:
    labels = table.attrs.get("labels", {})
    names = [n for n in SIMD if n in table] + [n for n in labels if n not in SIMD and n in table]
    return [n for n in names if pd.api.types.is_numeric_dtype(table[n])]


def _label(name: str, table) -> tuple[str, str]:
    if name in SIMD:
        return SIMD[name].label, SIMD[name].unit
    return table.attrs.get("labels", {}).get(name, name), table.attrs.get("units", {}).get(name, "")


def _pick(table: gpd.GeoDataFrame, locality) -> int:
    if locality is None:
        return table.index[0]
    for col in ("locality", "name"):
        if col in table:
            hit = table.index[table[col].astype(str) == str(locality)]
            if len(hit):
                return hit[0]
    if isinstance(locality, (int, np.integer)) and "rank" in table:
        hit = table.index[table["rank"] == locality]
        if len(hit):
            return hit[0]
    raise LocalitiesError(f"no locality {locality!r}; localities include "
                          f"{', '.join(map(str, table['name'].head(8)))}")


def _higher_is_worse(name: str) -> bool:
    return SIMD[name].higher_is_worse if name in SIMD else True


def spine_rows(table: gpd.GeoDataFrame, idx) -> pd.DataFrame:
    """The numbers behind one locality's spine chart, one row per indicator: value,
    rest of council, Scotland, the council's localities' range, verdicts, and the
    positions on the chart (-1..1, worse to the left, Scotland at 0)."""
    scotland = table.attrs.get("scotland", {})
    council = table.attrs.get("council_value", {})
    rows = []
    for name in _indicators(table):
        label, unit = _label(name, table)
        values = pd.to_numeric(table[name], errors="coerce").dropna()
        value = table.at[idx, name]
        rest = table.at[idx, f"{name}_rest"] if f"{name}_rest" in table else np.nan
        centre = scotland.get(name, np.nan)
        centre_is = "Scotland"
        if centre is None or not np.isfinite(centre):
            centre, centre_is = council.get(name, np.nan), "council"
        sign = -1.0 if _higher_is_worse(name) else 1.0
        spread = [abs(v - centre) for v in [*values, rest, value] if v is not None and np.isfinite(v)]
        half = max(spread) * 1.08 if spread and max(spread) > 0 else 1.0

        def pos(v, sign=sign, centre=centre, half=half):
            return sign * (v - centre) / half if v is not None and np.isfinite(v) and np.isfinite(centre) else np.nan

        rows.append({
            "indicator": name, "label": label, "unit": unit, "value": value, "rest": rest,
            "scotland": scotland.get(name, np.nan), "centre_is": centre_is,
            "vs_rest": table.at[idx, f"{name}_vs_rest"] if f"{name}_vs_rest" in table else "no interval",
            "vs_scotland": table.at[idx, f"{name}_vs_scotland"] if f"{name}_vs_scotland" in table else "no interval",
            "min": values.min() if len(values) else np.nan, "max": values.max() if len(values) else np.nan,
            "q1": values.quantile(0.25) if len(values) else np.nan,
            "q3": values.quantile(0.75) if len(values) else np.nan,
            "x_value": pos(value), "x_rest": pos(rest),
            "x_lo": np.nanmin([pos(values.min()), pos(values.max())]) if len(values) else np.nan,
            "x_hi": np.nanmax([pos(values.min()), pos(values.max())]) if len(values) else np.nan,
            "x_q_lo": np.nanmin([pos(values.quantile(0.25)), pos(values.quantile(0.75))]) if len(values) else np.nan,
            "x_q_hi": np.nanmax([pos(values.quantile(0.25)), pos(values.quantile(0.75))]) if len(values) else np.nan,
        })
    return pd.DataFrame(rows)


def _fmt(v, name, unit) -> str:
    return format_value(v, name, unit)


def _backdrop(table: gpd.GeoDataFrame):
    """The council's localities simplified for a 3-inch map, and its main body's bounds."""
    frame = table.to_crs("EPSG:27700") if table.crs is not None and table.crs.to_epsg() != 27700 else table
    frame = frame[["geometry"]].copy()
    frame["geometry"] = frame.geometry.simplify(100)
    _, body = layout.outlying_islands(frame)
    return frame, body


def profile(obj, dz: pd.DataFrame | None = None, locality=None, _backdrop_cache=None) -> Figure:
    """One A4 page profiling a locality for a board paper.

    Parameters
    ----------
    obj : GeoDataFrame or Plan
        The output of :func:`localities.rank`, or a plan (then ``dz`` is required and
        the plan is ranked first).
    dz : GeoDataFrame, optional
        The council's zones, needed with a plan.
    locality : str or int, optional
        Locality code, name, or rank (default: the first ranked, the most disadvantaged).

    Returns
    -------
    matplotlib.figure.Figure
        A4 portrait; ``fig.attrs["spine"]`` holds the chart's numbers.
    """
    with plt.rc_context({"text.parse_math": False}):  # names are text: "$5" is not mathtext
        return _profile(obj, dz, locality, _backdrop_cache)


def _profile(obj, dz, locality, _backdrop_cache) -> Figure:
    table = _ranking(obj, dz)
    idx = _pick(table, locality)
    row = table.loc[idx]
    council = table.attrs.get("council") or "the council"
    spine = spine_rows(table, idx)

    fig = plt.figure(figsize=A4_PORTRAIT)
    with no_idle_draws(fig):
        _page(fig, table, idx, row, council, spine, _backdrop_cache)
    return fig


def _page(fig, table, idx, row, council, spine, _backdrop_cache) -> None:
    W, H = A4_PORTRAIT
    tier_label = row.get("tier_label", "")
    title = fig.text(0.4 / W, 1 - 0.35 / H, layout.printable(row["name"]), fontsize=17, fontweight="bold", va="top")
    _fit_width(fig, title, W - 0.8, smallest=9.0)
    fig.text(0.4 / W, 1 - 0.75 / H, f"{council} · locality {row['locality']} · ranked {int(row['rank'])} of "
             f"{len(table)} (1 = most disadvantaged)", fontsize=9, color="#404040", va="top")
    fig.patches.append(Rectangle((0.4 / W, 1 - 1.12 / H), 0.18 / W, 0.16 / H, transform=fig.transFigure,
                                 facecolor=TIER_COLOURS.get(tier_label, "#e0e0e0"), edgecolor="#303030", lw=0.5))
    fig.text(0.65 / W, 1 - 0.97 / H, str(tier_label), fontsize=10.5, fontweight="bold", va="top")

    # Key figures (left) and the small map (right).
    facts = [("People", f"{int(row['population']):,}"), ("Data Zones", f"{int(row['zones'])}")]
    for band in ("20", "5"):
        col = f"share_most_deprived_{band}"
        if col in table and pd.notna(row[col]):
            facts.append((f"In Scotland's most deprived {band}% of zones (SIMD 2020v2)", f"{row[col] * 100:.0f}%"))
    if "score" in table and pd.notna(row["score"]):
        facts.append(("Headline deprivation against Scotland (1.0 = Scotland)", f"{row['score']:.2f}"))
    for col, what in (("n_worse_rest", f"Indicators worse than the rest of {council}"),
                      ("n_worse_scotland", "Indicators worse than Scotland")):
        if col in table:
            facts.append((what, f"{int(row[col])} of {len(spine)}"))
    y = 1 - 1.45 / H
    for what, value in facts:
        fig.text(0.4 / W, y, textwrap.fill(what, 46), fontsize=8.5, color="#404040", va="top")
        fig.text(4.45 / W, y, value, fontsize=10, fontweight="bold", va="top", ha="right")
        y -= (0.2 + 0.13 * textwrap.fill(what, 46).count("\n")) / H
    # The caption above the small map: on one line, or on two (the map a line shorter) for a
    # long name such as "Kilmacolm, Quarriers, Greenock Upper East/Central and 1 more in
    # Inverclyde", which ran off the page.
    map_ax = fig.add_axes([4.9 / W, 1 - 3.25 / H, 3.0 / W, 2.05 / H], gid="profile_map")
    caption = map_ax.set_title(layout.printable(f"{row['name']} in {council}"), fontsize=7.5, loc="left", pad=2)
    lines = _fit_width(fig, caption, 3.0, smallest=6.0, max_lines=2)
    map_h = 2.05 - (lines - 1) * caption.get_fontsize() * 1.2 / 72
    map_ax.set_position([4.9 / W, 1 - 3.25 / H, 3.0 / W, map_h / H])
    frame, body = _backdrop_cache or _backdrop(table)
    frame.plot(ax=map_ax, color="#eeeeee", edgecolor="#9a9a9a", linewidth=0.3)
    frame.loc[[idx]].plot(ax=map_ax, color=TIER_COLOURS.get(tier_label, "#e0e0e0"), edgecolor="#000000",
                          linewidth=0.9)
    bx0, by0, bx1, by1 = body
    lx0, ly0, lx1, ly1 = frame.loc[[idx]].total_bounds
    limits, _ = layout._fit((min(bx0, lx0), min(by0, ly0), max(bx1, lx1), max(by1, ly1)), 3.0, map_h)
    pt = frame.loc[idx, "geometry"].representative_point()
    lx0, ly0, lx1, ly1 = frame.loc[[idx]].total_bounds
    if max(lx1 - lx0, ly1 - ly0) < 0.08 * max(limits[2] - limits[0], limits[3] - limits[1]):
        # A small locality: ringed so the eye finds it.
        map_ax.scatter([pt.x], [pt.y], s=220, facecolors="none", edgecolors="#c51b7d", linewidths=1.6, zorder=5)
    map_ax.set_xlim(limits[0], limits[2])
    map_ax.set_ylim(limits[1], limits[3])
    map_ax.set_aspect("equal")
    map_ax.set_axis_off()

    # Why it is (or is not) flagged.
    reasons = str(row.get("reasons", "") or "")
    top = 1 - max(3.45, 1.55 + 0.27 * len(facts)) / H
    fig.text(0.4 / W, top, "Why", fontsize=10, fontweight="bold", va="top")
    wrapped = textwrap.wrap(reasons, 125)
    if len(wrapped) > 7:
        wrapped = wrapped[:7]
        wrapped[-1] = wrapped[-1].rsplit(" ", 1)[0] + " …"
    fig.text(0.4 / W, top - 0.22 / H, "\n".join(wrapped) or "No indicator differs significantly.", fontsize=7.5,
             va="top", linespacing=1.25)
    chart_top = top - (0.42 + 0.145 * max(len(wrapped), 1)) / H

    # The spine chart: a table on the left, the spine on the right.
    n = len(spine)
    chart_h = chart_top * H - 1.47  # the key below it: four rows of three
    ax = fig.add_axes([0.4 / W, 1.17 / H, 7.47 / W, chart_h / H], gid="spine")
    ax.set_xlim(-4.45, 1.05)
    ax.set_ylim(n + 0.2, -1.9)
    ax.set_axis_off()
    font = min(7.0, max(4.8, chart_h * 72 / (n + 2) * 0.55))
    heads = [(-4.45, "\nIndicator", "left"), (-2.02, "\nLocality", "right"), (-1.57, "Rest of\ncouncil", "right"),
             (-1.12, "\nScotland", "right")]
    for x, text, ha in heads:
        ax.text(x, -0.95, text, fontsize=font, fontweight="bold", ha=ha, va="center")
    ax.text(0, -0.95, "\nworse  ◀  Scotland  ▶  better", fontsize=font, fontweight="bold", ha="center",
            va="center")
    ax.axvline(0, color="#404040", lw=0.8, zorder=1)
    labels, values = [], []
    domain = None
    for i, r in spine.iterrows():
        name, unit = r["indicator"], r["unit"]
        d = SIMD[name].domain if name in SIMD else "other"
        if d != domain and i > 0:
            ax.axhline(i - 0.5, color="#bdbdbd", lw=0.4, xmin=0, xmax=1)
        domain = d
        if i % 2 == 0:
            ax.add_patch(Rectangle((-4.45, i - 0.5), 5.5, 1, facecolor="#f7f7f7", edgecolor="none", zorder=0))
        unit_text = "%" if _is_share(name, unit) else unit.replace("standardised ratio (Scotland = 100)", "ratio")
        label = layout.printable(f"{r['label']} ({unit_text})" if unit_text else r["label"])
        labels.append(ax.text(-4.45, i, label, fontsize=font, va="center", gid="indicator"))
        values.append(ax.text(-2.02, i, _fmt(r["value"], name, unit), fontsize=font, va="center", ha="right",
                              fontweight="bold"))
        ax.text(-1.57, i, _fmt(r["rest"], name, unit), fontsize=font, va="center", ha="right")
        ax.text(-1.12, i, _fmt(r["scotland"], name, unit), fontsize=font, va="center", ha="right")
        if np.isfinite(r["x_lo"]):
            ax.add_patch(Rectangle((r["x_lo"], i - 0.28), r["x_hi"] - r["x_lo"], 0.56, facecolor="#d9e3ee",
                                   edgecolor="none", zorder=2))
            ax.add_patch(Rectangle((r["x_q_lo"], i - 0.28), r["x_q_hi"] - r["x_q_lo"], 0.56, facecolor="#9fb6cf",
                                   edgecolor="none", zorder=2))
        if np.isfinite(r["x_rest"]):
            ax.plot([r["x_rest"]] * 2, [i - 0.38, i + 0.38], color="#000000", lw=1.1, zorder=3)
        if np.isfinite(r["x_value"]):
            verdict = r["vs_scotland"] if r["vs_scotland"] in DOT_STYLES else "no interval"
            marker, face, _ = DOT_STYLES[verdict]
            ax.scatter([r["x_value"]], [i], s=font * (5.5 if marker == "o" else 4.0), marker=marker, zorder=4,
                       linewidths=0.8, facecolors=face, edgecolors="#202020", gid=f"dot: {verdict}")
    _fit_labels(fig, ax, labels, values, font)
    handles = [Patch(facecolor="#d9e3ee", label=f"Range across {council}'s localities"),
               Patch(facecolor="#9fb6cf", label="Middle half of them"),
               Line2D([], [], color="black", lw=1.1, label="Rest of the council"),
               Line2D([], [], color="#404040", lw=0.8, label="Scotland (centre)")]
    for verdict, (marker, face, text) in DOT_STYLES.items():
        handles.append(Line2D([], [], marker=marker, ls="", markerfacecolor=face, markeredgecolor="#202020",
                              markersize=6 if marker == "o" else 5, label=text))
    fig.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.4 / W, 0.58 / H), ncol=3, fontsize=6.5,
               frameon=False, handlelength=1.6, columnspacing=1.2)
    note = ("Dots: the locality's value; worse to the left, Scotland at the centre line. Verdicts use 95% "
            "confidence intervals; 'slightly' = statistically significant but below the materiality threshold. "
            "Indicators without an interval (standardised ratios, school and access measures) are not tested.")
    fig.text(0.4 / W, 0.5 / H, textwrap.fill(note, 170), fontsize=5.8, color="#404040", va="top")
    fig.text(0.4 / W, 0.13 / H, textwrap.fill(sources.attribution(ATTRIBUTION_SOURCES), 175), fontsize=5.5,
             color="#404040", va="bottom")
    fig.attrs = {"spine": spine, "locality": row["locality"], "name": row["name"]}


def _fit_width(fig, text, width_in: float, smallest: float, max_lines: int = 1) -> int:
    """Fit ``text`` within ``width_in`` inches: as it is if it fits; else split over up to
    ``max_lines`` lines at the spaces that make the longest line shortest; then a smaller
    font, down to ``smallest`` points. Returns the number of lines."""
    renderer = fig.canvas.get_renderer()
    limit = width_in * fig.dpi * 0.97  # 3% spare: hinting widens text a little at other resolutions

    def width() -> float:
        return text.get_window_extent(renderer).width

    full = text.get_text()
    if width() <= limit:
        return 1
    words = full.split(" ")
    if max_lines >= 2 and len(words) > 1:
        best = None
        for cut in range(1, len(words)):
            text.set_text(" ".join(words[:cut]) + "\n" + " ".join(words[cut:]))
            if best is None or width() < best[0]:
                best = (width(), text.get_text())
        text.set_text(best[1])
        text.set_linespacing(1.1)
    size = text.get_fontsize()
    while width() > limit and size > smallest:
        size = max(size - 0.25, smallest)
        text.set_fontsize(size)
    return text.get_text().count("\n") + 1


def _fit_labels(fig, ax, labels, values, font) -> None:
    """Show every indicator's full name in the table's first column: a name too long for
    one line is split over two (at the space that makes the longer line shortest) in a
    font small enough for two lines to fit the row; the font shrinks further only if the
    longer line still runs into the locality's value."""
    if not labels:
        return
    renderer = fig.canvas.get_renderer()
    limit = min(t.get_window_extent(renderer).x0 for t in values) - 4 * fig.dpi / 72
    row_pt = abs(ax.transData.transform((0, 1))[1] - ax.transData.transform((0, 0))[1]) * 72 / fig.dpi

    def fits(text) -> bool:  # 5% spare: hinting widens text a little at other resolutions
        box = text.get_window_extent(renderer)
        return box.x0 + 1.05 * box.width <= limit

    for text in labels:
        if fits(text):
            continue
        full = text.get_text()
        words = full.split(" ")
        size = min(font, row_pt / 2.3)
        text.set_fontsize(size)
        text.set_linespacing(1.0)
        best = None
        for cut in range(1, len(words)):
            text.set_text(" ".join(words[:cut]) + "\n" + " ".join(words[cut:]))
            width = text.get_window_extent(renderer).width
            if best is None or width < best[0]:
                best = (width, text.get_text())
        text.set_text(best[1] if best else full)
        while not fits(text) and size > 3.5:
            size -= 0.25
            text.set_fontsize(size)


def save_profiles(obj, path: str | os.PathLike, dz: pd.DataFrame | None = None, flagged: bool = False,
                  localities: list | None = None) -> Path:
    """Write one profile page per locality to a multi-page vector PDF, most
    disadvantaged first.

    Parameters
    ----------
    obj : GeoDataFrame or Plan
        The output of :func:`localities.rank`, or a plan with ``dz``.
    path : path
        A ``.pdf`` file, written atomically.
    flagged : bool
        Only localities significantly poorer than the rest of the council or Scotland.
    localities : list, optional
        Only these (codes or names).

    Returns
    -------
    Path
    """
    from matplotlib.backends.backend_pdf import PdfPages

    path = Path(path)
    if path.suffix.lower() != ".pdf":
        raise LocalitiesError(f"{path}: profiles are written as .pdf")
    table = _ranking(obj, dz)
    chosen = table
    if flagged:
        chosen = table[table["poorer_than_rest"] | table["poorer_than_scotland"]]
    if localities is not None:
        chosen = chosen.loc[[_pick(table, x) for x in localities]]
    if chosen.empty:
        raise LocalitiesError("no locality to profile" + (" (none is flagged)" if flagged else ""))
    backdrop = _backdrop(table)
    # Type 3 fonts (embedded, subset, text searchable), as maps.save_figure: TrueType subsetting costs 0.2-0.5 s a file.
    with plt.rc_context({"pdf.fonttype": 3}), atomic_path(path) as tmp, PdfPages(tmp, metadata={}) as pdf:
        for idx in chosen.sort_values("rank").index:
            fig = profile(table, locality=table.at[idx, "locality"], _backdrop_cache=backdrop)
            pdf.savefig(fig)
            plt.close(fig)
    return path
