"""Inequality within a council and what a locality's average hides: the slope and
relative index of inequality (SII, RII) over the council's zones and across its
localities, and the most deprived zones inside localities not flagged as poorer than
Scotland. (Split from :mod:`localities.rank`.)
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import decide, outcomes
from .errors import DataError, PlanError, counted
from .plans import Plan, expect_plan
from .rank import _compared, _zones_of, rank
from .zonetable import _closest


def _sii(values: np.ndarray, pops: np.ndarray, order: np.ndarray, higher_is_worse: bool, mean: float) -> dict:
    """SII and RII with 95% intervals: a population-weighted regression of ``values`` on
    the midpoint of cumulative population share, areas ordered most deprived first."""
    from statsmodels.regression.linear_model import WLS  # not statsmodels.api: 0.6 s lighter to import

    ok = np.isfinite(values) & (pops > 0)
    idx = [i for i in order if ok[i]]
    if len(idx) < 3:
        return {"sii": np.nan, "sii_lower": np.nan, "sii_upper": np.nan, "rii": np.nan, "rii_lower": np.nan,
                "rii_upper": np.nan, "areas": len(idx)}
    p = pops[idx] / pops[idx].sum()
    rank_mid = np.cumsum(p) - p / 2
    fit = WLS(values[idx], np.column_stack([np.ones(len(idx)), rank_mid]), weights=p).fit()
    slope, se = float(fit.params[1]), float(fit.bse[1])
    sign = -1.0 if higher_is_worse else 1.0  # positive SII: worse in the more deprived areas
    lo, hi = sorted((sign * (slope - decide.Z95 * se), sign * (slope + decide.Z95 * se)))
    sii = sign * slope
    rel = (lambda v: v / mean) if mean else (lambda v: np.nan)
    return {"sii": sii, "sii_lower": lo, "sii_upper": hi, "rii": rel(sii), "rii_lower": rel(lo), "rii_upper": rel(hi),
            "areas": len(idx)}


def inequality(plan: Plan, dz: pd.DataFrame, indicators=None, by: str = "income_rate", scotland=None) -> pd.DataFrame:
    """Slope and relative index of inequality (SII, RII) with 95% intervals, two ways.

    ``level="zones"``, as ScotPHO computes it: the council's Data Zones ranked by SIMD
    2020v2 (most deprived first), each at the midpoint of its cumulative population
    share; the SII is the slope of a population-weighted regression of the zone values
    on that rank (statsmodels WLS, interval from its standard error), signed so that a
    positive SII means worse outcomes in the more deprived zones; the RII is the SII
    over the council's value. ``level="localities"``: the same across the plan's
    localities ranked by ``by`` (income deprivation), which with 8-25 localities is a
    weakly estimated gradient: read its interval.

    Returns
    -------
    DataFrame
        ``indicator, label, unit, level, sii, sii_lower, sii_upper, rii, rii_lower,
        rii_upper, council, areas``. For every indicator, whether higher values are
        worse (income deprivation) or better (attendance), a positive ``sii`` and ``rii``
        mean worse outcomes in the more deprived areas, a negative one better outcomes
        there. A slope needs 3 or more areas with values: with fewer (a plan of two
        localities) its row is blank, and ``attrs["notes"]`` says why.
    """
    long, inds, zones, _ = _compared(plan, dz, indicators, scotland, func="inequality")  # values only
    meta = {i.name: i for i in inds}
    if by not in meta:
        hint = _closest(by, meta).removeprefix("; ")
        raise DataError(f"by={by!r} is not an available indicator{f' ({hint})' if hint else ''}; "
                        f"available: {', '.join(meta)}")
    scale, long.attrs = long.attrs["scale"], {}  # no attrs to deep-copy at every step below
    per_zone = outcomes.aggregate(zones, zones["datazone"].to_numpy(), inds, scale=scale)
    zone_pop = zones.set_index("datazone")["population"].astype(float)
    simd = zones.set_index("datazone")["simd_rank"] if "simd_rank" in zones else None
    loc_pop = plan.localities.set_index("locality")["population"].astype(float)
    dep = long[long["indicator"] == by].set_index("locality")["value"]
    loc_order_names = dep.sort_values(ascending=not meta[by].higher_is_worse).index
    rows = []
    for name, part in long.groupby("indicator", sort=False):
        ind = meta[name]
        council_value = float(part["council_value"].iloc[0])
        if simd is not None:
            zpart = per_zone[per_zone["indicator"] == name].set_index("area").reindex(zone_pop.index)
            order = np.argsort(simd.reindex(zone_pop.index).to_numpy(), kind="stable")
            rows.append({"indicator": name, "label": ind.label, "unit": ind.unit, "level": "zones",
                         **_sii(zpart["value"].to_numpy(dtype=float), zone_pop.to_numpy(), order,
                                ind.higher_is_worse, council_value), "council": council_value})
        lpart = part.set_index("locality").reindex(loc_order_names)
        rows.append({"indicator": name, "label": ind.label, "unit": ind.unit, "level": "localities",
                     **_sii(lpart["value"].to_numpy(dtype=float), loc_pop.reindex(loc_order_names).to_numpy(),
                            np.arange(len(lpart)), ind.higher_is_worse, council_value), "council": council_value})
    out = pd.DataFrame(rows)
    few = out[(out["level"] == "localities") & (out["areas"] < 3)]
    if len(few):
        # Blank cells said nothing of why (Orkney in two localities).
        which = ", ".join(f"{label} ({a})" for label, a in zip(few["label"], few["areas"]))  # for people, not codes
        out.attrs["notes"] = [f"no slope across localities (level 'localities', left blank) for "
                              f"{counted(len(few), 'indicator', 'indicators')}: a slope needs 3 or more localities "
                              f"with values, and these have fewer (in brackets): {which}"]
    return out


def masked_pockets(plan: Plan, dz: pd.DataFrame, ranking: pd.DataFrame | None = None, band: int = 20) -> pd.DataFrame:
    """Zones in Scotland's most deprived 5% or 20% (SIMD 2020v2) inside localities that,
    as a whole, are not flagged significantly poorer than Scotland: not flagged at all, or
    poorer than the rest of the council only (Aberdeen's Torry, 18.7% income deprived on
    its own, inside "Torry / Cove / Kincorth, Leggart and Nigg" at 11.4%, against
    Scotland's 12.1%). ``locality_flag`` says which; ``band``, each zone's own (most deprived
    5%, 10%, 15% or 20%)."""
    expect_plan(plan, dz, "masked_pockets")
    if band not in (5, 20):
        raise PlanError(f"band must be 5 or 20, not {band}")
    ranking = ranking if ranking is not None else rank(plan, dz)
    flagged = set(ranking.loc[ranking["poorer_than_scotland"], "locality"])
    zones, by = _zones_of(plan, dz)
    col = "simd_vigintile" if band == 5 else "simd_quintile"
    names = ranking.set_index("locality")["name"]
    mask = (zones[col] == 1).to_numpy() & ~np.isin(by, list(flagged))
    out = zones.loc[mask, ["datazone", "name", "simd_rank", "population"]].copy()
    out.insert(0, "locality", by[mask])
    out.insert(1, "locality_name", out["locality"].map(names))
    # Each zone's own band, the finest of 5%, 10%, 15% and 20%: Helensburgh East - 02, ranked
    # 294th, was "most deprived 20%", and only --band 5 showed it among the most deprived 5%.
    if "simd_vigintile" in zones:
        fine = pd.to_numeric(zones.loc[mask, "simd_vigintile"], errors="coerce")
        out["band"] = [f"most deprived {5 * int(v)}%" if pd.notna(v) else f"most deprived {band}%" for v in fine]
    else:
        out["band"] = f"most deprived {band}%"
    # Last, so the columns scripts read by position stay where they were.
    out["locality_flag"] = out["locality"].map(ranking.set_index("locality")["tier_label"]) if "tier_label" in ranking else ""
    out = out.sort_values(["simd_rank"]).reset_index(drop=True)
    if out.empty:
        # What the empty table means, for a workbook's Notes (a sheet of headers alone said nothing);
        # only when empty as made: a copy filtered to nothing means something else.
        out.attrs["empty_means"] = (f"no zone in Scotland's {band}% most deprived (SIMD 2020v2) lies in a locality "
                                    "not flagged as poorer than Scotland" if (zones[col] == 1).any() else
                                    f"no zone of {plan.council_name or 'the council'} is in Scotland's {band}% most "
                                    "deprived (SIMD 2020v2)")
    return out
