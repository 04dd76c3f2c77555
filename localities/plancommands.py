"""The commands that weigh plans against one another (split from
:mod:`localities.commands`): ``compare`` (two plans of one council, what moved and
whether the answer changes) and ``ensemble`` (many plans, what holds across them).
"""

from __future__ import annotations

import time
from pathlib import Path

from .commands import EXIT_OK, _decision_kwargs, _print_notes, _read_notes, _write_table, output_folder, said_council
from .errors import LocalitiesError, counted
from .plancouncil import _council_of, _zones_for_plan


def _two_names(a: Path, b: Path) -> tuple[str, str]:
    """Names that tell two plan files apart: the file names without their suffix (a board
    reads "wards and t5k", not "wards.gpkg and t5k.gpkg"), with it where only that differs,
    with their folders where the names are the same (``2024/plan.gpkg`` and
    ``2025/plan.gpkg``), else "plan A"/"plan B"."""
    if a.stem != b.stem:
        return a.stem, b.stem
    if a.name != b.name:
        return a.name, b.name
    if a.parent.name != b.parent.name:
        return f"{a.parent.name}/{a.name}", f"{b.parent.name}/{b.name}"
    return "plan A", "plan B"


def _layered(which: str, args, read):
    """``read()``, its message naming plan A's or B's layer option (``--layer-a NAME``), not
    the ``layer=NAME`` of a single plan's reader."""
    try:
        return read()
    except LocalitiesError as exc:
        exc.args = (str(exc).replace("layer=NAME", f"--layer-{which} NAME"), *exc.args[1:])
        raise


def cmd_compare(args) -> int:
    """Two plans for one council side by side: what moved, and whether the answer changes."""
    from .comparison import compare_plans, plot_comparison
    from .plans import read_plan
    from .rank import rank

    out = Path(args.out) if args.out else None
    if args.title is not None and out is None:
        raise LocalitiesError("--title is printed above the map of the differences: give --out as well")
    dz = _layered("a", args, lambda: _zones_for_plan(Path(args.a), args.council, args.data_dir, args.layer_a, args.population))
    said_council(args.council, dz)
    if not Path(args.b).exists():
        raise LocalitiesError(f"{args.b}: no such file")
    from . import load

    table = load.zone_table(args.data_dir)[["datazone", "council", "council_name"]]
    # Another council's polygons read as "overlap none of the zones ...; is the file's CRS right?".
    council_b, _, covered = _council_of(Path(args.b), table, args.data_dir, args.layer_b, args.population)
    if council_b is not None and council_b not in set(dz["council"]) and not set(covered) & set(dz["council"]):
        from .errors import PlanError

        names = table.drop_duplicates("council").set_index("council")["council_name"]
        raise PlanError(f"{args.b} is a plan for {names.get(council_b, council_b)} and {args.a} for "
                        f"{dz['council_name'].iloc[0]}: compare two plans of one council")
    a = _layered("a", args, lambda: read_plan(Path(args.a), dz, layer=args.layer_a))
    b = _layered("b", args, lambda: read_plan(Path(args.b), dz, layer=args.layer_b))
    # What reading each plan found, as every command reading a plan prints it (compare printed none).
    for side, plan, path in (("A", a, args.a), ("B", b, args.b)):
        _print_notes([f"plan {side}: {note}" for note in _read_notes(plan, Path(path))], args)
    decided = _decision_kwargs(args)
    ranking_a, ranking_b = (rank(a, dz, **decided), rank(b, dz, **decided)) if not args.no_rank else (None, None)
    result = compare_plans(a, b, dz, ranking_a=ranking_a, ranking_b=ranking_b)
    # Two sheets of one workbook are told apart by their sheets ("A: plans.xlsx", "B: plans.xlsx").
    print("\n".join(f"{side}: {path}" + (f" (layer {layer!r})" if layer else "")
                    for side, path, layer in (("A", args.a, args.layer_a), ("B", args.b, args.layer_b))))
    print(result)
    from .regulation import check

    for side, plan, ranking in (("A", a, ranking_a), ("B", b, ranking_b)):
        # A plan a board cannot adopt, said beside the comparison (North Lanarkshire's wards
        # joined in pairs: 7 localities over 30,000, and compare did not say). A ranking has
        # checked its plan already: checked again only where it found a problem.
        if ranking is not None and not ranking.attrs.get("regulation_problems"):
            continue
        report = check(plan, dz)
        if not report.ok:
            print(f"\nnote: plan {side} {report.verdict}: {'; '.join(report.problems)}")
    if args.table:
        table = Path(args.table)
        if table.suffix.lower() == ".csv":
            _write_table(result.zones, table, args=args)
        else:
            _write_table({"Summary": _summary_frame(result.summary), "Matches": result.matches,
                          "Moved": result.moved, "Quality": result.quality.reset_index(names="figure"),
                          "Zones": result.zones}, table, args=args)
        print(f"wrote {table}")
    if out is not None:
        import matplotlib

        matplotlib.use("Agg")
        from .maps import save_figure

        save_figure(plot_comparison(result, dz, a, b, title=args.title, names=_two_names(Path(args.a), Path(args.b))),
                    out, dpi=args.dpi)
        print(f"wrote {out}")
    return EXIT_OK


#: The comparison's figures as a reader of the workbook reads them (the Summary sheet gave
#: ``share_people_moved 0.4298507462686567`` and ``equal "False"``); the codes stay beside them.
SUMMARY_WORDS = {
    "zones": "Data Zones in the council",
    "population": "People in the council",
    "zones_moved": "Data Zones in a locality not matched to their locality in plan A",
    "people_moved": "People in those zones",
    "share_people_moved": "Share of people in those zones (%)",
    "localities_a": "Localities in plan A",
    "localities_b": "Localities in plan B",
    "matched": "Localities matched one to one (by people shared)",
    "adjusted_rand": "Adjusted Rand index (1 = the same division; near 0 = no more alike than chance)",
    "variation_of_information": "Variation of information (0 = the same division; higher = more different)",
    "equal": "The same division of the council",
    "people_tier_changed": "People whose locality's tier differs between the plans",
    "people_tier1_a": "People in tier 1 localities in plan A",
    "people_tier1_b": "People in tier 1 localities in plan B",
    "b_within_a": "Every locality of plan B lies inside one of plan A's",
    "a_within_b": "Every locality of plan A lies inside one of plan B's",
}


def _summary_frame(summary: dict):
    import numpy as np
    import pandas as pd

    def shown(key, v):
        if isinstance(v, (bool, np.bool_)):
            return "yes" if v else "no"
        if key == "share_people_moved":
            return round(100 * float(v), 1)  # a number (a spreadsheet sums and sorts it), in %
        if isinstance(v, (float, np.floating)):
            return round(float(v), 3)
        return v  # numbers stay numbers (a spreadsheet had stored '186' as text)

    return pd.DataFrame({"figure": [SUMMARY_WORDS.get(k, k.replace("_", " ")) for k in summary],
                         "value": pd.Series([shown(k, v) for k, v in summary.items()], dtype=object),
                         "code": list(summary)})


def cmd_ensemble(args) -> int:
    """Many compliant plans for one council; per-zone flag shares and robust priority areas."""
    import matplotlib

    matplotlib.use("Agg")
    from .ensemble import DEFAULT_VARY, ensemble, share_words
    from .load import load_datazones

    out = output_folder(args.out, "ensemble writes its tables, plan and map")
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
    dz = load_datazones(args.council, data_dir=args.data_dir, population=args.population)
    said_council(args.council, dz)
    if dz["council"].nunique() > 1:
        raise LocalitiesError("ensemble works on one council: pass --council")
    started = time.perf_counter()
    result = ensemble(dz, n=args.plans, vary=vary, seed=args.seed, n_jobs=args.jobs, share=args.share,
                      **_decision_kwargs(args))
    seconds = time.perf_counter() - started
    out.mkdir(parents=True, exist_ok=True)
    from . import export

    export.to_csv(result.zones.drop(columns="geometry"), out / "zones.csv")
    export.to_csv(result.plans, out / "plans.csv")
    export.to_csv(result.reference.drop(columns="geometry"), out / "reference.csv")
    plan = result.priority_plan(dz)
    plan.to_file(out / "priority_plan.gpkg")
    from .maps import save_figure

    save_figure(result.plot(), out / "share_map.png", dpi=200)
    # The processes it ran ("--jobs -5" read "every core", "--jobs 8" on 2 cores "8 workers").
    from .ensemble import local_workers

    workers = local_workers(args.jobs, args.plans)
    print(f"{result!r} in {seconds:.1f} s ({counted(workers, 'worker', 'workers')}"
          f"{', every core' if args.jobs == -1 else ''})")
    shown = ["area", "name", "population", "zones", "share_either_mean", "share_both_mean", "simd_deciles",
             "most_deprived_20", "split"]
    if len(result.priority):
        print(f"\nRobust priority areas (zones flagged in at least {share_words(args.share)}):")
        print(result.priority[shown].to_string(index=False, float_format=lambda v: f"{v:.2f}"))
        print("share_either_mean, share_both_mean: mean share of plans flagging its zones (poorer than the rest of the "
              "council or Scotland; than both); simd_deciles: SIMD 2020v2 deciles of its zones (1 = Scotland's most "
              "deprived 10%): an area is flagged by its localities' figures, so it can hold zones that are not deprived "
              "themselves; most_deprived_20: share of its people in Scotland's 20% most deprived zones; split: cut "
              "from a connected flagged area of more than 30,000 people")
    else:
        print(f"\nNo zone is flagged in at least {share_words(args.share)}: no robust priority area")
    ref = ["rank", "name", "tier", "tier_holds", "people_same_tier", "rank_median", "rank_p10", "rank_p90"]
    print(f"\nReference plan ({result.settings['reference']}): how often each locality's tier holds")
    print(result.reference[ref].to_string(index=False, float_format=lambda v: f"{v:.2f}",
                                          formatters={c: "{:.0f}".format for c in ("rank_median", "rank_p10",
                                                                                    "rank_p90")}))
    print("tier_holds: share of plans in which the locality holding most of its people has the same tier; "
          "people_same_tier: mean share of its people in a locality of that tier; rank_median, rank_p10, rank_p90: "
          "its rank across plans, the middle one and those a tenth of plans fall below and above (plans with more "
          "localities give higher ranks)")
    print(f"\nwrote {out}/zones.csv, plans.csv, reference.csv, priority_plan.gpkg, share_map.png")
    return EXIT_OK
