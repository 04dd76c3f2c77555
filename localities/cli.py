"""The ``localities`` command line.

Exit codes: 0 success (for ``check``: the plan complies); 1 ``check`` found the plan
does not comply; 2 bad usage or bad input (the message names the file, column or
zones, or a file cannot be written: disk full, not writable, a folder in the way);
3 a download failed; 130 interrupted (Ctrl-C or SIGTERM; temporary files removed).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path

from . import __version__
from .errors import LocalitiesError

EXIT_OK, EXIT_NONCOMPLIANT, EXIT_INPUT, EXIT_DOWNLOAD = 0, 1, 2, 3


def _progress(iterable=None, **kwargs):
    from tqdm import tqdm

    return tqdm(iterable, disable=not sys.stderr.isatty() and not os.environ.get("LOCALITIES_PROGRESS"),
                file=sys.stderr, **kwargs)


def _plan_council(path: Path, lookup) -> str | None:
    """Council code a plan file is for: from a saved plan's metadata, else the council
    holding most of its zones (CSV or spreadsheet of ``datazone,locality``)."""
    from . import load
    from .plans import saved_plan_info

    suffix = path.suffix.lower()
    if suffix == ".gpkg":
        saved = saved_plan_info(path).get("council") or None
        if saved:
            return saved
    if suffix in (".csv", ".xlsx", ".xlsm"):
        try:
            first = load.read_table(path)
            codes = first[load.column(first, "datazone", path)].astype(str).str.strip().str.upper()
        except LocalitiesError:
            return None  # the plan reader names the problem
        table = lookup.set_index("datazone")
        known = codes[codes.isin(table.index)]
        if len(known):
            return table.loc[known, "council"].mode().iloc[0]
    return None


def _zones_for_plan(path: Path, council: str | None, data_dir):
    """Load the zones of the plan's council (from the saved plan or its zones; ``--council``
    must agree, or name it when the plan does not say)."""
    from . import load
    from .errors import PlanError

    if not path.exists():
        raise PlanError(f"{path}: no such file")
    lookup = load.zone_table(data_dir)[["datazone", "council", "council_name"]]  # cached: no CSV parsing
    planned = _plan_council(path, lookup)
    if council is not None:
        asked = load.resolve_council(council, lookup)
        if planned is not None and planned in set(lookup["council"]) and asked != planned:
            names = lookup.drop_duplicates("council").set_index("council")["council_name"]
            raise PlanError(f"{path} is a plan for {names[planned]}, not {names[asked]}: leave out --council "
                            f"(the plan says which council it is for) or give a plan for {names[asked]}")
        planned = asked
    return load.load_datazones(planned, data_dir=data_dir)


# Library arguments a command passes under another option's name.
ALIASES: dict[str, dict[str, str]] = {
    "ensemble": {"target_population": "--targets", "unit": "--units", "n": "--plans", "n_jobs": "--jobs",
                 "vary['target_population']": "--targets", "vary['within']": "--within", "vary['unit']": "--units",
                 "vary['homogeneity']": "--homogeneity", "vary['compactness']": "--compactness",
                 "use None,": "use 'none',"},
    "demo": {"max_population": "the statutory ceiling"},
}


def _options(p: argparse.ArgumentParser, command: str) -> dict[str, str]:
    """The command's options by the argument name the library knows them by:
    ``{"target_population": "--target-population", ...}``."""
    sub = next(a for a in p._actions if isinstance(a, argparse._SubParsersAction)).choices[command]
    names = {a.dest: max(a.option_strings, key=len) for a in sub._actions if a.option_strings and a.dest != "help"}
    return {**names, **ALIASES.get(command, {})}


def _in_options(message: str, options: dict[str, str]) -> str:
    """A library error as the command line's user reads it: each argument named as the
    option they typed (``target_population must be between 1 and max_population`` becomes
    ``--target-population must be between 1 and --max-population``; ``within='x'`` becomes
    ``--within x``; ``non_statutory=True (--non-statutory)`` becomes ``--non-statutory``).
    A one-word name (``seed``, ``unit``, ``within``) is changed only at the start of the
    message or written ``name=value``: elsewhere it may be a plain word."""
    for dest, option in sorted(options.items(), key=lambda kv: -len(kv[0])):
        name = rf"(?<![\w\-/\\.]){re.escape(dest)}"  # not inside a word or a path (/tmp/seed_dir/plan.gpkg)
        message = re.sub(rf"{name}=True \({re.escape(option)}\)", option, message)
        end = r"(?!\w|[/\\.]\w)"
        message = re.sub(rf"{name}=True{end}", option, message)
        message = re.sub(rf"{name}=(['\"]?)([^\s'\":;,]*)\1", lambda m, o=option: f"{o} {m.group(2)}", message)
        plain = rf"{name}{end}" if not dest.isalpha() else rf"^{re.escape(dest)}{end}"
        message = re.sub(plain, option, message)
    return message


def _print_notes(plan) -> None:
    """What the builder or reader wants the analyst to know (split zones, links, ...)."""
    for note in plan.notes:
        print(f"note: {note}")


def _read(args):
    from .plans import read_plan

    path = Path(args.plan)
    dz = _zones_for_plan(path, args.council, args.data_dir)
    plan = read_plan(path, dz)
    _print_notes(plan)
    return plan, dz


def cmd_councils(args) -> int:
    from .load import councils

    print(councils(args.data_dir).to_string(index=False))
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


def cmd_propose(args) -> int:
    from .build import propose
    from .load import load_datazones
    from .regulation import check

    if args.council.lower() == "all":
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        dz_all = load_datazones(data_dir=args.data_dir)
        for name in _progress(sorted(dz_all["council_name"].unique()), desc="councils", unit="council"):
            dz = dz_all[dz_all["council_name"] == name].reset_index(drop=True)
            dz.attrs = dz_all.attrs
            plan = propose(dz, **_propose_kwargs(args))
            slug = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
            plan.to_file(out / f"{slug}.gpkg")
            report = check(plan, dz)
            print(f"{name}: {len(plan)} localities, {'complies' if report.ok else 'DOES NOT COMPLY'}")
        return EXIT_OK
    dz = load_datazones(args.council, data_dir=args.data_dir)
    started = time.perf_counter()
    plan = propose(dz, **_propose_kwargs(args))
    report = check(plan, dz)
    plan.to_file(args.out)
    print(f"{plan!r} in {time.perf_counter() - started:.2f} s -> {args.out}")
    _print_notes(plan)
    print(report)
    return EXIT_OK if report.ok else EXIT_NONCOMPLIANT


def _propose_kwargs(args) -> dict:
    return {"non_statutory": args.non_statutory,
            "method": args.method, "max_population": args.max_population, "target_population": args.target_population,
            "within": args.within, "attribute": args.attribute, "seed": args.seed, "unit": args.unit,
            "town_country": args.town_country, "search": args.search}


def cmd_check(args) -> int:
    from .regulation import check

    plan, dz = _read(args)
    report = check(plan, dz, max_population=args.max_population, non_statutory=args.non_statutory)
    print(report)
    return EXIT_OK if report.ok else EXIT_NONCOMPLIANT


def cmd_rank(args) -> int:
    from . import export
    from .rank import inequality, masked_pockets, rank

    if args.out and Path(args.out).suffix.lower() not in (".csv", ".xlsx", ".gpkg", ".geojson", ".json"):
        raise LocalitiesError(f"{args.out}: --out must end in .csv, .xlsx, .gpkg or .geojson")
    if args.labels and args.out and Path(args.out).suffix.lower() not in (".csv", ".xlsx"):
        raise LocalitiesError(f"{args.out}: --labels is for .csv and .xlsx files (tables for people)")
    plan, dz = _read(args)
    table = rank(plan, dz, **_decision_kwargs(args))
    shown = ["rank", "locality", "name", "population", "tier", "poorer_than_rest", "poorer_than_scotland", "score"]
    print(table[shown].to_string(index=False, formatters={"score": "{:.2f}".format}))
    print(f"\nWhy (worse = significant and at least ×{table.attrs['min_ratio']:g}, {table.attrs['method']} method):")
    for number, name, why in zip(table["rank"], table["name"], table["reasons"]):  # not itertuples: 190 columns
        print(f"{number:>4}. {name}: {why or 'no headline indicator has data'}")
    if args.out:
        out = Path(args.out)
        suffix = out.suffix.lower()
        if suffix == ".csv":
            _write_table(table, out, args.labels)
        elif suffix == ".xlsx":
            _write_table({"Ranking": table, "Inequality": inequality(plan, dz),
                          "Masked pockets": masked_pockets(plan, dz, table),
                          "Assignment": plan.assignment.reset_index()}, out, args.labels)
        elif suffix == ".gpkg":
            plan.to_file(out, ranking=table)
        else:
            export.to_geojson(table, out)
        print(f"wrote {out}")
    return EXIT_OK


def _decision_kwargs(args) -> dict:
    """The decision options of ``rank`` as keyword arguments of :func:`localities.rank`."""
    headline = [h.strip() for h in args.headline.split(",") if h.strip()]
    return {"method": args.method, "min_ratio": args.min_ratio, "headline": headline}


def _write_table(tables, out: Path, labels: bool = False) -> None:
    """Write one table (CSV) or several sheets (XLSX); with ``labels``, for people: human
    headers and percentages, the codes kept in a second header row (CSV) or a
    ``Codebook`` sheet (XLSX)."""
    from . import export

    sheets = tables if isinstance(tables, dict) else {"Table": tables}
    if labels:
        from .labels import codebook, for_people

        book = codebook(*sheets.values())
        sheets = {name: for_people(frame) for name, frame in sheets.items()}
    if out.suffix.lower() == ".csv":
        frame = next(iter(sheets.values()))
        export.to_csv(_with_code_row(frame, book) if labels else frame, out)
    else:
        if labels:
            sheets["Codebook"] = book
        export.to_xlsx(sheets, out)


def _with_code_row(frame, book):
    """Human headers, then a first row holding each column's code (for scripts)."""
    import pandas as pd

    codes = dict(zip(book["column"], book["code"]))
    row = pd.DataFrame([[codes.get(c, c) for c in frame.columns]], columns=frame.columns)
    return pd.concat([row, frame.astype(object)], ignore_index=True)


def cmd_pockets(args) -> int:
    from .rank import masked_pockets

    if args.out and Path(args.out).suffix.lower() not in (".csv", ".xlsx"):
        raise LocalitiesError(f"{args.out}: --out must end in .csv or .xlsx")
    plan, dz = _read(args)
    table = masked_pockets(plan, dz, band=args.band)
    if len(table):
        print(f"{len(table)} zone(s) in Scotland's most deprived {args.band}% inside localities not flagged as poorer:")
        print(table.to_string(index=False))
    else:
        print(f"no zone in Scotland's most deprived {args.band}% lies in a locality that is not flagged as poorer")
    if args.out:
        _write_table(table, Path(args.out), args.labels)
        print(f"wrote {args.out}")
    return EXIT_OK


def cmd_inequality(args) -> int:
    from .rank import inequality

    if args.out and Path(args.out).suffix.lower() not in (".csv", ".xlsx"):
        raise LocalitiesError(f"{args.out}: --out must end in .csv or .xlsx")
    plan, dz = _read(args)
    table = inequality(plan, dz, by=args.by)
    print(table.to_string(index=False, float_format=lambda v: f"{v:.3g}"))
    print(f"sii, rii: positive = worse in more deprived areas, negative = better in them, for every indicator "
          f"(higher worse or higher better); sii is the gap between the most and least deprived ends in the "
          f"indicator's unit (proportions as 0-1), rii = sii / council. level zones: Data Zones ranked by SIMD "
          f"2020v2; level localities: localities ranked by {args.by}.")
    if args.out:
        _write_table(table, Path(args.out), args.labels)
        print(f"wrote {args.out}")
    return EXIT_OK


def cmd_map(args) -> int:
    import matplotlib

    matplotlib.use("Agg")
    from . import maps
    from .rank import rank

    out = Path(args.out)
    if out.suffix.lower() not in (".pdf", ".svg", ".png", ".html"):
        raise LocalitiesError(f"{out}: --out must end in .pdf, .svg, .png or .html")
    plan, dz = _read(args)
    table = rank(plan, dz)
    if out.suffix.lower() == ".html":
        maps.save_html(maps.explore(table, column=args.column), out)
    elif args.poorer:
        maps.save_figure(maps.plot_poorer(table), out, dpi=args.dpi)
    else:
        fig = maps.plot_map(table, column=args.column, significance=args.significance, title=args.title)
        maps.save_figure(fig, out, dpi=args.dpi)
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
    from .rank import inequality, masked_pockets, rank
    from .regulation import check

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    steps = _progress(total=6, desc="demo", unit="step")
    dz = load_datazones(args.council, data_dir=args.data_dir)
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
    _write_table({"Ranking": table, "Check": report.table, "Inequality": inequality(plan, dz),
                  "Masked pockets": masked_pockets(plan, dz, table)}, out / "ranking.xlsx", labels=True)
    steps.update()
    maps.save_figure(maps.plot_map(table, column="income_rate"), out / "map_income.pdf")
    maps.save_figure(maps.plot_poorer(table), out / "map_poorer.png")
    maps.save_html(maps.explore(table, column="income_rate"), out / "map.html")
    save_profiles(table, out / "profiles.pdf")
    steps.update()
    steps.close()
    print(f"\n{plan!r}")
    print(report)
    shown = ["rank", "name", "population", "income_rate", "tier", "poorer_than_rest", "poorer_than_scotland"]
    print("\nMost disadvantaged first:")
    print(table[shown].head(10).to_string(index=False, formatters={"income_rate": "{:.1%}".format}))
    print(f"\nWrote {out}/localities.gpkg, ranking.csv, ranking.xlsx, map_income.pdf, map_poorer.png, map.html, "
          "profiles.pdf")
    return EXIT_OK


def cmd_profile(args) -> int:
    """Locality profiles: one vector PDF page per locality, most disadvantaged first."""
    import matplotlib

    matplotlib.use("Agg")
    from .profile import save_profiles
    from .rank import rank

    out = Path(args.out)
    if out.suffix.lower() != ".pdf":
        raise LocalitiesError(f"{out}: --out must end in .pdf")
    plan, dz = _read(args)
    table = rank(plan, dz)
    save_profiles(table, out, flagged=args.flagged)
    pages = int((table["poorer_than_rest"] | table["poorer_than_scotland"]).sum()) if args.flagged else len(table)
    print(f"wrote {out} ({pages} page{'s' if pages != 1 else ''})")
    return EXIT_OK


def cmd_compare(args) -> int:
    """Two plans for one council side by side: what moved, and whether the answer changes."""
    from .comparison import compare_plans, plot_comparison
    from .plans import read_plan
    from .rank import rank

    out = Path(args.out) if args.out else None
    if out is not None and out.suffix.lower() not in (".png", ".pdf", ".svg"):
        raise LocalitiesError(f"{out}: --out must end in .png, .pdf or .svg (a map of the differences)")
    if args.table and Path(args.table).suffix.lower() not in (".csv", ".xlsx"):
        raise LocalitiesError(f"{args.table}: --table must end in .csv or .xlsx")
    dz = _zones_for_plan(Path(args.a), args.council, args.data_dir)
    if not Path(args.b).exists():
        raise LocalitiesError(f"{args.b}: no such file")
    a, b = read_plan(Path(args.a), dz), read_plan(Path(args.b), dz)
    ranking_a, ranking_b = (rank(a, dz), rank(b, dz)) if not args.no_rank else (None, None)
    result = compare_plans(a, b, dz, ranking_a=ranking_a, ranking_b=ranking_b)
    print(f"A: {args.a}\nB: {args.b}")
    print(result)
    if args.table:
        table = Path(args.table)
        if table.suffix.lower() == ".csv":
            _write_table(result.zones, table)
        else:
            _write_table({"Summary": _summary_frame(result.summary), "Matches": result.matches,
                          "Moved": result.moved, "Quality": result.quality.reset_index(names="figure"),
                          "Zones": result.zones}, table)
        print(f"wrote {table}")
    if out is not None:
        import matplotlib

        matplotlib.use("Agg")
        plot_comparison(result, dz, a, b).savefig(out, dpi=200, bbox_inches="tight")
        print(f"wrote {out}")
    return EXIT_OK


def _summary_frame(summary: dict):
    import pandas as pd

    return pd.DataFrame({"figure": list(summary), "value": [str(v) for v in summary.values()]})


def cmd_ensemble(args) -> int:
    """Many compliant plans for one council; per-zone flag shares and robust priority areas."""
    import matplotlib

    matplotlib.use("Agg")
    from .ensemble import DEFAULT_VARY, ensemble
    from .load import load_datazones

    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise LocalitiesError(f"{out}: --out is a folder to write into, and a file of that name exists")
    vary = dict(DEFAULT_VARY)
    if args.targets:
        vary["target_population"] = args.targets
    if args.within:
        vary["within"] = [None if w == "none" else w for w in args.within]
    if args.units:
        vary["unit"] = args.units
    for key in ("homogeneity", "compactness"):
        value = getattr(args, key)
        if value is not None:
            vary[key] = tuple(value)
    dz = load_datazones(args.council, data_dir=args.data_dir)
    if dz["council"].nunique() > 1:
        raise LocalitiesError("ensemble works on one council: pass --council")
    started = time.perf_counter()
    result = ensemble(dz, n=args.plans, vary=vary, seed=args.seed, n_jobs=args.jobs, share=args.share,
                      method=args.method, min_ratio=args.min_ratio)
    seconds = time.perf_counter() - started
    out.mkdir(parents=True, exist_ok=True)
    from . import export

    export.to_csv(result.zones.drop(columns="geometry"), out / "zones.csv")
    export.to_csv(result.plans, out / "plans.csv")
    export.to_csv(result.reference.drop(columns="geometry"), out / "reference.csv")
    plan = result.priority_plan(dz)
    plan.to_file(out / "priority_plan.gpkg")
    result.plot().savefig(out / "share_map.png", dpi=200, bbox_inches="tight")
    print(f"{result!r} in {seconds:.1f} s ({args.jobs} worker(s))")
    shown = ["area", "name", "population", "zones", "share_either_mean", "share_both_mean", "split"]
    if len(result.priority):
        print(f"\nRobust priority areas (zones flagged in at least {args.share:.0%} of plans):")
        print(result.priority[shown].to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    else:
        print(f"\nNo zone is flagged in at least {args.share:.0%} of plans: no robust priority area")
    ref = ["rank", "name", "tier", "tier_holds", "people_same_tier", "rank_median", "rank_p10", "rank_p90"]
    print(f"\nReference plan ({result.settings['reference']}): how often each locality's tier holds")
    print(result.reference[ref].to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    print(f"\nwrote {out}/zones.csv, plans.csv, reference.csv, priority_plan.gpkg, share_map.png")
    return EXIT_OK


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="localities", description="Locality planning for Scottish Community Planning "
                                "Partnerships (2016 Regulations: a locality is a ward or at most 30,000 people).",
                                epilog="Exit codes: 0 success/complies, 1 plan does not comply, 2 bad input or unwritable output, "
                                "3 download failed, 130 interrupted.")
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    def data(sp):
        sp.add_argument("--data-dir", help="data directory (default: $LOCALITIES_DATA_DIR, the user cache, or the embedded sample)")

    s = sub.add_parser("demo", help="run the main job (propose, check, rank, map) on the embedded sample")
    s.add_argument("--out", default="out", help="output folder (default: out)")
    s.add_argument("--council", help="council (default: the only one in the sample)")
    s.add_argument("--target-population", type=int, default=10_000, metavar="PEOPLE",
                   help="preferred locality size in people (default: 10,000, the guidance size)")
    data(s)
    s.set_defaults(func=cmd_demo)

    s = sub.add_parser("download", help="fetch the official sources into the user cache")
    s.add_argument("sources", nargs="*", help="catalogue keys (default: all with a direct download)")
    s.add_argument("--dest", help="target folder (default: the user cache)")
    s.add_argument("--mirror", help="base URL replacing the official host (default: $LOCALITIES_MIRROR)")
    s.add_argument("--no-verify", action="store_true", help="skip SHA-256 checks")
    s.add_argument("--list", action="store_true", help="list the catalogue and exit")
    s.set_defaults(func=cmd_download)

    s = sub.add_parser("councils", help="list council names and codes")
    data(s)
    s.set_defaults(func=cmd_councils)

    s = sub.add_parser("propose", help="propose candidate localities for a council")
    s.add_argument("--council", required=True, help="council name or code, or 'all' (then --out is a folder)")
    s.add_argument("--method", choices=["regions", "wards", "iz"], default="regions",
                   help="regions: contiguous areas of at most --max-population people (default); wards: the "
                        "council's electoral wards; iz: its Intermediate Zones")
    s.add_argument("--max-population", type=int, default=30_000, metavar="PEOPLE",
                   help="most people in one region (default and statutory ceiling: 30,000)")
    s.add_argument("--non-statutory", action="store_true",
                   help="allow --max-population above the statutory 30,000 (a local choice, outside the Regulations)")
    s.add_argument("--target-population", type=int, default=None, metavar="PEOPLE",
                   help="preferred region size, e.g. 10000 (default: the fewest regions under the ceiling)")
    s.add_argument("--within", metavar="COLUMN",
                   help="never cross these lines: 'ward', 'iz' or another zone column (default: none)")
    s.add_argument("--attribute", default="income_rank", metavar="COLUMN",
                   help="keep regions homogeneous in this zone column (default: income_rank, SIMD income rank)")
    s.add_argument("--seed", type=int, default=0,
                   help="breaks ties; the same data and seed give the same plan (default: 0)")
    s.add_argument("--unit", choices=["iz", "datazone"], default="iz",
                   help="building blocks of regions: iz, whole Intermediate Zones (default), or datazone, single "
                        "Data Zones (finer, more homogeneous plans)")
    s.add_argument("--town-country", type=float, default=1.0, metavar="WEIGHT",
                   help="weight on keeping settlements (urban-rural classes 1-4) apart from rural zones (5-6); "
                        "0 ignores it (default: 1.0)")
    s.add_argument("--search", choices=["anneal", "descent"], default="anneal",
                   help="how boundary zones are moved after the first cut: anneal, simulated annealing then "
                        "descent (default), or descent, improving moves only (faster, usually a more mixed plan)")
    s.add_argument("--out", required=True, help="plan GeoPackage to write")
    data(s)
    s.set_defaults(func=cmd_propose)

    for name, helptext, func in (("check", "check a plan against the 2016 Regulations (exit 1 if it fails)", cmd_check),
                                 ("rank", "rank a plan's localities, most disadvantaged first", cmd_rank),
                                 ("map", "draw a plan's localities for a board paper or the web", cmd_map),
                                 ("pockets", "list deprived zones hidden inside localities not flagged as poorer",
                                  cmd_pockets),
                                 ("inequality", "slope and relative index of inequality (SII, RII) within the council",
                                  cmd_inequality)):
        s = sub.add_parser(name, help=helptext)
        s.add_argument("plan", help="plan: a saved GeoPackage, a CSV or spreadsheet of datazone,locality, or "
                                    "locality polygons")
        s.add_argument("--council", help="council name or code (default: the plan's own; must agree with it)")
        data(s)
        s.set_defaults(func=func)
        if name == "check":
            s.add_argument("--max-population", type=int, default=30_000, metavar="PEOPLE",
                           help="most people in a locality that is not a ward (default and statutory: 30,000)")
            s.add_argument("--non-statutory", action="store_true",
                           help="allow --max-population above 30,000; the verdict then says it is outside the Regulations")
        if name == "rank":
            s.add_argument("--out", help="write .csv, .xlsx (with notes), .gpkg or .geojson")
        if name in ("rank", "pockets", "inequality"):
            s.add_argument("--labels", action="store_true",
                           help="for people: human column headers and percentages in .csv/.xlsx, the codes kept "
                                "in a second header row (CSV) or a Codebook sheet (XLSX)")
        if name == "rank":
            s.add_argument("--method", choices=["difference", "scotpho", "bh", "funnel"], default="difference",
                           help="how significance is decided: two-sample interval (default), ScotPHO's interval "
                                "against the comparator's value, Benjamini-Hochberg, or an overdispersed funnel")
            s.add_argument("--min-ratio", type=float, default=1.2, metavar="RATIO",
                           help="materiality: a locality is worse only when at least RATIO times the comparator "
                                "(default 1.2; 1 switches it off)")
            s.add_argument("--headline", default="income_rate,employment_rate", metavar="INDICATORS",
                           help="comma-separated headline indicators that decide the tiers "
                                "(default: income_rate,employment_rate)")
        if name == "pockets":
            s.add_argument("--band", type=int, choices=[5, 20], default=20,
                           help="Scotland's most deprived 5%% or 20%% of zones by SIMD 2020v2 (default: 20)")
            s.add_argument("--out", help="write .csv or .xlsx")
        if name == "inequality":
            s.add_argument("--by", default="income_rate", metavar="INDICATOR",
                           help="order localities by this indicator for the locality-level gradient "
                                "(default: income_rate)")
            s.add_argument("--out", help="write .csv or .xlsx")
        if name == "map":
            s.add_argument("--column", default="income_rate", help="indicator to map (default: income_rate)")
            s.add_argument("--significance", choices=["scotland", "rest"],
                           help="map the significance flag against Scotland or the rest of the council instead")
            s.add_argument("--poorer", action="store_true", help="map the significantly poorer localities")
            s.add_argument("--title", help="title printed above the map (default: from the council and indicator)")
            s.add_argument("--dpi", type=int, default=300,
                           help="resolution of .png output in dots per inch (default: 300; vector .pdf/.svg keep "
                                "it for raster parts)")
            s.add_argument("--out", required=True, help=".pdf, .svg, .png or .html")
    s = sub.add_parser("compare", help="compare two plans for one council: zones moved, matched localities, tiers")
    s.add_argument("a", help="plan A: a saved GeoPackage, a CSV or spreadsheet of datazone,locality, or polygons")
    s.add_argument("b", help="plan B, for the same council")
    s.add_argument("--council", help="council name or code (default: plan A's own; must agree with it)")
    s.add_argument("--out", help="write a map of the differences (.png, .pdf or .svg)")
    s.add_argument("--table", help="write the comparison: .csv (every zone) or .xlsx (summary, matches, moved, "
                                   "quality, zones)")
    s.add_argument("--no-rank", action="store_true", help="skip ranking the two plans (no tiers side by side)")
    data(s)
    s.set_defaults(func=cmd_compare)

    s = sub.add_parser("ensemble", help="many compliant plans for a council: how often each zone is flagged "
                                        "poorer, and robust priority areas")
    s.add_argument("--council", required=True, help="council name or code")
    s.add_argument("--plans", type=int, default=100, metavar="N", help="number of plans (default: 100)")
    s.add_argument("--seed", type=int, default=0, help="plan i's parameters come from this seed and i (default: 0)")
    s.add_argument("--jobs", type=int, default=1, metavar="N",
                   help="parallel workers, -1 for every core (the result does not depend on it; default: 1)")
    s.add_argument("--share", type=float, default=0.5,
                   help="robust priority areas: zones flagged in at least this share of plans (default: 0.5)")
    s.add_argument("--targets", type=int, nargs="+", metavar="PEOPLE",
                   help="target sizes to draw from (default: 5000 7500 10000 15000 20000)")
    s.add_argument("--within", nargs="+", metavar="LINES",
                   help="'none', 'ward', 'iz' or a zone column to draw from (default: none ward)")
    s.add_argument("--units", nargs="+", choices=["iz", "datazone"], help="building blocks to draw from (default: both)")
    s.add_argument("--homogeneity", type=float, nargs=2, metavar=("LOW", "HIGH"),
                   help="range of the homogeneity weight (default: 0.5 2)")
    s.add_argument("--compactness", type=float, nargs=2, metavar=("LOW", "HIGH"),
                   help="range of the compactness weight (default: 0.5 2)")
    s.add_argument("--method", choices=["difference", "scotpho", "bh", "funnel"], default="difference",
                   help="how significance is decided, as in rank (default: difference)")
    s.add_argument("--min-ratio", type=float, default=1.2,
                   help="materiality: at least this many times the comparator (default: 1.2)")
    s.add_argument("--out", required=True, help="folder for zones.csv, plans.csv, reference.csv, "
                                                "priority_plan.gpkg and share_map.png")
    data(s)
    s.set_defaults(func=cmd_ensemble)

    s = sub.add_parser("profile", help="one A4 profile page per locality (spine chart, key figures, flags, map) "
                                       "in a multi-page PDF")
    s.add_argument("plan", help="plan: a saved GeoPackage, a CSV or spreadsheet of datazone,locality, or "
                                "locality polygons")
    s.add_argument("--council", help="council name or code (default: the plan's own)")
    s.add_argument("--out", required=True, help="PDF to write, e.g. profiles.pdf")
    s.add_argument("--flagged", action="store_true",
                   help="only the localities significantly poorer than the rest of the council or Scotland")
    data(s)
    s.set_defaults(func=cmd_profile)
    return p


EXIT_INTERRUPTED = 130  # as a shell reports a process stopped by Ctrl-C


class _Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so that every ``finally`` removes its temporary files."""


def _on_sigterm(signum, frame):
    raise _Terminated


def main(argv: list[str] | None = None) -> int:
    import gc
    import signal
    import threading

    from .errors import DownloadError

    p = parser()
    args = p.parse_args(argv)
    if getattr(args, "dpi", None) is not None and not 20 <= args.dpi <= 2400:
        print(f"localities: --dpi must be between 20 and 2400, not {args.dpi}", file=sys.stderr)
        return EXIT_INPUT
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _on_sigterm)
    # A command is a short run among many long-lived objects (pandas, geopandas, matplotlib):
    # the default thresholds start full collections that walk them all, ~10% of a map's time.
    # Collect young objects in larger batches and rarely the old ones; restored afterwards.
    thresholds = gc.get_threshold()
    gc.set_threshold(10_000, 20, 20)
    try:
        code = args.func(args)
        sys.stdout.flush()  # inside the try: a closed pipe shows here when stdout is buffered
        return code
    except KeyboardInterrupt as exc:
        print(f"localities: {'terminated' if isinstance(exc, _Terminated) else 'interrupted'}; "
              "no partial file left", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`localities rank plan.gpkg | head`): not an error. Point
        # stdout at /dev/null so the interpreter's final flush does not raise again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        return EXIT_OK
    except DownloadError as exc:
        print(f"localities: download failed: {exc}", file=sys.stderr)
        return EXIT_DOWNLOAD
    except OSError as exc:  # a file-system failure outside the atomic writers: one line, no traceback
        name = exc.filename or getattr(args, "out", None) or "output"
        print(f"localities: {name}: {'disk full' if exc.errno == 28 else exc.strerror or exc}", file=sys.stderr)
        return EXIT_INPUT
    except LocalitiesError as exc:
        print(f"localities: {_in_options(str(exc), _options(p, args.command))}", file=sys.stderr)
        return EXIT_INPUT
    finally:
        gc.set_threshold(*thresholds)
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":
    sys.exit(main())
