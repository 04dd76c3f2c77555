"""The decision a board reads: which localities are significantly (and materially) poorer
than the rest of their council and than Scotland, in what order, and why."""

from __future__ import annotations

import re
import numpy as np
import pandas as pd
import matplotlib.pyplot as plt
import pytest

import localities as loc
from localities import decide, outcomes

from .test_build import COUNCILS

STANDARDISED = ("smr", "cif", "alcohol", "drug", "emerg")


def _holding(plan, dz, iz_name):
    """The locality holding most of the people of the IZ called ``iz_name``."""
    zones = dz[dz["iz_name"] == iz_name]
    assert len(zones), iz_name
    return zones.groupby(plan.assignment.reindex(zones["datazone"]).to_numpy())["population"].sum().idxmax()


def _assert_board_order(table):
    """No locality flagged on neither comparator ranks above a flagged one; flags have reasons."""
    assert list(table["rank"]) == list(range(1, len(table) + 1))
    assert table["tier"].is_monotonic_increasing
    flagged = table["poorer_than_rest"] | table["poorer_than_scotland"]
    if flagged.any() and (~flagged).any():
        assert table.loc[flagged, "rank"].max() < table.loc[~flagged, "rank"].min()
    expected_tier = 3 - table["poorer_than_rest"].astype(int) - table["poorer_than_scotland"].astype(int)
    assert (table["tier"] == expected_tier).all()
    for tier, part in table.groupby("tier"):
        scores = part["score"].round(3).to_numpy()
        assert (np.diff(scores) <= 0).all(), f"tier {tier} is not ordered by score"
    council = table.attrs["council"]
    for _, row in table[flagged].iterrows():
        text = row["reasons"]
        assert text, row["name"]
        head = [h for h in table.attrs["headline"] if row[f"{h}_vs_rest"] == "worse" or row[f"{h}_vs_scotland"] == "worse"]
        assert head
        label = loc.SIMD[head[0]].label.lower()
        assert label in text.lower()
        assert f"in the rest of {council}" in text and "in Scotland" in text  # both comparators' values
        assert "%" in text


@pytest.mark.parametrize("council", COUNCILS)
def test_every_council_every_plan_orders_by_tier_with_reasons(council_zones, council):
    dz = council_zones[council]
    plans = [loc.propose(dz, method="wards"), loc.propose(dz, method="iz"),
             loc.propose(dz, target_population=5_000), loc.propose(dz, target_population=10_000)]
    for plan in plans:
        table = loc.rank(plan, dz)
        _assert_board_order(table)
        # A flag is significant AND material: at least 1.2 times the comparator's value.
        for h in ("income_rate", "employment_rate"):
            worse = table[table[f"{h}_vs_rest"] == "worse"]
            assert (worse[h] >= 1.2 * worse[f"{h}_rest"] - 1e-12).all()
            worse = table[table[f"{h}_vs_scotland"] == "worse"]
            assert (worse[h] >= 1.2 * table.attrs["scotland"][h] - 1e-12).all()


def test_moray_speyside_is_not_first(council_zones):
    dz = council_zones["Moray"]
    wards = loc.rank(loc.propose(dz, method="wards"), dz)
    assert wards["name"].iloc[0] != "Speyside Glenlivet"
    speyside = wards.set_index("name").loc["Speyside Glenlivet"]
    assert speyside["tier"] == 3 and not speyside["poorer_than_rest"]
    assert wards["poorer_than_rest"].iloc[0]  # the first is flagged: Buckie or Elgin City North
    plan = loc.propose(dz, target_population=10_000)
    regions = loc.rank(plan, dz)
    for iz in ("South Speyside and the Cabrach", "North Speyside"):
        assert regions["locality"].iloc[0] != _holding(plan, dz, iz)


def test_forres_is_not_flagged_against_the_rest_of_moray(council_zones):
    dz = council_zones["Moray"]
    table = loc.rank(loc.propose(dz, method="wards"), dz).set_index("name")
    forres = table.loc["Forres"]
    assert 0.09 < forres["income_rate"] < 0.10
    # Significantly higher, but only ~1.15 times the rest of Moray: below the default ratio of 1.2.
    assert forres["income_rate_vs_rest"] == "slightly worse"
    assert "less than ×1.2" in forres["reasons"]
    # The materiality threshold is the analyst's: at 1.1 it is flagged.
    lenient = loc.rank(loc.propose(dz, method="wards"), dz, min_ratio=1.1).set_index("name")
    assert lenient.loc["Forres", "income_rate_vs_rest"] == "worse"


@pytest.mark.parametrize("ratio,bar,shown", [
    (1.198, 1.2, "×1.198"), (1.1996, 1.2, "×1.1996"), (1.2, 1.2, "×1.20"), (1.2004, 1.2, "×1.20"),
    (1.34, 1.2, "×1.34"), (2.64, 1.2, "×2.6"), (1.996, 2.0, "×1.996"), (2.04, 2.0, "×2.0"),
    (0.8335, 1.2, "×0.834"), (0.8331, 1.2, "×0.83"), (0.61, 1.2, "×0.61"), (1.198, None, "×1.20"),
    (float("nan"), 1.2, "×?"), (1.997, 1.2, "×2.0"), (1.994, 1.2, "×1.99")])
def test_a_ratio_is_never_printed_on_the_wrong_side_of_the_bar(ratio, bar, shown):
    # Aberdeenshire's Longside (default plan): income 7.4% vs 6.2% in the rest of the council,
    # a ratio of 1.198, read "(×1.20) ... significant, but less than ×1.2" beside a flagged
    # "×1.20" elsewhere. Two digits are kept unless they would cross the bar (or 1 / bar).
    assert decide._times(ratio, bar) == shown


def test_an_unflagged_locality_says_which_gap_is_significant_but_small(council_zones):
    dz = council_zones["Aberdeenshire"]
    table = loc.rank(loc.propose(dz), dz)
    slight = table[(table["income_rate_vs_rest"] == "slightly worse") & ~table["poorer_than_rest"]
                   & ~table["poorer_than_scotland"]]
    assert len(slight)
    for _, row in slight.iterrows():
        income = row["reasons"].split("; ")[0]
        assert income.startswith("not flagged: income deprivation"), income
        assert income.endswith(": significantly worse than the rest of Aberdeenshire, but by less than ×1.2"), income
        assert "(×1.20)" not in income
        # The tier a board reads must not deny what the reason says (North Ayrshire's
        # "Not significantly poorer" beside "significantly worse than Scotland, but ...").
        assert "significantly" not in row["tier_label"], row["tier_label"]
    fig = loc.profile(table, locality=slight["locality"].iloc[0])
    verdicts = " ".join(fig.attrs.get("verdicts", [])) or " ".join(t.get_text() for t in fig.findobj(plt.Text))
    assert "not significantly poorer" not in verdicts and "not flagged as poorer" in verdicts
    plt.close(fig)


def test_a_gap_short_of_the_minimum_gap_says_so_not_the_ratio(council_zones):
    # With min_gap={"income_rate": 0.02}, Aberdeenshire's Clashindarroch and Turriff locality
    # (income ×1.23 the rest of the council, 1.4 points above it) read "but by less than ×1.2".
    dz = council_zones["Aberdeenshire"]
    table = loc.rank(loc.propose(dz), dz, min_gap={"income_rate": 0.02})
    short = table[(table["income_rate_vs_rest"] == "slightly worse")
                  & (table["income_rate"] >= 1.2 * table["income_rate_rest"])]
    assert len(short)
    for reason in short["reasons"]:
        income = reason.split("; ")[0]
        assert income.endswith("but by less than 2 percentage points (the minimum gap set)"), income
    assert decide._times(1.19996, 1.2) == "×1.19996"


def test_the_shortfall_named_is_the_one_that_failed():
    # A censored count can fail on its range while its point gap meets min_gap: the reason
    # then blames the range, not the gap ("less than 10 per 10,000" when the gap was 30).
    crime = loc.SIMD["crime_rate"]
    row = {"ratio_rest": 1.3, "gap_rest": 30.0}
    assert decide._short_of(row, crime, "rest", 1.2, 10) == (
        "not by the margins a flag needs over the whole range of its suppressed counts")
    assert decide._short_of({"ratio_rest": 1.3, "gap_rest": 0.4}, crime, "rest", 1.2, 0.5) == (
        "by less than 0.5 per 10,000 (the minimum gap set)")
    income = loc.SIMD["income_rate"]
    assert decide._short_of({"ratio_rest": 1.3, "gap_rest": 0.005}, income, "rest", 1.2, 0.01) == (
        "by less than 1 percentage point (the minimum gap set)")
    assert decide._short_of({"ratio_rest": 1.1, "gap_rest": 0.005}, income, "rest", 1.2, 0.01) == "by less than ×1.2"


def test_min_gap_for_an_untested_indicator_is_refused(council_zones):
    dz = council_zones["Moray"]
    plan = loc.propose(dz)
    with pytest.raises(loc.DataError,
                       match=r"min_gap\['smr'\] would do nothing: smr has no interval"):
        loc.rank(plan, dz, min_gap={"smr": 3})
    assert len(loc.rank(plan, dz, min_gap={"income_rate": np.float32(0.02)}))


@pytest.mark.parametrize("method,target", [("iz", None), ("regions", 5_000)])
def test_new_town_west_ranks_below_leith(council_zones, method, target):
    dz = council_zones["City of Edinburgh"]
    plan = loc.propose(dz, method=method, target_population=target) if target else loc.propose(dz, method=method)
    table = loc.rank(plan, dz).set_index("locality")
    new_town, leith = _holding(plan, dz, "New Town West"), _holding(plan, dz, "Leith (Albert Street)")
    assert table.loc[new_town, "rank"] > table.loc[leith, "rank"]
    assert table.loc[new_town, "income_rate"] < 0.05 < 0.10 < table.loc[leith, "income_rate"]


def test_standardised_ratios_are_100_for_scotland(council_zones):
    dz = council_zones["Fife"]
    table = loc.rank(loc.propose(dz, method="wards"), dz)
    for name in STANDARDISED + ("no_qualifications",):
        assert table.attrs["scotland"][name] == pytest.approx(100.0, abs=1e-9)
        assert loc.SIMD[name].kind == "ratio" and "Scotland = 100" in loc.SIMD[name].unit


def test_suppressed_crime_is_a_range_not_missing(council_zones, real_dir):
    scot = outcomes.scotland_sums(real_dir)
    inds = [loc.SIMD["crime_rate"]]
    s = outcomes.finish(scot[scot["indicator"] == "crime_rate"], inds).iloc[0]
    assert 288 <= s["value"] <= 290 and 288.1 < s["value_min"] < s["value_max"] < 290.1  # dropping '*' gave 307.0
    dz = council_zones["Na h-Eileanan Siar"]
    council = outcomes.aggregate(dz, None, inds).iloc[0]
    assert 92 <= council["value_min"] < council["value_max"] <= 104  # dropping them gave 151.8
    assert council["zones_censored"] == dz["crime_count"].isna().sum() > 0
    long = loc.compare(loc.propose(dz, method="wards"), dz)
    crime = long[long["indicator"] == "crime_rate"]
    assert not (crime["vs_rest"] == "no data").any() and crime["value"].notna().all()


def test_one_population_vintage_everywhere(real_dir):
    dz = loc.load_datazones("Moray", data_dir=real_dir, population="nrs2021")
    table = loc.rank(loc.propose(dz, method="wards"), dz)
    assert table.attrs["scotland"]["income_rate"] == pytest.approx(0.11945, abs=5e-5)  # 0.12066 on 2017 people
    assert table.attrs["population"] == "nrs2021"
    assert table["population"].sum() == dz["population"].sum()
    # And the ranking says so: two runs gave two sets of rates with nothing to say why.
    assert any(n.startswith("people counted with the NRS mid-2021 estimates, not the mid-2017 estimates SIMD 2020v2 "
                            "uses: rates over all people") for n in table.attrs["notes"])
    default = loc.rank(loc.propose(loc.load_datazones("Moray", data_dir=real_dir), method="wards"),
                       loc.load_datazones("Moray", data_dir=real_dir))
    assert not any("people counted with" in n for n in default.attrs["notes"])


def test_age_group_indicators_weighted_by_their_age_group(council_zones):
    dz = council_zones["Glasgow City"]
    assert {"pop_17_21", "pop_16_19", "pop_0_4"} <= set(dz.columns)
    plan = loc.propose(dz, method="iz")
    row = loc.rank(plan, dz).set_index("name").loc["Calton and Gallowgate"]
    zones = dz[dz["iz_name"] == "Calton and Gallowgate"]
    by_age = (zones["university"] * zones["pop_17_21"]).sum() / zones["pop_17_21"].sum()
    assert row["university"] == pytest.approx(by_age, rel=1e-12)
    by_everyone = (zones["university"] * zones["population"]).sum() / zones["population"].sum()
    assert row["university"] - by_everyone > 0.015  # 0.083 by 17-21 year olds, 0.065 by everyone
    assert "17-21" in loc.SIMD["university"].note


def test_two_sample_intervals_match_newcombe_and_poisson():
    # Newcombe (1998) Table II, example (a): 56/70 vs 48/80 -> difference 0.2, hybrid score (0.0524, 0.3339).
    lo, hi = decide._proportion_interval(np.array([56.0]), np.array([70.0]), np.array([48.0]), np.array([80.0]))
    assert (round(lo[0], 4), round(hi[0], 4)) == (0.0524, 0.3339)
    # Ratio of rates conditioned on the total: 30 in 1,000 against 300 in 20,000 is 2.0.
    lo, hi = decide._rate_interval(np.array([30.0]), np.array([1000.0]), np.array([300.0]), np.array([20000.0]))
    assert lo[0] < 2.0 < hi[0] and 1.3 < lo[0] < 1.5 and 2.8 < hi[0] < 3.1


def test_funnel_allows_for_overdispersion():
    # Ten localities of 5,000 people whose rates spread far more than binomial noise.
    rates = np.linspace(0.05, 0.25, 10)
    n = np.full(10, 5000.0)
    kind = np.full(10, "proportion")
    plain = (rates - 0.15) / np.sqrt(0.15 * 0.85 / n)
    z = decide._funnel_z(kind, rates, np.full(10, 0.15), n, np.ones(10), np.zeros(10))
    assert (np.abs(z) < np.abs(plain)).all()  # random-effects limits are wider
    assert (np.sign(z) == np.sign(plain)).all()


def test_methods_side_by_side(council_zones):
    dz = council_zones["Glasgow City"]
    plan = loc.propose(dz, method="iz")
    counts = {}
    for method in decide.DECISIONS:
        table = loc.rank(plan, dz, method=method)
        _assert_board_order(table)
        counts[method] = int((table["tier"] < 3).sum())
        assert table.attrs["method"] == method
    assert counts["funnel"] <= counts["difference"]  # overdispersion widens the limits
    assert all(0 < c <= len(plan) for c in counts.values())


def test_a_funnel_over_few_localities_says_its_limits_rest_on_them(council_zones):
    """East Ayrshire's 6 localities under method="funnel": all in tier 3, the most deprived at
    22.7% income-deprived against Scotland's 12.1%, and nothing said why."""
    dz = council_zones["East Ayrshire"]
    plan = loc.propose(dz)
    funnel = loc.rank(plan, dz, method="funnel")
    notes = [n for n in funnel.attrs["notes"] if n.startswith("method funnel")]
    assert len(notes) == 1 and f"these {len(plan)} localities" in notes[0]
    assert not any("funnel" in n for n in loc.rank(plan, dz).attrs["notes"])
    glasgow = council_zones["Glasgow City"]  # 136 IZs: enough to estimate the spread from
    assert not any("funnel" in n for n in loc.rank(loc.propose(glasgow, method="iz"), glasgow,
                                                   method="funnel").attrs["notes"])


def test_headline_is_the_analysts(council_zones):
    dz = council_zones["Moray"]
    plan = loc.propose(dz, method="wards")
    crime = loc.rank(plan, dz, headline={"crime_rate": 1.0})
    assert crime.attrs["headline"] == ["crime_rate"]
    flagged = crime["poorer_than_rest"] | crime["poorer_than_scotland"]
    assert ((crime.loc[flagged, "crime_rate_vs_rest"] == "worse") | (crime.loc[flagged, "crime_rate_vs_scotland"] == "worse")).all()
    with pytest.raises(loc.LocalitiesError, match="'income'.*available: income_rate"):
        loc.rank(plan, dz, headline=["income"])
    with pytest.raises(loc.LocalitiesError, match="headline must be indicator names, .* not 5$"):
        loc.rank(plan, dz, headline=5)  # TypeError: 'int' object is not iterable
    import pandas as pd  # any names will do: an Index raised "truth value ... is ambiguous"

    for names in (pd.Index(["income_rate"]), (h for h in ["income_rate"]), {"income_rate": 1}.keys()):
        assert loc.rank(plan, dz, headline=names).attrs["headline"] == ["income_rate"]
    with pytest.raises(loc.LocalitiesError, match="method must be one of difference, scotpho, bh, funnel"):
        loc.rank(plan, dz, method="fisher")
    with pytest.raises(loc.LocalitiesError, match="min_ratio"):
        loc.rank(plan, dz, min_ratio=0.5)
    with pytest.raises(loc.LocalitiesError, match="min_gap names an unknown indicator .incme_rate."):
        loc.rank(plan, dz, min_gap={"incme_rate": 0.02})
    gap = loc.rank(plan, dz, min_ratio=1.0, min_gap={"income_rate": 0.05})
    worse = gap[gap["income_rate_vs_scotland"] == "worse"]
    assert (worse["income_rate"] - gap.attrs["scotland"]["income_rate"] >= 0.05).all()


def test_ties_are_explained():
    table = pd.DataFrame({"tier": [3, 3, 3], "score": [0.5, 0.5, 0.4], "name": ["A", "B", "C"],
                          "income_rate_coverage": [1.0, 1.0, 0.0]})
    from localities.rank import _rank_notes

    notes = _rank_notes(table)
    assert notes[0].startswith("ties with B on tier 3 and score 0.500; ordered by name")
    assert notes[1].startswith("ties with A") and notes[2] == "no data for income_rate"


def test_command_line_rank_prints_the_reasons_and_takes_the_rule(tmp_path, capsys):
    from localities.cli import EXIT_INPUT, EXIT_OK, main

    plan = tmp_path / "plan.gpkg"
    assert main(["propose", "--council", "Highland", "--target-population", "10000", "--out", str(plan)]) == EXIT_OK
    capsys.readouterr()
    assert main(["rank", str(plan), "--method", "bh", "--min-ratio", "1.1", "--headline", "income_rate"]) == EXIT_OK
    out = capsys.readouterr().out
    assert ("Why (worse = significant by two-sample score tests, false discovery rate 5% (Benjamini-Hochberg), and "
            "material: the larger value at least ×1.1 the smaller)") in out
    assert "income deprivation" in out and "in the rest of Highland" in out and "in Scotland" in out
    assert main(["rank", str(plan), "--headline", "income"]) == EXIT_INPUT
    assert "'income' not available" in capsys.readouterr().err


def test_unknown_indicator_names_the_known_ones(council_zones):
    dz = council_zones["Moray"]
    plan = loc.propose(dz, method="wards")
    for call in (lambda: loc.rank(plan, dz, indicators=["income"]),
                 lambda: loc.inequality(plan, dz, indicators=["income"]),
                 lambda: outcomes.aggregate(dz, indicators=["income"])):
        with pytest.raises(loc.LocalitiesError, match="unknown indicator.*'income'.*known: income_rate"):
            call()


def test_poorer_map_states_the_whole_rule(council_zones):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    dz = council_zones["Moray"]
    table = loc.rank(loc.propose(dz, method="wards"), dz, min_ratio=1.3)
    fig = loc.plot_poorer(table)
    texts = " ".join(t.get_text() for t in fig.findobj(matplotlib.text.Text))
    assert "at least ×1.3" in texts.replace("\n", " ")
    plt.close(fig)
    assert table.attrs["data_dir"]  # the map's locator finds the data directory from the table
    plan = loc.propose(dz, attribute=None)
    assert any("attribute=None" in note for note in plan.notes)


def test_a_headline_that_cannot_flag_is_refused_or_noted(council_zones, real_dir, tmp_path, capsys):
    """A headline indicator with no interval (standardised mortality ratio) can never make a
    locality significantly poorer: alone it is refused, naming those that can; beside one that
    can, the ranking's notes say it only orders, and the command line prints them."""
    from localities.cli import EXIT_INPUT, EXIT_OK, main
    from localities.errors import DataError

    dz = council_zones["Moray"]
    plan = loc.propose(dz, target_population=10_000)
    with pytest.raises(DataError, match=r"headline indicator 'smr' has no confidence interval.*income_rate"):
        loc.rank(plan, dz, headline=["smr"])
    table = loc.rank(plan, dz, headline=["income_rate", "smr"])
    assert any("'smr' has no confidence interval: it orders" in n for n in table.attrs["notes"])
    assert "no confidence interval" not in " ".join(loc.rank(plan, dz).attrs["notes"])
    path = plan.to_file(tmp_path / "moray.gpkg")
    data = ["--data-dir", str(real_dir)]
    assert main(["rank", str(path), "--headline", "income_rate,smr", *data]) == EXIT_OK
    assert "note: --headline indicator 'smr' has no confidence interval: it orders" in capsys.readouterr().out
    assert main(["rank", str(path), "--headline", "smr", *data]) == EXIT_INPUT
    assert "no locality could be found significantly poorer" in capsys.readouterr().err


def test_rank_reads_population_as_numbers_and_refuses_a_zone_twice(council_zones):
    from localities.errors import DataError

    dz = council_zones["Moray"]
    plan = loc.propose(dz, target_population=10_000)
    assert loc.rank(plan, dz.assign(population=dz["population"].astype(str)))["population"].sum() == \
        dz["population"].sum()
    with pytest.raises(DataError, match="zone table lists a zone twice"):
        loc.rank(plan, pd.concat([dz, dz.iloc[:1]]))


def test_rank_of_a_plan_file_leaving_out_a_zone_names_the_file(council_zones, tmp_path):
    dz = council_zones["Moray"]
    plan = loc.propose(dz, target_population=10_000)
    path = tmp_path / "short.csv"
    plan.assignment.rename("locality").rename_axis("datazone").reset_index().iloc[1:].to_csv(path, index=False)
    short = loc.read_plan(path, dz)
    with pytest.raises(loc.PlanError, match=r"short\.csv: plan leaves out 1 zone of its council: S\d+; every zone"):
        loc.rank(short, dz)


def test_an_unflagged_locality_names_large_untested_gaps(council_zones):
    # Arran (North Ayrshire at 10,000 within wards) read "Tier 3" with income and central
    # heating only: nothing said its broadband or school journeys, never tested (no interval),
    # were several times the rest of the council's.
    dz = council_zones["North Ayrshire"]
    table = loc.rank(loc.propose(dz, target_population=10_000, within="ward"), dz)
    arran = table.loc[table["name"] == "Arran", "reasons"].iloc[0]
    untested = arran.split("; not tested (no interval), but at least ×2 worse on ")[1]
    assert untested.startswith("premises without superfast broadband 25.4% (×5.4 the rest of North Ayrshire")
    assert "drive time to a secondary school 14.3 min (×2.5 the rest of North Ayrshire" in untested


def test_a_flagged_locality_names_its_large_untested_gaps(council_zones):
    # Dumfries and Galloway at 5,000: Lochside and Lincluden, poorer than both comparators,
    # has drug-related hospital stays of 265 (Scotland 100), never tested (no interval);
    # its reasons said nothing of it, while an unflagged Dalbeattie's named its 201.
    dz = council_zones["Dumfries and Galloway"]
    table = loc.rank(loc.propose(dz, target_population=5_000), dz)
    row = table[table["name"].str.contains("Lochside")].iloc[0]
    assert row["tier"] == 1
    assert re.search(r"not tested \(no interval\), but at least ×2 worse on .*drug-related hospital stays \d+ "
                     r"\(Scotland = 100; ×", row["reasons"]), row["reasons"]


@pytest.mark.parametrize("council,target", [("Argyll and Bute", None), ("City of Edinburgh", 10_000)])
def test_reasons_say_what_their_figures_are(council_zones, council, target):
    # Oban read "not significantly poorer: income ...; also poorer on central heating ...",
    # a contradiction to a board, and "drug-related hospital stays 137 (×3.4 ...)", a figure
    # with no unit. Indicators outside the rule are named as such, and a standardised ratio
    # says it is measured against Scotland = 100.
    from localities.decide import _label
    from localities.outcomes import SIMD

    dz = council_zones[council]
    reasons = loc.rank(loc.propose(dz, target_population=target), dz)["reasons"]
    assert not reasons.str.contains("not significantly poorer.*also poorer", regex=True).any()
    assert reasons.str.contains("; poorer on indicators that do not decide a flag: ").any()
    ratios = [_label(ind) for ind in SIMD.values() if ind.kind == "ratio"]
    listed = [(label, text) for text in reasons for label in ratios if re.search(rf"{re.escape(label)} \d", text)]
    assert listed or council == "Argyll and Bute"  # none of its reasons lists a ratio
    assert all(re.search(rf"{re.escape(label)} [\d,]+ \(Scotland = 100; ×", text) for label, text in listed), listed


def test_a_worse_value_where_higher_is_better_is_set_beside_the_comparators(council_zones):
    # "17-21 year olds entering university 1.7% (×0.16 the rest of ...)" under "at least ×2
    # worse" read as better, and "(1/3.2 of the rest of Perth and Kinross)" was hard to read
    # aloud: the comparators' own values say it ("4.5% (11.3% in the rest of ...)").
    dz = council_zones["City of Edinburgh"]
    reasons = " ".join(loc.rank(loc.propose(dz, target_population=10_000), dz)["reasons"])
    assert re.search(r"entering university [\d.]+% \([\d.]+% in the rest of City of Edinburgh", reasons)
    assert not re.search(r"entering university [\d.]+% \((×0\.|1/)", reasons)


def test_a_locality_not_flagged_but_holding_deprived_zones_says_so(council_zones):
    # Falkirk at 10,000 within wards: "Falkirk - Lochgreen and Lionthorn / Hallglen and Glen
    # Village", not significantly poorer at 10.9%, held 36% of its people in Scotland's most
    # deprived fifth of zones; its Why said only "not significantly poorer".
    from localities.rank import DEPRIVED_SHARE

    dz = council_zones["Falkirk"]
    table = loc.rank(loc.propose(dz, target_population=10_000, within="ward"), dz)
    said = table["reasons"].str.contains("of its people live in zones among Scotland's 20% most deprived")
    should = ~table["poorer_than_scotland"] & (table["share_most_deprived_20"] >= DEPRIVED_SHARE * 1.2)
    assert said.equals(should) and should.any()
    row = table[table["name"].str.contains("Hallglen")].iloc[0]
    assert ". Yet 36% of its people live in zones among Scotland's 20% most deprived" in row["reasons"]
