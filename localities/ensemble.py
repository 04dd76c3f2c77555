"""Would the answer survive a different plan? An ensemble of compliant plans, and the
areas flagged in most of them.

:func:`ensemble` proposes many plans for one council with parameters drawn from the
ranges the analyst gives (seed, target size, ``within``, ``unit``, homogeneity and
compactness weights), checks each against the 2016 Regulations, ranks each with the
same decision rule as :func:`localities.rank`, and counts, zone by zone, how often the
zone lies in a locality flagged poorer than the rest of the council, than Scotland,
and than both. Districting answers "does it depend on the lines?" the same way
(gerrychain, redist); here the plans are drawn by varying the builder's parameters.

**Robust priority areas** are the contiguous groups of zones flagged (against either
comparator) in at least ``share`` of the plans (:data:`ROBUST_SHARE`, two in three, by
default), split under the 30,000 ceiling where needed and named from their Intermediate
Zones. :meth:`Ensemble.priority_plan` makes
them localities of a full plan.

Parallel: plans run through :class:`joblib.Parallel` (``n_jobs``). Each plan's
parameters come from ``numpy.random.default_rng([seed, i])`` for plan index ``i``, and
results are put back in plan order, so 1 worker, 2 workers or a cluster give the same
result. On a dask cluster (dask is not a dependency)::

    from dask.distributed import Client
    client = Client("tcp://scheduler:8786")
    result = loc.ensemble(dz, n=2000, client=client)   # joblib's "dask" backend

or ``with joblib.parallel_config(backend="dask"): loc.ensemble(dz, n=2000, n_jobs=-1)``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

from . import decide
from .build import CEILING, Plan, _check_options, propose
from .errors import PlanError, counted, listing
from .priority import priority_areas
from .search import SEARCHES

VARY_KEYS = ("seed", "target_population", "within", "unit", "homogeneity", "compactness", "town_country")
DEFAULT_VARY = {"seed": range(1000), "target_population": [5_000, 7_500, 10_000, 15_000, 20_000],
                "within": [None, "ward"], "unit": ["iz", "datazone"], "homogeneity": (0.5, 2.0),
                "compactness": (0.5, 2.0)}
HEADLINE = {"income_rate": 1.0, "employment_rate": 1.0}


# ---------------------------------------------------------------------------- parameters

def _check_vary(vary: Mapping, dz: pd.DataFrame, max_population: int) -> dict:
    if not isinstance(vary, Mapping):
        raise PlanError(f"vary must be a dict of parameter -> choices or (low, high), not {type(vary).__name__}")
    unknown = [k for k in vary if k not in VARY_KEYS]
    if unknown:
        raise PlanError(f"vary: {'unknown parameter' if len(unknown) == 1 else 'unknown parameters'} {', '.join(map(repr, unknown))}; valid: {', '.join(VARY_KEYS)}")
    out = {}
    for key in VARY_KEYS:
        if key not in vary:
            continue
        spec = vary[key]
        if isinstance(spec, tuple):
            if len(spec) != 2 or not all(isinstance(v, (int, float, np.integer, np.floating)) and np.isfinite(v)
                                         for v in spec):
                raise PlanError(f"vary[{key!r}]: a tuple is a range (low, high) of numbers, not {spec!r}")
            if not spec[0] <= spec[1]:  # "--homogeneity 2 1": LOW first
                raise PlanError(f"vary[{key!r}]: the range's low end comes first: ({spec[1]:g}, {spec[0]:g}), "
                                f"not ({spec[0]:g}, {spec[1]:g})")
            if key in ("within", "unit"):
                raise PlanError(f"vary[{key!r}] takes a list of choices, not a range")
        elif isinstance(spec, (str, bytes)) or spec is None or not isinstance(spec, (Sequence, range, np.ndarray)):
            spec = [spec]
        else:
            spec = list(spec)
            if not spec:
                raise PlanError(f"vary[{key!r}] is empty: give at least one value")
        values = spec if isinstance(spec, list) else list(spec)
        if key in ("seed", "target_population", "homogeneity", "compactness", "town_country"):
            # Each value as propose would take it, so a bad one fails here, not in every plan.
            for v in values:
                if key == "target_population" and v is None:
                    continue
                try:
                    _check_options(**{"seed": 0, "homogeneity": 1.0, "compactness": 1.0, "town_country": 1.0, key: v})
                except PlanError as exc:
                    raise PlanError(f"vary[{key!r}] {str(exc).removeprefix(key + ' ')}") from None
        if key == "target_population" and any(v is not None and v > max_population for v in values):
            raise PlanError(f"vary['target_population']: sizes must be at most the ceiling ({max_population:,}), "
                            f"not {values}")
        if key == "within":
            bad = [w for w in values if w is not None and {"ward": "ward", "iz": "iz"}.get(w, w) not in dz]
            if bad:
                raise PlanError(f"vary['within']: no zone column for {', '.join(map(repr, bad))}; use None, 'ward', "
                                "'iz' or a column of the zone table")
        if key == "unit" and any(u not in ("iz", "datazone") for u in values):
            raise PlanError(f"vary['unit'] takes 'iz' and/or 'datazone', not {values}")
        out[key] = spec
    return out


def draw(vary: Mapping, seed: int, i: int) -> dict:
    """Parameters of plan ``i``: from ``default_rng([seed, i])``, one draw per varied
    parameter in a fixed order; a tuple ``(low, high)`` is a uniform range (whole
    numbers for ``seed`` and ``target_population``), anything else a list to pick from."""
    rng = np.random.default_rng([seed, i])
    params = {}
    for key in VARY_KEYS:
        if key not in vary:
            continue
        spec = vary[key]
        if isinstance(spec, tuple):
            lo, hi = spec
            if key in ("seed", "target_population"):
                params[key] = int(rng.integers(int(lo), int(hi) + 1))
            else:
                params[key] = float(rng.uniform(lo, hi))
        else:
            value = spec[int(rng.integers(len(spec)))]
            params[key] = value.item() if isinstance(value, np.generic) else value
    return params


def _run_chunk(indices, vary, seed, dz, fixed, rank_kwargs):
    """Propose, check and rank plans ``indices`` (one worker's share)."""
    from .rank import rank
    from .regulation import check

    codes = dz["datazone"].to_numpy()
    out = []
    # geography.neighbours remembers the council's contiguity: computed once per worker.
    for i in indices:
        params = {**fixed, **draw(vary, seed, i)}
        rec = {"plan": i, **{k: params.get(k) for k in VARY_KEYS}}
        try:
            plan = propose(dz, **params)
        except PlanError as exc:
            out.append({**rec, "ok": False, "problem": str(exc)})
            continue
        report = check(plan, dz, max_population=fixed.get("max_population", CEILING))
        rec.update(ok=report.ok, problem="; ".join(report.problems), localities=len(plan),
                   within_variance=report.quality.get("within_variance", np.nan),
                   mean_polsby_popper=report.quality.get("mean_polsby_popper", np.nan))
        if report.ok:
            table = rank(plan, dz, **rank_kwargs)
            labels, uniques = pd.factorize(plan.assignment.reindex(codes).astype(str))
            t = table.set_index("locality").reindex(uniques)
            rec.update(labels=labels.astype(np.int32), tier=t["tier"].to_numpy(dtype=np.int8),
                       rank=t["rank"].to_numpy(dtype=np.int32),
                       rest=t["poorer_than_rest"].to_numpy(dtype=bool),
                       scotland=t["poorer_than_scotland"].to_numpy(dtype=bool),
                       tier1=int((t["tier"] == 1).sum()), flagged=int((t["tier"] < 3).sum()))
        out.append(rec)
    return out


def _progress(total: int, show: bool | None):
    from tqdm import tqdm

    if show is None:
        show = sys.stderr.isatty() or bool(os.environ.get("LOCALITIES_PROGRESS"))
    return tqdm(total=total, disable=not show, desc="plans", unit="plan", file=sys.stderr)


# ---------------------------------------------------------------------------- result

#: Robust priority areas hold zones flagged in at least this share of plans by default. At
#: one half, a zone flagged only when one varied choice goes one way was let in: Inverclyde's
#: Kilmacolm, flagged in exactly the half of plans drawn within wards, which join it to Port
#: Glasgow, made a priority area of "Port Glasgow, Greenock East and 2 more" with its
#: number on Kilmacolm's fields.
ROBUST_SHARE = 2 / 3


def share_words(share: float) -> str:
    """How many plans ``share`` is, as a board reads it after "in at least": "two plans in
    three", "half of plans", "80% of plans" ("67%" had said less than the rule: 20 of 30
    plans, 66.7%, count)."""
    for value, words in ((2 / 3, "two plans in three"), (1 / 3, "one plan in three"), (0.5, "half of plans"),
                         (0.75, "three plans in four"), (0.25, "one plan in four"), (1.0, "every plan")):
        if abs(share - value) < 1e-9:
            return words
    return f"{share:.0%} of plans" if abs(share * 100 - round(share * 100)) < 1e-9 else f"{share:.1%} of plans"


@dataclass
class Ensemble:
    """What :func:`ensemble` found.

    Attributes
    ----------
    zones : GeoDataFrame
        One row per zone: ``datazone, iz_name, population, plans`` (compliant plans),
        ``share_rest``, ``share_scotland``, ``share_both``, ``share_either`` (share of
        plans in which the zone's locality is flagged poorer than the rest of the
        council, than Scotland, than both, than either), ``priority_area``; geometry.
    plans : DataFrame
        One row per plan, in plan order: its parameters, ``ok``, ``problem``,
        ``localities``, ``tier1``, ``flagged``, ``within_variance``, ``mean_polsby_popper``.
    reference : GeoDataFrame
        The reference plan's localities as ranked, with ``tier_holds`` (share of plans in
        which the locality holding most of its people has the same tier),
        ``people_same_tier`` (mean share of its people in a locality of that tier),
        ``rank_median``, ``rank_p10``, ``rank_p90``, ``rank_percentile_median``.
    priority : GeoDataFrame
        Robust priority areas: ``area, name, population, zones, share_either_mean,
        share_either_min, share_both_mean, simd_deciles`` (the SIMD 2020v2 deciles of its
        zones, ``"1-10"``: an area is flagged by its localities' figures and can hold zones
        that are not deprived themselves), ``most_deprived_20`` (share of its people in
        Scotland's 20% most deprived zones), ``places, split``; geometry.
    share : float
        The threshold used for ``priority``.
    """

    zones: gpd.GeoDataFrame
    plans: pd.DataFrame
    reference: gpd.GeoDataFrame
    priority: gpd.GeoDataFrame
    share: float
    settings: dict = field(default_factory=dict)

    def __repr__(self) -> str:
        ok = int(self.plans["ok"].sum())
        distinct = self.settings.get("distinct")
        different = f" ({distinct} different)" if distinct is not None and distinct < ok else ""
        return (f"<Ensemble {self.settings.get('council') or ''}: {ok} compliant plans of {len(self.plans)}{different}, "
                f"{counted(len(self.priority), 'robust priority area', 'robust priority areas')} (zones flagged in "
                f"at least {share_words(self.share)})>")

    def priority_plan(self, dz: gpd.GeoDataFrame, target_population: int | None = None) -> Plan:
        """A full plan: each robust priority area a locality (ids ``P01``...), the rest of
        the council in population-capped regions (``R01``...) that never join two parts
        the priority areas separate, of about ``target_population`` people (default: the
        median target of the ensemble's compliant plans; the fewest the ceiling allowed had
        made Na h-Eileanan Siar's rest one locality of 18,000 from Broadbay to Barra)."""
        from .priority import priority_plan

        return priority_plan(self, dz, target_population)

    def plot(self, column: str = "share_either", title: str | None = None):
        """A4 board-paper map of a per-zone share (default: flagged against either
        comparator), with the robust priority areas outlined and numbered and a key to
        them (:mod:`localities.ensemble_map`). Returns a matplotlib Figure."""
        from .ensemble_map import plot_shares

        return plot_shares(self, column, title)


# ---------------------------------------------------------------------------- the ensemble

def local_workers(n_jobs: int, n: int) -> int:
    """The processes ``n_jobs`` starts on this machine for ``n`` plans: joblib's count (-1 every
    core, -2 every core but one), and never more than the cores or the plans: each holds the
    zones (~250 MiB), and --jobs 1000 for 2 plans started a thousand processes."""
    from joblib import effective_n_jobs

    return max(1, min(effective_n_jobs(n_jobs), os.cpu_count() or 1, n))


def ensemble(
    dz: gpd.GeoDataFrame,
    n: int = 100,
    vary: Mapping | None = None,
    seed: int = 0,
    n_jobs: int = 1,
    share: float = ROBUST_SHARE,
    reference: Plan | None = None,
    scotland: pd.DataFrame | None = None,
    headline: Mapping[str, float] | Sequence[str] = HEADLINE,
    method: str = "difference",
    min_ratio: float = decide.MIN_RATIO,
    min_gap: dict | None = None,
    max_population: int = CEILING,
    client=None,
    progress: bool | None = None,
    search: str = "descent",
) -> Ensemble:
    """Many compliant plans for one council, and what holds across them.

    Parameters
    ----------
    dz : GeoDataFrame
        The council's zones (from :func:`localities.load_datazones`).
    n : int
        Number of plans.
    vary : dict, optional
        Parameters of :func:`localities.propose` to vary, among ``seed``,
        ``target_population``, ``within``, ``unit``, ``homogeneity``, ``compactness``,
        ``town_country``: a list (or range) of choices, or a tuple ``(low, high)`` for a
        uniform range. Default :data:`DEFAULT_VARY` (targets 5,000-20,000, within wards
        or not, IZ or Data Zone blocks, weights 0.5-2).
    seed : int
        Plan ``i``'s parameters come from ``numpy.random.default_rng([seed, i])``.
    n_jobs : int
        joblib workers (-1: every core); at most the cores and the plans on this machine. The
        result does not depend on it.
    share : float
        Robust priority areas: zones flagged in at least this share of plans (0-1]; by
        default two in three (:data:`ROBUST_SHARE`).
    reference : Plan, optional
        Plan whose localities are followed across the ensemble (default: the wards).
    scotland : DataFrame, optional
        :func:`localities.outcomes.scotland_sums`, read once when omitted.
    headline, method, min_ratio, min_gap
        The decision rule, as in :func:`localities.rank`.
    max_population : int
        The ceiling plans are built and checked against (30,000).
    client : dask.distributed.Client, optional
        Run on a dask cluster through joblib's ``"dask"`` backend.
    progress : bool, optional
        Progress bar on stderr (default: when stderr is a terminal).
    search : {"descent", "anneal"}
        How each plan's boundaries are searched (:func:`localities.propose`). Descent
        by default: an ensemble is about many different plans, and annealing each one
        costs several times more (pass ``"anneal"`` for the most homogeneous plans).

    Returns
    -------
    Ensemble
    """
    from .zonetable import _one_council, _zones
    from .outcomes import scotland_sums
    from .rank import rank

    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise PlanError(f"n must be a whole number of plans, at least 1, not {n!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise PlanError(f"seed must be a whole number 0 or more, not {seed!r}")
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, (int, np.integer)) or n_jobs == 0:
        raise PlanError(f"n_jobs must be a whole number of workers (-1 for every core), not {n_jobs!r}")
    if isinstance(share, bool) or not isinstance(share, (int, float)) or not 0 < share <= 1:
        raise PlanError(f"share must be a number above 0 and at most 1, not {share!r}")
    if reference is not None and not isinstance(reference, Plan):
        raise PlanError(f"reference must be a Plan, not {type(reference).__name__}")
    dz = _zones(dz).sort_values("datazone").reset_index(drop=True)
    if not len(dz):
        raise PlanError("no zones to build plans from")
    if search not in SEARCHES:
        raise PlanError(f"search must be one of {', '.join(SEARCHES)}, not {search!r}")
    # Only plain values in attrs: pandas deep-copies attrs on every operation of every plan.
    dz.attrs = {k: v for k, v in dz.attrs.items() if isinstance(v, (str, int, float, bool)) or v is None}
    council, council_name = _one_council(dz)
    vary = _check_vary(DEFAULT_VARY if vary is None else vary, dz, max_population)
    if scotland is None:
        scotland = scotland_sums(dz.attrs.get("data_dir"), population=dz.attrs.get("population", "simd2020v2"))
    rank_kwargs = {"scotland": scotland, "headline": headline, "method": method, "min_ratio": min_ratio,
                   "min_gap": min_gap}
    if reference is None:
        reference = propose(dz, method="wards") if "ward" in dz else propose(dz, max_population=max_population)
    ref_table = rank(reference, dz, **rank_kwargs)  # also checks the decision options up front
    fixed = {"max_population": max_population, "search": search}

    from joblib import Parallel, delayed, parallel_config

    workers = 1 if n_jobs == 1 and client is None else n_jobs
    if client is None and workers != 1:
        workers = local_workers(workers, n)
    chunk = 1 if workers == 1 else max(1, min(8, n // (4 * (os.cpu_count() if workers < 0 else workers))))
    chunks = [list(range(i, min(i + chunk, n))) for i in range(0, n, chunk)]
    records = []
    bar = _progress(n, progress)
    try:
        backend = {"backend": "dask", "client": client} if client is not None else {}
        with parallel_config(**backend):
            runner = Parallel(n_jobs=workers if client is None else -1, return_as="generator")
            for part in runner(delayed(_run_chunk)(idx, vary, seed, dz, fixed, rank_kwargs) for idx in chunks):
                records.extend(part)
                bar.update(len(part))
    finally:
        bar.close()
    records.sort(key=lambda r: r["plan"])
    ok = [r for r in records if r.get("ok") and "labels" in r]
    plans = pd.DataFrame([{k: v for k, v in r.items() if k not in ("labels", "tier", "rank", "rest", "scotland")
                           and (k not in VARY_KEYS or k in vary)} for r in records])
    if not ok:
        raise PlanError(f"none of the {n} plans complied: {listing(plans['problem'].unique(), 3)}")

    m = len(ok)
    # Different parameters can give the same plan (a ward-bound plan at two targets, say).
    distinct = len({r["labels"].tobytes() for r in ok})
    rest = np.zeros(len(dz))
    scot = np.zeros(len(dz))
    both = np.zeros(len(dz))
    for r in ok:
        fr, fs = r["rest"][r["labels"]], r["scotland"][r["labels"]]
        rest += fr
        scot += fs
        both += fr & fs
    keep = [c for c in ("datazone", "name", "iz", "iz_name", "ward_name", "population") if c in dz]
    zones = gpd.GeoDataFrame(dz[keep].copy(), geometry=dz.geometry.to_numpy(), crs=dz.crs)
    zones["plans"] = m
    zones["share_rest"], zones["share_scotland"] = rest / m, scot / m
    zones["share_both"] = both / m
    zones["share_either"] = (rest + scot - both) / m

    ref = _follow_reference(reference, ref_table, dz, ok)
    priority, area_of = priority_areas(zones, dz, share, max_population)
    zones["priority_area"] = zones["datazone"].map(area_of)
    settings = {"council": council_name, "council_code": council, "n": n, "seed": seed, "share": share,
                "vary": {k: (list(v) if isinstance(v, tuple) else [str(x) if x is not None else None for x in v])
                         for k, v in vary.items()},
                "method": method, "min_ratio": float(min_ratio), "headline": list(dict(headline) if isinstance(
                    headline, Mapping) else headline), "max_population": max_population,
                "compliant": m, "distinct": distinct, "reference": reference.method}
    return Ensemble(zones=zones, plans=plans, reference=ref, priority=priority, share=share, settings=settings)


def _follow_reference(reference: Plan, table: gpd.GeoDataFrame, dz: pd.DataFrame, ok: list[dict]) -> gpd.GeoDataFrame:
    """How each reference locality fares across the plans: its tier, and the rank of
    the locality holding most of its people."""
    codes = dz["datazone"].to_numpy()
    pop = dz["population"].to_numpy(dtype=float)
    ref_lab, ref_uniques = pd.factorize(reference.assignment.reindex(codes).astype(str))
    t = table.set_index("locality").reindex(ref_uniques)
    ref_tier = t["tier"].to_numpy()
    k = len(ref_uniques)
    holds = np.zeros(k)
    same_people = np.zeros(k)
    ranks = np.zeros((len(ok), k))
    pct = np.zeros((len(ok), k))
    ref_pop = np.bincount(ref_lab, weights=pop, minlength=k)
    for j, r in enumerate(ok):
        labels = r["labels"]
        nl = len(r["tier"])
        people = np.zeros((k, nl))
        np.add.at(people, (ref_lab, labels), pop)
        best = people.argmax(axis=1)
        holds += r["tier"][best] == ref_tier
        same = (r["tier"][None, :] == ref_tier[:, None])
        same_people += (people * same).sum(axis=1) / np.where(ref_pop > 0, ref_pop, 1)
        ranks[j] = r["rank"][best]
        pct[j] = r["rank"][best] / nl
    out = table.copy()
    idx = pd.Index(ref_uniques).get_indexer(out["locality"].astype(str))
    m = len(ok)
    out.insert(out.columns.get_loc("tier") + 1, "tier_holds", (holds / m)[idx])
    out.insert(out.columns.get_loc("tier_holds") + 1, "people_same_tier", (same_people / m)[idx])
    out.insert(out.columns.get_loc("people_same_tier") + 1, "rank_median",
               np.percentile(ranks, 50, axis=0, method="nearest")[idx])
    # Ranks that occurred ("rank 6.3" read as a rank no plan gave).
    out.insert(out.columns.get_loc("rank_median") + 1, "rank_p10",
               np.percentile(ranks, 10, axis=0, method="nearest")[idx])
    out.insert(out.columns.get_loc("rank_p10") + 1, "rank_p90", np.percentile(ranks, 90, axis=0, method="nearest")[idx])
    out.insert(out.columns.get_loc("rank_p90") + 1, "rank_percentile_median", np.median(pct, axis=0)[idx])
    return out
