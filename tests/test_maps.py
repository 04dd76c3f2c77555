"""Maps rendered headless and checked as files: PDF pages, PNG size and content, SVG text, HTML tooltips."""

from __future__ import annotations

import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.image as mpimg  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import localities as loc  # noqa: E402
from localities import maps  # noqa: E402


@pytest.fixture(scope="module")
def sample():
    dz = loc.load_datazones()  # the embedded sample: Highland, with islands
    plan = loc.propose(dz, target_population=10_000, seed=0)
    return dz, plan, loc.rank(plan, dz)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def pdf_pages(data: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", data))


def test_choropleth_pdf_is_one_a4_vector_page(sample, tmp_path):
    _, _, table = sample
    fig = loc.plot_map(table, column="income_rate")
    assert tuple(round(x, 2) for x in fig.get_size_inches()) == (11.69, 8.27)
    path = maps.save_figure(fig, tmp_path / "income.pdf")
    data = path.read_bytes()
    assert data.startswith(b"%PDF") and pdf_pages(data) == 1
    assert b"/FontFile" in data or b"/Font" in data  # text kept as text, not rasterised
    assert b"/Subtype /Image" not in data  # vector: no embedded bitmap


def test_png_is_300_dpi_and_not_blank(sample, tmp_path):
    _, _, table = sample
    path = maps.save_figure(loc.plot_poorer(table), tmp_path / "poorer.png", dpi=300)
    image = mpimg.imread(path)
    height, width = image.shape[:2]
    assert (width, height) == (round(11.69 * 300), round(8.27 * 300)) or abs(width - 3507) <= 2
    rgb = image[..., :3].reshape(-1, 3)
    assert rgb.std() > 0.05
    assert (rgb.min(axis=1) < 0.9).mean() > 0.05  # a real share of the page is drawn, not white
    assert len(np.unique((rgb * 255).astype(np.uint8), axis=0)) > 20


def test_svg_carries_attribution_and_legend_title(sample, tmp_path):
    _, _, table = sample
    fig = loc.plot_map(table, column="income_rate")
    text = maps.save_figure(fig, tmp_path / "income.svg").read_text(encoding="utf-8")
    assert "Crown copyright" in text and "Open Government Licence" in text
    first_line = fig.attrs["legend_title"].splitlines()[0]
    assert first_line and first_line in text
    assert "income" in first_line.lower()


def test_significance_map_legend_names_the_comparator(sample, tmp_path):
    _, _, table = sample
    fig = loc.plot_map(table, column="income_rate", significance="scotland")
    text = maps.save_figure(fig, tmp_path / "sig.svg").read_text(encoding="utf-8")
    assert "compared with Scotland" in text and "95% CI" in text


def test_plan_without_ranking_maps_and_islands_stay_drawn(sample, tmp_path):
    dz, plan, _ = sample
    fig = loc.plot_map(plan)
    path = maps.save_figure(fig, tmp_path / "plan.png", dpi=50)
    assert mpimg.imread(path).shape[2] in (3, 4)
    # Highland's island zones are in the plan's localities, so on the map.
    assert len(plan.links) > 0  # islands were linked, and said so
    assert plan.localities.area.sum() == pytest.approx(dz.area.sum(), rel=1e-6)


def test_html_map_has_tooltips(sample, tmp_path):
    _, _, table = sample
    path = maps.save_html(loc.explore(table, column="income_rate"), tmp_path / "map.html")
    html = path.read_text(encoding="utf-8")
    assert "bindTooltip" in html or "GeoJsonTooltip" in html
    assert "income_rate" in html and table["name"].iloc[0] in html


def test_bad_map_requests_are_named(sample, tmp_path):
    _, _, table = sample
    with pytest.raises(loc.LocalitiesError, match="no_such"):
        loc.plot_map(table, column="no_such")
    with pytest.raises(loc.LocalitiesError, match=r"\.jpg"):
        maps.save_figure(loc.plot_map(table), tmp_path / "map.jpg")
