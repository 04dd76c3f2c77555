"""A plan from a table (CSV, TSV or a workbook's sheet) of ``datazone,locality`` with an
optional ``name``: which column holds the localities, which their names, and notes on
what a reader would take amiss. (Split from :mod:`localities.plans`, which reads every
kind of plan file.)
"""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import pandas as pd

from .errors import PlanError, clip, counted, listing
from .plans import LOCALITY_ALIASES, Plan, _check_assignment
from .tables import read_plan_table

# Where the locality is looked for, most explicit first; a "name" column may hold the zones' own names.
_ID_TIERS = (("locality", "locality_id", "locality_code"), ("id", "code"), ("locality_name", "name"))
_NAMEISH = ("locality_name", "name")
#: Headers of a column the reader does not take for the localities but that reads like one.
#: "locality" anywhere as a word of the header ("Proposed locality", as "Locality (proposed)";
#: not "allocation"), the other words at its start only ("SIMD group" is no locality column).
_LOCALITY_LIKE = re.compile(r"^(loc|area|group|cluster|region|neighbourhood|community|partnership)|(?<=_)locality")


def _norm(col) -> str:
    return str(col).strip().lower().replace(" ", "_")


def _zone_names(values: pd.Series, codes: pd.Series, dz: gpd.GeoDataFrame | None) -> bool:
    """True when a column holds the zones' own labels, not localities: the zone table's
    ``name`` for those codes (on most rows), or a different value on every row."""
    values = values.astype(str).str.strip()
    if len(values) > 1 and values.nunique() == len(values):
        return True
    if dz is not None and "name" in dz and len(values):
        own = codes.map(dz.drop_duplicates("datazone").set_index("datazone")["name"].astype(str).str.strip().str.lower())
        return bool((own.to_numpy() == values.str.lower().to_numpy()).mean() > 0.5)
    return False


def _same_grouping(a: pd.Series, b: pd.Series) -> bool:
    frame = pd.DataFrame({"a": a.astype(str).to_numpy(), "b": b.astype(str).to_numpy()})
    return bool(frame.groupby("a")["b"].nunique().max() <= 1 and frame.groupby("b")["a"].nunique().max() <= 1)


def _unmangled(col, columns) -> str:
    """A header as typed: pandas reads a second "locality" as "locality.1"."""
    m = re.fullmatch(r"(.+)\.(\d+)", str(col))
    return m.group(1) if m and m.group(1) in columns else str(col)


def _locality_columns(raw: pd.DataFrame, zone_col, codes: pd.Series, dz, path) -> tuple[str, str | None]:
    """The locality column and (optionally) the locality-name column of a table plan."""
    cols = [c for c in raw.columns if c != zone_col]
    # A header typed twice ("datazone,locality,locality") is that header twice, not another one.
    norm = {c: _norm(_unmangled(c, raw.columns)) for c in cols}

    def shown(c):
        typed = _unmangled(c, raw.columns)
        return repr(typed) if typed == c else f"{typed!r} (column {list(raw.columns).index(c) + 1})"
    zone_like = [c for c in cols if norm[c] in _NAMEISH and _zone_names(raw[c], codes, dz)]
    loc_col = None
    for tier in _ID_TIERS:
        found = sorted((c for c in cols if norm[c] in tier and c not in zone_like), key=lambda c: tier.index(norm[c]))
        if not found:
            continue
        differ = [c for c in found[1:] if not _same_grouping(raw[found[0]], raw[c])]
        if differ:
            raise PlanError(f"{path}: ambiguous locality columns {listing(shown(c) for c in [found[0], *differ])} group "
                            "the zones differently; keep one of them (or rename the others)")
        loc_col = found[0]
        if tier is _ID_TIERS[-1]:
            # Names as ids only when no other column could be the locality: a header "loc" the
            # reader does not know left "name" to group the zones, and three localities named
            # "Irvine" became one of 39,522 people.
            # Only a column whose header reads like one ("loc", "area", "group"): a ward, IZ,
            # decile or notes column groups the zones differently too, and is no locality.
            other = [c for c in cols if c not in found and c not in zone_like and _LOCALITY_LIKE.search(norm[c])
                     and 1 < raw[c].nunique() < 0.5 * len(raw) and not _same_grouping(raw[loc_col], raw[c])]
            if other:
                codes_named = [a for t in _ID_TIERS[:-1] for a in t]
                raise PlanError(f"{path}: no column of locality codes ({', '.join(codes_named)}), and the names in "
                                f"{loc_col!r} group the zones differently from column {other[0]!r}: if {other[0]!r} "
                                "holds the localities, call it 'locality'")
        break
    if loc_col is None and not zone_like:
        # One column of localities under another header ("Area", "Partnership"): read, and
        # said (the polygon reader reads such a column too).
        like = [c for c in cols if _LOCALITY_LIKE.search(norm[c]) and 1 < raw[c].nunique() < len(raw)]
        loc_col = like[0] if len(like) == 1 else None
    if loc_col is None:
        if zone_like:
            raise PlanError(f"{path}: no locality column: {listing(repr(c) for c in zone_like)} holds the zones' own "
                            "names (one per zone), not localities; add a 'locality' column")
        raise PlanError(f"{path}: no locality column; expected one of {', '.join(LOCALITY_ALIASES)}, "
                        f"found {listing(map(repr, raw.columns))}")
    name_col = None
    candidates = sorted((c for c in cols if norm[c] in _NAMEISH and c not in zone_like), key=lambda c: _NAMEISH.index(norm[c]))

    # Rows with no locality are left to the check that names their zones ("column 'name'
    # gives locality  2 names ('', ...)" said nothing of the blank cell).
    keyed = raw[loc_col].astype(str).str.strip()
    filled = raw[loc_col].notna() & keyed.ne("")

    def spaced(c):
        return _spaced(raw[c])[filled]

    for c in candidates:
        if c == loc_col or spaced(c).groupby(keyed[filled]).nunique().max() <= 1:
            name_col = c
            break
    if name_col is None and candidates and isinstance(raw[candidates[0]], pd.Series):
        # Two names for one locality: the generated names replaced the analyst's without a word.
        c = candidates[0]
        given = spaced(c).groupby(keyed[filled])
        counts = given.nunique()
        if (counts > 1).any():
            loc = counts.idxmax()
            names = [repr(str(v)) for v in given.get_group(loc).dropna().unique()]
            raise PlanError(f"{path}: column {c!r} gives locality {clip(loc)} {len(names)} names "
                            f"({listing(names, 3)}); one name per locality")
    return loc_col, name_col


def _spaced(values: pd.Series) -> pd.Series:
    """Names as printed, single-spaced (a stray space is not another name); missing stays missing."""
    return values.where(values.isna(), values.astype(str).str.split().str.join(" "))


def read_table_plan(path: Path, dz: gpd.GeoDataFrame, sheet: str | None = None) -> Plan:
    """The plan a table makes (see :func:`localities.read_plan`)."""
    from .build import plan_from_assignment  # the builder imports this module
    from .names import is_code

    try:
        raw, zone_col, notes = read_plan_table(path, sheet)
    except PlanError:
        raise
    except Exception as exc:
        raise PlanError(str(exc)) from exc
    raw.columns = [str(c) for c in raw.columns]
    zone_col = str(zone_col)
    codes = raw[zone_col].astype(str).str.strip().str.upper()
    loc_col, name_col = _locality_columns(raw, zone_col, codes, dz, path)
    from .export import undefuse  # a name saved as '=x (kept from running as a formula) is =x again

    locs = undefuse(raw[loc_col].astype(str).str.strip())
    if _norm(loc_col) not in LOCALITY_ALIASES:
        notes.append(f"localities read from column {loc_col!r} (call it 'locality' to say so)")
    # Rows named by their line in the file or sheet.
    _check_assignment(codes, locs, dz, path, header=raw.attrs["header_line"], typed=raw[zone_col])
    names = None
    if name_col:
        names = pd.Series(undefuse(_spaced(raw[name_col]).astype(str)).to_numpy(), index=locs).groupby(level=0).first()
        given = raw[name_col].notna() & (raw[name_col].astype(str).str.strip() != "")
        # An id that is itself a name ("Port Glasgow") names its locality; a code ("R03") does not.
        unnamed = sorted(loc for loc in set(locs) - set(locs[given.to_numpy()]) if is_code(loc))
        if unnamed:
            # Filled in without a word, a made-up name could pass for the analyst's own.
            notes.append(f"{counted(len(unnamed), 'locality has', 'localities have')} no name in column {name_col!r}: "
                         f"named from {'its' if len(unnamed) == 1 else 'their'} Intermediate Zones ({listing(unnamed)})")
    notes += _look_alike(locs, names)
    return plan_from_assignment(dz, pd.Series(locs.to_numpy(), index=codes), names=names,
                                params={"source": str(path)}, notes=notes)


def _look_alike(locs: pd.Series, names: pd.Series | None) -> list[str]:
    """Notes on localities a reader would take for one: ids differing only in capitals or
    spaces ("TULLIBODY & MENSTRIE" on two rows, "Tullibody & Menstrie" on the rest made a
    sixth locality of 1,342 people), and one name given to two localities."""
    notes = []
    sizes = locs.value_counts()
    folded = pd.Series(sizes.index, index=sizes.index).str.casefold().str.split().str.join(" ")
    for _, same in folded.groupby(folded.to_numpy()):
        if len(same) > 1:
            notes.append(f"{counted(len(same), 'locality differs', 'localities differ')} only in capitals or spaces, "
                         "read as different localities: "
                         + listing([f"{clip(loc)!r} ({counted(int(sizes[loc]), 'zone', 'zones')})" for loc in same.index],
                                   width=None)
                         + "; write them the same if they are one")
    if names is not None:
        named = names[names.notna() & names.astype(str).str.strip().ne("") & names.astype(str).ne("nan")]
        shared = named[named.duplicated(keep=False)]
        for name, ids in shared.groupby(shared.to_numpy()):
            notes.append(f"{counted(len(ids), 'locality', 'localities')} share the name {clip(name)!r} "
                         f"({listing(map(clip, ids.index))}): maps and tables will not tell them apart")
    return notes
