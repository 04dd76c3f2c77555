"""How a list of place names is written: joined, shortened to "and N more", a town's name
said once, and whether a name is a code (``"R01"``) or a place. Text only: which places a
locality is named for is :mod:`localities.names`."""

from __future__ import annotations

import re

LABEL_LENGTH = 42  # fits "New Elgin West, New Elgin East and 2 more" on a map label
_CODE = re.compile(r"[A-Za-z]{0,3}[-_ ]?\d+[A-Za-z]?|[A-Z]{1,3}")


def is_code(text: str) -> bool:
    """True for an id that is a code, not a name: ``"R01"``, ``"L7"``, ``"12"``,
    ``"S13003024"``, ``"A"``; False for ``"Kirkwall"`` or ``"North Isles"``."""
    return bool(_CODE.fullmatch(str(text).strip()))


_SIDE = r"(?:North|South|East|West|Central|North East|North West|South East|South West|Upper|Lower)"
_PART = re.compile(rf"^(?P<town>\S.{{2,}}?) {_SIDE}$|^{_SIDE} (?P<town2>\S.{{2,}})$")
_OTHER = re.compile(r" and |&|,")  # an IZ name that lists another place


def _town(name: str) -> str | None:
    """``"Stornoway East"`` -> ``"Stornoway"``, ``"West Kirkwall"`` -> ``"Kirkwall"``, else None."""
    m = _PART.match(name)
    return (m["town"] or m["town2"]) if m else None


def _lists(name: str) -> bool:
    """The name itself lists places with "and", "&" or a comma (``"Halfway, Hallside and
    Drumsagard"``, ``"Dunkeld & Birnam"``); ``"Wallyford/Whitecraig and Musselburgh"`` reads right."""
    return bool(_OTHER.search(name))


_SIDES_ONLY = {"North", "South", "East", "West", "Central", "Upper", "Lower"}


def _compact(parts: list[str]) -> list[str]:
    """A town's name said once: ``["Carluke East", "Carluke South"]`` -> ``["Carluke East",
    "South"]``, ``["Falkirk - Camelon", "Falkirk - Tamfourhill"]`` -> ``["Falkirk - Camelon",
    "Tamfourhill"]``: only sides after a town's name, or parts after "Town - ", and only when
    every place is that town's."""
    out, stems = [], []
    for part in parts:
        short = part
        for stem in stems:
            rest = part[len(stem) + 1:] if part.startswith(f"{stem} ") else ""
            if rest.startswith("- ") and len(rest) > 2:
                short = rest[2:]
                break
            if rest and all(word in _SIDES_ONLY for word in rest.split()):
                short = rest
                break
        out.append(short)
        stem = part.split(" - ")[0] if " - " in part else _town(part) if part.endswith(tuple(_SIDES_ONLY)) else None
        if stem and part.startswith(f"{stem} ") and stem not in stems and not _lists(stem):
            stems.append(stem)  # a town, not a list ("Braeside, Mannofield, Broomhill and Seafield North")
    # Only where every place is the one town's: "City Centre East, South and Sighthill" read
    # "South" as a place of its own.
    return out if len(stems) == 1 and sum(a != b for a, b in zip(out, parts)) == len(parts) - 1 else parts


def said(place: str, text: str) -> bool:
    """Whether ``text`` (a locality's name) names ``place``, in full or after its town's name
    said once ("Carluke South" in "Carluke East, South and North")."""
    if place in text:
        return True
    stem = place.split(" - ")[0] if " - " in place else _town(place)
    if not stem or not place.startswith(f"{stem} "):
        return False
    rest = place[len(stem):].lstrip(" -")
    # The rest as an item of the list after the town's name: "North" is not in "North East".
    return bool(re.search(rf"(?<!\w){re.escape(stem)}\b.*(?:, | and | / ){re.escape(rest)}(?=$|, | and | / | \+ )",
                          text))


def join_names(parts: list[str]) -> str:
    """``["A"]`` -> ``"A"``, ``["A", "B"]`` -> ``"A and B"``, ``["A", "B", "C"]`` -> ``"A, B and C"``;
    ``" / "`` between places when a place's own name lists places (``"Bathgate East / Bathgate and
    Boghall"``), so the reader can still count them; a town's name once (``"Carluke East, South
    and North"``)."""
    if len(parts) <= 1:
        return "".join(parts)
    listing_ = any(map(_lists, parts))
    parts = _compact(parts)
    if listing_:
        return " / ".join(parts)
    return f"{', '.join(parts[:-1])} and {parts[-1]}"


def more(shown: list[str], rest: int) -> str:
    """``"A, B and 2 more"``; ``"Larkhall Central, Raploch, Millheugh and Burnhead + 2 more"`` (one
    place) and ``"Bathgate East / Bathgate and Boghall + 1 more"`` when a shown name lists places."""
    listing_ = any(map(_lists, shown))
    shown = _compact(shown)
    if listing_:
        return f"{' / '.join(shown)} + {rest} more"
    return f"{', '.join(shown)} and {rest} more"


#: All of two or three places are named, up to this many characters, where leaving one
#: out would hide it as "and 1 more": Argyll and Bute's "Benderloch Trail and 1 more" hid
#: Mull, Iona, Coll and Tiree; Orkney's "West Mainland and 1 more" hid Stromness.
ONE_MORE_LENGTH = 64


def label(places: list[str], limit: int = LABEL_LENGTH) -> str:
    """A short label for a locality holding ``places`` (largest first): all of them
    when there are at most three and they fit (in ``ONE_MORE_LENGTH`` where the short
    label would leave out just one), otherwise the largest one or two and how many more
    (:func:`more`)."""
    n = len(places)
    if n == 0:
        return ""
    if n <= 3 and len(join_names(places)) <= limit:
        return join_names(places)
    if 2 <= n <= 3 and len(join_names(places)) <= ONE_MORE_LENGTH and (
            n == 2 or len(more(places[:2], 1)) <= limit):
        return join_names(places)
    for m in (2, 1):
        if m < n:
            text = more(places[:m], n - m)
            if len(text) <= limit or m == 1:
                return text
    return places[0]
