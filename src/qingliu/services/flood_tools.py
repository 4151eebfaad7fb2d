"""Stateless flood and drought tools on files (``qingliu flood ...``, ``qingliu drought ...``).

Frequency analysis of annual series (SL 44-2006 P-III and alternatives), drought indices of
precipitation and flow series, low-flow frequency, and the warning status of stations and
reservoirs. Inputs are read with the project's readers (CSV/xlsx/Parquet, Chinese or English
headers, bilingual errors naming file, row and column); outputs are tables.

Annual-series files have rows ``year,value`` (one series) or ``series_id,year,value`` (one
per station); a daily flow file ``station_id,date,q`` (e.g. the bundled flows.csv) is turned
into annual maximum flows (calendar years without missing days).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from qingliu import io
from qingliu.assess import drought
from qingliu.assess.flood_warning import warning_status
from qingliu.assess.frequency_analysis import (
    FrequencyResult,
    frequency_analysis,
)
from qingliu.assess.frequency_fit import (
    compare_distributions,
)
from qingliu.model.tables import FLOW_DAILY, Column, Table

ANNUAL = Table(
    "annual",
    "年序列",
    (
        Column("series_id", "str", "序列", required=False,
               aliases=("id", "station_id", "站码", "测站", "测站编码", "站名", "station")),
        Column("year", "int", "年份", min=1, max=9999, aliases=("年", "yr")),
        Column("value", "float", "数值", aliases=("值", "洪峰", "洪峰流量", "流量", "q", "peak", "最大流量", "降水量", "水位")),
    ),
    key=("series_id", "year"),
)
"""Annual values (one per series and year), in the input's own units."""


def _problem(path: str | Path, zh: str, en: str, column: str | None = None) -> io.InputError:
    return io.InputError([io.Problem(Path(path).name, None, column, zh, en)])


def read_annual(path: str | Path) -> pd.DataFrame:
    """Annual series of a file: columns series_id ("" for a single series), year, value.

    A daily flow file (station_id, date, q) gives the annual maximum daily flow of every
    complete calendar year.
    """
    layout, frame = io.read_rows(path, FLOW_DAILY, ANNUAL)
    if layout == FLOW_DAILY.name:
        flows = frame
        year = flows["date"].dt.year
        grouped = flows.groupby([flows["station_id"], year])
        days = grouped["q"].count()
        year_days = np.where(pd.to_datetime(days.index.get_level_values(1).astype(str) + "-12-31").is_leap_year, 366, 365)
        annual = grouped["q"].max()[days.to_numpy() == year_days].rename("value").reset_index()
        return annual.rename(columns={"station_id": "series_id", "date": "year"})
    return frame[np.isfinite(frame["value"].to_numpy(float))].sort_values(["series_id", "year"]).reset_index(drop=True)


def frequency_file(
    path: str | Path,
    *,
    historical_path: str | Path | None = None,
    **options: Any,
) -> FrequencyResult:
    """Frequency analysis of the annual series of a file (``qingliu flood freq``).

    Parameters
    ----------
    path : annual values (``year,value`` or ``series_id,year,value``) or daily flows.
    historical_path : ``year,value`` rows of the extraordinary floods of the N-year period
        (historical ones and those of the record); needs ``period``.
    options : dist ("p3", "lp3", "gev", "gumbel"), method ("moments", "lmoments", "fit"),
        return_periods, period (N), formula ("unified", "independent"), objective ("ls",
        "lad", "lrs"), cs_cv_ratio, ci ("auto": bootstrap for moments and L-moments, the
        analytic standard error for curve fitting; "bootstrap", "analytic", "none"), level,
        n_boot, seed.
    """
    annual = read_annual(path)
    if annual.empty:
        raise _problem(path, "没有可用的年值", "no annual values")
    historical = read_annual(historical_path) if historical_path is not None else None
    try:
        return frequency_analysis(annual, historical=historical, **options)
    except ValueError as exc:
        if isinstance(exc, io.InputError):
            raise
        raise _problem(historical_path or path, *_split(str(exc))) from exc


def _split(message: str) -> tuple[str, str]:
    zh, _, en = message.partition(" / ")
    return zh, en or zh


def compare_file(path: str | Path, *, method: str = "lmoments") -> pd.DataFrame:
    """Goodness of fit of every distribution for every series of an annual file."""
    annual = read_annual(path)
    frames = []
    for series_id, group in annual.groupby("series_id", sort=False):
        table = compare_distributions(group["value"].to_numpy(float), method)
        table.insert(0, "series_id", series_id)
        frames.append(table)
    out = pd.concat(frames, ignore_index=True)
    out["parameters"] = out["parameters"].map(lambda p: ", ".join(f"{k}={v:.4g}" for k, v in p.items()))
    return out.drop(columns="series_id") if annual["series_id"].nunique() == 1 else out


# --- drought -----------------------------------------------------------------------------


def _monthly(path: str | Path, how: str) -> tuple[list[str], pd.PeriodIndex, np.ndarray]:
    """Series of a file as a (series, months) matrix of monthly sums or means (:func:`drought.monthly_matrix`)."""
    layout, series = io.read_rows(path, FLOW_DAILY, io.SERIES)
    if layout == FLOW_DAILY.name:
        series = series.rename(columns={"station_id": "series_id", "date": "time", "q": "value"})
    series = series.dropna(subset=["value"])
    if series.empty:
        raise _problem(path, "没有可用的数值", "no values")
    # daily values (a flow table, or several values in a month): incomplete months are missing
    per_month = series.groupby([series["series_id"], series["time"].dt.to_period("M")]).size()
    daily = layout == FLOW_DAILY.name or bool((per_month > 1).any())
    return drought.monthly_matrix(series, "series_id", "time", "value", how, daily=daily)


def standardized_index_file(
    path: str | Path, *, scale: int = 3, kind: str = "spi", method: str = "mle", transform: str = "exact"
) -> pd.DataFrame:
    """SPI of precipitation (``kind="spi"``: monthly sums) or SRI of flows (``"sri"``: monthly means).

    Input: long series ``series_id,time,value`` (daily or monthly; mm for precipitation) or
    daily flows ``station_id,date,q``. Returns series_id, month (YYYY-MM), value (the
    ``scale``-month total or mean), index, grade (GB/T 20481-2017 level), grade_zh, grade_en.
    """
    ids, months, matrix = _monthly(path, "sum" if kind == "spi" else "mean")
    index = drought.standardized_index(matrix, scale, start_month=int(months[0].month), method=method, transform=transform)
    totals = drought.rolling_sum(matrix, scale) / (1 if kind == "spi" else scale)
    level = drought.drought_grade(index)
    zh, en = drought.grade_names(level)
    n = len(months)
    return pd.DataFrame({
        "series_id": np.repeat(ids, n), "month": np.tile(months.strftime("%Y-%m"), len(ids)),
        "value": totals.ravel(), kind: index.ravel(), "grade": level.ravel(), "grade_zh": zh.ravel(), "grade_en": en.ravel(),
    })


def drought_events_file(
    path: str | Path, *, scale: int = 3, kind: str = "spi", threshold: float | None = None, min_duration: int = 1
) -> pd.DataFrame:
    """Drought events (run theory) of the SPI or SRI of every series of a file.

    Returns series_id, start, end (YYYY-MM), duration (months), severity, intensity, peak,
    peak_grade_zh, peak_grade_en.
    """
    ids, months, matrix = _monthly(path, "sum" if kind == "spi" else "mean")
    index = drought.standardized_index(matrix, scale, start_month=int(months[0].month))
    events = drought.drought_events(index, threshold=threshold, min_duration=min_duration)
    labels = months.strftime("%Y-%m")
    zh, en = drought.grade_names(events["peak_grade"].to_numpy())
    return pd.DataFrame({
        "series_id": np.asarray(ids, dtype=object)[events["series"].to_numpy()],
        "start": labels[events["start"].to_numpy()], "end": labels[events["end"].to_numpy()],
        "duration": events["duration"], "severity": events["severity"], "intensity": events["intensity"],
        "peak": events["peak"], "peak_grade_zh": zh, "peak_grade_en": en,
    })


def low_flow_file(
    path: str | Path, *, window: int = 7, guarantee: float = 0.9, year_start_month: int = 1
) -> pd.DataFrame:
    """Design low flow of every station of a daily flow file (e.g. 7-day minimum at 90 %).

    Returns station_id, n (complete years), mean, cv, cs (P-III moments of the annual
    minima), design (m3/s at the guarantee), window, guarantee.
    """
    if not 0 < guarantee < 1:
        raise ValueError(f"保证率须在 0 与 1 之间：{guarantee} / guarantee must be in (0, 1): {guarantee}")
    flows = io.read_table(path, "flow_daily", required=("station_id", "date", "q"))
    wide = flows.pivot(index="date", columns="station_id", values="q")
    wide = wide.reindex(pd.date_range(wide.index.min(), wide.index.max(), freq="D"))
    minima, _ = drought.annual_low_flows(wide.to_numpy(float).T, wide.index.to_numpy(), window=window,
                                         year_start_month=year_start_month)
    table = drought.low_flow_frequency(minima, guarantee)
    table.insert(0, "station_id", list(wide.columns))
    return table.assign(window=window, guarantee=guarantee)


# --- warning status ---------------------------------------------------------------------


def warning_status_file(
    levels_path: str | Path,
    *,
    stations_path: str | Path | None = None,
    reservoirs_path: str | Path | None = None,
    as_of: str | None = None,
) -> pd.DataFrame:
    """Warning status from a level file (``series_id,time,value`` in m) and the site tables."""
    levels = io.read_series(levels_path).rename(columns={"series_id": "site_id", "value": "level_m"})
    stations = (io.read_table(stations_path, "station", required=("station_id", "name"))
                if stations_path is not None else None)
    reservoirs = (io.read_table(reservoirs_path, "reservoir", required=("reservoir_id", "name"))
                  if reservoirs_path is not None else None)
    table = warning_status(levels, stations, reservoirs, as_of=pd.Timestamp(as_of) if as_of else None)
    table["time"] = table["time"].dt.strftime("%Y-%m-%d %H:%M").fillna("")
    return table
