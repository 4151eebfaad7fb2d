"""Water-resources carrying capacity (水资源承载能力) and 四水四定.

- :func:`overload_status`: status of one element (total use, groundwater, water quality)
  from its ratio to the control target, by the thresholds of
  ``standards/carrying_capacity_2016.toml`` (全国水资源承载能力监测预警技术大纲（修订稿）, 2016);
- :func:`carrying_capacity`: every element, quantity and overall status per county and for
  the city, from the water account (and water-function-zone compliance where known);
- :func:`four_water_four_fix` (四水四定, 以水定城、以水定地、以水定人、以水定产): the population,
  irrigated area and industrial value added that each county's available water supports at
  the quotas of ``standards/water_quotas.toml``, and the headroom (+) or deficit (-) against
  today.

Status codes run 0..3, best first: 0 不超载, 1 临界状态, 2 超载, 3 严重超载. Missing inputs
give code -1 (not assessed), never a guess.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd

from qingliu.assess.resources import CITY, EQUAL_RTOL, LITRES_PER_M3, M3_PER_1E4M3
from qingliu.standards import load_toml

NOT_ASSESSED = -1


@dataclass(frozen=True)
class CapacityRules:
    """Thresholds and status words of a carrying-capacity method.

    Attributes
    ----------
    document : the method's designation.
    codes, zh, en : status codes (best first) and their words.
    elements : {element: {"worse": "higher" | "lower", "thresholds": [3 ratios], ...}}.
    """

    document: str
    codes: tuple[str, ...]
    zh: tuple[str, ...]
    en: tuple[str, ...]
    elements: Mapping[str, Mapping[str, object]]


@cache
def load_capacity_rules(name: str = "carrying_capacity_2016") -> CapacityRules:
    """Load a carrying-capacity method (default the 2016 national technical outline)."""
    data = load_toml(name)
    meta = data["meta"]
    return CapacityRules(
        meta["document"], tuple(meta["statuses"]), tuple(meta["zh"]), tuple(meta["en"]), data["element"]
    )


def overload_status(ratio: object, element: str, rules: CapacityRules | None = None) -> np.ndarray:
    """Status code (0..3) of each ratio to the control target, -1 where the ratio is NaN.

    A ratio on a threshold takes the worse status (W = 1.2 W0 is 严重超载; Q = 0.4 Q0 is
    严重超载). Ratios within a relative 1e-9 of a threshold count as on it.

    Parameters
    ----------
    ratio : array of W / W0, G / G0 or Q / Q0.
    element : "total_use", "groundwater" or "quality".
    """
    rules = rules or load_capacity_rules()
    spec = rules.elements[element]
    thresholds = np.asarray(spec["thresholds"], dtype=float)
    r = np.asarray(ratio, dtype=float)[..., None]
    slack = EQUAL_RTOL * thresholds
    if spec["worse"] == "higher":
        status = (r >= thresholds - slack).sum(axis=-1)
    else:
        status = (r <= thresholds + slack).sum(axis=-1)
    return np.where(np.isnan(r[..., 0]), NOT_ASSESSED, status)


def overdraft_status(
    coefficient: object, deep_confined: object = False, geohazard: object = False, rules: CapacityRules | None = None
) -> np.ndarray:
    """Groundwater status from the shallow over-extraction coefficient and the yes/no criteria.

    严重超载 when the coefficient >= ``overdraft_severe`` (0.3), deep confined water is pumped or
    abstraction causes serious geo-hazards; 超载 when 0 < coefficient < 0.3; otherwise 0. NaN
    coefficients count as no over-extraction (the ratio G / G0 still applies).
    """
    rules = rules or load_capacity_rules()
    spec = rules.elements["groundwater"]
    c = np.nan_to_num(np.asarray(coefficient, dtype=float), nan=0.0)
    severe = (c >= spec["overdraft_severe"]) | np.asarray(deep_confined, bool) | np.asarray(geohazard, bool)
    over = c > spec["overdraft_overloaded"]
    return np.where(severe, 3, np.where(over, 2, 0))


def _worst(*codes: np.ndarray) -> np.ndarray:
    """The worse of several statuses; not assessed (-1) only where every one is."""
    return np.max(np.stack(codes), axis=0)


def carrying_capacity(
    account: pd.DataFrame,
    *,
    zone_compliance: pd.DataFrame | None = None,
    zone_target: float | None = None,
    groundwater: pd.DataFrame | None = None,
    rules: CapacityRules | None = None,
) -> pd.DataFrame:
    """Carrying-capacity statuses per county and year (and city rows of ``account``).

    Parameters
    ----------
    account : :func:`qingliu.assess.resources.water_account` output.
    zone_compliance : optional columns county_id, year, zone_compliance (%): Q.
    zone_target : Q0 (%), e.g. the red-line zone-compliance target of the year.
    groundwater : optional columns county_id, year and any of overdraft_coefficient,
        deep_confined, geohazard.

    Returns
    -------
    DataFrame: county_id, year, the ratios (quota_ratio, groundwater_ratio, quality_ratio) and
    for total_use, groundwater, quantity, quality and overall a status code and its words
    (``<element>_status``, ``<element>_zh``, ``<element>_en``). Quantity = the worse of total
    use and groundwater; overall = the worse of quantity and quality (quality not assessed:
    overall = quantity).
    """
    rules = rules or load_capacity_rules()
    out = account[["county_id", "year", "quota_ratio", "groundwater_ratio"]].copy()
    keys = pd.MultiIndex.from_frame(out[["county_id", "year"]])
    q = np.full(len(out), np.nan)
    if zone_compliance is not None and zone_target:
        zones = zone_compliance.set_index(["county_id", "year"])["zone_compliance"].astype(float)
        q = zones.reindex(keys).to_numpy() / zone_target
    out["quality_ratio"] = q
    status = {
        "total_use": overload_status(out["quota_ratio"], "total_use", rules),
        "groundwater": overload_status(out["groundwater_ratio"], "groundwater", rules),
        "quality": overload_status(q, "quality", rules),
    }
    if groundwater is not None:
        extra = groundwater.set_index(["county_id", "year"]).reindex(keys)
        coefficient = extra.get("overdraft_coefficient", pd.Series(np.nan, index=keys)).to_numpy(float)
        flags = [
            extra.get(c, pd.Series(False, index=keys)).fillna(False).to_numpy(bool)
            for c in ("deep_confined", "geohazard")
        ]
        by_overdraft = overdraft_status(coefficient, *flags, rules=rules)
        status["groundwater"] = np.where(
            status["groundwater"] == NOT_ASSESSED, NOT_ASSESSED, np.maximum(status["groundwater"], by_overdraft)
        )
    status["quantity"] = _worst(status["total_use"], status["groundwater"])
    status["overall"] = _worst(status["quantity"], status["quality"])
    zh = np.array(("未评价", *rules.zh), dtype=object)
    en = np.array(("not assessed", *rules.en), dtype=object)
    for element, code in status.items():
        out[f"{element}_status"] = code
        out[f"{element}_zh"] = zh[code + 1]
        out[f"{element}_en"] = en[code + 1]
    return out


# --- 四水四定 -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Quotas:
    """Water-use quotas (``water_quotas.toml``): domestic L/(person*d) urban and rural, gross
    irrigation m3/mu, industry m3/1e4 yuan of value added."""

    urban_l_per_person_day: float
    rural_l_per_person_day: float
    irrigation_m3_per_mu: float
    industry_m3_per_1e4yuan: float


@cache
def load_quotas(name: str = "water_quotas") -> Quotas:
    """Load the quotas (default ``water_quotas.toml``)."""
    data = load_toml(name)
    return Quotas(
        data["domestic"]["urban_l_per_person_day"],
        data["domestic"]["rural_l_per_person_day"],
        data["irrigation"]["gross_m3_per_mu"],
        data["industry"]["m3_per_1e4yuan"],
    )


def four_water_four_fix(
    available: pd.Series,
    county_year: pd.DataFrame,
    account: pd.DataFrame,
    year: int,
    *,
    quotas: Quotas | None = None,
) -> pd.DataFrame:
    """四水四定: what each county's available water supports at the quotas, against today.

    The available water (after ecological flow) is shared among the sectors as they share
    today's use (``account`` of ``year``); ecological use keeps its share. Then (all per year):

    - 以水定人: population = domestic water / domestic quota per person, the quota being the
      urban and rural quotas weighted by today's urban share (urban quota for all without
      ``urban_population``);
    - 以水定地: irrigated area (mu) = agricultural water / irrigation quota per mu;
    - 以水定产: industrial value added (1e4 yuan) = industrial water / quota per 1e4 yuan;
    - ``carrying_ratio`` = available / the demand of today's population, area and industry at
      the quotas (plus today's ecological use): > 1 room to grow, < 1 over the water's means.

    Parameters
    ----------
    available : water available per county (1e4 m3/a), indexed by county_id, e.g. the
        total-use quota or the supply of an allocation run.
    county_year : canonical frame (population, urban_population, irrigated_area_mu,
        industry_value_1e4yuan).
    account : :func:`qingliu.assess.resources.water_account` output with ``year``.
    year : the year of today's population, area, industry and use.

    Returns
    -------
    DataFrame per county: available, today's population / irrigated_area_mu / industry_value,
    the supportable ones (``*_supported``), headroom (supported - today; negative = deficit),
    demand_at_quota and carrying_ratio.
    """
    quotas = quotas or load_quotas()
    days = 366 if calendar.isleap(year) else 365
    now = county_year[county_year["year"] == year].set_index("county_id")
    use = account[(account["year"] == year) & (account["county_id"] != CITY)].set_index("county_id")
    counties = available.index
    avail = available.astype(float).to_numpy()
    use = use.reindex(counties)
    now = now.reindex(counties)
    sectors = use[["use_domestic", "use_agriculture", "use_industry", "use_ecological"]].to_numpy(float)
    share = sectors / sectors.sum(axis=1, keepdims=True)
    water = avail[:, None] * share  # 1e4 m3/a per sector
    population = now["population"].to_numpy(float)
    urban = now["urban_population"].to_numpy(float) if "urban_population" in now else np.full(len(now), np.nan)
    urban_share = np.where(np.isnan(urban), 1.0, urban / population)
    per_person = urban_share * quotas.urban_l_per_person_day + (1 - urban_share) * quotas.rural_l_per_person_day
    litres = M3_PER_1E4M3 * LITRES_PER_M3
    per_person_1e4m3 = per_person * days / litres  # 1e4 m3 per person per year
    per_mu = quotas.irrigation_m3_per_mu / M3_PER_1E4M3
    per_value = quotas.industry_m3_per_1e4yuan / M3_PER_1E4M3
    area = now["irrigated_area_mu"].to_numpy(float)
    value = now["industry_value_1e4yuan"].to_numpy(float)
    out = pd.DataFrame({"county_id": counties.to_numpy(), "year": year, "available": avail})
    for name, today, water_for, unit_need in (
        ("population", population, water[:, 0], per_person_1e4m3),
        ("irrigated_area_mu", area, water[:, 1], per_mu),
        ("industry_value", value, water[:, 2], per_value),
    ):
        out[name] = today
        out[f"{name}_supported"] = water_for / unit_need
        out[f"{name}_headroom"] = out[f"{name}_supported"] - today
    out["demand_at_quota"] = population * per_person_1e4m3 + area * per_mu + value * per_value + sectors[:, 3]
    out["carrying_ratio"] = avail / out["demand_at_quota"]
    return out
