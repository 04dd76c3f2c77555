"""Read a plan the analyst supplies: a saved GeoPackage, a CSV of zone and locality,
or locality polygons (zones go to the polygon they overlap most).

Every reader checks codes, blanks and duplicates and raises :class:`PlanError`
naming the file and the zones.
"""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import pandas as pd

from .build import Plan, plan_from_assignment
from .errors import PlanError, listing
from .load import column, read_boundaries, read_csv

LOCALITY_ALIASES = ("locality", "locality_id", "locality_code", "locality_name", "id", "code", "name")


def read_plan(path: str | os.PathLike, dz: gpd.GeoDataFrame | None = None, layer: str | None = None) -> Plan:
    """Read a plan: a GeoPackage saved by :meth:`Plan.to_file`, a CSV of
    ``datazone,locality`` (optional ``name``), or locality polygons (GeoPackage,
    GeoJSON, shapefile) to which zones are assigned by largest overlap.

    Parameters
    ----------
    dz : GeoDataFrame, optional
        The zones; needed for a CSV or polygons, optional for a saved plan (its
        stored localities are used then).

    Raises
    ------
    PlanError
        Unknown zones, zones listed twice, blank localities, unreadable file.
    """
    path = Path(path)
    if not path.exists():
        raise PlanError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        if dz is None:
            raise PlanError(f"{path}: a CSV plan needs the zones (dz) to build localities from")
        return _read_csv_plan(path, dz)
    if suffix == ".gpkg":
        import pyogrio

        try:
            layers = [name for name, _ in pyogrio.list_layers(path)]
        except Exception as exc:
            raise PlanError(f"{path}: not a readable GeoPackage ({exc})") from exc
        if "assignment" in layers and layer is None:
            return _read_saved_plan(path, dz)
    if dz is None:
        raise PlanError(f"{path}: locality polygons need the zones (dz) to assign")
    return _read_polygon_plan(path, dz, layer)


def _check_assignment(codes: pd.Series, locs: pd.Series, dz: gpd.GeoDataFrame | None, path) -> None:
    blank = locs.str.strip() == ""
    if blank.any():
        raise PlanError(f"{path}: zone(s) with no locality: {listing(codes[blank])}")
    dup = codes[codes.duplicated(keep=False)]
    if len(dup):
        pairs = [f"{c} ({', '.join(locs[codes == c])})" for c in dup.unique()]
        raise PlanError(f"{path}: zone(s) assigned more than once: {listing(pairs)}")
    if dz is not None:
        unknown = codes[~codes.isin(set(dz["datazone"]))]
        if len(unknown):
            raise PlanError(f"{path}: zone(s) not in the zone table: {listing(unknown)}")


def _read_csv_plan(path: Path, dz: gpd.GeoDataFrame) -> Plan:
    try:
        raw = read_csv(path)
    except Exception as exc:
        raise PlanError(str(exc)) from exc
    try:
        zone_col = column(raw, "datazone", path)
    except Exception as exc:
        raise PlanError(str(exc)) from exc
    loc_col = next((c for c in raw.columns if c.strip().lower() in LOCALITY_ALIASES and c != zone_col), None)
    if loc_col is None:
        raise PlanError(f"{path}: no locality column; expected one of {', '.join(LOCALITY_ALIASES)}, found {listing(raw.columns)}")
    codes = raw[zone_col].astype(str).str.strip().str.upper()
    locs = raw[loc_col].astype(str).str.strip()
    _check_assignment(codes, locs, dz, path)
    names = None
    name_col = next((c for c in raw.columns if c.strip().lower() == "name" and c != loc_col), None)
    if name_col:
        names = pd.Series(raw[name_col].to_numpy(), index=locs).groupby(level=0).first()
    elif loc_col.strip().lower() == "locality_name":
        names = pd.Series(locs.to_numpy(), index=locs).groupby(level=0).first()
    return plan_from_assignment(dz, pd.Series(locs.to_numpy(), index=codes), names=names,
                                params={"source": str(path)})


def saved_plan_info(path: str | os.PathLike) -> dict:
    """The ``plan`` layer of a saved plan GeoPackage as a dict (``council``,
    ``council_name``, ``method`` and the parameters); empty when there is none.

    Raises
    ------
    PlanError
        The file is missing or not a readable GeoPackage.
    """
    import pyogrio

    path = Path(path)
    if not path.exists():
        raise PlanError(f"{path}: no such file")
    try:
        if "plan" not in [name for name, _ in pyogrio.list_layers(path)]:
            return {}
        info = pyogrio.read_dataframe(path, layer="plan")
    except Exception as exc:
        raise PlanError(f"{path}: not a readable GeoPackage ({exc})") from exc
    return dict(zip(info["key"], info["value"])) if {"key", "value"} <= set(info.columns) else {}


def _read_saved_plan(path: Path, dz: gpd.GeoDataFrame | None) -> Plan:
    meta = saved_plan_info(path)
    try:
        assign = gpd.read_file(path, layer="assignment", engine="pyogrio")
        locs = gpd.read_file(path, layer="localities", engine="pyogrio")
        layers = [name for name, _ in __import__("pyogrio").list_layers(path)]
        links = (pd.DataFrame(gpd.read_file(path, layer="links", engine="pyogrio")).drop(columns="geometry", errors="ignore")
                 if "links" in layers else None)
    except Exception as exc:
        raise PlanError(f"{path}: not a readable saved plan ({exc})") from exc
    for col in ("datazone", "locality"):
        if col not in assign:
            raise PlanError(f"{path}: layer 'assignment' has no {col!r} column")
    codes = assign["datazone"].astype(str).str.strip().str.upper()
    _check_assignment(codes, assign["locality"].astype(str), dz, path)
    names = pd.Series(locs["name"].to_numpy(), index=locs["locality"].astype(str))
    assignment = pd.Series(assign["locality"].astype(str).to_numpy(), index=codes)
    params = {"source": str(path), **{k: v for k, v in meta.items() if k not in ("council", "council_name", "method")}}
    if dz is not None:
        plan = plan_from_assignment(dz, assignment, names=names, method=meta.get("method", "supplied"), params=params,
                                    links=links)
    else:
        locs = locs.to_crs("EPSG:27700") if locs.crs is not None else locs.set_crs("EPSG:27700")
        plan = Plan(assignment=assignment.rename("locality").rename_axis("datazone").sort_index(),
                    localities=locs[["locality", "name", "population", "zones", "geometry"]],
                    method=meta.get("method", "supplied"), params=params,
                    links=links if links is not None else Plan.__dataclass_fields__["links"].default_factory())
    plan.council = meta.get("council") or plan.council
    plan.council_name = meta.get("council_name") or plan.council_name
    return plan


def _read_polygon_plan(path: Path, dz: gpd.GeoDataFrame, layer: str | None) -> Plan:
    try:
        polys = read_boundaries(path, layer=layer, code_field="datazone")
    except Exception as exc:
        raise PlanError(str(exc)) from exc
    id_col = next((c for c in polys.columns if c.strip().lower() in LOCALITY_ALIASES), None)
    ids = polys[id_col].astype(str).str.strip() if id_col else pd.Series([f"L{i + 1:02d}" for i in range(len(polys))])
    if ids.duplicated().any():
        raise PlanError(f"{path}: locality id(s) used by more than one polygon: {listing(ids[ids.duplicated()].unique())}")
    polys = gpd.GeoDataFrame({"locality": ids.to_numpy()}, geometry=polys.geometry.to_numpy(), crs=polys.crs)
    zones = gpd.GeoDataFrame({"datazone": dz["datazone"].to_numpy(), "zone_area": dz.geometry.area.to_numpy()},
                             geometry=dz.geometry.to_numpy(), crs=dz.crs)
    pieces = gpd.overlay(zones, polys, how="intersection", keep_geom_type=True)
    pieces["share"] = pieces.geometry.area / pieces["zone_area"]
    pieces = pieces.sort_values(["datazone", "share", "locality"], ascending=[True, False, True])
    best = pieces.drop_duplicates("datazone")
    split = pieces[pieces["share"] >= 0.01].groupby("datazone").filter(lambda g: len(g) > 1)
    notes = []
    if len(split):
        detail = split.groupby("datazone").apply(
            lambda g: f"{g.name} ({', '.join(f'{a} {s:.0%}' for a, s in zip(g['locality'], g['share']))})", include_groups=False)
        notes.append(f"{split['datazone'].nunique()} zone(s) split between localities, each assigned to its largest "
                     f"overlap: {listing(detail)}")
    missing = sorted(set(dz["datazone"]) - set(best["datazone"]))
    if missing:
        notes.append(f"{len(missing)} zone(s) overlap no locality polygon: {listing(missing)}")
    assignment = pd.Series(best["locality"].to_numpy(), index=best["datazone"].to_numpy())
    plan = plan_from_assignment(dz, assignment, params={"source": str(path)}, notes=notes)
    plan.params["split_zones"] = sorted(split["datazone"].unique())
    return plan
