"""Where the data lives: the catalogue of official sources, the data directory and downloads.

A *data directory* holds official files (or the derived copies described in
``shared/data/scotland/PROVENANCE.md``). It is chosen, first match wins, from:

1. the ``data_dir`` argument of a loader;
2. the ``LOCALITIES_DATA_DIR`` environment variable;
3. the user cache (``$XDG_CACHE_HOME/localities`` or ``~/.cache/localities``), where
   ``localities download`` puts the official files;
4. the small embedded sample in the project's ``data/sample`` (one council), so that
   the library runs with no data at all.
"""

from __future__ import annotations

import csv
import hashlib
import http.client
import io
import json
import os
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .errors import DataError, DownloadError, clip, noun

PROJECT_DATA = Path(__file__).resolve().parent.parent / "data"
SAMPLE_DIR = PROJECT_DATA / "sample"
ENV_VAR = "LOCALITIES_DATA_DIR"
MIRROR_ENV_VAR = "LOCALITIES_MIRROR"


@dataclass(frozen=True)
class Source:
    """One official source, as the catalogue ``data/sources.json`` describes it."""

    key: str
    title: str
    publisher: str
    url: str | None
    page: str
    filename: str
    sha256: str | None
    files: tuple[str, ...]
    attribution: str
    redirect_hosts: tuple[str, ...] = ()
    """Other hosts the publisher may redirect the download to (a redirect elsewhere is refused)."""


@cache
def catalogue(path: str | None = None) -> dict[str, Source]:
    """Read the catalogue of official sources (``data/sources.json`` by default)."""
    path = Path(path) if path else PROJECT_DATA / "sources.json"
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    return {
        key: Source(key=key, files=tuple(entry.pop("files")), redirect_hosts=tuple(entry.pop("redirect_hosts", ())), **entry)
        for key, entry in ((k, dict(v)) for k, v in raw["sources"].items())
    }


def cache_dir() -> Path:
    """The user cache that ``localities download`` fills."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "localities"


def data_dir(path: str | os.PathLike | None = None) -> Path:
    """Resolve the data directory (argument, environment, user cache, embedded sample).

    Raises
    ------
    DataError
        If a directory is named (argument or environment) but does not exist.
    """
    if path is not None:
        named, how = Path(path), "the data_dir argument"
    elif os.environ.get(ENV_VAR):
        named, how = Path(os.environ[ENV_VAR]), f"${ENV_VAR}"
    else:
        named = None
    if named is not None:
        if not named.is_dir():
            raise DataError(f"data directory {named} (from {how}) "
                            + ("is a file, not a folder" if named.exists() else "does not exist"))
        return named
    if any((cache_dir() / s.filename).exists() for s in catalogue().values()):
        return cache_dir()
    return SAMPLE_DIR


def is_sample(directory: Path) -> bool:
    """True when ``directory`` is the embedded one-council sample."""
    return Path(directory).resolve() == SAMPLE_DIR.resolve()


def find(key: str, directory: str | os.PathLike | None = None, required: bool = True) -> Path | None:
    """Path of the file for catalogue entry ``key`` in the data directory.

    Raises
    ------
    DataError
        If ``required`` and none of the entry's known file names is present; the message
        lists the names tried and where to get the file.
    """
    root = data_dir(directory)
    source = catalogue()[key]
    for name in source.files:
        if (root / name).exists():
            return root / name
    if not required:
        return None
    how = f"`localities download {key}`" if source.url else f"download it from {source.page}"
    raise DataError(
        f"no file for {source.title!r} in {root}: looked for {', '.join(source.files)}. "
        f"Use {how}, or point LOCALITIES_DATA_DIR at a directory that has it."
    )


def _mirrored(url: str, mirror: str | None) -> str:
    """Swap the scheme and host of an official URL for a mirror's (keeps the path)."""
    if not mirror:
        return url
    parts = urllib.parse.urlsplit(url)
    base = urllib.parse.urlsplit(mirror)
    return urllib.parse.urlunsplit((base.scheme, base.netloc, base.path.rstrip("/") + parts.path, parts.query, ""))


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class _SameHostRedirects(urllib.request.HTTPRedirectHandler):
    """Follow a redirect only to the host asked for (or one the catalogue allows)."""

    def __init__(self, source: Source, allowed: set[str]):
        self.source, self.allowed = source, allowed

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        host = urllib.parse.urlsplit(urllib.parse.urljoin(req.full_url, newurl)).hostname or ""
        if host.lower() not in self.allowed:
            raise DownloadError(
                f"{self.source.key}: {req.full_url} redirects to another host ({_short(newurl)}); refused. "
                f"If the publisher moved the file, add {host!r} to redirect_hosts of {self.source.key!r} in the catalogue"
            )
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _short(text: object, most: int = 200) -> str:
    return clip(text, most)


def _safe_target(target: Path, source: Source) -> Path:
    """``target / source.filename``, refusing a catalogue file name that leaves ``target``."""
    name = source.filename
    final = (target / name).resolve()
    if (not name or Path(name).is_absolute() or ".." in Path(name).parts or "\\" in name
            or final.parent != target.resolve()):
        raise DownloadError(f"{source.key}: catalogue file name {_short(name)!r} would write outside {target}; refused")
    return final


_HTML_START = (b"<!doctype html", b"<html", b"<head", b"<body", b"<?xml", b"<script")


def check_format(path: Path, name: str) -> None:
    """Refuse a downloaded file whose bytes are not what its name says: a web page (a
    captive portal or login page), a zip or workbook that does not open, a CSV that does
    not parse or whose last row is cut short.

    Raises
    ------
    DownloadError
        Naming the file and what arrived instead.
    """
    with open(path, "rb") as fh:
        head = fh.read(4096)
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    suffix = Path(name).suffix.lower()
    if start.startswith(_HTML_START) and suffix != ".html":
        raise DownloadError(f"{name}: received a web page (HTML), not the file: a captive portal, login or error page?")
    if suffix in (".zip", ".xlsx", ".xlsm"):
        try:
            with zipfile.ZipFile(path) as archive:
                bad = archive.testzip()
                members = set(archive.namelist())
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
            raise DownloadError(f"{name}: not a readable zip ({exc}); the download is incomplete or not the file") from exc
        if bad is not None:
            raise DownloadError(f"{name}: zip member {bad} is corrupt; the download is incomplete")
        if suffix != ".zip" and "xl/workbook.xml" not in members:
            raise DownloadError(f"{name}: a zip but not an Excel workbook (no xl/workbook.xml)")
    elif suffix == ".gpkg":
        if not head.startswith(b"SQLite format 3"):
            raise DownloadError(f"{name}: not a GeoPackage (no SQLite header)")
    elif suffix == ".csv":
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = raw.decode("cp1252")
            except UnicodeDecodeError as exc:
                raise DownloadError(f"{name}: not a text CSV ({exc})") from exc
        rows = [r for r in csv.reader(io.StringIO(text, newline="")) if r]
        if len(rows) < 2 or len(rows[0]) < 2:
            raise DownloadError(f"{name}: not a CSV table (fewer than two columns or no rows)")
        if len(rows[-1]) != len(rows[0]):
            raise DownloadError(f"{name}: the last row has {len(rows[-1])} fields, the header {len(rows[0])}: "
                                "the download was cut short")


def download(
    keys: list[str] | None = None,
    dest: str | os.PathLike | None = None,
    mirror: str | None = None,
    verify: bool = True,
    timeout: float = 60,
    progress=None,
    deadline: float | None = 1800,
) -> dict[str, Path]:
    """Fetch official sources into ``dest`` (the user cache by default).

    Each file is written to a temporary file beside its target and renamed into place
    only when complete and verified, so an interrupted download never leaves a
    half-written file where the loader would read it. Verified means: as long as the
    server said (when it said), the catalogue's SHA-256 (when known), and the format its
    name promises (a zip or workbook opens, a CSV parses to its last row, no web page in
    place of the file). Files get the usual permissions (``0666`` less the umask).

    Parameters
    ----------
    keys : list of str, optional
        Catalogue keys; all sources with a direct URL when omitted.
    dest : path, optional
        Target directory; the user cache by default.
    mirror : str, optional
        Base URL that replaces the scheme and host of each official URL (a local or
        institutional mirror). ``$LOCALITIES_MIRROR`` is used when not given.
    verify : bool
        Check the SHA-256 where the catalogue knows it.
    timeout : float
        Seconds to wait for the server at any one moment.
    progress : callable, optional
        A ``tqdm``-like factory for progress bars (``total`` is None when the server does
        not say the size).
    deadline : float or None
        Seconds allowed for the whole call (default 30 minutes); None for no limit.

    Returns
    -------
    dict
        Catalogue key to the path written.

    Raises
    ------
    DownloadError
        Offline, HTTP error, redirect to another host, deadline passed, checksum
        mismatch, a file that is not what its name says, or a catalogue file name that
        would write outside ``dest``; names the source and URL.
    """
    sources = catalogue()
    unknown = [k for k in keys or [] if k not in sources]
    if unknown:
        raise DownloadError(f"unknown {noun(unknown, 'source', 'sources')} {_short(', '.join(map(str, unknown)))}; known: {', '.join(sources)}")
    if deadline is not None and not deadline > 0:
        raise DownloadError(f"deadline must be a positive number of seconds or None, not {deadline!r}")
    chosen = [sources[k] for k in keys] if keys else [s for s in sources.values() if s.url]
    manual = [s for s in chosen if not s.url]
    if manual:
        raise DownloadError(
            "no direct download for: "
            + "; ".join(f"{s.key} (get it from {s.page} and save it as {s.filename})" for s in manual)
        )
    target = Path(dest) if dest else cache_dir()
    finals = {s.key: _safe_target(target, s) for s in chosen}  # before anything is fetched
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DownloadError(f"cannot create the download folder {target}: {exc.strerror or exc}") from exc
    mirror = mirror or os.environ.get(MIRROR_ENV_VAR)
    mode = _file_mode()
    ends = None if deadline is None else time.monotonic() + deadline
    written = {}
    for source in chosen:
        url = _mirrored(source.url, mirror)
        final = finals[source.key]
        allowed = {h.lower() for h in (urllib.parse.urlsplit(url).hostname or "", *source.redirect_hosts)}
        opener = urllib.request.build_opener(_SameHostRedirects(source, allowed))
        try:
            fd, tmp = tempfile.mkstemp(dir=final.parent, prefix=f".{final.name}.", suffix=".part")
        except OSError as exc:
            raise DownloadError(f"{source.key}: cannot write into {target}: {exc.strerror or exc}") from exc
        bar = None
        try:
            with os.fdopen(fd, "wb") as out, opener.open(url, timeout=_left(ends, timeout, source, url)) as response:
                try:
                    total = int(response.headers.get("Content-Length") or 0) or None
                except ValueError:
                    total = None
                bar = progress(total=total, desc=source.filename, unit="B", unit_scale=True) if progress else None
                size = 0
                read = getattr(response, "read1", response.read)  # what has arrived, so the deadline is seen
                while True:
                    _left(ends, timeout, source, url)
                    block = read(1 << 16)
                    if not block:
                        break
                    out.write(block)
                    size += len(block)
                    if bar is not None:
                        bar.update(len(block))
            if total is not None and size != total:
                # The connection closed early: never rename a partial file into place.
                raise DownloadError(f"{source.key}: download of {url} stopped after {size:,} of {total:,} bytes")
            if verify and source.sha256 and sha256(Path(tmp)) != source.sha256:
                raise DownloadError(
                    f"{source.key}: checksum mismatch for {url} (expected sha256 {source.sha256}); "
                    "the publisher may have republished it: check the page and use --no-verify"
                )
            try:
                check_format(Path(tmp), source.filename)
            except DownloadError as exc:
                raise DownloadError(f"{source.key}: {exc} (from {url})") from None
            os.chmod(tmp, mode)
            os.replace(tmp, final)
        except DownloadError:
            raise
        except (urllib.error.URLError, http.client.HTTPException, OSError, TimeoutError) as exc:
            reason = getattr(exc, "reason", None)
            if isinstance(reason, DownloadError):
                raise reason from None
            if isinstance(exc, OSError) and exc.errno == 28:
                raise DownloadError(f"{source.key}: disk full writing {final}") from exc
            raise DownloadError(
                f"{source.key}: could not download {url}: {_short(exc)}. Are you offline? "
                f"You can also fetch it by hand from {source.page} into {final}"
            ) from exc
        finally:
            if bar is not None:
                bar.close()
            if os.path.exists(tmp):
                os.unlink(tmp)
        written[source.key] = final
    return written


def _file_mode() -> int:
    """``0666`` less the process umask: the mode an ordinary new file gets."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def _left(ends: float | None, timeout: float, source: Source, url: str) -> float:
    """Seconds the next network wait may take; a DownloadError once the deadline has passed."""
    if ends is None:
        return timeout
    left = ends - time.monotonic()
    if left <= 0:
        raise DownloadError(f"{source.key}: download of {url} did not finish within the deadline; refused "
                            "(raise it with deadline=, or fetch the file by hand)")
    return min(timeout, left)


def attribution(keys: list[str] | None = None) -> str:
    """The attribution text the Open Government Licence requires for the sources used,
    each statement once ("Copyright Scottish Government" and the OS statement are shared
    by several sources, and spelt two ways in the catalogue)."""
    import re

    sources = catalogue()
    unknown = [k for k in keys or [] if k not in sources]
    if unknown:
        raise DataError(f"unknown {noun(unknown, 'source', 'sources')} {', '.join(map(repr, unknown))}; known: {', '.join(sources)}")
    statements: dict[str, str] = {}
    for key in keys or sources:
        for part in re.split(r";\s*|,\s*(?=contains\b)", sources[key].attribution):
            part = re.sub(r"\s*licensed under the Open Government Licence v\.?\s*3(\.0)?", "", part).strip(" .")
            part = part.replace("contains Ordnance Survey data", "contains OS data")
            if part:
                statements.setdefault(part.casefold(), part)
    return "; ".join(statements.values()) + ". Open Government Licence v3.0."
