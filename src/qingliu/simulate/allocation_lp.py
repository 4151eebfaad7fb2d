"""From an allocation model to the LP of :mod:`qingliu.simulate.network_lp`: where each element
sits (:func:`build_layout`), the time steps (:func:`time_steps`) and the inputs of every step
(:func:`step_inputs`).

Only the river nodes where something happens (intakes, returns, reservoirs, control sections,
canal ends, transfer entries) become LP nodes; every other node passes its local inflow to the
first LP node below it. Demands and sources are LP nodes of their own, linked to their intake
and to the sources of their county by supply edges carrying the demand's conveyance loss.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from qingliu.model import ORIGINS
from qingliu.simulate.allocation_results import M3S_DAY
from qingliu.simulate.network_lp import AllocationError, BlockInputs, FlowNetwork

if TYPE_CHECKING:
    from qingliu.simulate.allocation import AllocationModel

MONTHS = 12


@dataclass(frozen=True)
class Layout:
    """Where each model element sits in the LP."""

    flow: FlowNetwork
    active: np.ndarray  # river positions of the LP's river nodes (LP nodes 0..A-1)
    owner: np.ndarray  # for every river node: the LP river node its water reaches first (-1: none)
    supply_edge: np.ndarray  # LP edge of each supply link
    supply_demand: np.ndarray  # demand of each supply link
    supply_origin: np.ndarray  # origin index (into ORIGINS) of each supply link
    supply_river: np.ndarray  # river position for surface links, -1 otherwise
    transfer_edge: np.ndarray  # LP edge of each source delivering into the river (-1: none)
    diversion_edge: np.ndarray
    river_edge: np.ndarray  # LP edge leaving each LP river node


def build_layout(model: AllocationModel) -> Layout:
    net, rules = model.network, model.rules
    n = len(net)
    idx = net.index
    marked = np.zeros(n, dtype=bool)
    for d in model.demands:
        for v in (d.intake, d.return_node):
            if v is not None:
                marked[idx(v)] = True
    for v in (
        [r.node_id for r in model.reservoirs]
        + [e.node_id for e in model.ecoflows]
        + [s.node_id for s in model.sources if s.node_id is not None]
        + [x for c in model.diversions for x in (c.from_node, c.to_node)]
    ):
        marked[idx(v)] = True
    active = np.flatnonzero(marked)
    lp_of = np.full(n, -1, dtype=np.intp)
    lp_of[active] = np.arange(active.size)
    owner = net.first_marked_below(active)  # LP river node k is active[k]
    n_a, n_d, n_s = active.size, len(model.demands), len(model.sources)
    demand_node = n_a + np.arange(n_d)
    source_node = n_a + n_d + np.arange(n_s)

    # river edges: each LP river node to the next one downstream (or out)
    nxt = net.down[active]
    e_from = list(range(n_a))
    e_to = list(np.where(nxt >= 0, owner[np.maximum(nxt, 0)], -1))
    e_loss = [0.0] * n_a
    e_cost = [0.0] * n_a
    least = float(rules.weight(max(rules.priority.values())))
    origin_index = {o: k for k, o in enumerate(ORIGINS)}
    supply = []  # (edge, demand, origin, river position)
    losses = model.demand_loss()
    for j, d in enumerate(model.demands):
        links = []
        if "surface" in d.origins and d.intake is not None:
            links.append((lp_of[idx(d.intake)], "surface", idx(d.intake)))
        for k, s in enumerate(model.sources):
            if s.node_id is None and s.origin in d.origins and d.county_id in s.counties:
                links.append((source_node[k], s.origin, -1))
        for tail, origin, river in links:
            supply.append((len(e_from), j, origin_index[origin], river))
            e_from.append(tail)
            e_to.append(demand_node[j])
            e_loss.append(losses[j])
            e_cost.append(0.0)
    transfer_edge = np.full(n_s, -1, dtype=np.intp)
    for k, s in enumerate(model.sources):
        if s.node_id is not None:
            transfer_edge[k] = len(e_from)
            e_from.append(source_node[k])
            e_to.append(lp_of[idx(s.node_id)])
            e_loss.append(s.loss)
            e_cost.append(0.0)
    diversion_edge = np.arange(len(e_from), len(e_from) + len(model.diversions))
    for c in model.diversions:
        e_from.append(lp_of[idx(c.from_node)])
        e_to.append(lp_of[idx(c.to_node)])
        e_loss.append(c.loss)
        e_cost.append(0.0)
    returns_to = np.array(
        [lp_of[idx(d.return_node)] if d.return_node is not None else -1 for d in model.demands], dtype=np.intp
    )
    res_node = np.array([lp_of[idx(r.node_id)] for r in model.reservoirs], dtype=np.intp)
    eco_edge = np.array([lp_of[idx(e.node_id)] for e in model.ecoflows], dtype=np.intp)
    eco_priority = [e.priority if e.priority is not None else rules.priority["ecoflow"] for e in model.ecoflows]
    flow = FlowNetwork.build(
        n_a + n_d + n_s,
        (e_from, e_to),
        edge_loss=e_loss,
        edge_cost=e_cost,
        demands=(demand_node, rules.weight(model.demand_priority())),
        returns=(returns_to, model.demand_return()),
        sources=source_node,
        source_cost=[least * rules.origin_cost[s.origin] for s in model.sources],
        storages=res_node,
        storage_weight=least * rules.storage_value,
        rule_weight=float(rules.weight(rules.rule_curve_priority)),
        minflows=(eco_edge, rules.weight(eco_priority)),
        time_preference=rules.time_preference,
    )
    sup = np.array(supply, dtype=np.intp).reshape(-1, 4)
    return Layout(
        flow=flow,
        active=active,
        owner=owner,
        supply_edge=sup[:, 0],
        supply_demand=sup[:, 1],
        supply_origin=sup[:, 2],
        supply_river=sup[:, 3],
        transfer_edge=transfer_edge,
        diversion_edge=diversion_edge,
        river_edge=np.arange(n_a),
    )


# --- time steps ------------------------------------------------------------------------


def time_steps(inflow: pd.DataFrame, step: str) -> tuple[pd.DatetimeIndex, np.ndarray, np.ndarray]:
    """Step start times, step lengths (days) and the inflow volume of each node and step."""
    days = pd.DatetimeIndex(inflow.index)
    if len(days) and (days.to_series().diff().dropna() != pd.Timedelta(days=1)).any():
        raise AllocationError("来水序列应为逐日连续数据", "inflows must be daily without gaps")
    volume = inflow.to_numpy(float).T * M3S_DAY  # (n, days)
    if step == "day":
        return days, np.ones(len(days)), volume
    month = days.to_period("M")
    starts, first = np.unique(month.asi8, return_index=True)
    lengths = np.diff(np.r_[first, len(days)]).astype(float)
    return (
        pd.PeriodIndex.from_ordinals(starts, freq="M").to_timestamp(),
        lengths,
        np.add.reduceat(volume, first, axis=1),
    )


def _monthly_table(values: object, size: int) -> np.ndarray:
    """1 or 12 values per element -> (elements, 12)."""
    arr = np.asarray(values, dtype=float)
    return np.broadcast_to(arr.reshape(size, -1), (size, MONTHS)) if arr.size else np.zeros((size, MONTHS))


def step_inputs(
    model: AllocationModel, layout: Layout, times: pd.DatetimeIndex, lengths: np.ndarray, volume: np.ndarray
) -> BlockInputs:
    """The LP inputs of every step."""
    month = times.month.to_numpy() - 1
    year = times.year.to_numpy()
    days_in_month = times.days_in_month.to_numpy().astype(float)
    days_in_year = np.where(times.is_leap_year, 366.0, 365.0)
    T = times.size
    flow = layout.flow
    # local inflows gathered at the LP node each one reaches first
    reaches = layout.owner >= 0
    inflow = np.zeros((flow.n_nodes, T))
    np.add.at(inflow, layout.owner[reaches], volume[reaches])
    # demands: annual x monthly share x (step days / month days), or x step days / year days
    rules = model.rules
    annual = np.array([d.annual for d in model.demands], dtype=float)
    shares = [rules.monthly_share.get(d.sector) for d in model.demands]
    table = np.array([s if s is not None else [np.nan] * MONTHS for s in shares], dtype=float).reshape(-1, MONTHS)
    by_month = table[:, month] * (lengths / days_in_month)
    by_days = np.broadcast_to(lengths / days_in_year, by_month.shape)
    demand = annual[:, None] * np.where(np.isnan(by_month), by_days, by_month)
    # sources: rate caps per step, yearly caps per calendar year (pro rata for partial years)
    rate = np.array([s.capacity_m3s if s.capacity_m3s is not None else np.inf for s in model.sources], dtype=float)
    source_upper = rate[:, None] * (lengths * M3S_DAY)[None, :]
    years, period = np.unique(year, return_inverse=True)
    covered = np.bincount(period, weights=lengths)
    full = np.array([366.0 if pd.Timestamp(int(y), 1, 1).is_leap_year else 365.0 for y in years])
    yearly = np.array([s.annual for s in model.sources], dtype=float)
    with np.errstate(invalid="ignore"):
        source_cap = np.where(np.isinf(yearly)[:, None], np.inf, yearly[:, None] * (covered / full)[None, :])
    edge_upper = np.full((flow.edge_from.size, T), np.inf)
    cap = np.array([c.capacity_m3s for c in model.diversions], dtype=float)
    edge_upper[layout.diversion_edge] = cap[:, None] * (lengths * M3S_DAY)[None, :]
    # reservoirs: monthly upper and rule curves
    res = model.reservoirs
    upper = np.array([r.upper if r.upper is not None else [r.capacity] * MONTHS for r in res], dtype=float).reshape(
        -1, MONTHS
    )
    rule = np.array([r.rule if r.rule is not None else [np.nan] * MONTHS for r in res], dtype=float).reshape(-1, MONTHS)
    dead = np.array([r.dead for r in res], dtype=float)
    eco = _monthly_table(
        [e.q_m3s if np.size(e.q_m3s) == MONTHS else [e.q_m3s] * MONTHS for e in model.ecoflows], len(model.ecoflows)
    )
    return BlockInputs(
        inflow=inflow,
        edge_upper=edge_upper,
        demand=demand,
        source_upper=source_upper,
        source_cap=source_cap,
        cap_period=period,
        storage_lower=np.broadcast_to(dead[:, None], (len(res), T)).copy(),
        storage_upper=upper[:, month],
        rule_target=rule[:, month],
        minflow_target=eco[:, month] * (lengths * M3S_DAY)[None, :],
        step_weight=lengths,
    )
