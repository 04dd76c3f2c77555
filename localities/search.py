"""The region builder's search: boundary moves that lower the objective, with simulated
annealing to escape local optima (see :mod:`localities.build` for the method in words).

Regions are sets of *blocks* (whole Intermediate Zones, or single Data Zones). A move
takes one block across a region boundary into a neighbouring region. Each region's
objective depends only on sums over its zones (count, people, attribute and its square,
settlement indicator, coordinates and squared coordinates), so a move's change in the
objective is exact from two regions' sums: all boundary moves of a sweep are scored at
once with NumPy, and a sweep applies the chosen moves that touch distinct regions (so
every applied change is the one scored). Work per sweep is linear in the number of
boundary moves; connectivity is checked only for a move about to be applied, by a
breadth-first search from one of the block's neighbours in its region that stops as soon
as it has reached the others (usually a few steps).

Deterministic: the annealing draws from a fixed random stream, so a plan depends on its
input (and on ``seed`` only through exact ties in the spanning tree), not on the run.
"""

from __future__ import annotations

import math

import numpy as np

#: Sums kept per block and per region, in this column order.
FIELDS = ("cnt", "pop", "z1", "z2", "u1", "x", "y", "r2")
SEARCHES = ("anneal", "descent")
_CNT, _POP, _Z1, _Z2, _U1, _X, _Y, _R2 = range(len(FIELDS))
_STREAM = 20151105  # the annealing's own random stream (the Act's commencement order date)


class Objective:
    """Weighted within-region spread of the attribute, settlement mixing, spatial spread
    and squared relative deviation from the target size, each scaled by its total over
    the whole problem so the weights are comparable between councils."""

    def __init__(self, blocks: np.ndarray, size: float, k: int, homogeneity: float, compactness: float,
                 town_country: float):
        tot = blocks.sum(axis=0)
        n = max(tot[_CNT], 1.0)
        zn = max(float(tot[_Z2] - tot[_Z1] ** 2 / n), 1e-9)
        un = float(tot[_U1] - tot[_U1] ** 2 / n)
        xn = max(float(tot[_R2] - (tot[_X] ** 2 + tot[_Y] ** 2) / n), 1e-9)
        self.wz = homogeneity / zn
        # Settlement mixing is scaled by its largest possible spread (half and half).
        self.wu = town_country / max(un, n / 4) if un > 1e-9 else 0.0
        self.wx = compactness / xn
        self.size = max(float(size), 1.0)
        self.k = max(int(k), 1)

    def __call__(self, sums: np.ndarray) -> np.ndarray:
        """Cost of each row of region sums (an empty region costs nothing)."""
        n = sums[:, _CNT]
        inv = np.divide(1.0, n, out=np.zeros_like(n), where=n > 0)
        within = (self.wz * (sums[:, _Z2] - sums[:, _Z1] ** 2 * inv)
                  + self.wu * (sums[:, _U1] - sums[:, _U1] ** 2 * inv)
                  + self.wx * (sums[:, _R2] - (sums[:, _X] ** 2 + sums[:, _Y] ** 2) * inv))
        size = ((sums[:, _POP] - self.size) / self.size) ** 2 / self.k
        return np.where(n > 0, within + size, 0.0)

    def ssd_share(self, sums: np.ndarray, homogeneity: float) -> float:
        """Within-region share of the attribute's variance (for notes and tests)."""
        if homogeneity <= 0:
            return float("nan")
        n = sums[:, _CNT]
        inv = np.divide(1.0, n, out=np.zeros_like(n), where=n > 0)
        return float((sums[:, _Z2] - sums[:, _Z1] ** 2 * inv).sum() * self.wz / homogeneity)


def improve(labels: np.ndarray, nbrs: list[list[int]], blocks: np.ndarray, ceiling: float, objective: Objective,
            search: str = "anneal", sweeps: int | None = None) -> np.ndarray:
    """Move boundary blocks between regions to lower ``objective``.

    ``search="descent"`` applies only improving moves, until none is left (the fast
    setting). ``"anneal"`` first anneals (a worsening move is accepted with probability
    ``exp(-change / T)``, ``T`` cooling geometrically over ``sweeps`` sweeps), keeps the
    best plan seen, and finishes with a descent from it. Every applied move keeps each
    region connected, non-empty and at most ``ceiling`` people, so the region count and
    the ceiling hold at every step.
    """
    labels = np.asarray(labels, dtype=np.int64).copy()
    k = int(labels.max()) + 1
    if k < 2 or len(labels) < 3:
        return labels
    src = np.repeat(np.arange(len(nbrs)), [len(ns) for ns in nbrs])
    dst = np.fromiter((j for ns in nbrs for j in ns), dtype=np.int64, count=len(src))
    state = _State(labels, nbrs, blocks, k, objective, ceiling)
    if search == "anneal":
        sweeps = _sweeps(len(labels)) if sweeps is None else sweeps
        rng = np.random.default_rng(_STREAM)
        delta = state.moves(src, dst)[2]
        worse = delta[delta > 0]
        if len(worse):
            # Start hot, where a typical worsening move is taken more often than not
            # (exp(-1/3)); end a thousand times colder, where almost none is.
            t0 = 3.0 * float(np.median(worse))
            cool = 1e-3 ** (1.0 / max(sweeps - 1, 1))
            best, best_cost = state.labels.copy(), state.total()
            for sweep in range(sweeps):
                state.sweep(src, dst, t0 * cool**sweep, rng)
                cost = state.total()
                if cost < best_cost - 1e-12:
                    best, best_cost = state.labels.copy(), cost
            state = _State(best, nbrs, blocks, k, objective, ceiling)
    # Descent: improving moves only, until none is left (each applied move lowers the cost).
    while state.sweep(src, dst, 0.0, None):
        pass
    return state.labels


def _sweeps(n_blocks: int) -> int:
    """Annealing sweeps: 300 up to 2,000 blocks (every council, and all of Scotland as
    Intermediate Zones); beyond, fewer in proportion (at least 15), so the annealing's
    share of the work does not grow with the problem (each sweep is linear)."""
    return 300 if n_blocks <= 2000 else max(15, round(300 * 2000 / n_blocks))


class _State:
    """Region labels and sums, updated move by move."""

    def __init__(self, labels, nbrs, blocks, k, objective, ceiling):
        self.labels = labels
        self.lab = labels.tolist()  # list mirrors: fast scalar reads in the move loop
        self.nbrs, self.blocks, self.objective, self.ceiling = nbrs, blocks, objective, ceiling
        self.rows = blocks.tolist()
        sums = np.zeros((k, blocks.shape[1]))
        np.add.at(sums, labels, blocks)
        self.sums = sums.tolist()
        o = objective
        self.w = (o.wz, o.wu, o.wx, o.size, o.k)
        self.cost = [self._cost(r) for r in self.sums]
        # Blocks found to hold their region together, with the region's version then:
        # the answer stands until that region changes.
        self.version = [0] * k
        self.holds = {}

    def _cost(self, r) -> float:
        """Objective.__call__ for one region's sums, in plain floats (a move's exact change)."""
        n = r[_CNT]
        if n <= 0:
            return 0.0
        wz, wu, wx, size, k = self.w
        d = (r[_POP] - size) / size
        return (wz * (r[_Z2] - r[_Z1] * r[_Z1] / n) + wu * (r[_U1] - r[_U1] * r[_U1] / n)
                + wx * (r[_R2] - (r[_X] * r[_X] + r[_Y] * r[_Y]) / n) + d * d / k)

    def total(self) -> float:
        return math.fsum(self.cost)

    def moves(self, src, dst):
        """Every boundary move ``(block, to)`` under the ceiling and not emptying its region,
        with its change in the objective (scored all at once)."""
        lab = self.labels
        cross = lab[src] != lab[dst]
        block, to = src[cross], lab[dst[cross]]
        frm = lab[block]
        sums = np.asarray(self.sums)
        cost = np.asarray(self.cost)
        b = self.blocks[block]
        ok = (sums[to, _POP] + b[:, _POP] <= self.ceiling) & (sums[frm, _CNT] - b[:, _CNT] > 0)
        block, to, frm, b = block[ok], to[ok], frm[ok], b[ok]
        delta = self.objective(sums[frm] - b) + self.objective(sums[to] + b) - cost[frm] - cost[to]
        return block, to, delta

    def sweep(self, src, dst, temperature, rng) -> int:
        """Score every boundary move, then apply the accepted ones best first, each
        re-scored exactly against the regions as they are by then; the number applied."""
        block, to, delta = self.moves(src, dst)
        if temperature > 0:
            draw = rng.random(len(delta))
            accept = (delta < 0) | (draw < np.exp(-np.maximum(delta, 0) / temperature))
        else:
            accept = delta < -1e-12
        idx = np.flatnonzero(accept)
        if not len(idx):
            return 0
        limit = max(4 * len(self.sums), 2000)
        if temperature > 0 and len(idx) > limit:
            # Hot sweeps on large problems accept most moves: try the best few per region.
            idx = idx[np.argpartition(delta[idx], limit)[:limit]]
        idx = idx[np.lexsort((to[idx], block[idx], delta[idx]))]
        limit = -temperature * np.log(draw[idx]) if temperature > 0 else np.full(len(idx), -1e-12)
        lab, sums, cost, rows, nbrs = self.lab, self.sums, self.cost, self.rows, self.nbrs
        applied = 0
        for i, b, cap in zip(block[idx].tolist(), to[idx].tolist(), limit.tolist()):
            a = lab[i]
            if a == b:
                continue
            r, sa, sb = rows[i], sums[a], sums[b]
            if sb[_POP] + r[_POP] > self.ceiling or sa[_CNT] - r[_CNT] <= 0:
                continue
            na = [x - y for x, y in zip(sa, r)]
            nb = [x + y for x, y in zip(sb, r)]
            ca, cb = self._cost(na), self._cost(nb)
            change = ca + cb - cost[a] - cost[b]
            # The same test as when scored: improving, or worse by less than the draw allows.
            if not (change < 0 if temperature > 0 else change < -1e-12) and change > cap:
                continue
            if not any(lab[j] == b for j in nbrs[i]) or not self._removable(i, a):
                continue
            sums[a], sums[b], cost[a], cost[b] = na, nb, ca, cb
            lab[i] = b
            self.labels[i] = b
            self.version[a] += 1
            self.version[b] += 1
            applied += 1
        return applied

    def _removable(self, i: int, a: int, reach: int = 256) -> bool:
        """Region ``a`` stays connected without block ``i``: its neighbours in ``a`` are
        still joined (breadth-first from one, stopping once all are reached). A search
        that has not joined them within ``reach`` blocks answers no: refusing a move is
        always safe, and the check stays local (constant work) on large problems."""
        lab, nbrs = self.lab, self.nbrs
        if self.holds.get(i) == (a, self.version[a]):
            return False
        inside = [j for j in nbrs[i] if lab[j] == a]
        if len(inside) <= 1:
            return True
        todo = set(inside[1:])
        seen = {i, inside[0]}
        queue = [inside[0]]
        for u in queue:
            for v in nbrs[u]:
                if v not in seen and lab[v] == a:
                    if v in todo:
                        todo.discard(v)
                        if not todo:
                            return True
                    seen.add(v)
                    queue.append(v)
            if len(seen) > reach:
                break
        self.holds[i] = (a, self.version[a])
        return False
