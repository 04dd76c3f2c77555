"""Load Data Zones, their lookups, populations and SIMD 2020v2 indicators.

Every reader finds its key columns by their known names in each official format
(``DataZone`` in the SG shapefile, ``dz11_code`` in the derived GeoPackage, ``DZ`` in
the SIMD lookup, ``Data_Zone`` in the SIMD workbooks, ``DZ2011_Code``/``DZ22_Code`` in
the SG lookups), checks codes, numbers and geometry, and raises :class:`DataError`
naming the file, the column and the zones when something is wrong. Geometry is
converted to British National Grid (EPSG:27700) on the way in. The file readers are in
:mod:`localities.tables` (tables) and :mod:`localities.boundaries` (polygons); council
names, aliases and their resolution to codes in :mod:`localities.council_names`.
"""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from . import sources
from .boundaries import BNG, _polygonal, read_boundaries, to_bng  # noqa: F401  (re-exported)
from .council_names import AMBIGUOUS_COUNCILS, COUNCIL_ALIASES, fold, resolve_council  # noqa: F401  (re-exported)
from .errors import DataError, counted, listing, noun
from .tables import (  # noqa: F401  (re-exported: readers elsewhere import them from here)
    ALIASES, CODE, FIRST_2022_CODE, MISSING_MARKS, _find, _sniff, clean_codes, column, decode_text, read_csv,
    read_table, to_numbers, vintage_of,
)


# The SIMD 2020v2 lookup: official column -> our name.
SIMD_LOOKUP_COLUMNS = {
    "Population": "population",
    "Working_Age_Population": "working_age_population",
    "SIMD2020v2_Rank": "simd_rank",
    "SIMD2020v2_Vigintile": "simd_vigintile",
    "SIMD2020v2_Decile": "simd_decile",
    "SIMD2020v2_Quintile": "simd_quintile",
    "SIMD2020v2_Income_Domain_Rank": "income_rank",
    "SIMD2020_Employment_Domain_Rank": "employment_rank",
    "SIMD2020_Education_Domain_Rank": "education_rank",
    "SIMD2020_Health_Domain_Rank": "health_rank",
    "SIMD2020_Access_Domain_Rank": "access_rank",
    "SIMD2020_Crime_Domain_Rank": "crime_rank",
    "SIMD2020_Housing_Domain_Rank": "housing_rank",
    "URclass": "urban_rural",
}

# SIMD 2020v2 indicator columns (official names); ours are the lower-case forms.
SIMD_INDICATORS = (
    "Income_rate", "Income_count", "Employment_rate", "Employment_count", "CIF", "ALCOHOL", "DRUG",
    "SMR", "DEPRESS", "LBWT", "EMERG", "Attendance", "Attainment", "no_qualifications",
    "not_participating", "University", "drive_petrol", "drive_GP", "drive_post", "drive_primary",
    "drive_retail", "drive_secondary", "PT_GP", "PT_post", "PT_retail", "Broadband", "crime_count",
    "crime_rate", "overcrowded_count", "nocentralheat_count", "overcrowded_rate", "nocentralheat_rate",
)

POPULATIONS = {
    "simd2020v2": ("simd_lookup", "Population", "NRS mid-2017 small area population estimates, as used by SIMD 2020v2"),
    "nrs2020": ("nrs_population_2020", "total_population", "NRS mid-2020 small area population estimates"),
    "nrs2021": ("nrs_population_2021", "total_population", "NRS mid-2021 small area population estimates"),
}

# Age groups that weight indicators about them (from the NRS single-year-of-age table):
# column -> (first age, last age, who).
AGE_GROUPS = {
    "pop_0_4": (0, 4, "young children, for births"),
    "pop_12_17": (12, 17, "secondary-school-age people"),
    "pop_16_18": (16, 18, "school-leaving-age people"),
    "pop_16_19": (16, 19, "16-19 year olds"),
    "pop_17_21": (17, 21, "17-21 year olds"),
}



# ---------------------------------------------------------------------------- lookups

def load_lookup(vintage: int = 2011, data_dir: str | os.PathLike | None = None, path: str | os.PathLike | None = None) -> pd.DataFrame:
    """The SG Data Zone lookup: zone to Intermediate Zone, ward (2022 set) and council.

    Parameters
    ----------
    vintage : {2011, 2022}
        Data Zone vintage (6,976 or 7,392 zones).
    data_dir, path : optional
        Data directory, or the lookup CSV itself (Windows-1252 or UTF-8).

    Returns
    -------
    DataFrame
        Columns ``datazone, name, iz, iz_name, ward, ward_name, council, council_name``.
    """
    vintage = int(vintage) if isinstance(vintage, str) and vintage.strip() in ("2011", "2022") else vintage
    if vintage not in (2011, 2022):
        raise DataError(f"vintage must be 2011 or 2022, not {vintage!r}")
    path = Path(path) if path else sources.find(f"dz_lookup_{vintage}", data_dir)
    raw = read_table(path)
    out = pd.DataFrame({field: raw[column(raw, field, path)].astype(str).str.strip() for field in ALIASES})
    for field in [f for f in ALIASES if f == "name" or f.endswith("_name")]:
        out[field] = out[field].str.split().str.join(" ")  # "Craigie and  Craigiebank" in the official file
    out["iz_name"] = _capitalised_as_zones(out)
    out["datazone"] = clean_codes(out["datazone"], path)
    found = vintage_of(out["datazone"], path)
    if found != vintage:
        raise DataError(f"{path}: asked for the {vintage} lookup but its codes are {found} Data Zones")
    for field in ("iz", "ward", "council"):
        blank = out[field] == ""
        if blank.any():
            raise DataError(f"{path}: {noun(int(blank.sum()), 'zone', 'zones')} with no {field}: {listing(out.loc[blank, 'datazone'])}")
    out.attrs["source"] = str(path)
    return out


def _capitalised_as_zones(lookup: pd.DataFrame) -> pd.Series:
    """IZ names as their zones' names write them, where the two differ only in capitals: the
    official lookups name S02002465 "Clydebank east" and its zones "Clydebank East - 01"
    (and Dumbarton East), and "Clydebank east" reached locality names."""
    stem = lookup["name"].str.replace(r"\s*-\s*\d+$", "", regex=True)
    same = (stem != lookup["iz_name"]) & (stem.str.casefold() == lookup["iz_name"].str.casefold())
    if not same.any():
        return lookup["iz_name"]
    # Only where every zone of the IZ agrees on the spelling.
    agreed = stem.groupby(lookup["iz"]).agg(lambda s: s.iloc[0] if s.nunique() == 1 else None)
    better = lookup["iz"].map(agreed)
    return lookup["iz_name"].where(~(same & better.notna()), better)


def councils(data_dir: str | os.PathLike | None = None) -> pd.DataFrame:
    """Council names and codes with their zone counts, from the 2011 lookup, in order of
    name (the order people look a council up in)."""
    lk = load_lookup(2011, data_dir)
    table = lk.groupby(["council_name", "council"]).size().rename("zones").reset_index()
    return table.sort_values("council_name", key=lambda s: s.str.casefold(), ignore_index=True)


# ---------------------------------------------------------------------------- data zones

# Full names of the 2017 wards that the 2022 island reviews abolished, so the SG lookup no
# longer has them (ONS Ward boundaries December 2021, ``ward21_name``).
WARD_2017_NAMES = {
    "S13002600": "Barraigh, Bhatarsaigh, Eirisgeigh agus Uibhist a Deas",
    "S13002736": "East Mainland, South Ronaldsay and Burray",
}


def repair_ward_names(codes: pd.Series, names: pd.Series, reference: pd.Series | None = None) -> tuple[pd.Series, list[str]]:
    """Restore ward names that a CSV writer cut at their first comma.

    The SIMD 2020v2 lookup CSV (``simd2020v2_dz_lookup.csv``, as republished) holds
    ``\"\"\"Carse\"`` where the ward is "Carse, Kinnaird and Tryst": the field was
    quoted twice, so a correct CSV reader yields ``"Carse`` and the rest of the name is
    not in the file at all (24 wards whose names contain a comma). Such a name (one
    with a stray double quote) is replaced by the name of the same ward code in
    ``reference`` (the SG lookup, code -> name) or :data:`WARD_2017_NAMES`; a name
    that cannot be restored loses its stray quote. Returns the names and the codes
    repaired.
    """
    names = names.astype(str)
    damaged = names.str.count('"') % 2 == 1
    if not damaged.any():
        return names, []
    known = dict(WARD_2017_NAMES)
    if reference is not None:
        known.update(reference.astype(str).to_dict())
    fixed = codes[damaged].map(known)
    fallback = names[damaged].str.replace('"', "", regex=False).str.strip()
    names = names.copy()
    names[damaged] = fixed.where(fixed.notna() & (fixed.str.count('"') % 2 == 0), fallback)
    return names, sorted(codes[damaged].unique())


def _simd_lookup(data_dir) -> tuple[pd.DataFrame, dict]:
    path = sources.find("simd_lookup", data_dir)
    raw = read_table(path)
    key = clean_codes(raw[column(raw, "datazone", path)], path)
    missing = [c for c in SIMD_LOOKUP_COLUMNS if c not in raw.columns]
    if missing:
        raise DataError(f"{path}: missing {noun(missing, 'column', 'columns')} {', '.join(missing)}")
    numbers, suppressed = to_numbers(raw, [c for c in SIMD_LOOKUP_COLUMNS], key, path)
    numbers = numbers.rename(columns=SIMD_LOOKUP_COLUMNS)
    for col in numbers:  # ranks, quantiles and counts are whole numbers: keep them so
        if numbers[col].notna().all() and (numbers[col] % 1 == 0).all():
            numbers[col] = numbers[col].astype(np.int64)
    numbers.insert(0, "datazone", key.values)
    numbers["ward_2017"] = raw[column(raw, "ward", path)].str.strip().values
    numbers["ward_2017_name"] = raw[column(raw, "ward_name", path)].str.strip().values
    return numbers, {"file": str(path), "suppressed": suppressed}


def _indicators(data_dir) -> tuple[pd.DataFrame, dict]:
    path = sources.find("simd_indicators", data_dir)
    raw = read_table(path, sheet="Data" if path.suffix == ".xlsx" else None)
    key = clean_codes(raw[column(raw, "datazone", path)], path)
    missing = [c for c in SIMD_INDICATORS + ("Total_population",) if c not in raw.columns]
    if missing:
        raise DataError(f"{path}: missing indicator {noun(missing, 'column', 'columns')} {', '.join(missing)}")
    numbers, suppressed = to_numbers(raw, list(SIMD_INDICATORS) + ["Total_population"], key, path)
    numbers.columns = [c.lower() for c in numbers.columns]
    numbers.insert(0, "datazone", key.values)
    return numbers, {"file": str(path), "suppressed": {k.lower(): v for k, v in suppressed.items()}}


def load_population(source: str = "simd2020v2", data_dir: str | os.PathLike | None = None) -> pd.Series:
    """Population by 2011 Data Zone: ``simd2020v2`` (NRS mid-2017, the default),
    ``nrs2020`` or ``nrs2021``, or the path of a CSV with a zone and a population column."""
    if source in POPULATIONS:
        key, col, _ = POPULATIONS[source]
        path = sources.find(key, data_dir)
    else:
        if not isinstance(source, (str, os.PathLike)) or not Path(source).is_file():
            raise DataError(f"population must be one of {', '.join(POPULATIONS)} or the path of a CSV/XLSX file "
                            f"of zone and population, not {source!r}" + (" (no such file)" if isinstance(source, str) else ""))
        path, col = Path(source), None
    raw = read_table(path)
    sex = next((c for c in raw.columns if c.strip().lower() == "sex"), None)
    if sex is not None:  # the by-sex table: keep the persons rows
        raw = raw[raw[sex].str.strip().str.lower().isin(["all", "persons"])].reset_index(drop=True)
    if col is None or col not in raw.columns:
        col = next((c for c in raw.columns if c.strip().lower() in ("population", "total_population", "count", "value")), None)
        if col is None:
            raise DataError(f"{path}: no population column (population, total_population, count or value)")
    key = clean_codes(raw[column(raw, "datazone", path)], path)
    percent = raw[col].astype(str).str.strip().str.endswith("%")
    if percent.any():
        raise DataError(f"{path}: column {col!r} holds percentages, not numbers of people: "
                        f"{listing(f'{k}={v!r}' for k, v in zip(key[percent], raw.loc[percent, col]))}")
    numbers, suppressed = to_numbers(raw, [col], key, path)
    values = numbers[col]
    if suppressed or values.isna().any():
        raise DataError(f"{path}: population missing for {noun(int(values.isna().sum()), 'zone', 'zones')} {listing(key[values.isna()])}")
    if (values < 0).any():
        raise DataError(f"{path}: negative population for {noun(int((values < 0).sum()), 'zone', 'zones')} {listing(key[values < 0])}")
    return pd.Series(values.values, index=pd.Index(key.values, name="datazone"), name="population")


def load_age_groups(data_dir: str | os.PathLike | None = None) -> pd.DataFrame | None:
    """Population of the age groups in :data:`AGE_GROUPS` per 2011 Data Zone, from the NRS
    mid-2020 single-year-of-age estimates (persons rows); None when the data directory
    does not have that table."""
    path = sources.find("nrs_population_2020", data_dir, required=False)
    if path is None:
        return None
    raw = read_table(path)
    sex = next((c for c in raw.columns if c.strip().lower() == "sex"), None)
    if sex is None or not all(str(a) in raw.columns for a in range(0, 22)):
        return None  # a totals-only table: no ages to weight by
    raw = raw[raw[sex].str.strip().str.lower().isin(["all", "persons"])].reset_index(drop=True)
    key = clean_codes(raw[column(raw, "datazone", path)], path)
    ages = [str(a) for a in range(0, 22)]
    numbers, _ = to_numbers(raw, ages, key, path)
    out = pd.DataFrame({name: numbers[[str(a) for a in range(lo, hi + 1)]].sum(axis=1, min_count=1)
                        for name, (lo, hi, _) in AGE_GROUPS.items()})
    out.index = pd.Index(key.to_numpy(), name="datazone")
    return out


def _check_same_zones(reference: pd.Index, other: pd.Index, ref_name: object, other_name: object) -> None:
    only_ref = reference.difference(other)
    only_other = other.difference(reference)
    if len(only_ref) or len(only_other):
        parts = []
        if len(only_ref):
            parts.append(f"{counted(len(only_ref), 'zone', 'zones')} in {ref_name} {noun(only_ref, 'is', 'are')} missing from {other_name}: {listing(only_ref)}")
        if len(only_other):
            parts.append(f"{counted(len(only_other), 'zone', 'zones')} in {other_name} {noun(only_other, 'is', 'are')} not in {ref_name}: {listing(only_other)}")
        raise DataError("; ".join(parts))


CACHE_ENV_VAR = "LOCALITIES_CACHE"  # the switch of localities.cache
ZONE_TABLE_FILES = ("dz_lookup_2011", "simd_lookup", "simd_indicators", "nrs_population_2020")


def _zone_table_key(root: Path, population: str, wards: str) -> str | None:
    """Fingerprint of everything :func:`zone_table` reads: the files (path, size, time),
    the arguments and the package's code. None when caching is off."""
    from . import cache

    if not cache.enabled():
        return None
    used = [sources.find(k, root, required=False) for k in ZONE_TABLE_FILES]
    if population not in POPULATIONS:
        used.append(Path(population))
    else:
        used.append(sources.find(POPULATIONS[population][0], root, required=False))
    here = Path(__file__).parent
    return cache.fingerprint(population, wards, files=[u for u in used if u is not None and u.exists()],
                             code=[here / m for m in ("load.py", "sources.py", "outcomes.py")])


def zone_table(data_dir: str | os.PathLike | None = None, population: str = "simd2020v2", wards: str = "2022") -> pd.DataFrame:
    """All of Scotland's 2011 Data Zones with lookups, population and SIMD data, no geometry.

    The table behind :func:`load_datazones` (see there for the parameters); also what the
    Scotland comparator in :func:`localities.rank` is computed from.

    The parsed table is kept in the user cache (``parsed/`` beside the downloads), keyed by
    the files' paths, sizes and modification times, the arguments and the package's code,
    so a second command on the same data skips parsing; ``LOCALITIES_CACHE=0`` turns this off.
    """
    from . import cache

    wards = str(wards) if isinstance(wards, int) else wards  # 2017 as well as "2017"
    if wards not in ("2022", "2017"):
        raise DataError(f"wards must be '2022' or '2017', not {wards!r}")
    if not isinstance(population, (str, os.PathLike)):
        raise DataError(f"population must be one of {', '.join(POPULATIONS)} or the path of a CSV/XLSX file "
                        f"of zone and population, not {population!r}")
    population = str(population)
    root = sources.data_dir(data_dir)
    return cache.remember("zone_table", _zone_table_key(root, population, wards),
                          lambda: _zone_table(root, population, wards))


def _zone_table(root: Path, population: str, wards: str) -> pd.DataFrame:
    lookup = load_lookup(2011, root)
    simd, simd_info = _simd_lookup(root)
    ind, ind_info = _indicators(root)
    zones = pd.Index(lookup["datazone"])
    _check_same_zones(zones, pd.Index(simd["datazone"]), lookup.attrs["source"], simd_info["file"])
    _check_same_zones(zones, pd.Index(ind["datazone"]), lookup.attrs["source"], ind_info["file"])

    df = lookup.merge(simd, on="datazone", validate="1:1").merge(ind, on="datazone", validate="1:1")
    disagree = df["population"] != df.pop("total_population")
    if disagree.any():
        raise DataError(f"{simd_info['file']} and {ind_info['file']} disagree on population for {noun(int(disagree.sum()), 'zone', 'zones')} "
                        f"{listing(df.loc[disagree, 'datazone'])}")
    if wards == "2017":
        reference = lookup.drop_duplicates("ward").set_index("ward")["ward_name"]
        df["ward"] = df["ward_2017"]
        df["ward_name"], _ = repair_ward_names(df["ward_2017"], df["ward_2017_name"], reference)
    df = df.drop(columns=["ward_2017", "ward_2017_name"])
    if population != "simd2020v2":
        pop = load_population(population, root)
        missing = zones.difference(pop.index)
        if population not in POPULATIONS and len(pop.index.difference(zones)) == 0 and len(missing) >= 0.1 * len(zones):
            # A council's own file ("6904 zones ... are missing from pop.csv" gave no next step):
            # the zone table is all the data's (Scotland's, whose totals are the comparator).
            raise DataError(f"{population}: people for {len(pop):,} of the data's {len(zones):,} Data Zones; a "
                            "population file gives every zone the data holds (all of Scotland), since each locality "
                            f"is compared with Scotland counted the same way ({counted(len(missing), 'zone', 'zones')} "
                            f"missing: {listing(missing)})")
        _check_same_zones(zones, pop.index, lookup.attrs["source"], population)
        df["population"] = df["datazone"].map(pop).to_numpy()
        if (df["population"] % 1 == 0).all():
            df["population"] = df["population"].astype(np.int64)
    from .outcomes import crime_upper

    df["crime_count_upper"] = crime_upper(df)
    ages = load_age_groups(root)
    if ages is not None:
        # A cut-short age table blanked five indicators without a word.
        _check_same_zones(zones, ages.index, lookup.attrs["source"], sources.find("nrs_population_2020", root).name)
        df = df.join(ages, on="datazone")
    df.attrs = {"data_dir": str(root), "lookup": lookup.attrs["source"], "simd_lookup": simd_info["file"],
                "population": str(population), "age_groups": ages is not None,
                "indicators": ind_info["file"],
                "suppressed": {**simd_info["suppressed"], **ind_info["suppressed"]}}
    return df


def load_datazones(
    council: str | None = None,
    data_dir: str | os.PathLike | None = None,
    population: str = "simd2020v2",
    wards: str = "2022",
    boundaries: str | os.PathLike | None = None,
    layer: str | None = None,
) -> gpd.GeoDataFrame:
    """Load 2011 Data Zones with their lookups, population and SIMD 2020v2 data.

    Parameters
    ----------
    council : str, optional
        Council name or ``S12`` code, case-insensitive; all of Scotland when omitted.
    data_dir : path, optional
        Data directory (see :mod:`localities.sources`); ``$LOCALITIES_DATA_DIR``, the
        user cache or the embedded sample otherwise.
    population : str
        ``"simd2020v2"`` (NRS mid-2017, as SIMD uses; default), ``"nrs2020"``,
        ``"nrs2021"``, or a CSV path with zone and population columns.
    wards : {"2022", "2017"}
        Ward set: current wards from the SG lookup (default) or the 2017 set in the
        SIMD 2020v2 lookup. Both are the official best fit of zones to wards.
    boundaries : path, optional
        Zone polygons to use instead of the data directory's (e.g. the full-resolution
        ``SG_DataZoneBdry_2011.zip``).

    Returns
    -------
    GeoDataFrame
        One row per Data Zone: ``datazone, name, iz, iz_name, ward, ward_name, council,
        council_name, population, working_age_population``, SIMD ranks and quantiles,
        the SIMD 2020v2 indicators (lower-case names) and ``geometry`` in EPSG:27700.
        ``attrs`` records the files read, suppressed values per column and repaired
        geometries.
    """
    root = sources.data_dir(data_dir)
    df = zone_table(root, population=population, wards=wards)
    info = dict(df.attrs)
    zones = pd.Index(df["datazone"])
    if council is not None:
        try:
            code = resolve_council(council, df)
        except DataError as exc:
            if sources.is_sample(root) and isinstance(council, str) and council.strip():
                raise DataError(f"{exc}. The embedded sample holds only {df['council_name'].iloc[0]}: set "
                                f"{sources.ENV_VAR}, pass data_dir, or run `localities download`") from exc
            raise
        df = df[df["council"] == code]

    path = Path(boundaries) if boundaries else sources.find("dz_boundaries_2011", root)
    # One council from the data directory's own file: read its zones only (the full file
    # is checked whenever all of Scotland, or a file the analyst supplies, is read).
    subset = list(df["datazone"]) if council is not None and boundaries is None else None
    geo = read_boundaries(path, layer=layer, zones=subset)
    repaired = list(geo.attrs.get("repaired", []))
    codes = clean_codes(geo[column(geo, "datazone", path)], path)
    geo = gpd.GeoDataFrame({"datazone": codes.values}, geometry=geo.geometry.values, crs=geo.crs)
    if council is None:
        _check_same_zones(zones, pd.Index(geo["datazone"]), info["lookup"], path)
    else:
        missing = pd.Index(df["datazone"]).difference(geo["datazone"])
        if len(missing):
            raise DataError(f"{path}: no boundary for {counted(len(missing), 'zone', 'zones')} of the council: {listing(missing)}")
    out = geo.merge(df, on="datazone", how="inner", validate="1:1")
    out = out[[c for c in df.columns] + ["geometry"]].sort_values("datazone").reset_index(drop=True)
    out = gpd.GeoDataFrame(out, geometry="geometry", crs=BNG)
    out.attrs = {
        "data_dir": str(root),
        "sample": sources.is_sample(root),
        "files": {"lookup": info["lookup"], "simd_lookup": info["simd_lookup"],
                  "indicators": info["indicators"], "boundaries": str(path)},
        "population_source": POPULATIONS.get(population, (None, None, str(population)))[2],
        "population": str(population),
        "wards": wards,
        "suppressed": info["suppressed"],
        "repaired": repaired,
        "council": None if council is None else str(out["council_name"].iloc[0]) if len(out) else None,
    }
    return out


def load_boundaries(kind: str, data_dir: str | os.PathLike | None = None, council: str | None = None) -> gpd.GeoDataFrame:
    """Intermediate Zone, ward or council polygons in EPSG:27700 (for maps and checks).

    Parameters
    ----------
    kind : {"iz", "ward", "council"}
    council : str, optional
        Keep the features of this council (for ``"iz"`` and ``"ward"``, via the lookup).
    """
    keys = {"iz": ("iz_boundaries_2011", "iz"), "ward": ("ward_boundaries_2022", "ward"),
            "council": ("council_boundaries", "council")}
    if kind not in keys:
        raise DataError(f"kind must be one of {', '.join(keys)}, not {kind!r}")
    key, field = keys[kind]
    path = sources.find(key, data_dir)
    geo = read_boundaries(path, code_field=field)
    code = next((c for c in geo.columns if c != "geometry" and c.lower().endswith("code") or c in ("InterZone",)), None)
    name = next((c for c in geo.columns if c != "geometry" and c.lower().endswith("name") or c == "Name"), None)
    if code is None:
        raise DataError(f"{path}: no code column among {listing(geo.columns)}")
    out = gpd.GeoDataFrame({kind: geo[code].astype(str).str.strip().values,
                            f"{kind}_name": geo[name].values if name else None},
                           geometry=geo.geometry.values, crs=BNG)
    if council is not None:
        lookup = load_lookup(2011, data_dir)
        code = resolve_council(council, lookup)
        wanted = set(lookup.loc[lookup["council"] == code, field]) if kind != "council" else {code}
        out = out[out[kind].isin(wanted)].reset_index(drop=True)
    return out


def __getattr__(name: str):
    # load_zones_2022 moved to localities.zones2022 (which imports this module); still found here.
    if name == "load_zones_2022":
        from .zones2022 import load_zones_2022

        return load_zones_2022
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
