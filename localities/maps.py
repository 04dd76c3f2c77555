"""Maps for board papers (matplotlib, mapclassify).

``plot_map`` returns a matplotlib Figure on one A4 page (landscape or portrait, as
the council's shape fits best) with a classed choropleth or a contiguity-coloured plan,
every locality named where the name fits and numbered otherwise (with a key table),
insets for towns too small to label, outlying islands in their own panels, a locator
map, north arrow and scale bar on open sea or empty paper, and the Open Government
Licence attribution. This module checks the arguments and decides the colours and
legend; the page is composed in :mod:`localities.page` (key table:
:mod:`localities.mapkey`), its layout decisions are in :mod:`localities.layout`.
``save_figure`` writes vector PDF or SVG (text kept as text) or PNG, atomically.
The interactive HTML map (``explore``, ``save_html``) is in :mod:`localities.webmap`
and importable from here too.
"""

from __future__ import annotations

import glob
import os
from pathlib import Path

import geopandas as gpd
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import shapely
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from . import layout
from .errors import LocalitiesError, counted
from .export import atomic_path
from .mapstyle import (  # noqa: F401 (ATTRIBUTION_SOURCES, POORER_COLOURS, TIER_SHORT, format_value re-exported)
    ATTRIBUTION_SOURCES,
    FLAG_COLOURS,
    LEVEL_LINE,
    POORER_COLOURS,
    RULE,
    TIER_COLOURS,
    TIER_SHORT,
    _describe,
    _frame,
    _is_share,
    _numbers,
    column_top,
    format_value,
    legend_name,
    no_column,
    normalise,
    poorer_rule,
    reference_levels,
    value_classes,
)
from .outcomes import SIMD
from .mapkey import key_size  # noqa: F401 (re-exported: the type of a map's key)
from .detail import detail_page_path  # noqa: F401 (re-exported: where a PNG map's detail page goes)
from .page import _councils, _plot, no_idle_draws  # noqa: F401 (_councils, no_idle_draws re-exported)
from .webmap import explore, save_html  # noqa: F401 (re-exported)

A4_LANDSCAPE = layout.A4


# ----------------------------------------------------------------------------- colours


def _colouring(frame, column, significance, categories, scheme, k, cmap):
    """Fill colours, legend handles, legend title, default title and key value column."""
    council = frame.attrs.get("council")
    prefix = f"{council}: " if council else ""
    plan_map = False
    if categories is not None:
        cats, palette, legend_title = categories
        colours = cats.map(palette)
        handles = [Patch(facecolor=c, edgecolor="#303030", label=k) for k, c in palette.items() if (cats == k).any()]
        # A caller's categories with no title of their own: the legend's title says what they are.
        title, value_col = f"{prefix}{legend_title}" if legend_title else council or "Localities", None
    elif significance is not None:
        if significance not in ("scotland", "rest", "cpp"):
            raise LocalitiesError(f"significance must be 'scotland' or 'rest', not {significance!r}")
        against_key = "scotland" if significance == "scotland" else "rest"
        flag = f"{column}_vs_{against_key}"
        if column is None:
            raise LocalitiesError("significance needs column=, the indicator whose verdict to map "
                                  "(e.g. column='income_rate')")
        if flag not in frame and column not in frame:
            raise LocalitiesError(no_column(column, frame))
        if flag not in frame:
            tested = [c.removesuffix(f"_vs_{against_key}") for c in frame.columns if str(c).endswith(f"_vs_{against_key}")]
            raise LocalitiesError(f"{column!r} has no verdict against {'Scotland' if against_key == 'scotland' else 'the rest of the council'} "
                                  + (f"(no interval): map one of {', '.join(tested)}" if tested else
                                     "in this table: give a table from rank()"))
        name, _ = _describe(column, frame)
        against = "Scotland" if against_key == "scotland" else "the rest of the council"
        cats = frame[flag].fillna("n/a")
        colours = cats.map(FLAG_COLOURS).fillna("#ffffff")
        # What "slightly" means, in the legend: West Lothian's Armadale, "slightly worse than
        # Scotland" on income, read against its flag "both" (from employment) as a contradiction.
        from .spine import _materiality  # the profile's words for the rule (spine imports this module)

        material = _materiality(frame)
        handles = [Patch(facecolor=FLAG_COLOURS[c], edgecolor="#303030",
                         label=f"{c} than {against}" if "worse" in c or "better" in c else
                         "not significantly different" if c == "not different" else c)
                   for c in FLAG_COLOURS if (cats == c).any()]
        # Said once in the title, so the legend keeps its height (and the key its room).
        legend_title = (f"{name} compared with {against} (95% CI): worse or better is significant and material "
                        f"({material}); slightly, significant but not material")
        title, value_col = f"{prefix}{name} compared with {against}", column
    elif column is not None:
        if column not in frame:
            raise LocalitiesError(no_column(column, frame))
        if not pd.api.types.is_numeric_dtype(frame[column]) or pd.api.types.is_bool_dtype(frame[column]):
            numeric = [c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])
                       and not pd.api.types.is_bool_dtype(frame[c]) and c in SIMD]
            raise LocalitiesError(f"column {column!r} is not numbers, so it has no classes to map; choose a value "
                                  f"column such as {', '.join(numeric[:6]) or 'income_rate'}")
        name, unit = _describe(column, frame)
        share = _is_share(column, unit)
        legend_title = legend_name(name, unit, share)
        higher_worse = SIMD[column].higher_is_worse if column in SIMD else True
        cmap = cmap or ("Reds" if higher_worse else "Blues_r")
        # The legend prints at least the decimals the key table prints these values with.
        vc = value_classes(frame, column, unit, share, cmap, higher_worse, scheme, k)
        colours = pd.Series("#ffffff", index=frame.index, dtype=object)
        colours[vc.values.dropna().index] = [vc.fills[i] for i in vc.classes]
        # The levels line is one line: each line of legend is room the key table loses.
        handles = [Line2D([], [], color=LEVEL_LINE, linewidth=1.6, label=text) if fill == RULE else
                   Patch(facecolor=fill or "none", edgecolor="#303030" if fill else "none", label=text)
                   for fill, text in vc.legend()]
        if vc.values.isna().any():
            handles.append(Patch(facecolor="#ffffff", edgecolor="#909090", hatch="///", label="no data"))
        title, value_col = f"{prefix}{name}", column
    else:
        colours = layout.plan_colours(frame)
        handles, legend_title = [], None
        n = len(frame)
        title, value_col, plan_map = f"{prefix}{counted(n, 'locality', 'localities')}", None, True
    return colours, handles, legend_title, title, value_col, plan_map


#: Outlying islands smaller than this (square metres, 1 km²) get a note, not a panel.
SPECK_M2 = 1e6


def plot_map(
    obj,
    column: str | None = None,
    title: str | None = None,
    scheme: str = "FisherJenks",
    k: int = 5,
    cmap: str | None = None,
    significance: str | None = None,
    label: str = "auto",
    inset: str | list | None = "auto",
    figsize: tuple[float, float] | None = None,
    zones: gpd.GeoDataFrame | None = None,
    categories: tuple[pd.Series, dict, str] | None = None,
    orientation: str = "auto",
    islands: str = "auto",
    locator: bool = True,
    data_dir: str | os.PathLike | None = None,
    details: str = "auto",
) -> Figure:
    """A board-paper map of localities on one A4 page.

    Parameters
    ----------
    obj : Plan or GeoDataFrame
        A plan, or a ranking table from :func:`localities.rank`.
    column : str, optional
        Column to map as a classed choropleth (mapclassify ``scheme`` with up to ``k``
        classes; fewer when rounded bounds would repeat, and at most one for every two
        localities, so a class is never a rank). Without it, localities are
        coloured so that neighbours differ, with a key table.
    significance : {"scotland", "rest"}, optional
        Map ``column``'s verdict against Scotland or the rest of the council instead
        of its value.
    label : {"auto", "number", "locality", "none"}
        ``auto``: names where they fit inside their locality, numbers (the rank, or the
        alphabetical order for a plan) with a key table otherwise. ``number``: numbers
        and the key for all. ``locality``: locality codes.
    inset : "auto", list of (minx, miny, maxx, maxy), or None
        Zoomed panels; ``auto`` adds up to two for clusters of localities too small to
        label on the main map (a town in a rural council).
    orientation : {"auto", "landscape", "portrait"}
        A4 orientation; ``auto`` takes whichever draws the council largest.
    islands : {"auto", "none"}
        ``auto`` moves island groups far from the main body (St Kilda, Fair Isle,
        Sule Skerry...) into small panels of their own so the main body fills the map.
    locator : bool
        A small map of Scotland's councils with this one marked (needs the council
        boundaries in the data directory).
    details : {"auto", "none"}
        ``auto``: an area crowded with localities too small to name on the map (at least
        five close together, that no inset shows: Fife's Kirkcaldy, South Lanarkshire's
        Rutherglen-Hamilton belt) is outlined with a letter and drawn again on an A4 page
        of its own at two or more times the scale, with names where they fit, the key's
        numbers elsewhere and a key to them (up to three such pages; none for a city whose
        crowd is the whole map). The localities inside are labelled there only, and the
        map's key gives the page's letter after their names.
    zones : GeoDataFrame, optional
        Data Zones to draw faintly beneath the localities.
    categories : (Series, {category: colour}, legend title), optional
        Colour localities by category (used by :func:`plot_poorer`).
    figsize : (width, height), optional
        Accepted for compatibility: its orientation is used; the page stays A4.

    Returns
    -------
    matplotlib.figure.Figure
        ``fig.attrs`` records the layout (axes, labels, key entries, breaks) for checks.
        When the key table beside the map had to be set under 6 pt (Glasgow City's 121
        localities at 5,000 people each), ``fig.attrs["key_page"]`` holds the key again on
        an A4 page of its own in legible type; :func:`save_figure` prints it after the map.
        ``fig.attrs["detail_pages"]`` holds the crowded areas' pages as (letter, figure)
        pairs, printed after the map and before the key page; ``fig.attrs["on_detail"]``
        maps each locality labelled on such a page only to the page's letter, and
        ``fig.attrs["lettered"]`` those and the localities labelled only in a town inset to
        the letter the key prints after their names.
    """
    if not isinstance(k, (int, np.integer)) or isinstance(k, bool) or k < 2:
        raise LocalitiesError(f"k (the number of classes) must be a whole number of at least 2, not {k!r}")
    if label not in ("auto", "name", "number", "rank", "locality", "none"):
        raise LocalitiesError(f"label must be 'auto', 'number', 'locality' or 'none', not {label!r}")
    if orientation not in ("auto", "landscape", "portrait"):
        raise LocalitiesError(f"orientation must be 'auto', 'landscape' or 'portrait', not {orientation!r}")
    if islands not in ("auto", "none"):
        raise LocalitiesError(f"islands must be 'auto' or 'none', not {islands!r}")
    if details not in ("auto", "none"):
        raise LocalitiesError(f"details must be 'auto' or 'none', not {details!r}")
    if figsize is not None and orientation == "auto":
        orientation = "landscape" if figsize[0] >= figsize[1] else "portrait"
    frame = _frame(obj)
    if isinstance(column, str) and column not in frame and column.lower() in frame:
        column = column.lower()  # "University" is university, as a council's name is case-blind
    # pandas deep-copies attrs at every column read and row selection (~190 times a map, ~0.1 s
    # with a ranking's labels, units and comparator values): keep only what the map reads.
    facts = frame.attrs
    frame.attrs = {key: facts[key] for key in ("council", "data_dir", "headline", "min_ratio", "min_gap",
                                               "regulation_problems", "ward_people", "map_notes", "source") if key in facts}
    for key in ("labels", "units", "scotland", "council_value"):
        if column in facts.get(key, {}):
            frame.attrs[key] = {column: facts[key][column]}
    if frame.crs is None or frame.crs.to_epsg() != 27700:
        frame = frame.to_crs("EPSG:27700")
    frame = frame[~frame.geometry.is_empty & frame.geometry.notna()]
    # Names go on each locality's most populous part (Barra and the Uists, not Harris), when known.
    frame["_label_geom"], frame["_label_pt"] = layout.label_parts(frame, facts.get("label_points") or {})
    if label == "rank":
        label = "number"
    colours, handles, legend_title, auto_title, value_col, plan_map = _colouring(
        frame, column, significance, categories, scheme, k, cmap)
    title = layout.printable(title or auto_title)
    if value_col in SIMD and categories is None:
        # A value map said nowhere what its figures are (the poorer map's note names SIMD 2020v2):
        # said at the foot, before the attribution, where a source is looked for.
        frame.attrs["source"] = "Values: SIMD 2020v2 indicators (Scottish Government), for each locality's Data Zones."
    numbers = _numbers(frame)
    names = frame["name"].astype(str) if "name" in frame else pd.Series(frame.index.astype(str), index=frame.index)
    outliers, body = layout.outlying_islands(frame) if islands == "auto" else ([], tuple(frame.total_bounds))
    # A speck far out (Sule Skerry, 60 km west of Orkney) is said, not given a panel of its own.
    # Only a part of localities drawn elsewhere: a locality that is all speck keeps its panel.
    specks = [o for o in outliers if o.geometry.area < SPECK_M2
              and all(frame.geometry[i].area > 2 * o.geometry.area for i in o.localities)]
    outliers = [o for o in outliers if not any(o is speck for speck in specks)]
    if specks:
        frame.attrs["not_drawn"] = "Not drawn: " + "; ".join(
            f"{'a small island' if len(shapely.get_parts(o.geometry)) == 1 else 'small islands'} "
            f"{o.distance_km:.0f} km {o.direction} (part of {', '.join(str(names[i]) for i in o.localities)})"
            for o in specks) + "."
    # A value map always lists its values (East Renfrewshire's income map, every locality named,
    # printed no figure at all: only its legend's "2.4% to 12.1%").
    with_key = plan_map or value_col is not None or label == "number" or len(frame) > 20
    data_dir = data_dir or frame.attrs.get("data_dir")  # the locator's council outlines, if the table says where
    with plt.rc_context({"text.parse_math": False}):  # names and titles are text: "$5" is not mathtext
        return _plot(frame, colours, handles, legend_title, title, value_col, plan_map, numbers, names, outliers,
                     body, with_key, label, inset, orientation, locator, data_dir, zones, details)


def plot_poorer(table: gpd.GeoDataFrame, title: str | None = None, **kwargs) -> Figure:
    """One call: which localities are significantly poorer than the rest of the council
    and Scotland (``poorer_than_rest`` / ``poorer_than_scotland`` from
    :func:`localities.rank`)."""
    if not isinstance(table, gpd.GeoDataFrame):
        raise LocalitiesError(f"plot_poorer needs the output of localities.rank, not {type(table).__name__}")
    table = normalise(table)
    unused = sorted(set(kwargs) & {"column", "significance", "categories", "scheme", "k", "cmap"})
    if unused:
        raise LocalitiesError(f"plot_poorer maps the decision, not a column: {', '.join(unused)} "
                              f"{'belongs' if len(unused) == 1 else 'belong'} to plot_map")
    for col in ("poorer_than_scotland", "poorer_than_rest"):
        if col not in table:
            raise LocalitiesError(f"no {col!r} column: pass the output of localities.rank")
    cats = table["tier_label"]
    council = table.attrs.get("council")
    masked = table.attrs.get("masked_pockets") or {}
    if masked.get("zones"):
        # "Not flagged" is not "not deprived": a board read Bo'ness's unflagged locality so.
        n, k = masked["zones"], masked["localities"]
        table.attrs["map_notes"] = [
            f"Not flagged is not the same as not deprived: {n} of Scotland's 20% most deprived zones (SIMD 2020v2; "
            f"{masked['people']:,} people) {'is' if n == 1 else 'are'} in {counted(k, 'locality', 'localities')} "
            "not flagged as poorer than Scotland"
            # Angus's Brechin, drawn as flagged (against the rest of Angus), was among the three.
            + (f" ({'it is' if k == 1 else (str(r) + ' of them') if r < k else 'all'} poorer than the rest of the "
               "council only)" if (r := masked.get("rest_only", 0)) else "") + "."]
    return plot_map(table, categories=(cats, TIER_COLOURS, poorer_rule(table)),
                    title=title or f"{council + ': ' if council else ''}localities with significantly poorer outcomes",
                    **kwargs)


def key_page_path(path: str | os.PathLike) -> Path:
    """Where :func:`save_figure` writes a PNG or SVG map's key page: ``name-key.png`` beside it."""
    path = Path(path)
    return path.with_name(f"{path.stem}-key{path.suffix}")


def save_figure(fig: Figure, path: str | os.PathLike, dpi: int = 300) -> Path:
    """Save as vector PDF or SVG (text stays text) or PNG at ``dpi``; atomic.

    A map with crowded areas drawn larger (``fig.attrs["detail_pages"]``) and one whose key
    table had to be set under 6 pt (``fig.attrs["key_page"]``, the key again on a page of
    its own) print those pages too: a PDF as its next pages (details, then the key), a PNG
    or SVG as files beside it (:func:`detail_page_path`, :func:`key_page_path`). Such a
    file this package wrote for an earlier map of the same name is removed when this one
    has no such page; another file of that name is left.

    PDF text is in matplotlib's default Type 3 fonts: embedded, subset and with a
    Unicode map, so it can be selected, searched and copied (``≤``, ``–`` and Gaelic
    accents included). TrueType (``pdf.fonttype: 42``) would cost 0.2-0.5 s more a
    file, fontTools subsetting DejaVu. SVG keeps text as ``<text>`` elements."""
    if not isinstance(fig, Figure):
        raise LocalitiesError(f"save_figure needs a figure (from plot_map, plot_poorer or profile), not "
                              f"{type(fig).__name__}")
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in ("pdf", "svg", "png"):
        raise LocalitiesError(f"{path}: save maps as .pdf, .svg or .png")
    extra = getattr(fig, "attrs", {}).get("key_page")
    details = getattr(fig, "attrs", {}).get("detail_pages") or []
    # No date, and fixed SVG ids: the same map saves to the same bytes, so a board paper's
    # maps can be kept under version control and compared.
    with plt.rc_context({"svg.fonttype": "none", "pdf.fonttype": 3, "svg.hashsalt": "localities"}):
        if fmt == "pdf" and (extra is not None or details):
            with atomic_path(path) as tmp, PdfPages(tmp, metadata=_undated("pdf")) as pdf:
                for page in [fig, *(d for _, d in details), *([extra] if extra is not None else [])]:
                    pdf.savefig(page)
            return path
        with atomic_path(path) as tmp:
            fig.savefig(tmp, format=fmt, dpi=dpi if fmt == "png" else None, metadata=_undated(fmt))
        if fmt == "pdf":
            return path
        for letter, page in details:
            with atomic_path(detail_page_path(path, letter)) as tmp:
                page.savefig(tmp, format=fmt, dpi=dpi if fmt == "png" else None,
                             metadata=_undated(fmt, DETAIL_PAGE_TITLE))
        for old in path.parent.glob(f"{glob.escape(path.stem)}-detail-?{path.suffix}"):
            if old.name not in {detail_page_path(path, letter).name for letter, _ in details}:
                _remove_old_page(old, DETAIL_PAGE_TITLE)
        if extra is not None:
            with atomic_path(key_page_path(path)) as tmp:
                extra.savefig(tmp, format=fmt, dpi=dpi if fmt == "png" else None,
                              metadata=_undated(fmt, KEY_PAGE_TITLE))
        else:
            _remove_old_page(key_page_path(path), KEY_PAGE_TITLE)
    return path


def _undated(fmt: str, title: str | None = None) -> dict | None:
    """A file's metadata without the date matplotlib writes by default."""
    date = {"pdf": {"CreationDate": None}, "svg": {"Date": None}}.get(fmt, {})
    out = {**date, **({"Title": title} if title else {})}
    return out or None


#: The titles written into a key page's or detail page's PNG or SVG, by which a later save
#: knows the file as ours.
KEY_PAGE_TITLE = "localities: key to the map"
DETAIL_PAGE_TITLE = "localities: detail of the map"


def _remove_old_page(path: Path, title: str) -> None:
    """A key or detail page left by an earlier map of the same name would be printed with
    this one: remove it, but only a file this package wrote as such (its title says so)."""
    try:
        with open(path, "rb") as f:
            head = f.read(1 << 16)
    except OSError:
        return
    if title.encode() in head:
        path.unlink(missing_ok=True)
