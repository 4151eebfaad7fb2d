"""The store (存储层): the database schema, its migrations and the queries (DESIGN.md §1, §4).

SQLite (a file in the workspace, WAL mode) by default, PostgreSQL for servers; the same schema,
built from the canonical tables of ``qingliu.model.tables`` and created by Alembic migrations.
Knows the database, not file formats: frames in, frames out.
"""

from qingliu.store.engine import alembic_config, connect, migrate, sqlite_url
from qingliu.store.repository import (
    count,
    counts,
    delete,
    fetch_one,
    get_meta,
    insert,
    keys,
    latest,
    read,
    set_meta,
    snapshot,
    upsert,
)
from qingliu.store.schema import (
    AUDIT_TABLE,
    ID_LENGTH,
    META_TABLE,
    PROGRESS_TABLE,
    SYSTEM_TABLES,
    USER_TABLE,
    metadata,
)

__all__ = [
    "AUDIT_TABLE",
    "ID_LENGTH",
    "META_TABLE",
    "PROGRESS_TABLE",
    "SYSTEM_TABLES",
    "USER_TABLE",
    "alembic_config",
    "connect",
    "count",
    "counts",
    "delete",
    "fetch_one",
    "get_meta",
    "insert",
    "keys",
    "latest",
    "metadata",
    "migrate",
    "read",
    "set_meta",
    "snapshot",
    "sqlite_url",
    "upsert",
]
