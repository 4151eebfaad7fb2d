"""The audit log (操作日志): every write, who made it, when, and the record before and after.

A service that writes calls :func:`record` on the same connection, inside the same transaction
as the write itself: the change and its audit row are committed together or not at all.
Records are kept as JSON text (UTF-8, Chinese unescaped, dates in ISO 8601), so the log reads
the same on SQLite and PostgreSQL and outlives changes of the tables it describes.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine

from qingliu.store.repository import insert, latest
from qingliu.store.schema import AUDIT_TABLE

ACTIONS = ("create", "update", "delete", "import", "login", "login_failed")
"""What an audit row records: a row created, changed or deleted, a file imported, a sign-in."""

FILTERS = ("username", "action", "table", "key", "since")
"""Filters of :func:`recent`."""

KEY_SEPARATOR = "|"
"""Joins the parts of a composite key in ``record_key`` (e.g. ``XM05|2025-06-30``)."""


def _plain(value: Any) -> Any:
    """A JSON-ready copy: dates as ISO text, numpy scalars as Python ones, NaN/NaT as null."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, date):  # datetime too
        return value.isoformat()
    return value


def to_json(value: Mapping[str, Any] | None) -> str | None:
    """A record as the JSON text stored in ``before``/``after`` (None stays None)."""
    if value is None:
        return None
    return json.dumps(_plain(value), ensure_ascii=False, sort_keys=True)


def record_key(key: str | Sequence[Any]) -> str:
    """The text of a record's key: the key itself, or its parts joined by :data:`KEY_SEPARATOR`."""
    if isinstance(key, str):
        return key
    return KEY_SEPARATOR.join(str(_plain(part)) for part in key)


def utc_now() -> datetime:
    """The current time in UTC without a zone, as the store keeps times (``audit_log.time`` is UTC)."""
    return datetime.now(UTC).replace(tzinfo=None)


def record(
    conn: Connection,
    *,
    username: str,
    action: str,
    table: str | None,
    key: str | Sequence[Any] | None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    detail: str = "",
) -> int:
    """Write one audit row in the caller's transaction.

    Parameters
    ----------
    conn : the connection of the write being recorded (not committed here).
    username : who did it (an account, or e.g. ``cli:root`` for the command line).
    action : one of :data:`ACTIONS`.
    table, key : the table and record written (None for e.g. a sign-in); a composite key as a
        sequence of its parts (see :func:`record_key`).
    before, after : the record before and after the write (None when it did not exist or no
        longer does). Never pass secrets: they are stored as they are.
    detail : free text, e.g. the file of an import or why a sign-in failed.

    Returns
    -------
    The id of the audit row.

    Raises
    ------
    ValueError
        Unknown action.
    """
    if action not in ACTIONS:
        raise ValueError(f"未知的操作类型 {action!r}，可选：{', '.join(ACTIONS)} / unknown audit action {action!r}")
    values = {
        "time": utc_now(),
        "username": username,
        "action": action,
        "table_name": table,
        "record_key": None if key is None else record_key(key),
        "before": to_json(before),
        "after": to_json(after),
        "detail": detail or None,
    }
    (row_id,) = insert(conn, AUDIT_TABLE, values)
    return int(row_id)


def recent(engine: Engine, limit: int = 100, filters: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """The newest audit rows first.

    Parameters
    ----------
    engine : the workspace database.
    limit : most rows returned.
    filters : any of :data:`FILTERS`: ``username``, ``action``, ``table`` (table name) and
        ``key`` (a key as given to :func:`record`, a tuple being one composite key), each a
        value or a list of values; ``since``, a UTC time without zone: rows at or after it.

    Returns
    -------
    Columns ``id, time, username, action, table_name, record_key, before, after, detail``;
    ``before``/``after`` are JSON text (``json.loads`` them), missing values NaN.

    Raises
    ------
    ValueError
        Unknown filter.
    """
    filters = dict(filters or {})
    unknown = sorted(set(filters) - set(FILTERS))
    if unknown:
        raise ValueError(f"未知的筛选条件 {unknown}，可选：{', '.join(FILTERS)} / unknown filters {unknown}")
    columns = {"username": "username", "action": "action", "table": "table_name", "key": "record_key"}
    where: dict[str, Any] = {columns[name]: value for name, value in filters.items() if name in columns}
    if isinstance(filters.get("key"), tuple):
        where["record_key"] = record_key(filters["key"])
    if filters.get("since") is not None:
        where["time"] = slice(filters["since"], None)
    with engine.connect() as conn:
        return latest(conn, AUDIT_TABLE, where=where, limit=limit)
