"""Users and roles, the audit log and project progress reports (issue 4).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06

Adds the system tables ``app_user``, ``audit_log`` and ``project_progress`` as
``store/schema.py`` declares them (see its docstring), written out in full.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

ID = sa.String(length=64)

_META = sa.table("workspace_meta", sa.column("key", ID), sa.column("value", sa.Text()))


def _set_schema_version(value: str) -> None:
    op.execute(_META.update().where(_META.c.key == "schema_version").values(value=value))


def upgrade() -> None:
    op.create_table(
        "app_user",
        sa.Column("username", ID, nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("role", ID, nullable=False),
        sa.Column("department", sa.Text(), nullable=True),
        sa.Column("display_name", sa.Text(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("username", name="pk_app_user"),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("time", sa.DateTime(), nullable=False),
        sa.Column("username", ID, nullable=False),
        sa.Column("action", ID, nullable=False),
        sa.Column("table_name", ID, nullable=True),
        sa.Column("record_key", sa.Text(), nullable=True),
        sa.Column("before", sa.Text(), nullable=True),
        sa.Column("after", sa.Text(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )
    op.create_index("ix_audit_log_table_name_record_key", "audit_log", ["table_name", "record_key"])
    op.create_table(
        "project_progress",
        sa.Column("project_id", ID, nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("progress_pct", sa.Double(), nullable=False),
        sa.Column("invested_1e4yuan", sa.Double(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("username", ID, nullable=False),
        sa.PrimaryKeyConstraint("project_id", "date", name="pk_project_progress"),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.project_id"],
            name="fk_project_progress_project_id_project",
            ondelete="CASCADE",
        ),
    )
    _set_schema_version(revision)


def downgrade() -> None:
    for table in ("project_progress", "audit_log", "app_user"):
        op.drop_table(table)
    _set_schema_version(down_revision)
