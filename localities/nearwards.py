"""Localities taken as wards though their zones differ a little from the ward's best-fit
zones (official ward polygons used as a plan, another fit of zones to wards), and how
:func:`localities.check` names localities in its messages. (Split from
:mod:`localities.regulation`.)
"""

from __future__ import annotations

import math
from collections import Counter

import geopandas as gpd
import pandas as pd

from .boundaries import BNG
from .build import CEILING
from .errors import LocalitiesError, clip, listing

#: A zone that another fit of zones to wards could put into a ward (or leave out of it) has
#: at least this share of its area on that side of the ward's official boundary. Best fits
#: differ on the zones the boundary cuts: 818 of 6,976 zones have a fifth or more of their
#: area outside their lookup ward (2022 wards, ONS generalised); a zone wholly beyond it is
#: no one's fit of that ward.
STRADDLE = 0.1


def _difference(added, missing) -> str:
    """``"2 missing zones"``, ``"1 added, 3 missing zones"``: the parts that are not zero."""
    parts = ([f"{len(added)} added"] if added else []) + ([f"{len(missing)} missing"] if missing else [])
    return ", ".join(parts) + (" zone" if len(added) + len(missing) == 1 else " zones")


def _label(text) -> str:
    return " ".join(str(text).split()).casefold()


def _beyond_ward(data_dir, zones: pd.DataFrame):
    """``beyond(ward, added, missing)``: the zones of a difference from a ward that no fit of
    zones to the ward explains, as (added zones with less than :data:`STRADDLE` of their
    area inside its official polygon, missing ones with less outside it); or, when that
    cannot be told, why not (text). The polygons are read once, on first use, from the
    zone table's own data folder (never another's: its wards may be another vintage)."""
    polygons: dict = {}
    why: list = []

    def beyond(ward, added, missing):
        if not polygons and not why:
            if data_dir is None:
                why.append("the zone table does not say which data folder it came from")
            else:
                try:
                    from .load import load_boundaries

                    wards = load_boundaries("ward", data_dir=data_dir)
                    polygons.update(zip(wards["ward"], wards.geometry))
                except LocalitiesError as exc:
                    why.append(f"the ward boundaries could not be read: {exc}")
        if why:
            return why[0]
        if ward not in polygons:
            return f"ward {ward} is not in the ward boundaries"
        geoms = gpd.GeoSeries([zones.geometry[z] for z in sorted(added | missing)], index=sorted(added | missing),
                              crs=getattr(zones, "crs", None) or BNG)
        geoms = geoms.to_crs(BNG)  # the boundaries are read in British National Grid
        shape = polygons[ward]
        inside = {z: shape.intersection(g).area / g.area if g.area else 0.0 for z, g in geoms.items()}
        return {z for z in added if inside[z] < STRADDLE}, {z for z in missing if 1 - inside[z] < STRADDLE}

    return beyond


def _near_wards(table: pd.DataFrame, loc_sets: dict, ward_members: dict, council_zones: pd.DataFrame,
                made_names=None, limit: float = float("inf"), beyond=None) -> tuple[dict, dict]:
    """Localities that are not exactly a ward's best-fit zones but are that ward: they carry
    its code or name (the analyst's name, not one ``made_names()`` says this package made
    from the zones) and differ by at most a quarter of its zones, or (whatever their name)
    differ from the ward they overlap most by boundary slivers (at most a tenth of its zones,
    at least 2) holding one zone's people or at most a tenth of the ward's. A named one may
    differ by a quarter of the ward's people, but over the ceiling only by a fifth gained.
    Each ward goes to one locality, the closest. Every one must also have ``beyond(ward,
    added, missing)`` empty, where that can be told: no zone of the difference wholly (nine
    tenths) on the wrong side of the ward's official boundary; a locality over ``limit``
    people, lawful only as the ward, is refused, one under it is not the ward. Returns
    ``{locality: (ward, how, added zones, missing zones, people in them)}``; for the
    localities over ``limit`` refused that way, ``{locality: (ward, added zones outside it,
    missing zones inside it)}``; and for those over ``limit`` taken as the ward without that
    test (the boundaries could not be read), ``{locality: (ward, why not)}``."""
    if not ward_members:
        return {}, {}, {}
    labels = {_label(w): w for w in ward_members}
    if "ward_name" in council_zones:
        for ward, name in council_zones.groupby("ward")["ward_name"].first().items():
            labels.setdefault(_label(name), ward)
    taken = set(table["ward"].dropna())
    pop = council_zones["population"]
    ward_of = {z: w for z, w in zip(council_zones.index, council_zones["ward"]) if not pd.isna(w)}
    found, refused, unverified = [], {}, {}
    made = None
    for loc, name in zip(table.index[table["ward"].isna()], table.loc[table["ward"].isna(), "name"]):
        members = loc_sets[loc]
        named = labels.get(_label(loc)) or labels.get(_label(name))
        if named and not labels.get(_label(loc)) and made_names is not None:
            # A name this package made from the zones is not the analyst saying "this is the
            # ward": West Lothian's "Linlithgow" (its town's IZs), 2,556 people short of the
            # Linlithgow ward, was reported as the ward.
            made = made_names() if made is None else made
            if str(made.get(loc)) == str(name):
                named = None
        # The ward holding most of its zones (ties: the one met first in code order).
        overlap = Counter(ward_of[z] for z in sorted(members) if z in ward_of).most_common(1)
        ward = named or (overlap[0][0] if overlap else None)
        if ward is None or ward in taken:
            continue
        added, missing = members - ward_members[ward], ward_members[ward] - members
        size = len(ward_members[ward])
        most = max(3, math.ceil(0.25 * size)) if named else max(2, math.ceil(0.1 * size))
        # Slivers are few people too (one zone, or a tenth of the ward's): Forfar's 3 zones
        # short of its ward of 21 were 1,878 of its 15,910 people, a different area and not
        # the ward's polygon drawn a little off.
        moved = pop[sorted(added | missing)].sum()
        ward_people = pop[sorted(ward_members[ward])].sum()
        if named:
            # Official ward polygons differ from the best-fit zones by up to a fifth of a ward's
            # people (Clackmannanshire: 17-23%; Glasgow's Hillhead gains 16% to 30,863), so a
            # quarter; but a locality over the ceiling must have gained less than that: Glasgow's
            # Anderston/City/Yorkhill code on 42,420 people, 9,894 (30%) added, passed as the ward.
            gained = pop[sorted(added)].sum()
            small = moved <= 0.25 * ward_people and (table.at[loc, "population"] <= CEILING
                                                     or gained <= 0.2 * ward_people)
        else:
            small = len(added | missing) == 1 or moved <= 0.1 * ward_people
        if len(added) + len(missing) <= most and len(added) < len(members) and small:
            wrong = beyond(ward, added, missing) if beyond is not None else "no ward boundaries were given"
            if table.at[loc, "population"] > limit:
                if isinstance(wrong, str):  # cannot tell: taken as the ward, as before, and said
                    unverified[loc] = (ward, wrong)
                elif any(wrong):
                    refused[loc] = (ward, *wrong)
                    continue
            elif not isinstance(wrong, str) and any(wrong):
                # Under the ceiling it qualifies by its people, and is not said to be the ward:
                # Midlothian's "Penicuik" (its four IZs, 13,915 people, across two wards) was
                # "the Penicuik ward by its name", and lost the guidance's size warning.
                continue
            # How it is known for the ward, as the reports print it ("Doon Valley; by its name: ...").
            how = ("by its code" if _label(loc) == _label(ward) or _label(name) == _label(ward) else "by its name") \
                if named else "by zones its boundary cuts" if not isinstance(wrong, str) \
                else "by a few zones (its boundary not read)"
            found.append((len(added) + len(missing), str(loc), loc, ward, how, added, missing, int(moved)))
    near = {}
    for _, _, loc, ward, how, added, missing, people in sorted(found, key=lambda f: f[:2]):
        if ward not in taken:
            taken.add(ward)
            near[loc] = (ward, how, added, missing, people)
    return near, refused, {loc: v for loc, v in unverified.items() if loc in near}


def _not_the_ward(loc, name, ward, added, missing, zones: pd.DataFrame) -> str:
    """Why a locality over the ceiling, near a ward's zones, is not taken as the ward."""
    ward_text = f"the {_ward_label(ward, zones)} ward" if _ward_label(ward, zones) != str(ward) else f"ward {ward}"
    why = " and ".join(
        ([f"it adds {listing(sorted(added), 4)}, {'nine tenths or more' if len(added) == 1 else 'each nine tenths or more'} outside the ward's boundary"] if added else [])
        + ([f"it leaves out {listing(sorted(missing), 4)}, {'nine tenths or more' if len(missing) == 1 else 'each nine tenths or more'} inside "
            f"{'it' if added else 'the ward' + chr(39) + 's boundary'}"] if missing else []))
    return f"{_named(loc, name)} is not {ward_text}: {why}"


def _named(code, name, people=None) -> str:
    """``"S13003065 (Highland Perthshire)"``: a locality by its id and, where it differs, its
    name; with ``people``, ``"R08 (Kilmarnock North, 10,044 people)"``. A name is cut only
    past :data:`NAME_CLIP` characters: the package's own run to 64 ("... Ravenscraig + 1 mo…"
    at 60)."""
    tail = f"{int(round(float(people))):,} people" if people is not None else ""  # never "13,247.0"
    if str(name) == str(code):
        return f"{code} ({tail})" if tail else str(code)
    return f"{clip(code)} ({clip(name, NAME_CLIP)}{', ' + tail if tail else ''})"


#: Longest locality name a message prints whole (an analyst's own may be longer).
NAME_CLIP = 80


def _ward_label(ward, zones: pd.DataFrame) -> str:
    """The ward's name where the zone table gives one, else its code."""
    names = zones.loc[zones["ward"] == ward, "ward_name"].dropna() if "ward_name" in zones else ()
    return str(names.iloc[0]) if len(names) else str(ward)


def _ward_prefix(ward, zones: pd.DataFrame) -> str:
    """``"Forfar and District; "`` when the zone table names the ward, else ``""``."""
    label = _ward_label(ward, zones)
    return f"{label}; " if label != str(ward) else ""


def _sliver_text(ward, how, added, missing, people: int, zones: pd.DataFrame) -> str:
    parts = ([f"+{listing(sorted(added), 3)}"] if added else []) + ([f"-{listing(sorted(missing), 3)}"] if missing else [])
    return clip(f"ward {ward} {_ward_label(ward, zones)} ({how}); zones differ from its best-fit zones by "
                f"{len(added) + len(missing)} ({people:,} people): {' '.join(parts)}", 200)
