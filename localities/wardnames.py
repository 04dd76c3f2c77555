"""What a council's ward names say about its places: the towns they name ("Dalkeith";
"Dumfries" of "North West Dumfries"), a town only a ward's name says (Barrhead), the town a
locality's wards are named for (Perth), and localities that are exactly a ward. The rules
that use them to name a locality are :mod:`localities.names`."""

from __future__ import annotations

import functools
import re
from collections import Counter

import numpy as np
import pandas as pd

from .namelists import _town, _town_of, council_words, spaced
from .regions import settlement

# Words that give a side or part of a place, not a place: "North", "Town" of "Rothesay Town".
_SIDE_WORDS = {"North", "South", "East", "West", "Central", "Centre", "Mid", "Upper", "Lower", "Town", "and", "&"}
# Left of "West End", "North Coast", "City Centre"; Glasgow's "Southside Central" is a district.
_NOT_PLACES = _SIDE_WORDS | {"End", "Coast", "City", "Southside", "Northside", "Eastside", "Westside"}
_WARD_LEAD = re.compile(r"^(?:(?:North|South|East|West|Central|Mid)[ -]?)+ ")
_WARD_TAIL = re.compile(r" (?:(?:North|South|East|West|Central|Centre|Rural|City|Town|Coastal|District)[ -]?)+$")
_WARD_LIST = re.compile(r" and |, |/| & ")  # a ward name listing places: "Stranraer and the Rhins"


def _sides_cut(part: str) -> tuple[str, str]:
    """A ward name's place with its sides cut off the end, and also off the front: "East
    Kilbride Central North" -> ("East Kilbride", "Kilbride"), "North West Dumfries" ->
    ("North West Dumfries", "Dumfries")."""
    tail = _WARD_TAIL.sub("", part.strip()).strip()
    return tail, _WARD_LEAD.sub("", tail).strip()


def zone_people(dz: pd.DataFrame) -> dict:
    """``{zone: people}``, a missing count as none."""
    return dict(zip(dz["datazone"], np.nan_to_num(pd.to_numeric(dz["population"], errors="coerce"))))


def tally(groups, keys, people) -> tuple[Counter, Counter]:
    """The people of each group, and of each (group, key) whose key is not None: how much
    of a locality is in a ward or a town, of an IZ in a town."""
    total, by = Counter(), Counter()
    for group, key, n in zip(groups, keys, people):
        total[group] += n
        if key is not None:
            by[group, key] += n
    return total, by


def _council_names(dz: pd.DataFrame) -> set:
    """The council's names that are no place in a ward name (not a town's: Stirling's)."""
    if "council_name" not in dz:
        return set()
    return {word for council in dz["council_name"].dropna().astype(str).unique() for word in council_words(council)}


def _a_place(place: str, council: set) -> bool:
    """Whether what is left of a ward name is a place: not the council ("Midlothian" of
    "Midlothian East"), "the Rhins" or a side ("End" of "West End")."""
    return bool(place) and place not in council and not place.startswith("the ") and place not in _NOT_PLACES


def ward_place_sets(dz: pd.DataFrame) -> dict[str, frozenset]:
    """``{ward name: the places it names}`` ("Dalkeith"; "Dumfries" of "North West Dumfries";
    "Stranraer" of "Stranraer and the Rhins"), without the council's own name ("Midlothian
    East")."""
    if "ward_name" not in dz:
        return {}
    councils = tuple(pd.unique(dz["council_name"].dropna().astype(str))) if "council_name" in dz else ()
    return dict(_place_sets(tuple(pd.unique(dz["ward_name"].dropna().astype(str))), councils))


@functools.lru_cache(maxsize=64)  # every plan of a council is named from the same ward names
def _place_sets(wards: tuple, councils: tuple) -> tuple:
    council = {word for name in councils for word in council_words(name)}
    # Straight apostrophes, as IZ names have them: the ward is "Bo’ness and Blackness", the IZ "Bo'ness - Kinneil".
    return tuple((ward, frozenset(place for part in _WARD_LIST.split(ward.replace("’", "'"))
                                  for place in _sides_cut(part) if _a_place(place, council)))
                 for ward in wards)


def in_city(council_names: pd.Series) -> np.ndarray:
    """Whether each zone's council is a city's ("Glasgow City", "City of Edinburgh"), whose
    wards and IZs name neighbourhoods, not towns; a blank council name is no city."""
    return council_names.astype("string").str.contains(r"\bCity\b", na=False).to_numpy(dtype=bool)


def _ward_places(dz: pd.DataFrame) -> frozenset:
    """The places the council's ward names name: the towns a council itself names its wards for."""
    return frozenset().union(*ward_place_sets(dz).values())


#: People a town's IZs must hold to be named for a ward's first place (a town of 10,000 or more).
WARD_NAMED_TOWN = 10_000


def _ward_named_towns(dz: pd.DataFrame) -> dict[str, frozenset]:
    """``{town: its IZ names}`` for towns of 10,000 or more that only a ward's name says:
    Barrhead's four IZs (Auchenback, Cross Stobbs, "Dunterlie, East Arthurlie and
    Dovecothall", "West Arthurlie and North Neilston"; 17,827 people) lie in the "Barrhead,
    Liboside and Uplawmoor" ward, and no IZ name in East Renfrewshire says Barrhead, so East
    Renfrewshire's flagged locality was "West Neilston and Uplawmoor + 4 more". A town is the
    first place a ward's name lists, said by no IZ name (not even within a word: "Preston" of
    "Preston, Seton and Gosford" is in "Prestonpans"); its IZs are those wholly in that ward,
    every zone in a town of 10,000 to 125,000 (urban-rural class 2; a city's IZs are its
    neighbourhoods, and "Portobello/Craigmillar" names one of them), named for none of the
    ward's other places ("Holytown" of "Mossend and Holytown")."""
    if not {"ward_name", "iz_name", "urban_rural", "population"} <= set(dz.columns):
        return {}
    council = _council_names(dz)
    ward_of, iz_of = dz["ward_name"].to_numpy(dtype=object), dz["iz_name"].to_numpy(dtype=object)
    known = pd.notna(ward_of) & pd.notna(iz_of)  # a zone without them names no town
    wards = np.array([str(w).replace("\u2019", "'") for w in ward_of[known]], dtype=object)
    said = " | ".join({str(n) for n in iz_of[known]}).lower()
    # The wards' first places no IZ name says, found first and without pandas: most councils
    # have none, and every plan is named (a groupby over all zones cost Moray's propose 2 ms).
    towns = {}
    for ward in set(wards):
        parts = _WARD_LIST.split(ward)
        town = _sides_cut(parts[0])[0] if len(parts) > 1 else ""
        if _a_place(town, council) and town.lower() not in said:
            towns[ward] = (town, [p.lower() for part in parts[1:] for p in _sides_cut(part) if _a_place(p, council)])
    if not towns:
        return {}
    zones = pd.DataFrame({"ward": wards, "iz": iz_of[known].astype(str),
                          "town": pd.to_numeric(dz["urban_rural"], errors="coerce").eq(2).to_numpy()[known],
                          "people": pd.to_numeric(dz["population"], errors="coerce").fillna(0).to_numpy()[known]})
    by_iz = zones.groupby("iz").agg(wards=("ward", "nunique"), ward=("ward", "first"), town=("town", "all"),
                                    people=("people", "sum"))
    by_iz = by_iz[(by_iz["wards"] == 1) & by_iz["town"] & by_iz["ward"].isin(list(towns))]
    found = {}
    for ward, izs in by_iz.groupby("ward"):
        town, others = towns[ward]
        izs = izs[[not any(o in name.lower() for o in others) for name in izs.index]]
        if izs["people"].sum() >= WARD_NAMED_TOWN:
            found[town] = frozenset(izs.index)
    return found


def _as_ward_town(items: list[str], pops: list[float], whole: list[bool], ward_named: dict):
    """``items``, ``pops`` and ``whole`` (most people first) with the IZs of a town only a
    ward names (:func:`_ward_named_towns`), when all of them are held whole, made one item
    named for the town."""
    for town, izs in ward_named.items():
        held = {i for i, name in enumerate(items) if name in izs and whole[i]}
        if len(held) == len(izs):
            rows = [(items[i], pops[i], whole[i]) for i in range(len(items)) if i not in held]
            rows.append((town, sum(pops[i] for i in held), True))
            rows.sort(key=lambda row: -row[1])
            items, pops, whole = (list(column) for column in zip(*rows))
    return items, pops, whole


#: A locality is named for the town its wards are named for, and a map's town inset titled
#: for it, when at least this share of its (their) people live in them.
WARD_TOWN_SHARE = 0.8


def _ward_town_names(dz: pd.DataFrame) -> dict[str, tuple[str, tuple]]:
    """``{ward: (town, other places)}`` for wards named first for one town's side ("Perth City
    North", "North West Dumfries", "Rutherglen Central and North"; "Hamilton West and
    Earnock", "Kilmarnock East and Hurlford", with the other places they list), not for the
    council ("Midlothian East") nor a district whose rural IZs are named for it ("Clydesdale
    South")."""
    if "ward_name" not in dz:
        return {}
    council = _council_names(dz)
    town_of = {}
    for ward in dz["ward_name"].dropna().astype(str).unique():
        parts = _WARD_LIST.split(ward)
        first = parts[0]
        tail, both = _sides_cut(first)
        place = both if tail == first.strip() else tail
        sides_after = all(p.strip() and set(p.split()) <= _SIDE_WORDS for p in parts[1:])
        # Its first part a town's side, or the town with its sides after ("Rutherglen Central and North").
        if (place != first.strip() or len(parts) > 1 and sides_after) and _a_place(place, council):
            others = () if sides_after else tuple(p for part in parts[1:] for p in _sides_cut(part)
                                                  if _a_place(p, council))
            town_of[ward] = (place, others)
    if "iz_name" in dz and "urban_rural" in dz:
        # A district, not a town, where a mostly rural IZ is named for it ("Clydesdale South").
        settled = pd.Series(settlement(dz), index=dz.index).groupby(dz["iz_name"].astype(str)).mean()
        rural = [name for name, share in settled.items() if share < 0.5]
        town_of = {w: t for w, t in town_of.items() if not any(n == t[0] or n.startswith(f"{t[0]} ") for n in rural)}
    return town_of


def town_zones(dz: pd.DataFrame, adjacency: dict | None) -> dict[str, str]:
    """``{zone: town}`` for the zones of towns of 10,000 or more (urban-rural classes 1-2) a
    ward is named for: each connected stretch of such zones (``adjacency``: the zones'
    contiguity) that one such town's wards reach is that town, whichever wards it spans.
    Dumfries's Troqueer, Kingholm and Georgetown are in the Nith and Abbey wards, not "North
    West Dumfries". Without ``adjacency``, the urban zones of a town's wards (all their zones
    without urban-rural classes)."""
    if not {"ward_name", "datazone"} <= set(dz.columns):
        return {}
    named = _ward_town_names(dz)
    if not named:
        return {}
    zones = dz["datazone"].tolist()
    ward = dict(zip(zones, dz["ward_name"].astype(str)))
    iz = dict(zip(zones, map(spaced, dz["iz_name"]))) if "iz_name" in dz else {}
    places = sorted(_ward_places(dz), key=lambda p: (-len(p), p))
    city = set(dz.loc[in_city(dz["council_name"]), "datazone"]) if "council_name" in dz else set()

    beside: dict = {}  # the places a town's wards list with it ("Earnock" of "Hamilton West and Earnock")
    for town_name, others in named.values():
        beside.setdefault(town_name, set()).update(others)

    @functools.lru_cache(maxsize=None)
    def begun(name: str | None) -> str | None:  # the ward place an IZ's name is, begins with or is a side of
        return None if name is None else _town_of(name, places)

    def town(z):
        """The town of a zone's ward; not where its IZ is named for another place (Hurlford of
        "Kilmarnock East and Hurlford", "Paisley Gallowhill" in a Renfrew ward), nor in a city,
        whose wards name neighbourhoods ("Partick East/Kelvindale")."""
        w = ward[z]
        if w not in named or z in city:
            return None
        return town_of_iz(w, iz.get(z) or "")

    @functools.lru_cache(maxsize=None)  # by ward and IZ: many zones, few pairs
    def town_of_iz(w: str, name: str) -> str | None:
        place, others = named[w]
        if any(name == o or name.startswith(f"{o} ") or name.endswith(f" {o}") for o in others) \
                or begun(name) not in (None, place) \
                or any(name.endswith(f" {p}") for p in places if p != place and p not in beside[place]):
            return None  # "Craigneuk Wishaw"; not "Woodhead and Meikle Earnock" (Earnock: Hamilton's ward lists it)
        return place

    if "urban_rural" not in dz:  # no classes: a town's wards are the town
        return {z: t for z in zones if (t := town(z))}
    # People in a town of 10,000 or more (urban-rural classes 1-2): "Clydesdale North",
    # "Kintyre and the Islands" and "Garioch" name districts of small towns and country.
    urban = [z for z, c in zip(zones, pd.to_numeric(dz["urban_rural"], errors="coerce").isin([1, 2])) if c]
    out = {z: t for z in urban if (t := town(z))}
    if adjacency:
        from .geography import components

        for part in components(urban, adjacency):
            towns = {out[z] for z in part if z in out}
            # One town's stretch, where no IZ is named for another (Bathgate's zones touch
            # Livingston's, Dumbarton's Clydebank's); two towns' wards (Airdrie, Coatbridge) name none.
            # (Sides of another place too: Milngavie's zones touch Bearsden's, and its ward is
            # named for it alone, but "Kilmardinny East" is no Bearsden IZ's name.)
            if len(towns) == 1 and {begun(n) or (n and _town(n)) for n in {iz.get(z) for z in part}} - {None} <= towns:
                out.update(dict.fromkeys(part, towns.pop()))
    return out


def _wards_town(assignment: pd.Series, dz: pd.DataFrame, zone_town: dict) -> dict:
    """``{locality: town}`` for localities at least :data:`WARD_TOWN_SHARE` of whose people
    live in one town of 10,000 or more a ward is named for (``zone_town``, from
    :func:`town_zones`): "Perth City North", "Perth City South": Perth; "Ayr North": Ayr."""
    if "population" not in dz or not zone_town:
        return {}
    people = zone_people(dz)
    total, by = tally(assignment.tolist(), [zone_town.get(z) for z in assignment.index],
                      [people.get(z, 0.0) for z in assignment.index])
    return {loc: town for (loc, town), n in sorted(by.items(), key=lambda kv: str(kv[0]))
            if n >= WARD_TOWN_SHARE * total[loc] > 0}


#: A locality holding at least this share of a ward's people, and with at least this share of
#: its own people in that ward, is named for the ward: South Lanarkshire's flagged "Hareleeshill
#: and 4 more" was the Larkhall ward but one zone (838 of its 18,369 people), and never said
#: Larkhall; ``check`` took it for the ward.
WARD_SHARE = 0.95


def ward_exact(assignment: pd.Series, dz: pd.DataFrame) -> pd.Series:
    """Ward name for each locality whose zone set equals a ward's best-fit zone set, or
    holds all but a sliver of it (:data:`WARD_SHARE` of its people, both ways)."""
    if not {"ward", "ward_name"} <= set(dz.columns):
        return pd.Series(dtype=object)
    wards = [None if pd.isna(w) else w for w in dz["ward"].tolist()]
    ward_of = dict(zip(dz["datazone"].tolist(), wards))
    ward_size = Counter(w for w in wards if w is not None)
    ward_name: dict = {}
    for w, name in zip(wards, dz["ward_name"].tolist()):
        ward_name.setdefault(w, name)
    # A locality is its ward's when all its zones are in that one ward and the ward has no others.
    pairs = Counter(zip(assignment.tolist(), (ward_of.get(z) for z in assignment.index)))
    per_loc = Counter(loc for loc, _ in pairs)
    exact = {loc: w for (loc, w), n in pairs.items() if w is not None and per_loc[loc] == 1 and n == ward_size[w]}
    if "population" in dz:
        people = zone_people(dz)
        in_ward, _ = tally(ward_of.values(), [None] * len(ward_of), (people.get(z, 0.0) for z in ward_of))
        total, held = tally(assignment.tolist(), [ward_of.get(z) for z in assignment.index],
                            [people.get(z, 0.0) for z in assignment.index])
        near = {}
        for (loc, w), n in sorted(held.items(), key=lambda kv: (str(kv[0][0]), str(kv[0][1]))):
            if loc not in exact and n >= WARD_SHARE * total[loc] > 0 and n >= WARD_SHARE * in_ward[w] > 0:
                near.setdefault(w, []).append(loc)
        # Each ward names one locality at most.
        exact.update({locs[0]: w for w, locs in near.items() if len(locs) == 1 and w not in exact.values()})
    return pd.Series({loc: str(ward_name[w]) for loc, w in exact.items()}, dtype=object)
