"""Scotland's totals for the SIMD indicators, the comparator every locality is judged
against (split from :mod:`localities.outcomes`): summed from all 6,976 zones of a data
directory, or read from the totals stored beside the embedded sample and checked.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from . import sources
from .errors import DataError, listing, noun


SCOTLAND_SUMS = "scotland_sums.csv"


def _read_sums(stored: Path) -> pd.DataFrame:
    """The stored Scotland totals, or a DataError naming the file and what is wrong with it."""
    from .tables import read_csv

    raw = read_csv(stored)
    need = ["area", "indicator", "numerator", "denominator", "population"]
    absent = [c for c in need if c not in raw.columns]
    if absent:
        raise DataError(f"{stored}: malformed Scotland totals: no {', '.join(map(repr, absent))} {noun(absent, 'column', 'columns')} "
                        f"(has {listing(map(repr, raw.columns))}); remake it with scripts/make_sample.py")
    table = raw.replace("", np.nan)
    for col in [c for c in table.columns if c not in ("area", "indicator", "population_source")]:
        values = pd.to_numeric(table[col], errors="coerce")
        bad = (values.isna() & table[col].notna()) | np.isinf(values)
        if bad.any():
            raise DataError(f"{stored}: malformed Scotland totals: column {col!r} has non-numeric {noun(int(bad.sum()), 'value', 'values')} "
                            f"{listing(f'{i}={v!r}' for i, v in zip(table.loc[bad, 'indicator'], table.loc[bad, col]))}")
        table[col] = values
    def given(*cols):
        return table[list(cols)].notna().all(axis=1) if set(cols) <= set(table) else pd.Series(False, index=table.index)

    broken = table["population"].isna() | ~(given("numerator", "denominator") | given("weighted", "weight"))
    if broken.any():
        raise DataError(f"{stored}: malformed Scotland totals: {noun(int(broken.sum()), 'a row', 'rows')} without a numerator and denominator (or a "
                        f"weighted sum and weight) or a population: {listing(table.loc[broken, 'indicator'])}")
    return table


@lru_cache(maxsize=4)
def _scotland_from(directory: str, population: str) -> pd.DataFrame:
    from .load import zone_table

    stored = Path(directory) / SCOTLAND_SUMS
    if stored.exists():
        table = _read_sums(stored)
        made_with = table.get("population_source", pd.Series("simd2020v2", index=table.index)).fillna("simd2020v2")
        if population not in set(made_with):
            raise DataError(f"{stored}: Scotland totals were made with {', '.join(sorted(set(made_with)))} "
                            f"populations, not {population}")
        return table[made_with == population].drop(columns=["population_source"]).reset_index(drop=True)
    from .outcomes import available, sums  # outcomes re-exports this module's names

    table = zone_table(directory, population=population)
    return sums(table, None, available(table)).assign(area="Scotland")


def scotland_sums(data_dir: str | os.PathLike | None = None, population: str = "simd2020v2") -> pd.DataFrame:
    """Scotland's totals for the SIMD indicators, from all 6,976 zones of the data
    directory (or the totals stored with the embedded sample), on the same population
    vintage as the localities (``population``, as in :func:`localities.load_datazones`)."""
    return _scotland_from(str(sources.data_dir(data_dir)), str(population)).copy()
