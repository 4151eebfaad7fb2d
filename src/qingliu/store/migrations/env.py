"""Alembic environment of the qingliu store.

Run by :func:`qingliu.store.migrate`, which passes its open connection in
``config.attributes["connection"]``; or by the ``alembic`` command with
``-c src/qingliu/store/migrations/alembic.ini`` (``-x url=...`` names the database), e.g. to
write a new revision with ``--autogenerate`` or the SQL of an upgrade with ``--sql``.
"""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context

from qingliu.store.engine import connect
from qingliu.store.schema import metadata

config = context.config
if config.config_file_name is not None:  # the alembic command: log as alembic.ini says
    fileConfig(config.config_file_name)


def _url() -> str:
    return context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option("sqlalchemy.url")


def _configure(**kwargs: object) -> None:
    # Batch mode lets later revisions alter SQLite tables (SQLite has few ALTER forms).
    # DDL is transactional on SQLite too, as qingliu.store.connect emits BEGIN itself.
    context.configure(
        target_metadata=metadata, render_as_batch=True, compare_type=True, transactional_ddl=True, **kwargs
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    _configure(url=_url(), literal_binds=True)
elif (connection := config.attributes.get("connection")) is not None:
    _configure(connection=connection)
else:
    with connect(_url()).connect() as connection:
        _configure(connection=connection)
