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
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import minimum_spanning_tree


def settlement(dz: gpd.GeoDataFrame) -> np.ndarray:
    """1.0 for a zone in a settlement (urban-rural classes 1-4: urban areas and small towns),
    0.0 for a rural one (5-6 in the six-fold, 7-8 in the eight-fold classification) or
    when the class is unknown."""
    if "urban_rural" not in dz:
        return np.zeros(len(dz))
    cls = pd.to_numeric(dz["urban_rural"], errors="coerce")
    rural_from = 7 if cls.max() > 6 else 5
    return ((cls >= 1) & (cls < rural_from)).to_numpy(dtype=float)


def labels_of(codes, names) -> list[str]:
    return [f"{names.get(c, c)} ({c})" if names is not None else str(c) for c in codes]


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
    if "iz" in dz:
        per_iz = pd.Series(assignment.to_numpy()).groupby(dz["iz"].to_numpy()).nunique()
        out.append(f"{int((per_iz == 1).sum())} of {len(per_iz)} Intermediate Zones kept whole in one locality")
    if "urban_rural" in dz:
        pop = dz["population"].to_numpy(dtype=float)
        frame = pd.DataFrame({"loc": assignment.to_numpy(), "settled": settled * pop, "pop": pop})
        sums = frame.groupby("loc")[["settled", "pop"]].sum()
        per = pd.Series(settled).groupby(assignment.to_numpy()).agg(["min", "max"])
        mixed = int((per["min"] < per["max"]).sum())
        minority = float(np.minimum(sums["settled"], sums["pop"] - sums["settled"]).sum() / max(pop.sum(), 1.0))
        out.append(f"{mixed} of {len(per)} localities mix settlement zones (urban-rural classes 1-4: urban areas and "
                   f"small towns) with rural ones (5-6); {minority:.1%} of people live in a zone of their locality's "
                   "minority kind")
    return out


def partition(members, adj, stats, ceiling, target, rng, homogeneity, compactness, town_country, refine) -> list[np.ndarray]:
    """Split one connected group of blocks into regions under the ceiling."""
    total = stats["pop"][members].sum()
    k = max(1, math.ceil(total / ceiling) if total > 0 else 1)
    if target:
        k = max(k, round(total / target))
    if len(members) == 1 or k == 1 and total <= ceiling:
        return [members]
    local = {g: i for i, g in enumerate(members)}
    nbrs = [[local[n] for n in adj[g] if n in local] for g in members]
    s = {key: stats[key][members] for key in ("cnt", "pop", "z1", "z2", "u1", "x", "y", "r2", "xy")}
    zbar, ubar, pts = s["z1"] / s["cnt"], s["u1"] / s["cnt"], s["xy"]
    # Minimum spanning tree on attribute difference, settlement/rural difference and (scaled) distance;
    # the seed only breaks exact ties.
    rows = np.array([i for i, ns in enumerate(nbrs) for j in ns if i < j], dtype=int)
    cols = np.array([j for i, ns in enumerate(nbrs) for j in ns if i < j], dtype=int)
    dist = np.hypot(*(pts[rows] - pts[cols]).T)
    scale = np.median(dist) if len(dist) and np.median(dist) > 0 else 1.0
    weight = (np.abs(zbar[rows] - zbar[cols]) + compactness * dist / scale + town_country * np.abs(ubar[rows] - ubar[cols])
              + 1e-6 + rng.random(len(rows)) * 1e-9)
    mst = minimum_spanning_tree(coo_matrix((weight, (rows, cols)), shape=(len(members),) * 2)).tocoo()
    tree = [[] for _ in members]
    for a, b in zip(mst.row, mst.col):
        tree[a].append(b)
        tree[b].append(a)
    pieces = _cut_tree(list(range(len(members))), k, tree, s, ceiling, (homogeneity, town_country))
    labels = np.empty(len(members), dtype=int)
    for lab, piece in enumerate(pieces):
        labels[piece] = lab
    if refine and len(pieces) > 1:
        size = target or total / len(pieces)
        labels = _refine(labels, nbrs, s, ceiling, size, homogeneity, compactness, town_country)
    return [members[labels == lab] for lab in np.unique(labels)]


def _cut_tree(nodes, k, tree, s, ceiling, weights) -> list[list[int]]:
    """Recursively cut a spanning tree into about ``k`` pieces, none over the ceiling.

    Each cut is scored by how well both sides fit whole numbers of target-sized pieces
    plus the weighted within-side sums of squares of the attribute (``z``) and of the
    settlement indicator (``u``), computed from subtree sums over the blocks' zones."""
    pop, cnt = s["pop"], s["cnt"]
    sums = [(s["z1"], s["z2"], weights[0]), (s["u1"], s["u1"], weights[1])]
    out, stack = [], [(nodes, k)]
    parent = np.full(len(pop), -1)
    while stack:
        nodes, k = stack.pop()
        total = pop[nodes].sum()
        if len(nodes) == 1 or (k <= 1 and total <= ceiling):
            out.append(nodes)
            continue
        k = max(k, math.ceil(total / ceiling), 2)
        inside = set(nodes)
        root = nodes[0]
        seen = {root}
        order = [root]
        for u in order:
            for v in tree[u]:
                if v in inside and v not in seen:
                    seen.add(v)
                    parent[v] = u
                    order.append(v)
        order_a = np.array(order)
        sub = [pop.copy(), cnt.copy()] + [a.copy() for a1, a2, _ in sums for a in (a1, a2)]
        for u in reversed(order[1:]):
            q = parent[u]
            for arr in sub:
                arr[q] += arr[u]
        cand = order_a[1:]
        p1, n1 = sub[0][cand], sub[1][cand]
        p2, n2 = total - p1, sub[1][root] - n1
        ideal = max(total / k, 1.0)
        k1 = np.minimum(np.maximum(np.round(p1 / ideal), 1), k - 1)
        k2 = k - k1
        k1, k2 = np.maximum(k1, np.ceil(p1 / ceiling)), np.maximum(k2, np.ceil(p2 / ceiling))
        score = 10.0 * (k1 + k2 - k) + ((p1 / k1 - ideal) ** 2 + (p2 / k2 - ideal) ** 2) / ideal**2
        for d, (_, _, w) in enumerate(sums):
            a1, a2 = sub[2 + 2 * d], sub[3 + 2 * d]
            t1, t2, n = a1[root], a2[root], sub[1][root]
            ssd_all = t2 - t1 * t1 / n
            if w <= 0 or ssd_all < 1e-9:
                continue
            if d == 1:  # settlement indicator: scaled by its largest possible spread (half and half)
                ssd_all = max(ssd_all, n / 4)
            ssd1 = a2[cand] - a1[cand] ** 2 / n1
            ssd2 = (t2 - a2[cand]) - (t1 - a1[cand]) ** 2 / n2
            score = score + w * (ssd1 + ssd2) / ssd_all
        best = int(np.argmin(score))
        u, k1, k2 = int(cand[best]), int(k1[best]), int(k2[best])
        side = {u}
        for v in order[best + 2:]:
            if parent[v] in side:
                side.add(v)
        stack.append(([v for v in order if v not in side], k2))
        stack.append(([v for v in order if v in side], k1))
    return out


def _refine(labels, nbrs, s, ceiling, size, homogeneity, compactness, town_country, passes: int = 30):
    """Move boundary blocks between neighbouring regions while the objective falls
    (blocks visited in a fixed order, so the result does not depend on the seed)."""
    k = labels.max() + 1
    cnt, pop, z1, z2, u1 = s["cnt"], s["pop"], s["z1"], s["z2"], s["u1"]
    bx, by, br = s["x"], s["y"], s["r2"]
    n = np.bincount(labels, weights=cnt, minlength=k)
    p = np.bincount(labels, weights=pop, minlength=k)
    s1 = np.bincount(labels, weights=z1, minlength=k)
    s2 = np.bincount(labels, weights=z2, minlength=k)
    su = np.bincount(labels, weights=u1, minlength=k)
    sx = np.bincount(labels, weights=bx, minlength=k)
    sy = np.bincount(labels, weights=by, minlength=k)
    sr = np.bincount(labels, weights=br, minlength=k)
    N = cnt.sum()
    zn = max(float(z2.sum() - z1.sum() ** 2 / N), 1e-9)
    un = float(u1.sum() - u1.sum() ** 2 / N)
    wu = town_country / max(un, N / 4) if un > 1e-9 else 0.0
    xn = max(float(br.sum() - (bx.sum() ** 2 + by.sum() ** 2) / N), 1e-9)
    size = max(size, 1.0)
    wz, wx = homogeneity / zn, compactness / xn

    def cost(nn, pp, a1, a2, au, cx, cy, cr):
        if nn <= 0:
            return 0.0
        return (wz * (a2 - a1 * a1 / nn) + wu * (au - au * au / nn) + wx * (cr - (cx * cx + cy * cy) / nn)
                + ((pp - size) / size) ** 2 / k)

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
        for i in range(len(labels)):
            a = labels[i]
            targets = sorted({labels[j] for j in nbrs[i]} - {a})
            if not targets or len(members[a]) <= 1:
                continue
            ci, pi, zi, zzi, ui, xi, yi, ri = cnt[i], pop[i], z1[i], z2[i], u1[i], bx[i], by[i], br[i]
            before_a = cost(n[a], p[a], s1[a], s2[a], su[a], sx[a], sy[a], sr[a])
            after_a = cost(n[a] - ci, p[a] - pi, s1[a] - zi, s2[a] - zzi, su[a] - ui, sx[a] - xi, sy[a] - yi, sr[a] - ri)
            best, best_b = -1e-12, None
            for b in targets:
                if p[b] + pi > ceiling:
                    continue
                gain = (after_a + cost(n[b] + ci, p[b] + pi, s1[b] + zi, s2[b] + zzi, su[b] + ui, sx[b] + xi, sy[b] + yi,
                                       sr[b] + ri)
                        - before_a - cost(n[b], p[b], s1[b], s2[b], su[b], sx[b], sy[b], sr[b]))
                if gain < best:
                    best, best_b = gain, b
            if best_b is None or not stays_connected(a, i):
                continue
            b = best_b
            for arr, val in ((n, ci), (p, pi), (s1, zi), (s2, zzi), (su, ui), (sx, xi), (sy, yi), (sr, ri)):
                arr[a] -= val
                arr[b] += val
            members[a].discard(i)
            members[b].add(i)
            labels[i] = b
            moved += 1
        if not moved:
            break
    return labels
