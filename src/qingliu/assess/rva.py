"""Range of Variability Approach (RVA): how far post-impact years leave the pre-impact range.

Method: Richter, Baumgartner, Wigington and Braun 1997, *How much water does a river need?*
(Freshwater Biology 37: 231-249), as implemented by TNC's IHA 7.1 (User's Manual 2009, "RVA
analysis"), with IHA's default boundaries (``standards/ecoflow.toml``, ``[rva]``):

* Boundaries from the pre-impact years of each parameter: non-parametric, the percentiles 17
  points either side of the median (33rd and 67th, Weibull percentiles as IHA computes them);
  parametric, the mean ± 1 standard deviation (n - 1 divisor).
* Three categories: low (below the lower boundary), middle (between the boundaries, both
  included), high (above the upper boundary).
* Expected frequency of a category in the post-impact period = the share of pre-impact years
  in it × the number of post-impact years; observed frequency = the post-impact years in it.
* Hydrologic alteration HA = (observed − expected) / expected (NaN when nothing is expected).
* Degree of alteration from |HA| of the middle category: low ≤ 33 %, moderate ≤ 67 %, high
  above (Richter et al. 1998 [M]); overall degree D0 = sqrt(mean of HA_middle²) over the
  parameters (Shiau and Wu 2004).

Years with a missing value (e.g. no pulse, so no pulse duration) are left out of that
parameter's counts.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from qingliu.assess.daily import center, weibull_quantile
from qingliu.standards import load_toml

CATEGORIES = ("low", "middle", "high")


def _grades() -> list[dict]:
    return load_toml("ecoflow")["rva"]["grade"]


def alteration_grade(ha_middle: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Degree of alteration (code, Chinese, English) of each |HA| of the middle category."""
    grades = _grades()
    upper = np.array([g["upper"] for g in grades], dtype=float)
    magnitude = np.abs(np.asarray(ha_middle, dtype=float))
    index = np.minimum(np.searchsorted(upper, magnitude, side="left"), len(grades) - 1)
    known = np.isfinite(magnitude)

    def label(key: str) -> np.ndarray:
        return np.where(known, np.array([g[key] for g in grades], dtype=object)[index], None)

    return label("code"), label("zh"), label("en")


def rva_array(values: np.ndarray, pre: np.ndarray, post: np.ndarray, statistic: str = "nonparametric") -> dict[str, np.ndarray]:
    """RVA of an array of annual parameters ``values[..., year]``.

    Parameters
    ----------
    values : float array (..., Y)
        Annual values (NaN = missing), years on the last axis.
    pre, post : bool arrays (Y,)
        Pre- and post-impact years.
    statistic : "nonparametric" (percentile boundaries) or "parametric" (mean ± SD).

    Returns
    -------
    dict of arrays (...) : ``pre_center``, ``post_center``, ``lower``, ``upper``,
    ``expected_<c>``, ``observed_<c>``, ``ha_<c>`` for c in :data:`CATEGORIES`.
    """
    spec = load_toml("ecoflow")["rva"]
    values = np.asarray(values, dtype=float)
    before = np.where(pre, values, np.nan)
    after = np.where(post, values, np.nan)
    if statistic == "nonparametric":
        spread = spec["percentile_spread"] / 100
        lower, upper = weibull_quantile(before, np.array([0.5 - spread, 0.5 + spread]))
        pre_center = weibull_quantile(before, 0.5)
        post_center = weibull_quantile(after, 0.5)
    elif statistic == "parametric":
        pre_center, post_center = center(before, "mean"), center(after, "mean")
        n = np.isfinite(before).sum(axis=-1)
        with np.errstate(invalid="ignore", divide="ignore"):
            sd = np.sqrt(np.nansum((before - pre_center[..., None]) ** 2, axis=-1) / np.where(n > 1, n - 1, np.nan))
        lower = pre_center - spec["sd_spread"] * sd
        upper = pre_center + spec["sd_spread"] * sd
    else:
        raise ValueError(f"statistic must be 'nonparametric' or 'parametric', not {statistic!r}")

    def counts(x: np.ndarray) -> list[np.ndarray]:
        known = np.isfinite(x)
        lo = known & (x < lower[..., None])
        hi = known & (x > upper[..., None])
        return [lo.sum(-1), (known & ~lo & ~hi).sum(-1), hi.sum(-1)]

    pre_counts, post_counts = counts(before), counts(after)
    n_pre = sum(pre_counts)
    n_post = sum(post_counts)
    out = {"pre_center": pre_center, "post_center": post_center, "lower": lower, "upper": upper}
    with np.errstate(invalid="ignore", divide="ignore"):
        for name, p, o in zip(CATEGORIES, pre_counts, post_counts, strict=True):
            expected = p / np.where(n_pre > 0, n_pre, np.nan) * n_post
            out[f"expected_{name}"] = expected
            out[f"observed_{name}"] = o.astype(float)
            out[f"ha_{name}"] = np.where(expected > 0, (o - expected) / np.where(expected > 0, expected, 1), np.nan)
    return out


def rva(
    annual: pd.DataFrame,
    pre: tuple[int, int],
    post: tuple[int, int],
    *,
    parameters: list[str] | None = None,
    statistic: str = "nonparametric",
    year_column: str = "water_year",
) -> pd.DataFrame:
    """RVA table of annual IHA (or EFC) parameters: one row per station and parameter.

    Parameters
    ----------
    annual : DataFrame
        ``station_id``, ``year_column`` and one column per parameter (e.g. :func:`qingliu.assess.iha.iha`).
    pre, post : (first, last) water years, both included.
    parameters : columns to analyse (default every column but the two keys).

    Returns
    -------
    DataFrame
        ``station_id``, ``parameter``, ``pre_center``, ``post_center``, ``lower``, ``upper``,
        expected / observed / HA of the three categories, ``alteration`` (low / moderate /
        high from HA of the middle category) with ``alteration_zh``.
    """
    for name, (first, last) in (("pre", pre), ("post", post)):
        if first > last:
            raise ValueError(f"{name} 时段起止颠倒：{first}-{last} / {name} period is reversed: {first}-{last}")
    params = parameters or [c for c in annual.columns if c not in ("station_id", year_column)]
    years = np.sort(annual[year_column].unique())
    stations = annual["station_id"].drop_duplicates().to_numpy()
    cube = (
        annual.set_index(["station_id", year_column])[params]
        .reindex(pd.MultiIndex.from_product([stations, years]))
        .to_numpy(float)
        .reshape(len(stations), len(years), len(params))
    )
    pre_mask = (years >= pre[0]) & (years <= pre[1])
    post_mask = (years >= post[0]) & (years <= post[1])
    result = rva_array(np.moveaxis(cube, 1, -1), pre_mask, post_mask, statistic)
    frame = pd.DataFrame({"station_id": np.repeat(stations, len(params)), "parameter": np.tile(params, len(stations))})
    for key, value in result.items():
        frame[key] = value.ravel()
    code, zh, _ = alteration_grade(frame["ha_middle"].to_numpy())
    frame["alteration"] = code
    frame["alteration_zh"] = zh
    return frame


def overall_alteration(table: pd.DataFrame) -> pd.DataFrame:
    """Overall degree of alteration D0 of each station (Shiau and Wu 2004) and its grade."""
    ha = table.assign(sq=table["ha_middle"] ** 2).groupby("station_id", sort=False)["sq"].mean()
    d0 = np.sqrt(ha)
    code, zh, en = alteration_grade(d0.to_numpy())
    return pd.DataFrame({"station_id": d0.index, "d0": d0.to_numpy(), "alteration": code, "alteration_zh": zh, "alteration_en": en})
