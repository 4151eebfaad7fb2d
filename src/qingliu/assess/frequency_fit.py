"""Curve fitting (适线法) and goodness of fit of frequency curves.

SL 44-2006 fixes the parameters of the frequency curve by fitting it to the empirical points
(x_i, P_i) (plotting positions from :mod:`qingliu.assess.frequency_sample`), with one of three
criteria:

* ``ls``  least squares (离差平方和最小): Σ (x_i - f(P_i))²;
* ``lad`` least absolute deviation (离差绝对值和最小): Σ |x_i - f(P_i)|;
* ``lrs`` least relative squares (相对离差平方和最小), recommended when historical floods are
  imprecise: Σ ((x_i - f(P_i))/x_i)² [M: deviations relative to the observed value].

For P-III, Cs may be free or tied to Cv by a fixed ratio (Cs = k·Cv; flood peaks usually
k = 2.5-4, SL 44-2006 practice [M]). The minimum is found with ``scipy.optimize.minimize``
(Nelder-Mead, which also handles the non-smooth LAD criterion), starting from the moment
estimates. One series per call: fitting is an optimisation, not a hot path.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.optimize import minimize

from qingliu.assess.frequency import DISTRIBUTIONS, distribution, estimate, transformed
from qingliu.assess.frequency_sample import weibull_positions

OBJECTIVES = ("ls", "lad", "lrs")
OBJECTIVE_ZH = {"ls": "离差平方和最小", "lad": "离差绝对值和最小", "lrs": "相对离差平方和最小"}


def _criterion(objective: str):
    if objective == "ls":
        return lambda x, fx: np.sum((x - fx) ** 2)
    if objective == "lad":
        return lambda x, fx: np.sum(np.abs(x - fx))
    if objective == "lrs":
        return lambda x, fx: np.sum(((x - fx) / x) ** 2)
    known = ", ".join(OBJECTIVES)
    raise ValueError(f"未知的适线准则 {objective!r}（可选：{known}）/ unknown objective {objective!r} (one of {known})")


def _valid(dist: str, params: np.ndarray) -> bool:
    """Parameters a curve can have: positive spread (P-III: Cv > 0 with a positive mean)."""
    if not np.all(np.isfinite(params)):
        return False
    if dist == "p3":
        return bool(params[0] > 0 and params[1] > 0)
    return bool(params[1] > 0)


def fit_curve(
    values: np.ndarray,
    probabilities: np.ndarray,
    dist: str = "p3",
    *,
    objective: str = "ls",
    cs_cv_ratio: float | None = None,
    initial: np.ndarray | None = None,
) -> np.ndarray:
    """Parameters of ``dist`` that best fit the points (value, exceedance probability).

    Parameters
    ----------
    values, probabilities : the empirical points, e.g. from
        :func:`~qingliu.assess.frequency_sample.plotting_positions`.
    dist : "p3", "lp3", "gev" or "gumbel".
    objective : "ls", "lad" or "lrs" (module docstring).
    cs_cv_ratio : P-III only: fix Cs = ratio·Cv and fit mean and Cv.
    initial : starting parameters (default: moments of ``values``).

    Returns
    -------
    array (k,): fitted parameters in the order of ``distribution(dist).parameters``.
    """
    d = distribution(dist)
    criterion = _criterion(objective)
    x = np.asarray(values, dtype=float)
    f = 1.0 - np.asarray(probabilities, dtype=float)
    keep = np.isfinite(x) & np.isfinite(f)
    x, f = x[keep], f[keep]
    if cs_cv_ratio is not None and dist != "p3":
        raise ValueError("固定 Cs/Cv 仅适用于皮尔逊III型 / a fixed Cs/Cv ratio applies to Pearson III only")
    start = np.asarray(estimate(x, dist, "moments") if initial is None else initial, dtype=float)

    def params_of(theta: np.ndarray) -> np.ndarray:
        return np.array([theta[0], theta[1], cs_cv_ratio * theta[1]]) if cs_cv_ratio is not None else theta

    theta0 = start[:2] if cs_cv_ratio is not None else start
    scale = np.where(np.abs(theta0) > 1e-6, np.abs(theta0), 0.1)  # Nelder-Mead works in O(1) units

    def loss(u: np.ndarray) -> float:
        params = params_of(theta0 + u * scale)
        if not _valid(dist, params):
            return np.inf
        fx = d.ppf(params, f)
        value = criterion(x, fx)
        return float(value) if np.isfinite(value) else np.inf

    best = minimize(loss, np.zeros_like(theta0), method="Nelder-Mead",
                    options={"xatol": 1e-9, "fatol": 1e-12, "maxiter": 20000, "maxfev": 40000, "adaptive": True})
    return params_of(theta0 + best.x * scale)


def goodness_of_fit(values: np.ndarray, probabilities: np.ndarray, dist: str, params: np.ndarray) -> dict[str, float]:
    """How well a fitted curve follows the empirical points.

    Returns
    -------
    dict with ``rmse`` (root mean square deviation of the values from the curve at their
    plotting positions), ``ppcc`` (probability-plot correlation coefficient between values
    and the curve's values), ``ks`` (largest difference between the curve's and the
    empirical non-exceedance probabilities) and ``aic`` (2k - 2·log-likelihood).
    """
    d = distribution(dist)
    x = np.asarray(values, dtype=float)
    p = np.asarray(probabilities, dtype=float)
    params = np.asarray(params, dtype=float)
    fitted = d.ppf(params, 1.0 - p)
    with np.errstate(divide="ignore", invalid="ignore"):
        loglik = float(np.sum(d.logpdf(params, x)))
        ppcc = float(np.corrcoef(x, fitted)[0, 1]) if np.all(np.isfinite(fitted)) else np.nan
    return {
        "rmse": float(np.sqrt(np.mean((x - fitted) ** 2))),
        "ppcc": ppcc,
        "ks": float(np.max(np.abs(d.cdf(params, x) - (1.0 - p)))),
        "aic": 2 * len(params) - 2 * loglik if np.isfinite(loglik) else np.inf,
    }


def compare_distributions(
    x: np.ndarray, method: str = "lmoments", dists: tuple[str, ...] = DISTRIBUTIONS
) -> pd.DataFrame:
    """Fit each distribution to one series and rank them by goodness of fit.

    Parameters
    ----------
    x : one series of annual values (NaN ignored).
    method : "moments" or "lmoments" (the estimator used for every distribution).

    Returns
    -------
    DataFrame sorted by ``rmse`` (smallest first): dist, name_zh, name_en, parameters (dict),
    rmse, ppcc, ks, aic, rank.
    """
    x = np.asarray(x, dtype=float)
    x = x[np.isfinite(x)]
    p = weibull_positions(x)
    rows = []
    for name in dists:
        d = distribution(name)
        keep = np.isfinite(transformed(d, x))
        params = estimate(x[keep], name, method)
        rows.append({"dist": name, "name_zh": d.zh, "name_en": d.en,
                     "parameters": dict(zip(d.parameters, map(float, params), strict=True)),
                     **goodness_of_fit(x[keep], p[keep], name, params)})
    table = pd.DataFrame(rows).sort_values("rmse", kind="stable").reset_index(drop=True)
    table["rank"] = np.arange(1, len(table) + 1)
    return table
