"""Locality profiles: one A4 page per locality for a board paper.

Each page has the locality's key figures, its decision against each of the two
comparators the Act names (the rest of the council and Scotland: significantly poorer
or not, and each headline indicator's verdict), why, a small map placing it in the
council, and a spine chart in the style of ScotPHO's and PHE's profiles: for every
indicator, a bar spanning the range across the council's localities (the darker middle
part their interquartile range), Scotland's value as the centre line, the rest of the
council as a tick and the locality as a dot coloured by its verdict against Scotland,
with worse always to the left. Beside the chart, two columns give the verdict against
the rest of the council and against Scotland, in words as well as colour, so that the
page reads the same in greyscale and no colour leaves its comparator unsaid.
:func:`save_profiles` writes them as one multi-page vector PDF.
"""

from __future__ import annotations

import difflib

import os
import textwrap
from pathlib import Path

import geopandas as gpd
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import shapely
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from . import layout
from . import spine as chart
from .decide import COMPARATORS
from .errors import LocalitiesError, capital
from .export import atomic_path
from .labels import without_rest
from .maps import TIER_COLOURS, no_idle_draws, normalise
from .mapstyle import UNLAWFUL, regulation_summary
from .namelists import said
from .names import SEPARATOR
from .plans import Plan
from .spine import (  # noqa: F401  (DOT_STYLES, VERDICT_KEYS, spine_rows: read from here too)
    A4_PORTRAIT,
    DOT_STYLES,
    TESTED,
    VERDICT_KEYS,
    VERDICT_WORDS,
    _compared_with,
    _label,
    _lower,
    _materiality,
    _wrap,
    spine_rows,
)


#: Lines of reasons a profile prints under "Why" (the workbook has them all): eight hold every
#: locality's over 32 councils at 10,000, untested gaps of flagged localities included.
WHY_LINES = 8
#: Lines of the places a profile lists when its name leaves some out ("and 4 more").
PLACES_LINES = 2


def decision_lines(table: gpd.GeoDataFrame, idx) -> list[str]:
    """The locality's decision against each comparator, in words.

    Parameters
    ----------
    table : GeoDataFrame
        The output of :func:`localities.rank`.
    idx
        The locality's row label in ``table``.

    Returns
    -------
    list of str
        One line per comparator the table holds, e.g. "Compared with the rest of Moray:
        significantly poorer (income deprivation worse, employment deprivation worse)" and
        "Compared with Scotland: not flagged as poorer (income deprivation not
        different, employment deprivation slightly worse)": the flag (``poorer_than_rest``,
        ``poorer_than_scotland``) and each headline indicator's verdict behind it.
    """
    council = table.attrs.get("council") or "the council"
    head = [h for h in table.attrs.get("headline", []) if h in table]
    lines = []
    alone = bool(without_rest(table).at[idx])  # the tables' "n/a (the whole council)", in words
    for c in COMPARATORS:
        if f"poorer_than_{c}" not in table:
            continue
        # Not flagged is not "not significant": a gap can be significant yet smaller than the rule asks.
        verdict = "significantly poorer" if bool(table.at[idx, f"poorer_than_{c}"]) else "not flagged as poorer"
        if c == "rest" and alone:
            # One locality holding the whole council (Orkney at the default) has no rest of it:
            # "not flagged as poorer (income deprivation no comparator, ...)" said it badly.
            lines.append(f"Compared with {_compared_with(c, council)}: nothing to compare with (this locality is "
                         "the whole council)")
            continue
        items = [f"{_lower(_label(h, table)[0])} {VERDICT_WORDS.get(table.at[idx, f'{h}_vs_{c}'], 'not tested')}"
                 if f"{h}_vs_{c}" in table else f"{_lower(_label(h, table)[0])} not tested" for h in head]
        lines.append(f"Compared with {_compared_with(c, council)}: {verdict}"
                     + (f" ({', '.join(items)})" if items else ""))
    return lines


def _ranking(obj, dz) -> gpd.GeoDataFrame:
    if isinstance(obj, Plan):
        if dz is None:
            raise LocalitiesError("profile of a Plan needs its zone table: profile(plan, dz, ...)")
        from .rank import rank

        return normalise(rank(obj, dz))
    if isinstance(obj, gpd.GeoDataFrame) and "rank" in obj:
        return normalise(obj)
    raise LocalitiesError("profile needs a Plan (with its zones) or the output of localities.rank, "
                          f"not {type(obj).__name__}")


def _pick(table: gpd.GeoDataFrame, locality) -> int:
    """The row of ``locality``: its code or name (exactly, then ignoring case and spaces at
    the ends), or its rank (a whole number, or its digits as text)."""
    if locality is None:
        return table.index[0]
    for same in (lambda s: s == str(locality), lambda s: s.strip().casefold() == str(locality).strip().casefold()):
        for col in ("locality", "name"):
            if col in table:
                hit = table.index[table[col].astype(str).map(same)]
                if len(hit):
                    return hit[0]
    digits = str(locality).strip()
    if "rank" in table and not isinstance(locality, bool) and (isinstance(locality, (int, np.integer))
                                                               or digits.isdecimal()):
        hit = table.index[table["rank"] == int(digits)]
        if len(hit):
            return hit[0]
    names = table["name"].astype(str).tolist() if "name" in table else []
    # The names holding the text asked for ("Dumbarton" -> "Dumbarton and Bowling"), else close ones.
    text = str(locality).strip().casefold()
    close = [n for n in names if text and text in n.casefold()] or difflib.get_close_matches(
        str(locality), names, n=3, cutoff=0.6)
    if close:
        raise LocalitiesError(f"no locality {locality!r}; did you mean {' or '.join(map(repr, close[:3]))}?")
    raise LocalitiesError(f"no locality {locality!r}; give a locality code, name or rank: the "
                          f"{len(names)} localities are {', '.join(names[:8])}{' and more' if len(names) > 8 else ''}")


def _backdrop(table: gpd.GeoDataFrame):
    """The council's localities simplified for a 3-inch map, and its main body's bounds."""
    frame = table.to_crs("EPSG:27700") if table.crs is not None and table.crs.to_epsg() != 27700 else table
    frame = frame[["geometry"]].copy()
    frame["geometry"] = frame.geometry.simplify(100)
    _, body = layout.outlying_islands(frame)
    return frame, body


def profile(obj, dz: pd.DataFrame | None = None, locality=None) -> Figure:
    """One A4 page profiling a locality for a board paper.

    Parameters
    ----------
    obj : GeoDataFrame or Plan
        The output of :func:`localities.rank`, or a plan (then ``dz`` is required and
        the plan is ranked first).
    dz : GeoDataFrame, optional
        The council's zones, needed with a plan.
    locality : str or int, optional
        Locality code, name (case ignored), or rank (default: the first ranked, the most
        disadvantaged).

    Returns
    -------
    matplotlib.figure.Figure
        A4 portrait; ``fig.attrs["spine"]`` holds the chart's numbers and
        ``fig.attrs["decision"]`` the page's decision lines (:func:`decision_lines`).

    Notes
    -----
    Every verdict on the page says what it is compared with: the lines under the tier
    give the decision against the rest of the council and against Scotland; the table
    beside the spine gives each tested indicator's verdict against both, in words and
    colour; the spine's dot is coloured by the verdict against Scotland (its centre
    line), as the key says.
    """
    with plt.rc_context({"text.parse_math": False}):  # names are text: "$5" is not mathtext
        return _profile(obj, dz, locality, None)


def _profile(obj, dz, locality, _backdrop_cache) -> Figure:
    table = _ranking(obj, dz)
    idx = _pick(table, locality)
    row = table.loc[idx]
    council = table.attrs.get("council") or "the council"
    spine = spine_rows(table, idx)

    fig = plt.figure(figsize=A4_PORTRAIT)
    with no_idle_draws(fig):
        _page(fig, table, idx, row, council, spine, _backdrop_cache)
    return fig


def _page(fig, table, idx, row, council, spine, _backdrop_cache) -> None:
    W, H = A4_PORTRAIT
    tier_label = row.get("tier_label", "")
    title = fig.text(0.4 / W, 1 - 0.35 / H, layout.printable(row["name"]), fontsize=17, fontweight="bold", va="top")
    _fit_width(fig, title, W - 0.8, smallest=9.0)
    fig.text(0.4 / W, 1 - 0.75 / H, f"{council} · locality {row['locality']} · ranked {int(row['rank'])} of "
             f"{len(table)} (1 = most disadvantaged)", fontsize=9, color="#404040", va="top")
    fig.patches.append(Rectangle((0.4 / W, 1 - 1.12 / H), 0.18 / W, 0.16 / H, transform=fig.transFigure,
                                 facecolor=TIER_COLOURS.get(tier_label, "#e0e0e0"), edgecolor="#303030", lw=0.5))
    tier = f"Tier {int(row['tier'])}: " if "tier" in row and pd.notna(row["tier"]) else ""
    verdict = fig.text(0.65 / W, 1 - 0.97 / H, f"{tier}{tier_label}", fontsize=10.5, fontweight="bold", va="top",
                       gid="tier")
    # Beside the small map's caption (from 4.9 in): "Tier 1: Poorer than the rest of the
    # council and Scotland" takes two lines.
    n_lines = _fit_width(fig, verdict, 3.95, smallest=9.0, max_lines=2)

    # The decision against each comparator, and what "significantly poorer" means: the
    # headline says what it compares with, as the chart's dot and columns do.
    y = 1.24 + (n_lines - 1) * verdict.get_fontsize() * 1.1 / 72
    lines = decision_lines(table, idx)
    unlawful = regulation_summary(table)
    if unlawful:
        # A board reading one page must see that the plan is not one it can adopt.
        text = fig.text(0.4 / W, 1 - y / H, unlawful, fontsize=8.5, va="top", color=UNLAWFUL, fontweight="bold",
                        gid="regulations")
        y += _wrap(fig, text, 4.2) * 8.5 * 1.2 / 72 + 0.04
    for line in lines:
        text = fig.text(0.4 / W, 1 - y / H, line, fontsize=8.5, va="top", gid="decision")
        y += _wrap(fig, text, 4.2) * 8.5 * 1.2 / 72 + 0.04
    if lines:
        head = ", ".join(_lower(_label(h, table)[0]) for h in table.attrs.get("headline", []) if h in table)
        text = fig.text(0.4 / W, 1 - y / H, f"Significantly poorer = worse on a headline indicator ({head}): "
                        f"a significant (95%) and material ({_materiality(table)}) difference.", fontsize=7,
                        color="#404040", va="top", gid="decision: meaning")
        y += _wrap(fig, text, 4.2) * 7 * 1.2 / 72 + 0.1

    # Key figures (left) and the small map (right).
    facts = [("People", f"{int(row['population']):,}"), ("Data Zones", f"{int(row['zones'])}")]
    for band in ("20", "5"):
        col = f"share_most_deprived_{band}"
        if col in table and pd.notna(row[col]):
            # People, not zones: 60% of Rothesay's people, in 4 of its 7 zones, read as a share of zones.
            facts.append((f"People in Scotland's {band}% most deprived zones (SIMD 2020v2)", f"{row[col] * 100:.0f}%"))
    if "score" in table and pd.notna(row["score"]):
        # What the score is, in words ("Headline deprivation against Scotland" left a board asking).
        heads = " and ".join(_lower(_label(h, table)[0]) for h in table.attrs.get("headline", []) if h in table)
        facts.append((f"{capital(heads) or 'Deprivation'} against Scotland's (1.0 = the same, "
                      "2.0 = twice)", f"{row['score']:.2f}"))
    for c in COMPARATORS:
        if f"n_worse_{c}" in table:
            tested = int(spine[f"vs_{c}"].isin(TESTED).sum()) if len(spine) else 0
            # Which are tested, and why not the rest: "5 of 6 tested" beside a chart of 27 rows left
            # a board asking about the other 21 (a new user's trial).
            among = f" (the {tested} of {len(spine)} published as counts are tested)" if 0 < tested < len(spine) else ""
            worse = int(row[f"n_worse_{c}"])
            facts.append((f"Indicators worse than {_compared_with(c, council)}{among}",
                          (f"{worse} of {tested}" if among else f"{worse} of {tested} tested") if tested else "–"))
    for what, value in facts:
        number = fig.text(4.45 / W, 1 - y / H, value, fontsize=10, fontweight="bold", va="top", ha="right")
        room = 4.05 - number.get_window_extent(fig.canvas.get_renderer()).width / fig.dpi - 0.12
        lines_in = _wrap(fig, fig.text(0.4 / W, 1 - y / H, what, fontsize=8.5, color="#404040", va="top"), room)
        y += 0.2 + 0.13 * (lines_in - 1)
    # The caption above the small map: on one line, or on two (the map a line shorter) for a
    # long name such as "Kilmacolm, Quarriers, Greenock Upper East/Central and 1 more in
    # Inverclyde", which ran off the page.
    map_ax = fig.add_axes([4.9 / W, 1 - 3.25 / H, 3.0 / W, 2.05 / H], gid="profile_map")
    where = f"{row['name']} in {council}" if str(row["name"]) != council else f"{council} (the whole council)"
    caption = map_ax.set_title(layout.printable(where), fontsize=7.5, loc="left", pad=2)
    n_lines = _fit_width(fig, caption, 3.0, smallest=6.0, max_lines=2)
    map_h = 2.05 - (n_lines - 1) * caption.get_fontsize() * 1.2 / 72
    map_ax.set_position([4.9 / W, 1 - 3.25 / H, 3.0 / W, map_h / H])
    frame, body = _backdrop_cache or _backdrop(table)
    frame.plot(ax=map_ax, color="#eeeeee", edgecolor="#9a9a9a", linewidth=0.3)
    frame.loc[[idx]].plot(ax=map_ax, color=TIER_COLOURS.get(tier_label, "#e0e0e0"), edgecolor="#000000",
                          linewidth=0.9)
    bx0, by0, bx1, by1 = body
    # The locality's parts near the council's main body: Orkney's skerry 60 km west, left off its
    # map, had stretched a whole-council locality's small map to a corner (a new user's trial).
    own = frame.loc[idx, "geometry"]
    around = shapely.box(*body).buffer(5_000)
    near = [g for g in shapely.get_parts(own) if g.intersects(around)]
    lx0, ly0, lx1, ly1 = shapely.total_bounds(near) if near else own.bounds
    limits, _ = layout._fit((min(bx0, lx0), min(by0, ly0), max(bx1, lx1), max(by1, ly1)), 3.0, map_h)
    pt = frame.loc[idx, "geometry"].representative_point()
    if max(lx1 - lx0, ly1 - ly0) < 0.08 * max(limits[2] - limits[0], limits[3] - limits[1]):
        # A small locality: ringed so the eye finds it.
        map_ax.scatter([pt.x], [pt.y], s=220, facecolors="none", edgecolors="#c51b7d", linewidths=1.6, zorder=5)
    map_ax.set_xlim(limits[0], limits[2])
    map_ax.set_ylim(limits[1], limits[3])
    map_ax.set_aspect("equal")
    map_ax.set_axis_off()

    top = 1 - max(3.45, y + 0.1) / H
    # The places, where the name does not say each of them ("East Mainland, West Mainland and
    # 2 more" hid Stromness and the isles): a board reads this page, not the workbook's Places.
    places = [p for p in str(row.get("places", "") or "").split(SEPARATOR) if p]
    # "+ 1 more" always left one out, though an IZ name listing places ("Muirhouse and
    # Knowetop") may seem to say it.
    if len(places) > 1 and (str(row["name"]).endswith(" more") or not all(said(p, str(row["name"])) for p in places)):
        head = "Places (Intermediate Zones, most people first): "
        shown = len(places)
        wrapped = textwrap.wrap(head + "; ".join(places), 125)
        while len(wrapped) > PLACES_LINES and shown > 1:  # as many as fit, and how many more
            shown -= 1
            wrapped = textwrap.wrap(f"{head}{'; '.join(places[:shown])} and {len(places) - shown} more", 125)
        fig.text(0.4 / W, top, "\n".join(wrapped), fontsize=7.5, va="top", linespacing=1.25, gid="places")
        top -= (0.05 + 0.145 * len(wrapped)) / H
    # Why it is (or is not) flagged.
    reasons = str(row.get("reasons", "") or "")
    reasons = capital(reasons)  # a sentence under its heading
    fig.text(0.4 / W, top, "Why", fontsize=10, fontweight="bold", va="top")
    wrapped = textwrap.wrap(reasons, 125)
    if len(wrapped) > WHY_LINES:
        wrapped = wrapped[:WHY_LINES]
        wrapped[-1] = wrapped[-1].rsplit(" ", 1)[0] + " …"
    fig.text(0.4 / W, top - 0.22 / H, "\n".join(wrapped) or "No indicator differs significantly.", fontsize=7.5,
             va="top", linespacing=1.25)
    chart_top = top - (0.42 + 0.145 * max(len(wrapped), 1)) / H
    chart.draw(fig, table, spine, council, chart_top)
    fig.attrs = {"spine": spine, "locality": row["locality"], "name": row["name"], "decision": lines}


def _fit_width(fig, text, width_in: float, smallest: float, max_lines: int = 1) -> int:
    """Fit ``text`` within ``width_in`` inches: as it is if it fits; else split over up to
    ``max_lines`` lines at the spaces that make the longest line shortest; then a smaller
    font, down to ``smallest`` points. Returns the number of lines."""
    renderer = fig.canvas.get_renderer()
    limit = width_in * fig.dpi * 0.97  # 3% spare: hinting widens text a little at other resolutions

    def width() -> float:
        return text.get_window_extent(renderer).width

    full = text.get_text()
    # No more characters than could fit at the smallest size, four to an em (a plan's name of
    # 10,000 characters was measured whole at every size).
    most = int(width_in * 72 / smallest * 4) * max_lines
    if len(full) > most:
        full = full[:most].rstrip() + "…"
        text.set_text(full)
    if width() <= limit:
        return 1
    words = full.split(" ")
    if max_lines >= 2 and len(words) > 1:
        best = None
        for cut in range(1, len(words)):
            text.set_text(" ".join(words[:cut]) + "\n" + " ".join(words[cut:]))
            if best is None or width() < best[0]:
                best = (width(), text.get_text())
        text.set_text(best[1])
        text.set_linespacing(1.1)
    size = text.get_fontsize()
    while width() > limit and size > smallest:
        size = max(size - 0.25, smallest)
        text.set_fontsize(size)
    # Still too wide at the smallest size (an analyst's name of 130 characters ran off the
    # page): the longest line is cut, and says so with "…".
    while width() > limit:
        lines = text.get_text().split("\n")
        i = max(range(len(lines)), key=lambda k: len(lines[k]))
        if len(lines[i]) <= 2:
            break
        # In proportion to the overshoot, then by one character: one at a time, a name of
        # 10,000 characters kept the profile measuring for over 12 minutes.
        line = lines[i].rstrip("…")
        keep = min(len(line) - 1, max(2, int(len(line) * limit / width())))
        lines[i] = line[:keep].rstrip() + "…"
        text.set_text("\n".join(lines))
    return text.get_text().count("\n") + 1


def save_profiles(obj, path: str | os.PathLike, dz: pd.DataFrame | None = None, flagged: bool = False,
                  localities: list | None = None) -> Path:
    """Write one profile page per locality to a multi-page vector PDF, most
    disadvantaged first.

    Parameters
    ----------
    obj : GeoDataFrame or Plan
        The output of :func:`localities.rank`, or a plan with ``dz``.
    path : path
        A ``.pdf`` file, written atomically.
    flagged : bool
        Only localities significantly poorer than the rest of the council or Scotland.
    localities : list or str, optional
        Only these (codes, names or ranks; one may be given alone).

    Returns
    -------
    Path
    """
    from matplotlib.backends.backend_pdf import PdfPages

    path = Path(path)
    if path.suffix.lower() != ".pdf":
        raise LocalitiesError(f"{path}: profiles are written as .pdf")
    table = _ranking(obj, dz)
    chosen = table
    if flagged:
        chosen = table[table["poorer_than_rest"] | table["poorer_than_scotland"]]
    if localities is not None:
        if isinstance(localities, (str, int, np.integer)):
            localities = [localities]  # one locality, not the letters of its name
        chosen = chosen.loc[[_pick(table, x) for x in localities]]
    if chosen.empty:
        raise LocalitiesError("no locality to profile" + (" (none is flagged)" if flagged else ""))
    backdrop = _backdrop(table)
    # Type 3 fonts (embedded, subset, text searchable), as maps.save_figure: TrueType subsetting costs 0.2-0.5 s a file.
    with plt.rc_context({"pdf.fonttype": 3, "text.parse_math": False}), atomic_path(path) as tmp, \
            PdfPages(tmp, metadata={"CreationDate": None}) as pdf:
        for idx in chosen.sort_values("rank").index:
            fig = _profile(table, None, table.at[idx, "locality"], backdrop)
            pdf.savefig(fig)
            plt.close(fig)
    return path
