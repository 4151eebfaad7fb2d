"""Water resources of a workspace for a year (水资源): accounting, red lines, carrying capacity,
四水四定 and allocation over the network.

Joins the store and the canonical-frame tools of :mod:`qingliu.services.water_resources_tools`:

* the water account per county and for the city by sector and origin, against each county's
  total-use and groundwater quotas (最严格水资源管理制度, 国发〔2012〕3号);
* the red-line and efficiency indicators against their targets with the progress from the
  base year (``standards/red_lines.toml``);
* carrying-capacity statuses (全国水资源承载能力监测预警技术大纲, 2016, thresholds in
  ``standards/carrying_capacity_2016.toml``): quantity from the account, quality from the share
  of sections meeting their target in the water-environment assessment when one is passed in;
* 四水四定: the population, irrigated area and industry each county's quota supports at the
  quotas of ``standards/water_quotas.toml``, and the headroom (+) or deficit (-) against today;
* a monthly allocation over the network of the last :data:`ALLOCATION_YEARS` years of inflow
  with the demands of the year: supply, shortage and reliability per county and sector, and
  eco-flow met at the control sections; optionally the scenarios of a file side by side.

A table the workspace lacks (no water use in the year, no network or flows) leaves its results
empty and adds a note in Chinese and English; nothing raises for absent data.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sqlalchemy.engine import Engine

from qingliu import io, store
from qingliu.assess.carrying_capacity import carrying_capacity
from qingliu.assess.resources import CITY, water_account
from qingliu.services.water_quality import WaterQualityAssessment
from qingliu.services.water_resources_tools import (
    ScenarioRuns,
    account_table,
    allocation_model,
    capacity_table,
    read_scenarios,
    read_tables,
    red_lines_table,
    run_scenarios,
    station_inflows,
    zone_compliance_of,
)
from qingliu.simulate.allocation_results import met
from qingliu.simulate.network_lp import AllocationError

ALLOCATION_YEARS = 10
"""Calendar years of inflow simulated, up to the assessed year (the recent hydrology)."""
ALLOCATION_STEP = "month"
"""Time step of the allocation: monthly, so that ten years solve in well under a second."""

Note = tuple[str, str]
"""A remark on the results: (Chinese, English)."""

ALLOCATION_TABLES = ("node", "station", "flow_daily", "section", "reservoir", "source")


@dataclass(frozen=True)
class CityWaterUse:
    """The dashboard's key figure: the city's total water use against its quota (1e4 m3).

    ``*_pct`` = use / quota in %, None without a quota (a city quota needs every county's);
    ``previous_*`` for the year before; ``status``, ``status_zh``, ``status_en``: the
    total-use carrying-capacity status of the year (-1 未评价 without a quota).
    """

    year: int
    use_1e4m3: float | None
    quota_1e4m3: float | None
    pct_of_quota: float | None
    previous_use_1e4m3: float | None
    previous_quota_1e4m3: float | None
    previous_pct_of_quota: float | None
    status: int
    status_zh: str
    status_en: str


@dataclass(frozen=True)
class WaterResourcesAssessment:
    """Water-resources results of a workspace for one year (frames; empty when data lack).

    Attributes
    ----------
    year : the assessed year.
    account : per county and the city (``county_id = "*"``, name 全市): name, use by sector
        and origin, total_use, water_quota, groundwater_quota, their ratios and within flags
        (:func:`qingliu.assess.resources.water_account`), 1e4 m3.
    previous_account : the same for the year before (empty without data).
    red_lines : long table per county and indicator: value, target, met, progress
        (:func:`qingliu.assess.resources.red_line_status`).
    capacity : statuses per county and city (:func:`qingliu.assess.carrying_capacity.carrying_capacity`).
    four_water : 四水四定 per county with a quota
        (:func:`qingliu.assess.carrying_capacity.four_water_four_fix`).
    allocation : per county and sector of the base run: demand, supply, shortage (1e4 m3/a,
        means over the years), shortage_pct, reliability_years (share of years fully met),
        reliability_steps (share of months); and one row per county with sector "*".
    eco_flow : per control section: node_id, name, target_m3s, flow_m3s, met_share, deficit.
    allocation_years : (first, last) simulated year, None without an allocation.
    scenarios : one row per quantity, one column per scenario
        (:meth:`ScenarioRuns.comparison`); empty without a scenarios file.
    scenario_labels : scenario name -> (zh, en).
    quality_assessed : whether the quality element came from a water-quality assessment.
    notes : remarks (zh, en): data that were missing, steps left out.
    """

    year: int
    account: pd.DataFrame
    previous_account: pd.DataFrame
    red_lines: pd.DataFrame
    capacity: pd.DataFrame
    four_water: pd.DataFrame
    allocation: pd.DataFrame
    eco_flow: pd.DataFrame
    allocation_years: tuple[int, int] | None
    scenarios: pd.DataFrame
    scenario_labels: dict[str, tuple[str, str]]
    quality_assessed: bool
    notes: tuple[Note, ...]

    @property
    def empty(self) -> bool:
        """True when the workspace had no water use in the year."""
        return self.account.empty

    def city_figure(self) -> CityWaterUse:
        """The dashboard figure of these results."""
        return _city_figure(self.year, self.account, self.previous_account)


# --- the dashboard figure ------------------------------------------------------------------


def _plain(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _city_row(account: pd.DataFrame) -> pd.Series | None:
    rows = account[account["county_id"] == CITY] if len(account) else account
    return rows.iloc[0] if len(rows) else None


def _city_figure(
    year: int, account: pd.DataFrame, previous: pd.DataFrame
) -> CityWaterUse:
    now, before = _city_row(account), _city_row(previous)

    def values(
        row: pd.Series | None,
    ) -> tuple[float | None, float | None, float | None]:
        if row is None:
            return None, None, None
        ratio = _plain(row["quota_ratio"])
        return (
            _plain(row["total_use"]),
            _plain(row["water_quota"]),
            None if ratio is None else 100.0 * ratio,
        )

    if now is None:
        status = pd.Series(
            {
                "total_use_status": -1,
                "total_use_zh": "未评价",
                "total_use_en": "not assessed",
            }
        )
    else:
        status = carrying_capacity(
            now.to_frame().T.astype({"quota_ratio": float, "groundwater_ratio": float})
        ).iloc[0]
    return CityWaterUse(
        year, *values(now), *values(before),
        int(status["total_use_status"]), str(status["total_use_zh"]), str(status["total_use_en"]),
    )  # fmt: skip


def city_water_use_figure(engine: Engine, year: int) -> CityWaterUse:
    """The city's water use against its quota in ``year`` and the year before, for the
    dashboard (reads only ``county_year`` and ``water_use``)."""
    with engine.connect() as conn:
        county_year = store.read(conn, "county_year", where={"year": [year - 1, year]})
        water_use = store.read(conn, "water_use", where={"year": [year - 1, year]})
    if water_use.empty:
        return _city_figure(year, pd.DataFrame(), pd.DataFrame())
    account = water_account(water_use, county_year, [year - 1, year])
    return _city_figure(
        year, account[account["year"] == year], account[account["year"] == year - 1]
    )


# --- allocation ----------------------------------------------------------------------------


def _window(inflow: pd.DataFrame, year: int) -> tuple[int, int] | None:
    """The last :data:`ALLOCATION_YEARS` whole calendar years of inflow up to ``year``."""
    days = inflow.index
    counts = pd.Series(1, index=days).groupby(days.year).size()
    whole = [
        int(y)
        for y, n in counts.items()
        if n == (366 if pd.Timestamp(int(y), 12, 31).is_leap_year else 365)
    ]
    whole = [y for y in whole if y <= year]
    if not whole:
        return None
    last = whole[-1]
    first = min(y for y in whole if y > last - ALLOCATION_YEARS)
    return first, last


def _reliability(runs: ScenarioRuns) -> pd.DataFrame:
    """Per county and sector of the base run, and per county (sector "*")."""
    run = runs.runs["base"]
    demands = run.demand_summary()
    keep = ["county_id", "sector", "demand", "supply", "shortage", "shortage_pct", "reliability_years",
            "reliability_steps"]  # fmt: skip
    per_demand = demands[keep]
    series = run.series()
    county_of = dict(zip(demands["demand_id"], demands["county_id"], strict=True))
    series = series.assign(
        county_id=series["demand_id"].map(county_of), year=series["time"].dt.year
    )
    by_year = series.groupby(["county_id", "year"])[["demand", "supply"]].sum()
    by_step = series.groupby(["county_id", "time"])[["demand", "supply"]].sum()
    county = per_demand.groupby("county_id", sort=False)[
        ["demand", "supply", "shortage"]
    ].sum()
    county["shortage_pct"] = 100.0 * county["shortage"] / county["demand"]
    county["reliability_years"] = (
        pd.Series(met(by_year["supply"].to_numpy(), by_year["demand"].to_numpy()), index=by_year.index)
        .groupby(level="county_id").mean()
    )  # fmt: skip
    county["reliability_steps"] = (
        pd.Series(met(by_step["supply"].to_numpy(), by_step["demand"].to_numpy()), index=by_step.index)
        .groupby(level="county_id").mean()
    )  # fmt: skip
    county = county.reset_index().assign(sector="*")[keep]
    return pd.concat([per_demand, county], ignore_index=True).sort_values(
        ["county_id", "sector"], ignore_index=True
    )


def _allocation(
    tables: dict[str, pd.DataFrame], year: int, scenarios: str | Path | None
) -> tuple[
    pd.DataFrame, pd.DataFrame, tuple[int, int] | None, ScenarioRuns | None, list[Note]
]:
    """Base allocation (and scenarios) of the recent years; empty results with a note when the
    workspace lacks the network or flows."""
    missing = [t for t in ("node", "station", "flow_daily") if tables[t].empty]
    if missing:
        return _no_allocation(
            f"工作空间缺少{'、'.join(missing)}数据，未作水资源配置。",
            f"The workspace has no {', '.join(missing)} data: no allocation.",
        )
    try:
        inflow = station_inflows(
            tables["node"], tables["station"], tables["flow_daily"]
        )
        window = _window(inflow, year)
        if window is None:
            return _no_allocation(f"{year} 年及以前没有完整年份的来水，未作水资源配置。",
                                  f"No whole year of inflow up to {year}: no allocation.")  # fmt: skip
        optional = {
            t: (None if tables[t].empty else tables[t])
            for t in ("section", "reservoir", "source")
        }
        model = allocation_model(
            tables["node"], tables["county"], tables["county_year"], tables["water_use"], inflow=inflow, year=year,
            section=optional["section"], reservoir=optional["reservoir"], source=optional["source"],
        )  # fmt: skip
    except (io.InputError, AllocationError) as exc:
        return _no_allocation(*_failed(exc))
    chosen = (
        read_scenarios(scenarios, model) if scenarios is not None else {}
    )  # a bad file is the user's to fix
    try:
        runs = run_scenarios(model, inflow, chosen, step=ALLOCATION_STEP, start=f"{window[0]}-01-01",
                             end=f"{window[1]}-12-31")  # fmt: skip
    except AllocationError as exc:
        return _no_allocation(*_failed(exc))
    eco = runs.runs["base"].eco_summary()
    names = (
        tables["section"].drop_duplicates("node_id").set_index("node_id")["name"]
        if len(tables["section"])
        else {}
    )
    eco.insert(
        1, "name", eco["node_id"].map(names).fillna(eco["node_id"]) if len(eco) else []
    )
    notes: list[Note] = []
    if window[1] < year:
        notes.append((f"来水资料止于 {window[1]} 年，配置用 {window[0]}—{window[1]} 年来水、{year} 年需水。",
                      (f"Inflows end in {window[1]}: the allocation uses the inflows of {window[0]}-{window[1]} "
                       f"with the demands of {year}.")))  # fmt: skip
    return _reliability(runs), eco, window, runs if chosen else None, notes


def _failed(exc: io.InputError | AllocationError) -> Note:
    if isinstance(exc, io.InputError):
        zh, en = (
            "；".join(p.zh for p in exc.problems),
            "; ".join(p.en for p in exc.problems),
        )
    else:
        zh, en = exc.zh, exc.en
    return f"水资源配置未能完成：{zh}", f"Allocation could not run: {en}"


def _no_allocation(
    zh: str, en: str
) -> tuple[pd.DataFrame, pd.DataFrame, None, None, list[Note]]:
    return pd.DataFrame(), pd.DataFrame(), None, None, [(zh, en)]


# --- the assessment --------------------------------------------------------------------------


def _zone_compliance(
    wq: WaterQualityAssessment | None, year: int
) -> tuple[pd.DataFrame | None, list[Note]]:
    """Share of sections meeting their target per county and city from the water-quality
    assessment of ``year`` (the proxy of 水功能区水质达标率)."""
    if wq is None:
        return None, [("未提供水环境评价结果，承载能力只评价水量要素。",
                       "No water-quality assessment given: carrying capacity on quantity only.")]  # fmt: skip
    if wq.year != year or wq.sections.empty:
        return None, [(f"水环境评价不是 {year} 年的结果，承载能力只评价水量要素。",
                       f"The water-quality assessment is not of {year}: carrying capacity on quantity only.")]  # fmt: skip
    return zone_compliance_of(wq), []


def assess_water_resources(
    engine: Engine,
    year: int,
    *,
    water_quality: WaterQualityAssessment | None = None,
    allocate: bool = True,
    scenarios: str | Path | None = None,
) -> WaterResourcesAssessment:
    """Account, red lines, carrying capacity, 四水四定 and allocation of a workspace for ``year``.

    Parameters
    ----------
    engine : the workspace's database.
    year : the assessed year (use, quotas and population of that year).
    water_quality : the water-environment assessment of ``year``: its sections' target
        compliance per county is the zone-compliance red line and the quality element of the
        carrying capacity (none: quantity only, with a note).
    allocate : run the monthly allocation of the last :data:`ALLOCATION_YEARS` years.
    scenarios : a scenario file (TOML, :mod:`qingliu.simulate.scenarios`) whose scenarios
        run beside the base; only with ``allocate``.

    Returns
    -------
    WaterResourcesAssessment (frames empty where the workspace lacks the data, with a note).

    Raises
    ------
    qingliu.io.InputError
        A scenario file that cannot be read (bad scenarios become a note, as other model errors).
    """
    tables = read_tables(engine, ("county", "county_year", "water_use"))
    water_use, county_year, county = (
        tables["water_use"],
        tables["county_year"],
        tables["county"],
    )
    notes: list[Note] = []
    empty = pd.DataFrame()
    if not (water_use["year"] == year).any():
        notes.append((f"工作空间没有 {year} 年的用水数据，未作水资源评价。",
                      f"No water use in {year} in the workspace: no water-resources assessment."))  # fmt: skip
        return WaterResourcesAssessment(year, empty, empty, empty, empty, empty, empty, empty, None, empty, {},
                                        False, tuple(notes))  # fmt: skip
    zones, zone_notes = _zone_compliance(water_quality, year)
    notes += zone_notes
    account = account_table(water_use, county_year, year, county)
    previous = (
        account_table(water_use, county_year, year - 1, county)
        if (water_use["year"] == year - 1).any()
        else empty
    )
    red_lines = red_lines_table(
        water_use, county_year, year, county=county, zone_compliance=zones
    )
    capacity, four_water = capacity_table(
        water_use, county_year, year, county=county, zone_compliance=zones
    )
    if account.loc[account["county_id"] != CITY, "water_quota"].isna().any():
        notes.append(("部分区县缺少用水总量控制指标，其承载状况与四水四定未评价。",
                      "Some counties have no total-use quota: their carrying capacity and 四水四定 are not assessed."))  # fmt: skip
    allocation, eco, window, runs, allocation_notes = (
        pd.DataFrame(),
        pd.DataFrame(),
        None,
        None,
        [],
    )
    if allocate:
        tables.update(read_tables(engine, ALLOCATION_TABLES))
        allocation, eco, window, runs, allocation_notes = _allocation(
            tables, year, scenarios
        )
        if len(allocation):
            allocation = allocation.merge(
                account[["county_id", "name"]], on="county_id", how="left"
            )
    notes += allocation_notes
    return WaterResourcesAssessment(
        year, account, previous, red_lines, capacity, four_water, allocation, eco, window,
        runs.comparison() if runs is not None else empty, dict(runs.labels) if runs is not None else {},
        zones is not None, tuple(notes),
    )  # fmt: skip


__all__ = [
    "ALLOCATION_STEP",
    "ALLOCATION_YEARS",
    "CityWaterUse",
    "WaterResourcesAssessment",
    "assess_water_resources",
    "city_water_use_figure",
]
