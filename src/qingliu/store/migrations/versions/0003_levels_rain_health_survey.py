"""Water levels, daily precipitation and river-health survey values (issues 5 and 8).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29

Adds the canonical tables ``level``, ``rain_daily`` and ``health_survey`` as
``qingliu.model.tables`` declares them, written out in full.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

ID = sa.String(length=64)

_META = sa.table("workspace_meta", sa.column("key", ID), sa.column("value", sa.Text()))


def _set_schema_version(value: str) -> None:
    op.execute(_META.update().where(_META.c.key == "schema_version").values(value=value))


def upgrade() -> None:
    op.create_table(
        "level",
        sa.Column("site_id", ID, nullable=False),
        sa.Column("time", sa.DateTime(), nullable=False),
        sa.Column("level_m", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("site_id", "time", name="pk_level"),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_level_time", "level", ["time"])
    op.create_table(
        "rain_daily",
        sa.Column("station_id", ID, nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("p_mm", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("station_id", "date", name="pk_rain_daily"),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_rain_daily_date", "rain_daily", ["date"])
    op.create_table(
        "health_survey",
        sa.Column("river", ID, nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("indicator", ID, nullable=False),
        sa.Column("value", sa.Double(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("river", "year", "indicator", name="pk_health_survey"),
    )
    _set_schema_version("0003")


def downgrade() -> None:
    op.drop_table("health_survey")
    op.drop_index("ix_rain_daily_date", table_name="rain_daily")
    op.drop_table("rain_daily")
    op.drop_index("ix_level_time", table_name="level")
    op.drop_table("level")
    _set_schema_version("0002")
