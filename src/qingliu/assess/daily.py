"""Daily flow series as arrays: the layout shared by the water-ecology computations.

A file of daily flows (``station_id, date, q``) becomes one matrix ``q[station, day]`` over a
contiguous run of dates (:class:`DailyFlows`), and that matrix a cube
``cube[station, water_year, day_of_water_year]`` (:class:`WaterYears`), so that every
statistic is computed for all stations and years at once.

Conventions used by :mod:`~qingliu.assess.iha`, :mod:`~qingliu.assess.efc`,
:mod:`~qingliu.assess.ecoflow` and :mod:`~qingliu.assess.baseflow`:

* A water year starting in month ``m`` is labelled by the calendar year in which it ends
  (water year 1913 with ``m = 10`` runs from 1912-10-01 to 1913-09-30, as in TNC's IHA and
  USGS practice); with ``m = 1`` it is the calendar year.
* A station's record runs from its first to its last observed day. A water year is analysed
  for a station only when the whole year lies inside its record; years cut by the ends of
  the record are left out (their rows are absent from the results).
* A missing day inside the record (an absent date or an empty value) is an error
  (:class:`MissingDaysError`) unless the caller asks for linear interpolation of gaps up to
  ``max_gap`` days (:func:`fill_gaps`); longer gaps remain an error. Nothing is filled
  silently.
* Percentiles follow TNC's IHA software (IMSL's definition, R's ``quantile(type = 6)``,
  numpy's ``method="weibull"``): the p-quantile of n sorted values is at rank (n + 1)·p,
  interpolated linearly and clamped to the smallest and largest value.
* Julian dates count every year as a leap year (1 January = 1, 1 March = 61, 31 December =
  366), as TNC's IHA 7.1 reports them, so that a date has the same number in every year.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

DAYS = 366
"""Length of the day axis of a water-year cube (365-day years end with one NaN slot)."""


class MissingDaysError(ValueError):
    """Days missing inside a station's record; names the stations and the first gaps."""

    def __init__(self, stations: list[str], first_missing: list[str], count: int) -> None:
        self.stations = stations
        self.first_missing = first_missing
        self.count = count
        where = ", ".join(f"{s} ({d})" for s, d in zip(stations, first_missing, strict=True))
        super().__init__(
            f"{count} 个日流量缺测（测站及首个缺测日：{where}）；请补齐数据或允许按天数线性插补 / "
            f"{count} daily flow(s) missing (station and first missing day: {where}); "
            "complete the data or allow linear interpolation of short gaps"
        )


@dataclass(frozen=True)
class DailyFlows:
    """Daily flows of several stations on one contiguous daily calendar.

    Parameters
    ----------
    stations : array (S,) of str
        Station identifiers, in the order of the rows of ``q``.
    dates : DatetimeIndex (T,)
        Consecutive days.
    q : float array (S, T)
        Daily mean flows (m3/s inside qingliu; any unit for the indices that do not mix
        units); NaN where a station has no value.
    """

    stations: np.ndarray
    dates: pd.DatetimeIndex
    q: np.ndarray

    def select(self, rows: np.ndarray) -> DailyFlows:
        """The stations at ``rows`` (indices or a boolean mask), same calendar."""
        return DailyFlows(self.stations[rows], self.dates, self.q[rows])


def daily_flows(frame: pd.DataFrame, *, station: str = "station_id", date: str = "date", value: str = "q") -> DailyFlows:
    """Arrange a long table of daily flows as a station × day matrix.

    Rows may come in any order; dates absent from a station's rows become NaN (and count as
    missing days if they lie inside its record). Stations keep the order of first appearance.

    Raises
    ------
    ValueError
        On an empty table or a station with two values for one day.
    """
    if frame.empty:
        raise ValueError("没有日流量数据 / no daily flows")
    ids = frame[station].astype(str).to_numpy()
    days = pd.to_datetime(frame[date]).dt.normalize()
    stations, row = np.unique(ids, return_inverse=True)
    first = pd.Series(np.arange(len(ids))).groupby(row).min().to_numpy()
    order = np.argsort(np.argsort(first))  # stations by first appearance
    start, end = days.min(), days.max()
    calendar = pd.date_range(start, end, freq="D")
    col = ((days - start) // pd.Timedelta(days=1)).to_numpy()
    r = order[row]
    flat = r * len(calendar) + col
    if len(np.unique(flat)) != len(flat):
        dup = pd.Series(flat).duplicated(keep=False).to_numpy()
        where = ", ".join(sorted({f"{a} {b:%Y-%m-%d}" for a, b in zip(ids[dup][:5], days[dup][:5], strict=True)}))
        raise ValueError(f"同一测站同一天有多个流量：{where} / several flows for one station and day: {where}")
    q = np.full((len(stations), len(calendar)), np.nan)
    q[r, col] = frame[value].to_numpy(float)
    return DailyFlows(stations[np.argsort(order)], calendar, q)


def record_span(q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First and last observed day (column index) of each row; (-1, -1) for an empty row."""
    valid = np.isfinite(q)
    any_valid = valid.any(axis=1)
    first = np.where(any_valid, valid.argmax(axis=1), -1)
    last = np.where(any_valid, q.shape[1] - 1 - valid[:, ::-1].argmax(axis=1), -1)
    return first, last


def fill_gaps(daily: DailyFlows, max_gap: int = 0) -> DailyFlows:
    """Check for missing days inside each record; interpolate gaps of up to ``max_gap`` days.

    A gap is a run of missing days between two observed days of the same station. Gaps of
    at most ``max_gap`` days are filled by linear interpolation in time between the observed
    values on either side; days before a station's first or after its last observation are
    outside its record and stay NaN.

    Raises
    ------
    MissingDaysError
        When a gap longer than ``max_gap`` days remains (with ``max_gap = 0``: any gap).
    """
    q = daily.q
    n_days = q.shape[1]
    t = np.arange(n_days)
    valid = np.isfinite(q)
    prev = np.maximum.accumulate(np.where(valid, t, -1), axis=1)
    nxt = np.minimum.accumulate(np.where(valid, t, n_days)[:, ::-1], axis=1)[:, ::-1]
    interior = ~valid & (prev >= 0) & (nxt < n_days)
    gap = nxt - prev - 1
    fill = interior & (gap <= max_gap)
    if fill.any():
        rows = np.nonzero(fill)[0]
        p, n = prev[fill], nxt[fill]
        weight = (t[np.nonzero(fill)[1]] - p) / (n - p)
        q = q.copy()
        q[fill] = q[rows, p] + weight * (q[rows, n] - q[rows, p])
    still = interior & ~fill
    if still.any():
        bad_rows = np.flatnonzero(still.any(axis=1))
        first = still[bad_rows].argmax(axis=1)
        raise MissingDaysError(
            [str(s) for s in daily.stations[bad_rows][:10]],
            [f"{d:%Y-%m-%d}" for d in daily.dates[first][:10]],
            int(still.sum()),
        )
    return DailyFlows(daily.stations, daily.dates, q)


def julian_366(dates: pd.DatetimeIndex) -> np.ndarray:
    """Day of the year counted as in a leap year (1-366), TNC IHA 7.1's Julian date."""
    late_common = (~dates.is_leap_year) & (dates.month >= 3)
    return (dates.day_of_year + late_common.astype(int)).to_numpy()


@dataclass(frozen=True)
class WaterYears:
    """Daily flows arranged by water year: ``cube[station, year, day of the water year]``.

    Attributes
    ----------
    stations : array (S,)
    years : int array (Y,)
        Water-year labels (the calendar year in which each water year ends).
    start_month : int
        First month of the water year (1-12).
    cube : float array (S, Y, 366)
        Flows; NaN in the 366th slot of 365-day years and in years not analysed for a station.
    analysed : bool array (S, Y)
        The year lies wholly inside the station's record (and so is free of NaN).
    column : int array (Y, 366)
        Column of each slot in the daily matrix (-1 for the empty slot).
    julian : int array (Y, 366)
        Julian date (1-366, leap-year numbering) of each slot; 0 for the empty slot.
    month : int array (Y, 366)
        Calendar month (1-12) of each slot; 0 for the empty slot.
    day : int array (Y, 366)
        Day of the month (1-31) of each slot; 0 for the empty slot.
    year_of_column : int array (T,)
        Index into ``years`` of each day of the daily matrix (-1 outside the water years).
    """

    stations: np.ndarray
    years: np.ndarray
    start_month: int
    cube: np.ndarray
    analysed: np.ndarray
    column: np.ndarray
    julian: np.ndarray
    month: np.ndarray
    day: np.ndarray
    year_of_column: np.ndarray

    @property
    def slot_valid(self) -> np.ndarray:
        """(Y, 366) bool: the slot is a real day."""
        return self.column >= 0

    def month_order(self) -> np.ndarray:
        """Calendar months in water-year order, e.g. [10, 11, 12, 1, ..., 9]."""
        return (np.arange(12) + self.start_month - 1) % 12 + 1


@dataclass(frozen=True)
class Calendar:
    """The water years of a daily calendar: slot maps shared by every station (see :class:`WaterYears`)."""

    years: np.ndarray
    start_month: int
    column: np.ndarray
    julian: np.ndarray
    month: np.ndarray
    day: np.ndarray
    year_of_column: np.ndarray
    first_column: np.ndarray
    last_column: np.ndarray


def water_year_calendar(dates: pd.DatetimeIndex, start_month: int = 10) -> Calendar:
    """Slot maps of the whole water years inside ``dates`` (see :func:`water_years`)."""
    if not 1 <= int(start_month) <= 12:
        raise ValueError(f"水文年起始月须为 1-12，而非 {start_month} / water-year start month must be 1-12, not {start_month}")
    offset = 1 if start_month > 1 else 0  # a water year starting after January ends a year later

    def first_day(label: int) -> pd.Timestamp:
        return pd.Timestamp(label - offset, start_month, 1)

    label = dates[0].year - 1 + offset
    while first_day(label) < dates[0]:
        label += 1
    labels = []
    while first_day(label + 1) - pd.Timedelta(days=1) <= dates[-1]:
        labels.append(label)
        label += 1
    if not labels:
        raise ValueError("数据不足一个完整水文年 / the data cover no whole water year")
    years = np.array(labels)
    starts = pd.DatetimeIndex([first_day(y) for y in years])
    lengths = np.array([(first_day(y + 1) - first_day(y)).days for y in years])
    base = ((starts - dates[0]) // pd.Timedelta(days=1)).to_numpy()
    slot = np.arange(DAYS)
    column = np.where(slot[None, :] < lengths[:, None], base[:, None] + slot[None, :], -1)
    valid = column >= 0
    slot_dates = dates[np.where(valid, column, 0).ravel()]
    julian = np.where(valid, julian_366(slot_dates).reshape(column.shape), 0)
    month = np.where(valid, slot_dates.month.to_numpy().reshape(column.shape), 0)
    day = np.where(valid, slot_dates.day.to_numpy().reshape(column.shape), 0)
    year_of_column = np.full(len(dates), -1)
    year_of_column[column[valid]] = np.nonzero(valid)[0]
    return Calendar(years, int(start_month), column, julian, month, day, year_of_column, base, base + lengths - 1)


def water_years(daily: DailyFlows, start_month: int = 10, calendar: Calendar | None = None) -> WaterYears:
    """Arrange daily flows by water year (see the module notes for the conventions).

    Parameters
    ----------
    daily : DailyFlows
        Gap-free inside each record (see :func:`fill_gaps`).
    start_month : int
        First month of the water year, 1-12.
    calendar : Calendar, optional
        :func:`water_year_calendar` of ``daily.dates`` and ``start_month``, when already built.

    Raises
    ------
    ValueError
        When ``start_month`` is not 1-12 or no whole water year is covered by the calendar.
    """
    cal = calendar if calendar is not None else water_year_calendar(daily.dates, start_month)
    first, last = record_span(daily.q)
    analysed = (first[:, None] >= 0) & (first[:, None] <= cal.first_column[None, :]) & (last[:, None] >= cal.last_column[None, :])
    cube = to_cube(daily.q, cal)
    cube[~analysed] = np.nan
    return WaterYears(
        daily.stations, cal.years, cal.start_month, cube, analysed, cal.column, cal.julian, cal.month, cal.day,
        cal.year_of_column,
    )


def to_cube(values: np.ndarray, cal: Calendar) -> np.ndarray:
    """Gather a (S, T) daily array into the (S, Y, 366) water-year layout (NaN in empty slots)."""
    # one NaN column appended: the empty slot of 365-day years points at it
    padded = np.concatenate([np.asarray(values, dtype=float), np.full((values.shape[0], 1), np.nan)], axis=1)
    return padded[:, np.where(cal.column >= 0, cal.column, -1)]


def weibull_quantile(x: np.ndarray, p: float | np.ndarray, axis: int = -1) -> np.ndarray:
    """Quantiles of the non-NaN values along ``axis`` at rank (n + 1)·p (IHA's percentile).

    Linear interpolation between order statistics, clamped to the smallest and largest value
    (R ``type = 6``, numpy ``method="weibull"``). Vectorised over every other axis; NaN where a
    slice has no value. ``p`` may be an array: its axes are prepended to the result.
    """
    x = np.moveaxis(np.asarray(x, dtype=float), axis, -1)
    if x.shape[-1] and not np.isnan(x).any():  # numpy's selection is faster than a sort
        return np.quantile(x, p, axis=-1, method="weibull")
    ordered = np.sort(x, axis=-1)  # NaN last
    n = np.isfinite(ordered).sum(axis=-1)
    p = np.asarray(p, dtype=float)
    rank = (n + 1) * p.reshape(p.shape + (1,) * n.ndim)  # 1-based
    rank = np.clip(rank, 1, np.maximum(n, 1))
    lo = np.floor(rank).astype(int)
    frac = rank - lo
    hi = np.minimum(lo + 1, np.maximum(n, 1))
    take = np.broadcast_to(ordered, p.shape + ordered.shape)
    v_lo = np.take_along_axis(take, (lo - 1)[..., None], axis=-1)[..., 0]
    v_hi = np.take_along_axis(take, (hi - 1)[..., None], axis=-1)[..., 0]
    out = v_lo + frac * (v_hi - v_lo)
    return np.where(n > 0, out, np.nan)


def grouped_center(values: np.ndarray, groups: np.ndarray, n_groups: int, how: str = "median") -> np.ndarray:
    """Median or mean of the finite ``values`` in each group ``0..n_groups-1``; NaN for empty groups."""
    finite = np.isfinite(values)
    values, groups = values[finite], groups[finite]
    counts = np.bincount(groups, minlength=n_groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        if how == "mean":
            return np.bincount(groups, weights=values, minlength=n_groups) / np.where(counts > 0, counts, np.nan)
    if how != "median":
        raise ValueError(f"how must be 'median' or 'mean', not {how!r}")
    if len(values) == 0:
        return np.full(n_groups, np.nan)
    # sort by (group, value) through one integer key: faster than lexsort and exact
    rank = np.empty(len(values), dtype=np.int64)
    rank[np.argsort(values)] = np.arange(len(values))
    ordered = values[np.argsort(groups.astype(np.int64) * len(values) + rank)]
    starts = np.cumsum(counts) - counts
    lo = starts + np.maximum(counts - 1, 0) // 2
    hi = starts + counts // 2
    lo = np.minimum(lo, len(ordered) - 1)
    hi = np.minimum(hi, len(ordered) - 1)
    return np.where(counts > 0, (ordered[lo] + ordered[hi]) / 2, np.nan)


def runs(flags: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Runs of consecutive True along the last axis of a (S, T) array.

    Returns
    -------
    row, start, length : int arrays (R,)
        For each run in row-major order: its row, first column and number of days.
    """
    s, t = flags.shape
    padded = np.zeros((s, t + 2), dtype=np.int8)
    padded[:, 1:-1] = flags
    step = np.diff(padded, axis=1).ravel()
    begin = np.flatnonzero(step == 1)
    end = np.flatnonzero(step == -1)
    return begin // (t + 1), begin % (t + 1), end - begin


def monthly_slots(wy: WaterYears, cube: np.ndarray | None = None) -> np.ndarray:
    """Flows by water-year month: ``(S, Y, 12, 31)``, NaN where a month has no such day.

    Month index 0 is the water year's first month. ``cube`` (default ``wy.cube``) may be any
    array in the same layout, e.g. flows with the days of other flow types set to NaN.
    """
    cube = wy.cube if cube is None else cube
    s, y, _ = cube.shape
    yi, li = np.nonzero(wy.slot_valid)
    mi = (wy.month[yi, li] - wy.start_month) % 12
    di = wy.day[yi, li] - 1
    source = np.full((y, 12, 31), y * DAYS)  # points at an appended NaN
    source[yi, mi, di] = yi * DAYS + li
    flat = np.concatenate([cube.reshape(s, -1), np.full((s, 1), np.nan)], axis=1)
    return flat[:, source.ravel()].reshape(s, y, 12, 31)


def center(values: np.ndarray, how: str = "median", axis: int = -1) -> np.ndarray:
    """NaN-ignoring median or mean along ``axis`` without per-row Python loops."""
    values = np.moveaxis(values, axis, -1)
    n = np.isfinite(values).sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        if how == "mean":
            return np.where(n > 0, np.nansum(values, axis=-1) / n, np.nan)
        if how != "median":
            raise ValueError(f"how must be 'median' or 'mean', not {how!r}")
        ordered = np.sort(values, axis=-1)
        lo = np.maximum(n - 1, 0) // 2
        hi = n // 2
        hi = np.minimum(hi, values.shape[-1] - 1)
        a = np.take_along_axis(ordered, lo[..., None], axis=-1)[..., 0]
        b = np.take_along_axis(ordered, hi[..., None], axis=-1)[..., 0]
        return np.where(n > 0, (a + b) / 2, np.nan)
