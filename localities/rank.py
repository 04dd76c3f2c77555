"""Compare localities with the rest of their council and with Scotland, decide which are
significantly poorer, and rank them.

s.9(3) of the Community Empowerment (Scotland) Act 2015: identify each locality where
people experience significantly poorer outcomes than elsewhere in the council area or
in Scotland generally. :func:`compare` gives every locality × indicator against both;
:func:`rank` turns that into the table a board reads: tiers first (poorer than both the
rest of the council and Scotland, than one, than neither), then a headline-weighted
deprivation score, with the reasons in words. The rules are in :mod:`localities.decide`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from . import decide, outcomes
from .errors import DataError, PlanError, counted, listing, noun, unknown_zones
from .load import AGE_GROUPS
from .outcomes import Indicator, called
from .zonetable import _closest, counted_table
from .plans import Plan, expect_plan

HEADLINE = {"income_rate": 1.0, "employment_rate": 1.0}


def _zones_of(plan: Plan, dz: pd.DataFrame, func: str = "rank") -> tuple[pd.DataFrame, np.ndarray]:
    expect_plan(plan, dz, func)
    zones = counted_table(dz, DataError).set_index("datazone")
    assigned = plan.assignment[plan.assignment.index.isin(zones.index)]
    missing = sorted(set(plan.assignment.index) - set(zones.index))
    if missing:
        raise PlanError(unknown_zones(missing, plan.council_name, zones))
    if plan.assignment.index.duplicated().any():
        raise PlanError("plan assigns a zone twice: run localities.check for the list")
    mine = zones.loc[assigned.index]
    if "council" in zones:
        # Every zone of the plan's council(s) must be in a locality, or people drop out of the CPP figures.
        left_out = zones.index[zones["council"].isin(mine["council"].unique())].difference(assigned.index)
        if len(left_out):
            source = plan.params.get("source")
            raise PlanError(f"{f'{source}: ' if source else ''}plan leaves out "
                            f"{counted(len(left_out), 'zone', 'zones')} of its council: {listing(left_out)}; "
                            "every zone must be in a locality, or its people drop out of the council's figures")
    pop = pd.to_numeric(mine["population"], errors="coerce")
    if pop.isna().any():
        raise DataError(f"population missing for {noun(int(pop.isna().sum()), 'zone', 'zones')} {listing(pop.index[pop.isna()])}")
    if (pop < 0).any():
        raise DataError(f"negative population for {noun(int((pop < 0).sum()), 'zone', 'zones')} {listing(pop.index[pop < 0])}")
    return mine.reset_index(), assigned.to_numpy()


def _headline(headline, inds: list[Indicator]) -> dict[str, float]:
    """Headline indicators and their weights, checked against those available."""
    if isinstance(headline, str):
        headline = [headline]
    elif headline is not None and not isinstance(headline, Mapping):
        try:  # any names: a list, a tuple, a set, an Index, dict keys, a generator
            headline = list(headline)
        except TypeError:
            raise DataError(f"headline must be indicator names, e.g. ['income_rate', 'employment_rate'], or a dict "
                            f"of them and their weights, not {headline!r}") from None
    weights = dict(headline) if isinstance(headline, Mapping) else {h: 1.0 for h in (headline or ())}
    if not weights:
        raise DataError("headline must name at least one indicator, e.g. {'income_rate': 1, 'employment_rate': 1}")
    known = {i.name: i for i in inds}
    unknown = [h for h in weights if h not in known]
    if unknown:
        hint = "; ".join(called(h, known).strip()[1:-1] for h in unknown if called(h, known)) \
            or _closest(unknown[0], known).removeprefix("; ")
        raise DataError(f"headline {noun(unknown, 'indicator', 'indicators')} {', '.join(map(repr, unknown))} not available"
                        f"{f' ({hint})' if hint else ''}; available: {', '.join(known)}")
    for h, w in weights.items():
        if not isinstance(w, (int, float)) or not np.isfinite(w) or w <= 0:
            raise DataError(f"headline weight of {h!r} must be a positive number, not {w!r}")
    if not any(known[h].has_interval for h in weights):
        # Only an indicator with an interval can be significantly worse: every locality would be tier 3.
        raise DataError(f"headline {'indicator' if len(weights) == 1 else 'indicators'} "
                        f"{', '.join(map(repr, weights))} {'has' if len(weights) == 1 else 'have'} no confidence "
                        "interval, so no locality could be found significantly poorer; include at least one of "
                        + ", ".join(i.name for i in inds if i.has_interval))
    return {h: float(w) for h, w in weights.items()}


def _untested(weights: Mapping[str, float], inds: list[Indicator]) -> list[str]:
    """A note for headline indicators without an interval: they order, they cannot flag."""
    known = {i.name: i for i in inds}
    names = [h for h in weights if not known[h].has_interval]
    if not names:
        return []
    one = len(names) == 1
    return [f"headline {'indicator' if one else 'indicators'} {', '.join(map(repr, names))} "
            f"{'has' if one else 'have'} no confidence interval: {'it orders' if one else 'they order'} localities "
            f"within a tier but cannot make one significantly poorer"]


#: Fewer localities than this give the funnel's overdispersion allowance little to go on.
FUNNEL_FEW = 20


def _funnel_note(method: str, localities: int) -> list[str]:
    """A note that ``method="funnel"`` estimated the spread between localities from few of them
    (East Ayrshire's 6: every locality in tier 3, 22.7% income-deprived against Scotland's
    12.1% among them, and nothing said why)."""
    if method != "funnel" or not 3 <= localities < FUNNEL_FEW:  # under 3, no allowance is estimated
        return []
    return [f"method funnel: the allowance for variation between localities (overdispersion) is estimated from "
            f"these {localities} localities alone; with fewer than {FUNNEL_FEW} it is poorly estimated and can widen "
            f"the limits until no locality is flagged; the default method (difference) tests each locality "
            f"against its comparator and does not depend on how many there are"]


_CARRIED = ["numerator", "numerator_upper", "denominator", "value", "value_min", "value_max", "lower", "upper"]


def _judged(plan: Plan, dz: pd.DataFrame, indicators, scotland, method, min_ratio, min_gap):
    """The long table with every comparator's figures and the verdicts (internal names)."""
    long, inds, zones, by = _compared(plan, dz, indicators, scotland, (method, min_ratio, min_gap))
    return decide.judge(long, inds, method=method, min_ratio=min_ratio, min_gap=min_gap), inds, zones, by


def _compared(plan: Plan, dz: pd.DataFrame, indicators, scotland, decision=None, func: str = "rank"):
    """The long table with every comparator's figures, before any verdict (internal
    names); ``decision`` (method, min_ratio, min_gap) is validated up front when given."""
    zones, by = _zones_of(plan, dz, func)
    inds = outcomes.available(zones, indicators)
    if not inds:
        raise DataError("the zone table has none of the indicators' columns (load it with load_datazones)")
    if decision is not None:
        decide.validate(*decision, inds)
    names = [i.name for i in inds]
    if scotland is None:
        scotland = outcomes.scotland_sums(dz.attrs.get("data_dir"), population=dz.attrs.get("population", "simd2020v2"))
    scot_tot = scotland[scotland["indicator"].isin(names)]
    scale = outcomes.ratio_scale(scot_tot, inds)
    loc_tot = outcomes.sums(zones, by, inds)
    council_tot = outcomes.sums(zones, None, inds).set_index("indicator")
    rest_tot = loc_tot.copy()
    for col in outcomes.SUM_COLUMNS:
        # The rest of the council: its totals less the locality's (clipped: float dust below 0).
        rest_tot[col] = (rest_tot["indicator"].map(council_tot[col]) - loc_tot[col]).clip(lower=0)
    long = outcomes.finish(loc_tot, inds, scale).rename(columns={"area": "locality"})
    rest = outcomes.finish(rest_tot, inds, scale)
    council = outcomes.finish(council_tot.reset_index(), inds, scale).set_index("indicator")
    scot = outcomes.finish(scot_tot, inds, scale).set_index("indicator")
    for col in _CARRIED:
        long[f"rest_{col}"] = rest[col].to_numpy()
        long[f"scotland_{col}"] = long["indicator"].map(scot[col]).astype(float)
        long[f"council_{col}"] = long["indicator"].map(council[col]).astype(float)
    meta = {i.name: i for i in inds}
    long["label"] = long["indicator"].map(lambda n: meta[n].label)
    long["unit"] = long["indicator"].map(lambda n: meta[n].unit)
    long["higher_is_worse"] = long["indicator"].map(lambda n: meta[n].higher_is_worse)
    notes = []
    missing_ages = [w for w in AGE_GROUPS if w not in dz]
    used = {i.weight for i in inds}
    if missing_ages and used & set(missing_ages):
        notes.append("no single-year-of-age table in the data directory: indicators about an age group are "
                     "weighted by total population")
    long.attrs.update({"notes": notes, "population": dz.attrs.get("population", "simd2020v2"), "scale": scale})
    return long, inds, zones, by


PUBLIC = {"rest_value": "rest", "council_value": "council", "scotland_value": "scotland"}
COMPARE_COLUMNS = ["locality", "indicator", "label", "unit", "higher_is_worse", "value", "value_min", "value_max",
                   "lower", "upper", "coverage", "zones_missing", "zones_censored", "rest", "rest_lower", "rest_upper",
                   "council", "scotland", "scotland_lower", "scotland_upper", "ratio_rest", "gap_rest",
                   "rest_test_lower", "rest_test_upper", "p_rest", "vs_rest", "ratio_scotland", "gap_scotland",
                   "scotland_test_lower", "scotland_test_upper", "p_scotland", "vs_scotland"]


def compare(
    plan: Plan,
    dz: pd.DataFrame,
    indicators: list[Indicator | str] | None = None,
    scotland: pd.DataFrame | None = None,
    method: str = "difference",
    min_ratio: float = decide.MIN_RATIO,
    min_gap: dict[str, float] | None = None,
) -> pd.DataFrame:
    """Every locality × indicator against the rest of its council and against Scotland.

    Parameters
    ----------
    plan : Plan
    dz : GeoDataFrame
        The council's zones (all of them: the rest of the council is computed from them).
    indicators : list of str or Indicator, optional
        Default: every SIMD indicator the zone table has.
    scotland : DataFrame, optional
        Scotland totals from :func:`localities.outcomes.scotland_sums`; read from the
        zones' data directory, on the zones' population vintage, when omitted.
        Indicators Scotland has no totals for (an analyst's own) get ``"n/a"`` against it.
    method : {"difference", "scotpho", "bh", "funnel"}
        How significance is decided (see :mod:`localities.decide`).
    min_ratio : float
        Materiality: a locality is *worse* only when its value is at least this many
        times the comparator's in the worse direction (default 1.2). 1 switches it off.
    min_gap : dict, optional
        Materiality in an indicator's own unit, e.g. ``{"income_rate": 0.02}`` (2 points).

    Returns
    -------
    DataFrame
        Long table with the columns of :data:`COMPARE_COLUMNS`: the locality's value and
        95% interval (``value_min``/``value_max`` bound a censored value), the rest of
        the council's, the council's and Scotland's values, ``ratio_*`` and ``gap_*``
        against each, the two-sample interval (``*_test_lower``/``*_test_upper``: of the
        difference for proportions, of the ratio for rates) and p-value, and the verdicts
        ``vs_rest`` / ``vs_scotland`` (``worse``, ``slightly worse`` (significant but not
        material), ``not different``, ``slightly better``, ``better``, ``no interval``,
        ``no data`` or ``n/a``).
    """
    long, *_ = _judged(plan, dz, indicators, scotland, method, min_ratio, min_gap)
    out = long.rename(columns=PUBLIC)[COMPARE_COLUMNS]
    out.attrs = dict(long.attrs)
    return out


#: A locality not flagged poorer than Scotland whose people live in Scotland's most deprived
#: fifth of zones at this share (Scotland's own) times the materiality ratio or more says so
#: among its reasons.
DEPRIVED_SHARE = 0.2


def rank(
    plan: Plan,
    dz: pd.DataFrame,
    indicators: list[Indicator | str] | None = None,
    scotland: pd.DataFrame | None = None,
    headline: Mapping[str, float] | Sequence[str] = HEADLINE,
    method: str = "difference",
    min_ratio: float = decide.MIN_RATIO,
    min_gap: dict[str, float] | None = None,
) -> gpd.GeoDataFrame:
    """Rank a plan's localities, the most disadvantaged first, with the reasons.

    A locality is *poorer than the rest of the council* (``poorer_than_rest``) or *than
    Scotland* (``poorer_than_scotland``) when it is worse (significant and material, see
    :func:`compare`) on a ``headline`` indicator. The order is by tier (1: poorer than
    both; 2: poorer than one; 3: neither), so an unflagged locality never ranks above a
    flagged one, then by ``score``: the headline-weighted mean of each headline value
    over Scotland's (read in the worse direction; 1.0 = Scotland's level). Other
    indicators inform ``reasons`` and the profile, not the order, unless named in
    ``headline``.

    Parameters
    ----------
    headline : dict or list of str
        Headline indicators and their weights (default income and employment
        deprivation, equal weights).
    method : {"difference", "scotpho", "bh", "funnel"}
        How significance is decided (see :mod:`localities.decide`; default
        ``"difference"``, a two-sample 95% interval of the difference or ratio).
    min_ratio : float
        Materiality: a flag also needs the locality's value at least this many times the
        comparator's in the worse direction (default 1.2); 1 switches it off.
    min_gap : dict, optional
        Materiality in an indicator's own unit, needed as well as ``min_ratio``:
        ``{"income_rate": 0.02}`` is 2 percentage points (proportions run 0-1).
    indicators, scotland
        As in :func:`compare`.

    Returns
    -------
    GeoDataFrame
        One row per locality: ``rank, locality, name, population, zones, tier,
        tier_label, poorer_than_rest, poorer_than_scotland, score, reasons, rank_note,
        share_most_deprived_20, share_most_deprived_5, n_worse_rest, n_worse_scotland``,
        then per indicator its value, ``_rest``, ``_ratio_rest``, ``_ratio_scotland`` and
        ``_coverage``, and for those with an interval ``_lower``, ``_upper``,
        ``_vs_rest`` and ``_vs_scotland``. ``attrs`` holds the comparators' values,
        labels, units, the headline weights and the decision settings.
    """
    long, inds, zones, by = _judged(plan, dz, indicators, scotland, method, min_ratio, min_gap)
    facts, long.attrs = long.attrs, {}  # pandas deep-copies attrs at every step; they are only read at the end
    weights = _headline(headline, inds)
    meta = {i.name: i for i in inds}
    council = plan.council_name or (str(zones["council_name"].iloc[0]) if "council_name" in zones else "the council")
    kept = ["name", "places", "population", "zones", "geometry"] if "places" in plan.localities else \
        ["name", "population", "zones", "geometry"]
    table = plan.localities.set_index("locality")[kept].copy()
    pop = zones["population"].to_numpy(dtype=float)
    total = pd.Series(pop).groupby(by).sum()
    for band, col in (("20", "simd_quintile"), ("5", "simd_vigintile")):
        if col in zones:
            deprived = pd.Series(np.where(zones[col] == 1, pop, 0.0)).groupby(by).sum()
            table[f"share_most_deprived_{band}"] = (deprived / total.replace(0, np.nan)).reindex(table.index)
    for c in decide.COMPARATORS:
        table[f"n_worse_{c}"] = ((long[f"vs_{c}"] == decide.WORSE).groupby(long["locality"]).sum()
                                 .reindex(table.index).fillna(0).astype(int))
    head = long[long["indicator"].isin(list(weights))]
    for c in decide.COMPARATORS:
        table[f"poorer_than_{c}"] = ((head[f"vs_{c}"] == decide.WORSE).groupby(head["locality"]).any()
                                     .reindex(table.index).fillna(False).astype(bool))
    table["tier"] = 3 - table["poorer_than_rest"].astype(int) - table["poorer_than_scotland"].astype(int)
    table["tier_label"] = decide.tier_labels(table["poorer_than_rest"], table["poorer_than_scotland"])

    # Score: each headline value against Scotland's (the council's where Scotland has none),
    # read in the worse direction, averaged with the headline weights.
    ratio = head["ratio_scotland"].where(head["ratio_scotland"].notna(), head["value"] / head["council_value"])
    oriented = np.where(head["higher_is_worse"].astype(bool), ratio, 1 / ratio)
    w = head["indicator"].map(weights).where(np.isfinite(oriented), 0.0)
    frame = pd.DataFrame({"locality": head["locality"], "wx": np.nan_to_num(oriented) * w, "w": w})
    agg = frame.groupby("locality")[["wx", "w"]].sum()
    table["score"] = (agg["wx"] / agg["w"].replace(0, np.nan)).reindex(table.index)

    columns = {}
    for name, rows in long.groupby("indicator", sort=False):
        rows = rows.set_index("locality").reindex(table.index)
        fields = {"": "value", "_lower": "lower", "_upper": "upper", "_rest": "rest_value",
                  "_ratio_rest": "ratio_rest", "_ratio_scotland": "ratio_scotland", "_vs_rest": "vs_rest", "_vs_scotland": "vs_scotland",
                  "_coverage": "coverage"}
        for suffix, col in fields.items():
            if meta[name].has_interval or suffix not in ("_lower", "_upper", "_vs_rest", "_vs_scotland"):
                columns[f"{name}{suffix}"] = rows[col]
    table = pd.concat([table, pd.DataFrame(columns, index=table.index)], axis=1)

    fields = ["locality", "indicator", "value", "rest_value", "scotland_value", "ratio_rest", "ratio_scotland",
              "gap_rest", "gap_scotland",
              "vs_rest", "vs_scotland"]
    records: dict = {}
    for rec in pd.DataFrame(long[fields]).to_dict("records"):
        records.setdefault(rec["locality"], {})[rec["indicator"]] = rec
    table["reasons"] = [decide.reasons(records[loc], meta, weights, council, min_ratio, min_gap=min_gap)
                        if loc in records else ""
                        for loc in table.index]
    if "share_most_deprived_20" in table:
        # A locality's average can hide its most deprived streets: Falkirk's Lochgreen and
        # Hallglen, "not significantly poorer", had 36% of its people in Scotland's most
        # deprived fifth of zones, and its profile's Why said nothing of them. Said where the
        # share is material as a flag is (x1.2 Scotland's fifth: 22% is hardly more than a
        # fifth), in a sentence of its own (after "; and" it read as one more item of a list).
        share = table["share_most_deprived_20"]
        hidden = ~table["poorer_than_scotland"] & (share >= DEPRIVED_SHARE * min_ratio)
        table.loc[hidden, "reasons"] = [
            f"{why + '. ' if why else ''}{'Yet' if not rest else 'And'} {p:.0%} of its people live in zones among "
            "Scotland's 20% most deprived (SIMD 2020v2), against a fifth of Scotland's people"
            for why, p, rest in zip(table.loc[hidden, "reasons"], share[hidden], table.loc[hidden, "poorer_than_rest"])]
    # Scores equal to 3 decimals are a tie, ordered by name (and said so in rank_note).
    order = table.assign(_score=table["score"].round(3).fillna(-np.inf)).sort_values(
        ["tier", "_score", "name"], ascending=[True, False, True], kind="stable").drop(columns="_score")
    order.insert(0, "rank", np.arange(1, len(order) + 1))
    order["rank_note"] = _rank_notes(order)
    order = order.reset_index()
    first = ["rank", "locality", "name", "population", "zones", "tier", "tier_label", "poorer_than_rest",
             "poorer_than_scotland", "score", "reasons", "rank_note", "share_most_deprived_20", "share_most_deprived_5",
             "n_worse_rest", "n_worse_scotland"]
    first = [c for c in first if c in order]
    # The places last, so the indicator columns keep the positions scripts may read them at.
    last = ["places"] if "places" in order else []
    rest = [c for c in order.columns if c not in first and c not in last and c != "geometry"]
    out = gpd.GeoDataFrame(order[first + rest + last + ["geometry"]], geometry="geometry", crs=plan.localities.crs)
    comparators = long.drop_duplicates("indicator").set_index("indicator")
    out.attrs = {
        "council": plan.council_name,
        "headline": list(weights),
        "headline_weights": weights,
        "labels": {i.name: i.label for i in inds},
        "units": {i.name: i.unit for i in inds},
        "scotland": comparators["scotland_value"].to_dict(),
        "council_value": comparators["council_value"].to_dict(),
        "method": method,
        "min_ratio": float(min_ratio),
        "min_gap": dict(min_gap or {}),
        "population": facts.get("population"),
        "notes": facts.get("notes", []) + _untested(weights, inds) + _vintage_note(facts.get("population"))
        + _funnel_note(method, len(order)),
        "data_dir": dz.attrs.get("data_dir"),
        "label_points": plan.localities.attrs.get("label_points", {}),
        "ward_people": plan.localities.attrs.get("ward_people", {}),
        # Why the plan is not one under the 2016 Regulations (empty when it is): maps, profiles
        # and the command line say so, so a board is not shown a plan it cannot adopt as if it could.
        "regulation_problems": _regulation_problems(plan, dz),
        # What building or reading the plan found (its count, split zones, ...): a workbook
        # carries it to whoever reads the ranking without the plan.
        "plan_notes": list(plan.notes),
    }
    if "simd_quintile" in dz:
        # Zones in Scotland's most deprived fifth inside localities not flagged poorer than Scotland: a locality's
        # average can hide them (no part of Bo'ness was ever flagged), and the map says so.
        from .inequality import masked_pockets  # beside inequality, which imports this module

        pockets = masked_pockets(plan, dz, out)
        rest_only = pockets.loc[pockets["locality_flag"] != decide.TIER_LABELS[-1], "locality"].nunique()
        out.attrs["masked_pockets"] = {"zones": len(pockets), "people": int(pockets["population"].sum()),
                                       "localities": int(pockets["locality"].nunique()), "rest_only": int(rest_only)}
    return out


def _vintage_note(population) -> list[str]:
    """What people counted by another estimate than SIMD 2020v2's does to the rates: East
    Lothian's Musselburgh went from 13.4% to 13.9% income deprived under mid-2021 people,
    with nothing in the workbook to say why two runs disagreed."""
    if population in (None, "simd2020v2"):
        return []
    from .vintages import counted_with

    words = counted_with({"population": population})
    return [f"people counted with the {words}, not the mid-2017 estimates SIMD 2020v2 uses: rates over all people "
            "(income deprivation, crime, ...) divide SIMD 2020v2's counts by them, here and for Scotland, and so "
            "differ from SIMD's published rates; employment deprivation keeps SIMD's working-age population"]


def _regulation_problems(plan: Plan, dz: pd.DataFrame) -> list[str]:
    """:func:`localities.check`'s problems with the plan against the statutory ceiling;
    none, without the check, for a plan of the council's every zone once in localities of
    at most 30,000 people (an ensemble's plans, checked already: the check cost it 13%)."""
    from .build import CEILING
    from .regulation import check, too_big

    zones = plan.assignment.index
    if (plan.localities["population"] <= CEILING).all() and zones.is_unique and len(zones) == len(dz) \
            and zones.isin(dz["datazone"]).all() and ("council" not in dz or dz["council"].nunique() == 1):
        return []
    if "geometry" not in dz:
        # check() needs the polygons (to count each locality's parts); rank never did. Without
        # them, only the statutory test: over 30,000 people and not exactly a ward's zones.
        if "ward" not in dz:
            return []
        wards = {frozenset(z) for z in dz.groupby("ward")["datazone"].agg(list)}
        zones_of = plan.assignment.groupby(plan.assignment).groups
        big = plan.localities[(plan.localities["population"] > CEILING)
                              & ~plan.localities["locality"].map(lambda loc: frozenset(zones_of[loc]) in wards)]
        return [too_big(big["locality"], big["name"], big["population"], CEILING)] if len(big) else []
    report = check(plan, dz)
    return [] if report.ok else list(report.problems)


def _rank_notes(order: pd.DataFrame) -> list[str]:
    """Why a locality sits next to another: ties in tier and score, and missing data."""
    key = list(zip(order["tier"], order["score"].round(3)))
    groups: dict = {}
    for k, name in zip(key, order["name"]):
        groups.setdefault(k, []).append(name)
    coverage = [c for c in order.columns if c.endswith("_coverage")]
    empty = pd.DataFrame(order[coverage]).eq(0).to_numpy()
    notes = []
    for i, (k, name, score) in enumerate(zip(key, order["name"], order["score"])):
        others = [n for n in groups[k] if n != name]
        note = ""
        if others and np.isfinite(score):
            note = f"ties with {listing(others, 3)} on tier {k[0]} and score {score:.3f}; ordered by name"
        no_data = [c[: -len("_coverage")] for c, e in zip(coverage, empty[i]) if e]
        if no_data:
            note = "; ".join(filter(None, [note, f"no data for {', '.join(no_data)}"]))
        notes.append(note)
    return notes


def __getattr__(name: str):
    """``from localities.rank import inequality, masked_pockets`` as before they moved to
    :mod:`localities.inequality` (which imports this module, so not imported at its top)."""
    if name in ("inequality", "masked_pockets"):
        import importlib

        return getattr(importlib.import_module(f"{__package__}.inequality"), name)  # the module, not loc.inequality
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
