"""Water ecology of a workspace (水生态评价): ecological flow, hydrologic alteration, river health.

Reads ``station``, ``flow_daily`` and ``health_survey`` from the store, takes the
water-environment results of the same year when the caller has them, runs the computations of
:mod:`qingliu.assess` and returns one :class:`EcologyAssessment`.

Methods and defaults
--------------------
* **Targets** (生态流量目标, 生态基流) of every hydrological station, from its whole record: by
  default ``qp`` of SL/T 712-2021 河湖生态环境需水计算规范 — the driest month's mean flow of each
  year fitted by Pearson III and read at P = 90 % (:mod:`qingliu.assess.ecoflow`). Any method
  of :data:`qingliu.assess.ecoflow.METHODS` may be chosen (``method=``); the default and the
  methods of :data:`COMPARED_METHODS` are listed beside it for comparison (``used`` marks the
  one applied).
* **Compliance** with the chosen method's monthly targets, per station and calendar year
  (:mod:`qingliu.assess.ecoflow_compliance`): daily rate, monthly-mean compliance, longest run
  below the target, shortfall days and volume, the 90 % rule; and the live status (达标 / 预警 /
  不达标) of each station on its latest day with data. The city figure is the share of all
  station-days of the year meeting their target, stations pooled.
* **IHA** 7.1 (33 parameters, non-parametric) per station and water year, pulse thresholds from
  the pre-impact period, and the **RVA** of the post- against the pre-impact period
  (:mod:`qingliu.assess.iha`, :mod:`qingliu.assess.rva`). Default periods: the first
  :data:`RVA_PERIOD_YEARS` and the last :data:`RVA_PERIOD_YEARS` water years analysed for any
  station (Richter et al. 1997 ask for about 20 years each); a record shorter than twice that is
  split into two halves, and a note says so.
* **River health** (河湖健康评价指南（试行）2020 by default, SL/T 793-2020 as the option;
  :mod:`qingliu.assess.health`). Indicators computed from the workspace's data for the year:

  - 生态流量满足程度 (``ecoflow``) and 流量过程变异程度 (``flow_alteration``, against the
    pre-impact period) of the river's stations, the mean of their scores;
  - 水质优劣程度 (``water_quality``) from the classes of the river's river-type sections in the
    :class:`~qingliu.services.water_quality.WaterQualityAssessment` passed in: the mean of the
    section scores (sections weighted equally: the workspace holds no representative reach
    lengths);
  - 湖库营养状态 (``trophic_state``, only in systems that have it, e.g. SL/T 793-2020): the mean
    TLI(Σ) of the river's reservoirs, scored by the system's curve.

  Every other indicator comes from ``health_survey``: for each river and indicator the latest
  value of the year or before (surveys are not annual). A survey value replaces a computed one
  for the same indicator (the survey is the bureau's record). Weights: indicators missing for a
  river drop out and the weights are renormalised over those given, within each layer and
  across layers (:func:`qingliu.assess.health.river_health`); a river that misses a required
  (必选) indicator gets a provisional class (暂评) and the missing indicators are listed.

Missing days
------------
Compliance counts a missing day as not assessed (``n_missing``); nothing is filled there.
Targets, IHA, RVA and the health flow indicators need gap-free records: gaps of up to
``fill_gaps`` days (default :data:`FILL_GAPS_DAYS`) are interpolated linearly
(:func:`qingliu.assess.daily.fill_gaps`); a station with a longer gap is analysed on its record
after the last such gap only, and a note names the gap. Each filling or cut is in ``notes``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy.engine import Engine

from qingliu import store
from qingliu.assess.daily import (
    DailyFlows,
    daily_flows,
    record_span,
    runs,
    water_year_calendar,
    water_years,
)
from qingliu.assess.daily import fill_gaps as interpolate_gaps
from qingliu.assess.ecoflow import METHODS, MONTH_COLUMNS, ecoflow_targets
from qingliu.assess.ecoflow_compliance import Compliance, ecoflow_compliance
from qingliu.assess.health import (
    HealthSystem,
    ecoflow_indicator,
    flow_alteration_indicator,
    load_system,
    river_health,
    score_indicators,
)
from qingliu.assess.iha import iha, parameters
from qingliu.assess.rva import overall_alteration, rva
from qingliu.services.water_quality import WaterQualityAssessment
from qingliu.store import summaries

DEFAULT_METHOD = "qp"
"""生态基流 by SL/T 712-2021: Qp of the driest monthly mean flow at P = 90 %."""

COMPARED_METHODS = ("tennant", "recent_driest_month", "7q10", "q90")
"""Methods whose targets are listed beside the chosen one and the default (Tennant, 近10年最枯月, 7Q10, Q90)."""

FILL_GAPS_DAYS = 7
"""Longest gap (days) interpolated by default: a week of missing record (qingliu's choice)."""

RVA_PERIOD_YEARS = 20
"""Years of each RVA period by default (Richter et al. 1997 recommend about 20)."""

Note = tuple[str, str]
"""A remark on the data or the method: (Chinese, English)."""


class EcologyOptionError(ValueError):
    """An option of the assessment that cannot be used (message in Chinese and English)."""


@dataclass(frozen=True)
class EcologyAssessment:
    """Every water-ecology result of a workspace for one year.

    Attributes
    ----------
    year, method, water_year_start, fill_gaps : the options used.
    pre, post : RVA periods (first, last water year), None when the record is too short.
    health_system : name of the river-health indicator system.
    targets : one row per station and method: station_id, name, river, method, method_zh,
        target_m3s (lowest monthly target), m01 … m12, n_years, note, used.
    compliance : per station and calendar year (the whole record): station_id, name, river,
        year, n_days, n_missing, days_met, daily_rate, meets_daily_rule, longest_below,
        shortfall_days, shortfall_1e4m3, months_assessed, months_mean_met.
    compliance_monthly : the same per month (with mean_q, target_m3s, mean_met).
    status : live status on each station's latest day with data: station_id, name, river, date,
        q, target_m3s, month_daily_rate, status, status_zh, status_en.
    city : per calendar year: year, n_stations, n_days, days_met, share (station-days pooled).
    iha : the 33 IHA parameters per station and water year (qingliu's codes).
    rva : RVA per station and parameter (see :func:`qingliu.assess.rva.rva`) with parameter_zh,
        parameter_en and group; empty without periods.
    alteration : per station: station_id, name, river, d0, alteration, alteration_zh,
        alteration_en, n_high, high_zh, high_en (the parameters highly altered).
    health : per river: river, rhi, class, class_zh, class_en, weakest_layer, weakest_layer_zh,
        weakest_layer_en, score_<layer>, missing_required, missing_required_zh,
        missing_required_en, provisional, n_indicators.
    health_indicators : per river and indicator: river, indicator, indicator_zh, indicator_en,
        layer, value, score, source (flow, water_quality, trophic, survey), year, basis.
    notes : remarks on gaps, periods and data left out, (Chinese, English).

    Without a whole water year of flows the flow frames (targets … alteration) are empty,
    without columns: see :attr:`has_flows`.
    """

    year: int
    method: str
    water_year_start: int
    fill_gaps: int
    pre: tuple[int, int] | None
    post: tuple[int, int] | None
    health_system: str
    targets: pd.DataFrame
    compliance: pd.DataFrame
    compliance_monthly: pd.DataFrame
    status: pd.DataFrame
    city: pd.DataFrame
    iha: pd.DataFrame
    rva: pd.DataFrame
    alteration: pd.DataFrame
    health: pd.DataFrame
    health_indicators: pd.DataFrame
    notes: tuple[Note, ...]

    @property
    def has_flows(self) -> bool:
        return not self.targets.empty


@dataclass(frozen=True)
class CityEcoflowCompliance:
    """The dashboard's key figure: share of station-days meeting the eco-flow target, %.

    ``value_pct`` for ``year`` and ``previous_pct`` for the year before (None without data);
    ``n_stations`` and ``station_days`` behind ``value_pct``.
    """

    year: int
    value_pct: float | None
    previous_pct: float | None
    n_stations: int
    station_days: int


CITY_COLUMNS = ["year", "n_stations", "n_days", "days_met", "share"]
HEALTH_INDICATOR_COLUMNS = ["river", "indicator", "indicator_zh", "indicator_en", "layer", "value", "score", "source", "year", "basis"]


# --- flows ------------------------------------------------------------------------------


def _read_flows(engine: Engine) -> tuple[pd.DataFrame, DailyFlows | None]:
    with engine.connect() as conn:
        stations = store.read(conn, "station", columns=["station_id", "name", "river"])
        flows = store.read(conn, "flow_daily", columns=["station_id", "date", "q"])
    return stations, (daily_flows(flows) if not flows.empty else None)


def _gaps(q: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Runs of missing days inside each station's record: row, first column, length."""
    first, last = record_span(q)
    row, start, length = runs(~np.isfinite(q))
    inside = (first[row] >= 0) & (start > first[row]) & (start + length - 1 < last[row])
    return row[inside], start[inside], length[inside]


def usable_record(daily: DailyFlows, max_gap: int) -> tuple[DailyFlows, list[Note]]:
    """Gap-free flows for the year-by-year analyses, and notes on what was done.

    Gaps inside a record of up to ``max_gap`` days are interpolated linearly; the days before
    the last longer gap of a station are dropped (it is analysed on its record after that gap).
    """
    q = daily.q.copy()
    row, start, length = _gaps(q)
    long = length > max_gap
    notes: list[Note] = []
    if long.any():
        cut = np.full(len(daily.stations), -1)
        np.maximum.at(cut, row[long], (start + length)[long])  # first day after the last long gap
        for s in np.flatnonzero(cut >= 0):
            last_gap = np.flatnonzero(long & (row == s) & (start + length == cut[s]))[0]
            begin, days, since = daily.dates[start[last_gap]], int(length[last_gap]), daily.dates[cut[s]]
            notes.append((
                (f"{daily.stations[s]}：{begin:%Y-%m-%d} 起缺测 {days} 天，超过可插补的 {max_gap} 天；"
                 f"生态流量目标、水文情势与健康评价只用 {since:%Y-%m-%d} 以后的记录。"),
                (f"{daily.stations[s]}: {days} days missing from {begin:%Y-%m-%d}, more than the {max_gap} days "
                 f"that may be interpolated; targets, IHA and health use its record from {since:%Y-%m-%d} on."),
            ))
        q[np.arange(q.shape[1])[None, :] < cut[:, None]] = np.nan
        row, start, length = _gaps(q)
    if len(length):
        notes.append((
            f"{len(length)} 段不超过 {max_gap} 天的缺测（共 {int(length.sum())} 天）已按前后流量线性插补。",
            (f"{len(length)} gap(s) of up to {max_gap} days ({int(length.sum())} days in all) were interpolated "
             "linearly between the flows either side."),
        ))
    return interpolate_gaps(DailyFlows(daily.stations, daily.dates, q), max_gap), notes


def _whole_years(dates: pd.DatetimeIndex, start_month: int) -> np.ndarray:
    """Labels of the whole water years in ``dates`` (empty when there is none)."""
    try:
        return water_year_calendar(dates, start_month).years
    except ValueError:  # raised only when no whole water year is covered (start month checked by the caller)
        return np.array([], dtype=int)


def default_periods(years: np.ndarray) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """RVA periods from the sorted analysed water years: the first and last :data:`RVA_PERIOD_YEARS`.

    A record shorter than twice that is split into halves; fewer than 4 years give None.
    """
    n = min(RVA_PERIOD_YEARS, len(years) // 2)
    if n < 2:
        return None
    return (int(years[0]), int(years[n - 1])), (int(years[-n]), int(years[-1]))


def _check_period(name: str, period: tuple[int, int] | None) -> tuple[int, int] | None:
    if period is None:
        return None
    first, last = (int(v) for v in period)
    if first > last:
        raise EcologyOptionError(f"{name} 时段起止颠倒：{first}-{last} / the {name} period is reversed: {first}-{last}")
    return first, last


def _targets(
    usable: DailyFlows, method: str, start_month: int, options: dict
) -> pd.DataFrame:
    methods = tuple(dict.fromkeys((method, DEFAULT_METHOD, *COMPARED_METHODS)))  # the chosen one first
    try:
        targets = ecoflow_targets(usable, methods, start_month=start_month, **options)
    except ValueError as exc:  # a Tennant rating, guarantee or month the method refuses
        raise EcologyOptionError(str(exc)) from exc
    targets["used"] = targets["method"] == method
    return targets


def _flow_results(
    daily: DailyFlows, method: str, water_year_start: int, fill_gaps: int, options: dict
) -> tuple[DailyFlows, pd.DataFrame, Compliance, list[Note]]:
    """Gap-handled flows, targets of every method and compliance with the chosen one."""
    usable, notes = usable_record(daily, fill_gaps)
    targets = _targets(usable, method, water_year_start, options)
    used = targets[targets["used"]].set_index("station_id").reindex(daily.stations)
    compliance = ecoflow_compliance(daily, used[list(MONTH_COLUMNS)].to_numpy(float), start_month=1)
    return usable, targets, compliance, notes


def _city(yearly: pd.DataFrame) -> pd.DataFrame:
    if yearly.empty:
        return pd.DataFrame(columns=CITY_COLUMNS)
    city = yearly.groupby("year", as_index=False).agg(
        n_stations=("station_id", "nunique"), n_days=("n_days", "sum"), days_met=("days_met", "sum")
    )
    city["share"] = city["days_met"] / city["n_days"]
    return city[CITY_COLUMNS]


def _named(frame: pd.DataFrame, stations: pd.DataFrame) -> pd.DataFrame:
    """Station name and river inserted after ``station_id``."""
    out = frame.merge(stations, on="station_id", how="left")
    first = ["station_id", "name", "river"]
    return out[first + [c for c in out.columns if c not in first]]


def _alteration(table: pd.DataFrame, stations: pd.DataFrame) -> pd.DataFrame:
    overall = overall_alteration(table)
    high = table[table["alteration"] == "high"].groupby("station_id", sort=False)
    summary = pd.DataFrame({
        "n_high": high.size(),
        "high_zh": high["parameter_zh"].agg("、".join),
        "high_en": high["parameter_en"].agg(", ".join),
    })
    out = overall.merge(summary, left_on="station_id", right_index=True, how="left")
    out["n_high"] = out["n_high"].fillna(0).astype(int)
    out[["high_zh", "high_en"]] = out[["high_zh", "high_en"]].fillna("")
    return _named(out, stations)


def _hydrologic_alteration(
    usable: DailyFlows, stations: pd.DataFrame, start_month: int, pre: tuple[int, int] | None, post: tuple[int, int] | None
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, tuple | None, tuple | None, list[Note]]:
    """IHA per station and water year, and the RVA of the two periods (defaults when not given)."""
    notes: list[Note] = []
    analysed = water_years(usable, start_month)
    years = analysed.years[analysed.analysed.any(axis=0)]
    if pre is None or post is None:
        periods = default_periods(years)
        if periods is None:
            notes.append(("完整水文年不足 4 年，未作 RVA 分析。", "Fewer than 4 whole water years: no RVA."))
        else:
            pre, post = periods
            if pre[1] - pre[0] + 1 < RVA_PERIOD_YEARS:
                notes.append((
                    f"记录不足 {2 * RVA_PERIOD_YEARS} 年，RVA 以前后两半比较（{pre[0]}–{pre[1]} 与 {post[0]}–{post[1]}）。",
                    (f"A record shorter than {2 * RVA_PERIOD_YEARS} years: the RVA compares its halves "
                     f"({pre[0]}-{pre[1]} and {post[0]}-{post[1]})."),
                ))
    annual = iha(usable, start_month=start_month, threshold_years=pre)
    if pre is None or post is None:
        return annual, pd.DataFrame(), pd.DataFrame(), None, None, notes
    table = rva(annual, pre, post)
    names = {p.code: p for p in parameters(start_month)}
    table["parameter_zh"] = table["parameter"].map(lambda c: names[c].zh)
    table["parameter_en"] = table["parameter"].map(lambda c: names[c].iha71)
    table["group"] = table["parameter"].map(lambda c: names[c].group)
    return annual, table, _alteration(table, stations), pre, post, notes


# --- river health -------------------------------------------------------------------------


def _indicator_rows(frame: pd.DataFrame, indicator: str, source: str, year: int) -> pd.DataFrame:
    """Per river: the mean value and score of its stations or sections, and which they are.

    A station or section without a value or score (e.g. no natural years to compare with) is left out.
    """
    grouped = frame[frame["value"].notna() | frame["score"].notna()].groupby("river", sort=True)
    out = pd.DataFrame({
        "value": grouped["value"].mean(),
        "score": grouped["score"].mean(),
        "basis": grouped["basis"].agg(", ".join),
    }).reset_index()
    return out.assign(indicator=indicator, source=source, year=year)


def _flow_indicators(
    usable: DailyFlows, stations: pd.DataFrame, year: int, pre: tuple[int, int] | None, system: HealthSystem
) -> list[pd.DataFrame]:
    rivers = stations.set_index("station_id")["river"]
    parts = []
    eco = ecoflow_indicator(usable, system)
    eco = eco[eco["year"] == year]
    if not eco.empty:
        eco = eco.assign(river=eco["station_id"].map(rivers), value=np.nan, basis=eco["station_id"])
        parts.append(_indicator_rows(eco, "ecoflow", "flow", year))
    if pre is not None and "flow_alteration" in system.indicators:
        fd = flow_alteration_indicator(usable, pre, system)
        fd = fd[fd["year"] == year]
        if not fd.empty:
            fd = fd.assign(river=fd["station_id"].map(rivers), value=fd["fd"], basis=fd["station_id"])
            parts.append(_indicator_rows(fd, "flow_alteration", "flow", year))
    return parts


def _quality_indicators(wq: WaterQualityAssessment, system: HealthSystem) -> list[pd.DataFrame]:
    parts = []
    s = wq.sections
    rivers = s[(s["water_body"] == "river") & (s["class"].fillna(0) > 0)]
    if not rivers.empty and "water_quality" in system.indicators:
        # each section scored by its class (the system's class scores), then averaged per river
        scored = score_indicators(
            pd.DataFrame({"river": rivers["section_id"], "indicator": "water_quality", "value": rivers["class"].astype(float)}),
            system,
        )
        sections = pd.DataFrame({
            "river": rivers["river"].to_numpy(),
            "value": np.nan,
            "score": scored["score"].to_numpy(),
            "basis": (rivers["section_id"] + " " + rivers["class_label"]).to_numpy(),
        })
        parts.append(_indicator_rows(sections, "water_quality", "water_quality", wq.year))
    t = wq.trophic
    if not t.empty and "trophic_state" in system.indicators:
        lakes = pd.DataFrame({"river": t["river"], "value": t["tli"], "score": np.nan, "basis": t["section_id"]})
        parts.append(_indicator_rows(lakes, "trophic_state", "trophic", wq.year))
    return parts


def _scorable(spec: dict, value: float) -> bool:
    """A survey value the indicator can score: any value on a curve, a class 1..n, else a score 0-100."""
    if "curve" in spec:
        return True
    if "class_scores" in spec:
        return value == int(value) and 1 <= value <= len(spec["class_scores"])
    return 0 <= value <= 100


def _survey(engine: Engine, year: int, system: HealthSystem) -> tuple[pd.DataFrame, list[Note]]:
    """The latest survey value of each river and indicator in ``year`` or before."""
    with engine.connect() as conn:
        rows = store.read(conn, "health_survey", where={"year": slice(None, year + 1)})
    notes: list[Note] = []
    if rows.empty:
        return rows, notes
    rows = rows.sort_values("year").drop_duplicates(["river", "indicator"], keep="last")
    unknown = ~rows["indicator"].isin(list(system.indicators))
    if unknown.any():
        codes = ", ".join(sorted(set(rows.loc[unknown, "indicator"])))
        notes.append((f"健康调查中这些指标不属于「{system.name}」，未计入：{codes}。",
                      f"Survey indicators not in the system {system.name!r}, left out: {codes}."))
        rows = rows[~unknown]
    bad = ~pd.Series([_scorable(system.indicators[c].spec, v) for c, v in zip(rows["indicator"], rows["value"])], index=rows.index)
    if bad.any():
        where = ", ".join(f"{r} {i}={v:g} ({y})" for r, i, v, y in rows.loc[bad, ["river", "indicator", "value", "year"]].itertuples(index=False))
        notes.append((f"这些调查值超出可赋分的范围（水质类别编号，或 0–100 的赋分），未计入：{where}。",
                      f"Survey values out of range (a water-quality class number, or a score of 0-100), left out: {where}."))
        rows = rows[~bad]
    out = pd.DataFrame({
        "river": rows["river"], "indicator": rows["indicator"], "value": rows["value"], "score": np.nan,
        "source": "survey", "year": rows["year"].astype(int), "basis": "health_survey " + rows["year"].astype(str),
    })
    return out.reset_index(drop=True), notes


def _health(
    parts: list[pd.DataFrame], survey: pd.DataFrame, system: HealthSystem
) -> tuple[pd.DataFrame, pd.DataFrame]:
    given = [p for p in [*parts, survey] if not p.empty]
    if not given:
        return pd.DataFrame(), pd.DataFrame(columns=HEALTH_INDICATOR_COLUMNS)
    rows = pd.concat(given, ignore_index=True)
    # a survey value replaces a computed one for the same river and indicator
    rows = rows.assign(from_survey=rows["source"] == "survey").sort_values("from_survey", kind="stable")
    rows = rows.drop_duplicates(["river", "indicator"], keep="last").drop(columns="from_survey")
    rows = rows.sort_values(["river", "indicator"]).reset_index(drop=True)
    scored = score_indicators(rows, system)
    scored["indicator_zh"] = scored["indicator"].map(lambda c: system.indicators[c].zh)
    scored["indicator_en"] = scored["indicator"].map(lambda c: system.indicators[c].en)
    health = river_health(rows[["river", "indicator", "value", "score"]], system)
    health["weakest_layer_en"] = health["weakest_layer"].map(lambda c: system.layers[c]["en"])
    codes = health["missing_required"].str.split(";")
    health["missing_required_zh"] = codes.map(lambda cs: "、".join(system.indicators[c].zh for c in cs if c))
    health["missing_required_en"] = codes.map(lambda cs: "; ".join(system.indicators[c].en for c in cs if c))
    health["provisional"] = health["missing_required"] != ""
    health["n_indicators"] = health["river"].map(rows.groupby("river").size())
    return health, scored[HEALTH_INDICATOR_COLUMNS]


# --- services -----------------------------------------------------------------------------


def _check_options(method: str, water_year_start: int) -> None:
    if method not in METHODS:
        raise EcologyOptionError(
            f"未知的生态流量方法 {method!r}，可选：{', '.join(METHODS)} / unknown eco-flow method {method!r}; one of {', '.join(METHODS)}"
        )
    if not 1 <= int(water_year_start) <= 12:
        raise EcologyOptionError(f"水文年起始月须为 1-12，而非 {water_year_start} / the water year starts in a month 1-12, not {water_year_start}")


def assess_ecology(
    engine: Engine,
    year: int,
    *,
    method: str = DEFAULT_METHOD,
    water_year_start: int = 1,
    pre: tuple[int, int] | None = None,
    post: tuple[int, int] | None = None,
    fill_gaps: int = FILL_GAPS_DAYS,
    water_quality: WaterQualityAssessment | None = None,
    health_system: str = "river_health_2020",
    rating: str | None = None,
    guarantee: float | None = None,
    exclude_months: tuple[int, ...] = (),
) -> EcologyAssessment:
    """Assess the water ecology of a workspace for ``year`` (see the module notes for the methods).

    Parameters
    ----------
    engine : the workspace database.
    year : calendar year of the compliance tables and of the river health.
    method : target method for compliance (:data:`qingliu.assess.ecoflow.METHODS`), default
        ``qp`` (SL/T 712-2021).
    water_year_start : first month of the water year of the targets and IHA (1 = calendar years,
        as the Chinese hydrological yearbooks; 10 = IHA's northern-hemisphere convention).
    pre, post : RVA periods (first, last water year); both or neither (defaults, see the module).
    fill_gaps : longest gap (days) interpolated for targets, IHA and health.
    water_quality : the water-environment assessment of ``year``, for 水质优劣程度 and trophic state.
    health_system : ``river_health_2020`` (河湖健康评价指南 2020) or ``sl_t_793_2020``.
    rating, guarantee, exclude_months : passed to :func:`qingliu.assess.ecoflow.ecoflow_targets`.

    Raises
    ------
    EcologyOptionError
        An unknown method or system, a reversed period, only one of ``pre`` and ``post``.
    """
    _check_options(method, water_year_start)
    pre, post = _check_period("pre", pre), _check_period("post", post)
    if (pre is None) != (post is None):
        raise EcologyOptionError("RVA 需要同时给出 pre 与 post 时段 / the RVA needs both the pre and the post period")
    try:
        system = load_system(health_system)
    except ValueError as exc:
        raise EcologyOptionError(str(exc)) from exc
    stations, daily = _read_flows(engine)
    notes: list[Note] = []
    targets = compliance_yearly = compliance_monthly = status = annual = table = alteration = pd.DataFrame()
    parts: list[pd.DataFrame] = []
    if daily is None or not len(_whole_years(daily.dates, water_year_start)):
        notes.append(("工作空间没有一个完整水文年的日流量：生态流量与水文情势从略。",
                      "The workspace has no whole water year of daily flows: no eco-flow targets or hydrologic alteration."))
    else:
        options = {"rating": rating, "guarantee": guarantee, "exclude_months": tuple(exclude_months)}
        usable, targets, compliance, gap_notes = _flow_results(daily, method, water_year_start, fill_gaps, options)
        annual, table, alteration, pre, post, rva_notes = _hydrologic_alteration(usable, stations, water_year_start, pre, post)
        notes += gap_notes + rva_notes
        targets = _named(targets, stations)
        compliance_yearly = _named(compliance.yearly, stations)
        compliance_monthly = _named(compliance.monthly, stations)
        status = _named(compliance.status, stations)
        if year in _whole_years(usable.dates, 1):
            parts += _flow_indicators(usable, stations, year, pre, system)
        if year not in set(compliance_yearly["year"]):
            notes.append((f"{year} 年没有日流量数据，未评价生态流量达标情况。", f"No daily flows in {year}: eco-flow compliance not assessed."))
    if water_quality is not None:
        parts += _quality_indicators(water_quality, system)
    survey, survey_notes = _survey(engine, year, system)
    notes += survey_notes
    health, indicators = _health(parts, survey, system)
    if health.empty:
        notes.append(("没有可用于河湖健康评价的数据。", "No data for the river-health assessment."))
    return EcologyAssessment(
        year, method, water_year_start, fill_gaps, pre, post, health_system, targets, compliance_yearly,
        compliance_monthly, status, _city(compliance_yearly), annual, table, alteration, health, indicators, tuple(notes),
    )  # fmt: skip


def city_figure(city: pd.DataFrame, year: int) -> CityEcoflowCompliance:
    """The dashboard figure of ``year`` (and the year before) from a :attr:`EcologyAssessment.city` table."""
    by_year = city.set_index("year")

    def share(y: int) -> float | None:
        return float(100 * by_year.at[y, "share"]) if y in by_year.index and by_year.at[y, "n_days"] > 0 else None

    this = by_year.loc[year] if year in by_year.index else None
    return CityEcoflowCompliance(
        year=year,
        value_pct=share(year),
        previous_pct=share(year - 1),
        n_stations=0 if this is None else int(this["n_stations"]),
        station_days=0 if this is None else int(this["n_days"]),
    )


def city_ecoflow_compliance(
    engine: Engine,
    year: int,
    *,
    method: str = DEFAULT_METHOD,
    water_year_start: int = 1,
    fill_gaps: int = FILL_GAPS_DAYS,
) -> CityEcoflowCompliance:
    """Share of the city's station-days meeting the eco-flow target in ``year``, and the year before.

    The targets and compliance of :func:`assess_ecology` (same options), without IHA and health.
    """
    _check_options(method, water_year_start)
    _, daily = _read_flows(engine)
    if daily is None or not len(_whole_years(daily.dates, water_year_start)):
        return CityEcoflowCompliance(year, None, None, 0, 0)
    options = {"rating": None, "guarantee": None, "exclude_months": ()}
    _, _, compliance, _ = _flow_results(daily, method, water_year_start, fill_gaps, options)
    return city_figure(_city(compliance.yearly), year)


def latest_flow_year(engine: Engine) -> int | None:
    """The latest calendar year with a daily flow."""
    with engine.connect() as conn:
        last = summaries.max_value(conn, "flow_daily", "date")
    return None if last is None else last.year


__all__ = [
    "COMPARED_METHODS",
    "DEFAULT_METHOD",
    "FILL_GAPS_DAYS",
    "RVA_PERIOD_YEARS",
    "CityEcoflowCompliance",
    "EcologyAssessment",
    "EcologyOptionError",
    "assess_ecology",
    "city_ecoflow_compliance",
    "city_figure",
    "default_periods",
    "latest_flow_year",
    "usable_record",
]
