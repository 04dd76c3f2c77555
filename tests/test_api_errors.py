"""Public functions validate their arguments and name the valid choices (issue 14).

Runs on the embedded sample (Highland), so no real data is needed.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import localities as loc  # noqa: E402
from localities.cli import EXIT_INPUT, EXIT_OK, main  # noqa: E402
from localities.errors import DataError, LocalitiesError, PlanError  # noqa: E402


@pytest.fixture(scope="module")
def sample():
    dz = loc.load_datazones()
    plan = loc.propose(dz, target_population=10_000)
    return dz, plan, loc.rank(plan, dz)


# ---------------------------------------------------------------------------- the package

def test_import_is_light():
    code = "import sys, localities; print(sorted(m for m in ('geopandas', 'libpysal', 'matplotlib', 'pandas') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_every_public_name_resolves():
    for name in loc.__all__:
        assert getattr(loc, name) is not None, name
    assert set(loc.__all__) <= set(dir(loc))
    # Tab completion offers the public names, not the package's own imports.
    assert not {"importlib", "sys", "types", "annotations"} & set(dir(loc))
    with pytest.raises(AttributeError, match="no attribute 'no_such_thing'"):
        loc.no_such_thing  # noqa: B018


def test_functions_win_over_same_named_submodules():
    import localities.rank  # noqa: F401  binds the submodule as an attribute unless kept out

    assert callable(loc.rank) and loc.rank.__module__ == "localities.rank"


# ---------------------------------------------------------------------------- load

@pytest.mark.parametrize("call, message", [
    (lambda: loc.load_datazones(wards="2019"), "wards must be '2022' or '2017', not '2019'"),
    (lambda: loc.load_datazones(population="nrs2019"),
     "population must be one of simd2020v2, nrs2020, nrs2021 or the path of a CSV/XLSX file of zone and population, "
     "not 'nrs2019' (no such file)"),
    (lambda: loc.load_population(2020), "population must be one of simd2020v2, nrs2020, nrs2021"),
    (lambda: loc.load_boundaries("wards"), "kind must be one of iz, ward, council, not 'wards'"),
    (lambda: loc.load_lookup(2015), "vintage must be 2011 or 2022, not 2015"),
    (lambda: loc.load_datazones("Fife"), "Fife not in this data (it holds Highland). The embedded sample holds only Highland"),
    (lambda: loc.load_datazones("Highlnd"), "unknown council 'Highlnd'; closest: Highland"),
    (lambda: loc.load_datazones(""), "council must be a council name or S12 code, not ''"),
    (lambda: loc.attribution(["simd"]), "unknown source 'simd'; known: dz_boundaries_2011"),
    (lambda: loc.load_datazones("Westrn Isles"), "closest: Na h-Eileanan Siar (Western Isles), not in this data"),
    (lambda: loc.load_datazones(population=None), "population must be one of simd2020v2, nrs2020, nrs2021"),
])
def test_load_errors_name_the_choices(call, message):
    with pytest.raises(LocalitiesError) as exc:
        call()
    assert message in str(exc.value)


def test_attribution_says_each_statement_once():
    text = loc.attribution()
    for statement in ("Copyright Scottish Government", "contains OS data © Crown copyright and database right",
                      "Open Government Licence v3.0"):
        assert text.count(statement) == 1, statement
    assert "Ordnance Survey" not in text and "National Records of Scotland" in text
    assert loc.attribution(["simd_lookup"]) == "Copyright Scottish Government. Open Government Licence v3.0."


# ---------------------------------------------------------------------------- other modules (messages that are right now)

@pytest.mark.parametrize("call, message", [
    (lambda s: loc.plot_map(s[2], label="names"), "label must be 'auto', 'number', 'locality' or 'none', not 'names'"),
    (lambda s: loc.plot_map(s[2], column="nope"), "no column 'nope' to map; indicators here: income_rate, employment_rate"),
    (lambda s: loc.plot_poorer(s[0]), "no 'poorer_than_scotland' column: pass the output of localities.rank"),
    (lambda s: loc.rank(s[1], s[0], headline=["income"]), "headline indicator 'income' not available ('income_rate' is Income deprivation); available: income_rate"),
    (lambda s: loc.rank(s[1], s[0], headline=["incme_rate"]), "headline indicator 'incme_rate' not available (did you mean 'income_rate'"),
    # The words the tables and legends print ("Income deprivation (%)") name the column to use.
    (lambda s: loc.plot_map(s[2], column="Income deprivation"), "no column 'Income deprivation' to map ('income_rate' is Income deprivation)"),
    (lambda s: loc.rank(s[1], s[0], headline=["Employment deprivation (%)"]), "('employment_rate' is Employment deprivation)"),
    # "drive" begins six indicators' names: no one of them is offered as meant.
    (lambda s: loc.rank(s[1], s[0], headline=["drive"]), "headline indicator 'drive' not available (did you mean"),
    (lambda s: loc.rank(s[1], s[0], method="x"), "method must be one of difference"),
    (lambda s: loc.inequality(s[1], s[0], by="income"), "by='income' is not an available indicator (did you mean 'income_rate'?); available: income_rate"),
    (lambda s: loc.masked_pockets(s[1], s[0], band=10), "band must be 5 or 20, not 10"),
    (lambda s: loc.propose(s[0], method="x"), "method must be one of regions, wards, iz, not 'x'"),
    (lambda s: loc.propose(s[0], attribute="x"), "attribute 'x' is not a column of the zone table"),
    (lambda s: loc.propose(s[0], attribute=["income_rank"]), "attribute must be one column name"),
    (lambda s: loc.propose(s[0], attribute="income"), "not a column of the zone table; did you mean 'income_rate'"),
    (lambda s: loc.propose(s[0], within="wards"), "zone table has no 'wards' column; did you mean 'ward'?"),
    (lambda s: loc.propose(s[0], within="xyz"), "zone table has no 'xyz' column; use 'ward', 'iz' or a column of"),
    (lambda s: loc.save_figure(loc.plot_poorer(s[2]), "x.jpg"), "x.jpg: save maps as .pdf, .svg or .png"),
])
def test_other_errors_name_the_choices(sample, call, message):
    with pytest.raises(LocalitiesError) as exc:
        call(sample)
    assert message in str(exc.value)


def test_plot_map_of_zones_needs_no_locality(sample):
    fig = loc.plot_map(sample[0], column="income_rate")
    assert fig.axes


# ---------------------------------------------------------------------------- plans in spreadsheets

def test_plan_from_an_xlsx_sheet(sample, tmp_path):
    dz, plan, _ = sample
    table = plan.assignment.rename("locality").rename_axis("datazone").reset_index()
    with pd.ExcelWriter(tmp_path / "plan.xlsx") as xl:
        pd.DataFrame({"note": ["a notes sheet first, as analysts keep them"]}).to_excel(xl, sheet_name="About", index=False)
        table.to_excel(xl, sheet_name="Plan", index=False)
    back = loc.read_plan(tmp_path / "plan.xlsx", dz)
    assert back.assignment.sort_index().equals(plan.assignment.sort_index().rename(back.assignment.name))
    assert main(["check", str(tmp_path / "plan.xlsx")]) == EXIT_OK


def test_xlsx_plan_errors_name_the_file(sample, tmp_path):
    dz = sample[0]
    pd.DataFrame({"zone": ["S01010001"], "area": ["A"]}).to_excel(tmp_path / "bad.xlsx", index=False)
    with pytest.raises(LocalitiesError, match=re.escape(str(tmp_path / "bad.xlsx"))):
        loc.read_plan(tmp_path / "bad.xlsx", dz)


# ---------------------------------------------------------------------------- the command line

def test_council_given_to_a_csv_plan_of_another_council(sample, tmp_path, capsys):
    dz, plan, _ = sample
    csv = tmp_path / "plan.csv"
    plan.assignment.rename("locality").rename_axis("datazone").reset_index().to_csv(csv, index=False)
    assert main(["check", str(csv), "--council", "Highland"]) == EXIT_OK
    # The sample holds Highland only: another council is refused by name, not as unknown zones.
    assert main(["check", str(csv), "--council", "Fife"]) == EXIT_INPUT
    err = capsys.readouterr().err
    assert "Fife not in this data" in err and "not in the zone table" not in err


def test_unknown_council_in_the_cli_names_the_closest(tmp_path, capsys):
    assert main(["propose", "--council", "Hihgland", "--out", str(tmp_path / "x.gpkg")]) == EXIT_INPUT
    assert "closest: Highland" in capsys.readouterr().err


def test_bad_plan_error_is_one_line(tmp_path, capsys):
    assert main(["rank", str(tmp_path / "missing.xlsx")]) == EXIT_INPUT
    err = capsys.readouterr().err
    assert "missing.xlsx: no such file" in err and len(err.strip().splitlines()) == 1


def test_namespace_package_from_the_folder_above_a_clone(tmp_path):
    """Python started in the folder above a clone named `localities` imports the clone as
    a namespace package; the console script is not affected (it runs from its own bin)."""
    (tmp_path / "localities").mkdir()
    out = subprocess.run(["localities", "--version"], cwd=tmp_path, capture_output=True, text=True)
    assert out.returncode == 0 and "localities 0.1.0" in out.stdout


def test_type_errors_say_what_is_expected_and_nothing_else():
    with pytest.raises(DataError) as exc:
        loc.load_datazones(123)
    assert str(exc.value) == "council must be a council name or S12 code, not 123"


def test_years_as_numbers_or_text():
    assert len(loc.load_datazones(wards=2017)) == len(loc.load_datazones(wards="2017")) == 312
    assert len(loc.load_lookup("2011")) == len(loc.load_lookup(2011))


def test_a_plan_ranked_on_another_councils_zones_says_so(council_zones):
    # A newcomer's mistake: the plan is Angus's, the zones Moray's. The message named
    # 146 zone codes; it now says which councils, and what to load.
    angus, moray = council_zones["Angus"], council_zones["Moray"]
    plan = loc.propose(angus, search="descent")
    for call in (lambda: loc.rank(plan, moray), lambda: loc.compare_plans(plan, plan, moray)):
        with pytest.raises(LocalitiesError, match=r"the plan is for Angus, but the zone table holds Moray: "
                                                  r"load Angus's zones \(load_datazones\('Angus'\)\)"):
            call()


def test_messages_say_one_or_many_not_s_in_brackets():
    # "1 zone(s)", "unknown source(s) 'simd'": a message is written for the count it reports.
    import ast

    source = Path(loc.__file__).parent
    found = []
    for path in sorted(source.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and re.search(r"\w\((s|es|y/ies)\)", node.value):
                found.append(f"{path.name}:{node.lineno}: {node.value.strip()[:60]}")
    assert not found, "\n".join(found)


# ---------------------------------------------------------------------------- an analyst's slips (seventh session)

@pytest.mark.parametrize("call, message", [
    (lambda dz, plan, table: loc.check(dz, plan), r"check\(plan, dz\): the plan comes first"),
    (lambda dz, plan, table: loc.rank(dz, plan), r"rank\(plan, dz\): the plan comes first"),
    (lambda dz, plan, table: loc.rank(table, dz), r"rank needs a Plan first .* \(a ranking table: pass the plan"),
    (lambda dz, plan, table: loc.inequality(plan, plan), r"inequality needs the zone table second"),
    (lambda dz, plan, table: loc.masked_pockets("plan", dz), r"masked_pockets needs a Plan first .* not str"),
    (lambda dz, plan, table: loc.read_plan(dz, "plan.csv"), r"read_plan\(path, dz\): the file comes first"),
    (lambda dz, plan, table: loc.rank(plan, dz, min_ratio="1.2"), r"min_ratio must be a number .* not '1.2'"),
    (lambda dz, plan, table: loc.rank(plan, dz, min_gap=0.02), r"min_gap must map indicators .*\{'income_rate'"),
    (lambda dz, plan, table: loc.rank(plan, dz, min_gap={"income_rate": 2}),
     r"a proportion from 0 to 1: 0.02 for 2 percentage points"),
    (lambda dz, plan, table: loc.plot_map(table, column="name"), r"column 'name' is not numbers, .* income_rate"),
    (lambda dz, plan, table: loc.plot_map(table, significance="scotland"), r"significance needs column="),
    # "no 'drug_vs_rest' column: give an indicator with an interval" named none that has one.
    (lambda dz, plan, table: loc.plot_map(table, column="incme_rate", significance="scotland"),
     r"incme_rate.*income_rate"),  # a typo is a typo, not "no interval"
    (lambda dz, plan, table: loc.plot_map(table, column="drug", significance="rest"),
     r"^'drug' has no verdict against the rest of the council \(no interval\): map one of income_rate, "
     r"employment_rate, depress"),
    (lambda dz, plan, table: loc.plot_map(plan, column="income_rate"), r"map its ranking, plot_map\(localities.rank"),
    (lambda dz, plan, table: loc.plot_map(table, column="income_rate", k=0), r"k \(the number of classes\)"),
    (lambda dz, plan, table: loc.plot_poorer(table, column="income_rate"), r"column belongs to plot_map"),
    (lambda dz, plan, table: loc.save_html(None, "map.png"), r"map.png: an interactive map is a web page"),
])
def test_an_analysts_slips_get_one_line(sample, call, message):
    # A new analyst met TypeError, AttributeError, numpy's UFuncTypeError and a pandas
    # ValueError from these, or silently wrong output (a web page in a .png).
    dz, plan, table = sample
    with pytest.raises(LocalitiesError, match=message) as info:
        call(dz, plan, table)
    assert "\n" not in str(info.value)


def test_a_profile_is_picked_as_an_analyst_names_it(sample, tmp_path):
    # save_profiles(localities="Stranraer") said "no locality 'S'" (it read the letters);
    # a name in other case, or a rank as text, was refused.
    _, _, table = sample
    first, second = table.iloc[0], table.iloc[1]
    fig = loc.profile(table, locality=second["name"].upper())
    assert fig.attrs["locality"] == second["locality"]
    assert loc.profile(table, locality="2").attrs["locality"] == second["locality"]
    with pytest.raises(LocalitiesError, match="no locality"):
        loc.profile(table, locality="²")  # a digit to str.isdigit, not a number
    path = loc.save_profiles(table, tmp_path / "one.pdf", localities=first["name"])
    assert len(re.findall(rb"/Type\s*/Page[^s]", path.read_bytes())) == 1
    import inspect
    assert "_backdrop" not in str(inspect.signature(loc.profile))


def test_a_text_attribute_is_refused_not_treated_as_missing(sample):
    # propose(attribute="name") ran with "name missing for 201 zones ... treated as the council mean".
    dz, _, _ = sample
    with pytest.raises(PlanError, match="attribute 'name' holds no numbers; give a numeric zone column"):
        loc.propose(dz, attribute="name")


@pytest.mark.parametrize("call, message", [
    (lambda dz, plan, t, tmp: plan.to_file(tmp / "q.gpkg", ranking=dz), r"ranking= must be the plan's ranking table"),
    (lambda dz, plan, t, tmp: loc.propose(None), r"zone table comes from localities.load_datazones, not NoneType"),
    (lambda dz, plan, t, tmp: loc.check(plan, pd.DataFrame(dz.drop(columns="geometry"))),
     r"check needs the zones' polygons"),
    (lambda dz, plan, t, tmp: (_ for _ in ()).throw(LocalitiesError(f"ok={loc.check(plan, pd.DataFrame(dz)).ok}")),
     r"ok=True"),  # a merge's plain DataFrame still holding the polygons is checked as before
    (lambda dz, plan, t, tmp: loc.plot_map(t.iloc[:0], column="income_rate"), r"nothing to map"),
    (lambda dz, plan, t, tmp: loc.plot_map(t.set_crs(None, allow_override=True), column="income_rate"),
     r"the table has no CRS.*set_crs\(27700\)"),
    (lambda dz, plan, t, tmp: loc.save_figure(None, tmp / "x.pdf"), r"save_figure needs a figure.*not NoneType"),
])
def test_wrong_objects_get_one_line_not_a_traceback(sample, tmp_path, call, message):
    # Each reached the analyst as KeyError 'locality', TypeError, AttributeError, a GEOS
    # LinearRing error or geopandas' "Cannot transform naive geometries".
    dz, plan, table = sample
    with pytest.raises(LocalitiesError, match=message):
        call(dz, plan, table, tmp_path)
