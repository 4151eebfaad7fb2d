"""Validating a sheet against a canonical table (按标准表校验).

Each column of :mod:`qingliu.model.tables` is parsed by its type and checked as declared:
required values, numbers, dates, yes/no, choices (with the synonyms of ``vocabulary.toml``),
``Column.min``/``Column.max`` (after conversion to the internal unit), key rows that repeat
with different values, and references to the keys of other tables. All checks run on whole
columns; Python loops only format the problems found.

Output types: text columns are pandas ``str`` with ``""`` for a missing optional value (never
NaN); floats are float64 with NaN; integers int64 (Int64 when optional); dates and datetimes
naive datetime64[us], pandas' default resolution and the store's (a date keeps only the day); yes/no columns bool.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from qingliu.io.cells import (
    TIME_DTYPE,
    choice_table,
    integer_words,
    is_missing,
    parse_bool,
    parse_choice,
    parse_datetime,
    parse_int,
    parse_number,
    vocabulary,
)
from qingliu.io.files import Sheet
from qingliu.io.headers import Matched, report_missing
from qingliu.io.problems import MAX_PROBLEMS, ProblemLog
from qingliu.model.tables import TABLES, Column, Table

ROW = "_row"
"""Extra column of a built frame: the user's row number, for problems found later."""


@dataclass
class Built:
    """A canonical frame in the making: the table, its rows (plus :data:`ROW`) and header texts."""

    table: Table
    frame: pd.DataFrame
    labels: dict[str, str]

    def label(self, column: str) -> str:
        """The header of ``column`` as the user wrote it (the canonical name if absent)."""
        return self.labels.get(column, column)

    def canonical(self) -> pd.DataFrame:
        """The frame with exactly the canonical columns, in declared order."""
        return self.frame.loc[:, list(self.table.names)].reset_index(drop=True)


def parse_column(
    table: Table, column: Column, raw: pd.Series, factor: float, label: str, rows: np.ndarray, log: ProblemLog
) -> pd.Series:
    """Parse and check one column; return it typed (see the module docstring)."""
    missing = is_missing(raw)
    cells = raw.to_numpy()
    if column.dtype == "str" and column.choices:
        out, bad = parse_choice(raw, choice_table(table.name, column.name, column.choices))
        allowed = [c for c in column.choices if c]
        log.add_cells(
            bad,
            rows,
            label,
            f"「{{value}}」不是可选值，可选：{_choices_zh(table, column)}",
            f"{{value!r}} is not one of {', '.join(allowed)}",
            value=cells,
        )
    elif column.dtype == "str":
        out = raw.where(~missing, "").astype("str")
    elif column.dtype == "float":
        numbers, bad = parse_number(raw, percent=column.unit == "%")
        log.add_cells(bad, rows, label, "不是数字「{value}」", "not a number {value!r}", value=cells)
        out = pd.Series(numbers * factor, index=raw.index)
        _check_range(column, out, rows, label, log, cells)
    elif column.dtype == "int":
        numbers, bad = parse_int(raw, integer_words(table.name, column.name))
        log.add_cells(bad, rows, label, "不是整数「{value}」", "not a whole number {value!r}", value=cells)
        _check_range(column, pd.Series(numbers), rows, label, log, cells)
        nullable = np.isnan(numbers).any() or not column.required
        out = pd.Series(pd.array(numbers, dtype="Int64") if nullable else numbers.astype("int64"), index=raw.index)
    elif column.dtype in ("date", "datetime"):
        stamps, bad = parse_datetime(raw, allow_month=table.name == "wq_sample")
        log.add_cells(bad, rows, label, "不是日期「{value}」", "not a date {value!r}", value=cells)
        out = pd.Series(stamps, index=raw.index)
        out = out.dt.floor("D") if column.dtype == "date" else out
    elif column.dtype == "bool":
        flags, bad = parse_bool(raw)
        log.add_cells(bad, rows, label, "不是「是/否」值「{value}」", "not a yes/no value {value!r}", value=cells)
        out = pd.Series(flags == 1.0, index=raw.index)
    else:  # pragma: no cover - DType is a closed Literal
        raise TypeError(column.dtype)
    if column.required:
        log.add_cells(missing, rows, label, "必填值缺失", "required value missing")
    return out


def _choices_zh(table: Table, column: Column) -> str:
    """``national(国控)、provincial(省控)…``: each choice with its first Chinese synonym."""
    synonyms = vocabulary()["choices"].get(f"{table.name}.{column.name}", {})
    return "、".join(f"{c}({synonyms[c][0]})" if c in synonyms else c for c in column.choices or () if c)


def _check_range(
    column: Column, values: pd.Series, rows: np.ndarray, label: str, log: ProblemLog, cells: np.ndarray
) -> None:
    """Report values outside ``[column.min, column.max]`` (compared in the internal unit)."""
    v = values.to_numpy(dtype="float64", na_value=np.nan)
    unit = {None: "", "%": "%"}.get(column.unit, f" {column.unit}")  # "100%", "0 m3/s"
    if column.min is not None:
        log.add_cells(
            v < column.min,
            rows,
            label,
            f"「{{value}}」小于下限 {column.min:g}{unit}",
            f"{{value!r}} is below the minimum {column.min:g}{unit}",
            value=cells,
        )
    if column.max is not None:
        log.add_cells(
            v > column.max,
            rows,
            label,
            f"「{{value}}」大于上限 {column.max:g}{unit}",
            f"{{value!r}} is above the maximum {column.max:g}{unit}",
            value=cells,
        )


def build_table(table: Table, sheet: Sheet, matched: Mapping[str, Matched], log: ProblemLog) -> Built:
    """Parse the matched columns of ``sheet`` as ``table``; report missing columns and bad cells.

    Absent optional columns are filled with their missing value. Key rows repeated with the
    same values are collapsed; with different values they are reported (:func:`deduplicate`).
    """
    report_missing(dict(matched), table.columns, log, sheet.header_row)
    data: dict[str, pd.Series] = {}
    labels: dict[str, str] = {}
    for column in table.columns:
        m = matched.get(column.name)
        if m is None:
            data[column.name] = _absent(column, len(sheet.cells))
            continue
        labels[column.name] = m.header.text
        data[column.name] = parse_column(
            table, column, sheet.cells[m.header.position], m.factor, m.header.text, sheet.rows, log
        )
    frame = pd.DataFrame(data)
    frame[ROW] = sheet.rows
    return deduplicate(Built(table, frame, labels), log)


def _absent(column: Column, n: int) -> pd.Series:
    """The missing value of an absent column (required ones were already reported)."""
    if column.dtype == "str":
        return pd.Series([""] * n, dtype="str")
    if column.dtype in ("date", "datetime"):
        return pd.Series(np.full(n, np.datetime64("NaT"), dtype=TIME_DTYPE))
    if column.dtype == "int":
        return pd.Series(pd.array([pd.NA] * n, dtype="Int64" if n or not column.required else "int64"))
    if column.dtype == "bool":
        return pd.Series(np.zeros(n, dtype=bool))
    return pd.Series(np.full(n, np.nan))


def empty(table: Table) -> Built:
    """A table without rows, typed like a read one."""
    frame = pd.DataFrame({c.name: _absent(c, 0) for c in table.columns})
    frame[ROW] = np.zeros(0, dtype="int64")
    return Built(table, frame, {})


def deduplicate(built: Built, log: ProblemLog) -> Built:
    """Collapse identical rows; report key rows that repeat with different values.

    Each conflicting row is reported with the row number of the first row of its key. Rows
    whose key is incomplete (a problem already reported) take no part.
    """
    frame, key = built.frame, list(built.table.key)
    frame = frame[~frame.duplicated(subset=list(built.table.names))]
    keyed = frame[np.logical_and.reduce([_present(frame[k]) for k in key])]
    clash = keyed.duplicated(subset=key, keep="first").to_numpy()
    if clash.any():
        first = keyed.groupby(key, sort=False)[ROW].transform("first").to_numpy()
        shown = np.empty(len(keyed), dtype=object)
        head = np.flatnonzero(clash)[:MAX_PROBLEMS]  # only what can be reported is formatted
        shown[head] = keyed.iloc[head][key].astype("str").agg(", ".join, axis=1).to_numpy()
        log.add_cells(
            clash,
            keyed[ROW].to_numpy(),
            None,
            "与第{first}行的键（{key}）相同，但数值不同",
            "same key ({key}) as row {first} but different values",
            first=first,
            key=shown,
        )
    return Built(built.table, frame.reset_index(drop=True), built.labels)


def _present(series: pd.Series) -> np.ndarray:
    if pd.api.types.is_string_dtype(series):
        return (series != "").to_numpy()
    return series.notna().to_numpy()


def check_references(
    built: Mapping[str, Built], known: Mapping[tuple[str, str], Collection[str]], log: ProblemLog
) -> None:
    """Every reference must name a key in ``known`` or in a table read from the same file.

    One problem per distinct unknown value, at its first row, with the number of rows using it.
    """
    for b in built.values():
        for ref in b.table.references:
            values = b.frame[ref.column]
            pool = set(known.get((ref.table, ref.target), ()))
            if ref.table in built:
                pool |= set(built[ref.table].frame[ref.target])
            unknown = (values != "").to_numpy() & ~values.isin(pool).to_numpy()
            log.add_grouped(
                unknown,
                values,
                b.frame[ROW].to_numpy(),
                b.label(ref.column),
                f"未知的{TABLES[ref.table].zh}「{{value}}」（{{n}} 行：第 {{rows}} 行）",
                f"unknown {ref.table} {{value!r}} ({{n}} row(s): {{rows}})",
            )
