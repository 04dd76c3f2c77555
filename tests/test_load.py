"""The data foundation on the real files: counts, joins, populations, CRS."""

from __future__ import annotations

import re

import pandas as pd
import pytest

import localities as loc
from localities.errors import DataError

from .conftest import need_real


def test_all_of_scotland(scotland):
    assert len(scotland) == 6976
    assert scotland["datazone"].is_unique
    assert scotland["council"].nunique() == 32
    assert scotland["population"].sum() == 5_424_800
    assert scotland.crs.to_epsg() == 27700
    for col in ("datazone", "name", "iz", "iz_name", "ward", "ward_name", "council", "council_name",
                "population", "working_age_population", "simd_rank", "income_rate", "income_count", "smr"):
        assert col in scotland, col
    for col in ("iz", "ward", "council"):
        assert (scotland[col].str.len() == 9).all(), col
    assert scotland["ward"].nunique() == 355  # the 2022 ward set
    # British National Grid coordinates for Scotland
    minx, miny, maxx, maxy = scotland.total_bounds
    assert 0 < minx < maxx < 700_000 and 500_000 < miny < maxy < 1_250_000


def test_council_populations_match_the_lookup_csv(scotland, real_dir):
    # Independent route: the SIMD lookup CSV read with the csv module, summed by hand.
    import csv

    sums: dict[str, int] = {}
    with open(real_dir / "tables/simd2020v2_dz_lookup.csv", newline="") as fh:
        for row in csv.DictReader(fh):
            sums[row["LAname"]] = sums.get(row["LAname"], 0) + int(row["Population"])
    ours = scotland.groupby("council_name")["population"].sum().to_dict()
    assert ours == sums


def test_one_council_by_name_or_code(real_dir):
    moray = loc.load_datazones("mOrAy", data_dir=real_dir)
    by_code = loc.load_datazones(moray["council"].iloc[0], data_dir=real_dir)
    assert len(moray) == len(by_code) == 126
    assert moray["population"].sum() == 95_780
    assert moray.attrs["council"] == "Moray"


def test_unknown_council_lists_closest_names(real_dir):
    with pytest.raises(DataError, match="Glasgow City"):
        loc.load_datazones("Glasgo Cty", data_dir=real_dir)


def test_suppressed_values_become_missing_and_are_counted(scotland):
    assert scotland.attrs["suppressed"]["attendance"] == scotland["attendance"].isna().sum() == 567
    assert scotland.attrs["suppressed"]["crime_count"] == 500


def test_2017_ward_set(real_dir):
    dz = loc.load_datazones("Highland", data_dir=real_dir, wards="2017")
    lookup = pd.read_csv(real_dir / "tables/simd2020v2_dz_lookup.csv")
    expected = lookup[lookup["LAname"] == "Highland"].set_index("DZ")["MMWcode"]
    assert dz.set_index("datazone")["ward"].equals(expected.reindex(dz["datazone"]).rename("ward").rename_axis("datazone"))


@pytest.mark.parametrize("source,total", [("nrs2020", 5_466_000), ("nrs2021", 5_479_900)])
def test_other_population_estimates(real_dir, source, total):
    need_real("tables/nrs_sape2020_dz2011_by_sex_single_year_age.csv", "tables/nrs_sape2021_dz2011_total.csv")
    assert loc.load_population(source, data_dir=real_dir).sum() == total


def test_official_formats(real_dir, tmp_path):
    """The files an analyst downloads: SIMD xlsx, SG lookup CSV (Windows-1252), SG shapefile."""
    need_real("raw/simd2020v2_official_xlsx/SIMD+2020v2+-+indicators.xlsx",
              "raw/glasgow_datazone_2011/glasgow_datazone.shp")
    d = tmp_path / "official"
    d.mkdir()
    (d / "SIMD+2020v2+-+indicators.xlsx").symlink_to(real_dir / "raw/simd2020v2_official_xlsx/SIMD+2020v2+-+indicators.xlsx")
    (d / "DataZone2011lookup_2024-12-16.csv").symlink_to(
        real_dir / "raw/sg_datazone_lookups_2024-12-16/DataZone2011lookup_2024-12-16.csv")
    (d / "tables").mkdir()
    (d / "tables/simd2020v2_dz_lookup.csv").symlink_to(real_dir / "tables/simd2020v2_dz_lookup.csv")
    with pytest.warns(UserWarning, match="repaired 1 invalid geometr.*S01010285"):
        glasgow = loc.load_datazones("Glasgow City", data_dir=d,
                                     boundaries=real_dir / "raw/glasgow_datazone_2011/glasgow_datazone.shp")
    assert len(glasgow) == 746 and glasgow.crs.to_epsg() == 27700
    assert glasgow.attrs["files"]["indicators"].endswith(".xlsx")
    assert glasgow.attrs["repaired"] == ["S01010285"]  # the full-resolution file has an invalid polygon, repaired and reported
    reference = loc.load_datazones("Glasgow City", data_dir=real_dir)
    pd.testing.assert_series_equal(glasgow["income_count"], reference["income_count"])


def test_2022_lookup(real_dir):
    need_real("raw/sg_datazone_lookups_2024-12-16/DataZone2022lookup_2024-12-16.csv")
    lk = loc.load_zones_2022(data_dir=real_dir)
    assert len(lk) == 7392 and lk["council"].nunique() == 32
    assert lk["datazone"].str[3:].astype(int).min() >= 13482


def test_lookup_2011_and_2022_are_not_mixed(real_dir, tmp_path):
    a = pd.read_csv(real_dir / "raw/sg_datazone_lookups_2024-12-16/DataZone2011lookup_2024-12-16.csv", encoding="cp1252")
    b = pd.read_csv(real_dir / "raw/sg_datazone_lookups_2024-12-16/DataZone2022lookup_2024-12-16.csv", encoding="cp1252")
    mixed = pd.concat([a.head(5).rename(columns={"DZ2011_Code": "DZ", "IZ2011_Code": "IZ2011_Code"}),
                       b.head(5).rename(columns={"DZ22_Code": "DZ", "IZ22_Code": "IZ2011_Code", "DZ22_Name": "DZ2011_Name",
                                                 "IZ22_Name": "IZ2011_Name"})])
    path = tmp_path / "mixed.csv"
    mixed.to_csv(path, index=False)
    with pytest.raises(DataError, match="mixes 2011 and 2022"):
        loc.load_lookup(2011, path=path)


def test_2022_boundaries_load_when_supplied(real_dir, tmp_path):
    """No 2022 boundary file is in the shared data, so the test makes one: a box per
    2022 zone of Orkney in British National Grid, plus a population CSV."""
    import geopandas as gpd
    from shapely.geometry import box

    need_real("raw/sg_datazone_lookups_2024-12-16/DataZone2022lookup_2024-12-16.csv")
    lk = loc.load_zones_2022(data_dir=real_dir, council="Orkney Islands")
    cells = [box(340_000 + 1_000 * i, 1_000_000, 341_000 + 1_000 * i, 1_001_000) for i in range(len(lk))]
    gpd.GeoDataFrame({"DZ22_Code": lk["datazone"]}, geometry=cells, crs=27700).to_file(tmp_path / "dz22.gpkg")
    pd.DataFrame({"datazone": lk["datazone"], "population": 700}).to_csv(tmp_path / "pop22.csv", index=False)
    zones = loc.load_zones_2022(data_dir=real_dir, council="Orkney Islands", boundaries=tmp_path / "dz22.gpkg",
                                population=tmp_path / "pop22.csv")
    assert len(zones) == len(lk) and zones.crs.to_epsg() == 27700 and zones["population"].sum() == 700 * len(lk)
    plan = loc.propose(zones, target_population=5_000)
    assert loc.check(plan, zones).ok and plan.localities["population"].sum() == zones["population"].sum()
    # A 2011 code in a 2022 boundary file is refused by name.
    wrong = gpd.read_file(tmp_path / "dz22.gpkg")
    wrong.loc[0, "DZ22_Code"] = "S01011813"
    wrong.to_file(tmp_path / "mixed.gpkg")
    with pytest.raises(DataError, match="mixes 2011 and 2022.*S01011813"):
        loc.load_zones_2022(data_dir=real_dir, council="Orkney Islands", boundaries=tmp_path / "mixed.gpkg")


# ---------------------------------------------------------------------------- council names

COUNCILS = {
    "S12000033": "Aberdeen City", "S12000034": "Aberdeenshire", "S12000041": "Angus", "S12000035": "Argyll and Bute",
    "S12000036": "City of Edinburgh", "S12000005": "Clackmannanshire", "S12000006": "Dumfries and Galloway",
    "S12000042": "Dundee City", "S12000008": "East Ayrshire", "S12000045": "East Dunbartonshire",
    "S12000010": "East Lothian", "S12000011": "East Renfrewshire", "S12000014": "Falkirk", "S12000047": "Fife",
    "S12000049": "Glasgow City", "S12000017": "Highland", "S12000018": "Inverclyde", "S12000019": "Midlothian",
    "S12000020": "Moray", "S12000013": "Na h-Eileanan Siar", "S12000021": "North Ayrshire",
    "S12000050": "North Lanarkshire", "S12000023": "Orkney Islands", "S12000048": "Perth and Kinross",
    "S12000038": "Renfrewshire", "S12000026": "Scottish Borders", "S12000027": "Shetland Islands",
    "S12000028": "South Ayrshire", "S12000029": "South Lanarkshire", "S12000030": "Stirling",
    "S12000039": "West Dunbartonshire", "S12000040": "West Lothian",
}
LOOKUP = pd.DataFrame({"council": list(COUNCILS), "council_name": list(COUNCILS.values())})


@pytest.mark.parametrize("alias, official", [
    ("Western Isles", "Na h-Eileanan Siar"), ("Eilean Siar", "Na h-Eileanan Siar"),
    ("Comhairle nan Eilean Siar", "Na h-Eileanan Siar"), ("Na h-Eileanan an Iar", "Na h-Eileanan Siar"),
    ("Outer Hebrides", "Na h-Eileanan Siar"), ("na h-eileanan siar", "Na h-Eileanan Siar"),
    ("Edinburgh", "City of Edinburgh"), ("The City of Edinburgh Council", "City of Edinburgh"),
    ("Dùn Èideann", "City of Edinburgh"), ("DUN EIDEANN", "City of Edinburgh"),
    ("Glasgow", "Glasgow City"), ("Glaschu", "Glasgow City"), ("Glasgow City Council", "Glasgow City"),
    ("Aberdeen", "Aberdeen City"), ("Obar Dheathain", "Aberdeen City"), ("Aberdeenshire", "Aberdeenshire"),
    ("Dundee", "Dundee City"), ("Dùn Dè", "Dundee City"),
    ("Orkney", "Orkney Islands"), ("Arcaibh", "Orkney Islands"),
    ("Shetland", "Shetland Islands"), ("Sealtainn", "Shetland Islands"),
    ("Highland Council", "Highland"), ("Gàidhealtachd", "Highland"), ("A' Ghàidhealtachd", "Highland"),
    ("Moireibh", "Moray"), ("Fìobha", "Fife"), ("Sruighlea", "Stirling"), ("An Eaglais Bhreac", "Falkirk"),
    ("Inbhir Chluaidh", "Inverclyde"), ("Meadhan Lodainn", "Midlothian"), ("Aonghas", "Angus"),
    ("Borders", "Scottish Borders"), ("Dumfries & Galloway", "Dumfries and Galloway"),
    ("Perth & Kinross", "Perth and Kinross"), ("Argyll & Bute", "Argyll and Bute"), ("Clacks", "Clackmannanshire"),
    ("Clackmannan", "Clackmannanshire"), ("S12000015", "Fife"), ("s12000047", "Fife"), ("S12000046", "Glasgow City"),
])
def test_council_aliases(alias, official):
    code = loc.resolve_council(alias, LOOKUP)
    assert COUNCILS[code] == official


@pytest.mark.parametrize("name", list(COUNCILS.values()))
def test_every_official_name_and_code_resolves(name):
    code = next(c for c, n in COUNCILS.items() if n == name)
    assert loc.resolve_council(name, LOOKUP) == loc.resolve_council(name.upper(), LOOKUP) == code
    assert loc.resolve_council(code.lower(), LOOKUP) == code


@pytest.mark.parametrize("short, candidates", [
    ("Ayrshire", "East Ayrshire, North Ayrshire, South Ayrshire"),
    ("Lanarkshire", "North Lanarkshire, South Lanarkshire"),
    ("Lothian", "City of Edinburgh, East Lothian, Midlothian, West Lothian"),
    ("Dunbartonshire", "East Dunbartonshire, West Dunbartonshire"),
])
def test_ambiguous_short_forms_list_the_candidates(short, candidates):
    with pytest.raises(DataError, match=f"{short!r} could be more than one council: {candidates}"):
        loc.resolve_council(short, LOOKUP)


@pytest.mark.parametrize("typo, suggestion", [
    ("Western Ilses", "Na h-Eileanan Siar (Western Isles)"), ("Eilean Sear", "Na h-Eileanan Siar (Eilean Siar)"),
    ("Morray", "Moray"), ("Edinbrugh", "City of Edinburgh (Edinburgh)"), ("Glasgo Cty", "Glasgow City"),
])
def test_close_matches_include_the_aliases(typo, suggestion):
    with pytest.raises(DataError) as exc:
        loc.resolve_council(typo, LOOKUP)
    assert f"unknown council {typo!r}; closest: " in str(exc.value) and suggestion in str(exc.value)


@pytest.mark.parametrize("town, council", [("Greenock", "Inverclyde"), ("Galashiels", "Scottish Borders"),
                                           ("Leith", "City of Edinburgh")])
def test_a_town_given_for_a_council_is_said_to_be_in_its_council(real_dir, town, council):
    # A new user typed "--council Greenock": "no council name is close"; "Leith" was offered
    # Perth and Kinross, spelt like it. The wards' and Intermediate Zones' names say the town's council.
    lookup = loc.load_lookup(data_dir=real_dir)
    with pytest.raises(DataError) as exc:
        loc.resolve_council(town, lookup)
    assert f"unknown council {town!r}; it is a place in {council} (its ward or Intermediate Zone names say " \
           "it), not a council." in str(exc.value)


@pytest.mark.parametrize("bad", ["", "   ", None, 12])
def test_council_must_be_text(bad):
    with pytest.raises(DataError, match="council must be a council name or S12 code"):
        loc.resolve_council(bad, LOOKUP)


def test_alias_of_a_council_the_data_does_not_hold():
    with pytest.raises(DataError, match="'Western Isles' is Na h-Eileanan Siar, not in this data \\(it holds Highland\\)"):
        loc.resolve_council("Western Isles", LOOKUP[LOOKUP["council_name"] == "Highland"])


@pytest.mark.parametrize("name", list(COUNCILS.values()))
def test_every_council_the_data_does_not_hold_is_named_as_such(name):
    # On the embedded sample (Highland only), "South Ayrshire" was an "unknown council", with
    # three other councils offered: the three Ayrshires had no entry in COUNCIL_ALIASES.
    from localities.council_names import COUNCIL_ALIASES

    assert name in COUNCIL_ALIASES
    if name != "Highland":
        with pytest.raises(DataError, match=f"^{re.escape(name)} not in this data \\(it holds Highland\\)$"):
            loc.resolve_council(name, LOOKUP[LOOKUP["council_name"] == "Highland"])


def test_alias_on_the_real_data(real_dir):
    dz = loc.load_datazones("Comhairle nan Eilean Siar", data_dir=real_dir)
    assert dz.attrs["council"] == "Na h-Eileanan Siar" and len(dz) == 36


# ---------------------------------------------------------------------------- 2017 ward names

def test_falkirk_ward_name_with_commas(real_dir):
    # The SIMD lookup CSV holds '"""Carse"' (quoted twice, cut at the comma): restored by ward code.
    raw = (real_dir / "tables/simd2020v2_dz_lookup.csv").read_text(encoding="utf-8")
    assert '"""Carse"' in raw
    dz = loc.load_datazones("Falkirk", data_dir=real_dir, wards="2017")
    names = set(dz["ward_name"])
    assert "Carse, Kinnaird and Tryst" in names and not any('"' in n for n in names)
    from localities.load import zone_table

    wards = zone_table(real_dir, wards="2017").drop_duplicates("ward").set_index("ward")["ward_name"]
    assert len(wards) == 354 and not wards.str.contains('"').any()
    assert wards["S13002600"] == "Barraigh, Bhatarsaigh, Eirisgeigh agus Uibhist a Deas"  # not in the SG lookup
    assert wards["S13002736"] == "East Mainland, South Ronaldsay and Burray"


def test_repair_ward_names_without_a_reference():
    from localities.load import repair_ward_names

    codes = pd.Series(["S13000001", "S13000002"])
    names, repaired = repair_ward_names(codes, pd.Series(['"Somewhere', "Elsewhere"]))
    assert list(names) == ["Somewhere", "Elsewhere"] and repaired == ["S13000001"]


# ---------------------------------------------------------------------------- parsed-table cache

def test_zone_table_cache_gives_the_same_table_and_follows_the_files(tmp_path, monkeypatch):
    import shutil

    from localities import load, sources

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # this test's own cache
    data = tmp_path / "data"
    shutil.copytree(sources.SAMPLE_DIR, data)
    fresh = load.zone_table(data)
    files = list((sources.cache_dir() / "parsed").glob("zone_table_*.pkl"))
    assert len(files) == 1
    again = load.zone_table(data)
    pd.testing.assert_frame_equal(fresh, again)
    assert fresh.attrs == again.attrs
    # A changed source file is read again, not served from the cache.
    lookup = data / "tables/simd2020v2_dz_lookup.csv"
    text = lookup.read_text(encoding="utf-8")
    first = text.splitlines()[1].split(",")[0]
    lookup.write_text(text.replace(f"{first},", f"{first},", 1) + "\n", encoding="utf-8")
    load.zone_table(data)
    assert len(list((sources.cache_dir() / "parsed").glob("zone_table_*.pkl"))) == 2
    monkeypatch.setenv("LOCALITIES_CACHE", "0")
    pd.testing.assert_frame_equal(load.zone_table(data), fresh)
    assert len(list((sources.cache_dir() / "parsed").glob("zone_table_*.pkl"))) == 2


def test_iz_names_are_capitalised_as_their_zones_names(scotland):
    # The official lookups name S02002465 "Clydebank east" and its zones "Clydebank East - 01":
    # "Clydebank east" reached West Dunbartonshire's locality names.
    izs = scotland.drop_duplicates("iz").set_index("iz")["iz_name"]
    assert izs["S02002465"] == "Clydebank East" and izs["S02002470"] == "Dumbarton East"
    assert izs.is_unique or izs.str.casefold().duplicated().sum() == izs.duplicated().sum()
