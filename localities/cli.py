"""The ``localities`` command line.

Exit codes: 0 success (for ``check``: the plan complies); 1 ``check`` found the plan
does not comply; 2 bad usage or bad input (the message names the file, column or
zones); 3 a download failed.
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


def _zones_for_plan(path: Path, council: str | None, data_dir):
    """Load the zones of the plan's council (from the option, the saved plan, or its zones)."""
    from . import load
    from .plans import saved_plan_info
    from .errors import PlanError

    if not path.exists():
        raise PlanError(f"{path}: no such file")
    if council is None and path.suffix.lower() == ".gpkg":
        council = saved_plan_info(path).get("council") or None
    if council is None and path.suffix.lower() == ".csv":
        first = load.read_csv(path)
        codes = first[load.column(first, "datazone", path)].astype(str).str.strip().str.upper()
        table = load.load_lookup(2011, data_dir).set_index("datazone")
        known = codes[codes.isin(table.index)]
        if len(known):
            council = table.loc[known, "council"].mode().iloc[0]
    return load.load_datazones(council, data_dir=data_dir)


def _read(args):
    from .plans import read_plan

    path = Path(args.plan)
    dz = _zones_for_plan(path, args.council, args.data_dir)
    return read_plan(path, dz), dz


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
    for note in plan.notes:
        print(f"note: {note}")
    print(report)
    return EXIT_OK if report.ok else EXIT_NONCOMPLIANT


def _propose_kwargs(args) -> dict:
    return {"method": args.method, "max_population": args.max_population, "target_population": args.target_population,
            "within": args.within, "attribute": args.attribute, "seed": args.seed}


def cmd_check(args) -> int:
    from .regulation import check

    plan, dz = _read(args)
    report = check(plan, dz, max_population=args.max_population)
    print(report)
    return EXIT_OK if report.ok else EXIT_NONCOMPLIANT


def cmd_rank(args) -> int:
    from . import export
    from .rank import inequality, masked_pockets, rank

    if args.out and Path(args.out).suffix.lower() not in (".csv", ".xlsx", ".gpkg", ".geojson", ".json"):
        raise LocalitiesError(f"{args.out}: --out must end in .csv, .xlsx, .gpkg or .geojson")
    plan, dz = _read(args)
    table = rank(plan, dz)
    shown = ["rank", "locality", "name", "population", "n_worse_scotland", "n_worse_cpp", "poorer_than_scotland",
             "poorer_than_cpp"]
    print(table[shown].to_string(index=False))
    if args.out:
        out = Path(args.out)
        suffix = out.suffix.lower()
        if suffix == ".csv":
            export.to_csv(table, out)
        elif suffix == ".xlsx":
            export.to_xlsx({"Ranking": table, "Inequality": inequality(plan, dz),
                            "Masked pockets": masked_pockets(plan, dz, table),
                            "Assignment": plan.assignment.reset_index()}, out)
        elif suffix == ".gpkg":
            plan.to_file(out, ranking=table)
        else:
            export.to_geojson(table, out)
        print(f"wrote {out}")
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
    export.to_xlsx({"Ranking": table, "Check": report.table, "Inequality": inequality(plan, dz),
                    "Masked pockets": masked_pockets(plan, dz, table)}, out / "ranking.xlsx")
    steps.update()
    maps.save_figure(maps.plot_map(table, column="income_rate"), out / "map_income.pdf")
    maps.save_figure(maps.plot_poorer(table), out / "map_poorer.png")
    maps.save_html(maps.explore(table, column="income_rate"), out / "map.html")
    steps.update()
    steps.close()
    print(f"\n{plan!r}")
    print(report)
    shown = ["rank", "name", "population", "income_rate", "n_worse_scotland", "n_worse_cpp", "poorer_than_scotland"]
    print("\nMost disadvantaged first:")
    print(table[shown].head(10).to_string(index=False, formatters={"income_rate": "{:.1%}".format}))
    print(f"\nWrote {out}/localities.gpkg, ranking.csv, ranking.xlsx, map_income.pdf, map_poorer.png, map.html")
    return EXIT_OK


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="localities", description="Locality planning for Scottish Community Planning "
                                "Partnerships (2016 Regulations: a locality is a ward or at most 30,000 people).",
                                epilog="Exit codes: 0 success/complies, 1 plan does not comply, 2 bad input, 3 download failed.")
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    def data(sp):
        sp.add_argument("--data-dir", help="data directory (default: $LOCALITIES_DATA_DIR, the user cache, or the embedded sample)")

    s = sub.add_parser("demo", help="run the main job (propose, check, rank, map) on the embedded sample")
    s.add_argument("--out", default="out", help="output folder (default: out)")
    s.add_argument("--council", help="council (default: the only one in the sample)")
    s.add_argument("--target-population", type=int, default=10_000)
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
    s.add_argument("--method", choices=["regions", "wards", "iz"], default="regions")
    s.add_argument("--max-population", type=int, default=30_000)
    s.add_argument("--target-population", type=int, default=None)
    s.add_argument("--within", help="never cross these lines: ward or iz")
    s.add_argument("--attribute", default="income_rank", help="keep regions homogeneous in this column")
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--out", required=True, help="plan GeoPackage to write")
    data(s)
    s.set_defaults(func=cmd_propose)

    for name, helptext, func in (("check", "check a plan against the 2016 Regulations (exit 1 if it fails)", cmd_check),
                                 ("rank", "rank a plan's localities, most disadvantaged first", cmd_rank),
                                 ("map", "draw a plan's localities for a board paper or the web", cmd_map)):
        s = sub.add_parser(name, help=helptext)
        s.add_argument("plan", help="plan: a saved GeoPackage, a CSV of datazone,locality, or locality polygons")
        s.add_argument("--council", help="council (default: from the plan)")
        data(s)
        s.set_defaults(func=func)
        if name == "check":
            s.add_argument("--max-population", type=int, default=30_000)
        if name == "rank":
            s.add_argument("--out", help="write .csv, .xlsx (with notes), .gpkg or .geojson")
        if name == "map":
            s.add_argument("--column", default="income_rate", help="indicator to map (default: income_rate)")
            s.add_argument("--significance", choices=["scotland", "cpp"], help="map the significance flag instead")
            s.add_argument("--poorer", action="store_true", help="map the significantly poorer localities")
            s.add_argument("--title")
            s.add_argument("--dpi", type=int, default=300)
            s.add_argument("--out", required=True, help=".pdf, .svg, .png or .html")
    return p


def main(argv: list[str] | None = None) -> int:
    from .errors import DownloadError

    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except DownloadError as exc:
        print(f"localities: download failed: {exc}", file=sys.stderr)
        return EXIT_DOWNLOAD
    except LocalitiesError as exc:
        print(f"localities: {exc}", file=sys.stderr)
        return EXIT_INPUT


if __name__ == "__main__":
    sys.exit(main())
