"""What each ``localities`` command does: read the plan and its council's zones, call
the library, print the result and write the files asked for; each ``cmd_*`` returns
the exit code (0 done or the plan complies, 1 ``check`` found it does not). The
argument parser, error translation, signal handling and the other exit codes are in
:mod:`localities.cli`. Libraries are imported inside the commands, so that
``localities --help`` stays light.
"""

from __future__ import annotations

import os
import re
import sys
import time
from pathlib import Path

from .errors import LocalitiesError, counted
from .plancouncil import _zones_for_plan

EXIT_OK, EXIT_NONCOMPLIANT = 0, 1


def _progress(iterable=None, **kwargs):
    from tqdm import tqdm

    return tqdm(iterable, disable=not sys.stderr.isatty() and not os.environ.get("LOCALITIES_PROGRESS"),
                file=sys.stderr, **kwargs)


def _typed(note: str, args=None) -> str:
    """``note`` with the library's argument names as the options typed (``--target-population``)."""
    options = getattr(args, "option_names", None)
    if not options:
        return note
    from .cli import _in_options

    return _in_options(note, options)


def _print_notes(plan, args=None) -> None:
    """What the builder, reader or ranking wants the analyst to know (split zones, links,
    a headline indicator that cannot flag, ...), with the library's argument names as the
    options typed (``--target-population``). ``plan``: a plan, or a list of notes."""
    for note in (plan.notes if hasattr(plan, "notes") else plan):
        print(f"note: {_typed(note, args)}")


def _read(args, built: bool = False):
    """The plan and its council's zones. Prints what reading the plan found (zones split
    between polygons, ...); the notes saved with the plan when it was built (the count, IZs
    kept whole, the search) only with ``built`` (``check``): ``propose`` printed them once,
    and a map or a profile does not need them again."""
    from .plans import read_plan

    path = Path(args.plan)
    layer = getattr(args, "layer", None)
    dz = _zones_for_plan(path, args.council, args.data_dir, layer, args.population)
    said_council(args.council, dz)
    plan = read_plan(path, dz, layer=layer)
    _print_notes(_read_notes(plan, path, built), args)
    return plan, dz


def _read_notes(plan, path: Path, built: bool = False) -> list[str]:
    """What reading ``plan`` from ``path`` found; the notes saved with it when it was built
    only with ``built`` (see :func:`_read`)."""
    from .plans import saved_params_notes, saved_plan_info

    saved = set() if built or path.suffix.lower() != ".gpkg" else set(saved_params_notes(saved_plan_info(path))[1])
    return [note for note in plan.notes if note not in saved]


def said_council(typed, dz) -> None:
    """Say which council a partial ``--council`` was taken as ("Stir": Stirling): it was
    taken silently, while "Dun" was refused."""
    from .council_names import loosely

    if typed and "council_name" in dz and dz["council_name"].nunique() == 1:
        name = str(dz["council_name"].iloc[0])
        if loosely(str(typed), name):
            print(f"note: --council {typed!r} is taken as {name}")


def cmd_councils(args) -> int:
    from .load import councils
    from .sources import ENV_VAR, data_dir, is_sample

    print(councils(args.data_dir).to_string(index=False))
    if is_sample(data_dir(args.data_dir)):
        # One council listed, and nothing had said why the other 31 were missing.
        print(f"note: the embedded sample holds only this council; --data-dir, ${ENV_VAR} or "
              "`localities download` give all 32")
    return EXIT_OK


def cmd_download(args) -> int:
    from .sources import catalogue, download

    if args.list:
        for key, s in catalogue().items():
            print(f"{key:22} {'direct' if s.url else 'manual'}  {s.title}")
        return EXIT_OK
    written = download(args.sources or None, dest=args.dest, mirror=args.mirror, verify=not args.no_verify,
                       progress=_progress)
    for key, path in written.items():
        print(f"{key}: {path}")
    return EXIT_OK


_FILE_SUFFIXES = (".pdf", ".png", ".svg", ".html", ".csv", ".xlsx", ".gpkg")


def output_folder(path, writer: str) -> Path:
    """``--out`` for a command that writes several files (``writer``: what it writes, in
    words), refused when it is a file or reads as a file's name: ``ensemble --out ens.pdf``
    made a folder called ens.pdf, ``propose --council all --out plan.csv`` said "File
    exists". Not made here."""
    out = Path(path)
    if out.exists() and not out.is_dir() or not out.exists() and out.suffix.lower() in _FILE_SUFFIXES:
        raise LocalitiesError(f"{out}: {writer} into a folder: give a folder name (e.g. --out {out.stem or 'out'})")
    return out


def cmd_propose(args) -> int:
    from .build import propose
    from .load import load_datazones
    from .regulation import check

    if args.council.lower() == "all":
        out = output_folder(args.out, "--council all writes one plan a council")
        out.mkdir(parents=True, exist_ok=True)
        dz_all = load_datazones(data_dir=args.data_dir, population=args.population)
        for name in _progress(sorted(dz_all["council_name"].unique()), desc="councils", unit="council"):
            dz = dz_all[dz_all["council_name"] == name].reset_index(drop=True)
            dz.attrs = dz_all.attrs
            plan = propose(dz, **_propose_kwargs(args))
            slug = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
            plan.to_file(out / f"{slug}.gpkg")
            report = check(plan, dz)
            print(f"{name}: {len(plan)} localities, {'complies' if report.ok else 'DOES NOT COMPLY'}")
        return EXIT_OK
    dz = load_datazones(args.council, data_dir=args.data_dir, population=args.population)
    said_council(args.council, dz)
    started = time.perf_counter()
    plan = propose(dz, **_propose_kwargs(args))
    report = check(plan, dz)
    plan.to_file(args.out)
    print(f"{plan!r} in {time.perf_counter() - started:.2f} s -> {args.out}")
    _print_notes(plan, args)
    print(report)
    return EXIT_OK if report.ok else EXIT_NONCOMPLIANT


def _propose_kwargs(args) -> dict:
    return {"non_statutory": args.non_statutory,
            "method": args.method, "max_population": args.max_population, "target_population": args.target_population,
            "within": args.within, "attribute": args.attribute, "seed": args.seed, "unit": args.unit,
            "town_country": args.town_country, "search": args.search, "towns": getattr(args, "towns", True)}


def cmd_check(args) -> int:
    from .regulation import check

    plan, dz = _read(args, built=True)
    report = check(plan, dz, max_population=args.max_population, non_statutory=args.non_statutory)
    print(report)
    return EXIT_OK if report.ok else EXIT_NONCOMPLIANT


def cmd_rank(args) -> int:
    from . import export
    from .inequality import inequality, masked_pockets

    if args.labels and args.out and Path(args.out).suffix.lower() not in (".csv", ".xlsx"):
        raise LocalitiesError(f"{args.out}: --labels is for .csv and .xlsx files (tables for people)")
    plan, dz = _read(args)
    table = _ranked(plan, dz, args)
    _print_notes(table.attrs.get("notes", []), args)
    shown = ["rank", "locality", "name", "population", "tier", "poorer_than_rest", "poorer_than_scotland", "score"]
    print(table[shown].to_string(index=False, formatters={"score": "{:.2f}".format}))
    from .spine import METHOD_WORDS, _materiality

    # In words, as the profile's note: "difference method" was a name from the code.
    method = METHOD_WORDS.get(table.attrs["method"], table.attrs["method"])
    print(f"\nWhy (worse = significant by {method}, and material: {_materiality(table)}):")
    for number, name, why in zip(table["rank"], table["name"], table["reasons"]):  # not itertuples: 190 columns
        print(f"{number:>4}. {name}: {why or 'no headline indicator has data'}")
    masked = table.attrs.get("masked_pockets") or {}  # counted by rank, as the map says them
    if masked.get("zones"):
        # A locality's average can hide its most deprived streets (Bo'ness was never flagged):
        # say where they are before a board reads "not flagged" as "not deprived".
        n = masked["zones"]
        print(f"\nnote: {counted(n, 'zone', 'zones')} in Scotland's 20% most deprived (SIMD 2020v2), "
              f"{masked['people']:,} people, {'lies' if n == 1 else 'lie'} in "
              f"{counted(masked['localities'], 'locality', 'localities')} not flagged as poorer than Scotland: "
              f"`localities pockets {args.plan}` lists {'it' if n == 1 else 'them'}")
    if args.out:
        out = Path(args.out)
        suffix = out.suffix.lower()
        if suffix == ".csv":
            _write_table(table, out, args.labels, args)
        elif suffix == ".xlsx":
            _write_table({"Summary": export.ranking_summary(table), "Ranking": table,
                          "Inequality": inequality(plan, dz),
                          "Masked pockets": masked_pockets(plan, dz, table),
                          "Assignment": plan.assignment.reset_index()}, out, args.labels, args)
        elif suffix == ".gpkg":
            plan.to_file(out, ranking=table)
        else:
            export.to_geojson(table, out)
        print(f"wrote {out}")
    return EXIT_OK


def _ranked(plan, dz, args):
    """The plan ranked by the decision options given; a plan the 2016 Regulations would not
    allow is said to be one on standard error (its maps and profiles say so too)."""
    from .mapstyle import regulation_summary
    from .rank import rank

    table = rank(plan, dz, **_decision_kwargs(args))
    unlawful = regulation_summary(table, full=True)
    if unlawful:
        print(f"warning: {unlawful[0].lower()}{unlawful[1:-1]} (localities check says more)", file=sys.stderr)
    return table


def _decision_kwargs(args) -> dict:
    """The decision options of ``rank`` as keyword arguments of :func:`localities.rank`."""
    headline = [h.strip() for h in args.headline.split(",") if h.strip()]
    return {"method": args.method, "min_ratio": args.min_ratio, "headline": headline}


def _write_table(tables, out: Path, labels: bool = False, args=None) -> None:
    """Write one table (CSV) or several sheets (XLSX); with ``labels``, for people: human
    headers and percentages, the codes kept in a second header row (CSV) or a
    ``Codebook`` sheet (XLSX). With ``args``, the workbook's notes name the options as typed,
    as the console's do (its Notes said "target_population=10000" where the console said
    "--target-population 10000")."""
    from . import export

    sheets = tables if isinstance(tables, dict) else {"Table": tables}
    # From the tables as made (relabelled ones keep no attrs), with the options as typed.
    notes = [(topic, _typed(note, args)) for topic, note in export.sheet_notes(sheets)]
    if labels:
        from .labels import codebook, for_people

        book = codebook(*(frame for name, frame in sheets.items() if name != "Summary"))
        sheets = {name: frame if name == "Summary" else for_people(frame) for name, frame in sheets.items()}
    if out.suffix.lower() == ".csv":
        frame = next(iter(sheets.values()))
        export.to_csv(_with_code_row(frame, book) if labels else frame, out)
    else:
        if labels:
            sheets["Codebook"] = book
        export.to_xlsx(sheets, out, notes=notes)


def _with_code_row(frame, book):
    """Human headers, then a first row holding each column's code (for scripts)."""
    import pandas as pd

    codes = dict(zip(book["column"], book["code"]))
    row = pd.DataFrame([[codes.get(c, c) for c in frame.columns]], columns=frame.columns)
    return pd.concat([row, frame.astype(object)], ignore_index=True)


def cmd_pockets(args) -> int:
    from .inequality import masked_pockets

    plan, dz = _read(args)
    table = masked_pockets(plan, dz, band=args.band)
    if len(table):
        print(f"{counted(len(table), 'zone', 'zones')} in Scotland's most deprived {args.band}% inside localities not "
              "flagged as poorer than Scotland:")
        print(table.to_string(index=False))
    else:  # what the empty table means, as the workbook's Notes say it (Orkney has no such zone at all)
        print(table.attrs["empty_means"])
    if args.out:
        _write_table(table, Path(args.out), args.labels, args)
        print(f"wrote {args.out}")
    return EXIT_OK


def cmd_inequality(args) -> int:
    from .inequality import inequality

    plan, dz = _read(args)
    table = inequality(plan, dz, by=args.by)
    print(table.to_string(index=False, float_format=lambda v: f"{v:.3g}"))
    print(f"sii, rii: positive = worse in more deprived areas, negative = better in them, for every indicator "
          f"(higher worse or higher better); sii is the gap between the most and least deprived ends in the "
          f"indicator's unit (proportions as 0-1), rii = sii / council. level zones: Data Zones ranked by SIMD "
          f"2020v2; level localities: localities ranked by {args.by}.")
    for note in table.attrs.get("notes", []):
        print(f"note: {note}")
    if args.out:
        _write_table(table, Path(args.out), args.labels, args)
        print(f"wrote {args.out}")
    return EXIT_OK


def cmd_map(args) -> int:
    import matplotlib

    matplotlib.use("Agg")
    from . import maps

    out = Path(args.out)
    if args.poorer and (args.column or args.significance):
        raise LocalitiesError(f"--poorer maps the decision; {'--column' if args.column else '--significance'} "
                              "maps an indicator: give one or the other")
    if args.significance and out.suffix.lower() == ".html":
        # It was dropped without a word: the page showed the indicator's values.
        raise LocalitiesError("--significance is for .pdf, .svg and .png maps; the .html map's tooltips give each "
                              "locality's verdicts against the rest of the council and Scotland")
    column = args.column or "income_rate"
    plan, dz = _read(args)
    table = _ranked(plan, dz, args)
    if out.suffix.lower() == ".html":
        maps.save_html(maps.explore(table, column=None if args.poorer else column, title=args.title,
                                    poorer=args.poorer), out)
        # Offline the page showed its legend and no map, and nothing here had said why.
        print(f"note: {out} loads its map (Leaflet and the background tiles) from the internet when opened; "
              "the .pdf, .svg and .png maps need no connection")
    else:
        fig = (maps.plot_poorer(table, title=args.title) if args.poorer else
               maps.plot_map(table, column=column, significance=args.significance, title=args.title))
        maps.save_figure(fig, out, dpi=args.dpi)
        pdf = out.suffix.lower() == ".pdf"
        details = fig.attrs.get("detail_pages") or []
        for n, (letter, _) in enumerate(details, start=2):
            # A board prints the pages as they are: say what else there is to print.
            print(f"note: area {letter} of the map is drawn larger, with names, on "
                  f"{f'page {n}' if pdf else maps.detail_page_path(out, letter).name}")
            if not pdf:
                print(f"wrote {maps.detail_page_path(out, letter)}")
        extra = fig.attrs.get("key_page")
        if extra is not None:
            where = f"page {2 + len(details)}" if pdf else maps.key_page_path(out).name
            if maps.key_size(fig) is None:
                print(f"note: the map has no room for the key to its {counted(len(table), 'locality', 'localities')}; "
                      f"{where} holds it in {maps.key_size(extra):g} pt")
            else:
                print(f"note: the map's key lists {counted(len(table), 'locality', 'localities')} in "
                      f"{maps.key_size(fig):g} pt type, small for print; {where} repeats it in "
                      f"{maps.key_size(extra):g} pt")
            if out.suffix.lower() != ".pdf":
                print(f"wrote {maps.key_page_path(out)}")
    print(f"wrote {out}")
    return EXIT_OK


def cmd_demo(args) -> int:
    """The main job on the embedded sample (or a data directory): propose, check, rank, map."""
    import matplotlib

    matplotlib.use("Agg")
    from . import export, maps
    from .build import propose
    from .load import load_datazones
    from .profile import save_profiles
    from .inequality import inequality, masked_pockets
    from .rank import rank
    from .regulation import check

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    steps = _progress(total=6, desc="demo", unit="step")
    dz = load_datazones(args.council, data_dir=args.data_dir, population=args.population)
    said_council(args.council, dz)
    where = "embedded sample" if dz.attrs["sample"] else dz.attrs["data_dir"]
    council = dz["council_name"].iloc[0]
    if dz["council"].nunique() > 1:
        raise LocalitiesError(f"demo works on one council, and {where} holds {dz['council'].nunique()}: pass --council")
    print(f"Loaded {len(dz)} Data Zones of {council} ({int(dz['population'].sum()):,} people) from {where}")
    steps.update()
    plan = propose(dz, target_population=args.target_population, seed=0)
    steps.update()
    report = check(plan, dz)
    steps.update()
    table = rank(plan, dz)
    steps.update()
    plan.to_file(out / "localities.gpkg", ranking=table)
    export.to_csv(table, out / "ranking.csv")
    # The workbook is for people (headers in words, percentages, a Codebook sheet); the CSV keeps codes for scripts.
    _write_table({"Summary": export.ranking_summary(table), "Ranking": table, "Check": report.table,
                  "Inequality": inequality(plan, dz),
                  "Masked pockets": masked_pockets(plan, dz, table)}, out / "ranking.xlsx", labels=True, args=args)
    steps.update()
    income = maps.plot_map(table, column="income_rate")
    maps.save_figure(income, out / "map_income.pdf")
    pages = 1 + len(income.attrs["detail_pages"]) + ("key_page" in income.attrs)  # areas drawn larger, the key
    poorer = maps.plot_poorer(table)
    maps.save_figure(poorer, out / "map_poorer.png")
    maps.save_html(maps.explore(table, column="income_rate"), out / "map.html")
    save_profiles(table, out / "profiles.pdf")
    steps.update()
    steps.close()
    print(f"\n{plan!r}")
    print(report)
    shown = ["rank", "name", "population", "income_rate", "tier", "poorer_than_rest", "poorer_than_scotland"]
    print("\nMost disadvantaged first:")
    print(table[shown].head(10).to_string(index=False, formatters={"income_rate": "{:.1%}".format}))
    key = "".join(f", {maps.detail_page_path('map_poorer.png', letter)}" for letter, _ in poorer.attrs["detail_pages"])
    key += f", {maps.key_page_path('map_poorer.png')}" if poorer.attrs.get("key_page") is not None else ""
    income_pages = f" ({pages} pages)" if pages > 1 else ""
    print(f"\nWrote {out}/localities.gpkg, ranking.csv, ranking.xlsx, map_income.pdf{income_pages}, map_poorer.png{key}, "
          "map.html, profiles.pdf")
    return EXIT_OK


def cmd_profile(args) -> int:
    """Locality profiles: one vector PDF page per locality, most disadvantaged first."""
    import matplotlib

    matplotlib.use("Agg")
    from .profile import save_profiles

    out = Path(args.out)
    plan, dz = _read(args)
    table = _ranked(plan, dz, args)
    pages = int((table["poorer_than_rest"] | table["poorer_than_scotland"]).sum()) if args.flagged else len(table)
    if not pages:
        # An answer, not bad input (it had exited 2): no locality is significantly poorer.
        which = "the plan's one locality is not" if len(table) == 1 else f"none of the {len(table)} localities is"
        whose = "its" if len(table) == 1 else "every locality's"
        print(f"{which} flagged as poorer: no profile written (leave out --flagged for {whose} profile)")
        return EXIT_OK
    save_profiles(table, out, flagged=args.flagged)
    print(f"wrote {out} ({pages} page{'s' if pages != 1 else ''})")
    return EXIT_OK
