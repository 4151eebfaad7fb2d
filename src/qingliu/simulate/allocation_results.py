"""Results of an allocation run: supply, shortage and reliability per demand, storage, eco-flow
met, river flow at every node, and the mass balance of every node and step.

Reliability (保证率) is reported two ways: by steps, the share of time steps in which a demand
is fully met (time-based reliability, Hashimoto et al. 1982, Water Resour. Res. 18(1):14-20);
by years, the share of years with no shortage over the year (年保证率 of Chinese supply
planning). "Fully met" allows the LP's tolerance, a relative shortage of :data:`MET_RTOL`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from qingliu.model import ORIGINS
from qingliu.simulate.network_lp import BlockInputs, BlockSolution
from qingliu.standards import unit_factor

if TYPE_CHECKING:
    from qingliu.simulate.allocation import AllocationModel
    from qingliu.simulate.allocation_lp import Layout

MET_RTOL = 1e-6
"""Relative shortage below which a demand or an eco-flow counts as met (solver tolerance)."""
SECONDS_PER_DAY = 86400.0
M3S_DAY = SECONDS_PER_DAY * unit_factor("m3", "1e4 m3", "volume")
"""A flow of 1 m3/s for one day, in 1e4 m3 (8.64)."""


def met(actual: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Where a supply meets its demand, within the solver's relative tolerance (``MET_RTOL``)."""
    return actual >= target * (1.0 - MET_RTOL) - MET_RTOL


@dataclass(frozen=True)
class AllocationResult:
    """One allocation run. Arrays have one column per time step (``times``, step starts).

    Attributes
    ----------
    model, step : the model and the step ("month" or "day"); ``days`` the length of each step.
    demand, supply, shortage : (demands, T) volumes per step, 1e4 m3.
    supply_by_origin : (demands, 4, T) supply delivered by origin (order of ``ORIGINS``).
    withdrawal_by_origin : (demands, 4, T) water taken at the source, before conveyance loss.
    storage : (reservoirs, T) storage at the end of each step, 1e4 m3.
    eco_flow, eco_target : (control sections, T) mean flow over the step and its target, m3/s.
    river_flow : (nodes, T) mean flow leaving each river node over the step, m3/s.
    lp_nodes, lp_river_flow : the river nodes of the LP (where water is taken, returned,
        stored, added or protected) and the flow leaving each as the LP has it (m3/s); equal
        to ``river_flow`` at those nodes.
    source_take : (sources, T) water taken from each source, 1e4 m3.
    lp_balance : (LP nodes, T) mass-balance residual of every LP node, 1e4 m3 (~0).
    objective : the LP objective summed over blocks.
    """

    model: AllocationModel
    step: str
    times: pd.DatetimeIndex
    days: np.ndarray
    demand: np.ndarray
    supply: np.ndarray
    shortage: np.ndarray
    supply_by_origin: np.ndarray
    withdrawal_by_origin: np.ndarray
    storage: np.ndarray
    eco_flow: np.ndarray
    eco_target: np.ndarray
    river_flow: np.ndarray
    lp_nodes: tuple[str, ...]
    lp_river_flow: np.ndarray
    source_take: np.ndarray
    lp_balance: np.ndarray
    objective: float

    @classmethod
    def build(
        cls,
        model: AllocationModel,
        layout: Layout,
        inputs: BlockInputs,
        solution: BlockSolution,
        times: pd.DatetimeIndex,
        days: np.ndarray,
        volume: np.ndarray,
        initial: np.ndarray,
        step: str,
    ) -> AllocationResult:
        """Assemble the result from the LP solution (see :func:`qingliu.simulate.allocation.allocate`)."""
        flow = layout.flow
        n_d, T = solution.supply.shape
        loss = flow.edge_loss[layout.supply_edge]
        taken = solution.edge[layout.supply_edge]  # (links, T)
        withdrawal = np.zeros((n_d, len(ORIGINS), T))
        delivered = np.zeros((n_d, len(ORIGINS), T))
        np.add.at(withdrawal, (layout.supply_demand, layout.supply_origin), taken)
        np.add.at(delivered, (layout.supply_demand, layout.supply_origin), taken * (1.0 - loss)[:, None])
        to_m3s = 1.0 / (days * M3S_DAY)
        river = _river_flows(model, layout, solution, volume, initial)
        eco_edge = flow.minflow_edge
        return cls(
            model=model,
            step=step,
            times=times,
            days=days,
            demand=inputs.demand,
            supply=solution.supply,
            shortage=np.clip(inputs.demand - solution.supply, 0.0, None),
            supply_by_origin=delivered,
            withdrawal_by_origin=withdrawal,
            storage=solution.storage,
            eco_flow=solution.edge[eco_edge] * to_m3s,
            eco_target=np.nan_to_num(inputs.minflow_target) * to_m3s,
            river_flow=river * to_m3s,
            lp_nodes=tuple(model.network.ids[i] for i in layout.active),
            lp_river_flow=solution.edge[layout.river_edge] * to_m3s,
            source_take=solution.source,
            lp_balance=flow.balance_residual(inputs, solution, initial),
            objective=solution.objective,
        )

    # --- summaries --------------------------------------------------------------------------

    @property
    def years(self) -> np.ndarray:
        return self.times.year.to_numpy()

    def _per_year(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Sum over the steps of each year: (years, array (..., n_years))."""
        years, at = np.unique(self.years, return_inverse=True)
        out = np.zeros((*values.shape[:-1], years.size))
        np.add.at(np.moveaxis(out, -1, 0), at, np.moveaxis(values, -1, 0))
        return years, out

    def demand_summary(self) -> pd.DataFrame:
        """Per demand: mean annual demand, supply and shortage (1e4 m3/a), shortage rate (%),
        supply by origin, reliability by steps and by years, and the largest step shortage."""
        m = self.model
        years, demand_y = self._per_year(self.demand)
        _, supply_y = self._per_year(self.supply)
        _, origin_y = self._per_year(self.supply_by_origin)
        n_years = years.size
        out = pd.DataFrame(
            {
                "demand_id": [d.demand_id for d in m.demands],
                "county_id": [d.county_id for d in m.demands],
                "sector": [d.sector for d in m.demands],
                "priority": m.demand_priority(),
                "demand": demand_y.sum(axis=1) / n_years,
                "supply": supply_y.sum(axis=1) / n_years,
            }
        )
        out["shortage"] = out["demand"] - out["supply"]
        with np.errstate(invalid="ignore", divide="ignore"):
            out["shortage_pct"] = 100.0 * out["shortage"] / out["demand"]
        for k, origin in enumerate(ORIGINS):
            out[f"supply_{origin}"] = origin_y[:, k].sum(axis=1) / n_years
        out["reliability_steps"] = met(self.supply, self.demand).mean(axis=1)
        out["reliability_years"] = met(supply_y, demand_y).mean(axis=1)
        out["max_step_shortage"] = self.shortage.max(axis=1)
        return out

    def county_summary(self) -> pd.DataFrame:
        """Per county and sector totals of :meth:`demand_summary` (1e4 m3/a), plus county totals."""
        table = self.demand_summary()
        numeric = ["demand", "supply", "shortage", *[f"supply_{o}" for o in ORIGINS]]
        county = table.groupby("county_id", sort=False)[numeric].sum().reset_index()
        with np.errstate(invalid="ignore", divide="ignore"):
            county["shortage_pct"] = 100.0 * county["shortage"] / county["demand"]
        return county

    def eco_summary(self) -> pd.DataFrame:
        """Per control section: mean target and flow (m3/s), share of steps met, deficit volume
        (1e4 m3/a)."""
        nodes = [e.node_id for e in self.model.ecoflows]
        deficit = np.clip(self.eco_target - self.eco_flow, 0.0, None) * self.days * M3S_DAY
        return pd.DataFrame(
            {
                "node_id": nodes,
                "target_m3s": self.eco_target.mean(axis=1) if nodes else [],
                "flow_m3s": self.eco_flow.mean(axis=1) if nodes else [],
                "met_share": met(self.eco_flow, self.eco_target).mean(axis=1) if nodes else [],
                "deficit": deficit.sum(axis=1) / np.unique(self.years).size if nodes else [],
            }
        )

    def reservoir_summary(self) -> pd.DataFrame:
        """Per reservoir: capacity, dead storage, mean / min / max storage (1e4 m3), share of
        steps at dead storage and at the upper curve's maximum."""
        res = self.model.reservoirs
        dead = np.array([r.dead for r in res], dtype=float)
        cap = np.array([r.capacity for r in res], dtype=float)
        s = self.storage
        return pd.DataFrame(
            {
                "reservoir_id": [r.reservoir_id for r in res],
                "node_id": [r.node_id for r in res],
                "capacity": cap,
                "dead": dead,
                "mean_storage": s.mean(axis=1) if res else [],
                "min_storage": s.min(axis=1) if res else [],
                "max_storage": s.max(axis=1) if res else [],
                "at_dead_share": (s <= dead[:, None] + MET_RTOL * cap[:, None]).mean(axis=1) if res else [],
            }
        )

    def totals(self) -> dict[str, float]:
        """City totals per year (1e4 m3/a): demand, supply, shortage, supply by origin; eco-flow
        met share over all control sections and steps."""
        n_years = np.unique(self.years).size
        out = {
            "demand": float(self.demand.sum() / n_years),
            "supply": float(self.supply.sum() / n_years),
            "shortage": float(self.shortage.sum() / n_years),
        }
        for k, origin in enumerate(ORIGINS):
            out[f"supply_{origin}"] = float(self.supply_by_origin[:, k].sum() / n_years)
        out["eco_met_share"] = (
            float(met(self.eco_flow, self.eco_target).mean()) if self.eco_flow.size else float("nan")
        )
        return out

    def series(self) -> pd.DataFrame:
        """Long table per step and demand: time, demand_id, demand, supply, shortage (1e4 m3)."""
        ids = [d.demand_id for d in self.model.demands]
        T = self.demand.shape[1]
        return pd.DataFrame(
            {
                "time": np.tile(self.times.to_numpy(), len(ids)),
                "demand_id": np.repeat(ids, T),
                "demand": self.demand.ravel(),
                "supply": self.supply.ravel(),
                "shortage": self.shortage.ravel(),
            }
        )


def _river_flows(
    model: AllocationModel, layout: Layout, solution: BlockSolution, volume: np.ndarray, initial: np.ndarray
) -> np.ndarray:
    """Flow leaving every river node (volume per step): local inflow, plus returns, transfers
    and canal water arriving, minus water taken and stored, accumulated down the network."""
    flow = layout.flow
    net = model.network
    T = volume.shape[1]
    change = volume.copy()
    active = layout.active
    # surface water taken at intakes
    surface = layout.supply_river >= 0
    np.subtract.at(change, layout.supply_river[surface], solution.edge[layout.supply_edge[surface]])
    # return flows
    back = flow.return_to >= 0
    np.add.at(change, active[flow.return_to[back]], flow.return_fraction[back][:, None] * solution.supply[back])
    # transfers into the river and canals between river nodes
    into = layout.transfer_edge >= 0
    for edges in (layout.transfer_edge[into], layout.diversion_edge):
        arrive = active[flow.edge_to[edges]]
        np.add.at(change, arrive, (1.0 - flow.edge_loss[edges])[:, None] * solution.edge[edges])
    np.subtract.at(change, active[flow.edge_from[layout.diversion_edge]], solution.edge[layout.diversion_edge])
    # storage filled (-) or released (+)
    before = np.column_stack((initial.reshape(-1, 1), solution.storage[:, :-1])) if T else solution.storage
    np.add.at(change, active[flow.storage_node], before - solution.storage)
    return net.accumulate(change)
