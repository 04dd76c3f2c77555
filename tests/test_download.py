"""`localities download` against a local HTTP server on 127.0.0.1 serving the real
official files from ../shared/data/scotland under the official URL paths."""

from __future__ import annotations

import hashlib
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

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
                name = urllib.parse.unquote(self.path).rsplit("/", 1)[-1]
                path = mirror.files.get(name)
                if path is None or mirror.mode == "404":
                    self.send_error(404)
                    return
                body = path.read_bytes()
                if mirror.mode == "corrupt":
                    body = body[:-1] + bytes([body[-1] ^ 1])
                self.send_response(200)
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
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture(scope="module")
def mirror():
    root = need_real("raw/simd2020v2_official_xlsx/SIMD+2020v2+-+indicators.xlsx",
                     "raw/sg_datazone_lookups_2024-12-16/DataZone2011lookup_2024-12-16.csv")
    server = Mirror(root)
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
