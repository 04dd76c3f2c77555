"""The shapes a map's labels are measured against: the ways a name wraps, where a
locality's label is anchored (its labelled part, a point well inside it), a label's box as
printed, and segment tests for leader lines. Pure geometry, no placement decisions: those
are :mod:`localities.placement`'s.
"""

from __future__ import annotations

import math
import re
import textwrap

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from matplotlib.transforms import Bbox
from shapely.geometry import box as shapely_box


#: "+ 4 more" and "4 more" stay on one line ("Saltcoats North West and 4 / more" read as two).
_MORE = re.compile(r"(\+ )?(\d+) more\b")


def held_together(name: str) -> str:
    """``name`` with the spaces inside "+ 4 more" made NULs, so wrapping on spaces keeps it
    whole; replace them with spaces after wrapping."""
    return _MORE.sub(lambda m: m.group(0).replace(" ", "\x00"), name)


def wrappings(name: str) -> list[str]:
    """Ways to print a name on one to three lines, breaking on spaces only, never inside
    "+ 4 more"; for a name of places listed with " / ", also one place a line where each
    fits in 26 characters."""
    out = [name]
    held = held_together(name)
    for width in (26, 20, 15, 11, 8):
        w = textwrap.fill(held, width, break_long_words=False, break_on_hyphens=False).replace("\x00", " ")
        if w not in out and w.count("\n") < 3:
            out.append(w)
    by_place = " /\n".join(name.split(" / "))
    if by_place not in out and by_place.count("\n") in (1, 2) and max(map(len, by_place.split("\n"))) <= 26:
        out.append(by_place)
    return out


def label_parts(frame: gpd.GeoDataFrame, points: dict) -> tuple[gpd.GeoSeries, pd.Series]:
    """Where each locality's label goes: the polygon holding its label point (from
    :func:`localities.geography.label_points`: in the middle of its people) and that
    point; the whole geometry and None where there is none."""
    out = frame.geometry.copy()
    at = pd.Series(None, index=frame.index, dtype=object)
    ids = frame["locality"] if "locality" in frame else pd.Series(frame.index, index=frame.index)
    for idx, loc in ids.items():
        if loc not in points:
            continue
        pt = shapely.Point(*points[loc])
        hit = [g for g in shapely.get_parts(out[idx]) if g.intersects(pt)]
        if hit:
            out[idx], at[idx] = hit[0], pt
    return out, at


def apart(geom, view, at: tuple[float, float], least: float) -> list:
    """The polygons of ``geom`` in ``view`` of at least ``least`` area, but the one nearest
    ``at`` (where the locality's label is): its islands, largest first."""
    part = geom.intersection(view) if view is not None else geom
    polys = sorted((g for g in shapely.get_parts(part) if g.geom_type == "Polygon"), key=lambda g: -g.area)
    if len(polys) < 2:
        return []
    label = shapely.Point(*at)
    nearest = min(range(len(polys)), key=lambda i: polys[i].distance(label))
    return [g for i, g in enumerate(polys) if i != nearest and g.area >= least]


def _anchor(geom, view):
    """A point well inside the part of ``geom`` in view: the pole of inaccessibility of
    its largest visible polygon (not a far island)."""
    part = geom.intersection(view) if view is not None else geom
    if part.is_empty:
        return None, None
    polys = [g for g in getattr(part, "geoms", [part]) if g.geom_type == "Polygon"]
    if not polys:
        return None, None
    largest = max(polys, key=lambda g: g.area)
    try:
        pt = shapely.ops.polylabel(largest, tolerance=max(math.sqrt(largest.area) / 50, 1.0))
    except Exception:
        pt = largest.representative_point()
    return pt, largest


def _extents(bb: Bbox) -> tuple[float, float, float, float]:
    """A box's corners, smallest first whichever way it was made."""
    x0, y0, x1, y1 = bb.extents
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


def _margin(bb: Bbox) -> Bbox:
    """A text box with room for its width to change by a few per cent at another dpi."""
    return bb.expanded(1.05, 1.0).padded(1.0)


def _compact(wrapped: str) -> tuple[bool, int, int]:
    """One place a line first where a name lists places (not "Benbecula and / North Uist"),
    then narrowest, lines up to 20 characters counting as equally narrow, then fewest lines."""
    lines = wrapped.split("\n")
    by_place = len(lines) > 1 and all(line.endswith(" /") for line in lines[:-1])
    return not by_place, max(20, max(map(len, lines))), len(lines)


def _hits(starts: np.ndarray, boxes: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Whether each segment (``starts`` to ``ends``, rows x, y) crosses any box (rows x0,
    y0, x1, y1): Liang-Barsky clipping, every pair at once."""
    if not len(boxes):
        return np.zeros(len(starts), dtype=bool)
    x0, y0 = starts[:, 0:1], starts[:, 1:2]
    d = (ends[:, 0:1] - x0, ends[:, 1:2] - y0)
    lo, hi = np.zeros((len(starts), len(boxes))), np.ones((len(starts), len(boxes)))
    for p, q0, q1 in ((d[0], boxes[:, 0] - x0, boxes[:, 2] - x0), (d[1], boxes[:, 1] - y0, boxes[:, 3] - y0)):
        flat = np.abs(p) < 1e-12
        with np.errstate(divide="ignore", invalid="ignore"):
            a, b = q0 / p, q1 / p
        a, b = np.where(flat, -np.inf, np.minimum(a, b)), np.where(flat, np.inf, np.maximum(a, b))
        outside = flat & ((q0 > 0) | (q1 < 0))  # parallel to this side's axis and beyond it
        lo, hi = np.maximum(lo, a), np.minimum(hi, b)
        hi = np.where(outside, -1.0, hi)
    return (lo <= hi).any(axis=1)


def _cross(starts: np.ndarray, ends: np.ndarray, segments: np.ndarray) -> np.ndarray:
    """Whether each segment (``starts`` to ``ends``) properly crosses any of ``segments``
    (rows x0, y0, x1, y1): the orientation test, every pair at once."""
    if not len(segments):
        return np.zeros(len(starts), dtype=bool)
    p, r = starts[:, None, :], (ends - starts)[:, None, :]
    q, s = segments[None, :, :2], (segments[:, 2:] - segments[:, :2])[None, :, :]

    def cross(a, b):
        return a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]

    denom = cross(r, s)
    with np.errstate(divide="ignore", invalid="ignore"):
        t, u = cross(q - p, s) / denom, cross(q - p, r) / denom
    hit = (np.abs(denom) > 1e-12) & (t > 1e-6) & (t < 1 - 1e-6) & (u > 1e-6) & (u < 1 - 1e-6)
    return hit.any(axis=1)


def label_box(text, renderer) -> Bbox:
    """A label's box on the page in display units, its padded background included
    (computed from the text extent: the patch is only positioned at draw time)."""
    bb = text.get_window_extent(renderer)
    patch = text.get_bbox_patch()
    if patch is None:
        return bb
    pad = text.get_fontsize() * 0.2 * renderer.points_to_pixels(1.0)
    if "circle" in str(patch.get_boxstyle()).lower():
        side = max(bb.width, bb.height) + 2 * pad
        cx, cy = (bb.x0 + bb.x1) / 2, (bb.y0 + bb.y1) / 2
        return Bbox.from_bounds(cx - side / 2, cy - side / 2, side, side)
    return bb.expanded(1, 1).padded(pad)


def _label_geom(frame: gpd.GeoDataFrame, idx, view):
    """Where locality ``idx``'s label goes in ``view``: its labelled part when that is in
    view, else the whole locality."""
    if "_label_geom" in frame:
        part = frame.at[idx, "_label_geom"]
        if part is not None and not part.is_empty and (view is None or part.intersects(view)):
            return part
    return frame.at[idx, "geometry"]


def _label_point(frame: gpd.GeoDataFrame, idx, view):
    """Locality ``idx``'s label point when it is in ``view`` (else None: the usual anchor)."""
    pt = frame.at[idx, "_label_pt"] if "_label_pt" in frame else None
    return pt if isinstance(pt, shapely.Point) and (view is None or view.contains(pt)) else None


def name_fits(geom, name: str, view, scale: float, fontsize: float, need_inside: float = 0.55) -> bool:
    """Whether some wrapping of ``name`` fits inside the visible part of ``geom`` at
    ``scale`` inches per metre (geometry only; collisions are checked when drawing)."""
    pt, poly = _anchor(geom, view)
    if pt is None:
        return False
    for wrapped in wrappings(name):
        lines = wrapped.split("\n")
        w = (max(len(x) for x in lines) * 0.6 * fontsize + 0.4 * fontsize) / 72 / scale
        h = (len(lines) * 1.25 * fontsize + 0.4 * fontsize) / 72 / scale
        b = shapely_box(pt.x - w / 2, pt.y - h / 2, pt.x + w / 2, pt.y + h / 2)
        if b.intersection(poly).area / b.area >= need_inside:
            return True
    return False
