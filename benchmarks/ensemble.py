"""Ensembles of plans: time and peak memory on 1 and 2 workers, and the same result on both.

    python benchmarks/ensemble.py [DATA_DIR] [--glasgow-plans 500] [--council-plans 100] [--jobs 1 2]

* Glasgow City: one ensemble of ``--glasgow-plans`` plans (default vary: targets 5,000-20,000,
  within wards or not, IZ or Data Zone blocks, homogeneity and compactness 0.5-2), seed 0;
* all 32 councils: an ensemble of ``--council-plans`` plans each (0 skips it).

Each (task, workers) pair runs in a fresh Python process, so its peak resident memory
(``resource.getrusage``: the main process, and the largest joblib worker once the
workers have exited) is its own. Loading the zones and Scotland's totals is done once
per process and not timed; the reference ranking and the robust priority areas are.
A digest of the per-zone shares shows whether 1 and 2 workers gave the same result. CPU
seconds (main process and workers, after loading) next to wall seconds show how much of
a run was spent waiting for a core on a shared machine.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "scotland"


def _digest(result) -> str:
    cols = ["datazone", "share_rest", "share_scotland", "share_both", "share_either", "priority_area"]
    text = result.zones[cols].to_csv(index=False, float_format="%.12g")
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def run(data_dir: str, task: str, plans: int, jobs: int) -> dict:
    """One timed task in this process; returns the figures as a dict."""
    import localities as loc

    dz_all = loc.load_datazones(data_dir=data_dir)
    sums = loc.scotland_sums(data_dir)
    councils = ["Glasgow City"] if task == "glasgow" else sorted(dz_all["council_name"].unique())
    rows, digests = [], []
    before = resource.getrusage(resource.RUSAGE_SELF)
    cpu_before = before.ru_utime + before.ru_stime
    started = time.perf_counter()
    for name in councils:
        dz = dz_all[dz_all["council_name"] == name].reset_index(drop=True)
        dz.attrs = dict(dz_all.attrs)
        t0 = time.perf_counter()
        result = loc.ensemble(dz, n=plans, seed=0, n_jobs=jobs, scotland=sums, progress=False)
        rows.append({"council": name, "zones": len(dz), "seconds": round(time.perf_counter() - t0, 2),
                     "compliant": int(result.plans["ok"].sum()), "priority_areas": len(result.priority),
                     "priority_people": int(result.priority["population"].sum()) if len(result.priority) else 0,
                     "largest_area": int(result.priority["population"].max()) if len(result.priority) else 0,
                     "zones_always": int((result.zones["share_either"] == 1).sum()),
                     "zones_sometimes": int(result.zones["share_either"].between(0, 1, inclusive="neither").sum())})
        digests.append(_digest(result))
    seconds = time.perf_counter() - started
    from joblib.externals.loky import get_reusable_executor

    get_reusable_executor().shutdown(wait=True)  # workers exit, so their peak memory is counted
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    main_rss, worker_rss = me.ru_maxrss / 1024, kids.ru_maxrss / 1024
    # CPU time of this process and its exited workers (loading included): on a shared machine,
    # wall time over CPU time shows how much the run waited for a core.
    cpu = me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime - cpu_before
    return {"task": task, "plans": plans, "jobs": jobs, "seconds": round(seconds, 1), "cpu_seconds": round(cpu, 1),
            "rows": rows,
            "digest": hashlib.sha256("".join(digests).encode()).hexdigest()[:12],
            "main_rss_mib": round(main_rss), "worker_rss_mib": round(worker_rss) if jobs != 1 else 0}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("data_dir", nargs="?", default=str(DEFAULT_DATA))
    p.add_argument("--glasgow-plans", type=int, default=500)
    p.add_argument("--council-plans", type=int, default=100, help="plans per council for the 32 councils (0: skip)")
    p.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    p.add_argument("--run", nargs=3, metavar=("TASK", "PLANS", "JOBS"), help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.run:
        task, plans, jobs = args.run
        print(json.dumps(run(args.data_dir, task, int(plans), int(jobs))))
        return

    import pandas as pd

    tasks = [("glasgow", args.glasgow_plans)] + ([("councils", args.council_plans)] if args.council_plans else [])
    results = {}
    for task, plans in tasks:
        for jobs in args.jobs:
            out = subprocess.run([sys.executable, __file__, args.data_dir, "--run", task, str(plans), str(jobs)],
                                 capture_output=True, text=True, check=True).stdout
            results[task, jobs] = res = json.loads(out.strip().splitlines()[-1])
            per_plan = res["seconds"] / (plans * len(res["rows"]))
            print(f"{task}: {plans} plans x {len(res['rows'])} council(s) on {jobs} worker(s): {res['seconds']:.1f} s "
                  f"({per_plan:.2f} s a plan); peak memory main {res['main_rss_mib']} MiB"
                  + (f", largest worker {res['worker_rss_mib']} MiB" if jobs != 1 else "")
                  + (f"; CPU {res['cpu_seconds']:.0f} s" if "cpu_seconds" in res else "")
                  + f"; result digest {res['digest']}", flush=True)
        if len(args.jobs) > 1:
            first, *others = [results[task, j] for j in args.jobs]
            for other in others:
                print(f"{task}: {other['jobs']} workers vs {first['jobs']}: speed-up x{first['seconds'] / other['seconds']:.2f}; "
                      f"same per-zone shares and priority areas: {'yes' if other['digest'] == first['digest'] else 'NO'}")
        table = pd.DataFrame(results[task, args.jobs[0]]["rows"])
        if task == "glasgow":
            print(table.to_string(index=False))
        else:
            print(f"all councils: {table['compliant'].sum():,} compliant plans of {plans * len(table):,}; "
                  f"{table['priority_areas'].sum()} robust priority areas holding {table['priority_people'].sum():,} people; "
                  f"largest area {table['largest_area'].max():,} people (ceiling 30,000)")
            print(table.sort_values("seconds", ascending=False).head(8).to_string(index=False))
        print(flush=True)


if __name__ == "__main__":
    main()
