"""Time and peak memory of loading all of Scotland (6,976 Data Zones with boundaries,
indicators, wards and populations). Targets: under 5 s and under 1 GiB peak.

    python benchmarks/load_scotland.py [DATA_DIR] [--repeat 3]

Each run is a fresh process, so imports and file caches are counted honestly: the
first run reads from disk, later ones mostly from the OS cache. Peak memory is the
process's maximum resident set size (getrusage), imports included.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

CHILD = r"""
import json, resource, sys, time
started = time.perf_counter()
import localities as loc
imported = time.perf_counter()
rss_import = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
dz = loc.load_datazones(data_dir=sys.argv[1])
done = time.perf_counter()
assert len(dz) == 6976 and dz.crs.to_epsg() == 27700, (len(dz), dz.crs)
print(json.dumps({"import_s": imported - started, "load_s": done - imported,
                  "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "import_mib": rss_import / 1024, "zones": len(dz), "population": int(dz["population"].sum())}))
"""


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("data_dir", nargs="?", default=str(Path(__file__).resolve().parents[2] / "shared/data/scotland"))
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args()
    runs = []
    for _ in range(args.repeat):
        out = subprocess.run([sys.executable, "-c", CHILD, args.data_dir], capture_output=True, text=True, check=True)
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    best = min(r["load_s"] for r in runs)
    peak = max(r["peak_mib"] for r in runs)
    r = runs[0]
    print(f"zones {r['zones']:,}, population {r['population']:,}")
    print("load_datazones(all Scotland): " + ", ".join(f"{x['load_s']:.2f}" for x in runs) + " s "
          f"(best {best:.2f} s; import localities {r['import_s']:.2f} s)   target < 5 s: {'PASS' if best < 5 else 'FAIL'}")
    print(f"peak resident memory {peak:.0f} MiB (after imports {r['import_mib']:.0f} MiB)   "
          f"target < 1024 MiB: {'PASS' if peak < 1024 else 'FAIL'}")


if __name__ == "__main__":
    main()
