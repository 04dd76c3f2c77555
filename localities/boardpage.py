"""Drawing shared by every printed page of a map: the localities, the map's extent without
axes, a north arrow and a scale bar on open sea or empty paper, the locator's council
outlines; and the board pages of :func:`localities.compare_plans` and
:meth:`localities.ensemble.Ensemble.plot` (:func:`board_page`, :func:`finish_board_page`,
with the council's main body drawn and far islands said, :func:`main_body`). The map page
itself is composed in :mod:`localities.page`, its detail pages in :mod:`localities.detail`.
"""

from __future__ import annotations

import math
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import matplotlib.pyplot as plt
import numpy as np
import shapely
from matplotlib.transforms import Bbox
from mpl_toolkits.axes_grid1.anchored_artists import AnchoredSizeBar

from . import layout, sources
from .errors import clip
from .mapstyle import credit, heading


@lru_cache(maxsize=4)
def _councils(data_dir: str | None):
    """Council outlines for the locator map, simplified; kept in the user cache between
    commands (keyed by the boundary file and the code), as reading them costs ~0.1-0.2 s."""
    from . import cache
    from .load import load_boundaries

    def outlines():
        councils = load_boundaries("council", data_dir=data_dir).copy()
        councils["geometry"] = councils.geometry.simplify(800)
        return councils

    try:
        path = sources.find("council_boundaries", data_dir, required=False)
    except Exception:  # no data directory to look in: no locator map
        return None
    if path is None:  # no council layer in this data directory (the embedded sample): no locator map
        return None
    try:
        files = [path, *sorted(path.parent.glob(f"{path.stem}.*"))]
        key = cache.fingerprint("council outlines", 800, files=files,
                                code=[Path(__file__), Path(__file__).with_name("load.py")])
        councils = cache.remember("council_outlines", key, outlines)
    except Exception as exc:
        # A damaged file is said: cut to half its size, it took the locator map away without a word.
        import warnings

        warnings.warn(f"{path}: the council boundaries could not be read ({clip(str(exc), 120)}); the map is drawn "
                      "without its locator map of Scotland", UserWarning, stacklevel=2)
        return None
    if len(councils) < 10:
        return None  # not Scotland (the embedded sample holds one council)
    return councils


# ----------------------------------------------------------------------------- drawing helpers


def _draw_localities(ax, frame, colours, zones=None, clip=None):
    if clip is not None:  # a panel shows a small part: draw only that (fast at 300 dpi)
        box = shapely.box(*clip)
        keep = frame.geometry.intersects(box)
        frame = frame[keep].copy()
        frame["geometry"] = frame.geometry.intersection(box)
    if zones is not None:
        zones.to_crs(frame.crs).boundary.plot(ax=ax, color="#bdbdbd", linewidth=0.2, zorder=1)
    frame.plot(ax=ax, color=colours.reindex(frame.index).fillna("#ffffff").tolist(), edgecolor="#303030",
               linewidth=0.4, zorder=2)
    frame.boundary.plot(ax=ax, color="#202020", linewidth=0.7, zorder=4)
    _light_between_dark(ax, frame, colours)


def _light_between_dark(ax, frame, colours) -> None:
    """A thin white line inside the dark one where two dark-filled localities meet: there
    the dark line vanishes (West Dunbartonshire's two flagged Clydebank localities read as
    one)."""
    from matplotlib.colors import to_rgb

    fill = colours.reindex(frame.index).fillna("#ffffff")
    dark = [i for i, c in fill.items() if np.dot(to_rgb(c), (0.299, 0.587, 0.114)) < 0.35]
    if len(dark) < 2:
        return
    geoms = frame.geometry.loc[dark]
    tree = shapely.STRtree(geoms.to_numpy())
    left, right = tree.query(geoms.to_numpy(), predicate="touches")
    pairs = [(a, b) for a, b in zip(left, right) if a < b]
    # shapely.boundary: None for a collection (a clipped panel can make one), never an error.
    edges = shapely.boundary(geoms.to_numpy())
    shared = [shapely.intersection(edges[a], edges[b]) for a, b in pairs if edges[a] is not None and edges[b] is not None]
    shared = [g for g in shared if g is not None and not g.is_empty and g.length > 0]
    if shared:
        gpd.GeoSeries(shared, crs=frame.crs).plot(ax=ax, color="#ffffff", linewidth=0.6, zorder=4, gid="between dark")


def _blank(ax, limits):
    ax.set_xlim(limits[0], limits[2])
    ax.set_ylim(limits[1], limits[3])
    ax.set_aspect("equal", adjustable="box")
    ax.apply_aspect()  # the box as it will be drawn: labels are measured against it
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    for s in ax.spines.values():
        s.set_linewidth(0.6)
        s.set_color("#606060")


def _nice_length(metres: float) -> float:
    exp = 10 ** math.floor(math.log10(max(metres, 1)))
    for m in (5, 2, 1):
        if m * exp <= metres:
            return m * exp
    return exp


def _north_arrow(ax, renderer, land, avoid):
    from matplotlib.offsetbox import AnchoredOffsetbox, DrawingArea, TextArea, VPacker
    from matplotlib.patches import Polygon

    def make(x, y):
        arrow = DrawingArea(12, 20)
        arrow.add_artist(Polygon([[6, 20], [0, 0], [6, 5], [12, 0]], closed=True, facecolor="black",
                                 edgecolor="black", linewidth=0.5))
        pack = VPacker(children=[TextArea("N", textprops={"fontsize": 10, "fontweight": "bold"}), arrow],
                       align="center", pad=0, sep=1)
        box = AnchoredOffsetbox(loc="center", child=pack, bbox_to_anchor=(x, y), bbox_transform=ax.transAxes,
                                frameon=False, pad=0.1, borderpad=0)
        box.set_gid("north_arrow")
        box.set_zorder(10)
        ax.add_artist(box)
        return box

    return layout.free_spot(ax, renderer, make, land, avoid, corners=("upper right", "upper left", "lower right",
                                                                        "lower left"))


def _scale_bar(ax, renderer, land, avoid, fraction=0.2, fontsize=7, below=False):
    """A scale bar on open sea or empty paper in ``ax``, clear of the boxes in ``avoid``;
    with ``below``, under the panel's frame when no such place is found (else None)."""
    x0, x1 = ax.get_xlim()
    for frac in (fraction, fraction * 0.6, fraction * 0.35):
        length = _nice_length((x1 - x0) * frac)
        label = f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m"

        def make(x, y, length=length, label=label):
            bar = AnchoredSizeBar(ax.transData, length, label, loc="center", bbox_to_anchor=(x, y),
                                  bbox_transform=ax.transAxes, frameon=True, size_vertical=0,
                                  pad=0.25, borderpad=0, sep=2, fontproperties={"size": fontsize})
            bar.patch.set_alpha(0.8)
            bar.patch.set_edgecolor("none")
            bar.set_gid("scale_bar")
            bar.set_zorder(10)
            ax.add_artist(bar)
            return bar

        # Half-corners first: the scale bar sits low, the north arrow high.
        artist = layout.free_spot(ax, renderer, make, land, avoid,
                                  corners=("lower left", "lower right", "upper left", "upper right"))
        if artist is not None:
            return artist
    if not below:
        return None
    # No open sea in the panel: the bar goes under its frame, at the right, off the map.
    length = _nice_length((x1 - x0) * fraction)
    bar = AnchoredSizeBar(ax.transData, length, f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m",
                          loc="upper right", bbox_to_anchor=(1, 0), bbox_transform=ax.transAxes, frameon=False,
                          size_vertical=0, pad=0.1, borderpad=0.6, sep=2, fontproperties={"size": fontsize})
    bar.set_gid("scale_bar")
    bar.set_clip_on(False)
    ax.add_artist(bar)
    return bar


def main_body(frame) -> tuple[tuple, str | None]:
    """The extent a board page draws (the main body, without far outlying islands, as
    :func:`localities.plot_map`) and a note naming what it leaves out, or None: Orkney's
    ensemble page was shrunk to fit Sule Skerry, 60 km west."""
    outliers, body = layout.outlying_islands(frame)
    if not outliers:
        return tuple(frame.total_bounds), None
    where = "; ".join(f"{o.distance_km:.0f} km {o.direction}" for o in outliers)
    return body, f"Not drawn: {'an outlying island group' if len(outliers) == 1 else 'outlying island groups'} ({where})."


def board_page(bounds, side_width: float):
    """An A4 page for a map other than :func:`localities.plot_map` (a comparison, an
    ensemble): the page, its figure and the main map's axes; :func:`finish_board_page`
    completes it."""
    p = layout.page(tuple(bounds), side_width)
    fig = plt.figure(figsize=p.size)
    return p, fig, fig.add_axes(p.main, gid="main")


def finish_board_page(fig, p, ax, geoms, title: str, note: str | None = None) -> None:
    """What every board page has: the map's extent without axes, a north arrow and a scale
    bar clear of the land (``geoms``), the title and the data attribution (and ``note``,
    such as :func:`main_body`'s, above it)."""
    _blank(ax, p.limits)
    ax.set_axis_off()
    renderer = fig.canvas.get_renderer()
    land = shapely.union_all(geoms.simplify(100).values)
    _north_arrow(ax, renderer, land, [])
    _scale_bar(ax, renderer, land, [])
    heading(fig, title)
    credit(fig, layout.MARGIN, 0.12, p.size[0] - 2 * layout.MARGIN)
    if note:
        fig.text(layout.MARGIN / p.size[0], 0.36 / p.size[1], note, fontsize=7, color="#404040", va="bottom",
                 gid="body note")


def _outline_boxes(ax, extent, width_pt: float = 1.5) -> list:
    """The four sides of a rectangle drawn on ``ax`` (data extent), as thin boxes in
    display units for the label placer to keep clear of."""

    (x0, y0), (x1, y1) = ax.transData.transform([extent[:2], extent[2:]])
    w = width_pt * ax.figure.dpi / 72
    return [Bbox.from_extents(x0 - w, y0 - w, x1 + w, y0 + w), Bbox.from_extents(x0 - w, y1 - w, x1 + w, y1 + w),
            Bbox.from_extents(x0 - w, y0 - w, x0 + w, y1 + w), Bbox.from_extents(x1 - w, y0 - w, x1 + w, y1 + w)]


@contextmanager
def no_idle_draws(fig):
    """geopandas' plot asks the canvas for a redraw after each layer, which on a file
    canvas draws the whole page every time; the page is drawn once, when saved."""
    fig.canvas.draw_idle = lambda *args, **kwargs: None
    try:
        yield fig
    finally:
        del fig.canvas.draw_idle
