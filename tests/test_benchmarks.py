"""The benchmark scripts run and print their figures (their targets are judged by
reading the figures, not by timed tests)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"


def test_load_benchmark_prints_time_and_memory(real_dir):
    out = subprocess.run([sys.executable, BENCH / "load_scotland.py", str(real_dir), "--repeat", "1"],
                         capture_output=True, text=True, check=True).stdout
    assert "zones 6,976, population 5,424,800" in out
    assert "peak resident memory" in out and " s " in out


def test_propose_benchmark_runs_all_councils(real_dir):
    out = subprocess.run([sys.executable, BENCH / "propose_all.py", str(real_dir), "--skip-spopt"],
                         capture_output=True, text=True, check=True).stdout
    assert "all 32 councils" in out and "non-compliant: none" in out
