"""Outcome indicators: what each is, how it aggregates, and its confidence interval.

Rates are re-aggregated from numerators and denominators (income-deprived people over
population), never averaged as rates. Each indicator states its weights in the
registry, chosen to fit what it measures:

- counts over a known denominator (income, employment, prescriptions, crime, housing):
  summed numerators over summed denominators, with Wilson (proportions) or Byar (rates)
  intervals;
- standardised ratios (SMR, CIF, alcohol, drugs, emergency stays, no qualifications):
  their expected counts are not published, so they are averaged with the weights
  closest to expected counts that are published (the population the ratio is about)
  and then scaled so that Scotland is exactly 100; no interval;
- proportions about an age group (university entrants aged 17-21, 16-19 year olds not
  participating, pupils, school leavers, births) are weighted by that age group's
  population from the NRS mid-2020 single-year-of-age estimates when the data directory
  has them (total population otherwise, and the table says so); no interval, as the
  cohorts' own counts are not published.

Suppressed crime counts (``*``) are censored, not missing: SIMD 2020v2 publishes every
crime count as a whole number times a council factor k and suppresses counts below
3k, so a suppressed zone holds between 0 and 2k crimes. Both bounds are carried
through sums, rates and intervals (``value_min``/``value_max``), and a comparison is
only called when it holds at both ends of the range.

Intervals (95%): Wilson score for proportions, Byar for counts and rates
(see ``shared/METHODS.md``, and the PHE/ScotPHO technical guides).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import DataError, listing, noun
from .load import AGE_GROUPS
from .scotland import SCOTLAND_SUMS, scotland_sums  # noqa: F401 (re-exported: Scotland's totals, split out)
from .tables import clean_codes, column, read_csv, to_numbers

Z95 = 1.959963984540054
KINDS = ("proportion", "rate", "mean", "ratio")


@dataclass(frozen=True)
class Indicator:
    """How one indicator is aggregated and read.

    Parameters
    ----------
    name : str
        Key, also the column name in results (matches the zone column where there is one).
    label, unit : str
        For tables, legends and maps.
    kind : {"proportion", "rate", "mean", "ratio"}
        ``proportion``: numerator / denominator, Wilson interval. ``rate``: numerator /
        denominator × ``per``, Byar interval. ``mean``: weighted mean of ``value`` by
        ``weight``, no interval. ``ratio``: a standardised ratio, weighted like a mean
        and then scaled so that Scotland is 100; no interval.
    higher_is_worse : bool
    numerator, denominator, value, weight : str, optional
        Zone columns used.
    numerator_upper : str, optional
        Upper bound of a censored numerator (suppressed counts); ``numerator`` then
        holds the lower bound once missing values are read as 0.
    per : float
        Multiplier for rates (10,000 for crimes per 10,000 people).
    note : str
        How it is aggregated and weighted, in words.
    """

    name: str
    label: str
    unit: str
    kind: str
    higher_is_worse: bool = True
    numerator: str | None = None
    denominator: str | None = None
    value: str | None = None
    weight: str | None = None
    per: float = 1.0
    domain: str = ""
    note: str = ""
    numerator_upper: str | None = None

    @property
    def has_interval(self) -> bool:
        return self.kind in ("proportion", "rate")

    def columns(self) -> list[str]:
        return [c for c in (self.numerator, self.denominator, self.value, self.weight) if c]


def _ratio(name, label, domain, weight="population", who="people"):
    return Indicator(name, label, "standardised ratio (Scotland = 100)", "ratio", True, value=name, weight=weight,
                     domain=domain, note=f"mean of zone ratios weighted by {who} (expected counts are not published), "
                                         "scaled so Scotland = 100; no interval")


def _mean(name, label, unit, domain, worse=True, weight="population", note="population-weighted mean; no interval"):
    return Indicator(name, label, unit, "mean", worse, value=name, weight=weight, domain=domain, note=note)


def _age(weight: str) -> str:
    lo, hi, who = AGE_GROUPS[weight]
    return f"mean of zone proportions weighted by {who} (people aged {lo}-{hi}, NRS mid-2020); no interval"


SIMD: dict[str, Indicator] = {i.name: i for i in [
    Indicator("income_rate", "Income deprivation", "proportion of people", "proportion", True,
              numerator="income_count", denominator="population", domain="income",
              note="income-deprived people / total population"),
    Indicator("employment_rate", "Employment deprivation", "proportion of working-age people", "proportion", True,
              numerator="employment_count", denominator="working_age_population", domain="employment",
              note="employment-deprived people / working-age population"),
    _ratio("cif", "Comparative illness factor", "health"),
    _ratio("alcohol", "Alcohol-related hospital stays", "health"),
    _ratio("drug", "Drug-related hospital stays", "health"),
    _ratio("smr", "Standardised mortality ratio", "health"),
    Indicator("depress", "Prescribed drugs for anxiety, depression or psychosis", "proportion of people", "proportion",
              True, numerator="depress_count", denominator="population", domain="health",
              note="zone proportion × population summed / population"),
    _mean("lbwt", "Low birth weight", "proportion of live singleton births", "health", weight="pop_0_4",
          note=_age("pop_0_4")),
    _ratio("emerg", "Emergency hospital stays", "health"),
    _mean("attendance", "School pupil attendance", "proportion of pupils", "education", worse=False,
          weight="pop_12_17", note=_age("pop_12_17")),
    _mean("attainment", "School leavers' attainment", "score", "education", worse=False, weight="pop_16_18",
          note=_age("pop_16_18")),
    _ratio("no_qualifications", "Working-age people with no qualifications", "education",
           weight="working_age_population", who="working-age people"),
    _mean("not_participating", "16-19 year olds not in education, employment or training", "proportion of 16-19s",
          "education", weight="pop_16_19", note=_age("pop_16_19")),
    _mean("university", "17-21 year olds entering university", "proportion of 17-21s", "education", worse=False,
          weight="pop_17_21", note=_age("pop_17_21")),
    *[_mean(f"drive_{s}", f"Drive time to {t}", "minutes", "access") for s, t in [
        ("petrol", "a petrol station"), ("gp", "a GP surgery"), ("post", "a post office"),
        ("primary", "a primary school"), ("retail", "a retail centre"), ("secondary", "a secondary school")]],
    *[_mean(f"pt_{s}", f"Public transport time to {t}", "minutes", "access") for s, t in [
        ("gp", "a GP surgery"), ("post", "a post office"), ("retail", "a retail centre")]],
    _mean("broadband", "Premises without superfast broadband", "proportion of premises", "access",
          note="population-weighted mean of zone proportions (premises not published); no interval"),
    Indicator("crime_rate", "Recorded crime (selected crimes)", "per 10,000 people", "rate", True,
              numerator="crime_count", denominator="population", per=10_000, domain="crime",
              numerator_upper="crime_count_upper",
              note="recorded crimes / population × 10,000; suppressed zones carried as 0 to 2k crimes "
                   "(k the council's scaling factor)"),
    Indicator("overcrowded_rate", "People in overcrowded households", "proportion of people in households", "proportion",
              True, numerator="overcrowded_count", denominator="overcrowded_denominator", domain="housing",
              note="overcrowded people / people in households (denominator = count / rate, or population where the rate is 0)"),
    Indicator("nocentralheat_rate", "People in households without central heating", "proportion of people in households",
              "proportion", True, numerator="nocentralheat_count", denominator="nocentralheat_denominator",
              domain="housing", note="as overcrowding"),
]}


def called(text: str, names) -> str:
    """``" ('income_rate' is Income deprivation)"`` where ``text``, not itself an indicator's
    name, is one of ``names``' printed names ("Income deprivation", any case, a unit in
    brackets after it, as the tables' headers have them) or its name's first word
    ("income"); else ``""``. A reader copies the words the outputs print."""
    words = str(text).split(" (")[0].strip().lower()
    names = [n for n in names if n in SIMD and n != words]
    hit = [n for n in names if words == SIMD[n].label.lower()] or [n for n in names if words == n.split("_")[0]]
    # "drive" begins six indicators' names: none of them is meant.
    return f" ({hit[0]!r} is {SIMD[hit[0]].label})" if len(hit) == 1 else ""


def prepare(zones: pd.DataFrame) -> pd.DataFrame:
    """Add the derived columns some SIMD indicators aggregate from (counts behind published
    proportions, household denominators, censored crime bounds, age-group weights).
    Idempotent."""
    out = pd.DataFrame(zones).copy()
    if "depress" in out and "depress_count" not in out:
        out["depress_count"] = out["depress"] * out["population"]
    for stem in ("overcrowded", "nocentralheat"):
        count, rate = f"{stem}_count", f"{stem}_rate"
        if count in out and rate in out and f"{stem}_denominator" not in out:
            backed = (out[count] / out[rate]).where(out[rate] > 0)
            out[f"{stem}_denominator"] = backed.fillna(out["population"])
    if "crime_count" in out and "crime_count_upper" not in out:
        out["crime_count_upper"] = crime_upper(out)
    if "population" in out:
        for weight in AGE_GROUPS:
            if weight not in out:
                # No single-year-of-age table: fall back to all ages, and say so (attrs).
                out[weight] = out["population"]
                out.attrs.setdefault("age_weights_missing", []).append(weight)
    return out


def crime_upper(zones: pd.DataFrame) -> pd.Series:
    """Upper bound of each zone's crime count: the count where published; for a
    suppressed zone 2k, with k its council's scaling factor (the smallest published
    count in the council is 3k). Where published counts are not whole multiples of
    such a k (not SIMD 2020v2), the smallest published count is used: a safe bound."""
    counts = pd.to_numeric(zones["crime_count"], errors="coerce")
    keys = zones["council"] if "council" in zones else pd.Series("all", index=zones.index)
    upper = counts.copy()
    for _, idx in counts.groupby(keys).groups.items():
        part = counts.loc[idx]
        published = part.dropna()
        if published.empty or not part.isna().any():
            continue
        k = published.min() / 3
        whole = np.allclose(published / k, np.round(published / k), atol=1e-6)
        upper.loc[part.index[part.isna()]] = 2 * k if whole else published.min()
    return upper


# ---------------------------------------------------------------------------- intervals

def wilson(x, n, z: float = Z95):
    """Wilson score interval for a proportion ``x / n`` (arrays allowed).

    (2x + z² ± z·sqrt(z² + 4x(1 − x/n))) / (2(n + z²)).
    """
    x, n = np.asarray(x, dtype=float), np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        root = z * np.sqrt(z * z + 4 * x * (1 - x / n))
        lower = (2 * x + z * z - root) / (2 * (n + z * z))
        upper = (2 * x + z * z + root) / (2 * (n + z * z))
    bad = ~(n > 0)
    return np.where(bad, np.nan, lower), np.where(bad, np.nan, upper)


def byar(observed, z: float = Z95):
    """Byar's interval for a count ``O``; divide by the denominator for a rate.

    lower = O(1 − 1/(9O) − z/(3√O))³, upper = (O+1)(1 − 1/(9(O+1)) + z/(3√(O+1)))³; lower is 0 at O = 0.
    """
    o = np.asarray(observed, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        lower = np.where(o > 0, o * (1 - 1 / (9 * o) - z / (3 * np.sqrt(o))) ** 3, 0.0)
        upper = (o + 1) * (1 - 1 / (9 * (o + 1)) + z / (3 * np.sqrt(o + 1))) ** 3
    return np.where(o >= 0, lower, np.nan), np.where(o >= 0, upper, np.nan)


# ---------------------------------------------------------------------------- aggregation

SUM_COLUMNS = ["numerator", "numerator_upper", "denominator", "weighted", "weight", "population",
               "population_with_data", "zones", "zones_missing", "zones_censored"]


def sums(zones: pd.DataFrame, groups: pd.Series | np.ndarray | None, indicators: list[Indicator]) -> pd.DataFrame:
    """Additive totals per group and indicator: everything an aggregate is finished from.

    Zones missing the indicator's inputs are left out of numerator, denominator and
    weights, and counted in ``zones_missing``. A censored numerator contributes its
    lower bound to ``numerator`` and its upper bound to ``numerator_upper``, and the
    zone counts in ``zones_censored``, not as missing.
    """
    zones = prepare(zones)
    zones.attrs = {}  # a private copy: pandas would deep-copy the zones' attrs on every column read
    keys = np.asarray(groups) if groups is not None else np.full(len(zones), "all", dtype=object)
    pop = zones["population"].to_numpy(dtype=float)
    columns: dict[str, object] = {}
    for i, ind in enumerate(indicators):
        missing = [c for c in ind.columns() if c not in zones]
        if missing:
            raise DataError(f"indicator {ind.name!r} needs {noun(missing, 'column', 'columns')} {', '.join(missing)} in the zone table")
        censored = np.zeros(len(zones), dtype=bool)
        if ind.kind in ("mean", "ratio"):
            v = zones[ind.value].to_numpy(dtype=float)
            w = zones[ind.weight].to_numpy(dtype=float)
            ok = ~np.isnan(v) & ~np.isnan(w)
            cols = {"numerator": np.nan, "numerator_upper": np.nan, "denominator": np.nan,
                    "weighted": np.where(ok, v * w, 0.0), "weight": np.where(ok, w, 0.0)}
        else:
            num = zones[ind.numerator].to_numpy(dtype=float)
            den = zones[ind.denominator].to_numpy(dtype=float)
            high = zones[ind.numerator_upper].to_numpy(dtype=float) if ind.numerator_upper in zones else num
            censored = np.isnan(num) & ~np.isnan(high)
            low = np.where(censored, 0.0, num)
            ok = ~np.isnan(low) & ~np.isnan(den)
            cols = {"numerator": np.where(ok, low, 0.0), "numerator_upper": np.where(ok, high, 0.0),
                    "denominator": np.where(ok, den, 0.0), "weighted": np.nan, "weight": np.nan}
        cols.update({"population": pop, "population_with_data": np.where(ok, pop, 0.0), "zones": 1,
                     "zones_missing": (~ok).astype(int), "zones_censored": censored.astype(int)})
        for name, values in cols.items():
            columns[f"{i}|{name}"] = np.full(len(zones), values) if np.ndim(values) == 0 else values
    # One grouped sum over every indicator's columns (each column is summed on its own, as
    # one frame per indicator would be), then one block of rows per indicator.
    wide = pd.DataFrame({"area": keys, **columns}).groupby("area", sort=False).sum(min_count=1)
    n = len(wide)
    out = pd.DataFrame({"area": np.tile(wide.index.to_numpy(), len(indicators)),
                        "indicator": np.repeat([ind.name for ind in indicators], n).astype(object)})
    for name in SUM_COLUMNS:
        out[name] = np.concatenate([wide[f"{i}|{name}"].to_numpy() for i in range(len(indicators))]) \
            if indicators else np.array([], dtype=float)
    return out


def finish(totals: pd.DataFrame, indicators: list[Indicator], scale: dict[str, float] | None = None) -> pd.DataFrame:
    """Values, intervals and coverage from :func:`sums` totals.

    ``value_min``/``value_max`` bound a censored value (equal to ``value`` otherwise);
    ``value`` is then the middle of the range and the interval runs from the lower
    limit at ``value_min`` to the upper limit at ``value_max``. ``scale`` multiplies an
    indicator's values (standardised ratios: 100 / Scotland's mean).
    """
    out = totals.copy()
    if "numerator_upper" not in out:  # totals stored before censoring was carried
        out["numerator_upper"] = out["numerator"]
    by_name = {i.name: i for i in indicators}
    kind = out["indicator"].map(lambda n: by_name[n].kind)
    per = out["indicator"].map(lambda n: by_name[n].per).astype(float).to_numpy()
    num, high = out["numerator"].to_numpy(dtype=float), out["numerator_upper"].to_numpy(dtype=float)
    den = out["denominator"].to_numpy(dtype=float)
    vmin, vmax, lower, upper = (np.full(len(out), np.nan) for _ in range(4))
    prop = (kind == "proportion").to_numpy()
    rate = (kind == "rate").to_numpy()
    mean = kind.isin(["mean", "ratio"]).to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        vmin[prop], vmax[prop] = (num / den)[prop], (high / den)[prop]
        lower[prop] = wilson(num[prop], den[prop])[0]
        upper[prop] = wilson(high[prop], den[prop])[1]
        vmin[rate], vmax[rate] = (num / den * per)[rate], (high / den * per)[rate]
        lower[rate] = (byar(num[rate])[0] / den[rate] * per[rate])
        upper[rate] = (byar(high[rate])[1] / den[rate] * per[rate])
        m = (out["weighted"] / out["weight"]).to_numpy(dtype=float)
        vmin[mean], vmax[mean] = m[mean], m[mean]
    factor = out["indicator"].map(scale or {}).fillna(1.0).to_numpy(dtype=float)
    has = (den > 0) | (mean & (out["weight"] > 0).to_numpy())
    out["value"] = np.where(has, (vmin + vmax) / 2 * factor, np.nan)
    out["value_min"] = np.where(has, vmin * factor, np.nan)
    out["value_max"] = np.where(has, vmax * factor, np.nan)
    out["lower"] = np.where(has, lower * factor, np.nan)
    out["upper"] = np.where(has, upper * factor, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["coverage"] = np.where(out["population"] > 0, out["population_with_data"] / out["population"],
                                   np.where(out["zones"] > 0, 1 - out["zones_missing"] / out["zones"], np.nan))
    return out


def ratio_scale(scotland: pd.DataFrame, indicators: list[Indicator]) -> dict[str, float]:
    """Factors that make each standardised ratio exactly 100 for Scotland."""
    ratios = [i for i in indicators if i.kind == "ratio"]
    if not ratios:
        return {}
    rows = scotland.set_index("indicator")
    out = {}
    for ind in ratios:
        if ind.name in rows.index and rows.loc[ind.name, "weight"] > 0:
            out[ind.name] = 100.0 / (rows.loc[ind.name, "weighted"] / rows.loc[ind.name, "weight"])
    return out


def aggregate(zones: pd.DataFrame, groups=None, indicators: list[Indicator] | None = None,
              scale: dict[str, float] | None = None) -> pd.DataFrame:
    """Indicator values with 95% intervals and coverage for each group of zones.

    Returns a long table: ``area, indicator, value, value_min, value_max, lower, upper,
    coverage, ...``. Standardised ratios are on the zones' own scale unless ``scale``
    (from :func:`ratio_scale`) puts them on Scotland = 100, as :func:`localities.compare` does.
    """
    indicators = available(zones, indicators)
    return finish(sums(zones, groups, indicators), indicators, scale)


def available(zones: pd.DataFrame, names=None) -> list[Indicator]:
    """The SIMD indicators (or those named) whose columns the zone table has."""
    table = prepare(zones.head(0)) if len(zones.columns) else zones
    if isinstance(names, (str, Indicator)):
        names = [names]
    unknown = [n for n in (names or []) if isinstance(n, str) and n not in SIMD]
    if unknown:
        raise DataError(f"unknown {noun(unknown, 'indicator', 'indicators')} {', '.join(map(repr, unknown))}; known: {', '.join(SIMD)}")
    odd = [n for n in (names or []) if not isinstance(n, (str, Indicator))]
    if odd:
        raise DataError(f"indicators are names such as 'income_rate' or Indicator objects, not {odd[0]!r}")
    chosen = [SIMD[n] if isinstance(n, str) else n for n in names] if names else list(SIMD.values())
    return [i for i in chosen if all(c in table for c in i.columns())]


# ---------------------------------------------------------------------------- own indicators

def read_indicator(
    path: str | os.PathLike,
    name: str,
    label: str | None = None,
    unit: str = "",
    count: str | None = None,
    denominator: str | None = None,
    value: str | None = None,
    weight: str | None = None,
    per: float = 1.0,
    higher_is_worse: bool = True,
) -> tuple[pd.DataFrame, Indicator]:
    """Read an analyst's own indicator from a CSV keyed by Data Zone.

    Give ``count`` and ``denominator`` (a proportion, or a rate with ``per``), or
    ``value`` with an optional ``weight`` column (a weighted mean; population when no
    weight column is named).

    Returns
    -------
    (DataFrame, Indicator)
        The columns to join onto the zones (``datazone`` plus the named columns, as
        ``{name}__num`` etc.), and the indicator to pass to :func:`localities.rank`.
    """
    raw = read_csv(path)
    key = clean_codes(raw[column(raw, "datazone", path)], path)
    wanted = [c for c in (count, denominator, value, weight) if c]
    absent = [c for c in wanted if c not in raw.columns]
    if absent:
        raise DataError(f"{path}: no {noun(absent, 'column', 'columns')} {', '.join(absent)}; columns are {listing(raw.columns)}")
    if not ((count and denominator) or value):
        raise DataError(f"{path}: give count and denominator, or value (with an optional weight)")
    numbers, _ = to_numbers(raw, wanted, key, path)
    cols = {}
    if count:
        cols[f"{name}__num"], cols[f"{name}__den"] = numbers[count], numbers[denominator]
        bad = numbers[denominator] < 0
        if bad.any():
            raise DataError(f"{path}: negative {denominator} for {noun(int(bad.sum()), 'zone', 'zones')} {listing(key[bad])}")
        ind = Indicator(name, label or name, unit or ("proportion" if per == 1 else f"per {per:,.0f}"),
                        "proportion" if per == 1 else "rate", higher_is_worse, numerator=f"{name}__num",
                        denominator=f"{name}__den", per=per, domain="own", note=f"from {Path(path).name}")
    else:
        cols[f"{name}__val"] = numbers[value]
        if weight:
            cols[f"{name}__wt"] = numbers[weight]
        ind = Indicator(name, label or name, unit, "mean", higher_is_worse, value=f"{name}__val",
                        weight=f"{name}__wt" if weight else "population", domain="own",
                        note=f"weighted mean from {Path(path).name}; no interval")
    frame = pd.DataFrame({"datazone": key.to_numpy(), **{k: v.to_numpy() for k, v in cols.items()}})
    return frame, ind


def summarise(zones: pd.DataFrame, by: str | None = "council_name") -> pd.DataFrame:
    """Headline figures per group of zones (council by default; all zones when ``by`` is None).

    Returns
    -------
    DataFrame
        ``zones, population, zones_most_deprived_20, share_zones_most_deprived_20,
        share_people_most_deprived_20`` (and ``_5``), ``income_deprived``,
        ``income_rate`` (income-deprived people / population).
    """
    frame = pd.DataFrame(zones)
    keys = frame[by] if by else pd.Series("Scotland", index=frame.index)
    pop = frame["population"].astype(float)
    out = pd.DataFrame({"zones": keys.value_counts(), "population": pop.groupby(keys).sum()})
    for band, col in (("20", "simd_quintile"), ("5", "simd_vigintile")):
        if col in frame:
            hit = frame[col] == 1
            out[f"zones_most_deprived_{band}"] = hit.groupby(keys).sum()
            out[f"share_zones_most_deprived_{band}"] = out[f"zones_most_deprived_{band}"] / out["zones"]
            out[f"share_people_most_deprived_{band}"] = pop.where(hit, 0).groupby(keys).sum() / out["population"]
    if "income_count" in frame:
        known = frame["income_count"].notna()
        out["income_deprived"] = frame["income_count"].where(known, 0).groupby(keys).sum()
        out["income_rate"] = out["income_deprived"] / pop.where(known, 0).groupby(keys).sum()
    out.index.name = by or "area"
    return out.reset_index()
