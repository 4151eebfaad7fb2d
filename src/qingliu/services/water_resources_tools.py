"""Water resources on canonical frames (水资源): accounting, red lines, carrying capacity,
四水四定, and allocation over the network with scenarios compared side by side.

Every function takes canonical frames (:mod:`qingliu.model.tables`: ``county_year``,
``water_use``, ``node``, ``section``, ``station``, ``flow_daily``, ``reservoir``, ``source``)
and returns frames; the store and the CLI call them. The allocation model of an area is
built from those frames by stated rules (:func:`allocation_model`); anything the frames do
not say (intakes, return points, eco-flow targets) can be given explicitly.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy.engine import Engine

from qingliu import io, store
from qingliu.assess.carrying_capacity import carrying_capacity, four_water_four_fix
from qingliu.assess.daily import daily_flows, fill_gaps
from qingliu.assess.ecoflow import ecoflow_targets
from qingliu.assess.resources import (
    CITY,
    efficiency,
    load_red_lines,
    red_line_status,
    water_account,
)
from qingliu.model import ORIGINS, SECTORS, RiverNetwork
from qingliu.services.water_quality import (
    NoDataError,
    WaterQualityAssessment,
    assess_water_quality,
)
from qingliu.services.workspace import SETTINGS_FILE, open_workspace
from qingliu.services.wq_tools import evaluate_file
from qingliu.simulate.allocation import (
    AllocationModel,
    Demand,
    EcoFlow,
    Reservoir,
    Source,
    allocate,
    load_rules,
)
from qingliu.simulate.allocation_results import AllocationResult
from qingliu.simulate.inflows import local_inflows
from qingliu.simulate.network_lp import AllocationError
from qingliu.simulate.scenarios import (
    Scenario,
    ScenarioError,
    apply_scenario,
    parse_scenarios,
)

MONTH_COLUMNS = tuple(f"m{m:02d}" for m in range(1, 13))
CITY_NAME = "全市"


# --- accounting, red lines, carrying capacity ---------------------------------------------


def _with_names(table: pd.DataFrame, county: pd.DataFrame | None) -> pd.DataFrame:
    if county is None or "name" not in county:
        return table
    names = county.drop_duplicates("county_id").set_index("county_id")["name"]
    out = table.copy()
    out.insert(1, "name", out["county_id"].map(names).where(out["county_id"] != CITY, CITY_NAME))
    return out


def account_table(
    water_use: pd.DataFrame, county_year: pd.DataFrame, year: int, county: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Water account of ``year`` per county and for the city (see
    :func:`qingliu.assess.resources.water_account`), with county names when ``county`` is given."""
    table = water_account(water_use, county_year, year)
    if table.empty:
        raise io.InputError(
            [io.Problem("water_use", None, "year", f"{year} 年没有用水数据", f"no water use in {year}")]
        )
    return _with_names(table, county)


def red_lines_table(
    water_use: pd.DataFrame,
    county_year: pd.DataFrame,
    year: int,
    *,
    targets: Mapping[str, float] | None = None,
    zone_compliance: pd.DataFrame | None = None,
    irrigation: pd.DataFrame | None = None,
    deflator: pd.DataFrame | None = None,
    county: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The red-line indicators of ``year`` against their targets (国发〔2012〕3号 and the
    milestone of ``red_lines.toml``, or ``targets``); decline rates against the milestone's
    base year (else the first year of the data)."""
    goal, _ = load_red_lines().goal(year)
    goal.update(targets or {})
    base_year = int(goal.get("base_year", int(water_use["year"].min())))
    indicators = efficiency(water_use, county_year, base_year=base_year, deflator=deflator, irrigation=irrigation)
    status = red_line_status(
        water_account(water_use, county_year), indicators, year, targets=targets, zone_compliance=zone_compliance
    )
    return _with_names(status, county)


def zone_compliance_from_sections(sections: pd.DataFrame) -> pd.DataFrame:
    """Share of sections meeting their target per county and year, in %, as the proxy of
    水功能区水质达标率 where the zones are not assessed apart.

    ``sections``: county_id, year, meets_target (bool) per section, e.g. the water-environment
    assessment's section table of each year.
    """
    met = sections.dropna(subset=["meets_target"]).assign(meets_target=lambda f: f["meets_target"].astype(bool))
    county = met.groupby(["county_id", "year"])["meets_target"].mean().mul(100.0)
    city = met.groupby("year")["meets_target"].mean().mul(100.0)
    city.index = pd.MultiIndex.from_product([[CITY], city.index], names=["county_id", "year"])
    return pd.concat([county, city]).rename("zone_compliance").reset_index()


def capacity_table(
    water_use: pd.DataFrame,
    county_year: pd.DataFrame,
    year: int,
    *,
    zone_compliance: pd.DataFrame | None = None,
    zone_target: float | None = None,
    groundwater: pd.DataFrame | None = None,
    available: pd.Series | None = None,
    county: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Carrying-capacity statuses and 四水四定 of ``year``.

    ``zone_target`` (Q0, %) defaults to the red-line zone-compliance target being worked
    toward in ``year`` (:meth:`qingliu.assess.resources.RedLines.goal`). ``available`` (1e4 m3/a per county) defaults to each county's total-use quota
    (用水总量控制指标, set after ecological needs), e.g. pass the supply of an allocation run.

    Returns (statuses per county and city, 四水四定 per county).
    """
    account = account_table(water_use, county_year, year)
    if zone_target is None:
        zone_target = load_red_lines().goal(year)[0].get("zone_compliance")
    status = carrying_capacity(
        account, zone_compliance=zone_compliance, zone_target=zone_target, groundwater=groundwater
    )
    if available is None:
        quotas = account[account["county_id"] != CITY].set_index("county_id")["water_quota"]
        available = quotas.dropna()
    fix = four_water_four_fix(available, county_year, account, year)
    return _with_names(status, county), _with_names(fix, county)


# --- allocation -------------------------------------------------------------------------


def station_inflows(
    node: pd.DataFrame,
    station: pd.DataFrame,
    flow_daily: pd.DataFrame,
    *,
    max_gap: int = 10,
    shares: Mapping[str, tuple[str, float]] | None = None,
) -> pd.DataFrame:
    """Daily local inflow (m3/s) at every node from the station flows
    (:func:`qingliu.simulate.inflows.local_inflows`), over the days every station has.

    Gaps of up to ``max_gap`` days inside a record are filled by linear interpolation
    (:func:`qingliu.assess.daily.fill_gaps`); longer gaps are an error.
    """
    network = RiverNetwork.from_frame(node)
    flows = fill_gaps(daily_flows(flow_daily), max_gap)
    table = pd.DataFrame(flows.q.T, index=flows.dates, columns=flows.stations)
    table = table.dropna()  # the days every station has
    at = dict(zip(station["station_id"], station["node_id"], strict=True))
    return local_inflows(network, {s: at[s] for s in table.columns if s in at}, table, shares)


def _nearest_nodes(node: pd.DataFrame, county: pd.DataFrame) -> dict[str, str]:
    """Each county's nearest river node (not an outlet) to its seat (equirectangular distance)."""
    candidates = node[node["kind"] != "outlet"]
    lon, lat = candidates["lon"].to_numpy(float), candidates["lat"].to_numpy(float)
    out = {}
    for row in county.drop_duplicates("county_id").itertuples(index=False):
        if pd.isna(row.lon) or pd.isna(row.lat):
            continue
        k = np.cos(np.radians(row.lat))
        out[row.county_id] = candidates["node_id"].iloc[
            int(np.argmin(((lon - row.lon) * k) ** 2 + (lat - row.lat) ** 2))
        ]
    return out


def _return_nodes(
    network: RiverNetwork, intakes: Mapping[str, str], source: pd.DataFrame | None
) -> dict[str, str | None]:
    """Each county's return point: its first sewage-plant outfall strictly below the intake,
    else the node just below the intake (None at an outlet)."""
    plants = source[source["kind"] == "wwtp"] if source is not None else pd.DataFrame(columns=["county_id", "node_id"])
    out: dict[str, str | None] = {}
    for county_id, intake in intakes.items():
        path = network.path_to_outlet(intake)[1:]
        own = set(plants.loc[plants["county_id"] == county_id, "node_id"].dropna())
        below = [n for n in path if n in own]
        out[county_id] = below[0] if below else (path[0] if path else None)
    return out


def allocation_model(
    node: pd.DataFrame,
    county: pd.DataFrame,
    county_year: pd.DataFrame,
    water_use: pd.DataFrame,
    *,
    inflow: pd.DataFrame,
    section: pd.DataFrame | None = None,
    reservoir: pd.DataFrame | None = None,
    source: pd.DataFrame | None = None,
    year: int | None = None,
    intakes: Mapping[str, str] | None = None,
    ecoflow: pd.DataFrame | None = None,
) -> AllocationModel:
    """The allocation model of an area from its canonical frames.

    Rules (each can be overridden by an argument):

    - demands: one per county and sector with use in ``year`` (default the latest year of
      ``water_use``): the year's use over all origins, which statistics count at the source
      (取水口), less the sector's conveyance loss, so that a demand fully met takes exactly
      the recorded use; a demand may use the origins it used that year;
    - intake: ``intakes[county]``, else the river node nearest to the county seat (not an
      outlet); return point: the county's first sewage-plant outfall below the intake, else
      the next node down;
    - sources per county: groundwater capped at the year's groundwater quota (else the year's
      groundwater use), reclaimed water and transfers capped at the year's use of them;
    - reservoirs from ``reservoir`` (full at the start, no rule curve);
    - eco-flow at the boundary sections (``section.is_boundary``) with the targets of
      ``ecoflow`` (node_id and q_m3s or m01..m12), else Tennant's minimum (10 % of the mean
      annual flow, ``standards/ecoflow.toml`` default rating) of the natural flow there, i.e.
      the accumulated local ``inflow``.
    """
    network = RiverNetwork.from_frame(node)
    rules = load_rules()
    year = int(water_use["year"].max()) if year is None else year
    use = water_use[water_use["year"] == year]
    if use.empty:
        raise io.InputError(
            [io.Problem("water_use", None, "year", f"{year} 年没有用水数据", f"no water use in {year}")]
        )
    seats = _nearest_nodes(node, county)
    intake = {**seats, **(intakes or {})}
    returns = _return_nodes(network, intake, source)
    by = use.groupby(["county_id", "sector", "origin"])["volume"].sum()
    demands = []
    for (county_id, sector), part in by.groupby(level=[0, 1]):
        if sector not in SECTORS or part.sum() <= 0:
            continue
        origins = tuple(o for o in ORIGINS if part.get((county_id, sector, o), 0.0) > 0)
        if county_id not in intake:
            origins = tuple(o for o in origins if o != "surface")
        net = float(part.sum()) * (1.0 - rules.conveyance_loss[sector])
        demands.append(
            Demand(
                f"{county_id}:{sector}",
                county_id,
                sector,
                net,
                intake=intake.get(county_id),
                return_node=returns.get(county_id),
                origins=origins,
            )
        )
    quotas = county_year[county_year["year"] == year].set_index("county_id")
    totals = use.groupby(["county_id", "origin"])["volume"].sum()
    sources = []
    for (county_id, origin), volume in totals.items():
        if origin == "surface" or volume <= 0:
            continue
        cap = float(volume)
        if origin == "ground" and "groundwater_quota_1e4m3" in quotas and county_id in quotas.index:
            quota = quotas.loc[county_id, "groundwater_quota_1e4m3"]
            cap = float(quota) if pd.notna(quota) else cap
        sources.append(Source(f"{county_id}:{origin}", origin, (county_id,), annual=cap))
    reservoirs = ()
    if reservoir is not None:
        reservoirs = tuple(
            Reservoir(r.reservoir_id, r.node_id, float(r.capacity_1e4m3), float(r.dead_1e4m3))
            for r in reservoir.itertuples()
        )
    ecoflows = _ecoflows(network, inflow, section, ecoflow)
    return AllocationModel(network, tuple(demands), tuple(sources), reservoirs, ecoflows, rules=rules)


def _ecoflows(
    network: RiverNetwork, inflow: pd.DataFrame, section: pd.DataFrame | None, ecoflow: pd.DataFrame | None
) -> tuple[EcoFlow, ...]:
    if ecoflow is not None:
        monthly = all(c in ecoflow.columns for c in MONTH_COLUMNS)
        return tuple(
            EcoFlow(r["node_id"], tuple(float(r[c]) for c in MONTH_COLUMNS) if monthly else float(r["q_m3s"]))
            for _, r in ecoflow.iterrows()
        )
    if section is None or "is_boundary" not in section:
        return ()
    nodes = [n for n in section.loc[section["is_boundary"].astype(bool), "node_id"].drop_duplicates() if n in network]
    if not nodes:
        return ()
    natural = network.accumulate(inflow.reindex(columns=list(network.ids), fill_value=0.0).to_numpy(float).T)
    rows = [network.index(n) for n in nodes]
    long = pd.DataFrame(natural[rows].T, index=inflow.index, columns=nodes).rename_axis("date").reset_index()
    long = long.melt(id_vars="date", var_name="station_id", value_name="q")
    targets = ecoflow_targets(daily_flows(long), ("tennant",)).set_index("station_id")
    return tuple(EcoFlow(n, tuple(float(targets.loc[n, c]) for c in MONTH_COLUMNS)) for n in nodes)


def read_scenarios(path: str | Path, model: AllocationModel) -> dict[str, Scenario]:
    """Read and check a scenario file (TOML, see :mod:`qingliu.simulate.scenarios`).

    Raises
    ------
    qingliu.io.InputError
        For a file that is not TOML or a scenario with problems, each naming its key.
    """
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise io.InputError(
            [io.Problem(path.name, None, None, f"无法读取情景文件：{exc}", f"cannot read the scenario file: {exc}")]
        ) from exc
    try:
        return parse_scenarios(data, model)
    except ScenarioError as exc:
        raise io.InputError([io.Problem(path.name, None, key, zh, en) for key, zh, en in exc.problems]) from exc


@dataclass(frozen=True)
class ScenarioRuns:
    """Allocation runs of several scenarios on one model, compared side by side.

    ``runs``: scenario name -> result; ``labels``: name -> (zh, en).
    """

    runs: Mapping[str, AllocationResult]
    labels: Mapping[str, tuple[str, str]]

    def comparison(self) -> pd.DataFrame:
        """One row per quantity, one column per scenario: mean annual demand, supply, shortage
        (1e4 m3/a), supply by origin, shortage rate (%), eco-flow met share, and the
        reliability by years of each sector (share of demands' years fully met)."""
        columns = {}
        for name, run in self.runs.items():
            totals = run.totals()
            totals["shortage_pct"] = 100.0 * totals["shortage"] / totals["demand"] if totals["demand"] else np.nan
            summary = run.demand_summary()
            for sector, part in summary.groupby("sector"):
                totals[f"reliability_years_{sector}"] = float(part["reliability_years"].mean())
            columns[name] = totals
        return pd.DataFrame(columns).rename_axis("quantity").reset_index()

    def counties(self) -> pd.DataFrame:
        """Per county and scenario: :meth:`AllocationResult.county_summary` rows with a
        ``scenario`` column."""
        return pd.concat([r.county_summary().assign(scenario=n) for n, r in self.runs.items()], ignore_index=True)

    def demands(self) -> pd.DataFrame:
        """Per demand and scenario: :meth:`AllocationResult.demand_summary` rows with a
        ``scenario`` column."""
        return pd.concat([r.demand_summary().assign(scenario=n) for n, r in self.runs.items()], ignore_index=True)


def run_scenarios(
    model: AllocationModel,
    inflow: pd.DataFrame,
    scenarios: Mapping[str, Scenario] | None = None,
    *,
    step: str = "month",
    block: str | None = None,
    start: object = None,
    end: object = None,
    include_base: bool = True,
) -> ScenarioRuns:
    """Run the base model (as "base") and each scenario on the same inflow record,
    ``start``-``end``; a scenario with a ``period`` (its own hydrology, e.g. dry years) runs
    on that period instead."""
    runs, labels = {}, {}
    if include_base or not scenarios:
        runs["base"] = allocate(model, inflow, step=step, block=block, start=start, end=end)
        labels["base"] = ("基准", "base")
    for name, scenario in (scenarios or {}).items():
        changed, flows = apply_scenario(model, inflow, scenario)
        window = (None, None) if scenario.period is not None else (start, end)
        runs[name] = allocate(changed, flows, step=step, block=block, start=window[0], end=window[1])
        labels[name] = (scenario.zh or name, scenario.en or name)
    return ScenarioRuns(runs, labels)


# --- the same on a folder of files (qingliu water ... DATA) ------------------------------

FOLDER_FILES = {
    "network": "network",
    "counties": "counties",
    "water-use": "water_use",
    "stations": "stations",
    "flows": "flows",
    "sections": "sections",
    "reservoirs": "reservoirs",
    "sources": "sources",
}
"""Import kind -> file stem in a data folder (the layout of the bundled example)."""
SUFFIXES = (".csv", ".xlsx", ".parquet")
REFERENCES = {
    "network": ("node", "node_id"),
    "counties": ("county", "county_id"),
    "stations": ("station", "station_id"),
    "sections": ("section", "section_id"),
}


def _is_workspace(folder: Path) -> bool:
    return (folder / SETTINGS_FILE).is_file()


def read_tables(engine: Engine, tables: tuple[str, ...]) -> dict[str, pd.DataFrame]:
    """Canonical tables from a workspace's database."""
    with engine.connect() as conn:
        return {t: store.read(conn, t) for t in tables}


def zone_compliance_of(wq: WaterQualityAssessment) -> pd.DataFrame:
    """Zone compliance (%, per county and city) from a year's water-environment assessment."""
    return zone_compliance_from_sections(wq.sections[["section_id", "county_id", "meets_target"]].assign(year=wq.year))


def read_folder(folder: str | Path, kinds: tuple[str, ...]) -> dict[str, pd.DataFrame]:
    """Canonical tables of a workspace (its database) or of a data folder: one file per import
    kind, named as in the bundled example (``network.csv``, ``counties.csv``,
    ``water_use.csv``, ...; .csv, .xlsx or .parquet), read and checked as imports are,
    references included. Optional kinds (sections, reservoirs, sources) may be absent.
    """
    folder = Path(folder)
    if _is_workspace(folder):
        return read_tables(open_workspace(folder).engine, tuple(t for kind in kinds for t in io.KINDS[kind]))
    optional = {"sections", "reservoirs", "sources"}
    known: dict[tuple[str, str], set[str]] = {}
    frames: dict[str, pd.DataFrame] = {}
    order = [k for k in FOLDER_FILES if k in kinds]
    for kind in order:
        found = _found(folder, FOLDER_FILES[kind])
        if found is None:
            if kind in optional:
                continue
            name = f"{FOLDER_FILES[kind]}.csv"
            raise io.InputError(
                [
                    io.Problem(
                        name, None, None, f"数据目录 {folder} 中缺少该文件", f"missing from the data folder {folder}"
                    )
                ]
            )
        for table, frame in io.read_input(kind, found, known=known).items():
            frames[table] = frame
        if kind in REFERENCES:
            table, column = REFERENCES[kind]
            known[(table, column)] = set(frames[table][column])
    return frames


def _bad_model(folder: Path, exc: AllocationError) -> io.InputError:
    return io.InputError([io.Problem(folder.name, None, None, exc.zh, exc.en)])


def _found(folder: Path, stem: str) -> Path | None:
    return next((folder / f"{stem}{s}" for s in SUFFIXES if (folder / f"{stem}{s}").is_file()), None)


def zone_compliance_folder(folder: str | Path, year: int) -> pd.DataFrame | None:
    """Share of sections meeting their target in ``year`` per county and for the city (%),
    from ``samples`` and ``sections`` files of the folder (环办〔2011〕22号 annual evaluation,
    :func:`qingliu.services.wq_tools.evaluate_file`); None without them or without samples
    in the year."""
    folder = Path(folder)
    if _is_workspace(folder):
        try:
            return zone_compliance_of(assess_water_quality(open_workspace(folder).engine, year))
        except NoDataError:
            return None
    samples, sections = _found(folder, "samples"), _found(folder, "sections")
    if samples is None or sections is None:
        return None
    table, _ = evaluate_file(samples, sections, f"{year}-01", f"{year}-12")
    if table.empty:
        return None
    counties = io.read_table(sections, "section", required=("section_id", "county_id")).set_index("section_id")[
        "county_id"
    ]
    met = table.assign(county_id=table["section_id"].map(counties), year=year)
    return zone_compliance_from_sections(met)


def account_folder(folder: str | Path, year: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Water account and red-line status of ``year`` for the counties of a data folder (the
    zone-compliance line from the folder's samples where there are any)."""
    t = read_folder(folder, ("counties", "water-use"))
    zones = zone_compliance_folder(folder, year)
    return (
        account_table(t["water_use"], t["county_year"], year, t["county"]),
        red_lines_table(t["water_use"], t["county_year"], year, county=t["county"], zone_compliance=zones),
    )


def capacity_folder(folder: str | Path, year: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Carrying-capacity statuses and 四水四定 of ``year`` for the counties of a data folder;
    water quality from the folder's samples where there are any."""
    t = read_folder(folder, ("counties", "water-use"))
    zones = zone_compliance_folder(folder, year)
    return capacity_table(t["water_use"], t["county_year"], year, county=t["county"], zone_compliance=zones)


def allocate_folder(
    folder: str | Path,
    *,
    scenarios_file: str | Path | None = None,
    scenario: str | None = None,
    step: str = "month",
    start: object = None,
    end: object = None,
) -> ScenarioRuns:
    """Allocation on a data folder: the base model, one scenario of ``scenarios_file``
    (``scenario``), or the base and every scenario of the file side by side."""
    folder = Path(folder)
    t = read_folder(folder, tuple(FOLDER_FILES))
    try:
        inflow = station_inflows(t["node"], t["station"], t["flow_daily"])
        model = allocation_model(
            t["node"],
            t["county"],
            t["county_year"],
            t["water_use"],
            inflow=inflow,
            section=t.get("section"),
            reservoir=t.get("reservoir"),
            source=t.get("source"),
        )
        chosen = read_scenarios(scenarios_file, model) if scenarios_file is not None else {}
        if scenario is not None:
            if scenario not in chosen:
                names = ", ".join(chosen) or "—"
                raise io.InputError(
                    [
                        io.Problem(
                            Path(scenarios_file or "").name or "--scenario",
                            None,
                            "scenario",
                            f"没有情景「{scenario}」，可选：{names}",
                            f"no scenario {scenario!r}; one of: {names}",
                        )
                    ]
                )
            chosen = {scenario: chosen[scenario]}
        return run_scenarios(model, inflow, chosen, step=step, start=start, end=end, include_base=scenario is None)
    except AllocationError as exc:
        raise _bad_model(folder, exc) from exc
