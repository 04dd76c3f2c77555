"""The ``localities`` command line.

Exit codes: 0 success (for ``check``: the plan complies); 1 ``check`` found the plan
does not comply; 2 bad usage or bad input (the message names the file, column or
zones, or a file cannot be written: disk full, not writable, a folder in the way);
3 a download failed; 4 a bug in localities (one line; ``LOCALITIES_DEBUG=1`` shows the
traceback); 130 interrupted (Ctrl-C or SIGTERM; temporary files removed).

This module holds the argument parser, the translation of library errors into the
options the user typed, signal handling and the exit codes; what each command does is
in :mod:`localities.commands` (and, for compare and ensemble, :mod:`localities.plancommands`).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

from . import __version__
from .commands import (  # noqa: F401 (EXIT_OK, EXIT_NONCOMPLIANT re-exported)
    EXIT_NONCOMPLIANT,
    EXIT_OK,
    cmd_check,
    cmd_councils,
    cmd_demo,
    cmd_download,
    cmd_inequality,
    cmd_map,
    cmd_pockets,
    cmd_profile,
    cmd_propose,
    cmd_rank,
)
from .errors import LocalitiesError, clip
from .plancommands import cmd_compare, cmd_ensemble

EXIT_INPUT, EXIT_DOWNLOAD, EXIT_BUG = 2, 3, 4  # EXIT_OK, EXIT_NONCOMPLIANT (0, 1): from the commands
#: Arguments that are paths, as typed: messages keep them as they are, and no output may be one.
_PATHS = ("plan", "a", "b", "out", "table", "dest", "data_dir", "population")
_INPUTS = ("plan", "a", "b", "population")


# Library arguments a command passes under another option's name.
ALIASES: dict[str, dict[str, str]] = {
    "ensemble": {"target_population": "--targets", "unit": "--units", "n": "--plans", "n_jobs": "--jobs",
                 "vary['target_population']": "--targets", "vary['within']": "--within", "vary['unit']": "--units",
                 "vary['homogeneity']": "--homogeneity", "vary['compactness']": "--compactness",
                 "use None,": "use 'none',"},
    "demo": {"max_population": "the statutory ceiling"},
    "propose": {"towns=False": "--divide-towns"},
}


def _options(p: argparse.ArgumentParser, command: str) -> dict[str, str]:
    """The command's options by the argument name the library knows them by:
    ``{"target_population": "--target-population", ...}``."""
    sub = next(a for a in p._actions if isinstance(a, argparse._SubParsersAction)).choices[command]
    names = {a.dest: max(a.option_strings, key=len) for a in sub._actions if a.option_strings and a.dest != "help"}
    return {**names, **ALIASES.get(command, {})}


def _in_options(message: str, options: dict[str, str], keep=()) -> str:
    """A library error as the command line's user reads it: each argument named as the
    option they typed (``target_population must be between 1 and max_population`` becomes
    ``--target-population must be between 1 and --max-population``; ``within='x'`` becomes
    ``--within x``; ``non_statutory=True (--non-statutory)`` becomes ``--non-statutory``).
    A one-word name (``seed``, ``unit``, ``within``) is changed only at the start of the
    message or written ``name=value``: elsewhere it may be a plain word. Text in ``keep`` (the
    paths typed) stays as it is: a plan file called ``council`` was "--council: no such file"."""
    kept = sorted({str(k) for k in keep if k}, key=len, reverse=True)
    if kept:
        # Split on the paths as typed (longest first), translating only the text between them:
        # placeholders for them matched inside option names ("data_dir" for --data-dir data) and
        # a path "0" matched the placeholders' digits.
        pieces = re.split(rf"(?<![\w./\\-])({'|'.join(map(re.escape, kept))})(?![\w./\\-])", message)
        return "".join(piece if i % 2 else _in_options(piece, options) for i, piece in enumerate(pieces))
    for dest, option in sorted(options.items(), key=lambda kv: -len(kv[0])):
        name = rf"(?<![\w\-/\\.]){re.escape(dest)}"  # not inside a word or a path (/tmp/seed_dir/plan.gpkg)
        message = re.sub(rf"{name}=True \({re.escape(option)}\)", option, message)
        end = r"(?!\w|[/\\.]\w)"
        message = re.sub(rf"{name}=True{end}", option, message)
        message = re.sub(rf"{name}=(['\"]?)([^\s'\":;,]*)\1", lambda m, o=option: f"{o} {m.group(2)}", message)
        plain = rf"{name}{end}" if not dest.isalpha() else rf"^{re.escape(dest)}{end}"
        message = re.sub(plain, option, message)
    return message


class _Parser(argparse.ArgumentParser):
    """argparse with its errors on one line (not the usage block first), exit code 2."""

    def error(self, message):
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def _whole(text: str) -> int:
    """A whole number as people write it: ``10000``, ``10,000`` or ``10_000`` (the tool prints
    sizes as "10,000", and ``--target-population 10,000`` was refused)."""
    text = str(text).strip()
    if re.fullmatch(r"\d{1,3}(,\d{3})+|\d{1,3}(_\d{3})+", text):  # "10,000"; never "10,00"
        text = text.replace(",", "").replace("_", "")
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None


def parser() -> argparse.ArgumentParser:
    p = _Parser(prog="localities", description="Locality planning for Scottish Community Planning "
                                "Partnerships (2016 Regulations: a locality is a ward or at most 30,000 people).",
                                epilog="Exit codes: 0 success/complies, 1 plan does not comply, 2 bad input or unwritable output, "
                                "3 download failed, 4 a bug in localities, 130 interrupted.")
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    def data(sp):
        sp.add_argument("--data-dir", help="data directory (default: $LOCALITIES_DATA_DIR, the user cache, or the embedded sample)")
        sp.add_argument("--population", default="simd2020v2", metavar="ESTIMATES",
                        help="people counted in each zone: simd2020v2 (NRS mid-2017, as SIMD 2020v2 uses; the "
                             "default), nrs2020, nrs2021, or a CSV of zone and population covering every zone in Scotland")

    s = sub.add_parser("demo", help="run the main job (propose, check, rank, map) on the embedded sample")
    s.add_argument("-o", "--out", default="out", help="output folder (default: out)")
    s.add_argument("--council", help="council (default: the only one in the sample)")
    s.add_argument("--target-population", type=_whole, default=10_000, metavar="PEOPLE",
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
    s.add_argument("--max-population", type=_whole, default=30_000, metavar="PEOPLE",
                   help="most people in one region (default and statutory ceiling: 30,000)")
    s.add_argument("--non-statutory", action="store_true",
                   help="allow --max-population above the statutory 30,000 (a local choice, outside the Regulations)")
    s.add_argument("--target-population", type=_whole, default=None, metavar="PEOPLE",
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
    s.add_argument("--divide-towns", dest="towns", action="store_false",
                   help="leave the search's plan as it is where it divides a town no bigger than one locality along "
                        "its Intermediate Zones (default: such a town is kept in one locality)")
    s.add_argument("--search", choices=["anneal", "descent"], default="anneal",
                   help="how boundary zones are moved after the first cut: anneal, simulated annealing then "
                        "descent (default), or descent, improving moves only (faster, usually a more mixed plan)")
    s.add_argument("-o", "--out", required=True, help="plan GeoPackage to write (.gpkg), or its assignment as a .csv of "
                                              "datazone,locality,name to edit by hand")
    data(s)
    s.set_defaults(func=cmd_propose)

    def decision(s):
        # The decision rule of rank, for map and profile too: a map drawn by the defaults beside
        # a ranking made with --method bh disagreed with it without a word.
        s.add_argument("--method", choices=["difference", "scotpho", "bh", "funnel"], default="difference",
                       help="how significance is decided: two-sample interval (default), ScotPHO's interval "
                            "against the comparator's value, Benjamini-Hochberg, or an overdispersed funnel")
        s.add_argument("--min-ratio", type=float, default=1.2, metavar="RATIO",
                       help="materiality: a locality is worse only when at least RATIO times the comparator "
                            "(default 1.2; 1 switches it off)")
        s.add_argument("--headline", default="income_rate,employment_rate", metavar="INDICATORS",
                       help="comma-separated headline indicators that decide the tiers "
                            "(default: income_rate,employment_rate)")

    for name, helptext, func in (("check", "check a plan against the 2016 Regulations (exit 1 if it fails)", cmd_check),
                                 ("rank", "rank a plan's localities, most disadvantaged first", cmd_rank),
                                 ("map", "draw a plan's localities for a board paper or the web", cmd_map),
                                 ("pockets", "list deprived zones hidden inside localities not flagged as poorer than Scotland",
                                  cmd_pockets),
                                 ("inequality", "slope and relative index of inequality (SII, RII) within the council",
                                  cmd_inequality)):
        s = sub.add_parser(name, help=helptext)
        s.add_argument("plan", help="plan: a saved GeoPackage, a CSV or spreadsheet of datazone,locality, or "
                                    "locality polygons")
        s.add_argument("--layer", help="the layer of locality polygons, or the sheet of a workbook, where the plan's file holds several")
        s.add_argument("--council", help="council name or code (default: the plan's own; must agree with it)")
        data(s)
        s.set_defaults(func=func)
        if name == "check":
            s.add_argument("--max-population", type=_whole, default=30_000, metavar="PEOPLE",
                           help="most people in a locality that is not a ward (default and statutory: 30,000)")
            s.add_argument("--non-statutory", action="store_true",
                           help="allow --max-population above 30,000; the verdict then says it is outside the Regulations")
        if name == "rank":
            s.add_argument("-o", "--out", help="write .csv, .xlsx (with notes), .gpkg or .geojson")
            s.set_defaults(suffixes={"out": (".csv", ".xlsx", ".gpkg", ".geojson")})
        if name in ("rank", "pockets", "inequality"):
            s.add_argument("--labels", action="store_true",
                           help="for people: human column headers and percentages in .csv/.xlsx, the codes kept "
                                "in a second header row (CSV) or a Codebook sheet (XLSX)")
        if name in ("rank", "map"):
            decision(s)
        if name == "pockets":
            s.add_argument("--band", type=int, choices=[5, 20], default=20,
                           help="Scotland's most deprived 5%% or 20%% of zones by SIMD 2020v2 (default: 20)")
            s.add_argument("-o", "--out", help="write .csv or .xlsx")
            s.set_defaults(suffixes={"out": (".csv", ".xlsx")})
        if name == "inequality":
            s.add_argument("--by", default="income_rate", metavar="INDICATOR",
                           help="order localities by this indicator for the locality-level gradient "
                                "(default: income_rate)")
            s.add_argument("-o", "--out", help="write .csv or .xlsx")
            s.set_defaults(suffixes={"out": (".csv", ".xlsx")})
        if name == "map":
            s.add_argument("--column", help="indicator to map (default: income_rate; not with --poorer)")
            s.add_argument("--significance", choices=["scotland", "rest"],
                           help="map the significance flag against Scotland or the rest of the council instead")
            s.add_argument("--poorer", action="store_true", help="map the significantly poorer localities")
            s.add_argument("--title", help="title printed above the map (default: from the council and indicator)")
            s.add_argument("--dpi", type=int, default=300,
                           help="resolution of .png output in dots per inch (default: 300; vector .pdf/.svg keep "
                                "it for raster parts)")
            s.add_argument("-o", "--out", required=True, help=".pdf, .svg, .png or .html")
            s.set_defaults(suffixes={"out": (".pdf", ".svg", ".png", ".html")})
    s = sub.add_parser("compare", help="compare two plans for one council: zones moved, matched localities, tiers")
    s.add_argument("a", help="plan A: a saved GeoPackage, a CSV or spreadsheet of datazone,locality, or polygons")
    s.add_argument("b", help="plan B, for the same council")
    s.add_argument("--layer-a", metavar="LAYER", help="plan A's layer of locality polygons or sheet of a workbook, where its file holds several")
    s.add_argument("--layer-b", metavar="LAYER", help="plan B's layer of locality polygons or sheet of a workbook, where its file holds several")
    s.add_argument("--council", help="council name or code (default: plan A's own; must agree with it)")
    s.add_argument("-o", "--out", help="write a map of the differences (.png, .pdf or .svg)")
    s.add_argument("--title", help="title printed above the map (default: the council and the two plans' file names)")
    s.add_argument("--table", help="write the comparison: .csv (every zone) or .xlsx (summary, matches, moved, "
                                   "quality, zones)")
    s.add_argument("--dpi", type=int, default=200, help="resolution of a .png map in dots per inch (default: 200)")
    s.add_argument("--no-rank", action="store_true", help="skip ranking the two plans (no tiers side by side)")
    decision(s)
    data(s)
    s.set_defaults(func=cmd_compare, suffixes={"out": (".png", ".pdf", ".svg"), "table": (".csv", ".xlsx")})

    s = sub.add_parser("ensemble", help="many compliant plans for a council: how often each zone is flagged "
                                        "poorer, and robust priority areas")
    s.add_argument("--council", required=True, help="council name or code")
    s.add_argument("--plans", type=int, default=100, metavar="N", help="number of plans (default: 100)")
    s.add_argument("--seed", type=int, default=0, help="plan i's parameters come from this seed and i (default: 0)")
    s.add_argument("--jobs", type=int, default=1, metavar="N",
                   help="parallel workers, -1 for every core, -2 every core but one, as joblib counts (the result "
                        "does not depend on it; default: 1)")
    s.add_argument("--share", type=float, default=2 / 3,  # ensemble.ROBUST_SHARE, not imported: a light start
                   help="robust priority areas: zones flagged in at least this share of plans (default: 2/3, two "
                        "plans in three)")
    s.add_argument("--targets", type=_whole, nargs="+", metavar="PEOPLE",
                   help="target sizes to draw from (default: 5000 7500 10000 15000 20000)")
    s.add_argument("--within", nargs="+", metavar="LINES",
                   help="'none', 'ward', 'iz' or a zone column to draw from (default: none ward)")
    s.add_argument("--units", nargs="+", choices=["iz", "datazone"], help="building blocks to draw from (default: both)")
    s.add_argument("--homogeneity", type=float, nargs=2, metavar=("LOW", "HIGH"),
                   help="range of the homogeneity weight (default: 0.5 2)")
    s.add_argument("--compactness", type=float, nargs=2, metavar=("LOW", "HIGH"),
                   help="range of the compactness weight (default: 0.5 2)")
    decision(s)
    s.add_argument("-o", "--out", required=True, help="folder for zones.csv, plans.csv, reference.csv, "
                                                "priority_plan.gpkg and share_map.png")
    data(s)
    s.set_defaults(func=cmd_ensemble)

    s = sub.add_parser("profile", help="one A4 profile page per locality (spine chart, key figures, flags, map) "
                                       "in a multi-page PDF",
                       description="One A4 page per locality, in rank order: the decision against the rest of "
                                   "the council and against Scotland, each on its own line with its reasons; a "
                                   "spine chart of every indicator; and two columns giving each tested "
                                   "indicator's verdict against each comparator, in words and markers that "
                                   "read in greyscale.")
    s.add_argument("plan", help="plan: a saved GeoPackage, a CSV or spreadsheet of datazone,locality, or "
                                "locality polygons")
    s.add_argument("--layer", help="the layer of locality polygons, or the sheet of a workbook, where the plan's file holds several")
    s.add_argument("--council", help="council name or code (default: the plan's own; must agree with it)")
    s.add_argument("-o", "--out", required=True, help="PDF to write, e.g. profiles.pdf")
    s.add_argument("--flagged", action="store_true",
                   help="only the localities significantly poorer than the rest of the council or Scotland")
    decision(s)
    data(s)
    s.set_defaults(func=cmd_profile, suffixes={"out": (".pdf",)})
    return p


EXIT_INTERRUPTED = 130  # as a shell reports a process stopped by Ctrl-C


class _Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so that every ``finally`` removes its temporary files."""


def _on_sigterm(signum, frame):
    raise _Terminated


class _Outliving:
    """Standard output that outlives its reader: once the pipe is closed, what is printed
    goes nowhere and the command carries on (stdout is pointed at /dev/null, so the
    interpreter's last flush does not fail either)."""

    def __init__(self, stream):
        self._stream = stream
        self.gone = False

    def write(self, text: str) -> int:
        if not self.gone:
            try:
                return self._stream.write(text)
            except BrokenPipeError:
                self._close()
        return len(text)

    def flush(self) -> None:
        if not self.gone:
            try:
                self._stream.flush()
            except BrokenPipeError:
                self._close()

    def _close(self) -> None:
        self.gone = True
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self._stream.fileno())
            os.close(devnull)
        except (OSError, ValueError):  # not a real file (a test's capture): nothing to point
            pass

    def __getattr__(self, name):
        return getattr(self._stream, name)


def _wrong_suffix(args) -> str | None:
    """The message for an output whose file type the command cannot write (``rank --out
    r.txt``), or None; told before the work (the profile command said it after 2.6 s of
    imports and reading the plan)."""
    for name, allowed in getattr(args, "suffixes", {}).items():
        value = getattr(args, name, None)
        suffix = Path(value or "").suffix.lower()
        if value and suffix not in allowed and not (suffix == ".json" and ".geojson" in allowed):
            listed = ", ".join(allowed[:-1]) + f" or {allowed[-1]}" if len(allowed) > 1 else allowed[0]
            return f"{value}: --{name} must end in {listed}"
    return None


def _outputs_writable(args) -> None:
    """Refuse, before the work, an output that is the plan being read (`rank plan.xlsx --out
    plan.xlsx` replaced the analyst's sheets with the ranking, and the next `check` read that
    as a plan), of a type the command cannot write, or that cannot be written (a whole ranking
    was printed, then "cannot write")."""
    read = [Path(getattr(args, i)).resolve() for i in _INPUTS if getattr(args, i, None)]
    outputs = {name: getattr(args, name) for name in ("out", "table", "dest") if getattr(args, name, None)}
    for name, value in outputs.items():
        if name != "dest" and Path(value).resolve() in read:
            raise LocalitiesError(f"--{name} {value} is the plan being read: give another file name")
    wrong = _wrong_suffix(args)
    if wrong:
        raise LocalitiesError(wrong)
    from .export import probe_writable  # here: a wrong name above is told without loading geopandas

    for name, value in outputs.items():
        # Folders: demo's and ensemble's --out, propose --council all's, download's --dest.
        folder = name == "dest" or name == "out" and (args.command in ("demo", "ensemble")
                                                      or (getattr(args, "council", None) or "").lower() == "all")
        probe_writable(value, folder=folder)
    for name in ("out", "table"):
        # A folder made without a word hid a mistyped path (/nonexistent/dir/x.pdf: "wrote ...").
        # Said once it can be made (under /proc it said so, then "cannot write").
        value = getattr(args, name, None)  # ensemble's --out is itself a folder
        if value and args.command != "ensemble" and Path(value).suffix and not Path(value).parent.exists():
            print(f"note: folder {Path(value).parent} does not exist: it will be made for --{name} {value}",
                  file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    import gc
    import signal
    import threading
    import warnings

    from .errors import DownloadError, plain

    p = parser()
    args = p.parse_args(argv)
    if getattr(args, "dpi", None) is not None and not 20 <= args.dpi <= 2400:
        print(f"localities: --dpi must be between 20 and 2400, not {args.dpi}", file=sys.stderr)
        return EXIT_INPUT
    empty = [f"--{name.replace('_', '-')}" if name not in ("plan", "a", "b") else f"the {name} argument"
             for name in ("out", "table", "dest", "data_dir", "population", "plan", "a", "b")
             if getattr(args, name, None) == ""]
    if empty:  # an unset shell variable: --out "" read as the current folder, "."; a plan '' read the folder
        what = "file or folder" if empty[0] in ("--out", "--dest", "--data-dir") else "file"
        print(f"localities: {empty[0]} is empty: give a {what} name", file=sys.stderr)
        return EXIT_INPUT
    previous = None
    # A library warning is one line, as every message of the command line is, not Python's
    # "file.py:241: UserWarning: ..." with a line of source under it.
    shown = warnings.showwarning
    warnings.showwarning = lambda message, category, *rest, **kw: print(
        f"warning: {plain(str(message))}", file=sys.stderr)
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _on_sigterm)
    # A command is a short run among many long-lived objects (pandas, geopandas, matplotlib):
    # the default thresholds start full collections that walk them all, ~10% of a map's time.
    # Collect young objects in larger batches and rarely the old ones; restored afterwards.
    thresholds = gc.get_threshold()
    gc.set_threshold(10_000, 20, 20)
    # Notes printed name options as typed; a saved plan's notes (printed by check, rank, ...)
    # were written by propose, so its options too ("towns=False": --divide-towns).
    args.option_names = {**_options(p, "propose"), **_options(p, args.command)}
    # A reader that goes away (`localities rank plan.gpkg --out r.xlsx | head -2`) stops the
    # printing, not the command: its files are still written (they were not, with exit 0).
    # Standard error too: a progress bar's write into a closed pipe stopped `demo ... 2>&1 | head -1`
    # with its folder empty. A stream that is not there at all (`>&-`) is left alone.
    streams = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = (None if s is None else _Outliving(s) for s in streams)
    try:
        _outputs_writable(args)  # before the imports and the data: a mistyped name is told at once
        code = args.func(args)
        if sys.stdout is not None:
            sys.stdout.flush()  # inside the try: a closed pipe shows here when stdout is buffered
        return code
    except KeyboardInterrupt as exc:
        print(f"localities: {'terminated' if isinstance(exc, _Terminated) else 'interrupted'}; "
              "no partial file left", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`localities rank plan.gpkg | head`): not an error. Point
        # stdout at /dev/null so the interpreter's final flush does not raise again.
        if sys.stdout is not None:
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
        typed = [getattr(args, name, None) for name in _PATHS]
        print(f"localities: {_in_options(str(exc), _options(p, args.command), keep=typed)}", file=sys.stderr)
        return EXIT_INPUT
    except Exception as exc:  # a bug: its own exit code, not 1 ("the plan does not comply")
        if os.environ.get("LOCALITIES_DEBUG"):
            raise
        print(f"localities: internal error, a bug in localities ({type(exc).__name__}: {clip(str(exc), 200)}); "
              "please report it with the command; LOCALITIES_DEBUG=1 shows the traceback", file=sys.stderr)
        return EXIT_BUG
    finally:
        warnings.showwarning = shown
        sys.stdout, sys.stderr = streams
        gc.set_threshold(*thresholds)
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":
    sys.exit(main())
