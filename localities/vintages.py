"""Which population estimates a check counted people with, and whether a later estimate
in the same data folder puts a locality over the ceiling.

The 2016 Regulations do not say which estimate counts. SIMD 2020v2 comes with NRS
mid-2017 estimates, the package's default; the shared data also holds mid-2020 and
mid-2021 ones. A locality of 29,144 people in 2017 (North Lanarkshire's Fortissat and
Moodiesburn wards joined) is 30,699 in 2021: a plan a board adopts now should not learn
that from someone else.
"""

from __future__ import annotations

import pandas as pd

from .errors import LocalitiesError, clip, counted, listing

#: Estimates in the order they were made; the later ones are tried, latest first.
ORDER = ("simd2020v2", "nrs2020", "nrs2021")
SHORT = {"simd2020v2": "NRS mid-2017 estimates (as SIMD 2020v2 uses)",
         "nrs2020": "NRS mid-2020 estimates", "nrs2021": "NRS mid-2021 estimates"}
#: Localities further below the ceiling than this share of it are not looked at again.
NEAR = 0.9


def counted_with(attrs: dict) -> str:
    """The estimate a zone table counts people with, in words (its ``attrs``); empty when
    they do not say (a table merged with the analyst's own people has lost its attrs)."""
    if "population" not in attrs:
        return ""
    used = str(attrs["population"])
    return SHORT.get(used, attrs.get("population_source") or f"the populations of {used}")


def later_over(table: pd.DataFrame, by: pd.Series, data_dir, used: str, limit: int) -> str | None:
    """A warning naming the localities at most ``limit`` people by the estimate ``used``
    but over it by the latest later estimate the data folder holds, or None.

    ``table``: the localities to look at, by id, with ``population`` and ``name`` (not
    wards: a ward qualifies whatever its size); ``by``: each zone's locality, indexed by
    zone code."""
    from . import sources
    from .load import POPULATIONS, load_population

    people = table["population"]
    near = people[(people > NEAR * limit) & (people <= limit)]
    if data_dir is None or used not in ORDER or not len(near):
        return None
    for later in reversed(ORDER[ORDER.index(used) + 1:]):
        if sources.find(POPULATIONS[later][0], data_dir, required=False) is None:
            continue
        try:
            counts = load_population(later, data_dir)
        except LocalitiesError:
            return None  # an unreadable later table is not this check's business
        zones = by[by.isin(near.index)]
        after = counts.reindex(zones.index).groupby(zones.to_numpy()).sum()
        over = [(loc, int(near[loc]), int(after[loc])) for loc in near.index if after.get(loc, 0) > limit]
        if not over:
            return None
        return (f"{counted(len(over), 'locality', 'localities')} of at most {limit:,} people by the {SHORT[used]} "
                f"{'is' if len(over) == 1 else 'are'} over {limit:,} by the {SHORT[later]}: "
                + listing([f"{clip(loc)} ({'' if str(table.at[loc, 'name']) == str(loc) else clip(table.at[loc, 'name']) + ': '}"
                           f"{a:,} -> {b:,} people)" for loc, a, b in over], width=None)
                + f"; check again with --population {later} (population=\"{later}\" in Python)")
    return None
