"""Tables for people: human column headers and percentages, with a codebook.

:func:`for_people` turns a result table (``rank``, ``compare``, ``inequality``,
``masked_pockets``) into one a board member can read: ``income_rate`` becomes
"Income deprivation (%)" holding 24.9 rather than 0.249, ``income_rate_vs_rest``
becomes "Income deprivation: compared with the rest of the council". :func:`codebook`
keeps the way back: each human header with its code, meaning and unit, for the
``Codebook`` sheet of a workbook or the second header row of a CSV.
"""

from __future__ import annotations

import pandas as pd

# Columns of the result tables that are not per indicator.
COLUMNS: dict[str, str] = {
    "rank": "Rank (1 = most disadvantaged)",
    "locality": "Locality code",
    "name": "Name",
    "locality_name": "Locality",
    "population": "Population",
    "zones": "Data Zones",
    "tier": "Tier",
    "tier_label": "Tier meaning",
    "poorer_than_rest": "Significantly poorer than the rest of the council",
    "poorer_than_cpp": "Significantly poorer than the rest of the council",
    "poorer_than_scotland": "Significantly poorer than Scotland",
    "score": "Deprivation score (Scotland = 1.0)",
    "reasons": "Reasons",
    "rank_note": "Note on the rank",
    "share_most_deprived_20": "People in Scotland's most deprived 20% of zones (%)",
    "share_most_deprived_5": "People in Scotland's most deprived 5% of zones (%)",
    "n_worse_rest": "Indicators worse than the rest of the council",
    "n_worse_cpp": "Indicators worse than the rest of the council",
    "n_worse_scotland": "Indicators worse than Scotland",
    "places": "Places (Intermediate Zones, most people first)",
    "datazone": "Data Zone",
    "simd_rank": "SIMD 2020v2 rank (1 = most deprived)",
    "band": "Band",
    "indicator": "Indicator code",
    "label": "Indicator",
    "unit": "Unit",
    "level": "Level",
    "higher_is_worse": "Higher is worse",
    "areas": "Areas",
    "sii": "Slope index of inequality (SII; positive: worse in more deprived areas)",
    "sii_lower": "SII lower 95% limit",
    "sii_upper": "SII upper 95% limit",
    "rii": "Relative index of inequality (RII = SII / council value; positive: worse in more deprived areas)",
    "rii_lower": "RII lower 95% limit",
    "rii_upper": "RII upper 95% limit",
    "value": "Value",
    "lower": "Lower 95% limit",
    "upper": "Upper 95% limit",
    "coverage": "Coverage",
    "rest": "Rest of the council",
    "rest_lower": "Rest of the council: lower 95% limit",
    "rest_upper": "Rest of the council: upper 95% limit",
    "council": "Council",
    "scotland": "Scotland",
    "scotland_lower": "Scotland: lower 95% limit",
    "scotland_upper": "Scotland: upper 95% limit",
    "ratio_rest": "Ratio to the rest of the council",
    "gap_rest": "Gap to the rest of the council",
    "ratio_scotland": "Ratio to Scotland",
    "gap_scotland": "Gap to Scotland",
    "vs_rest": "Compared with the rest of the council",
    "vs_scotland": "Compared with Scotland",
}

# What a column means, for the codebook, where its header cannot say it all.
SII_DIRECTION = ("positive: worse in more deprived areas; negative: better in them; near 0 (an interval "
                 "spanning 0): no clear gradient. This holds whether higher values of the indicator are worse "
                 "(income deprivation) or better (school attendance)")
MEANINGS: dict[str, str] = {
    "sii": ("Slope index of inequality: the gap in the indicator between the most and the least deprived end "
            "of the council, from a population-weighted regression of the areas' values on their deprivation "
            "rank (most deprived first; 'zones': Data Zones by SIMD 2020v2, 'localities': localities by the "
            f"chosen indicator), in the indicator's unit (percentage points for percentages); {SII_DIRECTION}"),
    "rii": f"Relative index of inequality: the SII divided by the council's value; {SII_DIRECTION}",
}
MEANINGS.update({f"{c}_{end}": f"{end.capitalize()} 95% limit of the {c.upper()}; {SII_DIRECTION}"
                 for c in ("sii", "rii") for end in ("lower", "upper")})
# The decision columns a board reads first (localities.rank): what each one says.
_POORER = ("significantly (95%) and materially worse on a headline indicator (income or employment deprivation "
           "by default) than")
MEANINGS.update({
    "rank": "order of the localities, most disadvantaged first: by tier, then by score",
    "locality": "the locality's id in its plan",
    "name": "the name: a ward's, or from the Intermediate Zones held, largest first",
    "population": "people living there (the zone table's population estimates, NRS)",
    "zones": "Data Zones it holds",
    "tier": "1 = poorer than the rest of the council and than Scotland; 2 = poorer than one of them; "
            "3 = flagged against neither (a gap may still be significant but smaller than the rule asks)",
    "tier_label": "the tier in words",
    "poorer_than_rest": f"Yes when {_POORER} the rest of the council",
    "poorer_than_cpp": f"Yes when {_POORER} the rest of the council",
    "poorer_than_scotland": f"Yes when {_POORER} Scotland",
    "score": "weighted mean over the headline indicators of the locality's value divided by Scotland's, read so that "
             "higher is worse (1.0 = Scotland's level); orders localities within a tier",
    "reasons": "the comparisons behind the tier, in words; also the largest gaps (at least ×2) on indicators with no "
               "interval, which are never tested",
    "rank_note": "ties in tier and score, and missing data, that decide the order",
    "share_most_deprived_20": "share of the locality's people living in Data Zones among Scotland's 20% most "
                              "deprived (SIMD 2020v2)",
    "share_most_deprived_5": "share of the locality's people living in Data Zones among Scotland's 5% most "
                             "deprived (SIMD 2020v2)",
    "n_worse_rest": "indicators on which the locality is significantly worse than the rest of the council",
    "n_worse_cpp": "indicators on which the locality is significantly worse than the rest of the council",
    "n_worse_scotland": "indicators on which the locality is significantly worse than Scotland",
    "places": "the Intermediate Zones the locality holds (all or part of), most people first, '; ' between them: "
              "what a name's '+ N more' stands for",
})

# Per-indicator suffixes in the wide ranking table.
SUFFIXES: dict[str, str] = {
    "": "",
    "_lower": ": lower 95% limit",
    "_upper": ": upper 95% limit",
    "_rest": ": rest of the council",
    "_rest_lower": ": rest of the council, lower 95% limit",
    "_rest_upper": ": rest of the council, upper 95% limit",
    "_ratio_rest": ": ratio to the rest of the council",
    "_ratio_scotland": ": ratio to Scotland",
    "_gap_rest": ": gap to the rest of the council",
    "_gap_scotland": ": gap to Scotland",
    "_vs_rest": ": compared with the rest of the council",
    "_vs_cpp": ": compared with the rest of the council",
    "_vs_scotland": ": compared with Scotland",
    "_coverage": ": coverage (% of people with data)",
}
SCALED_SUFFIXES = ("", "_lower", "_upper", "_rest", "_rest_lower", "_rest_upper", "_gap_rest", "_gap_scotland")
# What a per-indicator column holds, for the Codebook ("{}": how the indicator is made). Every
# derived column had read "income-deprived people / total population", ratios and verdicts too.
SUFFIX_MEANINGS: dict[str, str] = {
    "": "{}",
    "_lower": "lower limit of the locality's 95% interval ({})",
    "_upper": "upper limit of the locality's 95% interval ({})",
    "_rest": "the rest of the council (the council without this locality), the same measure ({})",
    "_rest_lower": "lower limit of the rest of the council's 95% interval",
    "_rest_upper": "upper limit of the rest of the council's 95% interval",
    "_ratio_rest": "the locality's value divided by the rest of the council's",
    "_ratio_scotland": "the locality's value divided by Scotland's",
    "_gap_rest": "the locality's value minus the rest of the council's",
    "_gap_scotland": "the locality's value minus Scotland's",
    "_vs_rest": "verdict against the rest of the council: {verdicts}",
    "_vs_cpp": "verdict against the rest of the council: {verdicts}",
    "_vs_scotland": "verdict against Scotland: {verdicts}",
    "_coverage": "share of the locality's people in zones with a value",
}
_VERDICTS = ("worse or better (significant and material), slightly (significant, not material), not different, or "
             "no interval (not tested)")
# Longest first, so "_rest_lower" is matched before "_lower"; sorted once, not per column.
_SUFFIX_ORDER = sorted(SUFFIX_MEANINGS, key=len, reverse=True)
PERCENT_COLUMNS = ("share_most_deprived_20", "share_most_deprived_5")
# Value columns of the long tables (compare, inequality), scaled row by row.
LONG_VALUES = ("value", "lower", "upper", "rest", "rest_lower", "rest_upper", "council", "scotland",
               "scotland_lower", "scotland_upper", "gap_rest", "gap_scotland", "sii", "sii_lower", "sii_upper")


def _registry() -> dict:
    from .outcomes import SIMD

    return SIMD


def is_share(unit: str) -> bool:
    """True for indicators held as proportions 0..1 (shown as %)."""
    return str(unit).startswith("proportion")


def describe(column: str, registry: dict | None = None) -> tuple[str, str, bool]:
    """Human header, unit and whether values are proportions shown as %, for one column."""
    registry = _registry() if registry is None else registry
    for suffix in sorted(SUFFIXES, key=len, reverse=True):
        stem = column[: len(column) - len(suffix)] if suffix and column.endswith(suffix) else column
        if (suffix == "" or column.endswith(suffix)) and stem in registry:
            ind = registry[stem]
            if suffix == "_coverage":  # a share of people whatever the indicator's unit: 97.1, not 0.971
                return f"{ind.label}{SUFFIXES[suffix]}", "%", True
            share = is_share(ind.unit) and suffix in SCALED_SUFFIXES
            unit = ("percentage points" if share and "_gap_" in suffix else "%" if share
                    else ind.unit if suffix in SCALED_SUFFIXES else "")
            short = "Scotland = 100" if unit.startswith("standardised ratio") else unit
            head = f"{ind.label}{SUFFIXES[suffix]}"
            return f"{head} ({short})" if short else head, unit, share
    if column in PERCENT_COLUMNS:
        return COLUMNS[column], "%", True
    return COLUMNS.get(column, column.replace("_", " ").capitalize()), "", False


def codebook(*tables: pd.DataFrame) -> pd.DataFrame:
    """One row per column of ``tables``: ``column`` (the human header), ``code`` (the
    column name in the API and in files written without labels), ``unit`` and, for
    indicators, ``meaning`` (how it is aggregated)."""
    registry = _registry()
    rows, seen = [], set()
    for table in tables:
        for col in table.columns:
            if col == "geometry" or col in seen:
                continue
            seen.add(col)
            head, unit, _ = describe(col, registry)
            meaning = MEANINGS.get(col, "")
            for suffix in _SUFFIX_ORDER:
                stem = col[: len(col) - len(suffix)] if suffix else col
                if (not suffix or col.endswith(suffix)) and stem in registry:
                    meaning = SUFFIX_MEANINGS[suffix].format(registry[stem].note, verdicts=_VERDICTS)
                    break
            rows.append({"column": head, "code": col, "unit": unit, "meaning": meaning})
    return pd.DataFrame(rows, columns=["column", "code", "unit", "meaning"])


#: What a flag against the rest of the council reads for a locality holding the whole
#: council: there is no rest to be poorer than, so neither "Yes" nor "No".
NO_REST = "n/a (the whole council)"


def without_rest(table: pd.DataFrame) -> pd.Series:
    """Rows of a ranking with no rest of the council to compare with (one locality
    holding the whole council, as Shetland's at the default): every headline
    indicator's ``_vs_rest`` is "n/a" and its ``_rest`` value missing."""
    headline = [h for h in table.attrs.get("headline", []) if f"{h}_rest" in table and f"{h}_vs_rest" in table]
    if not headline or "poorer_than_rest" not in table:
        return pd.Series(False, index=table.index)
    return pd.concat([table[f"{h}_rest"].isna() & table[f"{h}_vs_rest"].eq("n/a") for h in headline],
                     axis=1).all(axis=1)


def for_people(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``table`` with human headers, proportions as percentages (one decimal)
    and booleans as Yes/No; geometry dropped. See :func:`codebook` for the codes."""
    registry = _registry()
    alone = without_rest(table).to_numpy()
    out = pd.DataFrame(table).drop(columns="geometry", errors="ignore").copy()
    if {"indicator", "unit"} <= set(out.columns):  # long tables: scale the rows of proportions
        share = out["unit"].map(is_share).astype(bool)
        for col in LONG_VALUES:
            if col in out:
                out[col] = out[col].astype(float)
                out.loc[share, col] = (out.loc[share, col] * 100).round(1)
        out.loc[share, "unit"] = "%"
    for col in list(out.columns):
        _, _, share = describe(col, registry)
        if share and pd.api.types.is_numeric_dtype(out[col]):
            out[col] = (out[col] * 100).round(1)
        elif pd.api.types.is_float_dtype(out[col]):
            out[col] = out[col].round(3)
        elif pd.api.types.is_bool_dtype(out[col]):
            out[col] = out[col].map({True: "Yes", False: "No"})
    for col in ("poorer_than_rest", "n_worse_rest"):
        if col in out and alone.any():
            out[col] = out[col].astype(object).where(~alone, NO_REST)
    return out.rename(columns={c: describe(c, registry)[0] for c in out.columns})
