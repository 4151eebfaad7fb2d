"""Aggregate queries over the series tables, computed in the database rather than in memory."""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from qingliu.store.schema import metadata


def _table(name: str) -> sa.Table:
    return metadata.tables[name]


def sample_coverage(conn: Connection) -> pd.DataFrame:
    """Per section: first and last sample time, number of values and of distinct parameters."""
    t = _table("wq_sample")
    query = (
        sa.select(
            t.c.section_id,
            sa.func.min(t.c.time).label("first"),
            sa.func.max(t.c.time).label("last"),
            sa.func.count().label("n_values"),
            sa.func.count(sa.distinct(t.c.parameter)).label("n_parameters"),
        )
        .group_by(t.c.section_id)
        .order_by(t.c.section_id)
    )
    return pd.read_sql(query, conn, parse_dates=["first", "last"])


def flow_coverage(conn: Connection) -> pd.DataFrame:
    """Per station: first and last date and the number of days with a flow."""
    t = _table("flow_daily")
    query = (
        sa.select(
            t.c.station_id,
            sa.func.min(t.c.date).label("first"),
            sa.func.max(t.c.date).label("last"),
            sa.func.count().label("n_days"),
        )
        .group_by(t.c.station_id)
        .order_by(t.c.station_id)
    )
    return pd.read_sql(query, conn, parse_dates=["first", "last"])


def water_use_totals(conn: Connection, by: tuple[str, ...] = ("year", "sector")) -> pd.DataFrame:
    """Sum of water use (1e4 m3) grouped by the given columns of ``water_use``."""
    t = _table("water_use")
    columns = [t.c[name] for name in by]
    query = sa.select(*columns, sa.func.sum(t.c.volume).label("volume")).group_by(*columns).order_by(*columns)
    return pd.read_sql(query, conn)


def max_value(conn: Connection, table: str, column: str) -> pd.Timestamp | None:
    """The largest value of a date or time column (None for an empty table)."""
    value = conn.execute(sa.select(sa.func.max(_table(table).c[column]))).scalar()
    return None if value is None else pd.Timestamp(value)
