"""``qingliu water ...`` on a data folder: water account, red lines, carrying capacity, 四水四定
and allocation with scenarios (水资源工具，读取数据目录).

DATA is a folder of canonical files named as in the bundled example
(``src/qingliu/data/jinzhong``): network, counties, water_use, stations, flows and, optional,
sections, reservoirs, sources (.csv, .xlsx or .parquet).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from qingliu.cli.output import emit, fail_on_bad_input, side_path
from qingliu.services import water_resources_tools as tools

app = typer.Typer(
    help="Water resources on a data folder 水资源 (最严格水资源管理制度, 承载能力, 四水四定, 水资源配置).",
    no_args_is_help=True,
)

DataArg = Annotated[
    Path,
    typer.Argument(
        metavar="WS",
        help="Workspace 工作空间, or a data folder 数据目录 laid out like the bundled example (network.csv, ...).",
    ),
]
YearOpt = Annotated[int, typer.Option("--year", help="Year 年份.")]
OutOpt = Annotated[
    Path | None, typer.Option("-o", "--out", help="Output file 输出文件 (.csv, .xlsx, .parquet, .json).")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON records 输出 JSON.")]


BRIEF = {
    "account": (
        "county_id",
        "name",
        "total_use",
        "water_quota",
        "quota_ratio",
        "within_quota",
        "use_ground",
        "groundwater_quota",
        "within_groundwater_quota",
    ),
    "red_lines": ("county_id", "name", "name_zh", "value", "target", "met", "progress"),
    "capacity": ("county_id", "name", "total_use_zh", "groundwater_zh", "quality_zh", "overall_zh", "overall_en"),
    "four_fix": (
        "county_id",
        "name",
        "available",
        "population",
        "population_supported",
        "irrigated_area_mu_supported",
        "industry_value_supported",
        "carrying_ratio",
    ),
    "demand": ("scenario", "demand_id", "demand", "supply", "shortage_pct", "reliability_steps", "reliability_years"),
    "county": ("scenario", "county_id", "demand", "supply", "shortage", "shortage_pct"),
}
"""Columns shown in the terminal; files and --json get every column."""


def _show(table, out: Path | None, kind: str, *, title: str, as_json: bool = False) -> None:
    """Write or print a table: every column to a file or as JSON, the main ones on screen."""
    if out is None and not as_json and kind in BRIEF:
        table = table[[c for c in BRIEF[kind] if c in table.columns]]
    emit(table, out, title=title, as_json=as_json)


def _folder(data: Path) -> Path:
    if not data.is_dir():
        raise typer.BadParameter(f"不是工作空间或数据目录 / not a workspace or data folder: {data}", param_hint="WS")
    return data


@app.command()
def account(
    data: DataArg,
    year: YearOpt,
    out: OutOpt = None,
    red_lines: Annotated[Path | None, typer.Option("--red-lines", help="Red-line table 三条红线 output file.")] = None,
    json: JsonOpt = False,
) -> None:
    """Water account 用水量核算 by county, sector and origin against quotas, and the red lines 三条红线."""
    with fail_on_bad_input():
        table, lines = tools.account_folder(_folder(data), year)
        _show(table, out, "account", title=f"{year} 用水量核算 / water account (1e4 m3)", as_json=json)
        second = side_path(out, red_lines, "red_lines")
        if second is not None or not json:
            _show(lines, second, "red_lines", title=f"{year} 三条红线 / red lines")


@app.command()
def capacity(
    data: DataArg,
    year: YearOpt,
    out: OutOpt = None,
    four_fix: Annotated[Path | None, typer.Option("--four-fix", help="四水四定 table output file.")] = None,
    json: JsonOpt = False,
) -> None:
    """Carrying capacity 水资源承载能力 (不超载/临界/超载/严重超载) and 四水四定 per county."""
    with fail_on_bad_input():
        status, fix = tools.capacity_folder(_folder(data), year)
        _show(status, out, "capacity", title=f"{year} 承载能力 / carrying capacity", as_json=json)
        second = side_path(out, four_fix, "four_fix")
        if second is not None or not json:
            _show(
                fix,
                second,
                "four_fix",
                title=f"{year} 四水四定 / population, irrigated area (mu), industry (1e4 yuan) supported",
            )


@app.command()
def allocate(
    data: DataArg,
    scenario: Annotated[str | None, typer.Option(help="Run this scenario of --scenarios only 只运行该情景.")] = None,
    scenarios: Annotated[
        Path | None, typer.Option(help="Scenario file 情景文件 (TOML); without --scenario all are compared.")
    ] = None,
    from_: Annotated[int | None, typer.Option("--from", help="First year 起始年.")] = None,
    to: Annotated[int | None, typer.Option("--to", help="Last year 截止年 (included).")] = None,
    step: Annotated[str, typer.Option(help="month 月 | day 日.")] = "month",
    by: Annotated[str, typer.Option(help="demand 按需水 | county 按区县 | scenario 情景对比.")] = "demand",
    out: OutOpt = None,
    json: JsonOpt = False,
) -> None:
    """Allocate water over the network 水资源配置 (LP, HiGHS): supply, shortage, reliability; scenarios side by side."""
    with fail_on_bad_input():
        if step not in ("month", "day"):
            raise typer.BadParameter(f"可选 / one of: month | day (got {step!r})", param_hint="--step")
        if by not in ("demand", "county", "scenario"):
            raise typer.BadParameter(f"可选 / one of: demand | county | scenario (got {by!r})", param_hint="--by")
        if scenario is not None and scenarios is None:
            raise typer.BadParameter(
                "--scenario 需要 --scenarios 情景文件 / --scenario needs --scenarios FILE", param_hint="--scenario"
            )
        if from_ is not None and to is not None and from_ > to:
            raise typer.BadParameter(
                f"起始年晚于截止年 / first year after last year ({from_} > {to})", param_hint="--from"
            )
        runs = tools.allocate_folder(
            _folder(data),
            scenarios_file=scenarios,
            scenario=scenario,
            step=step,
            start=f"{from_}-01-01" if from_ is not None else None,
            end=f"{to}-12-31" if to is not None else None,
        )
        if by == "scenario":
            table, title = runs.comparison(), "情景对比 / scenarios compared (1e4 m3/a)"
        elif by == "county":
            table, title = runs.counties(), "区县供需 / supply and shortage by county (1e4 m3/a)"
        else:
            table, title = runs.demands(), "需水供需与保证率 / supply, shortage and reliability by demand (1e4 m3/a)"
        _show(table, out, by, title=title, as_json=json)
