"""Locality profiles: one A4 page per locality for a board paper.

Each page has the locality's key figures, its decision against each of the two
comparators the Act names (the rest of the council and Scotland: significantly poorer
or not, and each headline indicator's verdict), why, a small map placing it in the
council, and a spine chart in the style of ScotPHO's and PHE's profiles: for every
indicator, a bar spanning the range across the council's localities (the darker middle
part their interquartile range), Scotland's value as the centre line, the rest of the
council as a tick and the locality as a dot coloured by its verdict against Scotland,
with worse always to the left. Beside the chart, two columns give the verdict against
the rest of the council and against Scotland, in words as well as colour, so that the
page reads the same in greyscale and no colour leaves its comparator unsaid.
:func:`save_profiles` writes them as one multi-page vector PDF.
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
from .decide import COMPARATORS
from .outcomes import SIMD
from .plans import Plan

A4_PORTRAIT = (8.27, 11.69)
# How a verdict is drawn, as the locality's dot on the spine (compared with Scotland) and
# in the two "compared with" columns: (marker, fill). "not different" and "no interval"
# differ in shape as well as fill (a filled grey circle, a hollow diamond), and the
# columns say each verdict in words, so the page reads the same printed in greyscale.
DOT_STYLES = {
    "worse": ("o", FLAG_COLOURS["worse"]),
    "slightly worse": ("o", FLAG_COLOURS["slightly worse"]),
    "not different": ("o", FLAG_COLOURS["not different"]),
    "slightly better": ("o", FLAG_COLOURS["slightly better"]),
    "better": ("o", FLAG_COLOURS["better"]),
    "no interval": ("D", "white"),
}
TESTED = ("worse", "slightly worse", "not different", "slightly better", "better")
# The verdicts in the decision's own words (localities.decide), and as the columns print them.
VERDICT_WORDS = {"worse": "worse", "slightly worse": "slightly worse", "not different": "not different",
                 "slightly better": "slightly better", "better": "better", "no interval": "not tested",
                 "no data": "no data", "n/a": "no comparator"}
VERDICT_SHORT = {"worse": "worse", "slightly worse": "sl. worse", "not different": "not diff.",
                 "slightly better": "sl. better", "better": "better", "no interval": "–", "no data": "no data",
                 "n/a": "–"}
# What each key entry means (the decision's terms: significant AND material).
VERDICT_KEYS = {"worse": "worse: significant and material", "slightly worse": "sl. worse: significant, not material",
                "not different": "not diff.: not significantly different",
                "slightly better": "sl. better: significant, not material",
                "better": "better: significant and material", "no interval": "–: no interval, not tested"}
METHOD_WORDS = {
    "difference": "a two-sample 95% interval: Newcombe for proportions, conditional binomial for rates",
    "scotpho": "the locality's 95% interval wholly on one side of the comparator's value, as ScotPHO",
    "bh": "two-sample score tests, false discovery rate 5% (Benjamini-Hochberg)",
    "funnel": "funnel-plot 95% limits allowing for overdispersion (Spiegelhalter)",
}
# The spine chart is 7.47 in wide: the spine (data -1 to 1.05) takes its last 2.2 in; the
# table's columns sit at these inches from its left edge (values right-aligned, verdicts
# a marker then a word).
CHART_W, SPINE_W = 7.47, 2.2
UNIT = SPINE_W / 2.05  # inches per data unit
COLUMNS = {c: 1.05 - (CHART_W - inches) / UNIT for c, inches in
           {"indicator": 0.0, "value": 2.9, "rest": 3.4, "scotland": 3.98, "vs_rest": 4.13,
            "vs_scotland": 4.7}.items()}


def _compared_with(c: str, council: str) -> str:
    return f"the rest of {council}" if c == "rest" else "Scotland"


def _lower(label: str) -> str:
    return label if label[:2].isupper() else label[:1].lower() + label[1:]


def decision_lines(table: gpd.GeoDataFrame, idx) -> list[str]:
    """The locality's decision against each comparator, in words.

    Parameters
    ----------
    table : GeoDataFrame
        The output of :func:`localities.rank`.
    idx
        The locality's row label in ``table``.

    Returns
    -------
    list of str
        One line per comparator the table holds, e.g. "Compared with the rest of Moray:
        significantly poorer (income deprivation worse, employment deprivation worse)" and
        "Compared with Scotland: not significantly poorer (income deprivation not
        different, employment deprivation slightly worse)": the flag (``poorer_than_rest``,
        ``poorer_than_scotland``) and each headline indicator's verdict behind it.
    """
    council = table.attrs.get("council") or "the council"
    head = [h for h in table.attrs.get("headline", []) if h in table]
    lines = []
    for c in COMPARATORS:
        if f"poorer_than_{c}" not in table:
            continue
        verdict = "significantly poorer" if bool(table.at[idx, f"poorer_than_{c}"]) else "not significantly poorer"
        items = [f"{_lower(_label(h, table)[0])} {VERDICT_WORDS.get(table.at[idx, f'{h}_vs_{c}'], 'not tested')}"
                 if f"{h}_vs_{c}" in table else f"{_lower(_label(h, table)[0])} not tested" for h in head]
        lines.append(f"Compared with {_compared_with(c, council)}: {verdict}"
                     + (f" ({', '.join(items)})" if items else ""))
    return lines


def _materiality(table) -> str:
    """What "material" means under the table's decision settings, e.g. "at least ×1.2"."""
    ratio = float(table.attrs.get("min_ratio", 1.2))
    gaps = table.attrs.get("min_gap") or {}
    words = f"the larger value at least ×{ratio:g} the smaller" if ratio > 1 else "no minimum size"
    if gaps:
        words += ", and as far apart as the minimum gaps set for " + ", ".join(_lower(_label(g, table)[0])
                                                                                 for g in gaps)
    return words


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
    """A value for the chart's table: as maps print it, minutes without their unit (the
    indicator's name says "(minutes)")."""
    text = format_value(v, name, unit)
    return text[: -len(" min")] if unit == "minutes" and text.endswith(" min") else text


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
    tier = f"Tier {int(row['tier'])}: " if "tier" in row and pd.notna(row["tier"]) else ""
    verdict = fig.text(0.65 / W, 1 - 0.97 / H, f"{tier}{tier_label}", fontsize=10.5, fontweight="bold", va="top",
                       gid="tier")
    # Beside the small map's caption (from 4.9 in): "Tier 1: Poorer than the rest of the
    # council and Scotland" takes two lines.
    n_lines = _fit_width(fig, verdict, 3.95, smallest=9.0, max_lines=2)

    # The decision against each comparator, and what "significantly poorer" means: the
    # headline says what it compares with, as the chart's dot and columns do.
    y = 1.24 + (n_lines - 1) * verdict.get_fontsize() * 1.1 / 72
    lines = decision_lines(table, idx)
    for line in lines:
        text = fig.text(0.4 / W, 1 - y / H, line, fontsize=8.5, va="top", gid="decision")
        y += _wrap(fig, text, 4.2) * 8.5 * 1.2 / 72 + 0.04
    if lines:
        head = ", ".join(_lower(_label(h, table)[0]) for h in table.attrs.get("headline", []) if h in table)
        text = fig.text(0.4 / W, 1 - y / H, f"Significantly poorer = worse on a headline indicator ({head}): "
                        f"a significant (95%) and material ({_materiality(table)}) difference.", fontsize=7,
                        color="#404040", va="top", gid="decision: meaning")
        y += _wrap(fig, text, 4.2) * 7 * 1.2 / 72 + 0.1

    # Key figures (left) and the small map (right).
    facts = [("People", f"{int(row['population']):,}"), ("Data Zones", f"{int(row['zones'])}")]
    for band in ("20", "5"):
        col = f"share_most_deprived_{band}"
        if col in table and pd.notna(row[col]):
            facts.append((f"In Scotland's {band}% most deprived zones (SIMD 2020v2)", f"{row[col] * 100:.0f}%"))
    if "score" in table and pd.notna(row["score"]):
        facts.append(("Headline deprivation against Scotland (1.0 = Scotland)", f"{row['score']:.2f}"))
    for c in COMPARATORS:
        if f"n_worse_{c}" in table:
            tested = int(spine[f"vs_{c}"].isin(TESTED).sum()) if len(spine) else 0
            facts.append((f"Indicators worse than {_compared_with(c, council)}",
                          f"{int(row[f'n_worse_{c}'])} of {tested} tested"))
    for what, value in facts:
        number = fig.text(4.45 / W, 1 - y / H, value, fontsize=10, fontweight="bold", va="top", ha="right")
        room = 4.05 - number.get_window_extent(fig.canvas.get_renderer()).width / fig.dpi - 0.12
        lines_in = _wrap(fig, fig.text(0.4 / W, 1 - y / H, what, fontsize=8.5, color="#404040", va="top"), room)
        y += 0.2 + 0.13 * (lines_in - 1)
    # The caption above the small map: on one line, or on two (the map a line shorter) for a
    # long name such as "Kilmacolm, Quarriers, Greenock Upper East/Central and 1 more in
    # Inverclyde", which ran off the page.
    map_ax = fig.add_axes([4.9 / W, 1 - 3.25 / H, 3.0 / W, 2.05 / H], gid="profile_map")
    caption = map_ax.set_title(layout.printable(f"{row['name']} in {council}"), fontsize=7.5, loc="left", pad=2)
    n_lines = _fit_width(fig, caption, 3.0, smallest=6.0, max_lines=2)
    map_h = 2.05 - (n_lines - 1) * caption.get_fontsize() * 1.2 / 72
    map_ax.set_position([4.9 / W, 1 - 3.25 / H, 3.0 / W, map_h / H])
    frame, body = _backdrop_cache or _backdrop(table)
    frame.plot(ax=map_ax, color="#eeeeee", edgecolor="#9a9a9a", linewidth=0.3)
    frame.loc[[idx]].plot(ax=map_ax, color=TIER_COLOURS.get(tier_label, "#e0e0e0"), edgecolor="#000000",
                          linewidth=0.9)
    bx0, by0, bx1, by1 = body
    lx0, ly0, lx1, ly1 = frame.loc[[idx]].total_bounds
    limits, _ = layout._fit((min(bx0, lx0), min(by0, ly0), max(bx1, lx1), max(by1, ly1)), 3.0, map_h)
    pt = frame.loc[idx, "geometry"].representative_point()
    if max(lx1 - lx0, ly1 - ly0) < 0.08 * max(limits[2] - limits[0], limits[3] - limits[1]):
        # A small locality: ringed so the eye finds it.
        map_ax.scatter([pt.x], [pt.y], s=220, facecolors="none", edgecolors="#c51b7d", linewidths=1.6, zorder=5)
    map_ax.set_xlim(limits[0], limits[2])
    map_ax.set_ylim(limits[1], limits[3])
    map_ax.set_aspect("equal")
    map_ax.set_axis_off()

    # Why it is (or is not) flagged.
    reasons = str(row.get("reasons", "") or "")
    top = 1 - max(3.45, y + 0.1) / H
    fig.text(0.4 / W, top, "Why", fontsize=10, fontweight="bold", va="top")
    wrapped = textwrap.wrap(reasons, 125)
    if len(wrapped) > 6:
        wrapped = wrapped[:6]
        wrapped[-1] = wrapped[-1].rsplit(" ", 1)[0] + " …"
    fig.text(0.4 / W, top - 0.22 / H, "\n".join(wrapped) or "No indicator differs significantly.", fontsize=7.5,
             va="top", linespacing=1.25)
    chart_top = top - (0.42 + 0.145 * max(len(wrapped), 1)) / H
    _spine_chart(fig, table, spine, council, chart_top)
    fig.attrs = {"spine": spine, "locality": row["locality"], "name": row["name"], "decision": lines}


def _spine_chart(fig, table, spine, council, chart_top) -> None:
    """The spine chart: a table on the left (values, then the verdicts against the rest
    of the council and Scotland), the spine on the right, and its key below."""
    W, H = A4_PORTRAIT
    n = len(spine)
    chart_h = chart_top * H - 1.55  # the key below it: five rows, and a note
    ax = fig.add_axes([0.4 / W, 1.55 / H, CHART_W / W, chart_h / H], gid="spine")
    ax.set_xlim(COLUMNS["indicator"], 1.05)
    ax.set_ylim(n + 0.2, -2.6)
    ax.set_axis_off()
    font = min(7.0, max(4.8, chart_h * 72 / (n + 2.8) * 0.55))
    small = min(font, 6.3)  # the verdict columns
    heads = [("indicator", "\nIndicator", "left"), ("value", "\nLocality", "right"),
             ("rest", "Rest of\ncouncil", "right"), ("scotland", "\nScotland", "right")]
    for col, text, ha in heads:
        ax.text(COLUMNS[col], -0.95, text, fontsize=font, fontweight="bold", ha=ha, va="center")
    ax.text(COLUMNS["vs_rest"] - 0.06, -2.22, "Compared with", fontsize=font, fontweight="bold", ha="left",
            va="center", gid="head: compared")
    for c, text in (("rest", "rest of\ncouncil"), ("scotland", "\nScotland")):
        ax.text(COLUMNS[f"vs_{c}"] - 0.06, -0.95, text, fontsize=font, fontweight="bold", ha="left", va="center",
                gid=f"head: vs_{c}")
    ax.text(0, -2.22, "dot: compared with Scotland", fontsize=font, ha="center", va="center", gid="head: dot")
    ax.text(0, -0.95, "\nworse  ◀  Scotland  ▶  better", fontsize=font, fontweight="bold", ha="center",
            va="center")
    ax.vlines(0, -0.5, n - 0.5, color="#404040", lw=0.8, zorder=1)
    headline = set(table.attrs.get("headline", []))
    labels, values = [], []
    domain = None
    for i, r in spine.iterrows():
        name, unit = r["indicator"], r["unit"]
        d = SIMD[name].domain if name in SIMD else "other"
        if d != domain and i > 0:
            ax.axhline(i - 0.5, color="#bdbdbd", lw=0.4, xmin=0, xmax=1)
        domain = d
        if i % 2 == 0:
            ax.add_patch(Rectangle((COLUMNS["indicator"], i - 0.5), 1.05 - COLUMNS["indicator"], 1,
                                   facecolor="#f7f7f7", edgecolor="none", zorder=0))
        unit_text = "%" if _is_share(name, unit) else unit.replace("standardised ratio (Scotland = 100)", "ratio")
        label = layout.printable(f"{r['label']} ({unit_text})" if unit_text else r["label"])
        labels.append(ax.text(COLUMNS["indicator"], i, label, fontsize=font, va="center", gid="indicator",
                              fontweight="bold" if name in headline else "normal"))
        values.append(ax.text(COLUMNS["value"], i, _fmt(r["value"], name, unit), fontsize=font, va="center",
                              ha="right", fontweight="bold", gid="value"))
        ax.text(COLUMNS["rest"], i, _fmt(r["rest"], name, unit), fontsize=font, va="center", ha="right")
        ax.text(COLUMNS["scotland"], i, _fmt(r["scotland"], name, unit), fontsize=font, va="center", ha="right")
        for c in COMPARATORS:
            verdict = r[f"vs_{c}"]
            if verdict in TESTED:
                ax.scatter([COLUMNS[f"vs_{c}"]], [i], s=small * 3.2, marker="o", zorder=4, linewidths=0.6,
                           facecolors=DOT_STYLES[verdict][1], edgecolors="#202020", gid=f"vs_{c}: {verdict}")
            ax.text(COLUMNS[f"vs_{c}"] + 0.06, i, VERDICT_SHORT.get(verdict, "–"), fontsize=small, va="center",
                    ha="left", color="#000000" if verdict in TESTED else "#606060", gid=f"vs_{c}: {verdict}")
        if np.isfinite(r["x_lo"]):
            ax.add_patch(Rectangle((r["x_lo"], i - 0.28), r["x_hi"] - r["x_lo"], 0.56, facecolor="#d9e3ee",
                                   edgecolor="none", zorder=2))
            ax.add_patch(Rectangle((r["x_q_lo"], i - 0.28), r["x_q_hi"] - r["x_q_lo"], 0.56, facecolor="#9fb6cf",
                                   edgecolor="none", zorder=2))
        if np.isfinite(r["x_rest"]):
            ax.plot([r["x_rest"]] * 2, [i - 0.38, i + 0.38], color="#000000", lw=1.1, zorder=3)
        if np.isfinite(r["x_value"]):
            verdict = r["vs_scotland"] if r["vs_scotland"] in DOT_STYLES else "no interval"
            marker, face = DOT_STYLES[verdict]
            ax.scatter([r["x_value"]], [i], s=font * (5.5 if marker == "o" else 4.0), marker=marker, zorder=4,
                       linewidths=0.8, facecolors=face, edgecolors="#202020", gid=f"dot: {verdict}")
    _fit_labels(fig, ax, labels, values, font)
    _key(fig, table, council)


def _key(fig, table, council) -> None:
    """The chart's key: what the bars, tick and line are (left), and the verdicts with
    what each is compared with (right), then the method in a note."""
    W, H = A4_PORTRAIT
    chart = [Patch(facecolor="#d9e3ee", label=f"Range across {council}'s localities"),
             Patch(facecolor="#9fb6cf", label="Middle half of them"),
             Line2D([], [], color="black", lw=1.1, label=f"Rest of {council}"),
             Line2D([], [], color="#404040", lw=0.8, label="Scotland (centre line)")]
    left = fig.legend(handles=chart, loc="upper left", bbox_to_anchor=(0.35 / W, 1.5 / H), ncol=1, fontsize=6.5, borderpad=0.2,
                      frameon=False, handlelength=1.6)
    verdicts = [Line2D([], [], marker=marker, ls="", markerfacecolor=face, markeredgecolor="#202020",
                       markersize=6 if marker == "o" else 5, label=VERDICT_KEYS[v])
                for v, (marker, face) in DOT_STYLES.items()]
    title = (f"Verdicts. Dot on the spine: the locality compared with Scotland. Columns: compared with the rest "
             f"of {council}, and with Scotland.")
    right = fig.legend(handles=verdicts, loc="upper left", bbox_to_anchor=(3.0 / W, 1.5 / H), ncol=2, fontsize=6.5,
                       frameon=False, handlelength=1.2, columnspacing=1.2, borderpad=0.2, title=layout.printable(title),
                       title_fontsize=6.5, alignment="left")
    _wrap(fig, right.get_title(), 4.8)
    right.set_gid("verdicts")
    left.set_gid("chart")
    headline = ", ".join(_lower(_label(h, table)[0]) for h in table.attrs.get("headline", []) if h in table)
    method = METHOD_WORDS.get(table.attrs.get("method", "difference"), str(table.attrs.get("method", "")))
    note = (f"Worse or better: a significant difference ({method}) that is also material ({_materiality(table)}); "
            "slightly (sl.): significant, not material; not diff.: not significant; –: no interval (standardised "
            "ratios, school and access measures), not tested. Significantly poorer than a comparator: worse than it on "
            f"a headline indicator (in bold: {headline}).")
    # Stacked from the foot of the page: the attribution, the note above it, the key above both
    # (a longer note, say with minimum gaps named, gets a smaller font rather than overlap the
    # key, 5.5 pt at least: below that, hinting at screen resolutions widens text by up to 12%).
    renderer = fig.canvas.get_renderer()
    credit = fig.text(0.4 / W, 0.13 / H, sources.attribution(ATTRIBUTION_SOURCES), fontsize=5.5, color="#404040",
                      va="bottom")
    _wrap(fig, credit, CHART_W, spare=0.92)
    bottom = credit.get_window_extent(renderer).y1 / fig.dpi + 0.06
    room = min(lg.get_window_extent(renderer).y0 for lg in (left, right)) / fig.dpi - 0.04 - bottom
    text = fig.text(0.4 / W, bottom / H, note, fontsize=5.8, color="#404040", va="bottom", gid="note")
    _wrap(fig, text, CHART_W, spare=0.92)
    while text.get_window_extent(renderer).height / fig.dpi > room and text.get_fontsize() > 5.5:
        text.set_text(note)
        text.set_fontsize(max(text.get_fontsize() - 0.1, 5.5))
        _wrap(fig, text, CHART_W, spare=0.92)


def _wrap(fig, text, width_in: float, spare: float = 0.95) -> int:
    """Wrap ``text`` at spaces so that no line is wider than ``spare`` times ``width_in``
    inches (measured, greedy): the spare allows for hinting, which widens small text at
    other resolutions. Returns the number of lines."""
    renderer = fig.canvas.get_renderer()
    limit = width_in * fig.dpi * spare
    lines, line = [], ""
    for word in text.get_text().split(" "):
        trial = f"{line} {word}" if line else word
        text.set_text(trial)
        if line and text.get_window_extent(renderer).width > limit:
            lines.append(line)
            line = word
        else:
            line = trial
    lines.append(line)
    text.set_text("\n".join(lines))
    return len(lines)


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
