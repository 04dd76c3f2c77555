"""Results kept between commands (localities.cache): served again only for the same inputs,
never from a damaged, foreign or half-written file, never an error when the cache cannot be
written, and off with LOCALITIES_CACHE=0."""

from __future__ import annotations

import os
import pickle

import pytest

from localities import cache, sources


@pytest.fixture()
def own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv(cache.ENV_VAR, raising=False)
    return cache.directory()


def counting(value):
    calls = []

    def make():
        calls.append(1)
        return value

    return make, calls


def test_made_once_then_loaded(own_cache):
    make, calls = counting({"a": [1, 2]})
    assert cache.remember("thing", "k1", make) == {"a": [1, 2]}
    assert cache.remember("thing", "k1", make) == {"a": [1, 2]}
    assert len(calls) == 1
    assert [f.name for f in own_cache.iterdir()] == ["thing_k1.pkl"]
    assert own_cache == sources.cache_dir() / "parsed"  # beside the downloads, as the zone table's
    # Another key (other data or code) is made again; None is a value like any other.
    assert cache.remember("thing", "k2", make) == {"a": [1, 2]} and len(calls) == 2
    none, none_calls = counting(None)
    assert cache.remember("nothing", "k", none) is None and cache.remember("nothing", "k", none) is None
    assert len(none_calls) == 1


@pytest.mark.parametrize("content", [b"", b"not a pickle at all", pickle.dumps({"a": 1})[:-3],
                                     pickle.dumps({"a": 1}),  # a bare value: an older format
                                     pickle.dumps(("localities-cache-1", "thing", "other-key", 5)),
                                     pickle.dumps(("localities-cache-1", "other", "k", 5))])
def test_damaged_or_foreign_files_are_ignored_and_made_again(own_cache, content):
    own_cache.mkdir(parents=True)
    (own_cache / "thing_k.pkl").write_bytes(content)
    make, calls = counting([3, 4])
    assert cache.remember("thing", "k", make) == [3, 4]
    assert len(calls) == 1
    assert cache.load("thing", "k") == [3, 4]  # rewritten whole


def test_stale_results_are_not_served(own_cache, tmp_path):
    data = tmp_path / "table.csv"
    data.write_text("a,b\n1,2\n")
    code = tmp_path / "maker.py"
    code.write_text("x = 1\n")
    key = cache.fingerprint("table", 1, files=[data], code=[code])
    assert key == cache.fingerprint("table", 1, files=[data], code=[code])
    cache.store("table", key, "old")
    data.write_text("a,b\n1,3\n")  # the data changed
    assert cache.fingerprint("table", 1, files=[data], code=[code]) != key
    os.utime(data, ns=(1, 1))  # only the time changed
    moved = cache.fingerprint("table", 1, files=[data], code=[code])
    code.write_text("x = 2\n")  # the code changed
    assert len({key, moved, cache.fingerprint("table", 1, files=[data], code=[code]),
                cache.fingerprint("table", 2, files=[data], code=[code])}) == 4
    assert cache.fingerprint("t", files=[tmp_path / "absent.csv"]) != cache.fingerprint("t")


def test_only_the_newest_files_of_a_kind_are_kept(own_cache):
    for i in range(cache.KEEP + 3):
        path = cache.store("thing", f"k{i}", i)
        os.utime(path, ns=(i * 10**9, i * 10**9))
    cache.store("other", "k", "kept")
    names = sorted(f.name for f in own_cache.iterdir())
    assert len([n for n in names if n.startswith("thing_")]) == cache.KEEP
    assert "other_k.pkl" in names and f"thing_k{cache.KEEP + 2}.pkl" in names and "thing_k0.pkl" not in names


def test_writes_are_atomic_and_failures_leave_nothing(own_cache, monkeypatch):
    cache.store("thing", "k", "first")

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    real_replace = os.replace
    monkeypatch.setattr(cache.os, "replace", broken_replace)
    make, _ = counting("second")
    assert cache.remember("thing", "k2", make) == "second"  # the value, not an error
    assert cache.store("thing", "k", "third") is None
    monkeypatch.setattr(cache.os, "replace", real_replace)
    assert cache.load("thing", "k") == "first"  # the old file untouched, no half-written one
    assert sorted(f.name for f in own_cache.iterdir()) == ["thing_k.pkl"]  # no temporary files left
    # A value that cannot be pickled: no file, no temporary file, the value still returned.
    assert cache.remember("thing", "k3", lambda: (lambda: 1))() == 1
    assert sorted(f.name for f in own_cache.iterdir()) == ["thing_k.pkl"]


def test_unwritable_cache_is_no_cache(own_cache, monkeypatch):
    own_cache.parent.mkdir(parents=True)
    own_cache.write_text("a file where the folder should be")
    make, calls = counting(7)
    assert cache.remember("thing", "k", make) == 7 and cache.remember("thing", "k", make) == 7
    assert len(calls) == 2


@pytest.mark.parametrize("off", ["0", "false", "No", " off "])
def test_switched_off(own_cache, monkeypatch, off):
    monkeypatch.setenv(cache.ENV_VAR, off)
    make, calls = counting(1)
    cache.remember("thing", "k", make)
    cache.remember("thing", "k", make)
    assert len(calls) == 2 and not own_cache.exists()
    assert not cache.enabled() and cache.store("thing", "k", 1) is None and cache.load("thing", "k", "none") == "none"


@pytest.mark.realdata
def test_locator_outlines_come_from_the_cache_the_second_time(own_cache, real_dir, monkeypatch):
    import geopandas.testing

    from localities import load, maps

    maps._councils.cache_clear()
    first = maps._councils(str(real_dir))
    assert first is not None and len(first) == 32
    assert len(list(own_cache.glob("council_outlines_*.pkl"))) == 1
    maps._councils.cache_clear()
    monkeypatch.setattr(load, "load_boundaries", lambda *a, **k: pytest.fail("read from disk again"))
    again = maps._councils(str(real_dir))
    geopandas.testing.assert_geodataframe_equal(first, again)
    maps._councils.cache_clear()
