"""The region builder's algorithm: block sums, the tree partition and the boundary
refinement (see :mod:`localities.build` for the method in words).

Everything here works on *blocks* (whole Intermediate Zones, or single Data Zones)
through sums over their zones, so the objective is the zone-level one: within-region
sum of squares of the attribute and of the settlement indicator, spatial spread and
deviation from the target size.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse.csgraph import breadth_first_order, connected_components, minimum_spanning_tree
from scipy.sparse.linalg import spsolve_triangular

from .errors import clip
from .namelists import _town
from .search import FIELDS, Objective, improve


def settlement(dz: gpd.GeoDataFrame) -> np.ndarray:
    """1.0 for a zone in a settlement (urban-rural classes 1-4: urban areas and small towns),
    0.0 for a rural one (5-6 in the six-fold, 7-8 in the eight-fold classification) or
    when the class is unknown."""
    if "urban_rural" not in dz:
        return np.zeros(len(dz))
    cls = pd.to_numeric(dz["urban_rural"], errors="coerce")
    rural_from = 7 if cls.max() > 6 else 5
    return ((cls >= 1) & (cls < rural_from)).to_numpy(dtype=float)


def town_blocks(block: np.ndarray, dz: gpd.GeoDataFrame, adjacency: dict, settled: np.ndarray, size: float,
                group: np.ndarray | None = None) -> np.ndarray:
    """The small town each block makes part of, or -1.

    A town is a connected set of settlement zones (urban-rural classes 1-4) on the zone
    contiguity (no island links) inside one ``group``, and not going on into another (the
    part of Kilmarnock in one ward is no town); it is small when it has at most ``size``
    people (one locality's worth). Inside a set bigger than that, the IZs named as sides of
    one place ("Strathaven North", "Strathaven South") and connected are a town. A block
    belongs to a town when all its zones are that town's; only towns of two or more blocks
    are returned (Stornoway East and Stornoway West), numbered from 0.
    """
    n = len(dz)
    nb = int(block.max()) + 1 if n else 0
    none = np.full(nb, -1)
    if n == 0 or not settled.any():
        return none
    index = {z: i for i, z in enumerate(dz["datazone"])}
    pairs = np.array([(index[a], index[b]) for a, ns in adjacency.items() if a in index for b in ns if b in index],
                     dtype=np.int64).reshape(-1, 2)
    rows, cols = pairs[:, 0], pairs[:, 1]
    keep = (settled[rows] > 0) & (settled[cols] > 0)
    cut = np.zeros(n, dtype=bool)
    if group is not None:
        # A settlement the group lines cut is not a town of any one group (East Ayrshire within
        # wards: Piersland, New Farm Loch South and Dean, part of Kilmarnock, was "1 town").
        across = keep & (group[rows] != group[cols])
        cut[rows[across]] = True
        whole = sparse.csr_matrix((np.ones(int(keep.sum())), (rows[keep], cols[keep])), shape=(n, n))
        _, settlement_of = connected_components(whole, directed=False)
        cut = np.isin(settlement_of, settlement_of[cut])
        keep &= group[rows] == group[cols]
    graph = sparse.csr_matrix((np.ones(int(keep.sum())), (rows[keep], cols[keep])), shape=(n, n))
    _, town = connected_components(graph, directed=False)
    town = np.where((settled > 0) & ~cut, town, -1)
    if not (town >= 0).any():
        return none
    people = dz["population"].to_numpy(dtype=float)
    known = town >= 0
    town_pop = np.bincount(town[known], weights=people[known], minlength=int(town.max()) + 1)
    big = known & (town_pop[np.maximum(town, 0)] > size)
    small = pd.to_numeric(dz["urban_rural"], errors="coerce").isin([3, 4]).to_numpy() if "urban_rural" in dz \
        else np.zeros(n, dtype=bool)
    if (big & small).any() and "iz_name" in dz:
        # Small towns that touch make one town bigger than a locality (Strathaven and Stonehouse,
        # 13,129 people, at 10,000): inside it, the small-town zones (urban-rural classes 3-4) of
        # IZs named as sides of one town ("Strathaven North", "Strathaven South") are that town,
        # connected among themselves. Cities' and large towns' neighbourhoods are left to the search.
        stem = np.array([_town(str(n)) or "" if isinstance(n, str) else "" for n in dz["iz_name"]], dtype=object)
        part = pd.factorize(pd.Series(town.astype(str), dtype=object) + "|" + stem)[0]
        part = np.where(big & small & (stem != ""), part, -1)
        inner = keep & (part[rows] == part[cols]) & (part[rows] >= 0)
        graph = sparse.csr_matrix((np.ones(int(inner.sum())), (rows[inner], cols[inner])), shape=(n, n))
        _, piece = connected_components(graph, directed=False)
        town = np.where(big, np.where(part >= 0, int(town.max()) + 1 + piece, -1), town)
        known = town >= 0
        town_pop = np.bincount(town[known], weights=people[known], minlength=max(int(town.max()) + 1, 1))
    # A block's town: the town of its first zone, kept when every zone of the block is in it.
    of_block = np.full(nb, -1)
    of_block[block[::-1]] = town[::-1]
    inside = np.bincount(block, weights=(town == of_block[block]).astype(float), minlength=nb)
    whole = (inside == np.bincount(block, minlength=nb)) & (of_block >= 0)
    whole &= town_pop[np.maximum(of_block, 0)] <= size
    blocks_per_town = np.bincount(of_block[whole], minlength=len(town_pop))
    whole &= blocks_per_town[np.maximum(of_block, 0)] > 1
    return _renumber(np.where(whole, of_block, -1))


def _renumber(town: np.ndarray) -> np.ndarray:
    """Town numbers 0, 1, ... in order of first appearance; -1 stays -1."""
    out = np.full(len(town), -1)
    known = town >= 0
    out[known] = pd.factorize(town[known])[0]
    return out


def join_blocks(block: np.ndarray, dz: gpd.GeoDataFrame, town: np.ndarray, which) -> np.ndarray:
    """Block numbers with the blocks of the towns in ``which`` (numbers from
    :func:`town_blocks`) made one block each, renumbered in order of first zone code."""
    nb = int(block.max()) + 1
    joined = np.isin(town, list(which)) & (town >= 0)
    new = np.where(joined, nb + town, np.arange(nb))[block]
    final = pd.factorize(new)[0]
    order = np.argsort(dz["datazone"].to_numpy().astype(str), kind="stable")
    _, first = np.unique(final[order], return_index=True)
    rank = np.empty(len(first), dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(len(first))
    return rank[final]


def labels_of(codes, names) -> list[str]:
    """``"Name (code)"`` for each code, the name cut so the whole stays within a message
    item's 60 characters and the code is never cut."""
    return [f"{clip(names.get(c, c), max(10, 57 - len(str(c))))} ({c})" if names is not None else str(c)
            for c in codes]


def block_stats(block, pop, z, settled, xy) -> dict:
    """Sums over each block's zones: the objective on blocks equals the objective on zones."""
    n = int(block.max()) + 1

    def total(w):
        return np.bincount(block, weights=w, minlength=n)

    cnt = total(np.ones(len(block)))
    stats = {"n": n, "cnt": cnt, "pop": total(pop), "z1": total(z), "z2": total(z * z), "u1": total(settled),
             "x": total(xy[:, 0]), "y": total(xy[:, 1]), "r2": total((xy**2).sum(axis=1))}
    stats["xy"] = np.column_stack([stats["x"], stats["y"]]) / cnt[:, None]
    return stats


def summary(assignment: pd.Series, dz: gpd.GeoDataFrame, settled: np.ndarray, unit_col) -> list[str]:
    """Plain-words figures: Intermediate Zones kept whole, localities mixing town and country."""
    out = []
    loc, _ = pd.factorize(assignment.to_numpy())
    if "iz" in dz:
        iz, iz_codes = pd.factorize(dz["iz"].to_numpy())  # a zone without an IZ (-1) counts for none
        known = iz >= 0
        # Distinct (IZ, locality) pairs: an IZ kept whole appears in exactly one.
        pairs = np.unique(iz[known] * (loc.max() + 1) + loc[known])
        per_iz = np.bincount(pairs // (loc.max() + 1), minlength=len(iz_codes))
        out.append(f"{int((per_iz == 1).sum())} of {len(iz_codes)} Intermediate Zones kept whole in one locality")
    if "urban_rural" in dz:
        pop = dz["population"].to_numpy(dtype=float)
        k = int(loc.max()) + 1
        settled_pop, all_pop = np.bincount(loc, settled * pop, k), np.bincount(loc, pop, k)
        settled_zones, zones = np.bincount(loc, settled, k), np.bincount(loc, minlength=k)
        mixed = int(((settled_zones > 0) & (settled_zones < zones)).sum())
        minority = float(np.minimum(settled_pop, all_pop - settled_pop).sum() / max(pop.sum(), 1.0))
        out.append((f"the 1 locality {'mixes' if mixed else 'does not mix'}" if k == 1 else
                    f"{mixed} of {k} localities mix") + " settlement zones (urban-rural classes 1-4: urban areas and "
                   f"small towns) with rural ones (5-6); {minority:.1%} of people live in a zone of their locality's "
                   "minority kind")
    return out


def aimed_count(total: float, ceiling: float, target: float | None) -> int:
    """Regions aimed at for ``total`` people: the fewest the ceiling allows, or more to
    come near ``target`` (``max(ceil(P / ceiling), round(P / target))``, at least 1)."""
    k = max(1, math.ceil(total / ceiling) if total > 0 else 1)
    return max(k, round(total / target)) if target else k


def _feasible(labels: np.ndarray, sub, pop: np.ndarray, ceiling: float) -> bool:
    """Every region of ``labels`` (0..k-1 over the blocks of ``sub``) in one piece and under the ceiling."""
    k = int(labels.max()) + 1
    if (np.bincount(labels, weights=pop, minlength=k) > ceiling).any():
        return False
    coo = sub.tocoo()
    same = labels[coo.row] == labels[coo.col]
    graph = sparse.csr_matrix((np.ones(int(same.sum())), (coo.row[same], coo.col[same])), shape=sub.shape)
    return connected_components(graph, directed=False)[0] == k


def partition(members, graph, stats, ceiling, target, rng, homogeneity, compactness, town_country, refine,
              search="anneal", start=None, touched=None) -> list[np.ndarray]:
    """Split one connected group of blocks (``members``, sorted; ``graph``: the symmetric
    block adjacency as a sparse matrix) into regions under the ceiling.

    ``start``: region labels of ``members`` to repair (a plan after joining blocks), so
    the plan changes only near where it must. When they make contiguous regions under the
    ceiling, the plan descends from them (improving moves only); otherwise the regions in
    ``touched`` are built again among themselves (tree and ``search``, as many regions as
    they were) and the others are kept."""
    total = stats["pop"][members].sum()
    k = aimed_count(total, ceiling, target)
    if len(members) == 1 or k == 1 and total <= ceiling:
        return [members]
    sub = graph[members][:, members].tocsr()
    sub.sort_indices()
    s = {key: stats[key][members] for key in ("cnt", "pop", "z1", "z2", "u1", "x", "y", "r2", "xy")}
    s["whole"] = stats.get("whole")  # the council's sums and region count, within groups
    if start is not None:
        labels = np.unique(start, return_inverse=True)[1].reshape(-1)
        if labels.max() > 0 and _feasible(labels, sub, s["pop"], ceiling):
            return _refined(members, labels, sub, s, ceiling, target, total, homogeneity, compactness, town_country,
                            refine, "descent")
        local = np.isin(start, touched if touched is not None else [])
        if local.any() and not local.all():
            # Build the touched regions again in place, each connected cluster of them (the regions
            # sharing one joined town) as many regions as it was; the others are kept.
            out = [members[start == lab] for lab in np.unique(start[~local])]
            idx = np.flatnonzero(local)
            _, cluster = connected_components(sub[idx][:, idx], directed=False)
            for c in np.unique(cluster):
                part = idx[cluster == c]
                count = len(np.unique(start[part]))
                inside = stats["pop"][members[part]].sum()
                out += partition(members[part], graph, stats, ceiling, target or inside / count, rng, homogeneity,
                                 compactness, town_country, refine, search)
            return out
    zbar, ubar, pts = s["z1"] / s["cnt"], s["u1"] / s["cnt"], s["xy"]
    # Minimum spanning tree on attribute difference, settlement/rural difference and (scaled) distance;
    # the seed only breaks exact ties.
    upper = sparse.triu(sub, k=1).tocoo()
    rows, cols = upper.row, upper.col
    dist = np.hypot(*(pts[rows] - pts[cols]).T)
    scale = np.median(dist) if len(dist) and np.median(dist) > 0 else 1.0
    weight = (np.abs(zbar[rows] - zbar[cols]) + compactness * dist / scale + town_country * np.abs(ubar[rows] - ubar[cols])
              + 1e-6 + rng.random(len(rows)) * 1e-9)
    mst = minimum_spanning_tree(sparse.coo_matrix((weight, (rows, cols)), shape=(len(members),) * 2))
    pieces = _cut_tree((mst + mst.T).tocsr(), k, s, ceiling, (homogeneity, town_country))
    labels = np.empty(len(members), dtype=int)
    for lab, piece in enumerate(pieces):
        labels[piece] = lab
    return _refined(members, labels, sub, s, ceiling, target, total, homogeneity, compactness, town_country, refine,
                    search)


def _refined(members, labels, sub, s, ceiling, target, total, homogeneity, compactness, town_country, refine,
             search) -> list[np.ndarray]:
    """The regions of ``labels`` after the search over boundary moves (when ``refine``)."""
    k = int(labels.max()) + 1
    if refine and k > 1:
        size = target or total / k
        blocks = np.column_stack([s[f] for f in FIELDS])
        objective = Objective(blocks, size, k, homogeneity, compactness, town_country, s["whole"])
        nbrs = [sub.indices[sub.indptr[i]:sub.indptr[i + 1]].tolist() for i in range(len(members))]
        labels = improve(labels, nbrs, blocks, ceiling, objective, search=search)
    return [members[labels == lab] for lab in np.unique(labels)]


def label_blocks(block: np.ndarray, adjacency: dict, dz: gpd.GeoDataFrame, stats: dict, group: str | None,
                 ceiling: float, target: float | None, seed: int, homogeneity: float, compactness: float,
                 town_country: float, refine: bool, search: str, start: np.ndarray | None = None,
                 touched=None) -> tuple[np.ndarray, int]:
    """Region number of each block (regions inside each ``group`` in turn, groups in sorted
    order), and the count of regions aimed at. ``start``, ``touched``: region labels of the
    blocks to repair, and the regions that may be built again (see :func:`partition`)."""
    # Block adjacency as a sparse matrix (zone pairs mapped to their blocks, pairs inside a block dropped).
    index = {zone: i for i, zone in enumerate(dz["datazone"])}
    count = sum(len(ns) for ns in adjacency.values())
    a = block[np.fromiter((index[z] for z, ns in adjacency.items() for _ in ns), dtype=np.int64, count=count)]
    b = block[np.fromiter((index[n] for ns in adjacency.values() for n in ns), dtype=np.int64, count=count)]
    keep = a != b
    block_graph = sparse.csr_matrix((np.ones(int(keep.sum())), (a[keep], b[keep])), shape=(stats["n"],) * 2)
    rng = np.random.default_rng(seed)
    labels = np.full(stats["n"], -1)
    if group:
        group_of_block = pd.Series(dz[group].astype(str).to_numpy()).groupby(block).first().sort_index()
        groups = {key: np.sort(idx) for key, idx in group_of_block.groupby(group_of_block).indices.items()}
    else:
        groups = {"all": np.arange(stats["n"])}
    if group:
        # Each group's objective is scaled as the whole council's (see Objective).
        count = sum(aimed_count(stats["pop"][idx].sum(), ceiling, target) for idx in groups.values())
        stats = {**stats, "whole": (np.array([stats[f].sum() for f in FIELDS]), count)}
    next_label = asked = 0
    for key in sorted(groups):
        members = groups[key]
        asked += aimed_count(stats["pop"][members].sum(), ceiling, target)
        for part in partition(members, block_graph, stats, ceiling, target, rng, homogeneity, compactness,
                              town_country, refine, search, None if start is None else start[members], touched):
            labels[part] = next_label
            next_label += 1
    assert (labels >= 0).all()
    return labels, asked


def _cut_tree(tree, k, s, ceiling, weights) -> list[np.ndarray]:
    """Cut a spanning tree (symmetric CSR over nodes 0..m-1) into about ``k`` pieces, none
    over the ceiling.

    Each cut is scored by how well both sides fit whole numbers of target-sized pieces
    plus the weighted within-side sums of squares of the attribute (``z``) and of the
    settlement indicator (``u``), from subtree sums over the blocks' zones. All pieces
    are cut in rounds: a round computes every piece's subtree sums at once (one
    triangular solve over the forest, nodes in breadth-first order) and cuts each piece
    still to be cut at its best edge, so a round is linear and there are about log k."""
    m = tree.shape[0]
    pop = s["pop"]
    cols = np.column_stack([pop, s["cnt"], s["z1"], s["z2"], s["u1"]])
    order, pred = breadth_first_order(tree, 0, directed=False, return_predecessors=True)
    pos = np.empty(m, dtype=np.int64)
    pos[order] = np.arange(m)
    child = order[1:]
    parent = pred[child]
    w_sorted = cols[order]
    eye = sparse.identity(m, format="csr")
    piece = np.zeros(m, dtype=np.int64)
    want = np.array([k], dtype=float)
    alive = np.ones(m - 1, dtype=bool)  # tree edges child - parent not yet cut
    while True:
        n_pieces = len(want)
        tot = np.zeros((n_pieces, cols.shape[1]))
        np.add.at(tot, piece, cols)
        size = np.bincount(piece, minlength=n_pieces)
        want = np.maximum(want, np.ceil(tot[:, 0] / ceiling))
        active = (size > 1) & ((want > 1) | (tot[:, 0] > ceiling))
        if not active.any():
            break
        want = np.where(active, np.maximum(want, 2), want)
        a = sparse.csr_matrix((np.ones(alive.sum()), (pos[parent[alive]], pos[child[alive]])), shape=(m, m))
        sub = spsolve_triangular((eye - a).tocsr(), w_sorted, lower=False, unit_diagonal=True)
        ok = alive & active[piece[child]]
        v = child[ok]
        p = piece[v]
        cand, root = sub[pos[v]], tot[p]
        kk, total = want[p], root[:, 0]
        p1, n1 = cand[:, 0], cand[:, 1]
        p2, n2 = total - p1, root[:, 1] - n1
        ideal = np.maximum(total / kk, 1.0)
        k1 = np.minimum(np.maximum(np.round(p1 / ideal), 1), kk - 1)
        k2 = kk - k1
        k1, k2 = np.maximum(k1, np.ceil(p1 / ceiling)), np.maximum(k2, np.ceil(p2 / ceiling))
        score = 10.0 * (k1 + k2 - kk) + ((p1 / k1 - ideal) ** 2 + (p2 / k2 - ideal) ** 2) / ideal**2
        for d, (c1, c2, w) in enumerate(((2, 3, weights[0]), (4, 4, weights[1]))):
            if w <= 0:
                continue
            t1, t2, n = root[:, c1], root[:, c2], root[:, 1]
            ssd_all = t2 - t1 * t1 / n
            if d == 1:  # settlement indicator: scaled by its largest possible spread (half and half)
                ssd_all = np.maximum(ssd_all, n / 4)
            ssd1 = cand[:, c2] - cand[:, c1] ** 2 / n1
            ssd2 = (t2 - cand[:, c2]) - (t1 - cand[:, c1]) ** 2 / n2
            score = score + np.where(ssd_all > 1e-9, w * (ssd1 + ssd2) / np.maximum(ssd_all, 1e-9), 0.0)
        # Many pieces to come: cut near the middle (each side at least a quarter of them)
        # where the tree allows, so a piece is cut about log k times, not k.
        balanced = (kk < 8) | (np.minimum(k1, k2) >= kk // 4)
        has = np.zeros(n_pieces, dtype=bool)
        has[p[balanced]] = True
        score = np.where(balanced | ~has[p], score, np.inf)
        pick = np.lexsort((pos[v], score, p))
        first = pick[np.r_[True, p[pick][1:] != p[pick][:-1]]]
        alive[pos[v[first]] - 1] = False
        graph = sparse.csr_matrix((np.ones(alive.sum()), (child[alive], parent[alive])), shape=(m, m))
        _, fresh = connected_components(graph, directed=False)
        counts = np.empty(fresh.max() + 1)
        counts[fresh] = want[piece]
        cut_at = v[first]
        counts[fresh[cut_at]] = k1[first]
        counts[fresh[pred[cut_at]]] = k2[first]
        piece, want = fresh, counts
    # Pieces in order of their first node.
    order = np.argsort(piece, kind="stable")
    return np.split(order, np.flatnonzero(np.diff(piece[order])) + 1)

