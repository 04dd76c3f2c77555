"""The worked notebooks run from top to bottom on the real data, and their outputs show
a map and the ranking table."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from .conftest import need_real

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


def test_there_are_the_worked_analyses():
    assert {p.stem for p in NOTEBOOKS} == {"glasgow_city", "argyll_and_bute", "dundee_city_ensemble",
                                             "key_table_and_profiles"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_and_shows_map_and_ranking(path, tmp_path, monkeypatch):
    data = need_real("boundaries/dz2011_scotland_geographr.gpkg", "tables/simd2020v2_indicators.csv")
    monkeypatch.setenv("LOCALITIES_DATA_DIR", str(data))
    monkeypatch.setenv("LOCALITIES_NOTEBOOK_OUT", str(tmp_path))
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    tables = [o for o in outputs if "<table" in o.get("data", {}).get("text/html", "")]
    assert len(images) >= 2, "the maps are shown"
    assert any("rank" in t["data"]["text/html"] and "income_rate" in t["data"]["text/html"] for t in tables)
    written = {p.suffix for p in tmp_path.iterdir()}
    assert {".gpkg"} <= written and written & {".pdf", ".svg", ".png"}
