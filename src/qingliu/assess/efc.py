"""Environmental Flow Components (EFC) of IHA 7.1: every day typed, events and their statistics.

Method: The Nature Conservancy 2009, *Indicators of Hydrologic Alteration Version 7.1 User's
Manual*, "Environmental Flow Components", with its default settings (``standards/ecoflow.toml``,
``[efc]``); Mathews and Richter 2007 (JAWRA 43(6): 1400-1413). The layout conventions (water
years, complete years only, missing days, Weibull percentiles, leap-year Julian dates) are
those of :mod:`qingliu.assess.daily`.

Each day of a station's record gets one of five types, in this order of rules:

1. High and low flows. A day above the 75th percentile of all daily flows is high; a day below
   the 50th percentile is low. A day in between is high when it rises more than 25 % above
   the day before (a high flow begins); it is low when the flow falls by less than 10 % of
   the day before (0 ≤ fall < 10 %: the high flow has ended); otherwise (a slower rise, or a
   fall of 10 % or more) it keeps the type of the day before. The first day of a record
   counts as following a low day.
2. Extreme low flows: low days below the 10th percentile of all the station's low days.
3. High-flow events: runs of high days. An event whose peak is at least the 10-year flood is a
   large flood, at least the 2-year flood a small flood, otherwise a high flow pulse. The
   T-year flood is the Weibull quantile of the annual 1-day maxima of the threshold years at
   non-exceedance probability 1 - 1/T. (With IHA 7.1's own results for the Roanoke River,
   1912-2004, this rule puts the thresholds where IHA put them.)
4. Low flows: the remaining low days.

Event statistics: the peak (the maximum flow of a high-flow event, the minimum of an extreme
low), its duration in days, its timing (Julian date of the first peak day), and for high-flow
events the rise rate (mean of the positive day-to-day changes of its days, the change into
its first day included) and fall rate (mean of the negative changes out of its days, the
change out of its last day included). Events belong to the water year in which they begin
and keep their whole length. For each station and year: the frequency (number of events) of
each event type and the median (non-parametric) or mean (parametric) of the events'
statistics, NaN when there is no event; and for each month the median or mean of its low-flow
days.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from qingliu.assess.daily import (
    Calendar,
    DailyFlows,
    center,
    grouped_center,
    monthly_slots,
    runs,
    to_cube,
    water_year_calendar,
    water_years,
    weibull_quantile,
)
from qingliu.assess.iha import BLOCK, MONTH_CODES, _how
from qingliu.standards import load_toml

EXTREME_LOW, LOW, HIGH_PULSE, SMALL_FLOOD, LARGE_FLOOD = 1, 2, 3, 4, 5
"""Daily EFC types (0 = no value)."""

EVENTS = ("extreme_low", "high_pulse", "small_flood", "large_flood")
_EVENT_TYPE = {"extreme_low": EXTREME_LOW, "high_pulse": HIGH_PULSE, "small_flood": SMALL_FLOOD, "large_flood": LARGE_FLOOD}
_HIGH_STATS = ("peak", "duration", "timing", "frequency", "rise", "fall")
_EVENT_STATS = {"extreme_low": ("peak", "duration", "timing", "frequency"), **{e: _HIGH_STATS for e in EVENTS[1:]}}
_IHA71_EVENT = {"extreme_low": "Xlow1", "high_pulse": "High1", "small_flood": "Sfld1", "large_flood": "Lfld1"}
_IHA71_STAT = {"peak": "peak", "duration": "dur", "timing": "time", "frequency": "freq", "rise": "rise", "fall": "fall"}
_IHA71_MONTH = ("Jan", "Feb", "Mar ", "Apr ", "May", "June", "July", "Aug", "Sept", "Oct", "Nov", "Dec")


def columns(start_month: int = 10) -> list[tuple[str, str]]:
    """The 34 EFC parameters as (qingliu code, IHA 7.1 annual-output name), in IHA's order."""
    months = [(m - 1) % 12 for m in range(start_month, start_month + 12)]
    out = [(f"lowflow_{MONTH_CODES[m]}", f"{_IHA71_MONTH[m]} lowf") for m in months]
    for event in EVENTS:
        for stat in _EVENT_STATS[event]:
            out.append((f"{event}_{stat}", f"{_IHA71_EVENT[event]} {_IHA71_STAT[stat]}"))
    return out


def high_low(q: np.ndarray, high: np.ndarray, low: np.ndarray, settings: dict) -> np.ndarray:
    """Rule 1 of the module notes: True on high-flow days of a (S, T) array.

    ``high`` and ``low`` are the (S, 1) flows of the high and low percentiles.
    """
    prev = np.empty_like(q)
    prev[:, 0] = np.nan
    prev[:, 1:] = q[:, :-1]
    finite = np.isfinite(q)
    above, below = q > high, q < low
    middle = finite & ~above & ~below
    begins = middle & (q > (1 + settings["high_flow_start_rate"]) * prev)
    ends = middle & (q <= prev) & (q > (1 - settings["high_flow_end_rate"]) * prev)
    decided = above | begins | below | ends | ~finite
    # an undecided day keeps the type of the day before: carry the last decided day forward
    t = np.arange(q.shape[1])
    last = np.maximum.accumulate(np.where(decided, t, -1), axis=1)
    value = above | begins
    return np.where(last >= 0, np.take_along_axis(value, np.maximum(last, 0), axis=1), False)


class _Events:
    """Runs of days of one kind, flattened over stations: positions, lengths and statistics."""

    def __init__(self, flags: np.ndarray, q: np.ndarray) -> None:
        self.row, self.start, self.length = runs(flags)
        n_days = q.shape[1]
        total = int(self.length.sum())
        first = np.cumsum(self.length) - self.length  # offset of each event in the gathered days
        self.event_of = np.repeat(np.arange(len(self.length)), self.length)
        column = np.arange(total) - np.repeat(first, self.length) + np.repeat(self.start, self.length)
        self.column = column
        self.flat = np.repeat(self.row, self.length) * n_days + column
        self.first = first
        self.q = q.ravel()[self.flat]

    def reduce(self, ufunc: np.ufunc, values: np.ndarray) -> np.ndarray:
        if len(self.length) == 0:
            return np.zeros(0, dtype=values.dtype)
        return ufunc.reduceat(values, self.first)

    def peak_timing(self, peak: np.ndarray, julian_of_column: np.ndarray) -> np.ndarray:
        """Julian date of the first day at the event's peak."""
        at_peak = self.q == peak[self.event_of]
        first_peak = self.reduce(np.minimum, np.where(at_peak, self.column, np.iinfo(np.int64).max))
        return julian_of_column[first_peak].astype(float)

    def rates(self, q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Mean positive change into each day and mean negative change out of each day."""
        flat_q = q.ravel()
        n_days = q.shape[1]
        col = self.column
        into = np.where(col > 0, self.q - flat_q[np.maximum(self.flat - 1, 0)], np.nan)
        out = np.where(col < n_days - 1, flat_q[np.minimum(self.flat + 1, flat_q.size - 1)] - self.q, np.nan)
        with np.errstate(invalid="ignore", divide="ignore"):
            rise = self.reduce(np.add, np.where(into > 0, into, 0.0)) / self.reduce(np.add, (into > 0).astype(float))
            fall = self.reduce(np.add, np.where(out < 0, out, 0.0)) / self.reduce(np.add, (out < 0).astype(float))
        return rise, fall


def flood_thresholds(cube: np.ndarray, keep_years: np.ndarray, settings: dict) -> np.ndarray:
    """(S, 2): the small- and large-flood peaks (T-year floods from the annual 1-day maxima)."""
    annual_max = np.where(keep_years[None, :], np.nanmax(np.where(np.isnan(cube), -np.inf, cube), axis=-1), np.nan)
    annual_max = np.where(np.isfinite(annual_max), annual_max, np.nan)
    periods = np.array([settings["small_flood_return_period"], settings["large_flood_return_period"]], dtype=float)
    return weibull_quantile(annual_max, 1 - 1 / periods).T


def _block(daily: DailyFlows, cal: Calendar, how: str, threshold_years: tuple[int, int] | None) -> tuple[np.ndarray, np.ndarray]:
    settings = load_toml("ecoflow")["efc"]
    wy = water_years(daily, cal.start_month, cal)
    s, y = wy.analysed.shape
    keep_years = np.ones(y, dtype=bool) if threshold_years is None else (
        (cal.years >= threshold_years[0]) & (cal.years <= threshold_years[1])
    )
    days = wy.slot_valid & keep_years[:, None]
    pct = np.array([settings["high_flow_percentile"], settings["low_flow_percentile"]]) / 100
    high_q, low_q = weibull_quantile(wy.cube[:, days], pct)

    span = np.flatnonzero(cal.year_of_column >= 0)
    lo_col, hi_col = span[0], span[-1] + 1
    q = daily.q[:, lo_col:hi_col]
    year_of = cal.year_of_column[lo_col:hi_col]
    julian_of = wy.julian[year_of, np.arange(hi_col - lo_col) - (cal.first_column[year_of] - lo_col)]
    analysed_day = wy.analysed[:, year_of]

    high = high_low(q, high_q[:, None], low_q[:, None], settings)
    low = ~high & np.isfinite(q)
    low_in_years = np.where(low & analysed_day & keep_years[year_of][None, :], q, np.nan)
    extreme_q = weibull_quantile(low_in_years, settings["extreme_low_percentile"] / 100)
    extreme = low & (q < extreme_q[:, None])

    kinds = np.zeros(q.shape, dtype=np.int8)
    kinds[low] = LOW
    kinds[extreme] = EXTREME_LOW
    floods = flood_thresholds(wy.cube, keep_years, settings)
    highs = _Events(high, q)
    peak = highs.reduce(np.maximum, highs.q)
    event_type = np.select(
        [peak >= floods[highs.row, 1], peak >= floods[highs.row, 0]], [LARGE_FLOOD, SMALL_FLOOD], HIGH_PULSE
    ).astype(np.int8)
    kinds.ravel()[highs.flat] = event_type[highs.event_of]

    out = np.full((s, y, 34), np.nan)
    low_only = np.full(daily.q.shape, np.nan)
    low_only[:, lo_col:hi_col] = np.where(kinds == LOW, q, np.nan)
    low_only = to_cube(low_only, cal)
    out[..., :12] = center(monthly_slots(wy, low_only), how)
    lows = _Events(extreme, q)
    low_peak = lows.reduce(np.minimum, lows.q)
    low_stats = {"peak": low_peak, "duration": lows.length.astype(float), "timing": lows.peak_timing(low_peak, julian_of)}
    high_stats = {"peak": peak, "duration": highs.length.astype(float), "timing": highs.peak_timing(peak, julian_of)}
    high_stats["rise"], high_stats["fall"] = highs.rates(q)
    selections = {"extreme_low": (lows, low_stats, np.ones(len(lows.length), dtype=bool))}
    for name in EVENTS[1:]:
        selections[name] = (highs, high_stats, event_type == _EVENT_TYPE[name])
    column = 12
    for name in EVENTS:
        events, stats, chosen = selections[name]
        year = year_of[events.start]
        chosen = chosen & wy.analysed[events.row, year]
        group = (events.row * y + year)[chosen]
        for stat in _EVENT_STATS[name]:
            if stat == "frequency":
                out[..., column] = np.bincount(group, minlength=s * y).reshape(s, y)
            else:
                out[..., column] = grouped_center(stats[stat][chosen], group, s * y, how).reshape(s, y)
            column += 1
    out[~wy.analysed] = np.nan
    types = np.zeros(daily.q.shape, dtype=np.int8)
    types[:, lo_col:hi_col] = np.where(analysed_day, kinds, 0)
    return out, types


def efc_array(
    daily: DailyFlows,
    *,
    start_month: int = 10,
    statistic: str = "nonparametric",
    threshold_years: tuple[int, int] | None = None,
) -> tuple[Calendar, np.ndarray, np.ndarray, np.ndarray]:
    """The 34 EFC parameters as an (S, Y, 34) array, in the order of :func:`columns`.

    Returns the calendar, the (S, Y) mask of analysed station-years, the values and the
    (S, T) daily EFC types (:data:`EXTREME_LOW` ... :data:`LARGE_FLOOD`; 0 outside the
    analysed years). ``threshold_years`` (first, last) sets the years whose flows define the
    percentiles and flood thresholds (the pre-impact period); default all analysed years.
    """
    how = _how(statistic)
    cal = water_year_calendar(daily.dates, start_month)
    n = len(daily.stations)
    values = np.full((n, len(cal.years), 34), np.nan)
    types = np.zeros(daily.q.shape, dtype=np.int8)
    for first in range(0, n, BLOCK):
        rows = np.arange(first, min(first + BLOCK, n))
        values[rows], types[rows] = _block(daily.select(rows), cal, how, threshold_years)
    analysed = np.isfinite(values).any(axis=-1)  # frequencies are counts in every analysed year
    return cal, analysed, values, types


def efc(
    daily: DailyFlows,
    *,
    start_month: int = 10,
    statistic: str = "nonparametric",
    threshold_years: tuple[int, int] | None = None,
    names: str = "codes",
) -> pd.DataFrame:
    """The EFC parameters, one row per station and analysed water year.

    Columns: ``station_id``, ``water_year`` (``Year`` with ``names="iha71"``) and the 34
    parameters of :func:`columns` (IHA 7.1's names with ``names="iha71"``). Flows in the
    input's unit, durations in days, timings as Julian dates, frequencies as counts.
    """
    cal, analysed, values, _ = efc_array(daily, start_month=start_month, statistic=statistic, threshold_years=threshold_years)
    cols = columns(start_month)
    s_idx, y_idx = np.nonzero(analysed)
    frame = pd.DataFrame(values[s_idx, y_idx], columns=[c for c, _ in cols])
    frame.insert(0, "water_year", cal.years[y_idx])
    frame.insert(0, "station_id", daily.stations[s_idx])
    if names == "iha71":
        frame = frame.rename(columns={"water_year": "Year", **dict(cols)})
    elif names != "codes":
        raise ValueError(f"names must be 'codes' or 'iha71', not {names!r}")
    return frame
