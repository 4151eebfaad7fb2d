"""Connecting to the workspace database and bringing it to the current schema.

Two databases are supported (DESIGN.md §4): an SQLite file in the workspace (the default) and
PostgreSQL through psycopg 3.  The schema is created and upgraded only by the Alembic
migrations committed in ``store/migrations``, never by ``metadata.create_all``.
"""

from __future__ import annotations

import sqlite3
from importlib import resources
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

BUSY_TIMEOUT_MS = 30_000
"""How long an SQLite connection waits for another writer's lock before failing (ms)."""

SUPPORTED_DIALECTS = ("sqlite", "postgresql")


def sqlite_url(path: str | Path) -> str:
    """URL of an SQLite database file, as an absolute path (``sqlite:////abs/path``).

    Parameters
    ----------
    path : the database file; relative paths are resolved against the working directory, so
        the URL stays valid when the process changes directory later.
    """
    return "sqlite:///" + Path(path).expanduser().resolve().as_posix()


def connect(url: str) -> sa.Engine:
    """Create an engine for a workspace database.

    Parameters
    ----------
    url : ``sqlite:///path`` (see :func:`sqlite_url`) or ``postgresql+psycopg://user@host/db``;
        a bare ``postgresql://`` URL is taken to mean the psycopg 3 driver, the one installed.

    Returns
    -------
    The engine.  SQLite connections run in WAL journal mode (readers do not block the writer,
    e.g. the dashboard while an import runs), enforce foreign keys (off by default in SQLite)
    and wait :data:`BUSY_TIMEOUT_MS` for locks.  ``BEGIN`` is emitted by SQLAlchemy rather than
    by the sqlite3 module, whose legacy mode starts no transaction before DDL or SELECT; so
    migrations are transactional and savepoints nest as on PostgreSQL.

    Raises
    ------
    ValueError
        If the URL names another database.
    """
    parsed = sa.make_url(url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in SUPPORTED_DIALECTS:
        raise ValueError(
            f"不支持的数据库: {parsed.get_backend_name()}，请使用 SQLite 或 PostgreSQL / "
            f"unsupported database {parsed.get_backend_name()!r}: use SQLite or PostgreSQL"
        )
    engine = sa.create_engine(parsed)
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    return engine


def _configure_sqlite(engine: sa.Engine) -> None:
    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        # sqlite3 opens no transaction of its own (BEGIN comes from _on_begin), so the pragmas
        # run outside one: inside, foreign_keys is ignored and journal_mode refused.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS:d}")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection: sa.Connection) -> None:
        connection.exec_driver_sql("BEGIN")


def alembic_config(url: str | None = None) -> Config:
    """Alembic configuration pointing at the migrations shipped in this package.

    Parameters
    ----------
    url : database URL for Alembic commands that open their own connection (e.g. offline SQL
        generation); :func:`migrate` passes its connection instead.
    """
    config = Config()
    # Options go through configparser interpolation: a literal "%" must be doubled.
    location = str(resources.files("qingliu.store") / "migrations")
    config.set_main_option("script_location", location.replace("%", "%%"))
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate(engine: sa.Engine, revision: str = "head") -> None:
    """Upgrade the database to ``revision`` (default: the newest), in one transaction.

    Creates the tables on an empty database; does nothing on an up-to-date one.

    Parameters
    ----------
    engine : from :func:`connect`.
    revision : Alembic revision to upgrade to.
    """
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
