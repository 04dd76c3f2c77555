"""A plan from locality polygons (GeoPackage, GeoJSON, shapefile): each zone goes to the
polygon it overlaps most; zones split between polygons, zones in none, polygons that win
no zone and zones as much inside two overlapping polygons are said in the plan's notes.
(Split from :mod:`localities.plans`, which reads every kind of plan file.)
"""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .boundaries import _polygonal, read_boundaries
from .errors import PlanError, counted, listing
from .plans import Plan
from .tableplan import _ID_TIERS, _LOCALITY_LIKE, _NAMEISH, _norm

#: A zone overlapping no polygon goes to the nearest polygon within this many metres.
NEAR_M = 1_000

#: Headers of polygons' own names that read as no locality column: "Ward", "label", "title".
_OWN_NAMES = re.compile(r"(ward|label|title|place)")


def read_polygon_plan(path: Path, dz: gpd.GeoDataFrame, layer: str | None) -> Plan:
    """The plan locality polygons make: each zone to the polygon it overlaps most (see
    :func:`localities.read_plan`)."""
    from .build import plan_from_assignment  # lazily, as in localities.plans (the builder imports it)

    try:
        polys = read_boundaries(path, layer=layer, code_field="datazone")
    except Exception as exc:
        raise PlanError(str(exc)) from exc
    norm = {c: _norm(c) for c in polys.columns if c != polys.geometry.name}
    id_col = next((c for tier in _ID_TIERS for alias in tier for c in norm if norm[c] == alias), None)
    read_from = []
    if id_col is None:  # e.g. official ward polygons: ward22_code, ward22_name
        unique = [c for c in norm if polys[c].notna().all() and polys[c].astype(str).is_unique]
        id_col = next((c for c in unique if "code" in norm[c] or norm[c].endswith("id")), None) or \
            next((c for c in unique if "name" in norm[c]), None)
        if id_col is None:
            # A column of the analyst's own names under another header ("Ward", "AREA",
            # "label", a shapefile's "locality_n" cut from locality_name) was passed over:
            # the localities came out as L01-L05 named from their zones, without a word.
            text = [c for c in unique if pd.api.types.is_string_dtype(polys[c]) or polys[c].dtype == object]
            id_col = next((c for c in text if _LOCALITY_LIKE.search(norm[c]) or _OWN_NAMES.match(norm[c])), None) or \
                (text[0] if len(text) == 1 else None)
            read_from = ([f"localities read from column {id_col!r}, the polygons' column of distinct names (call it "
                          "'locality' to say so)"] if id_col is not None else
                         [f"no column of localities (locality, id, code or name) among {listing(map(repr, norm))}: the "
                          f"polygons are numbered L01 to L{len(polys):02d} and named from their zones; call the column "
                          "holding the localities 'locality'"] if norm else
                         # A shapefile without its .dbf has no columns at all: said too.
                         [f"the polygons have no columns (a shapefile without its .dbf file?): they are numbered L01 "
                          f"to L{len(polys):02d} and named from their zones"])
    ids = polys[id_col].astype(str).str.strip() if id_col else pd.Series([f"L{i + 1:02d}" for i in range(len(polys))])
    if id_col is not None and (polys[id_col].isna() | (ids == "")).any():
        blank = int((polys[id_col].isna() | (ids == "")).sum())
        raise PlanError(f"{path}: {counted(blank, 'polygon', 'polygons')} with no locality in "
                        f"column {id_col!r}")
    if ids.duplicated().any():
        twice = ids[ids.duplicated()].unique()
        raise PlanError(f"{path}: {'locality id' if len(twice) == 1 else 'locality ids'} used by more than one polygon: "
                        f"{listing(twice)}")
    kinds = polys.geometry.geom_type.to_numpy()
    shapes = [g if k in ("Polygon", "MultiPolygon") else _polygonal(g) for g, k in zip(polys.geometry, kinds)]
    flat = [i for i, g in enumerate(shapes) if g is None or g.geom_type not in ("Polygon", "MultiPolygon")]
    if flat:
        raise PlanError(f"{path}: {counted(len(flat), 'feature is not a polygon', 'features are not polygons')}, so cannot hold "
                        "zones: "
                        f"{listing(f'{ids.iloc[i]} ({kinds[i]})' for i in flat)}; keep only the locality polygons")
    name_col = next((c for alias in _NAMEISH for c in norm if norm[c] == alias and c != id_col), None) or \
        next((c for c in norm if "name" in norm[c] and c != id_col), None)
    names = (pd.Series(polys[name_col].astype(str).str.strip().to_numpy(), index=ids.to_numpy())
             if name_col is not None else None)
    polys = gpd.GeoDataFrame({"locality": ids.to_numpy()}, geometry=shapes, crs=polys.crs)
    zones = gpd.GeoDataFrame({"datazone": dz["datazone"].to_numpy(), "zone_area": dz.geometry.area.to_numpy()},
                             geometry=dz.geometry.to_numpy(), crs=dz.crs)
    pieces = gpd.overlay(zones, polys, how="intersection", keep_geom_type=True)
    pieces["share"] = pieces.geometry.area / pieces["zone_area"]
    pieces = pieces.sort_values(["datazone", "share", "locality"], ascending=[True, False, True])
    best = pieces.drop_duplicates("datazone")
    if best.empty:
        def where(bounds):
            x0, y0, x1, y1 = (round(v / 1000) for v in bounds)
            return f"{x0:,} to {x1:,} km east, {y0:,} to {y1:,} km north"
        x0, y0, x1, y1 = polys.total_bounds
        if 0 <= x0 and x1 <= 480_000 and 520_000 <= y0 and y1 <= 1_230_000:
            # Inside Scotland, on the right grid: another council's plan, or zones from other data.
            zones_of = listing(sorted(dz["council_name"].astype(str).unique()), 3) if "council_name" in dz else ""
            found = (f"{path}: the locality polygons overlap none of the {len(dz):,} zones"
                     f"{' of ' + zones_of if zones_of else ''}: they lie {where(polys.total_bounds)} on the British "
                     f"National Grid, the zones {where(dz.total_bounds)}")
            if dz.attrs.get("sample"):
                from . import sources

                raise PlanError(f"{found}; the embedded sample holds only {zones_of or 'one council'}: set "
                                f"{sources.ENV_VAR}, pass data_dir, or run `localities download`")
            raise PlanError(f"{found}; is it a plan for another council?")
        raise PlanError(f"{path}: the locality polygons overlap none of the {len(dz):,} zones: on the British National "
                        f"Grid they lie {where(polys.total_bounds)}, the zones {where(dz.total_bounds)}; is the "
                        "file's CRS right?")
    # Polygons laid over one another: a zone (nearly) as much inside two of them went to
    # whichever came first; it goes to the one it lies deepest in, and the note says so.
    held = pieces.groupby(["datazone", "locality"], sort=True)["share"].sum().reset_index()
    top = held.groupby("datazone")["share"].transform("max")
    tied = held[(held["share"] >= top - 0.01) & (top >= 0.5)]
    tied = tied[tied["datazone"].duplicated(keep=False)]
    overlapped = []
    if len(tied):
        inner = shapely.point_on_surface(zones.set_index("datazone").geometry.loc[tied["datazone"]].to_numpy())
        edges = polys.set_index("locality").geometry.boundary.loc[tied["locality"]].to_numpy()
        tied = tied.assign(depth=shapely.distance(inner, edges))
        deepest = tied.sort_values(["datazone", "depth", "locality"], ascending=[True, False, True])
        deepest = deepest.drop_duplicates("datazone").set_index("datazone")["locality"]
        best = best.set_index("datazone")
        best.loc[deepest.index, "locality"] = deepest
        best = best.reset_index()
        candidates = tied.groupby("datazone")["locality"].agg(list)
        overlapped = [f"{z} ({w}, not {listing([str(o) for o in candidates[z] if o != w], 3)})"
                      for z, w in deepest.items()]
    split = pieces[pieces["share"] >= 0.01].groupby("datazone").filter(lambda g: len(g) > 1)
    notes = read_from
    laid = _laid_over(polys)
    if laid:
        notes.append(laid)
    if overlapped:
        notes.append(f"locality polygons overlap: {counted(len(overlapped), 'zone lies', 'zones lie')} as much inside "
                     f"two or more of them, each assigned to the one it lies deepest in: {listing(overlapped)}")
    # Zones that lie as much in two polygons are said above; the rest with the locality each went
    # to first ("Clydebank Central 1 100%, ..." for a zone given to Clydebank Waterfront 1 read
    # as the opposite of the note before it).
    split_zones = sorted(split["datazone"].unique())
    split = split[~split["datazone"].isin(deepest.index)] if overlapped else split
    if len(split):
        detail = split.sort_values(["datazone", "share", "locality"], ascending=[True, False, True]).groupby(
            "datazone").apply(
            lambda g: f"{g.name} ({', '.join(f'{a} {s:.0%}' for a, s in zip(g['locality'], g['share']))})", include_groups=False)
        notes.append(f"{counted(split['datazone'].nunique(), 'zone', 'zones')} split between localities, each assigned "
                     "to its largest "
                     f"overlap: {listing(detail)}")
    missing = sorted(set(dz["datazone"]) - set(best["datazone"]))
    if missing:
        # A coastal zone just outside simplified polygons (South Ayrshire's official ward
        # polygons missed two by 18 m and 301 m) goes to the nearest within NEAR_M, said.
        # Only a zone on its own: zones in no polygon that touch each other are an area the
        # plan leaves out (a locality's polygon dropped), and the check reports them.
        outside = zones.set_index("datazone").geometry.loc[missing]
        pairs = outside.sindex.query(outside.to_numpy(), predicate="intersects")
        crowded = set(pairs[0][pairs[0] != pairs[1]])
        near, gap = polys.sindex.nearest(outside.to_numpy(), return_distance=True, return_all=False)
        taken = {}
        for (i, j), metres in zip(near.T, gap):
            if metres <= NEAR_M and i not in crowded:
                taken[missing[i]] = (polys["locality"].iloc[j], metres)
        if taken:
            best = pd.concat([best, pd.DataFrame({"datazone": list(taken), "locality": [w for w, _ in taken.values()]})])
            notes.append(f"{counted(len(taken), 'zone overlaps', 'zones overlap')} no locality polygon, each given to the "
                         f"nearest within {NEAR_M:,} m: "
                         + listing([f"{z} ({w}, {m:,.0f} m)" for z, (w, m) in taken.items()]))
        left = [z for z in missing if z not in taken]
        if left:
            notes.append(f"{counted(len(left), 'zone overlaps', 'zones overlap')} no locality polygon: {listing(left)}")
    won = set(best["locality"])
    # Most of a polygon's area beyond these zones: another council's (touching this one's edge).
    within = pieces.geometry.area.groupby(pieces["locality"]).sum()
    mostly = set(within.index[within.to_numpy() >= 0.5 * polys.set_index("locality").geometry.area
                              .reindex(within.index).to_numpy()])
    away = [i for i in polys["locality"] if i not in won and i not in mostly]
    if away:
        # Midlothian's ward polygons, in one file with East Lothian's, read against East Lothian
        # were said to "win no zone (each zone they touch overlaps another polygon more, or none)".
        where = str(dz["council_name"].iloc[0]) if "council_name" in dz and dz["council_name"].nunique() == 1 \
            else "these zones"
        notes.append(f"{counted(len(away), 'locality polygon lies', 'locality polygons lie')} outside {where} (most "
                     f"of {'its' if len(away) == 1 else 'their'} area beyond its zones), so "
                     f"{'it is' if len(away) == 1 else 'they are'} not in the plan: {listing(away)}")
    empty = [i for i in polys["locality"] if i not in won and i in mostly]
    if empty:
        one = len(empty) == 1
        notes.append(f"{counted(len(empty), 'locality polygon wins', 'locality polygons win')} no zone (each zone "
                     f"{'it touches' if one else 'they touch'} overlaps another polygon more), so "
                     f"{'it is' if one else 'they are'} not in the plan: {listing(empty)}")
    assignment = pd.Series(best["locality"].to_numpy(), index=best["datazone"].to_numpy())
    plan = plan_from_assignment(dz, assignment, names=names, params={"source": str(path)}, notes=notes)
    plan.params["split_zones"] = split_zones
    return plan


def _laid_over(polys) -> str | None:
    """A note on locality polygons laid over one another (more than a sliver: 1,000 m² and a
    thousandth of the smaller), or None: grown by 50 m, Clydebank's polygons only said "79
    zones split between localities", and the word "overlap" never appeared."""
    geoms = polys.geometry.to_numpy()
    left, right = polys.sindex.query(geoms, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    if not len(left):
        return None
    shared = shapely.area(shapely.intersection(geoms[left], geoms[right]))
    smaller = np.minimum(shapely.area(geoms[left]), shapely.area(geoms[right]))
    big = (shared >= 1_000) & (shared >= 0.001 * smaller)
    if not big.any():
        return None
    ids = polys["locality"].astype(str).to_numpy()
    order = np.argsort(-shared[big], kind="stable")
    pairs = [f"{ids[a]} and {ids[b]} {area / 1e6:,.2f} km²" for a, b, area in
             zip(left[big][order], right[big][order], shared[big][order])]
    return (f"locality polygons overlap one another ({counted(len(pairs), 'pair', 'pairs')}, "
            f"{shared[big].sum() / 1e6:,.2f} km² in all): {listing(pairs)}; a zone in two goes to the one holding more "
            "of it")
