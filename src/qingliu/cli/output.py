"""Terminal output of the CLI (Rich): tables, progress, and bad input turned into exit code 2."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from qingliu import io
from qingliu.report.content import cell_text
from qingliu.report.ecology import summary_paragraphs as ecology_summary
from qingliu.report.flood import summary_paragraphs as flood_summary
from qingliu.report.pollution import summary_paragraphs as pollution_summary
from qingliu.report.water_resources import summary_paragraphs as resources_summary
from qingliu.services.assessment import WorkspaceAssessment
from qingliu.services.flood import FloodDroughtAssessment
from qingliu.services.importing import ImportReport
from qingliu.services.inventory import Inventory
from qingliu.services.water_quality import (
    NoDataError,
    WaterQualityAssessment,
    failing_sections,
)
from qingliu.services.workspace import WorkspaceError

console = Console()
errors = Console(stderr=True, soft_wrap=True)

BAD_INPUT = 2


@contextmanager
def fail_on_bad_input() -> Iterator[None]:
    """Print bad-input errors (file, row, column, reason; Chinese and English) and exit with 2."""
    try:
        yield
    except io.InputError as exc:
        errors.print(f"[bold red]输入有误，未写入任何数据 / bad input, nothing was written[/] ({len(exc.problems)}):")
        for problem in exc.problems:
            errors.print(f"  • {problem}", markup=False, highlight=False, soft_wrap=True)
        if exc.omitted:
            errors.print(f"  …… 另有 {exc.omitted} 个问题 / ... and {exc.omitted} more", highlight=False)
        raise typer.Exit(BAD_INPUT) from exc
    except (WorkspaceError, NoDataError) as exc:
        errors.print(str(exc), markup=False, highlight=False)
        raise typer.Exit(BAD_INPUT) from exc


@contextmanager
def progress_callback(description: str) -> Iterator[Callable[[str], None]]:
    """A Rich progress display; yields a callback ``step(label)`` to call once per unit of work."""
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[item]}"), TimeElapsedColumn(),
                  console=console, transient=False) as bar:
        task = bar.add_task(description, total=None, item="")

        def step(label: str) -> None:
            bar.update(task, advance=1, item=label)

        yield step


def frame_to_json(frame: pd.DataFrame) -> str:
    """A table as a JSON list of records (dates ISO, missing values null, Chinese kept)."""
    return frame.to_json(orient="records", force_ascii=False, date_format="iso")


def print_frame(frame: pd.DataFrame, *, title: str = "", as_json: bool = False, max_rows: int = 200) -> None:
    """Print a table: as JSON records, or as a Rich table (the first ``max_rows`` rows)."""
    if as_json:
        console.print_json(frame_to_json(frame))
        return
    table = Table(title=title or None)
    for column in frame.columns:
        table.add_column(str(column), overflow="fold")
    for row in frame.head(max_rows).itertuples(index=False):
        table.add_row(*(cell_text(v) for v in row))
    console.print(table)
    if len(frame) > max_rows:
        console.print(f"…… 共 {len(frame)} 行，仅显示前 {max_rows} 行 / {len(frame)} rows, first {max_rows} shown")


def emit(frame: pd.DataFrame, out: Path | None, *, title: str = "", as_json: bool = False) -> None:
    """Write ``frame`` to ``out`` (format by extension) or print it."""
    if out is None:
        print_frame(frame, title=title, as_json=as_json)
        return
    path = io.write_frame(frame, out)
    if not as_json:
        console.print(f"[green]✓[/] {len(frame)} 行 / rows → {path}")


def side_path(out: Path | None, given: Path | None, suffix: str) -> Path | None:
    """Where a second table of a command goes: the path given for it, or next to ``out`` as
    ``<stem>_<suffix><ext>`` (None: printed)."""
    if given is not None or out is None:
        return given
    return out.with_name(f"{out.stem}_{suffix}{out.suffix}")


def print_import_report(report: ImportReport) -> None:
    table = Table(title="导入结果 / imported rows")
    table.add_column("类型 kind")
    table.add_column("文件 file")
    table.add_column("表 table")
    table.add_column("行 rows", justify="right")
    for kind, path, per_table in report.files:
        for name, n in per_table.items():
            table.add_row(kind, path.name, name, f"{n:,}")
    console.print(table)


def print_inventory(inv: Inventory, *, as_json: bool = False) -> None:
    if as_json:
        console.print_json(json.dumps({"example": inv.example, "counts": inv.counts, "outlets": list(inv.outlets)}))
        return
    if inv.example:
        console.print(f"[bold yellow]示意数据，非官方监测值 / illustrative data, not official measurements[/] ({inv.example})")
    table = Table(title="数据清单 / inventory")
    table.add_column("表 table")
    table.add_column("行 rows", justify="right")
    for name, n in inv.counts.items():
        table.add_row(name, f"{n:,}")
    console.print(table)


def _records(frames: dict[str, pd.DataFrame]) -> dict[str, object]:
    return {name: json.loads(frame_to_json(frame)) for name, frame in frames.items()}


def print_results(results: WorkspaceAssessment, *, as_json: bool = False) -> None:
    """Every assessment of the period, as text and tables or as one JSON document."""
    wq, eco, pol, flood = results.water_quality, results.ecology, results.pollution, results.flood
    res = results.water_resources
    if as_json:
        payload: dict[str, object] = {"year": results.year, "month": results.month}
        if wq is not None:
            payload["water_quality"] = {"period": wq.period_label} | _records(
                {"city": wq.city, "sections": wq.sections, "rivers": wq.rivers, "change": wq.city_change,
                 "warnings": wq.warnings, "trends": wq.trends, "trophic": wq.trophic, "history": wq.history}
            )
        if eco is not None:
            payload["ecology"] = _records({"targets": eco.targets, "compliance": eco.compliance, "status": eco.status,
                                           "alteration": eco.alteration, "health": eco.health})
        if res is not None:
            payload["water_resources"] = _records({"account": res.account, "red_lines": res.red_lines,
                                                   "capacity": res.capacity, "four_water": res.four_water})
        if pol is not None:
            payload["pollution"] = {"notes": [list(n) for n in pol.notes]}
        if flood is not None:
            payload["flood"] = _records({"warnings": flood.warnings, "design": flood.design,
                                         "drought_status": flood.drought_status, "low_flow": flood.low_flow})
        console.print_json(json.dumps(payload, ensure_ascii=False))
        return
    if wq is not None:
        print_water_quality(wq)
    if eco is not None:
        print_paragraphs("水生态 / water ecology", ecology_summary(eco, "zh"), ecology_summary(eco, "en"))
    if res is not None:
        print_paragraphs("水资源 / water resources", resources_summary(res, "zh"), resources_summary(res, "en"))
    if pol is not None:
        print_paragraphs("污染防治 / pollution control", pollution_summary(pol, "zh"), pollution_summary(pol, "en"))
    if flood is not None:
        print_flood(flood)


def print_paragraphs(title: str, zh: list[str], en: list[str]) -> None:
    """A report section's summary in words, each paragraph in Chinese then English."""
    console.print(f"[bold]{title}[/]")
    for a, b in zip(zh, en, strict=True):
        console.print(f"  {a}\n  {b}", highlight=False)


def print_flood(r: FloodDroughtAssessment) -> None:
    """Flood and drought: the duty list, the main station's design floods, stations in drought."""
    print_paragraphs("水旱灾害 / flood and drought", flood_summary(r, "zh"), flood_summary(r, "en"))
    warned = r.warnings[r.warnings["severity"] > 0] if not r.warnings.empty else r.warnings
    if len(warned):
        print_frame(warned[["site_id", "name", "status_zh", "status_en", "level_m", "exceed_m"]], title="水情预警 / warnings")
    if r.main_station is not None and not r.design.empty:
        main = r.design[r.design["station_id"] == r.main_station]
        print_frame(main[["station_id", "name", "return_period", "value", "lower", "upper"]],
                    title="设计洪水（日均流量，m³/s）/ design floods (daily mean flow)")


def print_water_quality(a: WaterQualityAssessment) -> None:
    """The water-environment assessment: city status, sections missing targets, warnings, trends."""
    city = a.city.iloc[0]
    console.print(
        f"[bold]{a.period_label} 水环境 / water environment[/]: {city['status_zh']} ({city['status_en']}); "
        f"I-III {100 * city['share_1_3']:.1f}%, 劣V {100 * city['share_6']:.1f}%, "
        f"达标 / meeting target {100 * city['share_meeting_target']:.1f}% of {int(city['n_sections'])} sections"
    )
    if not a.city_change.empty:
        c = a.city_change.iloc[0]
        console.print(f"与上年同期 / on last year: {c['change_zh']} / {c['change_en']} (ΔG−ΔD = {c['net_change']:.1f})")
    failing = failing_sections(a)
    if len(failing):
        print_frame(failing[["section_id", "name", "river", "class_label", "target_class", "main_pollutants"]],
                    title="未达标断面 / sections missing their target")
    warned = a.warnings[a.warnings["severity"] > 0] if not a.warnings.empty else a.warnings
    if len(warned):
        print_frame(warned[["section_id", "name", "status_zh", "status_en", "items_at_risk", "max_required_change"]],
                    title="年度目标预警 / early warning")
    if not a.trends.empty:
        better = int((a.trends["quality"] == "better").sum())
        worse = a.trends[a.trends["quality"] == "worse"]
        console.print(
            f"趋势（季节性Kendall，α=0.05）/ trends (seasonal Kendall): {better} 项改善 improving, "
            f"{len(worse)} 项变差 worsening, of {len(a.trends)} section-item series"
        )
        if len(worse):
            print_frame(worse[["section_id", "name", "parameter", "trend", "p", "slope_per_year"]],
                        title="变差趋势 / worsening trends")
