"""Robust priority areas and the plan built around them: the zones an ensemble flags in at
least a given share of its plans, grouped into contiguous areas under the ceiling and named
(:func:`priority_areas`), and a full plan with each area a locality and the rest of the
council around them (:func:`priority_plan`, :meth:`localities.ensemble.Ensemble.priority_plan`).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from . import geography
from .build import CEILING, Plan, plan_from_assignment, propose
from .errors import counted, listing
from .regulation import FEW


def priority_areas(zones: gpd.GeoDataFrame, dz: gpd.GeoDataFrame, share: float,
                    ceiling: int) -> tuple[gpd.GeoDataFrame, dict]:
    """Contiguous groups of zones flagged in at least ``share`` of plans, split under the
    ceiling (population-capped regions of the group), named from their IZs."""
    from .names import locality_names

    flagged = zones.loc[zones["share_either"] >= share - 1e-12, "datazone"].tolist()
    columns = ["area", "name", "population", "zones", "share_either_mean", "share_either_min", "share_both_mean",
               "simd_deciles", "most_deprived_20", "places", "split", "geometry"]
    if not flagged:
        return gpd.GeoDataFrame(columns=columns, geometry="geometry", crs=dz.crs), {}
    adjacency = geography.neighbours(dz)
    keep = set(flagged)
    groups = geography.components(sorted(keep), {z: [n for n in adjacency[z] if n in keep] for z in keep})
    by_zone = dz.set_index("datazone")
    pop = by_zone["population"]
    labels, split = {}, {}
    for g, members in enumerate(groups):
        if pop.loc[members].sum() <= ceiling or len(members) == 1:
            labels.update({z: f"g{g:04d}" for z in members})
            split[f"g{g:04d}"] = False
            continue
        sub = dz[dz["datazone"].isin(members)].reset_index(drop=True)
        parts = propose(sub, max_population=ceiling, target_population=None)
        inner = {z: [n for n in adjacency[z] if n in keep] for z in members}
        if any(len(geography.components(list(zs.index), inner)) > 1
               for _, zs in parts.assignment.groupby(parts.assignment)):
            # Whole-IZ blocks that are not contiguous inside the group: build from single zones instead.
            parts = propose(sub, max_population=ceiling, target_population=None, unit="datazone")
        for z, lab in parts.assignment.items():
            labels[z] = f"g{g:04d}{lab}"
            split[f"g{g:04d}{lab}"] = True
    assignment = pd.Series(labels).sort_index()
    names = locality_names(assignment, dz)
    stats = zones.set_index("datazone").loc[assignment.index]
    frame = pd.DataFrame({"key": assignment.to_numpy(), "population": stats["population"].to_numpy(),
                          "share_either": stats["share_either"].to_numpy(), "share_both": stats["share_both"].to_numpy()})
    agg = frame.groupby("key").agg(population=("population", "sum"), zones=("population", "size"),
                                   share_either_mean=("share_either", "mean"), share_either_min=("share_either", "min"),
                                   share_both_mean=("share_both", "mean"))
    # An area is flagged by its localities' figures, so it can hold zones that are not
    # deprived themselves: say how deprived its own zones are (SIMD 2020v2 deciles).
    decile = pd.to_numeric(by_zone["simd_decile"], errors="coerce").reindex(assignment.index) \
        if "simd_decile" in dz else pd.Series(np.nan, index=assignment.index)
    frame["decile"] = decile.to_numpy()
    frame["deprived_people"] = np.where(frame["decile"] <= 2, frame["population"], 0.0)
    by_key = frame.groupby("key")
    low, high = by_key["decile"].min(), by_key["decile"].max()
    agg["simd_deciles"] = [f"{int(a)}-{int(b)}" if a == a and a != b else f"{int(a)}" if a == a else ""
                           for a, b in zip(low.reindex(agg.index), high.reindex(agg.index))]
    agg["most_deprived_20"] = (by_key["deprived_people"].sum() / agg["population"].where(agg["population"] > 0)
                               if "simd_decile" in dz else np.nan)
    order = agg.sort_values(["share_either_mean", "population"], ascending=False).index
    width = max(2, len(str(len(order))))
    ids = {key: f"P{i + 1:0{width}d}" for i, key in enumerate(order)}
    geoms = geography.dissolve(by_zone.loc[assignment.index], assignment)
    out = agg.loc[order].copy()
    out["name"] = names["name"].reindex(order).to_numpy()
    out["places"] = names["places"].reindex(order).to_numpy()
    out["split"] = [split[k] for k in order]
    out.insert(0, "area", [ids[k] for k in order])
    out = gpd.GeoDataFrame(out.reset_index(drop=True), geometry=geoms.reindex(order).to_numpy(), crs=dz.crs)
    return out[columns], {z: ids[k] for z, k in assignment.items()}


def priority_plan(ens, dz: gpd.GeoDataFrame, target_population: int | None = None) -> Plan:
    """See :meth:`localities.ensemble.Ensemble.priority_plan`."""
    if target_population is None:
        # Plans made without a target (the fewest the ceiling allows) do not count; an ensemble
        # that varied no target has no such column.
        ok = ens.plans[ens.plans["ok"].astype(bool)]
        targets = pd.to_numeric(ok.get("target_population", pd.Series(dtype=float)), errors="coerce").dropna()
        target_population = int(round(float(targets.median()), -2)) if len(targets) else None
    ceiling = int(ens.settings.get("max_population") or CEILING)
    zones = dz.sort_values("datazone").reset_index(drop=True)
    area = ens.zones.set_index("datazone")["priority_area"].reindex(zones["datazone"])
    # A priority area under 1,000 people is too small for a locality of its own (Angus: "Part of
    # Lunan", one zone of 941): its zones go with the rest of the council, and a note says so.
    people = pd.Series(zones["population"].to_numpy(), index=zones["datazone"]).groupby(area.to_numpy()).sum()
    small = sorted(people.index[people < FEW])
    area = area.where(~area.isin(small))
    assignment = pd.Series(area.to_numpy(dtype=object), index=zones["datazone"])
    rest = zones[area.isna().to_numpy()].reset_index(drop=True)
    from .ensemble import share_words

    notes = [(f"{counted(len(ens.priority), 'robust priority area', 'robust priority areas')}: zones flagged poorer (than the rest of the council or "
              f"Scotland) in at least {share_words(ens.share)} ({int(ens.plans['ok'].sum())} compliant plans)")
             + (f"; the rest of the council in localities of about {target_population:,} people"
                if target_population else "")]
    if small:
        notes.append(f"{counted(len(small), 'priority area', 'priority areas')} under {FEW:,} people built into the "
                     f"localities of the rest of the council, too small to be a locality of its own: {listing(small)}")
    if len(rest):
        adj, _ = geography.link_components(zones, geography.neighbours(zones))
        keep = set(rest["datazone"])
        parts = geography.components(sorted(keep), {z: [n for n in adj[z] if n in keep] for z in keep})
        # A piece of the rest under 1,000 people that the priority areas cut off would be a
        # locality of its own (Dumfries and Galloway: "Part of Shawhead", 934 people in one
        # zone): it joins the priority area it borders most, where that stays under the ceiling.
        pop = zones.set_index("datazone")["population"]
        joined = []
        for piece in [p for p in parts if pop[p].sum() < FEW]:
            beside = pd.Series([assignment[n] for z in piece for n in adj[z] if n not in keep]).dropna()
            if not len(beside):
                continue
            target = beside.value_counts().sort_index().sort_values(ascending=False, kind="stable").index[0]
            if pop[assignment.index[assignment == target]].sum() + pop[piece].sum() <= ceiling:
                assignment.loc[list(piece)] = target
                keep -= set(piece)
                joined.append(f"{listing(sorted(piece))} ({int(pop[piece].sum()):,} people) to {target}")
        if joined:
            notes.append(f"{counted(len(joined), 'piece', 'pieces')} of the rest of the council under {FEW:,} "
                         f"people, cut off by priority areas, joined to the area beside {'it' if len(joined) == 1 else 'them'}"
                         f": {'; '.join(joined)}")
        parts = [p for p in parts if set(p) <= keep]
        rest = rest[rest["datazone"].isin(keep)].reset_index(drop=True)
    if len(rest):
        part_of = {z: f"part{i}" for i, p in enumerate(parts) for z in p}
        rest = rest.assign(_part=rest["datazone"].map(part_of))
        other = propose(rest, target_population=target_population, within="_part")
        assignment.loc[other.assignment.index] = other.assignment.to_numpy()
    return plan_from_assignment(dz, assignment, method="supplied",
                                params={"ensemble": dict(ens.settings), "share": ens.share}, notes=notes)
