"""Names for localities that tell the truth about who lives in them.

Rules, in order:

1. A locality whose zones are exactly a ward's (best-fit) zones takes the ward's name
   (``"Irvine East ward"`` when another locality holds an IZ of that name), as does one
   holding all but a twentieth of a ward's people with all but a twentieth of its own in it
   ("Larkhall": the ward but one zone).
2. A locality inside one Intermediate Zone takes its name: ``"Cornton"`` when it is
   the whole IZ, ``"Part of Cornton"`` when the IZ is split between localities; an IZ
   split between localities is "part of" it in longer names too.
3. Two or three IZs: ``"A and B"`` / ``"A, B and C"``; ``"A / B"`` when an IZ's own name lists
   places (``"Bathgate East / Bathgate and Boghall"``). Places come in this order: the
   settlements the council's ward names name (``"Dalkeith"``; ``"Dumfries Central"`` for the
   "North West Dumfries" ward), other settlements, then rural IZs, each largest population
   first (Midlothian's "Pathhead and Rural East Midlothian + 5 more" held Dalkeith,
   Mayfield and Gorebridge).
4. IZs named for parts of one town (``"Stornoway East"``, ``"Stornoway West"``; or
   ``"Arbroath Kirkton"``, ``"Arbroath Keptie"``: the town their names begin with) are
   named as the town (``"Stornoway"``) when one locality holds all of them, whole;
   the town's other settlement IZs named for it and nothing else (``"Hawick West End"``
   with Hawick Central and Hawick North) are part of it, and must be held too. A town's
   IZ whose name also lists another place (``"Largs Central and Cumbrae"``) must be held
   too, and the place joins the name (``"Largs and Cumbrae"``), so no town name stands
   for an island; the countryside does not (``"Beith"`` for Beith West and Beith East
   and Rural).
   A town of 10,000 or more that only a ward's name says (Barrhead, of the "Barrhead,
   Liboside and Uplawmoor" ward; no IZ name says it) is named so too when its IZs are held
   whole: ``"Barrhead / West Neilston and Uplawmoor"``.
5. A locality at least four fifths of whose people live in a town of 10,000 or more, in
   wards named for that town alone, and whose IZ names never say it, is named for it first:
   ``"Perth: Hillyland, Tulloch and Inveralmond + 6 more"`` (Perth City North and Centre),
   ``"East Kilbride: Whitehills West and 2 more"``; never for a district a rural IZ is
   named for (``"Clydesdale"``). So is one four fifths of whose people live in the IZs of a
   town only a ward's name says (``"Barrhead: Auchenback"``).
6. More: the first one or two places and how many more there are (never just one
   more where all fit in :data:`ONE_MORE_LENGTH` characters)
   (``"Keith, Fife Keith and 2 more"``; ``"Halfway, Hallside and Drumsagard + 1 more"``
   when a shown IZ's name lists places), at most :data:`LABEL_LENGTH`
   characters where possible. A name therefore never stands alone for a place that
   holds only a minority of the people.
7. All of them one town's sides or parts: the town once, before a colon
   (``"Carluke: East, South and North"``, ``"Falkirk: Camelon and Tamfourhill"``).

8. A place the locality holds across water from where most of its people live (IZs most
   of whose people here are off its largest piece, the way there mostly over no other zone:
   an island, or mainland reached over a firth) is always said (the largest two), with the
   places the label said where all fit in 64 characters, never hidden in "and N more":
   Highland's "Skye, Lochaber West and 3 more" (was "Lochaber West and 6 more", 10,462 of
   its 25,693 people on Skye), North Ayrshire's "Largs and Cumbrae / Kilbirnie / Arran + 1
   more". The IZs of the place all named as its sides are the place (Skye North East,
   South and North West: "Skye"; with Lochalsh, "Skye and Lochalsh").

9. A town a ward is named for, holding a quarter or more of a locality's people in two or
   more of its IZs, is said: where the name above leaves it out, the IZs of each such town
   are one place, ``"part of Kilwinning"`` (all of them: the town's name), unless more of
   the people live in IZs whose ward names another place (Milngavie's, beside Bearsden's).
   North Ayrshire's most deprived locality, "Irvine Castlepark and 5 more", held 10,983 of
   its 23,881 people in Kilwinning: now "Part of Kilwinning, part of Irvine and Stevenston
   Ardeer". A town's IZs are those named for it, and those three fifths of whose people live
   in its urban zones (classes 1-2): those of wards led by its side ("Kilmarnock East and
   Hurlford", but not an IZ named for Hurlford), and the stretch of such zones they reach
   where no IZ there is named for another place (Dumfries's Troqueer and Georgetown, in the
   Nith and Abbey wards; not Bathgate's zones, touching Livingston's); none in a city's
   council, whose wards name neighbourhoods. Rule 5 counts those zones too: "Dumfries:
   Nunholm, Georgetown and Calside". Outside the cities, a town two or more settlement IZs'
   names begin with is such a town too, for the IZs no ward's town holds: Inverclyde's wards
   are "Inverclyde North", ..., and "Inverkip and Wemyss Bay + 4 more" held three of Gourock's
   IZs, 59% of its people; now "Gourock / Inverkip and Wemyss Bay + 1 more".

10. The place where most of a locality's income-deprived people live is said, where it holds
    a fifth of them or more and its income deprivation rate is at least 1.2 times both the
    rest of the locality's and the council's (:mod:`localities.deprivedplace`; zones with
    ``income_count``): a name never hides the pocket that makes a locality poorer. Highland's
    most deprived locality, "Inverness Ballifeary and Dalneigh + 4 more", held Merkinch (35%
    income-deprived; the rest of the locality 16%): now "Inverness Ballifeary and Dalneigh /
    Inverness Merkinch + 3 more"; Edinburgh's "The Calders and 2 more" is "The Calders /
    Murrayburn and Wester Hailes North + 1 more". A town said ("part of Kilwinning") says the
    places in it. Such a name can run past 64 characters (9 of 1,861, up to 85).

A locality holding the whole council is named for the council.

Every locality also gets ``places``: all its IZ names, largest population first (towns or not),
separated by ``"; "``. Names two localities would share get the compass direction
of each relative to the others (``"Part of Elgin (north)"``), then a number.
"""

from __future__ import annotations

import re
from collections import Counter

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .namelists import (  # noqa: F401 (re-exported: the package and tests read them here)
    _NOT_A_TOWN,
    _OTHER,
    LABEL_LENGTH,
    ONE_MORE_LENGTH,
    _lists,
    _town,
    council_words,
    is_code,
    join_names,
    label,
    more,
    said,
    spaced,
)
from . import geography
from .deprivedplace import deprived_places, the_item, unsaid
from .errors import capital
from .regions import settlement
from .townnames import TOWN_SHARE_SAID, _by_towns, _iz_named_towns, _sides_only, _town_izs, _towns  # noqa: F401
from .wardnames import (  # noqa: F401 (re-exported: titles and tests read them here)
    _SIDE_WORDS,
    WARD_NAMED_TOWN,
    WARD_TOWN_SHARE,
    _as_ward_town,
    _council_names,
    _ward_named_towns,
    _ward_places,
    _wards_town,
    town_zones,
    ward_exact,
    ward_place_sets,
    zone_people,
    tally,
)

SEPARATOR = "; "


_COMPASS = ("east", "north-east", "north", "north-west", "west", "south-west", "south", "south-east")


def _prominent(shown: list[str], ward_towns: frozenset, towns: set, iz_names: set,
               partial: frozenset | set = frozenset(), ward_people: dict | None = None) -> list[str]:
    """``shown`` (most people first) with the settlements a ward is named for first, then
    the other settlements, then rural IZs: Midlothian's "Pathhead and Rural East Midlothian
    + 5 more" held Dalkeith (a ward's name), Mayfield and Gorebridge. A settlement is an IZ
    where most people live in settlement zones (``towns``) or a town made of such IZs (a
    name not among ``iz_names``); "Annandale" of the "Annandale South" ward is a district,
    and its rural IZ "Annandale East" is not put first. An IZ the locality holds only part
    of (``partial``) is not put first either: "Part of South Leith and 5 more". Among the
    settlements a ward is named for, those in a ward holding three quarters of the locality's
    people or more (``ward_people``: the share of them in each IZ's ward) come first:
    Falkirk's "Bonnybridge and 5 more" held a fifth of its people in Bonnybridge's ward and
    four fifths in Denny and Banknock's."""
    ward_people = ward_people or {}

    def key(item):
        i, name = item
        settled = name not in partial and (name in towns or name not in iz_names)
        # "Denny - Nethermains" is Denny's, as "Stornoway East" is Stornoway's.
        named = settled and (name in ward_towns or _town(name) in ward_towns
                             or " - " in name and name.split(" - ")[0] in ward_towns)
        return (not named, not (named and ward_people.get(name, 0) >= 0.75), not settled, i)

    return [name for _, name in sorted(enumerate(shown), key=key)]


def _directions(points: pd.DataFrame) -> pd.Series:
    """Compass direction of each point from the mean of the points."""
    dx = points["x"] - points["x"].mean()
    dy = points["y"] - points["y"].mean()
    sector = np.round(np.degrees(np.arctan2(dy, dx)) / 45).astype(int) % 8
    return pd.Series([_COMPASS[s] for s in sector], index=points.index)


def _disambiguate(names: pd.Series, centres: pd.DataFrame | None) -> pd.Series:
    names = names.copy()
    for dup in sorted(names[names.duplicated(keep=False)].unique()):
        locs = list(names.index[names == dup])
        if centres is not None:
            where = _directions(centres.loc[locs])
            if where.is_unique:
                for loc in locs:
                    names[loc] = f"{dup} ({where[loc]})"
                continue
        for i, loc in enumerate(sorted(locs), start=1):
            names[loc] = f"{dup} ({i})"
    if names.duplicated().any():  # a suffixed name met an existing one: number what is left
        return _disambiguate(names, None)
    return names


#: Places across water a name says at most, the largest (the first place's besides): Highland's
#: "Lochaber West and 6 more" held Skye's 10,462 people, two fifths of its own. A locality
#: holding more islands (a whole council's) names two of them.
ISLANDS_SHOWN = 2


def _across_water(assignment: pd.Series, dz: pd.DataFrame, adjacency: dict | None) -> dict[object, set]:
    """``{locality: IZ names}`` of the IZs a locality holds across water: most of their
    people (here) off the locality's piece with the most people (pieces on the zones'
    contiguity, without the island links that join them). Arran, in North Ayrshire's "Largs and Cumbrae /
    Kilbirnie + 2 more"; Bute, in Argyll and Bute's "Dunoon, Hunter's Quay and 3 more"."""
    if "iz_name" not in dz or not len(assignment) or adjacency is None:
        return {}
    held = assignment[assignment.notna()]
    count = geography.pieces(held, adjacency)
    if not (count > 1).any():
        return {}
    iz = dict(zip(dz["datazone"], map(spaced, dz["iz_name"])))
    people = zone_people(dz)
    geoms = (gpd.GeoSeries(dz.geometry.to_numpy(), index=dz["datazone"].to_numpy())
             if "geometry" in dz and not dz.geometry.isna().any() else None)
    tree = shapely.STRtree(geoms.to_numpy()) if geoms is not None else None  # one for every piece
    out = {}
    for loc in count.index[count > 1]:
        zones = held.index[held == loc].tolist()
        parts = geography.components(zones, adjacency)
        main = max(parts, key=lambda part: sum(people.get(z, 0.0) for z in part))  # the first of equals
        # Across water, not over land: the way from a piece to the main one crosses no other
        # zone (a plan within wards leaves a piece of Glasgow's Sighthill among other localities).
        parts = [part for part in parts if part is main or not _over_land(part, main, geoms, tree)]
        here, away = Counter(), Counter()
        for part in parts:
            for z in part:
                (here if part is main else away)[iz.get(z)] += people.get(z, 0.0) + 1e-9
        # Most of its people apart: Orkney's "Isles" has 2 of its 6 zones on the Mainland.
        apart = {name for name, n in away.items() if name is not None and n > here[name]}
        inside = set(zones)
        if apart and len(inside) < len(iz) and all(set(adjacency.get(z, ())) <= inside for z in main):
            # Its main piece an island too (Skye, with Lochalsh over the water): its IZs are
            # an island's, named as one place where all are one place's ("Skye and Lochalsh").
            apart |= {name for name, n in here.items() if name is not None and n >= away[name]}
        if apart:
            out[loc] = apart
    return out


def _over_land(part: list, main: list, geoms, tree) -> bool:
    """Whether the shortest way between two pieces of a locality runs mostly over other zones
    (a coastal zone's corner on the way from Arran to Largs is still water between).
    ``tree``: the spatial index of ``geoms``, all the zones."""
    if geoms is None:
        return False
    # The nearest pair of zones, one of each piece (no union of a council-wide piece).
    near, far = geoms[part].to_numpy(), geoms[main].to_numpy()
    (i, j), gap = shapely.STRtree(far).query_nearest(near, return_distance=True, all_matches=False)
    k = int(np.argmin(gap))
    way = shapely.shortest_line(near[i[k]], far[j[k]])
    hit = tree.query(way, predicate="intersects")
    hit = hit[~geoms.index[hit].isin(part + main)]  # the other zones it meets
    if not len(hit) or way.length == 0:
        return bool(len(hit))
    return shapely.intersection(way, shapely.union_all(geoms.to_numpy()[hit])).length > way.length / 2


def _izs_in(dz: pd.DataFrame, zone_town: dict) -> dict[str, str]:
    """``{IZ name: town}`` for IZs three fifths of whose people live in one town's zones (``zone_town``)."""
    if not zone_town or "iz_name" not in dz:
        return {}
    named = [(zone, name) for zone, name in zip(dz["datazone"], map(spaced, dz["iz_name"])) if name is not None]
    people = zone_people(dz)
    total, by = tally((name for _, name in named), (zone_town.get(zone) for zone, _ in named),
                      (people.get(zone, 0.0) for zone, _ in named))
    # Three fifths: New Abbey's IZ, 55% in Dumfries's zones, is a village's (Glassford's 50%, Mid Calder's 56%);
    # Kingholm (61%) and Little Earnock (66%) are the town's.
    return {iz: town for (iz, town), n in by.items() if n >= 0.6 * total[iz]}


def _contiguity(dz: pd.DataFrame) -> dict | None:
    """The zones' contiguity from their polygons, or None where there are none to read."""
    if "geometry" not in dz or dz.geometry.isna().any() or dz["datazone"].duplicated().any():
        return None
    return geography.neighbours(gpd.GeoDataFrame(dz[["datazone"]], geometry=dz.geometry.to_numpy()))


def _after_town(town: str, shown: list[str], isles: list[str], limit: int) -> str:
    """``"Perth: Hillyland, Tulloch and Inveralmond + 6 more"``: the town, then its places."""
    text = f"{town}: {_listed(shown, isles, max(limit - len(town) - 2, 20), shared=False)}"
    if len(text) > ONE_MORE_LENGTH and len(shown) > 1 and not isles:
        text = f"{town}: {more(shown[:1], len(shown) - 1)}"
    return text


def _listed(shown: list[str], isles: list[str], limit: int, shared: bool = True) -> str:
    """:func:`label` of ``shown``, saying ``isles`` (places across water) even past
    ``limit``: an island is never one of "and N more". Where the label leaves one out, the
    first place comes first, then those across water, then the rest."""
    text = label(shown, limit, shared)
    if all(said(i, text) for i in isles):
        return text

    def must(item):  # a place to say, as shown or "part of" it
        return item in isles or item.removeprefix("part of ") in isles

    # The places the label said, then those it must: "Largs and Cumbrae / Kilbirnie / Arran + 1
    # more", not "Largs and Cumbrae / Arran + 2 more" (Kilbirnie, 27% of its people, pushed out).
    kept = [item for item in shown if said(item.removeprefix("part of "), text) or must(item)]
    if len(kept) < len(shown):
        longer = more(kept, len(shown) - len(kept))
        if len(longer) <= ONE_MORE_LENGTH:
            return longer
    first = [item for item in shown if must(item)]
    shown = [*shown[:1], *[item for item in first if item != shown[0]], *[i for i in shown[1:] if i not in first]]
    text = label(shown, limit, shared)
    if all(said(i, text) for i in isles):
        return text
    n = 1 + len([item for item in first if item != shown[0]])
    return more(shown[:n], len(shown) - n) if len(shown) > n else join_names(shown, shared)


def locality_names(assignment: pd.Series, dz: pd.DataFrame, limit: int = LABEL_LENGTH,
                   adjacency: dict[str, list[str]] | None = None) -> pd.DataFrame:
    """Name each locality from its wards and Intermediate Zones.

    Parameters
    ----------
    assignment : Series
        Locality for each zone (index: zone code).
    dz : DataFrame
        The zones, with ``datazone`` and ``population``; ``iz_name`` (and ``iz``)
        for place names, ``ward``/``ward_name`` for ward-exact names, a geometry
        to tell apart localities that would share a name.
    limit : int
        Longest label wanted (map labels); longer lists become ``"and N more"``, never
        hiding the largest one or two places across water from the rest of the locality.
    adjacency : dict, optional
        The zones' contiguity without island links (``{zone: [neighbours]}``), to tell
        which places lie across water; by default from ``dz``'s polygons.

    Returns
    -------
    DataFrame
        Index: locality; columns ``name`` and ``places`` (all IZ names, largest
        population first, ``"; "`` between them; empty without ``iz_name``).
    """
    locs = pd.unique(assignment.to_numpy())
    # Without the zone table's attrs (its sources, kept for the outputs): pandas deep-copied
    # them at every column read, a third of the time naming took.
    dz = pd.DataFrame({c: dz[c] for c in ("datazone", "population", "iz", "iz_name", "ward", "ward_name",
                                          "urban_rural", "council_name", "income_count", "geometry") if c in dz},
                      copy=False)
    if "iz_name" not in dz:
        return pd.DataFrame({"name": [str(v) for v in locs], "places": ""}, index=locs)
    key = "iz" if "iz" in dz else "iz_name"
    # Runs of spaces in the official names ("Craigie and  Craigiebank") printed as they came.
    iz_all, name_all = dz[key].tolist(), [spaced(n) if isinstance(n, str) else n for n in dz["iz_name"]]
    row = dict(zip(dz["datazone"].tolist(), range(len(dz))))
    pop_all = np.nan_to_num(pd.to_numeric(dz["population"], errors="coerce").to_numpy(dtype=float)).tolist()
    # Whole IZ sizes come from the full zone table, so a part is known to be a part.
    iz_total = Counter(iz for iz in iz_all if not pd.isna(iz))
    # People and zones of each (locality, IZ) held; zones without an IZ (or a locality) name nothing.
    held: dict = {}
    ward_all = dz["ward_name"].tolist() if "ward_name" in dz else [None] * len(dz)
    in_ward: dict = {}  # locality -> Counter of people by ward
    iz_ward: dict = {}  # locality -> IZ name -> Counter of people by ward
    # Income-deprived people and residents by locality and IZ name (rule 10), where counted.
    poor_all = (pd.to_numeric(dz["income_count"], errors="coerce").to_numpy(dtype=float).tolist()
                if "income_count" in dz else None)
    iz_poor: dict = {}
    iz_people: dict = {}
    for loc, zone in zip(assignment.tolist(), assignment.index):
        r = row.get(zone)
        if r is None or pd.isna(loc) or pd.isna(iz_all[r]) or pd.isna(name_all[r]):
            continue
        acc = held.setdefault((loc, iz_all[r], name_all[r]), [0.0, 0])
        acc[0] += pop_all[r]
        acc[1] += 1
        in_ward.setdefault(loc, Counter())[ward_all[r]] += pop_all[r]
        iz_ward.setdefault(loc, {}).setdefault(str(name_all[r]), Counter())[ward_all[r]] += pop_all[r]
        if poor_all is not None and not np.isnan(poor_all[r]):
            iz_poor.setdefault(loc, Counter())[str(name_all[r])] += poor_all[r]
            iz_people.setdefault(loc, Counter())[str(name_all[r])] += pop_all[r]
    listed: dict = {}
    first: dict = {}
    people: dict = {}
    # Each locality's IZs, most people first (ties: by name, then as met).
    for (loc, iz, iz_name), (pop, n) in sorted(held.items(), key=lambda kv: (kv[0][0], -kv[1][0], kv[0][2])):
        listed.setdefault(loc, [])
        if str(iz_name) not in listed[loc]:
            listed[loc].append(str(iz_name))
            people.setdefault(loc, []).append(pop)
        first.setdefault(loc, []).append((iz, n))
    # IZ names over the whole table, once per IZ: a town's name stands for all its parts.
    iz_name_of = dict(zip(iz_all, name_all))
    iz_names = {str(name) for name in iz_name_of.values() if not pd.isna(name)}
    towns, urban = set(), frozenset()
    if "urban_rural" in dz:  # IZs where most people live in settlement zones (urban areas, small towns)
        share = pd.DataFrame({"name": name_all, "pop": pop_all, "settled": settlement(dz) * np.asarray(pop_all)})
        by = share.groupby("name")[["pop", "settled"]].sum()
        towns = set(by.index[by["settled"] > by["pop"] / 2].astype(str))
        # IZs every zone of which is in a settlement (urban-rural classes 1-4).
        rural = pd.Series(settlement(dz) == 0).groupby(pd.Series(name_all).astype(str).to_numpy()).any()
        urban = frozenset(rural.index[~rural.to_numpy()])
    ward_towns = _ward_places(dz)
    if adjacency is None:
        adjacency = _contiguity(dz)
    zone_town = town_zones(dz, adjacency)
    ward_sets = ward_place_sets(dz)
    ward_town = _wards_town(assignment, dz, zone_town)
    ward_named = _ward_named_towns(dz)
    across = _across_water(assignment, dz, adjacency)
    town_izs = _town_izs(iz_names & towns, ward_towns, _izs_in(dz, zone_town))
    # And the towns the IZ names say where no ward names them (Inverclyde's Gourock and Greenock).
    for town, izs in _iz_named_towns(dz, towns, ward_towns, set().union(*town_izs.values())).items():
        town_izs.setdefault(town, set()).update(izs)
    council_rate = 0.0  # the zone table's, over the zones with a count
    if poor_all is not None:
        poor, ok = np.asarray(poor_all), ~np.isnan(np.asarray(poor_all))
        council_rate = float(poor[ok].sum()) / max(float(np.asarray(pop_all)[ok].sum()), 1.0)
    deprived_at = deprived_places(iz_people, iz_poor, council_rate)
    names, places = {}, {}
    for loc, items in listed.items():
        places[loc] = SEPARATOR.join(items)
        parts = first[loc]
        if len(parts) == 1 and parts[0][1] < iz_total.get(parts[0][0], 0):
            names[loc] = f"Part of {items[0]}"
        else:
            whole = [all(n == iz_total.get(iz, 0) for iz, n in parts if str(iz_name_of[iz]) == item)
                     for item in items]
            # An IZ only partly held is "part of" it: Falkirk's "Carse and Grangemouth Old Town + 2
            # more" held the Carse's rural zones, and Grangemouth's Old Town was in another locality.
            partial = {item for item, w in zip(items, whole) if not w}
            # Each IZ's ward (where most of its people here live; the first of equals) and the
            # share of the locality's people in that ward.
            total = sum(people[loc]) or 1.0
            main_ward = {item: wards.most_common(1)[0][0] for item, wards in iz_ward.get(loc, {}).items()}
            ward_people = {item: in_ward[loc][ward] / total for item, ward in main_ward.items()}
            merged = _as_ward_town(items, people[loc], whole, ward_named)
            water = across.get(loc, set())
            # IZs across water are a town's sides when all of them are the place's ("Skye North
            # East", "Skye South", "Skye North West": Skye), as a town's settlement IZs are.
            counts: dict = {}
            made = _towns(*merged, iz_names, towns | water, urban, counts)
            # A place made of countryside IZs (Skye) is no settlement to put before the towns.
            rural = set(made) - set(_towns(*merged, iz_names, towns, urban)) if water else set()
            ordered = _prominent(made, ward_towns, towns, iz_names | rural, partial, ward_people)
            isles = [item for item in ordered if item in water or item not in iz_names and any(
                _town(n) == item or n.startswith(f"{item} ") for n in water)][:ISLANDS_SHOWN]
            # Rule 10: the place most of its income-deprived people live in, as an item of the list.
            focus = the_item(deprived_at[loc], ordered, iz_names) if loc in deprived_at else None
            town = ward_town.get(loc) or next(
                (t for t, izs in ward_named.items()
                 if sum(pop for item, pop in zip(items, people[loc]) if item in izs) >= WARD_TOWN_SHARE * total), None)
            shown = [f"part of {item}" if item in partial else item for item in ordered]
            # How the name is made, for rule 10 below: after a town's name, or a list saying ``say``.
            after, listing, say = None, shown, isles
            if town and not re.search(rf"\b{re.escape(town)}\b", places[loc]) and town not in merged[0]:
                # Most of its people live in wards named for a town no IZ name says: Perth's
                # flagged "Hillyland, Tulloch and Inveralmond + 6 more" is in Perth City North.
                after = town
                text = _after_town(town, shown, isles, limit)
            else:
                text = _listed(shown, isles, limit)
                # The places each IZ's ward names (where most of its people here live).
                elsewhere = {item: ward_sets.get(ward, frozenset()) for item, ward in main_ward.items()}
                by_town = _by_towns(ordered, counts, town_izs, towns, iz_names | rural, partial, total, text,
                                    elsewhere)
                if by_town != ordered and len(by_town) == 1 and by_town[0].startswith("part of "):
                    # All one town's, where no IZ name says it: "Dumfries: Shawhead, Troqueer and 2 more".
                    after = by_town[0].removeprefix("part of ")
                    text = _after_town(after, shown, isles, limit)
                elif by_town != ordered:
                    # The towns said, never "and N more" (the largest two): "Part of Hamilton / part
                    # of Blantyre + 1 more", not "Part of Hamilton and 2 more".
                    towns_said = [i for i in by_town if i.startswith("part of ")][:ISLANDS_SHOWN]
                    say = list(dict.fromkeys(isles + towns_said))
                    listing = [f"part of {item}" if item in partial else item for item in by_town]
                    text = _listed(listing, say, limit)
                    if re.fullmatch(r"part of [^,/+]+ and (?!part of |\d+ more)[^,/+]+", text, re.IGNORECASE):
                        # "Part of Stirling and Bannockburn" read as part of both: the whole
                        # places first, "Bannockburn and part of Stirling".
                        listing.sort(key=lambda item: item.startswith("part of "))
                        text = _listed(listing, say, limit)
                    # A town said ("part of Kilwinning") says the place in it.
                    focus = the_item(deprived_at[loc], [i.removeprefix("part of ") for i in by_town],
                                     iz_names) if loc in deprived_at else None
            if unsaid(focus, text):
                # Rule 10: Highland's "Inverness Ballifeary and Dalneigh + 4 more" hid Merkinch.
                text = (_after_town(after, shown, [*say, focus], limit) if after
                        else _listed(listing, [*say, focus], limit))
            names[loc] = capital(text)
    # A locality none of whose zones has an IZ name is named by its id (a blank name broke the
    # builder's ordering of ids, and reached maps as "nan").
    names = pd.Series(names, dtype=object).reindex(locs)
    names = names.where(names.notna(), pd.Series([str(v) for v in locs], index=locs, dtype=object))
    wards = ward_exact(assignment, dz)
    # A ward named like an Intermediate Zone another locality holds is said to be the ward:
    # North Ayrshire's "Irvine East" (the ward) beside "Irvine Central, Irvine East and 2 more"
    # (the IZ, in the Irvine West ward) read as one place in two localities.
    shown = {item for loc, items in listed.items() if loc not in wards.index for item in items
             if said(item, str(names.get(loc, "")))}  # IZ names printed in other localities' names
    for loc, ward in wards.items():
        if str(ward) in shown:
            wards[loc] = f"{ward} ward"
    names.loc[wards.index] = wards
    if len(locs) == 1 and "council_name" in dz:
        # One locality holding the whole council is the council (Orkney Islands at the
        # default): "Kirkwall, East Mainland and 3 more" named two of its places. Its council
        # is its zones', whether the zone table holds that council or all of Scotland.
        zones = set(assignment.index)
        held = dz.loc[dz["datazone"].isin(zones), "council_name"]
        if held.nunique() == 1 and set(dz.loc[dz["council_name"] == held.iloc[0], "datazone"]) <= zones:
            names.loc[locs[0]] = str(held.iloc[0])
    centres = None
    if "geometry" in dz and names.duplicated().any():
        pts = pd.DataFrame({"loc": assignment.to_numpy()})
        geom = gpd.GeoSeries(dz.geometry.to_numpy(), index=dz["datazone"].to_numpy()).reindex(assignment.index)
        rep = geom.representative_point()
        pts["x"], pts["y"] = rep.x.to_numpy(), rep.y.to_numpy()
        centres = pts.groupby("loc")[["x", "y"]].mean()
    names = _disambiguate(names, centres)
    out = pd.DataFrame({"name": names, "places": pd.Series(places, dtype=object)}).reindex(locs)
    out["places"] = out["places"].fillna("")
    return out
