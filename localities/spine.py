"""The spine chart of a locality profile, its key, and the words for its verdicts.

For every indicator, a row of a table (the locality's value, the rest of the council's,
Scotland's, then the locality's verdict against the rest of the council and against
Scotland, each a coloured marker and a word) and a spine in the style of ScotPHO's and
PHE's profiles: a bar spanning the range across the council's localities (the darker
middle part their interquartile range), Scotland's value as the centre line, the rest
of the council as a tick and the locality as a dot coloured by its verdict against
Scotland, worse always to the left. The key says which comparator each colour is
against, in the decision's terms (:mod:`localities.decide`: worse = significant and
material). :mod:`localities.profile` lays out the page around it.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from . import layout, sources
from .decide import COMPARATORS
from .maps import ATTRIBUTION_SOURCES, FLAG_COLOURS, _is_share, format_value
from .outcomes import SIMD

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
    "difference": ("a two-sample 95% interval: Newcombe for proportions, conditional binomial (ratio of two "
                   "Poisson rates) for rates"),
    "scotpho": "the locality's 95% interval wholly on one side of the comparator's value, as ScotPHO",
    "bh": "two-sample score tests, false discovery rate 5% (Benjamini-Hochberg)",
    "funnel": "funnel-plot 95% limits allowing for overdispersion (Spiegelhalter)",
}
# The spine chart is 7.47 in wide: the spine (data -1 to 1.05) takes its last 2.2 in; the
# table's columns sit at these inches from its left edge (values right-aligned, verdicts
# a marker then a word).
CHART_W, SPINE_W = 7.47, 2.2
UNIT = SPINE_W / 2.05  # inches per data unit
#: Shorter row labels where the indicator's own would need two lines in smaller type
#: (a new user saw three rows of Angus's profile set smaller than the rest).
ROW_LABELS = {"depress": "Anxiety, depression, psychosis drugs (%)",
              "not_participating": "16-19s not in education, work or training (%)",
              "crime_rate": "Recorded crime (per 10,000)", "smr": "Standardised mortality ratio"}

COLUMNS = {c: 1.05 - (CHART_W - inches) / UNIT for c, inches in
           {"indicator": 0.0, "value": 2.9, "rest": 3.4, "scotland": 3.98, "vs_rest": 4.13,
            "vs_scotland": 4.7}.items()}


#: "Orkney Islands' localities", not "Orkney Islands's".
_APOSTROPHE = {False: "'s", True: "'"}

def _compared_with(c: str, council: str) -> str:
    return f"the rest of {council}" if c == "rest" else "Scotland"


def _lower(label: str) -> str:
    return label if label[:2].isupper() else label[:1].lower() + label[1:]


def _materiality(table) -> str:
    """What "material" means under the table's decision settings, e.g. "at least ×1.2"."""
    ratio = float(table.attrs.get("min_ratio", 1.2))
    gaps = table.attrs.get("min_gap") or {}
    words = f"the larger value at least ×{ratio:g} the smaller" if ratio > 1 else "no minimum size"
    if gaps:
        words += ", and as far apart as the minimum gaps set for " + ", ".join(_lower(_label(g, table)[0])
                                                                                 for g in gaps)
    return words


def _indicators(table: gpd.GeoDataFrame) -> list[str]:
    labels = table.attrs.get("labels", {})
    names = [n for n in SIMD if n in table] + [n for n in labels if n not in SIMD and n in table]
    return [n for n in names if pd.api.types.is_numeric_dtype(table[n])]


def _label(name: str, table) -> tuple[str, str]:
    if name in SIMD:
        return SIMD[name].label, SIMD[name].unit
    return table.attrs.get("labels", {}).get(name, name), table.attrs.get("units", {}).get(name, "")


def _higher_is_worse(name: str) -> bool:
    return SIMD[name].higher_is_worse if name in SIMD else True


#: The spine's half-width is at least this share of the centre's value (see spine_rows).
SPINE_FLOOR = 0.25
#: Fewer localities than this with a value are no range to scale a spine by: the spine's
#: edges are then twice the centre's value and zero, the same for every row, and a dot
#: beyond an edge is drawn there as an arrowhead pointing out (Na h-Eileanan Siar at the
#: default, one locality: every dot sat at an edge, ×1.28 Scotland where ×3.0 did).
FEW = 3


def spine_rows(table: gpd.GeoDataFrame, idx) -> pd.DataFrame:
    """The numbers behind one locality's spine chart, one row per indicator: value,
    rest of council, Scotland, the council's localities' range, verdicts, and the
    positions on the chart (-1..1, worse to the left, Scotland at 0)."""
    scotland = table.attrs.get("scotland", {})
    council = table.attrs.get("council_value", {})
    rows = []
    names = _indicators(table)
    # The council's range and quartiles of every indicator at once (per indicator, they took
    # a tenth of each profile page).
    values_all = table[names].apply(pd.to_numeric, errors="coerce")
    lowest, highest = values_all.min(), values_all.max()
    q1s, q3s = values_all.quantile(0.25), values_all.quantile(0.75)
    counts = values_all.notna().sum()
    for name in names:
        label, unit = _label(name, table)
        value = table.at[idx, name]
        rest = table.at[idx, f"{name}_rest"] if f"{name}_rest" in table else np.nan
        centre = scotland.get(name, np.nan)
        centre_is = "Scotland"
        if centre is None or not np.isfinite(centre):
            centre, centre_is = council.get(name, np.nan), "council"
        sign = -1.0 if _higher_is_worse(name) else 1.0
        has = counts[name] >= FEW
        lo, hi, q1, q3 = (lowest[name], highest[name], q1s[name], q3s[name]) if has else (np.nan,) * 4
        spread = [abs(v - centre) for v in (lo, hi, rest, value) if v is not None and np.isfinite(v)]
        half = max(spread) * 1.08 if spread and max(spread) > 0 else 1.0
        if not has and np.isfinite(centre) and centre != 0:
            half = abs(centre)  # twice the centre and zero at the edges (see FEW)
        elif np.isfinite(centre) and centre != 0:
            # At least a quarter of the centre's value (Scotland's, or the council's where Scotland
            # has none) each side, so a dot at the chart's edge is at least ×1.25 from it: scaled
            # by its own council's spread alone, Orkney's one locality put alcohol stays of 100
            # (Scotland 100) at the edge. A council's wider spread still sets the scale.
            half = max(half, SPINE_FLOOR * abs(centre))

        def pos(v, sign=sign, centre=centre, half=half):
            return sign * (v - centre) / half if v is not None and np.isfinite(v) and np.isfinite(centre) else np.nan

        rows.append({
            "indicator": name, "label": label, "unit": unit, "value": value, "rest": rest,
            "scotland": scotland.get(name, np.nan), "centre_is": centre_is,
            "vs_rest": table.at[idx, f"{name}_vs_rest"] if f"{name}_vs_rest" in table else "no interval",
            "vs_scotland": table.at[idx, f"{name}_vs_scotland"] if f"{name}_vs_scotland" in table else "no interval",
            "min": lo, "max": hi, "q1": q1, "q3": q3,
            "x_value": float(np.clip(pos(value), -1.0, 1.0)), "beyond": bool(abs(pos(value)) > 1.0),
            "x_rest": float(np.clip(pos(rest), -1.0, 1.0)), "rest_beyond": bool(abs(pos(rest)) > 1.0),
            "x_lo": np.nanmin([pos(lo), pos(hi)]) if has else np.nan,
            "x_hi": np.nanmax([pos(lo), pos(hi)]) if has else np.nan,
            "x_q_lo": np.nanmin([pos(q1), pos(q3)]) if has else np.nan,
            "x_q_hi": np.nanmax([pos(q1), pos(q3)]) if has else np.nan,
        })
    return pd.DataFrame(rows)


def _fmt(v, name, unit) -> str:
    """A value for the chart's table: as maps print it, minutes without their unit (the
    indicator's name says "(minutes)")."""
    text = format_value(v, name, unit)
    return text[: -len(" min")] if unit == "minutes" and text.endswith(" min") else text


def draw(fig, table, spine, council, chart_top) -> None:
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
    # 3 pt above the two-line headings whatever the rows' height (lines are ~1.4 times the type
    # size): on short rows (Shetland at 10,000, a long "Why"), a fixed -2.22 touched "rest of".
    row_pt = chart_h * 72 / (n + 2.8)
    above = min(-2.22, -0.95 - (2.0 * font + 3.0) / row_pt)
    ax.text(COLUMNS["vs_rest"] - 0.06, above, "Compared with", fontsize=font, fontweight="bold", ha="left",
            va="center", gid="head: compared")
    for c, text in (("rest", "rest of\ncouncil"), ("scotland", "\nScotland")):
        ax.text(COLUMNS[f"vs_{c}"] - 0.06, -0.95, text, fontsize=font, fontweight="bold", ha="left", va="center",
                gid=f"head: vs_{c}")
    ax.text(0, above, "dot: compared with Scotland", fontsize=font, ha="center", va="center", gid="head: dot")
    ax.text(0, -0.95, "\nworse  ◀  Scotland  ▶  better", fontsize=font, fontweight="bold", ha="center",
            va="center")
    ax.vlines(0, -0.5, n - 0.5, color="#404040", lw=0.8, zorder=1)
    if n and spine["x_lo"].isna().all():
        # A fixed scale (see FEW): its edges drawn, so an arrowhead is seen to point past one.
        ax.vlines([-1.0, 1.0], -0.5, n - 0.5, color="#909090", lw=0.6, linestyles=":", zorder=1, gid="edges")
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
        label = layout.printable(ROW_LABELS.get(name) or (f"{r['label']} ({unit_text})" if unit_text else r["label"]))
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
            if r["rest_beyond"]:  # and a small arrowhead just outside the edge (Orkney at 10,000)
                out = math.copysign(1.035, r["x_rest"])
                ax.scatter([out], [i], s=font * 2.0, marker=">" if out > 0 else "<", color="#000000", zorder=3,
                           linewidths=0, gid="rest: beyond")
        if np.isfinite(r["x_value"]):
            verdict = r["vs_scotland"] if r["vs_scotland"] in DOT_STYLES else "no interval"
            marker, face = DOT_STYLES[verdict]
            if r["beyond"]:
                marker = ">" if r["x_value"] > 0 else "<"  # beyond the edge (see FEW)
            ax.scatter([r["x_value"]], [i], s=font * (5.5 if marker == "o" else 4.0), marker=marker, zorder=4,
                       linewidths=0.8, facecolors=face, edgecolors="#202020",
                       gid=f"dot: {verdict}{' beyond' if r['beyond'] else ''}")
    _fit_labels(fig, ax, labels, values, font)
    _key(fig, table, council, spine)


def _key(fig, table, council, spine=None) -> None:
    """The chart's key: what the bars, tick and line are (left), and the verdicts with
    what each is compared with (right), then the method in a note. Only what ``spine``
    draws: no range where the council has too few localities (see FEW), no rest of the
    council where the locality is all of it."""
    W, H = A4_PORTRAIT
    ranged = spine is None or spine.empty or bool(spine["x_lo"].notna().any())
    chart = [Patch(facecolor="#d9e3ee", label=f"Range across {council}{_APOSTROPHE[council.endswith('s')]} localities"),
             Patch(facecolor="#9fb6cf", label="Middle half of them")] if ranged else []
    if spine is None or spine.empty or spine["x_rest"].notna().any():
        chart.append(Line2D([], [], color="black", lw=1.1, label=f"Rest of {council}"))
    chart.append(Line2D([], [], color="#404040", lw=0.8, label="Scotland (centre line)"))
    if not ranged:
        chart.append(Line2D([], [], marker=">", ls="", markerfacecolor="white", markeredgecolor="#202020",
                            markersize=5, label="Edges (dotted): twice Scotland's value, and\nzero; arrowhead ◀ ▶: beyond the edge"))
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
            "slightly (sl.): significant, not material; not diff.: not significant; –: no interval (published "
            "without counts), not tested. Significantly poorer than a comparator: worse than it on "
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


def _fit_labels(fig, ax, labels, values, font) -> None:
    """Show every indicator's full name in the table's first column: every name in one
    smaller size where all then fit on one line at 6 pt or more; otherwise a name too long for
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

    # All rows in one size when that is at least 6 pt: the size at which the widest name
    # fits on one line (a Dumfries and Galloway ward's page set two names smaller on two lines).
    wide = [t for t in labels if not fits(t)]
    if wide:
        boxes = [t.get_window_extent(renderer) for t in wide]
        one_line = min(font * (limit - b.x0) / (1.05 * b.width) for b in boxes)
        one_line = math.floor(one_line * 4) / 4
        if one_line >= 6:
            for text in labels:
                text.set_fontsize(one_line)
            return
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


#: Wrapped texts already measured: (text, font file, size, weight, hinting, width, spare, dpi)
#: -> the lines. The chart's key and notes are the same on every page of a council's
#: profiles; measuring them again took a fifth of a 35-page file's time (West Lothian at 5,000).
_WRAPPED: dict = {}


def _wrap(fig, text, width_in: float, spare: float = 0.95) -> int:
    """Wrap ``text`` at spaces so that no line is wider than ``spare`` times ``width_in``
    inches (measured, greedy): the spare allows for hinting, which widens small text at
    other resolutions. Returns the number of lines."""
    from matplotlib import font_manager, rcParams

    # The font file actually used, not the family asked for ("sans-serif" is whatever rcParams
    # say at the time), and the hinting that widens small text.
    key = (text.get_text(), font_manager.findfont(text.get_fontproperties()), text.get_fontsize(),
           text.get_fontweight(), rcParams["text.hinting"], rcParams["text.hinting_factor"], width_in, spare, fig.dpi)
    if key in _WRAPPED:
        text.set_text(_WRAPPED[key])
        return _WRAPPED[key].count("\n") + 1
    if len(_WRAPPED) > 512:
        _WRAPPED.clear()
    lines = _wrapped_lines(fig, text, width_in, spare)
    _WRAPPED[key] = "\n".join(lines)
    text.set_text(_WRAPPED[key])
    return len(lines)


def _wrapped_lines(fig, text, width_in: float, spare: float) -> list[str]:
    renderer = fig.canvas.get_renderer()
    limit = width_in * fig.dpi * spare
    words = text.get_text().split(" ")

    def width(s: str) -> float:
        text.set_text(s)
        return text.get_window_extent(renderer).width

    # Each word measured once and lines summed (a page's notes took 8 of its 20 s measuring
    # every trial line); the lines are then measured whole, and wrapped line by line as
    # before should kerning have made one too wide.
    sizes = {w: width(w) for w in set(words)}
    space = width("x x") - width("xx")
    lines, line, used = [], "", 0.0
    for word in words:
        if line and used + space + sizes[word] > limit:
            lines.append(line)
            line, used = word, sizes[word]
        else:
            line, used = (f"{line} {word}", used + space + sizes[word]) if line else (word, sizes[word])
    lines.append(line)
    if any(width(each) > limit for each in lines if " " in each):
        lines, line = [], ""
        for word in words:
            trial = f"{line} {word}" if line else word
            if line and width(trial) > limit:
                lines.append(line)
                line = word
            else:
                line = trial
        lines.append(line)
    return lines
