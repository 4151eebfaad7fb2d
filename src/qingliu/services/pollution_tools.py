"""Pollution control on canonical frames (污染防治): loads, apportionment, the river water-quality
model, environmental capacity and the least-cut reduction plan.

Every function takes the canonical tables (``source``, ``node``, ``section``, ``station``,
``county``, ``flow_daily``, ``wq_sample`` frames, as read by :mod:`qingliu.io` or the store)
and returns frames; nothing here reads files or the database. The chain:

1. :func:`source_inventory`: loads of every source (t/a, generated and entering);
2. :func:`build_model`: the routing model of the network under a design flow, with the loads at
   their entry nodes (:class:`PollutionModel`); :func:`calibrate` fits K per item to observed
   section means and :func:`uncertainty` runs the Monte Carlo analysis;
3. :func:`apportionment` and :func:`failing_sources`: who loads each section;
4. :func:`capacity` and :func:`reduction`: GB/T 25173-2010 capacity per section zone and the
   plan meeting every target at least total cut, split by sector and county.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy import sparse

from qingliu.assess.apportion import (
    apportion,
    catchment_contributions,
    share_table,
    top_sources,
)
from qingliu.assess.env_capacity import target_concentrations, zone_capacity
from qingliu.assess.evaluation import period_means
from qingliu.assess.loads import (
    ITEMS,
    POINT_KINDS,
    ExportCoefficients,
    entry_shares,
    load_export_coefficients,
    load_matrix,
    source_loads,
)
from qingliu.model import RiverNetwork
from qingliu.plan.reduction import least_cut, split_cuts
from qingliu.simulate.routing import (
    Hydraulics,
    RoutingModel,
    design_flows,
    natural_inflows,
)
from qingliu.simulate.routing_studies import (
    calibrate_decay,
    monte_carlo,
    transfer_matrix,
    zone_terms,
)
from qingliu.standards import load_class_limits, load_toml

SECONDS_PER_DAY = 86_400.0
PERCENTILES = (5.0, 50.0, 95.0)
"""Percentiles of the Monte Carlo concentrations reported per section."""


@dataclass(frozen=True)
class PollutionModel:
    """The river water-quality model of a basin under one flow condition.

    Attributes
    ----------
    nodes : the ``node`` table (network order); ``network`` and ``model`` built from it.
    hydraulics : steady flows of the condition (``condition`` describes it).
    station_flows : flow (m3/s) of each station under the condition.
    loads : :func:`source_inventory` rows with ``in_condition`` (the load is present under this
        flow condition; entering loads of the others are 0); ``shares`` (sources × nodes)
        where they enter.
    node_loads : (items, n) entering load at each node, t/a.
    k_per_day, background_mgl : (items,) decay rate and background concentration.
    """

    nodes: pd.DataFrame
    network: RiverNetwork
    model: RoutingModel
    hydraulics: Hydraulics
    condition: str
    station_flows: pd.Series
    loads: pd.DataFrame
    shares: sparse.csr_array
    node_loads: np.ndarray
    k_per_day: np.ndarray
    background_mgl: np.ndarray

    def concentrations(self) -> np.ndarray:
        """(items, n) modelled concentration at every node, mg/L."""
        return self.model.route(self.hydraulics, self.node_loads, self.k_per_day, self.background_mgl)

    def section_nodes(self, sections: pd.DataFrame) -> np.ndarray:
        """Node position of each section (ValueError naming sections whose node is not in the network)."""
        index = pd.Index(self.network.ids).get_indexer(sections["node_id"].astype(str))
        if (index < 0).any():
            names = ", ".join(sections["section_id"].astype(str)[index < 0])
            raise ValueError(f"断面节点不在河网中：{names} / sections whose node is not in the network: {names}")
        return index


def _sector_names(frame: pd.DataFrame, coefficients: ExportCoefficients) -> pd.DataFrame:
    names = coefficients.sector_names
    frame["sector_zh"] = frame["sector"].map(lambda s: names.get(s, (s, s))[0])
    frame["sector_en"] = frame["sector"].map(lambda s: names.get(s, (s, s))[1])
    return frame


def source_inventory(
    sources: pd.DataFrame, *, coefficients: ExportCoefficients | None = None, rain_mm: float | None = None
) -> pd.DataFrame:
    """Loads of every source (t/a): :func:`qingliu.assess.loads.source_loads` with sector names."""
    coefficients = coefficients or load_export_coefficients()
    return _sector_names(source_loads(sources, coefficients, rain_mm=rain_mm), coefficients)


def inventory_shares(loads: pd.DataFrame, by: tuple[str, ...] = ("sector",)) -> pd.DataFrame:
    """Entering loads summed by ``by`` (sector, county_id, kind ...) with each group's share."""
    table = share_table(loads, by)
    if "sector" in by:
        table = _sector_names(table, load_export_coefficients())
    return table


def _model_defaults() -> tuple[np.ndarray, np.ndarray]:
    """Default K (gbt25173_2010.toml) and background (limits of its background class) per item."""
    spec = load_toml("gbt25173_2010")
    k = np.array([spec["decay_per_day"][i]["default"] for i in ITEMS])
    limits = load_class_limits()
    background = np.array([limits.limit(i, int(spec["background"]["class"])) for i in ITEMS])
    return k, background


def build_model(
    nodes: pd.DataFrame,
    stations: pd.DataFrame,
    flows: pd.DataFrame,
    sources: pd.DataFrame,
    counties: pd.DataFrame,
    *,
    design_flow: str | None = None,
    period: str | None = None,
    withdrawals: pd.DataFrame | None = None,
    k_per_day: dict[str, float] | None = None,
    coefficients: ExportCoefficients | None = None,
    rain_mm: float | None = None,
) -> PollutionModel:
    """The routing model of the network under a design (or observed) flow, with the loads placed.

    Parameters
    ----------
    nodes, stations, flows, sources, counties : canonical frames (flows: ``flow_daily``).
    design_flow, period : :func:`qingliu.simulate.routing.design_flows` method ("guarantee",
        "recent_driest", "observed") and, for "observed", the period "YYYY" or "YYYY-MM".
        Under a design low flow the rain-driven kinds of gbt25173_2010.toml
        (``low_flow_excluded_kinds``) carry no load: ``loads`` keeps them with
        ``in_condition`` False and zero entering loads.
    withdrawals : optional frame node_id, q (m3/s taken at intakes).
    k_per_day : decay rates by item overriding the defaults of gbt25173_2010.toml.
    """
    spec = load_toml("gbt25173_2010")["design_flow"]
    design_flow = design_flow or spec["default"]
    network = RiverNetwork.from_frame(nodes)
    loads = source_inventory(sources, coefficients=coefficients, rain_mm=rain_mm)
    loads["in_condition"] = design_flow == "observed" or ~loads["kind"].isin(spec["low_flow_excluded_kinds"])
    for item in ITEMS:
        loads[f"{item}_ta"] = loads[f"{item}_ta"].where(loads["in_condition"], 0.0)
    shares = entry_shares(loads, nodes, counties)
    node_loads = (shares.T @ load_matrix(loads)).T
    flow_m3s = pd.to_numeric(sources["flow_m3d"], errors="coerce").fillna(0.0).to_numpy() / SECONDS_PER_DAY
    effluent = shares.T @ flow_m3s
    taken = np.zeros(len(network))
    if withdrawals is not None and len(withdrawals):
        at = pd.Index(network.ids).get_indexer(withdrawals["node_id"].astype(str))
        if (at < 0).any():
            raise ValueError("取水节点不在河网中 / withdrawal node not in the network")
        np.add.at(taken, at, withdrawals["q"].to_numpy(float))
    station_flows = design_flows(flows, design_flow, period=period)
    gauged = stations.set_index(stations["station_id"].astype(str)).reindex(station_flows.index)
    gauged = gauged[gauged["node_id"].notna()]
    gauge_nodes = pd.Index(network.ids).get_indexer(gauged["node_id"].astype(str))
    keep = gauge_nodes >= 0
    inflow = natural_inflows(network, gauge_nodes[keep], station_flows[gauged.index[keep]].to_numpy(), effluent, taken)
    model = RoutingModel(network)
    hydraulics = model.hydraulics(inflow, effluent, taken)
    k, background = _model_defaults()
    if k_per_day:
        k = np.array([k_per_day.get(i, k[j]) for j, i in enumerate(ITEMS)])
    condition = f"{design_flow} {period}" if period else design_flow
    return PollutionModel(nodes.reset_index(drop=True), network, model, hydraulics, condition, station_flows,
                          loads, shares, node_loads, k, background)


def node_table(pm: PollutionModel) -> pd.DataFrame:
    """Flow, velocity, travel time, entering load and modelled concentration at every node."""
    h = pm.hydraulics
    table = pm.nodes[[c for c in ("node_id", "name", "kind", "river") if c in pm.nodes.columns]].copy()
    table["q_m3s"], table["velocity_ms"], table["travel_days"] = h.q_in, h.velocity, h.travel_days
    conc = pm.concentrations()
    for j, item in enumerate(ITEMS):
        table[f"{item}_load_ta"] = pm.node_loads[j]
    for j, item in enumerate(ITEMS):
        table[f"{item}_mgl"] = conc[j]
    return table


def station_table(pm: PollutionModel, stations: pd.DataFrame) -> pd.DataFrame:
    """Flow of each gauged station under the condition against the model's flow there.

    Columns: station_id, name, node_id, q_design (the condition's flow), q_model (steady flow
    of the model), effluent_upstream (m3/s discharged above the station) and consistent: the
    model reproduces the station's flow (False where the plants upstream discharge more than the
    station carries, so the natural flow is taken as 0).
    """
    table = stations[["station_id", "name", "node_id"]].astype({"station_id": str})
    table = table[table["station_id"].isin(pm.station_flows.index)].reset_index(drop=True)
    at = pd.Index(pm.network.ids).get_indexer(table["node_id"].astype(str))
    table["q_design"] = pm.station_flows.reindex(table["station_id"]).to_numpy()
    table["q_model"] = np.where(at >= 0, pm.hydraulics.q_in[at], np.nan)
    table["effluent_upstream"] = np.where(at >= 0, pm.network.accumulate(pm.hydraulics.effluent)[at], np.nan)
    table["consistent"] = np.isclose(table["q_model"], table["q_design"], rtol=1e-6)
    return table


def observed_means(samples: pd.DataFrame, *, start: str | None = None, end: str | None = None) -> pd.DataFrame:
    """Mean of each load item per section over [start, end) (环办〔2011〕22号 averaging): section × item."""
    means = period_means(samples, freq=None, start=start, end=end)
    return means.pivot_table(index="section_id", columns="parameter", values="value").reindex(columns=list(ITEMS))


def section_table(pm: PollutionModel, sections: pd.DataFrame, observed: pd.DataFrame | None = None) -> pd.DataFrame:
    """Modelled concentration, target and compliance at every section (and observed means if given).

    Columns: section_id, name, target_class, q_m3s, then per item ``<item>_mgl`` (modelled),
    ``<item>_target``, ``<item>_meets`` (NA without a target) and, with ``observed``
    (section × item), ``<item>_obs``.
    """
    at = pm.section_nodes(sections)
    conc = pm.concentrations()[:, at]
    target = target_concentrations(sections, ITEMS)
    table = sections[["section_id", "name", "target_class"]].reset_index(drop=True)
    table["q_m3s"] = pm.hydraulics.q_in[at]
    for j, item in enumerate(ITEMS):
        table[f"{item}_mgl"] = conc[j]
        table[f"{item}_target"] = target[:, j]
        meets = np.where(np.isnan(target[:, j]), None, conc[j] <= target[:, j])
        table[f"{item}_meets"] = pd.array(meets, dtype="boolean")
        if observed is not None:
            table[f"{item}_obs"] = observed.reindex(table["section_id"].astype(str))[item].to_numpy()
    return table


def calibrate(
    pm: PollutionModel, sections: pd.DataFrame, observed: pd.DataFrame
) -> tuple[PollutionModel, pd.DataFrame, pd.DataFrame]:
    """Fit K per item to observed section means (bounds of gbt25173_2010.toml).

    ``pm`` should carry the flows of the observed period (``design_flow="observed"``).
    Returns the model with the fitted K, a summary (item, k_per_day, k_se, at_bound, n, rmse,
    bias, nse, r2, success) and the fit (item, section_id, observed, simulated, residual).
    """
    bounds = load_toml("gbt25173_2010")["decay_per_day"]
    at = pm.section_nodes(sections)
    ids = sections["section_id"].astype(str).to_numpy()
    obs = observed.reindex(ids)
    section_of = pd.Series(ids, index=at)
    rows, fits, k = [], [], pm.k_per_day.copy()
    for j, item in enumerate(ITEMS):
        fit = calibrate_decay(
            pm.model, pm.hydraulics, pm.node_loads[j], at, obs[item].to_numpy(float),
            bounds=tuple(bounds[item]["bounds"]), k0=pm.k_per_day[j], background_mgl=pm.background_mgl[j],
        )
        k[j] = fit.k_per_day
        rows.append({"item": item, "k_per_day": fit.k_per_day, "k_se": fit.k_se, "at_bound": fit.at_bound,
                     "n": fit.n, "rmse": fit.rmse, "bias": fit.bias, "nse": fit.nse, "r2": fit.r2,
                     "success": fit.success})
        fits.append(fit.fit.assign(item=item, section_id=section_of[fit.fit["node"]].to_numpy()).drop(columns="node"))
    fit_table = pd.concat(fits, ignore_index=True)[["item", "section_id", "observed", "simulated", "residual"]]
    return replace(pm, k_per_day=k), pd.DataFrame(rows), fit_table


def uncertain_groups(pm: PollutionModel) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """Load groups and the coefficients scaling them, from export_coefficients.toml ranges.

    Non-point kinds present under the model's flow condition vary with their river-entry
    coefficient λ; livestock also with the per-head output; the COD of cropland with the 标准农田
    correction and the COD of rural households with the per-capita range. Point sources are
    measured at their outfall: no coefficient. Returns group_loads (items, groups, n), the
    multiplier ranges (coefficients, 2), membership (coefficients, groups) and the names of the
    coefficients.
    """
    coef = load_export_coefficients()
    kinds = pm.loads["kind"].to_numpy()
    matrix = load_matrix(pm.loads)  # (sources, items)
    cod = np.array([i == "cod" for i in ITEMS])
    cod_range = {
        "cropland": np.array(coef.ranges["farmland_correction"]),
        "rural_domestic": np.array(coef.ranges["rural_cod"]) / coef.rural_g_per_day["cod"],
    }
    groups: list[tuple[str, np.ndarray]] = []  # (kind, items of the group)
    names, ranges, members = [], [], []

    def coefficient(name: str, low_high: np.ndarray, columns: list[int]) -> None:
        names.append(name)
        ranges.append(low_high)
        members.append(columns)

    for kind in dict.fromkeys(kinds[pm.loads["in_condition"].to_numpy(bool)]):
        first = len(groups)
        groups += [(kind, cod), (kind, ~cod)] if kind in cod_range else [(kind, np.ones(len(ITEMS), dtype=bool))]
        if kind in cod_range:
            coefficient(f"{kind}:cod", cod_range[kind], [first])
        if kind == "livestock":
            coefficient("livestock:output", np.array(coef.ranges["livestock_output"]), [first])
        if kind not in POINT_KINDS and kind in coef.river_entry_range:
            low_high = np.array(coef.river_entry_range[kind]) / coef.river_entry[kind]
            coefficient(f"{kind}:river_entry", low_high, list(range(first, len(groups))))
    group_loads = np.stack(
        [(pm.shares.T @ (matrix * ((kinds == kind)[:, None] & items[None, :]))).T for kind, items in groups], axis=1
    )
    membership = np.zeros((len(names), len(groups)), dtype=bool)
    for c, columns in enumerate(members):
        membership[c, columns] = True
    return group_loads, np.array(ranges, dtype=float).reshape(-1, 2), membership, names


def uncertainty(
    pm: PollutionModel, sections: pd.DataFrame, *, runs: int = 10_000, seed: int | None = 3838,
    k_ranges: np.ndarray | None = None,
) -> pd.DataFrame:
    """Monte Carlo of the section concentrations over the uncertain coefficients.

    K of each item is uniform on ``k_ranges`` (items, 2), default the calibration bounds of
    gbt25173_2010.toml. Returns per section and item: the percentiles :data:`PERCENTILES`
    (``p5``, ``p50``, ``p95``), the mean and ``p_exceed``, the share of runs above the target
    (NaN without a target).
    """
    bounds = load_toml("gbt25173_2010")["decay_per_day"]
    k_ranges = np.array([bounds[i]["bounds"] for i in ITEMS]) if k_ranges is None else np.asarray(k_ranges)
    group_loads, factor_ranges, membership, _ = uncertain_groups(pm)
    mc = monte_carlo(pm.model, pm.hydraulics, group_loads, factor_ranges, k_ranges, runs,
                     membership=membership, background_mgl=pm.background_mgl, seed=seed)
    at = pm.section_nodes(sections)
    conc = mc.concentration[:, :, at]  # (items, runs, sections)
    target = target_concentrations(sections, ITEMS).T  # (items, sections)
    pct = np.percentile(conc, PERCENTILES, axis=1)  # (pct, items, sections)
    frame = pd.DataFrame({
        "section_id": np.tile(sections["section_id"].astype(str).to_numpy(), len(ITEMS)),
        "item": np.repeat(ITEMS, len(at)),
        "target_mgl": target.ravel(),
        "mean": conc.mean(axis=1).ravel(),
    })
    for q, values in zip(PERCENTILES, pct, strict=True):
        frame[f"p{q:g}"] = values.ravel()
    exceed = (conc > target[:, None, :]).mean(axis=1)
    frame["p_exceed"] = np.where(np.isnan(target), np.nan, exceed).ravel()
    return frame


def _contributions(pm: PollutionModel, sections: pd.DataFrame, routed: bool, zones_only: bool = False) -> np.ndarray:
    """(sections, sources, items): routed concentration (mg/L) or catchment load (t/a) per source."""
    at = pm.section_nodes(sections)
    if routed:
        # (items, sections, sources) mg/L per t/a, times each source's load
        transfer = transfer_matrix(pm.model, pm.hydraulics, pm.shares, pm.k_per_day, at)
        return np.moveaxis(transfer * load_matrix(pm.loads).T[:, None, :], 0, -1)
    return catchment_contributions(pm.network, at, pm.shares, load_matrix(pm.loads), zones_only=zones_only)


def apportionment(
    pm: PollutionModel, sections: pd.DataFrame, *, by: str = "sector", routed: bool = False, zones_only: bool = False
) -> pd.DataFrame:
    """Share of each sector (or county_id, kind, source_id) in what reaches each section.

    ``routed=False``: the loads entering the section's catchment (or zone), t/a.
    ``routed=True``: the concentration each source adds at the section, mg/L (decay and
    withdrawals on the way counted). Shares of a section and item sum to one.
    """
    contributions = _contributions(pm, sections, routed, zones_only)
    table = apportion(contributions, sections["section_id"].astype(str), pm.loads, by, ITEMS)
    return _sector_names(table, load_export_coefficients()) if by == "sector" else table


def failing_sources(
    pm: PollutionModel, sections: pd.DataFrame, failing: pd.DataFrame | None = None, count: int = 5
) -> pd.DataFrame:
    """Top sources (by routed concentration contribution) behind each failing section and item.

    ``failing`` lists (section_id, item); default: where the modelled concentration exceeds the
    target (:func:`section_table`).
    """
    if failing is None:
        table = section_table(pm, sections)
        failing = pd.concat(
            [pd.DataFrame({"section_id": table.loc[table[f"{i}_meets"].eq(False), "section_id"], "item": i})
             for i in ITEMS],
            ignore_index=True,
        )
    meta = pm.loads[["source_id", "name", "kind", "sector", "sector_zh", "sector_en", "county_id", "node_id"]]
    contributions = _contributions(pm, sections, routed=True)
    return top_sources(contributions, sections["section_id"].astype(str), meta, failing, count, ITEMS)


def capacity(pm: PollutionModel, sections: pd.DataFrame, *, upstream: str = "target") -> pd.DataFrame:
    """Capacity, load and reduction of every section's zone (GB/T 25173-2010 on the network).

    Columns of :func:`qingliu.assess.env_capacity.zone_capacity` plus name, q_m3s and the
    modelled concentration ``modelled_mgl``.
    """
    at = pm.section_nodes(sections)
    target = target_concentrations(sections, ITEMS)
    terms = zone_terms(pm.model, pm.hydraulics, pm.node_loads, pm.k_per_day, at, target,
                       background_mgl=pm.background_mgl, upstream=upstream)
    table = zone_capacity(sections["section_id"].astype(str), ITEMS, target, terms.q, terms.upstream_gs,
                          terms.retention, terms.zone_load_ta)
    table.insert(1, "name", np.repeat(sections["name"].to_numpy(), len(ITEMS)))
    table.insert(3, "q_m3s", np.repeat(terms.q, len(ITEMS)))
    table.insert(5, "modelled_mgl", terms.modelled_mgl.ravel())
    return table


def reduction(
    pm: PollutionModel, sections: pd.DataFrame, *, max_share: dict[str, float] | float = 1.0,
    present: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Least total cut meeting every section's target, per item (HiGHS LP).

    Parameters
    ----------
    max_share : the largest share of its load a source can cut, one number or by kind (kinds
        left out of the mapping cannot be cut).
    present : section × item concentrations to bring down (e.g. observed means); default the
        modelled ones.

    Returns
    -------
    cuts : source_id, item, load_ta, cut_ta (one row per source and item with a load);
    split : cuts by sector and county (:func:`qingliu.plan.reduction.split_cuts`);
    sections : section_id, item, present_mgl, target_mgl, after_mgl, shortfall_mgl (0 where the
        target is met), feasible (every target of the item met).
    """
    at = pm.section_nodes(sections)
    ids = sections["section_id"].astype(str).to_numpy()
    transfer = transfer_matrix(pm.model, pm.hydraulics, pm.shares, pm.k_per_day, at)
    target = target_concentrations(sections, ITEMS)
    now = pm.concentrations()[:, at].T if present is None else present.reindex(ids)[list(ITEMS)].to_numpy(float)
    loads = load_matrix(pm.loads)
    kinds = pm.loads["kind"]
    share = kinds.map(max_share).fillna(0.0).to_numpy() if isinstance(max_share, dict) else max_share
    cuts, after = [], []
    for j, item in enumerate(ITEMS):
        plan = least_cut(transfer[j], now[:, j], target[:, j], loads[:, j], max_share=share)
        cuts.append(pd.DataFrame({"source_id": pm.loads["source_id"], "item": item, "load_ta": loads[:, j],
                                  "cut_ta": plan.cut_ta}))
        after.append(pd.DataFrame({"section_id": ids, "item": item, "present_mgl": now[:, j],
                                   "target_mgl": target[:, j], "after_mgl": plan.after_mgl,
                                   "shortfall_mgl": plan.shortfall_mgl, "feasible": plan.feasible}))
    cut_table = pd.concat(cuts, ignore_index=True)
    cut_table = cut_table[cut_table["load_ta"] > 0].reset_index(drop=True)
    split = _sector_names(split_cuts(cut_table, pm.loads), load_export_coefficients())
    return cut_table, split, pd.concat(after, ignore_index=True)
