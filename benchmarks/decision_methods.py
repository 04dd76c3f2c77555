"""How many localities each decision method flags, on five real councils.

    python benchmarks/decision_methods.py ../shared/data/scotland

Prints a Markdown table (the one in docs/methods.md): for each council and plan, the
number of localities, and for each method how many are poorer than the rest of the
council / than Scotland / either (tier 1 or 2), with the default materiality ratio of
1.2 and, for comparison, with no materiality (ratio 1).
"""

from __future__ import annotations

import sys
import time

import localities as loc
from localities import decide

COUNCILS = ("Glasgow City", "City of Edinburgh", "Moray", "Na h-Eileanan Siar", "Fife")


def main(data_dir: str) -> None:
    started = time.perf_counter()
    zones = loc.load_datazones(data_dir=data_dir)
    print("| council | plan | localities | " + " | ".join(f"{m}: rest / Scot / either" for m in decide.DECISIONS)
          + " | difference, no materiality |")
    print("|---|---|---:|" + "---:|" * (len(decide.DECISIONS) + 1))
    for council in COUNCILS:
        dz = zones[zones["council_name"] == council].reset_index(drop=True)
        dz.attrs = zones.attrs
        for label, plan in (("wards", loc.propose(dz, method="wards")), ("IZs", loc.propose(dz, method="iz")),
                            ("regions 10,000", loc.propose(dz, target_population=10_000))):
            cells = []
            for method in decide.DECISIONS:
                t = loc.rank(plan, dz, method=method)
                cells.append(f"{t['poorer_than_rest'].sum()} / {t['poorer_than_scotland'].sum()} / {(t['tier'] < 3).sum()}")
            t = loc.rank(plan, dz, min_ratio=1.0)
            cells.append(f"{t['poorer_than_rest'].sum()} / {t['poorer_than_scotland'].sum()} / {(t['tier'] < 3).sum()}")
            print(f"| {council} | {label} | {len(plan)} | " + " | ".join(cells) + " |")
    print(f"\n({time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/scotland")
