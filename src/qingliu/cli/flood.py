"""``qingliu flood ...`` and ``qingliu drought ...``: flood and drought tools on files (水旱灾害防御).

Two Typer apps: :data:`flood_app` (frequency analysis 频率分析, distribution comparison, warning
status 汛情, low flows) and :data:`drought_app` (SPI/SRI 干旱指数, drought events 干旱过程).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from qingliu.assess.frequency_analysis import CI_CHOICES
from qingliu.cli.output import console, emit, errors, fail_on_bad_input, print_frame
from qingliu.services import flood_tools

flood_app = typer.Typer(help="Flood tools on files 防洪工具: frequency analysis 频率分析 (SL 44-2006), warning status 汛情.",
                        no_args_is_help=True)
drought_app = typer.Typer(help="Drought tools on files 抗旱工具: SPI/SRI 干旱指数 (GB/T 20481-2017), drought events 干旱过程.",
                          no_args_is_help=True)

FileArg = Annotated[Path, typer.Argument(help="CSV (UTF-8/GB18030), .xlsx or .parquet file 输入文件.")]
OutOpt = Annotated[Path | None, typer.Option("-o", "--out", help="Output file 输出文件 (.csv, .xlsx, .parquet, .json).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON 输出 JSON.")]
ScaleOpt = Annotated[int, typer.Option("--scale", help="Months accumulated 时间尺度（月）: 1, 3, 6, 12 ...")]


def _check(value: str, choices: tuple[str, ...], option: str) -> str:
    if value not in choices:
        raise typer.BadParameter(f"可选 / one of: {' | '.join(choices)}", param_hint=option)
    return value


@contextmanager
def _tool() -> Iterator[None]:
    """Bad files exit 2 (file, row, column); bad option values too, with the bilingual reason."""
    with fail_on_bad_input():
        try:
            yield
        except ValueError as exc:
            if isinstance(exc, typer.BadParameter):
                raise
            raise typer.BadParameter(str(exc)) from exc


def _return_periods(text: str) -> tuple[float, ...]:
    try:
        periods = tuple(float(t) for t in text.split(",") if t.strip())
    except ValueError:
        periods = ()
    if not periods or any(not t > 1 for t in periods):
        raise typer.BadParameter("逗号分隔的大于 1 的年数，如 2,10,100 / comma-separated years above 1, e.g. 2,10,100",
                                 param_hint="--return-periods")
    return periods


@flood_app.command()
def freq(
    file: FileArg,
    dist: Annotated[str, typer.Option(help="p3 皮尔逊III型 | gev 广义极值 | gumbel 耿贝尔 | lp3 对数皮尔逊III型.")] = "p3",
    method: Annotated[str, typer.Option(help="moments 矩法 | lmoments 线性矩法 | fit 适线法 (SL 44-2006).")] = "moments",
    historical: Annotated[Path | None, typer.Option(help="Extraordinary floods 特大洪水 `year,value` (historical and in-record).")] = None,
    period: Annotated[int | None, typer.Option(help="N: years the extraordinary floods are the largest of 调查考证期（年）.")] = None,
    formula: Annotated[str, typer.Option(help="unified 统一样本法 | independent 独立样本法 (plotting positions with historical floods).")] = "unified",
    objective: Annotated[str, typer.Option(help="Fit criterion 适线准则: ls 离差平方和 | lad 离差绝对值和 | lrs 相对离差平方和.")] = "ls",
    cs_cv: Annotated[float | None, typer.Option("--cs-cv", help="Fixed Cs/Cv ratio with --method fit 固定倍比 (e.g. 3.5).")] = None,
    return_periods: Annotated[str, typer.Option("--return-periods", help="Return periods 重现期（年）.")] = "2,5,10,20,50,100,1000",
    ci: Annotated[str, typer.Option(help="Interval 置信区间: auto | bootstrap 自助法 | analytic 解析标准误 | none.")] = "auto",
    level: Annotated[float, typer.Option(help="Confidence level 置信水平.")] = 0.90,
    n_boot: Annotated[int, typer.Option("--n-boot", help="Bootstrap resamples 自助抽样次数.")] = 1000,
    seed: Annotated[int, typer.Option(help="Random seed 随机种子.")] = 0,
    out: OutOpt = None,
    plot: Annotated[Path | None, typer.Option(help="PNG on probability paper 海森几率格纸.")] = None,
    json_: Annotated[bool, typer.Option("--json", help='Print {"parameters": {...}, "quantiles": [...]}.')] = False,
) -> None:
    """Flood frequency analysis 洪水频率分析 of `year,value` rows (or daily flows → annual maxima)."""
    with _tool():
        _check(dist, ("p3", "gev", "gumbel", "lp3"), "--dist")
        _check(method, ("moments", "lmoments", "fit"), "--method")
        _check(formula, ("unified", "independent"), "--formula")
        _check(objective, ("ls", "lad", "lrs"), "--objective")
        _check(ci, CI_CHOICES, "--ci")
        if (historical is None) != (period is None):
            raise typer.BadParameter("--historical 与 --period 须同时给出 / give --historical and --period together",
                                     param_hint="--period")
        if not 0 < level < 1:
            raise typer.BadParameter("须在 0 与 1 之间 / must be between 0 and 1", param_hint="--level")
        if n_boot < 10:
            raise typer.BadParameter("至少 10 次 / at least 10", param_hint="--n-boot")
        result = flood_tools.frequency_file(
            file, historical_path=historical, dist=dist, method=method, return_periods=_return_periods(return_periods),
            period=period, formula=formula, objective=objective, cs_cv_ratio=cs_cv, ci=ci, level=level,
            n_boot=n_boot, seed=seed,
        )
        if plot is not None:
            from qingliu.report.probability_paper import probability_paper_png

            plot.parent.mkdir(parents=True, exist_ok=True)
            plot.write_bytes(probability_paper_png(result.points, result.curve,
                                                   title=f"{file.stem} 频率曲线 / frequency curve ({dist}, {method})"))
        if json_:
            console.print_json(json.dumps(result.to_json(), ensure_ascii=False))
            if out is not None:
                emit(result.quantile_table(), out, as_json=True)
            return
        print_frame(result.parameter_table(), title=f"参数 / parameters ({dist}, {method})")
        emit(result.quantile_table(), out, title=f"设计值 / design values ({100 * level:g}% {result.ci})")
        for note in result.notes:
            errors.print(f"注意 / note: {note}", markup=False, highlight=False)
        if plot is not None:
            console.print(f"[green]✓[/] {plot}")


@flood_app.command()
def compare(
    file: FileArg,
    method: Annotated[str, typer.Option(help="moments 矩法 | lmoments 线性矩法.")] = "lmoments",
    out: OutOpt = None,
    json: JsonOpt = False,
) -> None:
    """Compare distributions 线型比较 (p3, lp3, gev, gumbel) by goodness of fit: rmse, ppcc, ks, aic."""
    with _tool():
        _check(method, ("moments", "lmoments"), "--method")
        emit(flood_tools.compare_file(file, method=method), out, title="拟合优度 / goodness of fit", as_json=json)


@flood_app.command()
def status(
    levels: FileArg,
    stations: Annotated[Path | None, typer.Option(help="Stations 水文站: station_id, name, warning_level_m, guarantee_level_m.")] = None,
    reservoirs: Annotated[Path | None, typer.Option(help="Reservoirs 水库: reservoir_id, name, flood_limit_level_m, normal_level_m.")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Report time 统计时间 (default: latest reading).")] = None,
    out: OutOpt = None,
    json: JsonOpt = False,
) -> None:
    """Warning status 汛情 from latest levels `series_id,time,value` (m): 超保证/超警戒/超汛限, worst first."""
    with _tool():
        if stations is None and reservoirs is None:
            raise typer.BadParameter("须给出 --stations 或 --reservoirs / give --stations or --reservoirs",
                                     param_hint="--stations")
        table = flood_tools.warning_status_file(levels, stations_path=stations, reservoirs_path=reservoirs, as_of=as_of)
        emit(table, out, title="汛情 / flood warning status", as_json=json)


@flood_app.command()
def lowflow(
    file: FileArg,
    window: Annotated[int, typer.Option(help="Days averaged 滑动天数.")] = 7,
    guarantee: Annotated[float, typer.Option(help="Guarantee (exceedance) probability 保证率.")] = 0.9,
    year_start: Annotated[int, typer.Option("--year-start", help="First month of the year 年起始月.")] = 1,
    out: OutOpt = None,
    json: JsonOpt = False,
) -> None:
    """Low-flow frequency 枯水频率 of daily flows: annual d-day minima, P-III, design flow at the guarantee."""
    with _tool():
        if window < 1:
            raise typer.BadParameter("须为正整数 / must be a positive integer", param_hint="--window")
        if not 1 <= year_start <= 12:
            raise typer.BadParameter("1-12", param_hint="--year-start")
        table = flood_tools.low_flow_file(file, window=window, guarantee=guarantee, year_start_month=year_start)
        emit(table, out, title=f"{window} 日最小流量 / {window}-day low flow", as_json=json)


def _index_command(kind: str, file: Path, scale: int, out: Path | None, json: bool, method: str, transform: str) -> None:
    with _tool():
        if scale < 1:
            raise typer.BadParameter("须为正整数 / must be a positive integer", param_hint="--scale")
        _check(method, ("mle", "thom"), "--fit")
        _check(transform, ("exact", "abramowitz_stegun"), "--transform")
        table = flood_tools.standardized_index_file(file, scale=scale, kind=kind, method=method, transform=transform)
        emit(table, out, title=f"{kind.upper()}-{scale}", as_json=json)


FitOpt = Annotated[str, typer.Option("--fit", help="Gamma fit 伽马拟合: mle 极大似然 | thom (Thom 1958).")]
TransformOpt = Annotated[str, typer.Option(help="exact 精确正态分位数 | abramowitz_stegun (GB/T 20481 近似).")]


@drought_app.command()
def spi(file: FileArg, scale: ScaleOpt = 3, fit: FitOpt = "mle", transform: TransformOpt = "exact",
        out: OutOpt = None, json: JsonOpt = False) -> None:
    """Standardised precipitation index SPI 标准化降水指数 of `series_id,time,value` (mm) and its grade 等级."""
    _index_command("spi", file, scale, out, json, fit, transform)


@drought_app.command()
def sri(file: FileArg, scale: ScaleOpt = 3, fit: FitOpt = "mle", transform: TransformOpt = "exact",
        out: OutOpt = None, json: JsonOpt = False) -> None:
    """Standardised runoff index SRI 标准化径流指数 of daily flows `station_id,date,q` or series."""
    _index_command("sri", file, scale, out, json, fit, transform)


@drought_app.command()
def events(
    file: FileArg,
    scale: ScaleOpt = 3,
    index: Annotated[str, typer.Option(help="spi (precipitation 降水) | sri (flows 径流).")] = "spi",
    threshold: Annotated[float | None, typer.Option(help="Run threshold 阈值 (default -0.5, 轻旱).")] = None,
    min_duration: Annotated[int, typer.Option("--min-duration", help="Shortest event 最短历时（月）.")] = 1,
    out: OutOpt = None,
    json: JsonOpt = False,
) -> None:
    """Drought events 干旱过程 (run theory 游程理论): start, end, duration, severity, peak."""
    with _tool():
        _check(index, ("spi", "sri"), "--index")
        if scale < 1:
            raise typer.BadParameter("须为正整数 / must be a positive integer", param_hint="--scale")
        table = flood_tools.drought_events_file(file, scale=scale, kind=index, threshold=threshold,
                                                min_duration=min_duration)
        emit(table, out, title="干旱过程 / drought events", as_json=json)
