"""``qingliu flow ...``: stateless water-ecology tools on flow files (生态流量工具，无需工作空间).

FILE is a long table ``station_id,date,q`` (m3/s; CSV, xlsx, Parquet) or a USGS NWIS RDB
daily-value file (ft3/s, converted to m3/s except under ``--names iha71``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from qingliu.assess.baseflow import METHODS as BASEFLOW_METHODS
from qingliu.assess.ecoflow import METHODS as ECOFLOW_METHODS
from qingliu.assess.health import SYSTEMS
from qingliu.assess.iha import STATISTICS
from qingliu.cli.output import console, emit, fail_on_bad_input, side_path
from qingliu.services import ecology_tools

app = typer.Typer(
    help="Ecological flow tools on files 生态流量工具 (SL/T 712-2021, IHA 7.1, 河湖健康评价指南), no workspace needed.",
    no_args_is_help=True,
)

FileArg = Annotated[Path, typer.Argument(help="Daily flows 日流量: station_id,date,q (m3/s) CSV/xlsx/Parquet, or a USGS RDB file.")]
OutOpt = Annotated[Path | None, typer.Option("-o", "--out", help="Output file 输出文件 (.csv, .xlsx, .parquet, .json).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON records 输出 JSON.")]
GapsOpt = Annotated[int, typer.Option("--fill-gaps", help="Interpolate gaps of up to N missing days 线性插补不超过 N 天的缺测 (default 0: missing days are an error).")]


def _choice(value: str, choices: tuple[str, ...], option: str) -> str:
    normalised = value.replace("-", "_").lower()
    if normalised not in choices:
        raise typer.BadParameter(f"可选 / one of: {', '.join(choices)} (got {value!r})", param_hint=option)
    return normalised


def _month(value: int, option: str) -> int:
    if not 1 <= value <= 12:
        raise typer.BadParameter(f"月份须为 1-12 / a month is 1-12 (got {value})", param_hint=option)
    return value


@app.command()
def iha(
    file: FileArg,
    water_year_start: Annotated[int, typer.Option(help="First month of the water year 水文年起始月 (1-12).")] = 10,
    pre: Annotated[str | None, typer.Option(help="Pre-impact water years 影响前时段, e.g. 1956-1979.")] = None,
    post: Annotated[str | None, typer.Option(help="Post-impact water years 影响后时段, e.g. 1980-2020.")] = None,
    names: Annotated[str, typer.Option(help="codes (qingliu) | iha71 (IHA 7.1 annual output names, input units).")] = "codes",
    statistic: Annotated[str, typer.Option(help="nonparametric 非参数 (medians, IHA default) | parametric 参数 (means).")] = "nonparametric",
    fill_gaps: GapsOpt = 0,
    out: OutOpt = None,
    rva_out: Annotated[Path | None, typer.Option(help="RVA table file RVA 表 (default: next to --out as *_rva).")] = None,
    efc_out: Annotated[Path | None, typer.Option(help="Environmental flow components file 环境流组分 EFC 表.")] = None,
    json: JsonOpt = False,
) -> None:
    """33 IHA parameters 水文改变指标 per station and water year (IHA 7.1); RVA with --pre/--post."""
    with fail_on_bad_input():
        _month(water_year_start, "--water-year-start")
        names = _choice(names, ("codes", "iha71"), "--names")
        statistic = _choice(statistic, STATISTICS, "--statistic")
        result = ecology_tools.iha_file(file, start_month=water_year_start, pre=pre, post=post, names=names,
                                        statistic=statistic, max_gap=fill_gaps)
        if out is None and not json:  # 35 columns: CSV on the terminal reads better than a table
            console.print(f"# 流量单位 / flow unit: {result.unit}", highlight=False)
            typer.echo(result.annual.to_csv(index=False), nl=False)
        else:
            emit(result.annual, out, title=f"IHA 水文改变指标 / IHA parameters ({result.unit})", as_json=json)
            if not json:
                console.print(f"流量单位 / flow unit: {result.unit}")
        if efc_out is not None:
            emit(result.efc, efc_out, as_json=json)
        if result.rva is not None:
            emit(result.rva, side_path(out, rva_out, "rva"), title="RVA 水文改变度 / range of variability", as_json=json)
            if not json:
                emit(result.overall, None, title="整体水文改变度 D0 / overall alteration")


@app.command()
def ecoflow(
    file: FileArg,
    method: Annotated[str, typer.Option(help=f"Methods 方法, comma-separated: {', '.join(ECOFLOW_METHODS)}.")] = "tennant",
    rating: Annotated[str | None, typer.Option(help="Tennant rating 等级: flushing optimum outstanding excellent good fair poor severe.")] = None,
    guarantee: Annotated[float | None, typer.Option(help="Qp guarantee 保证率, 90 or 95 (%).")] = None,
    exclude_months: Annotated[str | None, typer.Option(help="Frozen or dry months left out 冰封/断流月份, e.g. 12,1,2.")] = None,
    year_start: Annotated[int, typer.Option(help="First month of the year 年起始月 for annual values (1 = calendar year).")] = 1,
    recent_years: Annotated[int | None, typer.Option(help="Years of 近N年最枯月 (default 10).")] = None,
    distribution: Annotated[str | None, typer.Option(help="7Q10/30Q10 distribution 分布: lp3 | p3.")] = None,
    fill_gaps: GapsOpt = 0,
    out: OutOpt = None,
    json: JsonOpt = False,
) -> None:
    """Ecological-flow targets 生态流量目标 per station (SL/T 712-2021 methods), m3/s."""
    with fail_on_bad_input():
        methods = tuple(_choice(m.strip(), ECOFLOW_METHODS, "--method") for m in method.split(",") if m.strip())
        _month(year_start, "--year-start")
        if guarantee is not None:
            guarantee = guarantee / 100 if guarantee > 1 else guarantee
            if not 0 < guarantee < 1:
                raise typer.BadParameter("保证率须在 0-100% 之间 / a guarantee lies between 0 and 100 %", param_hint="--guarantee")
        if distribution is not None:
            distribution = _choice(distribution, ("lp3", "p3"), "--distribution")
        table = ecology_tools.ecoflow_file(file, methods, start_month=year_start, rating=rating, guarantee=guarantee,
                                           exclude_months=exclude_months, recent_years=recent_years,
                                           distribution=distribution, max_gap=fill_gaps)
        if out is not None or json:
            emit(table, out, title="生态流量目标 / ecological flow targets (m3/s)", as_json=json)
            return
        # on the terminal: one line per station and method, then the months of varying targets
        months = [c for c in table.columns if c.startswith("m") and c[1:].isdigit()]
        emit(table.drop(columns=months), None, title="生态流量目标 / ecological flow targets (m3/s)")
        varying = table[table[months].nunique(axis=1) > 1]
        if len(varying):
            emit(varying[["station_id", "method", *months]], None, title="逐月目标 / monthly targets (m3/s)")


@app.command()
def compliance(
    file: FileArg,
    targets: Annotated[Path, typer.Option(help="Targets file 目标流量表: station_id, m01..m12 or target_m3s (as `flow ecoflow` writes).")],
    method: Annotated[str | None, typer.Option(help="Use the target rows of this method 选用该方法的目标.")] = None,
    year_start: Annotated[int, typer.Option(help="First month of the reporting year 年起始月 (1 = calendar year).")] = 1,
    out: OutOpt = None,
    monthly: Annotated[Path | None, typer.Option(help="Monthly table file 逐月表 (default: next to --out as *_monthly).")] = None,
    status: Annotated[Path | None, typer.Option(help="Live status file 实时状态表 (default: next to --out as *_status).")] = None,
    json: JsonOpt = False,
) -> None:
    """Ecological-flow compliance 生态流量满足程度: daily rate, 90 % rule, shortfall, live status."""
    with fail_on_bad_input():
        _month(year_start, "--year-start")
        result = ecology_tools.compliance_file(file, targets, method=method, start_month=year_start)
        emit(result.yearly, out, title="逐年生态流量满足程度 / compliance by year", as_json=json)
        month_file = side_path(out, monthly, "monthly")
        if month_file is not None:
            emit(result.monthly, month_file, as_json=json)
        emit(result.status, side_path(out, status, "status"), title="实时状态 / live status", as_json=json)


@app.command()
def baseflow(
    file: FileArg,
    method: Annotated[str, typer.Option(help="lyne-hollick (3 passes, α 0.925) | eckhardt (α 0.98, BFImax 0.8).")] = "lyne-hollick",
    alpha: Annotated[float | None, typer.Option(help="Filter parameter α 滤波参数.")] = None,
    bfi_max: Annotated[float | None, typer.Option(help="Eckhardt BFImax 最大基流指数.")] = None,
    passes: Annotated[int | None, typer.Option(help="Lyne-Hollick passes 滤波次数.")] = None,
    year_start: Annotated[int, typer.Option(help="First month of the year 年起始月 (1 = calendar year).")] = 1,
    fill_gaps: GapsOpt = 0,
    out: OutOpt = None,
    series: Annotated[Path | None, typer.Option(help="Daily baseflow file 逐日基流 (station_id, date, q, baseflow).")] = None,
    json: JsonOpt = False,
) -> None:
    """Baseflow separation 基流分割 and baseflow index BFI per station and year."""
    with fail_on_bad_input():
        method = _choice(method, BASEFLOW_METHODS, "--method")
        _month(year_start, "--year-start")
        if alpha is not None and not 0 < alpha < 1:
            raise typer.BadParameter("α 须在 0 与 1 之间 / α lies between 0 and 1", param_hint="--alpha")
        if bfi_max is not None and not 0 < bfi_max <= 1:
            raise typer.BadParameter("BFImax 须在 0 与 1 之间 / BFImax lies in (0, 1]", param_hint="--bfi-max")
        if passes is not None and passes < 1:
            raise typer.BadParameter("滤波次数至少为 1 / at least one pass", param_hint="--passes")
        params = {"alpha": alpha}
        if method == "eckhardt":
            params["bfi_max"] = bfi_max
        else:
            params["passes"] = passes
        bfi, daily = ecology_tools.baseflow_file(file, method=method, start_month=year_start, max_gap=fill_gaps, **params)
        emit(bfi, out, title="基流指数 / baseflow index (year empty = whole record)", as_json=json)
        if series is not None:
            emit(daily, series, as_json=json)


@app.command()
def health(
    file: Annotated[Path, typer.Argument(help="Indicator values 指标值: river, indicator, value and/or score.")],
    system: Annotated[str, typer.Option(help=f"Indicator system 评价体系: {' | '.join(SYSTEMS)}.")] = "river_health_2020",
    out: OutOpt = None,
    json: JsonOpt = False,
) -> None:
    """River health 河湖健康评价: RHI, class and the layer that pulls each river down."""
    with fail_on_bad_input():
        system = _choice(system, SYSTEMS, "--system")
        emit(ecology_tools.health_file(file, system=system), out, title="河湖健康 / river health", as_json=json)
