"""Shared fixtures. Real data lives beside the project in ../shared/data/scotland (or where
LOCALITIES_TEST_DATA says); under CI=true a missing file is a failure, elsewhere a skip,
and the run says at its start and its end how many tests that skipped."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# In CI the generated examples are the same on every run (failures reproduce); locally they vary.
settings.register_profile("ci", derandomize=True, print_blob=True)

REAL = Path(os.environ.get("LOCALITIES_TEST_DATA") or Path(__file__).resolve().parents[2] / "shared" / "data" / "scotland")
IN_CI = os.environ.get("CI", "").lower() == "true"
_MISSING = "real data missing under"
if IN_CI:
    settings.load_profile("ci")


def need_real(*relative: str) -> Path:
    """Return the real data directory, failing in CI (skipping elsewhere) if files are missing."""
    missing = [r for r in relative or ("",) if not (REAL / r).exists()]
    if missing:
        message = f"{_MISSING} {REAL}: {', '.join(missing)}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return REAL


def pytest_report_header(config):
    found = (REAL / "tables" / "simd2020v2_indicators.csv").exists()
    return f"real data: {REAL} ({'found' if found else 'MISSING: the tests that need it will be skipped'}" \
           f"{'' if found else '; set LOCALITIES_TEST_DATA to the data/scotland folder'})"


def pytest_terminal_summary(terminalreporter):
    """A new user read "434 passed" and did not see that 328 tests had not run for want of data."""
    skipped = [r for r in terminalreporter.stats.get("skipped", [])
               if isinstance(r.longrepr, tuple) and _MISSING in str(r.longrepr[2])]
    if skipped:
        files = sorted({f for r in skipped for f in str(r.longrepr[2]).split(f"{REAL}: ", 1)[-1].split(", ")})
        terminalreporter.write_line(f"{len(skipped)} tests skipped for real-data files missing under {REAL}: "
                                    f"{', '.join(files[:5])}{' and more' if len(files) > 5 else ''} (set "
                                    "LOCALITIES_TEST_DATA to the data/scotland folder to run them)", yellow=True,
                                    bold=True)


@pytest.fixture(scope="session")
def real_dir() -> Path:
    return need_real("boundaries/dz2011_scotland_geographr.gpkg", "tables/simd2020v2_indicators.csv",
                     "tables/simd2020v2_dz_lookup.csv",
                     "raw/sg_datazone_lookups_2024-12-16/DataZone2011lookup_2024-12-16.csv")


@pytest.fixture(scope="session")
def scotland(real_dir):
    import localities as loc

    return loc.load_datazones(data_dir=real_dir)


@pytest.fixture(scope="session")
def council_zones(scotland):
    """Zones of each council, keyed by council name."""
    return {name: part.reset_index(drop=True) for name, part in scotland.groupby("council_name")}


@pytest.fixture(autouse=True)
def _no_user_data_dir(monkeypatch, tmp_path_factory):
    """Tests never read the developer's own cache or LOCALITIES_DATA_DIR by accident."""
    monkeypatch.delenv("LOCALITIES_DATA_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "cache"))
