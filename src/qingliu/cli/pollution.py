"""``qingliu pollution ...``: pollution control of a workspace (污染防治): loads, model, capacity.

Each command prints its tables (Rich), or ``--json`` (one JSON object, or records for ``loads``),
or writes the main table to ``-o OUT`` and the others beside it as ``<stem>_<table><ext>``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from qingliu.assess.loads import ITEMS, LoadError
from qingliu.cli.output import (
    BAD_INPUT,
    console,
    emit,
    errors,
    fail_on_bad_input,
    frame_to_json,
    print_frame,
    side_path,
)
from qingliu.model import NetworkError
from qingliu.services.pollution import (
    MONTE_CARLO_RUNS,
    PollutionAssessment,
    PollutionDataError,
    assess_pollution,
    load_inventory,
)
from qingliu.services.water_quality import latest_year
from qingliu.services.workspace import open_workspace
from qingliu.simulate.routing import DESIGN_METHODS

app = typer.Typer(
    help="Pollution control of a workspace 污染防治: source loads 污染负荷, water-quality model 水质模型, "
    "capacity 纳污能力 and reduction plan 削减方案 (GB/T 25173-2010).",
    no_args_is_help=True,
)

WorkspaceArg = Annotated[Path, typer.Argument(help="Workspace folder 工作空间目录.")]
YearOpt = Annotated[int | None, typer.Option(help="Year 年份 of the observed means and rain (default: the latest with samples).")]
DesignOpt = Annotated[str | None, typer.Option(help=f"Design flow 设计流量: {' | '.join(DESIGN_METHODS)} (default guarantee 90%保证率最枯月).")]
PeriodOpt = Annotated[str | None, typer.Option(help="Observed period 实测时段 YYYY or YYYY-MM (implies --design-flow observed).")]
OutOpt = Annotated[Path | None, typer.Option("-o", "--out", help="Output file 输出文件 (.csv, .xlsx, .parquet, .json); other tables beside it.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON 输出 JSON.")]

BY_CHOICES = ("sector", "county", "kind", "source")


@contextmanager
def _workspace_data() -> Iterator[None]:
    """Data the computations cannot use (sources, network, flows) exit 2 with the bilingual reason."""
    with fail_on_bad_input():
        try:
            yield
        except (LoadError, NetworkError, PollutionDataError) as exc:
            errors.print(f"数据无法计算 / the data cannot be computed: {exc}", markup=False, highlight=False)
            raise typer.Exit(BAD_INPUT) from exc


def _year(ws: Path, year: int | None):
    workspace = open_workspace(ws)
    return workspace, year if year is not None else latest_year(workspace.engine)


def _condition(design_flow: str | None, period: str | None) -> tuple[str | None, str | None]:
    if design_flow is not None and design_flow not in DESIGN_METHODS:
        raise typer.BadParameter(f"可选 / one of: {' | '.join(DESIGN_METHODS)}", param_hint="--design-flow")
    if period is not None:
        if not re.fullmatch(r"\d{4}(-(0[1-9]|1[0-2]))?", period):
            raise typer.BadParameter(f"时段写作 YYYY 或 YYYY-MM，而非 {period!r} / a period is YYYY or YYYY-MM, not {period!r}",
                                     param_hint="--period")
        if design_flow not in (None, "observed"):
            raise typer.BadParameter("--period 只用于 observed / --period goes with --design-flow observed",
                                     param_hint="--period")
        design_flow = "observed"
    return design_flow, period


def _notes_records(result: PollutionAssessment) -> list[dict[str, str]]:
    return [{"zh": zh, "en": en} for zh, en in result.notes]


def _output(tables: dict[str, pd.DataFrame], views: dict[str, pd.DataFrame], out: Path | None, as_json: bool,
            header: dict[str, object]) -> None:
    """Full tables: the first to ``out`` and the others beside it, or one JSON object; else ``views`` printed."""
    if out is not None:
        (_, first), *others = tables.items()
        emit(first, out, as_json=as_json)
        for name, frame in others:
            emit(frame, side_path(out, None, name), as_json=as_json)
    elif as_json:
        payload = {**header, **{name: json.loads(frame_to_json(frame)) for name, frame in tables.items()}}
        console.print_json(json.dumps(payload, ensure_ascii=False, default=str))
    else:
        for title, frame in views.items():
            if len(frame):
                print_frame(frame, title=title)


def _with_shares(table: pd.DataFrame, label: str) -> pd.DataFrame:
    """Terminal view of a load table: the group, then "t/a (share)" per item."""
    view = table[[label]].copy()
    for item in ITEMS:
        view[f"{item} t/a"] = [f"{v:,.1f} ({s:.0%})" for v, s in zip(table[f"{item}_ta"], table[f"{item}_share"], strict=True)]
    return view


def _print_notes(result: PollutionAssessment) -> None:
    for zh, en in result.notes:
        console.print(f"• {zh}\n  {en}", highlight=False, markup=False)


@app.command()
def loads(
    ws: WorkspaceArg,
    year: YearOpt = None,
    by: Annotated[str, typer.Option(help="Group by 分组: sector 行业 | county 区县 | kind 类型 | source 污染源.")] = "sector",
    rain_mm: Annotated[float | None, typer.Option(help="Annual rain 年降水量 (mm) for urban runoff (default: the year's gauges).")] = None,
    out: OutOpt = None,
    json: JsonOpt = False,
) -> None:
    """Source loads 污染负荷 (t/a entering the rivers 入河量, export-coefficient method) by sector, county or kind."""
    with _workspace_data():
        if by not in BY_CHOICES:
            raise typer.BadParameter(f"可选 / one of: {' | '.join(BY_CHOICES)}", param_hint="--by")
        workspace, year = _year(ws, year)
        inventory = load_inventory(workspace.engine, year, rain_mm=rain_mm)
        table = {"sector": inventory.by_sector, "county": inventory.by_county, "kind": inventory.by_kind,
                 "source": inventory.loads}[by]
        if json or out is not None:
            emit(table, out, as_json=json)
        else:
            totals = inventory.totals()
            rain = "" if inventory.rain_mm is None else f"; 降水 / rain {inventory.rain_mm:.0f} mm"
            console.print("[bold]入河量 / entering loads (t/a)[/]: " + ", ".join(f"{i} {v:,.1f}" for i, v in totals.items())
                          + f" — {len(inventory.loads)} 个污染源 / sources{rain}")
            view = (table[["source_id", "name", "kind", *(f"{i}_ta" for i in ITEMS)]] if by == "source"
                    else _with_shares(table, {"sector": "sector_zh", "county": "name", "kind": "kind"}[by]))
            print_frame(view, title=f"入河量 / entering loads by {by}")


def _model_header(result: PollutionAssessment) -> dict[str, object]:
    return {"year": result.year, "design_flow": result.design_flow, "period": result.period,
            "k_per_day": result.k_per_day, "notes": _notes_records(result)}


def _condition_line(result: PollutionAssessment) -> str:
    k = ", ".join(f"{i} {v:.3g}" for i, v in result.k_per_day.items())
    return (f"[bold]设计流量 / design flow[/]: {result.condition_label('zh')} / {result.condition_label('en')}; "
            f"K (1/d): {k}")


def _model_views(result: PollutionAssessment) -> dict[str, pd.DataFrame]:
    s = result.sections
    sections = s[["section_id", "name", "q_m3s", *(f"{i}_mgl" for i in ITEMS), "items_over"]]
    views = {
        "水文站设计流量 / design flows at stations": result.stations.drop(columns=["node_id"]),
        "K 率定 / calibration of K": result.calibration.drop(columns=["success"], errors="ignore"),
        "断面模拟浓度 (mg/L) / modelled sections": sections,
    }
    if len(result.uncertainty):
        views["超标概率 / probability above target (Monte Carlo)"] = result.uncertainty.pivot(
            index="section_id", columns="item", values="p_exceed").reindex(columns=list(ITEMS)).reset_index()
    return views


@app.command()
def model(
    ws: WorkspaceArg,
    year: YearOpt = None,
    design_flow: DesignOpt = None,
    period: PeriodOpt = None,
    runs: Annotated[int, typer.Option(min=0, help="Monte Carlo runs 蒙特卡罗次数 (0: none).")] = MONTE_CARLO_RUNS,
    out: OutOpt = None,
    json: JsonOpt = False,
) -> None:
    """River water-quality model 河网水质模型 under a design flow: K calibrated 率定, sections, Monte Carlo 不确定性."""
    with _workspace_data():
        design_flow, period = _condition(design_flow, period)
        workspace, year = _year(ws, year)
        result = assess_pollution(workspace.engine, year, design_flow=design_flow, period=period, runs=runs)
        if not json and out is None:
            console.print(_condition_line(result))
            _print_notes(result)
        tables = {"sections": result.sections, "calibration": result.calibration, "fit": result.fit,
                  "stations": result.stations, "uncertainty": result.uncertainty}
        _output(tables, _model_views(result), out, json, _model_header(result))


def _capacity_views(result: PollutionAssessment) -> dict[str, pd.DataFrame]:
    c = result.capacity
    acting = c[c["status"].isin(["over", "no_capacity"])]
    plan = result.plan[result.plan["cut_ta"] > 0]
    short = result.plan_sections[result.plan_sections["shortfall_mgl"] > 0]
    return {
        "超载控制单元 / zones over capacity (t/a)": acting[["section_id", "name", "item", "capacity_ta", "load_ta",
                                                    "reduction_ta", "status"]],
        "削减方案 / least-cut plan by sector and county (t/a)": plan[["sector_zh", "county", "item", "load_ta",
                                                              "cut_ta", "cut_rate"]],
        "削减后仍超标 / still above target": short[["section_id", "item", "present_mgl", "target_mgl", "after_mgl"]],
    }


@app.command()
def capacity(
    ws: WorkspaceArg,
    year: YearOpt = None,
    design_flow: DesignOpt = None,
    period: PeriodOpt = None,
    max_share: Annotated[float, typer.Option(min=0.0, max=1.0, help="Largest share of its load a source can cut 单源最大削减比例.")] = 1.0,
    out: OutOpt = None,
    json: JsonOpt = False,
) -> None:
    """Capacity 纳污能力 of each section zone (GB/T 25173-2010), reduction needed 需削减量 and the least-cut plan 最小削减方案."""
    with _workspace_data():
        design_flow, period = _condition(design_flow, period)
        workspace, year = _year(ws, year)
        result = assess_pollution(workspace.engine, year, design_flow=design_flow, period=period, runs=0,
                                  max_share=max_share)
        if not json and out is None:
            console.print(_condition_line(result))
            _print_notes(result)
        tables = {"capacity": result.capacity, "plan": result.plan, "plan_sections": result.plan_sections,
                  "cuts": result.cuts}
        _output(tables, _capacity_views(result), out, json, _model_header(result))


def print_pollution_summary(result: PollutionAssessment) -> None:
    """A few lines for ``qingliu assess``: loads by sector, failing sections and their sources, capacity and plan."""
    totals = result.inventory.totals()
    sectors = result.inventory.by_sector.set_index("sector_zh")
    main = ", ".join(f"{item} {totals[item]:,.0f} t/a ({sectors[f'{item}_share'].idxmax()} "
                     f"{sectors[f'{item}_share'].max():.0%})" for item in ITEMS)
    console.print(f"[bold]污染负荷 / pollution loads[/] (入河量 entering): {main}")
    if len(result.failing):
        top = result.top_sources[result.top_sources["rank"] == 1].set_index(["section_id", "item"])
        rows = result.failing.assign(top_source=[top["name"].get((s, i), "") for s, i in
                                                 zip(result.failing["section_id"], result.failing["item"], strict=True)])
        print_frame(rows, title="超标断面及首要污染源 / items above target and their largest source")
    console.print(_condition_line(result))
    over = result.capacity[result.capacity["status"].isin(["over", "no_capacity"])]
    cut = result.cuts.groupby("item")["cut_ta"].sum()
    console.print(f"纳污能力 / capacity: {over['section_id'].nunique()} 个控制单元超载 / zones over capacity; "
                  "最小削减 / least cut: " + ", ".join(f"{i} {cut.get(i, 0.0):,.1f} t/a" for i in ITEMS))
    _print_notes(result)


__all__ = ["app", "print_pollution_summary"]
