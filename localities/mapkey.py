"""The key table of a board-paper map: one row per locality (number, name wrapped on
spaces, people, the mapped value, a colour swatch), in as many columns and as large a
type as the side column of the page allows. :mod:`localities.page` places it.
"""

from __future__ import annotations

import math
import re
import textwrap
from functools import lru_cache

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from .layout import A4
from .labelshape import held_together
from .decide import TIER_LABELS
from .mapstyle import TIER_COLOURS, _describe, column_top, credit, format_value, key_header
from .outcomes import SIMD


#: The key's flag beside a value map, as words (the footer says what they stand for).
FLAG_WORDS = dict(zip(TIER_LABELS, ("both", "Scot.", "rest", "–")))


def _key_rows(frame, numbers, value_col, colours, plan_map, pages=None):
    """One row per locality, in number order. ``pages``: the letter of the detail page that
    shows a locality the map leaves unlabelled, printed after its name ("Burnbank North (A)")."""
    rows = []
    pages = pages or {}
    unit = _describe(value_col, frame)[1] if value_col else ""
    top = column_top(frame, value_col) if value_col else None
    for idx in numbers.sort_values().index:
        name = str(frame.at[idx, "name"]) if "name" in frame else str(idx)
        row = {"number": str(int(numbers[idx])), "name": f"{name} ({pages[idx]})" if idx in pages else name,
               "letter": pages.get(idx),
               "population": f"{int(frame.at[idx, 'population']):,}" if "population" in frame else ""}
        if value_col:
            # Minutes without their unit: the column header says "min" ("5.1 min" ran into the people).
            row["value"] = format_value(frame.at[idx, value_col], value_col, unit, top).removesuffix(" min")
        if plan_map:
            row["swatch"] = colours[idx]
        elif "tier_label" in frame and value_col:
            # Beside a map coloured by value, the flag is a word: tier colours beside the
            # classes' reds read as classes (Perth and Kinross: a pale-red locality looked flagged).
            row["flag"] = FLAG_WORDS.get(frame.at[idx, "tier_label"], "")
        elif "tier_label" in frame:
            row["swatch"] = TIER_COLOURS.get(frame.at[idx, "tier_label"], "#ffffff")
        rows.append(row)
    return rows


def _value_chars(rows) -> float:
    """Room for the key's value column, in characters: 7, or the longest value and a gap
    ("7,236100.0%" ran the people into a share of 100.0%)."""
    return max([7.0] + [len(r["value"]) + 1.5 for r in rows if "value" in r])


def _key_columns(font: float, col_w: float, digits: int, has_value: bool, ncols: int = 1,
                 value_chars: float = 7.0) -> tuple[dict, int]:
    """x positions (inches within a key column) and the name width in characters."""
    char = 0.55 * font / 72
    number_w = char * (max(digits, 2.6) + 1.8)
    # Beside another key column, a gap after the flag (its text centred a little to the left
    # and the column 0.04 in wider): East Ayrshire's two columns read "Flag No." and "both 13" as one.
    # Beside a value column the flag's header is "Poorer": a character and a half more room,
    # or it ran into the value's header ("ratioPoorer").
    wider = char * 1.5 if has_value and ncols == 1 else 0.0
    tail = char * 7.5 + (char * value_chars if has_value else 0) + (0.36 if ncols > 1 else 0.32) + wider
    name_chars = int((col_w - number_w - tail) / char)
    name_end = number_w + name_chars * char
    last = name_end + char * 7.5 + (char * value_chars if has_value else 0)
    xs = {"number": 0.0, "name": number_w, "population": name_end + char * 7.5,
          # The swatch column is centred far enough right that its bold header ("Flag",
          # "Key") keeps a gap after the right-aligned "People" header.
          "value": name_end + char * 7.5 + char * value_chars, "swatch": last + (0.17 if ncols > 1 else 0.19) + wider}
    return xs, name_chars


_EM: dict = {}  # advance of each character, in ems of the key's (default) font


def _ems(text: str) -> float:
    """Width of ``text`` in ems, from each character's measured advance (kerning aside)."""
    missing = set(text) - _EM.keys()
    if missing:
        from matplotlib.font_manager import FontProperties
        from matplotlib.textpath import TextToPath

        t2p, prop = TextToPath(), FontProperties(size=10)
        for ch in missing:
            _EM[ch] = t2p.get_text_width_height_descent(ch, prop, ismath=False)[0] / 10 if ch.strip() else 0.318
    return sum(_EM[ch] for ch in text)


def _hard_break(word: str, room: float) -> list[str]:
    """``word`` in pieces of at most ``room`` ems each (one piece when it fits)."""
    pieces, piece = [], ""
    for ch in word:
        if piece and _ems(piece + ch) > room:
            pieces.append(piece)
            piece = ""
        piece += ch
    return pieces + [piece] if piece else pieces


@lru_cache(maxsize=4096)
def _wrap_name(name: str, name_chars: int) -> tuple[str, ...]:
    """A name on as many lines as its measured width needs in a column of ``name_chars``
    average characters (0.55 em each), less a gap before the people: counted in characters,
    "Cardenden & Lochgelly West and Lumphinnans" ran into its population in Fife's key. A
    word wider than the column breaks after its hyphens ("Auchtermuchty-Strathmiglo-")."""
    room = name_chars * 0.55 - 0.6
    words = []  # (text, joins the piece before it with no space: the rest of a word broken at a hyphen)
    # "+ 3 more" is one word: "Scone / Gannochy and Walnut Grove + 3 / more" read as two.
    for word in held_together(name).split():
        word = word.replace("\x00", " ")
        pieces = [w for w in re.split(r"(?<=-)", word) if w] if _ems(word) > room else [word]
        # A piece still wider than the column (an analyst's '=HYPERLINK("http://...")') is cut
        # where it fills a line: unbroken, it ran over the People column.
        pieces = [part for piece in pieces for part in _hard_break(piece, room)]
        words += [(piece, i > 0) for i, piece in enumerate(pieces)]
    lines: list[str] = []
    for word, glued in words:
        # Not after a free-standing dash: "Falkirk - Camelon" printed "Falkirk -Camelon".
        joined = (f"{lines[-1]}{word}" if glued else f"{lines[-1]} {word}") if lines else word
        if lines and _ems(joined) <= room:
            lines[-1] = joined
        else:
            lines.append(word)
    return tuple(lines) or ("",)


#: The smallest type a printed key is read in without effort; smaller only when nothing else fits.
LEGIBLE = 6.5
#: Key type smaller than this makes the layout look for room for legible type, and the
#: key is printed again on a page of its own.
SMALL = 6.0
#: The smallest key (font, columns, name characters, line height) where none fits the room.
SMALLEST_FIT = (4.5, 4, 14, 4.5 * 1.3 / 72)


def _key_fit(rows, width, height, has_value, has_plan_key=False, min_font=4.5, max_font=7.0, legend=False):
    """Font size (``min_font`` to ``max_font``), columns, name width (characters) and line
    height so the key fits ``width`` x ``height`` inches; None if it cannot. ``legend``: the
    page's legend shows the flag colours (:func:`legend_shows`), so the key's footer does not."""
    digits = len(str(len(rows)))
    for font in [f for f in (9, 8, 7, 6.5, 6, 5.5, 5, 4.5) if min_font <= f <= max_font]:
        line = font * 1.25 / 72
        for ncols in (1, 2, 3, 4):
            _, name_chars = _key_columns(font, width / ncols, digits, has_value, ncols, _value_chars(rows))
            if name_chars < 16:
                break
            lines = [len(_wrap_name(r["name"], name_chars)) for r in rows]
            footer = (3 if any("flag" in r for r in rows) else 0 if legend else 1 + len({r.get("swatch") for r in rows})) \
                if not has_plan_key else 0
            per_col = math.ceil(sum(lines) / ncols) + max(lines) + 3 + footer
            if per_col * line <= height:
                return font, ncols, name_chars, line
    return None


def _draw_key(fig, rect, rows, fit, value_header, flag_header, footer=(), name_header="Locality"):
    """The key table: number, name (wrapped on spaces), population, value, flag."""
    font, ncols, name_chars, line = fit
    if flag_header == "Poorer" and ncols > 1:
        # Side by side, key columns have room for "Flag" only ("%Poorer No." ran into the next).
        flag_header = "Flag"
        footer = [(c, f"Flag:{t[len('Poorer:'):]}" if c is None and t.startswith("Poorer:") else t)
                  for c, t in footer]
    ax = fig.add_axes(rect, gid="key")
    ax.set_axis_off()
    w_in, h_in = rect[2] * fig.get_figwidth(), rect[3] * fig.get_figheight()
    col_w = w_in / ncols
    xs, _ = _key_columns(font, col_w, len(str(len(rows))), value_header is not None, ncols, _value_chars(rows))
    wrapped = [list(_wrap_name(r["name"], name_chars)) for r in rows]
    total = sum(len(w) for w in wrapped)
    per_col = math.ceil(total / ncols)
    col, y = 0, h_in
    entries = {}

    def put(x, yy, text, **kw):
        return ax.text((col * col_w + x) / w_in, yy / h_in, text, fontsize=font, va="top", transform=ax.transAxes,
                       **kw)

    def header():
        put(xs["number"], h_in, "\nNo.", fontweight="bold")
        put(xs["name"], h_in, "\n" + name_header, fontweight="bold")
        put(xs["population"], h_in, "\nPeople", fontweight="bold", ha="right")
        if value_header:
            put(xs["value"], h_in, value_header, fontweight="bold", ha="right")
        if flag_header:
            put(xs["swatch"], h_in, "\n" + flag_header, fontweight="bold", ha="center")
        return h_in - 2.5 * line

    y = header()
    used = 0
    for row, lines in zip(rows, wrapped):
        if used + len(lines) > per_col and col < ncols - 1:
            col, used = col + 1, 0
            y = header()
        t = put(xs["number"], y, row["number"], fontweight="bold")
        put(xs["name"], y, "\n".join(lines), linespacing=1.0)
        put(xs["population"], y, row["population"], ha="right")
        if "value" in row:
            put(xs["value"], y, row["value"], ha="right")
        if row.get("flag"):
            put(xs["swatch"], y, row["flag"], ha="center")
        if row.get("swatch"):
            ax.add_patch(Rectangle(((col * col_w + xs["swatch"] - 0.045) / w_in, (y - line * 0.85) / h_in),
                                   0.09 / w_in, line * 0.75 / h_in, transform=ax.transAxes, facecolor=row["swatch"],
                                   edgecolor="#303030", linewidth=0.3))
        entries[row["number"]] = t
        y -= line * len(lines)
        used += len(lines)
    if footer:
        y -= 0.5 * line
        char = 0.55 * font / 72
        for colour, text in footer:
            # Wrapped to the key's column (a four-column key leaves little room).
            if colour is None:  # a line of its own, from the number column
                text = textwrap.fill(text, max(int((col_w - xs["number"]) / char), 16), break_long_words=False)
                put(xs["number"], y, text, linespacing=1.0)
                y -= line * (text.count("\n") + 1)
                continue
            ax.add_patch(Rectangle((xs["number"] / w_in + col * col_w / w_in, (y - line * 0.85) / h_in), 0.09 / w_in,
                                   line * 0.75 / h_in, transform=ax.transAxes, facecolor=colour, edgecolor="#303030",
                                   linewidth=0.3))
            text = textwrap.fill(text, max(int((col_w - xs["name"]) / char), 16), break_long_words=False)
            put(xs["name"], y, text, linespacing=1.0)
            y -= line * (text.count("\n") + 1)
    return ax, entries


def legend_shows(handles, rows) -> bool:
    """Whether a legend (its ``handles``) shows every colour the key's swatches use, so the
    key need not say them again (an analyst's own categories in other colours do not)."""
    from matplotlib.colors import to_hex

    used = {to_hex(r["swatch"]) for r in rows if r.get("swatch")}
    shown = {to_hex(h.get_facecolor()) for h in handles or () if hasattr(h, "get_facecolor")}
    return bool(used) and used <= shown


def _headers(frame, value_col, plan_map, legend=False):
    """The key's value and flag column headers and its footer (the flag colours used, unless
    ``legend``: the page's legend above the key shows them; Scottish Borders' poorer map had the
    same three colours and words twice in its side column)."""
    value_header = key_header(value_col, frame) if value_col else None
    # Beside another indicator's values the column is headed for what it says, the decision
    # ("Flag" beside SMR read as an SMR verdict).
    flag_header = "Key" if plan_map else (("Poorer" if value_col else "Flag") if "tier_label" in frame else None)
    footer = []
    if not plan_map and "tier_label" in frame:
        if value_col:
            # The flag is the decision on the headline indicators, whatever the map shows (crime).
            headline = [h for h in frame.attrs.get("headline", ("income_rate", "employment_rate")) if h in SIMD]
            words = [SIMD[h].label.lower() for h in headline]
            if len(words) > 1 and all(w.endswith(" deprivation") for w in words):
                words = [w[: -len(" deprivation")] for w in words[:-1]] + words[-1:]
            footer.append((None, f"Poorer: significantly poorer on {' or '.join(words)} than the rest of the "
                                 "council and Scotland (both), the rest of the council only (rest) or Scotland only "
                                 "(Scot.)"))
            if "rank" in frame:
                # 6 Castle Douglas 11.6% above 7 Annan 11.8% read as a mistake on an income map.
                both = " together" if len(words) > 1 else ""
                footer.append((None, f"No.: the ranking (the flagged first, then {' and '.join(words)}{both}), "
                                     "not the order of the values shown"))
        elif not legend:
            footer += [(c, t) for t, c in TIER_COLOURS.items() if (frame["tier_label"] == t).any()]
    return value_header, flag_header, footer


def _add_key(fig, p, rows, frame, value_col, plan_map, cursor, legend=False) -> dict | None:
    """Draw the key table in the side column below ``cursor`` (inches from the bottom);
    returns its entries (number -> Text), or None where it has no room (a note says so).
    ``legend``: the page has the map's legend (see :func:`_headers`)."""
    sl, sb, sw, _ = p.inches(p.side)
    value_header, flag_header, footer = _headers(frame, value_col, plan_map, legend)
    height = max(cursor - sb, 0.5)
    rect = p.fraction(sl, sb, sw, height)
    # The layout chose the type from an estimate of this room; the room is now known
    # (Edinburgh's 21 localities were keyed in 4.5 pt in a space that holds 5.5 pt, and the
    # layout's smallest fit set Glasgow's names 14 characters wide, into their numbers).
    fit = _key_fit(rows, sw, height, value_col is not None, plan_map, legend=legend)
    if fit is None:
        # Not even 4.5 pt in four columns (Glasgow City's 121 localities beside a value map):
        # names ran into their numbers. The key goes on a page of its own, and this says so.
        fig.text(sl / p.size[0], (cursor - 0.1) / p.size[1],
                 textwrap.fill(f"The key to the {len(rows)} numbered localities is on a page of its own, printed "
                               "after this one: there is no room for it here.", int(sw * 72 / (0.55 * 7.5))),
                 fontsize=7.5, va="top", gid="key note")
        return None
    _, entries = _draw_key(fig, rect, rows, fit, value_header, flag_header, footer)
    return entries


def key_page(title: str, rows, frame, value_col, plan_map) -> Figure:
    """The key table alone on an A4 portrait page, in legible type where any fits: the page
    printed after a map whose own key had to be set smaller than 6 pt (Highland's 47
    localities at 5,000 people each, Glasgow City's 121). Not a pyplot figure, so a
    notebook shows it only when asked (``fig.attrs["key_page"]``)."""
    w, h = A4[::-1]
    m = 0.6  # a text page: the margins of a printed document, not of a map
    fig = Figure(figsize=(w, h))
    FigureCanvasAgg(fig)  # measurable (text extents) like a pyplot figure, without pyplot's registry
    chars = int((w - 2 * m) * 72 / (0.55 * 12))
    head = fig.text(m / w, 1 - 0.45 / h, textwrap.fill(f"{title} (key to the map)", chars), fontsize=12,
                    fontweight="bold", ha="left", va="top")
    letters = sorted({r["letter"] for r in rows if r.get("letter")})
    if letters:
        # Printed apart from the map, the key says what a letter after a name is.
        said = ", ".join(f"({x})" for x in letters)
        under = head.get_window_extent(fig.canvas.get_renderer()).y0 / fig.dpi - 0.08
        fig.text(m / w, under / h, f"{said} after a name: labelled only in the map's inset or detail page of that "
                 "letter, not on the map itself.", fontsize=7.5, ha="left", va="top", gid="letters")
    height = h - 1.2 - 0.8
    has_value = value_col is not None
    # One column about two thirds of the page wide when it fits (a full-width column
    # leaves the people far from their names), else as many as the page takes; type
    # under 6.5 pt only when nothing legible fits.
    fit = None
    for width, least in ((4.6, LEGIBLE), (w - 2 * m, LEGIBLE), (w - 2 * m, 4.5)):
        fit = _key_fit(rows, width, height, has_value, plan_map, least, max_font=9)
        if fit is not None:
            break
    fit = fit or SMALLEST_FIT
    value_header, flag_header, footer = _headers(frame, value_col, plan_map)
    _, entries = _draw_key(fig, [m / w, 0.8 / h, width / w, height / h], rows, fit, value_header, flag_header, footer)
    credit(fig, m, 0.4, w - 2 * m)
    fig.attrs = {"key": entries}
    return fig


def key_size(fig) -> float | None:
    """The type size (points) of a map's key table on the map page; None without one."""
    return min((t.get_fontsize() for t in fig.attrs.get("key", {}).values()), default=None)


def with_key_page(fig, title, rows, frame, value_col, plan_map):
    """A map whose key had to be set under ``SMALL`` type, or had no room at all, gets the
    key on a page of its own (``fig.attrs["key_page"]``), which
    :func:`localities.save_figure` prints after it."""
    size = key_size(fig)
    if fig.attrs.get("key_elsewhere") or size is not None and size < SMALL:
        fig.attrs["key_page"] = key_page(title, rows, frame, value_col, plan_map)
    return fig
