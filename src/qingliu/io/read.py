"""``read_input``: one file of one import kind -> validated canonical frames (导入一个文件).

The file is read (:mod:`qingliu.io.files`), its headers matched (:mod:`qingliu.io.headers`),
each table validated (:mod:`qingliu.io.validate`, :mod:`qingliu.io.samples`) and references
checked against the keys the caller knows. Either every frame is returned fully valid, or one
:class:`InputError` lists every problem: the import is all-or-nothing, and the caller runs the
database transaction.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType

import pandas as pd

from qingliu.io.files import Sheet, read_sheet
from qingliu.io.headers import match_columns, parse_headers
from qingliu.io.problems import InputError, Problem, ProblemLog
from qingliu.io.samples import read_samples
from qingliu.io.validate import ROW, Built, build_table, check_references, empty
from qingliu.model.tables import COUNTY, COUNTY_YEAR, TABLES, Column, Table

KINDS: dict[str, tuple[str, ...]] = {
    "network": ("node",),
    "sections": ("section",),
    "stations": ("station",),
    "counties": ("county", "county_year"),
    "sources": ("source",),
    "reservoirs": ("reservoir",),
    "projects": ("project",),
    "samples": ("wq_sample",),
    "flows": ("flow_daily",),
    "water-use": ("water_use",),
    "levels": ("level",),
    "rain": ("rain_daily",),
    "health-survey": ("health_survey",),
}
"""Import kind (``qingliu import WS KIND FILE``) -> the canonical tables its files fill."""

_NOTHING: Mapping[tuple[str, str], Collection[str]] = MappingProxyType({})


def read_input(
    kind: str,
    path: str | Path,
    *,
    known: Mapping[tuple[str, str], Collection[str]] = _NOTHING,
    section_names: Mapping[str, str] | None = None,
    section: str | None = None,
) -> dict[str, pd.DataFrame]:
    """Read and validate one file of import ``kind``.

    Parameters
    ----------
    kind : a key of :data:`KINDS`.
    path : a CSV (UTF-8 with or without BOM, or GB18030/GBK), Excel ``.xlsx`` or Parquet file.
    known : ids already in the database, by ``(table, column)``, e.g.
        ``known[("section", "section_id")]``. A reference is valid if its value is there or is
        a key of a table read from this same file (``node.downstream``, ``county_year``).
    section_names : section name -> id, for wide sample tables that name sections (断面名称)
        instead of giving their ids.
    section : for samples: the section of a wide table that has no section column.

    Returns
    -------
    dict
        For each table of ``KINDS[kind]``, a frame with exactly its canonical columns in
        declared order, typed (see :mod:`qingliu.io.validate`), in internal units and unique
        on its key. ``counties`` without yearly columns gives an empty ``county_year``.

    Raises
    ------
    InputError
        Listing every problem (file, row, column, reason in Chinese and English); nothing of
        the file is returned.
    """
    path = Path(path)
    if kind not in KINDS:
        raise InputError(
            [
                Problem(
                    path.name,
                    None,
                    None,
                    f"未知的数据类型「{kind}」，可选：{'、'.join(KINDS)}",
                    f"unknown kind {kind!r}; one of {', '.join(KINDS)}",
                )
            ]
        )
    log = ProblemLog(path.name)
    names = tuple(n for t in KINDS[kind] for n in (t, TABLES[t].zh))
    sheet = read_sheet(path, log, sheet_names=names)
    if sheet is None:
        raise log.error()
    if kind == "samples":
        built = {"wq_sample": read_samples(sheet, log, section_names, section=section)}
    elif kind == "counties":
        built = _counties(sheet, log)
    else:
        table = TABLES[KINDS[kind][0]]
        matched, _ = match_columns(parse_headers(sheet.headers), table.columns, log, sheet.header_row)
        built = {table.name: build_table(table, sheet, matched, log)}
    check_references(built, known, log)
    log.raise_if_any()
    return {name: b.canonical() for name, b in built.items()}


def read_sample_rows(path: str | Path, *, section_names: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Samples of one file for the stateless tools (``qingliu wq ...``), in long form.

    The same reading and checks as :func:`read_input` for ``samples``, except that sections
    are not checked against a database and a wide table may have no section or time column
    (``section_id`` is then "", ``time`` NaT). The column ``row`` gives the file row each
    sample came from, so results can follow the input's order.
    """
    path = Path(path)
    log = ProblemLog(path.name)
    sheet = read_sheet(path, log, sheet_names=("wq_sample", TABLES["wq_sample"].zh))
    if sheet is None:
        raise log.error()
    built = read_samples(sheet, log, section_names or {}, stateless=True)
    log.raise_if_any()
    frame = built.frame.rename(columns={ROW: "row"})
    return frame.loc[:, [*TABLES["wq_sample"].names, "row"]].reset_index(drop=True)


SERIES = Table(
    "series",
    "时间序列",
    (
        Column("series_id", "str", "序列", aliases=("id", "断面编码", "站码", "section_id", "station_id")),
        Column("time", "datetime", "时间", aliases=("date", "日期", "监测时间")),
        Column("value", "float", "数值", required=False, aliases=("值", "q", "流量", "浓度")),
    ),
    key=("series_id", "time"),
)
"""A long table of time series (``qingliu wq trend``): id, time, value; empty values allowed."""


def read_rows(path: str | Path, *layouts: Table) -> tuple[str, pd.DataFrame]:
    """Rows of a file in the first of ``layouts`` whose required columns its headers all give.

    For the stateless tools, whose files may come in several layouts (e.g. daily flows or
    annual values). Cells are parsed and checked as in imports; references are not checked.
    When no layout fits, the missing columns of the first are reported.

    Returns
    -------
    (name of the layout used, its canonical frame)
    """
    path = Path(path)
    log = ProblemLog(path.name)
    sheet = read_sheet(path, log)
    if sheet is None:
        raise log.error()
    headers = parse_headers(sheet.headers)
    chosen = layouts[0]
    for layout in layouts:
        matched, _ = match_columns(headers, layout.columns, ProblemLog(path.name), sheet.header_row)
        if all(c.name in matched for c in layout.columns if c.required):
            chosen = layout
            break
    matched, _ = match_columns(headers, chosen.columns, log, sheet.header_row)
    built = build_table(chosen, sheet, matched, log)
    log.raise_if_any()
    return chosen.name, built.canonical()


def read_series(path: str | Path) -> pd.DataFrame:
    """Read ``series_id,time,value`` rows (any order; values may be empty), checked as in imports."""
    return read_rows(path, SERIES)[1]


def read_raw(path: str | Path) -> pd.DataFrame:
    """The cells of a file as text under their own headers, with the file ``row`` of each."""
    path = Path(path)
    log = ProblemLog(path.name)
    sheet = read_sheet(path, log)
    if sheet is None:
        raise log.error()
    frame = sheet.cells.set_axis(sheet.headers, axis=1)
    frame.insert(len(frame.columns), "row", sheet.rows)
    return frame.reset_index(drop=True)


def read_table(path: str | Path, table: str, *, required: tuple[str, ...]) -> pd.DataFrame:
    """Rows of one canonical ``table`` from a file, for the stateless tools.

    Only the ``required`` columns must be present; the other canonical columns are optional
    (missing ones come back empty). Values are parsed and checked as in :func:`read_input`,
    but references are not checked (there is no database).
    """
    path = Path(path)
    spec = TABLES[table]
    relaxed = Table(
        spec.name,
        spec.zh,
        tuple(replace(c, required=c.name in required and c.required) for c in spec.columns),
        spec.key,
    )
    log = ProblemLog(path.name)
    sheet = read_sheet(path, log, sheet_names=(spec.name, spec.zh))
    if sheet is None:
        raise log.error()
    matched, _ = match_columns(parse_headers(sheet.headers), relaxed.columns, log, sheet.header_row)
    built = build_table(relaxed, sheet, matched, log)
    log.raise_if_any()
    return built.canonical()


def _counties(sheet: Sheet, log: ProblemLog) -> dict[str, Built]:
    """One file gives ``county`` and, when it has a year or yearly columns, ``county_year``.

    A county appears once per year: its rows collapse when name and place agree, and differ
    otherwise (a problem).
    """
    columns = {c.name: c for c in (*COUNTY.columns, *COUNTY_YEAR.columns)}
    matched, _ = match_columns(parse_headers(sheet.headers), list(columns.values()), log, sheet.header_row)
    county_matched = {k: v for k, v in matched.items() if k in COUNTY.names}
    built = {"county": build_table(COUNTY, sheet, county_matched, log)}
    yearly = set(matched) - set(COUNTY.names)
    if yearly:
        year_matched = {k: v for k, v in matched.items() if k in COUNTY_YEAR.names}
        built["county_year"] = build_table(COUNTY_YEAR, sheet, year_matched, log)
    else:
        built["county_year"] = empty(COUNTY_YEAR)
    return built
