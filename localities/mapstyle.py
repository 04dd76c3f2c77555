"""How a table reads on a map, static or interactive: the colours of the significance
flags and of the poorer tiers, the data attribution, a column's label and unit, values
formatted as a reader expects (proportions as percentages), and the numbers localities
are labelled with. Shared by :mod:`localities.maps`, :mod:`localities.page`,
:mod:`localities.mapkey`, :mod:`localities.webmap` and :mod:`localities.profile`.
"""

from __future__ import annotations

import textwrap
from typing import NamedTuple

import geopandas as gpd
import matplotlib.colors as mcolors
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from . import layout, sources
from .decide import TIER_LABELS, tier_labels
from .errors import LocalitiesError
from .outcomes import SIMD, called
from .plans import Plan

ATTRIBUTION_SOURCES = ["dz_boundaries_2011", "simd_indicators", "nrs_population_2021"]
FLAG_COLOURS = {"worse": "#b2182b", "slightly worse": "#ef8a62", "not different": "#d9d9d9",
                "slightly better": "#67a9cf", "better": "#2166ac", "no interval": "#f0f0f0", "n/a": "#f0f0f0",
                "no data": "#ffffff"}
TIER_COLOURS = dict(zip(TIER_LABELS, ("#67001f", "#d6604d", "#f4a582", "#e0e0e0")))
POORER_COLOURS = TIER_COLOURS  # the name used before the rest-of-council wording
TIER_SHORT = dict(zip(TIER_LABELS, ("both", "Scot.", "council", "")))


def credit(fig, left: float, bottom: float, width: float, source: str | None = None):
    """The data attribution across the foot of a printed page: ``left``, ``bottom`` and
    ``width`` in inches; 6.5 pt, wrapped to the width; ``source``: what the figures are, first."""

    w, h = fig.get_size_inches()
    text = f"{source} {sources.attribution(ATTRIBUTION_SOURCES)}" if source else sources.attribution(ATTRIBUTION_SOURCES)
    return fig.text(left / w, bottom / h, textwrap.fill(text,
                                                        int(width * 72 / (0.56 * 6.5))),
                    fontsize=6.5, color="#404040", ha="left", va="bottom")


def heading(fig, text: str, left: float = layout.MARGIN):
    """A printed page's title, 14 pt bold at its top left (``left`` in inches)."""
    w, h = fig.get_size_inches()
    title = fig.suptitle(text, x=left / w, y=1 - 0.25 / h, ha="left", va="top", fontsize=14, fontweight="bold")
    # On one line across the page, in smaller type if need be, and wrapped only below 11 pt: at
    # 90 characters a line, Na h-Eileanan Siar's ensemble title ran off a portrait page.
    room = (w - 2 * left) * fig.dpi
    renderer = fig.canvas.get_renderer()
    while title.get_window_extent(renderer).width > room and title.get_fontsize() > 11:
        title.set_fontsize(title.get_fontsize() - 0.5)
    if title.get_window_extent(renderer).width > room:
        title.set_text(textwrap.fill(text, int(len(text) * room / title.get_window_extent(renderer).width)))
    return title


def under_heading(fig, head, text: str, top: float, fontsize: float, width: float | None = None, gap: float = 0.05,
                  **kw):
    """A line under a page's title (``head``, from :func:`heading`): ``top`` inches from the
    page's top, or lower where the title wrapped, wrapped to ``width`` inches when given."""
    w, h = fig.get_size_inches()
    below = head.get_window_extent(fig.canvas.get_renderer()).y0 / fig.dpi - gap
    if width is not None:
        text = textwrap.fill(text, int(width * 72 / (0.55 * fontsize)))
    kw.setdefault("color", "#404040")
    return fig.text(layout.MARGIN / w, min(1 - top / h, below / h), text, fontsize=fontsize, va="top", **kw)


def _frame(obj, for_print: bool = True) -> gpd.GeoDataFrame:
    if isinstance(obj, Plan):
        frame = obj.localities.copy()
        frame.attrs = {**obj.localities.attrs, "council": obj.council_name}
    elif isinstance(obj, gpd.GeoDataFrame):
        frame = normalise(obj)
    else:
        raise LocalitiesError(f"plot a Plan or a GeoDataFrame (such as the output of rank), not {type(obj).__name__}")
    if frame.empty:
        raise LocalitiesError("nothing to map: the table has no localities")
    if frame.crs is None:
        raise LocalitiesError("the table has no CRS, so it cannot be placed on the map: set it (table.set_crs(27700) for "
                              "British National Grid metres)")
    if "name" in frame:  # names are drawn on one line each: no tabs or line breaks from the data
        # A web page has every glyph (an emoji printed "?" on the HTML map too): one line only.
        frame["name"] = frame["name"].map(lambda t: layout.printable(t, font=for_print))
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
        out["tier_label"] = tier_labels(out["poorer_than_rest"], out["poorer_than_scotland"])
    return out


def _describe(column: str, frame: gpd.GeoDataFrame) -> tuple[str, str]:
    labels, units = frame.attrs.get("labels", {}), frame.attrs.get("units", {})
    if column in SIMD:
        return SIMD[column].label, SIMD[column].unit
    if column not in labels:
        from .labels import COLUMNS, PERCENT_COLUMNS

        if column in COLUMNS:  # a ranking's own columns by their words: "share most deprived 20" was the title
            return COLUMNS[column].removesuffix(" (%)"), "proportion" if column in PERCENT_COLUMNS else units.get(column, "")
    return labels.get(column, column.replace("_", " ")), units.get(column, "")


#: A map key's value column header, two short lines (the map's title and legend name the
#: indicator in full): "Recorded crime (selected crimes)" per 10,000 people was headed
#: "Recorded / per".
KEY_HEADERS = {
    "income_rate": "Income", "employment_rate": "Employ.", "cif": "CIF", "alcohol": "Alcohol", "drug": "Drugs",
    "smr": "SMR", "depress": "Anx/dep", "lbwt": "LBW", "emerg": "Emerg.", "attendance": "Attend.",
    "attainment": "Attain.", "no_qualifications": "No qual", "not_participating": "NEET", "university": "Univ.",
    "broadband": "No SFBB", "crime_rate": "Crime", "overcrowded_rate": "Crowded", "nocentralheat_rate": "No CH",
}


def key_header(column: str, frame: gpd.GeoDataFrame) -> str:
    """``"Crime\n/10k"``, ``"Income\n%"``, ``"CIF\nratio"``, ``"Drive\nmin"``: at most
    about seven characters a line, to sit over the key's value column."""
    label, unit = _describe(column, frame)
    head = KEY_HEADERS.get(column) or ("Drive" if column.startswith("drive_") else "PT" if column.startswith("pt_")
                                       else label.split()[0][:7] if label.split() else column[:7])
    unit = unit or ""
    if _is_share(column, unit):
        tail = "%"
    elif unit.startswith("per "):
        per = unit.split()[1].replace(",", "")
        tail = "/" + (f"{int(per) // 1000}k" if per.isdigit() and int(per) % 1000 == 0 else per)
    elif "ratio" in unit:
        tail = "ratio"
    elif unit == "minutes":
        tail = "min"
    else:
        tail = unit.split()[0][:7] if unit.split() else ""
    return f"{head}\n{tail}"


def no_column(column: str, frame: gpd.GeoDataFrame) -> str:
    """The message for a column to map that the table lacks: a plan's outcome (rank it
    first), else the close indicator names and those the table has."""
    from .zonetable import _closest

    if "tier" not in frame and column in SIMD:
        return (f"no column {column!r} to map: a plan holds no outcomes; map its ranking, "
                "plot_map(localities.rank(plan, dz), column=...)")
    mappable = [str(c) for c in frame.columns if c in SIMD]
    named = called(column, mappable)
    return (f"no column {column!r} to map{named or _closest(column, mappable)}"
            + (f"; indicators here: {', '.join(mappable)}" if mappable else ""))


def _is_share(column: str, unit: str) -> bool:
    return unit.startswith("proportion") or column.startswith("share_")


def legend_name(name: str, unit: str, share: bool) -> str:
    """A value legend's title: "Income deprivation (%)", "Standardised mortality ratio
    (Scotland = 100)" (not "(standardised ratio (Scotland = 100))")."""
    shown = "%" if share else "Scotland = 100" if str(unit).startswith("standardised ratio") else unit
    if shown and not share and name.endswith(")"):
        return f"{name}, {shown}"  # "Recorded crime (selected crimes), per 10,000 people", not ") (per"
    return f"{name} ({shown})" if shown else name


def reference_levels(frame, column: str, unit: str, shaded: bool = False) -> str | None:
    """The levels to read a value legend's classes against, in one line: "Scotland 12.1%,
    Falkirk 11.3%" (West Dunbartonshire's palest class, "12.5% to 17.7%", is above
    Scotland's 12.1%, and was read as low); ``shaded``: the line stands among the classes at
    Scotland's level, the council's level after it in brackets ("Scotland 12.1% (Falkirk
    11.3%)"; "Scotland 12.1%, Angus 10.1%" there read as if Angus's level were there too)."""
    council = frame.attrs.get("council")
    levels = {key: f"{where} {format_value(level, column, unit, column_top(frame, column))}" for where, key in
              (("Scotland", "scotland"), (council, "council_value"))
              if where and (level := frame.attrs.get(key, {}).get(column)) is not None and pd.notna(level)}
    if shaded and "scotland" in levels:
        return levels["scotland"] + (f" ({levels['council_value']})" if "council_value" in levels else "")
    return ", ".join(levels.values()) or None


def format_value(value, column: str, unit: str = "", top: float | None = None) -> str:
    """A value as a reader expects it: proportions as percentages, rates and ratios
    rounded, minutes with their unit. ``top``: the largest value of the column it is
    printed among (:func:`column_top`); from 100 up, the column's values print without
    decimals alike (a crime legend's "56.3 to 151" and a key's "95.8" beside "1,146")."""
    if value is None or (isinstance(value, float) and not np.isfinite(value)) or pd.isna(value):
        return "–"
    value = float(value)
    if _is_share(column, unit):
        return f"{value * 100:.1f}%"
    whole = abs(value) >= 100 or (top is not None and abs(top) >= 100)
    if unit == "minutes":
        return f"{value:,.0f} min" if whole else f"{value:.1f} min"
    if whole:
        return f"{value:,.0f}"
    return f"{value:.1f}"


def column_top(frame, column: str) -> float | None:
    """The largest magnitude among ``column``'s values (for :func:`format_value`'s ``top``)."""
    if column not in frame:
        return None
    values = pd.to_numeric(frame[column], errors="coerce").abs()
    return float(values.max()) if values.notna().any() else None


def _numbers(frame: gpd.GeoDataFrame) -> pd.Series:
    if "rank" in frame:
        return frame["rank"].astype(int)
    order = frame["name"].astype(str).sort_values(kind="stable").index if "name" in frame else frame.index
    return pd.Series(np.arange(1, len(frame) + 1), index=order).reindex(frame.index)


def poorer_rule(table) -> str:
    """The decision's rule for a legend: "Significantly poorer (95%) and at least ×1.2 on
    income deprivation or employment deprivation"."""
    labels = table.attrs.get("labels", {})
    headline = " or ".join(labels.get(h, h).lower() for h in table.attrs.get("headline", ["income_rate",
                                                                                        "employment_rate"]))
    return f"Significantly poorer (95%) and at least ×{table.attrs.get('min_ratio', 1.2):g} on {headline}"


#: The colour of the line saying a plan is not one under the Regulations, on every page.
UNLAWFUL = "#a50026"


def regulation_summary(table, full: bool = False) -> str | None:
    """Why a ranking's plan is not one under the 2016 Regulations (its ``regulation_problems``),
    in a sentence, or None when it is one. For a page, each problem's count and kind ("1
    locality neither a ward nor at most 30,000 people"); ``full``, with the localities or
    zones listed (the workbook, the command line)."""
    problems = table.attrs.get("regulation_problems")
    if not problems:
        return None
    return ("Not a plan under the 2016 Regulations: "
            + "; ".join(p if full else p.split(": ")[0] for p in problems) + ".")


# ---------------------------------------------------------------- value shades

def colour_hex(cmap, i, n):
    palette = plt.get_cmap(cmap, max(n, 2))
    return mcolors.to_hex(palette(i / max(n - 1, 1)))


#: Where Scotland's level sits on a value map's palette, from its palest (0) to its
#: darkest (1) in the worse direction: light, so a locality at Scotland's level does not
#: read as deprived (at the palette's middle, Dundee's Perth Road, 11.4% income deprived
#: against Scotland's 12.1%, was a strong red).
SCOTLAND_SHADE = 0.35
#: The colour of the rule at Scotland's level among a value legend's classes.
LEVEL_LINE = "#202020"
#: A legend row drawn as that rule, not a swatch (:meth:`ValueClasses.legend`).
RULE = "rule"


def _shade(ratio: float, span: float, worse_high: bool) -> float:
    """A palette position for a ratio to Scotland: :data:`SCOTLAND_SHADE` at 1, paler
    towards the better end of the scale, darker towards the worse (``span``: the log
    ratio at either end); reversed for palettes darkest at their start (``Blues_r``)."""
    x = float(np.clip(np.log(ratio) / span, -1, 1)) * (1 if worse_high else -1)  # > 0: worse than Scotland
    w = SCOTLAND_SHADE + (1 - SCOTLAND_SHADE) * x if x >= 0 else SCOTLAND_SHADE * (1 + x)
    return w if worse_high else 1 - w


def anchored(values: pd.Series, reference) -> bool:
    """Whether a value map's shades can be set against Scotland's ``reference``: a
    positive level, and values, none below zero."""
    known = pd.to_numeric(values, errors="coerce").dropna()
    return (reference is not None and bool(np.isfinite(reference)) and reference > 0 and len(known) > 0
            and bool(known.min() >= 0))


def class_colours(cmap, classes: np.ndarray, values: pd.Series, n: int, reference=None,
                  worse_high: bool = True) -> list[str]:
    """One fill colour per class, placed on the palette by its level (the median of its
    values) against Scotland's ``reference``, on a scale of ratios from half to twice it
    (wider on both sides alike when the council's values go further). Scotland's level is
    a light shade (:data:`SCOTLAND_SHADE`) in every council, better levels paler, worse
    ones darker, so a depth means the same thing everywhere. Spread evenly over the palette
    instead, Shetland's two localities at 5.1% and 5.9% (Scotland 12.1%) were drawn palest
    and darkest, the darker read as deprived. ``worse_high``: higher values are worse (a
    palette darkest at its end, as ``Reds``; else darkest at its start, as ``Blues_r``).
    Neighbouring classes are at least :data:`CLASS_STEP` apart on the palette.
    Evenly, as :func:`colour_hex`, without a positive reference or with values below zero."""
    if not anchored(values, reference):
        return [colour_hex(cmap, i, n) for i in range(n)]
    known = values.dropna().to_numpy(dtype=float)
    # Ratios to Scotland, kept within 1/16 to 16 (a zero has no logarithm); the scale widens
    # on both sides alike, so Scotland keeps its shade (widened on one side only, an 11%
    # locality against Scotland's 12.1% was drawn darker than Scotland's level).
    ratios = np.clip(known / float(reference), 1 / 16, 16)
    span = max(np.log(2.0), float(np.abs(np.log(ratios)).max()))
    palette = plt.get_cmap(cmap)
    at = [_shade(float(np.median(ratios[classes == i])) if (classes == i).any() else 16.0, span, worse_high)
          for i in range(n)]
    return [mcolors.to_hex(palette(x)) for x in _spaced(at, CLASS_STEP)]


#: Least distance on the palette between two classes' shades: Aberdeen City's "3.7% to 5.4%"
#: and "5.5% to 7.0%", placed by their levels 0.05 apart, printed as one colour.
CLASS_STEP = 0.15


def _spaced(at: list[float], step: float) -> list[float]:
    """Palette positions ``at`` (in the classes' order, each placed by its level), at least
    ``step`` apart (less where the palette has no room for them all), moved as little as
    that takes (least squares: isotonic regression of ``at`` less the steps), within 0 to 1.
    Pushed one way only, classes at 11.0% to 14.2% against Scotland's 12.1% went from 0.30-0.50
    to 0.30-0.90, the darkest shade for a locality 1.17 times Scotland's level."""
    from scipy.optimize import isotonic_regression

    order = np.argsort(at, kind="stable")
    a = np.asarray(at, dtype=float)[order]
    step = min(step, 1 / max(len(a) - 1, 1))
    gaps = step * np.arange(len(a))
    x = isotonic_regression(a - gaps).x + gaps
    x += max(0.0, -x[0]) - max(0.0, x[-1] - 1.0)  # back within the palette, the spacing kept
    out = np.empty_like(x)
    out[order] = np.clip(x, 0.0, 1.0)
    return out.tolist()


def scotland_colour(cmap, worse_high: bool = True) -> str:
    """The shade of Scotland's own level on a value map (:func:`class_colours`)."""
    return mcolors.to_hex(plt.get_cmap(cmap)(SCOTLAND_SHADE if worse_high else 1 - SCOTLAND_SHADE))


class ValueClasses(NamedTuple):
    """A value map's classes, as the printed and the web map both draw them."""

    values: pd.Series  # the column as numbers (missing: no data)
    classes: np.ndarray  # the class of each known value
    labels: list  # each class's legend text
    fills: list  # each class's colour (:func:`class_colours`)
    levels: str | None  # the line of levels to read them against (:func:`reference_levels`)
    at: int | None  # where that line stands among the classes (Scotland's level); None: after them, as text

    def legend(self) -> list[tuple[str | None, str]]:
        """The legend's rows, as ``(fill, text)``: each class's colour, then the levels line
        at its place, drawn as a rule (:data:`RULE`) among the classes at Scotland's level, or
        as text alone (None) after them. The printed and the web legend both draw these."""
        rows: list[tuple[str | None, str]] = list(zip(self.fills, self.labels))
        if self.levels:
            rows.insert(len(rows) if self.at is None else self.at, (None if self.at is None else RULE, self.levels))
        return rows


def level_place(values: pd.Series, classes: np.ndarray, n: int, reference, printed) -> int:
    """Where Scotland's level (``reference``) stands among ``n`` classes, lowest first: after
    every class whose values all print at or below it (Old Aberdeen's 12.12% is printed, and
    classed, as Scotland's 12.1%)."""
    known = values.dropna().to_numpy(dtype=float)
    mark = layout._printed_number(printed(reference))[0]
    return sum(bool((classes == i).any()) and layout._printed_number(printed(float(known[classes == i].max())))[0] <= mark
               for i in range(n))


def value_classes(frame, column: str, unit: str, share: bool, cmap, worse_high: bool = True,
                  scheme: str = "FisherJenks", k: int = 5) -> ValueClasses:
    """``column``'s classes (:func:`localities.layout.class_breaks`, printed as the key and
    tooltips print its values), their shades against Scotland's level and the legend's
    levels line: one recipe for the printed map and the web map."""
    values = pd.to_numeric(frame[column], errors="coerce")
    top = column_top(frame, column)
    scotland = frame.attrs.get("scotland", {}).get(column)
    shaded = anchored(values, scotland)
    # Scotland's level is a class break: shades say which side of it a locality is.
    printed = lambda v: format_value(v, column, unit, top)  # noqa: E731 (as the key table prints)
    classes, labels, _ = layout.class_breaks(values, scheme, k, share, printed=printed,
                                             split_at=scotland if shaded else None)
    # Scotland's level is a line among the classes, where it falls: a swatch of its shade,
    # under the classes, sat between two of theirs and said nothing of which side each was.
    return ValueClasses(values, classes, labels, class_colours(cmap, classes, values, len(labels), scotland, worse_high),
                        reference_levels(frame, column, unit, shaded=shaded),
                        level_place(values, classes, len(labels), scotland, printed) if shaded else None)
