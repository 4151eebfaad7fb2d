"""The project registry through the API: filters, detail, matrix, summary, create, edit, progress."""

from __future__ import annotations

import csv
import json
from importlib import resources

import pytest

from qingliu.services import audit

EXAMPLE = resources.files("qingliu.data").joinpath("jinzhong")
EEB, WRB = "晋中市生态环境局", "晋中市水利局"

with EXAMPLE.joinpath("projects.csv").open(encoding="utf-8-sig") as _f:
    PROJECTS = list(csv.DictReader(_f))

NEW = {
    "project_id": "XM90", "name": "潇河湿地补水试点", "category": "water_ecology", "county_id": "140702",
    "department": EEB, "start": "2026-03-01", "end": "2027-06-30", "investment_1e4yuan": 1200.0,
    "status": "planned", "progress_pct": 0.0, "effect_node": "XIAO10",
}  # fmt: skip


def _ids(rows, **equal):
    return [p["project_id"] for p in rows if all(p[k] in (v if isinstance(v, list) else [v]) for k, v in equal.items())]


@pytest.mark.parametrize(
    "params",
    [
        {"department": WRB},
        {"category": "flood_drought"},
        {"county_id": "140727", "category": "water_resources"},
        {"status": ["planned", "suspended"]},
    ],
)
def test_list_filters(client, params):
    body = client("viewer").get("/api/v1/projects", params=params).json()
    expected = _ids(PROJECTS, **params)
    assert [p["project_id"] for p in body["data"]] == expected and body["count"] == len(expected)


def test_list_flags_overdue_projects_on_a_date(client):
    """XM03 (ongoing) was due on 2025-06-30; on 2025-07-01 it is overdue, on 2025-06-30 not yet."""
    viewer = client("viewer")
    after = viewer.get("/api/v1/projects", params={"department": EEB, "as_of": "2025-07-01"}).json()["data"]
    on = viewer.get("/api/v1/projects", params={"department": EEB, "as_of": "2025-06-30"}).json()["data"]
    assert {p["project_id"]: p["overdue"] for p in after} == {"XM03": True, "XM17": False}  # XM17 completed
    assert {p["project_id"]: p["overdue"] for p in on} == {"XM03": False, "XM17": False}


def test_detail_has_values_schedule_and_progress(client):
    """XM03 runs 2023-03-01..2025-06-30 (852 days); on 2024-06-30, 487 days in: 57.16 % planned."""
    body = client("viewer").get("/api/v1/projects/XM03", params={"as_of": "2024-06-30"}).json()
    assert body["name"] == "太榆退水渠人工湿地水质净化工程" and body["department"] == EEB
    assert body["start"] == "2023-03-01" and body["progress_pct"] == 72.5
    assert body["planned_pct"] == pytest.approx(100 * 487 / 852)
    assert body["progress"] == []


def test_unknown_project_is_404(client):
    answer = client("viewer").get("/api/v1/projects/XM99")
    assert answer.status_code == 404 and "XM99" in answer.json()["detail"]


def test_matrix_counts_each_department_by_category(client):
    body = client("viewer").get("/api/v1/projects/matrix").json()
    assert body["categories"] == ["water_resources", "water_environment", "water_ecology", "flood_drought"]
    rows = {r["department"]: r for r in body["data"]}
    assert set(rows) == {p["department"] for p in PROJECTS}
    water = rows[WRB]
    assert water["projects"] == {c: len(_ids(PROJECTS, department=WRB, category=c)) for c in body["categories"]}
    assert sum(water["projects"].values()) == 6
    assert water["investment_1e4yuan"]["water_ecology"] == pytest.approx(
        sum(
            float(p["investment_1e4yuan"])
            for p in PROJECTS
            if p["department"] == WRB and p["category"] == "water_ecology"
        )
    )


def test_summary_by_category_status_and_department(client):
    body = client("viewer").get("/api/v1/projects/summary", params={"as_of": "2025-12-31"}).json()
    assert body["as_of"] == "2025-12-31"
    by_category = {r["category"]: r["projects"] for r in body["category"]}
    assert by_category == {c: len(_ids(PROJECTS, category=c)) for c in by_category} and sum(by_category.values()) == 38
    by_status = {r["status"]: r for r in body["status"]}
    assert by_status["completed"]["completed"] == 20
    assert sum(r["overdue"] for r in body["status"]) == 4  # XM03, XM21, XM23, XM32 (see test_api_results)
    assert {r["department"] for r in body["department"]} == {p["department"] for p in PROJECTS}


def test_editor_creates_a_project_of_their_department(client, scratch_app, scratch_ws):
    answer = client("editor_env", app=scratch_app).post("/api/v1/projects", json=NEW)
    assert answer.status_code == 201, answer.text
    assert answer.json()["project_id"] == "XM90" and answer.json()["end"] == "2027-06-30"
    detail = client("viewer", app=scratch_app).get("/api/v1/projects/XM90").json()
    assert detail["name"] == NEW["name"] and detail["investment_1e4yuan"] == 1200.0
    rows = audit.recent(scratch_ws.engine, 5, {"table": "project", "key": "XM90"})
    assert rows["action"].tolist() == ["create"] and rows["username"].tolist() == ["editor_env"]


def test_editor_updates_and_reports_progress(client, scratch_app, scratch_ws):
    editor = client("editor_water", app=scratch_app)
    changed = editor.patch("/api/v1/projects/XM15", json={"invested_1e4yuan": 5000, "description": "补水管线完工"})
    assert changed.status_code == 200, changed.text
    xm15 = next(p for p in PROJECTS if p["project_id"] == "XM15")
    assert changed.json()["invested_1e4yuan"] == 5000.0 and changed.json()["name"] == xm15["name"]  # the rest stays
    report = editor.post("/api/v1/projects/XM15/progress",
                         json={"date": "2026-01-15", "progress_pct": 88, "note": "完成管线铺设"})  # fmt: skip
    assert report.status_code == 201, report.text
    assert report.json() == {"project_id": "XM15", "date": "2026-01-15", "progress_pct": 88.0, "invested_1e4yuan": None,
                             "note": "完成管线铺设", "username": "editor_water"}  # fmt: skip
    detail = client("viewer", app=scratch_app).get("/api/v1/projects/XM15").json()
    assert detail["progress_pct"] == 88.0 and detail["description"] == "补水管线完工"
    assert [p["date"] for p in detail["progress"]] == ["2026-01-15"]
    update = audit.recent(scratch_ws.engine, 5, {"table": "project", "key": "XM15", "username": "editor_water"})
    first = update.iloc[-1]  # oldest: the PATCH, holding only the changed fields
    assert json.loads(first["before"])["invested_1e4yuan"] == pytest.approx(float(xm15["invested_1e4yuan"]))
    assert json.loads(first["after"]) == {"invested_1e4yuan": 5000.0, "description": "补水管线完工"}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"end": "2020-01-01"}, "end"),  # before its start (2023-04-01)
        ({"category": "roads"}, "category"),
        ({"progress_pct": 130}, "progress_pct"),
        ({"county_id": "999999"}, "county_id"),
        ({"project_id": "XM99"}, "project_id"),
    ],
)
def test_bad_values_are_422_naming_the_field_and_write_nothing(client, scratch_app, scratch_ws, change, field):
    before = audit.recent(scratch_ws.engine, 1)["id"].tolist()
    answer = client("admin", app=scratch_app).patch("/api/v1/projects/XM15", json=change)
    assert answer.status_code == 422
    problem = answer.json()["detail"][0]
    assert problem["loc"] == ["body", field] and problem["zh"] and problem["en"]
    assert audit.recent(scratch_ws.engine, 1)["id"].tolist() == before


def test_unknown_fields_and_missing_required_fields_are_422(client, scratch_app):
    admin = client("admin", app=scratch_app)
    assert admin.patch("/api/v1/projects/XM15", json={"colour": "red"}).status_code == 422
    missing = admin.post("/api/v1/projects", json={k: v for k, v in NEW.items() if k != "name"})
    assert missing.status_code == 422 and ["body", "name"] in [e["loc"] for e in missing.json()["detail"]]


def test_existing_id_is_422(client, scratch_app):
    answer = client("admin", app=scratch_app).post("/api/v1/projects", json={**NEW, "project_id": "XM03"})
    assert answer.status_code == 422 and answer.json()["detail"][0]["loc"] == ["body", "project_id"]


def test_patch_of_an_unknown_project_is_404(client, scratch_app):
    assert client("admin", app=scratch_app).patch("/api/v1/projects/XM99", json={"name": "x"}).status_code == 404
