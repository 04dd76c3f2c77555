"""Compare two plans for the same council: where do their lines differ, and does it
change the answer?

:func:`compare_plans` matches the localities of two plans one to one by the people
they share (the assignment that maximises shared population, Kuhn-Munkres through
:func:`scipy.optimize.linear_sum_assignment`), lists the zones whose locality has no
match in the other plan ("moved"), and gives two standard distances between the two
partitions of the zones:

* the **adjusted Rand index** (Hubert and Arabie 1985, "Comparing partitions", J.
  Classification 2:193-218): the share of zone pairs both plans put together or both
  apart, corrected for chance; 1 for the same plan, about 0 for unrelated ones;
* the **variation of information** (Meila 2007, "Comparing clusterings - an
  information based distance", J. Multivariate Analysis 98:873-895):
  ``H(A|B) + H(B|A)`` in bits; 0 for the same plan, at most ``log2(zones)``.

Both are computed from the contingency table of zones (plan A's locality × plan B's).
"""

from __future__ import annotations

import textwrap

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import shapely

from . import decide
from .decide import TIER_LABELS
from .plans import Plan
from .errors import LocalitiesError, PlanError, clip, counted, listing, unknown_zones


def adjusted_rand(table: np.ndarray) -> float:
    """Adjusted Rand index from a contingency table of counts (Hubert and Arabie 1985)."""
    table = np.asarray(table, dtype=float)
    n = table.sum()

    def pairs(x):
        return float((x * (x - 1) / 2).sum())

    index, rows, cols, total = pairs(table), pairs(table.sum(axis=1)), pairs(table.sum(axis=0)), n * (n - 1) / 2
    if total == 0:
        return 1.0
    expected = rows * cols / total
    most = (rows + cols) / 2
    if most == expected:  # both plans one locality, or both all singletons
        return 1.0
    return (index - expected) / (most - expected)


def variation_of_information(table: np.ndarray) -> float:
    """Variation of information in bits, ``H(A) + H(B) - 2 I(A;B)`` (Meila 2007)."""
    table = np.asarray(table, dtype=float)
    n = table.sum()
    if n == 0:
        return 0.0
    p = table / n
    pa, pb = p.sum(axis=1), p.sum(axis=0)
    nz = p > 0
    mutual = float((p[nz] * np.log2(p[nz] / np.outer(pa, pb)[nz])).sum())

    def entropy(q):
        q = q[q > 0]
        return float(-(q * np.log2(q)).sum())

    return max(entropy(pa) + entropy(pb) - 2 * mutual, 0.0)


@dataclass
class PlanComparison:
    """What :func:`compare_plans` found.

    Attributes
    ----------
    summary : dict
        ``zones``, ``population``, ``zones_moved``, ``people_moved``, ``share_people_moved``,
        ``localities_a``, ``localities_b``, ``matched``, ``adjusted_rand``,
        ``variation_of_information`` (bits), ``equal``, ``b_within_a`` and ``a_within_b``
        (every locality of one lies within one of the other's).
    moved : DataFrame
        One row per zone whose locality in B is not the match of its locality in A:
        ``datazone, population, locality_a, name_a, locality_b, name_b`` (and ``iz_name``).
    matches : DataFrame
        Localities matched one to one by shared people: ``locality_a, name_a,
        population_a, locality_b, name_b, population_b, shared, share_of_a, share_of_b``
        (unmatched localities have blanks on the other side); with rankings also
        ``tier_a, tier_b, poorer_than_rest_a/_b, poorer_than_scotland_a/_b, tier_changed``.
    quality : DataFrame
        :func:`localities.quality` of both plans side by side (``a``, ``b``, ``difference``).
    zones : DataFrame
        Every zone: ``datazone, population, locality_a, locality_b, moved`` and, with
        rankings, ``tier_a, tier_b, tier_label_a, tier_label_b``.
    """

    summary: dict
    moved: pd.DataFrame
    matches: pd.DataFrame
    quality: pd.DataFrame
    zones: pd.DataFrame = field(repr=False)
    _drawn: tuple | None = field(default=None, repr=False, compare=False)  # (dz, a, b), for plot()

    def plot(self, title: str | None = None, names: tuple[str, str] = ("plan A", "plan B")):
        """The A4 board-paper map of the differences (:func:`plot_comparison`), from the
        zones and plans compared."""
        if self._drawn is None:
            raise LocalitiesError("this comparison does not hold the plans it compared: call "
                                  "plot_comparison(result, dz, a, b)")
        dz, a, b = self._drawn
        return plot_comparison(self, dz, a, b, title=title, names=names)

    def __str__(self) -> str:
        s = self.summary
        divides = None if s["equal"] else nesting(s, "A", "B")
        moved = (f"{s['zones_moved']:,} of {s['zones']:,} zones ({s['people_moved']:,} of {s['population']:,} "
                 f"people, {s['share_people_moved']:.1%})")
        if s["equal"]:
            head = ["The two plans are the same division of the council (up to locality ids)"]
        elif divides:
            # One plan joins the other's localities: no boundary moved, and "192 of 447 zones
            # moved" first overstated what changed (North Lanarkshire's wards joined in pairs).
            head = [divides, f"{moved} lie outside the part of their locality matched one to one"]
        else:
            head = [f"{moved} moved"]
        lines = [*head,
                 f"localities: {s['localities_a']} in A, {s['localities_b']} in B, {s['matched']} matched by shared people",
                 (f"adjusted Rand index {s['adjusted_rand']:.3f} (1 = same plan); variation of information "
                  f"{s['variation_of_information']:.3f} bits (0 = same plan)")]
        if "people_tier_changed" in s:
            lines.append(f"people whose locality's tier differs: {s['people_tier_changed']:,}; in a tier-1 locality: "
                         f"{s['people_tier1_a']:,} in A, {s['people_tier1_b']:,} in B")
        # Counts and populations as whole numbers ("6", not "6.000"); shares and scores to 3 places.
        whole = self.quality.apply(lambda row: bool(np.allclose(row.dropna(), row.dropna().round())), axis=1)
        shown = self.quality.astype(object)
        for key in shown.index:
            # People and variances in whole numbers ("mean people 19,170.000" read as a measurement).
            exact = whole[key] or key in ("population_mean", "within_variance")
            shown.loc[key] = [f"{v:,.0f}" if exact else f"{v:,.3f}" for v in self.quality.loc[key]]
        lines += ["", "quality:", shown.rename(index=QUALITY_WORDS).to_string()]
        cols = [c for c in ("locality_a", "name_a", "population_a", "locality_b", "name_b", "population_b", "shared",
                            "tier_a", "tier_b") if c in self.matches]
        # Each plan numbers its own localities (R01, R02, ...): the ids say which plan they are from.
        matches = self.matches[cols].rename(columns=_SIDES)
        matches = matches.astype(object).where(matches.notna(), "-")
        lines += ["", "localities matched by shared people (unmatched: -):", matches.to_string(index=False)]
        if len(self.moved):
            # Where one plan divides the other no zone moved: "zones moved:" under "no zone crosses
            # a boundary of A's" read as a contradiction (Inverclyde at the fewest and at 10,000).
            heading = "zones in a part split off its locality:" if divides else "zones moved:"
            lines += ["", heading, self.moved.head(_SHOWN).rename(columns=_SIDES).to_string(index=False)]
            if len(self.moved) > _SHOWN:
                lines.append(f"... and {len(self.moved) - _SHOWN} more (every zone: --table, or .zones in Python)")
        return "\n".join(lines)


#: The quality figures as the printed comparison names them (the keys stay in ``.quality``).
QUALITY_WORDS = {"localities": "localities", "population_min": "fewest people", "population_max": "most people",
                 "population_mean": "mean people", "mean_polsby_popper": "compactness (mean Polsby-Popper, 1 = circle)",
                 "within_variance": "variance of SIMD income rank within localities (lower: more alike)"}


def nesting(summary: dict, a: str, b: str) -> str | None:
    """Words for one plan dividing the other, or None: "B divides A: each of B's 17
    localities lies within one of A's 4, so no zone crosses a boundary of A's"."""
    s = summary
    for inner, outer, n_in, n_out in ((b, a, s["localities_b"], s["localities_a"]),
                                      (a, b, s["localities_a"], s["localities_b"])):
        if s.get(f"{'b_within_a' if inner == b else 'a_within_b'}") and n_in > n_out:
            within = (f"{outer}'s one locality (the whole council) is divided into {inner}'s {n_in}" if n_out == 1 else
                      f"each of {inner}'s {n_in} localities lies within one of {outer}'s {n_out}")
            return f"{inner} divides {outer}: {within}, so no zone crosses a boundary of {outer}'s"
    return None


_SHOWN = 20  # moved zones printed; the table has them all
_SIDES = {"locality_a": "A locality", "name_a": "A name", "population_a": "A people", "locality_b": "B locality",
          "name_b": "B name", "population_b": "B people", "tier_a": "A tier", "tier_b": "B tier"}


def _ranking_part(ranking: pd.DataFrame | None, which: str, plan: Plan) -> pd.DataFrame | None:
    """The tiers of ``ranking``, which must be a ranking of ``plan``: the same localities
    with the same people (swapped or another council's tables gave every zone a changed
    tier, quietly)."""
    if ranking is None:
        return None
    need = {"locality", "tier", "poorer_than_rest", "poorer_than_scotland", "population"}
    if not isinstance(ranking, pd.DataFrame) or not need <= set(ranking.columns):
        raise PlanError(f"ranking_{which} must be a table from localities.rank (with columns {', '.join(sorted(need))})")
    ours = plan.localities.set_index(plan.localities["locality"].astype(str))["population"]
    theirs = pd.to_numeric(pd.DataFrame(ranking).set_index(ranking["locality"].astype(str))["population"],
                           errors="coerce")
    if not theirs.index.is_unique or theirs.isna().any():
        raise PlanError(f"ranking_{which} is not a table from localities.rank: "
                        + ("a locality appears twice" if not theirs.index.is_unique else "a population is missing"))
    if set(ours.index) != set(theirs.index):
        extra = listing(sorted(set(theirs.index) - set(ours.index)), 3)
        missing = listing(sorted(set(ours.index) - set(theirs.index)), 3)
        raise PlanError(f"ranking_{which} is not a ranking of plan {which}: "
                        + "; ".join(part for part in (f"localities not in the plan: {extra}" if extra else "",
                                                      f"plan localities it lacks: {missing}" if missing else "") if part))
    differ = [i for i in ours.index if int(ours[i]) != int(theirs[i])]
    if differ:
        i = differ[0]
        raise PlanError(f"ranking_{which} is not a ranking of plan {which}: {len(differ)} of its localities hold "
                        f"other people ({clip(i)}: {int(theirs[i]):,} in the ranking, {int(ours[i]):,} in the plan); "
                        f"rank plan {which} itself: localities.rank(plan, dz)")
    return pd.DataFrame(ranking).set_index("locality")[["tier", "poorer_than_rest", "poorer_than_scotland"]]


def compare_plans(a: Plan, b: Plan, dz: pd.DataFrame, ranking_a: pd.DataFrame | None = None,
                  ranking_b: pd.DataFrame | None = None) -> PlanComparison:
    """Where two plans for the same council differ, and whether the answer changes.

    Parameters
    ----------
    a, b : Plan
        Two plans over the same zones (e.g. wards and regions, two targets, two seeds).
    dz : GeoDataFrame
        The council's zones (for populations; and names of the zones when present).
    ranking_a, ranking_b : DataFrame, optional
        :func:`localities.rank` of each plan: tiers and flags then appear side by side.

    Returns
    -------
    PlanComparison
        ``summary`` (zones and people moved, adjusted Rand index, variation of
        information), ``moved``, ``matches``, ``quality`` and ``zones``; ``print()`` it.
    """
    from .regulation import quality

    for name, plan in (("a", a), ("b", b)):
        if not isinstance(plan, Plan):
            raise PlanError(f"{name} must be a Plan (from localities.propose or read_plan), not {type(plan).__name__}")
    if "datazone" not in dz or "population" not in dz:
        raise PlanError("zone table needs 'datazone' and 'population' columns (load it with load_datazones)")
    if a.council and b.council and a.council != b.council:
        raise PlanError(f"the plans are for different councils: {a.council_name or a.council} and "
                        f"{b.council_name or b.council}")
    only_a = a.assignment.index.difference(b.assignment.index)
    only_b = b.assignment.index.difference(a.assignment.index)
    if len(only_a) or len(only_b):
        raise PlanError(f"the plans cover different zones: {len(only_a)} only in A ({listing(only_a)}), "
                        f"{len(only_b)} only in B ({listing(only_b)})")
    table = dz.set_index("datazone")
    unknown = a.assignment.index.difference(table.index)
    if len(unknown):
        raise PlanError(unknown_zones(unknown, a.council_name, table))
    codes = a.assignment.index.sort_values()
    la, lb = a.assignment.reindex(codes).astype(str), b.assignment.reindex(codes).astype(str)
    pop = pd.to_numeric(table.loc[codes, "population"], errors="coerce").fillna(0).to_numpy(dtype=float)
    ia, ua = pd.factorize(la, sort=True)
    ib, ub = pd.factorize(lb, sort=True)
    counts = np.zeros((len(ua), len(ub)))
    np.add.at(counts, (ia, ib), 1)
    people = np.zeros_like(counts)
    np.add.at(people, (ia, ib), pop)

    from scipy.optimize import linear_sum_assignment

    rows, cols = linear_sum_assignment(people + counts * 1e-6, maximize=True)  # zones break ties between empty ones
    keep = (people[rows, cols] > 0) | (counts[rows, cols] > 0)
    rows, cols = rows[keep], cols[keep]
    match_of_a = np.full(len(ua), -1)
    match_of_a[rows] = cols
    moved = match_of_a[ia] != ib

    names_a = a.localities.set_index("locality")["name"].astype(str) if len(a.localities) else pd.Series(dtype=str)
    names_b = b.localities.set_index("locality")["name"].astype(str) if len(b.localities) else pd.Series(dtype=str)
    zones = pd.DataFrame({"datazone": codes, "population": pop.astype(int), "locality_a": la.to_numpy(),
                          "locality_b": lb.to_numpy(), "moved": moved})
    try:
        tiers_a, tiers_b = _ranking_part(ranking_a, "a", a), _ranking_part(ranking_b, "b", b)
    except PlanError as error:
        if ranking_a is not None and ranking_b is not None:
            try:  # the usual slip: the two rankings passed the other way round
                _ranking_part(ranking_b, "a", a), _ranking_part(ranking_a, "b", b)
            except PlanError:
                raise error from None
            raise PlanError("ranking_a and ranking_b are the other way round: ranking_a is plan b's ranking and "
                            "ranking_b plan a's") from None
        raise
    for side, tiers in (("a", tiers_a), ("b", tiers_b)):
        if tiers is not None:
            zones[f"tier_{side}"] = zones[f"locality_{side}"].map(tiers["tier"].rename(index=str)).astype("Int64")
    for side, tiers in (("a", tiers_a), ("b", tiers_b)):
        if tiers is not None:
            # In words, as the maps say it: tier 2 is poorer than one comparator, but which.
            label = pd.Series(decide.tier_labels(tiers["poorer_than_rest"].astype(bool),
                                                 tiers["poorer_than_scotland"].astype(bool)), index=tiers.index)
            zones[f"tier_label_{side}"] = zones[f"locality_{side}"].map(label.rename(index=str))
    moved_rows = zones[zones["moved"]].copy()
    moved_rows["name_a"] = moved_rows["locality_a"].map(names_a)
    moved_rows["name_b"] = moved_rows["locality_b"].map(names_b)
    if "iz_name" in table:
        moved_rows.insert(1, "iz_name", table.loc[moved_rows["datazone"], "iz_name"].to_numpy())
    moved_rows = moved_rows.drop(columns=["moved"] + [c for c in ("tier_a", "tier_b", "tier_label_a", "tier_label_b")
                                                      if c in moved_rows])
    moved_rows = moved_rows[[c for c in ("datazone", "iz_name", "population", "locality_a", "name_a", "locality_b",
                                         "name_b") if c in moved_rows]].reset_index(drop=True)

    pop_a, pop_b = people.sum(axis=1), people.sum(axis=0)
    pairs = [(r, c) for r, c in zip(rows, cols)]
    pairs += [(r, None) for r in range(len(ua)) if match_of_a[r] < 0]
    matched_b = set(cols.tolist())
    pairs += [(None, c) for c in range(len(ub)) if c not in matched_b]
    recs = []
    for r, c in pairs:
        shared = people[r, c] if r is not None and c is not None else 0.0
        recs.append({"locality_a": ua[r] if r is not None else None, "name_a": names_a.get(ua[r]) if r is not None else None,
                     "population_a": int(pop_a[r]) if r is not None else None,
                     "locality_b": ub[c] if c is not None else None, "name_b": names_b.get(ub[c]) if c is not None else None,
                     "population_b": int(pop_b[c]) if c is not None else None, "shared": int(shared),
                     "share_of_a": shared / pop_a[r] if r is not None and pop_a[r] else np.nan,
                     "share_of_b": shared / pop_b[c] if c is not None and pop_b[c] else np.nan})
    matches = pd.DataFrame(recs)
    for col in ("population_a", "population_b"):
        matches[col] = matches[col].astype("Int64")
    summary = {"zones": len(codes), "population": int(pop.sum()), "zones_moved": int(moved.sum()),
               "people_moved": int(pop[moved].sum()), "share_people_moved": float(pop[moved].sum() / pop.sum()) if pop.sum() else 0.0,
               "localities_a": len(ua), "localities_b": len(ub), "matched": len(rows),
               "adjusted_rand": float(adjusted_rand(counts)), "variation_of_information": float(variation_of_information(counts)),
               "equal": bool(a == b)}
    for side, tiers in (("a", tiers_a), ("b", tiers_b)):
        if tiers is not None:
            t = tiers.rename(index=str)
            for col in ("tier", "poorer_than_rest", "poorer_than_scotland"):
                matches[f"{col}_{side}"] = matches[f"locality_{side}"].map(t[col]).astype(
                    "Int64" if col == "tier" else "boolean")
    if tiers_a is not None and tiers_b is not None:
        matches["tier_changed"] = (matches["tier_a"] != matches["tier_b"]).fillna(True).astype(bool)
        changed = (zones["tier_a"] != zones["tier_b"]).fillna(True).astype(bool)
        summary.update(people_tier_changed=int(zones.loc[changed, "population"].sum()),
                       people_tier1_a=int(zones.loc[zones["tier_a"] == 1, "population"].sum()),
                       people_tier1_b=int(zones.loc[zones["tier_b"] == 1, "population"].sum()))
    # One plan dividing the other (5,000 a locality against the fewest): its "moved" zones are
    # the parts of a locality not matched to it, not people elsewhere. Last, after the figures
    # scripts already read.
    summary["b_within_a"] = bool((zones.groupby("locality_b")["locality_a"].nunique() == 1).all())
    summary["a_within_b"] = bool((zones.groupby("locality_a")["locality_b"].nunique() == 1).all())
    qa, qb = quality(a, dz), quality(b, dz)
    keys = [k for k in qa if k in qb and isinstance(qa[k], (int, float, np.number))]
    qual = pd.DataFrame({"a": [float(qa[k]) for k in keys], "b": [float(qb[k]) for k in keys]}, index=keys)
    qual["difference"] = qual["b"] - qual["a"]
    return PlanComparison(summary=summary, moved=moved_rows, matches=matches, quality=qual, zones=zones,
                          _drawn=(dz, a, b))


def _tier_changes(zones, b):
    """Plan B's localities holding people whose tier differs from plan A's: their zones'
    outline, people, A's tier for most of them (and ``tier_a_people``: people by A's tier) and
    B's, and B's name; most people first."""
    import geopandas as gpd

    if "tier_a" not in zones or "tier_b" not in zones:
        return gpd.GeoDataFrame()
    changed = zones[(zones["tier_a"] != zones["tier_b"]).fillna(False).astype(bool)]
    if not len(changed):
        return gpd.GeoDataFrame()
    rows = []
    names = b.localities.set_index("locality")["name"] if b is not None else pd.Series(dtype=object)
    for key, part in changed.groupby("locality_b"):
        # In words (the zones carry both with the tiers): which comparator tier 2 is against.
        people = part.groupby("tier_label_a")["population"].sum().sort_values(ascending=False, kind="stable")
        # Every tier they come from, with its people: "poorer than both -> Scotland only" for
        # 14,918 people of whom 7,100 had not been flagged overstated the loss (North Ayrshire).
        rows.append({"locality": key, "name": str(names.get(key, key)), "population": int(part["population"].sum()),
                     "tier_a": people.index[0], "tier_a_people": {k: int(v) for k, v in people.items()},
                     "tier_b": part["tier_label_b"].iloc[0], "geometry": part.geometry.union_all()})
    out = gpd.GeoDataFrame(rows, geometry="geometry", crs=zones.crs)
    return out.sort_values(["population", "locality"], ascending=[False, True], kind="stable").set_index("locality")


def plot_comparison(result: PlanComparison, dz, a: Plan | None = None, b: Plan | None = None, title: str | None = None,
                    names: tuple[str, str] = ("plan A", "plan B")):
    """A board-paper map of the differences on one A4 page: zones that moved in orange,
    plan A's lines in black, plan B's dashed in blue; with rankings, zones whose locality's
    tier changed hatched. Title (the council and ``names``), the figures, a key, scale bar,
    north arrow and the data attribution, as on :func:`localities.plot_map`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import geopandas as gpd
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    from . import layout
    from .boardpage import board_page, finish_board_page, main_body
    from .mapstyle import under_heading

    zones = gpd.GeoDataFrame(result.zones.merge(dz[["datazone", "geometry"]], on="datazone"), geometry="geometry",
                             crs=dz.crs).to_crs("EPSG:27700")
    body, note = main_body(zones)
    p, fig, ax = board_page(body, 2.6)
    zones.plot(ax=ax, color=np.where(zones["moved"], "#f28e2b", "#eeeeee"), edgecolor="white", linewidth=0.2)
    s = result.summary
    a_name, b_name = (layout.printable(n) for n in names)
    # Where one plan divides the other nobody moves: localities are split (Falkirk's wards
    # against 5,000 within wards read "Moved: 121 zones").
    divides = nesting(s, a_name, b_name)
    handles = [Patch(facecolor="#f28e2b", label=(f"In a part split off its locality: {s['zones_moved']} zones, "
                                                 f"{s['people_moved']:,} people") if divides else
                     f"Moved: {s['zones_moved']} zones, {s['people_moved']:,} people"),
               Patch(facecolor="#eeeeee", label="In the part matched to its locality" if divides else
                     "Not moved: in matching localities in both plans")]
    if "tier_a" in zones and "tier_b" in zones:
        changed = zones[zones["tier_a"] != zones["tier_b"]]
        if len(changed):
            changed.plot(ax=ax, facecolor="none", hatch="///", edgecolor="#b07aa1", linewidth=0)
            handles.append(Patch(facecolor="white", hatch="///", edgecolor="#b07aa1",
                                 label="Locality's tier differs between the plans"))
    # B's dashed lines first and A's solid ones over them: where B divides A, A's lines were
    # hidden under B's.
    for plan, col, style, colour, name in ((b, "locality_b", "--", "#1f5fbf", names[1]),
                                           (a, "locality_a", "-", "black", names[0])):
        outlines = plan.localities.to_crs("EPSG:27700").geometry if plan is not None else zones.dissolve(col).geometry
        gpd.GeoSeries(outlines.boundary, crs="EPSG:27700").plot(ax=ax, color=colour, linewidth=0.8 if style == "-"
                                                                else 1.0, linestyle=style)
        handles.append(Line2D([], [], color=colour, linestyle=style, label=f"Localities of {layout.printable(name)}"))
    handles[-2:] = handles[-2:][::-1]  # the key lists A before B
    council = (a.council_name if a is not None and a.council_name else
               dz["council_name"].iloc[0] if "council_name" in dz and len(dz) else None)
    counts = [f" ({counted(zones[col].nunique(), 'locality', 'localities')})" for col in ("locality_a", "locality_b")]
    changes = _tier_changes(zones, b)
    if len(changes):
        handles.append(Line2D([], [], linestyle="none", marker="o", markersize=9, markerfacecolor="white",
                              markeredgecolor="#7b3294", label=f"Numbered: a locality of {b_name} whose "
                              f"people were in a locality of another tier in {a_name} (listed below)"))
    finish_board_page(fig, p, ax, zones.geometry, title or f"{council + ': ' if council else ''}"
                      f"{a_name}{counts[0]} and {b_name}{counts[1]} compared", note)
    sl, sb, sw, sh = p.inches(p.side)
    for handle in handles:  # the side column's width at 8 pt
        handle.set_label(textwrap.fill(handle.get_label(), int((sw - 0.5) * 72 / (0.55 * 8))))
    legend = fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(sl / p.size[0], (sb + sh) / p.size[1]),
                        fontsize=8, frameon=False, borderaxespad=0, title="Key", title_fontsize=9, alignment="left")
    listed = changes
    if len(changes):
        # A town whose tier changes is a speck at the council's scale (Argyll and Bute: Campbeltown
        # and Helensburgh changed, and only Cowal's hatching showed): each is numbered on the map and
        # listed with what changed, most people first, as many as the side column holds (Glasgow
        # City's wards against 5,000 a locality: 58, which ran over the attribution).
        renderer = fig.canvas.get_renderer()
        top = legend.get_window_extent(renderer).y0 / fig.dpi - 0.25
        # The maps' words, shortened to fit: "poorer than one" did not say which.
        words = dict(zip(TIER_LABELS, ("poorer than both", "poorer than Scotland only",
                                       "poorer than the rest of the council only", "not flagged")))
        chars = int(sw * 72 / (0.55 * 7))
        line_h = 7 * 1.4 / 72  # matplotlib sets 7 pt lines about this far apart
        room = int((top - max(sb, 0.75)) / line_h) - 1  # lines below the heading, clear of the foot
        entries = []
        for i, (_, row) in enumerate(changes.iterrows()):
            parts = row["tier_a_people"]
            before = words.get(row["tier_a"], row["tier_a"]) if len(parts) == 1 else \
                ", ".join(f"{n:,} {words.get(label, label)}" for label, n in parts.items())
            entry = textwrap.fill(layout.printable(
                f"{i + 1}  {row['name']} ({int(row['population']):,}): {before} "
                f"→ {words.get(row['tier_b'], row['tier_b'])}"), chars, subsequent_indent="    ")
            entries.append(entry)
        used, shown = 0, 0
        for entry in entries:
            need = entry.count("\n") + 1
            if used + need > room - (1 if shown < len(entries) - 1 else 0):
                break
            used, shown = used + need, shown + 1
        listed = changes.iloc[:shown]
        rest = changes.iloc[shown:]
        text = "\n".join(entries[:shown])
        if len(rest):
            text += ("\n" if text else "") + textwrap.fill(
                f"... and {counted(len(rest), 'more locality', 'more localities')} ({int(rest['population'].sum()):,} "
                "people): the table of zones (compare --table; PlanComparison.zones) gives every zone's tier in "
                "both plans", chars)
        view = shapely.box(ax.get_xlim()[0], ax.get_ylim()[0], ax.get_xlim()[1], ax.get_ylim()[1])
        placer = layout.Placer(ax, renderer, localities=np.asarray(changes.geometry.array))
        for i, (key, row) in enumerate(listed.iterrows()):
            placer.number(key, i + 1, row.geometry, view, 7, leader=True, own=i)
        placer.finish()
        for t in placer.labels.values():
            t.get_bbox_patch().set_edgecolor("#7b3294")
        # The people in brackets are those whose tier changed, not the locality's (Falkirk's Town
        # Centre: 3,526 of its 6,962 read as its population; a new user's trial).
        head = textwrap.fill(f"Tier changes, {a_name} → {b_name} (people whose tier changed; both: the rest of "
                             "the council and Scotland)", chars)
        fig.text(sl / p.size[0], top / p.size[1], f"{head}\n" + text, fontsize=7, va="top", ha="left",
                 gid="tier changes")
    fig.attrs = {"tier_changes": changes.drop(columns="geometry") if len(changes) else None,
                 "tier_changes_listed": len(listed)}
    moved = s["share_people_moved"]
    share = "under 1%" if 0 < moved < 0.005 else "over 99%" if 0.995 <= moved < 1 else f"{moved:.0%}"
    words = (f"{divides.split(';')[0]}; {share} of people are in the parts split off their localities"
             if divides else f"{share} of people are in a different locality")
    # Under the title as set (it may have wrapped), not at a fixed height.
    under_heading(fig, fig._suptitle, f"{words} (adjusted Rand index {s['adjusted_rand']:.2f}: 1 is the same plan)",
                  0.6, 8, p.size[0] - 2 * layout.MARGIN, gap=0.08, gid="subtitle")
    return fig
