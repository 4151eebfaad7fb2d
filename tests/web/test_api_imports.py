"""Uploads: validate (nothing written), import all-or-nothing, problems by file/row/column, size limit."""

from __future__ import annotations

import csv
import io
from importlib import resources

import pytest

from qingliu import store
from qingliu.services import audit
from qingliu.web.app import create_app
from qingliu.web.settings import WebSettings

GOOD = "section_id,time,parameter,value\nS01,2026-01-10,cod,12.5\nS01,2026-01-10,nh3n,0.35\nS02,2026-01-11,总磷,0.08\n"
BAD = "section_id,time,parameter,value\nS01,2026-01-10,cod,12.5\nS99,2026-01-10,cod,11\nS02,2026-01-11,cod,abc\n"


def _upload(text: str, name: str = "samples_2026.csv", kind: str = "samples") -> dict:
    return {"data": {"kind": kind}, "files": {"file": (name, io.BytesIO(text.encode("utf-8")), "text/csv")}}


def _samples(ws) -> int:
    with ws.engine.connect() as conn:
        return store.count(conn, "wq_sample")


def _projects_csv(department: str, project_id: str = "XM91") -> str:
    with resources.files("qingliu.data").joinpath("jinzhong", "projects.csv").open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    row = {**next(r for r in rows if r["project_id"] == "XM03"), "project_id": project_id, "department": department}
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(row))
    writer.writeheader()
    writer.writerow(row)
    return out.getvalue()


def test_validate_reports_rows_and_writes_nothing(client, scratch_app, scratch_ws):
    before = _samples(scratch_ws)
    answer = client("editor_env", app=scratch_app).post("/api/v1/imports/validate", **_upload(GOOD))
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"ok": True, "written": False, "problems": [], "omitted": 0,
                             "files": [{"kind": "samples", "file": "samples_2026.csv", "rows": {"wq_sample": 3}}]}  # fmt: skip
    assert _samples(scratch_ws) == before


def test_validate_lists_problems_by_row_and_column(client, scratch_app):
    answer = client("editor_env", app=scratch_app).post("/api/v1/imports/validate", **_upload(BAD))
    assert answer.status_code == 422
    body = answer.json()["detail"]
    assert body["ok"] is False and body["written"] is False
    found = {(p["file"], p["row"], p["column"]) for p in body["problems"]}
    assert ("samples_2026.csv", 3, "section_id") in found  # S99 is no section (header = row 1)
    assert ("samples_2026.csv", 4, "value") in found  # "abc" is no number
    assert all(p["zh"] and p["en"] for p in body["problems"])


def test_import_writes_every_row_and_audits_the_file(client, scratch_app, scratch_ws):
    before = _samples(scratch_ws)
    answer = client("editor_water", app=scratch_app).post("/api/v1/imports", **_upload(GOOD))
    assert answer.status_code == 201, answer.text
    assert answer.json()["written"] is True and answer.json()["files"][0]["rows"] == {"wq_sample": 3}
    assert _samples(scratch_ws) == before + 3
    with scratch_ws.engine.connect() as conn:
        tp = store.read(conn, "wq_sample", where={"section_id": "S02", "parameter": "tp", "time": "2026-01-11"})
    assert tp["value"].tolist() == [0.08]  # 总磷 read as tp
    row = audit.recent(scratch_ws.engine, 1, {"action": "import"}).iloc[0]
    assert (row["username"], row["table_name"], row["record_key"]) == ("editor_water", "wq_sample", "samples_2026.csv")


def test_import_of_a_bad_file_writes_nothing(client, scratch_app, scratch_ws):
    with scratch_ws.engine.connect() as conn:
        before = store.snapshot(conn)
    answer = client("admin", app=scratch_app).post("/api/v1/imports", **_upload(BAD))
    assert answer.status_code == 422 and len(answer.json()["detail"]["problems"]) >= 2
    with scratch_ws.engine.connect() as conn:
        after = store.snapshot(conn)
    for table, frame in before.items():
        assert after[table].equals(frame), table


def test_the_import_is_seen_by_the_next_assessment(client, scratch_app):
    """2026 has no samples before the import (samples.csv ends in 2025), one month after it."""
    admin = client("admin", app=scratch_app)
    assert admin.get("/api/v1/results/water-quality", params={"year": 2026}).status_code == 404
    assert admin.post("/api/v1/imports", **_upload(GOOD)).status_code == 201
    body = admin.get("/api/v1/results/water-quality", params={"year": 2026}).json()
    assert {s["section_id"] for s in body["sections"]} == {"S01", "S02"}


def test_editor_imports_projects_of_their_department_only(client, scratch_app, scratch_ws):
    editor = client("editor_env", app=scratch_app)
    other = editor.post("/api/v1/imports", **_upload(_projects_csv("晋中市水利局"), "projects.csv", "projects"))
    assert other.status_code == 403
    with scratch_ws.engine.connect() as conn:
        assert store.read(conn, "project", where={"project_id": "XM91"}).empty
    own = editor.post("/api/v1/imports", **_upload(_projects_csv("晋中市生态环境局"), "projects.csv", "projects"))
    assert own.status_code == 201, own.text
    with scratch_ws.engine.connect() as conn:
        assert store.read(conn, "project", where={"project_id": "XM91"})["department"].tolist() == ["晋中市生态环境局"]


def test_editor_cannot_take_over_another_departments_project_by_import(client, scratch_app, scratch_ws):
    """XM15 belongs to 晋中市水利局: re-importing it under 晋中市生态环境局 is refused, unchanged."""
    upload = _upload(_projects_csv("晋中市生态环境局", "XM15"), "projects.csv", "projects")
    answer = client("editor_env", app=scratch_app).post("/api/v1/imports", **upload)
    assert answer.status_code == 403
    with scratch_ws.engine.connect() as conn:
        assert store.read(conn, "project", where={"project_id": "XM15"})["department"].tolist() == ["晋中市水利局"]
    assert client("admin", app=scratch_app).post("/api/v1/imports", **upload).status_code == 201  # admins may


@pytest.fixture()
def small_app(scratch_ws):
    return create_app(WebSettings(workspace=scratch_ws.root, secret_key="test-secret-of-the-web-tests-0123456789abcdef",
                                  max_upload_bytes=len(GOOD.encode()) - 1))  # fmt: skip


def test_files_above_the_upload_limit_are_413(client, small_app, scratch_ws):
    before = _samples(scratch_ws)
    admin = client("admin", app=small_app)
    assert admin.post("/api/v1/imports", **_upload(GOOD)).status_code == 413
    assert admin.post("/api/v1/imports/validate", **_upload(GOOD)).status_code == 413
    assert _samples(scratch_ws) == before
    assert admin.post("/api/v1/imports/validate", **_upload(GOOD[:-20] + "\n")).status_code != 413


def test_large_declared_length_is_refused_before_reading(client, small_app):
    answer = client("admin", app=small_app).post(
        "/api/v1/imports", content=b"x" * 100_000, headers={"content-type": "multipart/form-data; boundary=b"}
    )
    assert answer.status_code == 413


def test_missing_kind_or_file_is_422(client, scratch_app):
    admin = client("admin", app=scratch_app)
    no_kind = admin.post("/api/v1/imports/validate", files={"file": ("a.csv", io.BytesIO(GOOD.encode()), "text/csv")})
    assert no_kind.status_code == 422 and no_kind.json()["detail"][0]["loc"] == ["body", "kind"]
    no_file = admin.post("/api/v1/imports/validate", data={"kind": "samples"})
    assert no_file.status_code == 422 and no_file.json()["detail"][0]["loc"] == ["body", "file"]
