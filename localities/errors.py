"""Exceptions raised by `localities`.

Every error about input names what it is about: the file, the column or the zones,
so an analyst can find and fix the row without a debugger.
"""

from __future__ import annotations

from collections.abc import Iterable


class LocalitiesError(ValueError):
    """Base class for the library's own, documented errors."""


class DataError(LocalitiesError):
    """Input data is missing, malformed or inconsistent (names file, column or zones)."""


class PlanError(LocalitiesError):
    """A plan (zone-to-locality assignment) cannot be built or read."""


class DownloadError(LocalitiesError):
    """An official source could not be fetched or failed its checksum."""


def listing(items: Iterable[object], most: int = 10) -> str:
    """Return ``'a, b, c (and 12 more)'`` for error messages: enough to act on, never a wall."""
    items = [str(i) for i in items]
    head = ", ".join(items[:most])
    rest = len(items) - most
    return f"{head} (and {rest} more)" if rest > 0 else head
