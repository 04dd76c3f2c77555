"""Wall time of the command line as a user meets it: `localities --help` and `--version`,
`import localities`, and the scripted chain propose -> check -> rank -> map for one council.

    python benchmarks/cli.py [DATA_DIR] [--council Moray] [--repeat 3]

Every figure is a fresh process (`python -m localities ...`), so interpreter start-up and
imports are counted as a user pays them. The chain runs once to warm the OS file cache,
then ``--repeat`` times; the best run is judged against the targets (help, version and
import < 0.5 s; each command < 3 s warm). Each command is also run once under
``-X importtime`` to split its time into imports and work, and the libraries it imported
(every top-level import not of ``localities``) are imported alone in fresh processes: the
floor under the command that no change to ``localities`` can remove.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LIGHT_TARGET, COMMAND_TARGET = 0.5, 3.0


def wall(argv: list[str], repeat: int, env: dict | None = None) -> tuple[list[float], list[float]]:
    """Wall and CPU (user + system) seconds of each fresh run. On a busy machine wall time
    grows with the queue for the cores; CPU time is what the command itself costs."""
    times, cpus = [], []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run(argv, capture_output=True, text=True, check=True, env=env)
        times.append(time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return times, cpus


def import_seconds(argv: list[str]) -> tuple[float, list[tuple[float, str]], list[str]]:
    """Seconds spent importing (top-level modules under -X importtime), the heaviest ones,
    and the top-level modules that are not ``localities``'s own (the libraries it pulled in)."""
    out = subprocess.run([sys.executable, "-X", "importtime", *argv[1:]], capture_output=True, text=True, check=True)
    total, heavy, entries = 0.0, [], []
    for line in out.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \| (\s*)(\S+)", line)
        if not m:
            continue
        entries.append((len(m.group(3)) // 2, m.group(4)))
        if not m.group(3):  # top level: its cumulative time includes everything it pulled in
            seconds = int(m.group(2)) / 1e6
            total += seconds
            heavy.append((seconds, m.group(4)))
    # The log lists a module after the modules it imported; read backwards, each parent comes first.
    ours = lambda name: name.split(".")[0] == "localities"  # noqa: E731
    libraries, chain = [], []
    for level, name in reversed(entries):
        del chain[level:]
        if not ours(name) and (level == 0 or ours(chain[-1])):
            libraries.append(name)  # imported at top level, or by localities itself
        chain.append(name)
    return total, sorted(heavy, reverse=True)[:4], libraries[::-1]


def library_floor(libraries: list[str], repeat: int) -> tuple[float, float]:
    """Best wall and CPU seconds of a fresh process importing only ``libraries`` (Agg
    backend, the CLI's garbage-collector thresholds): the imports a command cannot shed."""
    code = ("import gc, importlib; gc.set_threshold(10_000, 20, 20)\n"
            f"for name in {libraries!r}:\n"
            "    try:\n        importlib.import_module(name)\n    except Exception:\n        pass\n")
    times, cpus = wall([sys.executable, "-c", code], repeat, env={**os.environ, "MPLBACKEND": "Agg"})
    return min(times), min(cpus)


def verdict(seconds: float, target: float) -> str:
    return f"target < {target:g} s: {'PASS' if seconds < target else 'FAIL'}"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("data_dir", nargs="?", default=str(Path(__file__).resolve().parents[2] / "shared/data/scotland"))
    p.add_argument("--council", default="Moray")
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args()
    cli = [sys.executable, "-m", "localities"]

    print(f"{os.cpu_count()} cores, load average {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"start-up (best of {args.repeat} fresh processes; wall, then CPU)")
    for label, argv in (("localities --help", [*cli, "--help"]), ("localities --version", [*cli, "--version"]),
                        ("import localities", [sys.executable, "-c", "import localities"])):
        times, cpus = wall(argv, args.repeat)
        print(f"  {label:24} {min(times):5.2f} s  (cpu {min(cpus):.2f} s; runs {', '.join(f'{t:.2f}' for t in times)})   "
              f"{verdict(min(times), LIGHT_TARGET)}")

    with tempfile.TemporaryDirectory() as tmp:
        plan = Path(tmp) / "plan.gpkg"
        data = ["--data-dir", args.data_dir]
        chain = [
            ("propose", ["propose", "--council", args.council, "--target-population", "10000", "--out", str(plan), *data]),
            ("check", ["check", str(plan), *data]),
            ("rank", ["rank", str(plan), "--out", str(Path(tmp) / "ranking.xlsx"), *data]),
            ("map", ["map", str(plan), "--out", str(Path(tmp) / "map.pdf"), *data]),
        ]
        for _, argv in chain:  # warm the OS file cache (and write the plan the others read)
            subprocess.run([*cli, *argv], capture_output=True, text=True, check=True)
        print(f"\nscripted chain for {args.council} (warm; best of {args.repeat}; imports measured with -X importtime)")
        for name, argv in chain:
            times, cpus = wall([*cli, *argv], args.repeat)
            imports, heavy, libraries = import_seconds([*cli, *argv])
            floor, floor_cpu = library_floor(libraries, args.repeat)
            best = min(times)
            print(f"  {name:8} {best:5.2f} s  (cpu {min(cpus):.2f} s; runs {', '.join(f'{t:.2f}' for t in times)})   "
                  f"{verdict(best, COMMAND_TARGET)}\n           imports {imports:.2f} s (heaviest: "
                  + ", ".join(f"{m} {s:.2f}" for s, m in heavy) + f"), the rest {max(best - imports, 0):.2f} s\n"
                  f"           its libraries alone (fresh process, no localities code): {floor:.2f} s (cpu {floor_cpu:.2f} s)")
    # The load may change during the run: on a shared machine wall time is not the command's own cost.
    print(f"\nload average at the end {', '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
