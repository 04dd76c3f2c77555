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

import hashlib
import http.client
import json
import os
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .errors import DataError, DownloadError

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


@cache
def catalogue(path: str | None = None) -> dict[str, Source]:
    """Read the catalogue of official sources (``data/sources.json`` by default)."""
    path = Path(path) if path else PROJECT_DATA / "sources.json"
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    return {
        key: Source(key=key, files=tuple(entry.pop("files")), **entry)
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
            raise DataError(f"data directory {named} (from {how}) does not exist")
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


def download(
    keys: list[str] | None = None,
    dest: str | os.PathLike | None = None,
    mirror: str | None = None,
    verify: bool = True,
    timeout: float = 60,
    progress=None,
) -> dict[str, Path]:
    """Fetch official sources into ``dest`` (the user cache by default).

    Each file is written to a temporary file beside its target and renamed into place
    only when complete and verified, so an interrupted download never leaves a
    half-written file where the loader would read it.

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

    Returns
    -------
    dict
        Catalogue key to the path written.

    Raises
    ------
    DownloadError
        Offline, HTTP error, or checksum mismatch; names the source and URL.
    """
    sources = catalogue()
    unknown = [k for k in keys or [] if k not in sources]
    if unknown:
        raise DownloadError(f"unknown source(s) {', '.join(unknown)}; known: {', '.join(sources)}")
    chosen = [sources[k] for k in keys] if keys else [s for s in sources.values() if s.url]
    manual = [s for s in chosen if not s.url]
    if manual:
        raise DownloadError(
            "no direct download for: "
            + "; ".join(f"{s.key} (get it from {s.page} and save it as {s.filename})" for s in manual)
        )
    target = Path(dest) if dest else cache_dir()
    target.mkdir(parents=True, exist_ok=True)
    mirror = mirror or os.environ.get(MIRROR_ENV_VAR)
    written = {}
    for source in chosen:
        url = _mirrored(source.url, mirror)
        final = target / source.filename
        fd, tmp = tempfile.mkstemp(dir=target, prefix=f".{source.filename}.", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as response:
                total = int(response.headers.get("Content-Length") or 0) or None
                bar = progress(total=total, desc=source.filename, unit="B", unit_scale=True) if progress else None
                size = 0
                for block in iter(lambda: response.read(1 << 16), b""):
                    out.write(block)
                    size += len(block)
                    if bar:
                        bar.update(len(block))
                if bar:
                    bar.close()
            if total is not None and size != total:
                # The connection closed early: never rename a partial file into place.
                raise DownloadError(f"{source.key}: download of {url} stopped after {size:,} of {total:,} bytes")
            if verify and source.sha256 and sha256(Path(tmp)) != source.sha256:
                raise DownloadError(
                    f"{source.key}: checksum mismatch for {url} (expected sha256 {source.sha256}); "
                    "the publisher may have republished it: check the page and use --no-verify"
                )
            os.replace(tmp, final)
        except (urllib.error.URLError, http.client.HTTPException, OSError, TimeoutError) as exc:
            raise DownloadError(
                f"{source.key}: could not download {url}: {exc}. Are you offline? "
                f"You can also fetch it by hand from {source.page} into {target / source.filename}"
            ) from exc
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        written[source.key] = final
    return written


def attribution(keys: list[str] | None = None) -> str:
    """The attribution text the Open Government Licence requires for the sources used."""
    sources = catalogue()
    texts = dict.fromkeys(sources[k].attribution for k in (keys or sources))
    return "; ".join(texts) + ". Open Government Licence v3.0."
