"""Terminal output of the CLI (Rich): tables, progress, and bad input turned into exit code 2."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from qingliu import io
from qingliu.services.importing import ImportReport
from qingliu.services.inventory import Inventory
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
    except WorkspaceError as exc:
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
