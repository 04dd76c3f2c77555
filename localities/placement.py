"""Label placement for board-paper maps: names where they fit inside their locality,
numbers (with a leader line where needed) elsewhere, wrapped on spaces only, kept inside
their axes and clear of one another; a locality of islands named in the middle of its
people. Measured in display coordinates from the drawn artists, so what is checked is
what is printed. (Split from :mod:`localities.layout`, which decides the page.)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import shapely
from matplotlib.transforms import Bbox
from shapely.geometry import box as shapely_box

from .labelshape import _anchor, _compact, _cross, _extents, _hits, _margin, label_box, wrappings
from .labelshape import _label_geom, _label_point, apart, held_together, label_parts, name_fits  # noqa: F401  (moved)


#: The most of a name's box (a share of its area) that may lie over other localities. At a
#: fifth, Aberdeen City's "Old Aberdeen, Seaton and 3 more" sat over flagged Tillydrone's
#: edge, read as its name; at a tenth, over 32 councils at the default and 10,000, poorer
#: maps number 395 of 788 localities, not 356.
OVER_OTHERS = 0.1
#: A name this much inside its locality (a share of its box) is taken at the first spot that
#: fits; below it, the spots and wrappings that fit are compared for the one most inside.
WELL_INSIDE = 0.9
#: The most of a small locality's shape a number placed inside it may cover; a smaller one
#: gets its number beside it on a leader, so its colour shows (the Scottish Borders' Jedburgh
#: and Eyemouth, flagged, were hidden under their numbers).
COVER_MOST = 0.5
#: A number may sit beside its locality over the localities around it, on a short leader,
#: when each of them is at least this many times its area (a town in the country). At 10,
#: Lanark (South Lanarkshire at 10,000), with Kirkmuirhill's rural locality 8.4 times its area
#: beside it, took a 1.4-inch leader across Carstairs' locality to a spot outside the council;
#: at 5, over 32 councils at 10,000 and 5,000, leaders over 0.8 inch: 80 -> 79.
AROUND_LARGER = 5.0


@dataclass
class Placer:
    """Places text in one axes so that no box leaves the axes or overlaps another."""

    ax: object
    renderer: object
    boxes: list = field(default_factory=list)
    labels: dict = field(default_factory=dict)  # locality -> Text
    repeats: dict = field(default_factory=dict)  # locality -> its label again on its islands (Texts)
    localities: object = None  # every locality's polygon, for numbers beside their own (see number)
    _tree: object = None
    _margins: np.ndarray = field(default_factory=lambda: np.empty((0, 4)))
    _text: object = None
    _leaders: list = field(default_factory=list)  # leader lines drawn, (x0, y0, x1, y1) in display units

    def __post_init__(self):
        self.frame_box = self.ax.get_window_extent(self.renderer).shrunk(0.995, 0.995)
        self.inv = self.ax.transData.inverted()

    def free(self, bb: Bbox, pad: float = 1.0) -> bool:
        if not (bb.x0 >= self.frame_box.x0 + pad and bb.x1 <= self.frame_box.x1 - pad
                and bb.y0 >= self.frame_box.y0 + pad and bb.y1 <= self.frame_box.y1 - pad):
            return False
        # A margin: text is measured at the figure's dpi, and hinting makes it a few per
        # cent wider or narrower at the dpi it is saved at (labels that just touched at
        # 100 dpi overlapped by a letter at 150 dpi and in the PDF).
        x0, y0, x1, y1 = _extents(_margin(bb))
        placed = self._grown()
        return not bool(((x0 <= placed[:, 2]) & (placed[:, 0] <= x1) & (y0 <= placed[:, 3]) & (placed[:, 1] <= y1)).any())

    def _grown(self) -> np.ndarray:
        """The placed boxes with their margins, as rows (x0, y0, x1, y1), made once per box:
        :meth:`free` compares every trial spot with all of them (the same test as
        ``Bbox.overlaps``; remaking each margin at every trial cost a third of a dense map)."""
        done = len(self._margins)
        if done < len(self.boxes):
            self._margins = np.vstack([self._margins, [_extents(_margin(o)) for o in self.boxes[done:]]])
        return self._margins

    def data_box(self, bb: Bbox):
        (x0, y0), (x1, y1) = self.inv.transform([[bb.x0, bb.y0], [bb.x1, bb.y1]])
        return shapely_box(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))

    def _try(self, key, text, x, y, fontsize, polygon, need_inside, number, avoid=None, where=None, **kw):
        """Place ``text`` at ``x``, ``y`` where it fits (see :meth:`_fits`): the Text, else None."""
        if self._fits(key, text, x, y, fontsize, polygon, need_inside, number, avoid, where, **kw) is None:
            return None
        return self._place(key)

    def _place(self, key):
        """Place the trial text where :meth:`_fits` last found it fits."""
        t, self._text = self._text, None
        self.boxes.append(label_box(t, self.renderer))
        self.labels[key] = t
        return t

    def _fits(self, key, text, x, y, fontsize, polygon, need_inside, number, avoid=None, where=None, **kw):
        """The share of ``text``'s box inside ``polygon`` (1.0 without one) where it fits at
        ``x``, ``y``: in the axes, clear of every label, at least ``need_inside`` inside,
        over none of ``avoid``, and as ``where`` asks; else None. Nothing is placed: the trial
        text stays as :attr:`_text`, to be placed or moved on."""
        t = self._text
        if t is None or t.get_fontsize() != fontsize or t.get_text() != text or t.axes is None:
            if t is not None and t.axes is not None:
                t.remove()
            style = {"boxstyle": "circle,pad=0.12" if number and len(str(text)) < 3 else "round,pad=0.15",
                     "fc": "white", "ec": "#303030" if number else "none", "lw": 0.4, "alpha": 0.85}
            t = self.ax.text(x, y, text, fontsize=fontsize, ha="center", va="center", zorder=8, bbox=style,
                             fontweight="bold" if number else "normal", clip_on=False, gid=f"label:{key}", **kw)
            self._text = t
        else:
            t.set_position((x, y))
            t.set_gid(f"label:{key}")
        bb = label_box(t, self.renderer)
        ok, share = self.free(bb), 1.0
        if ok and polygon is not None and need_inside > 0:
            area = self.data_box(bb)
            share = area.intersection(polygon).area / area.area if area.area > 0 else 0.0
            ok = share >= need_inside
        if ok and avoid is not None and len(avoid):
            # Over the sea by its own islands, never over another locality.
            ok = not shapely.intersects(self.data_box(bb), avoid).any()
        if ok and where is not None:
            ok = where(self.data_box(bb))
        return share if ok else None

    def _index(self):
        """One spatial index of :attr:`localities` for every label of this axes."""
        if self._tree is None:
            self._tree = shapely.STRtree(self.localities)
        return self._tree

    def _others(self, box, own) -> np.ndarray:
        """The positions of the localities ``box`` (map units) touches, but ``own`` (a position,
        or a list of them)."""
        hit = self._index().query(box, predicate="intersects")
        return hit[~np.isin(hit, own)]

    def _over_others(self, box, own) -> float:
        """The area of ``box`` (map units) that lies over localities other than ``own``."""
        hit = self._others(box, own)
        return float(shapely.area(shapely.intersection(box, self.localities[hit])).sum()) if len(hit) else 0.0

    def _hides(self, box, own) -> bool:
        """Whether ``box`` (map units) covers more than :data:`COVER_MOST` of a locality other
        than ``own``: a name's tenth over its neighbours can be all of a small town beside it
        (Aberdeenshire at 10,000: flagged Huntly under "Insch, Oyne and Ythanwells + 2 more")."""
        hit = self._others(box, own)
        if not len(hit):
            return False
        others = self.localities[hit]
        return bool((shapely.area(shapely.intersection(box, others)) > COVER_MOST * shapely.area(others)).any())

    def _surrounding(self, geom, own, width: float) -> tuple[list[int], bool] | None:
        """The positions of the localities around ``geom`` (on the ring ``width`` map units
        wide outside it) at least :data:`AROUND_LARGER` times its area, and whether they are
        all of them (a small town inside large rural localities); None where there are none.
        The others may be anything smaller: a town's other parts (Angus at 5,000: Forfar
        West, beside Forfar Central and East and two rural localities, had its number on a
        1.8-inch leader to the council's western edge)."""
        if own is None or geom is None or geom.is_empty:
            return None
        ring = geom.buffer(width).difference(geom)
        hit = self._index().query(ring, predicate="intersects")
        hit = hit[hit != own]
        if not len(hit):
            return None
        area = shapely.area(self.localities[hit])
        own_area = float(shapely.area(self.localities[own]))
        large = area >= AROUND_LARGER * own_area
        return (hit[large].tolist(), bool(large.all())) if large.any() else None

    def again(self, key, texts: list[str], part, fontsize, number: bool, own=None):
        """A locality's label once more, inside ``part`` (a polygon of it apart from where its
        label is: Arran, of "Largs and Cumbrae / Kilbirnie / Arran + 1 more"), the first of
        ``texts`` (its wrappings) that fits there, clear of every other label; kept in
        :attr:`repeats`, not :attr:`labels` (a locality has one entry in the key). Only across
        water: a ``part`` touching another locality than ``own`` (a piece of mainland beyond a
        neighbour's corner) is no island, and gets none."""
        if own is not None and self.localities is not None and self._over_others(part.buffer(1.0), own):
            return None
        pt, poly = _anchor(part, None)
        if pt is None:
            return None
        for text in texts:
            t = self._try(f"again:{key}", text, pt.x, pt.y, fontsize, poly, 0.3 if number else 0.55, number,
                          where=lambda box: shapely.intersection(box, poly).area <= COVER_MOST * poly.area)
            if t is not None:
                del self.labels[f"again:{key}"]
                self.repeats.setdefault(key, []).append(t)
                return t
        return None

    def finish(self):
        """Remove the last trial text that found no place."""
        if self._text is not None and self._text.axes is not None:
            self._text.remove()
        self._text = None

    def name(self, key, name, geom, view, fontsize, need_inside=0.55, at=None, others=None, clear=False, own=None):
        """Place ``name`` inside ``geom`` (its visible largest polygon); for a locality of
        islands (``at``: the middle of its people), first there, and last over the sea
        around that point, clear of ``others`` (the other localities' polygons). With
        ``clear``, the name never covers ``others``: in a town inset, the locality around
        the town is named on the main map already, and its name over the town misleads.
        With :attr:`localities` set (``own``: this locality's position in it), at most
        :data:`OVER_OTHERS` of the name's box may lie over other localities: West Lothian's
        "Craigshill, Dedridge East and 3 more" sat half over its neighbour."""
        avoid = others if clear else None
        pt, poly = _anchor(geom, view)
        if pt is None:
            return None
        over = None
        if self.localities is not None and own is not None and len(self.localities) > 1:
            def over(box, own=own):
                return self._over_others(box, own) <= OVER_OTHERS * box.area and not self._hides(box, own)

        def where(box, poly=poly):
            # Most of the locality's colour stays in sight, as under a number: a name's white box
            # can be larger than a small locality (over 32 councils at 10,000, 17 of 211 names
            # covered more than half of theirs, and are numbered now).
            return shapely.intersection(box, poly).area <= COVER_MOST * poly.area and (over is None or over(box))
        minx, miny, maxx, maxy = poly.bounds
        spots = [(pt.x, pt.y)] + [(pt.x + dx * (maxx - minx), pt.y + dy * (maxy - miny))
                                  for dx, dy in ((0, 0.2), (0, -0.2), (0.2, 0), (-0.2, 0))]
        if at is not None:  # the middle of the people first (islands), then the usual spots
            spots = [(at.x, at.y)] + spots
        # The first wrapping and spot (one line, in the middle) that lies nine tenths inside;
        # else the one most inside, earlier ones first among near equals: "Clydebank, Drumry
        # and 3 more" hung a third out of its locality, over a neighbour and past the council.
        best = None
        for wrapped in wrappings(name):
            for x, y in spots:
                if not poly.contains(shapely.Point(x, y)):
                    continue
                share = self._fits(key, wrapped, x, y, fontsize, poly, need_inside, False, avoid=avoid, where=where)
                if share is not None and share >= WELL_INSIDE:
                    return self._place(key)
                if share is not None and (best is None or share > best[0] + 0.05):
                    best = (share, wrapped, x, y)
        if best is not None:
            return self._try(key, *best[1:], fontsize, poly, need_inside, False, avoid=avoid, where=where)
        if at is not None and others is not None:
            step = 0.04 * max(self.ax.get_xlim()[1] - self.ax.get_xlim()[0], self.ax.get_ylim()[1] - self.ax.get_ylim()[0])
            # Over the sea, compact first: on one line, Na h-Eileanan Siar's "Barra and South Uist /
            # Benbecula and North Uist / Harris" ran across the map from its frame over the Uists.
            for wrapped in sorted(wrappings(name), key=_compact):
                for dx, dy in ((0, 0), (-1, 0), (1, 0), (0, 1), (0, -1), (-2, 0), (2, 0)):
                    t = self._try(key, wrapped, at.x + dx * step, at.y + dy * step, fontsize, None, 0, False,
                                  avoid=others)
                    if t is not None:
                        return t
        return None

    def number(self, key, number, geom, view, fontsize, leader=True, at=None, own=None):
        """Place ``number`` inside its locality ``geom``, else beside it with a leader line.
        With :attr:`localities` set (``own``: this locality's position in it; one spatial index
        serves every number), a number beside its locality is not put on
        another one, where a reader would take it for that locality's (South Lanarkshire at
        10,000 had 7 of 21 numbers centred on a neighbour; Edinburgh at 5,000, 16 of 78): the
        search looks near, then out to about 1.8 inches (long leaders to the sea or the map's
        edge in a dense city), for a spot over no other locality, then for one whose centre is
        on none, and takes any free spot only when neither exists (Glasgow City at 5,000: 1
        of 87)."""
        def shows(polygon):  # inside, the number leaves most of its locality's colour in sight
            return lambda box: shapely.intersection(box, polygon).area <= COVER_MOST * polygon.area

        if at is not None:  # the middle of the people first (islands), on the part it is in
            part = next((g for g in shapely.get_parts(geom) if g.intersects(at)), None)
            if part is not None:
                t = self._try(key, str(number), at.x, at.y, fontsize, part, 0.3, True,
                              where=shows(part) if leader else None)
                if t is not None:
                    return t
        pt, poly = _anchor(geom, view)
        if pt is None:
            return None
        t = self._try(key, str(number), pt.x, pt.y, fontsize, poly, 0.3, True, where=shows(poly) if leader else None)
        if t is not None or not leader:
            return t
        # Leader line: the number beside its locality, joined to it by a thin line.
        px, py = self.ax.transData.transform((pt.x, pt.y))
        spots = [(r * math.cos(math.radians(a)), r * math.sin(math.radians(a)))
                 for r in (14, 20, 28, 38, 50, 65, 85, 110, 140, 180) for a in range(0, 360, 30)]
        near, far = spots[:72], spots[72:]
        if self.localities is not None and len(self.localities) > 1:
            def clear_of_others(box):  # touching a neighbour's edge is fine, covering it is not
                return self._over_others(box, own) <= 0.1 * box.area

            def centre_off_others(box):
                hit = self._index().query(box.centroid, predicate="intersects")
                return not len(hit[hit != own])

            # Near spots first, then farther ones: a short leader to a spot on no other
            # locality's centre beats a long one across the map.
            tests = [(clear_of_others, near), (centre_off_others, near), (clear_of_others, far),
                     (centre_off_others, far), (None, near)]
            found = self._surrounding(geom, own, 14 * abs(self.inv.transform((1, 0))[0] - self.inv.transform((0, 0))[0]))
            if found is not None:
                # A town inside large rural localities: every spot beside it is on one of
                # them, and the nearest clear one can be an inch away across other names (the
                # Scottish Borders' Jedburgh, Perth and Kinross's Crieff). A short leader over
                # the localities around it is read as pointing in. Where the town's other parts
                # are around it too, only when no spot near is centred off every other locality
                # (Edinburgh at 5,000 had such a spot for 55, and took one on 63 instead).
                around, alone = found

                def over_only_around(box):
                    return self._over_others(box, [own, *around]) <= 0.1 * box.area

                tests.insert(1 if alone else 2, (over_only_around, near))
        else:
            tests = [(lambda box: True, near)]
        # A short leader first that crosses no name, number or leader placed already (Perth and
        # Kinross at 10,000: Auchterarder's ran through "Powmill, Cleish and Scotlandwell ...");
        # then as before. Avoiding crossings farther out, or keeping later labels off leaders,
        # made more and longer leaders (32 councils at 5,000: over 0.8 inch, 62 -> 89 to 105).
        tests = [(test, where, True) for test, where in tests if test is not None and where is near] + [
            (test, where, False) for test, where in tests]
        # Which near spots' leaders would cross a placed label or another leader (South Ayrshire
        # at 5,000: the lines for 20 and 22 crossed), all tested at once: neither changes while
        # this number looks for its place.
        offsets = np.array(near)
        starts = np.column_stack([np.full(len(near), px), np.full(len(near), py)])
        crossing = dict(zip(near, _hits(starts, self._grown(), offsets + [px, py])
                            | _cross(starts, offsets + [px, py], np.array(self._leaders).reshape(-1, 4))))
        for test, where, uncrossed in tests:
            for dx, dy in where:
                if uncrossed and crossing[(dx, dy)]:
                    continue
                x, y = self.inv.transform((px + dx, py + dy))
                t = self._try(key, str(number), x, y, fontsize, None, 0, True, where=test)
                if t is not None:
                    self.ax.plot([pt.x, x], [pt.y, y], color="#303030", lw=0.5, zorder=7, gid=f"leader:{key}")
                    self._leaders.append((px, py, px + dx, py + dy))
                    return t
        return None
