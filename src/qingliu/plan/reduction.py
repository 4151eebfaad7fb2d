"""Least-cut reduction plan (削减方案): the smallest total load cut that meets every target.

For one item, with the routing model's linear response T (concentration at section s per t/a
of source g, :func:`qingliu.simulate.routing_studies.transfer_matrix`) and the present
concentrations C (modelled, or observed), the cuts r (t/a) solve the linear programme

    minimise    Σ_g w_g·r_g
    subject to  C_s - Σ_g T[s, g]·r_g ≤ C_target,s     for every section s
                0 ≤ r_g ≤ f_g·W_g                        (f_g: the largest share of the
                                                          load W_g that source g can cut)

with scipy.optimize.linprog (HiGHS). Weights w default to 1 (least total tonnage); costs per
tonne make it a least-cost plan. When no plan within the bounds meets every target, a first
programme finds the smallest total shortfall Σ_s e_s (constraints relaxed to
C_s - Σ T r - e_s ≤ C_target, e ≥ 0), and the second then minimises the cut with the
shortfall held at that minimum: the plan goes as far as the sources allow, and the sections
left above target are reported.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import linprog

SHORTFALL_TOLERANCE = 1e-9
"""Relative slack on the minimum shortfall when it is held in the second programme (solver
round-off), as a share of the present total exceedance."""


@dataclass(frozen=True)
class ReductionPlan:
    """Cuts of one item.

    Attributes
    ----------
    cut_ta : (sources,) load cut of each source, t/a.
    after_mgl : (sections,) concentration after the cuts.
    shortfall_mgl : (sections,) how far each section stays above its target (0 = met).
    feasible : every target is met within the bounds.
    total_ta : total cut, t/a.
    message : the solver's message.
    """

    cut_ta: np.ndarray
    after_mgl: np.ndarray
    shortfall_mgl: np.ndarray
    feasible: bool
    total_ta: float
    message: str


def least_cut(
    transfer: np.ndarray,
    present_mgl: np.ndarray,
    target_mgl: np.ndarray,
    loads_ta: np.ndarray,
    *,
    max_share: np.ndarray | float = 1.0,
    weights: np.ndarray | float = 1.0,
) -> ReductionPlan:
    """Smallest (weighted) total cut bringing every section to its target (HiGHS LP).

    Parameters
    ----------
    transfer : (sections, sources) concentration per t/a, mg/L per t/a (non-negative).
    present_mgl : (sections,) present concentration; NaN sections are ignored.
    target_mgl : (sections,) target concentration; NaN = no target.
    loads_ta : (sources,) present entering load, t/a.
    max_share : scalar or (sources,) the largest share of its load a source can cut (0-1).
    weights : scalar or (sources,) cost per t/a cut (positive).
    """
    t = np.asarray(transfer, dtype=float)
    present = np.asarray(present_mgl, dtype=float)
    target = np.asarray(target_mgl, dtype=float)
    n_sections, n_sources = t.shape
    upper = np.broadcast_to(np.asarray(max_share, dtype=float), (n_sources,)) * np.asarray(loads_ta, dtype=float)
    cost = np.broadcast_to(np.asarray(weights, dtype=float), (n_sources,))
    excess = np.nan_to_num(present - target, nan=0.0)
    active = np.flatnonzero(excess > 0)  # sections already at or below target stay there: T ≥ 0
    bounds = np.column_stack([np.zeros(n_sources), upper])
    if active.size == 0:
        cut = np.zeros(n_sources)
        return ReductionPlan(cut, present, np.zeros(n_sections), True, 0.0, "无需削减 / no cut needed")

    a_ub, b_ub = -t[active], -excess[active]  # Σ T r ≥ excess
    result = linprog(cost, A_ub=a_ub, b_ub=b_ub, bounds=bounds, method="highs")
    feasible = result.status == 0
    if result.status == 2:  # infeasible: minimise the shortfall first, then the cut
        m = active.size
        relaxed = sparse.hstack([sparse.csr_array(a_ub), -sparse.eye_array(m)]).tocsr()
        slack_bounds = np.vstack([bounds, np.column_stack([np.zeros(m), np.full(m, np.inf)])])
        shortfall_cost = np.concatenate([np.zeros(n_sources), np.ones(m)])
        first = linprog(shortfall_cost, A_ub=relaxed, b_ub=b_ub, bounds=slack_bounds, method="highs")
        if first.status != 0:
            raise RuntimeError(f"削减方案求解失败 / the reduction LP failed: {first.message}")
        slack = SHORTFALL_TOLERANCE * excess[active].sum()
        held = first.fun + slack
        result = linprog(
            np.concatenate([cost, np.zeros(m)]),
            A_ub=sparse.vstack([relaxed, sparse.csr_array(shortfall_cost[None, :])]).tocsr(),
            b_ub=np.append(b_ub, held),
            bounds=slack_bounds,
            method="highs",
        )
    if result.status != 0:
        raise RuntimeError(f"削减方案求解失败 / the reduction LP failed: {result.message}")
    cut = np.clip(result.x[:n_sources], 0.0, upper)
    after = present - t @ cut
    shortfall = np.zeros(n_sections)
    if not feasible:  # shortfalls within the solver slack or round-off of the target are met targets
        gap = after[active] - target[active]
        round_off = (gap <= slack) | np.isclose(after[active], target[active])
        shortfall[active] = np.where(round_off, 0.0, gap)
    return ReductionPlan(cut, after, shortfall, feasible, float(cut.sum()), str(result.message))


def split_cuts(cuts: pd.DataFrame, sources: pd.DataFrame, by: Sequence[str] = ("sector", "county_id")) -> pd.DataFrame:
    """Cuts summed by the ``sources`` columns ``by`` (one row per group and item).

    Parameters
    ----------
    cuts : long frame source_id, item, load_ta, cut_ta (e.g. from the pollution service).
    sources : one row per source with source_id and the ``by`` columns.

    Returns
    -------
    DataFrame: ``by`` columns, item, load_ta, cut_ta, cut_rate (cut / load), share_of_cut
    (of the item's total cut).
    """
    frame = cuts.merge(sources[["source_id", *by]], on="source_id", how="left")
    table = frame.groupby([*by, "item"], sort=True)[["load_ta", "cut_ta"]].sum().reset_index()
    with np.errstate(invalid="ignore", divide="ignore"):
        table["cut_rate"] = np.where(table["load_ta"] > 0, table["cut_ta"] / table["load_ta"], 0.0)
    total = table.groupby("item")["cut_ta"].transform("sum")
    table["share_of_cut"] = np.where(total > 0, table["cut_ta"] / total, 0.0)
    return table
