"""Decide which localities have significantly poorer outcomes, and say why.

s.9(3) of the Community Empowerment (Scotland) Act 2015: a partnership identifies each
locality whose people experience "significantly poorer outcomes than elsewhere in the
area or generally in Scotland". So each locality is compared with two things: the rest
of its council (the council without the locality) and Scotland.

A locality is *worse* on an indicator only when the gap is both

- **statistically significant** by the chosen ``method``:

  ``"difference"`` (default)
      a two-sample 95% interval excludes no difference: Newcombe's hybrid score
      interval for the difference of two proportions (statsmodels,
      ``method="newcomb"``); for two rates, the ratio's interval from the conditional
      binomial (Wilson) method of ``shared/METHODS.md``. Both sides' uncertainty counts.
  ``"scotpho"``
      the locality's own interval lies wholly on the worse side of the comparator's
      value, as ScotPHO profiles flag it (ignores the comparator's uncertainty).
  ``"bh"``
      two-sample score tests (statsmodels), with Benjamini-Hochberg control of the
      false discovery rate (5%) across all the plan's tests against that comparator.
  ``"funnel"``
      Spiegelhalter (2005) funnel-plot z-scores against the comparator's value, with an
      additive random-effects allowance for overdispersion between localities
      (winsorised at 10%/90%), 95% limits.

- and **material**: the locality's value is at least ``min_ratio`` times the
  comparator's in the worse direction (default 1.2: a fifth higher), and, where the
  analyst sets ``min_gap`` for an indicator, at least that far away in its own unit.

A gap that is significant but not material is reported as ``"slightly worse"``: it is
kept in the table, never flagged. Censored values (suppressed crime counts) are
judged at both ends of their range: a flag must hold at the end least favourable to it.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from .errors import DataError
from .outcomes import Z95, Indicator, wilson

DECISIONS = ("difference", "scotpho", "bh", "funnel")
MIN_RATIO = 1.2
ALPHA = 0.05
COMPARATORS = ("rest", "scotland")
WORSE, SLIGHTLY_WORSE, SAME, SLIGHTLY_BETTER, BETTER = ("worse", "slightly worse", "not different",
                                                         "slightly better", "better")
VERDICTS = (WORSE, SLIGHTLY_WORSE, SAME, SLIGHTLY_BETTER, BETTER, "no interval", "no data", "n/a")
#: A locality's tier in words: flagged against both comparators, Scotland only, the rest of
#: the council only, neither (maps, keys, tables and profiles read these).
TIER_LABELS = ("Poorer than the rest of the council and Scotland", "Poorer than Scotland only",
               "Poorer than the rest of the council only", "Not flagged as poorer")


def tier_labels(rest: pd.Series, scotland: pd.Series) -> np.ndarray:
    """:data:`TIER_LABELS` from the two flags (poorer than the rest of the council, than Scotland)."""
    rest, scotland = rest.astype(bool).to_numpy(), scotland.astype(bool).to_numpy()
    return np.select([rest & scotland, scotland, rest], list(TIER_LABELS[:3]), default=TIER_LABELS[3])


def validate(method: str, min_ratio: float, min_gap: dict | None, indicators: list[Indicator]) -> dict[str, float]:
    """Check the decision options up front; return ``min_gap`` as a full dict."""
    if method not in DECISIONS:
        raise DataError(f"method must be one of {', '.join(DECISIONS)}, not {method!r}")
    ratio = float(min_ratio) if isinstance(min_ratio, (int, float, np.number)) and not isinstance(min_ratio, bool) \
        else float("nan")
    if not np.isfinite(ratio) or ratio < 1:
        raise DataError(f"min_ratio must be a number of at least 1 (1 switches the ratio test off), not {min_ratio!r}")
    if min_gap is not None and not isinstance(min_gap, Mapping):
        raise DataError(f"min_gap must map indicators to gaps in their own unit, e.g. {{'income_rate': 0.02}} "
                        f"(2 percentage points), not {min_gap!r}")
    gaps = dict(min_gap or {})
    names = {i.name for i in indicators}
    unknown = [k for k in gaps if k not in names]
    if unknown:
        raise DataError(f"min_gap names {'an unknown indicator' if len(unknown) == 1 else 'unknown indicators'} {', '.join(map(repr, unknown))}; known: {', '.join(sorted(names))}")
    units = {i.name: i.unit for i in indicators}
    tested = sorted(i.name for i in indicators if i.has_interval)
    untested = [k for k in gaps if k not in tested]
    if untested:
        raise DataError(f"min_gap[{untested[0]!r}] would do nothing: {untested[0]} has no interval, so it is never "
                        f"tested or flagged; min_gap applies to {', '.join(tested)}")
    for key, gap in gaps.items():
        if not isinstance(gap, (int, float, np.number)) or isinstance(gap, (bool, np.bool_)) or not np.isfinite(gap) \
                or gap < 0:
            raise DataError(f"min_gap[{key!r}] must be a non-negative number, not {gap!r}")
        if units[key].startswith("proportion") and gap >= 1:
            # 2 meant as 2 points could never be met: proportions run from 0 to 1.
            raise DataError(f"min_gap[{key!r}] is in the indicator's unit, a proportion from 0 to 1: "
                            f"{gap / 100:g} for {gap:g} percentage points, not {gap!r}")
    return gaps


# ---------------------------------------------------------------------------- two-sample statistics

def _proportion_interval(x1, n1, x2, n2):
    """Newcombe hybrid score interval for p1 - p2 (rows with usable counts only)."""
    from statsmodels.stats.proportion import confint_proportions_2indep

    lo, hi = np.full(len(x1), np.nan), np.full(len(x1), np.nan)
    ok = (n1 > 0) & (n2 > 0) & (x1 >= 0) & (x2 >= 0) & (x1 <= n1) & (x2 <= n2)
    if ok.any():
        lo[ok], hi[ok] = confint_proportions_2indep(x1[ok], n1[ok], x2[ok], n2[ok], method="newcomb", compare="diff")
    return lo, hi


def _rate_interval(o1, n1, o2, n2):
    """Interval for the ratio of two Poisson rates, conditioning on o1 + o2: a Wilson
    interval for pi = o1 / (o1 + o2), mapped to R = pi / (1 - pi) * n2 / n1."""
    with np.errstate(invalid="ignore", divide="ignore"):
        lo_pi, hi_pi = wilson(o1, o1 + o2)
        to_ratio = n2 / n1
        return lo_pi / (1 - lo_pi) * to_ratio, hi_pi / (1 - hi_pi) * to_ratio


def _p_values(kind, x1, n1, x2, n2):
    """Two-sided p-values of score tests: two proportions, or two Poisson rates."""
    from statsmodels.stats.proportion import test_proportions_2indep
    from statsmodels.stats.rates import test_poisson_2indep

    p = np.full(len(x1), np.nan)
    prop = (kind == "proportion") & (n1 > 0) & (n2 > 0) & (x1 <= n1) & (x2 <= n2) & ((x1 + x2) > 0)
    rate = (kind == "rate") & (n1 > 0) & (n2 > 0) & ((x1 + x2) > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        if prop.any():
            p[prop] = test_proportions_2indep(x1[prop], n1[prop], x2[prop], n2[prop], method="score",
                                              compare="diff").pvalue
        if rate.any():
            p[rate] = test_poisson_2indep(x1[rate], n1[rate], x2[rate], n2[rate], method="score",
                                          compare="ratio").pvalue
    return np.clip(p, 0, 1)


def _funnel_z(kind, value, target, n, per, groups):
    """Spiegelhalter's overdispersion-adjusted z-scores against ``target``, per group
    (an indicator): additive random effects when the winsorised z² shows overdispersion."""
    with np.errstate(invalid="ignore", divide="ignore"):
        theta = target / per
        var = np.where(kind == "proportion", theta * (1 - theta) / n, theta / n) * per**2
        z = (value - target) / np.sqrt(var)
    out = np.full(len(value), np.nan)
    for idx in pd.Series(np.arange(len(value))).groupby(np.asarray(groups)).indices.values():
        ok = idx[np.isfinite(z[idx]) & (var[idx] > 0)]
        if len(ok) == 0:
            continue
        zz = z[ok]
        tau2 = 0.0
        if len(ok) >= 3:
            lo, hi = np.percentile(zz, [10, 90])
            phi = float(np.mean(np.clip(zz, lo, hi) ** 2))
            m = len(ok)
            if m * phi > m - 1:
                w = 1 / var[ok]
                tau2 = max((m * phi - (m - 1)) / (w.sum() - (w**2).sum() / w.sum()), 0.0)
        out[ok] = (value[ok] - target[ok]) / np.sqrt(var[ok] + tau2)
    return out


# ---------------------------------------------------------------------------- the decision

def judge(long: pd.DataFrame, indicators: list[Indicator], method: str = "difference",
          min_ratio: float = MIN_RATIO, min_gap: dict | None = None) -> pd.DataFrame:
    """Add, for each comparator ``c`` in ``rest`` and ``scotland``: ``ratio_c``,
    ``gap_c`` (value against the comparator's), ``c_test_lower``/``c_test_upper`` (the
    two-sample interval: of the difference for proportions, of the ratio for rates),
    ``p_c`` and ``vs_c`` (one of :data:`VERDICTS`).

    ``long`` has one row per locality and indicator with the locality's totals
    (``numerator``, ``numerator_upper``, ``denominator``), values (``value``,
    ``value_min``, ``value_max``, ``lower``, ``upper``) and the same for each comparator
    under the comparator's prefix (``rest_numerator``, ..., ``scotland_value``).
    """
    gaps = validate(method, min_ratio, min_gap, indicators)
    meta = {i.name: i for i in indicators}
    out = long.copy()
    kind = out["indicator"].map(lambda n: meta[n].kind).to_numpy()
    worse_high = out["indicator"].map(lambda n: meta[n].higher_is_worse).to_numpy(dtype=bool)
    per = out["indicator"].map(lambda n: meta[n].per).to_numpy(dtype=float)
    gap_need = out["indicator"].map(gaps).fillna(0.0).to_numpy(dtype=float)
    tested = np.isin(kind, ["proportion", "rate"])
    value = out["value"].to_numpy(dtype=float)
    vmin, vmax = out["value_min"].to_numpy(dtype=float), out["value_max"].to_numpy(dtype=float)
    lower, upper = out["lower"].to_numpy(dtype=float), out["upper"].to_numpy(dtype=float)
    x1l, x1h = out["numerator"].to_numpy(dtype=float), out["numerator_upper"].to_numpy(dtype=float)
    n1 = out["denominator"].to_numpy(dtype=float)
    for c in COMPARATORS:
        cval = out[f"{c}_value"].to_numpy(dtype=float)
        cmin, cmax = out[f"{c}_value_min"].to_numpy(dtype=float), out[f"{c}_value_max"].to_numpy(dtype=float)
        x2l, x2h = out[f"{c}_numerator"].to_numpy(dtype=float), out[f"{c}_numerator_upper"].to_numpy(dtype=float)
        n2 = out[f"{c}_denominator"].to_numpy(dtype=float)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[f"ratio_{c}"] = value / cval
            out[f"gap_{c}"] = value - cval
            # The two ends of a censored range, each least favourable to the verdict it tests.
            high_lo, high_hi = vmin - cmax, vmax - cmin  # locality minus comparator, lowest and highest
            ratio_lo, ratio_hi = vmin / cmax, vmax / cmin
        # Two-sample intervals: the lower end from the locality's lowest and the comparator's highest count.
        test_lo, test_hi = np.full(len(out), np.nan), np.full(len(out), np.nan)
        prop, rate = kind == "proportion", kind == "rate"
        test_lo[prop] = _proportion_interval(x1l[prop], n1[prop], x2h[prop], n2[prop])[0]
        test_hi[prop] = _proportion_interval(x1h[prop], n1[prop], x2l[prop], n2[prop])[1]
        test_lo[rate] = _rate_interval(x1l[rate], n1[rate], x2h[rate], n2[rate])[0]
        test_hi[rate] = _rate_interval(x1h[rate], n1[rate], x2l[rate], n2[rate])[1]
        out[f"{c}_test_lower"], out[f"{c}_test_upper"] = test_lo, test_hi
        no_effect = np.where(rate, 1.0, 0.0)
        p = np.maximum(_p_values(kind, x1l, n1, x2h, n2), _p_values(kind, x1h, n1, x2l, n2))
        out[f"p_{c}"] = np.where(tested, p, np.nan)

        # Significance in the "high" direction (locality above comparator) and the "low" one.
        if method == "difference":
            sig_high, sig_low = test_lo > no_effect, test_hi < no_effect
        elif method == "scotpho":
            sig_high, sig_low = lower > cmax, upper < cmin
        elif method == "bh":
            from scipy.stats import false_discovery_control

            q = np.full(len(out), np.nan)
            ok = np.isfinite(p) & tested
            if ok.any():
                q[ok] = false_discovery_control(p[ok], method="bh")
            out[f"q_{c}"] = q
            sig_high, sig_low = (q < ALPHA) & (high_lo > 0), (q < ALPHA) & (high_hi < 0)
        else:  # funnel: the council's value is the target against the rest, as a funnel plot draws it
            target = out["council_value"].to_numpy(dtype=float) if c == "rest" else cval
            z_high = _funnel_z(kind, vmin, target, n1, per, out["indicator"])
            z_low = _funnel_z(kind, vmax, target, n1, per, out["indicator"])
            sig_high, sig_low = z_high > Z95, z_low < -Z95
        sig_high, sig_low = sig_high & tested, sig_low & tested

        # Materiality, at the end of a censored range least favourable to the verdict.
        with np.errstate(invalid="ignore", divide="ignore"):
            mat_high = (ratio_lo >= min_ratio) & (high_lo >= gap_need)  # at least min_ratio times above
            mat_low = (1 / ratio_hi >= min_ratio) & (-high_hi >= gap_need)  # at least min_ratio times below
        sig_worse = np.where(worse_high, sig_high, sig_low)
        sig_better = np.where(worse_high, sig_low, sig_high)
        mat_worse = np.where(worse_high, mat_high, mat_low)
        mat_better = np.where(worse_high, mat_low, mat_high)
        verdict = np.select(
            [np.isnan(value), np.isnan(cval), ~tested, sig_worse & mat_worse, sig_worse, sig_better & mat_better,
             sig_better],
            ["no data", "n/a", "no interval", WORSE, SLIGHTLY_WORSE, BETTER, SLIGHTLY_BETTER], default=SAME)
        out[f"vs_{c}"] = verdict
    out.attrs.update({"method": method, "min_ratio": float(min_ratio), "min_gap": gaps})
    return out


# ---------------------------------------------------------------------------- words

def fmt(value: float, ind: Indicator) -> str:
    """A value as a board reads it: 31.2%, 9.5%, 289 per 10,000, 112."""
    if value is None or not np.isfinite(value):
        return "no data"
    if ind.unit.startswith("proportion"):
        return f"{value * 100:.1f}%"
    if ind.kind == "rate":
        return f"{value:,.0f} per {ind.per:,.0f}"
    if ind.unit == "minutes":
        return f"{value:.1f} min"
    return f"{value:.1f}" if abs(value) < 10 else f"{value:,.0f}"


def _times(r: float, bar: float | None = None) -> str:
    """A ratio as a board reads it (×1.34, ×2.6), with more digits where fewer would put
    it on the other side of ``bar`` (the materiality ratio) or of ``1 / bar`` than it is:
    1.198 is not "×1.20" beside a ×1.2 rule it fails."""
    if not np.isfinite(r):
        return "×?"
    digits = 2 if round(r, 2) < 2 else 1  # 1.997 is "×2.0" beside "×2.1", not "×2.00"
    if bar is not None and bar > 1:
        for edge in (bar, 1 / bar):
            while digits < 8 and (round(r, digits) >= edge) != (r >= edge):
                digits += 1
    return f"×{r:.{digits}f}"


def _label(ind: Indicator) -> str:
    return ind.label if ind.label[:2].isupper() else ind.label[0].lower() + ind.label[1:]


def phrase(row: pd.Series, ind: Indicator, council: str, bar: float | None = None) -> str:
    """E.g. "income deprivation 31.2% vs 9.1% in the rest of Moray (×3.4) and 12.1% in Scotland (×2.6)"."""
    parts = []
    if np.isfinite(row.get("rest_value", np.nan)):
        parts.append(f"{fmt(row['rest_value'], ind)} in the rest of {council} ({_times(row['ratio_rest'], bar)})")
    if np.isfinite(row.get("scotland_value", np.nan)):
        parts.append(f"{fmt(row['scotland_value'], ind)} in Scotland ({_times(row['ratio_scotland'], bar)})")
    label = _label(ind)
    return f"{label} {fmt(row['value'], ind)} vs " + " and ".join(parts) if parts else f"{label} {fmt(row['value'], ind)}"


def _times_worse(r: float, ind: Indicator) -> float:
    """A ratio to a comparator read in the worse direction (1 / r where higher is better)."""
    with np.errstate(divide="ignore"):
        return r if ind.higher_is_worse else 1 / r


def _short_of(row: dict, ind: Indicator, c: str, min_ratio: float, gap: float | None) -> str:
    """The part of the rule a significant gap against comparator ``c`` falls short of."""
    oriented = _times_worse(row.get(f"ratio_{c}", np.nan), ind)
    if np.isfinite(oriented) and oriented < min_ratio:
        return f"by less than ×{min_ratio:g}"
    shown = row.get(f"gap_{c}", np.nan)
    if gap and np.isfinite(shown) and (shown if ind.higher_is_worse else -shown) < gap:
        if ind.unit.startswith("proportion"):
            amount = f"{gap * 100:g} percentage {'point' if gap * 100 == 1 else 'points'}"
        else:
            amount = f"{gap:g} per {ind.per:,.0f}" if ind.kind == "rate" else f"{gap:g}"
        return f"by less than {amount} (the minimum gap set)"
    # A censored count judged at the end of its range least favourable to a flag.
    return "not by the margins a flag needs over the whole range of its suppressed counts"


#: An untested indicator (no interval) this many times worse than a comparator is named in the
#: reasons, for the board to see; it never flags a locality.
UNTESTED_FAR = 2.0


def reasons(rows: dict[str, dict], meta: dict[str, Indicator], headline: dict[str, float], council: str,
            min_ratio: float, most_others: int = 3, min_gap: dict | None = None) -> str:
    """Plain words on why a locality sits where it does.

    ``rows`` maps each indicator to the locality's long-table record (a dict).
    """
    where = {"rest": f"the rest of {council}", "scotland": "Scotland"}

    def worse_than(n):  # the comparators it is worse than
        return [c for c in COMPARATORS if rows[n][f"vs_{c}"] == WORSE]

    head = [h for h in headline if h in rows]
    flagged = [h for h in head if worse_than(h)]
    out = []
    if flagged:
        for h in flagged:
            out.append(f"{phrase(rows[h], meta[h], council, min_ratio)}: poorer than "
                       + " and ".join(where[c] for c in worse_than(h)))
    else:
        slight = [h for h in head if SLIGHTLY_WORSE in (rows[h]["vs_rest"], rows[h]["vs_scotland"])]
        if slight:
            # Each indicator says against which comparator the gap is significant, and which
            # part of the rule for a flag it falls short of.
            parts = []
            for h in slight:
                short: dict = {}
                for c in COMPARATORS:
                    if rows[h][f"vs_{c}"] == SLIGHTLY_WORSE:
                        why = _short_of(rows[h], meta[h], c, min_ratio, (min_gap or {}).get(h))
                        short.setdefault(why, []).append(where[c])
                parts.append(f"{phrase(rows[h], meta[h], council, min_ratio)}: significantly worse than "
                             + ", and than ".join(f"{' and '.join(w)}, but {why}" for why, w in short.items()))
            out.append("not flagged: " + "; ".join(parts))
        elif head:
            out.append(f"not significantly poorer: {phrase(rows[head[0]], meta[head[0]], council, min_ratio)}")
    def listed(names, against, most=most_others):  # "label value (×r the rest of X, ×r Scotland)", largest first
        def size(n):  # the largest gap, as a log ratio, against a comparator it is worse than
            r = [rows[n][f"ratio_{c}"] for c in against(n)]
            return max((abs(np.log(x)) for x in r if np.isfinite(x) and x > 0), default=0.0)

        ranked = sorted(names, key=lambda n: (-size(n), n))
        # A standardised ratio says what it is measured against: "137" alone read as a count.
        def times(n, c):
            # A worse value where higher is better is set beside the comparator's: "×0.16 the rest
            # of ..." read as better, and "1/3.2 of the rest of ..." was hard to read aloud.
            r, level = rows[n][f"ratio_{c}"], rows[n].get(f"{c}_value", np.nan)
            if not meta[n].higher_is_worse and np.isfinite(r) and 0 < r < 1:
                if np.isfinite(level):
                    return f"{fmt(level, meta[n])} in {where[c]}"
                return f"1/{1 / r:.{2 if 1 / r < 2 else 1}f} of {where[c]}"
            return f"{_times(r, min_ratio)} {where[c]}"

        bits = [f"{_label(meta[n])} {fmt(rows[n]['value'], meta[n])} ("
                + ("Scotland = 100; " if meta[n].kind == "ratio" else "")
                + ", ".join(times(n, c) for c in against(n)) + ")"
                for n in ranked[:most]]
        more = f" and {len(ranked) - most} more" if len(ranked) > most else ""
        return ", ".join(bits) + more

    others = [n for n in rows if n not in head and worse_than(n)]
    if others:
        # Beside "not significantly poorer", "also poorer on" read as a contradiction (Oban):
        # these indicators are outside the rule for a flag, and the words say so.
        out.append(("also poorer on " if flagged else "poorer on indicators that do not decide a flag: ")
                   + listed(others, worse_than))

    def far_from(n):  # comparators an untested indicator is at least UNTESTED_FAR times worse than
        return [c for c in COMPARATORS if np.isfinite(r := rows[n][f"ratio_{c}"]) and r > 0
                and _times_worse(r, meta[n]) >= UNTESTED_FAR]

    # Indicators with no interval are never tested, so never flag a locality; a gap this
    # large is still for the board to see (Arran: broadband ×5.4 the rest of North Ayrshire,
    # drive time to a secondary school ×2.5).
    # Flagged localities too: left out there, Dumfries's Lochside and Lincluden (drug-related
    # stays 265, Scotland 100) read as if health were no concern in the poorest places.
    untested = [n for n in rows if n in meta and not meta[n].has_interval and far_from(n)]
    if untested:
        out.append(f"not tested (no interval), but at least ×{UNTESTED_FAR:g} worse on "
                   + listed(untested, far_from, most=2))
    return "; ".join(out)
