"""Confidence intervals of design values: bootstrap (vectorised) and the analytic standard error.

* Bootstrap: the record is resampled with replacement B times at once (an array (B, n)),
  every resample is re-estimated with the same vectorised estimator, and the interval is the
  percentiles of the B design values (Efron & Tibshirani 1993, percentile interval). With
  historical floods, the extraordinary floods are kept and only the ordinary measured floods
  are resampled; their moments are the weighted moments of SL 44-2006.
* Analytic: the first-order (delta-method) sampling variance of a quantile estimated by
  moments, x_T = m1 + sqrt(m2)·K(g), from the asymptotic covariances of the sample mean m1
  and central moments m2, m3 (Kendall & Stuart, The Advanced Theory of Statistics, vol. 1,
  §10.5), the distribution's central moments up to the sixth, and ∂K/∂g. For P-III this is the
  standard error of Kite (1977, Frequency and Risk Analyses in Hydrology) behind the B-factor
  nomograms of the Chinese manuals (σ_xp = σ·B/√n); for Gumbel it reduces to
  σ²/n·[1 + K·γ1 + K²(β2 - 1)/4]. LP3 gets the P-III error in log10 space. GEV and L-moment
  estimates have no closed form here: use the bootstrap.
"""

from __future__ import annotations

import numpy as np
from scipy import special, stats

from qingliu.assess.frequency import (
    distribution,
    estimate,
    pearson3_ppf,
    quantile,
    transformed,
)
from qingliu.assess.frequency_sample import FloodSample, weighted_moments

_SKEW_STEP = 1e-4  # central difference for ∂K/∂g


def _two_sided(level: float) -> float:
    if not 0 < level < 1:
        raise ValueError(f"置信水平须在 0 与 1 之间：{level} / confidence level must be in (0, 1): {level}")
    return float(stats.norm.ppf(0.5 + level / 2))


def bootstrap_interval(
    x: np.ndarray,
    p: np.ndarray,
    dist: str = "p3",
    method: str = "moments",
    *,
    sample: FloodSample | None = None,
    n_boot: int = 1000,
    level: float = 0.90,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Percentile bootstrap interval of the design values at exceedance probabilities ``p``.

    Parameters
    ----------
    x : one series of annual values (NaN ignored); ignored when ``sample`` is given.
    p : exceedance probabilities (m,).
    dist, method : as :func:`qingliu.assess.frequency.estimate`; with ``sample`` only
        "moments" (weighted moments of the discontinuous series).
    sample : a record with historical floods: the ordinary floods are resampled.
    n_boot, level, seed : number of resamples, two-sided confidence level, random seed
        (fixed, so that a report is reproducible).

    Returns
    -------
    lower, upper : arrays (m,).
    """
    _two_sided(level)
    rng = np.random.default_rng(seed)
    d = distribution(dist)
    p = np.atleast_1d(np.asarray(p, dtype=float))
    if sample is None:
        values = np.asarray(x, dtype=float)
        values = values[np.isfinite(values)]
        resamples = values[rng.integers(0, values.size, size=(n_boot, values.size))]
        params = estimate(resamples, dist, method)
    else:
        if method != "moments":
            raise ValueError("有历史洪水时只能用矩法自助抽样 / with historical floods the bootstrap uses moments only")
        ordinary = transformed(d, sample.ordinary)
        resamples = ordinary[rng.integers(0, ordinary.size, size=(n_boot, ordinary.size))]
        params = d.from_moments(*weighted_moments(transformed(d, sample.extraordinary), resamples, sample.period))
    values_at_p = quantile(dist, params, p)
    tail = 100 * (1 - level) / 2
    lower, upper = np.nanpercentile(values_at_p, [tail, 100 - tail], axis=0)
    return lower, upper


def _standard_moments(dist: str, skew: np.ndarray) -> tuple[np.ndarray, ...]:
    """Central moments μ3..μ6 of the standardised distribution (σ = 1), from its cumulants."""
    if dist in ("p3", "lp3"):
        # gamma with shape 4/g² and scale g/2: κr = (r - 1)!·g^(r-2)·2^(2-r)
        k3, k4, k5, k6 = skew, 1.5 * skew**2, 3 * skew**3, 7.5 * skew**4
    else:
        # Gumbel with scale β = √6/π (σ = 1): κr = (r - 1)!·ζ(r)·β^r
        beta = 1.0 / stats.gumbel_r.std()
        k3, k4, k5, k6 = (np.full_like(skew, special.factorial(r - 1) * special.zeta(r) * beta**r) for r in (3, 4, 5, 6))
    return k3, k4 + 3, k5 + 10 * k3, k6 + 15 * k4 + 10 * k3**2 + 15


def moment_quantile_se(dist: str, params: np.ndarray, p: np.ndarray, n: int) -> np.ndarray:
    """Standard error of moment-estimated design values (delta method; module docstring).

    Parameters
    ----------
    dist : "p3", "lp3" (error in log10 units) or "gumbel".
    params : one parameter set (k,).
    p : exceedance probabilities (m,).
    n : sample size (years of record).

    Returns
    -------
    array (m,): the standard error, in the units of the values (log10 units for LP3).
    """
    params = np.asarray(params, dtype=float)
    p = np.atleast_1d(np.asarray(p, dtype=float))
    if dist == "p3":
        sd, g = params[0] * params[1], np.full_like(p, params[2])
    elif dist == "lp3":
        sd, g = params[1], np.full_like(p, params[2])
    elif dist == "gumbel":
        sd, g = params[1] * stats.gumbel_r.std(), np.zeros_like(p)
    else:
        raise ValueError(f"{dist} 无解析标准误，请用自助法 / no analytic standard error for {dist}: use the bootstrap")
    if dist == "gumbel":
        k = (stats.gumbel_r.ppf(1 - p) - stats.gumbel_r.mean()) / stats.gumbel_r.std()
        dk = np.zeros_like(p)
    else:
        k = pearson3_ppf(1 - p, g)
        dk = (pearson3_ppf(1 - p, g + _SKEW_STEP) - pearson3_ppf(1 - p, g - _SKEW_STEP)) / (2 * _SKEW_STEP)
    mu3, mu4, mu5, mu6 = _standard_moments(dist, g)
    # covariance of (m1, m2, m3) times n, for σ = 1
    v11, v12, v13 = 1.0, mu3, mu4 - 3
    v22, v23, v33 = mu4 - 1, mu5 - 4 * mu3, mu6 - mu3**2 - 6 * mu4 + 9
    # gradient of m1 + sqrt(m2)·K(m3/m2^1.5) at σ = 1
    g1, g2, g3 = 1.0, k / 2 - 1.5 * g * dk, dk
    var = (g1 * g1 * v11 + g2 * g2 * v22 + g3 * g3 * v33
           + 2 * (g1 * g2 * v12 + g1 * g3 * v13 + g2 * g3 * v23))
    return sd * np.sqrt(var / n)


def analytic_interval(
    dist: str, params: np.ndarray, p: np.ndarray, n: int, *, level: float = 0.90
) -> tuple[np.ndarray, np.ndarray]:
    """Normal-approximation interval x_p ± z·SE (for LP3 in log10 space, then 10**)."""
    z = _two_sided(level)
    se = moment_quantile_se(dist, params, p, n)
    if dist == "lp3":
        centre = np.log10(quantile(dist, params, p))
        return 10 ** (centre - z * se), 10 ** (centre + z * se)
    centre = quantile(dist, params, p)
    return centre - z * se, centre + z * se
