"""Drought indices (干旱指标): SPI, a standardised runoff index, drought events, low-flow frequency.

* SPI (标准化降水指数; McKee, Doesken & Kleist 1993; GB/T 20481-2017): precipitation summed
  over ``scale`` months, a gamma distribution fitted for each calendar month by maximum
  likelihood (Thom 1958: initial estimate α = (1 + sqrt(1 + 4A/3))/(4A), A = ln x̄ - mean(ln x),
  here refined by Newton's method to the exact MLE, or kept as Thom's estimate), zero totals
  as a point mass q: H(x) = q + (1 - q)·G(x), and SPI = Φ⁻¹(H) (the exact normal quantile, or
  the Abramowitz-Stegun approximation of the standard's procedure).
* SRI (标准化径流指数; Shukla & Wood 2008): the same standardisation of monthly mean flows
  averaged over ``scale`` months.
* Grades of GB/T 20481-2017 from ``standards/drought_grades.toml``.
* Drought events by run theory (游程理论; Yevjevich 1967): consecutive months with the index at
  or below a threshold (default the upper bound of 轻旱, -0.5); severity is Σ|index| over the
  run, intensity severity/duration, peak the lowest value.
* Low-flow frequency: annual minima of the d-day moving mean (e.g. 7-day) fitted by P-III
  moments (SL 44-2006 formulas) and read at a guarantee (exceedance) probability, e.g. 90 %.

Series are arrays (..., t), time on the last axis, vectorised over the leading axes; NaN is
missing (a window with a missing month is missing; missing values are left out of fits).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd
from scipy import special, stats

from qingliu.assess.frequency import estimate, quantile
from qingliu.standards import load_toml

MONTHS = 12
FIT_METHODS = ("mle", "thom")
TRANSFORMS = ("exact", "abramowitz_stegun")
_NEWTON_STEPS = 8  # the Thom start is within 1 % of the MLE; Newton converges quadratically
_MIN_POSITIVE = 3  # fewest positive values for a gamma fit
_H_GUARD = 1e-12  # keeps Φ⁻¹(H) finite when G(x) rounds to 0 or 1


@dataclass(frozen=True)
class DroughtGrades:
    """Grades of GB/T 20481-2017, most severe first: level, code, zh, en and upper bound."""

    level: np.ndarray
    code: np.ndarray
    zh: np.ndarray
    en: np.ndarray
    upper: np.ndarray
    source: str


@cache
def load_drought_grades() -> DroughtGrades:
    """The grades of ``standards/drought_grades.toml``."""
    data = load_toml("drought_grades")
    rows = data["grade"]
    upper = np.array([float(r["upper"]) for r in rows])
    if np.any(np.diff(upper) <= 0):
        raise ValueError("drought_grades.toml: grades must be ordered by increasing upper bound")
    return DroughtGrades(
        level=np.array([r["level"] for r in rows]), code=np.array([r["code"] for r in rows], dtype=object),
        zh=np.array([r["zh"] for r in rows], dtype=object), en=np.array([r["en"] for r in rows], dtype=object),
        upper=upper, source=data["meta"]["standard"],
    )


def drought_grade(index: np.ndarray, grades: DroughtGrades | None = None) -> np.ndarray:
    """Grade level of each index value: 5 特旱 ... 1 无旱 (GB/T 20481-2017); 0 for NaN.

    A value equal to a bound belongs to the more severe grade (轻旱 is -1.0 < x <= -0.5).
    """
    g = grades or load_drought_grades()
    x = np.asarray(index, dtype=float)
    position = np.searchsorted(g.upper, np.where(np.isfinite(x), x, 0.0), side="left")
    return np.where(np.isfinite(x), g.level[np.minimum(position, len(g.level) - 1)], 0)


def grade_names(levels: np.ndarray, grades: DroughtGrades | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Chinese and English names of grade levels ("" for level 0)."""
    g = grades or load_drought_grades()
    zh = dict(zip(g.level, g.zh, strict=True))
    en = dict(zip(g.level, g.en, strict=True))
    levels = np.asarray(levels)
    return (np.vectorize(lambda v: zh.get(v, ""), otypes=[object])(levels),
            np.vectorize(lambda v: en.get(v, ""), otypes=[object])(levels))


def gamma_fit(x: np.ndarray, method: str = "mle") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gamma shape α, scale β and probability of zero q of each series (zeros as a point mass).

    The positive values are fitted (Thom 1958): A = ln(x̄) - mean(ln x),
    α₀ = (1 + sqrt(1 + 4A/3))/(4A); ``method="mle"`` then solves ln α - ψ(α) = A by Newton's
    method (the exact maximum-likelihood estimate), ``"thom"`` keeps α₀; β = x̄/α.
    q = zeros / values.

    Parameters
    ----------
    x : array (..., n); NaN ignored, negative values are not allowed (treated as missing).

    Returns
    -------
    alpha, beta, q : arrays (...); α and β NaN with fewer than 3 positive values.
    """
    if method not in FIT_METHODS:
        raise ValueError(f"未知的伽马拟合方法 {method!r} / unknown gamma fit {method!r} (one of {', '.join(FIT_METHODS)})")
    x = np.asarray(x, dtype=float)
    valid = np.isfinite(x) & (x >= 0)
    positive = valid & (x > 0)
    n_valid = valid.sum(axis=-1)
    n_pos = positive.sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.where(positive, x, 0.0).sum(axis=-1) / n_pos
        mean_log = np.where(positive, np.log(np.where(positive, x, 1.0)), 0.0).sum(axis=-1) / n_pos
        a = np.log(mean) - mean_log
        ok = (n_pos >= _MIN_POSITIVE) & (a > 0)  # a = 0: all positive values equal, no fit
        a = np.where(ok, a, 1.0)  # placeholder keeping the iteration finite; masked below
        alpha = (1 + np.sqrt(1 + 4 * a / 3)) / (4 * a)
        if method == "mle":
            for _ in range(_NEWTON_STEPS):
                step = (np.log(alpha) - special.digamma(alpha) - a) / (1 / alpha - special.polygamma(1, alpha))
                alpha = np.maximum(alpha - step, alpha / 10)
        alpha = np.where(ok, alpha, np.nan)
        beta = np.where(ok, mean / alpha, np.nan)
        q = np.where(n_valid > 0, (n_valid - n_pos) / n_valid, np.nan)
    return alpha[()], beta[()], q[()]


def rolling_sum(values: np.ndarray, scale: int) -> np.ndarray:
    """Sum of each value and the ``scale - 1`` before it along the last axis (NaN if any missing)."""
    if scale < 1:
        raise ValueError(f"时间尺度须为正整数：{scale} / scale must be a positive integer: {scale}")
    x = np.asarray(values, dtype=float)
    missing = ~np.isfinite(x)
    pad = [(0, 0)] * (x.ndim - 1) + [(1, 0)]
    total = np.cumsum(np.pad(np.where(missing, 0.0, x), pad), axis=-1)
    gaps = np.cumsum(np.pad(missing.astype(int), pad), axis=-1)
    out = np.full(x.shape, np.nan)
    out[..., scale - 1:] = np.where(gaps[..., scale:] - gaps[..., :-scale] > 0, np.nan,
                                    total[..., scale:] - total[..., :-scale])
    return out


def _normal_quantile(h: np.ndarray, transform: str) -> np.ndarray:
    if transform == "exact":
        return stats.norm.ppf(h)
    if transform != "abramowitz_stegun":
        raise ValueError(f"未知的正态变换 {transform!r} / unknown transform {transform!r} (one of {', '.join(TRANSFORMS)})")
    coef = load_toml("drought_grades")["normal_approximation"]
    c0, c1, c2 = coef["c"]
    d1, d2, d3 = coef["d"]
    tail = np.minimum(h, 1 - h)
    t = np.sqrt(np.log(1.0 / tail**2))
    z = t - (c0 + c1 * t + c2 * t**2) / (1 + d1 * t + d2 * t**2 + d3 * t**3)
    return np.where(h <= 0.5, -z, z)


def standardized_index(
    values: np.ndarray,
    scale: int = 3,
    *,
    start_month: int = 1,
    fit_mask: np.ndarray | None = None,
    method: str = "mle",
    transform: str = "exact",
) -> np.ndarray:
    """SPI (or SRI) of monthly series: gamma-standardised ``scale``-month sums, per calendar month.

    Parameters
    ----------
    values : array (..., t) of consecutive monthly totals (precipitation, mm) or means (flow,
        m3/s; the index is scale-free, so sums and means give the same index).
    scale : months summed (1, 3, 6, 12, ...). The first ``scale - 1`` months are NaN.
    start_month : calendar month (1-12) of the first column.
    fit_mask : bool (t,), the months whose sums enter the fits (a reference period); all by
        default. The index is computed for every month.
    method : gamma fit, "mle" or "thom" (:func:`gamma_fit`).
    transform : "exact" (scipy) or "abramowitz_stegun" (GB/T 20481 procedure).

    Returns
    -------
    array (..., t): the index (NaN where the sum is missing or its month could not be fitted).
    """
    sums = rolling_sum(values, scale)
    t = sums.shape[-1]
    lead = (start_month - 1) % MONTHS
    years = -(-(lead + t) // MONTHS)
    pad = [(0, 0)] * (sums.ndim - 1) + [(lead, years * MONTHS - lead - t)]
    grid = np.pad(sums, pad, constant_values=np.nan)
    fit_values = grid
    if fit_mask is not None:
        mask = np.pad(np.asarray(fit_mask, dtype=bool), (lead, years * MONTHS - lead - t))
        fit_values = np.where(mask, grid, np.nan)
    by_month = fit_values.reshape(*grid.shape[:-1], years, MONTHS)
    alpha, beta, q = gamma_fit(np.swapaxes(by_month, -1, -2), method)  # (..., 12)
    x = grid.reshape(*grid.shape[:-1], years, MONTHS)
    with np.errstate(invalid="ignore", divide="ignore"):
        g = special.gammainc(alpha[..., None, :], np.maximum(x, 0.0) / beta[..., None, :])
        h = q[..., None, :] + (1 - q[..., None, :]) * np.where(x > 0, g, 0.0)
        h = np.where(np.isfinite(x), np.clip(h, _H_GUARD, 1 - _H_GUARD), np.nan)
    index = _normal_quantile(h, transform).reshape(grid.shape)
    return index[..., lead:lead + t]


def drought_events(
    index: np.ndarray, *, threshold: float | None = None, min_duration: int = 1
) -> pd.DataFrame:
    """Drought events of each series by run theory: runs with index <= threshold.

    Parameters
    ----------
    index : array (..., t), e.g. SPI-3 per month; NaN ends a run.
    threshold : default the upper bound of the mildest drought grade (-0.5, GB/T 20481-2017).
    min_duration : shortest run kept (time steps).

    Returns
    -------
    DataFrame, one row per event in series then time order: series (flat index of the leading
    axes), start and end (positions on the time axis, end included), duration, severity
    (Σ|index| over the run), intensity (severity/duration), peak (lowest index), peak_grade
    (GB/T 20481-2017 level of the peak).
    """
    grades = load_drought_grades()
    if threshold is None:
        threshold = float(grades.upper[-2])  # upper bound of the mildest drought grade
    x = np.asarray(index, dtype=float)
    x = x.reshape(-1, x.shape[-1]) if x.ndim > 1 else x[None, :]
    t = x.shape[-1]
    below = np.isfinite(x) & (x <= threshold)
    flat_below = np.pad(below, ((0, 0), (0, 1))).ravel()  # a False column separates series
    flat_x = np.pad(x, ((0, 0), (0, 1)), constant_values=np.nan).ravel()
    edges = np.diff(np.concatenate([[0], flat_below.astype(np.int8), [0]]))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)  # ends exclusive
    deficit = np.concatenate([[0.0], np.cumsum(np.where(flat_below, -flat_x, 0.0))])
    severity = deficit[ends] - deficit[starts]
    peak = (np.minimum.reduceat(np.where(flat_below, flat_x, np.inf), starts)
            if starts.size else np.empty(0))
    duration = ends - starts
    events = pd.DataFrame({
        "series": starts // (t + 1), "start": starts % (t + 1), "end": ends % (t + 1) - 1,
        "duration": duration, "severity": severity, "intensity": severity / np.maximum(duration, 1),
        "peak": peak, "peak_grade": drought_grade(peak, grades),
    })
    return events[events["duration"] >= min_duration].reset_index(drop=True)


def annual_low_flows(
    q: np.ndarray, dates: np.ndarray, *, window: int = 7, year_start_month: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """Annual minimum of the ``window``-day moving mean flow of each station.

    Parameters
    ----------
    q : array (..., days) of consecutive daily flows (m3/s); NaN missing.
    dates : the days (datetime64, consecutive).
    window : days averaged (7 for the 7-day low flow).
    year_start_month : first month of the (climatic) year; a window belongs to the year of
        its last day. A year with a missing day, or not covered from its first to its last day
        (365 or 366 days), gets NaN.

    Returns
    -------
    minima : array (..., years); years : int array of the years' labels (calendar year of
    their first day).
    """
    dates = pd.DatetimeIndex(dates)
    q = np.asarray(q, dtype=float)
    label = (dates.year - (dates.month < year_start_month)).to_numpy()
    moving = rolling_sum(q, window) / window
    starts = np.flatnonzero(np.diff(np.concatenate([[label[0] - 1], label])) != 0)
    lengths = np.diff(np.append(starts, label.size))
    minima = np.fmin.reduceat(moving, starts, axis=-1)
    missing_days = np.add.reduceat((~np.isfinite(q)).astype(int), starts, axis=-1)
    first = dates[starts]
    year_days = (first + pd.DateOffset(years=1) - first).days.to_numpy()  # 365 or 366 days from the year's start
    complete = (missing_days == 0) & (lengths == year_days) & (first.month == year_start_month) & (first.day == 1)
    return np.where(complete, minima, np.nan), label[starts]


def low_flow_frequency(minima: np.ndarray, guarantee: float = 0.9) -> pd.DataFrame:
    """Design low flow at a guarantee (exceedance) probability, P-III by moments (SL 44-2006).

    Parameters
    ----------
    minima : array (stations, years) of annual minima (NaN ignored).
    guarantee : exceedance probability, e.g. 0.9 for the flow exceeded in 9 years of 10
        (90 % 保证率). A negative P-III value (possible with small Cs) is reported as 0.

    Returns
    -------
    DataFrame per station: n, mean, cv, cs, design (the flow at ``guarantee``).
    """
    m = np.atleast_2d(np.asarray(minima, dtype=float))
    params = estimate(m, "p3", "moments")
    design = np.maximum(quantile("p3", params, guarantee), 0.0)
    return pd.DataFrame({"n": np.isfinite(m).sum(axis=-1), "mean": params[..., 0], "cv": params[..., 1],
                         "cs": params[..., 2], "design": design})


def monthly_matrix(
    frame: pd.DataFrame, site: str, time: str, value: str, how: str, *, daily: bool, last: pd.Period | None = None
) -> tuple[list[str], pd.PeriodIndex, np.ndarray]:
    """(sites, months) matrix of monthly sums or means, the input of the standardised indices.

    With ``daily`` values a month missing a day is NaN (a partial sum would read as a false
    drought); monthly values are taken as they are. Months run from the first with data to
    ``last`` (default the last with data); rows are the sites in sorted order.
    """
    month = frame[time].dt.to_period("M")
    grouped = frame.groupby([frame[site], month])[value].agg([how, "count"])
    values = grouped[how].to_numpy(float)
    if daily:
        days = grouped.index.get_level_values(1).days_in_month
        values = np.where(grouped["count"].to_numpy() == days, values, np.nan)
    table = pd.Series(values, index=grouped.index).unstack()
    months = pd.period_range(table.columns.min(), last or table.columns.max(), freq="M")
    return list(table.index), months, table.reindex(columns=months).to_numpy(float)
