"""The region builder's search: boundary moves that lower the objective, with simulated
annealing to escape local optima (see :mod:`localities.build` for the method in words).

Regions are sets of *blocks* (whole Intermediate Zones, or single Data Zones). A move
takes one block across a region boundary into a neighbouring region. Each region's
objective depends only on sums over its zones (count, people, attribute and its square,
settlement indicator, coordinates and squared coordinates), so a move's change in the
objective is exact from two regions' sums. A sweep scores all boundary moves at once
with NumPy, then applies the accepted ones best first; a move whose regions an earlier
move of the same sweep changed is scored again, exactly, before it is applied. Work per
sweep is linear in the number of boundary moves (descent sweeps after the first score
only moves touching a region the last sweep changed). Connectivity is checked only for
a move about to be applied: first whether the block's neighbours in its region touch one
another (then any path through the block can go round it), else by a breadth-first
search from one of them that stops as soon as it has reached the others.

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
_TRIES = 300  # moves tried per hot sweep: at least this, and four per region
_COLD = 0.05  # below this share of the starting temperature the annealing stops once it stalls
# The fast setting's second, block-by-block descent runs up to this many blocks (any
# council's Data Zones): on a 64,000-zone grid it would double the fast setting's time.
_BOTH_UP_TO = 5000


class Objective:
    """Weighted within-region spread of the attribute, settlement mixing, spatial spread
    and squared relative deviation from the target size, each scaled by its total over
    the whole problem so the weights are comparable between councils."""

    def __init__(self, blocks: np.ndarray, size: float, k: int, homogeneity: float, compactness: float,
                 town_country: float, whole: tuple[np.ndarray, int] | None = None):
        # ``whole``: the sums over the whole council and its region count when ``blocks`` are
        # one ward's (within=), so the wards' objectives add up to the council's, as without
        # wards: scaled by one ward's own spread, a lone rural zone of 821 people became a
        # locality of its own (East Renfrewshire).
        tot = blocks.sum(axis=0) if whole is None else whole[0]
        n = max(tot[_CNT], 1.0)
        zn = max(float(tot[_Z2] - tot[_Z1] ** 2 / n), 1e-9)
        un = float(tot[_U1] - tot[_U1] ** 2 / n)
        xn = max(float(tot[_R2] - (tot[_X] ** 2 + tot[_Y] ** 2) / n), 1e-9)
        self.wz = homogeneity / zn
        # Settlement mixing is scaled by its largest possible spread (half and half).
        self.wu = town_country / max(un, n / 4) if un > 1e-9 else 0.0
        self.wx = compactness / xn
        self.size = max(float(size), 1.0)
        self.k = max(int(k if whole is None else whole[1]), 1)

    def __call__(self, sums: np.ndarray) -> np.ndarray:
        """Cost of each row of region sums (regions are never empty)."""
        inv = 1.0 / sums[:, _CNT]
        d = (sums[:, _POP] - self.size) / self.size
        return (self.wz * (sums[:, _Z2] - sums[:, _Z1] ** 2 * inv)
                + self.wu * (sums[:, _U1] - sums[:, _U1] ** 2 * inv)
                + self.wx * (sums[:, _R2] - (sums[:, _X] ** 2 + sums[:, _Y] ** 2) * inv)
                + d * d / self.k)

    def moved(self, sa, sb, r) -> tuple[float, float]:
        """The same costs, for two regions with sums ``sa`` and ``sb`` (plain floats) after
        a block with sums ``r`` moves from the first to the second: the exact re-scoring
        inside the sweep loop, where NumPy's per-call overhead would dominate."""
        wz, wu, wx, size, k = self.wz, self.wu, self.wx, self.size, self.k
        n, p, z1, z2, u1, x, y, r2 = (sa[0] - r[0], sa[1] - r[1], sa[2] - r[2], sa[3] - r[3], sa[4] - r[4],
                                      sa[5] - r[5], sa[6] - r[6], sa[7] - r[7])
        d = (p - size) / size
        c_a = wz * (z2 - z1 * z1 / n) + wu * (u1 - u1 * u1 / n) + wx * (r2 - (x * x + y * y) / n) + d * d / k
        n, p, z1, z2, u1, x, y, r2 = (sb[0] + r[0], sb[1] + r[1], sb[2] + r[2], sb[3] + r[3], sb[4] + r[4],
                                      sb[5] + r[5], sb[6] + r[6], sb[7] + r[7])
        d = (p - size) / size
        c_b = wz * (z2 - z1 * z1 / n) + wu * (u1 - u1 * u1 / n) + wx * (r2 - (x * x + y * y) / n) + d * d / k
        return c_a, c_b


def improve(labels: np.ndarray, nbrs: list[list[int]], blocks: np.ndarray, ceiling: float, objective: Objective,
            search: str = "anneal", sweeps: int | None = None) -> np.ndarray:
    """Move boundary blocks between regions to lower ``objective``.

    ``search="descent"`` applies only improving moves, until none is left (the fast
    setting): best first, and (up to 5,000 blocks) block by block in a fixed order, from
    the same start, keeping the plan with the lower objective. ``"anneal"`` first anneals
    (a worsening move is accepted with probability ``exp(-change / T)``, ``T`` cooling
    geometrically over ``sweeps`` sweeps), keeps the best plan seen, and finishes with a
    best-first descent from it. The annealing stops early once it is cold (``T`` under
    5% of its start) and has found no better plan for a twentieth of the sweeps: on all
    32 councils this left 30 of 32 plans from whole IZs and 28 of 32 from Data Zones
    unchanged (the others: SSD 7.5% lower to 1.1% higher) for a quarter less work
    (``benchmarks/regions.py``). Every applied move keeps each
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
            idle = found = 0
            patience = max(20, sweeps // 20)
            for sweep in range(sweeps):
                # Frozen: 30 sweeps in a row moved nothing, and the rest are colder still.
                idle = 0 if state.sweep(src, dst, t0 * cool**sweep, rng).any() else idle + 1
                if idle >= 30:
                    break
                cost = state.total()
                if cost < best_cost - 1e-12:
                    best, best_cost, found = state.labels.copy(), cost, sweep
                elif cool**sweep < _COLD and sweep - found >= patience:
                    break  # cold, and no better plan for a twentieth of the schedule: the descent finishes
            state = _State(best, nbrs, blocks, k, objective, ceiling, state.sets)
    first = None
    if search == "descent" and len(labels) <= _BOTH_UP_TO:
        # The fast setting also descends block by block (the order before annealing came
        # in) from the same start, and keeps the lower objective: the two orders end in
        # different local optima and neither wins everywhere.
        first = _State(state.labels.copy(), nbrs, blocks, k, objective, ceiling, state.sets)
        first.first_improvement(src, dst)
    state.descend(src, dst)
    if first is not None and (_total(first.labels, blocks, k, objective)
                              < _total(state.labels, blocks, k, objective) - 1e-12):
        return first.labels
    return state.labels


def _sums(labels: np.ndarray, blocks: np.ndarray, k: int) -> np.ndarray:
    """Each region's sums over its blocks."""
    sums = np.zeros((k, blocks.shape[1]))
    np.add.at(sums, labels, blocks)
    return sums


def _total(labels: np.ndarray, blocks: np.ndarray, k: int, objective: Objective) -> float:
    """The objective of a plan, from sums made afresh (not updated move by move)."""
    return float(objective(_sums(labels, blocks, k)).sum())


def _sweeps(n_blocks: int) -> int:
    """Annealing sweeps: eight per block, 100 to 1,000, up to 250 blocks (a council's
    Intermediate Zones: Moray's 26 get 208, Glasgow City's 136 get 1,000), falling
    as 1/sqrt(n) to 354 at 2,000 (a council's Data Zones: about 580 for Glasgow City's
    746), then as 1/n (at least 15) so the annealing's share of the work does not grow
    with the problem beyond that (a sweep is linear). Measured from whole IZs (Moray,
    Glasgow City, City of Edinburgh) against a 20 s reference annealing: 300 sweeps left
    up to 17% more within-locality variance than the reference, 1,000 at most 3%
    (``benchmarks/regions.py``)."""
    if n_blocks <= 250:
        return min(1000, max(100, 8 * n_blocks))
    if n_blocks <= 2000:
        return round(1000 * math.sqrt(250 / n_blocks))
    return max(15, round(1000 * math.sqrt(250 / 2000) * 2000 / n_blocks))


class _State:
    """Region labels and sums, updated move by move."""

    def __init__(self, labels, nbrs, blocks, k, objective, ceiling, sets=None):
        self.labels = labels
        self.lab = labels.tolist()  # a list mirror: fast scalar reads in the move loop
        self.nbrs, self.blocks, self.objective, self.ceiling = nbrs, blocks, objective, ceiling
        self.sets = sets if sets is not None else [set(ns) for ns in nbrs]
        self.sums = _sums(labels, blocks, k)
        self.block_list = list(map(tuple, blocks.tolist()))  # tuples: no work for the garbage collector
        self.members = [set() for _ in range(k)]  # each region's blocks, for connectivity checks
        for i, a in enumerate(self.lab):
            self.members[a].add(i)
        self.cost = objective(self.sums)
        # Blocks found to hold their region together, with the region's version then:
        # the answer stands until that region changes.
        self.version = [0] * k
        self.holds = {}

    def total(self) -> float:
        return float(self.cost.sum())

    def descend(self, src, dst) -> None:
        """Improving moves only, best first, until none is left (each applied move lowers
        the cost). A move's change depends only on its two regions, so after the first
        sweep only moves touching a region changed by the last sweep are scored again."""
        dirty = None
        while True:
            dirty = self.sweep(src, dst, 0.0, None, dirty)
            if not dirty.any():
                break

    def first_improvement(self, src, dst) -> None:
        """Improving moves only, block by block in a fixed order: each block goes to the
        neighbouring region that lowers the cost most, if any, before the next block is
        looked at. The first pass looks at every block; each later pass only at blocks
        touching a region the pass before changed (the others have no improving move),
        until a pass moves nothing."""
        lab, nbrs, moved, ceiling = self.lab, self.nbrs, self.objective.moved, self.ceiling
        sums, blocks, cost = self.sums.tolist(), self.block_list, self.cost.tolist()
        todo = range(len(blocks))
        while True:
            touched = [False] * len(sums)
            for i in todo:
                a = lab[i]
                sa, r = sums[a], blocks[i]
                if sa[_CNT] - r[_CNT] <= 0:
                    continue
                best, best_b, best_costs = -1e-12, -1, None
                for b in sorted({lab[j] for j in nbrs[i]} - {a}):
                    sb = sums[b]
                    if sb[_POP] + r[_POP] > ceiling:
                        continue
                    c_a, c_b = moved(sa, sb, r)
                    d = c_a + c_b - cost[a] - cost[b]
                    if d < best:
                        best, best_b, best_costs = d, b, (c_a, c_b)
                if best_b < 0 or not self._removable(i, a):
                    continue
                self._apply(i, a, best_b, r, best_costs, sums, cost, touched)
            if not any(touched):
                break
            dirty = np.array(touched)
            near = dirty[self.labels[src]] | dirty[self.labels[dst]]
            todo = np.unique(src[near]).tolist()
        self.sums[:] = sums
        self.cost[:] = cost

    def _apply(self, i, a, b, r, costs, sums, cost, touched) -> None:
        """Move block ``i`` (sums ``r``) from region ``a`` to ``b``, whose costs become
        ``costs``, in the move loop's lists and the labels, members and versions."""
        sums[a] = [x - y for x, y in zip(sums[a], r)]
        sums[b] = [x + y for x, y in zip(sums[b], r)]
        cost[a], cost[b] = costs
        self.lab[i] = b
        self.labels[i] = b
        self.members[a].discard(i)
        self.members[b].add(i)
        self.version[a] += 1
        self.version[b] += 1
        touched[a] = touched[b] = True

    def moves(self, src, dst, dirty=None, sample=None, rng=None):
        """Boundary moves ``(block, to)`` under the ceiling and not emptying their region,
        scored all at once: the change in the objective and both regions' new costs.
        ``dirty``: only moves touching these regions; ``sample``: at most about this many
        boundary edges, drawn at random."""
        lab = self.labels
        frm_all, to_all = lab[src], lab[dst]
        cross = frm_all != to_all
        if dirty is not None:
            cross &= dirty[frm_all] | dirty[to_all]
        edges = np.flatnonzero(cross)
        if sample is not None and len(edges) > sample:
            edges = edges[rng.random(len(edges)) < sample / len(edges)]
        block, to = src[edges], to_all[edges]
        frm = frm_all[edges]
        b = self.blocks[block]
        ok = (self.sums[to, _POP] + b[:, _POP] <= self.ceiling) & (self.sums[frm, _CNT] - b[:, _CNT] > 0)
        block, to, frm, b = block[ok], to[ok], frm[ok], b[ok]
        new_frm, new_to = self.objective(self.sums[frm] - b), self.objective(self.sums[to] + b)
        delta = new_frm + new_to - self.cost[frm] - self.cost[to]
        return block, to, delta, new_frm, new_to

    def sweep(self, src, dst, temperature, rng, dirty=None) -> np.ndarray:
        """Score boundary moves, then apply the accepted ones best first; a move whose
        regions an earlier move of the sweep changed is scored again, exactly, first.
        Returns which regions changed."""
        k = len(self.sums)
        limit = max(4 * k, _TRIES)
        # Hot sweeps on large problems: a random share of the boundary is scored.
        sample = 2 * limit if temperature > 0 else None
        block, to, delta, new_frm, new_to = self.moves(src, dst, dirty, sample, rng)
        if temperature > 0:
            draw = rng.random(len(delta))
            accept = (delta < 0) | (draw < np.exp(-np.maximum(delta, 0) / temperature))
        else:
            accept = delta < -1e-12
        idx = np.flatnonzero(accept)
        if not len(idx):
            return np.zeros(k, dtype=bool)
        if temperature > 0 and len(idx) > limit:
            # Hot sweeps accept most moves: try the best few per region.
            idx = idx[np.argpartition(delta[idx], limit)[:limit]]
        idx = idx[np.lexsort((to[idx], block[idx], delta[idx]))]
        cap = -temperature * np.log(draw[idx]) if temperature > 0 else np.full(len(idx), -1e-12)
        # The move loop works on Python floats (region sums, block sums and costs as lists):
        # the same IEEE arithmetic as NumPy's, without its per-element overhead. The arrays
        # get the changed regions back at the end of the sweep.
        lab, nbrs, moved, ceiling = self.lab, self.nbrs, self.objective.moved, self.ceiling
        sums, blocks, cost = self.sums.tolist(), self.block_list, self.cost.tolist()
        touched = [False] * k
        for i, b, c_a, c_b, d, allowed in zip(block[idx].tolist(), to[idx].tolist(), new_frm[idx].tolist(),
                                             new_to[idx].tolist(), delta[idx].tolist(), cap.tolist()):
            a = lab[i]
            if a == b:
                continue
            r = blocks[i]
            if touched[a] or touched[b]:
                # The sweep has changed a region since this move was scored: score it again.
                sa, sb = sums[a], sums[b]
                if sb[_POP] + r[_POP] > ceiling or sa[_CNT] - r[_CNT] <= 0:
                    continue
                c_a, c_b = moved(sa, sb, r)
                d = c_a + c_b - cost[a] - cost[b]
                # The same test as when scored: improving, or worse by less than the draw allows.
                if not (d < 0 if temperature > 0 else d < -1e-12) and d > allowed:
                    continue
                if not any(lab[j] == b for j in nbrs[i]):
                    continue
            if not self._removable(i, a):
                continue
            self._apply(i, a, b, r, (c_a, c_b), sums, cost, touched)
        changed = np.array(touched)
        rows = np.flatnonzero(changed)
        if len(rows):
            self.sums[rows] = [sums[a] for a in rows.tolist()]
            self.cost[rows] = [cost[a] for a in rows.tolist()]
        return changed

    def _removable(self, i: int, a: int, reach: int = 256) -> bool:
        """Region ``a`` stays connected without block ``i``: its neighbours in ``a`` are
        still joined (breadth-first from one, stopping once all are reached). A search
        that has not joined them within ``reach`` blocks answers no: refusing a move is
        always safe, and the check stays local (constant work) on large problems."""
        if self.holds.get(i) == (a, self.version[a]):
            return False
        sets, region = self.sets, self.members[a]
        ring = sets[i] & region  # the block's neighbours in its region
        if len(ring) <= 1:
            return True
        # Usually those neighbours touch one another: then nothing needs the block to
        # stay joined (any path through it can go round), no search needed.
        start = min(ring)
        seen = {start}
        stack = [start]
        while stack:
            new = (ring & sets[stack.pop()]) - seen
            seen |= new
            stack.extend(new)
        if len(seen) == len(ring):
            return True
        # Breadth-first through the region (set operations: one step per block reached).
        todo = ring - {start}
        seen = {i, start}
        frontier = [start]
        while frontier and len(seen) <= reach:
            nxt = []
            for u in frontier:
                new = (sets[u] & region) - seen
                if new:
                    todo -= new
                    if not todo:
                        return True
                    seen |= new
                    nxt.extend(new)
                    if len(seen) > reach:
                        break
            frontier = nxt
        self.holds[i] = (a, self.version[a])
        return False
