"""Results remembered between commands, in the user cache (``<cache>/parsed/``).

Each command is a fresh process. What it derives from the data files and is costly to
make again (the parsed zone table, the simplified council outlines of the locator map)
is kept as a pickle named by a fingerprint of everything it was made from: the files'
paths, sizes and modification times, the arguments, and the package code that makes it.
The next command on the same data loads it; changed data or code makes a new
fingerprint, so a stale file is never read (the oldest are deleted, :data:`KEEP` per kind).

``LOCALITIES_CACHE=0`` (or ``false``, ``no``, ``off``) turns the cache off. A damaged,
unreadable or foreign file is ignored and made again; files are written atomically (a
temporary file in the same folder, then :func:`os.replace`), so a reader never sees half
a file; a read-only or full cache folder means no caching, never an error.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from . import sources

ENV_VAR = "LOCALITIES_CACHE"
KEEP = 6  # files kept per kind (older data or code)
_FORMAT = "localities-cache-1"


def enabled() -> bool:
    """Whether results may be kept between commands (``LOCALITIES_CACHE`` not 0/false/no/off)."""
    return os.environ.get(ENV_VAR, "1").strip().lower() not in ("0", "false", "no", "off")


def directory() -> Path:
    """Where results are kept: ``parsed/`` in the user cache (beside the downloads)."""
    return sources.cache_dir() / "parsed"


def fingerprint(*parts: object, files: Iterable[str | os.PathLike | None] = (),
                code: Iterable[str | os.PathLike] = ()) -> str:
    """A key for a result made from ``parts`` (their ``repr``), ``files`` (path, size and
    modification time; a missing file counts as missing) and ``code`` (the files' bytes)."""
    digest = hashlib.sha256(repr(parts).encode())
    for f in files:
        if f is None:
            digest.update(b"|none")
            continue
        path = Path(f)
        if path.exists():
            stat = path.stat()
            digest.update(f"|{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}".encode())
        else:
            digest.update(f"|{path}|missing".encode())
    for f in code:
        digest.update(Path(f).read_bytes())
    return digest.hexdigest()[:32]


def path_of(kind: str, key: str) -> Path:
    return directory() / f"{kind}_{key}.pkl"


_MISSING = object()


def load(kind: str, key: str, default=None):
    """The result kept under ``kind`` and ``key``, or ``default`` when there is none or the
    file cannot be read back as exactly that (damaged, truncated, another kind or key)."""
    if not enabled():
        return default
    try:
        with open(path_of(kind, key), "rb") as fh:
            payload = pickle.load(fh)
    except Exception:  # missing, unreadable, damaged, or made by other code: make it again
        return default
    if not (isinstance(payload, tuple) and len(payload) == 4 and payload[:3] == (_FORMAT, kind, key)):
        return default
    return payload[3]


def store(kind: str, key: str, value) -> Path | None:
    """Keep ``value`` under ``kind`` and ``key`` (atomic write); returns the file, or None
    when the cache is off or cannot be written. Keeps the newest :data:`KEEP` files of a kind."""
    if not enabled():
        return None
    target = path_of(kind, key)
    tmp = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{kind}_", suffix=".part")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump((_FORMAT, kind, key, value), fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, target)
        tmp = None
        kept = sorted(target.parent.glob(f"{kind}_*.pkl"), key=lambda f: f.stat().st_mtime_ns)
        for stale in kept[:-KEEP]:
            stale.unlink(missing_ok=True)
    except Exception:  # read-only home, disk full, a value that cannot be pickled: no cache, same result
        return None
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
    return target


def remember(kind: str, key: str | None, make: Callable[[], object]):
    """The kept result for ``key``, else ``make()`` (then kept). ``key=None``: just ``make()``."""
    if key is None or not enabled():
        return make()
    value = load(kind, key, _MISSING)
    if value is _MISSING:
        value = make()
        store(kind, key, value)
    return value
