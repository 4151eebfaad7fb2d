"""Pollution control of a workspace (污染防治) for a year: loads, apportionment, the river
water-quality model, environmental capacity and the least-cut reduction plan.

Reads the canonical tables from the store and runs the chain of
:mod:`qingliu.services.pollution_tools`:

1. the source inventory (入河量 by the export-coefficient method, t/a) by sector, county and kind
   (:func:`load_inventory`);
2. the share of each sector in the annual load entering above every section (catchment), and the
   top sources behind the sections whose annual mean misses the target;
3. K of each item calibrated against the year's section means under the year's observed flows,
   then the model under the design flow (GB/T 25173-2010: 90 % guarantee driest month, 近10年最枯
   月, or an observed period), with a Monte Carlo analysis of the uncertain coefficients;
4. the capacity and reduction of each section's zone and the least total cut meeting every
   target, split by sector and county.

Under a design low flow some gauged flows may be smaller than the effluent of the plants upstream
(the natural flow is then taken as 0) and some sections may carry no water at all: such
sections are flagged ``dry`` and have no concentration, compliance or capacity; both cases are
listed in the result's notes, in Chinese and English.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from sqlalchemy.engine import Engine

from qingliu import store
from qingliu.assess.env_capacity import target_concentrations
from qingliu.assess.loads import ITEMS, LoadError, load_matrix
from qingliu.io.cells import vocabulary
from qingliu.model import NetworkError
from qingliu.services import pollution_tools as pt
from qingliu.services.water_quality import WaterQualityAssessment, failing_sections
from qingliu.standards import catalogue, load_toml

MONTE_CARLO_RUNS = 10_000
"""Monte Carlo runs of the routing model by default (issue 7: 10,000 runs)."""

STATIC_TABLES = ("node", "station", "section", "source", "county")

Note = tuple[str, str]
"""A remark on the result in Simplified Chinese and in English."""


class PollutionDataError(ValueError):
    """Workspace data the pollution computations cannot use; ``str()`` is Chinese / English."""


@dataclass(frozen=True)
class LoadInventory:
    """The source inventory of a workspace (污染源清单).

    Attributes
    ----------
    year : the year whose rain gives the urban runoff loads (None: no year chosen).
    rain_mm : areal annual rain used for urban runoff without reported loads (None: none known).
    loads : one row per source, :func:`qingliu.services.pollution_tools.source_inventory`
        (generated and entering loads, t/a).
    by_sector, by_county, by_kind : entering loads summed by group with each group's share
        (:func:`qingliu.services.pollution_tools.inventory_shares`); by_county carries the
        county name.
    """

    year: int | None
    rain_mm: float | None
    loads: pd.DataFrame
    by_sector: pd.DataFrame
    by_county: pd.DataFrame
    by_kind: pd.DataFrame

    def totals(self) -> pd.Series:
        """Entering load of the whole inventory per item, t/a."""
        return pd.Series(load_matrix(self.loads).sum(axis=0), index=list(ITEMS))


@dataclass(frozen=True)
class PollutionAssessment:
    """Every pollution-control result of a workspace for one year and one flow condition.

    Attributes
    ----------
    year : the year of the observed means (calibration, failing sections) and rain; None if none was chosen.
    design_flow, period : the flow condition of the model (:data:`qingliu.simulate.routing.DESIGN_METHODS`).
    inventory : the source inventory.
    node_loads : annual entering load at every node: node_id, name, river, ``<item>_ta``.
    apportionment : share of each sector in the annual load entering each section's catchment
        (section_id, item, sector, contribution t/a, share, sector_zh, sector_en).
    failing : section_id, name, item, observed_mgl, target_mgl of the sections and items whose
        annual mean exceeds the target.
    top_sources : the largest contributors (routed concentration) behind each failing item.
    calibration, fit : fitted K per item and the fit per section (empty without a year's data).
    k_per_day : K used by the model under the design flow.
    stations : design flow against the model's flow at every station (``consistent`` False where
        the plants upstream discharge more than the station carries).
    sections : modelled concentration, target, compliance and observed mean per section under
        the design flow; ``dry`` where no water flows (no concentration, compliance NA);
        ``items_over`` the items above target ("cod,nh3n").
    nodes : flow, travel time, load and concentration at every node under the design flow.
    uncertainty : Monte Carlo percentiles and probability of exceeding the target (empty when
        no runs were asked for; p_exceed NaN at dry sections).
    capacity : capacity, load and reduction per section zone and item; status "dry" where the
        section carries no water.
    cuts, plan, plan_sections : the least-cut plan: cut per source, cuts by sector and county
        (with the county name), concentrations after the cuts per section.
    notes : remarks on what was left out or assumed, (zh, en).
    """

    year: int | None
    design_flow: str
    period: str | None
    inventory: LoadInventory
    node_loads: pd.DataFrame
    apportionment: pd.DataFrame
    failing: pd.DataFrame
    top_sources: pd.DataFrame
    calibration: pd.DataFrame
    fit: pd.DataFrame
    k_per_day: dict[str, float]
    stations: pd.DataFrame
    sections: pd.DataFrame
    nodes: pd.DataFrame
    uncertainty: pd.DataFrame
    capacity: pd.DataFrame
    cuts: pd.DataFrame
    plan: pd.DataFrame
    plan_sections: pd.DataFrame
    notes: tuple[Note, ...]

    @property
    def has_observations(self) -> bool:
        """The year has section means of at least one load item."""
        return bool(self.sections[[f"{i}_obs" for i in ITEMS]].notna().any(axis=None))

    @property
    def dry_sections(self) -> pd.DataFrame:
        """Sections without water under the design flow."""
        return self.sections.loc[self.sections["dry"], ["section_id", "name"]]

    def condition_label(self, lang: str) -> str:
        """The design flow in words (GB/T 25173-2010 names), Chinese or English."""
        return design_flow_label(self.design_flow, self.period, lang)


def design_flow_label(method: str, period: str | None, lang: str) -> str:
    """Name of a design-flow method with its parameters from gbt25173_2010.toml."""
    spec = load_toml("gbt25173_2010")["design_flow"]
    labels = {
        "guarantee": (f"{spec['guarantee']:.0%}保证率最枯月平均流量", f"driest-month mean flow at {spec['guarantee']:.0%} guarantee"),
        "recent_driest": (f"近{spec['recent_years']}年最枯月平均流量", f"driest monthly mean of the last {spec['recent_years']} years"),
        "observed": (f"{period} 实测平均流量", f"observed mean flow of {period}"),
    }
    zh, en = labels[method]
    return zh if lang == "zh" else en


def kind_name(kind: str, lang: str) -> str:
    """Name of a source kind: the first Chinese word of the importers' vocabulary, or the code in words."""
    if lang != "zh":
        return kind.replace("_", " ")
    return vocabulary()["choices"]["source.kind"].get(kind, [kind])[0]


def _items(codes: pd.Series, lang: str) -> pd.Series:
    """Names of parameter codes from the catalogue (parameters.toml)."""
    names = catalogue()
    return codes.map(lambda c: names[c].zh if lang == "zh" else names[c].en)


def _bilingual(exc: Exception) -> Note:
    zh, _, en = str(exc).partition(" / ")
    return zh, en or zh


def _year_bounds(year: int) -> slice:
    return slice(pd.Timestamp(year, 1, 1), pd.Timestamp(year + 1, 1, 1))


def _read(engine: Engine, year: int | None, *, flows: bool) -> dict[str, pd.DataFrame]:
    """The static tables, the year's samples of the load items and rain, and (``flows``) all daily flows."""
    with engine.connect() as conn:
        frames = {name: store.read(conn, name) for name in STATIC_TABLES}
        if flows:
            frames["flow_daily"] = store.read(conn, "flow_daily", columns=["station_id", "date", "q"])
        if year is None:
            frames["wq_sample"] = store.read(conn, "wq_sample", limit=0)
            frames["rain_daily"] = store.read(conn, "rain_daily", limit=0)
        else:
            frames["wq_sample"] = store.read(conn, "wq_sample", where={"time": _year_bounds(year), "parameter": list(ITEMS)})
            days = slice(f"{year}-01-01", f"{year + 1}-01-01")
            frames["rain_daily"] = store.read(conn, "rain_daily", where={"date": days})
    if frames["source"].empty:
        raise PollutionDataError("工作空间没有污染源（source 表）/ the workspace has no pollution sources (table source)")
    if frames["node"].empty:
        raise PollutionDataError("工作空间没有河网（node 表）/ the workspace has no river network (table node)")
    return frames


def annual_rain(rain: pd.DataFrame) -> float | None:
    """Areal rain of the year (mm): the arithmetic mean (算术平均法) of the gauges' totals; None without gauges."""
    if rain.empty:
        return None
    return float(rain.groupby("station_id")["p_mm"].sum().mean())


def _county_names(frames: dict[str, pd.DataFrame]) -> pd.Series:
    return frames["county"].set_index("county_id")["name"]


def _inventory(frames: dict[str, pd.DataFrame], year: int | None, rain_mm: float | None) -> LoadInventory:
    rain = annual_rain(frames["rain_daily"]) if rain_mm is None else rain_mm
    loads = pt.source_inventory(frames["source"], rain_mm=rain)
    by_county = pt.inventory_shares(loads, ("county_id",))
    by_county.insert(1, "name", by_county["county_id"].map(_county_names(frames)))
    return LoadInventory(year, rain, loads, pt.inventory_shares(loads, ("sector",)), by_county,
                         pt.inventory_shares(loads, ("kind",)))


def load_inventory(engine: Engine, year: int | None = None, *, rain_mm: float | None = None) -> LoadInventory:
    """Loads of every source of the workspace by sector, county and kind.

    Parameters
    ----------
    year : the year whose rain gauges (``rain_daily``) give the annual rain of urban runoff
        sources without reported loads.
    rain_mm : annual rain (mm) overriding the gauges.

    Raises
    ------
    qingliu.assess.loads.LoadError
        For sources whose loads cannot be computed (e.g. urban runoff without loads or rain).
    PollutionDataError
        When the workspace has no sources or no network.
    """
    frames = _read(engine, year, flows=False)
    return _inventory(frames, year, rain_mm)


def _model(frames: dict[str, pd.DataFrame], design_flow: str | None, period: str | None, rain_mm: float | None,
           k_per_day: dict[str, float] | None = None) -> pt.PollutionModel:
    """The routing model; data the kernels refuse (no flows in the period ...) raise PollutionDataError."""
    try:
        return pt.build_model(frames["node"], frames["station"], frames["flow_daily"], frames["source"],
                              frames["county"], design_flow=design_flow, period=period, k_per_day=k_per_day,
                              rain_mm=rain_mm)
    except (NetworkError, LoadError):
        raise
    except ValueError as exc:
        raise PollutionDataError(str(exc)) from exc


def _failing(observed: pd.DataFrame, sections: pd.DataFrame, water_quality: WaterQualityAssessment | None) -> pd.DataFrame:
    """Sections and load items whose annual mean exceeds the target (of the failing sections of ``water_quality``)."""
    target = target_concentrations(sections, ITEMS)
    mean = observed.reindex(sections["section_id"]).reindex(columns=list(ITEMS)).to_numpy(float)
    row, col = np.nonzero(np.nan_to_num(mean, nan=-np.inf) > np.nan_to_num(target, nan=np.inf))
    table = pd.DataFrame({
        "section_id": sections["section_id"].to_numpy()[row], "name": sections["name"].to_numpy()[row],
        "item": np.asarray(ITEMS)[col], "observed_mgl": mean[row, col], "target_mgl": target[row, col],
    })
    if water_quality is not None:
        table = table[table["section_id"].isin(failing_sections(water_quality)["section_id"])]
    return table.reset_index(drop=True)


def _mark_dry(
    sections: pd.DataFrame, uncertainty: pd.DataFrame, capacity: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Sections without water have no concentration: compliance NA, no exceedance probability, status "dry"."""
    dry = sections["q_m3s"].to_numpy() <= 0
    sections = sections.assign(dry=dry)
    for item in ITEMS:
        sections[f"{item}_meets"] = sections[f"{item}_meets"].mask(dry)
    over = np.column_stack([sections[f"{i}_meets"].eq(False).fillna(False).to_numpy(bool) for i in ITEMS])
    sections["items_over"] = [",".join(np.asarray(ITEMS)[row]) for row in over]
    dry_ids = set(sections.loc[dry, "section_id"])
    if not uncertainty.empty:
        uncertainty = uncertainty.assign(p_exceed=uncertainty["p_exceed"].mask(uncertainty["section_id"].isin(dry_ids)))
    capacity = capacity.assign(status=capacity["status"].mask(capacity["section_id"].isin(dry_ids), "dry"))
    return sections, uncertainty, capacity


def _calibrated(
    frames: dict[str, pd.DataFrame], year: int | None, observed: pd.DataFrame, rain_mm: float | None
) -> tuple[pt.PollutionModel | None, pd.DataFrame, pd.DataFrame, list[Note]]:
    """The model of the year's observed flows with K fitted to its section means, the fit and notes.

    The model is None without samples or flows in the year; K stays at its defaults when it cannot be fitted.
    """
    if observed.empty:
        when = f"{year} 年" if year is not None else "未指定年份，"
        return None, pd.DataFrame(), pd.DataFrame(), [
            (f"{when}无 COD、氨氮、总磷、总氮监测数据：K 取默认值，不判断超标断面。",
             (f"No COD, NH3-N, TP or TN samples{f' in {year}' if year is not None else ' (no year chosen)'}: "
              "K at its defaults, no failing sections."))]
    try:
        annual = _model(frames, "observed", str(year), rain_mm)
    except PollutionDataError as exc:
        zh, en = _bilingual(exc)
        return None, pd.DataFrame(), pd.DataFrame(), [
            (f"{year} 年实测流量模型无法建立，K 取默认值：{zh}", f"No model of the observed flows of {year}, K at its defaults: {en}")]
    try:
        return (*pt.calibrate(annual, frames["section"], observed), [])
    except ValueError as exc:  # an item without observations at any wet section
        zh, en = _bilingual(exc)
        return annual, pd.DataFrame(), pd.DataFrame(), [
            (f"{year} 年未能率定 K，取默认值：{zh}", f"K of {year} not calibrated, defaults used: {en}")]


def _notes(design_flow: str, sections: pd.DataFrame, stations: pd.DataFrame, nodes: pd.DataFrame,
           calibration: pd.DataFrame, plan_sections: pd.DataFrame) -> list[Note]:
    notes: list[Note] = []
    excluded = load_toml("gbt25173_2010")["design_flow"]["low_flow_excluded_kinds"]
    if design_flow != "observed":
        zh, en = "、".join(kind_name(k, "zh") for k in excluded), ", ".join(kind_name(k, "en") for k in excluded)
        notes.append((f"设计枯水流量下{zh}等面源随暴雨径流入河，不计入模型负荷（GB/T 25173-2010 设计条件）。",
                      f"At a design low flow the rain-driven loads ({en}) are left out of the model (GB/T 25173-2010 design condition)."))
    short = stations[~stations["consistent"]]
    if len(short):
        listed = "、".join(short["station_id"] + " " + short["name"].astype(str))
        notes.append((f"设计流量下 {listed} 的流量小于上游污水处理厂等排水量，区间天然径流按 0 计，模型流量为排水量。",
                      (f"The design flow at {', '.join(short['station_id'])} is smaller than the effluent discharged "
                       "upstream: the natural flow there is taken as 0 and the model carries the effluent.")))
    dry = sections[sections["dry"]]
    if len(dry):
        listed = "、".join(dry["section_id"] + " " + dry["name"].astype(str))
        notes.append((f"设计流量下断面 {listed} 无水，不计浓度、达标与纳污能力。",
                      (f"Under the design flow no water reaches {', '.join(dry['section_id'])}: no concentration, "
                       "compliance or capacity there.")))
    stranded = nodes[(nodes["q_m3s"] <= 0) & (nodes["cod_load_ta"] > 0)]
    if len(stranded):
        cod = stranded["cod_load_ta"].sum()
        notes.append((f"{len(stranded)} 个无水节点（{'、'.join(stranded['node_id'])}）的入河负荷（COD {cod:.1f} t/a）滞留原处，未向下游输送。",
                      (f"Loads entering dry nodes ({', '.join(stranded['node_id'])}; COD {cod:.1f} t/a) stay there: "
                       "nothing carries them downstream.")))
    at_bound = calibration[calibration["at_bound"]] if not calibration.empty else calibration
    if len(at_bound):
        zh, en = "、".join(_items(at_bound["item"], "zh")), ", ".join(_items(at_bound["item"], "en"))
        notes.append((f"{zh}的 K 率定值落在取值范围边界上，数据要求的 K 超出 gbt25173_2010.toml 的范围。",
                      f"K of {en} lies on a bound of gbt25173_2010.toml: the data push it beyond the allowed range."))
    short_plan = plan_sections[plan_sections["shortfall_mgl"] > 0]
    if len(short_plan):
        zh = "、".join(short_plan["section_id"] + " " + _items(short_plan["item"], "zh"))
        en = ", ".join(short_plan["section_id"] + " " + _items(short_plan["item"], "en"))
        notes.append((f"可削减负荷全部削减后仍不达标：{zh}（上游来水或背景浓度已超目标）。",
                      f"Still above target with every reducible load cut: {en} (upstream water or background above the target)."))
    return notes


def assess_pollution(
    engine: Engine,
    year: int | None,
    *,
    design_flow: str | None = None,
    period: str | None = None,
    runs: int = MONTE_CARLO_RUNS,
    water_quality: WaterQualityAssessment | None = None,
    rain_mm: float | None = None,
    max_share: dict[str, float] | float = 1.0,
) -> PollutionAssessment:
    """Loads, apportionment, calibrated model, uncertainty, capacity and reduction plan of a workspace.

    Parameters
    ----------
    year : the year of the observed section means (calibration under its observed flows,
        failing sections) and of the rain; None: the model keeps the default K and no section
        is judged on observations.
    design_flow, period : the flow condition of the model ("guarantee", "recent_driest",
        "observed"; default that of gbt25173_2010.toml). "observed" uses ``period`` ("YYYY" or
        "YYYY-MM", default ``year``).
    runs : Monte Carlo runs (0: none).
    water_quality : the water-environment assessment of ``year``: its failing sections are the
        ones whose top sources are listed (default: every section with a load item above target).
    rain_mm : annual rain (mm) for urban runoff, overriding the year's gauges.
    max_share : the largest share of its load a source can cut (one number or by kind).

    Raises
    ------
    qingliu.assess.loads.LoadError, qingliu.model.NetworkError, PollutionDataError
        Data the computations cannot use (each with a message in Chinese and English).
    """
    if water_quality is not None and water_quality.year != year:
        raise ValueError(f"水环境评价年份 {water_quality.year} 与 {year} 不符 / the water-quality assessment is of "
                         f"{water_quality.year}, not {year}")
    frames = _read(engine, year, flows=True)
    if frames["flow_daily"].empty:
        raise PollutionDataError("工作空间没有日流量（flow_daily 表）/ the workspace has no daily flows (table flow_daily)")
    design_flow = design_flow or load_toml("gbt25173_2010")["design_flow"]["default"]
    if design_flow == "observed" and period is None and year is not None:
        period = str(year)
    inventory = _inventory(frames, year, rain_mm)
    sections_table, samples = frames["section"], frames["wq_sample"]
    observed = pt.observed_means(samples) if len(samples) else pd.DataFrame(columns=list(ITEMS), dtype=float)
    annual, calibration, fit, notes = _calibrated(frames, year, observed, inventory.rain_mm)
    k = None if annual is None else dict(zip(ITEMS, annual.k_per_day.tolist(), strict=True))
    design = _model(frames, design_flow, period, inventory.rain_mm, k)

    failing = _failing(observed, sections_table, water_quality)
    # Catchment shares sum the annual loads entering above each section: no flows involved, so the
    # design model's network and entry shares serve with every source's annual load.
    apportionment = pt.apportionment(replace(design, loads=inventory.loads), sections_table, by="sector")
    top = pt.failing_sources(design if annual is None else annual, sections_table, failing[["section_id", "item"]])

    stations = pt.station_table(design, frames["station"])
    nodes = pt.node_table(design)
    uncertainty = pt.uncertainty(design, sections_table, runs=runs) if runs > 0 else pd.DataFrame()
    sections, uncertainty, capacity = _mark_dry(pt.section_table(design, sections_table, observed), uncertainty,
                                                pt.capacity(design, sections_table))
    cuts, plan, plan_sections = pt.reduction(design, sections_table, max_share=max_share)
    plan.insert(plan.columns.get_loc("county_id") + 1, "county", plan["county_id"].map(_county_names(frames)))
    notes += _notes(design_flow, sections, stations, nodes, calibration, plan_sections)

    node_loads = nodes[["node_id", "name", "river"]].copy()
    annual_at_nodes = design.shares.T @ load_matrix(inventory.loads)
    for j, item in enumerate(ITEMS):
        node_loads[f"{item}_ta"] = annual_at_nodes[:, j]
    return PollutionAssessment(
        year=year, design_flow=design_flow, period=period, inventory=inventory, node_loads=node_loads,
        apportionment=apportionment, failing=failing, top_sources=top, calibration=calibration, fit=fit,
        k_per_day=dict(zip(ITEMS, design.k_per_day.tolist(), strict=True)), stations=stations, sections=sections,
        nodes=nodes, uncertainty=uncertainty, capacity=capacity, cuts=cuts, plan=plan, plan_sections=plan_sections,
        notes=tuple(notes),
    )


__all__ = [
    "MONTE_CARLO_RUNS",
    "LoadInventory",
    "PollutionAssessment",
    "PollutionDataError",
    "annual_rain",
    "assess_pollution",
    "design_flow_label",
    "kind_name",
    "load_inventory",
]
