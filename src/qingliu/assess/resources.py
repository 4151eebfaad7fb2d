"""Water-use accounting, efficiency indicators and the three red lines (最严格水资源管理制度).

- :func:`water_account`: use per county and year by sector and by origin, against the county's
  total-use quota (用水总量控制指标) and groundwater quota (地下水开采控制指标);
- :func:`efficiency`: use per 1e4 yuan GDP and per 1e4 yuan industrial value added (with their
  decline rates at comparable prices against a base year), domestic use per capita, the
  farmland irrigation coefficient and the reclaimed-water share;
- :func:`red_line_status`: every indicator against its target, met or not, and the progress
  from the base year toward the target.

Targets and comparison rules are data (``standards/red_lines.toml``, 国发〔2012〕3号); volumes
are in 1e4 m3, money in 1e4 yuan (docs/units.md). Counties are the rows; the city is the row
``county_id = "*"``, summed over the counties (a quota of the city is the sum of the counties'
quotas, NaN when one is missing).
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd

from qingliu.model.tables import ORIGINS, SECTORS
from qingliu.standards import load_toml, unit_factor

CITY = "*"
"""``county_id`` of the row for the whole city."""

EQUAL_RTOL = 1e-9
"""Relative difference below which a value equals its target: sums of decimal data such as
791.6 + 465.7 + 428.4 + 186.3 differ from 1872.0 in the last binary digit."""
LITRES_PER_M3 = 1000.0
M3_PER_1E4M3 = unit_factor("1e4 m3", "m3", "volume")


@dataclass(frozen=True)
class RedLines:
    """The red-line indicators and national milestones of ``red_lines.toml``.

    Attributes
    ----------
    document : designation of the source (国发〔2012〕3号).
    indicators : {code: {"zh", "en", "unit", "compare"}}; compare "le" (value <= target meets
        it) or "ge" (value >= target).
    milestones : tuple of {"year", indicator codes -> target, optional "base_year", "source"},
        by year.
    """

    document: str
    indicators: Mapping[str, Mapping[str, str]]
    milestones: tuple[Mapping[str, object], ...]

    def milestone(self, year: int) -> Mapping[str, object]:
        """The milestone that applies to ``year``: the first one in or after it (the last one
        for later years)."""
        later = [m for m in self.milestones if int(m["year"]) >= year]
        return later[0] if later else self.milestones[-1]

    def goal(self, year: int) -> tuple[dict[str, float], dict[str, int]]:
        """Targets for ``year`` and the milestone year each comes from: each indicator from the
        first milestone in or after ``year`` that sets it (the target being worked toward),
        else from the latest earlier one. ``base_year`` follows the same rule."""
        later = [m for m in self.milestones if int(m["year"]) >= year]
        earlier = [m for m in reversed(self.milestones) if int(m["year"]) < year]
        values: dict[str, float] = {}
        years: dict[str, int] = {}
        for m in later + earlier:
            for key, value in m.items():
                if key not in ("year", "source") and key not in values:
                    values[key], years[key] = value, int(m["year"])
        return values, years


@cache
def load_red_lines(name: str = "red_lines") -> RedLines:
    """Load the red lines (default ``red_lines.toml``, 国发〔2012〕3号)."""
    data = load_toml(name)
    milestones = tuple(sorted(data["milestone"], key=lambda m: m["year"]))
    return RedLines(document=data["meta"]["document"], indicators=data["indicator"], milestones=milestones)


def _county_years(county_year: pd.DataFrame) -> pd.DataFrame:
    return county_year.drop_duplicates(["county_id", "year"]).set_index(["county_id", "year"]).sort_index()


def water_account(water_use: pd.DataFrame, county_year: pd.DataFrame, years: object = None) -> pd.DataFrame:
    """Water use per county and year by sector and origin, against the quotas.

    Parameters
    ----------
    water_use : canonical ``water_use`` rows (county_id, year, sector, origin, volume in 1e4 m3).
    county_year : canonical ``county_year`` rows; uses ``water_quota_1e4m3`` and
        ``groundwater_quota_1e4m3`` (NaN where not set).
    years : a year or a list of years to keep; default all years of ``water_use``.

    Returns
    -------
    DataFrame, one row per county and year and one per year for the city (``county_id = "*"``):
    ``use_<sector>`` and ``use_<origin>`` (1e4 m3, 0 where no row), ``total_use``,
    ``water_quota``, ``groundwater_quota``, ``quota_ratio`` = total / quota and
    ``groundwater_ratio`` = ground / groundwater quota (NaN without a quota),
    ``within_quota`` and ``within_groundwater_quota`` (use <= quota, 国发〔2012〕3号 用水总量
    控制; NA without a quota).
    """
    use = water_use
    if years is not None:
        use = use[use["year"].isin(np.atleast_1d(years))]
    by_sector = use.pivot_table(index=["county_id", "year"], columns="sector", values="volume", aggfunc="sum")
    by_origin = use.pivot_table(index=["county_id", "year"], columns="origin", values="volume", aggfunc="sum")
    table = pd.concat(
        [
            by_sector.reindex(columns=list(SECTORS)).add_prefix("use_"),
            by_origin.reindex(columns=list(ORIGINS)).add_prefix("use_"),
        ],
        axis=1,
    ).fillna(0.0)
    table["total_use"] = table[[f"use_{s}" for s in SECTORS]].sum(axis=1)
    quotas = _county_years(county_year).reindex(table.index)
    table["water_quota"] = quotas["water_quota_1e4m3"].astype(float).to_numpy()
    table["groundwater_quota"] = quotas.get("groundwater_quota_1e4m3", pd.Series(np.nan, index=quotas.index))
    table["groundwater_quota"] = table["groundwater_quota"].astype(float)
    city = table.groupby(level="year").sum(min_count=1)
    for column in ("water_quota", "groundwater_quota"):  # a city quota needs every county's quota
        city[column] = table[column].groupby(level="year").apply(lambda s: s.sum() if s.notna().all() else np.nan)
    city.index = pd.MultiIndex.from_product([[CITY], city.index], names=["county_id", "year"])
    table = pd.concat([table, city]).reset_index()
    table["quota_ratio"] = table["total_use"] / table["water_quota"]
    table["groundwater_ratio"] = table["use_ground"] / table["groundwater_quota"]
    table["within_quota"] = _compare(table["total_use"], table["water_quota"], "le")
    table["within_groundwater_quota"] = _compare(table["use_ground"], table["groundwater_quota"], "le")
    return table


def _compare(value: object, target: object, how: object) -> pd.Series:
    """``value <= target`` where ``how`` is "le", ``>=`` where "ge", as a nullable boolean;
    NA where either number is NaN. Equal up to :data:`EQUAL_RTOL` counts as equal."""
    v, t = np.asarray(value, dtype=float), np.asarray(target, dtype=float)
    on_target = np.isclose(v, t, rtol=EQUAL_RTOL, atol=0.0)
    met = np.where(np.asarray(how) == "le", v <= t, v >= t) | on_target
    return pd.Series(pd.array(np.where(np.isnan(v) | np.isnan(t), None, met), dtype="boolean"))


def efficiency(
    water_use: pd.DataFrame,
    county_year: pd.DataFrame,
    *,
    base_year: int,
    deflator: pd.DataFrame | None = None,
    irrigation: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Water-use efficiency indicators per county and year, and for the city.

    Definitions (``red_lines.toml`` [indicator], 国发〔2012〕3号 [M]):

    - ``gdp_intensity`` 万元GDP用水量 = total use / GDP, m3 per 1e4 yuan;
    - ``industry_intensity`` 万元工业增加值用水量 = industrial use / industrial value added;
    - ``gdp_intensity_decline`` and ``industry_intensity_decline`` (%): the decline from
      ``base_year`` at comparable prices, ``100 (I_base - I) / I_base`` with money divided by
      the price level of its year (``deflator``) so that both years count in base-year yuan;
    - ``domestic_per_capita`` 人均生活用水量 = domestic use / population / days of the year,
      L per person per day;
    - ``reclaimed_share`` = reclaimed use / total use, %;
    - ``irrigation_coefficient`` 农田灌溉水有效利用系数, taken from ``irrigation`` (measured
      by the 首尾测算法, not computable from use totals); NaN where not given.

    Parameters
    ----------
    water_use, county_year : canonical frames (volumes 1e4 m3, money 1e4 yuan).
    base_year : year the decline rates are measured from.
    deflator : optional columns ``year``, ``price_index`` (price level of the year, any base)
        and optionally ``county_id``; default: money already at comparable prices.
    irrigation : optional columns ``county_id``, ``year``, ``irrigation_coefficient``
        (``county_id = "*"`` for the city).

    Returns
    -------
    DataFrame: county_id, year, base_year, total_use, gdp_comparable, industry_value_comparable,
    population, the indicators above. Missing money or population gives NaN indicators.
    """
    account = water_account(water_use, county_year).set_index(["county_id", "year"])
    social = _county_years(county_year)[["population", "gdp_1e4yuan", "industry_value_1e4yuan"]].astype(float)
    social = _deflate(social, deflator)
    city = social.groupby(level="year").sum(min_count=1)
    city.index = pd.MultiIndex.from_product([[CITY], city.index], names=["county_id", "year"])
    social = pd.concat([social, city])
    out = account[["total_use", "use_industry", "use_domestic", "use_reclaimed"]].join(social, how="left")
    volume = M3_PER_1E4M3
    out["gdp_intensity"] = out["total_use"] * volume / out["gdp_1e4yuan"]
    out["industry_intensity"] = out["use_industry"] * volume / out["industry_value_1e4yuan"]
    days = np.array([366 if calendar.isleap(int(y)) else 365 for y in out.index.get_level_values("year")])
    out["domestic_per_capita"] = out["use_domestic"] * volume * LITRES_PER_M3 / out["population"] / days
    out["reclaimed_share"] = 100.0 * out["use_reclaimed"] / out["total_use"]
    for column in ("gdp_intensity", "industry_intensity"):
        base = out[column].xs(base_year, level="year") if base_year in out.index.get_level_values("year") else None
        base_value = (
            base.reindex(out.index.get_level_values("county_id")).to_numpy(float) if base is not None else np.nan
        )
        out[f"{column}_decline"] = 100.0 * (base_value - out[column].to_numpy(float)) / base_value
    out["irrigation_coefficient"] = np.nan
    if irrigation is not None:
        measured = irrigation.set_index(["county_id", "year"])["irrigation_coefficient"].astype(float)
        out["irrigation_coefficient"] = measured.reindex(out.index).to_numpy()
    out = out.rename(columns={"gdp_1e4yuan": "gdp_comparable", "industry_value_1e4yuan": "industry_value_comparable"})
    out["base_year"] = base_year
    columns = [
        "base_year",
        "total_use",
        "gdp_comparable",
        "industry_value_comparable",
        "population",
        "gdp_intensity",
        "gdp_intensity_decline",
        "industry_intensity",
        "industry_intensity_decline",
        "domestic_per_capita",
        "reclaimed_share",
        "irrigation_coefficient",
    ]
    return out[columns].reset_index()


def _deflate(social: pd.DataFrame, deflator: pd.DataFrame | None) -> pd.DataFrame:
    """Money columns divided by the price level of their year (per county where given)."""
    if deflator is None:
        return social
    keys = ["county_id", "year"] if "county_id" in deflator.columns else ["year"]
    level = deflator.set_index(keys)["price_index"].astype(float)
    index = social.index if len(keys) == 2 else social.index.get_level_values("year")
    factor = level.reindex(index).to_numpy()
    out = social.copy()
    for column in ("gdp_1e4yuan", "industry_value_1e4yuan"):
        out[column] = out[column].to_numpy() / factor
    return out


def progress(value: object, base: object, target: object) -> np.ndarray:
    """Share of the way from the base-year value to the target: ``(v - v0) / (T - v0)``.

    1 means the target is reached (> 1 passed); NaN where the target equals the base value or
    a number is missing. For a decline rate the base value is 0, so progress = achieved / target.
    """
    v, v0, t = (np.asarray(x, dtype=float) for x in (value, base, target))
    with np.errstate(divide="ignore", invalid="ignore"):
        share = (v - v0) / (t - v0)
    return np.where(t == v0, np.nan, share)


def red_line_status(
    account: pd.DataFrame,
    indicators: pd.DataFrame,
    year: int,
    *,
    targets: Mapping[str, float] | None = None,
    zone_compliance: pd.DataFrame | None = None,
    red_lines: RedLines | None = None,
) -> pd.DataFrame:
    """Every red-line indicator of ``year`` against its target, per county and for the city.

    Targets: total use and groundwater against each county's quotas (``account``); the others
    from ``targets`` ({indicator code: target, optionally "base_year"}, e.g. a city's own
    十四五 targets), else the national ones being worked toward (:meth:`RedLines.goal`:
    the first milestone in or after ``year`` that sets the indicator, ``red_lines.toml``). A value equal to its target meets it ("以上/以下" include the number;
    equal up to floating-point rounding, relative 1e-9, of sums of decimal data).

    Decline rates are computed here from the intensities of ``indicators`` (comparable prices)
    against the target's ``base_year``: ``100 (I_base - I) / I_base``.

    Parameters
    ----------
    account : :func:`water_account` output.
    indicators : :func:`efficiency` output, with the base year and ``year`` among its years.
    year : the assessed year.
    targets : optional overrides of the milestone targets.
    zone_compliance : optional columns county_id, year, zone_compliance (%), e.g. the share of
        sections meeting their target from the water-environment assessment.
    red_lines : default :func:`load_red_lines`.

    Returns
    -------
    Long DataFrame: county_id, year, indicator, name_zh, name_en, unit, value, target,
    target_year (the milestone's year; the assessed year for quotas; NA for given targets),
    compare, met (nullable boolean; NA when value or target is missing), base_value (the base year's
    value; 0 for decline rates; NaN for the quotas, which are levels, not paths), progress
    (:func:`progress`).
    """
    rules = red_lines or load_red_lines()
    goal, from_year = rules.goal(year)
    goal.update(targets or {})
    from_year = {k: (None if k in (targets or {}) else v) for k, v in from_year.items()}
    base_year = int(goal.get("base_year", indicators["base_year"].iloc[0] if len(indicators) else year))
    now = account[account["year"] == year].set_index("county_id")
    counties = now.index
    ind = indicators.set_index(["county_id", "year"])

    def at(column: str, y: int) -> np.ndarray:
        values = ind[column].xs(y, level="year") if y in ind.index.get_level_values("year") else pd.Series(dtype=float)
        return values.reindex(counties).to_numpy(float)

    rows = [
        _indicator_rows("total_use", counties, now["total_use"], now["water_quota"], np.nan),
        _indicator_rows("groundwater", counties, now["use_ground"], now["groundwater_quota"], np.nan),
    ]
    if zone_compliance is not None:
        zones = zone_compliance.set_index(["county_id", "year"])["zone_compliance"].astype(float)
        value = (
            zones.xs(year, level="year").reindex(counties) if year in zones.index.get_level_values("year") else np.nan
        )
        rows.append(_indicator_rows("zone_compliance", counties, value, goal.get("zone_compliance", np.nan), np.nan))
    for code in ("gdp_intensity", "industry_intensity", "irrigation_coefficient"):
        if code in goal:
            rows.append(_indicator_rows(code, counties, at(code, year), goal[code], at(code, base_year)))
    for code in ("gdp_intensity", "industry_intensity"):
        if f"{code}_decline" in goal:
            base = at(code, base_year)
            decline = 100.0 * (base - at(code, year)) / base
            rows.append(_indicator_rows(f"{code}_decline", counties, decline, goal[f"{code}_decline"], 0.0))
    table = pd.concat(rows, ignore_index=True)
    names = pd.DataFrame.from_dict(dict(rules.indicators), orient="index")
    table = table.join(names[["zh", "en", "unit", "compare"]], on="indicator")
    table = table.rename(columns={"zh": "name_zh", "en": "name_en"})
    table["met"] = _compare(table["value"], table["target"], table["compare"])
    table["progress"] = progress(table["value"], table["base_value"], table["target"])
    table.insert(1, "year", year)
    milestone_year = table["indicator"].map(lambda code: from_year.get(code))
    table["target_year"] = pd.array(
        milestone_year.where(~table["indicator"].isin(["total_use", "groundwater"]), year), dtype="Int64"
    )
    columns = [
        "county_id",
        "year",
        "indicator",
        "name_zh",
        "name_en",
        "unit",
        "value",
        "target",
        "target_year",
        "compare",
        "met",
        "base_value",
        "progress",
    ]
    return table[columns]


def _indicator_rows(code: str, counties: pd.Index, value: object, target: object, base_value: object) -> pd.DataFrame:
    n = len(counties)
    return pd.DataFrame(
        {
            "county_id": counties.to_numpy(),
            "indicator": code,
            "value": np.broadcast_to(np.asarray(value, dtype=float), (n,)),
            "target": np.broadcast_to(np.asarray(target, dtype=float), (n,)),
            "base_value": np.broadcast_to(np.asarray(base_value, dtype=float), (n,)),
        }
    )
