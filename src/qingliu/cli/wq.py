"""``qingliu wq ...``: stateless water-quality tools on files (水质工具，无需工作空间)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from qingliu.cli.output import emit, fail_on_bad_input
from qingliu.services import wq_tools
from qingliu.services.trends import TREND_METHODS, trend_file

app = typer.Typer(help="Water-quality tools on files 水质工具 (GB 3838-2002, 环办〔2011〕22号), no workspace needed.",
                  no_args_is_help=True)

FileArg = Annotated[Path, typer.Argument(help="CSV (UTF-8/GB18030) or .xlsx file 输入文件.", exists=False)]
OutOpt = Annotated[Path | None, typer.Option("-o", "--out", help="Output file 输出文件 (.csv, .xlsx, .parquet, .json).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON records 输出 JSON.")]


@app.command()
def classify(
    file: FileArg,
    out: OutOpt = None,
    water_body: Annotated[str, typer.Option(help="river 河流 | lake 湖泊 | reservoir 水库 (lake TP limits).")] = "river",
    json: JsonOpt = False,
) -> None:
    """Class of every sample 单样品水质类别 (single-factor, GB 3838-2002 Table 1): class 1-6, worst items."""
    with fail_on_bad_input():
        if water_body not in ("river", "lake", "reservoir"):
            raise typer.BadParameter("river | lake | reservoir", param_hint="--water-body")
        emit(wq_tools.classify_file(file, water_body), out, title="水质类别 / water-quality class", as_json=json)


@app.command()
def evaluate(
    file: FileArg,
    sections: Annotated[Path, typer.Option(help="Section file 断面表: section_id, target_class[, river, water_body, name].")],
    from_: Annotated[str | None, typer.Option("--from", help="First month 起始月 YYYY-MM.")] = None,
    to: Annotated[str | None, typer.Option("--to", help="Last month 截止月 YYYY-MM (included).")] = None,
    out: OutOpt = None,
    summary: Annotated[Path | None, typer.Option(help="Summary per river and for all 河流及总体评价 output file.")] = None,
    json: JsonOpt = False,
) -> None:
    """Evaluate sections over a period 断面评价 (环办〔2011〕22号): class, target 达标, main pollutants."""
    with fail_on_bad_input():
        table, groups = wq_tools.evaluate_file(file, sections, from_, to)
        emit(table, out, title="断面评价 / sections", as_json=json)
        if summary is not None:
            emit(groups, summary, as_json=json)
        elif not json:
            emit(groups, None, title="河流及总体 / rivers and all sections")


@app.command()
def trend(
    file: FileArg,
    method: Annotated[str, typer.Option(help="mk (Mann-Kendall) | seasonal (季节性Kendall) | spearman (官方秩相关).")] = "mk",
    period: Annotated[int, typer.Option(help="Seasons per year for the seasonal test 季节数.")] = 12,
    out: OutOpt = None,
    json: JsonOpt = False,
) -> None:
    """Trend tests 趋势检验 on long series `series_id,time,value`: S, Z, p, tau, Sen's slope."""
    with fail_on_bad_input():
        if method not in TREND_METHODS:
            raise typer.BadParameter(" | ".join(TREND_METHODS), param_hint="--method")
        emit(trend_file(file, method=method, period=period), out, title="趋势 / trend", as_json=json)


@app.command()
def tli(file: FileArg, out: OutOpt = None, json: JsonOpt = False) -> None:
    """Trophic level index 综合营养状态指数 TLI(Σ) of rows with chla, tp, tn, sd[, codmn]."""
    with fail_on_bad_input():
        emit(wq_tools.tli_file(file), out, title="营养状态 / trophic state", as_json=json)



