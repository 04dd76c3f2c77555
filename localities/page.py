"""Page composition for :func:`localities.maps.plot_map`: one A4 page drawn with
matplotlib. The main map, the legend and the locator map of Scotland's councils,
outlying islands in small panels, town insets, names and numbers placed clear of each
other, north arrow and scale bar on open sea or empty paper, the key table
(:mod:`localities.mapkey`), title and attribution. Where things go (orientation,
insets, free spots) is decided in :mod:`localities.layout`.
"""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import shapely
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from . import detail, labelshape, layout, titles
from .decide import TIER_LABELS
from .boardpage import (  # noqa: F401 (board_page, finish_board_page, main_body, _councils re-exported)
    _blank,
    _councils,
    _draw_localities,
    _north_arrow,
    _outline_boxes,
    _scale_bar,
    board_page,
    finish_board_page,
    main_body,
    no_idle_draws,
)
from .mapkey import LEGIBLE, SMALL, SMALLEST_FIT, _add_key, _key_fit, _key_rows, legend_shows, with_key_page
from .namelists import join_names
from .mapstyle import UNLAWFUL, credit, heading, regulation_summary, under_heading


#: A locality's largest polygon across water from where its label is, with at least this
#: share of the land in view, is labelled again (see Placer.again): Arran, Islay.
APART_SHARE = 0.02


def _label_axes(ax, renderer, frame, numbers, names, which, fontsize, view, mode, leader=True, avoid=(), named=(),
                again=False):
    """Names where they fit, numbers elsewhere, in one axes, clear of the boxes in
    ``avoid``; returns the placer. ``named``: localities labelled on the main map already
    (for an inset): their names only where they cover no other locality, else a number.
    With ``again``, a locality's large polygons apart from its label (islands) carry the
    label too: North Ayrshire's Arran, the largest land on its map, had none. The main map asks
    for it only with two or more localities: "Orkney Islands" on the Mainland and again on Hoy
    read as two."""
    placer = layout.Placer(ax, renderer, localities=np.asarray(frame.geometry.array))
    placer.boxes.extend(avoid)
    position = {idx: i for i, idx in enumerate(frame.index)}
    sub = frame.loc[which]
    area = sub.geometry.intersection(view).area
    # The smallest first: they have the fewest places. On a ranking's map the flagged come
    # before the rest, so a name's room goes to a locality the board is asked about (Aberdeen
    # City's Tillydrone, ranked first, was a number beside an unflagged neighbour's name).
    flagged = (sub["tier_label"] != TIER_LABELS[-1]).astype(int) if "tier_label" in sub else 0
    order = pd.DataFrame({"unflagged": 1 - flagged, "area": area}).sort_values(
        ["unflagged", "area"], kind="stable").index
    if mode in ("auto", "name"):
        for idx in order:
            at = layout._label_point(frame, idx, view)
            clear = idx in named
            others = np.asarray(frame.geometry.drop(index=idx).array) if at is not None or clear else None
            placer.name(idx, names[idx], layout._label_geom(frame, idx, view), view, fontsize, at=at, others=others,
                        clear=clear, own=position[idx])
    for idx in order:
        if idx in placer.labels:
            continue
        text = numbers[idx] if mode != "locality" else idx
        placer.number(idx, text, frame.at[idx, "geometry"], view, fontsize - 0.5, leader=leader,
                      at=layout._label_point(frame, idx, view), own=position[idx])
    if again:
        land = float(area.sum())
        for idx in order:
            t = placer.labels.get(idx)
            if t is None:
                continue
            number = t.get_text() == str(numbers[idx]) or mode == "locality"
            texts = [t.get_text()] if number else labelshape.wrappings(names[idx])
            for part in labelshape.apart(frame.at[idx, "geometry"], view, t.get_position(), APART_SHARE * land):
                if placer.again(idx, texts, part, t.get_fontsize(), number, own=position[idx]) is not None:
                    break  # once: Islay's label names Jura's locality too
    placer.finish()
    return placer


def _mostly_in(frame, view, extent) -> list:
    """The localities with more than four fifths of what ``view`` shows of them inside
    ``extent``: left to the inset or detail page that draws it."""
    share = frame.geometry.intersection(shapely.box(*extent)).area / frame.geometry.intersection(view).area
    return list(frame.index[share.fillna(0) > 0.8])


def _fontsize(frame) -> float:
    """The map's label type: smaller where there are many localities."""
    return 7.5 if len(frame) <= 20 else 6.5


def _crowded(frame, names, p, covered) -> list[tuple[str, tuple]]:
    """The crowded areas of page ``p`` that no town inset (``covered``) shows, lettered after
    the insets (see :func:`localities.detail.detail_extents`)."""
    found = detail.detail_extents(frame, names, p.limits, p.scale, _fontsize(frame), covered=covered)
    return [("ABCDE"[len(covered) + j], extent) for j, extent in enumerate(found)]


def _on_detail(frame, view, crowded) -> dict:
    """Each locality left to a crowded area's page (or a town inset), with its letter."""
    on_detail = {}
    for letter, extent in crowded:
        for i in _mostly_in(frame, view, extent):
            on_detail.setdefault(i, letter)
    return on_detail


def _lettered(frame, view, insets, on_detail) -> dict:
    """Each locality labelled only in a town inset or on a crowded area's page (``on_detail``,
    from :func:`_on_detail`), with the letter the key prints after its name: Angus's "2
    Montrose", named in inset A alone, was found nowhere else on the map."""
    return {**_on_detail(frame, view, [("AB"[j], extent) for j, extent in enumerate(insets)]), **on_detail}


def _plot(frame, colours, handles, legend_title, title, value_col, plan_map, numbers, names, outliers, body,
          with_key, label, inset, orientation, locator, data_dir, zones, details="auto") -> Figure:
    fig = _plot_map(frame, colours, handles, legend_title, title, value_col, plan_map, numbers, names, outliers, body,
                    with_key, label, inset, orientation, locator, data_dir, zones, details)
    # The crowded areas outlined on the map, each on a page of its own (see localities.detail).
    rows = _key_rows(frame, numbers, value_col, colours, plan_map) if fig.attrs["details"] else []
    scale = fig._localities_page[0].scale
    fig.attrs["detail_pages"] = [
        (letter, detail.detail_page(frame, colours, handles, legend_title, title, numbers, names, extent, letter, scale,
                                    rows, value_col, plan_map, zones))
        for letter, extent in fig.attrs["details"]]
    return fig


def _plot_map(frame, colours, handles, legend_title, title, value_col, plan_map, numbers, names, outliers, body,
              with_key, label, inset, orientation, locator, data_dir, zones, details) -> Figure:
    fig = _compose(frame, colours, handles, legend_title, title, value_col, plan_map, numbers, names, outliers, body,
                   with_key, label, inset, orientation, locator, data_dir, zones, details)
    if not with_key and fig.attrs["numbered"]:
        # Some localities got numbers: they need the key table. When the page laid out for
        # the key is the page already drawn (same side column and insets), the map is the
        # same, so the key is added to it; otherwise the page is composed again.
        rows = _key_rows(frame, numbers, value_col, colours, plan_map, pages=fig.attrs["lettered"])
        drawn = fig._localities_page  # (page, insets, inset height, locator height, top of the key's space)
        p, fit, extents, ih = _page_layout(frame, names, body, rows, handles, drawn[3], outliers, value_col, plan_map,
                                           inset, orientation)
        if label != "name" and fit is not None and (p, extents, ih) == drawn[:3]:
            with no_idle_draws(fig):
                entries = _add_key(fig, p, rows, frame, value_col, plan_map, drawn[4],
                                   legend=legend_shows(handles, rows))
                fig.attrs.update(key=entries or {}, key_elsewhere=entries is None)
            return with_key_page(fig, title, rows, frame, value_col, plan_map)
        plt.close(fig)
        fig = _compose(frame, colours, handles, legend_title, title, value_col, plan_map, numbers, names, outliers,
                       body, True, label, inset, orientation, locator, data_dir, zones, details)
    if fig.attrs["key"] or fig.attrs.get("key_elsewhere"):
        rows = _key_rows(frame, numbers, value_col, colours, plan_map, pages=fig.attrs["lettered"])
        fig = with_key_page(fig, title, rows, frame, value_col, plan_map)
    return fig


#: Heights (inches) of a town inset's panel: the first when the key table still fits in
#: legible type below it, else the second.
INSET_HEIGHTS = (1.8, 1.3)


def _page_layout(frame, names, body, rows, handles, lh, outliers, value_col, plan_map, inset, orientation):
    """The page, the key table's fit and the town insets' extents: the side column as
    narrow as the key table (and insets) allow, at most about half the page."""
    legend_est = (len(handles) + 2.5) * 0.17 if handles else 0.0
    top = max(legend_est, lh) + 0.3
    islands_h = 1.5 if outliers else 0.0
    widths = (3.3, 3.9, 4.6, 5.4)
    made = {}

    def page_at(at):
        """The page with the ``at``-th side column width, and its town insets (made once)."""
        if at not in made:
            p = layout.page(body, widths[at], orientation)
            extents = []
            if inset == "auto":
                extents = layout.town_insets(frame, names, p.limits, p.scale, _fontsize(frame),
                                             side_width=p.inches(p.side)[2])
            elif inset:
                extents = [tuple(inset)] if len(inset) == 4 and not hasattr(inset[0], "__len__") else list(inset)
            made[at] = (p, extents)
        return made[at]

    if not rows:
        return (*page_at(0)[:1], None, page_at(0)[1], INSET_HEIGHTS[0])

    def fit_in(p, shown, ih, min_font=4.5):
        _, _, sw, sh = p.inches(p.side)
        inset_h = ih + 0.5 if shown else 0.0
        # With the flag colours' footer counted, though a legend shows them and the key drawn
        # leaves it out: the page is laid out as before, and its key set in the type the room
        # then allows (dropping it here too widened Aberdeenshire's side column at 10,000 and
        # shrank its map, to key 26 localities in 7 pt rather than 5 on a page of their own).
        return _key_fit(rows, sw, sh - top - islands_h - inset_h - 0.5, value_col is not None, plan_map, min_font)

    # The narrowest side column where the key fits under full-height insets; the insets are
    # dropped only when no type fits at all.
    base = None
    for drop in (False, True):
        for at in range(len(widths)):
            p, extents = page_at(at)
            shown = [] if drop and inset == "auto" else extents
            fit = fit_in(p, shown, INSET_HEIGHTS[0])
            if fit is not None:
                base = (at, p, fit, shown, INSET_HEIGHTS[0])
                break
        if base is not None:
            break
    if base is not None and base[2][0] < SMALL:
        # Type that small (Orkney's four localities were keyed in 4.5 pt under a full-height
        # Kirkwall inset): legible type under shorter insets, or in a wider side column
        # that shows the same insets (a wider one can need more, and they get cramped).
        at, _, _, shown, _ = base
        for p, extents in map(page_at, range(at, len(widths))):
            if (extents if shown else []) != shown:
                continue
            for ih in INSET_HEIGHTS:
                fit = fit_in(p, shown, ih, LEGIBLE)
                if fit is not None:
                    return p, fit, shown, ih
    if base is not None:
        return base[1:]
    p, extents = page_at(len(widths) - 1)  # the smallest type and widest column: use them anyway
    return p, SMALLEST_FIT, [] if inset == "auto" else extents, INSET_HEIGHTS[0]


def _compose(frame, colours, handles, legend_title, title, value_col, plan_map, numbers, names, outliers, body,
             with_key, label, inset, orientation, locator, data_dir, zones, details) -> Figure:
    rows = _key_rows(frame, numbers, value_col, colours, plan_map) if with_key else []
    councils = _councils(str(data_dir) if data_dir else None) if locator else None
    loc_w = 1.0 if councils is not None else 0.0
    if councils is not None:
        cb = councils.total_bounds
        lh = loc_w * (cb[3] - cb[1]) / (cb[2] - cb[0])
    else:
        lh = 0.0
    p, fit, extents, ih = _page_layout(frame, names, body, rows, handles, lh, outliers, value_col, plan_map, inset,
                                       orientation)
    if rows and label != "none":
        # The key gives a crowded area's page letter after its localities' names: laid out for the
        # names as printed (laid out without them, South Lanarkshire's key at 5,000 went from 6 to
        # 5.5 pt, onto a page of its own).
        crowded = _crowded(frame, names, p, extents[:2]) if details == "auto" else []
        view = shapely.box(*p.limits)
        pages = _lettered(frame, view, extents[:2], _on_detail(frame, view, crowded))
        if pages:
            rows = _key_rows(frame, numbers, value_col, colours, plan_map, pages=pages)
            p, fit, extents, ih = _page_layout(frame, names, body, rows, handles, lh, outliers, value_col, plan_map,
                                               inset, orientation)
    fig = plt.figure(figsize=p.size)
    with no_idle_draws(fig):
        key_top = _fill(fig, p, fit, extents, ih, rows, councils, loc_w, lh, frame, colours, handles, legend_title,
                        title, value_col, plan_map, numbers, names, outliers, body, label, data_dir, zones, details)
    fig._localities_page = (p, extents, ih, lh, key_top)  # what _plot needs to add the key table later
    return fig


def _fill(fig, p, fit, extents, ih, rows, councils, loc_w, lh, frame, colours, handles, legend_title, title, value_col,
          plan_map, numbers, names, outliers, body, label, data_dir, zones, details="auto") -> float:
    """Draw the page into ``fig``; returns the top of the space left for the key table
    (inches from the bottom)."""
    renderer = fig.canvas.get_renderer()
    ax = fig.add_axes(p.main, gid="main")
    _draw_localities(ax, frame, colours, zones)
    _blank(ax, p.limits)
    view = shapely.box(*p.limits)
    sl, sb, sw, sh = p.inches(p.side)
    cursor = sb + sh  # inches from the bottom: the next free height in the side column

    # Legend (left) and locator (right) at the top of the side column.
    if handles:
        wrap = int((sw - loc_w - 0.2) * 72 / (0.56 * 8.5))
        for h in handles:
            h.set_label(textwrap.fill(h.get_label(), max(wrap - 5, 12)))
        legend = fig.legend(handles=handles, title=textwrap.fill(legend_title or "", max(wrap, 16)),
                            loc="upper left", bbox_to_anchor=(sl / p.size[0], cursor / p.size[1]), fontsize=8,
                            title_fontsize=8.5, frameon=False, alignment="left", borderaxespad=0, borderpad=0)
        legend_h = legend.get_window_extent(renderer).height / fig.dpi
    else:
        legend, legend_h = None, 0.0
    locator_ax = None
    if councils is not None:
        locator_ax = fig.add_axes(p.fraction(sl + sw - loc_w, cursor - lh, loc_w, lh), gid="locator")
        council_name = frame.attrs.get("council")
        mine = councils["council_name"] == council_name if council_name else np.zeros(len(councils), bool)
        councils.plot(ax=locator_ax, color=np.where(mine, "#c51b7d", "#eeeeee"), edgecolor="#909090",
                      linewidth=0.2)
        if not np.any(mine):
            locator_ax.add_patch(Rectangle(body[:2], body[2] - body[0], body[3] - body[1], fill=False,
                                           edgecolor="#c51b7d", linewidth=1))
        locator_ax.set_axis_off()
        locator_ax.set_aspect("equal")
        locator_ax.set_title("Location in Scotland", fontsize=6.5, loc="left", pad=2)
    cursor -= max(legend_h, lh) + 0.3

    # Outlying islands, each in a small panel of its own.
    panels = []
    if outliers:
        pw = min(1.25, (sw - 0.15 * (len(outliers) - 1)) / len(outliers))
        ph = min(pw, 1.0)
        for i, o in enumerate(outliers):
            rect = p.fraction(sl + i * (pw + 0.15), cursor - ph - 0.25, pw, ph)
            pax = fig.add_axes(rect, gid=f"islands:{i}")
            limits = layout.fit_extent(o.geometry.buffer(1500).bounds, pw, ph)
            _draw_localities(pax, frame, colours, clip=limits)
            _blank(pax, limits)
            where = ", ".join(names[o2] for o2 in o.localities if o2 in names.index)
            pax.set_title(textwrap.fill(f"{o.distance_km:.0f} km {o.direction} (part of {where})",
                                        max(int(pw * 72 / (0.56 * 6)), 10)),
                          fontsize=6, loc="left", pad=2)
            panels.append((pax, shapely.box(*limits), o.localities))
        cursor -= ph + 0.25 + 0.3

    # Town insets: localities too small to label on the main map.
    insets = []
    if extents:
        n = min(len(extents), 2)
        iw = (sw - 0.2 * (n - 1)) / n if n > 1 else sw
        if n == 1:
            iw = min(sw, 2.2 * 1.6)
        for i, extent in enumerate(extents[:n]):
            left = sl + i * (iw + 0.2)
            limits = layout.fit_extent(extent, iw, ih)
            iax = fig.add_axes(p.fraction(left, cursor - ih - 0.2, iw, ih), gid=f"inset:{i}")
            _draw_localities(iax, frame, colours, zones, clip=limits)
            _blank(iax, limits)
            letter = "AB"[i]
            iax.set_title(f"{letter}: {titles.inset_title(frame, names, extent, iw, view=limits)}", fontsize=7, loc="left", pad=2,
                          fontweight="bold")
            ax.add_patch(Rectangle(extent[:2], extent[2] - extent[0], extent[3] - extent[1], fill=False,
                                   edgecolor="#000000", linewidth=1.0, linestyle="--", zorder=7))
            insets.append((iax, shapely.box(*limits), extent, letter))
        cursor -= ih + 0.2 + 0.3

    # Crowded areas that no inset shows: outlined here, each drawn on a page of its own.
    fontsize = _fontsize(frame)
    crowded = _crowded(frame, names, p, [i[2] for i in insets]) if details == "auto" and label != "none" else []
    for _, extent in crowded:
        ax.add_patch(Rectangle(extent[:2], extent[2] - extent[0], extent[3] - extent[1], fill=False,
                               edgecolor="#000000", linewidth=1.0, linestyle="--", zorder=7))

    # Labels: main map (less what an inset shows), then insets and island panels.
    mode = "number" if label == "number" else label
    numbered = {}
    key_rows_shown = bool(rows)
    # A crowded area's localities are labelled on its page only, and the key gives the page's
    # letter: numbered on the map too, their leaders fanned out of the outline across one
    # another and through other numbers (South Lanarkshire at 5,000: 29 leaders crossing a
    # label on the map, 131 of 505 over 32 councils at the default, 10,000 and 5,000).
    on_detail = _on_detail(frame, view, crowded)
    lettered = _lettered(frame, view, [i[2] for i in insets], on_detail) if mode != "none" else {}
    if rows:
        rows = _key_rows(frame, numbers, value_col, colours, plan_map, pages=lettered)
    if mode != "none":
        in_inset = {i for _, _, extent, _ in insets for i in _mostly_in(frame, view, extent)}
        main_which = [i for i in frame.index if i not in in_inset and i not in on_detail
                      and not frame.at[i, "geometry"].intersection(view).is_empty]
        # Each inset's letter beside its rectangle on the main map, and the rectangle's
        # dashed outline: names are placed clear of both (in Orkney 'Kirkwall West and
        # Orphir' ran across inset A's outline).
        outlines = []
        for extent, letter in [(i[2], i[3]) for i in insets] + [(e, letter) for letter, e in crowded]:
            t = ax.text(extent[0], extent[3], f" {letter}", fontsize=7, fontweight="bold", ha="left", va="bottom",
                        zorder=9, gid=f"inset_letter:{letter}")
            outlines += [t.get_window_extent(renderer), *_outline_boxes(ax, extent)]
        placer = _label_axes(ax, renderer, frame, numbers, names, main_which, fontsize, view,
                             "auto" if mode in ("auto", "name") and key_rows_shown or mode == "auto" else mode,
                             avoid=outlines, again=len(frame) > 1)
        all_placers = [("main", placer)]
        for iax, iview, extent, letter in insets:
            # A locality showing only a sliver in the inset (under 1% of it), already named
            # on the main map, gets no second label: its number sat on the inset's frame,
            # its leader running into the frame (West Mainland in Orkney's inset).
            shown = frame.geometry.intersection(iview).area
            which = [i for i in frame.index if shown[i] > 0 and (shown[i] >= 0.01 * iview.area
                                                                 or i not in placer.labels)]
            inset_placer = _label_axes(iax, renderer, frame, numbers, names, which, fontsize, iview, mode,
                                       named=set(placer.labels))
            all_placers.append((iax.get_gid(), inset_placer))
            # A count in the title counts the localities labelled in the panel: counted by area
            # it said 7 over Moray's Elgin inset labelling six, 4 over Forres's five.
            iax.set_title(titles.recount(iax.get_title(loc="left"), len(inset_placer.labels)), fontsize=7, loc="left",
                          pad=2, fontweight="bold")
        for pax, pview, members in panels:
            all_placers.append((pax.get_gid(), _label_axes(pax, renderer, frame, numbers, names, list(members),
                                                           6, pview, "number", leader=False)))
        labels = {}
        for where, pl in all_placers:
            for idx, t in pl.labels.items():
                labels.setdefault(idx, []).append((where, t))
                if t.get_text() == str(numbers[idx]):
                    numbered[idx] = t
    else:
        labels, all_placers = {}, []

    # North arrow and scale bar on open sea or empty paper.
    land = shapely.union_all(frame.geometry.simplify(100).values)
    main_boxes = list(all_placers[0][1].boxes) if all_placers else []
    arrow = _north_arrow(ax, renderer, land, main_boxes)
    if arrow is not None:
        main_boxes.append(arrow.get_window_extent(renderer))
    bar = _scale_bar(ax, renderer, land, main_boxes)
    for where, pl in all_placers[1:]:
        if where.startswith("inset"):
            # The coast as drawn, not simplified by 100 m: at an inset's scale that moved it
            # enough for the bar to sit on a locality's edge.
            x0, x1 = pl.ax.get_xlim()
            y0, y1 = pl.ax.get_ylim()
            coast = shapely.union_all(frame.geometry.clip_by_rect(x0, y0, x1, y1).values)
            _scale_bar(pl.ax, renderer, coast, list(pl.boxes), fraction=0.3, fontsize=6, below=True)

    # Key table at the bottom of the side column.
    key_entries = _add_key(fig, p, rows, frame, value_col, plan_map, cursor, legend=legend_shows(handles, rows)) \
        if rows and fit is not None else {}
    key_elsewhere, key_entries = key_entries is None, key_entries or {}

    notes = list(frame.attrs.get("map_notes", []))
    if outliers:
        notes.append("Outlying islands are shown in the small panels, not in their true position.")
    if frame.attrs.get("not_drawn"):
        notes.append(frame.attrs["not_drawn"])
    if len(frame) == 1 and "tier_label" in frame:
        # Na h-Eileanan Siar at the default: the whole council "Not flagged as poorer", with no
        # word that there was no rest of the council to compare it with.
        notes.append("One locality holds the whole council: it is compared with Scotland only.")
    if crowded:
        letters = [letter for letter, _ in crowded]
        one = len(letters) == 1
        notes.append(f"{join_names(letters, shared=False)} {'is' if one else 'are'} drawn larger, with names, on "
                     f"{'a page of its' if one else 'pages of their'} own"
                     + ("; the localities inside are labelled there, not here." if on_detail else "."))
    head = heading(fig, title)  # one line across the page, smaller type for a long title (map --title)
    # Wrapped to the map's width: on a portrait page the line ran off the paper, through the
    # locator's title (Na h-Eileanan Siar); and under the title as set, which may wrap.
    room = p.size[0] - 2 * layout.MARGIN - (loc_w + 0.3 if locator_ax is not None else 0.0)
    unlawful = regulation_summary(frame)
    if unlawful:
        # First, and in red: a board must not adopt the plan as drawn (West Dunbartonshire with a
        # locality of 30,471 people was mapped without a word). Counts only: the list is the
        # workbook's and check's.
        head = under_heading(fig, head, unlawful, 0.5, 7, room, color=UNLAWFUL, fontweight="bold",
                             gid="regulations")
    if notes:
        text = under_heading(fig, head, " ".join(notes), 0.5, 7, room, gid="notes")
        # The title band holds two lines of 7 pt: more would run onto the map (a wrapped note
        # under a red line), so they are set smaller.
        renderer = fig.canvas.get_renderer()
        if text.get_window_extent(renderer).y0 < ax.get_window_extent(renderer).y1 + 1:
            text.remove()
            under_heading(fig, head, " ".join(notes), 0.5, 5.5, room, gid="notes")
    credit(fig, layout.MARGIN, 0.12, p.size[0] - 2 * layout.MARGIN, frame.attrs.get("source"))
    fig.attrs = {"legend_title": legend_title, "legend": legend, "main": ax, "labels": labels,
                 "numbers": numbers, "numbered": numbered, "key": key_entries, "key_elsewhere": key_elsewhere,
                 "north_arrow": arrow,
                 "scale_bar": bar, "insets": [i[0] for i in insets], "inset": insets[0][2] if insets else None,
                 "islands": [pn[0] for pn in panels], "outliers": outliers, "body": body, "locator": locator_ax,
                 "orientation": "landscape" if p.size[0] > p.size[1] else "portrait", "frame": frame,
                 "details": crowded, "on_detail": on_detail, "lettered": lettered}
    return cursor


def MARGIN_FRAC(p) -> float:  # noqa: N802 - a layout constant that depends on the page
    return layout.MARGIN / p.size[0]
