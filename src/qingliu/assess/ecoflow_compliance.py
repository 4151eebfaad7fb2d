"""Ecological-flow compliance (生态流量保障/满足程度) of daily flows against monthly targets.

Definitions (``standards/ecoflow.toml``, ``[compliance]``):

* A day complies when its mean flow is at least the target of its month.
* Daily compliance rate of a month or year = complying days / days assessed. Days assessed are
  the days with a flow and a target (months without a target — frozen or dry months left out
  of the targets — are not assessed; missing days are not assessed and are counted in
  ``n_missing``, so a rate never hides them).
* Monthly-mean compliance: the month's mean flow is at least its target.
* The 90 % rule: a year (or month) complies when its daily compliance rate is at least 0.90
  [C:S12 for the use of the threshold].
* Longest run below target: the most consecutive assessed days below target within the
  month (or year); a missing day ends a run.
* Shortfall: the days below target, and the volume that would have lifted them to the target,
  Σ (target − Q)·86 400 s, in 10⁴ m³ (qingliu's unit of volume).
* Live status of the latest day with data (qingliu's rule, see the TOML): 不达标 below target;
  预警 below (1 + warning margin) × target or when the month so far is under the 90 % rule;
  达标 otherwise.

Years are labelled as water years by :mod:`qingliu.assess.daily` (``start_month=1``: calendar
years); here partial years are assessed too (the current year to date).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from qingliu.assess.daily import DailyFlows
from qingliu.standards import load_toml

SECONDS_PER_DAY = 86_400
M3_PER_1E4M3 = 1e4


@dataclass(frozen=True)
class Compliance:
    """Compliance tables: per station-year-month, per station-year, and the live status."""

    monthly: pd.DataFrame
    yearly: pd.DataFrame
    status: pd.DataFrame


def _longest_below(below: np.ndarray, segment_start: np.ndarray) -> np.ndarray:
    """Length of the below-target run ending on each day, restarted at every segment start."""
    t = np.arange(below.shape[1])
    # the day before a run: a day not below, or the day before a segment's first day
    reset = np.where(~below, t, np.where(segment_start[None, :], t - 1, -1))
    last = np.maximum.accumulate(reset, axis=1)
    return np.where(below, t - last, 0)


def _segments(labels: np.ndarray) -> np.ndarray:
    """Start columns of the runs of equal labels (labels are non-decreasing in time)."""
    return np.flatnonzero(np.r_[True, labels[1:] != labels[:-1]])


def _per_segment(ufunc: np.ufunc, values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    return ufunc.reduceat(values, starts, axis=1)


def ecoflow_compliance(
    daily: DailyFlows,
    targets: np.ndarray,
    *,
    start_month: int = 1,
) -> Compliance:
    """Compliance of every station with its monthly targets.

    Parameters
    ----------
    daily : DailyFlows
        Daily flows (m3/s); NaN = no value (not assessed).
    targets : float array (S, 12)
        Target of each calendar month (January first), m3/s; NaN = month not assessed.
    start_month : first month of the reporting year (1 = calendar years).

    Returns
    -------
    Compliance
        ``monthly``: station_id, year, month, n_days, n_missing, days_met, daily_rate,
        meets_daily_rule, mean_q, target_m3s, mean_met, longest_below, shortfall_days,
        shortfall_1e4m3. ``yearly``: the same per year (months_assessed and months_mean_met
        instead of mean_q, target_m3s, mean_met). ``status``: station_id, date, q,
        target_m3s, status, status_zh, status_en.
    """
    spec = load_toml("ecoflow")
    rule = spec["compliance"]["daily_threshold"]
    margin = spec["compliance"]["warning_margin"]
    targets = np.asarray(targets, dtype=float)
    if targets.shape != (len(daily.stations), 12):
        raise ValueError(f"targets must have shape ({len(daily.stations)}, 12), not {targets.shape}")
    dates = daily.dates
    month = dates.month.to_numpy()
    year = dates.year.to_numpy() + ((month >= start_month) & (start_month > 1))
    q = daily.q
    target = targets[:, month - 1]
    assessed = np.isfinite(q) & np.isfinite(target)
    missing = ~np.isfinite(q) & np.isfinite(target)
    met = assessed & (q >= target)
    below = assessed & (q < target)
    deficit = np.where(below, target - q, 0.0) * SECONDS_PER_DAY / M3_PER_1E4M3

    month_label = year * 12 + (month - 1)
    m_starts, y_starts = _segments(month_label), _segments(year)
    m_first = np.zeros(len(dates), dtype=bool)
    m_first[m_starts] = True
    y_first = np.zeros(len(dates), dtype=bool)
    y_first[y_starts] = True

    def table(starts: np.ndarray, first: np.ndarray) -> dict[str, np.ndarray]:
        n = _per_segment(np.add, assessed.astype(int), starts)
        days_met = _per_segment(np.add, met.astype(int), starts)
        with np.errstate(invalid="ignore", divide="ignore"):
            rate = np.where(n > 0, days_met / np.where(n > 0, n, 1), np.nan)
        return {
            "n_days": n,
            "n_missing": _per_segment(np.add, missing.astype(int), starts),
            "days_met": days_met,
            "daily_rate": rate,
            "meets_daily_rule": np.where(n > 0, rate >= rule, False),
            "longest_below": _per_segment(np.maximum, _longest_below(below, first), starts),
            "shortfall_days": _per_segment(np.add, below.astype(int), starts),
            "shortfall_1e4m3": _per_segment(np.add, deficit, starts),
        }

    s = len(daily.stations)
    monthly = table(m_starts, m_first)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_q = _per_segment(np.add, np.where(assessed, q, 0.0), m_starts) / np.where(monthly["n_days"] > 0, monthly["n_days"], np.nan)
    month_target = target[:, m_starts]
    mean_met = np.isfinite(mean_q) & (mean_q >= month_target)
    m_frame = pd.DataFrame(
        {
            "station_id": np.repeat(daily.stations, len(m_starts)),
            "year": np.tile(year[m_starts], s),
            "month": np.tile(month[m_starts], s),
            **{k: v.ravel() for k, v in monthly.items()},
            "mean_q": mean_q.ravel(),
            "target_m3s": month_target.ravel(),
            "mean_met": mean_met.ravel(),
        }
    )
    m_frame = m_frame[np.isfinite(m_frame["target_m3s"])].reset_index(drop=True)

    yearly = table(y_starts, y_first)
    month_year = np.searchsorted(y_starts, m_starts, side="right") - 1
    has_target = np.isfinite(month_target) & (monthly["n_days"] > 0)
    months_assessed = np.zeros((s, len(y_starts)), dtype=int)
    months_met = np.zeros((s, len(y_starts)), dtype=int)
    for arr, flags in ((months_assessed, has_target), (months_met, has_target & mean_met)):
        np.add.at(arr, (slice(None), month_year), flags.astype(int))
    y_frame = pd.DataFrame(
        {
            "station_id": np.repeat(daily.stations, len(y_starts)),
            "year": np.tile(year[y_starts], s),
            **{k: v.ravel() for k, v in yearly.items()},
            "months_assessed": months_assessed.ravel(),
            "months_mean_met": months_met.ravel(),
        }
    )
    y_frame = y_frame[y_frame["n_days"] > 0].reset_index(drop=True)
    return Compliance(m_frame, y_frame, _status(daily, target, monthly["daily_rate"], month_label, m_starts, rule, margin, spec))


def _status(
    daily: DailyFlows,
    target: np.ndarray,
    month_rate: np.ndarray,
    month_label: np.ndarray,
    m_starts: np.ndarray,
    rule: float,
    margin: float,
    spec: dict,
) -> pd.DataFrame:
    """Live status of each station on its latest day with a flow and a target."""
    q = daily.q
    assessed = np.isfinite(q) & np.isfinite(target)
    has = assessed.any(axis=1)
    last = q.shape[1] - 1 - np.argmax(assessed[:, ::-1], axis=1)
    rows = np.arange(len(daily.stations))
    q_last, t_last = q[rows, last], target[rows, last]
    segment = np.searchsorted(m_starts, last, side="right") - 1
    rate_so_far = month_rate[rows, segment]
    code = np.select(
        [q_last < t_last, (q_last < (1 + margin) * t_last) | (rate_so_far < rule)],
        ["failed", "warning"],
        "met",
    )
    labels = spec["status"]
    frame = pd.DataFrame(
        {
            "station_id": daily.stations,
            "date": daily.dates[last].date,  # calendar days (datetime.date)
            "q": q_last,
            "target_m3s": t_last,
            "month_daily_rate": rate_so_far,
            "status": code,
            "status_zh": [labels[c]["zh"] for c in code],
            "status_en": [labels[c]["en"] for c in code],
        }
    )
    return frame[has].reset_index(drop=True)
