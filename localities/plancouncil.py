"""Which council a plan file is for, and its council's zones: from a saved plan's own
record, the zones a table lists, or the people inside locality polygons; ``--council``
must agree. (Split from :mod:`localities.commands`.)"""

from __future__ import annotations

from pathlib import Path

from .errors import LocalitiesError


def _plan_council(path: Path, lookup, sheet: str | None = None) -> str | None:
    """Council code a plan file is for: from a saved plan's metadata, else the council
    holding most of its zones (CSV or spreadsheet of ``datazone,locality``; ``sheet``: the
    workbook's sheet the plan is read from; other files have none and ignore it)."""
    from .plans import saved_plan_info
    from .tables import read_plan_table

    suffix = path.suffix.lower()
    if suffix == ".gpkg":
        saved = saved_plan_info(path).get("council") or None
        if saved:
            return saved
    if suffix in (".csv", ".xlsx", ".xlsm"):
        try:
            table, zone_col, _ = read_plan_table(path, sheet)  # the sheet the plan is read from
            codes = table[zone_col].astype(str).str.strip().str.upper()
        except LocalitiesError:
            return None  # the plan reader names the problem
        councils = lookup.set_index("datazone")
        known = codes[codes.isin(councils.index)]
        if len(known):
            return councils.loc[known, "council"].mode().iloc[0]
    return None


def _council_of(path: Path, lookup, data_dir, layer: str | None = None, population: str = "simd2020v2"):
    """``(council, zones, covered)``: the code of the council a plan file is for (its saved
    record, the zones its table lists, or the council where most of its polygons lie; None
    when it cannot be told), for polygons all of Scotland's zones read to tell it (else
    None), and the councils its polygons lie in, most people first (else empty)."""
    from . import load
    from .plans import TABLE_SUFFIXES

    planned = _plan_council(path, lookup, layer)
    if planned is not None or path.suffix.lower() in TABLE_SUFFIXES:
        return planned, None, {}
    # Locality polygons say no council: the one where most of the people inside them live.
    # Checked against all of Scotland, Falkirk's own exported ranking "did not comply":
    # 6,746 zones in no polygon and 16 zones of its neighbours along its edge.
    zones = load.load_datazones(None, data_dir=data_dir, population=population)
    covered = _polygon_councils(path, zones, layer)
    return (next(iter(covered), None), zones, covered)


def _zones_for_plan(path: Path, council: str | None, data_dir, layer: str | None = None,
                    population: str = "simd2020v2"):
    """Load the zones of the plan's council (from the saved plan or its zones; ``--council``
    must agree, or name it when the plan does not say), people counted by ``population``."""
    from . import load
    from .errors import PlanError
    from .plans import refuse_folder

    if not path.exists():
        raise PlanError(f"{path}: no such file")
    refuse_folder(path)
    lookup = load.zone_table(data_dir)[["datazone", "council", "council_name"]]  # cached: no CSV parsing
    planned, everywhere, covered = _council_of(path, lookup, data_dir, layer, population)
    names = lookup.drop_duplicates("council").set_index("council")["council_name"]
    if council is None and len(covered) > 1:
        # Midlothian's and East Lothian's ward polygons in one file were checked as East
        # Lothian's, Midlothian's said to "win no zone (each zone they touch overlaps another
        # polygon more, or none)".
        from .errors import counted

        lie = _and([f"{names[c]} ({counted(n, 'polygon', 'polygons')}, {p:,} people)" for c, (n, p) in covered.items()])
        raise PlanError(f"{path}: its locality polygons lie in {len(covered)} councils, {lie}: a plan is for one "
                        f"council; give --council {_and([_quoted(names[c]) for c in covered], 'or')} to check its polygons "
                        "there")
    if council is None and planned is not None and planned not in set(lookup["council"]):
        # A plan saved from other data (the analyst forgot --data-dir): name its council, not a bare code.
        from . import sources
        from .errors import listing
        from .plans import saved_plan_info

        name = saved_plan_info(path).get("council_name") if path.suffix.lower() == ".gpkg" else None
        what = f"{name} ({planned})" if name else planned
        held = sorted(lookup["council_name"].astype(str).unique())
        if sources.is_sample(sources.data_dir(data_dir)):
            raise PlanError(f"{path} is a plan for {what}, which is not in the embedded sample (it holds only "
                            f"{listing(held)}): set {sources.ENV_VAR}, pass --data-dir, or run `localities download`")
        raise PlanError(f"{path} is a plan for {what}, which is not in this data (it holds {listing(held, 5)}): "
                        "pass the --data-dir that holds its council")
    if council is not None:
        asked = load.resolve_council(council, lookup)
        # Polygons of another council checked as this one's: "DOES NOT COMPLY (1 locality)"
        # with a locality of 456 people, where a saved plan named the mistake.
        if covered and asked in covered:
            planned = asked  # one of the councils its polygons lie in; those in others are noted
        if planned is not None and planned in set(lookup["council"]) and asked != planned:
            where = _and([names[c] for c in covered]) if covered else names[planned]
            what = f": its polygons lie in {where}" if everywhere is not None else f" is a plan for {names[planned]}"
            leave = "" if len(covered) > 1 else "leave out --council (the plan says which council it is for) or "
            raise PlanError(f"{path}{what}, not {names[asked]}: {leave}give a plan for {names[asked]}")
        planned = asked
    if planned is None and everywhere is not None:
        return everywhere
    return load.load_datazones(planned, data_dir=data_dir, population=population)


def _and(items: list[str], word: str = "and") -> str:
    """``"A"``, ``"A and B"``, ``"A, B and C"`` (council names hold "and" of their own)."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {word} {items[-1]}"


def _quoted(name: str) -> str:
    """A council's name as typed after ``--council``: quoted when it has spaces."""
    return f'"{name}"' if " " in name else name


#: A locality polygon holding at least this many people of other councils than its own, and
#: half as many as of its own, is refused: one box around Falkirk widened by 20 km held
#: 518,324 of Glasgow City's people and 1.7 million of 13 other councils', and was checked
#: as a plan for Glasgow City. (A polygon's edge catching a few of its neighbours' zones is
#: not: Falkirk's own exported plan caught 16.)
SPILL_PEOPLE = 5_000


def _one_council_each(path: Path, polys, by_council, zones) -> None:
    """Refuse a locality polygon holding many people of councils other than its own."""
    import pandas as pd

    from .errors import PlanError, counted

    names = zones.drop_duplicates("council").set_index("council")["council_name"]
    for poly, rows in by_council.groupby("poly", sort=True):
        own, others = float(rows["people"].iloc[0]), float(rows["people"].iloc[1:].sum())
        if others >= SPILL_PEOPLE and others >= own / 2:
            label = next((str(polys[c].iloc[poly]) for c in ("name", "locality") if c in polys
                          and pd.notna(polys[c].iloc[poly])), f"row {poly + 1}")
            lie = _and([f"{names[c]} ({int(round(p)):,} people)" for c, p in zip(rows["council"], rows["people"])][:4]
                       + ([f"{counted(len(rows) - 4, 'other council', 'other councils')}"] if len(rows) > 4 else []))
            raise PlanError(f"{path}: locality polygon {label!r} holds the zones of "
                            f"{counted(len(rows), 'council', 'councils')}, {lie}: a locality lies in one council; "
                            "check the polygon's coordinates")


def _polygon_councils(path: Path, zones, layer: str | None = None) -> dict:
    """``{council: (polygons, people)}`` for the councils the plan's polygons lie in (each
    polygon in the council where most of the people whose zones' inner points it holds
    live), most people first; empty when the polygons cannot be read (the plan reader names
    the problem) or hold no zone's point."""
    import warnings

    import pandas as pd

    from .boundaries import read_boundaries

    try:
        with warnings.catch_warnings():  # the plan reader reads them again, and warns once
            warnings.simplefilter("ignore")
            polys = read_boundaries(path, code_field="datazone", layer=layer)
    except LocalitiesError:
        return {}
    zone, poly = polys.sindex.query(zones.geometry.representative_point(), predicate="within")
    if not len(zone):
        return {}
    held = pd.DataFrame({"poly": poly, "council": zones["council"].to_numpy()[zone],
                         "people": pd.to_numeric(zones["population"], errors="coerce").fillna(0).to_numpy()[zone]})
    by_council = (held.groupby(["poly", "council"])["people"].sum().reset_index()
                  .sort_values(["poly", "people", "council"], ascending=[True, False, True]))
    _one_council_each(path, polys, by_council, zones)
    each = by_council.drop_duplicates("poly")
    by = each.groupby("council").agg(polygons=("poly", "size"), people=("people", "sum"))
    by = by.sort_values(["people", "polygons"], ascending=False)
    return {c: (int(n), int(round(p))) for c, n, p in zip(by.index, by["polygons"], by["people"])}
