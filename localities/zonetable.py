"""The zone table a plan is built on or read against, checked once (split from
:mod:`localities.build`): each zone once, people a number and not negative, polygons
present, in British National Grid; the columns a step reads; a column name's close
matches; one council at a time.
"""

from __future__ import annotations

import difflib

import geopandas as gpd
import pandas as pd

from .errors import LocalitiesError, PlanError, listing


def _zones_word(mask) -> str:
    """``"zone"`` or ``"zones"`` for the rows a boolean mask picks."""
    return "zone" if int(mask.sum()) == 1 else "zones"


# British National Grid's extent in metres, with room: coordinates in it are taken as BNG.
_BNG = (-10_000, -10_000, 710_000, 1_310_000)


def _zones(dz: gpd.GeoDataFrame, notes: list[str] | None = None) -> gpd.GeoDataFrame:
    """Validate the zone table a plan is built on, in British National Grid (EPSG:27700):
    another CRS is reprojected, none is taken as BNG when the coordinates fit (both said
    in ``notes``, when given)."""
    if not isinstance(dz, pd.DataFrame):
        raise PlanError(f"the zone table comes from localities.load_datazones, not {type(dz).__name__}")
    for col in ("datazone", "population", "geometry"):
        if col not in dz:
            raise PlanError(f"zone table has no {col!r} column (load it with load_datazones)")
    if not isinstance(dz, gpd.GeoDataFrame):
        raise PlanError("zone table has a 'geometry' column but is not a GeoDataFrame; load it with load_datazones "
                        "or geopandas.read_file")
    blank = dz.geometry.isna().to_numpy() | dz.geometry.is_empty.to_numpy()
    if blank.any():
        raise PlanError(f"{_zones_word(blank)} with no polygon (missing or empty geometry): "
                        f"{listing(dz.loc[blank, 'datazone'])}; every zone needs its polygon (load_datazones gives them)")
    if dz.crs is None:
        minx, miny, maxx, maxy = dz.total_bounds
        degrees = max(abs(minx), abs(maxx)) <= 180 and max(abs(miny), abs(maxy)) <= 90
        if degrees or not (_BNG[0] <= minx and maxx <= _BNG[2] and _BNG[1] <= miny and maxy <= _BNG[3]):
            raise PlanError("zone table has no CRS and its coordinates are not British National Grid metres"
                            + (" (they look like longitude and latitude: dz.set_crs(4326))" if degrees else "")
                            + "; set the CRS it is in (dz.set_crs(...)) or load it with load_datazones")
        dz = dz.set_crs("EPSG:27700")
        if notes is not None:
            notes.append("zone table has no CRS: taken as British National Grid (EPSG:27700), as its coordinates are")
    elif dz.crs.to_epsg() != 27700:
        if notes is not None:
            notes.append(f"zone table in {dz.crs.name} ({dz.crs.to_string()}): reprojected to British National Grid "
                         "(EPSG:27700)")
        dz = dz.to_crs("EPSG:27700")
    return counted_table(dz)


def counted_table(dz: pd.DataFrame, error: type[LocalitiesError] = PlanError) -> pd.DataFrame:
    """The zone table with each zone once and a number of people for each (text such as
    ``"812"`` read as a number); anything else is an ``error`` naming the zones."""
    for col in ("datazone", "population"):
        if col not in dz:
            raise error(f"zone table has no {col!r} column (load it with load_datazones)")
    if dz["datazone"].duplicated().any():
        twice = dz.loc[dz["datazone"].duplicated(), "datazone"].unique()
        raise error(f"zone table lists {'a zone' if len(twice) == 1 else 'zones'} twice: {listing(twice)}")
    pop = pd.to_numeric(dz["population"], errors="coerce")
    if pop.isna().any():
        raise error(f"population missing or not a number for {_zones_word(pop.isna())} "
                    f"{listing(dz.loc[pop.isna(), 'datazone'])}")
    if (pop < 0).any():
        raise error(f"negative population for {_zones_word(pop < 0)} {listing(dz.loc[pop < 0, 'datazone'])}")
    if not pd.api.types.is_numeric_dtype(dz["population"]):
        dz = dz.assign(population=pop)
    return dz


def reading(dz: pd.DataFrame, columns) -> pd.DataFrame:
    """The zone table as a step reads it: only ``columns`` (those present) and the
    geometry, without metadata. Sorting or indexing a table of ~100 columns would be most
    of a small plan's time, and pandas deep-copies ``attrs`` at every operation."""
    dz = dz.copy(deep=False)
    dz.attrs = {}
    return dz[[c for c, kind in dz.dtypes.items() if c in columns or str(kind) == "geometry"]]


def _closest(name: str, columns) -> str:
    """``"; did you mean 'ward'?"`` for a column name with close matches among ``columns``."""
    close = difflib.get_close_matches(str(name), [str(c) for c in columns], n=3, cutoff=0.6)
    return f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""


def _one_council(dz: gpd.GeoDataFrame) -> tuple[str | None, str | None]:
    if "council" not in dz:
        return None, None
    codes = dz["council"].unique()
    if len(codes) > 1:
        raise PlanError(f"zones from {len(codes)} councils: propose localities for one council at a time "
                        f"(load_datazones(council=...)); found {listing(sorted(dz['council_name'].unique()))}")
    name = dz["council_name"].iloc[0] if "council_name" in dz else None
    return codes[0], name
