"""Water-quality samples in long or wide layout (水质监测数据导入).

Long: one row per measurement, columns ``section_id, time, parameter, value[, flag][, unit]
[, source]`` (also 断面编码/监测时间/监测项目/监测值/标识/单位/数据来源). Wide: one row per
section and time with one column per parameter (``高锰酸盐指数(mg/L)``, ``氨氮``, ``NH3-N``,
``Chl-a(μg/L)``), as in CNEMC real-time tables and bureau spreadsheets; a section name column
(断面名称) stands in for the section id, through ``section_names``, when there is no id column.
Columns of such tables that are not parameters (省份, 流域, 水质类别, 站点情况, 备注 ...; see
``vocabulary.toml``) are ignored; any other unknown column is a problem. Both layouts become
the long frame of ``wq_sample``.

Values, in GB 3838-2002 practice and Chinese lab notation:

- ``0.05`` is a measurement; ``<0.01``, ``0.01L``, ``ND(0.01)`` and ``未检出(0.01)`` are below
  the detection limit 0.01: value 0.01 with flag ``<``.
- ``ND`` or ``未检出`` without a limit is a problem asking for the limit (``0.01L``): a row
  flagged ``<`` without a value could be neither classified nor averaged.
- empty, ``--`` and status words (``维护``: the station is under maintenance) give no row.
- a negative value (water temperature excepted) and pH outside 0-14 are problems.

Units come from the header (wide) or, in the long layout, from a ``unit`` column, else the
parameter text (``总磷(mg/L)``), else the value header (``监测值(μg/L)``); values are converted
to the catalogue's internal unit (``Chl-a(μg/L)`` to mg/m3).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache

import numpy as np
import pandas as pd

from qingliu.io.cells import (
    TIME_DTYPE,
    choice_table,
    fold,
    is_missing,
    map_text,
    parse_choice,
    parse_number,
    vocabulary,
)
from qingliu.io.files import Sheet
from qingliu.io.headers import (
    Header,
    Matched,
    column_index,
    match_columns,
    parse_headers,
    report_missing,
    unit_problem,
)
from qingliu.io.problems import ProblemLog
from qingliu.io.validate import ROW, Built, deduplicate, empty, parse_column
from qingliu.model.tables import FLAGS, SECTION, WQ_SAMPLE
from qingliu.standards import (
    UnitError,
    catalogue,
    lookup_parameter,
    normalise_label,
    unit_factor,
)

_NUM = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?"
_LABEL = "_label"  # header of the cell, for problems (one per parameter column in wide files)


@cache
def _below_limit() -> re.Pattern[str]:
    """``<0.01``, ``≤0.01``, ``0.01L``, ``ND``, ``ND(0.01)``, ``未检出(0.01)`` on folded text."""
    words = "|".join(re.escape(normalise_label(w)) for w in vocabulary()["not_detected"])
    return re.compile(rf"^(?:[<≤](?P<lt>{_NUM})|(?P<l>{_NUM})l|(?:{words})(?:\((?P<nd>{_NUM})\))?)$")


@cache
def _words(*path: str) -> frozenset[str]:
    """The folded word list at ``path`` in ``vocabulary.toml``."""
    entry = vocabulary()
    for key in path:
        entry = entry[key]
    return frozenset(normalise_label(w) for w in entry)


def read_samples(
    sheet: Sheet,
    log: ProblemLog,
    section_names: Mapping[str, str] | None,
    *,
    stateless: bool = False,
    section: str | None = None,
) -> Built:
    """Read a long or a wide sample table (long when it has a parameter column).

    ``stateless=True`` lets a wide table go without a section or a time column (the stateless
    tools read rows of any spreadsheet); ``section_id`` is then "" and ``time`` NaT.
    ``section`` names the section of a wide table without a section column (a single-station
    export, such as a CNEMC automatic-station table without 断面名称).
    """
    matched, unmatched = match_columns(parse_headers(sheet.headers), WQ_SAMPLE.columns, log, sheet.header_row)
    if "parameter" in matched:
        cells, id_label = _long_cells(sheet, matched, unmatched, log)
    else:
        cells, id_label = _wide_cells(sheet, matched, unmatched, log, section_names or {}, stateless, section)
    built = _to_samples(cells, sheet.file, log, keep_missing=stateless)
    built.labels["section_id"] = id_label
    return built


def parse_values(text: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Parse measurement cells (see the module docstring).

    Returns ``value`` (float64), ``below`` (below the detection limit), ``skip`` (missing or a
    status word: no sample), ``bad`` (not a number) and ``no_limit`` (ND without a limit).
    """
    values, bad = parse_number(text)
    skip = is_missing(text)
    below = np.zeros(len(text), dtype=bool)
    no_limit = np.zeros(len(text), dtype=bool)
    if bad.any():
        idx = np.flatnonzero(bad)
        folded = fold(text.iloc[idx])
        status = folded.isin(_words("status_words")).to_numpy()
        parts = folded.str.extract(_below_limit())
        noted = folded.str.fullmatch(_below_limit()).to_numpy(dtype=bool)
        limit = pd.to_numeric(parts["lt"].fillna(parts["l"]).fillna(parts["nd"]), errors="coerce").to_numpy("float64")
        with_limit = noted & np.isfinite(limit)
        values[idx[with_limit]] = limit[with_limit]
        below[idx[with_limit]] = True
        no_limit[idx[noted & ~with_limit]] = True
        skip[idx[status]] = True
        bad[idx[status | noted]] = False
    return values, below, skip, bad, no_limit


def _row_fields(sheet: Sheet, matched: dict[str, Matched], log: ProblemLog, names: list[str]) -> dict[str, pd.Series]:
    """Parse the canonical columns ``names`` of each file row that are present."""
    return {
        name: parse_column(
            WQ_SAMPLE, m.column, sheet.cells[m.header.position], m.factor, m.header.text, sheet.rows, log
        )
        for name in names
        if (m := matched.get(name)) is not None
    }


def _long_cells(
    sheet: Sheet, matched: dict[str, Matched], unmatched: list[Header], log: ProblemLog
) -> tuple[pd.DataFrame, str]:
    """One row per file row; returns the cells and the header of the section column."""
    if report_missing(matched, WQ_SAMPLE.columns, log, sheet.header_row):
        return pd.DataFrame(), "section_id"
    cells = pd.DataFrame(_row_fields(sheet, matched, log, ["section_id", "time", "source"]))
    names_m, value_m = matched["parameter"], matched["value"]
    names = sheet.cells[names_m.header.position]
    log.add_cells(is_missing(names), sheet.rows, names_m.header.text, "必填值缺失", "required value missing")
    found = {name: lookup_parameter(name) for name in names.unique() if name}
    cells["parameter"] = map_text(names, {k: hit[0].code for k, hit in found.items() if hit})
    unknown = ~is_missing(names) & (cells["parameter"] == "").to_numpy()
    log.add_grouped(
        unknown,
        names,
        sheet.rows,
        names_m.header.text,
        "未知的监测项目「{value}」（{n} 行：第 {rows} 行）",
        "unknown parameter {value!r} ({n} row(s): {rows})",
    )
    # the unit of a row: its unit column, else the parameter text's bracket, else the value header's
    in_name = map_text(names, {k: hit[1] or "" for k, hit in found.items() if hit})
    unit = in_name.where(in_name != "", value_m.unit or "")
    unit_words = _words("samples", "unit_column")
    unit_header = next((h for h in unmatched if h.label in unit_words), None)
    if unit_header is not None:
        given = sheet.cells[unit_header.position]
        unit = unit.where(is_missing(given), given)
    cells["factor"] = _unit_factors(
        cells["parameter"], unit, sheet.rows, unit_header.text if unit_header else value_m.header.text, log
    )
    cells["text"] = sheet.cells[value_m.header.position]
    cells[_LABEL] = value_m.header.text
    cells["flag"] = _flags(sheet, matched.get("flag"), log)
    cells[ROW] = sheet.rows
    return cells, matched["section_id"].header.text


def _unit_factors(codes: pd.Series, units: pd.Series, rows: np.ndarray, label: str, log: ProblemLog) -> np.ndarray:
    """Factor of each row from its unit to its parameter's internal unit (NaN where impossible)."""
    pairs = pd.DataFrame({"code": codes.to_numpy(), "unit": units.to_numpy(), ROW: rows})
    factors = np.ones(len(pairs))
    for (code, unit), group in pairs[pairs["code"] != ""].groupby(["code", "unit"], sort=False):
        if not unit:
            continue
        param = catalogue()[code]
        try:
            factors[group.index] = unit_factor(unit, param.unit, param.dimension)
        except UnitError:
            factors[group.index] = np.nan
            zh, en = unit_problem(unit, param.unit)
            log.add(
                int(group[ROW].iloc[0]),
                label,
                f"{param.zh}：{zh}（{len(group)} 行）",
                f"{code}: {en} ({len(group)} row(s))",
            )
    return factors


def _flags(sheet: Sheet, m: Matched | None, log: ProblemLog) -> pd.Series:
    if m is None:
        return pd.Series([""] * len(sheet.cells), dtype="str")
    raw = sheet.cells[m.header.position]
    flags, bad = parse_choice(raw, choice_table("wq_sample", "flag", FLAGS))
    log.add_cells(
        bad,
        sheet.rows,
        m.header.text,
        "标识「{value}」无法识别（低于检出限写 < 或 L）",
        "flag {value!r} not understood (write < or L for below the detection limit)",
        value=raw.to_numpy(),
    )
    return flags


def _section_ids(sheet: Sheet, header: Header, section_names: Mapping[str, str], log: ProblemLog) -> pd.Series:
    """Section ids from a section name column, through ``section_names`` (name -> id)."""
    names = sheet.cells[header.position]
    index = {normalise_label(name): sid for name, sid in section_names.items()}
    ids = map_text(fold(names), index)
    missing = is_missing(names)
    log.add_cells(missing, sheet.rows, header.text, "必填值缺失", "required value missing")
    log.add_grouped(
        ~missing & (ids == "").to_numpy(),
        names,
        sheet.rows,
        header.text,
        "未知的断面名称「{value}」（{n} 行：第 {rows} 行）",
        "unknown section name {value!r} ({n} row(s): {rows})",
    )
    return ids


def _wide_cells(
    sheet: Sheet,
    matched: dict[str, Matched],
    unmatched: list[Header],
    log: ProblemLog,
    section_names: Mapping[str, str],
    stateless: bool = False,
    section: str | None = None,
) -> tuple[pd.DataFrame, str]:
    """One row per file row and parameter column; returns the cells and the section column's header."""
    names_index = column_index([SECTION.column("name")])
    name_header = next((h for h in unmatched if h.label in names_index or h.stem in names_index), None)
    required = [
        c
        for c in WQ_SAMPLE.columns
        if not stateless and (c.name == "time" or (c.name == "section_id" and name_header is None and section is None))
    ]
    absent = report_missing(matched, required, log, sheet.header_row)
    ignored = _words("samples", "ignored_columns")
    params: list[tuple[Header, str, float]] = []
    rejected = False  # a parameter column with a bad unit or repeated: reported on its own
    for header in unmatched:
        if header is name_header or header.label in ignored or header.stem in ignored:
            continue
        hit = lookup_parameter(header.text)
        if hit is None:
            log.add(
                sheet.header_row,
                header.text,
                "未知的监测项目（也不是可忽略的说明列）",
                "unknown parameter (nor a known descriptive column)",
            )
            continue
        param, unit = hit  # the unit without qualifiers such as 以P计 (lookup_parameter separates them)
        try:
            factor = 1.0 if unit is None else unit_factor(unit, param.unit, param.dimension)
        except UnitError:
            log.add(sheet.header_row, header.text, *unit_problem(header.unit or unit or "", param.unit))
            rejected = True
            continue
        if twin := next((h for h, code, _ in params if code == param.code), None):
            log.add(
                sheet.header_row,
                header.text,
                f"与「{twin.text}」是同一监测项目 {param.zh}",
                f"same parameter ({param.code}) as column {twin.text!r}",
            )
            continue
        params.append((header, param.code, factor))
    if not params and not rejected:
        log.add(sheet.header_row, None, "没有可识别的监测项目列", "no parameter column found")
    if absent or not params:
        return pd.DataFrame(), "section_id"
    fields = _row_fields(sheet, matched, log, ["section_id", "time", "source"])
    if "section_id" in fields:
        id_label = matched["section_id"].header.text
    elif name_header is not None and stateless and not section_names:  # the name is the id
        fields["section_id"] = sheet.cells[name_header.position].astype("str")
        id_label = name_header.text
    elif name_header is not None:
        fields["section_id"] = _section_ids(sheet, name_header, section_names, log)
        id_label = name_header.text
    else:  # no section column: the section given by the caller, or none (stateless)
        fields["section_id"] = pd.Series([section or ""] * len(sheet.cells), dtype="str")
        id_label = "section_id"
    if "time" not in fields:  # stateless only
        fields["time"] = pd.Series(pd.NaT, index=range(len(sheet.cells)), dtype=TIME_DTYPE)
    n, p = len(sheet.cells), len(params)
    cells = pd.DataFrame({name: np.repeat(series.to_numpy(), p) for name, series in fields.items()})
    block = sheet.cells[[h.position for h, _, _ in params]].to_numpy(dtype=object)
    cells["text"] = pd.Series(block.ravel(), dtype="str")  # row-major: each file row's parameters together
    cells["parameter"] = np.tile(np.array([code for _, code, _ in params], dtype=object), n)
    cells["factor"] = np.tile([f for _, _, f in params], n)
    cells[_LABEL] = np.tile(np.array([h.text for h, _, _ in params], dtype=object), n)
    cells["flag"] = ""
    cells[ROW] = np.repeat(sheet.rows, p)
    return cells, id_label


def _to_samples(cells: pd.DataFrame, file: str, log: ProblemLog, *, keep_missing: bool = False) -> Built:
    """Parse the value cells, convert units, check and build the ``wq_sample`` frame.

    Missing cells give no row, unless ``keep_missing`` (stateless tools, which report every
    file row): then they give a row with a NaN value.
    """
    if cells.empty:
        return empty(WQ_SAMPLE)
    text, rows, labels = cells["text"].astype("str"), cells[ROW].to_numpy(), cells[_LABEL].to_numpy(dtype=object)
    values, below, skip, bad, no_limit = parse_values(text)
    shown = text.to_numpy()
    log.add_cells(bad, rows, labels, "不是数字「{value}」", "not a number {value!r}", value=shown)
    log.add_cells(
        no_limit,
        rows,
        labels,
        "「{value}」未给出检出限，请写成如 0.01L 或 ND(0.01)",
        "{value!r} without a detection limit; write e.g. 0.01L or ND(0.01)",
        value=shown,
    )
    values = values * cells["factor"].to_numpy(dtype="float64")
    codes = cells["parameter"].astype("str")
    signed = codes.isin(_words("samples", "signed_parameters")).to_numpy()
    log.add_cells(
        ~signed & (values < 0), rows, labels, "浓度为负值「{value}」", "negative concentration {value!r}", value=shown
    )
    for code, (low, high) in vocabulary()["samples"]["bounds"].items():
        outside = (codes == code).to_numpy() & ((values < low) | (values > high))
        name = catalogue()[code].zh
        log.add_cells(
            outside,
            rows,
            labels,
            f"{name}「{{value}}」超出 {low:g}–{high:g}",
            f"{code} {{value!r}} outside {low:g}-{high:g}",
            value=shown,
        )
    keep = (keep_missing | ~skip) & (codes != "").to_numpy()
    source = cells["source"].astype("str") if "source" in cells else pd.Series([""] * len(cells), dtype="str")
    frame = pd.DataFrame(
        {
            "section_id": cells["section_id"].astype("str"),
            "time": cells["time"].to_numpy(dtype=TIME_DTYPE),
            "parameter": codes,
            "value": values,
            "flag": np.where(below | (cells["flag"] == "<").to_numpy(), "<", ""),
            "source": source.where(source != "", file),
            ROW: rows,
        }
    )[keep]
    frame = frame.astype({"flag": "str", "source": "str", "parameter": "str", "section_id": "str"})
    return deduplicate(Built(WQ_SAMPLE, frame, {}), log)
