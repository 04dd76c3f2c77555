"""`localities download` against a local HTTP server on 127.0.0.1 serving the real
official files from ../shared/data/scotland under the official URL paths."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import os
import tempfile
import threading
import time
import urllib.parse
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

import localities as loc
from localities import sources
from localities.cli import EXIT_DOWNLOAD, EXIT_OK, main

from .conftest import need_real

KEYS = ["simd_indicators", "simd_ranks", "dz_lookup_2011"]


class Mirror:
    """A local stand-in for the official hosts: a request is answered with the file whose
    name ends its URL (path or query, unquoted); ``mode`` breaks it on purpose."""

    def __init__(self, root):
        self.files = {p.name: p for p in root.rglob("*") if p.is_file()}
        self.mode = "ok"
        self.requests: list[str] = []
        mirror = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                mirror.requests.append(self.path)
                if mirror.mode in ("redirect", "redirect-same") and not self.path.startswith("/moved/"):
                    # "localhost" is this same server under another host name: a cross-host redirect.
                    where = "localhost" if mirror.mode == "redirect" else "127.0.0.1"
                    self.send_response(302)
                    self.send_header("Location", f"http://{where}:{mirror.port}/moved{self.path}")
                    self.end_headers()
                    return
                name = urllib.parse.unquote(self.path).rsplit("/", 1)[-1]
                path = mirror.files.get(name)
                if path is None or mirror.mode == "404":
                    self.send_error(404)
                    return
                body = path.read_bytes()
                if mirror.mode == "corrupt":
                    body = body[:-1] + bytes([body[-1] ^ 1])
                if mirror.mode == "portal":  # a hotel wifi login page, with a cheerful 200
                    body = b"<!DOCTYPE html><html><body><form>Accept the terms to continue</form></body></html>"
                self.send_response(200)
                if mirror.mode.startswith("nolength") or mirror.mode == "slow":
                    self.send_header("Connection", "close")  # the body ends when the connection does
                    self.end_headers()
                    if mirror.mode == "slow":
                        for i in range(len(body)):
                            self.wfile.write(body[i:i + 1])
                            self.wfile.flush()
                            time.sleep(0.05)
                        return
                    self.wfile.write(body[: len(body) // 2] if mirror.mode == "nolength-truncate" else body)
                    self.wfile.flush()
                    self.connection.shutdown(2)
                    return
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if mirror.mode == "truncate":
                    self.wfile.write(body[: len(body) // 2])
                    self.wfile.flush()
                    self.connection.shutdown(2)
                    return
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture(scope="module")
def mirror():
    root = need_real("raw/simd2020v2_official_xlsx/SIMD+2020v2+-+indicators.xlsx",
                     "raw/sg_datazone_lookups_2024-12-16/DataZone2011lookup_2024-12-16.csv")
    server = Mirror(root)
    # The boundary zips are not in the shared data: a small real zip stands in for one.
    folder = Path(tempfile.mkdtemp())
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for i in range(20):
            archive.writestr(f"SG_DataZone_Bdry_2011.part{i}", os.urandom(20_000))
    name = sources.catalogue()["dz_boundaries_2011"].filename
    (folder / name).write_bytes(buffer.getvalue())
    server.files[name] = folder / name
    yield server
    server.server.shutdown()


@pytest.fixture(autouse=True)
def _healthy(mirror):
    mirror.mode = "ok"


def test_download_fetches_verified_official_files(mirror, tmp_path):
    written = loc.download(KEYS, dest=tmp_path, mirror=mirror.url)
    assert set(written) == set(KEYS)
    catalogue = sources.catalogue()
    for key, path in written.items():
        assert path.parent == tmp_path and path.name == catalogue[key].filename
        assert path.read_bytes() == mirror.files[path.name].read_bytes()
        if catalogue[key].sha256:
            assert hashlib.sha256(path.read_bytes()).hexdigest() == catalogue[key].sha256
    # The official path is kept, only the host changes.
    assert any("scottish-index-of-multiple-deprivation-2020-indicator-data" in r for r in mirror.requests)
    assert not list(tmp_path.glob("*.part"))


def test_downloaded_files_load(mirror, tmp_path):
    loc.download(["dz_lookup_2011"], dest=tmp_path, mirror=mirror.url)
    lookup = loc.load_lookup(2011, data_dir=tmp_path)
    assert len(lookup) == 6976 and lookup["council"].nunique() == 32


def test_into_the_user_cache_by_default(mirror, monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setenv("LOCALITIES_MIRROR", mirror.url)
    written = loc.download(["dz_lookup_2011"])
    assert written["dz_lookup_2011"].parent == tmp_path / "localities"
    assert sources.data_dir() == tmp_path / "localities"


def test_checksum_mismatch_is_refused_and_leaves_nothing(mirror, tmp_path):
    mirror.mode = "corrupt"
    with pytest.raises(loc.DownloadError, match="checksum mismatch"):
        loc.download(["simd_ranks"], dest=tmp_path, mirror=mirror.url)
    assert list(tmp_path.iterdir()) == []


def test_interrupted_download_keeps_the_previous_file(mirror, tmp_path):
    previous = tmp_path / sources.catalogue()["dz_lookup_2011"].filename
    previous.write_text("previous copy")
    mirror.mode = "truncate"
    with pytest.raises(loc.DownloadError, match="dz_lookup_2011.*stopped after"):
        # verify=False: the length check alone must catch it, for sources with no known checksum.
        loc.download(["dz_lookup_2011"], dest=tmp_path, mirror=mirror.url, verify=False)
    assert previous.read_text() == "previous copy"
    assert [p.name for p in tmp_path.iterdir()] == [previous.name]


def test_http_error_names_the_source_and_url(mirror, tmp_path):
    mirror.mode = "404"
    with pytest.raises(loc.DownloadError, match=r"simd_ranks.*127\.0\.0\.1.*404"):
        loc.download(["simd_ranks"], dest=tmp_path, mirror=mirror.url)


def test_offline_is_a_clear_error(tmp_path):
    with pytest.raises(loc.DownloadError, match="offline"):
        loc.download(["simd_ranks"], dest=tmp_path, mirror="http://127.0.0.1:9", timeout=5)


def test_manual_and_unknown_sources_say_where_to_go(tmp_path):
    with pytest.raises(loc.DownloadError, match="no direct download for: ward_boundaries_2022"):
        loc.download(["ward_boundaries_2022"], dest=tmp_path)
    with pytest.raises(loc.DownloadError, match="unknown source"):
        loc.download(["nope"], dest=tmp_path)


def test_cli_download_and_exit_codes(mirror, tmp_path, capsys):
    assert main(["download", "dz_lookup_2011", "--dest", str(tmp_path), "--mirror", mirror.url]) == EXIT_OK
    assert "DataZone2011lookup" in capsys.readouterr().out
    assert main(["download", "simd_ranks", "--dest", str(tmp_path), "--mirror", "http://127.0.0.1:9"]) == EXIT_DOWNLOAD
    assert "download failed" in capsys.readouterr().err
    assert main(["download", "--list"]) == EXIT_OK
    assert "manual" in capsys.readouterr().out


# ---------------------------------------------------------------- hostile servers and catalogues

def _previous(tmp_path, key):
    previous = tmp_path / sources.catalogue()[key].filename
    previous.write_text("previous copy")
    return previous


@pytest.mark.parametrize("key, message", [("dz_boundaries_2011", "not a readable zip"),
                                          ("dz_lookup_2011", "cut short")])
def test_cut_short_without_content_length_is_refused(mirror, tmp_path, key, message):
    previous = _previous(tmp_path, key)
    mirror.mode = "nolength-truncate"
    with pytest.raises(loc.DownloadError, match=f"{key}.*{message}"):
        loc.download([key], dest=tmp_path, mirror=mirror.url, verify=False)  # no checksum to catch it
    assert previous.read_text() == "previous copy"
    assert [p.name for p in tmp_path.iterdir()] == [previous.name]


def test_without_content_length_a_whole_file_is_accepted_with_a_progress_bar(mirror, tmp_path, monkeypatch, capsys):
    mirror.mode = "nolength"
    monkeypatch.setenv("LOCALITIES_PROGRESS", "1")  # draw the bar although stderr is not a terminal
    assert main(["download", "dz_boundaries_2011", "dz_lookup_2011", "--dest", str(tmp_path),
                 "--mirror", mirror.url]) == EXIT_OK
    err = capsys.readouterr().err
    assert "SG_DataZoneBdry_2011.zip" in err and "Traceback" not in err
    assert zipfile.ZipFile(tmp_path / "SG_DataZoneBdry_2011.zip").testzip() is None


def test_captive_portal_page_is_not_saved_as_the_zip(mirror, tmp_path):
    mirror.mode = "portal"
    for key in ("dz_boundaries_2011", "simd_ranks", "dz_lookup_2011"):
        with pytest.raises(loc.DownloadError, match=f"{key}: .*web page"):
            loc.download([key], dest=tmp_path, mirror=mirror.url, verify=False)
    assert list(tmp_path.iterdir()) == []


def test_redirect_to_another_host_is_refused_unless_the_catalogue_allows_it(mirror, tmp_path, monkeypatch):
    mirror.mode = "redirect"
    with pytest.raises(loc.DownloadError, match="dz_lookup_2011: .*redirects to another host .*localhost"):
        loc.download(["dz_lookup_2011"], dest=tmp_path, mirror=mirror.url)
    assert list(tmp_path.iterdir()) == []
    assert not any(r.startswith("/moved/") for r in mirror.requests)  # never fetched from the other host
    mirror.mode = "redirect-same"  # same host, new path: followed
    assert loc.download(["dz_lookup_2011"], dest=tmp_path, mirror=mirror.url)["dz_lookup_2011"].exists()
    mirror.mode = "redirect"
    allowed = {k: dataclasses.replace(s, redirect_hosts=("localhost",)) for k, s in sources.catalogue().items()}
    monkeypatch.setattr(sources, "catalogue", lambda path=None: allowed)
    assert loc.download(["dz_lookup_2011"], dest=tmp_path, mirror=mirror.url)["dz_lookup_2011"].exists()


def test_overall_deadline(mirror, tmp_path):
    mirror.mode = "slow"  # a byte every 50 ms: each read is quick, the whole would take hours
    started = time.monotonic()
    with pytest.raises(loc.DownloadError, match="did not finish within the deadline"):
        loc.download(["dz_lookup_2011"], dest=tmp_path, mirror=mirror.url, deadline=1, timeout=5)
    assert time.monotonic() - started < 5
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(loc.DownloadError, match="deadline must be"):
        loc.download(["dz_lookup_2011"], dest=tmp_path, mirror=mirror.url, deadline=0)


def test_downloaded_files_have_the_usual_mode(mirror, tmp_path):
    old = os.umask(0o022)
    try:
        path = loc.download(["dz_lookup_2011"], dest=tmp_path, mirror=mirror.url)["dz_lookup_2011"]
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == 0o644  # not mkstemp's 0600


@pytest.mark.parametrize("name", ["../escaped.csv", "sub/../../escaped.csv", "/tmp/escaped.csv", ".."])
def test_catalogue_file_name_cannot_write_outside_dest(mirror, tmp_path, monkeypatch, name):
    dest = tmp_path / "dest"
    bad = {k: dataclasses.replace(s, filename=name) for k, s in sources.catalogue().items()}
    monkeypatch.setattr(sources, "catalogue", lambda path=None: bad)
    asked = len(mirror.requests)
    with pytest.raises(loc.DownloadError, match="would write outside"):
        loc.download(["dz_lookup_2011"], dest=dest, mirror=mirror.url, verify=False)
    assert not (tmp_path / "escaped.csv").exists() and not dest.exists()
    assert len(mirror.requests) == asked  # nothing is fetched before the names are checked
