"""Initial schema: the canonical tables of DESIGN.md §2 and workspace_meta.

Revision ID: 0001
Revises:
Create Date: 2026-11-29

Written out in full, as the schema stood at this revision (``store/schema.py`` builds the same
tables from ``model/tables.py``; a test compares the two on SQLite and PostgreSQL).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

ID = sa.String(length=64)


def upgrade() -> None:
    op.create_table(
        "node",
        sa.Column("node_id", ID, nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("kind", ID, nullable=False),
        sa.Column("river", sa.Text(), nullable=False),
        sa.Column("lon", sa.Double(), nullable=False),
        sa.Column("lat", sa.Double(), nullable=False),
        sa.Column("downstream", ID, nullable=True),
        sa.Column("length_km", sa.Double(), nullable=True),
        sa.PrimaryKeyConstraint("node_id", name="pk_node"),
        sa.ForeignKeyConstraint(
            ["downstream"],
            ["node.node_id"],
            name="fk_node_downstream_node",
            deferrable=True,
            initially="DEFERRED",
        ),
    )
    op.create_table(
        "county",
        sa.Column("county_id", ID, nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("lon", sa.Double(), nullable=True),
        sa.Column("lat", sa.Double(), nullable=True),
        sa.PrimaryKeyConstraint("county_id", name="pk_county"),
    )
    op.create_table(
        "county_year",
        sa.Column("county_id", ID, nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("population", sa.Double(), nullable=False),
        sa.Column("urban_population", sa.Double(), nullable=True),
        sa.Column("gdp_1e4yuan", sa.Double(), nullable=False),
        sa.Column("industry_value_1e4yuan", sa.Double(), nullable=False),
        sa.Column("irrigated_area_mu", sa.Double(), nullable=False),
        sa.Column("water_quota_1e4m3", sa.Double(), nullable=True),
        sa.Column("groundwater_quota_1e4m3", sa.Double(), nullable=True),
        sa.PrimaryKeyConstraint("county_id", "year", name="pk_county_year"),
        sa.ForeignKeyConstraint(["county_id"], ["county.county_id"], name="fk_county_year_county_id_county"),
    )
    op.create_table(
        "section",
        sa.Column("section_id", ID, nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("river", sa.Text(), nullable=False),
        sa.Column("node_id", ID, nullable=False),
        sa.Column("level", ID, nullable=False),
        sa.Column("water_body", ID, nullable=False),
        sa.Column("target_class", sa.Integer(), nullable=False),
        sa.Column("county_id", ID, nullable=False),
        sa.Column("is_boundary", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("section_id", name="pk_section"),
        sa.ForeignKeyConstraint(["node_id"], ["node.node_id"], name="fk_section_node_id_node"),
        sa.ForeignKeyConstraint(["county_id"], ["county.county_id"], name="fk_section_county_id_county"),
    )
    op.create_table(
        "station",
        sa.Column("station_id", ID, nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("river", sa.Text(), nullable=False),
        sa.Column("node_id", ID, nullable=False),
        sa.Column("area_km2", sa.Double(), nullable=False),
        sa.Column("warning_level_m", sa.Double(), nullable=True),
        sa.Column("guarantee_level_m", sa.Double(), nullable=True),
        sa.PrimaryKeyConstraint("station_id", name="pk_station"),
        sa.ForeignKeyConstraint(["node_id"], ["node.node_id"], name="fk_station_node_id_node"),
    )
    op.create_table(
        "reservoir",
        sa.Column("reservoir_id", ID, nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("node_id", ID, nullable=False),
        sa.Column("capacity_1e4m3", sa.Double(), nullable=False),
        sa.Column("dead_1e4m3", sa.Double(), nullable=False),
        sa.Column("flood_limit_level_m", sa.Double(), nullable=False),
        sa.Column("normal_level_m", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("reservoir_id", name="pk_reservoir"),
        sa.ForeignKeyConstraint(["node_id"], ["node.node_id"], name="fk_reservoir_node_id_node"),
    )
    op.create_table(
        "source",
        sa.Column("source_id", ID, nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("kind", ID, nullable=False),
        sa.Column("node_id", ID, nullable=True),
        sa.Column("county_id", ID, nullable=False),
        sa.Column("sector", sa.Text(), nullable=True),
        sa.Column("subtype", sa.Text(), nullable=True),
        sa.Column("activity", sa.Double(), nullable=True),
        sa.Column("activity_unit", sa.Text(), nullable=True),
        sa.Column("flow_m3d", sa.Double(), nullable=True),
        sa.Column("cod_ta", sa.Double(), nullable=True),
        sa.Column("nh3n_ta", sa.Double(), nullable=True),
        sa.Column("tp_ta", sa.Double(), nullable=True),
        sa.Column("tn_ta", sa.Double(), nullable=True),
        sa.Column("cod_mgl", sa.Double(), nullable=True),
        sa.Column("nh3n_mgl", sa.Double(), nullable=True),
        sa.Column("tp_mgl", sa.Double(), nullable=True),
        sa.Column("tn_mgl", sa.Double(), nullable=True),
        sa.PrimaryKeyConstraint("source_id", name="pk_source"),
        sa.ForeignKeyConstraint(["node_id"], ["node.node_id"], name="fk_source_node_id_node"),
        sa.ForeignKeyConstraint(["county_id"], ["county.county_id"], name="fk_source_county_id_county"),
    )
    op.create_table(
        "project",
        sa.Column("project_id", ID, nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("category", ID, nullable=False),
        sa.Column("county_id", ID, nullable=False),
        sa.Column("department", sa.Text(), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=False),
        sa.Column("investment_1e4yuan", sa.Double(), nullable=False),
        sa.Column("invested_1e4yuan", sa.Double(), nullable=True),
        sa.Column("status", ID, nullable=False),
        sa.Column("progress_pct", sa.Double(), nullable=False),
        sa.Column("effect_node", ID, nullable=True),
        sa.Column("cod_reduction_ta", sa.Double(), nullable=True),
        sa.Column("nh3n_reduction_ta", sa.Double(), nullable=True),
        sa.Column("tp_reduction_ta", sa.Double(), nullable=True),
        sa.Column("tn_reduction_ta", sa.Double(), nullable=True),
        sa.Column("water_saved_1e4m3a", sa.Double(), nullable=True),
        sa.Column("ecoflow_supply_m3s", sa.Double(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("project_id", name="pk_project"),
        sa.ForeignKeyConstraint(["county_id"], ["county.county_id"], name="fk_project_county_id_county"),
        sa.ForeignKeyConstraint(["effect_node"], ["node.node_id"], name="fk_project_effect_node_node"),
    )
    op.create_table(
        "wq_sample",
        sa.Column("section_id", ID, nullable=False),
        sa.Column("time", sa.DateTime(), nullable=False),
        sa.Column("parameter", ID, nullable=False),
        sa.Column("value", sa.Double(), nullable=False),
        sa.Column("flag", ID, nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("section_id", "time", "parameter", name="pk_wq_sample"),
        sa.ForeignKeyConstraint(["section_id"], ["section.section_id"], name="fk_wq_sample_section_id_section"),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_wq_sample_time", "wq_sample", ["time"])
    op.create_table(
        "flow_daily",
        sa.Column("station_id", ID, nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("q", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("station_id", "date", name="pk_flow_daily"),
        sa.ForeignKeyConstraint(["station_id"], ["station.station_id"], name="fk_flow_daily_station_id_station"),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_flow_daily_date", "flow_daily", ["date"])
    op.create_table(
        "water_use",
        sa.Column("county_id", ID, nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("sector", ID, nullable=False),
        sa.Column("origin", ID, nullable=False),
        sa.Column("volume", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("county_id", "year", "sector", "origin", name="pk_water_use"),
        sa.ForeignKeyConstraint(["county_id"], ["county.county_id"], name="fk_water_use_county_id_county"),
    )
    meta = op.create_table(
        "workspace_meta",
        sa.Column("key", ID, nullable=False),
        sa.Column("value", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("key", name="pk_workspace_meta"),
    )
    op.bulk_insert(meta, [{"key": "schema_version", "value": revision}])


def downgrade() -> None:
    for table in (
        "workspace_meta",
        "water_use",
        "flow_daily",
        "wq_sample",
        "project",
        "source",
        "reservoir",
        "station",
        "section",
        "county_year",
        "county",
        "node",
    ):
        op.drop_table(table)
