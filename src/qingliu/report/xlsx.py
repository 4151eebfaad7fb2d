"""Write a report's tables to an Excel workbook (openpyxl): one sheet per table or chart.

The first sheet (说明 / About) names the report, its banner and generation time and lists
the sheets. Every table and every chart's data follow, each on its own sheet: a title row,
a bold frozen header, then the values as Excel numbers and dates (blank where missing).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from qingliu.report.content import Chart, Report, Table, tr

#: Excel's limit on the length of a sheet name.
SHEET_NAME_MAX = 31
#: Characters Excel forbids in sheet names.
_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
#: Column widths in Excel units (about one Latin character; a Chinese character takes two).
MIN_WIDTH, MAX_WIDTH = 6, 50
#: Characters outside Latin and symbols: full-width CJK, drawn about twice as wide.
_WIDE = r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]"

_TITLE = Font(bold=True, size=13)
_BOLD = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="F0F4F8")
_BANNER_FILL = PatternFill("solid", fgColor="FFF4E5")


def sheet_names(keys: Iterable[str], reserved: Iterable[str] = ()) -> list[str]:
    """Valid, unique sheet names from block keys.

    Forbidden characters become ``_``; names are cut to 31 characters; a name already taken
    (Excel compares names without case) gets a suffix ``~2``, ``~3``, ...
    """
    taken = {name.casefold() for name in reserved}
    names = []
    for key in keys:
        base = _FORBIDDEN.sub("_", key).strip("'") or "sheet"
        name, n = base[:SHEET_NAME_MAX], 1
        while name.casefold() in taken:
            n += 1
            suffix = f"~{n}"
            name = base[: SHEET_NAME_MAX - len(suffix)] + suffix
        taken.add(name.casefold())
        names.append(name)
    return names


def _display_width(text: pd.Series) -> int:
    """Widest entry of a text column in Excel width units (wide characters count twice)."""
    if text.empty:
        return 0
    return int((text.str.len() + text.str.count(_WIDE)).max())


def _column_widths(frame: pd.DataFrame) -> list[float]:
    widths = []
    for name, column in frame.items():
        if pd.api.types.is_datetime64_any_dtype(column):
            body = 16
        else:
            body = _display_width(column.dropna().astype(str))
        header = _display_width(pd.Series([str(name)]))
        widths.append(min(max(body, header, MIN_WIDTH) + 2, MAX_WIDTH))
    return widths


def _column_cells(ws, column: pd.Series) -> list:
    """A column's values for openpyxl: Python numbers, text and datetimes; ``None`` where missing."""
    if pd.api.types.is_datetime64_any_dtype(column):
        if column.dt.tz is not None:
            column = column.dt.tz_localize(None)  # Excel has no time zones: keep the wall time
        present = column.dropna()
        fmt = "yyyy-mm-dd" if (present == present.dt.normalize()).all() else "yyyy-mm-dd hh:mm"
        cells = []
        for value in column.astype(object).where(column.notna(), None).tolist():
            cell = WriteOnlyCell(ws, value=value.to_pydatetime() if value is not None else None)
            cell.number_format = fmt
            cells.append(cell)
        return cells
    return column.astype(object).where(column.notna(), None).tolist()


def _styled(ws, value: object, font: Font, fill: PatternFill | None = None) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=value)
    cell.font = font
    if fill is not None:
        cell.fill = fill
    return cell


def _write_table(wb: Workbook, name: str, title: str, frame: pd.DataFrame, note: str) -> None:
    ws = wb.create_sheet(name)
    for i, width in enumerate(_column_widths(frame), start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A3"  # title and header stay in view
    ws.append([_styled(ws, title, _TITLE)])
    ws.append([_styled(ws, str(c), _BOLD, _HEADER_FILL) for c in frame.columns])
    for row in zip(*(_column_cells(ws, frame[c]) for c in frame.columns), strict=True):
        ws.append(list(row))
    if note:
        ws.append([])
        ws.append([note])


def _write_about(wb: Workbook, report: Report, contents: list[tuple[str, str, str]]) -> None:
    lang = report.lang
    ws = wb.create_sheet(tr(lang, "说明", "About"))
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["B"].width = 60
    ws.column_dimensions["C"].width = 40
    ws.append([_styled(ws, report.title, Font(bold=True, size=16))])
    if report.subtitle:
        ws.append([report.subtitle])
    if report.banner:
        ws.append([_styled(ws, report.banner, _BOLD, _BANNER_FILL)])
    ws.append([report.generated])
    ws.append([])
    header = (tr(lang, "工作表", "Sheet"), tr(lang, "标题", "Title"), tr(lang, "说明", "Note"))
    ws.append([_styled(ws, h, _BOLD, _HEADER_FILL) for h in header])
    for row in contents:
        ws.append(list(row))


def write_xlsx(report: Report, path: str | Path) -> Path:
    """Write every table and every chart's data of ``report`` to an .xlsx file; return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    blocks = [b for b in report.blocks() if isinstance(b, Table | Chart)]
    about = tr(report.lang, "说明", "About")
    names = sheet_names((b.key for b in blocks), reserved=[about])
    wb = Workbook(write_only=True)  # streams rows: large tables stay cheap in memory
    _write_about(wb, report, [(n, b.title, b.note) for n, b in zip(names, blocks, strict=True)])
    for name, block in zip(names, blocks, strict=True):
        _write_table(wb, name, block.title, block.frame, block.note)
    wb.save(path)
    return path
