"""The command line: the demo on the embedded sample, the scripted Moray flow on real data,
exit codes and --help."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

import localities as loc

from localities.cli import EXIT_INPUT, EXIT_NONCOMPLIANT, EXIT_OK, main, parser

SUBCOMMANDS = ["demo", "download", "councils", "propose", "check", "rank", "map"]


@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_help_for_every_subcommand(command, capsys):
    with pytest.raises(SystemExit) as exc:
        main([command, "--help"])
    assert exc.value.code == 0
    assert "usage: localities " + command in capsys.readouterr().out


def test_module_entry_point_runs():
    out = subprocess.run([sys.executable, "-m", "localities", "--help"], capture_output=True, text=True, check=True)
    assert "Exit codes" in out.stdout and all(c in out.stdout for c in SUBCOMMANDS)


def test_demo_on_the_embedded_sample(tmp_path, capsys):
    assert main(["demo", "--out", str(tmp_path)]) == EXIT_OK
    printed = capsys.readouterr().out
    assert "embedded sample" in printed and "complies" in printed.lower()
    for name in ("localities.gpkg", "ranking.csv", "ranking.xlsx", "map_income.pdf", "map_poorer.png", "map.html"):
        assert (tmp_path / name).stat().st_size > 1000, name
    ranking = pd.read_csv(tmp_path / "ranking.csv")
    saved = gpd.read_file(tmp_path / "localities.gpkg", layer="assignment")
    zones = gpd.read_file(tmp_path / "localities.gpkg", layer="localities")
    lookup = pd.read_csv(Path(loc.__file__).parents[1] / "data/sample/tables/simd2020v2_dz_lookup.csv")
    assert ranking["population"].sum() == zones["population"].sum() == lookup["Population"].sum() == 235_180
    assert len(saved) == ranking["zones"].sum()


@pytest.fixture(scope="module")
def moray(real_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("moray") / "moray.gpkg"
    code = main(["propose", "--council", "Moray", "--max-population", "30000", "--target-population", "10000",
                 "--out", str(out), "--data-dir", str(real_dir)])
    assert code == EXIT_OK
    return out


def test_scripted_moray_flow(moray, real_dir, tmp_path, capsys):
    data = ["--data-dir", str(real_dir)]
    assert main(["check", str(moray), *data]) == EXIT_OK
    assert main(["rank", str(moray), "--out", str(tmp_path / "moray.xlsx"), *data]) == EXIT_OK
    sheets = pd.read_excel(tmp_path / "moray.xlsx", sheet_name=None)
    assert {"Ranking", "Inequality", "Masked pockets", "Notes"} <= set(sheets)
    assert sheets["Ranking"]["population"].sum() == 95_780
    assert main(["map", str(moray), "--column", "income_rate", "--out", str(tmp_path / "moray.pdf"), *data]) == EXIT_OK
    assert (tmp_path / "moray.pdf").read_bytes().startswith(b"%PDF")
    assert main(["map", str(moray), "--out", str(tmp_path / "moray.html"), *data]) == EXIT_OK


def test_check_exits_1_on_a_non_compliant_plan(real_dir, tmp_path, capsys):
    # One locality holding all of Moray (95,780 people): not a ward, over 30,000.
    table = pd.read_csv(real_dir / "tables/simd2020v2_dz_lookup.csv")
    moray = table.loc[table["LAname"] == "Moray", "DZ"]
    assert len(moray) == 126
    plan = tmp_path / "one.csv"
    pd.DataFrame({"datazone": moray, "locality": "All Moray"}).to_csv(plan, index=False)
    assert main(["check", str(plan), "--data-dir", str(real_dir)]) == EXIT_NONCOMPLIANT
    assert "30,000" in capsys.readouterr().out


@pytest.mark.parametrize("argv, message", [
    (["check", "no-such-plan.gpkg"], "no such file"),
    (["propose", "--council", "Morray", "--out", "x.gpkg"], "Moray"),
    (["map", "no-such-plan.csv", "--out", "x.pdf"], "no such file"),
    (["rank", "no-such-plan.csv", "--out", "x.txt"], "x.txt: --out must end in"),
    (["map", "no-such-plan.csv", "--out", "x.jpg"], "x.jpg: --out must end in"),
])
def test_bad_input_exits_2_with_a_named_cause(argv, message, tmp_path, monkeypatch, capsys, real_dir):
    monkeypatch.chdir(tmp_path)
    assert main([*argv, "--data-dir", str(real_dir)]) == EXIT_INPUT
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_corrupt_plan_file_exits_2(tmp_path, capsys):
    bad = tmp_path / "plan.gpkg"
    bad.write_bytes(b"SQLite format 3\x00" + b"\x00" * 50)
    assert main(["check", str(bad)]) == EXIT_INPUT
    assert "plan.gpkg" in capsys.readouterr().err


def test_parser_documents_exit_codes():
    assert "1 plan does not comply" in parser().epilog


def test_propose_all_councils_writes_one_plan_each(tmp_path, capsys):
    # On the embedded sample "all" is Highland alone; on real data it is the 32 councils.
    assert main(["propose", "--council", "all", "--target-population", "10000", "--out", str(tmp_path)]) == EXIT_OK
    assert [p.name for p in tmp_path.iterdir()] == ["highland.gpkg"]
    assert "Highland: 24 localities, complies" in capsys.readouterr().out
    assert main(["check", str(tmp_path / "highland.gpkg")]) == EXIT_OK


def test_map_poorer_and_significance(tmp_path):
    plan = tmp_path / "plan.gpkg"
    assert main(["propose", "--council", "Highland", "--target-population", "10000", "--out", str(plan)]) == EXIT_OK
    assert main(["map", str(plan), "--poorer", "--dpi", "50", "--out", str(tmp_path / "poorer.png")]) == EXIT_OK
    assert main(["map", str(plan), "--column", "income_rate", "--significance", "rest",
                 "--out", str(tmp_path / "sig.svg")]) == EXIT_OK
    assert "compared with the rest of the council" in (tmp_path / "sig.svg").read_text(encoding="utf-8")
