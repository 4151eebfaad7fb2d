"""Flood and drought defence of a workspace (水旱灾害防御) for a year.

Joins the store and the pure computations of ``assess/`` (the batch tools of
:mod:`qingliu.services.flood_tools` for the frequency analysis):

* design floods: the annual maximum daily flow of every station (complete calendar years up
  to the year), a Pearson III curve (or an alternative) by the moments of SL 44-2006 (or
  L-moments), design values at the return periods with confidence intervals, and the points
  and curve of every station for probability paper (drawn by the report layer);
* low flows: the annual minimum 7-day mean flow, P-III by moments, at 90 % guarantee;
* drought: SPI-3 and SPI-12 of every rain gauge (``rain_daily``) and the standardised runoff
  index SRI-3 / SRI-12 of every station, graded by GB/T 20481-2017; each site's grade in the
  latest month of the year with data, and the drought events of the year (run theory on the
  3-month index);
* warning status: the latest ``level`` reading of every station and reservoir against its
  warning/guarantee or flood-limit/normal levels (:mod:`qingliu.assess.flood_warning`), the
  duty officer's list, worst first.

A table the workspace lacks (no flows, no rain, no levels) leaves its results empty and adds
a note in Chinese and English; nothing raises for absent data.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy.engine import Connection, Engine

from qingliu import store
from qingliu.assess import drought
from qingliu.assess.flood_warning import warning_status
from qingliu.assess.frequency import distribution
from qingliu.assess.frequency_analysis import DEFAULT_RETURN_PERIODS, frequency_analysis
from qingliu.store import summaries

INDEX_SCALES = (3, 12)
"""Months accumulated by the drought indices: seasonal (3) and annual (12) drought."""
EVENT_SCALE = 3
"""Scale of the index whose runs are the drought events (and that orders the status list)."""
LOW_FLOW_WINDOW = 7
"""Days of the moving mean whose annual minimum is the low flow (7-day low flow)."""
LOW_FLOW_GUARANTEE = 0.9
"""Exceedance probability of the design low flow (90 % 保证率)."""
MIN_YEARS = 3
"""Fewest complete years a station needs for a curve: the moment skewness of SL 44-2006
divides by (n - 1)(n - 2)."""
LEVEL_LOOKBACK = pd.Timedelta(days=30)
"""Readings older than this before the status time are not read: such a site shows 无数据."""

Note = tuple[str, str]
"""A remark on the results: (Chinese, English)."""


@dataclass(frozen=True)
class FloodDroughtAssessment:
    """Flood and drought results of a workspace for one year (frames; empty when data lack).

    Attributes
    ----------
    year : the assessed year; series are read up to its end.
    dist, method, level : the frequency curve (p3, lp3, gev, gumbel), its estimation method
        (moments, lmoments) and the two-sided confidence level of the design values.
    parameters : per fitted station: station_id, name, river, area_km2, n (years),
        first_year, last_year, the curve's parameters (p3: mean, cv, cs) and rmse, ppcc, ks, aic.
    design : station_id, name, return_period, probability (exceedance), value, lower, upper
        (m3/s, annual maximum daily flow).
    annual_maxima : station_id, year, value (m3/s) of the complete years.
    points, curve : per station the empirical points (station_id, year, value, probability,
        kind) and the fitted curve with its band (station_id, probability, value, lower,
        upper), for probability paper.
    main_station : the fitted station with the largest catchment (its curve is the figure).
    low_flow : station_id, name, n, mean, cv, cs, design (m3/s at ``LOW_FLOW_GUARANTEE``),
        window, guarantee.
    indices : kind ("spi" of rain gauges, "sri" of stations), site_id, name, month (first
        day), scale, index, grade (GB/T 20481-2017 level, 0 where missing), grade_zh, grade_en.
    drought_status : per site with an index in the year, most severe first: kind, site_id,
        name, month (the latest of the year), index_3, grade_3, grade_zh_3, grade_en_3 and
        the same for 12 months.
    drought_events : runs of the 3-month index at or below -0.5 that touch the year: kind,
        site_id, name, start, end (months), duration (months), severity, intensity, peak,
        peak_grade, peak_grade_zh, peak_grade_en, ongoing (still running in the site's last
        month with data).
    warnings : the status list of :func:`qingliu.assess.flood_warning.warning_status`.
    status_time : the time the warning status refers to (None without levels).
    notes : remarks (zh, en): data that were missing, stations left out, curves with Cs < 2Cv.
    """

    year: int
    dist: str
    method: str
    level: float
    parameters: pd.DataFrame
    design: pd.DataFrame
    annual_maxima: pd.DataFrame
    points: pd.DataFrame
    curve: pd.DataFrame
    main_station: str | None
    low_flow: pd.DataFrame
    indices: pd.DataFrame
    drought_status: pd.DataFrame
    drought_events: pd.DataFrame
    warnings: pd.DataFrame
    status_time: pd.Timestamp | None
    notes: tuple[Note, ...]

    @property
    def empty(self) -> bool:
        """True when the workspace had none of flows, rain and levels."""
        return self.parameters.empty and self.indices.empty and self.warnings.empty

    @property
    def has_rain(self) -> bool:
        """True when SPI could be computed (the workspace has rain-gauge data)."""
        return bool((self.indices["kind"] == "spi").any()) if not self.indices.empty else False


# --- daily series ----------------------------------------------------------------------------


def _daily_matrix(flows: pd.DataFrame) -> tuple[list[str], pd.DatetimeIndex, np.ndarray]:
    """Stations, consecutive days and the (stations, days) flow matrix (NaN on missing days)."""
    wide = flows.pivot(index="date", columns="station_id", values="q")
    dates = pd.date_range(wide.index.min(), wide.index.max(), freq="D")
    return list(wide.columns), dates, wide.reindex(dates).to_numpy(float).T


def _annual_maxima(stations: list[str], dates: pd.DatetimeIndex, q: np.ndarray) -> pd.DataFrame:
    """Annual maximum daily flow of every complete calendar year (a missing day drops the year)."""
    # the maximum is the minimum of the negated flows; a 1-day window is the daily value itself
    minima, years = drought.annual_low_flows(-q, dates.to_numpy(), window=1)
    frame = pd.DataFrame(-minima, index=stations, columns=years).stack().dropna().rename("value")
    frame.index.names = ["station_id", "year"]
    return frame.reset_index().astype({"year": int})


def _low_flow(stations: list[str], dates: pd.DatetimeIndex, q: np.ndarray) -> pd.DataFrame:
    minima, _ = drought.annual_low_flows(q, dates.to_numpy(), window=LOW_FLOW_WINDOW)
    table = drought.low_flow_frequency(minima, LOW_FLOW_GUARANTEE)
    table.insert(0, "station_id", stations)
    return table[table["n"] >= MIN_YEARS].assign(window=LOW_FLOW_WINDOW, guarantee=LOW_FLOW_GUARANTEE)


# --- drought ----------------------------------------------------------------------------------


def _indices(kind: str, sites: list[str], months: pd.PeriodIndex, matrix: np.ndarray) -> tuple[pd.DataFrame, np.ndarray]:
    """Long frame of the indices at every scale, and the matrix of the event scale."""
    frames, event_index = [], None
    starts = months.to_timestamp()
    for scale in INDEX_SCALES:
        index = drought.standardized_index(matrix, scale, start_month=int(months[0].month))
        grade = drought.drought_grade(index)
        zh, en = drought.grade_names(grade)
        frames.append(pd.DataFrame({
            "kind": kind, "site_id": np.repeat(sites, len(months)), "month": np.tile(starts, len(sites)),
            "scale": scale, "index": index.ravel(), "grade": grade.ravel(), "grade_zh": zh.ravel(),
            "grade_en": en.ravel(),
        }))
        if scale == EVENT_SCALE:
            event_index = index
    return pd.concat(frames, ignore_index=True), event_index


def _events(kind: str, sites: list[str], months: pd.PeriodIndex, index: np.ndarray, year: int) -> pd.DataFrame:
    """Drought events (runs at or below the mildest grade's bound) that touch ``year``."""
    events = drought.drought_events(index)
    finite = np.isfinite(index)
    last_valid = np.where(finite.any(axis=1), index.shape[1] - 1 - np.argmax(finite[:, ::-1], axis=1), -1)
    starts = months.to_timestamp()
    zh, en = drought.grade_names(events["peak_grade"].to_numpy())
    out = pd.DataFrame({
        "kind": kind, "site_id": np.asarray(sites, dtype=object)[events["series"].to_numpy()],
        "start": starts[events["start"].to_numpy()], "end": starts[events["end"].to_numpy()],
        "duration": events["duration"], "severity": events["severity"], "intensity": events["intensity"],
        "peak": events["peak"], "peak_grade": events["peak_grade"], "peak_grade_zh": zh, "peak_grade_en": en,
        "ongoing": events["end"].to_numpy() == last_valid[events["series"].to_numpy()],
    })
    return out[(out["start"].dt.year <= year) & (out["end"].dt.year >= year)].reset_index(drop=True)


def _status(indices: pd.DataFrame, year: int) -> pd.DataFrame:
    """Each site's indices in its latest month of ``year`` with an event-scale index, most severe first."""
    graded = indices[indices["index"].notna() & (indices["month"].dt.year == year)]
    main = graded[graded["scale"] == EVENT_SCALE]
    latest = main.loc[main.groupby(["kind", "site_id"])["month"].idxmax(), ["kind", "site_id", "month"]]
    for scale in INDEX_SCALES:
        at = graded.loc[graded["scale"] == scale, ["kind", "site_id", "month", "index", "grade", "grade_zh", "grade_en"]]
        latest = latest.merge(at.rename(columns={c: f"{c}_{scale}" for c in ("index", "grade", "grade_zh", "grade_en")}),
                              on=["kind", "site_id", "month"], how="left")
    grade = f"grade_{EVENT_SCALE}"
    latest[[f"grade_{s}" for s in INDEX_SCALES]] = latest[[f"grade_{s}" for s in INDEX_SCALES]].fillna(0).astype(int)
    return latest.sort_values([grade, f"index_{EVENT_SCALE}", "kind", "site_id"],
                              ascending=[False, True, True, True]).reset_index(drop=True)


def _drought(series: list[tuple[str, list[str], pd.PeriodIndex, np.ndarray]],
             year: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Indices, status and events of the year of every (kind, sites, months, monthly matrix)."""
    frames, events = [], []
    for kind, sites, months, matrix in series:
        long, event_index = _indices(kind, sites, months, matrix)
        frames.append(long)
        events.append(_events(kind, sites, months, event_index, year))
    if not frames:
        return _empty_indices(), pd.DataFrame(), pd.DataFrame()
    indices = pd.concat(frames, ignore_index=True)
    return indices, _status(indices, year), pd.concat(events, ignore_index=True)


def _empty_indices() -> pd.DataFrame:
    return pd.DataFrame(columns=["kind", "site_id", "name", "month", "scale", "index", "grade", "grade_zh", "grade_en"])


# --- warning status ---------------------------------------------------------------------------


def _warnings(conn: Connection, stations: pd.DataFrame, reservoirs: pd.DataFrame, year: int,
              as_of: pd.Timestamp | None) -> tuple[pd.DataFrame, pd.Timestamp | None, list[Note]]:
    """Warning status at ``as_of`` (default: the latest reading up to the end of ``year``)."""
    last = summaries.max_value(conn, "level", "time")
    if last is None:
        return pd.DataFrame(), None, [("工作空间无水位数据，未评估汛情。", "No water levels in the workspace: no warning status.")]
    resolution = pd.Timedelta(microseconds=1)  # times are stored to the microsecond
    end = as_of + resolution if as_of is not None else pd.Timestamp(year + 1, 1, 1)
    end = min(end, last + resolution)
    levels = store.read(conn, "level", where={"time": slice(end - LEVEL_LOOKBACK, end)})
    if levels.empty:
        when = (as_of if as_of is not None else end).strftime("%Y-%m-%d")
        return pd.DataFrame(), None, [(f"{when} 前 {LEVEL_LOOKBACK.days} 天内无水位数据，未评估汛情。",
                                       f"No water levels in the {LEVEL_LOOKBACK.days} days before {when}: no warning status.")]
    status_time = as_of if as_of is not None else levels["time"].max()
    table = warning_status(levels, stations if len(stations) else None, reservoirs if len(reservoirs) else None,
                           as_of=status_time)
    return table, status_time, []


# --- the assessment ---------------------------------------------------------------------------


def _split(message: str) -> Note:
    zh, _, en = message.partition(" / ")
    return zh, en or zh


def _station_info(stations: pd.DataFrame) -> pd.DataFrame:
    return stations[["station_id", "name", "river", "area_km2"]]


def _frequency(annual: pd.DataFrame, stations: pd.DataFrame, *, dist: str, method: str,
               return_periods: tuple[float, ...], level: float, n_boot: int,
               seed: int) -> tuple[tuple[pd.DataFrame, ...] | None, list[Note]]:
    """Parameters, design values, points and curves of the stations with enough years."""
    counts = annual.groupby("station_id")["year"].agg(["count", "min", "max"])
    short = counts.index[counts["count"] < MIN_YEARS]
    notes: list[Note] = []
    if len(short):
        ids = ", ".join(short)
        notes.append((f"完整年份少于 {MIN_YEARS} 年，未作频率分析：{ids}。",
                      f"Fewer than {MIN_YEARS} complete years, no frequency analysis: {ids}."))
    fitted = annual[~annual["station_id"].isin(short)]
    if fitted.empty:
        return None, notes
    result = frequency_analysis(fitted.rename(columns={"station_id": "series_id"}), dist=dist, method=method,
                                return_periods=return_periods, level=level, n_boot=n_boot, seed=seed)
    notes += [_split(note) for note in result.notes]
    info = _station_info(stations)
    span = counts.rename(columns={"min": "first_year", "max": "last_year"})[["first_year", "last_year"]]
    parameters = (result.parameters.rename(columns={"series_id": "station_id"})
                  .merge(span, left_on="station_id", right_index=True))
    parameters = info.merge(parameters, on="station_id", how="right")
    first = ["station_id", "name", "river", "area_km2", "n", "first_year", "last_year"]
    parameters = parameters[first + [c for c in parameters.columns if c not in first]]
    design = info[["station_id", "name"]].merge(result.quantiles.rename(columns={"series_id": "station_id"}),
                                                on="station_id", how="right")
    rename = {"series_id": "station_id"}
    return (parameters, design, result.points.rename(columns=rename), result.curve.rename(columns=rename)), notes


def _main_station(parameters: pd.DataFrame) -> str | None:
    """The fitted station with the largest catchment area."""
    if parameters.empty:
        return None
    return str(parameters.loc[parameters["area_km2"].fillna(-np.inf).idxmax(), "station_id"])


def _names(ids: pd.Series, stations: pd.DataFrame) -> pd.Series:
    """Station names of ids (a rain gauge that is no station keeps its id)."""
    return ids.map(dict(zip(stations["station_id"], stations["name"], strict=True))).fillna(ids)


def assess_flood_drought(
    engine: Engine,
    year: int,
    *,
    dist: str = "p3",
    method: str = "moments",
    return_periods: tuple[float, ...] = DEFAULT_RETURN_PERIODS,
    as_of: pd.Timestamp | str | None = None,
    level: float = 0.90,
    n_boot: int = 1000,
    seed: int = 0,
) -> FloodDroughtAssessment:
    """Flood frequency, low flows, drought indices and warning status of a workspace for ``year``.

    Parameters
    ----------
    engine : the workspace's database.
    year : the assessed year: flows and rain are read up to its end.
    dist, method : frequency curve ("p3" as SL 44-2006, "lp3", "gev", "gumbel") and its
        estimation ("moments" as SL 44-2006, "lmoments").
    return_periods : years of the design values (T > 1).
    as_of : time of the warning status (default: the latest level reading up to the end of
        ``year``); readings up to ``LEVEL_LOOKBACK`` before it are read.
    level, n_boot, seed : confidence level of the bootstrap interval of the design values, its
        number of resamples and random seed (fixed, so that reports are reproducible).

    Returns
    -------
    FloodDroughtAssessment (frames empty where the workspace lacks the data, with a note).

    Raises
    ------
    ValueError
        Unknown distribution or method; return periods not above 1 year (bilingual).
    """
    distribution(dist)  # an unknown curve is refused before anything is read
    if method not in ("moments", "lmoments"):
        raise ValueError(f"未知的方法 {method!r}（moments、lmoments）/ unknown method {method!r} (moments, lmoments)")
    end = pd.Timestamp(year + 1, 1, 1)
    as_of = pd.Timestamp(as_of) if as_of is not None else None
    with engine.connect() as conn:
        stations = store.read(conn, "station")
        reservoirs = store.read(conn, "reservoir")
        flows = store.read(conn, "flow_daily", where={"date": slice(None, end)})
        rain = store.read(conn, "rain_daily", where={"date": slice(None, end)})
        warnings, status_time, notes = _warnings(conn, stations, reservoirs, year, as_of)
    notes = list(notes)
    last_month = pd.Period(year=year, month=12, freq="M")
    series = []
    fit, low_flow, annual = None, pd.DataFrame(), pd.DataFrame(columns=["station_id", "year", "value"])
    if flows.empty:
        notes.append(("工作空间无日流量数据，未作洪水频率、枯水与径流干旱分析。",
                      "No daily flows in the workspace: no flood frequency, low flows or runoff drought."))
    else:
        ids, dates, q = _daily_matrix(flows)
        annual = _annual_maxima(ids, dates, q)
        fit, fit_notes = _frequency(annual, stations, dist=dist, method=method, return_periods=return_periods,
                                    level=level, n_boot=n_boot, seed=seed)
        notes += fit_notes
        low_flow = _station_info(stations)[["station_id", "name"]].merge(_low_flow(ids, dates, q), on="station_id",
                                                                        how="right")
        series.append(("sri", *drought.monthly_matrix(flows, "station_id", "date", "q", "mean", daily=True, last=last_month)))
    if rain.empty:
        notes.append(("工作空间无降水数据，未计算标准化降水指数（SPI）。",
                      "No rain-gauge data in the workspace: no standardised precipitation index (SPI)."))
    else:
        series.insert(0, ("spi", *drought.monthly_matrix(rain, "station_id", "date", "p_mm", "sum", daily=True, last=last_month)))
    indices, status, events = _drought(series, year)
    if series and status.empty:
        notes.append((f"{year} 年无完整的月降水或月流量，未评定旱情。",
                      f"No complete month of rain or flow in {year}: no drought status."))
    for frame in (indices, status, events):
        if not frame.empty:
            frame.insert(2, "name", _names(frame["site_id"], stations))
    parameters, design, points, curve = fit if fit is not None else (pd.DataFrame(),) * 4
    return FloodDroughtAssessment(
        year=year, dist=dist, method=method, level=level,
        parameters=parameters, design=design, annual_maxima=annual, points=points, curve=curve,
        main_station=_main_station(parameters), low_flow=low_flow,
        indices=indices, drought_status=status, drought_events=events,
        warnings=warnings, status_time=status_time, notes=tuple(notes),
    )


__all__ = [
    "EVENT_SCALE",
    "INDEX_SCALES",
    "LEVEL_LOOKBACK",
    "LOW_FLOW_GUARANTEE",
    "LOW_FLOW_WINDOW",
    "FloodDroughtAssessment",
    "assess_flood_drought",
]
