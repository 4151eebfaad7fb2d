"""Shared fixtures: a clean database on SQLite and PostgreSQL; a workspace from the bundled example.

PostgreSQL comes from ``QINGLIU_TEST_PG_URL`` (e.g.
``postgresql+psycopg://qingliu@127.0.0.1:55432/qingliu_test``, started as in ``.ci/run``).
Without it the PostgreSQL cases are skipped, unless ``CI`` is set: CI must test both.
Each PostgreSQL case works in a schema of its own (``search_path``), dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from qingliu.store import connect, sqlite_url

from qingliu.services.examples import load_example
from qingliu.services.workspace import Workspace, create_workspace


PG_URL_ENV = "QINGLIU_TEST_PG_URL"


def _postgres_url() -> str:
    url = os.environ.get(PG_URL_ENV)
    if url:
        return url
    message = f"{PG_URL_ENV} is not set: no PostgreSQL to test the store against"
    if os.environ.get("CI"):
        pytest.fail(f"{message} (CI must test SQLite and PostgreSQL)")
    pytest.skip(message)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    """URL of an empty database, one per test."""
    if request.param == "sqlite":
        yield sqlite_url(tmp_path / "qingliu.db")
        return
    base = _postgres_url()
    schema = f"test_{uuid.uuid4().hex[:16]}"
    admin = connect(base)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    url = sa.make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


@pytest.fixture(scope="session")
def example_ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """A SQLite workspace holding the whole Jinzhong example (read-only for tests)."""
    ws = create_workspace(tmp_path_factory.mktemp("example") / "ws", example="jinzhong")
    load_example(ws, "jinzhong")
    return ws


@pytest.fixture()
def empty_ws(tmp_path: Path) -> Workspace:
    return create_workspace(tmp_path / "ws")
