"""Steady one-dimensional water-quality routing along a river network (河网稳态一维水质模型).

The river 1-D model of GB/T 25173-2010 (``standards/gbt25173_2010.toml``; standards.md §6):
along a reach of length x at velocity u an item decays at first order,

    C_x = C_0 · exp(-K·x/(86.4·u))        (K in 1/d, x in km, u in m/s),

and at each node the water arriving from upstream reaches, the natural inflow (headwater and
lateral runoff, at a background concentration), point-source effluent and non-point loads mix
completely: C = Σ mass flux / Σ flow. A withdrawal (取水口) takes water at the mixed
concentration, so it removes mass but leaves the concentration unchanged.

Reach ``i`` runs from node ``i`` to its downstream node; its velocity and travel time belong to
node ``i``. Loads are in t/a (converted to g/s with 1 t/a = 10^6 g / 31 536 000 s), flows in
m3/s and concentrations in mg/L (= g/m3). Flows do not depend on concentrations, so they are
solved once (:meth:`RoutingModel.hydraulics`) and any batch of load and rate scenarios is
routed over them together (:meth:`RoutingModel.route`): the Python loop runs over the network's
levels (the longest path), every operation inside is vectorised over nodes and runs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from qingliu.assess.daily import daily_flows, water_years
from qingliu.assess.ecoflow import qp, recent_driest_month
from qingliu.model import RiverNetwork
from qingliu.standards import load_toml

SECONDS_PER_DAY = 86_400.0
DAYS_PER_YEAR = 365.0
G_PER_T = 1e6
M_PER_KM = 1e3
TA_TO_GS = G_PER_T / (DAYS_PER_YEAR * SECONDS_PER_DAY)
"""g/s per t/a (1 / 31.536)."""


@dataclass(frozen=True)
class Hydraulics:
    """Steady flows of one design condition; arrays of shape (n,) in network node order.

    Attributes
    ----------
    inflow : natural inflow entering at each node (headwater and lateral runoff), m3/s.
    effluent : point-source effluent entering at each node, m3/s.
    withdrawn : water actually taken at each node (the request, capped by the flow), m3/s.
    q_in : flow at the node after mixing, before the withdrawal, m3/s.
    q_out : flow leaving the node into its reach, m3/s.
    velocity : velocity of the reach below each node, m/s (0 where no water flows).
    travel_days : travel time along the reach below each node, d (0 at outlets and dry reaches).
    """

    inflow: np.ndarray
    effluent: np.ndarray
    withdrawn: np.ndarray
    q_in: np.ndarray
    q_out: np.ndarray
    velocity: np.ndarray
    travel_days: np.ndarray

    @property
    def retention(self) -> np.ndarray:
        """Share of the mixed water (and mass) that leaves each node downstream."""
        return np.divide(self.q_out, self.q_in, out=np.zeros_like(self.q_in), where=self.q_in > 0)


def _vector(values: np.ndarray | float | None, n: int, name: str) -> np.ndarray:
    out = np.zeros(n) if values is None else np.broadcast_to(np.asarray(values, dtype=float), (n,)).copy()
    if (out < 0).any() or np.isnan(out).any():
        raise ValueError(f"{name} 须为非负数 / {name} must be non-negative numbers")
    return out


class RoutingModel:
    """Routing over a :class:`~qingliu.model.RiverNetwork`, precomputed for repeated runs.

    Parameters
    ----------
    network : the river network; every node with a downstream node needs its ``length_km``.

    Raises
    ------
    ValueError
        When a reach has no length.
    """

    def __init__(self, network: RiverNetwork) -> None:
        down = network.down
        missing = (down >= 0) & np.isnan(network.length_km)
        if missing.any():
            names = ", ".join(network.ids[i] for i in np.flatnonzero(missing))
            raise ValueError(f"河段缺少长度：{names} / reaches without length_km: {names}")
        self.network = network
        self.n = len(network)
        self.length_km = np.where(down >= 0, network.length_km, 0.0)
        levels = []
        for level in network.levels():
            flow_pos = np.flatnonzero(down[level] >= 0)
            flows = level[flow_pos]
            targets, column = np.unique(down[flows], return_inverse=True)
            # push @ x adds x of every flowing node into its downstream node (siblings of one
            # confluence may share a level, so a plain fancy-index += would drop some).
            push = sparse.csr_array(
                (np.ones(flows.size), (column, np.arange(flows.size))), shape=(targets.size, flows.size)
            )
            levels.append((level, flows, flow_pos, targets, push))
        self._levels = tuple(levels)

    # --- flows ------------------------------------------------------------------------------

    def hydraulics(
        self,
        inflow: np.ndarray,
        effluent: np.ndarray | None = None,
        withdrawal: np.ndarray | None = None,
        *,
        velocity: np.ndarray | float | None = None,
        geometry: tuple[float, float] | None = None,
    ) -> Hydraulics:
        """Solve the steady flows and the travel time of every reach.

        Parameters
        ----------
        inflow : (n,) natural inflow at each node, m3/s (see :func:`natural_inflows`).
        effluent : (n,) point-source effluent at each node, m3/s (default none).
        withdrawal : (n,) water requested at each node, m3/s (default none); a request above
            the flow takes all of it.
        velocity : reach velocities, m/s, scalar or (n,). Exclusive with ``geometry``.
        geometry : (a, b) of the hydraulic geometry u = a·Q^b with Q the reach's flow
            (``[hydraulics]`` of gbt25173_2010.toml when neither is given).
        """
        n, down = self.n, self.network.down
        inflow = _vector(inflow, n, "inflow")
        effluent = _vector(effluent, n, "effluent")
        request = _vector(withdrawal, n, "withdrawal")
        q_in, q_out, arriving = np.zeros(n), np.zeros(n), np.zeros(n)
        for level, flows, _, targets, push in self._levels:
            q_in[level] = arriving[level] + inflow[level] + effluent[level]
            q_out[level] = np.maximum(q_in[level] - request[level], 0.0)
            arriving[targets] += push @ q_out[flows]
        if velocity is not None and geometry is not None:
            raise ValueError("velocity 与 geometry 只能给一个 / give velocity or geometry, not both")
        if velocity is None:
            a, b = geometry or (load_toml("gbt25173_2010")["hydraulics"][k] for k in ("a", "b"))
            speed = a * q_out**b
        else:
            speed = _vector(velocity, n, "velocity")
        speed = np.where((down >= 0) & (q_out > 0), speed, 0.0)
        travel = np.divide(self.length_km, speed * SECONDS_PER_DAY / M_PER_KM, out=np.zeros(n), where=speed > 0)
        return Hydraulics(inflow, effluent, q_in - q_out, q_in, q_out, speed, travel)

    # --- concentrations ---------------------------------------------------------------------

    def route(
        self,
        hydraulics: Hydraulics,
        loads_ta: np.ndarray,
        k_per_day: np.ndarray | float,
        background_mgl: np.ndarray | float = 0.0,
        fixed_mgl: np.ndarray | None = None,
    ) -> np.ndarray:
        """Concentration (mg/L) at every node for a batch of load and decay scenarios.

        Parameters
        ----------
        hydraulics : flows from :meth:`hydraulics`.
        loads_ta : (..., n) load entering at each node, t/a; leading axes are the batch (runs,
            items, sources ...).
        k_per_day : decay rate K, 1/d: scalar, one per scenario (shape broadcastable to the
            batch ``loads_ta.shape[:-1]``), or one per reach (ndim = batch ndim + 1; use
            ``k[None, :]`` for the same reach rates in every run).
        background_mgl : concentration of the natural inflow, mg/L, shaped like ``k_per_day``.
        fixed_mgl : optional, broadcastable to (..., n); where finite, the water leaving that node carries
            this concentration instead of the mixed one (e.g. upstream sections held at their
            targets for a capacity calculation). The node's own concentration is still the mixed
            one. NaN = not fixed.

        Returns
        -------
        float array (..., n). NaN at nodes without water; a load entering such a node stays
        there (nothing flows on to carry it).
        """
        loads = np.asarray(loads_ta, dtype=float)
        if loads.shape[-1:] != (self.n,):
            raise ValueError(f"loads_ta 的最后一维应为节点数 {self.n} / last axis of loads_ta must be n = {self.n}")
        batch = loads.shape[:-1]
        size = int(np.prod(batch))

        def per_node(values: np.ndarray | float, name: str, *, node_axis: bool = False) -> np.ndarray:
            """(n, size) node-major array of a parameter: one value per scenario (shape
            broadcastable to the batch) or per node (ndim = batch ndim + 1, or always when
            ``node_axis``)."""
            arr = np.asarray(values, dtype=float)
            try:
                if node_axis or arr.ndim == len(batch) + 1:
                    return np.broadcast_to(arr, (*batch, self.n)).reshape(size, self.n).T
                return np.broadcast_to(np.broadcast_to(arr, batch).reshape(1, size), (self.n, size))
            except ValueError:
                raise ValueError(
                    f"{name} 的形状 {arr.shape} 与批次 {batch}（节点 {self.n}）不符 / "
                    f"shape {arr.shape} of {name} fits neither the batch {batch} nor (batch, {self.n})"
                ) from None

        background = per_node(background_mgl, "background_mgl")
        mass = np.ascontiguousarray(loads.reshape(size, self.n).T) * TA_TO_GS + hydraulics.inflow[:, None] * background
        decay = np.exp(-np.ascontiguousarray(per_node(k_per_day, "k_per_day")) * hydraulics.travel_days[:, None])
        fixed = None if fixed_mgl is None else per_node(fixed_mgl, "fixed_mgl", node_axis=True)
        return self.propagate(hydraulics, mass, decay, fixed).T.reshape(*batch, self.n)

    def propagate(
        self, hydraulics: Hydraulics, mass_gs: np.ndarray, decay: np.ndarray, fixed_mgl: np.ndarray | None = None
    ) -> np.ndarray:
        """The routing kernel on node-major arrays: (n, runs) in, (n, runs) concentrations out.

        :meth:`route` with its inputs laid out node by node (rows = nodes, columns = runs,
        C-contiguous), for callers that build large batches directly in that layout.

        Parameters
        ----------
        mass_gs : (n, runs) mass entering at each node, g/s (loads and natural inflow × background).
        decay : (n, runs) share of the mass leaving each node that survives its reach,
            exp(-K·travel_days).
        fixed_mgl : (n, runs) or None, as in :meth:`route`.
        """
        q_in, q_out, retention = hydraulics.q_in, hydraulics.q_out, hydraulics.retention
        conc = np.empty_like(mass_gs)
        arriving = np.zeros_like(mass_gs)
        for level, flows, flow_pos, targets, push in self._levels:
            m_in = arriving[level] + mass_gs[level]
            with np.errstate(invalid="ignore", divide="ignore"):
                conc[level] = np.where(q_in[level, None] > 0, m_in / q_in[level, None], np.nan)
            if targets.size == 0:
                continue
            leaving = m_in[flow_pos] * retention[flows, None]
            if fixed_mgl is not None:
                held = fixed_mgl[flows]
                leaving = np.where(np.isnan(held), leaving, held * q_out[flows, None])
            arriving[targets] += push @ (leaving * decay[flows])
        return conc


def natural_inflows(
    network: RiverNetwork,
    gauge_nodes: np.ndarray,
    gauge_q: np.ndarray,
    effluent: np.ndarray | None = None,
    withdrawal: np.ndarray | None = None,
) -> np.ndarray:
    """Natural inflow (m3/s) entering at each node, from flows at gauged nodes.

    Runoff is taken proportional to river length (drainage length as a stand-in for catchment
    area): each node receives the runoff of the reach below it, specific yield × ``length_km``
    (outlets receive none), so a gauge's drainage length includes its own reach. The specific
    yield of the region between a gauge and the gauges nested upstream of it is (natural flow
    at the gauge - natural flow at the nested gauges) / (their difference in drainage length),
    where the natural flow at a gauge is the gauged flow
    minus the effluent and plus the withdrawals upstream of it. So the steady flows reproduce
    every gauged flow, unless a region's natural flow comes out negative (then its yield is 0).
    Nodes with no gauge downstream take the pooled yield of the gauges of their tree (outlet), or
    of all gauges when their tree has none.

    Parameters
    ----------
    network : the river network.
    gauge_nodes : int positions of the gauged nodes (one gauge per node).
    gauge_q : flows at the gauges, m3/s (e.g. design flows).
    effluent, withdrawal : (n,) m3/s at each node, default none.
    """
    n, down = len(network), network.down
    gauge_nodes = np.asarray(gauge_nodes, dtype=np.intp)
    gauge_q = np.asarray(gauge_q, dtype=float)
    if gauge_nodes.size == 0:
        raise ValueError("至少需要一个有流量的测站 / at least one gauged flow is needed")
    if np.unique(gauge_nodes).size != gauge_nodes.size:
        raise ValueError("一个节点只能有一个测站流量 / one gauged flow per node")
    reach = np.where(down >= 0, np.nan_to_num(network.length_km), 0.0)
    drainage = network.accumulate(reach)
    human = network.accumulate(_vector(effluent, n, "effluent") - _vector(withdrawal, n, "withdrawal"))
    natural = np.maximum(gauge_q - human[gauge_nodes], 0.0)

    region = network.first_marked_below(gauge_nodes)  # the first gauge at or below each node
    outlet = np.flatnonzero(down < 0)[network.first_marked_below(np.flatnonzero(down < 0))]
    parent = np.where(down[gauge_nodes] >= 0, region[np.maximum(down[gauge_nodes], 0)], -1)
    nested = parent >= 0
    own_q = natural - np.bincount(parent[nested], natural[nested], minlength=gauge_nodes.size)
    gauged_len = drainage[gauge_nodes]
    own_len = gauged_len - np.bincount(parent[nested], gauged_len[nested], minlength=gauge_nodes.size)
    yield_ = np.maximum(np.divide(own_q, own_len, out=np.zeros_like(own_q), where=own_len > 0), 0.0)

    top = ~nested  # gauges with no gauge below them pool per tree
    tree = outlet[gauge_nodes[top]]
    pooled_q = np.bincount(tree, natural[top], minlength=n)
    pooled_len = np.bincount(tree, drainage[gauge_nodes[top]], minlength=n)
    top_len = drainage[gauge_nodes[top]].sum()
    overall = natural[top].sum() / top_len if top_len > 0 else 0.0
    tree_yield = np.divide(pooled_q, pooled_len, out=np.full(n, overall), where=pooled_len > 0)
    node_yield = np.where(region >= 0, yield_[np.maximum(region, 0)], tree_yield[outlet])
    return node_yield * reach


# --- design flows -----------------------------------------------------------------------------

DESIGN_METHODS = ("guarantee", "recent_driest", "observed")


def design_flows(
    daily: pd.DataFrame,
    method: str | None = None,
    *,
    guarantee: float | None = None,
    recent_years: int | None = None,
    period: str | None = None,
) -> pd.Series:
    """Design flow of each station (设计流量, GB/T 25173-2010; ``[design_flow]`` of its TOML).

    Parameters
    ----------
    daily : daily flows, columns station_id, date, q (m3/s). Days without a value are left
        out of the monthly means; only calendar years inside a station's record count.
    method : "guarantee": the driest-month mean flow at the guarantee rate (default 90 %),
        :func:`qingliu.assess.ecoflow.qp` (Pearson III by moments of each year's driest
        monthly mean, read at exceedance ``guarantee``, floored at 0). "recent_driest": the
        lowest monthly mean of the last ``recent_years`` years (近10年最枯月平均流量),
        :func:`qingliu.assess.ecoflow.recent_driest_month`. "observed": the mean of the daily
        flows of ``period`` ("YYYY" or "YYYY-MM"), for observed conditions. Default: the TOML's
        ``default``.

    Returns
    -------
    Series of flows (m3/s) indexed by station_id (sorted).
    """
    spec = load_toml("gbt25173_2010")["design_flow"]
    method = method or spec["default"]
    if method not in DESIGN_METHODS:
        raise ValueError(
            f"设计流量方法无效 {method!r} / unknown design-flow method {method!r}; one of {DESIGN_METHODS}"
        )
    if method == "observed":
        if not period:
            raise ValueError("observed 方法需要 period（YYYY 或 YYYY-MM） / method observed needs a period (YYYY or YYYY-MM)")
        month = pd.to_datetime(daily["date"]).dt.strftime("%Y-%m")
        chosen = daily[month.str.startswith(str(period)).to_numpy()]
        flows = pd.to_numeric(chosen["q"], errors="coerce").groupby(chosen["station_id"].astype(str)).mean()
        if flows.dropna().empty:
            raise ValueError(f"时段 {period} 没有流量 / no flows in period {period}")
        return flows.rename("q")
    years = water_years(daily_flows(daily), start_month=1)
    if method == "guarantee":
        values, _ = qp(years, float(guarantee or spec["guarantee"]))
    else:
        values = recent_driest_month(years, int(recent_years or spec["recent_years"]))
    return pd.Series(values, index=years.stations.astype(str), name="q").sort_index()
