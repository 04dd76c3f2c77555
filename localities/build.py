"""Build candidate localities: wards, Intermediate Zones, population-capped regions,
or a plan the analyst supplies.

A :class:`Plan` says which locality each Data Zone belongs to, and carries the
dissolved locality polygons with their names, populations and zone counts.

The region builder (``method="regions"``) is ours, because no packaged Python
regionaliser supports a population *ceiling* (spopt's max-p and SKATER take floors).
It works in steps, all deterministic for a given seed:

0. **Building blocks.** Whole Intermediate Zones by default (``unit="iz"``), cut only
   by ``within=`` lines or when one alone exceeds the ceiling; every step below works
   on blocks with their zones' sums, so the objective is the zone-level one.
1. **Tree partition.** A minimum spanning tree of the block contiguity graph, with edges
   weighted by the difference in the chosen attribute, in settlement/rural class
   (``town_country``) plus centroid distance, is cut
   recursively. Each cut is the tree edge whose two sides best match whole numbers
   of target-sized localities while leaving least attribute variance inside them. A
   piece is only left uncut once its population is at most the ceiling, so the
   ceiling holds by construction (except for a single zone that alone exceeds it,
   which is reported).
2. **Search over boundary moves** (:mod:`localities.search`). Blocks on region
   boundaries move to a neighbouring region to lower the objective: within-region
   attribute variance, settlement/rural mixing, spatial spread (compactness) and
   deviation from the target size, never breaking contiguity, the ceiling or
   ``within=`` lines. ``search="anneal"`` (default) anneals first, accepting some
   worsening moves while a temperature cools, so the plan escapes the first local
   optimum, then descends; ``"descent"`` takes improving moves only (the fast setting),
   best first and block by block, and keeps the better of the two.
   The annealing's random stream is fixed: the seed only breaks exact ties (in the
   spanning tree), so plans barely change from seed to seed.
3. **Towns kept whole** (``towns=True``). A town (a connected set of settlement zones,
   urban-rural classes 1-4) no bigger than one locality whose IZs the plan divides has
   those IZs joined into one block, which starts in the region holding most of its
   people; the plan then descends from there, so it changes only near the town (or,
   when that start breaks contiguity or the ceiling, the regions that held the town are
   built again among themselves by steps 1-2). A plan that divides no such town is left
   as it is.

Names come from :mod:`localities.names`.
"""

from __future__ import annotations

from collections import Counter

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from . import geography, regions
from .errors import CONTROL, PlanError, clip, counted, listing, plain
from .names import is_code, join_names, locality_names
from .plans import Plan  # defined with its readers; localities.build.Plan still works
from .search import SEARCHES
from .zonetable import _closest, _one_council, _zones, _zones_word, counted_table, reading  # noqa: F401 (re-exported)

CEILING = 30_000
GUIDANCE_SIZE = 10_000
METHODS = ("regions", "wards", "iz")
UNITS = ("iz", "datazone")


class Facts(dict):
    """Facts about a plan's localities kept in a table's ``attrs`` and never changed: pandas
    deep-copies ``attrs`` at every row or column read (a map reads thousands), and copying
    these cost Glasgow City's map at 5,000 a second; a copy is the same object."""

    def __deepcopy__(self, memo):
        return self


def _assignment(assignment) -> pd.Series:
    """The zone-to-locality mapping as a Series of text, refused where it cannot be one: not a
    Series or mapping, a zone without a locality, a zone given twice (381 people were counted
    twice in a plan's population)."""
    from collections.abc import Mapping

    if isinstance(assignment, Mapping):
        assignment = pd.Series(assignment, dtype=object)
    if not isinstance(assignment, pd.Series):
        raise PlanError(f"assignment must be a pandas Series (or a dict) of locality by zone code, not "
                        f"{type(assignment).__name__}")
    blank = assignment.isna() | assignment.astype(str).str.strip().eq("")
    if blank.any():
        raise PlanError(f"assignment gives no locality for {counted(int(blank.sum()), 'zone', 'zones')}: "
                        f"{listing(assignment.index[blank].astype(str))}; name their locality or leave them out")
    twice = assignment.index.duplicated(keep=False)
    if twice.any():
        raise PlanError(f"assignment lists {counted(len(set(assignment.index[twice])), 'zone', 'zones')} more than once: "
                        f"{listing(sorted(set(assignment.index[twice].astype(str))))}")
    return assignment.astype(str).rename("locality").rename_axis("datazone").sort_index()


def plan_from_assignment(
    dz: gpd.GeoDataFrame,
    assignment: pd.Series,
    names: pd.Series | None = None,
    method: str = "supplied",
    params: dict | None = None,
    links: pd.DataFrame | None = None,
    notes: list[str] | None = None,
    _named: pd.DataFrame | None = None,
) -> Plan:
    """Make a :class:`Plan` from a zone-to-locality mapping.

    ``assignment`` is indexed by zone code; zones of ``dz`` it does not name are left
    out of the localities (and reported by :func:`localities.check`).

    Each locality's name is, in order: its entry in ``names``; its id when the id is
    itself a name (``"Kirkwall"``, not a code like ``"R01"`` or ``"12"``); else a name
    made by :func:`localities.names.locality_names` (ward-exact, IZ names). The
    ``places`` column lists its Intermediate Zones, largest population first.
    """
    dz = _zones(dz)
    assignment = _assignment(assignment)
    notes = list(notes or [])
    # Control characters in an analyst's ids or names (terminal escape codes, line breaks) went
    # to the console, the tables and the maps as they were: each run is a space.
    given = {} if names is None else {str(k): str(v) for k, v in names.items() if pd.notna(v)}
    ids = pd.unique(assignment.to_numpy())
    marked = [text for text in [*ids, *given.values()] if CONTROL.search(text)]
    if marked:
        clean = {loc: plain(loc).strip() for loc in ids}
        blank = sorted(repr(loc) for loc, text in clean.items() if not text)
        if blank:  # an id of escape codes alone became a locality called ''
            raise PlanError(f"locality ids of control characters only (tabs, line breaks, escape codes): {listing(blank)}")
        counts = Counter(clean.values())
        if len(counts) < len(clean):
            raise PlanError(f"locality ids differing only in control characters (tabs, line breaks, escape codes): "
                            f"{listing(sorted(repr(loc) for loc in ids if counts[clean[loc]] > 1))}")
        assignment = assignment.map(clean)
        given = {clean.get(k, plain(k).strip()): plain(v).strip() for k, v in given.items()}
        notes.append(f"{counted(len(marked), 'locality id or name holds', 'locality ids or names hold')} control "
                     "characters (tabs, line breaks or a terminal's escape codes): each run is printed as a space")
    # Rows of the zones the assignment names, in its (code) order; others are left out.
    rows = pd.Index(dz["datazone"]).get_indexer(assignment.index)
    by = assignment[rows >= 0]
    rows = rows[rows >= 0]
    # ``_named``: propose() has just made these names for the same localities.
    named = _named if _named is not None else locality_names(by, dz)
    given = {k: v.strip() for k, v in given.items() if v.strip()}
    # The analyst's names win; then a locality id that is itself a name ("Kirkwall", not "R01");
    # then a name made from the locality's wards and Intermediate Zones.
    names = {loc: given.get(str(loc)) or (str(loc) if not is_code(str(loc)) else named["name"].get(loc, str(loc)))
             for loc in named.index}
    try:
        geoms = geography.dissolve(dz.geometry.iloc[rows], by)  # index: the localities, sorted
    except shapely.errors.GEOSException as exc:  # invalid polygons: name them, not GEOS's coordinates
        bad = dz.loc[~dz.geometry.is_valid, "datazone"]
        raise PlanError(f"{_zones_word(~dz.geometry.is_valid)} with an invalid polygon (self-intersecting or "
                        f"similar), so localities cannot be drawn: {listing(bad)}; repair {'it' if len(bad) == 1 else 'them'} "
                        "(shapely.make_valid) or load the zones with load_datazones") from exc
    ids = geoms.index
    population = dz["population"].iloc[rows]
    localities = gpd.GeoDataFrame({
        "locality": ids.to_numpy(),
        "name": [str(names.get(loc, loc)) for loc in ids],
        "population": population.groupby(by.to_numpy()).sum().reindex(ids).to_numpy().astype(population.dtype),
        "zones": by.value_counts().reindex(ids).to_numpy(),
        "places": named["places"].reindex(ids).fillna("").to_numpy(),
    }, geometry=geoms.to_numpy(), crs=dz.crs)
    localities.attrs["label_points"] = Facts(geography.label_points(geoms, dz.geometry.iloc[rows], population, by))
    if "ward_name" in dz:
        # Each locality's people by ward, for a town inset's title (ward names carry towns
        # that IZ names do not: Kilmarnock, Stirling).
        wards = population.groupby([by.to_numpy(), dz["ward_name"].iloc[rows].astype(str).to_numpy()]).sum()
        localities.attrs["ward_people"] = Facts({loc: {w: int(p) for (_, w), p in part.items()}
                                                 for loc, part in wards.groupby(level=0)})
    council = council_name = None
    if "council" in dz and dz["council"].iloc[rows].nunique() == 1:
        # A zone table without council names (an analyst's own) names the council by its code.
        council = dz["council"].iloc[rows[0]]
        council_name = dz["council_name"].iloc[rows[0]] if "council_name" in dz else council
    return Plan(assignment=assignment, localities=localities, council=council, council_name=council_name,
                method=method, params=params or {},
                links=links if links is not None else Plan.__dataclass_fields__["links"].default_factory(),
                notes=notes)


# ---------------------------------------------------------------------------- propose

def _distance(metres: float) -> str:
    """``"38 m"`` under a kilometre, else ``"10.3 km"``."""
    return f"{metres:,.0f} m" if metres < 1000 else f"{metres / 1000:,.1f} km"


def check_ceiling(max_population, non_statutory: bool = False) -> None:
    """Refuse a ceiling that is not a positive whole number, or one above the statutory
    30,000 unless ``non_statutory`` says it is a deliberate local choice."""
    if isinstance(max_population, bool) or not isinstance(max_population, (int, float, np.integer, np.floating)):
        raise PlanError(f"max_population must be a number of people, not {max_population!r}")
    if not np.isfinite(max_population) or max_population <= 0 or max_population != int(max_population):
        raise PlanError(f"max_population must be a positive whole number of people, not {max_population!r}")
    if max_population > CEILING and not non_statutory:
        raise PlanError(f"max_population={int(max_population):,} is above the statutory ceiling of {CEILING:,} "
                        "(2016 Regulations, reg. 2(1)(b)); localities over it are outside the Regulations unless "
                        "they are wards. Pass non_statutory=True (--non-statutory) to use it as a local choice anyway")


def _check_options(**options) -> None:
    """Validate numeric options up front, naming the option and what it accepts."""
    target = options.get("target_population")
    if target is not None:
        if (isinstance(target, bool) or not isinstance(target, (int, float, np.integer, np.floating))
                or not np.isfinite(target) or target != int(target) or target < 1):
            raise PlanError(f"target_population must be a whole number of people of at least 1, not {target!r}")
    seed = options.get("seed")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise PlanError(f"seed must be a whole number 0 or more, not {seed!r}")
    for key in ("homogeneity", "compactness", "town_country"):
        value = options.get(key)
        if (isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating))
                or not np.isfinite(value) or value < 0):
            raise PlanError(f"{key} must be a finite number 0 or more, not {value!r}")


def propose(
    dz: gpd.GeoDataFrame,
    method: str = "regions",
    max_population: int = CEILING,
    target_population: int | None = None,
    within: str | None = None,
    attribute: str | None = "income_rank",
    seed: int = 0,
    homogeneity: float = 1.0,
    compactness: float = 1.0,
    refine: bool = True,
    unit: str = "iz",
    town_country: float = 1.0,
    towns: bool = True,
    non_statutory: bool = False,
    search: str = "anneal",
) -> Plan:
    """Propose candidate localities for one council.

    Parameters
    ----------
    dz : GeoDataFrame
        The council's Data Zones (from :func:`localities.load_datazones`).
    method : {"regions", "wards", "iz"}
        Contiguous population-capped regions, the council's wards (best-fit zones), or
        its Intermediate Zones.
    max_population : int
        Hard ceiling for a region (regulation 2(1)(b): 30,000).
    target_population : int, optional
        Preferred size; the number of regions aimed at is ``max(ceil(P / max), round(P / target))``
        (without it, ``ceil(P / max)``, the fewest the ceiling allows). Whole blocks seldom
        pack exactly, so a plan can have more; ``plan.notes`` then says so.
    within : {"ward", "iz"} or column name, optional
        Never cross these lines: every region lies inside one ward (or IZ, ...).
    attribute : str or None
        Column whose values regions should keep homogeneous (SIMD income rank by default),
        so deprived neighbourhoods are not averaged away. ``None``, or zones without
        ``income_rank`` (the 2022 vintage), group by size and compactness only (noted).
    seed : int
        Breaks exact ties only; same input and seed give the same plan, and different
        seeds give the same plan unless the objective has exact ties.
    homogeneity, compactness : float
        Weights of attribute variance and spatial spread in the refinement.
    refine : bool
        Move blocks across region boundaries after the tree partition (``False``: the
        tree partition as it is).
    search : {"anneal", "descent"}
        How blocks are moved: simulated annealing, then descent (default; about 0.1-0.5 s
        a council from whole Intermediate Zones), or improving moves only (faster, and
        usually a more mixed plan): best first and block by block from the same start,
        the plan with the lower objective kept.
    unit : {"iz", "datazone"}
        Building blocks of ``method="regions"``: whole Intermediate Zones (default),
        split only where one alone exceeds ``max_population`` or ``within`` lines cut
        it (both said in ``plan.notes``); or single Data Zones. Zones without an
        ``iz`` column are built from Data Zones (noted).
    town_country : float
        Weight on keeping settlements (urban-rural classes 1-4: urban areas and small
        towns) apart from rural zones (5-6), via the ``urban_rural`` column; 0 ignores
        it. ``plan.notes`` says how many localities still mix the two.
    towns : bool
        With whole Intermediate Zones, keep a town no bigger than one locality (a
        connected set of settlement zones with at most ``target_population`` people, or
        the average locality's without a target) in one locality: where the search
        divides such a town along its own IZs (Stornoway East and West), those IZs are
        joined into the region holding most of the town and the plan is repaired around
        them (said in ``plan.notes``). ``False`` leaves the search's plan as it is.

    non_statutory : bool
        Allow ``max_population`` above the statutory 30,000: a local, non-statutory
        option; the plan's notes then say its localities may be outside the Regulations.

    Returns
    -------
    Plan
    """
    if method not in METHODS:
        raise PlanError(f"method must be one of {', '.join(METHODS)}, not {method!r}")
    check_ceiling(max_population, non_statutory)
    _check_options(target_population=target_population, max_population=max_population, seed=seed,
                   homogeneity=homogeneity, compactness=compactness, town_country=town_country)
    if within is not None and not isinstance(within, str):
        raise PlanError(f"within must be a column name such as 'ward' or 'iz', not {within!r}")
    if attribute is not None and not isinstance(attribute, str):
        raise PlanError(f"attribute must be one column name such as 'income_rank' (or None), not {attribute!r}")
    notes: list[str] = []
    dz = _zones(dz, notes)
    columns = list(dz.columns)  # all of them, for suggestions when a named column is missing
    dz = reading(dz, {"datazone", "name", "population", "council", "council_name", "iz", "iz_name", "ward",
                      "ward_name", "urban_rural", "income_count", within, attribute})
    dz = dz.sort_values("datazone").reset_index(drop=True)
    if len(dz) == 0:
        raise PlanError("no zones to build localities from")
    _one_council(dz)
    params = {"method": method, "max_population": max_population, "target_population": target_population,
              "within": within, "attribute": attribute, "seed": seed}
    if method in ("wards", "iz"):
        code, name = ("ward", "ward_name") if method == "wards" else ("iz", "iz_name")
        for col in (code, name):
            if col not in dz:
                raise PlanError(f"zone table has no {col!r} column, needed for method={method!r}")
        if dz[code].isna().any():
            raise PlanError(f"{code} code missing for {_zones_word(dz[code].isna())} "
                            f"{listing(dz.loc[dz[code].isna(), 'datazone'])}; method={method!r} needs every zone's "
                            f"{'ward' if code == 'ward' else 'Intermediate Zone'} (load_datazones gives them)")
        assignment = pd.Series(dz[code].to_numpy(), index=dz["datazone"])
        names = dz.drop_duplicates(code).set_index(code)[name]
        # Options of the region builder do nothing here: say so rather than drop them silently.
        unused = [f"{key}={value!r}" for key, value in (("target_population", target_population), ("within", within))
                  if value is not None]
        notes += [f"{' and '.join(unused)} not used: method={method!r} takes the council's "
                  f"{'wards' if method == 'wards' else 'Intermediate Zones'} as they are"] if unused else []
        return plan_from_assignment(dz, assignment, names=names, method=method, params=params, notes=notes)

    if unit not in UNITS:
        raise PlanError(f"unit must be one of {', '.join(UNITS)}, not {unit!r}")
    if search not in SEARCHES:
        raise PlanError(f"search must be one of {', '.join(SEARCHES)}, not {search!r}")
    if max_population <= 0:
        raise PlanError(f"max_population must be positive, not {max_population}")
    if target_population is not None and not 0 < target_population <= max_population:
        raise PlanError(f"target_population must be between 1 and max_population ({max_population}), not {target_population}")
    group_col = {"ward": "ward", "iz": "iz"}.get(within, within)
    if group_col is not None and group_col not in dz:
        hint = _closest(group_col, columns) or "; use 'ward', 'iz' or a column of the zone table"
        raise PlanError(f"within={within!r}: zone table has no {group_col!r} column{hint}")
    if group_col is not None and group_col == dz.geometry.name:
        raise PlanError(f"within={within!r}: the geometry cannot be a grouping; use a column of labels such as 'ward' or 'iz'")
    if group_col is not None and dz[group_col].isna().any():
        raise PlanError(f"within={within!r}: column {group_col!r} is missing for {_zones_word(dz[group_col].isna())} "
                        f"{listing(dz.loc[dz[group_col].isna(), 'datazone'])}; fill it or choose another column")
    if not isinstance(towns, (bool, np.bool_)):
        raise PlanError(f"towns must be True or False, not {towns!r}")
    params.update(unit=unit, town_country=town_country, search=search if refine else None)
    if not towns:
        params["towns"] = False
    if max_population > CEILING:
        params["non_statutory"] = True
        notes.append(f"NON-STATUTORY ceiling of {int(max_population):,} (above the 2016 Regulations' {CEILING:,}): "
                     "localities over 30,000 that are not wards are outside the Regulations")
    if attribute is None or (attribute == "income_rank" and attribute not in dz):
        # Zones without SIMD (the 2022 vintage, an analyst's own table): group by size and shape only.
        notes.append("no income_rank column (no SIMD on these zones): regions grouped by size and compactness only"
                     if attribute is not None else "attribute=None: regions grouped by size and compactness only")
        values = pd.Series(0.0, index=dz.index)
    elif attribute not in dz:
        ranks = [c for c in ("income_rank", "simd_rank", "employment_rank", "health_rank") if c in columns]
        raise PlanError(f"attribute {attribute!r} is not a column of the zone table"
                        + (_closest(attribute, columns) or (f"; it is a numeric column such as {', '.join(ranks)}"
                                                            if ranks else "")))
    else:
        values = pd.to_numeric(dz[attribute], errors="coerce")
        if values.isna().all() and dz[attribute].notna().any():
            # Text ("name"): every zone would be "missing" and the note would mislead.
            raise PlanError(f"attribute {attribute!r} holds no numbers; give a numeric zone column such as "
                            "'income_rank' (or None to group by size and compactness only)")
    if values.isna().any():
        notes.append(f"{attribute} missing for {counted(int(values.isna().sum()), 'zone', 'zones')} "
                     f"({listing(dz.loc[values.isna(), 'datazone'])}); "
                     "they were treated as the council mean when grouping")
        values = values.fillna(values.mean() if values.notna().any() else 0.0)
    sd = values.std(ddof=0)
    z = ((values - values.mean()) / sd).to_numpy() if sd > 0 else np.zeros(len(dz))
    settled = regions.settlement(dz)
    pop = dz["population"].to_numpy(dtype=float)
    centre = dz.geometry.representative_point()
    xy = np.column_stack([centre.x, centre.y])
    over = dz.loc[pop > max_population, "datazone"]
    if len(over):
        one = len(over) == 1
        # Against a ceiling below the statutory one the plan can still comply: say which test
        # fails (Falkirk at 500: "fails the population test", then "COMPLIES").
        fails = ("fails the population test unless it is a ward" if max_population >= CEILING else
                 f"over the ceiling asked for (under the Regulations' {CEILING:,})")
        notes.append(f"{counted(len(over), 'zone', 'zones')} alone {'exceeds' if one else 'exceed'} the ceiling of "
                     f"{max_population:,}: {'it is a locality' if one else 'each is a locality'} of its own, {fails}: "
                     f"{listing(over)}")

    unit_col = "iz" if unit == "iz" else None
    if unit_col and unit_col not in dz:
        notes.append("no 'iz' column: regions built from Data Zones (unit='datazone')")
        unit_col = None
    if unit_col and dz[unit_col].isna().any():
        blank = dz.loc[dz[unit_col].isna(), "datazone"]
        notes.append(f"{counted(len(blank), 'zone has', 'zones have')} no Intermediate Zone code, so each is a "
                     f"building block of its own: {listing(blank)}")
    # Islands are linked the same way from either unit (an IZ's detached parts to each
    # other first), so Data Zone and whole-IZ plans stand on one zone graph.
    block, adjacency, links, splits = geography.building_blocks(
        dz, geography.neighbours(dz), unit=unit_col, group=group_col, ceiling=max_population,
        link_within="iz" if "iz" in dz else None)
    if len(links):
        # By the zones' names ("Wick North - 03 to Wick South - 01, 38 m"): "S01007284->S01007285
        # (10.3 km)" said nothing to a reader.
        called = ({z: str(n) for z, n in zip(dz["datazone"], dz["name"]) if pd.notna(n) and str(n).strip()}
                  if "name" in dz else {})
        notes.append(f"{counted(len(links), 'link', 'links')} made to join islands, detached parts and a town's "
                     "sides across water to their nearest zone: "
                     + listing((f"{clip(called.get(a, a), 40)} to {clip(called.get(b, b), 40)} ({_distance(d)})"
                                for a, b, d in links[["zone", "linked_to", "distance_m"]].itertuples(index=False)),
                               width=None))
    iz_names = (dz[["iz", "iz_name"]].drop_duplicates("iz").set_index("iz")["iz_name"]
                if unit_col and "iz_name" in dz and (splits["ceiling"] or splits["group"]) else None)
    for kind, why, why_one in (
            ("ceiling", f"alone exceed the ceiling of {max_population:,} and were built from their Data Zones",
             f"alone exceeds the ceiling of {max_population:,} and was built from its Data Zones"),
            ("group", f"cross the {within} lines regions must stay within (within={within!r}), so each was split "
                      "along them",
             f"crosses the {within} lines regions must stay within (within={within!r}), so it was split along them")):
        if splits[kind]:
            named = regions.labels_of(splits[kind], iz_names)
            notes.append(f"1 Intermediate Zone {why_one}: {named[0]}" if len(named) == 1 else
                         f"{len(named)} Intermediate Zones {why}: {listing(named, most=len(named))}")
    weights = (homogeneity, compactness, town_country, refine, search)
    stats = regions.block_stats(block, pop, z, settled, xy)
    block_labels, asked = regions.label_blocks(block, adjacency, dz, stats, group_col, max_population,
                                               target_population, seed, *weights)
    if unit_col and towns:
        # A town no bigger than a locality is not divided along its own Intermediate Zones: where
        # the plan did (Stornoway East and West at 10,000), its IZs become one block and the plan
        # is repaired near the town. Plans that divide no such town are unchanged.
        size = target_population or pop.sum() / regions.aimed_count(pop.sum(), max_population, None)
        town = regions.town_blocks(block, dz, geography.neighbours(dz), settled, size,
                                   dz[group_col].astype(str).to_numpy() if group_col else None)
        known = town >= 0
        # A town is divided when its blocks carry more than one region label.
        pairs = np.unique(np.column_stack([town[known], block_labels[known]]), axis=0)
        divided = np.unique(pairs[1:, 0][pairs[1:, 0] == pairs[:-1, 0]])
        if len(divided):
            joined = [sorted(dz["iz"].to_numpy()[np.isin(block, np.flatnonzero(town == t))].astype(str).tolist())
                      for t in divided]
            joined_block = regions.join_blocks(block, dz, town, divided)
            touched = np.unique(block_labels[np.isin(town, divided)])
            # Repair, not rebuild: each new block starts in the region holding most of its people.
            held = pd.DataFrame({"new": joined_block, "region": block_labels[block], "pop": pop})
            held = held.groupby(["new", "region"])["pop"].sum().reset_index()
            held = held.sort_values(["new", "pop", "region"], ascending=[True, False, True]).drop_duplicates("new")
            block = joined_block
            stats = regions.block_stats(block, pop, z, settled, xy)
            block_labels, asked = regions.label_blocks(block, adjacency, dz, stats, group_col, max_population,
                                                       target_population, seed, *weights,
                                                       start=held["region"].to_numpy(), touched=touched)
            named = dz[["iz", "iz_name"]].drop_duplicates("iz").set_index("iz")["iz_name"] if "iz_name" in dz else None
            towns_named = "; ".join(join_names(regions.labels_of(sorted(set(j)), named), shared=False) for j in joined)
            notes.append(f"{counted(len(joined), 'town', 'towns')} no bigger than one locality (at most {size:,.0f} "
                         f"people) kept in one locality, {'its' if len(joined) == 1 else 'each with its'} Intermediate "
                         f"Zones joined, where the search had divided {'it' if len(joined) == 1 else 'them'} "
                         f"(towns=False keeps the search's plan): {towns_named}")
    next_label = int(block_labels.max()) + 1
    if next_label > asked:
        # Whole blocks rarely pack exactly: say so rather than let the count surprise.
        what = ("the fewest the ceiling allows" if not target_population
                else f"the count a target of {target_population:,} asks for")
        blocks_are = "whole Intermediate Zones" if unit_col else "Data Zones"
        notes.append(f"{next_label} localities, not {asked} ({what}, {pop.sum() / asked:,.0f} people each on average): "
                     f"{blocks_are} did not divide into {asked} connected localities of at most {max_population:,} "
                     "people, so there are more")
    elif next_label < asked:
        # Fewer blocks than localities asked for (Orkney at 500: 44 asked, 6 whole IZs, 6 made).
        smaller = " (unit='datazone' builds from Data Zones)" if unit_col else ""
        asks = f"a target of {target_population:,} asks for" if target_population else "the ceiling asks for"
        if next_label == len(dz):  # every zone a locality (Falkirk at 500: IZs over it built from zones)
            notes.append(f"{next_label} localities, not the {asked} {asks}: each of the {len(dz)} Data Zones is a "
                         "locality of its own")
        else:
            notes.append(f"{next_label} localities, not the {asked} {asks}: "
                         f"{'whole Intermediate Zones' if unit_col else 'Data Zones'} cannot make more{smaller}")
    labels = block_labels[block]
    assignment = pd.Series(labels, index=dz["datazone"])
    notes.extend(regions.summary(assignment, dz, settled, unit_col))
    if sd > 0:
        n_of, z_of = np.bincount(labels), np.bincount(labels, weights=z)
        within = float(((z * z).sum() - (z_of[n_of > 0] ** 2 / n_of[n_of > 0]).sum()) / len(z))
        how = {"anneal": "annealing, then descent", "descent": "descent only"}[search] if refine else "no boundary moves"
        what = "SIMD income rank" if attribute == "income_rank" else attribute
        notes.append(f"{within:.0%} of the variation in {what} lies within localities, {1 - within:.0%} between "
                     f"them (search: {how})")
    if not target_population and (np.bincount(labels, weights=np.asarray(pop, dtype=float)) > GUIDANCE_SIZE).any():
        # Said to a notebook's user too (only the command line said it, after its report).
        notes.append(f"without target_population, the plan aims at the fewest localities the {max_population:,} "
                     f"ceiling allows; the guidance expects localities often under {GUIDANCE_SIZE:,} people (para "
                     f"151): target_population={GUIDANCE_SIZE} asks for about that size")
    named = locality_names(assignment, dz, adjacency=geography.neighbours(dz))  # contiguity without the links
    names = named["name"]
    # Stable, readable ids in order of name, zero-padded to the width of the count: R01.., R001.. past 99.
    order = sorted(names.index, key=lambda lab: (names[lab], lab))
    width = max(2, len(str(len(order))))
    ids = {lab: f"R{i + 1:0{width}d}" for i, lab in enumerate(order)}
    assignment = assignment.map(ids)
    # No place name to give (no IZ names): the locality is its id ("R03", not the label "3").
    names = pd.Series({ids[lab]: ids[lab] if names[lab] == str(lab) else names[lab] for lab in names.index})
    named = named.rename(index=ids)
    return plan_from_assignment(dz, assignment, names=names, method="regions", params=params, links=links, notes=notes,
                                _named=named)
