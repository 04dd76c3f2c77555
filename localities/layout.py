"""Page layout for board-paper maps: what goes where on an A4 page.

:func:`localities.maps.plot_map` draws; this module decides: the page orientation
that lets the council fill its panel, outlying islands moved to their own panels,
insets for towns too small to label, class breaks that stay distinct once rounded,
contiguity colouring for plan maps, and a free spot for the north arrow and scale
bar. Labels (names where they fit, numbers with a key table otherwise, wrapped on
spaces only and kept inside their axes) are placed by :mod:`localities.placement`.

Everything is measured in display coordinates from the drawn artists, so what is
checked is what is printed.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import box as shapely_box

from .errors import plain
from .labelshape import (  # noqa: F401  (layout.wrappings ... still work)
    _anchor,
    _label_geom,
    _label_point,
    _margin,
    label_box,
    label_parts,
    name_fits,
    wrappings,
)
from .placement import Placer  # noqa: F401

A4 = (11.69, 8.27)
TOP, BOTTOM, MARGIN, GAP = 0.75, 0.5, 0.3, 0.2  # inches: title band, attribution band, sides, gutter
PLAN_PALETTE = ["#8dd3c7", "#ffffb3", "#bebada", "#fb8072", "#80b1d3", "#fdb462", "#b3de69", "#fccde5", "#d9d9d9"]


# ----------------------------------------------------------------------------- islands

@dataclass
class Outlier:
    """A group of islands far from the council's main body, drawn in its own panel."""

    geometry: object
    localities: list
    distance_km: float
    direction: str


def _direction(dx: float, dy: float) -> str:
    names = ["east", "north-east", "north", "north-west", "west", "south-west", "south", "south-east"]
    return names[int(((math.degrees(math.atan2(dy, dx)) + 22.5) % 360) // 45)]


def outlying_islands(frame: gpd.GeoDataFrame, link_km: float = 8.0, min_km: float = 15.0,
                     max_share: float = 0.03, min_gain: float = 0.10) -> tuple[list[Outlier], tuple]:
    """Island groups far from the main body whose removal lets the body fill the panel.

    Parts within ``link_km`` of each other form a group; a group is outlying when it is
    at least ``min_km`` from the main body, holds under ``max_share`` of the land, and
    leaving it out shrinks the map's bounding box by at least ``min_gain``.
    Returns the outliers and the main body's bounds.
    """
    parts = frame.geometry.explode(index_parts=False)
    parts = parts[~parts.is_empty]
    if len(parts) < 2:
        return [], tuple(frame.total_bounds)
    owner = np.asarray(parts.index)
    geoms = np.asarray(parts.values)
    grown = shapely.buffer(shapely.simplify(geoms, 200), link_km * 500, quad_segs=2)
    tree = shapely.STRtree(grown)
    left, right = tree.query(grown, predicate="intersects")
    import scipy.sparse as sp
    from scipy.sparse.csgraph import connected_components

    n = len(geoms)
    _, group = connected_components(sp.coo_matrix((np.ones(len(left)), (left, right)), shape=(n, n)))
    area = shapely.area(geoms)
    totals = pd.Series(area).groupby(group).sum()
    main = int(totals.idxmax())
    keep = np.ones(n, dtype=bool)
    outliers = []
    main_geom = shapely.union_all(geoms[group == main])

    def bbox_area(mask):
        b = shapely.total_bounds(geoms[mask])
        return max(b[2] - b[0], 1) * max(b[3] - b[1], 1)

    candidates = [g for g in totals.index if g != main and totals[g] < max_share * area.sum()]
    # The farthest first: they stretch the box most.
    candidates.sort(key=lambda g: -shapely.distance(main_geom, shapely.union_all(geoms[group == g])))
    for g in candidates:
        members = group == g
        geom = shapely.union_all(geoms[members])
        dist = shapely.distance(main_geom, geom)
        if dist < min_km * 1000:
            continue
        trial = keep & ~members
        if bbox_area(trial) <= (1 - min_gain) * bbox_area(keep):
            keep = trial
            c, m = geom.centroid, main_geom.centroid
            outliers.append(Outlier(geom, sorted(set(owner[members]), key=str), dist / 1000,
                                    _direction(c.x - m.x, c.y - m.y)))
    return outliers, tuple(shapely.total_bounds(geoms[keep]))


# ----------------------------------------------------------------------------- page


@dataclass
class Page:
    """Rectangles in figure fractions: ``[left, bottom, width, height]``."""

    size: tuple[float, float]
    main: list[float]
    side: list[float]
    limits: tuple[float, float, float, float]  # x0, y0, x1, y1 of the main map
    scale: float  # inches per metre on the main map

    def inches(self, rect):
        w, h = self.size
        return rect[0] * w, rect[1] * h, rect[2] * w, rect[3] * h

    def fraction(self, left, bottom, width, height):
        w, h = self.size
        return [left / w, bottom / h, width / w, height / h]


def _fit(bounds, box_w, box_h, pad=0.03):
    """Map limits filling a box of ``box_w`` x ``box_h`` inches at equal scale."""
    x0, y0, x1, y1 = bounds
    dw, dh = max(x1 - x0, 1.0), max(y1 - y0, 1.0)
    dw, dh = dw * (1 + 2 * pad), dh * (1 + 2 * pad)
    scale = min(box_w / dw, box_h / dh)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    hw, hh = box_w / scale / 2, box_h / scale / 2
    return (cx - hw, cy - hh, cx + hw, cy + hh), scale


def page(bounds, side_width: float, orientation: str = "auto") -> Page:
    """Choose A4 landscape or portrait, whichever draws the council largest next to a
    side column ``side_width`` inches wide."""
    best = None
    for name, size in (("landscape", A4), ("portrait", A4[::-1])):
        if orientation not in ("auto", name):
            continue
        w, h = size
        side = min(side_width, 0.55 * w)
        box_w, box_h = w - 2 * MARGIN - GAP - side, h - TOP - BOTTOM
        limits, scale = _fit(bounds, box_w, box_h)
        if best is None or scale > best.scale * 1.02:
            p = Page(size, [0, 0, 0, 0], [0, 0, 0, 0], limits, scale)
            p.main = p.fraction(MARGIN, BOTTOM, box_w, box_h)
            p.side = p.fraction(MARGIN + box_w + GAP, BOTTOM, side, box_h)
            best = p
    return best


# ----------------------------------------------------------------------------- classes


def _fmt(value: float, share: bool, digits: int) -> str:
    if share:
        return f"{value * 100:.{digits}f}%"
    return f"{value:,.{digits}f}"


def _printed_number(text: str) -> tuple[float, int]:
    """The number in a printed value and its decimals: "3.6%" -> (3.6, 1), "1,234" -> (1234.0, 0)."""
    match = re.search(r"-?[\d,]*\.?\d+", text)
    if match is None:
        return float("nan"), 0
    number = match.group().replace(",", "")
    return float(number), len(number.partition(".")[2])


def _as_printed(level: float, high: float, printed: Callable[[float], str]) -> float:
    """The largest value up to ``high`` (to a millionth of the range) that prints no higher
    than ``level`` does: a value printed as Scotland's "12.1%" is at its level, not above."""
    mark = _printed_number(printed(level))[0]
    lo, hi = level, high
    if _printed_number(printed(hi))[0] <= mark:
        return hi
    for _ in range(50):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if _printed_number(printed(mid))[0] <= mark else (lo, mid)
    return lo


def class_breaks(values: pd.Series, scheme: str, k: int, share: bool,
                 printed: Callable[[float], str] | None = None,
                 split_at: float | None = None) -> tuple[np.ndarray, list[str], np.ndarray]:
    """Classes whose printed bounds are distinct and do not overlap: fewer classes or more
    digits rather than a degenerate "6% to 6%", and at most one class for every two values
    (beyond three).
    mapclassify's classes are upper-inclusive
    (a value equal to a break belongs to the lower class), so each class after the first
    starts at the next value printable at the legend's precision ("4.5% to 4.9%", then
    "5.0% to 7.6%", never "4.9% to 7.6%"), and the digits are chosen so that every value
    of a class, rounded as printed, lies within its class's printed bounds.

    ``printed`` is how the key table and the tooltips print a value (such as
    :func:`localities.mapstyle.format_value`): the legend then prints its bounds as they
    print values, so with the same decimals (a table's "3.6%" is never left below a
    "4% to 6%" class), each class starts one printed step above the one before (no
    printed value falls between two classes), and every value as they print it lies
    within its own class's bounds only (fewer classes where that is impossible).
    With ``split_at`` (Scotland's level) and ``printed``, a class holding values that print
    at or below it and values that print above it is split there (into no more than ``k``
    classes, and no more than one for two values, unless two would cross it: then three), so
    no shade stands for both sides (Falkirk's "6.4% to 13.1%" held Bo'ness at
    9.6% and Bantaskin at 13.1%, Scotland 12.1%); a class of values on one side whose
    printed range holds it has that bound moved to it.
    Returns the class of each known value, the labels and the upper bounds (strictly
    increasing)."""
    import mapclassify

    known = values.dropna().to_numpy(dtype=float)
    if len(known) == 0:
        return np.array([], dtype=int), [], np.array([])
    lo, hi = float(known.min()), float(known.max())
    scale = 100 if share else 1
    spread = (hi - lo) * scale
    base = 0 if spread >= 10 else 1 if spread >= 1 or spread == 0 else 2
    # The values as the key table prints them (number, decimals): "3.6%" -> (3.6, 1).
    table = [_printed_number(printed(v)) for v in known] if printed is not None else []

    def shown(value: float, digits: int) -> int:
        """``value`` as printed, in steps of the last printed digit."""
        return round(float(f"{value * scale:.{digits}f}") * 10 ** digits)

    # The highest value printed as Scotland's level (hi: no class to split at it).
    cut = _as_printed(split_at, hi, printed) if split_at is not None and printed is not None \
        and lo <= split_at < hi else hi
    # At most half as many classes as values (two or three values: one each): East Ayrshire's
    # 6 localities in 5 Fisher-Jenks classes put 16.2% and 16.9% in different shades.
    most = len(known) if len(known) <= 3 else max(2, len(known) // 2)
    for k_try in range(min(k, len(np.unique(known)), most), 1, -1):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # "Numba not installed": the pure-Python path is fine here
                classifier = mapclassify.classify(known, scheme=scheme, k=k_try)
        except Exception:  # a scheme that cannot make k_try classes: try fewer
            continue
        bins = np.asarray(classifier.bins, dtype=float)
        yb = np.asarray(classifier.yb)
        if cut < hi:
            # The class whose bounds hold Scotland's level: split where its values lie on both
            # sides; else its bound moved to the level, the same localities in it, so that its
            # printed range ("10.3% to 13.3%" of values all above 12.1%) does not straddle it.
            c = int(np.searchsorted(bins, cut, side="left"))
            members = known[yb == c]
            if (members <= cut).any() and (members > cut).any():
                if len(bins) >= min(k, most) and k_try > 2:
                    continue  # one class fewer, then split (from two classes, split into three)
                bins = np.sort(np.append(bins, cut))
                yb = np.searchsorted(bins, known, side="left")
            elif (members > cut).all() and c > 0:
                bins[c - 1] = cut
            elif (members <= cut).all():
                bins[c] = cut
        counts = np.bincount(yb, minlength=len(bins))
        if len(bins) < 2 or (counts == 0).any():
            continue
        if printed is not None:
            # Bounds as the table prints them, each class starting one printed step (of
            # the table's decimals at that size) above the one before: no printed value
            # falls between two classes, and values the table prints alike share a class.
            uppers = [_printed_number(printed(b)) for b in bins]
            lowers = [_printed_number(printed(lo))] + [(round(u + 10 ** -d, d), d) for u, d in uppers[:-1]]
            # A class may hold a single printed value ("5.1%": two or three localities, one each).
            if all(a <= b + 1e-9 for (a, _), (b, _) in zip(lowers, uppers)) and \
                    all(lowers[c][0] - 1e-9 <= table[j][0] <= uppers[c][0] + 1e-9 for j, c in enumerate(yb)):
                labels = [_fmt(a / scale, share, da) if abs(a - b) <= 1e-9 else
                          f"{_fmt(a / scale, share, da)} to {_fmt(b / scale, share, db)}"
                          for (a, da), (b, db) in zip(lowers, uppers)]
                return yb, labels, bins
            continue
        for digits in range(base, base + 2):
            uppers = [shown(b, digits) for b in bins]
            lowers = [shown(lo, digits)] + [u + 1 for u in uppers[:-1]]
            lowest = [shown(known[yb == i].min(), digits) for i in range(len(bins))]
            if all(a < b for a, b in zip(lowers, uppers)) and all(m >= a for m, a in zip(lowest, lowers)):
                labels = [f"{_fmt(a / 10 ** digits / scale, share, digits)} to "
                          f"{_fmt(b / 10 ** digits / scale, share, digits)}" for a, b in zip(lowers, uppers)]
                return yb, labels, bins
    if cut < hi:
        # No classes both split at Scotland's level and printable (East Ayrshire's attainment at
        # 5,000, in one decimal, became one class): Fisher-Jenks' classes alone.
        return class_breaks(values, scheme, k, share, printed)
    # One class: every value the same once printed.
    if printed is not None:
        (a, da), (b, db) = _printed_number(printed(lo)), _printed_number(printed(hi))
        label = _fmt(a / scale, share, da) if (a, da) == (b, db) else \
            f"{_fmt(a / scale, share, da)} to {_fmt(b / scale, share, db)}"
        return np.zeros(len(known), dtype=int), [label], np.array([hi])
    label = _fmt(lo, share, base) if _fmt(lo, share, base) == _fmt(hi, share, base) else \
        f"{_fmt(lo, share, base + 1)} to {_fmt(hi, share, base + 1)}"
    return np.zeros(len(known), dtype=int), [label], np.array([hi])


def plan_colours(frame: gpd.GeoDataFrame, near_m: float = 6000.0) -> pd.Series:
    """Colours such that localities sharing a border, or facing each other across a
    narrow sound (within 500 m), always differ, and those within ``near_m`` differ where
    the palette allows: the contiguity graph coloured greedily, largest degree first,
    each locality taking the colour least used nearby (networkx's greedy colouring when
    a locality has more neighbours than the palette has colours)."""
    geoms = np.asarray(frame.geometry.values)
    tree = shapely.STRtree(geoms)
    # Neighbour sets, not a networkx Graph: importing networkx costs ~0.35 s of every map,
    # and only the rare fallback below needs its algorithms.
    graph: dict[int, set[int]] = {n: set() for n in range(len(geoms))}
    near: dict[int, set[int]] = {n: set() for n in range(len(geoms))}
    for i, j in zip(*tree.query(shapely.buffer(geoms, 250), predicate="intersects")):
        if i < j:
            graph[int(i)].add(int(j))
            graph[int(j)].add(int(i))
    for i, j in zip(*tree.query(shapely.buffer(shapely.simplify(geoms, 200), near_m / 2), predicate="intersects")):
        if i < j:
            near[int(i)].add(int(j))
            near[int(j)].add(int(i))
    colour: dict[int, int] = {}
    for node in sorted(graph, key=lambda n: (-len(graph[n]), n)):
        banned = {colour[m] for m in graph[node] if m in colour}
        nearby = [colour[m] for m in near[node] if m in colour]
        free = [c for c in range(len(PLAN_PALETTE)) if c not in banned]
        if not free:  # more neighbours than colours: fall back to networkx's greedy colouring
            import networkx as nx

            colour = nx.greedy_color(nx.Graph(graph), strategy="largest_first")
            break
        colour[node] = min(free, key=lambda c: (nearby.count(c), c))
    return pd.Series([PLAN_PALETTE[colour[i] % len(PLAN_PALETTE)] for i in range(len(geoms))], index=frame.index)


def adjacent_pairs(frame: gpd.GeoDataFrame) -> list[tuple]:
    """Index pairs of localities that share a border or face each other within 500 m."""
    geoms = np.asarray(frame.geometry.buffer(250).values)
    a, b = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    return [(frame.index[i], frame.index[j]) for i, j in zip(a, b) if i < j]


# ----------------------------------------------------------------------------- labels (localities.placement)

# ----------------------------------------------------------------------------- free spots


def free_spot(ax, renderer, make, land, avoid: list, corners=("upper right", "upper left", "lower right",
                                                               "lower left")):
    """Put the artist made by ``make(x, y)`` (axes fraction) where its box covers no
    land and no box in ``avoid``; corners first, then a grid. Returns the artist or None."""
    inv = ax.transData.inverted()
    frame_box = ax.get_window_extent(renderer)
    prepared = land
    shapely.prepare(prepared)
    corner_xy = {"upper right": (0.97, 0.97), "upper left": (0.03, 0.97), "lower right": (0.97, 0.03),
                 "lower left": (0.03, 0.03)}
    grid = [corner_xy[c] for c in corners]
    steps = np.linspace(0.03, 0.97, 9)
    grid += sorted(((x, y) for x in steps for y in steps),
                   key=lambda p: min(math.hypot(p[0] - cx, p[1] - cy) for cx, cy in grid[:1]))

    def fits(bb) -> bool:
        inside = (bb.x0 >= frame_box.x0 and bb.x1 <= frame_box.x1 and bb.y0 >= frame_box.y0
                  and bb.y1 <= frame_box.y1)
        if inside and not any(bb.overlaps(o) for o in avoid):
            (x0, y0), (x1, y1) = inv.transform([[bb.x0, bb.y0], [bb.x1, bb.y1]])
            return not shapely.intersects(prepared, shapely_box(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)))
        return False

    # The artist's size does not depend on where it is anchored: measure it once (laying out
    # text and boxes is what costs) and slide that box over the candidates; the artist is
    # made again only where the box fits, and kept if its own extent fits there too.
    artist = make(*grid[0])
    first = artist.get_window_extent(renderer)
    origin = ax.transAxes.transform(grid[0])
    for x, y in grid:
        if artist is None:
            shift = ax.transAxes.transform((x, y)) - origin
            if not fits(first.translated(*shift)):
                continue
            artist = make(x, y)
        if fits(artist.get_window_extent(renderer)):
            return artist
        artist.remove()
        artist = None
    return None


# ----------------------------------------------------------------------------- insets


#: A town inset's extent leaves out a locality more than this many times the median area of
#: the others of its cluster (the country around the town; it is numbered on the main map).
TOWN_SPREAD = 8.0


def town_insets(frame: gpd.GeoDataFrame, names: pd.Series, limits, scale: float, fontsize: float,
                max_insets: int = 2, small_in: float = 0.4, reach_in: float = 0.4,
                side_width: float | None = None, panel_height: float = 1.3, min_zoom: float = 1.4) -> list[tuple]:
    """Extents of zoomed insets for clusters of localities whose names do not fit on the
    main map and that are small there (a town in a rural council: Lerwick, Stornoway,
    Kirkwall, Inverness, Elgin): under ``small_in`` inches across, grouped when within
    ``reach_in`` inches of each other. A cluster spanning much of the map is not a town
    and gets none (numbers and the key table serve a city); nor does one that its panel in
    a side column ``side_width`` inches wide, ``panel_height`` tall (the shorter of the
    two heights the page may give it), would not show at ``min_zoom`` times the main map's
    scale: Fife's Dunfermline and Kirkcaldy, merged, made
    an inset drawn smaller than the main map. A cluster's locality more than
    :data:`TOWN_SPREAD` times the median area of the others is the country around the town,
    left out of its extent."""
    view = shapely_box(*limits)
    geoms = frame.geometry.intersection(view)
    b = geoms.bounds
    size = np.sqrt(geoms.area) * scale
    small = [i for i in frame.index if not geoms[i].is_empty and size[i] < small_in
             and not name_fits(_label_geom(frame, i, view), names[i], view, scale, fontsize)]
    if not small:
        return []
    pts = geoms[small].representative_point()
    xy = np.column_stack([pts.x, pts.y])
    near = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1)) * scale <= reach_in
    from scipy.sparse.csgraph import connected_components

    _, group = connected_components(near.astype(int))
    small = pd.Index(small)
    extents, first = [], []  # first: the best rank among an inset's localities (else its place)
    ranks = pd.to_numeric(frame["rank"], errors="coerce") if "rank" in frame else None
    map_span = min(limits[2] - limits[0], limits[3] - limits[1])
    for g in pd.Series(group).value_counts().index:
        members = small[group == g]
        # A locality many times the area of the cluster's typical one is the country around
        # the town, not the town: Dumfries's inset took in Collin and Locharbriggs (65 km2) and
        # drew the town's two localities (3 and 5 km2) too small to see, one under its number.
        # Each against the others' median (a town of one locality with the country beside it is
        # a pair), never below a hectare (a sliver at the view's edge is no typical locality).
        area = geoms[members].area.to_numpy()
        typical = [max(np.median(np.delete(area, i)), 1e4) if len(area) > 1 else np.inf for i in range(len(area))]
        members = members[area <= TOWN_SPREAD * np.asarray(typical)]
        minx, miny, maxx, maxy = shapely.total_bounds(np.asarray([_anchor(frame.at[m, "geometry"], view)[1]
                                                                  for m in members], dtype=object))
        span = max(maxx - minx, maxy - miny)
        if span > 0.4 * map_span:
            continue  # not a town: much of the map
        pad = 0.15 * max(span, 2000)
        extents.append((minx - pad, miny - pad, maxx + pad, maxy + pad))
        best = ranks[members].min() if ranks is not None else np.nan
        first.append(best if pd.notna(best) else np.inf)
    # Insets whose rectangles touch show one town: one inset for both.
    merged = True
    while merged:
        merged = False
        for i in range(len(extents)):
            for j in range(i + 1, len(extents)):
                if shapely_box(*extents[i]).buffer(1000).intersects(shapely_box(*extents[j])):
                    a, b = extents[i], extents[j]
                    extents[i] = (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))
                    first[i] = min(first[i], first[j])
                    del extents[j], first[j]
                    merged = True
                    break
            if merged:
                break
    # The town holding the most disadvantaged locality first, where the map is of a ranking:
    # Argyll and Bute's Rothesay (ranked 1) lost its inset to Helensburgh's larger crowd.
    extents = [extents[i] for i in sorted(range(len(extents)), key=lambda i: first[i])]
    if side_width is None:
        return extents[:max_insets]
    # As many panels as extents that zoom in enough in panels that wide (fewer panels are wider).
    n, kept = min(len(extents), max_insets), []
    while n >= 1:
        width = (side_width - 0.2 * (n - 1)) / n if n > 1 else min(side_width, 2.2 * 1.6)
        kept = [e for e in extents if min(width / max(e[2] - e[0], 1.0), panel_height / max(e[3] - e[1], 1.0))
                >= min_zoom * scale]
        if len(kept) >= n:
            break
        n -= 1
    return kept[:n] if n >= 1 else []


def fit_extent(extent, width: float, height: float):
    """Grow an extent to a panel's aspect ratio (equal scale)."""
    limits, _ = _fit(extent, width, height, pad=0.0)
    return limits


def printable(text, font: bool = True) -> str:
    """``text`` as one printable line: control characters (tabs, line breaks, escapes)
    become spaces, runs of spaces one, and a character the map font has no glyph for
    (an emoji) "?": it printed as an empty box, and matplotlib warned on stderr. With
    ``font=False`` (a web page, which has every glyph) the other characters are kept."""
    text = plain(text)  # control characters as spaces, as in the library's messages
    if not font:
        return " ".join(text.split())
    glyphs, out = _glyphs(), []
    for ch in text:
        if unicodedata.category(ch) == "Cf":
            continue  # invisible (joiners, an emoji flag's tags)
        if ord(ch) in glyphs or ch == " ":
            out.append(ch)
        elif not out or out[-1] != "?":
            out.append("?")
    return " ".join("".join(out).split())


@functools.lru_cache(maxsize=1)
def _glyphs() -> frozenset:
    """The code points the maps' font (matplotlib's default, DejaVu Sans) can draw."""
    from matplotlib import font_manager

    return frozenset(font_manager.get_font(font_manager.findfont(font_manager.FontProperties())).get_charmap())
