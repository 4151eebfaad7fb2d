"""Trend tests of water-quality and flow series: Mann-Kendall, seasonal Kendall, Sen's slope.

Batched over series (one row per series), missing values (NaN) dropped per series, and equal
to pymannkendall 1.4.3 (Hussain and Mahmud 2019) on the same input:

* :func:`mann_kendall` — ``method="original"`` (Mann 1945, Kendall 1975, Gilbert 1987
  section 16.4), ``"hamed_rao"`` (Hamed and Rao 1998: variance corrected for the
  autocorrelation of the ranks of the detrended series, lags significant at alpha) and
  ``"yue_wang"`` (Yue and Wang 2004: effective sample size from the autocorrelation of the
  detrended series); pymannkendall's original_test, hamed_rao_modification_test and
  yue_wang_modification_test.
* :func:`seasonal_kendall` — the seasonal Kendall test (Hirsch, Slack and Smith 1982) and,
  with ``correlated=True``, its form for seasons correlated with each other (Hipel and McLeod
  1994, Libiseller and Grimvall 2002); pymannkendall's seasonal_test and
  correlated_seasonal_test. (Pre-whitening variants are not implemented.)
* Sen's slope per time step and intercept exactly as pymannkendall (Theil 1950, Sen 1968,
  intercept of Conover 1980); with ``times`` also the slope per year from the actual times
  and its confidence limits (Gilbert 1987, section 16.5.1).

Deliberate differences from pymannkendall: series with fewer than three comparable pairs
(n < 3) get z, p = NaN and "no trend" (pymannkendall returns z = 0 for n = 2 and fails for
n < 2); and with ``times`` the pairs are ordered by time, pairs sharing a time are not
compared, var(S) includes Kendall's correction for tied times and a value whose time is
missing (NaT) is missing (with distinct increasing times this is pymannkendall's S and var(S)).

S is computed in O(n log n) (:mod:`qingliu.assess.kendall`) and the slopes by exact selection
without building the n² pairs for long series (:mod:`qingliu.assess.theil_sen`).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, fields

import numpy as np
import pandas as pd
from scipy.stats import norm

from qingliu.assess.kendall import KendallScore, average_ranks, kendall_score
from qingliu.assess.spearman import spearman_trend
from qingliu.assess.theil_sen import decimal_years, theil_sen

METHODS = ("original", "hamed_rao", "yue_wang")
TREND_LABELS_ZH = {"increasing": "上升", "decreasing": "下降", "no trend": "无明显趋势"}
"""Chinese labels of the trend codes, for reports and the command line."""

_CHUNK = 1 << 22  # elements of the sign arrays held at once by the correlated seasonal test


@dataclass(frozen=True)
class MKSeries:
    """Trend test of one series (the fields of :class:`MKResult`, as scalars)."""

    trend: str
    h: bool
    p: float
    z: float
    tau: float
    s: int
    var_s: float
    slope: float
    intercept: float
    n: int
    slope_per_year: float
    slope_per_year_lower: float
    slope_per_year_upper: float


@dataclass(frozen=True)
class MKResult:
    """Trend tests of m series, one array element per series.

    Attributes
    ----------
    method : test name ("original", "hamed_rao", "yue_wang", "seasonal", "correlated_seasonal").
    alpha : two-sided significance level.
    n : number of values used.
    s : Kendall's S.
    var_s : variance of S (corrected for autocorrelation by the modified tests).
    z, p : normal score (continuity-corrected except in the correlated seasonal test) and
        two-sided p-value; NaN when too short to test.
    h : True when p < alpha (|z| > z(1 - alpha/2)).
    tau : Kendall's tau, S over the number of pairs.
    trend : "increasing", "decreasing" or "no trend".
    slope, intercept : Sen's slope per time step (per cycle for seasonal tests) and the
        intercept at step 0, as pymannkendall.
    slope_per_year, slope_per_year_lower, slope_per_year_upper : Sen's slope per year from
        the actual times and its 1 - alpha confidence limits (NaN without times).
    """

    method: str
    alpha: float
    n: np.ndarray
    s: np.ndarray
    var_s: np.ndarray
    z: np.ndarray
    p: np.ndarray
    h: np.ndarray
    tau: np.ndarray
    trend: np.ndarray
    slope: np.ndarray
    intercept: np.ndarray
    slope_per_year: np.ndarray
    slope_per_year_lower: np.ndarray
    slope_per_year_upper: np.ndarray

    def __len__(self) -> int:
        return len(self.n)

    def series(self, i: int = 0) -> MKSeries:
        """The result of series ``i`` as scalars."""
        row = {f.name: getattr(self, f.name)[i] for f in fields(MKSeries)}
        return MKSeries(**{k: v.item() if isinstance(v, np.generic) else v for k, v in row.items()})

    def to_frame(self, series_id=None) -> pd.DataFrame:
        """Return one row per series.

        Columns: series_id, n, s, var_s, z, p, tau, slope, intercept, slope_per_year, trend,
        then h and the confidence limits of slope_per_year.
        """
        ids = np.arange(len(self)) if series_id is None else list(series_id)
        columns = ["n", "s", "var_s", "z", "p", "tau", "slope", "intercept", "slope_per_year", "trend", "h",
                   "slope_per_year_lower", "slope_per_year_upper"]  # fmt: skip
        return pd.DataFrame({"series_id": ids, **{c: getattr(self, c) for c in columns}})


def mann_kendall(
    values,
    times=None,
    *,
    alpha: float = 0.05,
    method: str = "original",
    lag: int | None = None,
) -> MKResult:
    """Mann-Kendall trend test and Sen's slope of each row.

    Parameters
    ----------
    values : array (m, n) of m series (or (n,) for one); NaN = missing, dropped per series.
    times : None, or times (n,) shared by the rows or (m, n): datetime64 or numbers in years.
        Without times the samples are taken in column order and no slope per year is given.
    alpha : two-sided significance level (also of the slope's confidence limits).
    method : "original", "hamed_rao" or "yue_wang" (see the module docstring).
    lag : modified tests only: number of autocorrelation lags used (None: all, n - 1).

    Returns
    -------
    MKResult.
    """
    if method not in METHODS:
        raise ValueError(f"未知的检验方法 {method!r}（可选：{METHODS}）/ unknown method {method!r} (known: {METHODS})")
    y = _matrix(values)
    years = None if times is None else _times(times, y.shape)
    if years is not None:  # a value without its time is missing
        y = np.where(np.isfinite(np.broadcast_to(years, y.shape)), y, np.nan)
    score = kendall_score(y, years)
    slope = theil_sen(y[:, None, :])[0]
    var_s = score.var_s
    if method != "original":
        var_s = var_s * _autocorrelation_factor(y, slope, method, alpha, lag)
    pairs = score.n * (score.n - 1) / 2 - score.time_ties  # pairs at the same time are not compared
    z = _z(score.s, var_s, pairs, continuity=True)
    return _result(method, alpha, score, var_s, z, pairs, slope, _intercept(y, slope, 1), y[:, None, :], years)


def seasonal_kendall(
    values,
    period: int = 12,
    *,
    times=None,
    alpha: float = 0.05,
    correlated: bool = False,
) -> MKResult:
    """Seasonal Kendall trend test and seasonal Sen's slope of each row.

    Each row is cut into cycles of ``period`` samples (12 for monthly data; the last cycle
    padded with NaN); S and var(S) are summed over the seasons, and the slope is the median of
    the slopes within seasons, per cycle. ``correlated=True`` uses only complete cycles and
    the covariance of the seasons' S (pymannkendall's correlated_seasonal_test: no continuity
    correction).

    Parameters
    ----------
    values : array (m, n) or (n,), in time order with a regular step; NaN = missing.
    period : samples per cycle.
    times : as :func:`mann_kendall`; used for the slope per year only.
    alpha : two-sided significance level.
    correlated : account for the correlation between seasons.

    Returns
    -------
    MKResult (slope and intercept per cycle).
    """
    y = _matrix(values)
    m, n = y.shape
    if times is not None:  # a value without its time is missing
        y = np.where(np.isfinite(np.broadcast_to(_times(times, y.shape), y.shape)), y, np.nan)
    cycles = -(-n // period)
    padded = np.full((m, cycles * period), np.nan)
    padded[:, :n] = y
    by_cycle = padded.reshape(m, cycles, period)
    seasons = by_cycle.transpose(0, 2, 1)
    if correlated:
        complete = np.isfinite(by_cycle).all(axis=2)
        score = kendall_score(np.where(complete[:, None, :], seasons, np.nan).reshape(m * period, cycles))
        var_s = _correlated_variance(by_cycle, complete)
    else:
        score = kendall_score(seasons.reshape(m * period, cycles))
        var_s = score.var_s.reshape(m, period).sum(axis=1)
    n_season = score.n.reshape(m, period)
    s = score.s.reshape(m, period).sum(axis=1)
    pairs = (n_season * (n_season - 1) / 2).sum(axis=1)
    z = _z(s, var_s, pairs, continuity=not correlated)
    total = KendallScore(n=np.isfinite(y).sum(axis=1), s=s, var_s=var_s, time_ties=np.zeros(m))
    slope = theil_sen(seasons)[0]
    years = None
    if times is not None:
        years = np.full((m, cycles * period), np.nan)
        years[:, :n] = _times(times, y.shape)
        years = years.reshape(m, cycles, period).transpose(0, 2, 1)
    method = "correlated_seasonal" if correlated else "seasonal"
    return _result(method, alpha, total, var_s, z, pairs, slope, _intercept(padded, slope, period), seasons, years)


def mann_kendall_1d(values, times=None, **options) -> MKSeries:
    """:func:`mann_kendall` of one series, as scalars."""
    return mann_kendall(np.asarray(values, dtype=float).reshape(1, -1), times, **options).series(0)


def seasonal_kendall_1d(values, period: int = 12, **options) -> MKSeries:
    """:func:`seasonal_kendall` of one series, as scalars."""
    return seasonal_kendall(np.asarray(values, dtype=float).reshape(1, -1), period, **options).series(0)


def sens_slope(values) -> tuple[np.ndarray, np.ndarray]:
    """Sen's slope per step and its intercept for each row, as pymannkendall.sens_slope.

    All pairs of non-missing values at their positions in the row count (missing values
    leave gaps, they do not close them up).
    """
    y = _matrix(values)
    slope = theil_sen(y[:, None, :])[0]
    return slope, _intercept(y, slope, 1)


def trend_table(
    frame: pd.DataFrame,
    *,
    alpha: float = 0.05,
    method: str = "original",
    period: int | None = None,
    spearman_table: str | None = None,
    spearman_rule: str = "interpolate",
) -> pd.DataFrame:
    """Trend tests of every column of a wide frame: Mann-Kendall (or seasonal) and Spearman.

    Parameters
    ----------
    frame : rows in time order, index the times (DatetimeIndex, or numbers in years; a
        RangeIndex means no times), one column per series (the column label is its id).
    alpha, method : as :func:`mann_kendall`.
    period : if given, the seasonal Kendall test with this many rows per cycle instead.
    spearman_table, spearman_rule : Wp table and rule of the 环办〔2011〕22号 Spearman test
        (:func:`qingliu.assess.spearman.spearman_trend`). That test is meant for one value
        per period (e.g. annual means): pass such a frame for an official result.

    Returns
    -------
    DataFrame with the columns of :meth:`MKResult.to_frame` and rs, wp, significant,
    direction (the Spearman result).
    """
    values = frame.to_numpy(dtype=float).T
    index = frame.index
    if isinstance(index, pd.DatetimeIndex):
        times = index.to_numpy()
    elif isinstance(index, pd.RangeIndex) or not pd.api.types.is_numeric_dtype(index):
        times = None
    else:
        times = index.to_numpy(dtype=float)
    if period is None:
        mk = mann_kendall(values, times, alpha=alpha, method=method)
    else:
        mk = seasonal_kendall(values, period, times=times, alpha=alpha)
    sp = spearman_trend(values, times, table=spearman_table, rule=spearman_rule)
    table = mk.to_frame(frame.columns)
    table["rs"], table["wp"], table["significant"], table["direction"] = sp.rs, sp.wp, sp.significant, sp.direction
    return table


def _matrix(values) -> np.ndarray:
    y = np.asarray(values, dtype=float)
    if y.ndim == 1:
        return y.reshape(1, -1)
    if y.ndim != 2:
        raise ValueError(f"数据应为一维或二维数组，而不是 {y.ndim} 维 / values must be 1-D or 2-D, not {y.ndim}-D")
    return y


def _times(times, shape: tuple[int, int]) -> np.ndarray:
    years = decimal_years(times)
    if years.shape not in ((shape[1],), shape):
        raise ValueError(
            f"时间的形状 {years.shape} 与数据 {shape} 不符 / times of shape {years.shape} do not match values {shape}"
        )
    return years


def _z(s: np.ndarray, var_s: np.ndarray, pairs: np.ndarray, *, continuity: bool) -> np.ndarray:
    """Normal score of S; NaN below 3 comparable pairs.

    With the continuity correction (Gilbert 1987, section 16.4): (S -/+ 1)/sqrt(var S), and 0
    for S = 0; without it S/sqrt(var S).
    """
    s = s.astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        if continuity:
            z = np.where(s == 0, 0.0, (s - np.sign(s)) / np.sqrt(var_s))
        else:
            z = s / np.sqrt(var_s)
    return np.where(pairs >= 3, z, np.nan)


def _result(method, alpha, score, var_s, z, pairs, slope, intercept, slope_values, years) -> MKResult:
    p = 2 * norm.sf(np.abs(z))
    with np.errstate(invalid="ignore"):
        h = np.abs(z) > norm.ppf(1 - alpha / 2)
        tau = np.where(pairs > 0, score.s / np.where(pairs > 0, pairs, 1), np.nan)
    trend = np.where(h, np.where(z > 0, "increasing", "decreasing"), "no trend").astype(object)
    nan = np.full(len(score.n), np.nan)
    per_year = (nan, nan, nan)
    if years is not None:
        t = years if years.ndim == 3 else years.reshape(-1, 1, years.shape[-1])
        per_year = theil_sen(slope_values, t, var_s=var_s, alpha=alpha)
    return MKResult(
        method=method, alpha=alpha, n=score.n, s=score.s, var_s=var_s, z=z, p=p, h=h, tau=tau, trend=trend,
        slope=slope, intercept=intercept, slope_per_year=per_year[0], slope_per_year_lower=per_year[1],
        slope_per_year_upper=per_year[2],
    )  # fmt: skip


def _intercept(y: np.ndarray, slope: np.ndarray, period: int) -> np.ndarray:
    """Conover (1980) intercept as pymannkendall: median(y) - median(positions of y)/period·slope."""
    valid = np.isfinite(y)
    n = valid.sum(axis=1)
    seen = np.cumsum(valid, axis=1)
    lower = np.argmax(seen > ((n - 1) // 2)[:, None], axis=1)
    upper = np.argmax(seen > (n // 2)[:, None], axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-missing rows: NaN
        median_y = np.nanmedian(np.where(valid, y, np.nan), axis=1)
    position = (lower + upper) / 2
    return np.where(n > 0, median_y - position / period * slope, np.nan)


def _autocorrelation_factor(y, slope, method, alpha, lag) -> np.ndarray:
    """n/n* of Hamed and Rao (1998) or Yue and Wang (2004), as pymannkendall computes it.

    The series (missing values closed up, as pymannkendall does) is detrended with Sen's slope
    per step, x_i - i·slope (i = 1..n); Hamed-Rao uses the ranks of that series. Its
    autocorrelation r_k (biased estimator, via FFT) for lags k = 1..lag gives
    Hamed-Rao: 1 + 2/[n(n-1)(n-2)] Σ (n-k)(n-k-1)(n-k-2) r_k over lags with r_k outside
    ±z(1-alpha/2)/sqrt(n); Yue-Wang: 1 + 2 Σ (1 - k/n) r_k.
    """
    order = np.argsort(~np.isfinite(y), axis=1, kind="stable")
    x = np.take_along_axis(y, order, axis=1)
    n = np.isfinite(y).sum(axis=1)
    length = y.shape[1]
    inside = np.arange(length) < n[:, None]
    detrended = np.where(inside, x - np.arange(1, length + 1) * slope[:, None], np.nan)
    series = average_ranks(detrended) if method == "hamed_rao" else detrended
    nf = n.astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        centred = np.where(inside, series - (np.nansum(series, axis=1) / nf)[:, None], 0.0)
        size = 1 << (2 * length - 1).bit_length()
        spectrum = np.fft.rfft(centred, size, axis=1)
        acov = np.fft.irfft(spectrum.real**2 + spectrum.imag**2, size, axis=1)[:, :length] / nf[:, None]
        acf = acov / acov[:, :1]
    k = np.arange(length)
    last = n - 1 if lag is None else np.minimum(lag, n - 1)
    used = (k >= 1) & (k <= last[:, None])
    if method == "hamed_rao":
        bound = (norm.ppf(1 - alpha / 2) / np.sqrt(nf))[:, None]
        outside = ~((acf <= bound) & (acf >= -bound))
        weight = (nf[:, None] - k) * (nf[:, None] - k - 1) * (nf[:, None] - k - 2)
        total = np.where(used & outside, weight * acf, 0.0).sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            return 1 + 2 / (nf * (nf - 1) * (nf - 2)) * total
    total = np.where(used, (1 - k / nf[:, None]) * acf, 0.0).sum(axis=1)
    return 1 + 2 * total


def _correlated_variance(by_cycle: np.ndarray, complete: np.ndarray) -> np.ndarray:
    """var(S) of the seasonal test with correlated seasons.

    It is the sum of the covariance matrix Γ of the seasons' S,
    Γ_ij = [K_ij + 4 Σ R_i R_j - n(n+1)²] / 3 (Libiseller and Grimvall 2002, as pymannkendall),
    K_ij = Σ_{a<b} sign(x_ib - x_ia)·sign(x_jb - x_ja), R = ranks, over the n complete cycles.
    """
    m, cycles, period = by_cycle.shape
    n = complete.sum(axis=1).astype(float)
    out = np.empty(m)
    rows = max(1, _CHUNK // max(1, cycles * cycles * period))
    for start in range(0, m, rows):
        x = np.where(complete[start : start + rows, :, None], by_cycle[start : start + rows], 0.0)
        ok = complete[start : start + rows]
        both = ok[:, :, None, None] & ok[:, None, :, None]
        sign = np.where(both, np.sign(x[:, None, :, :] - x[:, :, None, :]), 0.0)  # [a, b] = sign(x_b - x_a)
        flat = sign.reshape(len(x), cycles * cycles, period)
        k = 0.5 * (flat.transpose(0, 2, 1) @ flat)
        nn = n[start : start + rows, None, None]
        ranks = np.where(ok[:, :, None], (nn + 1 + sign.sum(axis=1)) / 2, 0.0)
        gamma = (k + 4 * (ranks.transpose(0, 2, 1) @ ranks) - nn * (nn + 1) ** 2) / 3
        out[start : start + rows] = gamma.sum(axis=(1, 2))
    return out
