"""A generic water network solved as one sparse linear programme per block of time steps.

The core under :mod:`qingliu.simulate.allocation` (which speaks of rivers, reservoirs, counties
and sectors): nodes that balance, edges that carry water with a loss, sources with bounds and
yearly caps, demands with weights, storages, and minimum flows on edges. Every quantity is a
volume per time step (1e4 m3); the caller converts flows and sets the step length.

Formulation (one block of ``T`` steps, all steps in one LP; perfect foresight within a block,
storage carried from block to block). Variables per step ``t``:

- ``x[e]`` flow entering edge ``e`` at its tail, ``0 <= x <= edge_upper``; ``(1 - loss[e]) x``
  arrives at its head (``to = -1``: it leaves the system);
- ``u[d]`` supply used by demand ``d``, ``0 <= u <= demand``; a share ``return_fraction[d]``
  of it comes back at node ``return_to[d]`` in the same step;
- ``y[s]`` water taken from source ``s``, ``0 <= y <= source_upper``, and ``sum_t y <= cap``
  over each cap period (calendar year) in the block;
- ``v[k]`` storage at the end of the step, ``storage_lower <= v <= storage_upper``;
- ``m[c]`` shortfall below the minimum flow of edge ``minflow_edge[c]``: ``x + m >= target``;
- ``r[k]`` storage below the rule curve: ``v + r >= rule``.

Node balance (one equality per node and step)::

    inflow[n] + y(source at n) + sum_in (1 - loss) x + sum_returns f u + v[t-1] - v[t]
        - sum_out x - u(demand at n) = 0

Objective (minimised)::

    sum_t g_t ( - demand_weight . u + minflow_weight . m + rule_weight . r + source_cost . y
                + edge_cost . x )  -  storage_weight . v[T-1]

Priorities are weights (each level an order of magnitude above the next, see
``standards/water_quotas.toml`` [allocation]). ``g_t = 1 + time_preference (T-1-t)/(T-1)``
makes a unit served earlier in the block worth slightly more than the same unit later, so
that within one priority the LP serves needs in time order, as a step-by-step operation would
(without it, equal weights leave the timing of a shortage to chance); water is still kept
back for a later need of a higher priority, since ``time_preference`` is far below the ratio
of two priority weights. Storage left at the end of a block is worth ``storage_weight``, less
than the least demand: water is kept rather than spilled, never kept from a demand.

Solved with HiGHS through :func:`scipy.optimize.linprog` (DESIGN.md §5). The constraint matrix
of a block is the one-step template repeated along the diagonal, built with array arithmetic
(no Python loop over steps).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np
from scipy import sparse
from scipy.optimize import linprog

HIGHS_OPTIONS = {"presolve": False, "simplex_dual_edge_weight_strategy": "devex"}
"""Dual simplex without presolve, devex pricing: on the Jinzhong network at a daily step with
monthly blocks about 1.5 ms per step against 1.6-2.2 ms for HiGHS's defaults (measured
2026-11, 2 shared cores); the LPs are small and already reduced, so presolve costs more than
it saves."""


class AllocationError(ValueError):
    """The network or its inputs are inconsistent, or the LP has no solution.

    ``str()`` gives the reason in Simplified Chinese and English; ``zh`` and ``en`` apart.
    """

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(f"{zh} / {en}")
        self.zh, self.en = zh, en


def _ints(values: object) -> np.ndarray:
    return np.asarray(values, dtype=np.intp).reshape(-1)


def _floats(values: object, size: int, default: float = 0.0) -> np.ndarray:
    if values is None:
        return np.full(size, default)
    arr = np.asarray(values, dtype=float).reshape(-1)
    return np.broadcast_to(arr, (size,)).copy() if arr.size == 1 else arr


@dataclass(frozen=True)
class FlowNetwork:
    """The static structure of a network: who is connected to whom, losses and weights.

    Parameters
    ----------
    n_nodes : number of nodes, positions ``0..n_nodes-1``.
    edge_from, edge_to : tail and head node of each edge; ``edge_to = -1`` leaves the system.
    edge_loss : share of the water entering an edge that is lost on the way (0 <= loss < 1).
    edge_cost : objective cost per unit of flow (small tie-breakers; default 0).
    demand_node : node each demand draws its supply from.
    demand_weight : objective value of one unit supplied, per demand (> 0).
    return_to : node where each demand's return flow arrives, -1 for none.
    return_fraction : share of the supply that returns (0 <= f <= 1).
    source_node : node each source delivers into.
    source_cost : objective cost per unit taken, per source (default 0).
    storage_node : node of each storage (at most one per node).
    storage_weight : value of a unit left in storage at the end of a block (below every
        demand weight).
    rule_weight : cost per unit of storage below the rule curve, per storage.
    minflow_edge : edge of each minimum-flow constraint.
    minflow_weight : cost per unit of shortfall below a minimum flow.
    time_preference : extra worth of the first step of a block over its last (see above).
    """

    n_nodes: int
    edge_from: np.ndarray
    edge_to: np.ndarray
    edge_loss: np.ndarray
    edge_cost: np.ndarray
    demand_node: np.ndarray
    demand_weight: np.ndarray
    return_to: np.ndarray
    return_fraction: np.ndarray
    source_node: np.ndarray
    source_cost: np.ndarray
    storage_node: np.ndarray
    storage_weight: np.ndarray
    rule_weight: np.ndarray
    minflow_edge: np.ndarray
    minflow_weight: np.ndarray
    time_preference: float = 0.0
    _template: tuple = field(init=False, repr=False, compare=False)

    @classmethod
    def build(
        cls,
        n_nodes: int,
        edges: tuple[object, object],
        *,
        edge_loss: object = None,
        edge_cost: object = None,
        demands: tuple[object, object] = ((), ()),
        returns: tuple[object, object] = ((), ()),
        sources: object = (),
        source_cost: object = None,
        storages: object = (),
        storage_weight: object = None,
        rule_weight: object = None,
        minflows: tuple[object, object] = ((), ()),
        time_preference: float = 0.0,
    ) -> FlowNetwork:
        """Build from plain sequences: ``edges = (from, to)``, ``demands = (node, weight)``,
        ``returns = (to, fraction)`` per demand, ``minflows = (edge, weight)``."""
        e_from, e_to = _ints(edges[0]), _ints(edges[1])
        d_node = _ints(demands[0])
        s_node, k_node, c_edge = _ints(sources), _ints(storages), _ints(minflows[0])
        ret_to = _ints(returns[0]) if len(returns[0]) else np.full(d_node.size, -1, dtype=np.intp)
        return cls(
            n_nodes=int(n_nodes),
            edge_from=e_from,
            edge_to=e_to,
            edge_loss=_floats(edge_loss, e_from.size),
            edge_cost=_floats(edge_cost, e_from.size),
            demand_node=d_node,
            demand_weight=_floats(demands[1], d_node.size),
            return_to=ret_to,
            return_fraction=_floats(returns[1] if len(returns[1]) else None, d_node.size),
            source_node=s_node,
            source_cost=_floats(source_cost, s_node.size),
            storage_node=k_node,
            storage_weight=_floats(storage_weight, k_node.size),
            rule_weight=_floats(rule_weight, k_node.size),
            minflow_edge=c_edge,
            minflow_weight=_floats(minflows[1], c_edge.size),
            time_preference=float(time_preference),
        )

    def __post_init__(self) -> None:
        self._check()
        object.__setattr__(self, "_template", self._step_template())

    # --- layout of the variables of one step --------------------------------------------

    @property
    def sizes(self) -> tuple[int, int, int, int, int, int]:
        """Numbers of edges, demands, sources, storages, minimum flows, rule deficits."""
        k = self.storage_node.size
        return self.edge_from.size, self.demand_node.size, self.source_node.size, k, self.minflow_edge.size, k

    @property
    def offsets(self) -> np.ndarray:
        """Start of each variable group (x, u, y, v, m, r) within one step, and the step width."""
        return np.concatenate(([0], np.cumsum(self.sizes)))

    def _check(self) -> None:
        n = self.n_nodes
        problems = []
        if np.any((self.edge_from < 0) | (self.edge_from >= n)) or np.any((self.edge_to < -1) | (self.edge_to >= n)):
            problems.append(("边的端点不是节点", "an edge end is not a node"))
        if np.any((self.edge_loss < 0) | (self.edge_loss >= 1)):
            problems.append(("输水损失率应在 [0, 1) 内", "edge loss must lie in [0, 1)"))
        for name, nodes in (("demand", self.demand_node), ("source", self.source_node), ("storage", self.storage_node)):
            if np.any((nodes < 0) | (nodes >= n)):
                problems.append((f"{name} 的节点不存在", f"{name} node out of range"))
        if np.unique(self.storage_node).size != self.storage_node.size:
            problems.append(("同一节点有多个调蓄", "more than one storage at a node"))
        if np.any((self.return_fraction < 0) | (self.return_fraction > 1)):
            problems.append(("退水率应在 [0, 1] 内", "return fraction must lie in [0, 1]"))
        if np.any((self.return_to < -1) | (self.return_to >= n)):
            problems.append(("退水节点不存在", "return node out of range"))
        if np.any((self.minflow_edge < 0) | (self.minflow_edge >= self.edge_from.size)):
            problems.append(("最小流量约束的边不存在", "minimum-flow edge out of range"))
        if problems:
            raise AllocationError("；".join(p[0] for p in problems), "; ".join(p[1] for p in problems))

    def _step_template(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Rows, columns and values of one step's node balances (equality rows 0..n-1)."""
        off = self.offsets
        e = np.arange(self.edge_from.size)
        arrives = self.edge_to >= 0
        d = np.arange(self.demand_node.size)
        returns = self.return_to >= 0
        s = np.arange(self.source_node.size)
        k = np.arange(self.storage_node.size)
        rows = np.concatenate(
            (
                self.edge_from,
                self.edge_to[arrives],
                self.demand_node,
                self.return_to[returns],
                self.source_node,
                self.storage_node,
            )
        )
        cols = np.concatenate(
            (off[0] + e, off[0] + e[arrives], off[1] + d, off[1] + d[returns], off[2] + s, off[3] + k)
        )
        vals = np.concatenate(
            (
                -np.ones(e.size),
                1.0 - self.edge_loss[arrives],
                -np.ones(d.size),
                self.return_fraction[returns],
                np.ones(s.size),
                -np.ones(k.size),
            )
        )
        return rows, cols, vals

    # --- one block as one LP -------------------------------------------------------------

    def solve_block(self, inputs: BlockInputs, initial_storage: np.ndarray) -> BlockSolution:
        """Solve ``T`` steps at once; ``initial_storage`` is the storage before the first step."""
        T = inputs.inflow.shape[1]
        n = self.n_nodes
        _, _, n_s, n_k, n_c, _ = self.sizes
        off = self.offsets
        width = int(off[-1])
        steps = np.arange(T)

        # equality rows: node balances, the template on the diagonal plus last step's storage
        rows, cols, vals = self._template
        eq_rows = (rows[None, :] + n * steps[:, None]).ravel()
        eq_cols = (cols[None, :] + width * steps[:, None]).ravel()
        eq_vals = np.tile(vals, T)
        later = steps[1:]
        k = np.arange(n_k)
        carry_rows = (self.storage_node[None, :] + n * later[:, None]).ravel()
        carry_cols = (off[3] + k[None, :] + width * (later[:, None] - 1)).ravel()
        a_eq = sparse.csr_array(
            (
                np.concatenate((eq_vals, np.ones(carry_rows.size))),
                (np.concatenate((eq_rows, carry_rows)), np.concatenate((eq_cols, carry_cols))),
            ),
            shape=(n * T, width * T),
        )
        b_eq = -inputs.inflow.T.copy()  # (T, n)
        b_eq[0, self.storage_node] -= initial_storage
        b_eq = b_eq.ravel()

        # inequality rows: minimum flows, rule curves, yearly source caps
        c_idx = np.arange(n_c)
        mf_rows = (c_idx[None, :] + n_c * steps[:, None]).ravel()
        mf_x = (off[0] + self.minflow_edge[None, :] + width * steps[:, None]).ravel()
        mf_m = (off[4] + c_idx[None, :] + width * steps[:, None]).ravel()
        ru_rows = n_c * T + (k[None, :] + n_k * steps[:, None]).ravel()
        ru_v = (off[3] + k[None, :] + width * steps[:, None]).ravel()
        ru_r = (off[5] + k[None, :] + width * steps[:, None]).ravel()
        groups, group_of_step = np.unique(inputs.cap_period, return_inverse=True)
        caps = inputs.source_cap  # (n_s, n_periods in block), inf = no cap
        s_idx = np.arange(n_s)
        cap_rows = (n_c + n_k) * T + (s_idx[None, :] * groups.size + group_of_step[:, None]).ravel()
        cap_cols = (off[2] + s_idx[None, :] + width * steps[:, None]).ravel()
        n_ub = (n_c + n_k) * T + n_s * groups.size
        a_ub = sparse.csr_array(
            (
                np.r_[-np.ones(2 * mf_rows.size + 2 * ru_rows.size), np.ones(cap_rows.size)],
                (
                    np.concatenate((mf_rows, mf_rows, ru_rows, ru_rows, cap_rows)),
                    np.concatenate((mf_x, mf_m, ru_v, ru_r, cap_cols)),
                ),
            ),
            shape=(n_ub, width * T),
        )
        b_ub = np.concatenate((-inputs.minflow_target.T.ravel(), -inputs.rule_target.T.ravel(), caps.ravel()))
        keep = np.isfinite(b_ub)
        a_ub, b_ub = a_ub[keep], b_ub[keep]

        # bounds and objective, (T, width) then flattened step by step
        lower = np.zeros((T, width))
        upper = np.full((T, width), np.inf)
        upper[:, off[0] : off[1]] = inputs.edge_upper.T
        upper[:, off[1] : off[2]] = inputs.demand.T
        upper[:, off[2] : off[3]] = inputs.source_upper.T
        lower[:, off[3] : off[4]] = inputs.storage_lower.T
        upper[:, off[3] : off[4]] = inputs.storage_upper.T
        upper[:, off[4] : off[5]] = np.nan_to_num(inputs.minflow_target.T, nan=0.0)
        cost = np.concatenate(
            (
                self.edge_cost,
                -self.demand_weight,
                self.source_cost,
                np.zeros(n_k),
                self.minflow_weight,
                self.rule_weight,
            )
        )
        earlier = 1.0 + self.time_preference * (T - 1 - steps) / max(T - 1, 1)
        c = (earlier[:, None] * cost[None, :]).ravel()
        c[width * (T - 1) + off[3] : width * (T - 1) + off[4]] = -self.storage_weight
        result = linprog(
            c,
            A_ub=a_ub if b_ub.size else None,
            b_ub=b_ub if b_ub.size else None,
            A_eq=a_eq,
            b_eq=b_eq,
            bounds=np.column_stack((lower.ravel(), upper.ravel())),
            method="highs-ds",
            options=HIGHS_OPTIONS,
        )
        if result.status != 0:
            raise AllocationError(
                f"配置线性规划无解（{result.message}）：检查库容、死库容与初始蓄水是否相容",
                f"the allocation LP has no solution ({result.message}): check that capacities, dead "
                "storage and initial storage are consistent",
            )
        sol = result.x.reshape(T, width)
        part = [sol[:, off[i] : off[i + 1]].T for i in range(6)]
        return BlockSolution(
            edge=part[0],
            supply=part[1],
            source=part[2],
            storage=part[3],
            minflow_deficit=part[4],
            rule_deficit=part[5],
            objective=float(result.fun),
        )

    def solve(self, inputs: BlockInputs, block_of_step: np.ndarray, initial_storage: np.ndarray) -> BlockSolution:
        """Solve the whole horizon block by block (e.g. one block per year), carrying storage.

        ``block_of_step`` labels each step with its block; blocks run in the order of the
        steps and must be contiguous. A block that ends before its cap period does (a month
        of a year) gets the period's remaining cap in proportion to its share of the
        period's remaining step weight (days), as pywr's ``AnnualLicense`` does; a block
        that reaches the end of the period gets all that remains, so yearly blocks keep
        yearly caps exactly.
        """
        labels = np.asarray(block_of_step)
        starts = np.flatnonzero(np.r_[True, labels[1:] != labels[:-1]])
        if np.unique(labels).size != starts.size:
            raise AllocationError("时段分块不连续", "blocks of steps must be contiguous")
        bounds = np.r_[starts, labels.size]
        period, weight = inputs.cap_period, inputs.step_weight
        # weight from each step to the end of its period (reverse cumulative sum per period)
        order = np.lexsort((-np.arange(period.size), period))
        rev = np.cumsum(weight[order])
        first_of_group = np.r_[True, period[order][1:] != period[order][:-1]]
        group_start = np.maximum.accumulate(np.where(first_of_group, np.arange(order.size), 0))
        to_end = np.empty(period.size)
        to_end[order] = rev - np.r_[0.0, rev][group_start]
        remaining = inputs.source_cap.astype(float).copy()
        storage = np.asarray(initial_storage, dtype=float)
        parts = []
        for a, b in pairwise(bounds):
            block = inputs.window(a, b)
            used, first = np.unique(period[a:b], return_index=True)
            in_block = np.bincount(block.cap_period, weights=weight[a:b], minlength=used.size)
            share = np.divide(in_block, to_end[a + first], out=np.ones(used.size), where=to_end[a + first] > 0)
            block.source_cap = remaining[:, used] * np.minimum(share, 1.0)
            part = self.solve_block(block, storage)
            taken = np.zeros((remaining.shape[0], used.size))
            np.add.at(taken.T, block.cap_period, part.source.T)
            remaining[:, used] = np.maximum(remaining[:, used] - taken, 0.0)
            storage = part.storage[:, -1] if part.storage.size else storage
            parts.append(part)
        return BlockSolution.concatenate(parts)

    def balance_residual(self, inputs: BlockInputs, solution: BlockSolution, initial_storage: np.ndarray) -> np.ndarray:
        """Mass balance of every node and step (n_nodes, T): inflow + arrivals + storage
        released - departures - supply, which is 0 up to the solver's tolerance."""
        n, T = self.n_nodes, inputs.inflow.shape[1]
        res = inputs.inflow.copy()
        np.add.at(res, self.source_node, solution.source)
        np.subtract.at(res, self.edge_from, solution.edge)
        arrives = self.edge_to >= 0
        np.add.at(res, self.edge_to[arrives], (1 - self.edge_loss[arrives])[:, None] * solution.edge[arrives])
        np.subtract.at(res, self.demand_node, solution.supply)
        back = self.return_to >= 0
        np.add.at(res, self.return_to[back], self.return_fraction[back][:, None] * solution.supply[back])
        before = (
            np.column_stack((np.asarray(initial_storage, float).reshape(-1, 1), solution.storage[:, :-1]))
            if T
            else solution.storage
        )
        np.add.at(res, self.storage_node, before - solution.storage)
        return res.reshape(n, T)


@dataclass
class BlockInputs:
    """Time-varying inputs, one column per step (all volumes per step, 1e4 m3).

    inflow (n_nodes, T); edge_upper (E, T); demand (D, T); source_upper (S, T);
    source_cap (S, P) caps per cap period (a calendar year), ``inf`` for none; cap_period (T,)
    the period of each step (0..P-1); storage_lower, storage_upper (K, T); rule_target (K, T),
    NaN where there is no rule curve; minflow_target (C, T), NaN for none; step_weight (T,) the
    length of each step in days, which shares a period's cap among the blocks of the period.
    """

    inflow: np.ndarray
    edge_upper: np.ndarray
    demand: np.ndarray
    source_upper: np.ndarray
    source_cap: np.ndarray
    cap_period: np.ndarray
    storage_lower: np.ndarray
    storage_upper: np.ndarray
    rule_target: np.ndarray
    minflow_target: np.ndarray
    step_weight: np.ndarray

    def window(self, a: int, b: int) -> BlockInputs:
        """Steps ``a..b-1``; the caps of the periods they touch."""
        periods = self.cap_period[a:b]
        used = np.unique(periods)
        return BlockInputs(
            inflow=self.inflow[:, a:b],
            edge_upper=self.edge_upper[:, a:b],
            demand=self.demand[:, a:b],
            source_upper=self.source_upper[:, a:b],
            source_cap=self.source_cap[:, used],
            cap_period=np.searchsorted(used, periods),
            storage_lower=self.storage_lower[:, a:b],
            storage_upper=self.storage_upper[:, a:b],
            rule_target=self.rule_target[:, a:b],
            minflow_target=self.minflow_target[:, a:b],
            step_weight=self.step_weight[a:b],
        )


@dataclass
class BlockSolution:
    """The LP's answer, one column per step: edge flows (E, T), supply (D, T), source takes
    (S, T), storage at the end of each step (K, T), minimum-flow and rule-curve deficits."""

    edge: np.ndarray
    supply: np.ndarray
    source: np.ndarray
    storage: np.ndarray
    minflow_deficit: np.ndarray
    rule_deficit: np.ndarray
    objective: float

    @classmethod
    def concatenate(cls, parts: list[BlockSolution]) -> BlockSolution:
        names = ("edge", "supply", "source", "storage", "minflow_deficit", "rule_deficit")
        joined = {n: np.concatenate([getattr(p, n) for p in parts], axis=1) for n in names}
        return cls(**joined, objective=float(sum(p.objective for p in parts)))
