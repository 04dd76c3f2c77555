"""Seed stability of proposed regions: does a neighbourhood land in the same locality
whatever the seed?

    python benchmarks/stability.py [DATA_DIR] [--target 10000] [--seeds 10] [--unit iz]

For each of five councils, plans are made with seeds 0..N-1 and compared:

* ``changed``: share of zones whose locality differs from seed 0's, after matching
  each locality to the seed-0 locality it shares most zones with (mean over seeds 1..N-1);
* ``disagree``: 1 - mean pairwise co-assignment agreement (Rand index) over all pairs
  of seeds: the share of zone pairs that one seed puts together and another apart;
* ``iz_whole``: share of Intermediate Zones kept whole in one locality (seed 0);
* ``ssd_share``: within-locality sum of squares of SIMD income rank over its total
  (seed 0; lower is more homogeneous); ``polsby_popper``: mean compactness (seed 0);
* ``seconds``: mean time of one ``propose``.
"""

from __future__ import annotations

import argparse
import itertools
import time
from pathlib import Path

import numpy as np
import pandas as pd

import localities as loc

COUNCILS = ("Moray", "Stirling", "City of Edinburgh", "Glasgow City", "Highland")


def changed_share(base: pd.Series, other: pd.Series) -> float:
    """Share of zones whose locality in ``other``, matched to ``base``'s locality it
    overlaps most (ties: the first id), differs from the zone's ``base`` locality."""
    table = pd.crosstab(other, base)
    match = table.idxmax(axis=1)
    return float((other.map(match) != base).mean())


def rand_disagreement(a: pd.Series, b: pd.Series) -> float:
    """1 - Rand index: share of zone pairs together in one plan and apart in the other."""
    n = len(a)
    pairs = n * (n - 1) / 2
    both = pd.crosstab(a, b).to_numpy(dtype=float)

    def together(counts):
        return float((counts * (counts - 1) / 2).sum())

    same_a, same_b, same_ab = together(both.sum(axis=1)), together(both.sum(axis=0)), together(both)
    return (same_a + same_b - 2 * same_ab) / pairs if pairs else 0.0


def stability(dz, seeds: int, target: int | None, unit: str) -> dict:
    plans, seconds = [], []
    for seed in range(seeds):
        started = time.perf_counter()
        plan = loc.propose(dz, target_population=target, seed=seed, unit=unit)
        seconds.append(time.perf_counter() - started)
        plans.append(plan.assignment.reindex(dz["datazone"]).reset_index(drop=True))
        if seed == 0:
            q = loc.quality(plan, dz)
            values = dz["income_rank"].astype(float)
            ssd_share = q["within_variance"] * len(dz) / float(((values - values.mean()) ** 2).sum())
    changed = np.mean([changed_share(plans[0], p) for p in plans[1:]]) if seeds > 1 else 0.0
    disagree = np.mean([rand_disagreement(a, b) for a, b in itertools.combinations(plans, 2)]) if seeds > 1 else 0.0
    whole = plans[0].groupby(dz["iz"].to_numpy()).nunique()
    return {"zones": len(dz), "localities": int(plans[0].nunique()), "changed": round(float(changed), 4),
            "disagree": round(float(disagree), 4), "iz_whole": round(float((whole == 1).mean()), 4),
            "ssd_share": round(ssd_share, 3), "polsby_popper": round(q["mean_polsby_popper"], 3),
            "pop_min": q["population_min"], "pop_max": q["population_max"], "seconds": round(float(np.mean(seconds)), 3)}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("data_dir", nargs="?", default=str(Path(__file__).resolve().parents[2] / "shared/data/scotland"))
    p.add_argument("--target", type=int, default=10_000)
    p.add_argument("--seeds", type=int, default=10)
    p.add_argument("--unit", choices=("iz", "datazone", "both"), default="both")
    args = p.parse_args()

    dz_all = loc.load_datazones(data_dir=args.data_dir)
    units = ("iz", "datazone") if args.unit == "both" else (args.unit,)
    rows = []
    for council in COUNCILS:
        dz = dz_all[dz_all["council_name"] == council].reset_index(drop=True)
        for unit in units:
            rows.append({"council": council, "unit": unit, **stability(dz, args.seeds, args.target, unit)})
    table = pd.DataFrame(rows)
    print(f"seeds 0-{args.seeds - 1}, target {args.target:,}, ceiling 30,000")
    print(table.to_string(index=False))
    for unit, part in table.groupby("unit", sort=False):
        print(f"unit={unit}: zones changing locality across seeds {part['changed'].mean():.2%} (mean of councils), "
              f"pair disagreement {part['disagree'].mean():.2%}, IZs kept whole {part['iz_whole'].mean():.1%}")


if __name__ == "__main__":
    main()
