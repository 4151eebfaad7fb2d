"""Indicators of Hydrologic Alteration: the 33 IHA parameters of each station and water year.

Method: The Nature Conservancy 2009, *Indicators of Hydrologic Alteration Version 7.1 User's
Manual* (IHA 7.1), after Richter, Baumgartner, Powell and Braun 1996 (Conservation Biology 10:
1163-1174). Thresholds live in ``standards/ecoflow.toml`` (``[iha]``). Checked against the
annual output of IHA 7.1 itself for the Roanoke River at Roanoke Rapids, NC (USGS 02080500),
water years 1913 and 1914 (``tests/reference/usgs_roanoke_02080500``).

The rules, as taken here (the layout conventions — water years, complete years only, missing
days, Weibull percentiles, leap-year Julian dates — are in :mod:`qingliu.assess.daily`).
Missing days: the input must be free of gaps inside each record; a gap is an error
(:class:`~qingliu.assess.daily.MissingDaysError` from :func:`~qingliu.assess.daily.fill_gaps`)
unless the caller first interpolates gaps of up to N days linearly (``fill_gaps(daily, N)``).
Water years cut by the ends of a station's record are left out.

Group 1, magnitude of monthly flows (12): the median (non-parametric, IHA's default) or mean
(parametric) of the daily flows of each calendar month of the water year.

Group 2, magnitude and duration of annual extremes (12): the minimum and maximum of the 1-,
3-, 7-, 30- and 90-day moving means, each window lying wholly inside the water year (IHA
computes the moving means year by year); the number of zero-flow days; the base-flow index
= 7-day minimum / mean flow of the year (NaN in a year whose mean is 0).

Group 3, timing (2): the Julian date (1-366, every year numbered as a leap year) of the
1-day minimum and of the 1-day maximum; on ties, the first such day of the water year.

Group 4, pulses (4): a low pulse is a run of days with flow strictly below the 25th
percentile, a high pulse a run strictly above the 75th percentile, both percentiles of all
daily flows of the threshold period (the pre-impact years when given, otherwise every
analysed year). Runs are followed across the ends of water years and counted in the year in
which they begin, with their whole length; their duration statistic is the median (or mean)
of the lengths of the pulses that begin in the year, NaN when there is none.

Group 5, rate and frequency of change (3): rise rate = median (or mean) of the positive
differences between consecutive days of the water year; fall rate = the same of the
negative differences (a negative number); reversals = the number of changes between rising
and falling, a day without change continuing the current direction.

Parametric and non-parametric differ only in the centre used for monthly flows, pulse
durations and rise and fall rates; the other 27 parameters are the same.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from qingliu.assess.daily import (
    Calendar,
    DailyFlows,
    WaterYears,
    center,
    grouped_center,
    monthly_slots,
    runs,
    water_year_calendar,
    water_years,
    weibull_quantile,
)
from qingliu.standards import load_toml

STATISTICS = ("nonparametric", "parametric")
WINDOWS = (1, 3, 7, 30, 90)
MONTH_CODES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


@dataclass(frozen=True)
class Parameter:
    """One IHA parameter: qingliu's code, IHA 7.1's annual-output name, Chinese name, group."""

    code: str
    iha71: str
    zh: str
    group: int


def parameters(start_month: int = 10) -> tuple[Parameter, ...]:
    """The 33 parameters in IHA 7.1's order, the months starting at ``start_month``."""
    months = [(m - 1) % 12 for m in range(start_month, start_month + 12)]
    group1 = tuple(Parameter(MONTH_CODES[m], MONTH_NAMES[m], f"{m + 1}月流量", 1) for m in months)
    extremes = tuple(
        Parameter(f"{kind}_{w}d", f"{w}-day {kind}", f"年最{'小' if kind == 'min' else '大'}{w}日平均流量", 2)
        for kind in ("min", "max")
        for w in WINDOWS
    )
    rest = (
        Parameter("zero_days", "Zero days", "零流量天数", 2),
        Parameter("base_flow", "Base flow", "基流指数", 2),
        Parameter("date_min", "Date min", "年最小流量出现日期", 3),
        Parameter("date_max", "Date max", "年最大流量出现日期", 3),
        Parameter("low_pulse_count", "Lo pulse #", "低流量脉冲次数", 4),
        Parameter("low_pulse_duration", "Lo pulse L", "低流量脉冲历时", 4),
        Parameter("high_pulse_count", "Hi pulse #", "高流量脉冲次数", 4),
        Parameter("high_pulse_duration", "Hi pulse L", "高流量脉冲历时", 4),
        Parameter("rise_rate", "Rise rate", "涨水率", 5),
        Parameter("fall_rate", "Fall rate", "落水率", 5),
        Parameter("reversals", "Reversals", "逆转次数", 5),
    )
    return group1 + extremes + rest


def _how(statistic: str) -> str:
    if statistic not in STATISTICS:
        raise ValueError(
            f"统计方法须为 {' 或 '.join(STATISTICS)}，而非 {statistic!r} / statistic must be one of {', '.join(STATISTICS)}, not {statistic!r}"
        )
    return "median" if statistic == "nonparametric" else "mean"


BLOCK = 64
"""Stations computed together: large enough to vectorise, small enough to stay in cache."""


def moving_extremes(cube: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Annual minima and maxima of the 1/3/7/30/90-day moving means: two (S, Y, 5) arrays.

    ``cube`` is a water-year cube whose only NaN are the empty last slot of 365-day years
    (and whole years not analysed, which give NaN). Windows lie wholly inside the year.
    """
    s, y, n = cube.shape
    leap = ~np.isnan(cube[..., -1])  # the 366th slot holds a day
    csum = np.zeros((s, y, n + 1))
    np.cumsum(np.nan_to_num(cube), axis=-1, out=csum[..., 1:])
    lows, highs = [], []
    for w in WINDOWS:  # five window lengths, each vectorised over stations, years and days
        mean = (csum[..., w:] - csum[..., :-w]) / w  # window k covers slots k .. k+w-1
        common = mean[..., :-1]  # windows inside a 365-day year
        last = mean[..., -1]  # the window ending on the 366th slot
        lows.append(np.minimum(common.min(axis=-1), np.where(leap, last, np.inf)))
        highs.append(np.maximum(common.max(axis=-1), np.where(leap, last, -np.inf)))
    return np.stack(lows, axis=-1), np.stack(highs, axis=-1)


def _extreme_dates(wy: WaterYears) -> tuple[np.ndarray, np.ndarray]:
    """Julian dates of the first 1-day minimum and maximum of each station-year."""
    cube = wy.cube
    lo = np.argmin(np.where(np.isnan(cube), np.inf, cube), axis=-1)
    hi = np.argmax(np.where(np.isnan(cube), -np.inf, cube), axis=-1)
    years = np.arange(len(wy.years))[None, :]
    return wy.julian[years, lo].astype(float), wy.julian[years, hi].astype(float)


def _change_rates(cube: np.ndarray, how: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rise rate, fall rate and reversals of each station-year (IHA group 5)."""
    diff = np.diff(cube, axis=-1)
    ordered = np.sort(diff, axis=-1)  # falls, no change, rises, then NaN
    n_fall = (diff < 0).sum(axis=-1)
    n_rise = (diff > 0).sum(axis=-1)
    n = np.isfinite(diff).sum(axis=-1)
    if how == "median":
        def middle(first: np.ndarray, count: np.ndarray) -> np.ndarray:
            last = diff.shape[-1] - 1  # with count 0 the position may fall past the end: clipped, unused
            lo = np.take_along_axis(ordered, np.minimum(first + np.maximum(count - 1, 0) // 2, last)[..., None], axis=-1)[..., 0]
            hi = np.take_along_axis(ordered, np.minimum(first + count // 2, last)[..., None], axis=-1)[..., 0]
            return np.where(count > 0, (lo + hi) / 2, np.nan)

        rise, fall = middle(n - n_rise, n_rise), middle(np.zeros_like(n), n_fall)
    else:
        with np.errstate(invalid="ignore", divide="ignore"):
            rise = np.where(diff > 0, diff, 0.0).sum(axis=-1) / np.where(n_rise > 0, n_rise, np.nan)
            fall = np.where(diff < 0, diff, 0.0).sum(axis=-1) / np.where(n_fall > 0, n_fall, np.nan)
    # reversals: consecutive non-zero changes of opposite sign (a day without change carries on)
    s, y, _ = diff.shape
    flat = np.sign(np.nan_to_num(diff)).reshape(s * y, -1)
    row, col = np.nonzero(flat)
    sign = flat[row, col]
    switch = (sign[1:] != sign[:-1]) & (row[1:] == row[:-1])
    reversals = np.bincount(row[1:][switch], minlength=s * y).reshape(s, y).astype(float)
    return rise, fall, reversals


def pulse_thresholds(wy: WaterYears, years: tuple[int, int] | None = None) -> np.ndarray:
    """Low- and high-pulse thresholds of each station: (S, 2), IHA's 25th and 75th percentiles.

    Percentiles of all daily flows of the analysed water years in ``years`` (first, last;
    both included), by default all analysed years.
    """
    spec = load_toml("ecoflow")["iha"]
    days = wy.slot_valid
    if years is not None:
        days = days & ((wy.years >= years[0]) & (wy.years <= years[1]))[:, None]
    p = np.array([spec["low_pulse_percentile"], spec["high_pulse_percentile"]]) / 100
    return weibull_quantile(wy.cube[:, days], p).T


def _pulses(daily_q: np.ndarray, wy: WaterYears, thresholds: np.ndarray, how: str) -> np.ndarray:
    """(S, Y, 4): low-pulse count and duration, high-pulse count and duration."""
    s, y = wy.analysed.shape
    out = np.full((s, y, 4), np.nan)
    span = np.flatnonzero(wy.year_of_column >= 0)
    q = daily_q[:, span[0] : span[-1] + 1]
    year_of = wy.year_of_column[span[0] : span[-1] + 1]
    for k, flags in enumerate((q < thresholds[:, :1], q > thresholds[:, 1:])):
        row, start, length = runs(flags)
        year = year_of[start]
        keep = wy.analysed[row, year]
        group = (row * y + year)[keep]
        out[..., 2 * k] = np.bincount(group, minlength=s * y).reshape(s, y)
        out[..., 2 * k + 1] = grouped_center(length[keep].astype(float), group, s * y, how).reshape(s, y)
    return out


def _block(daily: DailyFlows, cal: Calendar, how: str, threshold_years: tuple[int, int] | None) -> np.ndarray:
    """The (S, Y, 33) parameters of a block of stations."""
    wy = water_years(daily, cal.start_month, cal)
    cube = wy.cube
    monthly = center(monthly_slots(wy), how)  # (S, Y, 12)
    low, high = moving_extremes(cube)
    zero_days = (cube == 0).sum(axis=-1).astype(float)
    days = np.isfinite(cube).sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):  # years without a day (outside a record) give NaN
        mean = np.where(days > 0, np.nansum(cube, axis=-1) / days, np.nan)
        base_flow = low[..., WINDOWS.index(7)] / mean
    date_min, date_max = _extreme_dates(wy)
    pulses = _pulses(daily.q, wy, pulse_thresholds(wy, threshold_years), how)
    rise, fall, reversals = _change_rates(cube, how)
    values = np.concatenate(
        [
            monthly,
            low,
            high,
            np.stack([zero_days, base_flow, date_min, date_max], axis=-1),
            pulses,
            np.stack([rise, fall, reversals], axis=-1),
        ],
        axis=-1,
    )
    values[~wy.analysed] = np.nan
    return values


def iha_array(
    daily: DailyFlows,
    *,
    start_month: int = 10,
    statistic: str = "nonparametric",
    threshold_years: tuple[int, int] | None = None,
) -> tuple[Calendar, np.ndarray, np.ndarray]:
    """The 33 parameters as an array ``(S, Y, 33)`` in the order of :func:`parameters`.

    ``daily`` must be gap-free inside each record (:func:`qingliu.assess.daily.fill_gaps`).
    Returns the calendar, the (S, Y) mask of analysed station-years and the values (NaN for
    years not analysed). Stations are computed in blocks of :data:`BLOCK`.
    """
    how = _how(statistic)
    cal = water_year_calendar(daily.dates, start_month)
    n = len(daily.stations)
    values = np.full((n, len(cal.years), 33), np.nan)
    for first in range(0, n, BLOCK):
        rows = np.arange(first, min(first + BLOCK, n))
        values[rows] = _block(daily.select(rows), cal, how, threshold_years)
    return cal, np.isfinite(values).any(axis=-1), values


def iha(
    daily: DailyFlows,
    *,
    start_month: int = 10,
    statistic: str = "nonparametric",
    threshold_years: tuple[int, int] | None = None,
    names: str = "codes",
) -> pd.DataFrame:
    """The 33 IHA parameters, one row per station and analysed water year.

    Parameters
    ----------
    daily : DailyFlows
        Gap-free inside each record; flows in any one unit (results are in the same unit).
    start_month : int
        First month of the water year (IHA's default for the northern hemisphere: 10).
    statistic : "nonparametric" (IHA's default: medians) or "parametric" (means).
    threshold_years : (first, last), optional
        Water years whose daily flows set the pulse thresholds (the pre-impact period).
    names : "codes" or "iha71"
        Column names: qingliu's codes (``station_id, water_year, oct, ...``) or IHA 7.1's
        annual-output names (``station_id, Year, October, ..., Reversals``).

    Returns
    -------
    DataFrame
        ``station_id``, ``water_year`` (or ``Year``) and the 33 parameters in IHA 7.1's order.
        Dates are Julian days, counts are numbers, durations days, the base-flow index is a
        ratio; all other values are flows (or flow per day) in the input's unit.
    """
    cal, analysed, values = iha_array(daily, start_month=start_month, statistic=statistic, threshold_years=threshold_years)
    params = parameters(start_month)
    s_idx, y_idx = np.nonzero(analysed)
    frame = pd.DataFrame(values[s_idx, y_idx], columns=[p.code for p in params])
    frame.insert(0, "water_year", cal.years[y_idx])
    frame.insert(0, "station_id", daily.stations[s_idx])
    if names == "iha71":
        frame = frame.rename(columns={"water_year": "Year", **{p.code: p.iha71 for p in params}})
    elif names != "codes":
        raise ValueError(f"names must be 'codes' or 'iha71', not {names!r}")
    return frame
