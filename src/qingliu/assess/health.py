"""River health (河湖健康评价): indicator scores, layer scores, the river health index and class.

Systems (indicators, layers, weights, scoring curves and classes) are data: by default
``standards/river_health_2020.toml`` (水利部《河湖健康评价指南（试行）》2020), as the option
``standards/sl_t_793_2020.toml`` (SL/T 793-2020 河湖健康评估技术导则). Computation:

* an indicator's score (0-100) comes from its value by the system's piecewise-linear curve
  (flat beyond the ends), from a water-quality class by ``class_scores``, or is entered
  directly as a score (survey indicators without a curve);
* a layer's score = Σ w_i·s_i / Σ w_i over its indicators given for the river;
* the river health index RHI = Σ W_l·S_l / Σ W_l over the layers with a score;
* the class is the first whose lower bound RHI reaches; the layer that pulls the river down is
  the one with the largest weighted shortfall W_l·(100 − S_l).

A required indicator that is missing is reported in ``missing_required`` (the index is still
computed over what was given, and so is provisional). Scores from the system's own data:
:func:`ecoflow_value` (生态流量满足程度: lowest daily flow as % of MAF in each season group),
:func:`flow_alteration` (流量过程变异程度 FD) — from daily flows by :func:`ecoflow_indicator`
and :func:`flow_alteration_indicator` — and the water-quality class from
:mod:`qingliu.assess.quality`; the rest are survey values entered by the user.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd

from qingliu.assess.daily import DailyFlows, center, water_years
from qingliu.assess.ecoflow import mean_annual_flow, monthly_means
from qingliu.standards import load_toml

SYSTEMS = ("river_health_2020", "sl_t_793_2020")


@dataclass(frozen=True)
class Indicator:
    code: str
    layer: str
    zh: str
    en: str
    required: bool
    source: str
    weight: float
    spec: dict


@dataclass(frozen=True)
class HealthSystem:
    """An indicator system: layers (code -> weight, names), indicators and classes."""

    name: str
    layers: dict[str, dict]
    indicators: dict[str, Indicator]
    classes: list[dict]


@cache
def load_system(name: str = "river_health_2020") -> HealthSystem:
    """Load an indicator system shipped in ``qingliu.standards`` (see :data:`SYSTEMS`)."""
    if name not in SYSTEMS:
        raise ValueError(f"未知的评价体系 {name!r}，可选：{', '.join(SYSTEMS)} / unknown system {name!r}; one of {', '.join(SYSTEMS)}")
    data = load_toml(name)
    indicators = {
        code: Indicator(code, spec["layer"], spec["zh"], spec["en"], bool(spec["required"]), spec["source"], float(spec["weight"]), spec)
        for code, spec in data["indicator"].items()
    }
    unknown = {i.layer for i in indicators.values()} - set(data["layer"])
    if unknown:
        raise ValueError(f"{name}.toml: indicators name unknown layers {sorted(unknown)}")
    classes = sorted(data["class"], key=lambda c: -c["lower"])
    return HealthSystem(data["meta"]["name"], data["layer"], indicators, classes)


def curve_score(values: np.ndarray, curve: list[list[float]]) -> np.ndarray:
    """Score values by a piecewise-linear curve ``[[value, score], ...]`` (ascending values)."""
    points = np.asarray(curve, dtype=float)
    return np.interp(np.asarray(values, dtype=float), points[:, 0], points[:, 1])


def ecoflow_value(min_general_pct: np.ndarray, min_spawning_pct: np.ndarray, system: HealthSystem | None = None) -> np.ndarray:
    """Score of 生态流量满足程度: the lower of the two season scores of the lowest daily flow (% MAF)."""
    spec = (system or load_system()).indicators["ecoflow"].spec
    return np.minimum(curve_score(min_general_pct, spec["curve_general"]), curve_score(min_spawning_pct, spec["curve_spawning"]))


def flow_alteration(actual_monthly: np.ndarray, natural_monthly: np.ndarray) -> np.ndarray:
    """FD = sqrt(Σ_m ((q_m − Q_m)/Q̄)²) over the 12 months (last axis); Q̄ = mean of Q_m."""
    actual = np.asarray(actual_monthly, dtype=float)
    natural = np.asarray(natural_monthly, dtype=float)
    mean = natural.mean(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.sqrt((((actual - natural) / mean) ** 2).sum(axis=-1))


def ecoflow_indicator(daily: DailyFlows, system: HealthSystem | None = None) -> pd.DataFrame:
    """生态流量满足程度 of each station and calendar year from daily flows (m3/s).

    The lowest daily flow of each season group (Oct-Mar, Apr-Sep, ``ecoflow.toml``) within the
    year, as a percentage of the station's MAF over all analysed years, scored by
    :func:`ecoflow_value`. Columns: station_id, year, general_pct, spawning_pct, score.
    """
    seasons = load_toml("ecoflow")["season"]
    wy = water_years(daily, 1)
    maf = mean_annual_flow(wy)
    out = {}
    for group in ("general", "spawning"):
        in_group = np.isin(wy.month, seasons[group]["months"])[None, :, :]
        low = np.min(np.where(in_group & ~np.isnan(wy.cube), wy.cube, np.inf), axis=-1)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[group] = np.where(np.isfinite(low), 100 * low / maf[:, None], np.nan)
    s_idx, y_idx = np.nonzero(wy.analysed)
    frame = pd.DataFrame({"station_id": wy.stations[s_idx], "year": wy.years[y_idx],
                          "general_pct": out["general"][s_idx, y_idx], "spawning_pct": out["spawning"][s_idx, y_idx]})
    frame["score"] = ecoflow_value(frame["general_pct"].to_numpy(), frame["spawning_pct"].to_numpy(), system)
    return frame


def flow_alteration_indicator(daily: DailyFlows, natural_years: tuple[int, int], system: HealthSystem | None = None) -> pd.DataFrame:
    """流量过程变异程度 of each station and calendar year against its natural (pre-impact) years.

    Natural monthly flows Q_m = mean over ``natural_years`` (first, last) of each month's mean
    flow; FD of a year from its own monthly means (:func:`flow_alteration`), scored by the
    system's curve. Columns: station_id, year, fd, score.
    """
    wy = water_years(daily, 1)
    means = monthly_means(wy)  # (S, Y, 12), January first
    natural = (wy.years >= natural_years[0]) & (wy.years <= natural_years[1])
    reference = center(np.moveaxis(np.where(natural[None, :, None], means, np.nan), 1, -1), "mean")  # (S, 12)
    fd = flow_alteration(means, reference[:, None, :])
    s_idx, y_idx = np.nonzero(wy.analysed)
    frame = pd.DataFrame({"station_id": wy.stations[s_idx], "year": wy.years[y_idx], "fd": fd[s_idx, y_idx]})
    curve = (system or load_system()).indicators["flow_alteration"].spec["curve"]
    frame["score"] = curve_score(frame["fd"].to_numpy(), curve)
    return frame


def score_indicators(values: pd.DataFrame, system: HealthSystem | None = None) -> pd.DataFrame:
    """Score each row ``river, indicator, value`` (or ``score``) of a table.

    The ``value`` of an indicator with a curve is scored by it; of ``water_quality`` it is a
    class 1-6 (6 = 劣V); ``score`` (0-100) is taken as given when present. Returns the rows
    with ``layer`` and ``score`` added.

    Raises
    ------
    ValueError
        For an unknown indicator, a row with neither value nor score, a score outside 0-100.
    """
    system = system or load_system()
    frame = values.copy()
    if "score" not in frame:
        frame["score"] = np.nan
    if "value" not in frame:
        frame["value"] = np.nan
    unknown = sorted(set(frame["indicator"]) - set(system.indicators))
    if unknown:
        raise ValueError(f"体系中没有这些指标：{unknown} / indicators not in the system: {unknown}")
    score = np.array(pd.to_numeric(frame["score"], errors="coerce"), dtype=float)
    value = pd.to_numeric(frame["value"], errors="coerce").to_numpy(float)
    for code in frame["indicator"].unique():
        rows = (frame["indicator"] == code).to_numpy() & np.isnan(score) & np.isfinite(value)
        spec = system.indicators[code].spec
        if not rows.any():
            continue
        if "curve" in spec:
            score[rows] = curve_score(value[rows], spec["curve"])
        elif "class_scores" in spec:
            klass = value[rows].astype(int)
            if ((klass < 1) | (klass > len(spec["class_scores"]))).any():
                raise ValueError(f"{code}: 水质类别须为 1-{len(spec['class_scores'])} / class must be 1-{len(spec['class_scores'])}")
            score[rows] = np.asarray(spec["class_scores"], dtype=float)[klass - 1]
        else:
            score[rows] = value[rows]  # entered directly as a score
    if np.isnan(score).any():
        bad = frame.loc[np.isnan(score), ["river", "indicator"]].astype(str).agg(" ".join, axis=1).tolist()
        raise ValueError(f"这些指标既无数值也无赋分：{bad[:5]} / indicators with neither value nor score: {bad[:5]}")
    if ((score < 0) | (score > 100)).any():
        raise ValueError("赋分须在 0-100 之间 / scores must lie between 0 and 100")
    frame["score"] = score
    frame["layer"] = frame["indicator"].map({c: i.layer for c, i in system.indicators.items()})
    return frame


def river_health(values: pd.DataFrame, system: HealthSystem | None = None) -> pd.DataFrame:
    """River health of each river from its indicator values or scores.

    Parameters
    ----------
    values : DataFrame
        ``river``, ``indicator`` (codes of the system), ``value`` and/or ``score``.
    system : the indicator system (default the 2020 guide).

    Returns
    -------
    DataFrame
        One row per river: ``river``, ``rhi``, ``class``, ``class_zh``, ``class_en``,
        ``weakest_layer`` (code), ``weakest_layer_zh``, ``score_<layer>`` for each layer and
        ``missing_required`` (codes, ";"-joined).
    """
    system = system or load_system()
    scored = score_indicators(values, system)
    weight = scored["indicator"].map({c: i.weight for c, i in system.indicators.items()})
    scored = scored.assign(w=weight, ws=weight * scored["score"])
    layer = scored.groupby(["river", "layer"], sort=False)[["w", "ws"]].sum()
    layer_score = (layer["ws"] / layer["w"]).unstack("layer").reindex(columns=list(system.layers))
    layer_weight = np.array([system.layers[code]["weight"] for code in layer_score.columns], dtype=float)
    scores = layer_score.to_numpy(float)
    given = np.isfinite(scores)
    w = np.where(given, layer_weight[None, :], 0.0)
    rhi = np.nansum(scores * w, axis=1) / w.sum(axis=1)
    shortfall = np.where(given, w * (100 - np.nan_to_num(scores)), -np.inf)
    weakest = np.array(list(layer_score.columns))[np.argmax(shortfall, axis=1)]
    lower = np.array([c["lower"] for c in system.classes], dtype=float)
    index = np.argmax(rhi[:, None] >= lower[None, :], axis=1)
    out = pd.DataFrame({"river": layer_score.index, "rhi": rhi})
    out["class"] = [system.classes[i]["code"] for i in index]
    out["class_zh"] = [system.classes[i]["zh"] for i in index]
    out["class_en"] = [system.classes[i]["en"] for i in index]
    out["weakest_layer"] = weakest
    out["weakest_layer_zh"] = [system.layers[c]["zh"] for c in weakest]
    for j, code in enumerate(layer_score.columns):
        out[f"score_{code}"] = scores[:, j]
    required = {c for c, i in system.indicators.items() if i.required}
    given_by_river = scored.groupby("river", sort=False)["indicator"].agg(set)
    out["missing_required"] = [";".join(sorted(required - given_by_river[r])) for r in out["river"]]
    return out
