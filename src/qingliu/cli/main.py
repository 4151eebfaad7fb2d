"""The ``qingliu`` command line (命令行). Parses, calls services, prints; nothing else."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

import typer

from qingliu import __version__
from qingliu.cli import flow, pollution, users, water_files, wq
from qingliu.cli.flood import drought_app, flood_app
from qingliu.cli.output import (
    console,
    fail_on_bad_input,
    print_import_report,
    print_inventory,
    print_results,
    progress_callback,
)
from qingliu.io import KINDS
from qingliu.report.assemble import build_report
from qingliu.report.render import FORMATS, render
from qingliu.report.workspace import write_workspace_report
from qingliu.services import examples
from qingliu.services.assessment import assess_workspace
from qingliu.services.importing import import_files
from qingliu.services.inventory import inventory
from qingliu.services.workspace import WorkspaceError, create_workspace, open_workspace

app = typer.Typer(
    name="qingliu",
    help="qingliu 清流 — water-ecology protection and restoration (水生态保护与修复) for a city or basin.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)

app.add_typer(wq.app, name="wq")
app.add_typer(users.app, name="user")
app.add_typer(flow.app, name="flow")
app.add_typer(water_files.app, name="water")
app.add_typer(pollution.app, name="pollution")
app.add_typer(flood_app, name="flood")
app.add_typer(drought_app, name="drought")

WorkspaceArg = Annotated[Path, typer.Argument(help="Workspace folder 工作空间目录 (settings + SQLite database).")]


def _version(value: bool) -> None:
    if value:
        console.print(f"qingliu {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version 版本.")] = False,
) -> None:
    """qingliu 清流: one data model of the basin and every assessment the city's water work needs."""


@app.command()
def init(
    ws: WorkspaceArg,
    example: Annotated[
        str | None, typer.Option(help="Fill the workspace from a bundled example 内置示例 (illustrative data 示意数据): jinzhong.")
    ] = None,
    db: Annotated[
        str | None, typer.Option(help="Database URL 数据库地址, e.g. postgresql+psycopg://user@host/db; default: SQLite file in WS.")
    ] = None,
) -> None:
    """Create a workspace 创建工作空间 [--example jinzhong] [--db URL]."""
    with fail_on_bad_input():
        if example:
            examples.check_example(example)
        workspace = create_workspace(ws, db_url=db, example=example)
        console.print(f"[green]✓[/] 工作空间已创建 / workspace created: {workspace.root}")
        if example:
            with progress_callback("导入示例 / importing example") as progress:
                report = examples.load_example(workspace, example, progress)
            print_import_report(report)


@app.command("import")
def import_(
    ws: WorkspaceArg,
    kind: Annotated[str, typer.Argument(help=f"Data kind 数据类型: {', '.join(KINDS)}.")],
    files: Annotated[list[Path], typer.Argument(help="Files 文件: CSV (UTF-8/GB18030), .xlsx or .parquet.")],
    section: Annotated[
        str | None, typer.Option(help="Samples without a section column 无断面列的单站数据: their section_id.")
    ] = None,
) -> None:
    """Import files 导入数据 — all-or-nothing 全部成功或全部不写入; errors name file, row, column, reason."""
    with fail_on_bad_input():
        workspace = open_workspace(ws)
        with progress_callback("导入 / importing") as progress:
            report = import_files(workspace.engine, [(kind, f) for f in files], progress, section=section)
        print_import_report(report)


@app.command()
def demo(
    out: Annotated[Path, typer.Option(help="Folder for the report 报告输出目录.")] = Path("qingliu-demo"),
    lang: Annotated[str, typer.Option(help="Report language 报告语言: zh or en.")] = "zh",
) -> None:
    """Run the whole pipeline on the bundled Jinzhong example 晋中示例 (illustrative data 示意数据)."""
    with fail_on_bad_input(), tempfile.TemporaryDirectory(prefix="qingliu-demo-") as tmp:
        workspace = create_workspace(Path(tmp) / "ws", example="jinzhong")
        with progress_callback("导入示例 / importing example") as progress:
            examples.load_example(workspace, "jinzhong", progress)
        inv = inventory(workspace.engine)
        print_inventory(inv)
        with progress_callback("评价 / assessing") as progress:
            results = assess_workspace(workspace.engine, progress=progress)
        print_results(results)
        report = build_report(inv, results, lang="en" if lang == "en" else "zh")
        paths = render(report, ["html"], out)
        workspace.engine.dispose()
    console.print(f"[green]✓[/] 报告 / report: {paths[0].resolve()}")


@app.command()
def info(ws: WorkspaceArg, json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False) -> None:
    """What the workspace holds 数据清单: rows per table, coverage of the series."""
    with fail_on_bad_input():
        print_inventory(inventory(open_workspace(ws).engine), as_json=json)


@app.command()
def assess(
    ws: WorkspaceArg,
    year: Annotated[int | None, typer.Option(help="Year 年份 (default: the latest with samples).")] = None,
    month: Annotated[int | None, typer.Option(min=1, max=12, help="Month 月份 (monthly bulletin 月报).")] = None,
    json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Assess the workspace 综合评价: water quality of sections, rivers, city; change, trends, warnings."""
    with fail_on_bad_input():
        workspace = open_workspace(ws)
        if json:  # machine output: nothing but the JSON document on stdout
            results = assess_workspace(workspace.engine, year, month)
        else:
            with progress_callback("评价 / assessing") as progress:
                results = assess_workspace(workspace.engine, year, month, progress)
        print_results(results, as_json=json)


@app.command()
def report(
    ws: WorkspaceArg,
    year: Annotated[int | None, typer.Option(help="Year 年份 (default: the latest with samples).")] = None,
    month: Annotated[int | None, typer.Option(min=1, max=12, help="Month 月份: the monthly bulletin 水质月报.")] = None,
    format: Annotated[str, typer.Option("--format", help=f"Formats 格式, comma-separated: {','.join(FORMATS)}.")] = "html",
    lang: Annotated[str, typer.Option(help="Language 语言: zh or en.")] = "zh",
    out: Annotated[Path, typer.Option(help="Output folder 输出目录.")] = Path("."),
) -> None:
    """Write the report 生成报告 (HTML, Excel, Word, PDF) for a year or a month."""
    with fail_on_bad_input():
        formats = [f.strip().lower() for f in format.split(",") if f.strip()]
        unknown = sorted(set(formats) - set(FORMATS))
        if unknown or lang not in ("zh", "en"):
            raise WorkspaceError(
                f"未知的格式或语言 {', '.join(unknown) or lang} / unknown format or language; formats: {', '.join(FORMATS)}, languages: zh, en"
            )
        workspace = open_workspace(ws)
        with progress_callback("生成报告 / report") as step:
            paths = write_workspace_report(workspace.engine, year, month, formats, lang, out, progress=step)  # type: ignore[arg-type]
    for path in paths:
        console.print(f"[green]✓[/] {path.resolve()}")


@app.command()
def serve(
    ws: WorkspaceArg,
    host: Annotated[str, typer.Option(help="Address to listen on 监听地址.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port 端口.")] = 8000,
    https_only: Annotated[bool, typer.Option(help="Session cookie over HTTPS only (behind a TLS proxy).")] = False,
) -> None:
    """Serve the dashboard and REST API 启动网页与接口 (FastAPI; Chinese by default, English switch)."""
    import uvicorn

    from qingliu.web.app import create_app
    from qingliu.web.settings import WebSettings, workspace_secret

    with fail_on_bad_input():
        workspace = open_workspace(ws)
        settings = WebSettings(workspace=workspace.root, secret_key=workspace_secret(workspace.root), https_only=https_only)
        console.print(f"qingliu 清流: http://{host}:{port}/  (API: /docs)")
        uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")
