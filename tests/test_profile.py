"""Locality profiles: one A4 page per locality with a spine chart, key figures, flags
and reasons, a small map and the attribution; written as a multi-page vector PDF."""

from __future__ import annotations

import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import localities as loc  # noqa: E402
from localities import cli  # noqa: E402
from localities.namelists import said  # noqa: E402
from localities.profile import DOT_STYLES, spine_rows  # noqa: E402

from .test_maps import pdf_fonts, pdf_text  # noqa: E402


@pytest.fixture(scope="module")
def sample():
    dz = loc.load_datazones()
    plan = loc.propose(dz, target_population=20_000, seed=0)
    return dz, plan, loc.rank(plan, dz)


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def pages(data: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", data))


def test_profile_is_one_a4_page_with_every_indicator(sample):
    _, _, table = sample
    fig = loc.profile(table, locality=table["name"].iloc[0])
    assert tuple(round(x, 2) for x in fig.get_size_inches()) == (8.27, 11.69)
    spine = fig.attrs["spine"]
    indicators = [c for c in loc.SIMD if c in table]
    assert list(spine["indicator"]) == indicators
    assert not spine["label"].str.contains("_").any()  # human labels, not column names
    texts = " ".join(t.get_text() for ax in fig.axes for t in ax.texts) + " ".join(t.get_text() for t in fig.texts)
    assert table["name"].iloc[0] in texts and "Crown copyright" in texts and "Why" in texts
    assert "Income deprivation (%)" in texts and "%" in texts
    assert {ax.get_gid() for ax in fig.axes} >= {"spine", "profile_map"}


def test_spine_reads_worse_to_the_left_within_the_councils_range(sample):
    _, _, table = sample
    for idx in table.index[:3]:
        spine = spine_rows(table, idx).dropna(subset=["x_value"])
        worse = np.where(spine["indicator"].map(lambda n: loc.SIMD[n].higher_is_worse),
                         spine["value"] > spine["scotland"], spine["value"] < spine["scotland"])
        assert (spine.loc[worse, "x_value"] < 0).all() and (spine.loc[~worse & (spine["value"] != spine["scotland"]),
                                                                       "x_value"] > 0).all()
        # The locality is one of the council's localities: its dot lies on the bar.
        assert ((spine["x_value"] >= spine["x_lo"] - 1e-9) & (spine["x_value"] <= spine["x_hi"] + 1e-9)).all()
        assert spine["x_value"].abs().max() <= 1.0


@pytest.mark.realdata
def test_a_dot_at_the_spines_edge_is_far_from_scotland(council_zones):
    # Orkney as one locality: each indicator was scaled by that locality's own gap from
    # Scotland, so every dot sat at an edge, alcohol stays of 100 (Scotland 100) included.
    # The scale is at least a quarter of Scotland's value each side.
    dz = council_zones["Orkney Islands"]
    table = loc.rank(loc.propose(dz), dz)
    spine = spine_rows(table, table.index[0]).dropna(subset=["x_value"])
    gap = (spine["value"] / spine["scotland"] - 1).abs()
    assert (spine["x_value"].abs() <= 4 * gap + 1e-9).all(), spine.loc[spine["x_value"].abs() > 4 * gap,
                                                                      ["indicator", "value", "scotland", "x_value"]]
    alcohol = spine.set_index("indicator").loc["alcohol"]
    assert abs(alcohol["x_value"]) < 0.05
    assert spine["x_value"].abs().max() <= 1.0


@pytest.mark.realdata
def test_a_spine_with_no_range_shows_how_far_each_value_is(council_zones):
    # Na h-Eileanan Siar at the default is one locality: its "range" is its own value, and
    # every dot sat at an edge, central heating at x1.28 Scotland where drive time to a
    # retail centre at x3.0 did; the key listed a range and a rest of the council not drawn.
    # Edges at twice Scotland's value and zero; beyond them, an arrowhead at the edge.
    dz = council_zones["Na h-Eileanan Siar"]
    table = loc.rank(loc.propose(dz), dz)
    assert len(table) == 1
    spine = spine_rows(table, table.index[0]).set_index("indicator")
    heating, retail = spine.loc["nocentralheat_rate"], spine.loc["drive_retail"]
    assert heating["x_value"] == pytest.approx(-(heating["value"] / heating["scotland"] - 1))
    assert not heating["beyond"] and retail["beyond"] and retail["x_value"] == -1.0
    assert spine["x_lo"].isna().all() and spine["x_value"].abs().max() <= 1.0
    fig = loc.profile(table, locality=table["name"].iloc[0])
    chart = next(lg for lg in fig.legends if lg.get_gid() == "chart")
    keys = [t.get_text() for t in chart.get_texts()]
    assert not any("Range across" in k or "Middle half" in k or k.startswith("Rest of") for k in keys)
    assert any("twice Scotland's value" in k for k in keys)
    ax = next(a for a in fig.axes if a.get_gid() == "spine")
    arrows = [c for c in ax.collections if (c.get_gid() or "").startswith("dot:")
              and c.get_offsets()[0][0] == -1.0]
    assert len(arrows) == int((spine["beyond"] & (spine["x_value"] < 0)).sum()) >= 5
    assert all(c.get_gid().endswith(" beyond") for c in arrows)  # drawn as arrowheads, not dots
    assert [c for c in ax.collections if c.get_gid() == "edges"]  # past edges drawn (Orkney: floating)


@pytest.mark.realdata
def test_the_rest_of_the_council_beyond_the_edge_says_so(council_zones):
    # Orkney at 10,000 is two localities: the rest of the council's drive time to a retail
    # centre, x6.3 Scotland's, sat at the edge as if it were twice Scotland's.
    dz = council_zones["Orkney Islands"]
    table = loc.rank(loc.propose(dz, target_population=10_000), dz)
    assert len(table) == 2
    spine = spine_rows(table, table.index[0]).set_index("indicator")
    retail = spine.loc["drive_retail"]
    assert retail["rest"] / retail["scotland"] > 2 and retail["rest_beyond"] and retail["x_rest"] == -1.0
    fig = loc.profile(table, locality=table["name"].iloc[0])
    ax = next(a for a in fig.axes if a.get_gid() == "spine")
    beyond = [c for c in ax.collections if c.get_gid() == "rest: beyond"]
    assert len(beyond) == int(spine["rest_beyond"].sum()) >= 3
    assert all(c.get_offsets()[0][0] < -1 for c in beyond if c.get_offsets()[0][0] < 0)


def test_profile_of_a_plan_and_bad_requests(sample):
    dz, plan, table = sample
    fig = loc.profile(plan, dz, locality=table["locality"].iloc[1])
    assert fig.attrs["locality"] == table["locality"].iloc[1]
    with pytest.raises(loc.LocalitiesError, match="zone table"):
        loc.profile(plan)
    with pytest.raises(loc.LocalitiesError, match="no locality 'Atlantis'; give a locality code, name or rank"):
        loc.profile(table, locality="Atlantis")
    # Part of a name: West Dunbartonshire's "Dumbarton" was told of eight other localities,
    # without "Dumbarton and Bowling".
    name = table["name"].iloc[-1]
    with pytest.raises(loc.LocalitiesError, match=f"did you mean {re.escape(repr(name))}"):
        loc.profile(table, locality=name[: len(name) // 2 + 2].lower())
    with pytest.raises(loc.LocalitiesError, match=r"\.pdf"):
        loc.save_profiles(table, "profiles.docx")


def test_save_profiles_writes_one_vector_page_per_locality(sample, tmp_path):
    _, _, table = sample
    flagged = table[table["poorer_than_rest"] | table["poorer_than_scotland"]]
    assert 0 < len(flagged) < len(table)
    path = loc.save_profiles(table, tmp_path / "flagged.pdf", flagged=True)
    data = path.read_bytes()
    assert data.startswith(b"%PDF") and pages(data) == len(flagged)
    assert b"/Subtype /Image" not in data  # vector
    fonts = pdf_fonts(path)  # searchable text: embedded, subset, with a Unicode map (pdftotext fails or skips)
    assert fonts and all(f["emb"] == f["sub"] == f["uni"] == "yes" for f in fonts), fonts
    text = pdf_text(path)
    for name in flagged["name"]:
        assert name.split()[0] in text
    assert "Open Government Licence" in text and "Why" in text
    chosen = list(table["name"].iloc[[-1, 0]])
    path = loc.save_profiles(table, tmp_path / "two.pdf", localities=chosen)
    assert pages(path.read_bytes()) == 2


def test_profile_command(sample, tmp_path, capsys):
    _, plan, _ = sample
    gpkg = tmp_path / "plan.gpkg"
    plan.to_file(gpkg)
    out = tmp_path / "profiles.pdf"
    assert cli.main(["profile", str(gpkg), "--out", str(out), "--flagged"]) == 0
    assert out.exists() and pages(out.read_bytes()) >= 1
    assert "wrote" in capsys.readouterr().out
    assert cli.main(["profile", str(gpkg), "--out", str(tmp_path / "profiles.png")]) == 2


def _dots(fig) -> dict[int, object]:
    """The locality's dot on each row of the spine chart: row -> PathCollection (not the
    markers of the two "compared with" columns)."""
    spine_ax = next(ax for ax in fig.axes if ax.get_gid() == "spine")
    return {round(float(c.get_offsets()[0][1])): c for c in spine_ax.collections
            if len(c.get_offsets()) == 1 and str(c.get_gid()).startswith("dot: ")}


def _legend(fig, gid):
    return next(lg for lg in fig.legends if lg.get_gid() == gid)


def test_profile_dots_for_not_different_and_no_interval_differ_in_shape(sample):
    # Both were grey circles (#d9d9d9 filled, white hollow): the same in a greyscale print.
    _, _, table = sample
    table = table.copy()
    idx = table.index[0]
    tested = [c[: -len("_vs_scotland")] for c in table.columns if c.endswith("_vs_scotland")]
    table.loc[idx, f"{tested[0]}_vs_scotland"] = "not different"
    fig = loc.profile(table, locality=table.at[idx, "locality"])
    spine = fig.attrs["spine"]
    dots = _dots(fig)
    tested_verdicts = ["worse", "slightly worse", "not different", "slightly better", "better"]
    verdicts = spine["vs_scotland"].where(spine["vs_scotland"].isin(tested_verdicts), "no interval")
    rows = {v: [i for i in dots if verdicts[i] == v] for v in ("not different", "no interval")}
    assert rows["not different"] and rows["no interval"], rows

    def shape(i):
        return np.round(dots[i].get_paths()[0].vertices, 3).tobytes()

    assert shape(rows["not different"][0]) != shape(rows["no interval"][0])
    # Every dot of one verdict has the same shape and fill.
    for found in rows.values():
        assert len({shape(i) for i in found}) == 1
    # The key names each verdict with the marker drawn for it.
    legend = _legend(fig, "verdicts")
    markers = {t.get_text(): getattr(h, "get_marker", lambda: None)()
               for t, h in zip(legend.get_texts(), legend.legend_handles)}
    from localities.profile import VERDICT_KEYS as keys
    assert markers[keys["not different"]] != markers[keys["no interval"]]
    assert {keys[v] for v in ("worse", "slightly worse", "slightly better", "better")} <= set(markers)


def test_the_count_of_worse_indicators_says_which_were_tested(sample):
    # "5 of 6 tested" beside a chart of 27 rows left a board asking about the other 21 (a new
    # user's trial, Dumfries and Galloway): the line says which are tested and why not the rest.
    _, _, table = sample
    fig = loc.profile(table, locality=table["locality"].iloc[0])
    spine = fig.attrs["spine"]
    tested = int(spine["vs_scotland"].isin(["worse", "slightly worse", "not different", "slightly better",
                                            "better"]).sum())
    assert 0 < tested < len(spine)
    said = " ".join(" ".join(t.get_text().split()) for t in fig.texts)
    assert f"(the {tested} of {len(spine)} published as counts are tested)" in said
    assert "tested" not in " ".join(t.get_text() for t in fig.texts if t.get_fontweight() in ("bold", 700))
    plt.close(fig)


def test_profile_shows_every_indicator_name_in_full(sample):
    # Long names were cut: "16-19 year olds not in education, employment …".
    _, _, table = sample
    fig = loc.profile(table, locality=table["locality"].iloc[0])
    spine_ax = next(ax for ax in fig.axes if ax.get_gid() == "spine")
    labels = [t for t in spine_ax.texts if t.get_gid() == "indicator"]
    spine = fig.attrs["spine"]
    assert len(labels) == len(spine)
    shown = [t.get_text().replace("\n", " ") for t in labels]
    assert not any("…" in s for s in shown)
    from localities.spine import ROW_LABELS

    for s, label, name in zip(shown, spine["label"], spine["indicator"]):
        assert s == ROW_LABELS[name] if name in ROW_LABELS else s.startswith(label), (s, label)
    # Every row in one type size: three long names were set smaller on two lines (Angus).
    assert len({t.get_fontsize() for t in labels}) == 1 and not any("\n" in t.get_text() for t in labels)
    renderer = fig.canvas.get_renderer()
    values = [t for t in spine_ax.texts if t.get_gid() == "value"]
    assert len(values) == len(spine)
    value_left = min(t.get_window_extent(renderer).x0 for t in values)
    boxes = [t.get_window_extent(renderer) for t in labels]
    assert all(b.x1 < value_left for b in boxes)  # no name runs into the locality's value
    assert min(t.get_fontsize() for t in labels) >= 5.0  # still readable in print
    for a, b in zip(boxes, boxes[1:]):  # nor into the next row's name
        assert a.y0 > b.y1 - 0.5


def test_profile_without_indicators_still_draws(sample):
    # Fitting the names measures them against the values' column: with no indicator
    # there is nothing to fit (min() of no values raised).
    _, _, table = sample
    keep = [c for c in table.columns if not any(c == n or c.startswith(f"{n}_") for n in loc.SIMD)]
    fig = loc.profile(table[keep], locality=table["locality"].iloc[0])
    assert fig.attrs["spine"].empty


@pytest.mark.parametrize("name, council", [
    ("Kilmacolm, Quarriers, Greenock Upper East/Central and 1 more", "Inverclyde"),
    ("Hillyland, Tulloch and Inveralmond and 1 more", "Perth and Kinross"),
    ("Aberuthven, Almondbank, Methven, Dunning, Forteviot and Forgandenny and 3 more", "Na h-Eileanan Siar"),
])
def test_profile_caption_and_title_fit_the_page(sample, name, council):
    # The caption above the small map ran off the page: "Kilmacolm, Quarriers, Greenock
    # Upper East/Central and 1 more i" (Inverclyde at 8,000), "... and 1 more in Perth and
    # Kinros"; the page title was cut too.
    _, _, table = sample
    table = table.copy()
    table.attrs = {**table.attrs, "council": council}
    table.loc[table.index[0], "name"] = name
    fig = loc.profile(table, locality=table["locality"].iloc[0])
    renderer = fig.canvas.get_renderer()
    page = fig.bbox
    map_ax = next(ax for ax in fig.axes if ax.get_gid() == "profile_map")
    caption = map_ax._left_title  # set_title(loc="left")
    assert caption.get_text().replace("\n", " ") == f"{name} in {council}"  # the whole text, wrapped
    assert caption.get_text().count("\n") <= 1 and caption.get_fontsize() >= 6.0
    title = next(t for t in fig.texts if t.get_text() == name)
    assert title.get_fontsize() >= 9.0
    for text in [caption, *fig.texts]:
        box = text.get_window_extent(renderer)
        assert page.x0 <= box.x0 and box.x1 <= page.x1 - 0.3 * fig.dpi, (text.get_text(), box, page)
    cap = caption.get_window_extent(renderer)
    assert cap.y0 >= map_ax.get_window_extent(renderer).y1 - 1  # above the map, not on it
    for text in fig.texts:  # and clear of the title, subtitle and flag beside it
        if text.get_text().strip():
            assert not cap.overlaps(text.get_window_extent(renderer)), text.get_text()


def test_profile_short_caption_unchanged(sample):
    _, _, table = sample
    row = table.loc[table["name"].str.len().idxmin()]  # a short name: "Nairn"
    fig = loc.profile(table, locality=row["locality"])
    map_ax = next(ax for ax in fig.axes if ax.get_gid() == "profile_map")
    assert "\n" not in map_ax.get_title(loc="left") and map_ax._left_title.get_fontsize() == 7.5
    assert round(map_ax.get_position().height * fig.get_figheight(), 2) == 2.05
    assert next(t for t in fig.texts if t.get_text() == row["name"]).get_fontsize() == 17


# ---------------------------------------------------------------- the two comparators, said on the page

@pytest.fixture(scope="module")
def real_rankings(request):
    """Real councils at localities of about 10,000 people (seed 0), ranked: council -> table."""
    council_zones = request.getfixturevalue("council_zones")
    out = {}
    for council in ("Moray", "Shetland Islands", "Glasgow City"):
        dz = council_zones[council]
        out[council] = loc.rank(loc.propose(dz, target_population=10_000, seed=0), dz)
    return out


def _page_text(fig) -> str:
    texts = [t.get_text() for t in fig.texts] + [t.get_text() for ax in fig.axes for t in ax.texts]
    for legend in fig.legends:
        texts += [legend.get_title().get_text()] + [t.get_text() for t in legend.get_texts()]
    return " ".join(" ".join(texts).split())  # wrapped lines read as one


def _split_verdicts(table):
    """Localities whose decision differs between the two comparators."""
    return table[table["poorer_than_rest"] != table["poorer_than_scotland"]]


@pytest.mark.parametrize("council", ["Moray", "Shetland Islands", "Glasgow City"])
def test_profile_states_both_comparisons_where_they_differ(real_rankings, council):
    # A new user read "Poorer than the rest of the council only" above a spine chart whose
    # dots (coloured against Scotland) said "not different": nothing said that the two
    # compared with different things. Moray R04 (Elgin) at 10,000: worse than the rest of
    # Moray on income deprivation, not different from Scotland.
    table = real_rankings[council]
    split = _split_verdicts(table)
    assert len(split), f"no locality of {council} differs between the comparators"
    for idx in split.index[:2]:
        row = table.loc[idx]
        fig = loc.profile(table, locality=row["locality"])
        text = _page_text(fig)
        for c, where in (("rest", f"the rest of {council}"), ("scotland", "Scotland")):
            said = "significantly poorer" if row[f"poorer_than_{c}"] else "not flagged as poorer"
            assert f"Compared with {where}: {said}" in text, (row["name"], c, text[:600])
        # The key names both comparators, and which one the dot's colour is against.
        title = " ".join(_legend(fig, "verdicts").get_title().get_text().split())
        assert "Dot on the spine: the locality compared with Scotland" in title, title
        assert f"compared with the rest of {council}, and with Scotland" in title, title
        assert "dot: compared with Scotland" in text
        # Each tested indicator's verdict against each comparator is on its row, in words
        # (greyscale) and as a coloured marker; the dot carries the verdict against Scotland.
        spine_ax = next(ax for ax in fig.axes if ax.get_gid() == "spine")
        spine = fig.attrs["spine"]
        words = {(round(t.get_position()[1]), t.get_gid()): t.get_text() for t in spine_ax.texts
                 if str(t.get_gid()).startswith("vs_")}
        marks = {(round(float(m.get_offsets()[0][1])), m.get_gid()) for m in spine_ax.collections
                 if str(m.get_gid()).startswith("vs_")}
        dots = _dots(fig)
        tested = 0
        for i, r in spine.iterrows():
            for c in ("rest", "scotland"):
                key = (i, f"vs_{c}: {r[f'vs_{c}']}")
                assert key in words, key
                if r[f"vs_{c}"] in ("worse", "slightly worse", "not different", "slightly better", "better"):
                    tested += 1
                    assert key in marks, key
                    assert words[key] in ("worse", "sl. worse", "not diff.", "sl. better", "better")
            assert dots[i].get_gid().removesuffix(" beyond") == \
                f"dot: {r['vs_scotland'] if r['vs_scotland'] in DOT_STYLES else 'no interval'}"
        assert tested
        # Where the decision differs, some headline indicator's verdicts differ too, and both show.
        head = [h for h in table.attrs["headline"] if f"{h}_vs_rest" in table]
        assert any(row[f"{h}_vs_rest"] != row[f"{h}_vs_scotland"] for h in head)
        plt.close(fig)


def test_decision_lines_agree_with_the_flags_for_every_locality(real_rankings):
    from localities.profile import decision_lines

    for council, table in real_rankings.items():
        head = table.attrs["headline"]
        for idx in table.index:
            lines = decision_lines(table, idx)
            assert len(lines) == 2
            for line, c, where in zip(lines, ("rest", "scotland"), (f"the rest of {council}", "Scotland")):
                poorer = bool(table.at[idx, f"poorer_than_{c}"])
                assert line.startswith(f"Compared with {where}: {'significantly poorer' if poorer else 'not flagged as poorer'} (")
                # Each headline indicator with its verdict, and "worse" on one exactly when flagged.
                verdicts = [table.at[idx, f"{h}_vs_{c}"] for h in head]
                for h, v in zip(head, verdicts):
                    assert f"{loc.SIMD[h].label.lower()} {v}" in line, (line, h, v)
                assert poorer == ("worse" in verdicts)


@pytest.mark.realdata
def test_the_profile_of_a_whole_council_locality_says_there_is_no_rest(council_zones):
    # Orkney at the default is one locality: its profile read "Compared with the rest of
    # Orkney Islands: not flagged as poorer (income deprivation no comparator, employment
    # deprivation no comparator)" and "0 of 0 tested".
    from localities.profile import decision_lines

    dz = council_zones["Orkney Islands"]
    table = loc.rank(loc.propose(dz), dz)
    rest, scotland = decision_lines(table, table.index[0])
    assert rest == "Compared with the rest of Orkney Islands: nothing to compare with (this locality is the whole council)"
    assert scotland.startswith("Compared with Scotland: not flagged as poorer (income deprivation better")
    fig = loc.profile(table)
    texts = [t.get_text() for t in fig.texts]
    assert "0 of 0 tested" not in texts and "–" in texts
    caption = next(ax for ax in fig.axes if ax.get_gid() == "profile_map").get_title(loc="left")
    assert caption == "Orkney Islands (the whole council)"  # not "Orkney Islands in Orkney Islands"


@pytest.mark.realdata
def test_the_small_map_leaves_out_a_far_skerry(council_zones):
    # Orkney at the default (one locality): a skerry 60 km west, left off the council's map,
    # stretched the profile's small map, Orkney pushed to its right (a new user's trial).
    import shapely

    dz = council_zones["Orkney Islands"]
    table = loc.rank(loc.propose(dz), dz)
    fig = loc.profile(table)
    ax = next(a for a in fig.axes if a.get_gid() == "profile_map")
    x0, x1 = ax.get_xlim()
    mainland = max(shapely.get_parts(table.geometry.iloc[0]), key=lambda g: g.area).centroid
    assert abs(mainland.x - (x0 + x1) / 2) < 0.1 * (x1 - x0)
    plt.close(fig)


@pytest.mark.realdata
def test_a_whole_council_locality_is_not_called_no_in_the_tables(council_zones):
    # Shetland at the default, one locality: the workbook's Summary said "Significantly
    # poorer than the rest of Shetland Islands: No" while its profile said there was no rest.
    from localities.export import ranking_summary
    from localities.labels import for_people

    dz = council_zones["Shetland Islands"]
    table = loc.rank(loc.propose(dz), dz)
    assert len(table) == 1
    summary = ranking_summary(table).iloc[0]
    assert summary["Significantly poorer than the rest of Shetland Islands"] == "n/a (the whole council)"
    assert summary["Significantly poorer than Scotland"] == "No"
    assert summary["Why"].startswith("Not significantly poorer: income deprivation")  # a sentence in its cell
    assert table["reasons"].iloc[0].startswith("not significantly poorer")  # the data as it was
    people = for_people(table).iloc[0]
    assert people["Significantly poorer than the rest of the council"] == "n/a (the whole council)"
    assert people["Indicators worse than the rest of the council"] == "n/a (the whole council)"
    assert people["Income deprivation: coverage (% of people with data)"] == 100.0  # not 1.0, beside percentages
    several = loc.rank(loc.propose(dz, target_population=10_000), dz)
    assert set(ranking_summary(several).iloc[:-2, 5]) <= {"Yes", "No"}  # (the last two: council, Scotland)


@pytest.mark.parametrize("council, pick", [("Glasgow City", 0), ("Shetland Islands", 0), ("Moray", -1)])
def test_profile_page_with_both_comparisons_fits(real_rankings, council, pick):
    # The decision lines, the two verdict columns and the two-part key take room: on real
    # pages (27 indicators, long reasons, a long council name) nothing overlaps or leaves the page.
    table = real_rankings[council]
    fig = loc.profile(table, locality=table["locality"].iloc[pick])
    renderer = fig.canvas.get_renderer()
    page = fig.bbox
    texts = [t for t in fig.texts if t.get_text().strip()]
    map_ax = next(ax for ax in fig.axes if ax.get_gid() == "profile_map")
    boxes = [(t.get_text()[:40], t.get_window_extent(renderer)) for t in texts]
    boxes.append(("map", map_ax.get_window_extent(renderer)))
    boxes.append(("caption", map_ax._left_title.get_window_extent(renderer)))
    boxes += [(f"key {lg.get_gid()}", lg.get_window_extent(renderer)) for lg in fig.legends]
    spine_ax = next(ax for ax in fig.axes if ax.get_gid() == "spine")
    boxes.append(("spine", spine_ax.get_window_extent(renderer)))
    for name, box in boxes:
        assert page.x0 <= box.x0 and box.x1 <= page.x1 - 0.3 * fig.dpi and page.y0 <= box.y0 <= box.y1 <= page.y1, name
    for i, (a, box_a) in enumerate(boxes):
        for b, box_b in boxes[i + 1:]:
            assert not box_a.overlaps(box_b), (a, b)
    # The verdict columns end before the spine begins, and no column heading runs into another.
    spine_left = spine_ax.transData.transform((-1, 0))[0]
    column = [t for t in spine_ax.texts if str(t.get_gid()).startswith("vs_")]
    assert column and max(t.get_window_extent(renderer).x1 for t in column) < spine_left
    heads = [t.get_window_extent(renderer).padded(fig.dpi / 72) for t in spine_ax.texts  # 2 pt apart at least
             if t.get_position()[1] < -0.5 and t.get_text()]
    for i, a in enumerate(heads):
        for b in heads[i + 1:]:
            assert not a.overlaps(b)
    assert min(t.get_fontsize() for t in spine_ax.texts if t.get_gid() == "indicator") >= 5.0


@pytest.mark.realdata
def test_long_indicator_names_shrink_together_not_alone(council_zones):
    # Dumfries and Galloway's wards (rank 12): two names were set smaller, on two lines, in a
    # narrower name column; now every row takes the one size at which all fit on one line.
    dz = council_zones["Dumfries and Galloway"]
    table = loc.rank(loc.propose(dz, method="wards"), dz)
    fig = loc.profile(table, locality=12)
    spine_ax = next(ax for ax in fig.axes if ax.get_gid() == "spine")
    labels = [t for t in spine_ax.texts if t.get_gid() == "indicator"]
    assert len({t.get_fontsize() for t in labels}) == 1 and labels[0].get_fontsize() >= 6
    assert not any("\n" in t.get_text() for t in labels)


def test_wrap_measures_words_once_and_wraps_as_the_exact_greedy():
    # The profile's notes were wrapped by measuring every trial line (8 of a 20 s run for 15
    # pages); words are measured once now. The lines must be those of the exact greedy wrap.
    import matplotlib.pyplot as plt

    from localities.spine import _wrap

    fig = plt.figure(figsize=(8.27, 11.69))
    renderer = fig.canvas.get_renderer()
    note = ("Worse or better: a significant difference (a two-sample 95% interval: Newcombe for proportions, "
            "conditional binomial (ratio of two Poisson rates) for rates) that is also material (the larger value "
            "at least ×1.2 the smaller); slightly (sl.): significant, not material; not diff.: not significant.")
    for width, size in ((4.2, 8.5), (2.0, 7.0), (7.3, 5.8)):
        text = fig.text(0.1, 0.5, note, fontsize=size)
        n = _wrap(fig, text, width)
        lines = text.get_text().split("\n")
        limit = width * fig.dpi * 0.95
        expect, line = [], ""
        probe = fig.text(0.1, 0.2, "", fontsize=size)
        for word in note.split(" "):
            trial = f"{line} {word}" if line else word
            probe.set_text(trial)
            if line and probe.get_window_extent(renderer).width > limit:
                expect.append(line)
                line = word
            else:
                line = trial
        expect.append(line)
        assert lines == expect and n == len(expect)
    plt.close(fig)


def test_a_shortened_name_has_its_places_listed(sample):
    # Orkney at 10,000: "East Mainland, West Mainland and 2 more" hid Stromness and the isles,
    # on a page a board reads without the workbook's Places column.
    _, _, table = sample
    for idx, row in table.iterrows():
        places = row["places"].split("; ")
        texts = {t.get_gid(): t.get_text().replace("\n", " ") for t in loc.profile(table, locality=row["locality"]).texts}
        if " more" in row["name"]:
            assert texts["places"].startswith("Places (Intermediate Zones, most people first): ")
            assert all(p in texts["places"] for p in places) or texts["places"].endswith(" more")
        elif all(said(p, row["name"]) for p in places):
            assert "places" not in texts
        plt.close("all")


def test_a_long_list_of_places_says_how_many_it_leaves_out(sample):
    # Two lines at most, then "and N more" (the count, where "…" had said nothing of how many):
    # an analyst's locality of forty places.
    _, _, table = sample
    table = table.copy()
    places = [f"Place number {i}" for i in range(40)]
    table.loc[table.index[0], "places"] = "; ".join(places)
    row = table.loc[table.index[0]]
    text = next(t.get_text() for t in loc.profile(table, locality=row["locality"]).texts if t.get_gid() == "places")
    assert text.count("\n") <= 1
    shown = sum(p in text.replace("\n", " ") for p in places)
    assert shown < len(places) and text.replace("\n", " ").endswith(f" and {len(places) - shown} more")


def test_a_very_long_name_is_cut_on_the_page_not_off_it(sample):
    # An analyst's 130-character name ran off the profile page with no ellipsis, title and
    # map caption both; on the map's key an unbroken formula-like name ran over "People".
    _, _, table = sample
    table = table.copy()
    long = ("Barrhead and Neilston Community Regeneration Partnership Area " * 2
            + "=HYPERLINK(\"http://evil.example.com/a/very/long/path/to/click/here\")")
    table.loc[table.index[0], "name"] = long
    fig = loc.profile(table, locality=table.at[table.index[0], "locality"])
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    page = fig.bbox
    title = next(t for t in fig.texts if t.get_text().startswith("Barrhead"))
    box = title.get_window_extent(renderer)
    assert box.x1 <= page.x1 and title.get_text().endswith("…")
    for ax in fig.axes:
        t = ax.title if ax.get_title() else ax._left_title
        if t.get_text():
            assert t.get_window_extent(renderer).x1 <= page.x1, t.get_text()
    plt.close(fig)
    key = loc.plot_poorer(table)
    key.canvas.draw()
    texts = [t for ax in key.axes if ax.get_gid() == "key" for t in ax.texts]
    people = next(t for t in texts if t.get_text().strip() == "People").get_window_extent(key.canvas.get_renderer())
    for t in texts:
        if "HYPERLINK" in t.get_text() or "Barrhead" in t.get_text():
            assert t.get_window_extent(key.canvas.get_renderer()).x1 <= people.x0 + 2, t.get_text()
    plt.close(key)


def test_a_title_of_10000_characters_is_cut_in_a_few_measures(monkeypatch):
    """A plan naming a locality with 10,000 characters kept `localities profile` running for
    over 12 minutes: the title was cut one character at a time, measured at full length each
    time. It is cut in proportion to the overshoot, then by one."""
    import matplotlib.pyplot as plt
    from matplotlib.text import Text

    from localities.profile import _fit_width

    measured = []
    extent = Text.get_window_extent
    monkeypatch.setattr(Text, "get_window_extent", lambda self, *a, **k: measured.append(1) or extent(self, *a, **k))
    fig = plt.figure(figsize=(8.27, 11.69))
    title = fig.text(0.05, 0.95, "x" * 10_000, fontsize=17, fontweight="bold", va="top")
    assert _fit_width(fig, title, 7.5, smallest=9.0) == 1
    text = title.get_text()
    assert text.endswith("…") and 40 < len(text) < 200 and title.get_fontsize() == 9.0
    assert title.get_window_extent(fig.canvas.get_renderer()).width <= 7.5 * fig.dpi
    assert len(measured) < 100, len(measured)
    plt.close(fig)
