"""Reading CSV, Excel and Parquet files into one text grid with the user's row numbers (读取文件).

Every format becomes a :class:`Sheet`: the header texts and a frame of cleaned text cells
(NFKC, stripped) with the row number the user sees. Typed cells of Excel and Parquet are
written as text (integral numbers without ``.0``, dates in ISO form) so that every format goes
through the same parsers and gives identical frames.

Row numbers: in CSV the record number (header = 1, first data row = 2; a quoted field over
several lines is one row, as Excel shows it); in Excel the sheet's row; in Parquet the data
row's position + 2, as if the column names were row 1. The header is the first row with more
than one non-empty cell, so title rows above it (``2024年水质监测数据``) are skipped.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import zipfile
from dataclasses import dataclass
from io import StringIO
from pathlib import Path

import numpy as np
import pandas as pd

from qingliu.io.cells import clean
from qingliu.io.problems import ProblemLog
from qingliu.standards import normalise_label

CSV_SUFFIXES = (".csv", ".tsv", ".txt")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
PARQUET_SUFFIXES = (".parquet", ".pq")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")  # never in text; a sign of a binary or UTF-16 file
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_UTF8_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class Sheet:
    """A table read from a file: header texts, header row, cleaned text cells and their rows.

    ``cells`` has one column per header position (0, 1, ...), dtype ``str``; ``rows`` holds the
    user's row number of each cell row. Empty rows are already dropped.
    """

    file: str
    headers: list[str]
    header_row: int
    cells: pd.DataFrame
    rows: np.ndarray


def read_sheet(path: Path, log: ProblemLog, sheet_names: tuple[str, ...] = ()) -> Sheet | None:
    """Read ``path`` by its extension; report unreadable files to ``log`` and return None.

    ``sheet_names`` are the names (English and Chinese) of the tables wanted: an Excel sheet
    with one of them is read, otherwise the first sheet.
    """
    suffix = path.suffix.lower()
    if not path.is_file():
        log.add(None, None, "文件不存在", "file not found")
        return None
    if suffix in CSV_SUFFIXES:
        grid = _read_csv(path, log)
    elif suffix in EXCEL_SUFFIXES:
        grid = _read_excel(path, log, sheet_names)
    elif suffix in PARQUET_SUFFIXES:
        return _read_parquet(path, log)
    elif suffix == ".xls":
        log.add(
            None,
            None,
            "不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx",
            "old .xls files are not supported; save as .xlsx in Excel",
        )
        return None
    else:
        accepted = ", ".join((*CSV_SUFFIXES, *EXCEL_SUFFIXES, *PARQUET_SUFFIXES))
        log.add(
            None,
            None,
            f"不支持的文件类型「{suffix or '无扩展名'}」，可用：{accepted}",
            f"unsupported file type {suffix or '(no extension)'!r}; use one of {accepted}",
        )
        return None
    return None if grid is None else _sheet_from_grid(path.name, grid, log, field_counts=suffix in CSV_SUFFIXES)


def _decode(data: bytes, log: ProblemLog) -> str | None:
    """UTF-8 (with or without BOM), else GB18030 (covers GBK and GB2312); anything else is refused."""
    if data.startswith(_UTF16_BOMS) or b"\x00" in data:
        text = None
    elif data.startswith(_UTF8_BOM):
        text = _try_decode(data[len(_UTF8_BOM) :], "utf-8")
    else:
        text = _try_decode(data, "utf-8") or _try_decode(data, "gb18030")
    if text is None or _CONTROL.search(text):
        log.add(
            None,
            None,
            "文件编码无法识别（应为 UTF-8 或 GBK/GB18030 文本；UTF-16 或二进制文件请另存为 UTF-8 CSV）",
            "unknown file encoding (expected UTF-8 or GBK/GB18030 text; save UTF-16 or binary files as UTF-8 CSV)",
        )
        return None
    return text


def _try_decode(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def _sniff_delimiter(text: str) -> str:
    """Comma, unless the first non-empty line has more tabs or semicolons."""
    first = next((line for line in text[:65536].splitlines() if line.strip()), "")
    counts = {d: first.count(d) for d in (",", "\t", ";")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > counts[","] else ","


def _read_csv(path: Path, log: ProblemLog) -> list[list[str]] | None:
    text = _decode(path.read_bytes(), log)
    if text is None:
        return None
    reader = csv.reader(StringIO(text, newline=""), delimiter=_sniff_delimiter(text), strict=True)
    rows: list[list[str]] = []
    try:
        rows.extend(reader)
    except csv.Error:
        log.add(
            len(rows) + 1, None, "引号未闭合，文件可能被截断", "a quoted field is not closed; the file may be truncated"
        )
        return None
    return rows


def _read_excel(path: Path, log: ProblemLog, sheet_names: tuple[str, ...]) -> list[list[str]] | None:
    import openpyxl  # imported here: only Excel files need it
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        log.add(None, None, f"无法读取 Excel 文件：{exc}", f"cannot read the Excel file: {exc}")
        return None
    try:
        wanted = {normalise_label(n) for n in sheet_names}
        sheet = next((ws for ws in book.worksheets if normalise_label(ws.title) in wanted), book.worksheets[0])
        grid = [[_excel_text(v) for v in row] for row in sheet.iter_rows(min_row=1, min_col=1, values_only=True)]
    finally:
        book.close()
    width = max(map(len, grid), default=0)  # Excel rows have no field count: pad the short ones
    return [row + [""] * (width - len(row)) for row in grid]


def _excel_text(value: object) -> str:
    """A typed Excel cell as the text a user would type for it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, dt.datetime):  # to the second: Excel's float times carry microsecond noise
        return (value + dt.timedelta(microseconds=500_000)).replace(microsecond=0).isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def _sheet_from_grid(file: str, grid: list[list[str]], log: ProblemLog, *, field_counts: bool) -> Sheet | None:
    """Find the header row, check field counts (CSV) and build the text frame of the data rows.

    In Excel a cell right of the last header is a note without a column: it is ignored.
    """
    filled = np.fromiter((sum(1 for v in row if str(v).strip()) for row in grid[:50]), dtype=np.int64)
    starts = np.flatnonzero(filled > 1)
    if not len(grid) or not filled.any():
        log.add(None, None, "文件为空", "the file is empty")
        return None
    if not len(starts):
        log.add(None, None, "找不到表头（至少两列）", "no header row found (at least two columns)")
        return None
    top = int(starts[0])
    headers = [str(h).strip() for h in grid[top]]
    while headers and not headers[-1]:
        headers.pop()
    width = len(headers)
    data = grid[top + 1 :]
    lengths = np.fromiter(map(len, data), dtype=np.int64, count=len(data))
    for i in np.flatnonzero(lengths != width):  # only ragged rows are visited
        row, n = data[i], int(lengths[i])
        if n > width:
            if field_counts and any(str(v).strip() for v in row[width:]):
                log.add(
                    top + i + 2,
                    None,
                    f"字段数 {n} 多于表头的 {width} 列",
                    f"{n} fields, more than the {width} header columns",
                )
            data[i] = row[:width]
        elif n and any(str(v).strip() for v in row):
            log.add(
                top + i + 2,
                None,
                f"字段数 {n} 少于表头的 {width} 列，行可能被截断",
                f"{n} fields, fewer than the {width} header columns; the row may be truncated",
            )
            data[i] = [*row, *[""] * (width - n)]
        else:
            data[i] = [""] * width
    cells = pd.DataFrame({i: pd.Series(col, dtype="str") for i, col in enumerate(zip(*data, strict=True))})
    return _finish(file, headers, top + 1, cells, np.arange(top + 2, top + 2 + len(data)), log)


def _finish(
    file: str, headers: list[str], header_row: int, cells: pd.DataFrame, rows: np.ndarray, log: ProblemLog
) -> Sheet | None:
    """Clean the cells (one column per header), drop empty rows and refuse a file without data."""
    cells = pd.DataFrame(
        {i: clean(cells[i]) if i in cells else pd.Series([""] * len(rows), dtype="str") for i in range(len(headers))}
    )
    blank = np.logical_and.reduce([(cells[i] == "").to_numpy() for i in cells.columns])
    cells, rows = cells[~blank].reset_index(drop=True), rows[~blank]
    if not len(cells):
        log.add(header_row, None, "只有表头，没有数据行", "header only: no data rows")
        return None
    return Sheet(file, headers, header_row, cells, rows)


def _read_parquet(path: Path, log: ProblemLog) -> Sheet | None:
    import pyarrow as pa  # imported here: only Parquet files need it
    import pyarrow.parquet as pq

    try:
        frame = pq.read_table(path).to_pandas()
    except (pa.ArrowException, OSError) as exc:
        log.add(None, None, f"无法读取 Parquet 文件：{exc}", f"cannot read the Parquet file: {exc}")
        return None
    headers = [str(c) for c in frame.columns]
    cells = pd.DataFrame({i: _typed_text(frame.iloc[:, i]) for i in range(len(headers))})
    return _finish(path.name, headers, 1, cells, np.arange(2, 2 + len(frame)), log)


def _typed_text(series: pd.Series) -> pd.Series:
    """A typed Parquet column as text: integral floats without ``.0``, times in ISO form, missing as ""."""
    missing = series.isna().to_numpy()
    if pd.api.types.is_float_dtype(series):
        values = series.to_numpy(dtype="float64", na_value=np.nan)
        integral = np.isfinite(values) & (values == np.round(values)) & (np.abs(values) < 1e15)
        text = series.astype("str").where(
            ~integral, pd.Series(values, index=series.index).fillna(0).astype("int64").astype("str")
        )
    elif pd.api.types.is_datetime64_any_dtype(series):
        text = series.dt.strftime("%Y-%m-%d %H:%M:%S")
    else:
        text = series.astype("str")
    return text.where(~missing, "").astype("str")
