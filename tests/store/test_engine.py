"""Connecting: SQLite settings, URLs, dialect choice."""

from __future__ import annotations

import pytest

from qingliu.store import connect, sqlite_url
from qingliu.store.engine import BUSY_TIMEOUT_MS


def test_sqlite_runs_in_wal_mode_with_foreign_keys_and_busy_timeout(tmp_path) -> None:
    engine = connect(sqlite_url(tmp_path / "ws.db"))
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == BUSY_TIMEOUT_MS == 30_000
    engine.dispose()


def test_sqlite_ddl_is_transactional(tmp_path) -> None:
    """The sqlite3 module's legacy mode would commit CREATE TABLE at once; ours rolls it back."""
    engine = connect(sqlite_url(tmp_path / "ws.db"))
    with engine.connect() as conn:
        with conn.begin() as transaction:
            conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
            transaction.rollback()
        assert conn.exec_driver_sql("SELECT count(*) FROM sqlite_master WHERE name = 't'").scalar() == 0
    engine.dispose()


def test_sqlite_url_is_absolute(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert sqlite_url("ws/qingliu.db") == f"sqlite:///{tmp_path.resolve().as_posix()}/ws/qingliu.db"


def test_bare_postgresql_url_uses_psycopg_3() -> None:
    engine = connect("postgresql://qingliu@127.0.0.1:1/none")  # no connection is opened
    assert (engine.dialect.name, engine.dialect.driver) == ("postgresql", "psycopg")


def test_other_databases_are_refused() -> None:
    with pytest.raises(ValueError, match="unsupported database 'mysql'"):
        connect("mysql://user@localhost/db")
