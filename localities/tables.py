"""Reading official tables: files checked against their names, text decoded, CSV and
workbooks read, key columns found by their known spellings, codes and numbers cleaned.
Every problem raises :class:`DataError` naming the file, the column and the zones."""

from __future__ import annotations

import functools
import os
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import DataError, counted, listing, noun

# Known spellings of each key column, compared case-insensitively.
ALIASES: dict[str, tuple[str, ...]] = {
    "datazone": ("datazone", "data_zone", "dz", "dz11_code", "dz2011_code", "dz22_code", "dz2022_code",
                 "data zone", "dz_code", "datazone2011", "datazone2022", "dzcode"),
    "name": ("name", "dz11_name", "dzname", "dz2011_name", "dz22_name", "dz2022_name", "datazone_name"),
    "iz": ("iz2011_code", "iz22_code", "izcode", "iz11_code", "interzone", "intermediate_zone_code"),
    "iz_name": ("iz2011_name", "iz22_name", "izname", "iz11_name", "intermediate_zone"),
    "ward": ("mmward_code", "mmwcode", "ward22_code", "ward_code"),
    "ward_name": ("mmward_name", "mmwname", "ward22_name", "ward_name"),
    "council": ("la_code", "lacode", "ca_code", "council_code"),
    "council_name": ("la_name", "laname", "council_area", "council_name"),
}

CODE = re.compile(r"^S01\d{6}$")
FIRST_2011_CODE = 6506  # S01006506, the first of the 6,976 2011 Data Zones
FIRST_2022_CODE = 13482  # S01013482 is the first 2022 Data Zone; 2011 codes run S01006506..S01013481.
LAST_2022_CODE = 20873  # S01020873, the last of the 7,392 2022 Data Zones (SG lookup, 2024-12-16)
MISSING_MARKS = {"", "*", "..", ":", "x", "na", "n/a", "nan", "none", "null"}


# ---------------------------------------------------------------------------- tables

def _sniff(path: Path, expect: str) -> None:
    """Refuse a file whose bytes say it is something other than its name says."""
    if not path.exists():
        raise DataError(f"{path}: no such file")
    with open(path, "rb") as fh:
        head = fh.read(4096)
    is_zip = head.startswith(b"PK\x03\x04")
    is_sqlite = head.startswith(b"SQLite format 3")
    # Text has no NUL (but UTF-16's) and few other control bytes: random bytes were taken for
    # text in "mixed encodings", "although the rest of the file is" UTF-8.
    binary = not head.startswith(UTF16_BOMS) and (b"\x00" in head or len(re.findall(
        rb"[\x01-\x08\x0e-\x1a\x1c-\x1f]", head)) > 0.05 * len(head))
    if expect == "csv" and (is_zip or is_sqlite or binary):
        kind = "an Excel workbook or zip" if is_zip else "a GeoPackage/SQLite file" if is_sqlite else "a binary file"
        raise DataError(f"{path}: named as CSV but it is {kind}")
    if expect == "xlsx" and not is_zip:
        raise DataError(f"{path}: named as an Excel workbook (.xlsx) but it is not one")


UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def decode_text(raw: bytes, source: object) -> str:
    """Decode a text file strictly: UTF-16 with a byte-order mark (Excel's "Unicode text"),
    else UTF-8 (with or without BOM), else Windows-1252 (the SG lookups' encoding) but only
    when the whole file is valid Windows-1252 and has no UTF-8 in it. A file that is UTF-8
    in places and not in others is refused naming the first bad line, never half-guessed."""
    if raw.startswith(UTF16_BOMS):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise DataError(f"{source}: UTF-16 text with an undecodable character at byte {exc.start:,}") from exc
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bad = exc.start
    line = raw.count(b"\n", 0, bad) + 1
    if re.search("[^\x00-\x7f\ufffd]", raw.decode("utf-8", "replace")):  # any valid UTF-8 beyond ASCII
        raise DataError(f"{source}: line {line:,} is not UTF-8 (byte 0x{raw[bad]:02x}) although the rest of the file "
                        "is: mixed encodings; save the file as UTF-8")
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise DataError(f"{source}: line {line:,} has byte 0x{raw[exc.start]:02x}, which is neither UTF-8 nor "
                        "Windows-1252; save the file as UTF-8") from exc


def read_csv(path: str | os.PathLike, **kwargs) -> pd.DataFrame:
    """Read a CSV as text (encodings as :func:`decode_text`). A file whose first line has
    no comma but tabs or semicolons (Excel's "Unicode text", European Excel) is read with
    that separator."""
    import csv
    import io

    path = Path(path)
    if not path.exists():
        raise DataError(f"{path}: no such file")
    raw = path.read_bytes()
    if not raw.startswith(UTF16_BOMS):
        _sniff(path, "csv")
    text = decode_text(raw, path)
    lead = 0
    if kwargs.pop("keep_blank_lines", False):
        # Blank lines read as rows of nothing (the caller drops them, rows keeping the line an
        # editor shows); those above the header are cut, and counted in attrs["lead_lines"].
        lines = text.split("\n")
        while lead < len(lines) - 1 and not lines[lead].strip():
            lead += 1
        text, kwargs["skip_blank_lines"] = "\n".join(lines[lead:]), False
    first = text.split("\n", 1)[0]
    if "sep" not in kwargs and "," not in first and ("\t" in first or ";" in first):
        kwargs["sep"] = "\t" if first.count("\t") >= first.count(";") else ";"
    try:
        table = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, **kwargs)
    except pd.errors.ParserError as exc:
        sep = kwargs.get("sep", ",")
        quote = re.search(r"EOF inside string starting at row (\d+)", str(exc))
        if quote:  # before anything else: read on past it, the rest of the file is one field
            raise _unclosed(path, _line_of(text, sep, int(quote.group(1))) + lead) from exc
        if not _longer_rows(text, sep, path):  # a longer row with text in it is said plainly there
            raise _unreadable(path, exc) from exc
        opened = _unclosed_quote(text)
        if opened:  # pandas names it only when no longer row comes first; read on, the rest is lost
            raise _unclosed(path, opened + lead) from exc
        # Rows longer than the header by empty fields only, below rows that are not: the
        # ",," lines Excel leaves under a table (pandas: "Expected 2 fields in line 74, saw 3").
        width = len(next((row for row in csv.reader(io.StringIO(text, newline=""), delimiter=sep) if row), []))
        table = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, engine="python", index_col=False,
                            on_bad_lines=lambda row: row[:width], **kwargs)
    except pd.errors.EmptyDataError as exc:  # "No columns to parse from file", pandas' words
        raise DataError(f"{path}: the file is empty: no header and no rows"
                        if not text.strip() else f"{path}: no header line: the file holds only blank lines or "
                        "separators") from exc
    except ValueError as exc:
        raise _unreadable(path, exc) from exc
    if not ("index_col" in kwargs or isinstance(table.index, pd.RangeIndex)):
        # pandas took the first fields as the index: rows longer than the header. Text past the
        # header is refused; empty fields there are trailing separators, dropped.
        _longer_rows(text, kwargs.get("sep", ","), path)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", pd.errors.ParserWarning)  # "loss of data": the empty fields
            table = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, index_col=False, **kwargs)
    if lead:
        table.attrs["lead_lines"] = lead
    return table


def _unreadable(path: Path, exc: Exception) -> DataError:
    """The error for a table pandas cannot read, with its reason on one line."""
    return DataError(f"{path}: not a readable CSV table ({' '.join(str(exc).split())[:200]})")


def _unclosed(path: Path, line: int) -> DataError:
    """The error for a double quote opened on ``line`` and never closed."""
    return DataError(f'{path}: a double quote opened on line {line:,} is never closed (a quote mark inside a name is '
                     'written twice: "")')


def _unclosed_quote(text: str) -> int | None:
    """The line (from 1) of a double quote never closed, or None ("" inside quotes is one)."""
    if text.count('"') % 2 == 0:
        return None
    line, opened, inside = 1, None, False
    for ch in text:
        if ch == '"':
            inside = not inside
            if inside:
                opened = line
        elif ch == "\n":
            line += 1
    return opened if inside else None


def _line_of(text: str, sep: str, record: int) -> int:
    """The line (from 1) where CSV record ``record`` (from 0, the header's) begins: a quoted
    field over two lines makes lines and records differ."""
    import csv
    import io

    rows = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    ends = []
    try:
        for _ in rows:
            ends.append(rows.line_num)
            if len(ends) >= record:
                break
    except csv.Error:
        pass
    return ends[record - 1] + 1 if 0 < record <= len(ends) else record + 1


def _longer_rows(text: str, sep: str, path: Path) -> bool:
    """Refuse a row with more fields than the header, naming its line, unless the extra
    fields are empty (a separator at the end of each row): pandas reads a file whose rows
    are longer than its header with their first fields as the index, shifting every
    column, so a name with an unquoted comma ("Alloa North, Tullibody South and Alloa
    West") turned locality codes into zone codes. Returns whether any row was longer."""
    import csv
    import io

    rows = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    trailing = False
    limit = csv.field_size_limit(max(csv.field_size_limit(), len(text)))  # a long field, as pandas reads it
    try:
        header = next((row for row in rows if row), [])  # blank lines first, as pandas skips them
        for row in rows:
            if len(row) > len(header):
                if any(field.strip() for field in row[len(header):]):
                    shown = ", ".join(header[:6]) + (", ..." if len(header) > 6 else "")
                    hint = " (a separator inside a name? put the name in double quotes)" if sep == "," else ""
                    raise DataError(f"{path}: line {rows.line_num:,} has {len(row)} fields but the header has "
                                    f"{len(header)} ({shown}){hint}")
                trailing = True
    except csv.Error as exc:  # what pandas reads, csv may not (a bare carriage return in a field)
        raise DataError(f"{path}: not a readable CSV table (line {rows.line_num:,}: {exc})") from exc
    finally:
        csv.field_size_limit(limit)
    return trailing


def read_table(path: str | os.PathLike, sheet: str | None = None) -> pd.DataFrame:
    """Read a CSV or an Excel sheet as text. For a workbook without ``sheet``, the first
    sheet that has a Data Zone column is used (SIMD workbooks open with notes sheets).

    The last few tables read are kept in memory, keyed by the file's path, size and
    modification time, so one command reading the lookup twice parses it once."""
    path = Path(path)
    try:
        stat = path.stat()
    except OSError:
        return _read_table(path, sheet)
    return _read_table_cached(str(path.resolve()), stat.st_size, stat.st_mtime_ns, sheet).copy()


@functools.lru_cache(maxsize=8)
def _read_table_cached(path: str, size: int, mtime_ns: int, sheet: str | None) -> pd.DataFrame:
    return _read_table(Path(path), sheet)


def read_plan_table(path: Path, sheet: str | None = None) -> tuple[pd.DataFrame, str, list[str]]:
    """A plan's table, its Data Zone column and notes on how it was read. Rows of separators
    only (";;" left by Excel) are blank rows, dropped, the others keeping their row numbers; a
    row repeated exactly is read once, and said (one zone in two localities is still refused
    later). ``sheet``: the workbook's sheet to read (by default the largest with zone codes).
    ``attrs["header_line"]``: the header's line in the file (1 unless under a title)."""
    raw, note = _plan_sheet(path, sheet)
    notes = [note] if note else []
    # The header's line as the file or sheet shows it: under a title, past blank lines.
    raw.attrs["header_line"] = int(raw.attrs.get("header_row") or 1) + int(raw.attrs.get("lead_lines", 0))
    if raw.attrs.get("header_row"):
        notes.append(f"the header is row {raw.attrs['header_line']} of {path.name}, under a title; rows are "
                     "numbered as in the file")
    zone_col = _find(raw, "datazone")
    if zone_col is None and any(re.fullmatch(CODE, str(c).strip().upper()) for c in raw.columns):
        # The first line is a zone's row, not a header: "no locality column ... found
        # 'S01007409', 'Tullibody'" sent the analyst looking for a column.
        raise DataError(f"{path}: the first line ({', '.join(map(str, raw.columns[:3]))}) is a zone's row, not a "
                        "header: add a header line, such as datazone,locality")
    if zone_col is None:
        zone_col = _code_column(raw)
        if zone_col is None:
            zone_col = column(raw, "datazone", path)  # which names what it looked for
        notes.append(f"Data Zone codes read from column {zone_col!r}, the one holding them (call it 'datazone' to say so)")
    # Cells as a reader sees them, stripped: for blank rows and for repeated ones.
    seen = raw.apply(lambda col: col.astype(str).str.strip())
    blank = (raw.isna() | seen.isin(["", "nan"])).all(axis=1).to_numpy()
    raw, seen = raw[~blank], seen[~blank]
    # Repeated rows: " s01007409 ,Tullibody " repeats "S01007409,Tullibody" (it was refused as
    # a zone in two localities, where the exact repeat was read once).
    seen[zone_col] = seen[zone_col].str.upper()
    again = seen.duplicated(keep="first")
    if again.any():
        exact = raw.duplicated(keep="first")
        how = "exactly" if exact[again].all() else "(spaces, and capitals in zone codes, aside)"
        notes.append(f"{counted(int(again.sum()), 'row repeats', 'rows repeat')} another row {how}, read once: "
                     f"{listing(seen.loc[again, zone_col].unique())}")
        raw = raw[~again.to_numpy()]
    return raw, zone_col, notes


def _code_column(frame: pd.DataFrame) -> str | None:
    """A column of zone codes under another header ("Code", "Zone", "Data Zone Code"): nine
    tenths or more of its filled cells are codes."""
    for c in frame.columns:
        text = frame[c].astype(str).str.strip().str.upper()
        text = text[text != ""]
        if len(text) and text.str.match(CODE).mean() >= 0.9:
            return c
    return None


def _plan_sheet(path: Path, sheet: str | None = None) -> tuple[pd.DataFrame, str | None]:
    """The table holding the plan, and a note naming the sheet when a workbook has several
    with Data Zone codes: the one with the most zones, unless ``sheet`` names one. The
    package's own ranking workbook lists a few zones on its "Masked pockets" sheet before
    "Assignment", and the first was read as a plan of one locality ("114 zones of the
    council in no locality")."""
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        # Blank lines kept (and dropped by the caller, after numbering): rows are named by
        # the line the file shows, and pandas skipping them put "row 6" for line 7.
        return _headed(read_csv(path, keep_blank_lines=True)), None
    sheets = _sheets(path)  # the workbook read once
    note = None
    if sheet is not None:
        if sheet not in sheets:
            raise DataError(f"{path}: no sheet {sheet!r}; its sheets are {listing(map(repr, sheets))}")
        name = sheet
    else:
        found = []
        for name, frame in sheets.items():
            # By its header, or by its codes under another ("Data Zone Code"), as a CSV is read.
            zones = _find(frame, "datazone") or _code_column(frame)
            if zones is not None:
                found.append((frame[zones].astype(str).str.strip().ne("").sum(), name))
        if not found:
            raise DataError(f"{path}: no sheet has a column of Data Zone codes (S01...; its sheets are "
                            f"{listing(map(repr, sheets))}): a plan lists each zone's code beside its locality")
        rows, name = max(found, key=lambda f: f[0])  # the first of equals
        if len(found) > 1:
            note = (f"read sheet {name!r} ({rows:,} zones), the largest of {len(found)} sheets with Data Zone codes "
                    f"({', '.join(repr(f[1]) for f in found)}; layer=NAME reads another)")
    _uncalculated(path, name, sheets[name])
    return sheets[name], note


def _headed(df: pd.DataFrame, within: int = 5) -> pd.DataFrame:
    """``df`` with its header found below title rows: council spreadsheets often open with a
    title ("Midlothian locality plan 2024") above the header, and the Data Zone column was
    "not found". The first of the top ``within`` rows naming a Data Zone column becomes the
    header; ``attrs["header_row"]`` gives its line in the file (1 = the first)."""
    if _find(df, "datazone") is not None or df.empty:
        return df
    for i in range(min(within, len(df))):
        trial = df.iloc[i + 1:].reset_index(drop=True)
        trial.columns = [str(v).strip() if str(v).strip() else f"Unnamed: {j}" for j, v in enumerate(df.iloc[i])]
        if _find(trial, "datazone") is not None:
            trial.attrs["header_row"] = i + 2
            return trial
    return df


def _sheets(path: Path, sheet: str | None = None):
    """One sheet of a workbook (``sheet``), or all of them by name, as text, each headed
    (:func:`_headed`)."""
    _sniff(path, "xlsx")
    try:
        sheets = pd.read_excel(path, sheet_name=sheet, dtype=str, keep_default_na=False)
    except Exception as exc:  # openpyxl raises many kinds on corrupt workbooks
        raise DataError(f"{path}: not a readable Excel workbook ({exc})") from exc
    return _headed(sheets) if sheet is not None else {name: _headed(df) for name, df in sheets.items()}


def _uncalculated(path: Path, sheet: str, df: pd.DataFrame) -> None:
    """Refuse a sheet whose formulas have no saved values (a workbook written by a script,
    never opened in a spreadsheet program): they read as blank cells, so localities were "zones
    with no locality" and names the generated ones, without a word of the formulas."""
    if not (df.astype(str) == "").to_numpy().any():
        return  # no blank cell: nothing a formula could have left blank
    import openpyxl

    formulas = openpyxl.load_workbook(path, read_only=True, data_only=False)
    values = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        found = [f.coordinate for rf, rv in zip(formulas[sheet].iter_rows(), values[sheet].iter_rows())
                 for f, v in zip(rf, rv) if isinstance(f.value, str) and f.value.startswith("=") and v.value is None
                 and hasattr(f, "coordinate")]
    finally:
        formulas.close()
        values.close()
    if found:
        raise DataError(f"{path}: sheet {sheet!r} has {counted(len(found), 'formula', 'formulas')} with no saved value "
                        f"({listing(found, 3)}), read as blank: the workbook was written by a program that does not "
                        "calculate; open and save it in Excel or LibreOffice, or paste the values")


def _read_table(path: Path, sheet: str | None = None) -> pd.DataFrame:
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        return _headed(read_csv(path))
    if sheet is not None:
        return _sheets(path, sheet)
    for df in _sheets(path).values():
        if _find(df, "datazone") is not None:
            return df
    raise DataError(f"{path}: no sheet has a Data Zone column (looked for {', '.join(ALIASES['datazone'])})")


def _find(df: pd.DataFrame, field: str) -> str | None:
    wanted = ALIASES[field]
    for col in df.columns:
        if str(col).strip().lower() in wanted:
            return col
    return None


def column(df: pd.DataFrame, field: str, source: object) -> str:
    """Name of the column holding ``field`` (by its known spellings), or a DataError."""
    col = _find(df, field)
    if col is None:
        raise DataError(
            f"{source}: no {field} column; looked for {', '.join(ALIASES[field])} "
            f"among {listing(df.columns, 40)}"
        )
    return col


def clean_codes(values: pd.Series, source: object, what: str = "Data Zone") -> pd.Series:
    """Strip and upper-case zone codes, refuse malformed ones and duplicates."""
    codes = values.astype(str).str.strip().str.upper()
    if what == "Data Zone":
        bad = codes[~codes.str.match(CODE)]
        if len(bad):
            raise DataError(f"{source}: {counted(len(bad), 'value is not a Data Zone code', 'values are not Data Zone codes')} (S01 and 6 digits): {listing(bad.unique())}")
    dup = codes[codes.duplicated()]
    if len(dup):
        raise DataError(f"{source}: duplicate {what} {noun(dup.unique(), 'code', 'codes')}: {listing(dup.unique())}")
    return codes


def vintage_of(codes: pd.Series, source: object) -> int:
    """2011 or 2022, from the code ranges; mixed vintages are refused."""
    numbers = codes.str[3:].astype(int)
    new = numbers >= FIRST_2022_CODE
    if new.all():
        return 2022
    if not new.any():
        return 2011
    raise DataError(
        f"{source}: mixes 2011 and 2022 Data Zone codes ({(~new).sum()} of 2011 such as "
        f"{listing(codes[~new].head(3))}; {new.sum()} of 2022 such as {listing(codes[new].head(3))})"
    )


def to_numbers(df: pd.DataFrame, columns: list[str], keys: pd.Series, source: object) -> tuple[pd.DataFrame, dict[str, int]]:
    """Parse text columns as numbers. Suppressed or blank cells (``*``, ``..``, empty)
    become missing and are counted; anything else that is not a number is an error."""
    out = pd.DataFrame(index=df.index)
    suppressed: dict[str, int] = {}
    for col in columns:
        plain = pd.to_numeric(df[col], errors="coerce")
        if plain.notna().all() and np.isfinite(plain).all():  # every cell a plain number: the string clean-up below would change nothing
            out[col] = plain.astype(float)
            continue
        text = df[col].astype(str).str.strip()
        # Some published tables give rates as "8%".
        percent = text.str.endswith("%")
        numbers = pd.to_numeric(text.str.rstrip("%").str.replace(",", ""), errors="coerce")
        numbers = numbers.where(~percent, numbers / 100)
        missing = text.str.lower().isin(MISSING_MARKS)
        bad = (numbers.isna() & ~missing) | np.isinf(numbers)  # "inf" is not a count or a rate
        if bad.any():
            where = [f"{k}={v!r}" for k, v in zip(keys[bad], text[bad])]
            raise DataError(f"{source}: column {col!r} has non-numeric {noun(where, 'value', 'values')}: {listing(where)}")
        if missing.any():
            suppressed[col] = int(missing.sum())
        out[col] = numbers.astype(float)
    return out, suppressed
