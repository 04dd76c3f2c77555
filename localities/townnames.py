"""Which Intermediate Zones make a town in a locality's name: a town's sides held whole
(``"Stornoway East"`` and ``"Stornoway West"``: Stornoway), and the IZs of a town a ward is
named for when a name would leave it out (``"part of Kilwinning"``). The naming rules are
:mod:`localities.names`."""

from __future__ import annotations

import re
from collections import Counter

import pandas as pd

from .namelists import _NOT_A_TOWN, _OTHER, _lists, _town, _town_of, join_names, spaced
from .wardnames import _SIDE_WORDS, in_city


def _stems(names: list[str]) -> list[str]:
    """Towns the names of two or more settlement IZs begin with, longest first:
    ``"Arbroath"`` for Arbroath Kirkton, Arbroath Keptie and Arbroath Harbour, whose names
    give no side. A first word that begins place names without being one (``"New"``,
    ``"Port"``) is no town; in ``"Leith (Albert Street)"`` and ``"Grangemouth - Newlands"``
    the place is before the bracket or the dash."""
    counts: Counter = Counter()
    for name in names:
        # The place before a bracket or a dash is a stem in itself ("Grangemouth - Newlands").
        head = re.split(r"\(| - ", name)[0]
        words = head.split()
        counts.update(" ".join(words[:n]) for n in range(1, len(words) + (head != name)))
    # "Port" is no town, "Port Glasgow" is: a stem of such words only is left out.
    found = [stem for stem, n in counts.items()
             if n > 1 and len(stem) > 3 and not all(word in _NOT_A_TOWN for word in stem.split())]
    return sorted(found, key=lambda stem: (-len(stem), stem))


def _towns(items: list[str], pops: list[float], whole: list[bool], iz_names: set, towns: set,
           urban: frozenset = frozenset(), counts: dict | None = None) -> list[str]:
    """``items`` (largest first) with the sides of one town held whole (``"Stornoway East"``,
    ``"Stornoway West"``, mostly settlement zones: names in ``towns``) replaced by the town's
    name, in order of people again. Only when they are all of that town's IZs in ``iz_names``
    (the whole zone table): every IZ named as a side of it, and every mostly-settlement IZ
    named for it (``"Nairn Rural"`` is not part of Nairn; a ``"Stornoway Harbour"`` would be)."""
    def named_for(name: str, town: str) -> bool:  # a settlement IZ whose name begins or ends with the town's
        return name in towns and (name.startswith(f"{town} ") or name.endswith(f" {town}"))

    def part_of(name: str, town: str) -> bool:
        """A side of the town ("Hawick North"), or a settlement IZ named for the town and
        nothing else ("Hawick West End"; not "Largs Central and Cumbrae", which names an
        island too). A name beginning with the town that lists another place is a part when
        every zone of it is in a settlement (``urban``): "Fraserburgh Harbour and Broadsea" is;
        "Largs Central and Cumbrae", with Cumbrae's rural zones, is not, nor is Perth's
        "Central and South Inch" a part of a town "Inch"."""
        return _town(name) == town or named_for(name, town) and (not _lists(name) or _sides_only(name, town)
                                                                 or name in urban and name.startswith(f"{town} "))

    def annexed(name: str, town: str) -> list[str] | None:
        """The other places a town's settlement IZ also names, when it is not a part of the
        town alone: ``["Cumbrae"]`` for "Largs Central and Cumbrae", ``[]`` for "Beith East and
        Rural" (Beith's, with countryside); None for an IZ not named for the town that way."""
        if not (named_for(name, town) and name.startswith(f"{town} ") and _lists(name)) or part_of(name, town):
            return None
        rest = [p.strip() for p in _OTHER.split(name[len(town):])]
        return [p for p in rest if p and not all(word in _NOT_ANNEXED for word in p.split())]

    held = [name for i, name in enumerate(items) if whole[i] and name in towns]
    stems: dict = {}
    extra: dict = {}
    for town in dict.fromkeys([_town(name) for name in held] + _stems(held)):
        if town:
            stems[town] = [i for i, name in enumerate(items) if whole[i] and name in towns
                           and (part_of(name, town) or annexed(name, town) is not None)]
            extra[town] = [p for i in stems[town] for p in annexed(items[i], town) or []]
    # Every IZ that may be part of the town must be among them, so no part is left out.
    # A town's IZs make one town only (the longer stem first: "Castle Douglas", not "Castle").
    merged, taken = {}, set()
    for town, idx in stems.items():
        if (len(idx) > 1 and town not in iz_names and taken.isdisjoint(idx)
                and len(idx) == sum(_town(n) == town or named_for(n, town) for n in iz_names)):
            merged[town] = idx
            taken.update(idx)
    out = [(name, pop) for i, (name, pop) in enumerate(zip(items, pops)) if i not in taken]
    # A town with an IZ that also names another place is named with it: "Largs and Cumbrae".
    out += [(join_names([town, *dict.fromkeys(extra[town])]), sum(pops[i] for i in idx))
            for town, idx in merged.items()]
    out.sort(key=lambda item: (-item[1], item[0]))
    if counts is not None:  # the people of each place returned
        counts.update(out)
    return [name for name, _ in out]


# Words after a town's name that name no other place: "Beith East and Rural" is Beith's.
_NOT_ANNEXED = _SIDE_WORDS | {"Rural", "Outskirts", "Surrounds", "Environs"}


def _sides_only(name: str, town: str) -> bool:
    """``"Port Glasgow Upper, West and Central"``: the town's name, then only its sides (a
    list of parts of one town, not another place as in ``"Largs Central and Cumbrae"``)."""
    rest = name[len(town):].replace(",", " ").split() if name.startswith(f"{town} ") else []
    return bool(rest) and all(word in _SIDE_WORDS for word in rest)


def _town_izs(settled: set, ward_towns: frozenset, lived_in: dict | None = None) -> dict[str, set]:
    """``{town: its settlement IZs}`` for the towns the council's ward names name, each IZ
    by the town its name begins with, else the town three fifths of its people live in
    (``lived_in``: Troqueer and Georgetown are Dumfries's)."""
    places = sorted(ward_towns, key=lambda p: (-len(p), p))
    out: dict = {}
    for name in settled:
        town = _town_of(name, places) or (lived_in or {}).get(name)
        if town:
            out.setdefault(town, set()).add(name)
    return out


def _iz_named_towns(dz: pd.DataFrame, towns: set, ward_towns: frozenset, taken: set) -> dict[str, set]:
    """``{town: its settlement IZs}`` for the towns two or more of one council's settlement IZ
    names begin with (``towns``: IZ names, spaced), where no ward names the town and no ward's
    town holds the IZs (``taken``): Inverclyde's wards are "Inverclyde North", ..., and its IZ
    names say Greenock, Gourock and Port Glasgow. A stem of a town and its side ("Lanark North")
    is the town. None in a city's council, whose IZs are its neighbourhoods, nor without council
    names to tell: each council's IZs are its own (Edinburgh's "Dalry and Fountainbridge" is not
    North Ayrshire's Dalry)."""
    if not {"council_name", "iz_name"} <= set(dz.columns):
        return {}
    names = pd.Series([spaced(n) for n in dz["iz_name"]], index=dz.index, dtype=object)
    keep = ~in_city(dz["council_name"]) & names.notna().to_numpy() & dz["council_name"].notna().to_numpy()
    out: dict = {}
    for _, izs in names[keep].groupby(dz["council_name"][keep].astype(str)):
        held = set(izs) & towns - taken
        stems = set()
        for stem in _stems(sorted(held)):
            words = stem.split()
            while len(words) > 1 and words[-1] in _SIDE_WORDS:
                words.pop()
            stems.add(" ".join(words))
        stems = {stem for stem in stems if not any(stem == t or stem.startswith(f"{t} ") for t in ward_towns)}
        for town, found in _town_izs(held, frozenset(stems)).items():
            out.setdefault(town, set()).update(found)
    return out


#: A town a ward is named for, holding at least this share of a locality's people in two or
#: more of its IZs, is said in the locality's name.
TOWN_SHARE_SAID = 0.25


def _by_towns(ordered: list[str], counts: dict, town_izs: dict, towns: set, iz_names: set,
              partial: set, total: float, text: str, elsewhere: dict | None = None) -> list[str]:
    """``ordered`` with the IZs of each town a ward is named for made one place, where the
    locality holds two or more of them, when ``text`` (its name from ``ordered``) leaves out
    such a town with :data:`TOWN_SHARE_SAID` of its people or more: ``"part of Kilwinning"``
    (three of its four IZs), the town's name when it holds them all. Places by people,
    settlements first. North Ayrshire's most deprived locality was "Irvine Castlepark and 5
    more", holding 10,983 of its 23,881 people in Kilwinning; "Saltcoats North East and 5
    more" held 14,314 of its 23,270 in Ardrossan and Stevenston. Not where more of its people
    live in IZs whose ward names another place (``elsewhere``: ``{item: the places its ward
    names}``): Milngavie's IZs, its ward named for it alone, would be "3 more" after "part of
    Bearsden", a third of the locality."""
    elsewhere = elsewhere or {}
    places_by_length = sorted(town_izs, key=lambda p: (-len(p), p))
    of = {name: town for town, names in town_izs.items() for name in names}
    # An IZ of the town, or several made one already ("Irvine Castlepark": North and South;
    # "Altonhill", whose IZs are Kilmarnock's).
    for item in ordered:
        if item not in iz_names and item not in of:
            stood = {of.get(n) for n in iz_names if n.startswith(f"{item} ") or _town(n) == item}
            of[item] = _town_of(item, places_by_length) or (stood.pop() if len(stood) == 1 else None)
    of = {item: town for item, town in of.items() if town}
    groups: dict = {}
    for item in ordered:
        if item in of:
            groups.setdefault(of[item], []).append(item)
    several = {town: held for town, held in groups.items() if len(held) > 1}
    people = {town: sum(counts.get(i, 0.0) for i in held) for town, held in groups.items()}
    other = sum(counts.get(item, 0.0) for item in ordered
                if item not in of and elsewhere.get(item) and not elsewhere[item] & set(several))
    if not any(people[town] >= TOWN_SHARE_SAID * total and not re.search(rf"\b{re.escape(town)}\b", text)
               for town in several) or other > sum(people[town] for town in several):
        return ordered
    places = []  # (settled, people, name)
    for item in ordered:
        town = of.get(item)
        if town in several:
            if item == several[town][0]:
                held = several[town]
                whole = not partial & set(held) and all(
                    n in held or any(n.startswith(f"{i} ") for i in held if i not in iz_names) for n in town_izs[town])
                places.append((True, people[town], town if whole else f"part of {town}"))
        else:
            places.append((item in towns or item not in iz_names, counts.get(item, 0.0), item))
    places.sort(key=lambda p: (not p[0], -p[1]))
    return [name for _, _, name in places]
