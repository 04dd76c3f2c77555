"""Reading zone polygons: GeoPackage, GeoJSON or (zipped) shapefile, the CRS checked
against the coordinates, invalid geometry repaired, all in British National Grid."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely

from .errors import DataError, counted, listing
from .tables import ALIASES, CODE, _find

BNG = "EPSG:27700"


def unreadable(path: Path, what: str, exc: Exception) -> str:
    """Why ``path`` could not be read, in one line: "the file is empty (0 bytes)", or "not a
    readable GeoPackage (...)" with GDAL's words, less its advice to prefix a driver's name
    ("It might help to specify the correct driver explicitly by prefixing the file path with
    '<DRIVER>:'"), which no user of this package can follow."""
    try:
        if Path(path).is_file() and Path(path).stat().st_size == 0:
            return f"{path}: the file is empty (0 bytes)"
    except OSError:
        pass
    said = " ".join(str(exc).split()).split(" It might help to specify the correct driver")[0].rstrip("; ")
    return f"{path}: not a readable {what} ({type(exc).__name__}: {said})"


def read_boundaries(
    path: str | os.PathLike, layer: str | None = None, code_field: str = "datazone", zones: list[str] | None = None
) -> gpd.GeoDataFrame:
    """Read zone polygons from a GeoPackage, GeoJSON, shapefile or zipped shapefile.

    Returns a GeoDataFrame in EPSG:27700 with the original columns plus ``geometry``.
    Invalid geometries are repaired with :func:`shapely.make_valid` (polygon parts kept)
    and listed in ``attrs["repaired"]``; empty ones are refused.

    Raises
    ------
    DataError
        Unreadable or corrupt file, unknown layer, no geometry, no or inconsistent CRS,
        empty geometries.

    ``zones``, a list of Data Zone codes, reads only their features (an attribute filter
    on the file's code column, so a council's zones are read without all of Scotland's).
    """
    path = Path(path)
    if not path.exists():
        raise DataError(f"{path}: no such file")
    try:
        listed = pyogrio.list_layers(path)
    except Exception as exc:
        if path.is_dir():
            raise DataError(f"{path}: a folder with no spatial file readable ({type(exc).__name__}: {exc})") from exc
        raise DataError(unreadable(path, "spatial file", exc)) from exc
    layers = [name for name, _ in listed]
    if layer is not None and layer not in layers:
        raise DataError(f"{path}: no layer {layer!r}; layers are {listing(layers)}")
    spatial = [name for name, kind in listed if kind is not None]  # not attribute tables (QGIS's layer_styles)
    if layer is None and len(spatial) > 1:
        # pyogrio would read the first and warn; which one the user meant is theirs to say.
        raise DataError(f"{path}: holds {len(spatial)} map layers ({listing(spatial)}); say which with "
                        "layer=NAME, or save that layer as a file of its own")
    if layer is None and len(layers) > 1 and spatial:
        layer = spatial[0]
    where = _zone_filter(path, layer, code_field, zones) if zones is not None else None  # on the layer read
    try:
        gdf = gpd.read_file(path, layer=layer, engine="pyogrio", where=where)
    except Exception as exc:  # pyogrio raises DataSourceError and friends on corrupt files
        raise DataError(unreadable(path, "spatial file", exc)) from exc
    name = f"layer {layer!r}" if layer else "its layer"
    if isinstance(gdf, gpd.GeoDataFrame) and len(gdf) == 0:
        if where is not None:  # none of the zones asked for: the file is not empty
            raise DataError(f"{path}: none of the {len(zones):,} zones asked for is in {name} (the file holds other "
                            "zones: boundaries for another area?)")
        raise DataError(f"{path}: {name} holds no features (an empty file or layer)")
    if not isinstance(gdf, gpd.GeoDataFrame) or "geometry" not in gdf:
        raise DataError(f"{path}: has no geometry column ({name})")
    if gdf.geometry.isna().all():
        # A GeoJSON of null geometries has a geometry column: "has no geometry column" misled.
        raise DataError(f"{path}: every feature's geometry is empty (null) in {name}: nothing to map")
    return to_bng(gdf, source=path, code_field=code_field)


def _zone_filter(path: Path, layer: str | None, code_field: str, zones: list[str]) -> str | None:
    """OGR SQL selecting ``zones`` by the file's code column; None (read all) when the
    column or the codes do not allow it."""
    if not zones or not all(CODE.match(str(z)) for z in zones):
        return None
    try:
        fields = pyogrio.read_info(path, layer=layer)["fields"]
    except Exception:
        return None  # the full read reports the problem
    col = next((f for f in fields if str(f).strip().lower() in ALIASES[code_field]), None)
    if col is None or '"' in col:
        return None
    return f'"{col}" IN ({", ".join(repr(str(z)) for z in zones)})'


def to_bng(gdf: gpd.GeoDataFrame, source: object = "input", code_field: str | None = "datazone") -> gpd.GeoDataFrame:
    """Check the CRS against the coordinates, repair geometry and convert to EPSG:27700."""
    code_col = _find(gdf, code_field) if code_field else None
    # Rows without zone codes (locality polygons) by their name, else their row: "5" was a row
    # number called a zone.
    named = code_col or next((c for c in ("locality", "name") if c in gdf), None)
    labels = (gdf[named].astype(str) if named else
              pd.Series([f"row {i + 1}" for i in range(len(gdf))], index=gdf.index))
    if gdf.crs is None:
        raise DataError(f"{source}: has no coordinate reference system; set one (EPSG:27700 or EPSG:4326) before loading")
    empty = gdf.geometry.isna() | gdf.geometry.is_empty
    if empty.any():
        what = ("zone has", "zones have") if code_col else ("polygon has", "polygons have")
        raise DataError(f"{source}: {counted(int(empty.sum()), *what)} an empty geometry: {listing(labels[empty])}")
    minx, miny, maxx, maxy = gdf.total_bounds
    looks_lonlat = -180 <= minx and maxx <= 180 and -90 <= miny and maxy <= 90
    if gdf.crs.is_geographic and not looks_lonlat:
        raise DataError(f"{source}: labelled {gdf.crs.to_string()} (longitude/latitude) but the coordinates "
                        f"({minx:.0f}, {miny:.0f}, {maxx:.0f}, {maxy:.0f}) look projected, e.g. British National Grid")
    if gdf.crs.is_projected and looks_lonlat:
        raise DataError(f"{source}: labelled {gdf.crs.to_string()} (projected) but the coordinates "
                        f"({minx:.3f}, {miny:.3f}, {maxx:.3f}, {maxy:.3f}) look like longitude/latitude (EPSG:4326)")
    gdf = gdf.to_crs(BNG)
    invalid = ~gdf.geometry.is_valid
    repaired = list(labels[invalid])
    if invalid.any():
        fixed = shapely.make_valid(gdf.geometry[invalid].values)
        gdf.loc[invalid, gdf.geometry.name] = [_polygonal(g) for g in fixed]
        warnings.warn(f"{source}: repaired {counted(len(repaired), 'invalid geometry', 'invalid geometries')}: {listing(repaired)}", stacklevel=3)
    gdf.attrs["repaired"] = repaired
    return gdf


def _polygonal(geom):
    """Keep the polygon parts of a repaired geometry (make_valid can add slivers of lines)."""
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else geom
