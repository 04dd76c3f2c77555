"""Map layout: detail pages for the crowded parts of a board map.

Where many localities are too small to be named on the main map and lie close together
(South Lanarkshire's Rutherglen-Hamilton-East Kilbride belt, Fife's Kirkcaldy, Inverness
at 5,000 people a locality), a town inset beside the key cannot zoom in enough, and the
map shows a swarm of numbers. Such an area is outlined on the map with a letter and drawn
again on an A4 page of its own, at least twice the map's scale: names where they fit, the
numbers of the map's key elsewhere, a key to the numbers on that page, and a small map of
where the area lies. The localities inside are labelled on that page only (the map's key
gives the page's letter after their names). :func:`localities.save_figure` prints these
pages after the map.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
import shapely
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from scipy.sparse.csgraph import connected_components

from . import layout, titles
from .boardpage import _blank, _draw_localities, _north_arrow, _scale_bar, no_idle_draws
from .mapkey import _draw_key, _headers, _key_fit, legend_shows
from .mapstyle import credit, heading, under_heading
from .labelshape import _anchor, _label_geom, name_fits
from .names import join_names

#: Width (inches) of a detail page's side column: legend, where the area lies, key.
DETAIL_SIDE = 2.6
#: Fewest crowded localities in one area for a page of their own.
LEAST = 5
#: A detail page draws its area at least this many times the main map's scale.
MIN_ZOOM = 2.0
#: Detail pages a map gets at most.
MOST = 3
#: A locality is crowded when its name does not fit and it is under this many inches
#: across on the map (a larger one is numbered for its shape, not for the crowd) ...
SMALL_IN = 0.8
#: ... and crowded localities this close (inches, between label points) form one area (0.4
#: left Aberdeen City's centre at 5,000 in groups of three; an area a page would not name is
#: split into tighter groups, see detail_extents).
REACH_IN = 0.8


def detail_extents(frame, names, limits, scale: float, fontsize: float, covered=(), most: int = MOST) -> list[tuple]:
    """Extents (x0, y0, x1, y1) of the map's crowded areas, most crowded first: groups of
    at least ``LEAST`` localities whose names do not fit at ``scale`` (inches per metre)
    and that lie within ``REACH_IN`` of each other, which a page of their own draws at
    ``MIN_ZOOM`` times the scale or more and where at least half of them would be named
    (else its tighter groups, closer together). Localities mostly inside a ``covered``
    extent (a town inset) are left to it. Empty for a map whose crowd is most of the map
    (Glasgow City at the default): a page would not zoom in."""
    view = shapely.box(*limits)
    shown = frame.geometry.intersection(view).area
    inside = pd.Series(0.0, index=frame.index)
    for extent in covered:
        share = frame.geometry.intersection(shapely.box(*extent)).area / shown.where(shown > 0)
        inside = np.maximum(inside, share.fillna(0.0))
    crowded = [i for i in frame.index if shown[i] > 0 and inside[i] <= 0.8 and np.sqrt(shown[i]) * scale < SMALL_IN
               and not name_fits(_label_geom(frame, i, view), names[i], view, scale, fontsize)]
    parts = {i: _anchor(_label_geom(frame, i, view), view) for i in crowded}
    crowded = [i for i in crowded if parts[i][0] is not None]
    xy = {i: (parts[i][0].x, parts[i][0].y) for i in crowded}

    def page_of(members, margin=0.1):
        """The extent of a page for ``members`` (their bounds and ``margin`` of the larger
        side around them) where it draws them at ``MIN_ZOOM`` times the map's scale or more
        and names at least half of them; else None."""
        if len(members) < LEAST:
            return None
        x0, y0, x1, y1 = shapely.total_bounds(np.asarray([parts[m][1] for m in members], dtype=object))
        pad = margin * max(x1 - x0, y1 - y0, 2000.0)
        extent = (x0 - pad, y0 - pad, x1 + pad, y1 + pad)
        page_scale = layout.page(extent, DETAIL_SIDE).scale
        there = shapely.box(*extent)
        named = sum(name_fits(_label_geom(frame, m, there), names[m], there, page_scale, 7.5) for m in members)
        return extent if page_scale >= MIN_ZOOM * scale and 2 * named >= len(members) else None

    def areas(members, reach):
        """Pages for ``members``: one when its page names at least half of them, else
        the pages of its tighter groups (Inverness alone, not chained through Dingwall to
        Tain, where a page drawn 4.4 times larger still numbered Inverness)."""
        if len(members) < LEAST:
            return []
        extent = page_of(members)
        if extent is not None:
            return [(len(members), extent, members)]
        if reach < 0.1:
            return []
        found = []
        for group in _groups(members, reach * 0.7):
            found += areas(group, reach * 0.7)
        return found

    def _groups(members, reach):
        pts = np.array([xy[m] for m in members])
        near = np.hypot(pts[:, None, 0] - pts[None, :, 0], pts[:, None, 1] - pts[None, :, 1]) * scale <= reach
        _, group = connected_components(near.astype(np.int8), directed=False)
        return [[members[j] for j in np.flatnonzero(group == g)] for g in range(group.max() + 1)]

    found = [a for group in _groups(crowded, REACH_IN) for a in areas(group, REACH_IN)] if len(crowded) >= LEAST else []
    out: list[tuple] = []
    for _, extent, members in sorted(found, key=lambda a: -a[0]):  # the most crowded first (stable on ties)
        if len(out) == most:
            break
        taken = [shapely.box(*e) for e in out]
        if any(shapely.box(*extent).intersects(t) for t in taken):
            # Two crowds side by side: the page of this one without its localities that reach
            # into the other's (Fife at 5,000: Kirkcaldy's crowd, beside Dunfermline's page, had
            # none, and its numbers' leaders crossed one another and their neighbours' numbers).
            kept = [m for m in members if not any(parts[m][1].intersects(t) for t in taken)]
            for margin in (0.1, 0.02):
                extent = page_of(kept, margin)
                if extent is not None and not any(shapely.box(*extent).intersects(t) for t in taken):
                    break
            else:
                continue  # the map numbers them
        out.append(extent)
    return out


def describe(frame, names, extent) -> str:
    """What a detail page shows, in words: the town most of its localities are named for
    ("Inverness area, 22 localities"), else where it lies in the council ("north-west
    South Lanarkshire, 21 localities"): the name of its largest locality said little."""
    box = shapely.box(*extent)
    area = frame.geometry.area
    inside = frame.index[(frame.geometry.intersection(box).area / area.where(area > 0)).fillna(0) >= 0.5]
    count = f"{len(inside)} localities" if len(inside) != 1 else "1 locality"
    title = titles.inset_title(frame, names, extent, 20.0, sides=False).replace("\n", " ")
    if " area" in title:
        return f"{title.split(' (')[0]}, {count}"
    # Else the towns its wards are named for ("Ayr, Prestwick and Troon"): "north-east South
    # Ayrshire" named a coast by a corner of the council's box.
    towns = titles.ward_towns(frame, inside)
    if towns:
        return f"{join_names(towns)} area, {count}"
    x0, y0, x1, y1 = frame.total_bounds
    dx, dy = (extent[0] + extent[2] - x0 - x1) / 2, (extent[1] + extent[3] - y0 - y1) / 2
    council = frame.attrs.get("council") or "the council"
    if np.hypot(dx / max(x1 - x0, 1.0), dy / max(y1 - y0, 1.0)) < 0.25:
        return f"central {council}, {count}"
    return f"{layout._direction(dx, dy)} {council}, {count}"


def detail_page_path(path, letter: str):
    """Where :func:`localities.save_figure` writes a PNG or SVG map's detail page
    ``letter``: ``name-detail-C.png`` beside ``name.png``."""
    from pathlib import Path

    path = Path(path)
    return path.with_name(f"{path.stem}-detail-{letter}{path.suffix}")


def _copy(handle, label: str):
    """A legend entry drawn again with ``label``: a swatch, or the rule at Scotland's level."""
    if isinstance(handle, Line2D):
        return Line2D([], [], color=handle.get_color(), linewidth=handle.get_linewidth(), label=label)
    return Patch(facecolor=handle.get_facecolor(), edgecolor=handle.get_edgecolor(), hatch=handle.get_hatch(),
                 label=label)


def detail_page(frame, colours, handles, legend_title, title, numbers, names, extent, letter: str, main_scale: float,
                rows=(), value_col=None, plan_map=False, zones=None) -> Figure:
    """Area ``letter`` of a map (``extent``) on an A4 page of its own. Not a pyplot
    figure: a notebook shows it only when asked (``fig.attrs["detail_pages"]``)."""
    from .page import _label_axes  # page composes the map and imports this module

    p = layout.page(extent, DETAIL_SIDE)
    fig = Figure(figsize=p.size)
    FigureCanvasAgg(fig)  # measurable, like the map
    with no_idle_draws(fig):
        renderer = fig.canvas.get_renderer()
        ax = fig.add_axes(p.main, gid="main")
        _draw_localities(ax, frame, colours, zones, clip=p.limits)
        _blank(ax, p.limits)
        view = shapely.box(*p.limits)
        shown = frame.geometry.intersection(view).area
        # A sliver at the page's edge gets no label: the map names or numbers it.
        which = [i for i in frame.index
                 if shown[i] > 0 and (shown[i] >= 0.01 * view.area or shown[i] >= 0.5 * frame.geometry[i].area)]
        placer = _label_axes(ax, renderer, frame, numbers, names, which, 7.5, view, "auto")
        land = shapely.union_all(frame.geometry.clip_by_rect(*p.limits).values)
        boxes = list(placer.boxes)
        # On open sea or empty paper where there is some; a page inland has none (Midlothian's
        # centre had neither arrow nor bar), so then anywhere clear of the labels.
        arrow = _north_arrow(ax, renderer, land, boxes) or _north_arrow(ax, renderer, shapely.Point(), boxes)
        if arrow is not None:
            boxes.append(arrow.get_window_extent(renderer))
        bar = _scale_bar(ax, renderer, land, boxes) or _scale_bar(ax, renderer, shapely.Point(), boxes)

        sl, sb, sw, sh = p.inches(p.side)
        cursor = sb + sh
        if handles:
            chars = int(sw * 72 / (0.56 * 8.5))
            copies = [_copy(h, textwrap.fill(h.get_label().replace("\n", " "), max(chars - 5, 12))) for h in handles]
            legend = fig.legend(handles=copies, title=textwrap.fill(legend_title or "", max(chars, 16)),
                                loc="upper left", bbox_to_anchor=(sl / p.size[0], cursor / p.size[1]), fontsize=8,
                                title_fontsize=8.5, frameon=False, alignment="left", borderaxespad=0, borderpad=0)
            cursor -= legend.get_window_extent(renderer).height / fig.dpi + 0.3
        # Where the area lies in the council.
        bx0, by0, bx1, by1 = frame.total_bounds
        wh = min(1.5, sw * (by1 - by0) / max(bx1 - bx0, 1.0))
        ww = min(sw, wh * (bx1 - bx0) / max(by1 - by0, 1.0))
        wax = fig.add_axes(p.fraction(sl, cursor - wh - 0.2, ww, wh), gid="where")
        frame.plot(ax=wax, color="#eeeeee", edgecolor="#b0b0b0", linewidth=0.2)
        wax.add_patch(Rectangle(extent[:2], extent[2] - extent[0], extent[3] - extent[1], fill=False,
                                edgecolor="#c51b7d", linewidth=1.2))
        wax.set_aspect("equal")
        wax.set_axis_off()
        council = frame.attrs.get("council")
        wax.set_title(f"Where {letter} lies{' in ' + council if council else ''}", fontsize=7, loc="left", pad=2)
        cursor -= wh + 0.2 + 0.35

        # A key to the numbers on this page (the map's numbers; the map's key lists them all).
        on_page = {str(int(numbers[i])) for i, t in placer.labels.items() if t.get_text() == str(numbers[i])}
        keyed = [r for r in rows if r["number"] in on_page]
        entries = {}
        if keyed:
            height = cursor - sb
            shows = legend_shows(handles, keyed)
            fit = _key_fit(keyed, sw, height, value_col is not None, plan_map, legend=shows)
            if fit is not None:
                value_header, flag_header, footer = _headers(frame, value_col, plan_map, shows)
                _, entries = _draw_key(fig, p.fraction(sl, sb, sw, height), keyed, fit, value_header, flag_header,
                                       footer)

        head = heading(fig, title)
        area = describe(frame, names, extent)
        zoom = p.scale / main_scale
        numbered = "; numbers as in the map's key" if on_page else ""
        # Under the title as set: a long map title wraps, and a line at a fixed height sat on it.
        under_heading(fig, head, f"{letter}: {area}, drawn {zoom:.1f} times as large as on the map{numbered}.",
                      0.58, 8, gid="subtitle")
        credit(fig, layout.MARGIN, 0.12, p.size[0] - 2 * layout.MARGIN, frame.attrs.get("source"))
    fig.attrs = {"main": ax, "labels": dict(placer.labels), "key": entries, "letter": letter, "extent": extent,
                 "zoom": zoom, "north_arrow": arrow, "scale_bar": bar, "where": wax}
    return fig
