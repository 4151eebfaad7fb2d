"""Allocation scenarios as data (情景): dry years, demand growth, water saving, new transfers.

A scenario file (TOML, read by the services layer) holds named scenarios::

    [scenario.dry_2030]
    zh = "枯水年组 + 2030 年需水"
    en = "dry years with 2030 demand"
    period = [1997, 2002]                  # years of the inflow record to run
    inflow_factor = 0.8                    # all inflows x 0.8
    node_inflow_factor = { FEN01 = 0.5 }   # and some nodes further
    demand_factor = { industry = 1.3 }     # growth by sector ...
    county_demand_factor = { "140702" = 1.1 }   # ... and by county
    water_saving = { agriculture = 0.15 }  # demand x (1 - 0.15)
    conveyance_loss = { agriculture = 0.2 }
    groundwater_factor = 0.8               # groundwater caps x 0.8 (压采)

    [[scenario.dry_2030.transfer]]         # a new transfer 调水
    id = "YH2"
    counties = ["140702"]                  # or node = "XIAO08" (into the river)
    annual_1e4m3 = 5000.0
    capacity_m3s = 2.5

    [[scenario.dry_2030.ecoflow]]          # a control section (one or 12 monthly values)
    node = "FEN15"
    q_m3s = 1.5

    [[scenario.dry_2030.reservoir]]        # change a reservoir (or add one with node = ...)
    id = "R01"
    capacity_1e4m3 = 6000.0

    [[scenario.dry_2030.diversion]]        # a canal between river nodes
    id = "C1"
    from = "FEN04"
    to = "XIAO11"
    capacity_m3s = 2.0

:func:`parse_scenarios` checks every key against the model (unknown keys, nodes, counties,
sectors and reservoirs; negative capacities; shares outside [0, 1); cycles closed by a canal)
and raises one :class:`ScenarioError` listing every problem with its key. :func:`apply_scenario`
gives the changed model and inflows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from qingliu.simulate.allocation import (
    MONTHS,
    AllocationModel,
    Demand,
    Diversion,
    EcoFlow,
    Reservoir,
    Source,
)
from qingliu.simulate.network_lp import AllocationError


class ScenarioError(ValueError):
    """Problems of a scenario file, each ``(key, zh, en)``; ``str()`` lists them."""

    def __init__(self, problems: list[tuple[str, str, str]]) -> None:
        self.problems = problems
        super().__init__("\n".join(f"{k}: {zh} / {en}" for k, zh, en in problems))


@dataclass(frozen=True)
class Scenario:
    """One checked scenario (see the module docstring for the meaning of each field)."""

    name: str
    zh: str = ""
    en: str = ""
    period: tuple[int, int] | None = None
    inflow_factor: float = 1.0
    node_inflow_factor: Mapping[str, float] = field(default_factory=dict)
    demand_factor: Mapping[str, float] = field(default_factory=dict)
    county_demand_factor: Mapping[str, float] = field(default_factory=dict)
    water_saving: Mapping[str, float] = field(default_factory=dict)
    conveyance_loss: Mapping[str, float] = field(default_factory=dict)
    groundwater_factor: float = 1.0
    transfers: tuple[Source, ...] = ()
    ecoflows: tuple[EcoFlow, ...] = ()
    reservoirs: tuple[Mapping[str, object], ...] = ()
    diversions: tuple[Diversion, ...] = ()


_SCALARS = {"zh": str, "en": str, "inflow_factor": float, "groundwater_factor": float}
_MAPS = ("node_inflow_factor", "demand_factor", "county_demand_factor", "water_saving", "conveyance_loss")
_TABLES = {
    "transfer": {"id", "counties", "node", "annual_1e4m3", "capacity_m3s", "loss"},
    "ecoflow": {"node", "q_m3s"},
    "reservoir": {"id", "node", "capacity_1e4m3", "dead_1e4m3", "initial_1e4m3", "upper_1e4m3", "rule_1e4m3"},
    "diversion": {"id", "from", "to", "capacity_m3s", "loss"},
}
_KEYS = {*_SCALARS, *_MAPS, *_TABLES, "period"}


class _Checker:
    """Collects problems while reading one scenario."""

    def __init__(self, model: AllocationModel, name: str) -> None:
        self.model, self.name = model, name
        self.problems: list[tuple[str, str, str]] = []
        self.counties = {d.county_id for d in model.demands}
        self.sectors = set(model.rules.priority) - {"ecoflow"}

    def add(self, key: str, zh: str, en: str) -> None:
        self.problems.append((f"scenario.{self.name}.{key}" if key else f"scenario.{self.name}", zh, en))

    def number(
        self, key: str, value: object, *, low: float = 0.0, high: float = np.inf, open_high: bool = False
    ) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.add(key, f"应为数值，而非「{value}」", f"must be a number, not {value!r}")
            return float("nan")
        v = float(value)
        if v < low:
            self.add(key, f"不能为负：{v}" if low == 0 else f"应不小于 {low}：{v}", f"must be >= {low}: {v}")
        elif v > high or (open_high and v >= high):
            self.add(key, f"超出范围：{v}", f"out of range: {v}")
        return v

    def node(self, key: str, value: object) -> str | None:
        if not isinstance(value, str) or value not in self.model.network:
            self.add(key, f"未知节点「{value}」", f"unknown node {value!r}")
            return None
        return value

    def mapping(
        self, key: str, value: object, known: set[str], what: tuple[str, str], **bounds: object
    ) -> dict[str, float]:
        if not isinstance(value, Mapping):
            self.add(key, "应为表（键 = 值）", "must be a table of key = value")
            return {}
        out = {}
        for k, v in value.items():
            if k not in known:
                self.add(f"{key}.{k}", f"未知{what[0]}「{k}」", f"unknown {what[1]} {k!r}")
            out[str(k)] = self.number(f"{key}.{k}", v, **bounds)
        return out

    def monthly(self, key: str, value: object) -> float | tuple[float, ...] | None:
        values = value if isinstance(value, list) else [value]
        if len(values) not in (1, MONTHS):
            self.add(key, "应为 1 个或 12 个月值", "give 1 or 12 monthly values")
            return None
        numbers = tuple(self.number(f"{key}[{i}]", v) for i, v in enumerate(values))
        return numbers if len(numbers) == MONTHS else numbers[0]


def parse_scenarios(data: Mapping[str, object], model: AllocationModel) -> dict[str, Scenario]:
    """Check the ``[scenario.*]`` tables of a parsed TOML file against ``model``.

    Raises
    ------
    ScenarioError
        Listing every problem with its key (``scenario.<name>.<key>``): unknown keys, nodes,
        counties, sectors or reservoirs; wrong types; negative values; shares outside [0, 1);
        and a scenario whose changed model is inconsistent (e.g. a canal closing a cycle).
    """
    tables = data.get("scenario")
    if not isinstance(tables, Mapping) or not tables:
        raise ScenarioError([("scenario", "文件中没有 [scenario.名称] 表", "no [scenario.<name>] table in the file")])
    unknown_top = sorted(set(data) - {"scenario"})
    problems = [(k, "未知的顶层键", "unknown top-level key") for k in unknown_top]
    scenarios = {}
    for name, spec in tables.items():
        check = _Checker(model, name)
        if not isinstance(spec, Mapping):
            check.add("", "应为表", "must be a table")
            problems.extend(check.problems)
            continue
        scenario = _read(check, name, spec)
        if not check.problems:
            try:
                apply_scenario(model, None, scenario)
            except AllocationError as exc:
                check.add("", exc.zh, exc.en)
        problems.extend(check.problems)
        scenarios[name] = scenario
    if problems:
        raise ScenarioError(problems)
    return scenarios


def _read(check: _Checker, name: str, spec: Mapping[str, object]) -> Scenario:
    for key in sorted(set(spec) - _KEYS):
        check.add(key, "未知的键（拼写错误？）", "unknown key (misspelt?)")
    fields: dict[str, object] = {"name": name}
    for key, kind in _SCALARS.items():
        if key in spec:
            fields[key] = spec[key] if kind is str else check.number(key, spec[key])
    if "period" in spec:
        period = spec["period"]
        if not (
            isinstance(period, list)
            and len(period) == 2
            and all(isinstance(y, int) for y in period)
            and period[0] <= period[1]
        ):
            check.add("period", "应为 [起始年, 结束年]", "must be [first year, last year]")
        else:
            fields["period"] = (period[0], period[1])
    nodes = set(check.model.network.ids)
    sector, county, node = ("行业", "sector"), ("区县", "county"), ("节点", "node")
    known = {
        "node_inflow_factor": (nodes, node),
        "demand_factor": (check.sectors, sector),
        "county_demand_factor": (check.counties, county),
        "water_saving": (check.sectors, sector),
        "conveyance_loss": (check.sectors, sector),
    }
    for key in _MAPS:
        if key in spec:
            bounded = {"high": 1.0, "open_high": True} if key in ("water_saving", "conveyance_loss") else {}
            fields[key] = check.mapping(key, spec[key], *known[key], **bounded)
    rows = {}
    for key, allowed in _TABLES.items():
        items = spec.get(key, [])
        if not isinstance(items, list) or not all(isinstance(i, Mapping) for i in items):
            check.add(key, f"应写作 [[scenario.{name}.{key}]] 表", f"must be [[scenario.{name}.{key}]] tables")
            items = []
        for i, item in enumerate(items):
            for k in sorted(set(item) - allowed):
                check.add(f"{key}[{i}].{k}", "未知的键（拼写错误？）", "unknown key (misspelt?)")
        rows[key] = items
    fields["transfers"] = tuple(_transfer(check, i, t) for i, t in enumerate(rows["transfer"]))
    fields["ecoflows"] = tuple(
        EcoFlow(
            check.node(f"ecoflow[{i}].node", e.get("node")) or "",
            check.monthly(f"ecoflow[{i}].q_m3s", e.get("q_m3s", 0.0)) or 0.0,
        )
        for i, e in enumerate(rows["ecoflow"])
    )
    fields["reservoirs"] = tuple(_reservoir(check, i, r) for i, r in enumerate(rows["reservoir"]))
    fields["diversions"] = tuple(
        Diversion(
            str(c.get("id", f"diversion{i}")),
            check.node(f"diversion[{i}].from", c.get("from")) or "",
            check.node(f"diversion[{i}].to", c.get("to")) or "",
            check.number(f"diversion[{i}].capacity_m3s", c.get("capacity_m3s")),
            check.number(f"diversion[{i}].loss", c.get("loss", 0.0), high=1.0, open_high=True),
        )
        for i, c in enumerate(rows["diversion"])
    )
    return Scenario(**fields)  # type: ignore[arg-type]


def _transfer(check: _Checker, i: int, t: Mapping[str, object]) -> Source:
    key = f"transfer[{i}]"
    counties = t.get("counties", [])
    if not isinstance(counties, list):
        check.add(f"{key}.counties", "应为区县编码列表", "must be a list of county ids")
        counties = []
    for c in counties:
        if c not in check.counties:
            check.add(f"{key}.counties", f"未知区县「{c}」", f"unknown county {c!r}")
    node = check.node(f"{key}.node", t["node"]) if "node" in t else None
    if not counties and "node" not in t:
        check.add(key, "应给出 counties 或 node", "give counties or node")
    if "id" not in t:
        check.add(f"{key}.id", "缺少编码", "missing id")
    capacity = t.get("capacity_m3s")
    return Source(
        source_id=str(t.get("id", "")),
        origin="transfer",
        counties=tuple(str(c) for c in counties),
        annual=check.number(f"{key}.annual_1e4m3", t.get("annual_1e4m3", np.inf)),
        capacity_m3s=None if capacity is None else check.number(f"{key}.capacity_m3s", capacity),
        node_id=node,
        loss=check.number(f"{key}.loss", t.get("loss", 0.0), high=1.0, open_high=True),
    )


def _reservoir(check: _Checker, i: int, r: Mapping[str, object]) -> dict[str, object]:
    key = f"reservoir[{i}]"
    existing = {x.reservoir_id for x in check.model.reservoirs}
    rid = r.get("id")
    if rid not in existing and "node" not in r:
        check.add(
            f"{key}.id", f"未知水库「{rid}」（新水库须给出 node）", f"unknown reservoir {rid!r} (a new one needs node)"
        )
    out: dict[str, object] = {"reservoir_id": str(rid)}
    if "node" in r:
        out["node_id"] = check.node(f"{key}.node", r["node"]) or ""
    for name, attr in (("capacity_1e4m3", "capacity"), ("dead_1e4m3", "dead"), ("initial_1e4m3", "initial")):
        if name in r:
            out[attr] = check.number(f"{key}.{name}", r[name])
    for name, attr in (("upper_1e4m3", "upper"), ("rule_1e4m3", "rule")):
        if name in r:
            values = r[name]
            if not isinstance(values, list) or len(values) != MONTHS:
                check.add(f"{key}.{name}", "应为 12 个月值", "must be 12 monthly values")
            else:
                out[attr] = tuple(check.number(f"{key}.{name}[{m}]", v) for m, v in enumerate(values))
    return out


def _scaled_demand(d: Demand, s: Scenario) -> Demand:
    factor = s.demand_factor.get(d.sector, 1.0) * s.county_demand_factor.get(d.county_id, 1.0)
    factor *= 1.0 - s.water_saving.get(d.sector, 0.0)
    loss = s.conveyance_loss.get(d.sector, d.loss)
    return replace(d, annual=d.annual * factor, loss=loss)


def apply_scenario(
    model: AllocationModel, inflow: pd.DataFrame | None, scenario: Scenario
) -> tuple[AllocationModel, pd.DataFrame | None]:
    """The model and inflows of ``scenario`` (a new model; the inputs are left as they are).

    Raises
    ------
    AllocationError
        When the changed model is inconsistent (e.g. a canal closing a cycle).
    """
    demands = tuple(_scaled_demand(d, scenario) for d in model.demands)
    sources = (
        tuple(
            replace(s, annual=s.annual * scenario.groundwater_factor) if s.origin == "ground" else s
            for s in model.sources
        )
        + scenario.transfers
    )
    eco = {e.node_id: e for e in model.ecoflows}
    eco.update({e.node_id: e for e in scenario.ecoflows})
    reservoirs = {r.reservoir_id: r for r in model.reservoirs}
    for change in scenario.reservoirs:
        rid = str(change["reservoir_id"])
        fields = {k: v for k, v in change.items() if k != "reservoir_id"}
        if rid in reservoirs:
            reservoirs[rid] = replace(reservoirs[rid], **fields)
        else:
            fields.setdefault("capacity", 0.0)
            fields.setdefault("dead", 0.0)
            reservoirs[rid] = Reservoir(rid, **fields)  # type: ignore[arg-type]
    changed = AllocationModel(
        model.network,
        demands,
        sources,
        tuple(reservoirs.values()),
        tuple(eco.values()),
        model.diversions + scenario.diversions,
        model.rules,
    )
    if inflow is None:
        return changed, None
    flows = inflow
    if scenario.period is not None:
        years = flows.index.year
        flows = flows[(years >= scenario.period[0]) & (years <= scenario.period[1])]
    factors = np.ones(flows.shape[1]) * scenario.inflow_factor
    for node, f in scenario.node_inflow_factor.items():
        if node in flows.columns:
            factors[flows.columns.get_loc(node)] *= f
    return changed, flows * factors
