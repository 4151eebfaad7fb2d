"""Environmental capacity (水环境容量 / 纳污能力) and the reduction each zone needs.

GB/T 25173-2010 水域纳污能力计算规程, river one-dimensional model (``gbt25173_2010.toml``,
standards.md §6 [M]):

    C_x = C_0 · exp(-K·x/(86.4·u))
    M   = (C_s - C_x)(Q + Q_p)                         g/s; × 31.536 gives t/a

(:func:`capacity_1d`) and the segment form of the 环保 capacity guidance, the load discharged
at the head of a segment that keeps its end at C_s (:func:`capacity_segment`):

    W = 31.536 · [C_s (Q_0 + q) · exp(K·x/(86.4·u)) - C_0 · Q_0]     t/a

On a river network the zone (控制单元) of a section is the river above it up to the next
sections upstream. Its concentration is C = (F_up + ā·W)/Q, with F_up the flux arriving from
outside the zone, W the zone's load and ā the share of it that reaches the section (the
routing model gives both, :func:`qingliu.simulate.routing_studies.zone_terms`); the capacity
is the W at which C = C_s, W_cap = (C_s·Q - F_up)/ā (:func:`zone_capacity`). For a single
segment with its load at the head, ā = exp(-K·x/(86.4·u)) and F_up = C_0·Q_0·ā, and this is
the segment form above.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from qingliu.assess.quality import EvaluationMethod, load_method
from qingliu.standards import ClassLimits, load_class_limits

SECONDS_PER_DAY = 86_400.0
DAYS_PER_YEAR = 365.0
G_PER_T = 1e6
M_PER_KM = 1e3
GS_TO_TA = DAYS_PER_YEAR * SECONDS_PER_DAY / G_PER_T
"""t/a per g/s (31.536)."""


def _decay(k_per_day, x_km, u_ms) -> np.ndarray:
    """exp(-K·x/(86.4·u)): K in 1/d, x in km, u in m/s."""
    travel_days = np.asarray(x_km, dtype=float) * M_PER_KM / (np.asarray(u_ms, dtype=float) * SECONDS_PER_DAY)
    return np.exp(-np.asarray(k_per_day, dtype=float) * travel_days)


def capacity_1d(c_s, c_0, k_per_day, x_km, u_ms, q, q_p) -> np.ndarray:
    """Capacity M (t/a) of a river segment by the GB/T 25173-2010 one-dimensional model.

    M = (C_s - C_0·exp(-K·x/(86.4·u)))·(Q + Q_p) × 31.536. Arguments broadcast together.

    Parameters
    ----------
    c_s : target concentration (class limit of the zone's target), mg/L.
    c_0 : concentration of the upstream inflow, mg/L.
    k_per_day : decay rate K, 1/d.
    x_km : distance from the head of the segment to the control section, km.
    u_ms : mean velocity at the design flow, m/s.
    q : design upstream flow, m3/s.
    q_p : effluent flow discharged into the segment, m3/s.

    Returns
    -------
    float array, t/a; negative when the inflow alone already exceeds the target.
    """
    c_x = np.asarray(c_0, dtype=float) * _decay(k_per_day, x_km, u_ms)
    return (np.asarray(c_s, dtype=float) - c_x) * (np.asarray(q, dtype=float) + np.asarray(q_p, dtype=float)) * GS_TO_TA


def capacity_segment(c_s, c_0, k_per_day, x_km, u_ms, q_0, q) -> np.ndarray:
    """Capacity W (t/a) of a segment whose load enters at its head (环保 capacity guidance form).

    W = 31.536·[C_s·(Q_0 + q)·exp(K·x/(86.4·u)) - C_0·Q_0]: the load that, discharged with
    flow q at the head and decaying along x, leaves the end of the segment at C_s.
    """
    q_0 = np.asarray(q_0, dtype=float)
    head = np.asarray(c_s, dtype=float) * (q_0 + np.asarray(q, dtype=float)) / _decay(k_per_day, x_km, u_ms)
    return (head - np.asarray(c_0, dtype=float) * q_0) * GS_TO_TA


def target_concentrations(
    sections: pd.DataFrame,
    items: Sequence[str],
    limits: ClassLimits | None = None,
    method: EvaluationMethod | None = None,
) -> np.ndarray:
    """Limit of each section's target class for each item: (sections, items), mg/L.

    ``sections`` has target_class (1-5) and optionally water_body (lake and reservoir sections
    take the lake limits, e.g. TP). Limits of GB 3838-2002 Table 1 unless ``limits`` is given.
    An item the evaluation method does not assess at a section has no target: with
    环办〔2011〕22号 (default ``method``) TN is assessed only at lakes and reservoirs ("河流总氮
    除外"). NaN where there is no target or the target class is missing.
    """
    limits = limits or load_class_limits()
    method = method or load_method()
    klass = pd.to_numeric(sections["target_class"], errors="coerce").to_numpy(dtype=float)
    lake = (
        sections["water_body"].isin(["lake", "reservoir"]).to_numpy()
        if "water_body" in sections.columns
        else np.zeros(len(sections), dtype=bool)
    )
    rows = [limits.row(item) for item in items]
    column = np.clip(np.nan_to_num(klass, nan=1).astype(int) - 1, 0, limits.river.shape[1] - 1)
    river = limits.river[rows][:, column].T
    lakes = limits.lake[rows][:, column].T
    assessed = np.array([item in method.evaluated for item in items])[None, :] | (
        lake[:, None] & np.array([item == method.lake_separate for item in items])[None, :]
    )
    target = np.where(lake[:, None], lakes, river)
    return np.where(np.isnan(klass)[:, None] | ~assessed, np.nan, target)


def zone_capacity(
    section_ids: Sequence[str],
    items: Sequence[str],
    target_mgl: np.ndarray,
    q: np.ndarray,
    upstream_gs: np.ndarray,
    retention: np.ndarray,
    zone_load_ta: np.ndarray,
) -> pd.DataFrame:
    """Capacity of each section's zone, the load it receives and the reduction it needs.

    W_cap = (C_s·Q - F_up)/ā, in t/a (see the module docstring).

    Parameters
    ----------
    target_mgl : (sections, items) target concentration C_s.
    q : (sections,) flow at the section (design flow), m3/s.
    upstream_gs : (sections, items) flux reaching the section from outside the zone, g/s.
    retention : (sections, items) share ā of the zone's load reaching the section.
    zone_load_ta : (sections, items) load entering the zone, t/a.

    Returns
    -------
    Long DataFrame: section_id, item, target_mgl, capacity_ta (floored at 0), load_ta,
    reduction_ta (load above capacity, ≥ 0), reduction_rate (of the load), remaining_ta
    (capacity not used, ≥ 0), status: "within" (load ≤ capacity), "over" (reduction needed)
    or "no_capacity" (the water from upstream already exceeds the target, so even no load
    would fail; the reduction is the whole load and upstream must cut too).
    """
    target = np.asarray(target_mgl, dtype=float)
    flux_room = target * np.asarray(q, dtype=float)[:, None] - np.asarray(upstream_gs, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        capacity = flux_room / np.asarray(retention, dtype=float) * GS_TO_TA
    load = np.asarray(zone_load_ta, dtype=float)
    no_room = flux_room < 0
    capacity = np.where(no_room, 0.0, capacity)
    reduction = np.fmax(load - capacity, 0.0)
    reduction[np.isnan(capacity)] = np.nan
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(load > 0, reduction / load, 0.0)
    status = np.select(
        [np.isnan(target), no_room, reduction > 0], ["no_target", "no_capacity", "over"], default="within"
    )
    n_sections, n_items = target.shape
    return pd.DataFrame(
        {
            "section_id": np.repeat(np.asarray(section_ids, dtype=object), n_items),
            "item": np.tile(np.asarray(items, dtype=object), n_sections),
            "target_mgl": target.ravel(),
            "capacity_ta": capacity.ravel(),
            "load_ta": load.ravel(),
            "reduction_ta": reduction.ravel(),
            "reduction_rate": rate.ravel(),
            "remaining_ta": np.where(np.isnan(capacity), np.nan, np.fmax(capacity - load, 0.0)).ravel(),
            "status": status.ravel(),
        }
    )
