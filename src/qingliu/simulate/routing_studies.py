"""Studies with the routing model (水质模型应用): calibration of K, Monte Carlo, transfer
matrices and the terms of each section zone's capacity.

All build on :class:`qingliu.simulate.routing.RoutingModel` and use its batch axis: every
scenario of a study (a run, a source, a zone) is one row of a single :meth:`route` call.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import least_squares
from scipy.stats import qmc

from qingliu.assess.apportion import section_zones
from qingliu.simulate.routing import TA_TO_GS, Hydraulics, RoutingModel

# --- calibration ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Calibration:
    """Decay rate K of one item fitted to observed section means, with the fit.

    Attributes
    ----------
    k_per_day : fitted K (1/d); ``k_se`` its standard error from the Jacobian at the optimum
        (s²·(JᵀJ)⁻¹, s² = SSR/(m - 1)); NaN with a single observation.
    at_bound : the optimum lies on a bound (the data push K beyond the allowed range).
    n, rmse, bias, nse, r2 : observations used, root-mean-square error (mg/L), mean of
        simulated - observed, Nash-Sutcliffe efficiency (1 - SSR / Σ(obs - mean)²) and the
        squared Pearson correlation of simulated and observed.
    success, message : from ``scipy.optimize.least_squares``.
    fit : one row per observation: node (position), observed, simulated, residual (mg/L).
    """

    k_per_day: float
    k_se: float
    at_bound: bool
    n: int
    rmse: float
    bias: float
    nse: float
    r2: float
    success: bool
    message: str
    fit: pd.DataFrame


def calibrate_decay(
    model: RoutingModel,
    hydraulics: Hydraulics,
    loads_ta: np.ndarray,
    nodes: np.ndarray,
    observed_mgl: np.ndarray,
    *,
    bounds: tuple[float, float],
    k0: float | None = None,
    background_mgl: float = 0.0,
) -> Calibration:
    """Fit K (one per item, 1/d) by bounded least squares on the observed concentrations.

    Minimises Σ (C_model(K) - C_obs)² over the observed nodes with
    ``scipy.optimize.least_squares`` (trust-region reflective, bounds ``bounds``), starting
    from ``k0`` (default the middle of the bounds). Observations at nodes without water or with
    a NaN value are left out.

    Parameters
    ----------
    loads_ta : (n,) load entering at each node, t/a.
    nodes : int positions of the observed nodes (sections); ``observed_mgl`` their means.
    """
    lo, hi = (float(b) for b in bounds)
    nodes = np.asarray(nodes, dtype=np.intp)
    observed = np.asarray(observed_mgl, dtype=float)
    keep = np.isfinite(observed) & (hydraulics.q_in[nodes] > 0)
    nodes, observed = nodes[keep], observed[keep]
    if nodes.size == 0:
        raise ValueError("没有可用于率定的观测 / no observations to calibrate against")

    def residuals(x: np.ndarray) -> np.ndarray:
        return model.route(hydraulics, loads_ta, x[0], background_mgl)[nodes] - observed

    start = np.clip(0.5 * (lo + hi) if k0 is None else k0, lo, hi)
    result = least_squares(residuals, [start], bounds=([lo], [hi]), method="trf")
    res, m = result.fun, nodes.size
    ssr = float(res @ res)
    jtj = float(result.jac[:, 0] @ result.jac[:, 0])
    k_se = float(np.sqrt(ssr / (m - 1) / jtj)) if m > 1 and jtj > 0 else float("nan")
    simulated = observed + res
    spread = float(((observed - observed.mean()) ** 2).sum())
    varies = m > 1 and simulated.std() > 0 and observed.std() > 0
    r2 = float(np.corrcoef(simulated, observed)[0, 1] ** 2) if varies else float("nan")
    k = float(result.x[0])
    return Calibration(
        k_per_day=k,
        k_se=k_se,
        at_bound=bool(np.isclose(k, lo) or np.isclose(k, hi)),
        n=m,
        rmse=float(np.sqrt(ssr / m)),
        bias=float(res.mean()),
        nse=1.0 - ssr / spread if spread > 0 else float("nan"),
        r2=r2,
        success=bool(result.success),
        message=str(result.message),
        fit=pd.DataFrame({"node": nodes, "observed": observed, "simulated": simulated, "residual": res}),
    )


# --- Monte Carlo ------------------------------------------------------------------------------


@dataclass(frozen=True)
class MonteCarlo:
    """Runs of the routing model under sampled coefficients.

    Attributes
    ----------
    concentration : (items, runs, n) mg/L at every node (a view of node-major memory).
    factors : (runs, coefficients) multipliers sampled for each run (shared by the items).
    k_per_day : (items, runs) decay rates sampled for each run.
    """

    concentration: np.ndarray
    factors: np.ndarray
    k_per_day: np.ndarray


def monte_carlo(
    model: RoutingModel,
    hydraulics: Hydraulics,
    group_loads: np.ndarray,
    factor_ranges: np.ndarray,
    k_ranges: np.ndarray,
    runs: int,
    *,
    membership: np.ndarray | None = None,
    background_mgl: np.ndarray | float = 0.0,
    seed: int | None = None,
) -> MonteCarlo:
    """Route ``runs`` samples of uncertain load coefficients and decay rates at once.

    Each uncertain coefficient is a multiplier uniform on its range, sampled by Latin
    hypercube (``scipy.stats.qmc.LatinHypercube``; McKay, Beckman & Conover 1979,
    Technometrics 21(2):239-245), and so is K of each item. A load group (e.g. the COD of
    cropland) is scaled by the product of the coefficients it depends on (e.g. the 标准农田
    correction and the river-entry coefficient λ); a coefficient takes the same value in every
    item of a run. All runs and items are routed in one batch.

    Parameters
    ----------
    group_loads : (items, groups, n) t/a entering at each node from each group at the
        default coefficients.
    factor_ranges : (coefficients, 2) low and high multiplier of each coefficient.
    k_ranges : (items, 2) low and high K, 1/d.
    runs : number of runs.
    membership : (coefficients, groups) bool, True where the group's load is proportional to
        the coefficient; default: one coefficient per group (identity).
    background_mgl : scalar or (items,) background concentration of natural inflow.
    seed : seed of the sampler, for reproducible runs.
    """
    group_loads = np.asarray(group_loads, dtype=float)
    factor_ranges = np.asarray(factor_ranges, dtype=float).reshape(-1, 2)
    k_ranges = np.asarray(k_ranges, dtype=float).reshape(-1, 2)
    items, groups = group_loads.shape[:2]
    coefficients = factor_ranges.shape[0]
    member = np.eye(groups) if membership is None else np.asarray(membership, dtype=float)
    if member.shape != (coefficients, groups):
        shape = f"({coefficients}, {groups})"
        raise ValueError(f"membership 应为 {shape} / membership must have shape {shape}")
    if (factor_ranges <= 0).any():
        raise ValueError("系数倍数须为正 / coefficient multipliers must be positive")
    unit = qmc.LatinHypercube(d=coefficients + items, seed=seed).random(runs)
    lows = np.concatenate([factor_ranges[:, 0], k_ranges[:, 0]])
    highs = np.concatenate([factor_ranges[:, 1], k_ranges[:, 1]])
    sample = lows + unit * (highs - lows)
    factors, k = sample[:, :coefficients], sample[:, coefficients:].T
    scale = np.exp(np.log(factors) @ member)  # (runs, groups): product of the members
    # Node-major (n, items, runs) from the start: the kernel's layout, no transposed copies.
    n = model.n
    mass = np.empty((n, items, runs))
    for i in range(items):  # one BLAS product per item, over all runs
        mass[:, i, :] = group_loads[i].T @ scale.T
    background = np.broadcast_to(np.asarray(background_mgl, dtype=float), (items,))
    mass = mass * TA_TO_GS + hydraulics.inflow[:, None, None] * background[None, :, None]
    decay = np.exp(-hydraulics.travel_days[:, None, None] * k[None, :, :])
    conc = model.propagate(hydraulics, mass.reshape(n, -1), decay.reshape(n, -1))
    return MonteCarlo(conc.reshape(n, items, runs).transpose(1, 2, 0), factors, k)


# --- linear responses -------------------------------------------------------------------------


def transfer_matrix(
    model: RoutingModel,
    hydraulics: Hydraulics,
    shares: sparse.sparray | np.ndarray,
    k_per_day: np.ndarray,
    nodes: np.ndarray,
) -> np.ndarray:
    """Concentration added at ``nodes`` per t/a of each source: (items, nodes, sources), mg/L per t/a.

    The model is linear in the loads, so the concentration at a section is its background part
    plus Σ_g T[s, g]·W_g. Each source is routed alone with 1 t/a spread over its entry nodes
    (``shares``, :func:`qingliu.assess.loads.entry_shares`), without background.
    """
    unit = shares.toarray() if sparse.issparse(shares) else np.asarray(shares, dtype=float)
    k = np.asarray(k_per_day, dtype=float).reshape(-1, 1)
    conc = model.route(hydraulics, np.broadcast_to(unit, (k.shape[0], *unit.shape)), k)
    return np.nan_to_num(np.swapaxes(conc[:, :, np.asarray(nodes, dtype=np.intp)], 1, 2))


@dataclass(frozen=True)
class ZoneTerms:
    """What each section's zone (控制单元) receives and passes on, per section and item.

    Attributes
    ----------
    q : (sections,) flow at the section, m3/s.
    modelled_mgl : (sections, items) concentration at the section with every load.
    upstream_gs : (sections, items) mass flux reaching the section from outside its zone (the
        upstream sections and the zone's natural inflow), g/s.
    retention : (sections, items) share of a load entering the zone that reaches the section
        (decay and withdrawals on the way), for the zone's present load distribution, or spread
        evenly over the zone's nodes where it has no load.
    zone_load_ta : (sections, items) load entering in the zone, t/a.
    """

    q: np.ndarray
    modelled_mgl: np.ndarray
    upstream_gs: np.ndarray
    retention: np.ndarray
    zone_load_ta: np.ndarray


def zone_terms(
    model: RoutingModel,
    hydraulics: Hydraulics,
    node_loads: np.ndarray,
    k_per_day: np.ndarray,
    section_nodes: np.ndarray,
    target_mgl: np.ndarray,
    *,
    background_mgl: np.ndarray | float = 0.0,
    upstream: str = "target",
) -> ZoneTerms:
    """Terms of the capacity of every section's zone (GB/T 25173-2010 applied to the network).

    The concentration at section s is C_s = (F_up + ā·W_zone)/Q_s, with F_up the flux from
    outside the zone, W_zone its load and ā the share of it reaching s. With
    ``upstream="target"`` (the usual 分段 rule) the water leaving each upstream section carries
    that section's target concentration; with ``"model"`` it carries the modelled one.

    Parameters
    ----------
    node_loads : (items, n) load entering at each node, t/a.
    k_per_day, background_mgl : (items,) decay rate and background concentration.
    section_nodes : (sections,) node positions; ``target_mgl`` (sections, items) their targets.
    """
    if upstream not in ("target", "model"):
        raise ValueError(f"upstream 应为 target 或 model / upstream must be 'target' or 'model', not {upstream!r}")
    nodes = np.asarray(section_nodes, dtype=np.intp)
    loads = np.asarray(node_loads, dtype=float)
    k = np.asarray(k_per_day, dtype=float).reshape(-1, 1)
    background = np.broadcast_to(np.asarray(background_mgl, dtype=float), (loads.shape[0],)).reshape(-1, 1)
    zones = section_zones(model.network, nodes).toarray()  # (sections, n)
    q = hydraulics.q_in[nodes]
    zone_load = loads @ zones.T  # (items, sections)
    modelled = model.route(hydraulics, loads, k[:, 0], background[:, 0])[:, nodes]

    # ā: route each zone's loads alone (evenly spread where the zone has none), no background.
    alone = loads[:, None, :] * zones[None, :, :]
    empty = zone_load <= 0
    alone = np.where(empty[:, :, None], zones[None, :, :], alone)
    entered = np.where(empty, zones.sum(axis=1)[None, :], zone_load)
    reached = model.route(hydraulics, alone, k)[:, np.arange(nodes.size), nodes] * q
    with np.errstate(invalid="ignore", divide="ignore"):
        retention = reached / (entered * TA_TO_GS)

    if upstream == "target":
        fixed = np.full(loads.shape, np.nan)
        fixed[:, nodes] = np.asarray(target_mgl, dtype=float).T
        outside = model.route(hydraulics, np.zeros_like(loads), k[:, 0], background[:, 0], fixed)[:, nodes] * q
    else:
        without = loads[:, None, :] * (1.0 - zones[None, :, :])
        outside = model.route(hydraulics, without, k, background)[:, np.arange(nodes.size), nodes] * q
    return ZoneTerms(q, modelled.T, outside.T, retention.T, zone_load.T)
