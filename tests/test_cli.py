"""The command line: the demo on the embedded sample, the scripted Moray flow on real data,
exit codes and --help."""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

import localities as loc

from localities.cli import EXIT_BUG, EXIT_INPUT, EXIT_NONCOMPLIANT, EXIT_OK, main, parser

SUBCOMMANDS = ["demo", "download", "councils", "propose", "check", "rank", "map"]


@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_help_for_every_subcommand(command, capsys):
    with pytest.raises(SystemExit) as exc:
        main([command, "--help"])
    assert exc.value.code == 0
    assert "usage: localities " + command in capsys.readouterr().out


@pytest.mark.parametrize("argv, said", [
    (["propose", "--council", "Highland", "--seed", "abc", "--out", "x.gpkg"], "argument --seed: invalid int value: 'abc'"),
    (["propose", "--council", "Highland", "--method", "Wards", "--out", "x.gpkg"], "argument --method: invalid choice"),
    (["propose", "--council", "Highland", "--target-population", "ten", "--out", "x.gpkg"], "not a whole number: 'ten'"),
])
def test_a_mistyped_option_is_one_line(argv, said, capsys):
    # argparse printed seven lines of usage before the error.
    with pytest.raises(SystemExit) as exc:
        main(argv)
    err = capsys.readouterr().err
    assert exc.value.code == EXIT_INPUT and said in err
    assert err.count("\n") == 1 and err.startswith("localities propose: ") and "(see localities propose --help)" in err


def test_every_out_has_the_short_form():
    # "localities propose --council X -o x.gpkg" was refused: "-o" is what other tools take.
    subparsers = next(a for a in parser()._actions if a.choices and "propose" in a.choices).choices
    with_out = {name: sub for name, sub in subparsers.items()
                if any("--out" in a.option_strings for a in sub._actions)}
    assert {"demo", "propose", "rank", "map", "profile", "ensemble", "compare"} <= set(with_out)
    for name, sub in with_out.items():
        flags = next(a.option_strings for a in sub._actions if "--out" in a.option_strings)
        assert "-o" in flags, name
    args = parser().parse_args(["propose", "--council", "Moray", "-o", "x.gpkg"])
    assert args.out == "x.gpkg"


def test_an_empty_out_is_named(capsys):
    # --out "" (an unset shell variable) read as ".": ".: a plan is saved as a GeoPackage (.gpkg)".
    assert main(["propose", "--council", "Highland", "--out", ""]) == EXIT_INPUT
    assert capsys.readouterr().err.strip() == "localities: --out is empty: give a file or folder name"


@pytest.mark.parametrize("argv, named", [
    (["check", ""], "the plan argument is empty: give a file name"),  # "has no coordinate reference system"
    (["compare", "a.csv", ""], "the b argument is empty: give a file name"),
    # "no file for 'Data Zone 2011 lookup' in ."
    (["check", "plan.csv", "--data-dir", ""], "--data-dir is empty: give a file or folder name"),
])
def test_an_empty_path_is_named_not_read_as_the_folder(argv, named, capsys):
    assert main(argv) == EXIT_INPUT
    assert capsys.readouterr().err.strip() == f"localities: {named}"


def test_a_folder_that_cannot_be_made_is_said_once(capsys):
    # "note: folder /proc/x does not exist: it will be made", then "cannot write ...: No such file".
    assert main(["propose", "--council", "Highland", "-o", "/proc/no-such/plan.gpkg"]) == EXIT_INPUT
    err = capsys.readouterr().err
    assert err == ("localities: cannot write /proc/no-such/plan.gpkg: cannot make the folder /proc/no-such in /proc "
                   "(No such file or directory)\n"), err


def test_sizes_are_read_as_the_tool_prints_them():
    # "10,000" is how every note prints a size; --target-population 10,000 was refused.
    args = parser().parse_args(["propose", "--council", "Moray", "--target-population", "10,000",
                                "--max-population", "25_000", "--out", "x.gpkg"])
    assert (args.target_population, args.max_population) == (10_000, 25_000)
    for typo in ("10,00", "1,0,0,0"):  # not a grouping of thousands: refused, not read as 1,000
        with pytest.raises(SystemExit):
            parser().parse_args(["propose", "--council", "Moray", "--target-population", typo, "--out", "x.gpkg"])


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
    book = pd.read_excel(tmp_path / "ranking.xlsx", sheet_name=None)  # the workbook is for people
    assert "Income deprivation (%)" in book["Ranking"].columns and "income_rate" in set(book["Codebook"]["code"])
    assert (book["Ranking"]["Income deprivation (%)"].round(1) == (ranking["income_rate"] * 100).round(1)).all()
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
    capsys.readouterr()
    assert main(["map", str(moray), "--out", str(tmp_path / "moray.html"), *data]) == EXIT_OK
    assert f"note: {tmp_path / 'moray.html'} loads its map (Leaflet and the background tiles) from the internet" in \
        capsys.readouterr().out


def test_a_saved_plans_notes_name_the_options_typed(real_dir, tmp_path, capsys):
    # Na h-Eileanan Siar at 10,000: propose said "(--divide-towns keeps the search's plan)",
    # check of the same plan "(towns=False keeps ...)", the Python argument.
    out = tmp_path / "nes.gpkg"
    data = ["--data-dir", str(real_dir)]
    assert main(["propose", "--council", "Na h-Eileanan Siar", "--target-population", "10000", "--out", str(out),
                 *data]) == EXIT_OK
    assert "--divide-towns keeps" in capsys.readouterr().out
    assert main(["check", str(out), *data]) == EXIT_OK
    printed = capsys.readouterr().out
    assert "--divide-towns keeps" in printed and "towns=False" not in printed


def test_a_workbook_keeps_the_notes_printed_with_it(moray, real_dir, tmp_path, capsys):
    # "smr has no confidence interval: it ... cannot make one significantly poorer" was printed
    # and not in the workbook a board is sent; a blank slope across two localities said nothing.
    book = tmp_path / "moray.xlsx"
    assert main(["rank", str(moray), "--headline", "income_rate,smr", "--out", str(book),
                 "--data-dir", str(real_dir)]) == EXIT_OK
    notes = pd.read_excel(book, sheet_name="Notes")
    assert notes["note"].str.startswith("Headline indicator 'smr' has no confidence interval").any()


def test_the_ranking_workbook_reads_back_as_its_plan(moray, real_dir, tmp_path, capsys):
    # `check ranking.xlsx` read its "Masked pockets" sheet (a few zones) as the plan: "DOES NOT
    # COMPLY ... 114 zones of the council in no locality", exit 1.
    book = tmp_path / "moray.xlsx"
    data = ["--data-dir", str(real_dir)]
    assert main(["rank", str(moray), "--out", str(book), *data]) == EXIT_OK
    capsys.readouterr()
    assert main(["check", str(book), *data]) == EXIT_OK
    out = capsys.readouterr().out
    assert "note: read sheet 'Assignment'" in out and "COMPLIES" in out
    dz = loc.load_datazones(council="Moray", data_dir=real_dir)
    assert loc.read_plan(book, dz).assignment.sort_index().equals(loc.read_plan(moray, dz).assignment.sort_index())


def test_a_workbook_names_its_council_from_the_plan_sheet(real_dir, tmp_path, capsys):
    # The council was taken from the first sheet with zone codes while the plan was read
    # from the largest: a "Contacts" sheet of three Highland zones before Moray's plan made
    # `check` load Highland and report Moray's 126 zones as another council's.
    table = pd.read_csv(real_dir / "tables/simd2020v2_dz_lookup.csv")
    moray = table.loc[table["LAname"] == "Moray", ["DZ", "MMWname"]]
    highland = table.loc[table["LAname"] == "Highland", "DZ"].head(3)
    book = tmp_path / "plan.xlsx"
    with pd.ExcelWriter(book) as writer:
        pd.DataFrame({"datazone": highland, "contact": "x"}).to_excel(writer, sheet_name="Contacts", index=False)
        moray.set_axis(["datazone", "locality"], axis=1).to_excel(writer, sheet_name="Plan", index=False)
    assert main(["check", str(book), "--data-dir", str(real_dir)]) == EXIT_OK
    out = capsys.readouterr().out
    assert "read sheet 'Plan'" in out and "Speyside Glenlivet" in out and "COMPLIES" in out


def test_layer_chooses_a_workbooks_sheet(real_dir, tmp_path, capsys):
    # Two options on two sheets: --layer "Option B" was ignored and Option A checked, exit 0.
    table = pd.read_csv(real_dir / "tables/simd2020v2_dz_lookup.csv")
    moray = table.loc[table["LAname"] == "Moray", ["DZ", "MMWname"]].set_axis(["datazone", "locality"], axis=1)
    book = tmp_path / "options.xlsx"
    with pd.ExcelWriter(book) as writer:
        moray.to_excel(writer, sheet_name="Option A", index=False)
        moray.assign(locality="All of Moray").to_excel(writer, sheet_name="Option B", index=False)
    data = ["--data-dir", str(real_dir)]
    assert main(["check", str(book), *data]) == EXIT_OK
    assert "(126 zones), the largest of 2 sheets with Data Zone codes ('Option A', 'Option B'; --layer NAME reads " \
           "another)" in capsys.readouterr().out
    assert main(["check", str(book), "--layer", "Option B", *data]) == EXIT_NONCOMPLIANT
    assert "All of Moray (95,780 people)" in capsys.readouterr().out
    assert main(["check", str(book), "--layer", "Option C", *data]) == EXIT_INPUT
    assert capsys.readouterr().err.strip().endswith("no sheet 'Option C'; its sheets are 'Option A', 'Option B'")
    dz = loc.load_datazones(council="Moray", data_dir=real_dir)
    assert len(loc.read_plan(book, dz, layer="Option B")) == 1
    moray.to_csv(tmp_path / "plan.csv", index=False)
    with pytest.raises(loc.PlanError, match="a .csv file has neither"):
        loc.read_plan(tmp_path / "plan.csv", dz, layer="Option B")


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


@pytest.mark.parametrize("argv, message", [
    (["profile", "plan.csv", "-o", "profiles"], "profiles: --out must end in .pdf\n"),
    (["compare", "a.csv", "b.csv", "--table", "t.txt"], "t.txt: --table must end in .csv or .xlsx\n"),
    (["pockets", "plan.csv", "-o", "p.pdf"], "p.pdf: --out must end in .csv or .xlsx\n"),
    (["rank", "plan.csv", "-o", "r.gpkg.txt"], "r.gpkg.txt: --out must end in .csv, .xlsx, .gpkg or .geojson\n"),
    (["map", "plan.csv", "-o", "/no/such/folder/m.txt"], "m.txt: --out must end in .pdf, .svg, .png or .html\n"),
])
def test_an_output_of_the_wrong_type_is_told_before_any_work(argv, message, tmp_path):
    # Before the plan is read (it does not exist here) and before the drawing libraries load:
    # `profile --out profiles` said so after 2.6 s of imports and reading a Glasgow plan.
    code = ("import sys; from localities.cli import main; rc = main(sys.argv[1:]); "
            "print(rc, 'matplotlib' in sys.modules, 'geopandas' in sys.modules)")
    run = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, cwd=tmp_path)
    assert run.stdout.split() == [str(EXIT_INPUT), "False", "False"], run.stdout + run.stderr
    assert run.stderr.endswith(message) and run.stderr.count("\n") == 1, run.stderr


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
    # A file name for the folder: said so ("plan.csv: File exists" before, or a folder named plan.gpkg).
    (tmp_path / "plan.csv").write_text("")
    for name in ("plan.csv", "plans.gpkg"):
        assert main(["propose", "--council", "all", "--out", str(tmp_path / name)]) == EXIT_INPUT
        assert "writes one plan a council into a folder" in capsys.readouterr().err
    assert not (tmp_path / "plans.gpkg").exists()


def test_map_poorer_and_significance(tmp_path):
    plan = tmp_path / "plan.gpkg"
    assert main(["propose", "--council", "Highland", "--target-population", "10000", "--out", str(plan)]) == EXIT_OK
    assert main(["map", str(plan), "--poorer", "--dpi", "50", "--out", str(tmp_path / "poorer.png")]) == EXIT_OK
    assert main(["map", str(plan), "--column", "income_rate", "--significance", "rest",
                 "--out", str(tmp_path / "sig.svg")]) == EXIT_OK
    assert "compared with the rest of the council" in (tmp_path / "sig.svg").read_text(encoding="utf-8")


# ---------------------------------------------------------------------------- issue 14

def _options():
    p = parser()
    sub = next(a for a in p._actions if a.__class__.__name__ == "_SubParsersAction")
    for command, sp in sub.choices.items():
        for action in sp._actions:
            if action.option_strings and action.dest != "help":
                yield command, action


@pytest.mark.parametrize("command, action", list(_options()), ids=lambda v: getattr(v, "dest", v))
def test_every_option_has_help(command, action):
    assert action.help and len(action.help) > 10, f"{command} {action.option_strings} has no help text"


def test_help_and_version_are_light():
    # The console script answers without importing geopandas, libpysal or matplotlib.
    code = ("import sys, localities.cli as c\n"
            "try:\n    c.main(['--version'])\nexcept SystemExit:\n    pass\n"
            "heavy = [m for m in ('geopandas', 'libpysal', 'matplotlib', 'pandas') if m in sys.modules]\n"
            "print('heavy:', heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "localities 0.1.0" in out and "heavy: []" in out


def test_closed_pipe_is_not_an_error():
    # `localities councils | head` with the reader gone before anything is written.
    proc = subprocess.Popen([sys.executable, "-m", "localities", "councils"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait() == 0
    assert "Traceback" not in err and "BrokenPipe" not in err


def test_rank_into_head_through_a_shell(tmp_path):
    plan = tmp_path / "plan.gpkg"
    assert main(["propose", "--council", "Highland", "--target-population", "5000", "--out", str(plan)]) == EXIT_OK
    out = subprocess.run(f"'{sys.executable}' -m localities rank '{plan}' | head -n 2; exit ${{PIPESTATUS[0]}}",
                         shell=True, executable="/bin/bash", capture_output=True, text=True)
    assert out.returncode == 0 and "Traceback" not in out.stderr and len(out.stdout.splitlines()) == 2


@pytest.mark.parametrize("command", ["rank", "compare"])
def test_a_closed_pipe_still_writes_the_files(tmp_path, command):
    # `localities rank plan.gpkg --out r.xlsx | head -2` exited 0 without writing the
    # workbook: the closed pipe stopped the command before it wrote. The printing stops; the
    # command does not.
    plan = tmp_path / "plan.gpkg"
    assert main(["propose", "--council", "Highland", "--target-population", "5000", "--out", str(plan)]) == EXIT_OK
    if command == "rank":
        args, made = f"rank '{plan}' --out '{tmp_path / 'r.xlsx'}'", [tmp_path / "r.xlsx"]
    else:
        other = tmp_path / "wards.gpkg"
        assert main(["propose", "--council", "Highland", "--method", "wards", "--out", str(other)]) == EXIT_OK
        args = f"compare '{other}' '{plan}' --out '{tmp_path / 'c.png'}' --table '{tmp_path / 'c.xlsx'}'"
        made = [tmp_path / "c.png", tmp_path / "c.xlsx"]
    # `true` reads nothing and exits at once, so the first line printed meets a closed pipe
    # (`head -n 1` raced the pipe's buffer: the old code wrote the workbook 1 time in 3).
    out = subprocess.run(f"'{sys.executable}' -m localities {args} | true; exit ${{PIPESTATUS[0]}}",
                         shell=True, executable="/bin/bash", capture_output=True, text=True)
    assert out.returncode == 0 and "Traceback" not in out.stderr, out.stderr
    assert all(path.exists() and path.stat().st_size > 1000 for path in made), [p.name for p in made if not p.exists()]
    for path in made:
        path.unlink()
    # Standard output not there at all (`>&-`): the files are written all the same.
    out = subprocess.run(f"'{sys.executable}' -m localities {args} >&-", shell=True, executable="/bin/bash",
                         capture_output=False, stderr=subprocess.PIPE, text=True)
    assert out.returncode == 0 and "Traceback" not in out.stderr, out.stderr
    assert all(path.exists() for path in made)


def test_a_closed_pipe_on_standard_error_does_not_stop_the_command(monkeypatch):
    # `localities demo 2>&1 | head -1` with progress shown: the bar's next write met the
    # closed pipe, and the command ended with its folder empty (exit 0).
    import io

    from localities import cli

    class Gone(io.StringIO):
        def write(self, text):
            raise BrokenPipeError

    def noisy(args):
        print("progress", file=sys.stderr)
        print("a table", file=sys.stdout)
        done.append("finished")  # reached only if the prints did not stop the command
        return 0

    stream = cli._Outliving(Gone())
    assert stream.write("x") == 1 and stream.gone  # dropped, not raised
    done = []
    monkeypatch.setattr(cli, "cmd_councils", noisy)
    monkeypatch.setattr(sys, "stderr", Gone())
    monkeypatch.setattr(sys, "stdout", Gone())
    assert cli.main(["councils"]) == 0 and done == ["finished"]


@pytest.fixture(scope="module")
def highland(tmp_path_factory):
    plan = tmp_path_factory.mktemp("highland") / "plan.gpkg"
    assert main(["propose", "--council", "Highland", "--target-population", "10000", "--out", str(plan)]) == EXIT_OK
    return plan


def test_commands_print_the_plans_notes(highland, capsys):
    notes = loc.read_plan(highland).notes
    assert notes
    assert main(["check", str(highland)]) == EXIT_OK
    assert f"note: {notes[0]}" in capsys.readouterr().out


def test_map_says_when_its_key_is_too_small_to_read_in_print(moray, real_dir, tmp_path, capsys):
    # Highland at 5,000 once: 47 localities keyed in 4.5 pt on an A4 page (now in 7 pt); the
    # key is printed again on a page of its own, and the command says where: the City of
    # Edinburgh's 100 at 5,000. Moray's 10 read at 6.5 pt.
    plan = tmp_path / "plan.gpkg"
    data = ["--data-dir", str(real_dir)]
    assert main(["propose", "--council", "Edinburgh", "--target-population", "5000", "--out", str(plan), *data]) == 0
    capsys.readouterr()
    assert main(["map", str(plan), "--out", str(tmp_path / "h.png"), *data]) == EXIT_OK
    out = capsys.readouterr().out
    # The centre, too crowded to name, is also drawn larger on a page of its own: said, and where.
    assert re.search(r"note: area A of the map is drawn larger, with names, on h-detail-A\.png\nwrote .*h-detail-A\.png\n"
                     r"note: the map's key lists 100 localities in [45](\.5)? pt type, small for print; h-key\.png "
                     r"repeats it in [6789](\.5)? pt\nwrote .*h-key\.png\nwrote .*h\.png", out), out
    assert (tmp_path / "h-key.png").stat().st_size > 10_000 and (tmp_path / "h-detail-A.png").stat().st_size > 10_000
    assert main(["map", str(plan), "--out", str(tmp_path / "h.pdf"), *data]) == EXIT_OK
    assert re.search(r"area A of the map is drawn larger, with names, on page 2\n.*small for print; page 3 repeats it "
                     r"in [6789](\.5)? pt", capsys.readouterr().out)
    assert main(["map", str(moray), "--out", str(tmp_path / "m.png"), *data]) == EXIT_OK
    out = capsys.readouterr().out
    assert "small for print" not in out and "m-key.png" not in out and not (tmp_path / "m-key.png").exists()


def test_the_builders_notes_are_not_repeated_by_every_command(highland, tmp_path, capsys):
    # A new user saw the same four notes on how the plan was built (count, IZs kept whole,
    # town and country, the search) before every map, profile and pockets list.
    notes = loc.read_plan(highland).notes
    for command in (["map", str(highland), "--out", str(tmp_path / "m.png")], ["pockets", str(highland)]):
        assert main(command) == EXIT_OK
        out = capsys.readouterr().out
        assert not any(note in out for note in notes), command


def test_pockets_and_inequality_commands(highland, tmp_path, capsys):
    assert main(["pockets", str(highland), "--band", "20", "--out", str(tmp_path / "p.csv")]) == EXIT_OK
    printed = capsys.readouterr().out
    assert "most deprived 20%" in printed and (tmp_path / "p.csv").exists()
    assert main(["inequality", str(highland), "--out", str(tmp_path / "i.xlsx"), "--labels"]) == EXIT_OK
    sheets = pd.read_excel(tmp_path / "i.xlsx", sheet_name=None)
    assert {"Table", "Codebook", "Notes"} <= set(sheets)
    assert "Slope index of inequality (SII; positive: worse in more deprived areas)" in sheets["Table"].columns
    assert main(["pockets", str(highland), "--out", str(tmp_path / "p.txt")]) == EXIT_INPUT


def test_inequality_says_which_way_the_sii_points(highland, tmp_path, capsys):
    # The output gave numbers without saying whether a positive SII meant worse or better
    # outcomes in the more deprived areas. It means worse, for every indicator (rank.py
    # signs the slope by the indicator's direction): income deprivation, where higher is
    # worse, and school attendance, where higher is better, both have a positive SII
    # across Highland's Data Zones, the deprived zones being worse on both.
    capsys.readouterr()
    assert main(["inequality", str(highland), "--out", str(tmp_path / "i.xlsx"), "--labels"]) == EXIT_OK
    printed = capsys.readouterr().out
    assert "positive = worse in more deprived areas" in printed
    table = loc.inequality(loc.read_plan(highland), loc.load_datazones("Highland"))
    zones = table[table["level"] == "zones"].set_index("indicator")
    assert loc.SIMD["income_rate"].higher_is_worse and zones.loc["income_rate", "sii_lower"] > 0
    assert not loc.SIMD["attendance"].higher_is_worse and zones.loc["attendance", "sii_lower"] > 0
    sheets = pd.read_excel(tmp_path / "i.xlsx", sheet_name=None)
    headers = [c for c in sheets["Table"].columns if c.startswith(("Slope index", "Relative index"))]
    assert len(headers) == 2 and all("positive: worse in more deprived areas" in h for h in headers)
    book = sheets["Codebook"].set_index("code")
    for code in ("sii", "sii_lower", "sii_upper", "rii", "rii_lower", "rii_upper"):
        assert "positive: worse in more deprived areas" in book.loc[code, "meaning"]
    notes = sheets["Notes"].set_index("topic")["note"]
    assert "positive slope index of inequality (SII) means worse outcomes in the more deprived areas" in \
        notes["Inequality (SII, RII)"]


def test_labels_for_people(highland, tmp_path):
    assert main(["rank", str(highland), "--out", str(tmp_path / "r.csv"), "--labels"]) == EXIT_OK
    assert main(["rank", str(highland), "--out", str(tmp_path / "raw.csv")]) == EXIT_OK
    people = pd.read_csv(tmp_path / "r.csv", header=[0, 1])
    raw = pd.read_csv(tmp_path / "raw.csv")
    codes = dict(zip(people.columns.get_level_values(1), people.columns.get_level_values(0)))
    assert codes["income_rate"] == "Income deprivation (%)" and codes["pt_gp"].startswith("Public transport time")
    assert people[("Income deprivation (%)", "income_rate")].astype(float).round(1).tolist() == \
        (raw["income_rate"] * 100).round(1).tolist()
    assert main(["rank", str(highland), "--out", str(tmp_path / "r.xlsx"), "--labels"]) == EXIT_OK
    sheets = pd.read_excel(tmp_path / "r.xlsx", sheet_name=None)
    book = sheets["Codebook"].set_index("code")
    assert book.loc["income_rate", "column"] in sheets["Ranking"].columns
    assert book.loc["cif", "column"] == "Comparative illness factor (Scotland = 100)"
    assert set(sheets["Ranking"]["Significantly poorer than Scotland"]) <= {"Yes", "No"}
    assert main(["rank", str(highland), "--out", str(tmp_path / "r.gpkg"), "--labels"]) == EXIT_INPUT


def test_council_option_must_agree_with_the_plan(real_dir, tmp_path, capsys):
    plan = tmp_path / "abd.gpkg"
    data = ["--data-dir", str(real_dir)]
    assert main(["propose", "--council", "Aberdeen", "--out", str(plan), *data]) == EXIT_OK
    capsys.readouterr()
    assert main(["rank", str(plan), "--council", "Fife", *data]) == EXIT_INPUT
    err = capsys.readouterr().err
    assert "is a plan for Aberdeen City, not Fife" in err and "not in the zone table" not in err
    assert main(["check", str(plan), "--council", "Obar Dheathain", *data]) == EXIT_OK


def test_propose_accepts_an_alias(real_dir, tmp_path, capsys):
    out = tmp_path / "wi.gpkg"
    assert main(["propose", "--council", "Western Isles", "--out", str(out), "--data-dir", str(real_dir)]) == EXIT_OK
    assert "Na h-Eileanan Siar" in capsys.readouterr().out


def test_saved_plan_keeps_params_and_notes(tmp_path):
    dz = loc.load_datazones("Highland")
    plan = loc.propose(dz, target_population=8000, within="ward", seed=3)
    assert plan.notes
    plan.to_file(tmp_path / "p.gpkg")
    for zones in (None, dz):
        back = loc.read_plan(tmp_path / "p.gpkg", zones)
        stored = {k: v for k, v in back.params.items() if k != "source"}
        assert stored == plan.params  # types kept: 30000 an int, None not '', 8000 not '8000'
        assert back.params["max_population"] == 30_000 and back.params["attribute"] == "income_rank"
        assert back.notes[: len(plan.notes)] == plan.notes


def test_old_saved_plans_read_params_as_values(tmp_path):
    from localities.plans import saved_params_notes

    params, notes = saved_params_notes({"council": "S12000017", "method": "regions", "max_population": "30000",
                                        "within": "", "attribute": "income_rank", "seed": "0",
                                        "notes": "a | b", "written": "2026-01-01", "attribution": "x"})
    assert params == {"max_population": 30000, "within": None, "attribute": "income_rank", "seed": 0}
    assert notes == ["a", "b"]


def test_a_command_collects_garbage_in_larger_batches_and_restores_the_thresholds(monkeypatch):
    import gc

    from localities import cli

    seen = []
    monkeypatch.setattr(cli, "cmd_councils", lambda args: seen.append(gc.get_threshold()) or EXIT_OK)
    before = gc.get_threshold()
    assert main(["councils"]) == EXIT_OK
    assert seen and seen[0][0] >= 10 * before[0]  # young objects collected far less often during the command
    assert gc.get_threshold() == before  # and the caller's settings back afterwards
    monkeypatch.setattr(cli, "cmd_councils", lambda args: 1 / 0)
    assert main(["councils"]) == EXIT_BUG  # a bug, said in one line
    assert gc.get_threshold() == before
    monkeypatch.setenv("LOCALITIES_DEBUG", "1")
    with pytest.raises(ZeroDivisionError):  # the traceback, for the one reporting it
        main(["councils"])
    assert gc.get_threshold() == before


def test_propose_takes_unit_town_country_and_search(tmp_path, capsys):
    # The embedded sample (Highland): the options reach propose() and are saved with the plan.
    out = tmp_path / "plan.gpkg"
    code = main(["propose", "--council", "Highland", "--target-population", "10000", "--unit", "datazone",
                 "--town-country", "0", "--search", "descent", "--out", str(out)])
    assert code in (EXIT_OK, EXIT_NONCOMPLIANT)
    params = loc.read_plan(out, loc.load_datazones()).params
    assert (params["unit"], params["town_country"], params["search"]) == ("datazone", 0.0, "descent")
    assert "Intermediate Zones kept whole" in capsys.readouterr().out
    # Defaults: whole IZs, town and country weighted 1, annealing.
    args = parser().parse_args(["propose", "--council", "Moray", "--out", "x.gpkg"])
    assert (args.unit, args.town_country, args.search) == ("iz", 1.0, "anneal")
    # Bad values are refused, naming the choices or the rule.
    assert main(["propose", "--council", "Highland", "--town-country", "-1", "--out", str(tmp_path / "x.gpkg")]) \
        == EXIT_INPUT
    assert "--town-country must be a finite number 0 or more" in capsys.readouterr().err
    for option, value in (("--search", "fast"), ("--unit", "ward")):
        with pytest.raises(SystemExit) as exc:
            main(["propose", "--council", "Highland", option, value, "--out", str(tmp_path / "x.gpkg")])
        assert exc.value.code == EXIT_INPUT
        assert "invalid choice" in capsys.readouterr().err
    text = parser()._subparsers._group_actions[0].choices["propose"].format_help()
    assert "{anneal,descent}" in text and "{iz,datazone}" in text and "--town-country" in text


@pytest.mark.parametrize("argv, option, named", [
    # A new user typed --target-population 0 and was told about 'target_population'.
    (["propose", "--council", "Highland", "--target-population", "0"], "--target-population", "at least 1"),
    (["propose", "--council", "Highland", "--target-population", "40000"], "--target-population",
     "between 1 and --max-population (30000)"),
    (["propose", "--council", "Highland", "--max-population", "20000", "--target-population", "25000"],
     "--target-population", "between 1 and --max-population (20000)"),
    (["propose", "--council", "Highland", "--max-population", "0"], "--max-population", "positive"),
    (["propose", "--council", "Highland", "--max-population", "40000"], "--max-population 40,000",
     "Pass --non-statutory to use it"),
    (["propose", "--council", "Highland", "--seed", "-1"], "--seed", "0 or more"),
    (["propose", "--council", "Highland", "--within", "wards"], "--within wards", "did you mean 'ward'"),
    (["propose", "--council", "Highland", "--town-country", "-1"], "--town-country", "0 or more"),
    (["propose", "--council", "Highland", "--attribute", "income"], "--attribute 'income'", "income_rank"),
    (["check", "PLAN", "--max-population", "0"], "--max-population", "positive"),
    (["demo", "--target-population", "40000"], "--target-population", "between 1 and the statutory ceiling"),
])
def test_errors_name_the_option_typed(argv, option, named, highland, tmp_path, capsys):
    argv = [str(highland) if a == "PLAN" else a for a in argv]
    out = ["--out", str(tmp_path / ("out" if argv[0] == "demo" else "plan.gpkg"))] if argv[0] != "check" else []
    assert main([*argv, *out]) == EXIT_INPUT
    err = capsys.readouterr().err
    assert option in err and named in err, err
    # No Python argument name (snake_case, or name=value) reaches the user.
    assert not re.search(r"\b(target_population|max_population|non_statutory|town_country|data_dir)\b", err), err
    assert not re.search(r"\b(seed|within|attribute|unit|search)=", err), err


@pytest.mark.parametrize("argv, option", [
    (["propose", "--council", "Highland", "--unit", "zone"], "--unit"),
    (["propose", "--council", "Highland", "--search", "greedy"], "--search"),
    (["propose", "--council", "Highland", "--seed", "one"], "--seed"),
    (["propose", "--council", "Highland", "--target-population", "ten"], "--target-population"),
])
def test_argparse_errors_name_the_option_and_exit_2(argv, option, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        main([*argv, "--out", str(tmp_path / "plan.gpkg")])
    assert exit_.value.code == EXIT_INPUT
    assert f"argument {option}:" in capsys.readouterr().err


def test_option_names_replace_argument_names_only_where_they_are_names():
    from localities.cli import _in_options

    options = {"seed": "--seed", "within": "--within", "target_population": "--target-population",
               "max_population": "--max-population", "non_statutory": "--non-statutory"}
    assert _in_options("seed must be a whole number 0 or more, not -1", options) == \
        "--seed must be a whole number 0 or more, not -1"
    # A one-word name inside a sentence is a word, not the option.
    assert _in_options("localities within the council; the seed breaks ties", options) == \
        "localities within the council; the seed breaks ties"
    assert _in_options("within='wardx': no column", options) == "--within wardx: no column"
    assert _in_options("Pass non_statutory=True (--non-statutory) to", options) == "Pass --non-statutory to"
    assert _in_options("LOCALITIES_DATA_DIR and my_target_population", options) == \
        "LOCALITIES_DATA_DIR and my_target_population"
    # Paths are left as they are.
    assert _in_options("/tmp/target_population/plan.gpkg: no such file", options) == \
        "/tmp/target_population/plan.gpkg: no such file"
    assert _in_options("seed.gpkg: no such file; max_population.csv too", options) == \
        "seed.gpkg: no such file; max_population.csv too"
    assert _in_options("between 1 and max_population.", options) == "between 1 and --max-population."
    # The paths typed stay as typed: a plan file called "seed", an --out folder called "out".
    assert _in_options("seed: no such file", options, keep=["seed"]) == "seed: no such file"
    options["out"] = "--out"
    assert _in_options("out: --out must end in .csv", options, keep=["out"]) == "out: --out must end in .csv"
    # Only whole paths: "--data-dir data" kept "data_dir" untranslated, and a path "0" put NUL bytes
    # (its placeholder's) in the message.
    options["data_dir"] = "--data-dir"
    assert _in_options("p.gpkg: from the data_dir argument", options, keep=["p.gpkg", "data"]) == \
        "p.gpkg: from the --data-dir argument"
    assert _in_options("nofile.csv: no such file", options, keep=["nofile.csv", "0"]) == "nofile.csv: no such file"


def test_an_output_that_is_the_plan_being_read_is_refused(highland, capsys):
    # `rank plan.gpkg --out plan.gpkg` replaced the plan with its ranking, exit 0.
    before = highland.read_bytes()
    relative = os.path.relpath(highland)
    for argv in (["rank", str(highland), "--out", str(highland)], ["pockets", str(highland), "--out", relative]):
        assert main(argv) == EXIT_INPUT
        out, err = capsys.readouterr()
        assert "is the plan being read" in err and out == ""
    assert highland.read_bytes() == before


def test_a_bug_has_its_own_exit_code_not_the_plan_does_not_comply(highland, capsys, monkeypatch):
    # An uncaught error left Python's exit 1, which for `check` means "does not comply".
    def broken(*args, **kwargs):
        raise AttributeError("'NoneType' object has no attribute 'lower'")

    monkeypatch.setattr("localities.regulation.check", broken)
    assert main(["check", str(highland)]) == EXIT_BUG == 4
    err = capsys.readouterr().err
    assert "internal error" in err and "AttributeError" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_notes_name_the_options_typed(tmp_path, capsys):
    # The embedded sample: a target with method iz is noted as unused, in the command line's own words.
    code = main(["propose", "--council", "Highland", "--method", "iz", "--target-population", "5000",
                 "--out", str(tmp_path / "plan.gpkg")])
    assert code in (EXIT_OK, EXIT_NONCOMPLIANT)
    out = capsys.readouterr().out
    assert "note: --target-population 5000 not used: --method iz takes the council's Intermediate Zones" in out
    assert "target_population" not in out


def test_plan_of_a_council_missing_from_the_data_is_named(moray, tmp_path, monkeypatch, capsys):
    # A new user checked a plan made from real data without --data-dir: the message named
    # 'S12000020', a code they never typed, and suggested other councils' codes.
    monkeypatch.delenv("LOCALITIES_DATA_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))  # no downloaded data: the embedded sample
    assert main(["check", str(moray)]) == EXIT_INPUT
    err = capsys.readouterr().err
    assert f"{moray} is a plan for Moray (S12000020), which is not in the embedded sample (it holds only Highland)" \
        in err
    assert "--data-dir" in err and "closest" not in err


def test_propose_at_the_default_suggests_a_target(tmp_path, capsys):
    # The default is the fewest localities the ceiling allows (Highland's sample: ~30,000 each);
    # a new user was surprised, as the demo asks for 10,000. With a target there is no tip.
    assert main(["propose", "--council", "Highland", "--out", str(tmp_path / "a.gpkg")]) in (EXIT_OK, EXIT_NONCOMPLIANT)
    out = capsys.readouterr().out
    assert "note: without --target-population, the plan aims at the fewest localities the 30,000 ceiling allows" in out
    assert "--target-population 10000 asks for about that size" in out
    # It does not contradict a note that whole zones needed more than the fewest (Aberdeenshire: 13, not 9).
    assert "these are the fewest" not in out
    main(["propose", "--council", "Highland", "--target-population", "8000", "--out", str(tmp_path / "b.gpkg")])
    assert "without --target-population" not in capsys.readouterr().out
    # A notebook's user reads it in the plan's notes (only the command line said it).
    plan = loc.propose(loc.load_datazones())
    assert any(n.startswith("without target_population, the plan aims at the fewest localities") and
               "target_population=10000 asks for about that size" in n for n in plan.notes), plan.notes


def test_codebook_explains_the_decision_columns():
    # A new user found the Codebook's unit and meaning blank for the first 16 columns of the
    # ranking (tier, score, the two flags...), the ones a board reads first.
    import pandas as pd

    from localities import labels

    cols = ["rank", "locality", "name", "population", "zones", "tier", "tier_label", "poorer_than_rest",
            "poorer_than_scotland", "score", "reasons", "rank_note", "share_most_deprived_20",
            "share_most_deprived_5", "n_worse_rest", "n_worse_scotland"]
    book = labels.codebook(pd.DataFrame(columns=cols)).set_index("code")
    assert (book.loc[cols, "meaning"].str.len() > 10).all()
    assert "1 = poorer than the rest of the council and than Scotland" in book.loc["tier", "meaning"]
    # An indicator's derived columns say what they hold: every one had read "income-deprived
    # people / total population", the ratios and verdicts too (a new user on West Lothian).
    derived = ["income_rate", "income_rate_lower", "income_rate_ratio_rest", "income_rate_gap_scotland",
               "income_rate_vs_scotland", "crime_rate_rest"]
    book = labels.codebook(pd.DataFrame(columns=derived)).set_index("code")["meaning"]
    assert book["income_rate"] == "income-deprived people / total population"
    assert book["income_rate_lower"].startswith("lower limit of the locality's 95% interval")
    assert book["income_rate_ratio_rest"] == "the locality's value divided by the rest of the council's"
    assert book["income_rate_gap_scotland"] == "the locality's value minus Scotland's"
    assert book["income_rate_vs_scotland"].startswith("verdict against Scotland: worse or better")
    assert book["crime_rate_rest"].startswith("the rest of the council (the council without this locality)")


def test_propose_keeps_a_town_whole_and_divide_towns_leaves_it(real_dir, tmp_path, capsys):
    """Na h-Eileanan Siar at 10,000: Stornoway is kept in one locality, the note names the
    option that undoes it as the command line spells it, and --divide-towns undoes it."""
    data = ["--council", "Na h-Eileanan Siar", "--target-population", "10000", "--data-dir", str(real_dir)]
    assert main(["propose", *data, "--out", str(tmp_path / "kept.gpkg")]) == EXIT_OK
    out = capsys.readouterr()
    note = next(line for line in (out.out + out.err).splitlines() if "kept in one locality" in line)
    assert "(--divide-towns keeps the search's plan)" in note and "towns=False" not in note
    assert main(["propose", *data, "--divide-towns", "--out", str(tmp_path / "divided.gpkg")]) == EXIT_OK
    assert "kept in one locality" not in capsys.readouterr().out
    iz = {"S02001693", "S02001694"}  # Stornoway West, Stornoway East
    for name, parts in (("kept.gpkg", 1), ("divided.gpkg", 2)):
        assign = gpd.read_file(tmp_path / name, layer="assignment", engine="pyogrio")
        zones = loc.load_datazones(council="Na h-Eileanan Siar", data_dir=real_dir)
        held = assign.merge(zones[["datazone", "iz"]], on="datazone")
        assert held.loc[held["iz"].isin(iz), "locality"].nunique() == parts


def test_rank_xlsx_opens_on_a_summary_a_board_reads(real_dir, tmp_path):
    """The workbook opened on a 175-column Ranking sheet; it now opens on a Summary, one row per
    locality in rank order under plain headers, with the decision in words, and a locality
    named like a formula is stored as text."""
    import openpyxl

    dz = loc.load_datazones(council="Moray", data_dir=real_dir)
    plan = loc.propose(dz, target_population=10_000)
    csv = tmp_path / "plan.csv"
    frame = plan.assignment.rename("locality").rename_axis("datazone").reset_index()
    frame["name"] = frame["locality"].map(lambda r: '=HYPERLINK("http://x","Elgin")' if r == "R04" else f"Place {r}")
    frame.to_csv(csv, index=False)
    out = tmp_path / "moray.xlsx"
    assert main(["rank", str(csv), "--council", "Moray", "--out", str(out), "--data-dir", str(real_dir)]) == EXIT_OK
    book = openpyxl.load_workbook(out)
    assert book.sheetnames[:3] == ["Summary", "Notes", "Ranking"]
    sheet = book["Summary"]
    headers = [c.value for c in sheet[1]]
    assert headers[:5] == ["Rank", "Locality", "Code", "People", "Decision"]
    # People as the maps print them ("11709" beside "11,709").
    assert all(row[3].number_format == "#,##0" for row in sheet.iter_rows(min_row=2) if (row[3].value or 0) >= 1000)
    assert "Significantly poorer than the rest of Moray" in headers and "Significantly poorer than Scotland" in headers
    # What each name's "+ N more" stands for, last (a board could not look it up).
    assert "Income deprivation (%)" in headers and headers[-2:] == ["Why", "Places (Intermediate Zones, most people first)"]
    # The localities, then the whole council's and Scotland's figures to read them against (a
    # board table of "locality against Scotland" was rebuilt by hand from the reasons).
    assert sheet.max_row == len(plan.localities) + 3 and len(headers) <= 12
    ranks = [row[0].value for row in sheet.iter_rows(min_row=2)]
    assert ranks[:-2] == list(range(1, len(plan.localities) + 1)) and ranks[-2:] == [None, None]
    last = [[c.value for c in row] for row in sheet.iter_rows(min_row=sheet.max_row - 1)]
    income = headers.index("Income deprivation (%)")
    assert [r[1] for r in last] == ["Moray (the whole council)", "Scotland"] and last[1][3] is None
    assert last[0][3] == plan.localities["population"].sum() and last[1][income] == 12.1
    assert [r[4] for r in last] == ["For comparison"] * 2
    cells = [c for row in sheet.iter_rows(min_row=2) for c in row if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert cells and all(c.data_type == "s" for c in cells)
    # Readable as opened (Perth and Kinross's "Why" overflowed 8.43-character columns): columns
    # as wide as their contents up to 60 characters, long text wrapped, the header frozen.
    from openpyxl.utils import get_column_letter

    why = get_column_letter(len(headers))
    assert sheet.column_dimensions[why].width == 60 and sheet[f"{why}2"].alignment.wrap_text
    assert sheet.column_dimensions["B"].width >= max(len(str(r[1].value)) for r in sheet.iter_rows(min_row=2))
    assert sheet.freeze_panes == "A2"


def test_a_zone_of_another_council_is_named_as_such(moray, real_dir, tmp_path, capsys):
    # A new user put an Aberdeenshire zone into an Angus plan: "zone not in the zone table"
    # read as a typo; and comparing an Angus and an Aberdeenshire plan listed 340 zones.
    import pandas as pd

    table = loc.load_datazones(data_dir=real_dir)
    angus = table.loc[table["council_name"] == "Angus", "datazone"].tolist()
    other = table.loc[table["council_name"] == "Aberdeenshire", "datazone"].iloc[0]
    plan = tmp_path / "angus.csv"
    pd.DataFrame({"datazone": angus[:-1] + [other], "locality": ["A"] * len(angus)}).to_csv(plan, index=False)
    assert main(["check", str(plan), "--council", "Angus", "--data-dir", str(real_dir)]) == EXIT_INPUT
    err = capsys.readouterr().err
    assert f"zone {other} belongs to Aberdeenshire, not Angus" in err and err.count("\n") == 1
    orkney = tmp_path / "orkney.gpkg"
    assert main(["propose", "--council", "Orkney", "--out", str(orkney), "--data-dir", str(real_dir)]) == EXIT_OK
    capsys.readouterr()
    assert main(["compare", str(moray), str(orkney), "--data-dir", str(real_dir)]) == EXIT_INPUT
    err = capsys.readouterr().err
    assert "is a plan for Orkney Islands and" in err and "for Moray: compare two plans of one council" in err


def test_councils_are_listed_by_name(real_dir, capsys):
    # A new user looked for Angus in a list sorted by S12 code.
    assert main(["councils", "--data-dir", str(real_dir)]) == EXIT_OK
    lines = capsys.readouterr().out.splitlines()
    names = [line.rsplit(None, 2)[0].strip() for line in lines[1:]]
    assert len(names) == 32 and names == sorted(names, key=str.casefold) and names[0] == "Aberdeen City"
    assert lines[0].split() == ["council_name", "council", "zones"]
    assert "note:" not in "\n".join(lines)


def test_the_embedded_samples_one_council_is_said_to_be_the_sample(capsys, monkeypatch):
    # A new user saw only Highland listed, with nothing to say why the other 31 were missing.
    from localities import sources

    monkeypatch.delenv(sources.ENV_VAR, raising=False)
    monkeypatch.setattr(sources, "cache_dir", lambda: Path("/nonexistent-cache"))
    assert main(["councils"]) == EXIT_OK
    out = capsys.readouterr().out
    assert "Highland" in out and "note: the embedded sample holds only this council" in out


def test_the_html_hover_lists_whole_places():
    from localities.webmap import _places

    places = "; ".join(["Kilwinning West and Blacklands", "Kilwinning Central and North", "Irvine Castlepark North",
                        "Irvine Castlepark South", "Kilwinning Pennyburn", "Irvine Fullarton", "Stevenston Ardeer"])
    shown = _places(places, 160)
    assert shown.endswith("; Kilwinning Pennyburn; and 2 more") and len(shown) <= 160  # was "...; Stevens…"
    assert _places("A; B", 160) == "A; B"


@pytest.mark.realdata
def test_the_html_hover_lists_the_places_a_name_says(real_dir):
    # Falkirk at the default: the hover of "Falkirk - Camelon and 5 more" listed four places and
    # "and 3 more", Camelon's two IZs among those left out (a new user's trial).
    dz = loc.load_datazones("Falkirk", data_dir=real_dir)
    table = loc.rank(loc.propose(dz), dz)
    page = loc.explore(table, poorer=True).get_root().render().replace("\\u0026", "&")
    for places in table["places"]:
        assert all(html.escape(place) in page for place in places.split("; ")), places


def test_compare_tells_two_plans_of_one_file_name_apart(tmp_path):
    from localities.plancommands import _two_names

    assert _two_names(Path("a/x.gpkg"), Path("b/y.gpkg")) == ("x", "y")  # a board reads names, not suffixes
    assert _two_names(Path("plan.gpkg"), Path("plan.csv")) == ("plan.gpkg", "plan.csv")
    assert _two_names(Path("2024/plan.gpkg"), Path("2025/plan.gpkg")) == ("2024/plan.gpkg", "2025/plan.gpkg")
    assert _two_names(Path("plan.gpkg"), Path("plan.gpkg")) == ("plan A", "plan B")


def test_compare_workbook_keeps_numbers_and_map_refuses_poorer_with_column(moray, real_dir, tmp_path, capsys):
    # Perth and Kinross: the compare Summary sheet stored '186' and '0.298...' as text, and
    # `map --poorer --column crime_rate` drew the decision, ignoring --column.
    import openpyxl

    wards = tmp_path / "wards.gpkg"
    assert main(["propose", "--council", "Moray", "--method", "wards", "--out", str(wards),
                 "--data-dir", str(real_dir)]) == EXIT_OK
    book = tmp_path / "cmp.xlsx"
    assert main(["compare", str(moray), str(wards), "--table", str(book), "--data-dir", str(real_dir)]) == EXIT_OK
    sheet = openpyxl.load_workbook(book)["Summary"]
    values = {row[2].value: row[1].value for row in sheet.iter_rows(min_row=2)}  # by code
    assert isinstance(values["zones_moved"], int) and isinstance(values["adjusted_rand"], float)
    # For people: figures in words, yes/no and a percentage ("equal 'False'", "0.4298507462686567").
    words = {row[2].value: row[0].value for row in sheet.iter_rows(min_row=2)}
    assert [c.value for c in sheet[1]] == ["figure", "value", "code"]
    assert words["equal"] == "The same division of the council" and values["equal"] == "no"
    assert isinstance(values["share_people_moved"], float) and words["share_people_moved"].endswith("(%)")
    assert words["adjusted_rand"].startswith("Adjusted Rand index")
    capsys.readouterr()
    assert main(["map", str(moray), "--poorer", "--column", "crime_rate", "--out", str(tmp_path / "m.png"),
                 "--data-dir", str(real_dir)]) == EXIT_INPUT
    assert "--poorer maps the decision; --column maps an indicator" in capsys.readouterr().err
    # --significance was dropped for .html without a word; --title was dropped for --poorer.
    assert main(["map", str(moray), "--significance", "scotland", "--out", str(tmp_path / "m.html"),
                 "--data-dir", str(real_dir)]) == EXIT_INPUT
    assert "--significance is for .pdf, .svg and .png maps" in capsys.readouterr().err
    assert main(["map", str(moray), "--poorer", "--title", "Moray: board paper 7", "--out", str(tmp_path / "p.svg"),
                 "--data-dir", str(real_dir)]) == EXIT_OK
    assert "Moray: board paper 7" in (tmp_path / "p.svg").read_text(encoding="utf-8")


def test_profiles_of_flagged_localities_when_none_is_flagged(real_dir, tmp_path, capsys):
    # Na h-Eileanan Siar at the default is one locality, not flagged: `profile --flagged` exited
    # 2, the code for bad input, for what is an answer.
    plan = tmp_path / "siar.gpkg"
    assert main(["propose", "--council", "Na h-Eileanan Siar", "--out", str(plan), "--data-dir", str(real_dir)]) == EXIT_OK
    capsys.readouterr()
    assert main(["profile", str(plan), "--flagged", "--out", str(tmp_path / "p.pdf"), "--data-dir", str(real_dir)]) == EXIT_OK
    out = capsys.readouterr().out
    assert "the plan's one locality is not flagged as poorer: no profile written (leave out --flagged for its " \
           "profile)" in out
    assert not (tmp_path / "p.pdf").exists()


def test_a_plan_the_regulations_do_not_allow_is_said_to_be_on_its_map_profile_and_page(real_dir, council_zones,
                                                                                       tmp_path, capsys):
    """West Dunbartonshire with three localities joined into one of 35,292 people: check
    said DOES NOT COMPLY, but map and profile drew it for a board without a word."""
    import matplotlib.pyplot as plt

    dz = council_zones["West Dunbartonshire"]
    plan = loc.propose(dz, target_population=10_000)
    three = plan.localities.nlargest(3, "population")["locality"].tolist()  # over 30,000 together
    joined = plan.assignment.where(~plan.assignment.isin(three), "R01")
    csv = tmp_path / "joined.csv"
    pd.DataFrame({"datazone": joined.index, "locality": joined.to_numpy()}).to_csv(csv, index=False)
    data = ["--data-dir", str(real_dir)]
    said = "Not a plan under the 2016 Regulations: 1 locality neither a ward nor at most 30,000 people: R01 "
    for argv in (["map", str(csv), "--poorer", "--out", str(tmp_path / "m.pdf")],
                 ["profile", str(csv), "--out", str(tmp_path / "p.pdf")],
                 ["rank", str(csv), "--out", str(tmp_path / "r.xlsx")]):
        assert main([*argv, *data]) == EXIT_OK
        assert "warning: " + said[0].lower() + said[1:] in capsys.readouterr().err
    notes = pd.read_excel(tmp_path / "r.xlsx", sheet_name="Notes").set_index("topic")["note"]
    assert notes["Regulations"].startswith(said)
    table = loc.rank(loc.build.plan_from_assignment(dz, joined), dz)
    # On a page, counts only (the list, with codes a map does not show, ran over the legend).
    short = "Not a plan under the 2016 Regulations: 1 locality neither a ward nor at most 30,000 people."
    fig = loc.plot_poorer(table)
    assert [t.get_text() for t in fig.texts if t.get_gid() == "regulations"] == [short]
    page = loc.profile(table, locality="R01")
    assert [t.get_text() for t in page.texts if t.get_gid() == "regulations"][0].replace("\n", " ") == short
    assert html.escape(short) in loc.explore(table).get_root().render()
    # Without polygons (a zone table as a plain DataFrame) rank still says so, and does not fail.
    bare = loc.rank(loc.build.plan_from_assignment(dz, joined), pd.DataFrame(dz.drop(columns="geometry")))
    assert bare.attrs["regulation_problems"][0].startswith(said[len("Not a plan under the 2016 Regulations: "):])
    edinburgh = council_zones["City of Edinburgh"]  # wards over 30,000: lawful as wards
    wards = loc.rank(loc.propose(edinburgh, method="wards"), pd.DataFrame(edinburgh.drop(columns="geometry")))
    assert wards.attrs["regulation_problems"] == []
    fine = loc.rank(plan, dz)
    assert fine.attrs["regulation_problems"] == []
    assert not [t for t in loc.plot_poorer(fine).texts if t.get_gid() == "regulations"]
    plt.close("all")


def test_map_and_profile_take_rank_s_decision_options(real_dir, tmp_path, capsys):
    # A ranking made with --method bh --min-ratio 1.5 beside a map drawn by the defaults
    # disagreed with it (Inverclyde: 3 localities in tier 1 against 7).
    plan = tmp_path / "inv.gpkg"
    data = ["--data-dir", str(real_dir)]
    assert main(["propose", "--council", "Inverclyde", "--target-population", "5000", "--out", str(plan), *data]) == 0
    for argv in (["map", str(plan), "--poorer", "--out", str(tmp_path / "m.svg")],
                 ["profile", str(plan), "--flagged", "--out", str(tmp_path / "p.pdf")]):
        assert main([*argv, "--method", "bh", "--min-ratio", "1.5", *data]) == EXIT_OK
    assert "×1.5" in (tmp_path / "m.svg").read_text()
    # The workbook names the settings it was ranked with, not only the defaults.
    assert main(["rank", str(plan), "--method", "bh", "--min-ratio", "1.5", "--out", str(tmp_path / "r.xlsx"),
                 *data]) == EXIT_OK
    notes = pd.read_excel(tmp_path / "r.xlsx", sheet_name="Notes").set_index("topic")["note"]
    assert "Benjamini-Hochberg" in notes["This ranking"] and "×1.5" in notes["This ranking"]


def test_locality_polygons_are_read_against_the_council_they_cover(real_dir, tmp_path, capsys):
    # Falkirk's own ranking written as GeoJSON, checked without --council: "6746 zones overlap
    # no locality polygon" and "16 zones from another council": DOES NOT COMPLY, exit 1.
    plan, polygons = tmp_path / "fk.gpkg", tmp_path / "fk.geojson"
    data = ["--data-dir", str(real_dir)]
    assert main(["propose", "--council", "Falkirk", "--target-population", "10000", "--out", str(plan), *data]) == 0
    assert main(["rank", str(plan), "--out", str(polygons), *data]) == EXIT_OK
    capsys.readouterr()
    assert main(["check", str(polygons), *data]) == EXIT_OK
    out = capsys.readouterr().out
    assert out.startswith("COMPLIES with the 2016 Regulations (16 localities)") and "another council" not in out
    # With another council named, the mistake is named (it was "DOES NOT COMPLY (1 locality)").
    assert main(["check", str(polygons), "--council", "North Ayrshire", *data]) == EXIT_INPUT
    assert f"{polygons}: its polygons lie in Falkirk, not North Ayrshire" in capsys.readouterr().err


def test_locality_polygons_of_two_councils_are_not_checked_as_one(real_dir, tmp_path, capsys):
    # Midlothian's and East Lothian's ward polygons in one file were checked as East Lothian's,
    # COMPLIES, Midlothian's six said to "win no zone (each zone they touch overlaps another
    # polygon more, or none)"; with --council Midlothian, "its polygons cover East Lothian".
    data = ["--data-dir", str(real_dir)]
    parts = []
    for council in ("Midlothian", "East Lothian"):
        path = tmp_path / f"{council}.gpkg"
        assert main(["propose", "--council", council, "--method", "wards", "--out", str(path), *data]) == 0
        parts.append(gpd.read_file(path, layer="localities")[["name", "geometry"]])
    both = tmp_path / "lothians.gpkg"
    gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=parts[0].crs).to_file(both)
    capsys.readouterr()
    assert main(["check", str(both), *data]) == EXIT_INPUT
    err = capsys.readouterr().err
    assert "its locality polygons lie in 2 councils, East Lothian (6 polygons, " in err and "Midlothian (6 polygons" in err
    assert 'give --council "East Lothian" or Midlothian' in err and len(err.strip().splitlines()) == 1
    assert main(["check", str(both), "--council", "Midlothian", *data]) == EXIT_OK
    out = capsys.readouterr().out
    assert "6 locality polygons lie outside Midlothian (most of their area beyond its zones)" in out
    assert "COMPLIES with the 2016 Regulations (6 localities)" in out


def test_one_polygon_over_many_councils_is_refused_not_checked_as_the_largest(real_dir, council_zones, tmp_path,
                                                                                capsys):
    """One box around Falkirk widened by 20 km was checked as a plan for Glasgow City ("ALL",
    518,324 people, does not comply), with nothing said of the 1.7 million people of 13 other
    councils inside it (a hostile-input trial)."""
    import shapely

    x0, y0, x1, y1 = council_zones["Falkirk"].total_bounds
    box = tmp_path / "box.gpkg"
    gpd.GeoDataFrame({"name": ["All"]}, geometry=[shapely.box(x0 - 20_000, y0 - 20_000, x1 + 20_000, y1 + 20_000)],
                     crs="EPSG:27700").to_file(box)
    for extra in ([], ["--council", "Glasgow City"]):
        assert main(["check", str(box), "--data-dir", str(real_dir), *extra]) == EXIT_INPUT
        out, err = capsys.readouterr()
        assert out == "" and len(err.strip().splitlines()) == 1, err
        assert f"{box}: locality polygon 'All' holds the zones of 14 councils, Glasgow City (" in err
        assert "and 10 other councils: a locality lies in one council" in err


def test_a_geopackage_of_several_layers_is_read_with_layer(real_dir, tmp_path, capsys):
    # Locality polygons saved beside the council's outline: "say which with layer= (Python)",
    # and the command line had no way to.
    import geopandas as gpd

    dz = loc.load_datazones(council="Clackmannanshire", data_dir=real_dir)
    localities = loc.propose(dz, target_population=10_000).localities[["locality", "name", "geometry"]]
    path = tmp_path / "two.gpkg"
    gpd.GeoDataFrame({"name": ["Clackmannanshire"]}, geometry=[localities.union_all()], crs=localities.crs).to_file(
        path, layer="council_boundary")
    localities.to_file(path, layer="localities")
    data = ["--data-dir", str(real_dir)]
    assert main(["check", str(path), *data]) == EXIT_INPUT
    assert "holds 2 map layers (council_boundary, localities); say which with --layer NAME, or save" in \
        capsys.readouterr().err
    assert main(["check", str(path), "--layer", "localities", *data]) == EXIT_OK
    assert capsys.readouterr().out.startswith("COMPLIES with the 2016 Regulations (5 localities)")


def test_compare_reads_each_plans_layer(real_dir, tmp_path, capsys):
    # compare had no --layer: two plans saved as layers of one GeoPackage could not be
    # compared, and the message said "layer=NAME", an option compare did not have.
    dz = loc.load_datazones(council="Clackmannanshire", data_dir=real_dir)
    path = tmp_path / "plans.gpkg"
    loc.propose(dz, target_population=10_000).localities[["locality", "geometry"]].to_file(path, layer="regions")
    loc.propose(dz, method="wards").localities[["locality", "geometry"]].to_file(path, layer="wards")
    data = ["--data-dir", str(real_dir), "--no-rank"]
    assert main(["compare", str(path), str(path), *data]) == EXIT_INPUT
    assert "say which with --layer-a NAME" in capsys.readouterr().err
    assert main(["compare", str(path), str(path), "--layer-a", "regions", *data]) == EXIT_INPUT
    assert "say which with --layer-b NAME" in capsys.readouterr().err
    assert main(["compare", str(path), str(path), "--layer-a", "regions", "--layer-b", "wards", *data]) == EXIT_OK
    assert "localities: 5 in A, 5 in B" in capsys.readouterr().out


def test_compare_says_a_plan_that_does_not_comply(real_dir, tmp_path, capsys):
    # North Lanarkshire's wards against the wards joined in pairs: "192 of 447 zones moved"
    # first, and nothing of pairs over 30,000 (a plan no board can adopt).
    dz = loc.load_datazones(council="North Lanarkshire", data_dir=real_dir)
    wards = sorted(dz["ward_name"].unique())
    pair = {w: " & ".join(wards[i - i % 2:i - i % 2 + 2]) for i, w in enumerate(wards)}
    a, b = tmp_path / "wards.csv", tmp_path / "pairs.csv"
    pd.DataFrame({"datazone": dz["datazone"], "locality": dz["ward_name"]}).to_csv(a, index=False)
    pd.DataFrame({"datazone": dz["datazone"], "locality": dz["ward_name"].map(pair)}).to_csv(b, index=False)
    assert main(["compare", str(a), str(b), "--no-rank", "--data-dir", str(real_dir)]) == EXIT_OK
    out = capsys.readouterr().out
    assert out.splitlines()[2].startswith("A divides B: each of A's 21 localities lies within one of B's 11")
    assert "\nnote: plan B DOES NOT COMPLY with the 2016 Regulations (11 localities): " in out
    assert "note: plan A" not in out


def test_compare_says_what_reading_each_plan_found(real_dir, tmp_path, capsys):
    # Ids differing only in capitals were noted by check, rank and map, and not by compare.
    data = ["--data-dir", str(real_dir)]
    b = tmp_path / "p.csv"
    assert main(["propose", "--council", "Clackmannanshire", "--target-population", "10000", "--out", str(b), *data]) == 0
    plan = pd.read_csv(b)
    plan.loc[:2, "locality"] = plan.loc[:2, "locality"].str.lower()
    a = tmp_path / "q.csv"
    plan.to_csv(a, index=False)
    capsys.readouterr()
    assert main(["compare", str(a), str(b), "--no-rank", *data]) == EXIT_OK
    out = capsys.readouterr().out
    assert "note: plan A: 2 localities differ only in capitals or spaces" in out and "note: plan B" not in out


def test_an_empty_sheet_is_explained_in_the_notes(real_dir, tmp_path):
    # Inverclyde at 5,000: the "Masked pockets" sheet was a row of headers, with no word
    # that none was found.
    plan = tmp_path / "inv.gpkg"
    data = ["--data-dir", str(real_dir)]
    assert main(["propose", "--council", "Inverclyde", "--target-population", "5000", "--out", str(plan), *data]) == 0
    for labels in ([], ["--labels"]):
        out = tmp_path / f"r{len(labels)}.xlsx"
        assert main(["rank", str(plan), "--out", str(out), *labels, *data]) == EXIT_OK
        sheets = pd.read_excel(out, sheet_name=None)
        assert sheets["Masked pockets"].empty
        notes = sheets["Notes"].set_index("topic")["note"]
        # "None: ..." read as Python's None.
        assert notes["Masked pockets"].startswith("Empty: no zone in Scotland's 20% most deprived")
        assert notes["This ranking"].startswith("Significance: a two-sample 95% interval")  # with --labels too
        # The plan's own notes travel with the ranking: its count against the target, ...
        plan_notes = sheets["Notes"].loc[sheets["Notes"]["topic"] == "The plan", "note"].tolist()
        assert plan_notes and plan_notes == [f"{n[:1].upper()}{n[1:]}." for n in loc.read_plan(plan).notes]


def test_deprived_zones_in_unflagged_localities_are_pointed_out(real_dir, council_zones, tmp_path, capsys):
    # Falkirk at 10,000: no part of Bo'ness was ever flagged, and a board read "not flagged"
    # as "not deprived"; 11 of Scotland's 20% most deprived zones lie in unflagged localities.
    import matplotlib.pyplot as plt

    dz = council_zones["Falkirk"]
    plan = loc.propose(dz, target_population=10_000)
    table = loc.rank(plan, dz)
    pockets = loc.masked_pockets(plan, dz, table)
    assert len(pockets) >= 5
    fig = loc.plot_poorer(table)
    notes = " ".join(" ".join(t.get_text().split()) for t in fig.texts if t.get_gid() == "notes")
    assert (f"Not flagged is not the same as not deprived: {len(pockets)} of Scotland's 20% most deprived zones "
            f"(SIMD 2020v2; {int(pockets['population'].sum()):,} people) are in {pockets['locality'].nunique()} "
            "localities not flagged as poorer than Scotland.") in notes
    plt.close(fig)
    saved = tmp_path / "fk.gpkg"
    plan.to_file(saved)
    assert main(["rank", str(saved), "--data-dir", str(real_dir)]) == EXIT_OK
    assert f"`localities pockets {saved}` lists them" in capsys.readouterr().out


def test_a_plan_can_be_written_as_a_csv_to_edit_by_hand(real_dir, tmp_path):
    # "propose --out x.csv" was refused ("a plan is saved as a GeoPackage"), and a new user
    # dug the assignment out of the GeoPackage to edit it by hand.
    data = ["--data-dir", str(real_dir)]
    csv = tmp_path / "orkney.csv"
    assert main(["propose", "--council", "Orkney", "--target-population", "5000", "--out", str(csv), *data]) == 0
    table = pd.read_csv(csv)
    assert list(table.columns) == ["datazone", "locality", "name"] and len(table) == 29
    assert main(["check", str(csv), *data]) == EXIT_OK  # read back as a plan


def test_a_missing_output_folder_is_made_and_said(moray, real_dir, tmp_path, capsys):
    # Two new users' mistyped paths (/nonexistent/dir/x.pdf) were made into folders without a word.
    out = tmp_path / "no" / "such" / "r.csv"
    assert main(["rank", str(moray), "--out", str(out), "--data-dir", str(real_dir)]) == EXIT_OK
    err = capsys.readouterr().err
    assert out.exists() and f"note: folder {out.parent} does not exist: it will be made for --out {out}" in err
    assert main(["rank", str(moray), "--out", str(out), "--data-dir", str(real_dir)]) == EXIT_OK
    assert "does not exist" not in capsys.readouterr().err  # once made, nothing to say


def test_a_partial_council_name_is_said_to_be_taken_as_one(real_dir, tmp_path, capsys):
    # A new user's "--council Stir" was taken as Stirling without a word, while "Dun" was refused.
    assert main(["propose", "--council", "Stir", "--data-dir", str(real_dir), "--out", str(tmp_path / "p.gpkg")]) == EXIT_OK
    assert "note: --council 'Stir' is taken as Stirling" in capsys.readouterr().out
    for typed in ("Stirling", "stirling", "S12000030"):
        assert main(["propose", "--council", typed, "--data-dir", str(real_dir), "--out", str(tmp_path / "q.gpkg")]) == EXIT_OK
        assert "is taken as" not in capsys.readouterr().out
    from localities.council_names import loosely

    assert not loosely("Western Isles", "Na h-Eileanan Siar") and not loosely("Edinburgh", "City of Edinburgh")
    assert loosely("Stirlin", "Stirling")


def test_a_damaged_council_boundaries_file_is_said_not_dropped_silently(real_dir, tmp_path, capsys):
    """Cut to half its size, the council boundaries file took the map's locator map of
    Scotland away with exit 0 and no word (a hostile-input trial). The map is still drawn, and
    a one-line warning names the file."""
    data = tmp_path / "data"
    data.mkdir()
    for entry in real_dir.iterdir():
        if entry.name != "boundaries":
            (data / entry.name).symlink_to(entry)
    (data / "boundaries").mkdir()
    for entry in (real_dir / "boundaries").iterdir():
        if entry.name.startswith("council_areas"):
            raw = entry.read_bytes()
            (data / "boundaries" / entry.name).write_bytes(raw[: len(raw) // 2])
        else:
            (data / "boundaries" / entry.name).symlink_to(entry)
    plan = tmp_path / "plan.gpkg"
    assert main(["propose", "--council", "Clackmannanshire", "--method", "wards", "-o", str(plan),
                 "--data-dir", str(data)]) == EXIT_OK
    capsys.readouterr()
    assert main(["map", str(plan), "--poorer", "-o", str(tmp_path / "map.png"), "--data-dir", str(data)]) == EXIT_OK
    err = capsys.readouterr().err
    assert err.startswith("warning: ") and "council_areas" in err and "without its locator map" in err, err
    assert len(err.strip().splitlines()) == 1 and "UserWarning" not in err


def test_the_workbooks_notes_name_the_options_as_typed(tmp_path, capsys):
    # The console said "--target-population 10000 asks for ..." and the workbook's Notes,
    # from the same command, "target_population=10000" (a new user's trial).
    import openpyxl

    plan, book = tmp_path / "plan.gpkg", tmp_path / "ranking.xlsx"
    assert main(["propose", "--council", "Highland", "-o", str(plan)]) == EXIT_OK
    assert main(["rank", str(plan), "-o", str(book)]) == EXIT_OK
    notes = [row[1] for row in openpyxl.load_workbook(book)["Notes"].iter_rows(min_row=2, values_only=True)]
    said = [n for n in notes if "target" in n and "population" in n]
    assert said and all("target_population" not in n for n in said) and any("--target-population" in n for n in said)
