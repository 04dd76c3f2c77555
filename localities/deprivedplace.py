"""The place in a locality where its income-deprived people live, which its name must not
hide: Highland's most deprived locality, "Inverness Ballifeary and Dalneigh + 4 more", held
Merkinch (35% income-deprived, a third of the locality's income-deprived people; the rest of
the locality 16%). The naming rules are :mod:`localities.names` (rule 10)."""

from __future__ import annotations

from collections import Counter

from .decide import MIN_RATIO
from .namelists import _town, said

#: The least share of a locality's income-deprived people its most deprived place holds to be
#: said: East Ayrshire's "Kilmarnock: Altonhill and 5 more" (22.7% income-deprived, flagged)
#: held 22% of them in Shortlees (32%; the rest of the locality 21%).
DEPRIVED_SHARE = 0.2


def deprived_places(people: dict, deprived: dict, council_rate: float) -> dict:
    """``{locality: IZ name}``: the IZ holding most of the locality's income-deprived people
    (``deprived``: ``{locality: Counter of them by IZ name}``; ``people`` likewise the
    residents), where it holds :data:`DEPRIVED_SHARE` of them or more
    and its income deprivation rate is at least :data:`~localities.decide.MIN_RATIO` times
    both the rest of the locality's and the council's (``council_rate``): a pocket, not a
    locality deprived throughout, nor a rich one's least rich part (Edinburgh's Balgreen, 5%
    beside Murrayfield's 2%). Localities of one IZ, or without counts, get none."""
    out = {}
    for loc, counts in deprived.items():
        residents: Counter = people.get(loc, Counter())
        if len(counts) < 2:
            continue
        total, everyone = sum(counts.values()), sum(residents.values())
        # The most income-deprived people; of equals, the fewer residents (the higher rate), then the name.
        top = min(counts, key=lambda iz: (-counts[iz], residents.get(iz, 0.0), iz))
        here, rest = counts[top], total - counts[top]
        if total <= 0 or here < DEPRIVED_SHARE * total or residents.get(top, 0.0) <= 0:
            continue
        rate = here / residents[top]
        rest_people = everyone - residents[top]
        rest_rate = rest / rest_people if rest_people > 0 else 0.0
        if rate >= MIN_RATIO * rest_rate and rate >= MIN_RATIO * council_rate:
            out[loc] = top
    return out


def the_item(place: str, items: list[str], iz_names: set) -> str | None:
    """The item of a locality's name list (``items``: IZ names, and towns made of IZs) that
    holds IZ ``place``: itself, or the town its name makes it part of (``"Stornoway"`` for
    Stornoway East); None where a town is said some other way."""
    if place in items:
        return place
    return next((item for item in items if item not in iz_names
                 and (_town(place) == item or place.startswith(f"{item} "))), None)


def unsaid(item: str | None, text: str) -> bool:
    """Whether a name ``text`` leaves out ``item`` (a place, or "part of" it)."""
    return item is not None and not said(item, text) and text.removeprefix("Part of ") != item
