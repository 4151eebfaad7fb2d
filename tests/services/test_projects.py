"""The project registry: permissions, validation, audit rows and progress history.

Run on SQLite and PostgreSQL (``db_url`` of tests/conftest.py). Users are plain ``User``
values: permissions depend on the role and department they carry, not on a stored account.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date

import pandas as pd
import pytest
import sqlalchemy as sa

from qingliu.services import audit
from qingliu.services.auth import PermissionDenied, User
from qingliu.services.projects import (
    ProjectNotFound,
    ProjectValueError,
    add_progress,
    create_project,
    get_project,
    list_projects,
    project_summary,
    responsibility_matrix,
    update_project,
)
from qingliu.store import connect, migrate, read, snapshot, upsert

WLB = "晋中市水利局"
EEB = "晋中市生态环境局"
ADMIN = User("root", "admin")
EDITOR = User("wang", "editor", WLB)
OTHER_EDITOR = User("zhao", "editor", EEB)
VIEWER = User("liu", "viewer")

# XM01 runs 2025-01-01 .. 2025-05-01 (120 days): half way on 2025-03-02 (see tests/plan).
XM01 = {
    "project_id": "XM01", "name": "潇河生态修复工程", "category": "water_ecology", "county_id": "140702",
    "department": WLB, "start": "2025-01-01", "end": "2025-05-01", "investment_1e4yuan": 200.0,
    "invested_1e4yuan": 30.0, "status": "ongoing", "progress_pct": 20.0, "effect_node": "N1",
}  # fmt: skip
XM02 = {
    "project_id": "XM02", "name": "太榆退水渠湿地工程", "category": "water_environment", "county_id": "140703",
    "department": EEB, "start": "2025-02-01", "end": "2026-01-31", "investment_1e4yuan": 500.0,
    "status": "planned", "progress_pct": 0.0,
}  # fmt: skip


@pytest.fixture
def engine(db_url: str) -> Iterator[sa.Engine]:
    """A migrated database with two counties, a node and the projects XM01 (水利局) and XM02 (生态环境局)."""
    engine = connect(db_url)
    migrate(engine)
    with engine.begin() as conn:
        upsert(conn, "county", pd.DataFrame({"county_id": ["140702", "140703"], "name": ["榆次区", "太谷区"]}))
        upsert(conn, "node", pd.DataFrame({"node_id": ["N1"], "kind": ["outlet"], "river": ["潇河"], "lon": [112.7],
                                           "lat": [37.7]}))  # fmt: skip
        upsert(conn, "project", pd.DataFrame([XM01, XM02]))
    yield engine
    engine.dispose()


def project_row(engine: sa.Engine, project_id: str) -> pd.Series:
    with engine.connect() as conn:
        return read(conn, "project", where={"project_id": project_id}).iloc[0]


def state(engine: sa.Engine) -> dict[str, pd.DataFrame]:
    with engine.connect() as conn:
        return snapshot(conn)


def assert_unchanged(engine: sa.Engine, before: dict[str, pd.DataFrame]) -> None:
    after = state(engine)
    for name, frame in before.items():
        pd.testing.assert_frame_equal(after[name], frame, obj=name)


def test_editor_edits_own_department_project_and_the_audit_row_holds_before_and_after(engine) -> None:
    result = update_project(engine, EDITOR, "XM01", {"progress_pct": 45, "description": "护岸完成"})
    assert result["progress_pct"] == 45.0
    row = project_row(engine, "XM01")
    assert (row["progress_pct"], row["description"], row["name"]) == (45.0, "护岸完成", "潇河生态修复工程")
    entry = audit.recent(engine, 1).iloc[0]
    assert (entry["username"], entry["action"], entry["table_name"], entry["record_key"]) == (
        "wang", "update", "project", "XM01")  # fmt: skip
    assert json.loads(entry["before"]) == {"progress_pct": 20.0, "description": None}
    assert json.loads(entry["after"]) == {"progress_pct": 45.0, "description": "护岸完成"}


def test_editor_of_another_department_is_refused_and_nothing_is_written(engine) -> None:
    before = state(engine)
    with pytest.raises(PermissionDenied, match="晋中市生态环境局") as info:
        update_project(engine, OTHER_EDITOR, "XM01", {"progress_pct": 45})
    assert "may only change" in info.value.en
    with pytest.raises(PermissionDenied):
        add_progress(engine, OTHER_EDITOR, "XM01", "2025-03-01", 40)
    with pytest.raises(PermissionDenied):
        create_project(engine, EDITOR, {**XM02, "project_id": "XM03"})  # an 生态环境局 project
    assert_unchanged(engine, before)


def test_editor_cannot_hand_a_project_to_another_department(engine) -> None:
    before = state(engine)
    with pytest.raises(PermissionDenied):
        update_project(engine, EDITOR, "XM01", {"department": EEB})
    assert_unchanged(engine, before)


def test_viewer_is_refused_every_write(engine) -> None:
    before = state(engine)
    for write in (
        lambda: update_project(engine, VIEWER, "XM01", {"progress_pct": 45}),
        lambda: create_project(engine, VIEWER, {**XM01, "project_id": "XM09"}),
        lambda: add_progress(engine, VIEWER, "XM01", "2025-03-01", 40),
        lambda: update_project(engine, None, "XM01", {"progress_pct": 45}),
    ):
        with pytest.raises(PermissionDenied, match="admin or editor"):
            write()
    assert_unchanged(engine, before)


def test_create_accepts_chinese_choices_and_text_values(engine) -> None:
    values = {**XM01, "project_id": "XM10", "category": "水生态", "status": "在建", "progress_pct": "45%",
              "start": date(2025, 3, 1), "end": "2026年6月30日", "investment_1e4yuan": "1,200"}  # fmt: skip
    row = create_project(engine, EDITOR, values)
    assert (row["category"], row["status"], row["progress_pct"]) == ("water_ecology", "ongoing", 45.0)
    assert (row["start"], row["end"], row["investment_1e4yuan"]) == (date(2025, 3, 1), date(2026, 6, 30), 1200.0)
    stored = project_row(engine, "XM10")
    assert stored["end"] == pd.Timestamp("2026-06-30")
    entry = audit.recent(engine, 1).iloc[0]
    assert (entry["action"], entry["record_key"], entry["username"]) == ("create", "XM10", "wang")
    assert pd.isna(entry["before"])
    after = json.loads(entry["after"])
    assert (after["start"], after["end"], after["category"]) == ("2025-03-01", "2026-06-30", "water_ecology")


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        ({"category": "水利"}, "category", "is not one of"),
        ({"progress_pct": 101}, "progress_pct", "above the maximum 100"),
        ({"investment_1e4yuan": -1}, "investment_1e4yuan", "below the minimum 0"),
        ({"end": "2024-12-31"}, "end", "is before start 2025-01-01"),
        ({"start": "2025-02-30"}, "start", "not a date"),
        ({"county_id": "999999"}, "county_id", "unknown county"),
        ({"effect_node": "N9"}, "effect_node", "unknown node"),
        ({"name": ""}, "name", "required value missing"),
        ({"budget": 5}, "budget", "unknown field"),
    ],
)
def test_bad_values_name_the_field_and_write_nothing(engine, change, field, reason) -> None:
    before = state(engine)
    with pytest.raises(ProjectValueError, match=reason) as info:
        create_project(engine, ADMIN, {**XM01, "project_id": "XM11", **change})
    assert info.value.field == field
    assert f"({field})" in info.value.zh
    with pytest.raises(ProjectValueError, match=reason):
        update_project(engine, ADMIN, "XM01", change)
    assert_unchanged(engine, before)


def test_existing_id_unknown_project_and_id_change_are_refused(engine) -> None:
    before = state(engine)
    with pytest.raises(ProjectValueError, match="exists already") as info:
        create_project(engine, ADMIN, XM01)
    assert info.value.field == "project_id"
    with pytest.raises(ProjectNotFound, match="no project"):
        update_project(engine, ADMIN, "XM99", {"progress_pct": 1})
    with pytest.raises(ProjectNotFound):
        get_project(engine, "XM99")
    with pytest.raises(ProjectValueError, match="cannot be changed"):
        update_project(engine, ADMIN, "XM01", {"project_id": "XM05"})
    assert_unchanged(engine, before)


def test_an_update_that_changes_nothing_writes_nothing(engine) -> None:
    update_project(engine, ADMIN, "XM01", {"progress_pct": "20", "category": "水生态"})
    assert audit.recent(engine).empty


def test_progress_history_and_current_state(engine) -> None:
    add_progress(engine, EDITOR, "XM01", "2025-02-01", 15, 25.0, "清淤")
    add_progress(engine, EDITOR, "XM01", "2025-03-01", 35, note="护岸")
    add_progress(engine, EDITOR, "XM01", "2025-01-15", 8)  # late report of an earlier date
    project = get_project(engine, "XM01", as_of="2025-03-02")
    assert [(p["date"], p["progress_pct"], p["invested_1e4yuan"], p["note"]) for p in project["progress"]] == [
        (date(2025, 1, 15), 8.0, None, None),
        (date(2025, 2, 1), 15.0, 25.0, "清淤"),
        (date(2025, 3, 1), 35.0, None, "护岸"),
    ]
    assert all(p["username"] == "wang" for p in project["progress"])
    # the newest report is the current state; a report without spending keeps the last known
    assert (project["progress_pct"], project["invested_1e4yuan"]) == (35.0, 25.0)
    assert project["planned_pct"] == 50.0
    assert project["lagging"] is False  # exactly 15 points behind
    assert project["days_remaining"] == 60


def test_progress_reports_are_audited_and_a_same_day_report_replaces_the_first(engine) -> None:
    add_progress(engine, EDITOR, "XM01", "2025-03-01", 30)
    add_progress(engine, EDITOR, "XM01", "2025-03-01", 32, note="更正")
    with engine.connect() as conn:
        history = read(conn, "project_progress")
    assert history[["date", "progress_pct", "note"]].values.tolist() == [[pd.Timestamp("2025-03-01"), 32.0, "更正"]]
    reports = audit.recent(engine, filters={"table": "project_progress"})
    assert reports["action"].tolist() == ["update", "create"]
    assert reports["record_key"].tolist() == ["XM01|2025-03-01"] * 2
    assert json.loads(reports.iloc[0]["before"])["progress_pct"] == 30.0
    assert json.loads(reports.iloc[0]["after"])["progress_pct"] == 32.0
    edits = audit.recent(engine, filters={"table": "project", "key": "XM01"})
    assert [json.loads(a)["progress_pct"] for a in edits["after"]] == [32.0, 30.0]


def test_a_planned_project_with_progress_becomes_ongoing(engine) -> None:
    admin_report = add_progress(engine, ADMIN, "XM02", "2025-03-01", 5, 20.0)
    assert admin_report["username"] == "root"
    row = project_row(engine, "XM02")
    assert (row["status"], row["progress_pct"], row["invested_1e4yuan"]) == ("ongoing", 5.0, 20.0)


def test_bad_progress_values_are_refused(engine) -> None:
    before = state(engine)
    with pytest.raises(ProjectValueError, match="above the maximum") as info:
        add_progress(engine, EDITOR, "XM01", "2025-03-01", 120)
    assert info.value.field == "progress_pct"
    with pytest.raises(ProjectValueError, match="not a date") as info:
        add_progress(engine, EDITOR, "XM01", "三月", 20)
    assert info.value.field == "date"
    with pytest.raises(ProjectNotFound):
        add_progress(engine, EDITOR, "XM99", "2025-03-01", 20)
    assert_unchanged(engine, before)


def test_list_filters_and_flags(engine) -> None:
    every = list_projects(engine, as_of="2025-03-02")
    assert every["project_id"].tolist() == ["XM01", "XM02"]
    assert every["lagging"].tolist() == [True, False]  # XM01: 20 % against 50 % planned
    assert list_projects(engine, department=EEB)["project_id"].tolist() == ["XM02"]
    assert list_projects(engine, status=["planned", "completed"])["project_id"].tolist() == ["XM02"]
    assert list_projects(engine, county_id="140702", category="water_ecology")["project_id"].tolist() == ["XM01"]
    assert list_projects(engine, category="flood_drought").empty
    overdue = list_projects(engine, as_of="2025-05-02")
    assert overdue["overdue"].tolist() == [True, False]


def test_matrix_and_summary_from_the_database(engine) -> None:
    matrix = responsibility_matrix(engine)
    assert matrix.loc[WLB, ("projects", "water_ecology")] == 1
    assert matrix.loc[EEB, ("investment_1e4yuan", "water_environment")] == 500.0
    assert matrix["projects"].to_numpy().sum() == 2
    summary = project_summary(engine, "2025-03-02")
    assert set(summary) == {"category", "status", "department"}
    assert summary["status"].loc[["planned", "ongoing"], "projects"].tolist() == [1, 1]
    assert summary["department"].loc[WLB, "lagging"] == 1
    assert summary["department"].loc[EEB, "lagging"] == 0
