"""Check a plan against the Community Planning (Locality Planning) (Scotland)
Regulations 2016 and s.9(1) of the Community Empowerment (Scotland) Act 2015.

Reg. 2(1): a locality must be (a) an electoral ward, or (b) an area whose population
is not over 30,000. s.9(1): the partnership divides the council area into localities,
so every zone of the council belongs to exactly one locality.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd

from . import geography
from .build import CEILING, GUIDANCE_SIZE, Plan, check_ceiling
from .zonetable import counted_table, reading
from .plans import expect_plan
from .errors import PlanError, counted, listing
from .names import locality_names
from .nearwards import (
    _beyond_ward,
    _difference,
    _named,
    _near_wards,
    _not_the_ward,
    _sliver_text,
    _ward_prefix,
)
from .vintages import counted_with, later_over

FEW = 1_000  # people: a Data Zone or two


@dataclass
class Report:
    """Outcome of :func:`check`.

    Attributes
    ----------
    ok : bool
        True when the plan complies: full cover, no overlaps, no foreign zones, and
        every locality a ward or at most 30,000 people.
    table : DataFrame
        One row per locality: ``locality, name, population, zones, is_ward, ward,
        qualifies`` (``"ward"``, ``"population"`` or ``"fails"``), ``parts``,
        ``wards_crossed`` (wards it has zones of), ``wards_split`` (of those, wards it
        holds only part of) and ``warnings``.
    problems : list of str
        Why the plan fails (empty when ``ok``).
    warnings : list of str
        Guidance points that do not make a plan fail (size over 10,000, localities
        splitting wards, islands and other detached parts).
    quality : dict
        Figures for comparing plans (see :func:`quality`).
    ceiling : int
        The population ceiling checked: the statutory 30,000 unless a local one was given.
    people : str
        The population estimates people were counted with, in words.
    council : str
        The council checked, by name (the plan's; ``--council`` "Edin" is City of Edinburgh).
    """

    ok: bool
    table: pd.DataFrame
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    quality: dict = field(default_factory=dict)
    ceiling: int = CEILING
    people: str = ""
    council: str = ""

    @property
    def statutory(self) -> bool:
        """True when this is a check against the 2016 Regulations' own ceiling of 30,000."""
        return self.ceiling == CEILING

    @property
    def verdict(self) -> str:
        """One line: complies or not, and against what."""
        n = f"({counted(len(self.table), 'locality', 'localities')})"
        if self.ceiling > CEILING:
            return (f"OUTSIDE THE 2016 REGULATIONS: checked against a non-statutory ceiling of {self.ceiling:,} "
                    f"(the Regulations allow {CEILING:,}); against it the plan {'meets' if self.ok else 'does not meet'} "
                    f"the test {n}")
        if self.ceiling < CEILING:
            return (f"{'MEETS' if self.ok else 'DOES NOT MEET'} a local ceiling of {self.ceiling:,} people, stricter "
                    f"than the 2016 Regulations' {CEILING:,} {n}")
        return f"{'COMPLIES' if self.ok else 'DOES NOT COMPLY'} with the 2016 Regulations {n}"

    def __str__(self) -> str:
        said = ([f"council: {self.council}"] if self.council else []) + (
            [f"people counted with the {self.people}"] if self.people else [])
        lines = [self.verdict] + ([f"  {'; '.join(said)}"] if said else [])
        lines += [f"  problem: {p}" for p in self.problems]
        lines += [f"  warning: {w}" for w in self.warnings]
        cols = ["locality", "name", "population", "zones", "qualifies", "parts", "wards_crossed", "wards_split"]
        lines.append(self.table[cols].to_string(index=False))
        return "\n".join(lines)


#: Why a ward's best-fit Data Zones lie in parts: East Ayrshire's Annick, on the mainland, had
#: read as "islands or detached areas".
WARD_PARTS = "islands, or a zone the lookup gives the ward apart from the rest"


def check(plan: Plan, dz: gpd.GeoDataFrame, max_population: int = CEILING, non_statutory: bool = False) -> Report:
    """Check a plan against the 2016 Regulations for its council.

    A locality is a ward when its zones are a ward's best-fit zones; also when it carries
    a ward's code or name, or its zones differ from a ward's only by boundary slivers
    (official ward polygons used as a plan move a few zones): then the difference is
    reported in ``warnings`` and the table. Where being the ward is what makes the
    locality lawful (over the ceiling), every zone added or missing must also lie at
    least a tenth (:data:`localities.nearwards.STRADDLE`) on that side of the ward's official boundary, read
    from the data directory's ward polygons: a ward with a neighbour's zones added is
    not the ward.

    Parameters
    ----------
    plan : Plan
    dz : GeoDataFrame
        Zones of the council (or of Scotland: the plan's council is taken from it).
    max_population : int
        The regulation's ceiling, 30,000. A lower one is a stricter local test; a higher
        one needs ``non_statutory=True`` and the report then says it is outside the
        Regulations.
    non_statutory : bool
        Allow ``max_population`` above 30,000.

    Returns
    -------
    Report
    """
    expect_plan(plan, dz, "check")
    check_ceiling(max_population, non_statutory)
    max_population = int(max_population)
    if "datazone" not in dz or "population" not in dz:
        raise PlanError("zone table needs 'datazone' and 'population' columns")
    if not isinstance(dz, gpd.GeoDataFrame):
        if "geometry" not in dz:
            raise PlanError("check needs the zones' polygons to count each locality's parts: pass the zone table from "
                            "localities.load_datazones, with its geometry")
        dz = gpd.GeoDataFrame(dz, geometry="geometry")  # a merge can leave a plain DataFrame holding them
    data_dir, used = dz.attrs.get("data_dir"), str(dz.attrs.get("population", "simd2020v2"))
    people_from = counted_with(dz.attrs)
    dz = counted_table(reading(dz, {"datazone", "population", "council", "council_name", "ward", "ward_name",
                                    "income_rank", "income_count", "iz", "iz_name", "urban_rural"}))
    assignment = plan.assignment
    codes = pd.Index(assignment.index.astype(str))
    known = dz.set_index("datazone")
    problems, warns = [], []

    council = plan.council
    if "council" in dz:
        in_table = codes[codes.isin(known.index)]
        if council is None and len(in_table):
            council = known.loc[in_table, "council"].mode().iloc[0]
        council_zones = known[known["council"] == council] if council is not None else known
    else:
        council_zones = known
    if "council" in dz and council is not None and not len(council_zones):
        held = sorted(known["council_name" if "council_name" in known else "council"].astype(str).unique())
        problems.append(f"the plan is for {plan.council_name or council}, but the zone table holds no zone of it "
                        f"(it holds {listing(held, 5)})")

    dup = codes[codes.duplicated()].unique()
    if len(dup):
        problems.append(f"{counted(len(dup), 'zone', 'zones')} assigned to more than one locality: {listing(dup)}")
    unknown = codes[~codes.isin(known.index)].unique()
    if len(unknown):
        problems.append(f"{counted(len(unknown), 'zone', 'zones')} not in the zone table: {listing(unknown)}")
    foreign = codes[codes.isin(known.index) & ~codes.isin(council_zones.index)].unique()
    if len(foreign):
        problems.append(f"{counted(len(foreign), 'zone', 'zones')} from another council: {listing(foreign)}")
    missing = council_zones.index.difference(codes)
    if len(missing):
        problems.append(f"{counted(len(missing), 'zone', 'zones')} of the council in no locality "
                        f"({int(council_zones.loc[missing, 'population'].sum()):,} people): {listing(missing)}")

    valid = assignment[codes.isin(council_zones.index) & ~codes.duplicated()]
    zones = council_zones.loc[valid.index]
    by = valid.to_numpy()
    table = pd.DataFrame({"population": zones["population"].groupby(by).sum(),
                          "zones": pd.Series(by).value_counts()})
    table.index.name = "locality"
    names = plan.localities.set_index("locality")["name"] if len(plan.localities) else pd.Series(dtype=str)
    table["name"] = [names.get(i, i) for i in table.index]

    # (a) a ward: the locality's zone set equals a ward's best-fit zone set.
    ward_sets, ward_members = {}, {}
    if "ward" in council_zones:
        for ward, members in council_zones.groupby("ward").groups.items():
            ward_sets[frozenset(members)] = ward
            ward_members[ward] = frozenset(members)
    loc_sets = {loc: frozenset(members) for loc, members in pd.Series(valid.index, index=by).groupby(level=0)}
    table["ward"] = [ward_sets.get(loc_sets[i]) for i in table.index]
    def made_names() -> dict:  # the names this package makes for the plan's localities
        return locality_names(pd.Series(by, index=valid.index), council_zones.reset_index())["name"].to_dict()

    near, strays, unverified = _near_wards(table, loc_sets, ward_members, council_zones, made_names,
                               limit=min(max_population, CEILING), beyond=_beyond_ward(data_dir, council_zones))
    for loc, (ward, *_) in near.items():
        table.loc[loc, "ward"] = ward
    table["is_ward"] = table["ward"].notna()
    table["qualifies"] = ["ward" if w else "population" if p <= min(max_population, CEILING)
                          else "non-statutory" if p <= max_population else "fails"
                          for w, p in zip(table["is_ward"], table["population"])]

    adjacency = geography.neighbours(zones.reset_index()) if len(zones) else {}
    if len(zones):  # a town's sides across a river are one part (Wick North and Wick South, 38 m apart)
        geography.add_links(adjacency, geography.river_links_of(zones.reset_index(), adjacency))
    table["parts"] = (geography.pieces(pd.Series(by, index=valid.index), adjacency).reindex(table.index).to_numpy()
                      if len(zones) else [])
    # Without a ward column there is nothing to cross: missing, not a made-up 1.
    table["wards_crossed"] = (zones["ward"].groupby(by).nunique().reindex(table.index) if "ward" in zones
                              else pd.Series(pd.NA, index=table.index, dtype="Int64"))
    # A locality crosses ward lines when it spans wards and holds part of one: whole wards
    # joined together (Orkney's six in one locality) or part of a single ward cut none.
    if "ward" in zones:
        held = zones.groupby([pd.Series(by, index=zones.index, name="locality"), "ward"]).size()
        whole = council_zones["ward"].value_counts()
        part = held < whole.reindex(held.index.get_level_values("ward")).to_numpy()
        table["wards_split"] = part.groupby(level="locality").sum().reindex(table.index).astype("Int64")
    else:
        table["wards_split"] = pd.Series(pd.NA, index=table.index, dtype="Int64")
    crosses = ~table["is_ward"] & (table["wards_crossed"].fillna(0) > 1) & (table["wards_split"].fillna(0) > 0)
    notes = []
    for loc, row in table.iterrows():
        w = []
        if row["qualifies"] == "population" and row["population"] > GUIDANCE_SIZE:
            w.append(f"over {GUIDANCE_SIZE:,} (guidance: often smaller communities)")
        if row["population"] < FEW:
            w.append(f"under {FEW:,} people (a Data Zone or two: wide intervals)")
        if crosses[loc]:
            w.append(f"crosses ward lines: part of {row['wards_split']} of its {row['wards_crossed']} wards")
        if row["parts"] > 1:
            w.append(f"its best-fit Data Zones in {row['parts']} parts ({WARD_PARTS})" if row["is_ward"]
                     else f"in {row['parts']} parts (islands or detached areas)")
        if row["qualifies"] == "non-statutory":
            w.append(f"over the statutory {CEILING:,} and not a ward: outside the Regulations")
        if loc in near:
            w.append(_sliver_text(row["ward"], *near[loc][1:], council_zones))
        notes.append("; ".join(w))
    table["warnings"] = notes

    failing = table[table["qualifies"] == "fails"]
    if len(failing):
        problems.append(too_big(failing.index, failing["name"], failing["population"], max_population))
        for loc in failing.index.intersection(list(strays)):
            problems.append(_not_the_ward(loc, table.at[loc, "name"], *strays[loc], council_zones))
    if max_population > CEILING:
        outside = table[table["qualifies"] == "non-statutory"]
        warns.insert(0, f"NON-STATUTORY ceiling of {max_population:,}: not a check against the 2016 Regulations "
                        f"(ceiling {CEILING:,}); {counted(len(outside), 'locality', 'localities')} over {CEILING:,} and not "
                        f"{'a ward is' if len(outside) == 1 else 'wards are'} outside them" + (f": {listing(map(_named, outside.index, outside['name']), width=None)}" if len(outside) else ""))
    later = later_over(table[table["qualifies"] == "population"], pd.Series(by, index=valid.index), data_dir, used,
                       min(max_population, CEILING))
    if later:
        warns.append(later)
    if near:
        whose = "its zones differing from the ward's" if len(near) == 1 else "their zones differing from the wards'"
        warns.append(f"{counted(len(near), 'locality', 'localities')} taken as {'a ward' if len(near) == 1 else 'wards'}, {whose} "
                     "best-fit zones: "
                     + listing((f"{loc if loc == ward else f'{loc} = ward {ward}'} ({_ward_prefix(ward, council_zones)}"
                                f"{how}: {_difference(a, m)}, {people:,} people in them)"
                                for loc, (ward, how, a, m, people) in near.items()), width=None))
    if unverified:
        warns.append(f"{counted(len(unverified), 'locality', 'localities')} over {min(max_population, CEILING):,} "
                     f"taken as {'a ward' if len(unverified) == 1 else 'wards'} without checking that "
                     f"{'its' if len(unverified) == 1 else 'their'} differing zones are cut by the ward boundary ("
                     f"{next(iter(unverified.values()))[1]}): "
                     + listing(map(_named, unverified, table.loc[list(unverified), "name"]), width=None))
    if len(table) == 1:
        # Legal (Orkney's 22,000 people under the ceiling), but s.9 asks which localities
        # fare worse than elsewhere in the area: one locality has no rest of the council.
        warns.insert(0, "1 locality for the whole council: there is no rest of the council to compare it with "
                        "(s.9 asks which localities have poorer outcomes than elsewhere in the area); "
                        f"propose with a target population (--target-population {GUIDANCE_SIZE}; "
                        f"target_population={GUIDANCE_SIZE} in Python) or the council's wards (--method wards; "
                        "method='wards') for several")
    big = table[(table["qualifies"] == "population") & (table["population"] > GUIDANCE_SIZE)]
    if len(big):
        # Wards are left out (their size is the ward's), and said to be: "1 locality over 10,000"
        # beside eight wards over it read as a miscount.
        wards = int((table["is_ward"] & (table["population"] > GUIDANCE_SIZE)).sum())
        warns.append(f"{counted(len(big), 'locality', 'localities')} over {GUIDANCE_SIZE:,} people (guidance, para 151)"
                     + (f", not counting {counted(wards, 'ward', 'wards')}" if wards else "") + ": "
                     + listing(map(_named, big.index, big["name"], big["population"]), width=None))
    few = table[table["population"] < FEW]
    if len(few):
        # Legal, but hardly a community to plan with, and its figures say little (East
        # Renfrewshire's Uplawmoor, 821 people, once a locality of its own).
        warns.append(f"{counted(len(few), 'locality', 'localities')} under {FEW:,} people, whose figures have wide "
                     "intervals: " + listing(map(_named, few.index, few["name"], few["population"]), width=None))
    crossing = table[crosses]
    if len(crossing):
        warns.append(f"{counted(len(crossing), 'locality', 'localities')} "
                     f"{'crosses' if len(crossing) == 1 else 'cross'} ward lines, holding part of a ward: " + listing(map(_named, crossing.index, crossing["name"]), width=None))
    detached = table[(table["parts"] > 1) & ~table["is_ward"].astype(bool)]
    if len(detached):
        warns.append(f"{counted(len(detached), 'locality', 'localities')} in more than one part (islands or detached areas): "
                     + listing(map(_named, detached.index, detached["name"]), width=None))
    wards_apart = table[(table["parts"] > 1) & table["is_ward"].astype(bool)]
    if len(wards_apart):
        warns.append(f"{counted(len(wards_apart), 'locality', 'localities')} that "
                     f"{'is a ward' if len(wards_apart) == 1 else 'are wards'}, whose best-fit Data Zones lie in more "
                     f"than one part ({WARD_PARTS}): "
                     + listing(map(_named, wards_apart.index, wards_apart["name"]), width=None))
    table = table.reset_index()[["locality", "name", "population", "zones", "is_ward", "ward", "qualifies",
                                 "parts", "wards_crossed", "wards_split", "warnings"]]
    names = council_zones["council_name"].dropna().astype(str).unique() if "council_name" in council_zones else []
    report = Report(ok=not problems, table=table, problems=problems, warnings=warns, ceiling=max_population,
                    people=people_from, council=names[0] if len(names) == 1 else "")
    if len(zones):
        report.quality = quality(plan, dz)
    return report


def too_big(codes, names, people, ceiling: int) -> str:
    """The problem with localities neither a ward nor at most ``ceiling`` people, each by
    code, name and people (a long name is clipped, never its people; a name that is its
    code said once: "Everyone (51,450 people)", not "Everyone Everyone (51,450)")."""
    return (f"{counted(len(codes), 'locality', 'localities')} neither a ward nor at most {ceiling:,} people: "
            + listing(map(_named, codes, names, people), width=None))


def quality(plan: Plan, dz: gpd.GeoDataFrame, attribute: str = "income_rank") -> dict:
    """Figures for comparing plans.

    Returns
    -------
    dict
        ``localities``; ``population_min``, ``population_max``, ``population_mean``;
        ``within_variance`` of ``attribute`` (zone-level, pooled: the sum of squared
        deviations from each locality's mean over the number of zones; lower is more
        homogeneous); ``mean_polsby_popper`` of the locality polygons (1 is a circle).
    """
    zones = dz.set_index("datazone")
    valid = plan.assignment[plan.assignment.index.isin(zones.index)]
    values = pd.to_numeric(zones.loc[valid.index, attribute], errors="coerce") if attribute in zones else None
    out = {
        "localities": int(len(plan.localities)),
        "population_min": int(plan.localities["population"].min()),
        "population_max": int(plan.localities["population"].max()),
        "population_mean": float(plan.localities["population"].mean()),
        "mean_polsby_popper": float(geography.polsby_popper(plan.localities.geometry).mean()),
    }
    if values is not None:
        dev = values - values.groupby(valid.to_numpy()).transform("mean").to_numpy()
        out["within_variance"] = float((dev**2).sum() / values.notna().sum())
        out["attribute"] = attribute
    return out
