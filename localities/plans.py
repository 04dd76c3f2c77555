"""The :class:`Plan`, and reading a plan the analyst supplies: a saved GeoPackage, a CSV
of zone and locality, or locality polygons (zones go to the polygon they overlap most).

The Plan lives here rather than beside the builder, so that drawing, ranking or
profiling a plan does not import the builder (and scipy.sparse behind it).

Every reader checks codes, blanks and duplicates and raises :class:`PlanError`
naming the file and the zones.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from .boundaries import unreadable
from .errors import LocalitiesError, PlanError, clip, counted, listing, noun


@dataclass
class Plan:
    """Localities for one council: the zone assignment and the localities themselves.

    Attributes
    ----------
    assignment : Series
        Locality id for each Data Zone (index ``datazone``).
    localities : GeoDataFrame
        One row per locality: ``locality, name, population, zones, places, geometry``
        (EPSG:27700); ``places`` lists its Intermediate Zones, largest population first,
        ``"; "`` between them (see :mod:`localities.names`).
    council, council_name : str or None
    method : str
        ``"regions"``, ``"wards"``, ``"iz"`` or ``"supplied"``.
    params : dict
        The arguments the plan was built with.
    links : DataFrame
        Island and detached-part links made to keep regions contiguous.
    notes : list of str
        Anything the builder or reader wants the analyst to know.
    """

    assignment: pd.Series
    localities: gpd.GeoDataFrame
    council: str | None = None
    council_name: str | None = None
    method: str = "supplied"
    params: dict = field(default_factory=dict)
    links: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["zone", "linked_to", "distance_m", "group"]))
    notes: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.localities)

    def __eq__(self, other) -> bool:
        """Same council and the same division of the same zones, whatever the locality ids
        or names (``R01``/``R02`` swapped is the same plan). :func:`localities.compare_plans`
        says where two plans differ."""
        if not isinstance(other, Plan):
            return NotImplemented
        a, b = self.assignment, other.assignment
        if self.council != other.council or len(a) != len(b) or set(a.index) != set(b.index):
            return False
        pairs = pd.DataFrame({"a": a.astype(str).to_numpy(), "b": b.reindex(a.index).astype(str).to_numpy()})
        # Equal partitions: each locality of one plan meets exactly one of the other, and vice versa.
        return len(pairs.drop_duplicates()) == pairs["a"].nunique() == pairs["b"].nunique()

    __hash__ = None  # mutable, compared by content

    def __repr__(self) -> str:
        pops = self.localities["population"]
        return (f"<Plan {self.council_name or ''} {self.method}: {counted(len(self), 'locality', 'localities')}, "
                f"{len(self.assignment)} zones, population {int(pops.sum()):,} "
                f"({int(pops.min()):,}-{int(pops.max()):,})>") if len(self) else "<Plan (empty)>"

    def to_file(self, path: str | os.PathLike, ranking: pd.DataFrame | None = None) -> Path:
        """Save to one GeoPackage (layers ``localities``, ``assignment``, ``links``, ``plan``;
        ``ranking`` too when given), or the assignment with names to a ``.csv``
        (``datazone, locality, name``, to edit by hand). Atomic: an interrupted save leaves
        any old file intact."""
        from .export import save_plan

        return save_plan(self, path, ranking=ranking)


#: Plan files read as a table of zones and localities; any other file as locality polygons.
TABLE_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm")
LOCALITY_ALIASES = ("locality", "locality_id", "locality_code", "locality_name", "id", "code", "name")


def expect_plan(plan, dz, func: str) -> None:
    """One line when ``func(plan, dz)`` is given something else: the arguments swapped, a
    ranking table for the plan, or no zone table (a ``TypeError`` from deep inside pandas
    reached the analyst)."""
    if isinstance(dz, Plan) and not isinstance(plan, Plan):
        raise PlanError(f"{func}(plan, dz): the plan comes first and the zone table second; these are the other "
                        "way round")
    if not isinstance(plan, Plan):
        what = type(plan).__name__
        if isinstance(plan, pd.DataFrame) and "tier" in plan:
            what += " (a ranking table: pass the plan it ranks)"
        raise PlanError(f"{func} needs a Plan first (from localities.propose or read_plan), not {what}")
    if not isinstance(dz, pd.DataFrame):
        raise PlanError(f"{func} needs the zone table second (from localities.load_datazones), not "
                        f"{type(dz).__name__}")


def read_plan(path: str | os.PathLike, dz: gpd.GeoDataFrame | None = None, layer: str | None = None) -> Plan:
    """Read a plan: a GeoPackage saved by :meth:`Plan.to_file`, a CSV or Excel sheet
    (``.xlsx``) of ``datazone,locality`` (optional ``name``), or locality polygons
    (GeoPackage, GeoJSON, shapefile) to which zones are assigned by largest overlap.

    The locality column of a table is chosen by meaning: ``locality`` (or
    ``locality_id``/``locality_code``) first, then ``id``/``code``, then a name column;
    a ``name`` column holding the zones' own names (the zone table's ``name`` for those
    codes, or a different value on every row) is never taken as the locality. Two
    candidate columns that group the zones differently are refused as ambiguous.

    Parameters
    ----------
    dz : GeoDataFrame, optional
        The zones; needed for a CSV or polygons, optional for a saved plan (its
        stored localities are used then).
    layer : str, optional
        The layer of locality polygons in a file of several, or the sheet of a workbook
        (by default the largest sheet with Data Zone codes).

    Raises
    ------
    PlanError
        Unknown zones, zones listed twice, blank localities, unreadable file.
    """
    if isinstance(path, pd.DataFrame):
        raise PlanError("read_plan(path, dz): the file comes first and the zone table second; these are the other "
                        "way round" if isinstance(dz, (str, os.PathLike)) else
                        f"read_plan needs a file path first, not {type(path).__name__}")
    if not isinstance(path, (str, os.PathLike)):
        raise PlanError(f"read_plan needs a file path first, not {type(path).__name__}")
    if dz is not None and not isinstance(dz, pd.DataFrame):
        raise PlanError(f"read_plan's dz must be the zone table (from localities.load_datazones), not "
                        f"{type(dz).__name__}")
    path = Path(path)
    if not path.exists():
        raise PlanError(f"{path}: no such file")
    refuse_folder(path)
    suffix = path.suffix.lower()
    if suffix in TABLE_SUFFIXES:
        if dz is None:
            raise PlanError(f"{path}: a table plan needs the zones (dz) to build localities from")
        if layer is not None and suffix not in (".xlsx", ".xlsm"):
            raise PlanError(f"{path}: layer={layer!r} chooses a sheet of a workbook or a layer of a GeoPackage; a "
                            f"{suffix} file has neither")
        from .tableplan import read_table_plan

        return read_table_plan(path, dz, sheet=layer)
    if suffix == ".gpkg":
        import pyogrio

        try:
            layers = [name for name, _ in pyogrio.list_layers(path)]
        except Exception as exc:
            raise PlanError(unreadable(path, "GeoPackage", exc)) from exc
        if "assignment" in layers and layer is None:
            return _read_saved_plan(path, dz)
    if dz is None:
        raise PlanError(f"{path}: locality polygons need the zones (dz) to assign")
    from .polygonplan import read_polygon_plan

    return read_polygon_plan(path, dz, layer)


def refuse_folder(path: Path) -> None:
    """A folder given as a plan is refused, naming the plan files in it: "has no coordinate
    reference system", or GDAL's "specify the correct driver", said nothing of the mistake.
    A file geodatabase (``.gdb``) and a folder of shapefiles, which GDAL reads, are plans."""
    if not path.is_dir() or path.suffix.lower() == ".gdb" or any(p.suffix.lower() == ".shp" for p in path.iterdir()):
        return
    kinds = (*TABLE_SUFFIXES, ".gpkg", ".geojson", ".json")
    held = sorted(p.name for p in path.iterdir() if p.suffix.lower() in kinds)
    raise PlanError(f"{path}: is a folder; give the plan file itself"
                    + (f", such as {listing(held, 3)}" if held else
                       f" (it holds no {', '.join(kinds)} or .shp file)"))


def _check_assignment(codes: pd.Series, locs: pd.Series, dz: gpd.GeoDataFrame | None, path,
                      header: int | None = None, typed: pd.Series | None = None) -> None:
    """Refuse blank localities, zones listed twice and unknown zones; linear in the rows,
    and the message lists at most ten of each. ``header``: the line of a table's header,
    so that rows are named by the line a spreadsheet or editor shows ("row 156", where
    "row 154 under the header" sent the analyst counting); ``typed``: the codes as
    written, for quoting ("Total", not "TOTAL")."""
    # Rows counted under the header as read (blank rows dropped before keep their numbers).
    row_no = codes.index.to_numpy() + 1 if codes.index.dtype.kind == "i" else np.arange(len(codes)) + 1
    if header is not None:
        row_no = row_no + header
    rows_are = "" if header is not None else " under the header"
    shown = pd.Series((typed if typed is not None else codes).astype(str).str.strip().to_numpy(), dtype=object)
    codes = pd.Series(codes.to_numpy(), dtype=object)
    locs = pd.Series(locs.to_numpy(), dtype=object)
    if codes.empty:
        raise PlanError(f"{path}: assigns no zones (no rows under its header)")
    nozone = codes.isna() | codes.astype(str).str.strip().isin(["", "NAN", "NONE"])
    if nozone.any():
        rows = [str(i) for i in row_no[nozone.to_numpy()]]
        one = len(rows) == 1
        raise PlanError(f"{path}: {'row' if one else 'rows'} {listing(rows)}{rows_are} {'has' if one else 'have'} "
                        "no zone code; give each row a Data Zone, or delete it")
    # A total or note row ("Total", "Source: ...") under the zones: said as what it is, not
    # as "zone with no locality: TOTAL".
    text = codes.astype(str).str.strip()
    odd = ~text.str.fullmatch(r"S\d{8}")
    if odd.any():
        rows = [str(i) for i in row_no[odd.to_numpy()]]
        one = len(rows) == 1
        values = shown[odd.to_numpy()]
        if dz is not None and "name" in dz and values.isin(set(dz["name"].astype(str))).mean() > 0.5:
            # Zone names ("Culter - 01") where codes belong: no total row to delete.
            raise PlanError(f"{path}: the zone column holds Data Zone names ({listing(map(repr, values.unique()), 3)}), "
                            "not codes (S01...): give the column of codes")
        if values.str.upper().str.fullmatch(r"S\d+").all():  # a code mistyped, not a total row
            raise PlanError(f"{path}: {'row' if one else 'rows'} {listing(rows)}{rows_are} "
                            f"{'holds' if one else 'hold'} {listing(map(repr, values.unique()))}, not a Data Zone "
                            "code (S01 and six digits): correct the code")
        raise PlanError(f"{path}: {'row' if one else 'rows'} {listing(rows)}{rows_are} "
                        f"{'holds' if one else 'hold'} {listing(map(repr, values.unique()))} where a Data Zone code "
                        "(S01...) belongs: delete total or note rows, or correct the code")
    blank = locs.isna() | (locs.astype(str).str.strip() == "")
    if blank.any():
        raise PlanError(f"{path}: {'zone' if blank.sum() == 1 else 'zones'} with no locality: {listing(codes[blank])}")
    twice = codes.duplicated(keep=False)
    if twice.any():
        held = pd.Series(locs[twice].astype(str).to_numpy(), index=codes[twice].to_numpy())
        where = held.groupby(level=0, sort=False).agg(lambda s: listing(s.unique(), 3))
        pairs = ", ".join(clip(f"{c} ({w})") for c, w in where.head(10).items())
        more = f" (and {len(where) - 10:,} more)" if len(where) > 10 else ""
        raise PlanError(f"{path}: {'zone' if len(where) == 1 else 'zones'} assigned more than once: {pairs}{more}")
    if dz is not None:
        outside = ~codes.isin(set(dz["datazone"]))
        if outside.any():
            rows = [str(i) for i in row_no[outside.to_numpy()]]
            raise PlanError(f"{path}: {_elsewhere(codes[outside], dz)} ({'row' if len(rows) == 1 else 'rows'} "
                            f"{listing(rows)}{rows_are})")


def _elsewhere(unknown: pd.Series, dz: gpd.GeoDataFrame) -> str:
    """What the zones a plan names outside the zone table are: another council's (said
    with the council, from the full zone table of the data the zones were loaded from),
    or not Data Zones there at all."""
    from .load import zone_table

    other = pd.Series(dtype=object)
    councils = set(dz["council_name"].dropna()) if "council_name" in dz else set()
    if councils and "data_dir" in dz.attrs:
        try:
            lookup = zone_table(dz.attrs["data_dir"]).set_index("datazone")["council_name"]
            other = lookup.reindex(unknown.to_numpy()).dropna()
        except LocalitiesError:
            pass  # the plain message below
    if len(other):
        where = " and ".join(sorted(set(other)))
        rest = unknown[~unknown.isin(other.index)]
        here = " or ".join(sorted(councils))
        said = (f"zone {clip(other.index[0])} belongs to {where}, not {here}" if len(other) == 1 else
                f"{counted(len(other), 'zone', 'zones')} belong to {where}, not {here}: {listing(other.index)}")
        return said + (f"; {noun(rest, 'zone', 'zones')} not in the zone table: {listing(rest)}{_what(rest, dz)}"
                       if len(rest) else "")
    said = f"{noun(unknown, 'zone', 'zones')} not in the zone table: {listing(unknown)}{_what(unknown, dz)}"
    number = pd.to_numeric(unknown.astype(str).str.strip().str.upper().str.extract(r"^S01(\d{6})$")[0], errors="coerce")
    from .tables import FIRST_2011_CODE, FIRST_2022_CODE

    if dz.attrs.get("sample") and number.between(FIRST_2011_CODE, FIRST_2022_CODE - 1).any():  # other councils' 2011 zones
        from . import sources

        held = " and ".join(sorted(councils)) or "one council"
        said += (f"; the embedded sample holds only {held}: set {sources.ENV_VAR}, pass data_dir, or run "
                 "`localities download`")
    return said


def _what(codes: pd.Series, dz: gpd.GeoDataFrame) -> str:
    """What codes that are not this table's Data Zones are, when they all say: 2022 Data
    Zones (the plan was made on the new geography), or Intermediate Zones, wards, councils."""
    from .tables import FIRST_2022_CODE, LAST_2022_CODE

    text = pd.Series(codes, dtype=object).astype(str).str.strip().str.upper()
    table = dz["datazone"].astype(str).str[3:]
    old = table.str.isdigit().all() and (table.astype(int) < FIRST_2022_CODE).all()
    # Only codes in the 2022 range: S01099999 is a typing slip, not a 2022 Data Zone.
    if old and text.str.fullmatch(r"S01\d{6}").all() and text.str[3:].astype(int).between(
            FIRST_2022_CODE, LAST_2022_CODE).all():
        return (" (2022 Data Zone codes: this zone table holds 2011 Data Zones; map the plan onto them with the "
                "Scottish Government's 2011-2022 Data Zone lookup)")
    for prefix, kind in (("S02", "Intermediate Zone"), ("S13", "ward"), ("S12", "council")):
        if text.str.fullmatch(prefix + r"\d{6}").all():
            return f" ({kind} codes, not Data Zones: the first column must hold each Data Zone's code)"
    return ""



def saved_plan_info(path: str | os.PathLike) -> dict:
    """The ``plan`` layer of a saved plan GeoPackage as a dict (``council``,
    ``council_name``, ``method`` and the parameters); empty when there is none.

    Raises
    ------
    PlanError
        The file is missing or not a readable GeoPackage.
    """
    import pyogrio

    path = Path(path)
    if not path.exists():
        raise PlanError(f"{path}: no such file")
    try:
        if "plan" not in [name for name, _ in pyogrio.list_layers(path)]:
            return {}
        info = pyogrio.read_dataframe(path, layer="plan")
    except Exception as exc:
        raise PlanError(unreadable(path, "GeoPackage", exc)) from exc
    return dict(zip(info["key"], info["value"])) if {"key", "value"} <= set(info.columns) else {}


# Keys of the ``plan`` layer that are not the builder's parameters.
_PLAN_KEYS = ("council", "council_name", "method", "params", "notes", "written", "attribution")


def saved_params_notes(meta: dict) -> tuple[dict, list[str]]:
    """The parameters (with their types) and notes stored in a saved plan's ``plan`` layer.

    Plans saved since the ``params`` row hold them as JSON; in older files each parameter
    is a text row, read back as a number, ``None`` (empty) or text, and the notes are
    joined by `` | ``.
    """
    import json

    if "params" in meta:
        try:
            params = json.loads(meta["params"])
        except ValueError:
            params = None
        if not isinstance(params, dict):
            params = None
    else:
        params = None
    if params is None:
        params = {}
        for key, text in meta.items():
            if key in _PLAN_KEYS:
                continue
            text = "" if text is None else str(text)
            try:
                params[key] = None if text == "" else json.loads(text)
            except ValueError:
                params[key] = text
    notes_text = meta.get("notes") or ""
    try:
        notes = json.loads(notes_text) if notes_text.startswith("[") else None
    except ValueError:
        notes = None
    if not isinstance(notes, list):
        notes = [n for n in notes_text.split(" | ") if n]
    return params, [str(n) for n in notes]


def _read_saved_plan(path: Path, dz: gpd.GeoDataFrame | None) -> Plan:
    from .build import plan_from_assignment  # the builder imports this module

    meta = saved_plan_info(path)
    try:
        assign = gpd.read_file(path, layer="assignment", engine="pyogrio")
        locs = gpd.read_file(path, layer="localities", engine="pyogrio")
        layers = [name for name, _ in __import__("pyogrio").list_layers(path)]
        links = (pd.DataFrame(gpd.read_file(path, layer="links", engine="pyogrio")).drop(columns="geometry", errors="ignore")
                 if "links" in layers else None)
    except Exception as exc:
        raise PlanError(f"{path}: not a readable saved plan ({exc})") from exc
    for col in ("datazone", "locality"):
        if col not in assign:
            raise PlanError(f"{path}: layer 'assignment' has no {col!r} column (it has {listing(map(repr, assign.columns))})")
    if assign["datazone"].isna().any():
        raise PlanError(f"{path}: layer 'assignment' has {counted(int(assign['datazone'].isna().sum()), 'row', 'rows')} with no zone code")
    codes = assign["datazone"].astype(str).str.strip().str.upper()
    if assign["locality"].isna().any():  # what a GIS edit that clears cells leaves
        lost = codes[assign["locality"].isna().to_numpy()]
        raise PlanError(f"{path}: layer 'assignment' has {counted(len(lost), 'zone', 'zones')} with no locality (NULL): {listing(lost)}; "
                        "give each a locality (or delete the row) and read the plan again")
    _check_assignment(codes, assign["locality"].astype(str), dz, path)
    absent = [c for c in ("locality", "name") if c not in locs]
    if dz is None and absent + [c for c in ("population", "zones") if c not in locs]:
        raise PlanError(f"{path}: layer 'localities' has no {listing(map(repr, absent + [c for c in ('population', 'zones') if c not in locs]))} "
                        "column; pass the zones (dz) to rebuild the localities from the assignment")
    names = (pd.Series(locs["name"].astype(str).to_numpy(), index=locs["locality"].astype(str))
             if not absent else None)
    assignment = pd.Series(assign["locality"].astype(str).to_numpy(), index=codes)
    stored, notes = saved_params_notes(meta)
    params = {"source": str(path), **stored}
    if dz is not None:
        # An id the localities layer does not hold (a typo, R99 for R09, made a locality of its own unsaid).
        unknown = sorted(set(assignment) - set(locs["locality"].astype(str))) if "locality" in locs else []
        extra = [f"{path}: {counted(len(unknown), 'locality', 'localities')} of the assignment layer "
                 f"{'is' if len(unknown) == 1 else 'are'} not in its localities layer: {listing(unknown)}; "
                 "each is a locality of its own here, named from its zones"] if unknown else []
        plan = plan_from_assignment(dz, assignment, names=names, method=meta.get("method", "supplied"), params=params,
                                    links=links, notes=extra)
    else:
        locs = locs.to_crs("EPSG:27700") if locs.crs is not None else locs.set_crs("EPSG:27700")
        plan = Plan(assignment=assignment.rename("locality").rename_axis("datazone").sort_index(),
                    localities=locs[[c for c in ("locality", "name", "population", "zones", "places", "geometry")
                                     if c in locs]],
                    method=meta.get("method", "supplied"), params=params,
                    links=links if links is not None else Plan.__dataclass_fields__["links"].default_factory())
    plan.council = meta.get("council") or plan.council
    plan.council_name = meta.get("council_name") or plan.council_name
    plan.notes = [*notes, *[n for n in plan.notes if n not in notes]]
    return plan
