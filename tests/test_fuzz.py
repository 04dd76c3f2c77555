"""Fuzzing the CSV and plan readers: whatever the bytes, they return a result or raise the
library's own documented errors (LocalitiesError: DataError, PlanError), never anything else."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import localities as loc
from localities.errors import LocalitiesError
from localities.load import load_lookup

SAMPLE = Path(loc.__file__).resolve().parents[1] / "data" / "sample"
EXAMPLES = int(os.environ.get("LOCALITIES_FUZZ_EXAMPLES", "150"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def dz():
    return loc.load_datazones(data_dir=SAMPLE)


def _codes():
    sample = load_lookup(2011, data_dir=SAMPLE)["datazone"].tolist()
    return st.one_of(
        st.sampled_from(sample),
        st.sampled_from(sample).map(lambda c: f" {c.lower()} "),
        st.from_regex(r"S0[0-9]{7}", fullmatch=True),
        st.text(max_size=12),
        st.just(""),
    )


def _cell():
    return st.one_of(st.text(max_size=15), st.integers(-10**6, 10**6).map(str), st.sampled_from(["*", "..", "NA", "", '"', ",", "\n"]))


@st.composite
def csv_texts(draw):
    header = draw(st.one_of(
        st.sampled_from(["datazone,locality", "DataZone,Locality,name", "DZ,locality_name", "dz11_code,locality",
                         "datazone", "locality", "a,b", ""]),
        st.lists(st.text(max_size=10), min_size=1, max_size=4).map(",".join)))
    rows = draw(st.lists(st.tuples(_codes(), _cell(), _cell()), max_size=30))
    body = "\n".join(f"{c},{a},{b}" if draw(st.booleans()) else f'"{c}","{a}"' for c, a, b in rows)
    return header + "\n" + body


def _write(data: bytes | str, suffix: str) -> Path:
    fd, name = tempfile.mkstemp(suffix=suffix)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data)
    return Path(name)


def _only_our_errors(call):
    try:
        call()
    except LocalitiesError:
        pass


@FUZZ
@given(text=csv_texts(), encoding=st.sampled_from(["utf-8", "cp1252", "utf-16"]))
def test_csv_plan_reader(dz, text, encoding):
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode("utf-8", "replace")
    path = _write(data, ".csv")
    try:
        _only_our_errors(lambda: loc.read_plan(path, dz))
    finally:
        path.unlink()


@FUZZ
@given(data=st.binary(max_size=2048), suffix=st.sampled_from([".csv", ".gpkg", ".geojson", ".shp", ".xlsx"]))
def test_plan_reader_on_random_bytes(dz, data, suffix):
    path = _write(data, suffix)
    try:
        _only_our_errors(lambda: loc.read_plan(path, dz))
    finally:
        path.unlink()


@FUZZ
@given(text=csv_texts())
def test_population_csv_reader(text):
    path = _write(text.replace("locality", "population"), ".csv")
    try:
        _only_our_errors(lambda: loc.load_population(str(path)))
    finally:
        path.unlink()


@FUZZ
@given(features=st.lists(st.tuples(_codes(), _cell(), st.floats(-1e7, 1e7), st.floats(-1e7, 1e7)) | st.tuples(
           _codes(), _cell(), st.floats(150_000, 350_000), st.floats(750_000, 1_000_000)), max_size=6),
       crs=st.sampled_from(['"EPSG:4326"', '"urn:ogc:def:crs:EPSG::27700"', '"nonsense"']))
def test_geojson_plan_reader(dz, features, crs):
    parts = []
    # Coordinates land in Highland (British National Grid) or anywhere; the CRS may be a lie.
    for code, name, x, y in features:
        ring = [[x, y], [x + 1000, y], [x + 1000, y + 1000], [x, y + 1000], [x, y]]
        parts.append('{"type":"Feature","properties":{"locality":%s,"datazone":%s},'
                     '"geometry":{"type":"Polygon","coordinates":[%s]}}' % (json.dumps(name), json.dumps(code), ring))
    text = '{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":%s}},"features":[%s]}' % (
        crs, ",".join(parts))
    path = _write(text, ".geojson")
    try:
        _only_our_errors(lambda: loc.read_plan(path, dz))
    finally:
        path.unlink()

