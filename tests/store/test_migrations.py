"""The committed migrations build exactly the schema of ``store/schema.py``."""

from __future__ import annotations

import io

import pytest

from qingliu.store.schema import SYSTEM_TABLES
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from qingliu.model.tables import TABLES
from qingliu.store import META_TABLE, alembic_config, connect, get_meta, metadata, migrate


def test_migrated_schema_equals_metadata(engine: sa.Engine) -> None:
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diffs == []


def test_migrations_create_every_canonical_table(engine: sa.Engine) -> None:
    tables = set(sa.inspect(engine).get_table_names())
    assert tables == {*TABLES, META_TABLE, *SYSTEM_TABLES, "alembic_version"}


def test_schema_version_is_the_newest_revision_and_migrate_is_repeatable(engine: sa.Engine) -> None:
    migrate(engine)  # second run: already at head, nothing to do
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    with engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == head == "0003"
        assert get_meta(conn, "schema_version") == "0003"


def test_downgrade_to_base_removes_every_table(engine: sa.Engine) -> None:
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "base")
    assert set(sa.inspect(engine).get_table_names()) == {"alembic_version"}


def test_series_tables_are_without_rowid_on_sqlite(tmp_path) -> None:
    engine = connect(f"sqlite:///{tmp_path / 'ws.db'}")
    migrate(engine)
    with engine.connect() as conn:
        sql = dict(conn.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type = 'table'").all())
    engine.dispose()
    assert sql["wq_sample"].rstrip().endswith("WITHOUT ROWID")
    assert sql["flow_daily"].rstrip().endswith("WITHOUT ROWID")
    assert "WITHOUT ROWID" not in sql["section"]


def test_offline_upgrade_writes_postgresql_sql() -> None:
    config = alembic_config("postgresql+psycopg://qingliu@localhost/qingliu")
    config.output_buffer = io.StringIO()
    command.upgrade(config, "head", sql=True)
    sql = config.output_buffer.getvalue()
    assert "CREATE TABLE wq_sample" in sql
    assert "DEFERRABLE INITIALLY DEFERRED" in sql
    assert "INSERT INTO workspace_meta (key, value) VALUES ('schema_version', '0001')" in sql


def test_a_failed_migration_leaves_nothing_behind(db_url: str) -> None:
    """The upgrade runs in one transaction: a clash on the last tables undoes the first ones."""
    engine = connect(db_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE water_use (x INTEGER)")
    with pytest.raises(sa.exc.DatabaseError):
        migrate(engine)
    assert set(sa.inspect(engine).get_table_names()) == {"water_use"}
    engine.dispose()
