"""The canonical tables (qingliu.model.TABLES), read-only: pages of rows, filters, single rows.

Filters are query parameters named after the columns: ``?section_id=S01`` (equality; repeat
the parameter for any of several values), and for date and time columns ``?time_from=2025-01-01``
(on or after) and ``?time_before=2026-01-01`` (before). Rows come sorted by the table's key.
"""

from __future__ import annotations

from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, HTTPException, Query, Request

from qingliu import store
from qingliu.model import TABLES
from qingliu.model.tables import Column, Table
from qingliu.services.dashboard import records
from qingliu.web.api.errors import field_errors
from qingliu.web.deps import ContextDep
from qingliu.web.schemas import ColumnPublic, RowsPublic, TablePublic, TablesPublic

router = APIRouter(prefix="/tables", tags=["tables 数据表"])

MAX_LIMIT = 1000
PAGING = ("limit", "offset")
RANGE_SUFFIXES = {"_from": "start", "_before": "stop"}
TRUE, FALSE = ("true", "1", "yes", "是"), ("false", "0", "no", "否")


def _table(name: str) -> Table:
    if name not in TABLES:
        raise HTTPException(
            404, f"没有数据表 {name!r}，可选：{', '.join(TABLES)} / no table {name!r}; one of: {', '.join(TABLES)}"
        )
    return TABLES[name]


def _value(column: Column, text: str) -> Any:
    """A query value typed like the column (ValueError when it does not parse)."""
    if column.dtype == "int":
        return int(text)
    if column.dtype == "float":
        return float(text)
    if column.dtype == "bool":
        folded = text.strip().casefold()
        if folded not in TRUE + FALSE:
            raise ValueError(text)
        return folded in TRUE
    if column.dtype in ("date", "datetime"):
        return pd.Timestamp(text)
    return text


def _column_for(table: Table, parameter: str) -> tuple[Column, str | None]:
    """The column a query parameter filters, and the range end it sets (None for equality)."""
    if parameter in table.names:
        return table.column(parameter), None
    for suffix, end in RANGE_SUFFIXES.items():
        name = parameter.removesuffix(suffix)
        if parameter.endswith(suffix) and name in table.names and table.column(name).dtype in ("date", "datetime"):
            return table.column(name), end
    raise KeyError(parameter)


def filters(table: Table, request: Request) -> dict[str, Any]:
    """The ``where`` of :func:`qingliu.store.read` from the query parameters; 422 naming a bad one."""
    where: dict[str, Any] = {}
    ranges: dict[str, dict[str, Any]] = {}
    problems = []
    for parameter in dict.fromkeys(request.query_params):
        if parameter in PAGING:
            continue
        try:
            column, end = _column_for(table, parameter)
            values = [_value(column, text) for text in request.query_params.getlist(parameter)]
        except KeyError:
            problems.append(
                (parameter, f"{table.name} 没有可筛选的列 {parameter!r}", f"{table.name} has no filter {parameter!r}")
            )
            continue
        except ValueError:
            problems.append(
                (parameter, f"无法按列类型 {column.dtype} 解读取值", f"value does not parse as {column.dtype}")
            )
            continue
        if end is not None:
            ranges.setdefault(column.name, {})[end] = values[-1]
        else:
            where[column.name] = values[0] if len(values) == 1 else values
    if problems:
        raise HTTPException(422, field_errors("query", problems))
    for name, bounds in ranges.items():
        where[name] = slice(bounds.get("start"), bounds.get("stop"))
    return where


@router.get("", response_model=TablesPublic)
def list_tables(context: ContextDep) -> TablesPublic:
    """The canonical tables: columns (type, unit, choices), key and number of rows."""
    with context.engine.connect() as conn:
        counts = store.counts(conn)
    return TablesPublic(
        data=[
            TablePublic(name=t.name, zh=t.zh, key=list(t.key), rows=counts[t.name],
                        columns=[ColumnPublic(name=c.name, dtype=c.dtype, zh=c.zh, required=c.required, unit=c.unit,
                                              choices=list(c.choices) if c.choices else None) for c in t.columns])
            for t in TABLES.values()
        ]
    )  # fmt: skip


@router.get("/{name}", response_model=RowsPublic)
def read_rows(
    name: str,
    request: Request,
    context: ContextDep,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> RowsPublic:
    """A page of rows of table ``name``, filtered by column values (see the module's description)."""
    table = _table(name)
    where = filters(table, request)
    with context.engine.connect() as conn:
        rows = store.read(conn, name, where=where, limit=limit, offset=offset)
        total = store.count(conn, name, where=where)
    return RowsPublic(table=name, total=total, limit=limit, offset=offset, data=records(rows))


@router.get("/{name}/{key}", response_model=dict[str, Any])
def read_row(name: str, key: str, context: ContextDep) -> dict[str, Any]:
    """One row of a table with a single-column key (e.g. ``/tables/section/S01``)."""
    table = _table(name)
    if len(table.key) != 1:
        raise HTTPException(404, f"{name} 的主键由多列组成 {list(table.key)}，请用筛选查询 / {name!r} has a composite key "
                                 f"{list(table.key)}: use the filters of /tables/{name}")  # fmt: skip
    with context.engine.connect() as conn:
        rows = store.read(conn, name, where={table.key[0]: key})
    if rows.empty:
        raise HTTPException(404, f"{table.zh} {key!r} 不存在 / no {name} {key!r}")
    return records(rows)[0]
