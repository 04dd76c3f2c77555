"""Write plans and rankings to files: GeoPackage, GeoJSON, CSV and XLSX.

Every write goes to a temporary file beside the target and is renamed into place
only once complete, so an interrupted export leaves the previous file intact.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import os
import re
import tempfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from . import sources
from .errors import LocalitiesError, capital, clip


def write_error(path: Path, exc: BaseException) -> LocalitiesError:
    """One clear line for a failed write: disk full, not writable, a folder in the way, ..."""
    number = getattr(exc, "errno", None)
    text = str(exc)
    if number == errno.ENOSPC or "No space left" in text:
        why = "disk full"
    elif number in (errno.EACCES, errno.EPERM, errno.EROFS) or "Permission denied" in text or "Read-only" in text:
        why = "not writable (permission denied or a read-only disk)"
    elif number == errno.EISDIR:
        why = "is a folder; give a file name"
    elif number in (errno.ENOTDIR, errno.EEXIST):
        why = "a file stands where a folder is expected"
    else:
        why = clip(getattr(exc, "strerror", None) or text or type(exc).__name__, 200)
    return LocalitiesError(f"cannot write {path}: {why}")


def probe_writable(path: str | os.PathLike, folder: bool = False) -> None:
    """Raise the error writing ``path`` (a file, or with ``folder`` a folder to write into)
    would meet, before the work: ``rank --out /read-only/r.xlsx`` printed a whole ranking,
    then failed. A file is made and removed in the nearest folder that exists; no folder is
    made."""
    path = Path(path)
    if path.is_dir() and not folder:
        raise LocalitiesError(f"cannot write {path}: is a folder; give a file name")
    if folder and path.exists() and not path.is_dir():
        return  # the command says what it writes into a folder (commands.output_folder)
    folder = wanted = path if folder else path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        raise LocalitiesError(f"cannot write {path}: a file stands where a folder is expected ({folder})")
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".localities-probe.")
        os.close(fd)
        os.unlink(tmp)
    except OSError as exc:
        if wanted != folder:  # the folder to be made cannot be: say that, not "no such file"
            raise LocalitiesError(f"cannot write {path}: cannot make the folder {wanted} in {folder} "
                                  f"({exc.strerror or exc})") from exc
        raise write_error(path, exc) from exc


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike):
    """Yield a temporary path beside ``path``; move it onto ``path`` only on success.

    Failures of the file system (disk full, no permission, a folder in the way) become
    one :class:`LocalitiesError` naming ``path``; the temporary file is always removed.
    """
    path = Path(path)
    if path.is_dir():
        raise LocalitiesError(f"cannot write {path}: is a folder; give a file name")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem[:40]}.", suffix=path.suffix)
        os.close(fd)
        os.unlink(tmp)  # writers such as GDAL want to create the file themselves
    except OSError as exc:
        raise write_error(path, exc) from exc
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        raise write_error(path, exc) from exc
    except Exception as exc:  # GDAL and friends report a full disk in their own exception types
        if "No space left" in str(exc):
            raise write_error(path, exc) from exc
        raise
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _jsonable(value):
    """numpy scalars and arrays as Python values; anything else JSON cannot hold as text."""
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, (set, tuple)):
        return list(value)
    return str(value)


def _plan_info(plan) -> pd.DataFrame:
    """The ``plan`` layer: one row per setting, readable in a GIS; ``params`` and ``notes``
    also as JSON so that :func:`localities.read_plan` restores them with their types."""
    import json

    params = {k: v for k, v in plan.params.items() if k != "source"}
    meta = {"council": plan.council, "council_name": plan.council_name, "method": plan.method, **params,
            "params": json.dumps(params, default=_jsonable, ensure_ascii=False),
            "notes": json.dumps(list(plan.notes), ensure_ascii=False),
            "written": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "attribution": sources.attribution()}
    return pd.DataFrame({"key": list(meta), "value": ["" if v is None else str(v) for v in meta.values()]})


def _flat(df: pd.DataFrame) -> pd.DataFrame:
    """Columns GDAL can store: lists and dicts become text, and a NUL character (where
    GDAL would silently cut the text) becomes U+FFFD."""
    out = df.copy() if isinstance(df, pd.DataFrame) else pd.DataFrame(df)
    for col in out.columns:
        if out[col].dtype == object and out[col].map(lambda v: isinstance(v, (list, dict, tuple, set))).any():
            out[col] = out[col].map(lambda v: "; ".join(map(str, v)) if isinstance(v, (list, tuple, set)) else str(v))
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(lambda v: v.replace("\x00", "\ufffd") if isinstance(v, str) else v)
    return out


def save_plan(plan, path: str | os.PathLike, ranking: pd.DataFrame | None = None) -> Path:
    """Save a plan to one GeoPackage: layers ``localities`` (polygons), ``assignment``
    (``datazone, locality``), ``links``, ``plan`` (settings and attribution) and, when
    given, ``ranking``; or, to a ``.csv``, its assignment with names (``datazone, locality,
    name``), for editing by hand and reading back with :func:`localities.read_plan`. Atomic."""
    path = Path(path)
    if path.suffix.lower() == ".csv":
        # A new user editing a plan by hand had to dig the assignment out of the GeoPackage.
        if ranking is not None:
            raise LocalitiesError(f"{path}: a plan with its ranking is saved as a GeoPackage (.gpkg)")
        names = plan.localities.set_index("locality")["name"]
        table = pd.DataFrame({"datazone": plan.assignment.index, "locality": plan.assignment.to_numpy()})
        table["name"] = table["locality"].map(names)
        return to_csv(table, path)
    if path.suffix.lower() != ".gpkg":
        raise LocalitiesError(f"{path}: a plan is saved as a GeoPackage (.gpkg), or its assignment as a .csv")
    localities = plan.localities
    if ranking is not None and not (isinstance(ranking, pd.DataFrame) and {"locality", "tier"} <= set(ranking.columns)):
        raise LocalitiesError(f"ranking= must be the plan's ranking table (from localities.rank), not "
                              f"{type(ranking).__name__}" + (" without 'locality' and 'tier' columns"
                                                             if isinstance(ranking, pd.DataFrame) else ""))
    if ranking is not None:
        extra = [c for c in ranking.columns if c not in localities.columns or c == "locality"]
        localities = localities.merge(pd.DataFrame(ranking[extra]), on="locality", how="left")
    with atomic_path(path) as tmp:
        pyogrio.write_dataframe(_flat(localities), tmp, layer="localities", driver="GPKG")
        assignment = plan.assignment.rename("locality").rename_axis("datazone").reset_index()
        pyogrio.write_dataframe(_flat(assignment), tmp, layer="assignment", driver="GPKG", append=False)
        pyogrio.write_dataframe(pd.DataFrame(plan.links).astype({"group": str}), tmp, layer="links", driver="GPKG")
        pyogrio.write_dataframe(_flat(_plan_info(plan)), tmp, layer="plan", driver="GPKG")
        if ranking is not None:
            pyogrio.write_dataframe(_flat(ranking.drop(columns="geometry", errors="ignore")), tmp, layer="ranking", driver="GPKG")
    return path


def to_geojson(frame: gpd.GeoDataFrame, path: str | os.PathLike) -> Path:
    """Write localities (or any GeoDataFrame) as GeoJSON in WGS84, as the format expects."""
    with atomic_path(path) as tmp:
        pyogrio.write_dataframe(_flat(frame.to_crs("EPSG:4326")), tmp, driver="GeoJSON")
    return Path(path)


# A spreadsheet reads a cell starting with one of these as a formula (OWASP "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


_SIGNED_NUMBER = re.compile(r"[+-]?\d[\d,]*(\.\d+)?(e[+-]?\d+)?%?", re.IGNORECASE)


def defuse(value):
    """A text cell a spreadsheet would run as a formula, prefixed with ``'`` (OWASP's
    advice for CSV); anything else unchanged. Numbers are never touched, nor text that
    is just a signed number such as ``-3.2%``."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not _SIGNED_NUMBER.fullmatch(value):
        return "'" + value
    return value


def undefuse(values: pd.Series) -> pd.Series:
    """Text written by :func:`defuse` read back as it was: ``'-2+3`` -> ``-2+3``. A plan saved
    as CSV and read again had its locality ``-2+3`` become ``'-2+3``."""
    text = values.astype(str)
    ours = text.str.startswith("'") & text.str[1:].str.startswith(FORMULA_START) & \
        ~text.str[1:].str.fullmatch(_SIGNED_NUMBER)
    return values.where(~ours | values.isna(), text.str[1:])


def _text_cells(frame: pd.DataFrame, fix) -> pd.DataFrame:
    """Apply ``fix`` to every text cell (and column name) of ``frame``; other cells unchanged."""
    out = pd.DataFrame(frame).copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(lambda v: fix(v) if isinstance(v, str) else v)
    out.columns = [fix(c) if isinstance(c, str) else c for c in out.columns]
    return out


def printable(text: str) -> str:
    """``text`` without the control characters XML 1.0 (so XLSX) cannot hold: each becomes U+FFFD."""
    return _ILLEGAL_XML.sub("\ufffd", text)


def to_csv(frame: pd.DataFrame, path: str | os.PathLike) -> Path:
    """Write a table (geometry dropped) as UTF-8 CSV. A text cell that a spreadsheet
    would read as a formula (starting ``= + - @``, tab or CR) is prefixed with ``'``."""
    table = _text_cells(_flat(pd.DataFrame(frame).drop(columns="geometry", errors="ignore")), defuse)
    with atomic_path(path) as tmp:
        # RFC 4180 line ends: a CR inside a cell is then quoted, never a row break that
        # would start a new line with what follows it (a formula).
        table.to_csv(tmp, index=False, lineterminator="\r\n")
    return Path(path)


NOTES = [
    ("What this is", "Candidate localities and their outcomes, made with the localities Python package."),
    ("Rule", "Community Planning (Locality Planning) (Scotland) Regulations 2016, reg. 2(1): a locality is an "
             "electoral ward or an area of at most 30,000 people. Community Empowerment (Scotland) Act 2015, s.9."),
    ("Rates", "Rates are re-aggregated from counts and denominators, never averaged; standardised ratios are "
              "scaled so Scotland = 100; indicators about an age group are weighted by that age group; means and "
              "ratios carry no interval. Suppressed crime counts are carried as a range (0 to 2k), not as missing."),
    ("Intervals", "95% intervals: Wilson score for proportions, Byar for counts and rates."),
    ("Comparators", "Each locality against the rest of its council (the council without it) and against Scotland."),
    ("Significance", "Worse = a significant difference (two-sample interval: Newcombe for proportions, conditional "
                     "binomial interval of the ratio of two Poisson rates, by default) AND a material one (at least "
                     "1.2 times the comparator by default; 'This ranking', with a ranking, names the settings used). "
                     "'Slightly worse' = significant, not material."),
    ("Order", "Tier 1: poorer than the rest of the council and Scotland on a headline indicator; tier 2: poorer "
              "than one of them; tier 3: neither. Inside a tier, by the headline-weighted score (1 = Scotland)."),
    ("Populations", "SIMD 2020v2 uses NRS mid-2017 small area population estimates unless stated otherwise."),
    ("Inequality (SII, RII)", "A positive slope index of inequality (SII) means worse outcomes in the more "
                              "deprived areas, a negative one better outcomes there, for every indicator (whether "
                              "higher values are worse or better). The SII is the gap between the most and least "
                              "deprived ends of the council in the indicator's unit; the RII is the SII over the "
                              "council's value."),
]


def sheet_notes(sheets: dict) -> list[tuple[str, str]]:
    """What a workbook's Notes say of its own sheets: the ranking's decision settings, why
    its plan is not one under the 2016 Regulations (if so), and what each empty sheet
    means. Read from the tables' ``attrs``, so from the tables as made (relabelled tables
    for people have none)."""
    empty = [(name, f"Empty: {frame.attrs['empty_means']}.") for name, frame in sheets.items()
             if len(frame) == 0 and getattr(frame, "attrs", {}).get("empty_means")]
    said = [(name, f"{capital(note)}.") for name, frame in sheets.items()
            for note in getattr(frame, "attrs", {}).get("notes", [])]
    return _ranking_notes(sheets) + empty + said


def _ranking_notes(sheets: dict) -> list[tuple[str, str]]:
    """The decision settings of the ranking among ``sheets`` (the Notes sheet had given only
    the defaults, beside a ranking made with others), and why its plan is not one under the
    2016 Regulations, if it is not."""
    ranking = next((f for f in sheets.values() if "method" in getattr(f, "attrs", {})), None)
    if ranking is None:
        return []
    from .mapstyle import regulation_summary
    from .spine import METHOD_WORDS, _label, _lower, _materiality

    method = ranking.attrs["method"]
    heads = ", ".join(_lower(_label(h, ranking)[0]) for h in ranking.attrs.get("headline", []))
    rows = [("This ranking", f"Significance: {METHOD_WORDS.get(method, method)} (method {method!r}); material: "
                             f"{_materiality(ranking)}; headline indicators: {heads}.")]
    rows += [("The plan", f"{capital(note)}.") for note in ranking.attrs.get("plan_notes", [])]
    unlawful = regulation_summary(ranking, full=True)
    return [("Regulations", unlawful)] + rows if unlawful else rows


def ranking_summary(table: pd.DataFrame, comparators: bool = True) -> pd.DataFrame:
    """The ranking as a board reads it, one row per locality in rank order: rank, name,
    code, people, the decision against the rest of the council and against Scotland (Yes /
    No), the headline indicators and the share of people in Scotland's 20% most deprived
    zones as percentages, and why, all under plain headers; then, with ``comparators``, the
    whole council's and Scotland's headline figures in two rows below, to read the
    localities' against (a board table of "locality against Scotland" was rebuilt by hand
    from the reasons' sentences).

    Parameters
    ----------
    table : DataFrame
        The output of :func:`localities.rank`.
    comparators : bool
        Add the council's and Scotland's rows.
    """
    from .labels import NO_REST, _registry, describe, without_rest

    registry = _registry()
    council = table.attrs.get("council") or "the council"
    columns = {"Rank": table["rank"], "Locality": table["name"], "Code": table["locality"],
               "People": table["population"]}
    if "tier_label" in table:
        columns["Decision"] = table["tier_label"]
    for flag, header in (("poorer_than_rest", f"Significantly poorer than the rest of {council}"),
                         ("poorer_than_scotland", "Significantly poorer than Scotland")):
        if flag in table:
            columns[header] = table[flag].map({True: "Yes", False: "No"})
            if flag == "poorer_than_rest":  # one locality holding the whole council has no rest
                columns[header] = columns[header].where(~without_rest(table), NO_REST)
    for col in [*table.attrs.get("headline", []), "share_most_deprived_20"]:
        if col in table:
            header, _, share = describe(col, registry)
            values = pd.to_numeric(table[col], errors="coerce")
            columns[header] = (values * 100).round(1) if share else values.round(3)
    if "reasons" in table:  # sentences in a cell of their own
        columns["Why"] = table["reasons"].astype(str).map(capital)
    if "places" in table:
        # What "+ 6 more" stands for: a board could not look it up in the workbook.
        columns["Places (Intermediate Zones, most people first)"] = table["places"]
    out = pd.DataFrame(columns).reset_index(drop=True)
    if not comparators or not len(out):
        return out
    rows = []
    for label, values, people in ((f"{council} (the whole council)", table.attrs.get("council_value", {}),
                                   pd.to_numeric(table["population"], errors="coerce").sum()),
                                  ("Scotland", table.attrs.get("scotland", {}), None)):
        row = {c: None for c in out.columns}
        row.update({"Locality": label, "People": people})
        if "Decision" in row:
            row["Decision"] = "For comparison"
        for col in table.attrs.get("headline", []):
            if col in table and col in values and pd.notna(values[col]):
                header, _, share = describe(col, registry)
                row[header] = round(float(values[col]) * 100, 1) if share else round(float(values[col]), 3)
        rows.append(row)
    if "share_most_deprived_20" in table:  # the council's, from its localities' (Scotland's is a fifth of zones)
        header, _, _ = describe("share_most_deprived_20", registry)
        share = pd.to_numeric(table["share_most_deprived_20"], errors="coerce")
        w = pd.to_numeric(table["population"], errors="coerce").where(share.notna())
        if w.sum() > 0:
            rows[0][header] = round(float((share * w).sum() / w.sum()) * 100, 1)
    out = pd.concat([out, pd.DataFrame(rows, columns=out.columns)], ignore_index=True)
    out["People"] = pd.to_numeric(out["People"], errors="coerce").round().astype("Int64")  # whole people, blank for Scotland
    return out


def to_xlsx(sheets: dict[str, pd.DataFrame], path: str | os.PathLike, notes: list[tuple[str, str]] | None = None) -> Path:
    """Write tables to an Excel workbook with a ``Notes`` sheet on sources, methods and
    attribution (after a ``Summary`` sheet, when there is one: what a board opens first). Atomic.

    ``notes``: rows (topic, note) to put first; by default those :func:`sheet_notes` finds
    in the sheets (the ranking's settings, what an empty sheet means)."""
    rows = (sheet_notes(sheets) if notes is None else notes) + NOTES + [("Attribution", sources.attribution())]
    tables = {"Summary": sheets["Summary"]} if "Summary" in sheets else {}
    tables["Notes"] = pd.DataFrame(rows, columns=["topic", "note"])
    for name, frame in sheets.items():
        if name == "Summary":
            continue
        tables[name[:31]] = _flat(pd.DataFrame(frame).drop(columns="geometry", errors="ignore"))
    with atomic_path(path) as tmp:
        with pd.ExcelWriter(tmp, engine="openpyxl") as xl:
            for name, frame in tables.items():
                _text_cells(frame, printable).to_excel(xl, sheet_name=name, index=False)
                _as_text(xl.sheets[name])
                _lay_out(xl.sheets[name])
        _undate(tmp)
    return Path(path)


_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest date a zip entry can carry
_DATED = re.compile(rb"<dcterms:(created|modified)\b[^>]*>[^<]*</dcterms:\1>")


def _undate(path: str | os.PathLike) -> None:
    """Make a workbook's bytes depend on its contents only, as the maps' PDFs do: openpyxl
    stamps each zip entry and the document's created/modified dates with the time of saving.
    The dates are dropped (they are optional in Office Open XML) rather than faked."""
    import zipfile

    with zipfile.ZipFile(path) as old:
        entries = [(info, old.read(info)) for info in old.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for info, data in entries:
            if info.filename == "docProps/core.xml":
                data = _DATED.sub(b"", data)
            new.writestr(zipfile.ZipInfo(info.filename, _ZIP_EPOCH), data, zipfile.ZIP_DEFLATED)


def _lay_out(sheet, widest: int = 60) -> None:
    """A sheet a board member can read as opened: columns as wide as their contents (up to
    ``widest`` characters, long text such as the reasons wrapped in that width) and the
    header row frozen (the Summary's "Why" overflowed 8.43-character columns)."""
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    for index, column in enumerate(sheet.iter_cols(max_row=min(sheet.max_row, 500)), start=1):
        longest = max((len(line) for cell in column if cell.value is not None
                       for line in str(cell.value).splitlines() or [""]), default=8)
        sheet.column_dimensions[get_column_letter(index)].width = min(max(longest, 6) + 2, widest)
        if longest > widest:
            for cell in column[1:]:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    # Whole numbers with thousands separators, as the maps and profiles print them ("11709"
    # read as a code beside "11,709" on the map).
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if type(cell.value) is int and abs(cell.value) >= 1000:
                cell.number_format = "#,##0"
    sheet.freeze_panes = "A2"


def _as_text(sheet) -> None:
    """Store every text cell of an openpyxl sheet as text, never as a formula or error.

    openpyxl turns a string starting with ``=`` into a formula cell and ``#N/A`` into an
    error cell. Here each such cell goes back to a string cell (Excel and LibreOffice show a
    string cell as typed, never evaluate it), and every text cell a spreadsheet would read
    as a formula gets the ``quotePrefix`` style, Excel's own mark for "typed with a leading
    apostrophe": the text stays exactly as given (no ``'`` added to the value, unlike the
    CSV) and editing the cell in Excel keeps it text.
    """
    for row in sheet.iter_rows():
        for cell in row:
            if cell.data_type in ("f", "e") or (cell.data_type == "s" and isinstance(cell.value, str)):
                value = str(cell.value)
                cell.data_type = "s"
                if value.startswith(FORMULA_START):
                    cell.quotePrefix = True
