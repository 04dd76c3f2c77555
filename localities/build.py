"""Build candidate localities: wards, Intermediate Zones, population-capped regions,
or a plan the analyst supplies.

A :class:`Plan` says which locality each Data Zone belongs to, and carries the
dissolved locality polygons with their names, populations and zone counts.

The region builder (``method="regions"``) is ours, because no packaged Python
regionaliser supports a population *ceiling* (spopt's max-p and SKATER take floors).
It works in two steps, both deterministic for a given seed:

1. **Tree partition.** A minimum spanning tree of the contiguity graph, with edges
   weighted by the difference in the chosen attribute plus centroid distance, is cut
   recursively. Each cut is the tree edge whose two sides best match whole numbers
   of target-sized localities while leaving least attribute variance inside them. A
   piece is only left uncut once its population is at most the ceiling, so the
   ceiling holds by construction (except for a single zone that alone exceeds it,
   which is reported).
2. **Boundary refinement.** Zones on region boundaries move to a neighbouring region
   when that lowers within-region attribute variance, spatial spread (compactness)
   and deviation from the target size, never breaking contiguity or the ceiling.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import minimum_spanning_tree

from . import geography
from .errors import PlanError, listing

CEILING = 30_000
GUIDANCE_SIZE = 10_000
METHODS = ("regions", "wards", "iz")


@dataclass
class Plan:
    """Localities for one council: the zone assignment and the localities themselves.

    Attributes
    ----------
    assignment : Series
        Locality id for each Data Zone (index ``datazone``).
    localities : GeoDataFrame
        One row per locality: ``locality, name, population, zones, geometry`` (EPSG:27700).
    council, council_name : str or None
    method : str
        ``"regions"``, ``"wards"``, ``"iz"`` or ``"supplied"``.
    params : dict
        The arguments the plan was built with.
    links : DataFrame
        Island and detached-part links made to keep regions contiguous.
    notes : list of str
        Anything the builder or reader wants the analyst to know.
    """

    assignment: pd.Series
    localities: gpd.GeoDataFrame
    council: str | None = None
    council_name: str | None = None
    method: str = "supplied"
    params: dict = field(default_factory=dict)
    links: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["zone", "linked_to", "distance_m", "group"]))
    notes: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.localities)

    def __repr__(self) -> str:
        pops = self.localities["population"]
        return (f"<Plan {self.council_name or ''} {self.method}: {len(self)} localities, "
                f"{len(self.assignment)} zones, population {int(pops.sum()):,} "
                f"({int(pops.min()):,}-{int(pops.max()):,})>") if len(self) else "<Plan (empty)>"

    def to_file(self, path: str | os.PathLike, ranking: pd.DataFrame | None = None) -> Path:
        """Save to one GeoPackage (layers ``localities``, ``assignment``, ``links``, ``plan``;
        ``ranking`` too when given). Atomic: an interrupted save leaves any old file intact."""
        from .export import save_plan

        return save_plan(self, path, ranking=ranking)


# ---------------------------------------------------------------------------- helpers

def _zones(dz: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Validate the zone table a plan is built on."""
    for col in ("datazone", "population", "geometry"):
        if col not in dz:
            raise PlanError(f"zone table has no {col!r} column (load it with load_datazones)")
    if dz["datazone"].duplicated().any():
        raise PlanError(f"zone table lists zone(s) twice: {listing(dz.loc[dz['datazone'].duplicated(), 'datazone'])}")
    pop = pd.to_numeric(dz["population"], errors="coerce")
    if pop.isna().any():
        raise PlanError(f"population missing for zone(s) {listing(dz.loc[pop.isna(), 'datazone'])}")
    if (pop < 0).any():
        raise PlanError(f"negative population for zone(s) {listing(dz.loc[pop < 0, 'datazone'])}")
    return dz


def _one_council(dz: gpd.GeoDataFrame) -> tuple[str | None, str | None]:
    if "council" not in dz:
        return None, None
    codes = dz["council"].unique()
    if len(codes) > 1:
        raise PlanError(f"zones from {len(codes)} councils: propose localities for one council at a time "
                        f"(load_datazones(council=...)); found {listing(sorted(dz['council_name'].unique()))}")
    name = dz["council_name"].iloc[0] if "council_name" in dz else None
    return codes[0], name


def _names(assignment: pd.Series, dz: gpd.GeoDataFrame) -> pd.Series:
    """Locality names from the Intermediate Zone holding most of its people
    (second IZ added, then a number, where two would share a name)."""
    if "iz_name" not in dz:
        return pd.Series(assignment.unique(), index=assignment.unique())
    frame = pd.DataFrame({"loc": assignment.to_numpy(), "iz": dz["iz_name"].to_numpy(),
                          "pop": dz["population"].to_numpy()})
    ranked = (frame.groupby(["loc", "iz"])["pop"].sum().reset_index()
              .sort_values(["loc", "pop", "iz"], ascending=[True, False, True]))
    first = ranked.groupby("loc")["iz"].apply(list)
    names = first.str[0]
    for dup in names[names.duplicated(keep=False)].unique():
        for loc in names.index[names == dup]:
            if len(first[loc]) > 1:
                names[loc] = f"{first[loc][0]} / {first[loc][1]}"
    counts: dict[str, int] = {}
    for loc in names.index[names.duplicated(keep=False)]:
        counts[names[loc]] = counts.get(names[loc], 0) + 1
        names[loc] = f"{names[loc]} ({counts[names[loc]]})"
    return names


def plan_from_assignment(
    dz: gpd.GeoDataFrame,
    assignment: pd.Series,
    names: pd.Series | None = None,
    method: str = "supplied",
    params: dict | None = None,
    links: pd.DataFrame | None = None,
    notes: list[str] | None = None,
) -> Plan:
    """Make a :class:`Plan` from a zone-to-locality mapping.

    ``assignment`` is indexed by zone code; zones of ``dz`` it does not name are left
    out of the localities (and reported by :func:`localities.check`).
    """
    dz = _zones(dz)
    assignment = assignment.astype(str).rename("locality").rename_axis("datazone").sort_index()
    zones = dz.set_index("datazone").loc[[z for z in assignment.index if z in set(dz["datazone"])]]
    by = assignment.loc[zones.index]
    if names is None:
        names = _names(by, zones.reset_index())
    geoms = geography.dissolve(zones, by)
    table = pd.DataFrame({
        "population": zones["population"].groupby(by.to_numpy()).sum(),
        "zones": by.value_counts(),
    })
    table.index.name = "locality"
    table["name"] = [str(names.get(loc, loc)) for loc in table.index]
    localities = gpd.GeoDataFrame(table.reset_index()[["locality", "name", "population", "zones"]],
                                  geometry=geoms.reindex(table.index).to_numpy(), crs=dz.crs)
    localities["population"] = localities["population"].astype(dz["population"].dtype)
    council = council_name = None
    if "council" in zones and zones["council"].nunique() == 1:
        council, council_name = zones["council"].iloc[0], zones["council_name"].iloc[0]
    return Plan(assignment=assignment, localities=localities, council=council, council_name=council_name,
                method=method, params=params or {},
                links=links if links is not None else Plan.__dataclass_fields__["links"].default_factory(),
                notes=notes or [])


# ---------------------------------------------------------------------------- propose

def propose(
    dz: gpd.GeoDataFrame,
    method: str = "regions",
    max_population: int = CEILING,
    target_population: int | None = None,
    within: str | None = None,
    attribute: str | None = "income_rank",
    seed: int = 0,
    homogeneity: float = 1.0,
    compactness: float = 1.0,
    refine: bool = True,
) -> Plan:
    """Propose candidate localities for one council.

    Parameters
    ----------
    dz : GeoDataFrame
        The council's Data Zones (from :func:`localities.load_datazones`).
    method : {"regions", "wards", "iz"}
        Contiguous population-capped regions, the council's wards (best-fit zones), or
        its Intermediate Zones.
    max_population : int
        Hard ceiling for a region (regulation 2(1)(b): 30,000).
    target_population : int, optional
        Preferred size; the number of regions is ``max(ceil(P / max), round(P / target))``.
        Without it, the fewest regions under the ceiling.
    within : {"ward", "iz"} or column name, optional
        Never cross these lines: every region lies inside one ward (or IZ, ...).
    attribute : str or None
        Column whose values regions should keep homogeneous (SIMD income rank by default),
        so deprived neighbourhoods are not averaged away. ``None``, or zones without
        ``income_rank`` (the 2022 vintage), group by size and compactness only (noted).
    seed : int
        Breaks ties; same input and seed give the same plan.
    homogeneity, compactness : float
        Weights of attribute variance and spatial spread in the refinement.

    Returns
    -------
    Plan
    """
    if method not in METHODS:
        raise PlanError(f"method must be one of {', '.join(METHODS)}, not {method!r}")
    dz = _zones(dz).sort_values("datazone").reset_index(drop=True)
    if len(dz) == 0:
        raise PlanError("no zones to build localities from")
    _one_council(dz)
    params = {"method": method, "max_population": max_population, "target_population": target_population,
              "within": within, "attribute": attribute, "seed": seed}
    if method in ("wards", "iz"):
        code, name = ("ward", "ward_name") if method == "wards" else ("iz", "iz_name")
        for col in (code, name):
            if col not in dz:
                raise PlanError(f"zone table has no {col!r} column, needed for method={method!r}")
        assignment = pd.Series(dz[code].to_numpy(), index=dz["datazone"])
        names = dz.drop_duplicates(code).set_index(code)[name]
        return plan_from_assignment(dz, assignment, names=names, method=method, params=params)

    if max_population <= 0:
        raise PlanError(f"max_population must be positive, not {max_population}")
    if target_population is not None and not 0 < target_population <= max_population:
        raise PlanError(f"target_population must be between 1 and max_population ({max_population}), not {target_population}")
    group_col = {"ward": "ward", "iz": "iz"}.get(within, within)
    if group_col is not None and group_col not in dz:
        raise PlanError(f"within={within!r}: zone table has no {group_col!r} column")
    notes = []
    if attribute is None or (attribute == "income_rank" and attribute not in dz):
        # Zones without SIMD (the 2022 vintage, an analyst's own table): group by size and shape only.
        if attribute is not None:
            notes.append("no income_rank column (no SIMD on these zones): regions grouped by size and compactness only")
        values = pd.Series(0.0, index=dz.index)
    elif attribute not in dz:
        raise PlanError(f"attribute {attribute!r} is not a column of the zone table")
    else:
        values = pd.to_numeric(dz[attribute], errors="coerce")
    if values.isna().any():
        notes.append(f"{attribute} missing for {values.isna().sum()} zone(s) ({listing(dz.loc[values.isna(), 'datazone'])}); "
                     "they were treated as the council mean when grouping")
        values = values.fillna(values.mean() if values.notna().any() else 0.0)
    sd = values.std(ddof=0)
    z = ((values - values.mean()) / sd).to_numpy() if sd > 0 else np.zeros(len(dz))
    pop = dz["population"].to_numpy(dtype=float)
    centre = dz.geometry.representative_point()
    xy = np.column_stack([centre.x, centre.y])
    over = dz.loc[pop > max_population, "datazone"]
    if len(over):
        notes.append(f"zone(s) {listing(over, most=len(over))} alone exceed the ceiling of {max_population:,}: each is a locality "
                     "of its own and fails the population test unless it is a ward")

    adjacency = geography.neighbours(dz)
    adjacency, links = geography.link_components(dz, adjacency, group=group_col)
    if len(links):
        notes.append(f"{len(links)} link(s) made to join islands or detached parts to their nearest zone: "
                     + listing(f"{a}->{b} ({d / 1000:.1f} km)" for a, b, d in
                               links[["zone", "linked_to", "distance_m"]].itertuples(index=False)))
    index = {zone: i for i, zone in enumerate(dz["datazone"])}
    adj = [[index[n] for n in adjacency[zone]] for zone in dz["datazone"]]
    rng = np.random.default_rng(seed)
    labels = np.full(len(dz), -1)
    groups = dz.groupby(group_col, sort=True).indices if group_col else {"all": np.arange(len(dz))}
    next_label = 0
    for key in sorted(groups):
        members = np.sort(groups[key])
        parts = _partition(members, adj, pop, z, xy, max_population, target_population, rng,
                           homogeneity, compactness, refine)
        for part in parts:
            labels[part] = next_label
            next_label += 1
    assert (labels >= 0).all()
    assignment = pd.Series(labels, index=dz["datazone"])
    names = _names(assignment, dz)
    # Stable, readable ids: R01.. in order of name.
    order = sorted(names.index, key=lambda lab: (names[lab], lab))
    ids = {lab: f"R{i + 1:02d}" for i, lab in enumerate(order)}
    assignment = assignment.map(ids)
    names = pd.Series({ids[lab]: names[lab] for lab in names.index})
    return plan_from_assignment(dz, assignment, names=names, method="regions", params=params, links=links, notes=notes)


def _partition(members, adj, pop, z, xy, ceiling, target, rng, homogeneity, compactness, refine) -> list[np.ndarray]:
    """Split one connected group of zones into regions under the ceiling."""
    total = pop[members].sum()
    k = max(1, math.ceil(total / ceiling) if total > 0 else 1)
    if target:
        k = max(k, round(total / target))
    if len(members) == 1 or k == 1 and total <= ceiling:
        return [members]
    local = {g: i for i, g in enumerate(members)}
    nbrs = [[local[n] for n in adj[g] if n in local] for g in members]
    p, zz, pts = pop[members], z[members], xy[members]
    # Minimum spanning tree on attribute difference plus (scaled) distance.
    rows = np.array([i for i, ns in enumerate(nbrs) for j in ns if i < j], dtype=int)
    cols = np.array([j for i, ns in enumerate(nbrs) for j in ns if i < j], dtype=int)
    dist = np.hypot(*(pts[rows] - pts[cols]).T)
    scale = np.median(dist) if len(dist) and np.median(dist) > 0 else 1.0
    weight = np.abs(zz[rows] - zz[cols]) + compactness * dist / scale + 1e-6 + rng.random(len(rows)) * 1e-9
    mst = minimum_spanning_tree(coo_matrix((weight, (rows, cols)), shape=(len(members),) * 2)).tocoo()
    tree = [[] for _ in members]
    for a, b in zip(mst.row, mst.col):
        tree[a].append(b)
        tree[b].append(a)
    pieces = _cut_tree(list(range(len(members))), k, tree, p, zz, ceiling, homogeneity)
    labels = np.empty(len(members), dtype=int)
    for lab, piece in enumerate(pieces):
        labels[piece] = lab
    if refine and len(pieces) > 1:
        size = target or total / len(pieces)
        labels = _refine(labels, nbrs, p, zz, pts, ceiling, size, rng, homogeneity, compactness)
    return [members[labels == lab] for lab in np.unique(labels)]


def _cut_tree(nodes, k, tree, pop, z, ceiling, homogeneity) -> list[list[int]]:
    """Recursively cut a spanning tree into about ``k`` pieces, none over the ceiling."""
    out, stack = [], [(nodes, k)]
    while stack:
        nodes, k = stack.pop()
        total = pop[nodes].sum()
        if len(nodes) == 1 or (k <= 1 and total <= ceiling):
            out.append(nodes)
            continue
        k = max(k, math.ceil(total / ceiling), 2)
        inside = set(nodes)
        root = nodes[0]
        parent = {root: -1}
        order = [root]
        for u in order:
            for v in tree[u]:
                if v in inside and v not in parent:
                    parent[v] = u
                    order.append(v)
        sub_p = {u: pop[u] for u in order}
        sub_n = {u: 1 for u in order}
        sub_1 = {u: z[u] for u in order}
        sub_2 = {u: z[u] ** 2 for u in order}
        for u in reversed(order[1:]):
            q = parent[u]
            sub_p[q] += sub_p[u]
            sub_n[q] += sub_n[u]
            sub_1[q] += sub_1[u]
            sub_2[q] += sub_2[u]
        n, s1, s2 = len(order), sub_1[root], sub_2[root]
        ssd_all = max(s2 - s1 * s1 / n, 1e-9)
        ideal = max(total / k, 1.0)
        best, best_cut = math.inf, None
        for u in order[1:]:
            p1, n1 = sub_p[u], sub_n[u]
            p2, n2 = total - p1, n - n1
            k1 = min(max(round(p1 / ideal), 1), k - 1)
            k2 = k - k1
            k1, k2 = max(k1, math.ceil(p1 / ceiling)), max(k2, math.ceil(p2 / ceiling))
            extra = k1 + k2 - k
            size = ((p1 / k1 - ideal) ** 2 + (p2 / k2 - ideal) ** 2) / ideal**2
            ssd1 = sub_2[u] - sub_1[u] ** 2 / n1
            ssd2 = (s2 - sub_2[u]) - (s1 - sub_1[u]) ** 2 / n2
            score = 10.0 * extra + size + homogeneity * (ssd1 + ssd2) / ssd_all
            if score < best - 1e-12:
                best, best_cut = score, (u, k1, k2)
        u, k1, k2 = best_cut
        side = {u}
        for v in order[order.index(u) + 1:]:
            if parent[v] in side:
                side.add(v)
        stack.append(([v for v in order if v not in side], k2))
        stack.append(([v for v in order if v in side], k1))
    return out


def _refine(labels, nbrs, pop, z, xy, ceiling, size, rng, homogeneity, compactness, passes: int = 30):
    """Move boundary zones between neighbouring regions while the objective falls."""
    k = labels.max() + 1
    n = np.bincount(labels, minlength=k).astype(float)
    p = np.bincount(labels, weights=pop, minlength=k)
    s1 = np.bincount(labels, weights=z, minlength=k)
    s2 = np.bincount(labels, weights=z * z, minlength=k)
    sx = np.bincount(labels, weights=xy[:, 0], minlength=k)
    sy = np.bincount(labels, weights=xy[:, 1], minlength=k)
    r2 = (xy**2).sum(axis=1)
    sr = np.bincount(labels, weights=r2, minlength=k)
    zn = max(float(((z - z.mean()) ** 2).sum()), 1e-9)
    xn = max(float(((xy - xy.mean(axis=0)) ** 2).sum()), 1e-9)
    size = max(size, 1.0)

    def cost(nn, pp, a1, a2, bx, by, br):
        if nn == 0:
            return 0.0
        ssd = a2 - a1 * a1 / nn
        spread = br - (bx * bx + by * by) / nn
        return homogeneity * ssd / zn + compactness * spread / xn + ((pp - size) / size) ** 2 / k

    members = [set(np.flatnonzero(labels == r)) for r in range(k)]

    def stays_connected(r, leaving):
        rest = members[r] - {leaving}
        if not rest:
            return False
        start = next(iter(rest))
        seen, todo = {start}, [start]
        while todo:
            u = todo.pop()
            for v in nbrs[u]:
                if v in rest and v not in seen:
                    seen.add(v)
                    todo.append(v)
        return len(seen) == len(rest)

    for _ in range(passes):
        moved = 0
        for i in rng.permutation(len(labels)):
            a = labels[i]
            targets = sorted({labels[j] for j in nbrs[i]} - {a})
            if not targets or n[a] <= 1:
                continue
            zi, xi, yi, ri, pi = z[i], xy[i, 0], xy[i, 1], r2[i], pop[i]
            before_a = cost(n[a], p[a], s1[a], s2[a], sx[a], sy[a], sr[a])
            after_a = cost(n[a] - 1, p[a] - pi, s1[a] - zi, s2[a] - zi * zi, sx[a] - xi, sy[a] - yi, sr[a] - ri)
            best, best_b = -1e-12, None
            for b in targets:
                if p[b] + pi > ceiling:
                    continue
                gain = (after_a + cost(n[b] + 1, p[b] + pi, s1[b] + zi, s2[b] + zi * zi, sx[b] + xi, sy[b] + yi, sr[b] + ri)
                        - before_a - cost(n[b], p[b], s1[b], s2[b], sx[b], sy[b], sr[b]))
                if gain < best:
                    best, best_b = gain, b
            if best_b is None or not stays_connected(a, i):
                continue
            b = best_b
            for arr, val in ((n, 1), (p, pi), (s1, zi), (s2, zi * zi), (sx, xi), (sy, yi), (sr, ri)):
                arr[a] -= val
                arr[b] += val
            members[a].discard(i)
            members[b].add(i)
            labels[i] = b
            moved += 1
        if not moved:
            break
    return labels
