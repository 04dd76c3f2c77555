"""Candidate localities on real data, for every council."""

from __future__ import annotations

import pytest

import localities as loc

COUNCILS = ['Aberdeen City', 'Aberdeenshire', 'Angus', 'Argyll and Bute', 'City of Edinburgh', 'Clackmannanshire',
            'Dumfries and Galloway', 'Dundee City', 'East Ayrshire', 'East Dunbartonshire', 'East Lothian',
            'East Renfrewshire', 'Falkirk', 'Fife', 'Glasgow City', 'Highland', 'Inverclyde', 'Midlothian', 'Moray',
            'Na h-Eileanan Siar', 'North Ayrshire', 'North Lanarkshire', 'Orkney Islands', 'Perth and Kinross',
            'Renfrewshire', 'Scottish Borders', 'Shetland Islands', 'South Ayrshire', 'South Lanarkshire', 'Stirling',
            'West Dunbartonshire', 'West Lothian']


def test_the_list_is_every_council(council_zones):
    assert sorted(council_zones) == COUNCILS


@pytest.mark.parametrize("council", COUNCILS)
def test_regions_comply_for_every_council(council_zones, council):
    dz = council_zones[council]
    plan = loc.propose(dz, method="regions", max_population=30_000, target_population=10_000, seed=0)
    assert plan.assignment.index.is_unique
    assert set(plan.assignment.index) == set(dz["datazone"])
    assert plan.localities["population"].sum() == dz["population"].sum()
    assert plan.localities["zones"].sum() == len(dz)
    assert (plan.localities["population"] <= 30_000).all()
    report = loc.check(plan, dz)
    assert report.ok, report.problems
    assert (report.table["qualifies"] == "population").all() or report.table["is_ward"].any()


@pytest.mark.parametrize("council", COUNCILS)
def test_ward_plans_pass_as_wards(council_zones, council):
    dz = council_zones[council]
    report = loc.check(loc.propose(dz, method="wards"), dz)
    assert report.ok, report.problems
    assert (report.table["qualifies"] == "ward").all()


def test_a_ward_over_30000_is_still_a_locality(council_zones):
    big = [(c, w) for c, dz in council_zones.items() for w, p in dz.groupby("ward")["population"].sum().items() if p > 30_000]
    assert len(big) >= 10
    council, ward = big[0]
    table = loc.check(loc.propose(council_zones[council], method="wards"), council_zones[council]).table
    row = table.set_index("locality").loc[ward]
    assert row["population"] > 30_000 and row["qualifies"] == "ward"


def test_30001_people_not_a_ward_fails(council_zones):
    dz = council_zones["Glasgow City"].copy()
    plan = loc.propose(dz, target_population=10_000)
    # Give one non-ward locality exactly 30,001 people by editing one of its zones.
    first = plan.localities.iloc[0]
    zone = plan.assignment[plan.assignment == first["locality"]].index[0]
    dz.loc[dz["datazone"] == zone, "population"] += 30_001 - first["population"]
    report = loc.check(loc.plan_from_assignment(dz, plan.assignment), dz)
    assert not report.ok
    row = report.table.set_index("locality").loc[first["locality"]]
    assert row["population"] == 30_001 and row["qualifies"] == "fails"
    # ...and 30,000 exactly passes.
    dz.loc[dz["datazone"] == zone, "population"] -= 1
    assert loc.check(loc.plan_from_assignment(dz, plan.assignment), dz).ok


def test_same_seed_same_plan(council_zones):
    dz = council_zones["Highland"]
    a = loc.propose(dz, target_population=8_000, seed=3)
    b = loc.propose(dz.sample(frac=1, random_state=1), target_population=8_000, seed=3)
    assert a.assignment.equals(b.assignment)


@pytest.mark.parametrize("within, target", [("ward", 6_000), ("iz", 2_000)])
def test_within_never_crosses_the_lines(council_zones, within, target):
    dz = council_zones["City of Edinburgh"]
    plan = loc.propose(dz, target_population=target, within=within)
    lines = dz.set_index("datazone")[within]
    assert (lines.groupby(plan.assignment).nunique() == 1).all()
    assert plan.localities["population"].sum() == dz["population"].sum()
    assert loc.check(plan, dz).ok


def test_islands_are_linked_and_reported(council_zones):
    dz = council_zones["Argyll and Bute"]
    plan = loc.propose(dz, target_population=10_000)
    assert len(plan.links) >= 1
    assert any("link" in note for note in plan.notes)
    report = loc.check(plan, dz)
    assert report.ok  # detached parts are reported, not failed
    assert (report.table["parts"] > 1).any()


def test_iz_plan(council_zones):
    dz = council_zones["Moray"]
    plan = loc.propose(dz, method="iz")
    assert len(plan) == dz["iz"].nunique()
    assert set(plan.localities["name"]) == set(dz["iz_name"])
    assert loc.check(plan, dz).ok


def test_quality_figures(council_zones):
    dz = council_zones["Moray"]
    q = loc.quality(loc.propose(dz, target_population=10_000), dz)
    assert q["localities"] >= 8 and q["population_max"] <= 30_000
    assert 0 < q["mean_polsby_popper"] <= 1 and q["within_variance"] > 0


def test_plan_round_trips(council_zones, tmp_path):
    dz = council_zones["Argyll and Bute"]
    plan = loc.propose(dz, target_population=10_000)
    plan.to_file(tmp_path / "p.gpkg")
    back = loc.read_plan(tmp_path / "p.gpkg", dz)
    assert back.assignment.equals(plan.assignment) and back.council_name == "Argyll and Bute"
    assert len(back.links) == len(plan.links)
    plan.assignment.reset_index().to_csv(tmp_path / "p.csv", index=False)
    assert loc.read_plan(tmp_path / "p.csv", dz).assignment.equals(plan.assignment)
    plan.localities.to_file(tmp_path / "p.geojson")
    assert loc.read_plan(tmp_path / "p.geojson", dz).assignment.equals(plan.assignment)


def test_polygons_split_zones_reported(council_zones, tmp_path):
    dz = council_zones["Moray"]
    plan = loc.propose(dz, method="wards")
    shifted = plan.localities.copy()
    shifted["geometry"] = shifted.geometry.translate(400, 0)  # every boundary moves 400 m east
    shifted.to_file(tmp_path / "shifted.gpkg")
    back = loc.read_plan(tmp_path / "shifted.gpkg", dz)
    assert back.params["split_zones"] and any("split" in n for n in back.notes)
    assert back.assignment.index.is_unique
