"""Trend tests over the workspace's monthly means and over series files (趋势分析).

Seasonal Kendall with Sen's slope per year on monthly means (seasonality removed by comparing
each month with the same month of other years), and the official Spearman rank test of
环办〔2011〕22号 on annual means; the same kernels serve ``qingliu wq trend`` on files.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from qingliu import io
from qingliu.assess.spearman import spearman_trend
from qingliu.assess.trend import TREND_LABELS_ZH, mann_kendall, seasonal_kendall

TREND_ITEMS = ("do", "codmn", "cod", "bod5", "nh3n", "tp")
"""Items whose trends the assessment reports: the usual main pollutants of Jinzhong's rivers, and DO."""

TREND_METHODS = ("mk", "seasonal", "spearman")
"""Tests of :func:`trend_file`: Mann-Kendall, seasonal Kendall, the official Spearman test."""

RISING_IS_BETTER = frozenset({"do", "sd"})


def _quality_direction(parameter: pd.Series, trend: pd.Series) -> pd.Series:
    """Whether a trend means better (改善) or worse (变差) water for the item."""
    rising_good = parameter.isin(RISING_IS_BETTER)
    better = ((trend == "increasing") & rising_good) | ((trend == "decreasing") & ~rising_good)
    worse = ((trend == "increasing") & ~rising_good) | ((trend == "decreasing") & rising_good)
    return pd.Series(np.select([better, worse], ["better", "worse"], "none"), index=trend.index)


def section_trends(monthly: pd.DataFrame, sections: pd.DataFrame, items: tuple[str, ...] = TREND_ITEMS) -> pd.DataFrame:
    """Seasonal Kendall trend and Sen's slope per year of each section and item.

    Parameters
    ----------
    monthly : monthly means (``period_means(freq="month")`` with ``start``), several years.
    sections : the section table (for names).

    Returns
    -------
    DataFrame: section_id, name, parameter, n, s, z, p, tau, slope_per_year and its confidence
    limits, trend (increasing / decreasing / no trend at α = 0.05), trend_zh, quality
    (better / worse / none), and the Spearman test of the annual means (rs, wp, spearman).
    """
    data = monthly[monthly["parameter"].isin(items)]
    if data.empty:
        return pd.DataFrame()
    first = data["start"].min()
    months = pd.date_range(first.replace(month=1), data["start"].max(), freq="MS")
    grid = data.pivot_table(index=["section_id", "parameter"], columns="start", values="value").reindex(columns=months)
    mk = seasonal_kendall(grid.to_numpy(float), 12, times=months.to_numpy()).to_frame(range(len(grid)))
    years = grid.T.groupby(months.year).mean().T  # annual means, for the official test
    sp = spearman_trend(years.to_numpy(float), years.columns.to_numpy(float))
    out = grid.index.to_frame(index=False)
    out = out.merge(sections[["section_id", "name"]], on="section_id", how="left")
    for column in ("n", "s", "z", "p", "tau", "slope_per_year", "slope_per_year_lower", "slope_per_year_upper", "trend"):
        out[column] = mk[column].to_numpy()
    out["trend_zh"] = out["trend"].map(TREND_LABELS_ZH)
    out["quality"] = _quality_direction(out["parameter"], out["trend"])
    out["rs"], out["wp"], out["spearman"] = sp.rs, sp.wp, sp.direction
    return out


def _batches(series: pd.DataFrame):
    """Series grouped by length, each group as a matrix of values and of times."""
    series = series.sort_values(["series_id", "time"])
    lengths = series.groupby("series_id", sort=False).size()
    for n, ids in lengths.groupby(lengths).groups.items():
        part = series[series["series_id"].isin(ids)]
        yield list(ids), part["value"].to_numpy(float).reshape(-1, n), part["time"].to_numpy().reshape(-1, n)


def trend_file(path: str | Path, *, method: str = "mk", period: int = 12) -> pd.DataFrame:
    """Trend test of every series of a long file ``series_id,time,value``.

    ``method``: "mk" (Mann-Kendall), "seasonal" (seasonal Kendall, ``period`` values per
    cycle, rows in time order with a regular step), "spearman" (环办〔2011〕22号, one value per
    period). Returns one row per series, in order of first appearance: for the Kendall tests
    series_id, n, s, var_s, z, p, tau, slope, intercept (per time step, as pymannkendall),
    slope_per_year (from the actual times), trend; for Spearman series_id, n, rs, wp,
    significant, trend.
    """
    if method not in TREND_METHODS:
        raise ValueError(f"未知的趋势检验方法 {method!r}，可选：{', '.join(TREND_METHODS)} / "
                         f"unknown trend method {method!r}; one of {', '.join(TREND_METHODS)}")
    series = io.read_series(path)
    order = pd.unique(series["series_id"])
    frames = []
    for ids, values, times in _batches(series):
        if method == "spearman":
            sp = spearman_trend(values, times)
            frames.append(pd.DataFrame({"series_id": ids, "n": sp.n, "rs": sp.rs, "wp": sp.wp,
                                        "significant": sp.significant, "trend": sp.direction}))
            continue
        if method == "seasonal":
            result = seasonal_kendall(values, period, times=times)
        else:
            result = mann_kendall(values, times)
        frames.append(result.to_frame(ids).drop(columns=["h", "slope_per_year_lower", "slope_per_year_upper"]))
    table = pd.concat(frames, ignore_index=True)
    return table.set_index("series_id").loc[order].reset_index()
