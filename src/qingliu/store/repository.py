"""Reading and writing the canonical tables: the only place that queries the database.

Every function takes an open ``sqlalchemy.Connection`` and works inside the caller's
transaction; none commits.  So a service runs an import as ``with engine.begin() as conn:``
and a failure anywhere leaves the database as it was (all-or-nothing import, DESIGN.md §3).

Frames follow the canonical dtypes of ``model/tables.py``: ``float64`` (NaN where missing),
``Int64`` for integers, ``datetime64[us]`` for dates and times (pandas' default resolution),
``bool`` (``boolean`` if optional), and ``str`` for text (NaN where missing).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from qingliu.model.tables import TABLES
from qingliu.store.schema import META_TABLE, metadata

CHUNK_ROWS = 20_000
"""Rows per ``executemany`` call: bounds the memory of the parameter lists."""

DATETIME_DTYPE = "datetime64[us]"

_INSERT = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}


def _table(name: str) -> sa.Table:
    try:
        return metadata.tables[name]
    except KeyError:
        raise ValueError(f"未知的表: {name!r} / unknown table: {name!r}") from None


def _column(table: sa.Table, name: str) -> sa.Column:
    try:
        return table.c[name]
    except KeyError:
        raise ValueError(f"表 {table.name} 没有列 {name!r} / table {table.name!r} has no column {name!r}") from None


def _key(table: sa.Table) -> list[str]:
    return [c.name for c in table.primary_key.columns]


def _naive_times(values: pd.Series, column: sa.Column) -> pd.Series:
    times = pd.to_datetime(values)
    if times.dt.tz is not None:
        raise ValueError(
            f"列 {column.name} 的时间带时区，请转换为本地时间 / column {column.name!r} holds "
            "time-zone-aware times: convert them to local time without a zone"
        )
    return times


def _python_values(values: pd.Series, column: sa.Column) -> np.ndarray:
    """Values of one column as Python objects the drivers accept, None where missing.

    Vectorised per column: numpy scalars become Python ones through an object array.
    """
    kind = column.type
    if isinstance(kind, sa.Boolean):
        converted = values.astype("boolean")
    elif isinstance(kind, sa.Integer):
        converted = values.astype("Int64")
    elif isinstance(kind, sa.Float):
        converted = values.astype("float64")
    elif isinstance(kind, sa.Date):
        converted = _naive_times(values, column).dt.date
    elif isinstance(kind, sa.DateTime):
        converted = pd.Series(_naive_times(values, column).dt.to_pydatetime(), dtype=object)
    else:
        converted = values.where(values.isna(), values.astype(str))
    objects = np.array(converted, dtype=object)
    missing = pd.isna(converted).to_numpy()
    if column.foreign_keys and column.nullable:
        # An empty reference means "none" (model.tables.Reference); "" is no key.
        missing = missing | (objects == "")
    objects[missing] = None
    return objects


def _sqlite_times(values: pd.Series, column: sa.Column) -> np.ndarray:
    """Dates and times as the text SQLAlchemy stores in SQLite, formatted by numpy at once.

    The formats are those of ``sqlalchemy.dialects.sqlite.DATE`` ('2024-07-01') and
    ``DATETIME`` ('2024-07-01 08:30:00.000000'), so SQLAlchemy reads and compares them as if it
    had written them itself; its own per-value formatting costs more than the insert.
    """
    times = _naive_times(values, column).to_numpy(dtype="datetime64[us]")
    if isinstance(column.type, sa.DateTime):
        text = np.char.replace(np.datetime_as_string(times, unit="us"), "T", " ")
    else:
        text = np.datetime_as_string(times, unit="D")
    objects = text.astype(object)
    objects[np.isnat(times)] = None
    return objects


def _driver_values(values: pd.Series, column: sa.Column, dialect: str) -> np.ndarray:
    if dialect == "sqlite" and isinstance(column.type, sa.Date | sa.DateTime):
        return _sqlite_times(values, column)
    return _python_values(values, column)


def _check_frame(table: sa.Table, frame: pd.DataFrame) -> None:
    unknown = [name for name in frame.columns if name not in table.c]
    if unknown:
        raise ValueError(f"表 {table.name} 没有列 {unknown} / table {table.name!r} has no columns {unknown}")
    key = _key(table)
    missing = [c.name for c in table.columns if not c.nullable and c.name not in frame.columns]
    if missing:
        raise ValueError(
            f"写入 {table.name} 缺少必填列 {missing} / writing {table.name!r} needs the columns {missing}"
        )
    duplicated = frame.duplicated(subset=key, keep=False)
    if duplicated.any():
        first = frame.loc[duplicated, key].head(3).to_dict("records")
        raise ValueError(
            f"{table.name} 的主键 {key} 有重复行，如 {first} / {table.name!r}: rows repeat the key "
            f"{key}, e.g. {first}"
        )


def _upsert_sql(conn: sa.Connection, table: sa.Table, names: list[str]) -> tuple[str, list[str]]:
    """SQL of INSERT ... ON CONFLICT DO UPDATE and the order of its parameters."""
    statement = _INSERT[conn.dialect.name](table)
    key = _key(table)
    updated = {name: statement.excluded[name] for name in names if name not in key}
    if updated:
        statement = statement.on_conflict_do_update(index_elements=key, set_=updated)
    else:
        statement = statement.on_conflict_do_nothing(index_elements=key)
    compiled = statement.compile(dialect=conn.dialect, column_keys=names)
    return str(compiled), list(compiled.positiontup or names)


def upsert(conn: sa.Connection, table: str, frame: pd.DataFrame) -> int:
    """Insert rows, or update the rows whose key exists already.

    Re-importing the same rows changes nothing; rows with new values for an existing key
    replace the values of the columns the frame carries.  Columns of the table the frame does
    not carry are NULL in new rows and left as they are in existing rows.

    Parameters
    ----------
    conn : open connection; the caller's transaction is used and not committed.
    table : canonical table name (or ``workspace_meta``).
    frame : rows with canonical column names: all key and required columns, any optional
        ones.  Missing values (NaN, NaT, None, pd.NA) are written as NULL; an empty string in
        an optional reference column (e.g. ``node.downstream`` of an outlet) means no reference.

    Returns
    -------
    Number of rows written (inserted or updated).

    Raises
    ------
    ValueError
        Unknown table or columns, missing required columns, a key repeated within the frame
        (which row should win would be arbitrary), time-zone-aware times.
    sqlalchemy.exc.IntegrityError
        A reference to a missing row (e.g. a sample for an unknown section), a NULL in a
        required column.
    """
    target = _table(table)
    _check_frame(target, frame)
    if frame.empty:
        return 0
    dialect = conn.dialect.name
    sql, order = _upsert_sql(conn, target, list(frame.columns))
    # Values are converted here, column by column, and go to the driver's executemany
    # directly: SQLAlchemy's per-row parameter processing would cost more than the insert.
    columns = [_driver_values(frame[name], target.c[name], dialect) for name in order]
    for start in range(0, len(frame), CHUNK_ROWS):
        rows = list(zip(*(values[start : start + CHUNK_ROWS] for values in columns)))
        conn.exec_driver_sql(sql, rows if conn.dialect.positional else [dict(zip(order, r)) for r in rows])
    return len(frame)


def _bind(column: sa.Column, values: list[Any]) -> list[Any]:
    return list(_python_values(pd.Series(values, dtype=object), column))


def _conditions(table: sa.Table, where: Mapping[str, Any] | None) -> list[sa.ColumnElement[bool]]:
    """SQL conditions for ``where``: value (equal), list/tuple/set (one of), slice (lo <= x < hi)."""
    conditions = []
    for name, value in (where or {}).items():
        column = _column(table, name)
        if isinstance(value, slice):
            if value.start is not None:
                conditions.append(column >= _bind(column, [value.start])[0])
            if value.stop is not None:
                conditions.append(column < _bind(column, [value.stop])[0])
        elif isinstance(value, list | tuple | set | frozenset):
            conditions.append(column.in_(_bind(column, list(value))))
        elif value is None:
            conditions.append(column.is_(None))
        else:
            conditions.append(column == _bind(column, [value])[0])
    return conditions


def _order_by(conn: sa.Connection, table: sa.Table) -> list[sa.ColumnElement[Any]]:
    # Identifiers sort by code point on both databases: PostgreSQL's default collation
    # follows the locale, SQLite compares bytes (UTF-8 byte order is code point order).
    columns = [table.c[name] for name in _key(table)]
    if conn.dialect.name != "postgresql":
        return columns
    return [sa.collate(c, "C") if isinstance(c.type, sa.String) else c for c in columns]


def _series(values: tuple[Any, ...], column: sa.Column) -> pd.Series:
    kind = column.type
    if isinstance(kind, sa.Boolean):
        return pd.Series(values, dtype="boolean" if column.nullable else "bool")
    if isinstance(kind, sa.Integer):
        return pd.Series(values, dtype="Int64")
    if isinstance(kind, sa.Float):
        return pd.Series(np.array(values, dtype="float64"))
    if isinstance(kind, sa.DateTime | sa.Date):
        return pd.Series(np.array(values, dtype=DATETIME_DTYPE))
    return pd.Series(values, dtype="str")


def read(
    conn: sa.Connection,
    table: str,
    *,
    where: Mapping[str, Any] | None = None,
    columns: Iterable[str] | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> pd.DataFrame:
    """Rows of a table as a frame with the canonical dtypes, sorted by the key.

    Parameters
    ----------
    conn : open connection.
    table : canonical table name (or ``workspace_meta``).
    where : conditions joined by AND, per column: a value (equal to), a list, tuple or set
        (one of), a ``slice(lo, hi)`` (``lo <= x < hi``, either end may be None), or None
        (missing).  Values are converted like written values, e.g. ``"2024-01-01"`` for a date.
    columns : columns to return, in this order (default: all, in declaration order).
    limit, offset : a page of the sorted rows (pagination in SQL, not in memory).

    Returns
    -------
    A frame with a fresh RangeIndex; empty (with the columns and dtypes) if nothing matches.
    """
    target = _table(table)
    names = list(columns) if columns is not None else [c.name for c in target.columns]
    selected = [_column(target, name) for name in names]
    statement = sa.select(*selected).where(*_conditions(target, where)).order_by(*_order_by(conn, target))
    if limit is not None or offset:
        statement = statement.limit(limit).offset(offset)
    rows = conn.execute(statement).all()
    values = list(zip(*rows)) if rows else [()] * len(names)
    return pd.DataFrame({c.name: _series(v, c) for c, v in zip(selected, values)}, columns=names)


def fetch_one(conn: sa.Connection, table: str, where: Mapping[str, Any]) -> dict[str, Any] | None:
    """The first row matching ``where`` (as in :func:`read`) as a plain dict, or None.

    For per-request lookups (the signed-in user): a single select, no frame.
    """
    target = _table(table)
    row = conn.execute(sa.select(target).where(*_conditions(target, where)).limit(1)).mappings().first()
    return None if row is None else dict(row)


def keys(conn: sa.Connection, table: str, column: str) -> set[str]:
    """Distinct non-missing values of a column (e.g. the section ids an import may refer to)."""
    selected = _column(_table(table), column)
    return set(conn.scalars(sa.select(selected).distinct().where(selected.is_not(None))))


def count(conn: sa.Connection, table: str, *, where: Mapping[str, Any] | None = None) -> int:
    """Number of rows in a table (matching ``where``, as in :func:`read`)."""
    target = _table(table)
    return int(conn.scalar(sa.select(sa.func.count()).select_from(target).where(*_conditions(target, where))))


def counts(conn: sa.Connection) -> dict[str, int]:
    """Number of rows of every canonical table, in the order of ``TABLES``."""
    return {name: count(conn, name) for name in TABLES}


def delete(conn: sa.Connection, table: str, where: Mapping[str, Any]) -> int:
    """Delete the rows matching ``where`` (as in :func:`read`); ``{}`` deletes every row.

    Returns
    -------
    Number of rows deleted.
    """
    target = _table(table)
    return conn.execute(sa.delete(target).where(*_conditions(target, where))).rowcount


def get_meta(conn: sa.Connection, key: str) -> str | None:
    """Value stored under ``key`` in ``workspace_meta``, None if absent."""
    table = metadata.tables[META_TABLE]
    return conn.scalar(sa.select(table.c.value).where(table.c.key == key))


def set_meta(conn: sa.Connection, key: str, value: str | None) -> None:
    """Store ``value`` under ``key`` in ``workspace_meta`` (replacing any previous value)."""
    upsert(conn, META_TABLE, pd.DataFrame({"key": [key], "value": [value]}, dtype=object))


def snapshot(conn: sa.Connection) -> dict[str, pd.DataFrame]:
    """Every table of the store (canonical tables and ``workspace_meta``) as frames.

    Two snapshots compare equal table by table when the contents are equal, which is how
    tests prove that a failed import left the database exactly as it was.
    """
    return {name: read(conn, name) for name in metadata.tables}


def insert(conn: sa.Connection, table: str, values: Mapping[str, Any]) -> tuple[Any, ...]:
    """Insert one new row; unlike :func:`upsert`, an existing key is an error, not an update.

    Parameters
    ----------
    conn : open connection; the caller's transaction is used and not committed.
    table : table name (canonical, ``workspace_meta`` or a system table).
    values : column -> value, converted as :func:`upsert` converts frames (e.g. ``"2025-03-01"``
        or a ``date`` for a date column; None, NaN or NaT for NULL).  An autoincrement key
        (``audit_log.id``) may be left out.

    Returns
    -------
    The primary key of the new row, e.g. ``(17,)`` for an audit row.

    Raises
    ------
    ValueError
        Unknown table or column.
    sqlalchemy.exc.IntegrityError
        The key exists already, a reference to a missing row, a NULL in a required column.
    """
    target = _table(table)
    row = {name: _bind(_column(target, name), [value])[0] for name, value in values.items()}
    return tuple(conn.execute(sa.insert(target).values(row)).inserted_primary_key)


def latest(
    conn: sa.Connection, table: str, *, where: Mapping[str, Any] | None = None, limit: int = 100
) -> pd.DataFrame:
    """The last ``limit`` rows by key, newest first (e.g. the most recent audit entries).

    Parameters
    ----------
    conn : open connection.
    table : table name.
    where : conditions as in :func:`read`.
    limit : most rows returned.

    Returns
    -------
    A frame like :func:`read` returns, sorted by the key in descending order.
    """
    target = _table(table)
    statement = (
        sa.select(*target.columns)
        .where(*_conditions(target, where))
        .order_by(*(c.desc() for c in _order_by(conn, target)))
        .limit(limit)
    )
    rows = conn.execute(statement).all()
    values = list(zip(*rows)) if rows else [()] * len(target.columns)
    return pd.DataFrame({c.name: _series(v, c) for c, v in zip(target.columns, values)})
