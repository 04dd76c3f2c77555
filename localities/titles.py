"""Titles for the parts of a board-paper map that show a town: an inset's title
("Kilmarnock area (10 localities)", "Stornoway and Point", "6 localities") and a detail
page's town names ("Ayr, Troon and Prestwick area"). The town comes from the localities'
names where most of them share one, else from the wards most of their people live in.
(Split from :mod:`localities.layout`, which decides where things go on the page.)
"""

from __future__ import annotations

import re
import textwrap

import pandas as pd
import shapely

from .errors import counted
from .names import _NOT_A_TOWN, WARD_TOWN_SHARE, council_words, join_names, more  # the share that names a locality too


def inset_title(frame, names, extent, width_in: float, what: tuple[str, str] = ("locality", "localities"),
                view=None, sides: bool = True) -> str:
    """What an inset shows, for its title: the localities mostly inside it, most people
    first ("Kirkwall", "Stornoway and Point"), on one or two lines of ``width_in`` inches
    of 7 pt bold, shortened where they do not fit ("Forres South West and 1 more",
    "Inverness area (25 localities)", "Inverness area"), never cut. With ``sides`` (a town
    inset) the town can come from its most populous locality alone ("Dumfries Central"):
    not for a detail page, whose area can hold several towns."""
    box = shapely.box(*extent)
    area = frame.geometry.area
    inside = frame.geometry.intersection(box).area / area.where(area > 0)
    held = frame.index[inside.fillna(0) >= 0.5]
    if not len(held):
        return "inset"
    order = frame.loc[held, "population"].sort_values(ascending=False, kind="stable").index \
        if "population" in frame else held
    # After "A: ", a name's own colon becomes brackets: "A: Carluke (East, South and North)".
    listed = [bracketed(str(names[i])) for i in order]
    most = int(width_in * 72 / (7 * 0.62)) - 3  # characters of 7 pt bold across the inset, less "A: "
    # The town most of them are named for ("Inverness Inshes and 3 more", "Black Isle North"): the
    # longest run of first words (up to three) that half the names or more begin with, past
    # "Part of", never one that only begins place names, ends in a comma ("Hillyland, Tulloch
    # and ...") or is followed by "and" (not "Ross" of "Ross and Cromarty East").
    town = _name_town([name.removeprefix("Part of ") for name in listed]) if len(listed) > 1 else None
    # Else the town the wards of most of its people are named for: IZ names do not say Kilmarnock
    # or Stirling ("Crosshouse, Gatehead and Kilmaurs Rural / Kilmaurs + 9 more").
    town = town or _ward_town(frame, order)
    # Else the town its most populous locality is a side of: Dumfries's wards ("Nith", "Lochar")
    # and neighbourhoods do not say Dumfries, but "Dumfries Central / Lochside ..." does.
    town = town or (_side_town(listed[0]) if sides and len(listed) > 1 else None)
    listing = bracketed(join_names(listed)) if len(listed) <= 3 else None  # "Wick (South and North)"
    # One locality keeps its own name where it fits: the town its wards are named for can be the
    # town beside it ("Crosshouse, Gatehead and Kilmaurs Rural / Kilmaurs" is in Kilmarnock's wards).
    # Counts are of every locality the inset's panel (``view``) shows, a thousandth of it or more: "3 localities" (those
    # mostly inside) over Dumfries's inset numbering six, "Perth City area (2 localities)" over five.
    panel = shapely.box(*view) if view is not None else box  # the panel shows more than the extent
    shown = max(int((frame.geometry.intersection(panel).area >= 0.001 * panel.area).sum()), len(listed))
    towns = [f"{town} area ({shown} {what[1]})", f"{town} area"] if town and len(listed) > 1 else []
    last = [f"{town} area"] if town and len(listed) == 1 else []
    # Names on one line; else the town rather than two lines of names ("Falkirk - Camelon and
    # Falkirk - Tamfourhill / Hallglen and Glen Village"); else names on two lines, the first
    # name and how many more, or the count.
    if listing is not None and len(listing) <= most:
        return listing
    candidates = towns + ([listing] if listing is not None else []) + \
        ([more(listed[:1], len(listed) - 1)] if len(listed) > 1 and not listed[0].endswith(" more") else []) + last
    for text in candidates:  # on one line, or two for a list of names; never cut
        lines = textwrap.wrap(text, most, break_long_words=False)
        if len(lines) <= (1 if "(" in text else 2) and all(len(line) <= most for line in lines):
            return "\n".join(lines)
    return counted(shown, *what)


#: Words that end a part of a place's name, not a place ("Kilmarnock East", "Cumnock Rural").
_SIDES = {"North", "South", "East", "West", "Central", "Centre", "Upper", "Lower", "Mid", "Easter", "Wester",
          "Nether", "Inner", "Outer", "Rural", "Town", "Old", "New", "Northwest", "Northeast", "Southwest", "Southeast"}


def recount(title: str, n: int) -> str:
    """``title`` with its count of localities ("A: Elgin area (7 localities)", "A: 7
    localities") made ``n``, the localities its panel labels."""
    if n < 1:
        return title
    title = re.sub(r"\(\d+ localities\)", f"({n} localities)", title)
    return re.sub(r"^(\w: )\d+ (localities|locality)$", lambda m: f"{m.group(1)}{counted(n, 'locality', 'localities')}",
                  title)


def _is_place(words: list[str], last: set | None = None) -> bool:
    """Whether a run of a name's first words can be a place: words of letters, no comma and
    no "and", "&" or "of" (a list, not a place: "Fraserburgh and District", "Buckhaven,
    Methil"), and not ending in a word of ``last`` (by default one that only begins place
    names for one word, "New"; a side for more, "Kilmarnock East")."""
    last = last if last is not None else _NOT_A_TOWN if len(words) == 1 else _SIDES
    # "City" of a "City Centre" ward is no town (the names' rule too: central Edinburgh's
    # detail page was to be "City and Inverleith area"). A place ends in a capital: not the
    # "Steòrnabhagh a" of Steòrnabhagh a Deas and a Tuath (the "a" of a Gaelic side).
    return (words[-1] not in last and words != ["City"] and all(w[:1].isalpha() for w in words)
            and words[-1][:1].isupper()
            and not any(w.endswith(",") or w.lower() in ("and", "&", "of") for w in words))


def bracketed(name: str) -> str:
    """A name with a town before a colon ("Carluke: East, South and North", "Perth: Hillyland
    + 6 more") as "Carluke (East, South and North)": after an inset's "A: ", a second colon
    read as a list of labels."""
    town, sep, rest = name.partition(": ")
    return f"{town} ({rest})" if sep and rest and ": " not in rest else name


def _name_town(names: list[str]) -> str | None:
    """The town at least half of ``names`` begin with: the first word most of them share,
    lengthened by the next words (up to three) where every name beginning with it goes on
    alike ("Black Isle", "East Kilbride"); four letters or more, ending in no word that only
    begins or sides place names ("New", "North"), in no comma, and never followed by "and"
    ("Ross" of "Ross and Cromarty East")."""
    # The town before a colon or bracket is the town ("Ayr: Belmont", "Ayr (Craigie)"), not "Ayr:".
    split = [re.split(r": | \(", name)[0].split() for name in names]

    def place(words, holders):
        return (len("".join(words)) >= 3 and _is_place(words)
                and not any(len(h) > len(words) and h[len(words)].lower() in ("and", "&") for h in holders))

    # The first word most names share, the most populous locality's first on a tie; a word that
    # only begins place names does not count ("New Elgin West" is in Elgin).
    firsts = [w[0] for w in split if w and w[0] not in _NOT_A_TOWN]
    if not firsts:
        return None
    top = max(firsts, key=lambda word: (firsts.count(word), -firsts.index(word)))
    if firsts.count(top) * 2 < len(names):
        return None
    words = [top]
    holders = [w for w in split if w[:1] == words]
    best = " ".join(words) if place(words, holders) else None
    while len(words) < 3 and len(holders) > 1 and all(len(h) > len(words) for h in holders) \
            and len({h[len(words)] for h in holders}) == 1:
        words = holders[0][:len(words) + 1]
        if place(words, holders):
            best = " ".join(words)
    return best if best and len(best) >= 4 else None


def _side_town(name: str) -> str | None:
    """The town ``name`` begins as a side of (one to three words before a side, "Central" or
    "North East"): "Dumfries" of "Dumfries Central / Lochside and Lincluden", "Saltcoats" of
    "Saltcoats North East"; None for "Altonhill, Shortlees and 4 more" or "North Berwick"."""
    words = re.split(r": | \(| / ", name)[0].split()
    for n in (1, 2, 3):
        if len(words) > n and words[n] in _SIDES and _is_place(words[:n], last=_NOT_A_TOWN | _SIDES | {"City"}) \
                and len(" ".join(words[:n])) >= 4:
            return " ".join(words[:n])
    return None


def _council_not_town(council: str, start: str) -> bool:
    """Whether a ward name's start is the council's name and not a town ("Midlothian" of
    "Midlothian East"; "Stirling" of "Stirling East" is a town): the same words as names use."""
    return start in council_words(council)


def _people_by_ward(frame, order) -> dict[str, int]:
    """The people of localities ``order`` in each ward (``frame.attrs["ward_people"]``, from
    the plan; empty when the table does not say)."""
    people = frame.attrs.get("ward_people") or {}
    ids = frame.loc[order, "locality"] if "locality" in frame else pd.Series(order, index=order)
    counts: dict[str, int] = {}
    for loc in ids:
        for ward, p in people.get(loc, {}).items():
            counts[ward] = counts.get(ward, 0) + p
    return counts


def _ward_town(frame, order) -> str | None:
    """The longest start of ward names (one to three words, a place, not "North" or "New")
    shared by the wards of at least :data:`WARD_TOWN_SHARE` of the people of localities
    ``order``: "East Kilbride", "Kilmarnock"; None when the table does not say."""
    counts = _people_by_ward(frame, order)
    council = str(frame.attrs.get("council") or "")
    total = sum(counts.values())
    best = None
    for n in (1, 2, 3):
        shares: dict[str, int] = {}
        for ward, p in counts.items():
            words = ward.split()
            if len(words) >= n:
                shares[" ".join(words[:n])] = shares.get(" ".join(words[:n]), 0) + p
        for start, p in shares.items():
            if p >= WARD_TOWN_SHARE * total > 0 and len(start) >= 4 and not _council_not_town(council, start) \
                    and _is_place(start.split(), last=_NOT_A_TOWN):
                best = start
    return best


def ward_towns(frame, order, share: float = 0.15, most: int = 3, cover: float = 0.5) -> list[str]:
    """The towns the wards of localities ``order`` are named for, most people first, each with
    at least ``share`` of their people and together ``cover`` of them, or none
    (``frame.attrs["ward_people"]``): ["Ayr", "Troon", "Prestwick"] for the belt South
    Ayrshire's detail page shows; none for central Edinburgh, whose wards' largest town,
    Leith, was not it. A ward named for the council ("Midlothian West") names no town."""
    towns: dict[str | None, int] = {}
    for ward, p in _people_by_ward(frame, order).items():
        words = ward.split()
        # The first run of words that is a place: "Ayr" of "Ayr North"; None, a ward named for no town.
        town = next((" ".join(words[:n]) for n in (1, 2, 3) if len(words) >= n and _is_place(words[:n])), None)
        towns[town] = towns.get(town, 0) + p
    council = str(frame.attrs.get("council") or "")
    total = sum(towns.values())
    ranked = sorted((t for t in towns if t and not _council_not_town(council, t)), key=lambda t: -towns[t])
    chosen = [t for t in ranked if towns[t] >= share * total][:most] if total else []
    return chosen if chosen and sum(towns[t] for t in chosen) >= cover * total else []
