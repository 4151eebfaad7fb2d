"""Ecological-flow targets (生态流量目标) of stations or control sections, by named methods.

Methods of SL/T 712-2021 河湖生态环境需水计算规范 (and its predecessor SL/Z 712-2014), with
their numbers in ``standards/ecoflow.toml``. Every method works on daily flows (m3/s) laid
out by :mod:`qingliu.assess.daily` (complete water years only, no silent gap filling) and
gives a target for each calendar month (the same value in every month for the single-value
methods); targets are never negative.

* ``tennant`` — Tennant (1976): a percentage of the mean annual flow (MAF = mean of the annual
  mean flows), by rating, different in the two season groups (一般用水期 10-3月, 鱼类产卵育幼期
  4-9月).
* ``qp`` — the driest month's mean flow of each year (最枯月平均流量), fitted by Pearson III
  (moments of SL 44-2006, :mod:`qingliu.assess.frequency`), read at guarantee probability P
  (90 % or 95 %, exceedance); a negative quantile (possible with a strongly skewed fit) is
  set to 0. SL/T 712 asks for at least 30 years: fewer are flagged in ``note``.
* ``recent_driest_month`` — 近10年最枯月平均流量: the lowest monthly mean flow of the last 10
  analysed years.
* ``7q10``, ``30q10`` — the annual minimum 7-day (30-day) mean flow of each water year with a
  10-year return period (non-exceedance 1/10): log-Pearson III by moments of log10 values (US
  EPA DFLOW, Riggs 1972), with years of zero minimum entering by the conditional probability
  adjustment (Haan 1977): with a share p0 of zero years the quantile is 0 when 1/T ≤ p0 and
  otherwise the quantile of the non-zero years at (1/T − p0)/(1 − p0). ``distribution="p3"``
  fits Pearson III to the untransformed minima instead.
* ``q90``, ``q95`` — flow-duration percentiles: the daily flow equalled or exceeded on 90 % (95
  %) of days (Weibull percentile of all daily flows at 10 % / 5 %).
* ``monthly`` — monthly-varying targets: for each calendar month, the flow equalled or exceeded
  on 90 % of that month's days over all years.

Months listed in ``exclude_months`` (frozen or seasonally dry months) are left out: their days
do not enter the low-flow statistics (Qp, 近10年最枯月, 7Q10/30Q10, duration, monthly) and every
method's target for them is empty. Tennant keeps the mean annual flow of all days, as the
method defines it (a percentage of the mean annual flow).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from qingliu.assess.daily import (
    DailyFlows,
    WaterYears,
    center,
    monthly_slots,
    water_years,
    weibull_quantile,
)
from qingliu.assess.frequency import (
    p3_frequency_factor,
    p3_moments,
    p3_quantile,
    sample_moments,
)
from qingliu.standards import load_toml

METHODS = ("tennant", "qp", "recent_driest_month", "7q10", "30q10", "q90", "q95", "monthly")
METHOD_ZH = {
    "tennant": "Tennant法",
    "qp": "最枯月平均流量频率法(Qp)",
    "recent_driest_month": "近10年最枯月平均流量法",
    "7q10": "7Q10法",
    "30q10": "30Q10法",
    "q90": "流量历时曲线法(Q90)",
    "q95": "流量历时曲线法(Q95)",
    "monthly": "逐月流量历时法",
}
MONTH_COLUMNS = tuple(f"m{m:02d}" for m in range(1, 13))


def settings() -> dict:
    """The ecological-flow numbers (``standards/ecoflow.toml``)."""
    return load_toml("ecoflow")


def _excluded(wy: WaterYears, exclude_months: tuple[int, ...]) -> np.ndarray:
    """(S, Y, 366) flows with the days of excluded months set to NaN."""
    if not exclude_months:
        return wy.cube
    return np.where(np.isin(wy.month, exclude_months)[None, :, :], np.nan, wy.cube)


def mean_annual_flow(wy: WaterYears) -> np.ndarray:
    """MAF of each station: the mean of its annual mean flows over the analysed years (S,)."""
    annual = np.nanmean(np.where(wy.analysed[..., None], wy.cube, 0.0), axis=-1)
    return center(np.where(wy.analysed, annual, np.nan), "mean")


def tennant(maf: np.ndarray, rating: str | None = None) -> np.ndarray:
    """Tennant targets (S, 12) by calendar month: the rating's percent of MAF in each season."""
    spec = settings()
    ratings = spec["tennant"]["rating"]
    rating = rating or spec["tennant"]["default_rating"]
    if rating not in ratings:
        raise ValueError(
            f"未知的 Tennant 等级 {rating!r}，可选：{', '.join(ratings)} / unknown Tennant rating {rating!r}; one of {', '.join(ratings)}"
        )
    percent = np.zeros(12)
    for season, months in ((s, spec["season"][s]["months"]) for s in ("general", "spawning")):
        percent[np.array(months) - 1] = ratings[rating][season]
    return np.asarray(maf, dtype=float)[:, None] * percent[None, :] / 100


def monthly_means(wy: WaterYears, exclude_months: tuple[int, ...] = ()) -> np.ndarray:
    """Mean flow of each calendar month of each water year: (S, Y, 12) in water-year order."""
    return center(monthly_slots(wy, _excluded(wy, exclude_months)), "mean")


def driest_month(wy: WaterYears, exclude_months: tuple[int, ...] = ()) -> np.ndarray:
    """The lowest monthly mean flow of each water year (S, Y); NaN for years not analysed."""
    means = monthly_means(wy, exclude_months)
    low = np.min(np.where(np.isnan(means), np.inf, means), axis=-1)
    return np.where(np.isfinite(low) & wy.analysed, low, np.nan)


def qp(wy: WaterYears, guarantee: float | None = None, exclude_months: tuple[int, ...] = ()) -> tuple[np.ndarray, np.ndarray]:
    """Qp: Pearson III quantile of the driest-month flows at exceedance ``guarantee``.

    Returns the targets (S,) and the number of years used (S,).
    """
    guarantee = settings()["qp"]["default_guarantee"] if guarantee is None else guarantee
    if not 0 < guarantee < 1:
        raise ValueError(f"保证率须在 0 与 1 之间，而非 {guarantee} / guarantee must lie between 0 and 1, not {guarantee}")
    flows = driest_month(wy, exclude_months)
    mean, cv, cs = p3_moments(flows)
    value = p3_quantile(mean, cv, cs, guarantee)
    return np.maximum(np.asarray(value, dtype=float), 0.0), np.isfinite(flows).sum(axis=-1)


def recent_driest_month(wy: WaterYears, years: int | None = None, exclude_months: tuple[int, ...] = ()) -> np.ndarray:
    """The lowest monthly mean flow of each station's last ``years`` analysed water years (S,)."""
    years = settings()["recent_driest_month"]["years"] if years is None else years
    flows = driest_month(wy, exclude_months)
    from_end = np.cumsum(wy.analysed[:, ::-1], axis=1)[:, ::-1]  # 1 for the last analysed year
    recent = wy.analysed & (from_end <= years)
    low = np.min(np.where(recent & np.isfinite(flows), flows, np.inf), axis=-1)
    return np.where(np.isfinite(low), low, np.nan)


def annual_minimum_mean(wy: WaterYears, days: int, exclude_months: tuple[int, ...] = ()) -> np.ndarray:
    """Lowest ``days``-day moving mean of each water year (S, Y); windows with a gap are skipped."""
    cube = _excluded(wy, exclude_months)
    missing = np.isnan(cube)
    s, y, n = cube.shape
    total = np.zeros((s, y, n + 1))
    gaps = np.zeros((s, y, n + 1))
    np.cumsum(np.where(missing, 0.0, cube), axis=-1, out=total[..., 1:])
    np.cumsum(missing, axis=-1, out=gaps[..., 1:])
    mean = (total[..., days:] - total[..., :-days]) / days
    ok = (gaps[..., days:] - gaps[..., :-days]) == 0
    low = np.min(np.where(ok, mean, np.inf), axis=-1)
    return np.where(np.isfinite(low) & wy.analysed, low, np.nan)


def low_flow_quantile(minima: np.ndarray, return_period: float, distribution: str = "lp3") -> np.ndarray:
    """xQy: the annual-minimum flow with a ``return_period``-year recurrence (S,).

    ``minima`` (S, Y) holds the annual minima (NaN = no value). See the module notes for the
    log-Pearson III fit and the zero-year adjustment.
    """
    f = 1.0 / return_period  # non-exceedance probability of the design low flow
    minima = np.asarray(minima, dtype=float)
    if distribution == "p3":
        mean, cv, cs = p3_moments(minima)
        return np.maximum(np.asarray(p3_quantile(mean, cv, cs, 1 - f), dtype=float), 0.0)
    if distribution != "lp3":
        raise ValueError(f"distribution must be 'lp3' or 'p3', not {distribution!r}")
    known = np.isfinite(minima)
    zero = known & (minima <= 0)
    p0 = zero.sum(axis=-1) / np.where(known.any(axis=-1), known.sum(axis=-1), np.nan)
    logs = np.where(known & ~zero, np.log10(np.where(known & ~zero, minima, 1.0)), np.nan)
    mean, sd, cs = sample_moments(logs)
    with np.errstate(invalid="ignore", divide="ignore"):
        f_nonzero = np.clip((f - p0) / (1 - p0), 1e-12, 1 - 1e-12)
        value = 10 ** (mean + sd * p3_frequency_factor(cs, 1 - f_nonzero))
    return np.where(f <= p0, 0.0, value)


def duration_flow(wy: WaterYears, exceedance: float, exclude_months: tuple[int, ...] = ()) -> np.ndarray:
    """The daily flow equalled or exceeded on ``exceedance`` of the days (e.g. Q90) (S,)."""
    cube = _excluded(wy, exclude_months)
    return weibull_quantile(cube.reshape(cube.shape[0], -1), 1 - exceedance)


def monthly_duration(wy: WaterYears, exceedance: float | None = None, exclude_months: tuple[int, ...] = ()) -> np.ndarray:
    """For each calendar month, the flow equalled or exceeded on ``exceedance`` of its days (S, 12)."""
    exceedance = settings()["monthly"]["exceedance"] if exceedance is None else exceedance
    slots = monthly_slots(wy, _excluded(wy, exclude_months))  # (S, Y, 12, 31), water-year order
    by_month = np.moveaxis(slots, 2, 1).reshape(slots.shape[0], 12, -1)
    value = weibull_quantile(by_month, 1 - exceedance)
    return np.roll(value, wy.start_month - 1, axis=1)  # water-year order -> January first


def _check_months(exclude_months: tuple[int, ...]) -> tuple[int, ...]:
    bad = [m for m in exclude_months if not 1 <= int(m) <= 12]
    if bad:
        raise ValueError(f"排除月份须为 1-12：{bad} / excluded months must be 1-12: {bad}")
    return tuple(int(m) for m in exclude_months)


def ecoflow_targets(
    daily: DailyFlows,
    methods: tuple[str, ...] = ("tennant",),
    *,
    start_month: int = 1,
    rating: str | None = None,
    guarantee: float | None = None,
    exclude_months: tuple[int, ...] = (),
    recent_years: int | None = None,
    distribution: str | None = None,
) -> pd.DataFrame:
    """Ecological-flow targets of every station by each method.

    Parameters
    ----------
    daily : DailyFlows
        Daily flows in m3/s, gap-free inside each record.
    methods : names from :data:`METHODS`.
    start_month : first month of the year used for annual values (MAF, driest months, annual
        minima); 1 = calendar years.
    rating : Tennant rating (default ``tennant.default_rating``: "poor", 10 % MAF).
    guarantee : Qp guarantee (exceedance) probability (default 0.90).
    exclude_months : frozen or seasonally dry months left out.
    recent_years : years of ``recent_driest_month`` (default 10).
    distribution : "lp3" (default) or "p3" for 7Q10 and 30Q10.

    Returns
    -------
    DataFrame
        One row per station and method: ``station_id``, ``method``, ``method_zh``, ``target_m3s``
        (the lowest monthly target: the base flow to keep all year), ``m01`` … ``m12`` (target
        of each calendar month, m3/s), ``n_years`` (years behind the value) and ``note``.
    """
    exclude_months = _check_months(exclude_months)
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        raise ValueError(f"未知方法 {unknown}，可选：{', '.join(METHODS)} / unknown method(s) {unknown}; one of {', '.join(METHODS)}")
    spec = settings()
    wy = water_years(daily, start_month)
    n_years = wy.analysed.sum(axis=1)
    rows = []
    for method in methods:
        note = np.full(len(wy.stations), "", dtype=object)
        used = n_years
        if method == "tennant":
            monthly = tennant(mean_annual_flow(wy), rating)
            note[:] = f"rating={rating or spec['tennant']['default_rating']}"
        elif method == "qp":
            value, used = qp(wy, guarantee, exclude_months)
            monthly = np.repeat(value[:, None], 12, axis=1)
            g = spec["qp"]["default_guarantee"] if guarantee is None else guarantee
            note[:] = f"P={g:.0%}"
            note[used < spec["qp"]["min_years"]] = f"P={g:.0%}; 不足{spec['qp']['min_years']}年 / fewer than {spec['qp']['min_years']} years"
        elif method == "recent_driest_month":
            value = recent_driest_month(wy, recent_years, exclude_months)
            monthly = np.repeat(value[:, None], 12, axis=1)
            used = np.minimum(n_years, spec["recent_driest_month"]["years"] if recent_years is None else recent_years)
        elif method in ("7q10", "30q10"):
            days = int(method.split("q")[0])
            dist = distribution or spec["low_flow"]["distribution"]
            value = low_flow_quantile(annual_minimum_mean(wy, days, exclude_months), spec["low_flow"]["return_period"], dist)
            monthly = np.repeat(value[:, None], 12, axis=1)
            note[:] = f"distribution={dist}"
        elif method in ("q90", "q95"):
            value = duration_flow(wy, int(method[1:]) / 100, exclude_months)
            monthly = np.repeat(value[:, None], 12, axis=1)
        else:
            monthly = monthly_duration(wy, None, exclude_months)
        monthly = np.maximum(monthly, 0.0)
        empty = np.isnan(monthly).all(axis=1)
        note[empty] = [f"{n}; 数据不足，无法计算 / too few years to compute".lstrip("; ") for n in note[empty]]
        if exclude_months:
            monthly[:, np.array(exclude_months) - 1] = np.nan
        frame = pd.DataFrame(monthly, columns=list(MONTH_COLUMNS))
        with np.errstate(invalid="ignore"):
            lowest = np.min(np.where(np.isnan(monthly), np.inf, monthly), axis=1)
        frame.insert(0, "target_m3s", np.where(np.isfinite(lowest), lowest, np.nan))
        frame.insert(0, "method_zh", METHOD_ZH[method])
        frame.insert(0, "method", method)
        frame.insert(0, "station_id", wy.stations)
        frame["n_years"] = used
        frame["note"] = note
        rows.append(frame)
    return pd.concat(rows, ignore_index=True)
