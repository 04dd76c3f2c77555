"""The 2022 Data Zone vintage (7,392 zones): its lookup, with polygons and population where
supplied. SIMD 2020v2 is published on the 2011 zones only, so no indicators are attached;
the 2011 zone table is :func:`localities.load.load_datazones`.
"""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import pandas as pd

from . import sources
from .boundaries import read_boundaries
from .council_names import resolve_council
from .errors import DataError, counted, listing, noun
from .load import load_lookup, load_population
from .tables import clean_codes, column, vintage_of


def load_zones_2022(
    data_dir: str | os.PathLike | None = None,
    boundaries: str | os.PathLike | None = None,
    population: str | os.PathLike | None = None,
    council: str | None = None,
) -> pd.DataFrame | gpd.GeoDataFrame:
    """The 2022 Data Zone vintage: its lookup (7,392 zones), with polygons when a
    boundary file is supplied (or found) and population when a CSV is supplied.

    SIMD 2020v2 is published on 2011 zones only, so no indicators are attached.
    """
    lookup = load_lookup(2022, data_dir)
    if council is not None:
        lookup = lookup[lookup["council"] == resolve_council(council, lookup)].reset_index(drop=True)
    if population is not None:
        pop = load_population(str(population))
        vintage_of(pd.Series(pop.index), population)
        lookup["population"] = lookup["datazone"].map(pop)
        missing = lookup["population"].isna()
        if missing.any():
            raise DataError(f"{population}: no population for {noun(int(missing.sum()), 'zone', 'zones')} {listing(lookup.loc[missing, 'datazone'])}")
    path = Path(boundaries) if boundaries else sources.find("dz_boundaries_2022", data_dir, required=False)
    if path is None:
        return lookup
    geo = read_boundaries(path)
    codes = clean_codes(geo[column(geo, "datazone", path)], path)
    vintage_of(codes, path)
    geo = gpd.GeoDataFrame({"datazone": codes.values}, geometry=geo.geometry.values, crs=geo.crs)
    missing = pd.Index(lookup["datazone"]).difference(geo["datazone"])
    if len(missing):
        raise DataError(f"{path}: no boundary for {counted(len(missing), 'zone', 'zones')}: {listing(missing)}")
    return geo.merge(lookup, on="datazone", how="inner")
