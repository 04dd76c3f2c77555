"""Spatial relations between zones: contiguity, linking islands, compactness.

Contiguity is queen (a shared boundary point is enough), from shapely's STRtree. Zones
with no land neighbour (islands, or parts cut off by simplified coastlines) are linked
to the nearest zone of their own group so every region-building step sees one
connected graph; every link made is returned so the plan can say which it made.
"""

from __future__ import annotations

import hashlib
from collections import Counter

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components


_SEEN: dict = {}  # the last few zone sets' contiguity: propose, check and an ensemble's plans share it
_LINKED: dict = {}  # the last few zone sets' island links, likewise


def _remember(store: dict, key, make):
    """``store[key]``, made by ``make()`` the first time (the last 8 keys are kept)."""
    if key not in store:
        if len(store) >= 8:
            store.pop(next(iter(store)))
        store[key] = make()
    return store[key]


def _fingerprint(zones: gpd.GeoDataFrame, id_column: str) -> tuple:
    """Codes with a digest of every polygon's vertices: a changed or moved polygon is a
    new zone set. (Areas and perimeters were not enough: a 6 x 7 and a 7 x 6 grid of
    equal squares with the same codes had the same ones, and shared their contiguity.)"""
    geoms = np.asarray(zones.geometry.array)
    digest = hashlib.blake2b(shapely.get_coordinates(geoms).tobytes(), digest_size=20)
    for part in (shapely.get_type_id(geoms), shapely.get_num_geometries(geoms), shapely.get_num_coordinates(geoms)):
        digest.update(np.asarray(part, dtype=np.int64).tobytes())
    return (id_column, tuple(zones[id_column]), digest.digest())


def neighbours(zones: gpd.GeoDataFrame, id_column: str = "datazone") -> dict[str, list[str]]:
    """Queen contiguity as ``{zone: [neighbouring zones]}`` (sorted, isolates included).

    The result for the same zone codes and polygons is remembered (the last 8 zone
    sets), so building, checking and ranking many plans on one council computes it once.
    """
    if len(zones) == 1:
        return {zones[id_column].iloc[0]: []}
    seen = _remember(_SEEN, _fingerprint(zones, id_column), lambda: _contiguity(zones, id_column))
    return {z: list(ns) for z, ns in seen.items()}


def _contiguity(zones: gpd.GeoDataFrame, id_column: str) -> dict[str, list[str]]:
    # Queen contiguity of a coverage is "the polygons intersect": shapely's STRtree answers
    # it in one vectorised query (all of Scotland: the same 39,244 pairs as libpysal's
    # vertex-based queen graph, in 0.2 s instead of 2.9 s with its import).
    geoms = zones.geometry.to_numpy()
    left, right = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    keep = left != right
    return _lists(zones[id_column].tolist(), left[keep], right[keep])


def _lists(ids: list[str], rows: np.ndarray, cols: np.ndarray) -> dict[str, list[str]]:
    """``{zone: [neighbours in code order]}`` from index pairs, every zone of ``ids`` a key."""
    rank = np.empty(len(ids), dtype=np.int64)
    rank[np.argsort(np.array(ids, dtype=object), kind="stable")] = np.arange(len(ids))
    order = np.lexsort((rank[cols], rows))
    rows, cols = rows[order], cols[order]
    bounds = np.searchsorted(rows, np.arange(len(ids) + 1))
    named = np.array(ids, dtype=object)[cols].tolist()
    return {z: named[bounds[i]:bounds[i + 1]] for i, z in enumerate(ids)}


def add_links(adj: dict[str, list[str]], links: pd.DataFrame) -> None:
    """Make each ``zone, linked_to`` pair of ``links`` neighbours in ``adj``."""
    for a, b in links[["zone", "linked_to"]].itertuples(index=False):
        _add_link(adj, a, b)


def _add_link(adj: dict[str, list[str]], a: str, b: str) -> None:
    """Make ``a`` and ``b`` neighbours in ``adj`` (lists kept sorted, no repeats)."""
    adj[a] = sorted(set(adj[a]) | {b})
    adj[b] = sorted(set(adj[b]) | {a})


def components(ids: list[str], adjacency: dict[str, list[str]]) -> list[list[str]]:
    """Connected components of ``ids`` under ``adjacency`` (edges leaving ``ids`` ignored),
    largest first, then by first zone code: a deterministic order."""
    index = {z: i for i, z in enumerate(ids)}
    rows, cols = _edges(ids, adjacency, index)
    m = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(ids), len(ids)))
    _, labels = connected_components(m, directed=False)
    parts: dict[int, list[str]] = {}
    for z, lab in zip(ids, labels.tolist()):
        parts.setdefault(lab, []).append(z)
    return sorted((sorted(p) for p in parts.values()), key=lambda p: (-len(p), p[0]))


def pieces(assignment: pd.Series, adjacency: dict[str, list[str]]) -> pd.Series:
    """How many connected pieces each locality is in (``assignment``: locality of each
    zone, indexed by zone code; edges between localities ignored): :func:`components`
    for every locality at once."""
    ids = assignment.index.tolist()
    index = {z: i for i, z in enumerate(ids)}
    rows, cols = _edges(ids, adjacency, index)
    loc = pd.factorize(assignment.to_numpy())[0]
    same = loc[rows] == loc[cols]
    graph = coo_matrix((np.ones(int(same.sum())), (rows[same], cols[same])), shape=(len(ids),) * 2)
    _, piece = connected_components(graph, directed=False)
    return pd.Series(piece).groupby(assignment.to_numpy()).nunique()


def _edges(ids, adjacency, index) -> tuple[np.ndarray, np.ndarray]:
    """The adjacency's pairs between ``ids`` as two index arrays (rows, cols)."""
    counts = [len(adjacency.get(z, ())) for z in ids]
    rows = np.repeat(np.arange(len(ids), dtype=np.int64), counts)
    cols = np.fromiter((index.get(n, -1) for z in ids for n in adjacency.get(z, ())), dtype=np.int64,
                       count=sum(counts))
    keep = cols >= 0  # neighbours outside ``ids``
    return rows[keep], cols[keep]


def link_components(
    zones: gpd.GeoDataFrame,
    adjacency: dict[str, list[str]],
    group: str | None = None,
    id_column: str = "datazone",
) -> tuple[dict[str, list[str]], pd.DataFrame]:
    """Join the disconnected parts of each group to their nearest zone in the same group.

    Repeatedly joins the smallest part to the nearest zone outside it (boundary-to-
    boundary distance), until each group is connected. Deterministic.

    Returns
    -------
    adjacency : dict
        A copy of ``adjacency`` restricted to edges within groups, plus the links.
    links : DataFrame
        ``zone, linked_to, distance_m, group``: one row per link made.
    """
    ids = zones[id_column].tolist()
    keys = zones[group].to_numpy() if group else np.full(len(zones), "all", dtype=object)
    code, uniques = pd.factorize(keys, sort=True)  # sorted: groups are linked in key order
    index = {z: i for i, z in enumerate(ids)}
    rows, cols = _edges(ids, adjacency, index)
    same = code[rows] == code[cols]
    rows, cols = rows[same], cols[same]
    adj = _lists(ids, rows, cols)  # each zone's neighbours in its group
    _, label = connected_components(coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(ids),) * 2), directed=False)
    links, geoms = [], None
    # One pass over the whole graph finds the groups already in one piece (distinct
    # (group, component) pairs); only the others are linked.
    # Zones without a group (code -1) are linked to nothing, as a groupby leaves them out.
    known = code >= 0
    pairs = np.unique(code[known].astype(np.int64) * (int(label.max()) + 1) + label[known])
    pieces = np.bincount(pairs // (int(label.max()) + 1), minlength=len(uniques))
    ids_array = np.array(ids, dtype=object)
    for c in np.flatnonzero(pieces > 1).tolist():
        key = uniques[c]
        members = sorted(ids_array[code == c].tolist())
        parts = components(members, adj)
        if geoms is None:  # made only when something is to be linked
            geoms = dict(zip(zones[id_column], zones.geometry))
        while len(parts) > 1:
            part = parts[-1]  # smallest (ties: the later code), joined to the rest
            rest = [z for p in parts[:-1] for z in p]
            tree = shapely.STRtree([geoms[z] for z in rest])
            (src, dst), dist = tree.query_nearest([geoms[z] for z in part], return_distance=True, all_matches=False)
            best = int(np.lexsort((src, dist))[0])
            a, b = part[src[best]], rest[dst[best]]
            _add_link(adj, a, b)
            links.append({"zone": a, "linked_to": b, "distance_m": float(dist[best]), "group": key})
            # The part joins the part holding b: merge the two lists, no new component search.
            parts = parts[:-1]
            j = next(i for i, p in enumerate(parts) if b in p)
            parts[j] = sorted(parts[j] + part)
            parts.sort(key=lambda p: (-len(p), p[0]))
    return adj, pd.DataFrame(links, columns=["zone", "linked_to", "distance_m", "group"])


def polsby_popper(geoms: gpd.GeoSeries) -> pd.Series:
    """Compactness 4πA/P² (1 for a circle, near 0 for a long thin shape)."""
    perimeter = geoms.length.replace(0, np.nan)
    return 4 * np.pi * geoms.area / perimeter**2


def dissolve(zones: gpd.GeoDataFrame | gpd.GeoSeries, by: pd.Series) -> gpd.GeoSeries:
    """Union of zone polygons per value of ``by`` (index: the values, sorted).

    Zones tile the country without overlaps, so the coverage union (linear in the
    vertices; all Scottish IZs from Data Zones in 0.3 s instead of 1.1 s, areas equal to
    1e-5 m²) is used; any result that is not valid (zones that overlap or leave gaps) is
    made again with the full union."""
    geoms = np.asarray(zones.geometry.array)
    values, group = np.unique(by.to_numpy(), return_inverse=True)
    order = np.argsort(group, kind="stable")
    bounds = np.searchsorted(group[order], np.arange(len(values) + 1))
    parts = [geoms[order[bounds[i]:bounds[i + 1]]] for i in range(len(values))]
    out = np.array([shapely.coverage_union_all(part) for part in parts], dtype=object)
    for i in np.flatnonzero(~shapely.is_valid(out)):
        out[i] = shapely.union_all(parts[i])
    return gpd.GeoSeries(out, index=pd.Index(values, name=by.name), crs=zones.crs)


def _largest_parts(geoms: np.ndarray) -> np.ndarray:
    """Each geometry's largest polygon (itself where it has one part)."""
    parts, index = shapely.get_parts(geoms, return_index=True)
    order = np.lexsort((-shapely.area(parts), index))  # by geometry, largest part first
    first = order[np.r_[True, index[order][1:] != index[order][:-1]]]
    out = geoms.copy()
    out[index[first]] = parts[first]
    return out


def label_points(localities: gpd.GeoSeries, zones: gpd.GeoSeries, population: pd.Series, by: pd.Series) -> dict:
    """``{locality: (x, y)}`` for localities of several islands whose people do not live
    mostly on the largest: where the map puts the name, in the middle of the people. It
    is the point inside a zone, of the locality's zones, nearest the locality's
    population-weighted centre (Benbecula for Barra, the Uists and Harris, not Harris,
    the largest island by area), given only when it is off the largest part.
    ``zones``, ``population`` and ``by`` (each zone's locality) are aligned;
    ``localities`` is indexed by locality."""
    parts = shapely.get_num_geometries(np.asarray(localities.geometry.array))
    multi = set(localities.index[parts > 1])
    if not multi:
        return {}
    # Each zone's point on its largest part: GEOS's point on a zone of 77 islands can fall on
    # an islet (North Uist's ward had its name on one off Berneray, and again on North Uist).
    points = shapely.point_on_surface(_largest_parts(np.asarray(zones.geometry.array)))
    frame = pd.DataFrame({"loc": by.to_numpy(), "x": shapely.get_x(points), "y": shapely.get_y(points),
                          "w": pd.to_numeric(population).to_numpy(dtype=float)})
    frame = frame[frame["loc"].isin(multi)]
    out = {}
    for loc, rows in frame.groupby("loc", sort=True):
        w = rows["w"].to_numpy() if rows["w"].sum() > 0 else np.ones(len(rows))
        cx, cy = np.average(rows["x"], weights=w), np.average(rows["y"], weights=w)
        best = int(np.argmin((rows["x"].to_numpy() - cx) ** 2 + (rows["y"].to_numpy() - cy) ** 2))
        x, y = float(rows["x"].iloc[best]), float(rows["y"].iloc[best])
        # Only where it moves the name off the largest island (a mainland locality with a few
        # islets keeps its usual place, the widest point of its mainland).
        parts = shapely.get_parts(localities[loc])
        if not parts[int(np.argmax(shapely.area(parts)))].intersects(shapely.Point(x, y)):
            out[loc] = (x, y)
    return out


def building_blocks(
    zones: gpd.GeoDataFrame,
    adjacency: dict[str, list[str]],
    unit: str | None = None,
    group: str | None = None,
    population: str = "population",
    ceiling: float = np.inf,
    id_column: str = "datazone",
    link_within: str | None = None,
) -> tuple[np.ndarray, dict[str, list[str]], pd.DataFrame, dict[str, list]]:
    """Group zones into the blocks regions are built from, and link every group.

    A block is the part of one ``unit`` (an Intermediate Zone, say) inside one
    ``group`` (a ward, with ``within="ward"``): whole units unless a group line cuts
    them. A unit's detached parts (islands) inside one group are linked to each
    other first, so it stays one block; then each group is linked into one piece
    (:func:`link_components`). A block with more people than ``ceiling`` is broken
    into its zones. Without ``unit`` every zone is a block.

    ``link_within`` (default: ``unit``) names the column whose detached parts are
    linked to each other first. Building from Data Zones with ``link_within="iz"``
    gives the same links, so the same zone graph, as building from whole IZs.

    Returns
    -------
    block : ndarray of int
        Block number of each row of ``zones`` (blocks numbered in order of their
        first zone code: independent of row order).
    adjacency : dict
        Zone adjacency inside groups, with the links.
    links : DataFrame
        ``zone, linked_to, distance_m, group`` for every link made.
    splits : dict
        ``"group"``: units cut by group lines; ``"ceiling"``: units over the ceiling.
    """
    ids = zones[id_column].to_numpy()
    group_key = zones[group].astype(str).to_numpy() if group else np.full(len(zones), "all", dtype=object)
    splits: dict[str, list] = {"group": [], "ceiling": []}
    link_within = link_within or unit
    link_key = zones[link_within].astype(str).to_numpy() if link_within else None
    # The links depend only on the zones, their adjacency and the two groupings: the same
    # zone set built again (warm runs, an ensemble's plans) reuses them.
    key = (_fingerprint(zones, id_column), tuple(group_key), None if link_key is None else tuple(link_key),
           tuple(tuple(adjacency.get(z, ())) for z in ids),
           tuple(zones["iz_name"].astype(str)) if "iz_name" in zones else None)  # river links read the names
    adj, links = _remember(_LINKED, key, lambda: _links(zones, adjacency, group, group_key, link_key, id_column))
    adj, links = {z: list(ns) for z, ns in adj.items()}, links.copy()
    if unit is None:
        order = np.argsort(ids, kind="stable")
        block = np.empty(len(zones), dtype=int)
        block[order] = np.arange(len(zones))
        return block, adj, links, splits
    unit_key = zones[unit].to_numpy(dtype=object)
    # A zone with no unit (no IZ code) is a block of its own, never lumped with the other blank ones.
    unit_key = np.where(pd.isna(unit_key), np.char.add("\x1e", ids.astype(str)), unit_key.astype(str))
    unit_code, unit_names = pd.factorize(unit_key)
    key = np.array([f"{u}\x1f{g}" for u, g in zip(unit_key, group_key)], dtype=object)
    key_code, key_names = pd.factorize(key)
    pop = pd.to_numeric(zones[population]).to_numpy(dtype=float)
    too_big = np.bincount(key_code, weights=pop, minlength=len(key_names)) > ceiling
    # A unit cut by group lines is in more than one (unit, group) block key.
    unit_of_key = np.empty(len(key_names), dtype=np.int64)
    unit_of_key[key_code] = unit_code
    per_unit = np.bincount(unit_of_key, minlength=len(unit_names))
    splits["group"] = sorted(unit_names[per_unit > 1].tolist())
    # (A zone with no unit over the ceiling is not a unit split: the builder notes it as a zone.)
    splits["ceiling"] = sorted({k.split("\x1f")[0] for k in key_names[too_big] if not k.startswith("\x1e")})
    # A block over the ceiling is broken into its zones.
    broken = too_big[key_code]
    final = np.where(broken, len(key_names) + np.arange(len(zones)), key_code)
    final = pd.factorize(final)[0]
    # Blocks are numbered in order of their first zone code.
    order = np.argsort(ids.astype(str), kind="stable")
    _, first = np.unique(final[order], return_index=True)
    rank = np.empty(len(first), dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(len(first))
    return rank[final], adj, links, splits


def _links(zones, adjacency, group, group_key, link_key, id_column):
    """Island links: each ``link_key`` part's detached pieces to each other first (when
    given), then each group into one piece. Returns (adjacency with links, links)."""
    if link_key is None:
        return link_components(zones, adjacency, group=group, id_column=id_column)
    ids = zones[id_column].to_numpy()
    frame = gpd.GeoDataFrame({id_column: ids, "_part": [f"{u}\x1f{g}" for u, g in zip(link_key, group_key)],
                              "_group": group_key}, geometry=zones.geometry.to_numpy(), crs=zones.crs)
    _, inner_links = link_components(frame, adjacency, group="_part", id_column=id_column)
    inner_links["group"] = [k.split("\x1f")[1] for k in inner_links["group"]]
    # The inner pass only restricts edges to parts and adds links: the full adjacency
    # plus those links is the union of the two.
    merged = {z: adjacency.get(z, []) for z in ids}
    add_links(merged, inner_links)
    # On the adjacency with those links: a side's own detached parts are joined already.
    river_links = river_links_of(zones, merged, group_key, id_column)
    add_links(merged, river_links)
    adj, outer_links = link_components(frame, merged, group="_group", id_column=id_column)
    links = pd.concat([df for df in (inner_links, river_links, outer_links) if len(df)] or [outer_links],
                      ignore_index=True)
    return adj, links


#: The widest gap (metres) between the sides of one town that a link joins: water the
#: zones' boundaries stop at (Wick North and Wick South, 38 m across the Wick River;
#: Lerwick 92 m, Fort William 138 m; Musselburgh's sides, 103 m apart across the Esk,
#: are joined through the rest of the town, and need none).
RIVER_M = 150.0


def river_links_of(zones, adjacency, group_key=None, id_column: str = "datazone") -> pd.DataFrame:
    """Links between the sides of one town (IZs named as its sides: "Wick North", "Wick
    South") that do not touch, where at most :data:`RIVER_M` apart: a town divided by a
    river is one town (the demo's plan had Wick North and Wick South as two localities,
    though a small town is kept in one). Each within one group (``group_key``, one value per
    zone; by default all one group) only."""
    columns = ["zone", "linked_to", "distance_m", "group"]
    if group_key is None:
        group_key = np.full(len(zones), "all", dtype=object)
    if "iz_name" not in zones:
        return pd.DataFrame(columns=columns)
    from .namelists import _town

    names = zones["iz_name"].fillna("").astype(str).to_numpy()  # a zone with no IZ name is in no town
    towns = {name: _town(name) if name else None for name in set(names)}
    sides = Counter(t for t in towns.values() if t)
    key = np.array([f"{towns[n]}\x1f{g}" if sides[towns[n]] > 1 else "" for n, g in zip(names, group_key)],
                   dtype=object)
    if not (key != "").any():
        return pd.DataFrame(columns=columns)
    frame = gpd.GeoDataFrame({id_column: zones[id_column].to_numpy(), "_town": np.where(key == "", None, key)},
                             geometry=zones.geometry.to_numpy(), crs=zones.crs)
    _, links = link_components(frame, adjacency, group="_town", id_column=id_column)
    links = links[links["distance_m"] <= RIVER_M].copy()
    links["group"] = [k.split("\x1f")[1] for k in links["group"]]
    return links.reset_index(drop=True)
