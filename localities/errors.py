"""Exceptions raised by `localities`.

Every error about input names what it is about: the file, the column or the zones,
so an analyst can find and fix the row without a debugger.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from numbers import Integral


class LocalitiesError(ValueError):
    """Base class for the library's own, documented errors."""


class DataError(LocalitiesError):
    """Input data is missing, malformed or inconsistent (names file, column or zones)."""


class PlanError(LocalitiesError):
    """A plan (zone-to-locality assignment) cannot be built or read."""


class DownloadError(LocalitiesError):
    """An official source could not be fetched or failed its checksum."""


#: Control characters: C0 (tab, line break, escape), delete and C1; and the invisible marks
#: that set text's direction (U+200E-F, U+202A-E, U+2066-9), which made a name in a plan read
#: backwards in the terminal, the workbook and the web page.
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]+")


def plain(text: object) -> str:
    """``text`` on one line without control characters: a run of them (a tab, a line break, a
    terminal's escape codes, which set a window's title or cleared the screen when a plan's
    names were printed) becomes one space; other spaces are kept ("North  Area" and "North
    Area" are told apart in messages about them)."""
    return CONTROL.sub(" ", str(text))


def clip(text: object, most: int = 60) -> str:
    """``text`` cut to ``most`` characters (an ellipsis marks the cut): one item of a message,
    on one line without control characters (:func:`plain`)."""
    text = plain(text)
    return text if len(text) <= most else text[: most - 1] + "\u2026"


def listing(items: Iterable[object], most: int = 10, width: int | None = 60) -> str:
    """Return ``'a, b, c (and 12 more)'`` for error messages: enough to act on, never a wall
    (at most ``most`` items, each cut to ``width`` characters; ``None`` keeps items whole,
    for items built from official names rather than echoed input)."""
    items = list(items)
    head = ", ".join(str(i) if width is None else clip(i, width) for i in items[:most])
    rest = len(items) - most
    return f"{head} (and {rest:,} more)" if rest > 0 else head


def capital(text: str) -> str:
    """``text`` with its first letter in capitals, the rest as it is: a note or a reason
    printed as a sentence of its own ("Poorer than Scotland on ...")."""
    return text[:1].upper() + text[1:]


def counted(n: int, one: str, many: str) -> str:
    """``"1 locality"``, ``"4 localities"``: a count with its noun, singular or plural."""
    return f"{n:,} {one if n == 1 else many}"  # "6,904 zones", as the messages print people


def noun(items, one: str, many: str) -> str:
    """``one`` for a single item (``items``: a count or a collection), else ``many``:
    ``f"for {noun(codes, 'zone', 'zones')} {listing(codes)}"``."""
    n = items if isinstance(items, Integral) else len(items)
    return one if n == 1 else many


def unknown_zones(missing: Iterable[object], plan_council: str | None, table) -> str:
    """The message for a plan naming zones the zone table lacks: when the table is another
    council's, say so (the usual cause) instead of listing codes."""
    councils = sorted(set(table["council_name"].dropna())) if "council_name" in table else []
    if plan_council and councils and plan_council not in councils:
        return (f"the plan is for {plan_council}, but the zone table holds {listing(councils, 3)}: "
                f"load {plan_council}'s zones (load_datazones({plan_council!r}))")
    return f"plan names {'a zone' if len(missing) == 1 else 'zones'} not in the zone table: {listing(missing)}"
