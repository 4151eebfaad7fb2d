"""Frequency analysis of annual series as SL 44-2006 does it (频率分析), for files and workspaces.

Per series: empirical exceedance probabilities (continuous, or with extraordinary historical
floods: the unified and independent-sample formulas), the distribution fitted by moments,
L-moments or curve fitting, design values for the chosen return periods with confidence limits
(bootstrap or the analytic standard error), a dense curve for probability paper, goodness of
fit, and the Cs < 2Cv check of P-III. Vectorised across series where the method allows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from qingliu.assess.frequency import (
    distribution,
    estimate,
    quantile,
    return_period_probability,
    transformed,
)
from qingliu.assess.frequency_ci import analytic_interval, bootstrap_interval
from qingliu.assess.frequency_fit import fit_curve, goodness_of_fit
from qingliu.assess.frequency_sample import (
    FloodSample,
    plotting_positions,
    weibull_positions,
    weighted_moments,
)

DEFAULT_RETURN_PERIODS = (2, 5, 10, 20, 50, 100, 1000)
CI_CHOICES = ("auto", "bootstrap", "analytic", "none")
CURVE_PROBABILITY_RANGE = (1e-4, 0.9999)
"""Exceedance probabilities spanned by plotted curves (the 0.01 %-99.99 % of probability paper)."""
_CURVE_POINTS = 121


@dataclass(frozen=True)
class FrequencyResult:
    """Frequency analysis of one or more annual series.

    parameters : series_id, n, the distribution's parameters, rmse, ppcc, ks, aic.
    quantiles : series_id, return_period, probability, value, lower, upper.
    points : series_id, year, value, probability (empirical exceedance), kind.
    curve : series_id, probability, value, lower, upper on a dense grid (for plots).
    """

    dist: str
    method: str
    ci: str
    level: float
    parameters: pd.DataFrame
    quantiles: pd.DataFrame
    points: pd.DataFrame
    curve: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    @property
    def single(self) -> bool:
        return self.parameters["series_id"].nunique() == 1

    def parameter_table(self) -> pd.DataFrame:
        """The parameters and goodness of fit; without series_id for a single series."""
        return self.parameters.drop(columns="series_id") if self.single else self.parameters

    def quantile_table(self) -> pd.DataFrame:
        """The design-value table; without series_id for a single series."""
        return self.quantiles.drop(columns="series_id") if self.single else self.quantiles

    def to_json(self) -> dict[str, Any]:
        """``{"parameters": {...}, "quantiles": [...]}``; with several series, parameters is a
        list of records with series_id and every quantile record has its series_id."""
        if self.single:
            return {"parameters": _records(self.parameter_table())[0],
                    "quantiles": _records(self.quantile_table())}
        return {"parameters": _records(self.parameters),
                "quantiles": _records(self.quantile_table())}


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: (None if isinstance(v, float) and not np.isfinite(v) else v) for k, v in row.items()}
            for row in frame.astype(object).to_dict(orient="records")]


def _curve_probabilities() -> np.ndarray:
    low, high = CURVE_PROBABILITY_RANGE
    z = np.linspace(stats.norm.isf(high), stats.norm.isf(low), _CURVE_POINTS)
    return stats.norm.sf(z)[::-1]


def _choose_ci(ci: str, dist: str, method: str) -> str:
    if ci != "auto":
        return ci
    if method == "fit":
        return "analytic" if dist != "gev" else "none"
    return "bootstrap"


def _interval(ci: str, dist: str, method: str, params: np.ndarray, x: np.ndarray, p: np.ndarray,
              sample: FloodSample | None, level: float, n_boot: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    if ci == "none":
        return np.full(p.shape, np.nan), np.full(p.shape, np.nan)
    if ci == "analytic":
        n = sample.measured.size if sample is not None else int(np.isfinite(x).sum())
        return analytic_interval(dist, params, p, n, level=level)
    boot_method = "moments" if method == "fit" else method
    return bootstrap_interval(x, p, dist, boot_method, sample=sample, n_boot=n_boot, level=level, seed=seed)


def frequency_analysis(
    annual: pd.DataFrame,
    *,
    dist: str = "p3",
    method: str = "moments",
    return_periods: tuple[float, ...] = DEFAULT_RETURN_PERIODS,
    historical: pd.DataFrame | None = None,
    period: int | None = None,
    formula: str = "unified",
    objective: str = "ls",
    cs_cv_ratio: float | None = None,
    ci: str = "auto",
    level: float = 0.90,
    n_boot: int = 1000,
    seed: int = 0,
) -> FrequencyResult:
    """Frequency analysis of annual series (series_id, year, value; one or several series).

    ``historical``: extraordinary floods (year, value) in the investigated period of ``period``
    years (one series only), placed by ``formula`` ("unified" or "independent"). ``method``:
    "moments", "lmoments" or "fit" (curve fitting by ``objective`` "ls", "lad" or "lrs", with
    an optional fixed Cs/Cv). ``ci``: "auto", "bootstrap", "analytic" or "none" at ``level``.
    """
    d = distribution(dist)
    if method not in ("moments", "lmoments", "fit"):
        raise ValueError(f"未知的方法 {method!r}（moments、lmoments、fit）/ unknown method {method!r} (moments, lmoments, fit)")
    if ci not in CI_CHOICES:
        raise ValueError(f"未知的置信区间方法 {ci!r} / unknown interval method {ci!r} (one of {', '.join(CI_CHOICES)})")
    if cs_cv_ratio is not None and method != "fit":
        raise ValueError("固定 Cs/Cv 须与适线法（--method fit）同用 / a fixed Cs/Cv ratio needs --method fit")
    if historical is not None and annual["series_id"].nunique() > 1:
        raise ValueError("历史洪水只能用于单一序列 / historical floods need a single series")
    if historical is not None and method == "lmoments":
        raise ValueError("有历史洪水时请用矩法或适线法 / with historical floods use moments or fit")
    if historical is not None and period is None:
        raise ValueError("有历史洪水时须给出调查考证期 N（--period）/ historical floods need the period N (--period)")
    ci = _choose_ci(ci, dist, method)
    p = return_period_probability(np.asarray(return_periods, dtype=float))
    curve_p = _curve_probabilities()
    ids = list(dict.fromkeys(annual["series_id"]))
    wide = annual.pivot(index="series_id", columns="year", values="value").reindex(ids)
    matrix = wide.to_numpy(float)
    batch = estimate(matrix, dist, method) if method != "fit" and historical is None else None
    rows, quantile_frames, point_frames, curve_frames = [], [], [], []
    for i, series_id in enumerate(ids):
        x = matrix[i]
        years = wide.columns.to_numpy()[np.isfinite(x)]
        x = x[np.isfinite(x)]
        sample = None
        if historical is not None:
            in_record = historical["year"].isin(years)
            sample = FloodSample(x, historical["value"].to_numpy(float), int(in_record.sum()), int(period))
            points = plotting_positions(sample, formula)
            year_of = dict(zip(historical["value"], historical["year"], strict=False))
            year_of.update(dict(zip(x, years, strict=False)))
            points.insert(0, "year", [year_of.get(v) for v in points["value"]])
        else:
            points = pd.DataFrame({"year": years, "value": x, "probability": weibull_positions(x), "kind": "measured"})
            points = points.sort_values("probability", kind="stable").reset_index(drop=True)
        if batch is not None:
            params = batch[i]
        else:
            initial = (d.from_moments(*weighted_moments(transformed(d, sample.extraordinary),
                                                        transformed(d, sample.ordinary), sample.period))
                       if sample is not None else estimate(x, dist, "moments"))
            params = (fit_curve(points["value"].to_numpy(), points["probability"].to_numpy(), dist, objective=objective,
                                cs_cv_ratio=cs_cv_ratio, initial=initial) if method == "fit" else initial)
        lower, upper = _interval(ci, dist, method, params, x, np.concatenate([p, curve_p]), sample, level, n_boot, seed)
        values = quantile(dist, params, np.concatenate([p, curve_p]))
        k = p.size
        quantile_frames.append(pd.DataFrame({"series_id": series_id, "return_period": np.asarray(return_periods, float),
                                             "probability": p, "value": values[:k], "lower": lower[:k], "upper": upper[:k]}))
        curve_frames.append(pd.DataFrame({"series_id": series_id, "probability": curve_p, "value": values[k:],
                                          "lower": lower[k:], "upper": upper[k:]}))
        point_frames.append(points.assign(series_id=series_id))
        fit = goodness_of_fit(points["value"].to_numpy(), points["probability"].to_numpy(), dist, params)
        rows.append({"series_id": series_id, "n": int(x.size), **dict(zip(d.parameters, map(float, params), strict=True)), **fit})
    notes = []
    if dist == "p3":
        low_ratio = [r["series_id"] for r in rows if r["cs"] < 2 * r["cv"]]
        if low_ratio:
            notes.append(f"Cs < 2Cv（下限为负值）：{', '.join(map(str, low_ratio))} / "
                         f"Cs < 2Cv (negative lower bound): {', '.join(map(str, low_ratio))}")
    return FrequencyResult(
        dist, method, ci, level, pd.DataFrame(rows), pd.concat(quantile_frames, ignore_index=True),
        pd.concat(point_frames, ignore_index=True)[["series_id", "year", "value", "probability", "kind"]],
        pd.concat(curve_frames, ignore_index=True), notes,
    )
