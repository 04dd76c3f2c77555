"""What a council's ward names say about its places: the towns they name ("Dalkeith";
"Dumfries" of "North West Dumfries"), a town only a ward's name says (Barrhead), the town a
locality's wards are named for (Perth), and localities that are exactly a ward. The rules
that use them to name a locality are :mod:`localities.names`."""

from __future__ import annotations

import re
from collections import Counter

import numpy as np
import pandas as pd

from .namelists import council_words
from .regions import settlement

# Words that give a side or part of a place, not a place: "North", "Town" of "Rothesay Town".
_SIDE_WORDS = {"North", "South", "East", "West", "Central", "Centre", "Mid", "Upper", "Lower", "Town", "and", "&"}
_NOT_PLACES = _SIDE_WORDS | {"End", "Coast", "City"}  # left of "West End", "North Coast", "City Centre"
_WARD_LEAD = re.compile(r"^(?:(?:North|South|East|West|Central|Mid)[ -]?)+ ")
_WARD_TAIL = re.compile(r" (?:(?:North|South|East|West|Central|Centre|Rural|City|Town|Coastal|District)[ -]?)+$")
_WARD_LIST = re.compile(r" and |, |/| & ")  # a ward name listing places: "Stranraer and the Rhins"


def _sides_cut(part: str) -> tuple[str, str]:
    """A ward name's place with its sides cut off the end, and also off the front: "East
    Kilbride Central North" -> ("East Kilbride", "Kilbride"), "North West Dumfries" ->
    ("North West Dumfries", "Dumfries")."""
    tail = _WARD_TAIL.sub("", part.strip()).strip()
    return tail, _WARD_LEAD.sub("", tail).strip()


def _council_names(dz: pd.DataFrame) -> set:
    """The council's names that are no place in a ward name (not a town's: Stirling's)."""
    if "council_name" not in dz:
        return set()
    return {word for council in dz["council_name"].dropna().astype(str).unique() for word in council_words(council)}


def _a_place(place: str, council: set) -> bool:
    """Whether what is left of a ward name is a place: not the council ("Midlothian" of
    "Midlothian East"), "the Rhins" or a side ("End" of "West End")."""
    return bool(place) and place not in council and not place.startswith("the ") and place not in _NOT_PLACES


def _ward_places(dz: pd.DataFrame) -> frozenset:
    """The places the council's ward names name ("Dalkeith"; "Dumfries" of "North West
    Dumfries"; "Stranraer" of "Stranraer and the Rhins"), without the council's own name
    ("Midlothian East"): the towns a council itself names its wards for."""
    if "ward_name" not in dz:
        return frozenset()
    council = _council_names(dz)
    # Straight apostrophes, as IZ names have them: the ward is "Bo’ness and Blackness", the IZ "Bo'ness - Kinneil".
    return frozenset(place for ward in dz["ward_name"].dropna().astype(str).str.replace("’", "'").unique()
                     for part in _WARD_LIST.split(ward) for place in _sides_cut(part) if _a_place(place, council))


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


def _wards_town(assignment: pd.Series, dz: pd.DataFrame) -> dict:
    """``{locality: town}`` for localities at least :data:`WARD_TOWN_SHARE` of whose people
    live in a town of 10,000 or more, in wards each named for that one town and nothing else
    ("Perth City North", "Perth City South": Perth; "Ayr North": Ayr; not "Kilmarnock East
    and Hurlford", which lists two places, nor "Midlothian East", the council)."""
    if not {"ward_name", "population"} <= set(dz.columns):
        return {}
    council = _council_names(dz)
    town_of = {}
    for ward in dz["ward_name"].dropna().astype(str).unique():
        if _WARD_LIST.search(ward):
            continue
        tail, both = _sides_cut(ward)
        place = both if tail == ward.strip() else tail
        if place != ward.strip() and _a_place(place, council):
            town_of[ward] = place  # a ward that is only a town's side: "Perth City North", "North West Dumfries"
    if "iz_name" in dz and "urban_rural" in dz:
        # A district, not a town, where a mostly rural IZ is named for it ("Clydesdale South").
        settled = pd.Series(settlement(dz), index=dz.index).groupby(dz["iz_name"].astype(str)).mean()
        rural = [name for name, share in settled.items() if share < 0.5]
        town_of = {w: t for w, t in town_of.items() if not any(n == t or n.startswith(f"{t} ") for n in rural)}
    if not town_of:
        return {}
    zones = pd.DataFrame({"loc": assignment.to_numpy()}, index=assignment.index)
    info = dz[[c for c in ("datazone", "ward_name", "population", "urban_rural") if c in dz]].set_index("datazone")
    zones["town"] = info["ward_name"].astype(str).map(town_of).reindex(zones.index).to_numpy()
    zones["people"] = pd.to_numeric(info["population"], errors="coerce").reindex(zones.index).fillna(0).to_numpy()
    total = zones.groupby("loc")["people"].sum()
    if "urban_rural" in info:
        # People in a town of 10,000 or more (urban-rural classes 1-2): "Clydesdale North",
        # "Kintyre and the Islands" and "Garioch" name districts of small towns and country.
        urban = pd.to_numeric(info["urban_rural"], errors="coerce").reindex(zones.index).isin([1, 2]).to_numpy()
        zones.loc[~urban, "town"] = None
    by = zones.dropna(subset=["town"]).groupby(["loc", "town"])["people"].sum()
    return {loc: town for (loc, town), people in by.items() if people >= WARD_TOWN_SHARE * total[loc] > 0}


def ward_exact(assignment: pd.Series, dz: pd.DataFrame) -> pd.Series:
    """Ward name for each locality whose zone set equals a ward's best-fit zone set."""
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
    return pd.Series({loc: str(ward_name[w]) for loc, w in exact.items()}, dtype=object)
