"""Outcomes: intervals against published worked values, council figures reproduced
independently, significance flags, inequality and masked pockets."""

from __future__ import annotations

import csv
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import localities as loc
from localities.outcomes import byar, wilson

from .test_build import COUNCILS


# Newcombe (1998), Statistics in Medicine 17:857-872, Table I, method 3 (Wilson score).
@pytest.mark.parametrize("x,n,lower,upper", [(81, 263, 0.2553, 0.3662), (15, 148, 0.0624, 0.1605),
                                             (0, 20, 0.0, 0.1611), (1, 29, 0.0061, 0.1718)])
def test_wilson_matches_newcombe(x, n, lower, upper):
    lo, hi = wilson(x, n)
    assert lo == pytest.approx(lower, abs=5e-5) and hi == pytest.approx(upper, abs=5e-5)


def test_byar_worked_value_and_exact_poisson():
    # Worked from the formula: O = 10 gives (4.7874, 18.3915).
    lo, hi = byar(10)
    assert lo == pytest.approx(10 * (1 - 1 / 90 - 1.959964 / (3 * math.sqrt(10))) ** 3, rel=1e-7)
    assert (round(float(lo), 4), round(float(hi), 4)) == (4.7874, 18.3915)
    # Byar approximates the exact Poisson interval closely for moderate counts.
    for o in (20, 50, 200, 1000):
        exact_lo = stats.chi2.ppf(0.025, 2 * o) / 2
        exact_hi = stats.chi2.ppf(0.975, 2 * o + 2) / 2
        lo, hi = byar(o)
        assert lo == pytest.approx(exact_lo, rel=0.01) and hi == pytest.approx(exact_hi, rel=0.01)
    assert byar(0)[0] == 0


def test_council_figures_reproduced_independently(scotland, real_dir):
    rows = list(csv.DictReader(open(real_dir / "tables/simd2020v2_dz_lookup.csv", newline="")))
    ind = {r["Data_Zone"]: r for r in csv.DictReader(open(real_dir / "tables/simd2020v2_indicators.csv", newline=""))}
    expected = {}
    for r in rows:
        e = expected.setdefault(r["LAname"], {"z": 0, "z20": 0, "p": 0, "p20": 0, "inc": 0.0})
        pop, q1 = int(r["Population"]), r["SIMD2020v2_Quintile"] == "1"
        e["z"] += 1
        e["z20"] += q1
        e["p"] += pop
        e["p20"] += pop * q1
        e["inc"] += float(ind[r["DZ"]]["Income_count"])
    ours = loc.summarise(scotland).set_index("council_name")
    assert len(ours) == 32
    for council, e in expected.items():
        row = ours.loc[council]
        assert row["share_zones_most_deprived_20"] == pytest.approx(e["z20"] / e["z"], abs=1e-12)
        assert row["share_people_most_deprived_20"] == pytest.approx(e["p20"] / e["p"], abs=1e-12)
        assert row["income_rate"] == pytest.approx(e["inc"] / e["p"], abs=1e-12)


def test_rates_are_reaggregated_not_averaged(council_zones):
    dz = council_zones["Moray"]
    plan = loc.propose(dz, method="wards")
    table = loc.rank(plan, dz).set_index("locality")
    for ward, zones in dz.groupby("ward"):
        expected = zones["income_count"].sum() / zones["population"].sum()
        assert table.loc[ward, "income_rate"] == pytest.approx(expected, rel=1e-12)
        assert table.loc[ward, "income_rate"] != pytest.approx(zones["income_rate"].mean(), rel=1e-6)


def test_crime_rate_is_per_10000_with_censored_bounds(council_zones):
    dz = council_zones["Dundee City"]
    plan = loc.propose(dz, method="wards")
    rows = loc.compare(plan, dz).query("indicator == 'crime_rate'").set_index("locality")
    ward = rows.index[rows["zones_censored"] > 0][0]
    row = rows.loc[ward]
    zones = dz[dz["ward"] == ward]
    known = zones["crime_count"].notna()
    k = dz["crime_count"].min() / 3  # SIMD 2020v2: the smallest published count is 3k
    pop = zones["population"].sum()
    assert row["value_min"] == pytest.approx(zones.loc[known, "crime_count"].sum() / pop * 1e4)
    assert row["value_max"] == pytest.approx((zones.loc[known, "crime_count"].sum() + 2 * k * (~known).sum()) / pop * 1e4)
    assert row["value"] == pytest.approx((row["value_min"] + row["value_max"]) / 2)
    assert row["coverage"] == 1 and row["zones_censored"] == (~known).sum()
    lo, _ = byar(zones.loc[known, "crime_count"].sum())
    assert row["lower"] == pytest.approx(lo / pop * 1e4) and row["lower"] < row["value_min"] <= row["value_max"] < row["upper"]


@pytest.mark.parametrize("council", COUNCILS)
def test_every_council_ranks_and_flags_are_honest(council_zones, council):
    dz = council_zones[council]
    for plan in (loc.propose(dz, method="wards"), loc.propose(dz, target_population=10_000)):
        table = loc.rank(plan, dz)
        assert len(table) == len(plan) and list(table["rank"]) == list(range(1, len(plan) + 1))
        scot = table.attrs["scotland"]["income_rate"]
        worse = table[table["income_rate_vs_scotland"] == "worse"]
        assert (worse["income_rate_lower"] > scot).all()  # a two-sample flag implies the one-sample one here
        assert (worse["income_rate"] >= 1.2 * scot).all()  # material at the default ratio
        better = table[table["income_rate_vs_scotland"] == "better"]
        assert (better["income_rate_upper"] < scot).all()
        assert (table.loc[table["poorer_than_scotland"], ["income_rate_vs_scotland", "employment_rate_vs_scotland"]]
                == "worse").any(axis=1).all()


def test_scotland_comparator_is_all_zones(scotland):
    s = loc.scotland_sums(scotland.attrs["data_dir"]).set_index("indicator")
    assert s.loc["income_rate", "numerator"] == scotland["income_count"].sum()
    assert s.loc["income_rate", "denominator"] == 5_424_800


def test_missing_values_are_coverage_not_zero(council_zones):
    dz = council_zones["Glasgow City"].copy()
    plan = loc.propose(dz, method="wards")
    ward = plan.localities["locality"].iloc[0]
    dz.loc[dz["ward"] == ward, "attainment"] = np.nan
    long = loc.compare(plan, dz)
    row = long[(long["locality"] == ward) & (long["indicator"] == "attainment")].iloc[0]
    assert np.isnan(row["value"]) and row["coverage"] == 0 and row["vs_rest"] == "no data"


def test_inequality_and_pockets(council_zones):
    dz = council_zones["Glasgow City"]
    plan = loc.propose(dz, target_population=10_000)
    ineq = loc.inequality(plan, dz)
    for level in ("zones", "localities"):
        sii = ineq[ineq["level"] == level].set_index("indicator")
        assert sii.loc["income_rate", "sii"] > 0 and sii.loc["income_rate", "rii"] > 0
        assert sii.loc["income_rate", "sii_lower"] < sii.loc["income_rate", "sii"] < sii.loc["income_rate", "sii_upper"]
        assert sii.loc["university", "sii"] > 0  # fewer university entrants in deprived areas is "worse"
    assert "notes" not in ineq.attrs
    # Two localities: no slope across them, and the table says why (its cells were blank, unexplained).
    orkney = council_zones["Orkney Islands"]
    two = loc.inequality(loc.propose(orkney, target_population=11_000), orkney)
    assert two.loc[two["level"] == "localities", "sii"].isna().all()
    note = two.attrs["notes"][0]
    assert note.startswith("no slope across localities (level 'localities', left blank) for 27 indicators: a slope "
                           "needs 3 or more localities with values, and these have fewer (in brackets): "
                           "Income deprivation (2), Employment deprivation (2)")
    table = loc.rank(plan, dz)
    pockets = loc.masked_pockets(plan, dz, table)
    # Inside localities not flagged poorer than Scotland, flagged against the rest of the council or not.
    flagged = set(table.loc[table["poorer_than_scotland"], "locality"])
    assert not set(pockets["locality"]) & flagged
    tiers = table.set_index("locality")["tier_label"]
    assert (pockets["locality_flag"] == pockets["locality"].map(tiers)).all()
    assert (dz.set_index("datazone").loc[pockets["datazone"], "simd_quintile"] == 1).all()


def test_pockets_include_localities_poorer_than_the_rest_only(council_zones):
    # Aberdeen City at the default: Torry (in Scotland's most deprived fifth) inside "Torry /
    # Cove / Kincorth, Leggart and Nigg", flagged poorer than the rest of the council only:
    # no pocket was listed, and the board read that Torry was no poorer than Scotland.
    dz = council_zones["Aberdeen City"]
    plan = loc.propose(dz)
    table = loc.rank(plan, dz)
    pockets = loc.masked_pockets(plan, dz, table)
    rest_only = pockets[pockets["locality_flag"] == "Poorer than the rest of the council only"]
    assert len(rest_only) and rest_only["name"].str.startswith("Torry").any()
    assert table.attrs["masked_pockets"]["zones"] == len(pockets)
    # The map says which of them a board sees drawn as flagged (against the rest only).
    rest = rest_only["locality"].nunique()
    assert table.attrs["masked_pockets"]["rest_only"] == rest
    import matplotlib.pyplot as plt

    fig = loc.plot_poorer(table)
    note = " ".join(t.get_text() for t in fig.texts if t.get_gid() == "notes")
    plt.close(fig)
    assert " ".join(note.split()).endswith("not flagged as poorer than Scotland "
                                           f"({rest} of them poorer than the rest of the council only).")


def test_each_pocket_says_its_own_band(council_zones):
    # Argyll and Bute at 10,000: Helensburgh East - 02, ranked 294th of 6,976, was listed as
    # "most deprived 20%"; only --band 5 showed it among the most deprived 5%.
    dz = council_zones["Argyll and Bute"]
    plan = loc.propose(dz, target_population=10_000)
    pockets = loc.masked_pockets(plan, dz).set_index("datazone")
    expected = {zone: f"most deprived {5 * -(-rank * 20 // 6976)}%" for zone, rank in pockets["simd_rank"].items()}
    assert pockets["band"].to_dict() == expected
    assert "most deprived 5%" in set(pockets["band"])


def test_a_council_with_no_deprived_zone_is_said_to_have_none(council_zones, capsys):
    # Orkney (its most deprived zone ranks 1,995): "no zone ... lies in a locality that is not
    # flagged", as if some lay in flagged ones. And its one locality "1 of 1 localities mix".
    dz = council_zones["Orkney Islands"]
    assert not (dz["simd_quintile"] == 1).any()
    plan = loc.propose(dz)
    pockets = loc.masked_pockets(plan, dz)
    assert pockets.empty and pockets.attrs["empty_means"] == ("no zone of Orkney Islands is in Scotland's 20% most "
                                                               "deprived (SIMD 2020v2)")
    assert any(n.startswith("the 1 locality mixes settlement zones") for n in plan.notes), plan.notes


def test_own_indicator_from_csv(council_zones, tmp_path):
    dz = council_zones["Moray"]
    csv_path = tmp_path / "mine.csv"
    pd.DataFrame({"DataZone": dz["datazone"], "cases": 5, "people": dz["population"]}).to_csv(csv_path, index=False)
    frame, ind = loc.read_indicator(csv_path, "my_rate", count="cases", denominator="people")
    zones = dz.merge(frame, on="datazone")
    zones.attrs = dz.attrs
    long = loc.compare(loc.propose(zones, method="wards"), zones, indicators=["income_rate", ind])
    mine = long[long["indicator"] == "my_rate"]
    assert (mine["vs_scotland"] == "n/a").all() and mine["vs_rest"].isin(["worse", "slightly worse", "better",
                                                                             "slightly better", "not different"]).all()
    assert mine["council"].iloc[0] == pytest.approx(5 * len(dz) / dz["population"].sum())
