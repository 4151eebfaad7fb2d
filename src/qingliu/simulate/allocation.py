"""Water allocation over the river network (水资源配置): the domain model and its LP.

An :class:`AllocationModel` is the river network (:class:`qingliu.model.RiverNetwork`) with

- :class:`Reservoir` s (capacity, dead storage, a monthly upper curve such as the flood-limit
  storage, an optional monthly rule curve),
- :class:`Source` s that are not the river: groundwater with a yearly cap, reclaimed water,
  transfers (引黄 and other diversions into the area) with a capacity, delivered to the
  demands of some counties or into a river node,
- :class:`Demand` s by county and sector with a priority, drawing surface water at an intake
  node and the sources of their county, with a conveyance loss and a return flow to a node
  downstream of the intake,
- :class:`EcoFlow` s: minimum flows at control sections, served before agriculture and
  industry (priorities in ``standards/water_quotas.toml`` [allocation]),
- :class:`Diversion` s: canals between river nodes with a capacity.

:func:`allocate` turns daily local inflows (m3/s at each node, :mod:`qingliu.simulate.inflows`)
into monthly or daily steps and solves them as linear programmes
(:mod:`qingliu.simulate.network_lp`): one LP per year at a monthly step, one per month at a
daily step (``block="year"`` for whole years). Priorities are objective weights, one order of
magnitude per level. Only the river nodes where something happens enter the LP
(:mod:`qingliu.simulate.allocation_lp`); the flows of the others are rebuilt afterwards by
accumulating along the network (exact: rivers have no losses here), see
:mod:`qingliu.simulate.allocation_results`.

Measured (``benchmarks/bench_allocation.py``, the bundled Jinzhong network, 46 years daily,
16,802 steps, 2 shared cores, 2026-11): 63 s against pywr 1.31 (GLPK, one LP a day) 172 s on
the same network and inputs, 2.7 times faster; the time is 59 % HiGHS, 27 % scipy's transfer
of the model to HiGHS, 13 % assembly. Monthly steps take about 1.5 s.

Units: volumes in 1e4 m3 (per step, per year), flows in m3/s (docs/units.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from qingliu.model import ORIGINS, RiverNetwork
from qingliu.simulate.allocation_lp import MONTHS, build_layout, step_inputs, time_steps
from qingliu.simulate.allocation_results import AllocationResult
from qingliu.simulate.network_lp import AllocationError
from qingliu.standards import load_toml

STEPS = ("month", "day")
BLOCKS = ("year", "month", "step")


@dataclass(frozen=True)
class AllocationRules:
    """Priorities, weights and sector defaults of ``water_quotas.toml`` [allocation].

    ``monthly_share[sector]`` is 12 shares of the annual demand, or None for "in proportion
    to the days" (uniform use).
    """

    priority: Mapping[str, float]
    weight_base: float
    rule_curve_priority: float
    storage_value: float
    time_preference: float
    origin_cost: Mapping[str, float]
    conveyance_loss: Mapping[str, float]
    return_fraction: Mapping[str, float]
    monthly_share: Mapping[str, tuple[float, ...] | None]

    def weight(self, priority: object) -> np.ndarray:
        """Objective weight of a priority: ``weight_base ** (last - p)``; the last level weighs 1."""
        last = max(self.priority.values())
        return self.weight_base ** (last - np.asarray(priority, dtype=float))


@cache
def load_rules(name: str = "water_quotas") -> AllocationRules:
    """Allocation defaults of a quota file (default ``water_quotas.toml``)."""
    data = load_toml(name)["allocation"]
    weights = data["weights"]
    shares = {k: None if v == "days" else tuple(float(x) for x in v) for k, v in data["monthly_share"].items()}
    return AllocationRules(
        priority=data["priority"],
        weight_base=weights["weight_base"],
        rule_curve_priority=weights["rule_curve_priority"],
        storage_value=weights["storage_value"],
        time_preference=weights["time_preference"],
        origin_cost=data["origin_cost"],
        conveyance_loss=data["conveyance_loss"],
        return_fraction=data["return_fraction"],
        monthly_share=shares,
    )


@dataclass(frozen=True)
class Reservoir:
    """A reservoir at a river node. Volumes in 1e4 m3; ``upper`` and ``rule`` are 12 monthly
    storages (upper: e.g. flood-limit storage in the flood season; rule: storage below which
    water is kept for priorities above agriculture). ``initial`` defaults to full (``upper`` of
    the first month)."""

    reservoir_id: str
    node_id: str
    capacity: float
    dead: float
    initial: float | None = None
    upper: tuple[float, ...] | None = None
    rule: tuple[float, ...] | None = None


@dataclass(frozen=True)
class Source:
    """Water that is not the river: ``origin`` ground, reclaimed or transfer.

    ``annual`` caps the yearly take (1e4 m3/a, inf for none); ``capacity_m3s`` the rate
    (None for none). Delivered to the demands of ``counties`` or, with ``node_id``, into the
    river at that node (e.g. 引黄 water released into a river); ``loss`` on the way in.
    """

    source_id: str
    origin: str
    counties: tuple[str, ...] = ()
    annual: float = np.inf
    capacity_m3s: float | None = None
    node_id: str | None = None
    loss: float = 0.0


@dataclass(frozen=True)
class Demand:
    """A county's demand of one sector (1e4 m3/a). ``intake`` is where it takes surface water
    (None: no surface water); ``return_node`` where its return flow arrives (None: leaves the
    area); priority, loss and return fraction default to the sector's (``AllocationRules``).
    ``origins`` lists the origins it may use."""

    demand_id: str
    county_id: str
    sector: str
    annual: float
    intake: str | None = None
    return_node: str | None = None
    origins: tuple[str, ...] = ORIGINS
    priority: float | None = None
    loss: float | None = None
    return_fraction: float | None = None


@dataclass(frozen=True)
class EcoFlow:
    """Minimum flow at a control section: one value or 12 monthly values (m3/s)."""

    node_id: str
    q_m3s: float | tuple[float, ...]
    priority: float | None = None


@dataclass(frozen=True)
class Diversion:
    """A canal taking water from one river node to another, at most ``capacity_m3s``."""

    diversion_id: str
    from_node: str
    to_node: str
    capacity_m3s: float
    loss: float = 0.0


@dataclass(frozen=True)
class AllocationModel:
    """The river network and everything that takes, stores, adds or protects water.

    Construction checks the model and raises :class:`AllocationError` listing every problem
    (unknown node, negative capacity, a return flow or canal that closes a cycle, ...).
    """

    network: RiverNetwork
    demands: tuple[Demand, ...]
    sources: tuple[Source, ...] = ()
    reservoirs: tuple[Reservoir, ...] = ()
    ecoflows: tuple[EcoFlow, ...] = ()
    diversions: tuple[Diversion, ...] = ()
    rules: AllocationRules = field(default_factory=load_rules)

    def __post_init__(self) -> None:
        problems = check_model(self)
        if problems:
            raise AllocationError("；".join(p[0] for p in problems), "; ".join(p[1] for p in problems))

    # resolved sector defaults
    def demand_priority(self) -> np.ndarray:
        return np.array(
            [d.priority if d.priority is not None else self.rules.priority[d.sector] for d in self.demands], float
        )

    def demand_loss(self) -> np.ndarray:
        return np.array(
            [d.loss if d.loss is not None else self.rules.conveyance_loss[d.sector] for d in self.demands], float
        )

    def demand_return(self) -> np.ndarray:
        rules = self.rules.return_fraction
        return np.array(
            [d.return_fraction if d.return_fraction is not None else rules[d.sector] for d in self.demands], float
        )


def _negative(value: object) -> bool:
    return bool(np.any(np.asarray(value, dtype=float) < 0))


def check_model(model: AllocationModel) -> list[tuple[str, str]]:
    """Every problem of a model as (Chinese, English) pairs; empty when it is consistent."""
    net, rules = model.network, model.rules
    problems: list[tuple[str, str]] = []

    def node(value: str | None, what: str) -> None:
        if value is not None and value not in net:
            problems.append((f"{what} 的节点「{value}」不存在", f"{what}: unknown node {value!r}"))

    def share(value: float | None, what: str, top: float, closed: bool) -> None:
        if value is not None and not (0.0 <= value <= top if closed else 0.0 <= value < top):
            problems.append((f"{what} 超出范围", f"{what} out of range"))

    for kind, items, key in (
        ("需水", model.demands, "demand_id"),
        ("水源", model.sources, "source_id"),
        ("水库", model.reservoirs, "reservoir_id"),
        ("渠道", model.diversions, "diversion_id"),
    ):
        ids = [getattr(x, key) for x in items]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            problems.append((f"{kind}编码重复：{', '.join(dup)}", f"duplicate {key}: {', '.join(dup)}"))
    for d in model.demands:
        what = f"demand {d.demand_id}"
        if d.sector not in rules.priority:
            problems.append((f"{what} 的用水行业「{d.sector}」未知", f"{what}: unknown sector {d.sector!r}"))
        unknown = sorted(set(d.origins) - set(ORIGINS))
        if unknown:
            problems.append(
                (f"{what} 的水源类型未知：{', '.join(unknown)}", f"{what}: unknown origins {', '.join(unknown)}")
            )
        node(d.intake, what)
        node(d.return_node, what)
        if _negative(d.annual):
            problems.append((f"{what} 的需水量为负", f"{what}: negative demand"))
        share(d.loss, f"{what} loss", 1.0, closed=False)
        share(d.return_fraction, f"{what} return_fraction", 1.0, closed=True)
        if "surface" in d.origins and d.intake is None:
            problems.append((f"{what} 使用地表水但无取水节点", f"{what}: uses surface water but has no intake"))
    for s in model.sources:
        what = f"source {s.source_id}"
        if s.origin not in ORIGINS or s.origin == "surface":
            problems.append((f"{what} 的水源类型「{s.origin}」无效", f"{what}: invalid origin {s.origin!r}"))
        node(s.node_id, what)
        if _negative(s.annual) or (s.capacity_m3s is not None and _negative(s.capacity_m3s)):
            problems.append((f"{what} 的年可供水量或能力为负", f"{what}: negative capacity"))
        share(s.loss, f"{what} loss", 1.0, closed=False)
    at_node: dict[str, str] = {}
    for r in model.reservoirs:
        what = f"reservoir {r.reservoir_id}"
        node(r.node_id, what)
        if r.node_id in at_node:
            problems.append(
                (f"{what} 与 {at_node[r.node_id]} 位于同一节点", f"{what}: same node as {at_node[r.node_id]}")
            )
        at_node[r.node_id] = r.reservoir_id
        curves = [c for c in (r.upper, r.rule) if c is not None]
        if _negative([r.capacity, r.dead, *(c for curve in curves for c in curve)]):
            problems.append((f"{what} 的库容为负", f"{what}: negative capacity or storage"))
        if r.dead > r.capacity:
            problems.append((f"{what} 的死库容大于总库容", f"{what}: dead storage above capacity"))
        if any(len(c) != MONTHS for c in curves):
            problems.append((f"{what} 的调度线应有 12 个月值", f"{what}: curves need 12 monthly values"))
        elif r.upper is not None and (min(r.upper) < r.dead or max(r.upper) > r.capacity):
            problems.append((f"{what} 的上限线应在死库容与总库容之间", f"{what}: upper curve outside [dead, capacity]"))
        if r.initial is not None and not r.dead <= r.initial <= r.capacity:
            problems.append(
                (f"{what} 的初始蓄水应在死库容与总库容之间", f"{what}: initial storage outside [dead, capacity]")
            )
    for e in model.ecoflows:
        what = f"ecoflow {e.node_id}"
        node(e.node_id, what)
        if _negative(e.q_m3s):
            problems.append((f"{what} 的生态流量为负", f"{what}: negative flow"))
        if np.size(e.q_m3s) not in (1, MONTHS):
            problems.append((f"{what} 应为 1 个或 12 个月值", f"{what}: give 1 or 12 monthly values"))
    for c in model.diversions:
        what = f"diversion {c.diversion_id}"
        node(c.from_node, what)
        node(c.to_node, what)
        if _negative(c.capacity_m3s):
            problems.append((f"{what} 的过流能力为负", f"{what}: negative capacity"))
        share(c.loss, f"{what} loss", 1.0, closed=False)
    if not problems:
        problems.extend(_cycles(model))
    return problems


def _cycles(model: AllocationModel) -> list[tuple[str, str]]:
    """Canals and intake-to-return links that close a cycle: water could go round.

    A link closing a cycle on its own (its head drains back to its tail, e.g. a canal from
    downstream to upstream, a return flow above its intake) is named; cycles made of several
    links are reported by their nodes.
    """
    net = model.network
    links = [
        (f"diversion {c.diversion_id}", f"渠道 {c.diversion_id}", c.from_node, c.to_node) for c in model.diversions
    ]
    links += [
        (f"return flow of demand {d.demand_id}", f"需水 {d.demand_id} 的退水", d.intake, d.return_node)
        for d in model.demands
        if d.intake is not None and d.return_node is not None
    ]
    problems = [
        (
            f"{zh}（{a} → {b}）形成环路：{b} 的水流回 {a}",
            f"{en} ({a} -> {b}) closes a cycle: water at {b} drains back to {a}",
        )
        for en, zh, a, b in links
        if a in net.path_to_outlet(b)
    ]
    if problems or not links:
        return problems
    n, down = len(net), net.down
    tail = np.r_[np.flatnonzero(down >= 0), [net.index(x[2]) for x in links]].astype(np.intp)
    head = np.r_[down[down >= 0], [net.index(x[3]) for x in links]].astype(np.intp)
    _, label = connected_components(
        sparse.csr_array((np.ones(tail.size), (tail, head)), shape=(n, n)), directed=True, connection="strong"
    )
    looped = np.bincount(label)[label] > 1
    if not looped.any():
        return []
    nodes = ", ".join(net.ids[k] for k in np.flatnonzero(looped))
    return [(f"渠道与退水形成环路，水可循环流动：{nodes}", f"canals and return flows close a cycle through: {nodes}")]


def allocate(
    model: AllocationModel,
    inflow: pd.DataFrame,
    *,
    step: str = "month",
    block: str | None = None,
    start: object = None,
    end: object = None,
) -> AllocationResult:
    """Allocate water over the network, step by step, for the whole inflow record.

    Parameters
    ----------
    model : the network with its demands, sources, reservoirs, eco-flows and canals.
    inflow : daily local inflow (m3/s) at river nodes: a DatetimeIndex without gaps, columns
        node ids (missing nodes: no inflow).
    step : "month" (default) or "day".
    block : steps solved together in one LP: "year" (default for monthly steps; yearly caps
        exact, storage planned over the year), "month" (default for daily steps; yearly caps
        shared out pro rata of the days left, as pywr's ``AnnualLicense``) or "step" (one LP
        per step, no foresight: the operation of a step-by-step simulator such as pywr,
        slower).
    start, end : first and last day to simulate (default the whole inflow record).

    Returns
    -------
    :class:`qingliu.simulate.allocation_results.AllocationResult`.
    """
    if step not in STEPS:
        raise AllocationError(f"时间步长应为 month 或 day，而非「{step}」", f"step must be month or day, not {step!r}")
    block = block or ("year" if step == "month" else "month")
    if block not in BLOCKS:
        raise AllocationError(
            f"分块应为 year、month 或 step，而非「{block}」", f"block must be year, month or step, not {block!r}"
        )
    unknown = sorted(set(map(str, inflow.columns)) - set(model.network.ids))
    if unknown:
        raise AllocationError(
            f"来水的节点不存在：{', '.join(unknown)}", f"inflow at unknown nodes: {', '.join(unknown)}"
        )
    window = inflow.loc[start:end] if start is not None or end is not None else inflow
    if window.empty:
        raise AllocationError("所选时段内没有来水数据", "no inflow in the chosen period")
    window = window.reindex(columns=list(model.network.ids), fill_value=0.0)
    if window.isna().to_numpy().any():
        raise AllocationError("来水有缺测值", "inflows have missing values")
    layout = build_layout(model)
    times, lengths, volume = time_steps(window, step)
    inputs = step_inputs(model, layout, times, lengths, volume)
    initial = np.array(
        [r.initial if r.initial is not None else inputs.storage_upper[k, 0] for k, r in enumerate(model.reservoirs)],
        dtype=float,
    )
    labels = {
        "year": times.year.to_numpy(),
        "month": times.year.to_numpy() * MONTHS + times.month.to_numpy(),
        "step": np.arange(times.size),
    }[block]
    solution = layout.flow.solve(inputs, labels, initial)
    return AllocationResult.build(model, layout, inputs, solution, times, lengths, volume, initial, step)
