"""Council names: the official names, codes, Gaelic names and short forms people type
(``"Western Isles"``, ``"Edinburgh"``, ``"Clacks"``), folded for comparison, resolved to
the council's S12 code against a lookup, with the closest names suggested for a typo.
"""

from __future__ import annotations

import difflib
import re

import pandas as pd

from .errors import DataError, counted, listing


# Other names people use for each council (official English name -> aliases): the Gaelic
# name, the name without "City"/"Islands", short forms, and codes the council had before
# the 2018-2019 boundary changes. Matching folds case, accents, "&" and punctuation.
COUNCIL_ALIASES: dict[str, tuple[str, ...]] = {
    "Aberdeen City": ("Aberdeen", "Aberdeen City Council", "Obar Dheathain", "Baile Obar Dheathain",
                      "Comhairle Baile Obar Dheathain"),
    "Aberdeenshire": ("Siorrachd Obar Dheathain", "Comhairle Siorrachd Obar Dheathain"),
    "Angus": ("Aonghas",),
    "Argyll and Bute": ("Argyll", "Earra-Ghaidheal agus Bod", "Earra-Ghàidheal is Bòd"),
    "City of Edinburgh": ("Edinburgh", "Edinburgh City", "Dùn Èideann", "Baile Dhùn Èideann",
                          "Comhairle Baile Dhùn Èideann"),
    "Clackmannanshire": ("Clacks", "Clackmannan", "Siorrachd Chlach Mhanann"),
    "Dumfries and Galloway": ("D&G", "Dumfries", "Dùn Phris is Gall-Ghàidhealaibh"),
    "Dundee City": ("Dundee", "Dùn Dè", "Baile Dhùn Dè", "Comhairle Baile Dhùn Dè"),
    "East Ayrshire": ("Siorrachd Àir an Ear",),
    "East Lothian": ("Lodainn an Ear",),
    "East Renfrewshire": ("Siorrachd Rinn Friù an Ear",),
    "Falkirk": ("An Eaglais Bhreac",),
    "Fife": ("Fìobha", "Comhairle Fìobha", "S12000015"),
    "Glasgow City": ("Glasgow", "Glaschu", "Baile Ghlaschu", "Comhairle Baile Ghlaschu", "S12000046"),
    "Highland": ("Highlands", "The Highland Council", "A' Ghàidhealtachd", "Gàidhealtachd",
                 "Comhairle na Gàidhealtachd"),
    "Inverclyde": ("Inbhir Chluaidh",),
    "Midlothian": ("Meadhan Lodainn",),
    "Moray": ("Moireibh", "Comhairle Mhoireibh"),
    "Na h-Eileanan Siar": ("Western Isles", "Outer Hebrides", "Eilean Siar", "Eileanan Siar",
                           "Comhairle nan Eilean Siar", "Na h-Eileanan an Iar", "Eileanan an Iar"),
    "North Ayrshire": ("Siorrachd Àir a Tuath",),
    "North Lanarkshire": ("Siorrachd Lannraig a Tuath", "S12000044"),
    "Orkney Islands": ("Orkney", "Orkney Islands Council", "Arcaibh", "Eileanan Arcaibh"),
    "Perth and Kinross": ("Perth", "P&K", "Peairt agus Ceann Rois", "Peairt is Ceann Rois", "S12000024"),
    "Renfrewshire": ("Siorrachd Rinn Friù",),
    "Scottish Borders": ("Borders", "The Borders", "Crìochan na h-Alba", "Na Crìochan"),
    "Shetland Islands": ("Shetland", "Zetland", "Sealtainn", "Eileanan Shealtainn", "Comhairle Shealtainn"),
    "South Ayrshire": ("Siorrachd Àir a Deas",),
    "South Lanarkshire": ("Siorrachd Lannraig a Deas",),
    "Stirling": ("Sruighlea", "Comhairle Shruighlea"),
    "West Dunbartonshire": ("West Dunbarton",),
    "West Lothian": ("Lodainn an Iar",),
    "East Dunbartonshire": ("East Dunbarton", "S12000009"),
}

# Short forms that name more than one council: refused, listing the candidates.
AMBIGUOUS_COUNCILS: dict[str, tuple[str, ...]] = {
    "Ayrshire": ("East Ayrshire", "North Ayrshire", "South Ayrshire"),
    "Lanarkshire": ("North Lanarkshire", "South Lanarkshire"),
    "Lothian": ("City of Edinburgh", "East Lothian", "Midlothian", "West Lothian"),
    "Lothians": ("City of Edinburgh", "East Lothian", "Midlothian", "West Lothian"),
    "Dunbartonshire": ("East Dunbartonshire", "West Dunbartonshire"),
    "Renfrew": ("East Renfrewshire", "Renfrewshire"),
    "Islands": ("Na h-Eileanan Siar", "Orkney Islands", "Shetland Islands"),
    "Northern Isles": ("Orkney Islands", "Shetland Islands"),
}


def fold(text: object) -> str:
    """Compare-form of a place name: accents and case folded, ``&`` as ``and``,
    punctuation and a trailing "council" dropped (``"Dùn Èideann"`` -> ``"dun eideann"``)."""
    import unicodedata

    text = unicodedata.normalize("NFKD", str(text))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = text.replace("&", " and ").replace("\u2019", "'")
    text = re.sub(r"[^a-z0-9]+", " ", text).strip()
    return re.sub(r"^(the )?(.*?)( council)?$", r"\2", text)


def _variants(wanted: str) -> tuple[str, str, str]:
    """A folded council name as typed, without "city of" and without "city" or "islands"."""
    return wanted, re.sub(r"^city of ", "", wanted), re.sub(r" (city|islands)$", "", wanted)


def _alias_map() -> dict[str, str]:
    """``{folded alias or official name: official name}`` of :data:`COUNCIL_ALIASES`."""
    return {fold(alias): official for official, others in COUNCIL_ALIASES.items() for alias in (official, *others)}


def loosely(council: str, name: str) -> bool:
    """Whether ``council`` named ``name`` only as part of it ("Stir" for Stirling), not as
    the name, its code or an alias."""
    wanted = fold(council)
    if wanted in (fold(name), "all") or re.fullmatch(r"s12\d{6}", wanted):
        return False
    aliases = _alias_map()
    return not any(v == fold(name) or fold(aliases.get(v, "")) == fold(name) for v in _variants(wanted))


def resolve_council(council: str, lookup: pd.DataFrame) -> str:
    """Council code for a name, alias or code.

    Accepts the S12 code, the official name, the Gaelic name and common short forms
    (``"Western Isles"``, ``"Eilean Siar"``, ``"Edinburgh"``, ``"Clacks"``, ``"Dùn Dè"``;
    see :data:`COUNCIL_ALIASES`), with case, accents, ``&``/``and`` and punctuation
    folded. A short form naming several councils (``"Ayrshire"``) is refused with the
    candidates; an unknown name lists the closest names and aliases, or, where ward or
    Intermediate Zone names say it (``"Greenock"``), the council it is a place in.

    Raises
    ------
    DataError
        Unknown, ambiguous, or a council the data does not hold.
    """
    if not isinstance(council, str) or not council.strip():
        raise DataError(f"council must be a council name or S12 code, not {council!r}")
    names = lookup.drop_duplicates("council").set_index("council")["council_name"].astype(str)
    by_fold = {fold(name): code for code, name in names.items()}
    by_fold.update({fold(code): code for code in names.index})
    wanted = fold(council)
    if wanted in by_fold:
        return by_fold[wanted]
    # Aliases point at official names; the data may name a council slightly differently.
    aliases = _alias_map()
    for variant in _variants(wanted):
        if variant in aliases:
            official = aliases[variant]
            if fold(official) in by_fold:
                return by_fold[fold(official)]
            what = official if fold(official) == wanted else f"{council!r} is {official},"
            raise DataError(f"{what} not in this data (it holds {listing(sorted(names), 8)})")
    ambiguous = {fold(k): v for k, v in AMBIGUOUS_COUNCILS.items()}
    candidates = ambiguous.get(wanted) or tuple(
        name for name in sorted(names) if wanted and len(wanted) >= 4 and wanted in fold(name))
    if len(candidates) == 1:
        return by_fold[fold(candidates[0])]
    if len(candidates) > 1:
        raise DataError(f"{council!r} could be more than one council: {', '.join(candidates)}; "
                        "give the full name or the S12 code")
    # Suggest over official names and aliases, naming the council an alias stands for.
    official_of = {fold(name): (name, name) for name in names}
    for official, others in COUNCIL_ALIASES.items():
        held = names[by_fold[fold(official)]] if fold(official) in by_fold else None
        for alias in (official, *others):
            official_of.setdefault(fold(alias), (held or official, alias))
    close = difflib.get_close_matches(wanted, list(official_of), n=8, cutoff=0.6)
    shown: dict[str, str] = {}
    for match in close:
        official, alias = official_of[match]
        text = official if alias == official else f"{official} ({alias})"
        shown.setdefault(official, text if fold(official) in by_fold else f"{text}, not in this data")
    hint = f"closest: {', '.join(list(shown.values())[:4])}" if shown else "no council name is close"
    # A town typed for its council ("Greenock", "Galashiels"): say which council's wards or
    # Intermediate Zones it names, before any council name merely spelt like it ("Leith" was
    # "closest: Perth and Kinross (Perth)").
    where = _place_in(wanted, lookup)
    if where:
        hint = (f"it is a place in {' and '.join(where)} (its ward or Intermediate Zone names say it), "
                "not a council")
    raise DataError(f"unknown council {council!r}; {hint}. `localities councils` lists the "
                    f"{counted(len(names), 'council', 'councils')} of this data")


def _place_in(wanted: str, lookup: pd.DataFrame) -> list[str]:
    """The councils (at most three) whose ward or Intermediate Zone names say ``wanted`` (folded)
    as a whole word; none for a name of fewer than four letters."""
    if len(wanted) < 4:
        return []
    pattern = re.compile(rf"\b{re.escape(wanted)}\b")
    found: list[str] = []
    for column in ("ward_name", "iz_name"):
        if column not in lookup or "council_name" not in lookup:
            continue
        pairs = lookup[[column, "council_name"]].dropna().drop_duplicates()
        for place, name in zip(pairs[column], pairs["council_name"].astype(str)):
            if name not in found and pattern.search(fold(place)):
                found.append(name)
    return sorted(found) if len(found) <= 3 else []
