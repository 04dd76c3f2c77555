"""How a list of place names is written: joined, shortened to "and N more", a town's name
said once, and whether a name is a code (``"R01"``) or a place. Text only: which places a
locality is named for is :mod:`localities.names`."""

from __future__ import annotations

import functools
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


def spaced(name) -> str | None:
    """An official name with its runs of spaces as one ("Craigie and  Craigiebank"); None
    for a missing one (NaN)."""
    return " ".join(name.split()) if isinstance(name, str) else None


@functools.lru_cache(maxsize=8192)  # asked of every IZ name for every town a locality might hold
def _town(name: str) -> str | None:
    """``"Stornoway East"`` -> ``"Stornoway"``, ``"West Kirkwall"`` -> ``"Kirkwall"``, else None."""
    m = _PART.match(name)
    return (m["town"] or m["town2"]) if m else None


_PART_OF = ("High ", "Low ", "Upper ", "Lower ", "Nether ")  # "High Blantyre" is Blantyre's; "New Stevenston" is not


def _town_of(name: str, places: list[str]) -> str | None:
    """The place of ``places`` (longest first) an IZ's name is, begins with or is a side of
    ("Kilwinning" of "Kilwinning West and Blacklands"; "Irvine" of "Irvine Castlepark North";
    "Blantyre" of "High Blantyre")."""
    side = _town(name)
    part = name.split(" ", 1)[1] if name.startswith(_PART_OF) else None
    return next((p for p in places if name == p or name.startswith(f"{p} ") or side == p
                 or part is not None and (part == p or part.startswith(f"{p} "))), None)


def _lists(name: str) -> bool:
    """The name itself lists places with "and", "&" or a comma (``"Halfway, Hallside and
    Drumsagard"``, ``"Dunkeld & Birnam"``); ``"Wallyford/Whitecraig and Musselburgh"`` reads right."""
    return bool(_OTHER.search(name))


_SIDES_ONLY = {"North", "South", "East", "West", "Central", "Upper", "Lower"}


# First words that begin place names without being one ("New Elgin", "Port Glasgow").
_NOT_A_TOWN = {"New", "Old", "Mid", "St", "St.", "Saint", "Port", "Upper", "Lower", "Nether", "Easter", "Wester",
               "Great", "Little", "High", "Low", "North", "South", "East", "West", "Central", "The", "Mount",
               "Glen", "Loch", "Isle", "Kirk", "Bridge", "Castle", "Fort", "Kirkton", "Newton", "Milton"}


def _common_town(parts: list[str]) -> tuple[str, list[str]] | None:
    """The words every name begins with, when they name a place and leave each name a rest
    that lists nothing: ``["Arbroath Cliffburn", "Arbroath Harbour"]`` -> ``("Arbroath",
    ["Cliffburn", "Harbour"])``; None for ``["North Berwick", "North Queensferry"]``."""
    words = [part.split() for part in parts]
    n = 0
    while all(len(w) > n + 1 for w in words) and len({w[n] for w in words}) == 1:
        n += 1
    town = " ".join(words[0][:n])
    # Not "Isle of: Bute and Arran" or "Bridge of: Allan and Weir": a town's name ends in a capital.
    # Nor a district's "City" or "Rural" alone.
    if not n or all(word in _NOT_A_TOWN | {"City", "Rural"} for word in words[0][:n]) or _lists(town) \
            or not words[0][n - 1][:1].isupper():
        return None
    rests = [" ".join(w[n:]) for w in words]
    # Not a rest that lists, or is only the end of a list ("and Boghall" of "Bathgate and Boghall").
    if any(_lists(rest) or not rest[:1].isupper() for rest in rests) or len(set(rests)) < len(rests):
        return None
    return town, rests


def _shared_town(parts: list[str]) -> tuple[str, list[str]] | None:
    """The town every place is a side or a part of, and the rest of each name:
    ``["Carluke East", "Carluke South"]`` -> ``("Carluke", ["East", "South"])``,
    ``["Falkirk - Camelon", "Falkirk - Tamfourhill"]`` -> ``("Falkirk", ["Camelon",
    "Tamfourhill"])``, ``["Arbroath Cliffburn", "Arbroath Harbour"]`` -> ``("Arbroath",
    ["Cliffburn", "Harbour"])``; None unless there are two or more and all are the one town's."""
    if len(parts) < 2:
        return None
    sides = _town_sides(parts)
    return sides if sides is not None else _common_town(parts)


def _town_sides(parts: list[str]) -> tuple[str, list[str]] | None:
    """:func:`_shared_town` for names that are a town's sides or ``Town - Part``."""
    first = parts[0]
    town = first.split(" - ")[0] if " - " in first else _town(first) if first.endswith(tuple(_SIDES_ONLY)) else None
    if not town or not first.startswith(f"{town} ") or _lists(town):  # not "Braeside, ... and Seafield North"
        return None
    rests = []
    for part in parts:
        rest = part[len(town) + 1:] if part.startswith(f"{town} ") else ""
        if rest.startswith("- ") and len(rest) > 2:
            rests.append(rest[2:])
        elif rest and all(word in _SIDES_ONLY for word in rest.split()):
            rests.append(rest)
        else:
            return None
    return town, rests


def _joined(parts: list[str]) -> str:
    if any(map(_lists, parts)):
        return " / ".join(parts)
    return f"{', '.join(parts[:-1])} and {parts[-1]}"


def said(place: str, text: str) -> bool:
    """Whether ``text`` (a locality's name) names ``place`` as one of its items: in full
    ("Paisley North" is not in "Paisley North East, Paisley East and 2 more"), or after its
    town's name said once ("Carluke South" in "Carluke: East, South and North")."""
    items = r"(?:^|, | and | / |: |[Pp]art of )"
    end = r"(?=$|, | and | / | \+ | \(|: | ward$)"
    if re.search(items + re.escape(place) + end, text):
        return True
    head = re.match(r"(?:[Pp]art of )?(?P<town>[^:]+): ", text)  # "Carluke: East, South and North"
    if head is None or not place.startswith(f"{head['town']} "):
        return False
    rest = place[len(head["town"]) + 1:]
    rest = rest[2:] if rest.startswith("- ") else rest
    return bool(re.search(items + re.escape(rest) + end, text[head.end():]))


def join_names(parts: list[str], shared: bool = True) -> str:
    """``["A"]`` -> ``"A"``, ``["A", "B"]`` -> ``"A and B"``, ``["A", "B", "C"]`` -> ``"A, B and C"``;
    ``" / "`` between places when a place's own name lists places (``"Bathgate East / Bathgate and
    Boghall"``), so the reader can still count them. Places that are all one town's sides or
    parts give the town's name once, before a colon: ``"Carluke: East, South and North"``
    (a list, where "Carluke East, South and North" read like one IZ's name, as "Sutherland
    North and West" is)."""
    if len(parts) <= 1:
        return "".join(parts)
    common = _shared_town(parts) if shared else None  # shared=False: after a town's name already
    if common is not None:
        town, rests = common
        return f"{town}: {_joined(rests) if not any(map(_lists, parts)) else ' / '.join(rests)}"
    return _joined(parts)


def more(shown: list[str], rest: int) -> str:
    """``"A, B and 2 more"``; ``"Larkhall Central, Raploch, Millheugh and Burnhead + 2 more"`` (one
    place) and ``"Bathgate East / Bathgate and Boghall + 1 more"`` when a shown name lists places.
    Never "Town: A, B and 2 more": the places left out need not be the town's (Glenrothes's
    "and 6 more" held Markinch and Star)."""
    if any(map(_lists, shown)):
        return f"{' / '.join(shown)} + {rest} more"
    return f"{', '.join(shown)} and {rest} more"


#: All of two or three places are named, up to this many characters, where leaving one
#: out would hide it as "and 1 more": Argyll and Bute's "Benderloch Trail and 1 more" hid
#: Mull, Iona, Coll and Tiree; Orkney's "West Mainland and 1 more" hid Stromness.
ONE_MORE_LENGTH = 64


def label(places: list[str], limit: int = LABEL_LENGTH, shared: bool = True) -> str:
    """A short label for a locality holding ``places`` (largest first): all of them
    when there are at most three and they fit in ``limit``, or two or three that fit in
    ``ONE_MORE_LENGTH``; otherwise the largest one or two and how many more (:func:`more`)."""
    n = len(places)
    if n == 0:
        return ""
    if n <= 3 and len(join_names(places, shared)) <= limit:
        return join_names(places, shared)
    if 2 <= n <= 3 and len(join_names(places, shared)) <= ONE_MORE_LENGTH:
        # Three places that fit are named, also where two would not fit the short label: it
        # fell to "East and West Mainland + 2 more", hiding two of Shetland's three.
        return join_names(places, shared)
    for m in (2, 1):
        if m < n:
            text = more(places[:m], n - m)
            if len(text) <= limit or m == 1:
                return text
    return places[0]


#: Councils named for their town: in their ward names ("Stirling East", "Falkirk North") the
#: council's name is the town, not the council area ("Midlothian East" is the council's).
TOWN_COUNCILS = frozenset({"Stirling", "Falkirk"})


def council_words(council: str) -> frozenset[str]:
    """What a council's own name is in its ward names, naming no town: ``"Midlothian"``
    ("Midlothian East"), ``"Shetland"`` ("Shetland Central") as well as "Shetland Islands";
    nothing for a council named for its town (:data:`TOWN_COUNCILS`). Whole names only: the
    "Perth" of "Perth City North" is a town, though "Perth and Kinross" begins with it."""
    if council in TOWN_COUNCILS or not council:
        return frozenset()
    return frozenset({council, council.removesuffix(" Islands")})
