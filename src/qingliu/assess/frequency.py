"""Flood frequency analysis (水文频率分析) after SL 44-2006, batched over stations.

Pearson type III (皮尔逊 III 型) is the curve SL 44-2006 prescribes for design floods:
x_p = x̄·(1 + Cv·Φ_p(Cs)), with Φ_p the standardised P-III quantile (离均系数) at exceedance
probability p. The alternatives are GEV, Gumbel (EV1) and log-Pearson III (Bulletin 17C:
P-III on log10 values, its moments only; no expected-moments algorithm).

Parameters come from the sample's product moments (mean, standard deviation, skewness) or its
L-moments (Hosking 1990); both are vectorised over stations. Each distribution maps the three
sample statistics to its own parameters through ``scipy.stats``: where no closed form exists
(skewness or τ3 → shape) the map is inverted on a fine grid of the shape. Curve fitting
(适线), plotting positions with historical floods and confidence intervals are in
:mod:`qingliu.assess.frequency_fit`, :mod:`qingliu.assess.frequency_sample` and
:mod:`qingliu.assess.frequency_ci`.

Every estimator takes an array ``x`` of shape (..., n): one series per leading index, years
along the last axis. NaN marks a missing year and is left out of its series (n is then the
count of finite values); a series with fewer than 3 values gets NaN parameters.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import numpy as np
from scipy import special, stats

_MIN_YEARS = 3
"""Fewest values for which the sample skewness (divisor (n-1)(n-2)) is defined."""

DISTRIBUTIONS = ("p3", "lp3", "gev", "gumbel")
METHODS = ("moments", "lmoments")


def _scalar(a: np.ndarray) -> np.ndarray:
    """0-d arrays as numpy scalars, so that a single series gives plain numbers."""
    return np.asarray(a)[()]


def sample_moments(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean, standard deviation (n - 1) and bias-corrected skewness of each series.

    SL 44-2006, initial moment estimates: x̄ = Σx/n; S = sqrt(Σ(x - x̄)²/(n - 1));
    Cs = n·Σ(x - x̄)³ / [(n - 1)(n - 2)·S³]. The same statistics are Bulletin 17C's
    (mean, standard deviation and station skew of the log10 peaks).

    Parameters
    ----------
    x : array (..., n), years on the last axis; NaN ignored.

    Returns
    -------
    mean, sd, skew : arrays of shape (...). NaN below 3 values (mean and sd from 2 values).
    """
    x = np.asarray(x, dtype=float)
    finite = np.isfinite(x)
    n = finite.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.asarray(np.where(finite, x, 0.0).sum(axis=-1) / n)
        dev = np.where(finite, x - mean[..., None], 0.0)
        dev2 = dev * dev
        m2 = dev2.sum(axis=-1)
        m3 = (dev2 * dev).sum(axis=-1)
        sd = np.where(n >= 2, np.sqrt(m2 / (n - 1)), np.nan)
        skew = np.where(n >= _MIN_YEARS, n * m3 / ((n - 1) * (n - 2) * sd**3), np.nan)
    return _scalar(mean), _scalar(sd), _scalar(skew)


def p3_moments(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean, Cv and Cs of each series by the method of moments of SL 44-2006.

    SL 44-2006 (水利水电工程设计洪水计算规范), initial moment estimates:
    x̄ = Σx/n;  Cv = S/x̄ with S = sqrt(Σ(x - x̄)²/(n - 1));
    Cs = n·Σ(x - x̄)³ / [(n - 1)(n - 2)·x̄³·Cv³]  (the bias-corrected sample skewness).

    Parameters
    ----------
    x : array (..., n)
        Annual values (e.g. annual maximum peak flows, m3/s), years on the last axis. NaN
        values are ignored.

    Returns
    -------
    mean, cv, cs : float arrays of shape (...)
        NaN where a series has fewer than 3 values (mean and Cv are given from 2 values) or
        no spread (Cs undefined).
    """
    mean, sd, skew = sample_moments(x)
    with np.errstate(invalid="ignore", divide="ignore"):
        return mean, _scalar(sd / mean), skew


def p3_frequency_factor(cs: np.ndarray | float, p: np.ndarray | float) -> np.ndarray:
    """Φ_p(Cs), the standardised Pearson III quantile at exceedance probability p (离均系数).

    The variate with mean 0, standard deviation 1 and skewness Cs exceeded with probability
    p: Φ_p = F⁻¹(1 - p) of ``scipy.stats.pearson3(skew=Cs)`` (a normal quantile at Cs = 0).
    It is the Φ table of the hydrological manuals used with SL 44-2006, and the frequency
    factor K of Bulletin 17B/17C.

    Parameters
    ----------
    cs : float or array
        Coefficient of skewness.
    p : float or array
        Exceedance probability in (0, 1), e.g. 0.01 for the 100-year value. Broadcast
        against ``cs``.
    """
    return pearson3_ppf(1.0 - np.asarray(p, dtype=float), cs)


def pearson3_ppf(f: np.ndarray | float, skew: np.ndarray | float) -> np.ndarray:
    """Standardised P-III quantile at non-exceedance probability ``f`` (``scipy.stats.pearson3``)."""
    return stats.pearson3.ppf(np.asarray(f, dtype=float), np.asarray(skew, dtype=float))


def p3_quantile(
    mean: np.ndarray | float, cv: np.ndarray | float, cs: np.ndarray | float, p: np.ndarray | float
) -> np.ndarray:
    """Design value x_p = x̄·(1 + Cv·Φ_p(Cs)) of a Pearson III distribution.

    SL 44-2006: the design value at exceedance probability p (return period T = 1/p years).

    Parameters
    ----------
    mean, cv, cs : float or array
        Distribution parameters (e.g. from :func:`p3_moments`).
    p : float or array
        Exceedance probability in (0, 1). All arguments broadcast together: pass
        ``mean[:, None]`` and ``p[None, :]`` for a stations × probabilities table.

    Returns
    -------
    float array, in the units of ``mean``.
    """
    mean = np.asarray(mean, dtype=float)
    cv = np.asarray(cv, dtype=float)
    return mean * (1.0 + cv * p3_frequency_factor(cs, p))


def sample_lmoments(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Sample L-moments λ1, λ2 and L-moment ratios τ3, τ4 of each series (Hosking 1990).

    From the unbiased probability-weighted moments of the ascending order statistics
    x(1) <= ... <= x(n): b_r = n⁻¹ Σ_j [(j-1)...(j-r)] / [(n-1)...(n-r)] · x(j);
    λ1 = b0, λ2 = 2b1 - b0, λ3 = 6b2 - 6b1 + b0, λ4 = 20b3 - 30b2 + 12b1 - b0;
    τ3 = λ3/λ2, τ4 = λ4/λ2 (Hosking & Wallis 1997, eqs. 2.3-2.9).

    Parameters
    ----------
    x : array (..., n), years on the last axis; NaN ignored.

    Returns
    -------
    l1, l2, t3, t4 : arrays of shape (...); NaN below 4 values (τ4) or 3 values (τ3).
    """
    x = np.sort(np.asarray(x, dtype=float), axis=-1)  # NaN sort last
    n = np.isfinite(x).sum(axis=-1)[..., None].astype(float)
    j = np.arange(1, x.shape[-1] + 1, dtype=float)  # rank of each sorted position
    xs = np.where(np.isfinite(x), x, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        w1 = (j - 1) / (n - 1)
        w2 = w1 * (j - 2) / (n - 2)
        w3 = w2 * (j - 3) / (n - 3)
        b0, b1, b2, b3 = ((w * xs).sum(axis=-1) / n[..., 0] for w in (1.0, w1, w2, w3))
        l1 = b0
        l2 = 2 * b1 - b0
        t3 = np.where(n[..., 0] >= _MIN_YEARS, (6 * b2 - 6 * b1 + b0) / l2, np.nan)
        t4 = np.where(n[..., 0] >= _MIN_YEARS + 1, (20 * b3 - 30 * b2 + 12 * b1 - b0) / l2, np.nan)
        l2 = np.where(n[..., 0] >= 2, l2, np.nan)
    return _scalar(l1), _scalar(l2), _scalar(t3), _scalar(t4)


# --- shape of a distribution from a sample statistic, by inverting scipy on a grid ---------

_GRID_SIZE = 4001


@dataclass(frozen=True)
class _ShapeGrid:
    """A statistic (skewness or τ3) and scale/location factors tabulated against a shape."""

    statistic: np.ndarray  # increasing
    shape: np.ndarray
    sd_or_l2: np.ndarray  # σ or λ2 of the distribution with unit scale at this shape
    mean_or_l1: np.ndarray  # mean or λ1 of the distribution with unit scale, zero location


@cache
def _p3_tau3_grid() -> _ShapeGrid:
    """P-III with unit σ: τ3 and λ2 against skewness γ >= 0 (Hosking & Wallis 1997, A.9).

    Gamma with shape α = 4/γ² and scale γ/2 has τ3 = 6·I_{1/3}(α, 2α) - 3 and
    λ2 = π^{-1/2}·(γ/2)·Γ(α + 1/2)/Γ(α); at γ = 0 (normal) τ3 = 0 and λ2 = π^{-1/2}.
    """
    gamma = np.concatenate([[0.0], np.geomspace(1e-3, 40.0, _GRID_SIZE)])
    alpha = 4.0 / gamma[1:] ** 2
    tau3 = np.concatenate([[0.0], 6.0 * special.betainc(alpha, 2 * alpha, 1.0 / 3.0) - 3.0])
    l2 = np.concatenate(
        [[1.0], gamma[1:] / 2.0 * np.exp(special.gammaln(alpha + 0.5) - special.gammaln(alpha))]
    ) / np.sqrt(np.pi)
    return _ShapeGrid(tau3, gamma, l2, np.zeros_like(gamma))


@cache
def _gev_grid(by: str) -> _ShapeGrid:
    """GEV with unit scale: skewness (or τ3), σ (or λ2) and mean (or λ1) against the shape k.

    Shape k as Hosking's and scipy's ``genextreme`` c (k > 0: bounded above). τ3 =
    2(1 - 3^-k)/(1 - 2^-k) - 3, λ2 = (1 - 2^-k)Γ(1 + k)/k, λ1 = (1 - Γ(1 + k))/k (Hosking &
    Wallis 1997, A.4); moments from ``scipy.stats.genextreme``, finite for k > -1/3.
    """
    if by == "moments":
        k = np.linspace(-0.33, 3.0, _GRID_SIZE)
        mean, var, skew = stats.genextreme.stats(k, moments="mvs")
        order = np.argsort(skew)
        return _ShapeGrid(skew[order], k[order], np.sqrt(var[order]), mean[order])
    k = np.linspace(-0.99, 3.0, _GRID_SIZE)
    k = k[np.abs(k) > 1e-9]
    g1 = special.gamma(1 + k)
    tau3 = 2 * (1 - 3.0**-k) / (1 - 2.0**-k) - 3
    order = np.argsort(tau3)
    return _ShapeGrid(tau3[order], k[order], ((1 - 2.0**-k) * g1 / k)[order], ((1 - g1) / k)[order])


def _interp(grid: _ShapeGrid, value: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Shape and unit-scale factors at a statistic value (clipped to the grid's range)."""
    v = np.clip(value, grid.statistic[0], grid.statistic[-1])
    return (np.interp(v, grid.statistic, grid.shape), np.interp(v, grid.statistic, grid.sd_or_l2),
            np.interp(v, grid.statistic, grid.mean_or_l1))


# --- the four distributions -------------------------------------------------------------


@dataclass(frozen=True)
class Distribution:
    """A frequency curve: its parameters, how samples map to them, and its quantile function.

    Parameters
    ----------
    name, zh, en : code (``p3``), Chinese and English names.
    parameters : names of the parameters, in the order of the last axis of a params array.
    from_moments : (mean, sd, skew) of the (transformed) sample -> params array (..., k).
    from_lmoments : (l1, l2, t3) of the (transformed) sample -> params array (..., k).
    ppf : (params (..., k), non-exceedance F) -> value, broadcasting params[..., None] with F.
    cdf : (params, x) -> non-exceedance probability; logpdf likewise.
    log10 : statistics are taken of log10 values (log-Pearson III).
    """

    name: str
    zh: str
    en: str
    parameters: tuple[str, ...]
    from_moments: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]
    from_lmoments: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]
    ppf: Callable[[np.ndarray, np.ndarray], np.ndarray]
    cdf: Callable[[np.ndarray, np.ndarray], np.ndarray]
    logpdf: Callable[[np.ndarray, np.ndarray], np.ndarray]
    log10: bool = False


def _stack(*columns: np.ndarray) -> np.ndarray:
    return np.stack(np.broadcast_arrays(*(np.asarray(c, dtype=float) for c in columns)), axis=-1)


def _p3_from_lmoments(l1: np.ndarray, l2: np.ndarray, t3: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean, σ and skewness of the P-III with these L-moments (the τ3 map is odd in γ)."""
    gamma, l2_unit, _ = _interp(_p3_tau3_grid(), np.abs(t3))
    return l1, l2 / l2_unit, np.sign(t3) * gamma


def _p3_cv_params(mean: np.ndarray, sd: np.ndarray, skew: np.ndarray) -> np.ndarray:
    """SL 44-2006 parameters (mean, Cv = σ/mean, Cs) from mean, σ and skewness."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return _stack(mean, sd / mean, skew)


def _p3_params(p: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Location, scale (σ) and skewness of P-III params (mean, cv, cs)."""
    return p[..., 0, None], (p[..., 0] * p[..., 1])[..., None], p[..., 2, None]


def _p3_z(p: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    loc, scale, skew = _p3_params(p)
    return (x - loc) / scale, scale, skew


def _p3_ppf(p: np.ndarray, f: np.ndarray) -> np.ndarray:
    loc, scale, skew = _p3_params(p)
    return loc + scale * pearson3_ppf(f, skew)


def _p3_cdf(p: np.ndarray, x: np.ndarray) -> np.ndarray:
    z, _, skew = _p3_z(p, x)
    return stats.pearson3.cdf(z, skew)


def _p3_logpdf(p: np.ndarray, x: np.ndarray) -> np.ndarray:
    z, scale, skew = _p3_z(p, x)
    return stats.pearson3.logpdf(z, skew) - np.log(scale)


def _lp3_ppf(p: np.ndarray, f: np.ndarray) -> np.ndarray:
    return 10.0 ** (p[..., 0, None] + p[..., 1, None] * pearson3_ppf(f, p[..., 2, None]))


def _lp3_z(p: np.ndarray, x: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return (np.log10(x) - p[..., 0, None]) / p[..., 1, None]


def _lp3_cdf(p: np.ndarray, x: np.ndarray) -> np.ndarray:
    return stats.pearson3.cdf(_lp3_z(p, x), p[..., 2, None])


def _lp3_logpdf(p: np.ndarray, x: np.ndarray) -> np.ndarray:
    # density of x from that of y = log10 x: f(x) = g(y) / (x ln 10)
    return (stats.pearson3.logpdf(_lp3_z(p, x), p[..., 2, None]) - np.log(p[..., 1, None])
            - np.log(x * np.log(10.0)))


def _gev_from(by: str, first: np.ndarray, second: np.ndarray, shape_stat: np.ndarray) -> np.ndarray:
    k, unit_spread, unit_centre = _interp(_gev_grid(by), shape_stat)
    scale = second / unit_spread
    return _stack(first - scale * unit_centre, scale, k)


def _gumbel_from(by: str, first: np.ndarray, second: np.ndarray) -> np.ndarray:
    if by == "moments":
        centre, spread = stats.gumbel_r.mean(), stats.gumbel_r.std()
    else:  # λ1 = ξ + γ_E·α, λ2 = α·ln 2 (Hosking & Wallis 1997, A.3)
        centre, spread = stats.gumbel_r.mean(), np.log(2.0)
    scale = second / spread
    return _stack(first - scale * centre, scale)


def _loc_scale(p: np.ndarray) -> dict[str, np.ndarray]:
    return {"loc": p[..., 0, None], "scale": p[..., 1, None]}


_REGISTRY = {
    "p3": Distribution(
        "p3", "皮尔逊III型", "Pearson type III", ("mean", "cv", "cs"),
        from_moments=lambda m, s, g: _p3_cv_params(m, s, g),
        from_lmoments=lambda l1, l2, t3: _p3_cv_params(*_p3_from_lmoments(l1, l2, t3)),
        ppf=_p3_ppf, cdf=_p3_cdf, logpdf=_p3_logpdf,
    ),
    "lp3": Distribution(
        "lp3", "对数皮尔逊III型", "log-Pearson type III", ("mean_log10", "sd_log10", "skew_log10"),
        from_moments=lambda m, s, g: _stack(m, s, g),
        from_lmoments=lambda l1, l2, t3: _stack(*_p3_from_lmoments(l1, l2, t3)),
        ppf=_lp3_ppf, cdf=_lp3_cdf, logpdf=_lp3_logpdf, log10=True,
    ),
    "gev": Distribution(
        "gev", "广义极值分布", "generalised extreme value", ("location", "scale", "shape"),
        from_moments=lambda m, s, g: _gev_from("moments", m, s, g),
        from_lmoments=lambda l1, l2, t3: _gev_from("lmoments", l1, l2, t3),
        ppf=lambda p, f: stats.genextreme.ppf(f, p[..., 2, None], **_loc_scale(p)),
        cdf=lambda p, x: stats.genextreme.cdf(x, p[..., 2, None], **_loc_scale(p)),
        logpdf=lambda p, x: stats.genextreme.logpdf(x, p[..., 2, None], **_loc_scale(p)),
    ),
    "gumbel": Distribution(
        "gumbel", "耿贝尔分布（极值I型）", "Gumbel (EV1)", ("location", "scale"),
        from_moments=lambda m, s, g: _gumbel_from("moments", m, s),
        from_lmoments=lambda l1, l2, t3: _gumbel_from("lmoments", l1, l2),
        ppf=lambda p, f: stats.gumbel_r.ppf(f, **_loc_scale(p)),
        cdf=lambda p, x: stats.gumbel_r.cdf(x, **_loc_scale(p)),
        logpdf=lambda p, x: stats.gumbel_r.logpdf(x, **_loc_scale(p)),
    ),
}


def distribution(name: str) -> Distribution:
    """The distribution ``name`` (one of :data:`DISTRIBUTIONS`); bilingual error otherwise."""
    try:
        return _REGISTRY[name]
    except KeyError:
        known = ", ".join(DISTRIBUTIONS)
        raise ValueError(f"未知的分布 {name!r}（可选：{known}）/ unknown distribution {name!r} (one of {known})") from None


def transformed(dist: Distribution, x: np.ndarray) -> np.ndarray:
    """The values the distribution's statistics are taken of: log10 x for LP3 (x <= 0 -> NaN)."""
    x = np.asarray(x, dtype=float)
    if not dist.log10:
        return x
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(x > 0, np.log10(np.where(x > 0, x, 1.0)), np.nan)


def estimate(x: np.ndarray, dist: str = "p3", method: str = "moments") -> np.ndarray:
    """Parameters of ``dist`` for each series by moments or L-moments.

    Parameters
    ----------
    x : array (..., n), years on the last axis; NaN ignored. For ``lp3``, values <= 0 are
        dropped (Bulletin 17C treats zero flows separately; not done here).
    dist : "p3" (mean, cv, cs), "lp3" (mean_log10, sd_log10, skew_log10), "gev" (location,
        scale, shape k as scipy's c) or "gumbel" (location, scale).
    method : "moments" (SL 44-2006 moment formulas) or "lmoments" (Hosking 1990).

    Returns
    -------
    array (..., k): the parameters in the order of ``distribution(dist).parameters``.
    """
    d = distribution(dist)
    values = transformed(d, x)
    if method == "moments":
        return d.from_moments(*sample_moments(values))
    if method == "lmoments":
        return d.from_lmoments(*sample_lmoments(values)[:3])
    known = ", ".join(METHODS)
    raise ValueError(f"未知的估计方法 {method!r}（可选：{known}）/ unknown method {method!r} (one of {known})")


def quantile(dist: str, params: np.ndarray, p: np.ndarray | float) -> np.ndarray:
    """Design values at exceedance probabilities ``p`` for parameters ``params`` (..., k).

    Returns an array (..., len(p)) (or (...) for a scalar ``p``).
    """
    d = distribution(dist)
    p = np.asarray(p, dtype=float)
    out = d.ppf(np.asarray(params, dtype=float), np.atleast_1d(1.0 - p))
    return out[..., 0] if p.ndim == 0 else out


def return_period_probability(return_periods: np.ndarray) -> np.ndarray:
    """Exceedance probability p = 1/T of each return period T (years), T > 1."""
    t = np.asarray(return_periods, dtype=float)
    if np.any(~(t > 1)):
        raise ValueError("重现期须大于 1 年 / return periods must exceed 1 year")
    return 1.0 / t
