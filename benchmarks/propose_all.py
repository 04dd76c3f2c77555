"""Propose regions for all 32 councils, then compare with spopt's MaxPHeuristic on Glasgow City.

    pip install -e ".[bench]"
    python benchmarks/propose_all.py [DATA_DIR] [--floor 7000] [--spopt-iterations 99]

Targets: all 32 councils in under 10 s on 2 cores; on Glasgow City at least 20x faster
than spopt, no locality over 30,000, within-locality variance of SIMD income rank no
worse when both build from Data Zones (``unit="datazone"``; the default whole-IZ plans
are shown beside it, since whole neighbourhoods cost some homogeneity). spopt's max-p has a population floor, not a ceiling, so the floor is chosen to
land every region under 30,000; our plan is made twice, at a 10,000 target and at the
target that gives spopt's number of regions, because variance falls as regions shrink.
"""

from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path

import pandas as pd

import localities as loc

CEILING = 30_000


def propose_all(dz_all, target: int | None, unit: str = "iz") -> tuple[float, list[str], str]:
    """Propose and check every council; time, non-compliant councils, and the share of
    Intermediate Zones kept whole in one locality."""
    councils = [dz.reset_index(drop=True) for _, dz in dz_all.groupby("council_name")]
    started = time.perf_counter()
    failures, plans = [], []
    for dz in councils:
        plan = loc.propose(dz, max_population=CEILING, target_population=target, seed=0, unit=unit)
        report = loc.check(plan, dz)
        if not report.ok or plan.localities["population"].sum() != dz["population"].sum():
            failures.append(dz["council_name"].iloc[0])
        plans.append(plan)
    seconds = time.perf_counter() - started
    whole = total = 0
    for dz, plan in zip(councils, plans):
        per_iz = plan.assignment.reindex(dz["datazone"]).groupby(dz["iz"].to_numpy()).nunique()
        whole, total = whole + int((per_iz == 1).sum()), total + len(per_iz)
    return seconds, failures, f"IZs kept whole {whole:,} of {total:,} ({whole / total:.1%})"


def row(label: str, seconds: float, plan, dz) -> dict:
    q = loc.quality(plan, dz)
    return {"method": label, "seconds": round(seconds, 3), "localities": q["localities"],
            "over_30000": int((plan.localities["population"] > CEILING).sum()),
            "pop_min": q["population_min"], "pop_max": q["population_max"],
            "within_variance": round(q["within_variance"]), "polsby_popper": round(q["mean_polsby_popper"], 3)}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("data_dir", nargs="?", default=str(Path(__file__).resolve().parents[2] / "shared/data/scotland"))
    p.add_argument("--target", type=int, default=10_000)
    p.add_argument("--floor", type=int, default=7_000, help="spopt population floor (default 7,000)")
    p.add_argument("--spopt-iterations", type=int, default=99,
                   help="spopt max_iterations_construction (its default, 99)")
    p.add_argument("--skip-spopt", action="store_true")
    p.add_argument("--all-settings", action="store_true",
                   help="also propose at the default settings (no target) and with unit='datazone'")
    args = p.parse_args()

    started = time.perf_counter()
    dz_all = loc.load_datazones(data_dir=args.data_dir)
    print(f"loaded {len(dz_all):,} zones in {time.perf_counter() - started:.2f} s")
    propose_all(dz_all[dz_all["council_name"] == "Orkney Islands"], args.target)  # warm imports and caches
    settings = ((args.target, "iz"), (None, "iz"), (args.target, "datazone")) if args.all_settings else ((args.target, "iz"),)
    for target, unit in settings:
        seconds, failures, whole = propose_all(dz_all, target, unit)
        print(f"propose + check, all 32 councils (target {f'{target:,}' if target else 'none'}, unit={unit}): "
              f"{seconds:.2f} s   target < 10 s: {'PASS' if seconds < 10 else 'FAIL'}; "
              f"non-compliant: {failures or 'none'}; {whole}")
    if args.skip_spopt:
        return

    from libpysal import weights
    from spopt.region import MaxPHeuristic

    dz = dz_all[dz_all["council_name"] == "Glasgow City"].reset_index(drop=True)

    def ours(target: int, unit: str) -> dict:
        started = time.perf_counter()
        plan = loc.propose(dz, max_population=CEILING, target_population=target, seed=0, unit=unit)
        return row(f"localities target {target:,} unit={unit}", time.perf_counter() - started, plan, dz)

    rows = [ours(args.target, "iz"), ours(args.target, "datazone")]
    t = time.perf_counter()
    w = weights.Queen.from_dataframe(dz, use_index=False, silence_warnings=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = MaxPHeuristic(dz, w, ["income_rank"], "population", args.floor, top_n=2,
                              max_iterations_construction=args.spopt_iterations)
        model.solve()
    spopt_seconds = time.perf_counter() - t
    labels = pd.Series(model.labels_, index=dz["datazone"]).astype(str)
    spopt_plan = loc.plan_from_assignment(dz, labels, method="spopt-maxp")
    spopt = row(f"spopt MaxPHeuristic floor {args.floor:,}", spopt_seconds, spopt_plan, dz)
    matched = round(dz["population"].sum() / model.p)
    same_dz, same_iz = ours(matched, "datazone"), ours(matched, "iz")
    same_dz["method"] += " (spopt's count)"
    same_iz["method"] += " (spopt's count)"
    rows += [spopt, same_dz, same_iz]

    table = pd.DataFrame(rows)
    print(f"\nGlasgow City, {len(dz)} zones, {int(dz['population'].sum()):,} people; variance of SIMD income rank")
    print(table.to_string(index=False))
    ratio = spopt_seconds / max(r["seconds"] for r in rows if r is not spopt)  # our slowest run
    # Like for like: spopt builds from Data Zones, so its match is ours with unit="datazone".
    no_worse = same_dz["within_variance"] <= spopt["within_variance"]
    print(f"\nspeed ratio spopt / localities (our slowest run): {ratio:.0f}x   target >= 20x: {'PASS' if ratio >= 20 else 'FAIL'}")
    print(f"localities over 30,000: ours {sum(r['over_30000'] for r in rows if r is not spopt)}, spopt {spopt['over_30000']}")
    print(f"within variance at spopt's count, both from Data Zones: ours {same_dz['within_variance']:,} vs spopt "
          f"{spopt['within_variance']:,}   no worse: {'PASS' if no_worse else 'FAIL'}")
    print(f"whole IZs (unit='iz') at spopt's count: {same_iz['within_variance']:,} "
          f"({same_iz['within_variance'] / spopt['within_variance']:.2f}x spopt's; the price of whole neighbourhoods)")

if __name__ == "__main__":
    main()
