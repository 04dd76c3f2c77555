"""Compare localities with their council (the CPP) and Scotland, and rank them.

s.9(3) of the Community Empowerment (Scotland) Act 2015: identify each locality where
people experience significantly poorer outcomes than elsewhere in the council area or
in Scotland generally. A locality's indicator is *significantly worse* than a
comparator when its 95% interval lies wholly on the worse side of the comparator's
value (as ScotPHO profiles flag it), read by the indicator's direction.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from . import outcomes
from .build import Plan
from .errors import DataError, PlanError, listing
from .outcomes import OUTCOME_SET, Indicator

HEADLINE = ("income_rate", "employment_rate")


def _flag(row_value, lower, upper, comparator, worse_high: bool) -> str:
    if np.isnan(comparator) or np.isnan(row_value):
        return "n/a"
    if np.isnan(lower) or np.isnan(upper):
        return "no interval"
    if lower > comparator:
        return "worse" if worse_high else "better"
    if upper < comparator:
        return "better" if worse_high else "worse"
    return "not different"


def _zones_of(plan: Plan, dz: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    zones = dz.set_index("datazone")
    assigned = plan.assignment[plan.assignment.index.isin(zones.index)]
    missing = sorted(set(plan.assignment.index) - set(zones.index))
    if missing:
        raise PlanError(f"plan names zone(s) not in the zone table: {listing(missing)}")
    if plan.assignment.index.duplicated().any():
        raise PlanError("plan assigns a zone twice: run localities.check for the list")
    mine = zones.loc[assigned.index]
    if "council" in zones:
        # Every zone of the plan's council(s) must be in a locality, or people drop out of the CPP figures.
        left_out = zones.index[zones["council"].isin(mine["council"].unique())].difference(assigned.index)
        if len(left_out):
            raise PlanError(f"plan leaves out {len(left_out)} zone(s) of its council: {listing(left_out)}")
    pop = pd.to_numeric(mine["population"], errors="coerce")
    if pop.isna().any():
        raise DataError(f"population missing for zone(s) {listing(pop.index[pop.isna()])}")
    if (pop < 0).any():
        raise DataError(f"negative population for zone(s) {listing(pop.index[pop < 0])}")
    return mine.reset_index(), assigned.to_numpy()


def compare(
    plan: Plan,
    dz: pd.DataFrame,
    indicators: list[Indicator | str] | None = None,
    scotland: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Every locality × indicator, with the council (CPP) and Scotland as comparators.

    Parameters
    ----------
    scotland : DataFrame, optional
        Scotland totals from :func:`localities.outcomes.scotland_sums`; read from the
        zones' data directory when omitted. Indicators Scotland has no totals for
        (an analyst's own) are compared with the council only.

    Returns
    -------
    DataFrame
        Long table: ``locality, indicator, label, unit, value, lower, upper, coverage,
        cpp, scotland, vs_cpp, vs_scotland`` (``worse``, ``not different``, ``better``,
        ``no interval`` or ``n/a``), plus the CPP and Scotland rows' own intervals.
    """
    zones, by = _zones_of(plan, dz)
    inds = outcomes.available(zones, indicators)
    locs = outcomes.aggregate(zones, by, inds)
    cpp = outcomes.aggregate(zones, None, inds).set_index("indicator")
    if scotland is None:
        scotland = outcomes.scotland_sums(dz.attrs.get("data_dir"))
    scot = outcomes.finish(scotland[scotland["indicator"].isin([i.name for i in inds])], inds).set_index("indicator")
    meta = {i.name: i for i in inds}
    locs["label"] = locs["indicator"].map(lambda n: meta[n].label)
    locs["unit"] = locs["indicator"].map(lambda n: meta[n].unit)
    locs["higher_is_worse"] = locs["indicator"].map(lambda n: meta[n].higher_is_worse)
    for name, ref in (("cpp", cpp), ("scotland", scot)):
        locs[name] = locs["indicator"].map(ref["value"]).astype(float)
        locs[f"{name}_lower"] = locs["indicator"].map(ref["lower"]).astype(float)
        locs[f"{name}_upper"] = locs["indicator"].map(ref["upper"]).astype(float)
        locs[f"vs_{name}"] = [_flag(v, lo, hi, c, w) for v, lo, hi, c, w in
                              zip(locs["value"], locs["lower"], locs["upper"], locs[name], locs["higher_is_worse"])]
    no_data = locs["value"].isna()
    locs.loc[no_data, ["vs_cpp", "vs_scotland"]] = "no data"
    locs = locs.rename(columns={"area": "locality"})
    return locs[["locality", "indicator", "label", "unit", "value", "lower", "upper", "coverage", "zones_missing",
                 "cpp", "cpp_lower", "cpp_upper", "scotland", "scotland_lower", "scotland_upper", "vs_cpp",
                 "vs_scotland", "higher_is_worse"]]


def rank(
    plan: Plan,
    dz: pd.DataFrame,
    indicators: list[Indicator | str] | None = None,
    scotland: pd.DataFrame | None = None,
    headline: tuple[str, ...] = HEADLINE,
    outcome_set: tuple[str, ...] = OUTCOME_SET,
) -> gpd.GeoDataFrame:
    """Rank a plan's localities, most disadvantaged first.

    A locality is *significantly poorer* than Scotland (or the council) when it is
    significantly worse on any ``headline`` indicator (income and employment
    deprivation by default). Localities are ranked by the number of indicators
    significantly worse than Scotland, then than the council, then by the outcome
    index; ``rank_note`` explains ties.

    Returns
    -------
    GeoDataFrame
        One row per locality: ``rank, locality, name, population, zones,
        share_most_deprived_20, share_most_deprived_5, n_worse_scotland, n_worse_cpp,
        outcome_index, poorer_than_scotland, poorer_than_cpp, rank_note``, then for each
        indicator its value (and ``_lower``, ``_upper``, ``_vs_cpp``, ``_vs_scotland``
        where it has an interval) and ``_coverage``. ``attrs`` holds the CPP and
        Scotland values.
    """
    long = compare(plan, dz, indicators, scotland)
    zones, by = _zones_of(plan, dz)
    table = plan.localities.set_index("locality")[["name", "population", "zones", "geometry"]].copy()
    pop = zones["population"].to_numpy(dtype=float)
    for band, col, level in (("20", "simd_quintile", 1), ("5", "simd_vigintile", 1)):
        if col in zones:
            deprived = pd.Series(np.where(zones[col] == level, pop, 0.0)).groupby(by).sum()
            total = pd.Series(pop).groupby(by).sum()
            table[f"share_most_deprived_{band}"] = (deprived / total.replace(0, np.nan)).reindex(table.index)
    flagged = long[long["vs_scotland"].isin(["worse", "better", "not different"])]
    table["n_worse_scotland"] = (long["vs_scotland"] == "worse").groupby(long["locality"]).sum().reindex(table.index).fillna(0).astype(int)
    table["n_worse_cpp"] = (long["vs_cpp"] == "worse").groupby(long["locality"]).sum().reindex(table.index).fillna(0).astype(int)
    table["n_with_interval"] = flagged.groupby("locality").size().reindex(table.index).fillna(0).astype(int)

    # Outcome index: z-scores against the localities' mean and SD, signed so higher = worse.
    part = long[long["indicator"].isin(outcome_set)].copy()
    stats = part.groupby("indicator")["value"].agg(["mean", "std"])
    part["z"] = (part["value"] - part["indicator"].map(stats["mean"])) / part["indicator"].map(stats["std"]).replace(0, np.nan)
    part.loc[~part["higher_is_worse"].astype(bool), "z"] *= -1
    table["outcome_index"] = part.groupby("locality")["z"].mean().reindex(table.index)

    head = long[long["indicator"].isin(headline)]
    table["poorer_than_scotland"] = (head["vs_scotland"] == "worse").groupby(head["locality"]).any().reindex(table.index).fillna(False).astype(bool)
    table["poorer_than_cpp"] = (head["vs_cpp"] == "worse").groupby(head["locality"]).any().reindex(table.index).fillna(False).astype(bool)

    for name, rows in long.groupby("indicator", sort=False):
        rows = rows.set_index("locality")
        table[name] = rows["value"].reindex(table.index)
        if rows["lower"].notna().any():
            for extra in ("lower", "upper"):
                table[f"{name}_{extra}"] = rows[extra].reindex(table.index)
            table[f"{name}_vs_cpp"] = rows["vs_cpp"].reindex(table.index)
            table[f"{name}_vs_scotland"] = rows["vs_scotland"].reindex(table.index)
        table[f"{name}_coverage"] = rows["coverage"].reindex(table.index)

    order = table.sort_values(["n_worse_scotland", "n_worse_cpp", "outcome_index", "name"],
                              ascending=[False, False, False, True], na_position="last")
    order.insert(0, "rank", np.arange(1, len(order) + 1))
    notes = []
    for loc, row in order.iterrows():
        same = order[(order["n_worse_scotland"] == row["n_worse_scotland"]) & (order["n_worse_cpp"] == row["n_worse_cpp"])]
        if len(same) > 1:
            note = (f"ties with {len(same) - 1} other(s) on {row['n_worse_scotland']} worse than Scotland and "
                    f"{row['n_worse_cpp']} worse than the council; ordered by outcome index")
        else:
            note = ""
        # An indicator with no data in a locality is not counted as worse: say so next to the rank.
        no_data = [c[: -len("_coverage")] for c in order.columns if c.endswith("_coverage") and row[c] == 0]
        if no_data:
            note = "; ".join(filter(None, [note, f"no data for {', '.join(no_data)}"]))
        notes.append(note)
    order["rank_note"] = notes
    order = order.reset_index()
    head_cols = ["rank", "locality", "name", "population", "zones", "share_most_deprived_20", "share_most_deprived_5",
                 "n_worse_scotland", "n_worse_cpp", "n_with_interval", "outcome_index", "poorer_than_scotland",
                 "poorer_than_cpp", "rank_note"]
    head_cols = [c for c in head_cols if c in order]
    rest = [c for c in order.columns if c not in head_cols and c != "geometry"]
    out = gpd.GeoDataFrame(order[head_cols + rest + ["geometry"]], geometry="geometry", crs=plan.localities.crs)
    comparators = long.drop_duplicates("indicator").set_index("indicator")
    out.attrs = {
        "cpp": comparators[["cpp", "cpp_lower", "cpp_upper"]].to_dict("index"),
        "scotland": comparators[["scotland", "scotland_lower", "scotland_upper"]].to_dict("index"),
        "units": comparators["unit"].to_dict(),
        "labels": comparators["label"].to_dict(),
        "council": plan.council_name,
        "headline": list(headline),
    }
    return out


def inequality(plan: Plan, dz: pd.DataFrame, indicators=None, by: str = "income_rate", scotland=None) -> pd.DataFrame:
    """Slope and relative index of inequality (SII, RII) across the plan's localities.

    Localities are ordered from most to least deprived on ``by`` (income deprivation);
    each gets the midpoint of its cumulative population share as its rank. The SII is the
    slope of a population-weighted regression of the indicator on that rank, signed so
    that a positive SII means worse outcomes in the more deprived localities; the RII is
    the SII over the council's value.
    """
    long = compare(plan, dz, indicators, scotland)
    pops = plan.localities.set_index("locality")["population"].astype(float)
    dep = long[long["indicator"] == by].set_index("locality")["value"]
    worse_high = bool(long.loc[long["indicator"] == by, "higher_is_worse"].iloc[0]) if len(dep) else True
    order = dep.sort_values(ascending=not worse_high).index
    share = pops.reindex(order) / pops.sum()
    midpoint = share.cumsum() - share / 2
    rows = []
    for name, part in long.groupby("indicator", sort=False):
        part = part.set_index("locality").reindex(order)
        ok = part["value"].notna().to_numpy() & (share.to_numpy() > 0)
        if ok.sum() < 3:
            rows.append({"indicator": name, "sii": np.nan, "rii": np.nan, "localities": int(ok.sum())})
            continue
        w = np.sqrt(share.to_numpy()[ok])
        design = np.column_stack([w, midpoint.to_numpy()[ok] * w])
        coef, *_ = np.linalg.lstsq(design, part["value"].to_numpy()[ok] * w, rcond=None)
        slope = coef[1]
        sii = -slope if part["higher_is_worse"].iloc[0] else slope
        cpp = part["cpp"].iloc[0]
        rows.append({"indicator": name, "label": part["label"].iloc[0], "unit": part["unit"].iloc[0], "sii": sii,
                     "rii": sii / cpp if cpp else np.nan, "cpp": cpp, "localities": int(ok.sum())})
    return pd.DataFrame(rows)


def masked_pockets(plan: Plan, dz: pd.DataFrame, ranking: pd.DataFrame | None = None, band: int = 20) -> pd.DataFrame:
    """Zones in Scotland's most deprived 5% or 20% (SIMD 2020v2) inside localities that,
    as a whole, are not flagged significantly poorer than Scotland or the council."""
    if band not in (5, 20):
        raise PlanError(f"band must be 5 or 20, not {band}")
    ranking = ranking if ranking is not None else rank(plan, dz)
    flagged = set(ranking.loc[ranking["poorer_than_scotland"] | ranking["poorer_than_cpp"], "locality"])
    zones, by = _zones_of(plan, dz)
    col = "simd_vigintile" if band == 5 else "simd_quintile"
    names = ranking.set_index("locality")["name"]
    mask = (zones[col] == 1).to_numpy() & ~np.isin(by, list(flagged))
    out = zones.loc[mask, ["datazone", "name", "simd_rank", "population"]].copy()
    out.insert(0, "locality", by[mask])
    out.insert(1, "locality_name", out["locality"].map(names))
    out["band"] = f"most deprived {band}%"
    return out.sort_values(["simd_rank"]).reset_index(drop=True)
