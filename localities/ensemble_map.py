"""The board-paper map of an ensemble (split from :mod:`localities.ensemble`): how often
each zone lies in a flagged locality across the plans, the robust priority areas
outlined and numbered, with a side column holding the colour scale and a key to the
numbers, as on :func:`localities.plot_map`'s pages (A4, scale bar, north arrow,
attribution).
"""

from __future__ import annotations

import textwrap

import pandas as pd
import shapely

from . import layout
from .errors import PlanError

COLUMNS = {"share_rest": "the rest of the council", "share_scotland": "Scotland",
           "share_both": "both the rest of the council and Scotland",
           "share_either": "the rest of the council or Scotland"}
#: Priority areas numbered and keyed on the page; more are outlined but listed in the tables.
MOST = 40


def plot_shares(ens, column: str = "share_either", title: str | None = None):
    """See :meth:`localities.ensemble.Ensemble.plot`."""
    import matplotlib.patheffects as pe
    import matplotlib.pyplot as plt
    from matplotlib import colormaps
    from matplotlib.colors import Normalize

    from .mapkey import SMALLEST_FIT, _draw_key, _key_fit
    from .boardpage import board_page, finish_board_page, main_body
    from .ensemble import share_words
    from .labelshape import _anchor

    if column not in COLUMNS:
        raise PlanError(f"column must be {', '.join(COLUMNS)}, not {column!r}")
    zones = ens.zones.to_crs("EPSG:27700")
    body, note = main_body(zones)
    p, fig, ax = board_page(body, 3.3)
    cmap, norm = colormaps["YlOrRd"], Normalize(0, 1)
    zones.plot(ax=ax, color=[cmap(norm(v)) for v in zones[column].fillna(0)], edgecolor="white", linewidth=0.15)
    view = shapely.box(*p.limits)
    priority = ens.priority.to_crs("EPSG:27700") if len(ens.priority) else ens.priority
    rows, mean_col = [], None
    if len(priority):
        priority.boundary.plot(ax=ax, color="black", linewidth=0.9)
        # The largest by people are numbered, each on its largest part (names do not fit small
        # towns on a council's map: Huntly, Inverurie South), with the number of its id in
        # the priority-area table (P01 is 1), so the page and the table agree.
        ordered = priority.sort_values(["population", "name"], ascending=[False, True]).head(MOST)
        number = (ordered["area"].str.lstrip("P").astype(int) if "area" in ordered
                  else pd.Series(range(1, len(ordered) + 1), index=ordered.index))
        ordered = ordered.assign(_n=number.to_numpy()).sort_values("_n")
        halo = [pe.withStroke(linewidth=2.2, foreground="white")]
        # The key's share is the one the map colours (priority areas carry means of two of them).
        mean_col = f"{column}_mean" if f"{column}_mean" in ordered else "share_either_mean"
        for n, name, people, geom, mean in zip(ordered["_n"], ordered["name"], ordered["population"],
                                               ordered.geometry, ordered[mean_col]):
            pt, _ = _anchor(geom, view)
            if pt is not None:
                ax.text(pt.x, pt.y, str(n), fontsize=7.5, fontweight="bold", ha="center", va="center",
                        path_effects=halo, zorder=6)
            rows.append({"number": str(n), "name": layout.printable(str(name)), "population": f"{int(people):,}",
                         "value": f"{mean:.0%}"})
    council = ens.settings.get("council")
    plans = int(ens.plans["ok"].sum())
    distinct = ens.settings.get("distinct")
    # "across 20 plans" when 9 of them differ overstated the evidence (Argyll and Bute).
    different = f" ({distinct} different)" if distinct is not None and distinct < plans else ""
    finish_board_page(fig, p, ax, zones.geometry, title or f"{council + ': ' if council else ''}where localities "
                      f"are flagged across {plans} plans{different}", note)

    sl, sb, sw, sh = p.inches(p.side)
    top = sb + sh
    # The colour scale under its title, at the top of the side column.
    scale = textwrap.fill(f"Share of plans in which the zone is in a locality flagged poorer than {COLUMNS[column]}",
                          int(sw * 72 / (0.6 * 8)))
    fig.text((sl + 0.05) / p.size[0], (top - 0.05) / p.size[1], scale, fontsize=8, fontweight="bold", va="top")
    below = top - 0.05 - (scale.count("\n") + 1) * 8 * 1.3 / 72 - 0.12
    cax = fig.add_axes(p.fraction(sl + 0.05, below - 0.16, sw - 0.3, 0.16), gid="scale")
    bar = fig.colorbar(plt.cm.ScalarMappable(norm=norm, cmap=cmap), cax=cax, orientation="horizontal",
                       format=lambda v, _: f"{v:.0%}")
    bar.ax.tick_params(labelsize=7)
    cursor = below - 0.55
    fig.text((sl + 0.05) / p.size[0], cursor / p.size[1],
             textwrap.fill(f"Outlined: robust priority areas, zones flagged in at least {share_words(ens.share)}"
                           + (f" ({len(priority)}; the {MOST} largest numbered)" if len(priority) > MOST else ""),
                           int(sw * 72 / (0.55 * 7.5))), fontsize=7.5, va="top")
    cursor -= 0.55
    if rows:
        cursor = _inset(fig, p, ax, zones, ordered, column, cmap, norm, (sl, sb, sw), cursor, rows)
        fit = _key_fit(rows, sw, cursor - sb, True) or SMALLEST_FIT
        header = "Mean\nshare" if mean_col == f"{column}_mean" else "Mean\n(either)"
        _draw_key(fig, p.fraction(sl, sb, sw, cursor - sb), rows, fit, header, None, name_header="Area")
    fig.attrs = {"main": ax, "numbered": [r["name"] for r in rows]}
    return fig


#: Inches: the height of the panel showing priority areas too small to see on the main map.
INSET_HEIGHT = 1.7


def _inset(fig, p, ax, zones, ordered, column, cmap, norm, side, cursor, rows) -> float:
    """Priority areas too small to see on the council's map (a town's estates in a rural
    council: South Ayrshire's Ayr was a speck beside the numbered countryside) drawn again
    larger in the side column, as the poorer map's town insets are, when the key table
    below still fits; returns where the side column continues."""
    import matplotlib.patheffects as pe
    from matplotlib.patches import Rectangle

    from .boardpage import _blank
    from .mapkey import _key_fit
    from .labelshape import _anchor
    from .titles import inset_title

    sl, sb, sw = side
    names = ordered["name"].astype(str)
    extents = layout.town_insets(ordered, names, p.limits, p.scale, 7.5, max_insets=1, side_width=sw,
                                 panel_height=INSET_HEIGHT)
    below = cursor - INSET_HEIGHT - 0.45
    if not extents or _key_fit(rows, sw, below - sb, True) is None:
        return cursor
    extent = extents[0]
    iw = min(sw, 2.2 * 1.6)
    limits = layout.fit_extent(extent, iw, INSET_HEIGHT)
    iax = fig.add_axes(p.fraction(sl, cursor - INSET_HEIGHT - 0.2, iw, INSET_HEIGHT), gid="inset:0")
    view = shapely.box(*limits)
    shown = zones[zones.intersects(view)]
    shown.plot(ax=iax, color=[cmap(norm(v)) for v in shown[column].fillna(0)], edgecolor="white", linewidth=0.3)
    ordered.boundary.plot(ax=iax, color="black", linewidth=1.1)
    _blank(iax, limits)
    halo = [pe.withStroke(linewidth=2.2, foreground="white")]
    # Numbered where a hundredth of the panel or more shows (a corner's sliver put "2" on the
    # frame, over the title), and counted in the title as numbered.
    seen = ordered[ordered.geometry.intersection(view).area >= 0.01 * view.area]
    for n, geom in zip(seen["_n"], seen.geometry):
        pt, _ = _anchor(geom, view.buffer(-0.04 * min(limits[2] - limits[0], limits[3] - limits[1])))
        if pt is not None:
            iax.text(pt.x, pt.y, str(n), fontsize=7.5, fontweight="bold", ha="center", va="center",
                     path_effects=halo, zorder=6)
    title = inset_title(seen, names[seen.index], extent, iw, what=("priority area", "priority areas"))
    iax.set_title(f"A: {title}", fontsize=7, loc="left", pad=2, fontweight="bold")
    ax.add_patch(Rectangle(extent[:2], extent[2] - extent[0], extent[3] - extent[1], fill=False,
                           edgecolor="#000000", linewidth=1.0, linestyle="--", zorder=7))
    return below
