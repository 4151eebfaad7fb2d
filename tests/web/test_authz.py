"""Authorisation on every write endpoint: anonymous 401, viewer 403, missing CSRF token 403,
editor of another department 403 (projects), administrators only (users) — and nothing written.

"Nothing written" is checked on everything a write could touch: the row count of every table
of the store, the full content of the small tables that edits change in place (projects,
progress reports, accounts, audit log) and the files of the reports folder.
"""

from __future__ import annotations

import io
from typing import Any

import pytest

from qingliu import store
from qingliu.services.workspace import Workspace

EEB = "晋中市生态环境局"
SAMPLES = "section_id,time,parameter,value\nS01,2026-01-10,cod,12.5\n"
NEW_PROJECT = {
    "project_id": "XM95", "name": "测试项目", "category": "water_ecology", "county_id": "140702", "department": EEB,
    "start": "2026-03-01", "end": "2027-06-30", "investment_1e4yuan": 100.0, "status": "planned", "progress_pct": 0.0,
}  # fmt: skip


def _upload(kind: str = "samples") -> dict[str, Any]:
    return {"data": {"kind": kind}, "files": {"file": ("s.csv", io.BytesIO(SAMPLES.encode()), "text/csv")}}


# (name, method, path, request arguments, concerns a project of 晋中市生态环境局)
WRITES = [
    ("create project", "POST", "/api/v1/projects", lambda: {"json": NEW_PROJECT}, True),
    ("update project", "PATCH", "/api/v1/projects/XM03", lambda: {"json": {"progress_pct": 99}}, True),
    ("report progress", "POST", "/api/v1/projects/XM03/progress",
     lambda: {"json": {"date": "2026-01-31", "progress_pct": 90}}, True),
    ("validate import", "POST", "/api/v1/imports/validate", _upload, False),
    ("import", "POST", "/api/v1/imports", _upload, False),
    ("generate report", "POST", "/api/v1/reports", lambda: {"json": {"year": 2025, "formats": ["html"]}}, False),
    ("create user", "POST", "/api/v1/users",
     lambda: {"json": {"username": "mallory", "password": "Qingliu-2025-xyz", "role": "admin"}}, False),
]  # fmt: skip
IDS = [w[0] for w in WRITES]
ADMIN_ONLY = {"create user"}
SMALL_TABLES = ("project", store.PROGRESS_TABLE, store.USER_TABLE, store.AUDIT_TABLE)


def fingerprint(ws: Workspace) -> dict[str, Any]:
    with ws.engine.connect() as conn:
        state: dict[str, Any] = {f"rows:{name}": store.count(conn, name) for name in store.metadata.tables}
        for name in SMALL_TABLES:
            frame = store.read(conn, name)
            state[name] = frame.astype(object).where(frame.notna(), None).to_dict("list")  # NaN != NaN
    folder = ws.root / "reports"
    state["reports"] = sorted(p.name for p in folder.iterdir()) if folder.exists() else []
    return state


def _send(client, write) -> Any:
    _, method, path, arguments, _ = write
    return client.request(method, path, **arguments())


def _refused(web_ws, client, write, status: int, detail: str | None = None) -> None:
    before = fingerprint(web_ws)
    answer = _send(client, write)
    assert answer.status_code == status, answer.text
    if detail:
        assert detail in answer.json()["detail"]
    assert fingerprint(web_ws) == before


@pytest.mark.parametrize("write", WRITES, ids=IDS)
def test_anonymous_is_401(web_ws, client, write):
    _refused(web_ws, client(), write, 401, "请先登录 / please sign in")


@pytest.mark.parametrize("write", WRITES, ids=IDS)
def test_viewer_is_403(web_ws, client, write):
    _refused(web_ws, client("viewer"), write, 403)


@pytest.mark.parametrize("write", WRITES, ids=IDS)
def test_missing_csrf_token_is_403(web_ws, client, write):
    _refused(web_ws, client("admin", csrf=False), write, 403, "CSRF")


@pytest.mark.parametrize("write", WRITES, ids=IDS)
def test_wrong_csrf_token_is_403(web_ws, client, write):
    wrong = client("admin", csrf=False)
    wrong.headers["X-CSRF-Token"] = "not-the-session-token"
    _refused(web_ws, wrong, write, 403, "CSRF")


@pytest.mark.parametrize("write", [w for w in WRITES if w[4]], ids=[w[0] for w in WRITES if w[4]])
def test_editor_of_another_department_is_403(web_ws, client, write):
    """editor_water (晋中市水利局) on projects of 晋中市生态环境局; the reason names both departments."""
    editor = client("editor_water")  # signed in (an audited login) before the fingerprint
    before = fingerprint(web_ws)
    answer = _send(editor, write)
    assert answer.status_code == 403
    assert EEB in answer.json()["detail"] and "晋中市水利局" in answer.json()["detail"]
    assert fingerprint(web_ws) == before


def test_editor_cannot_hand_a_project_to_another_department(web_ws, client):
    write = ("move", "PATCH", "/api/v1/projects/XM03", lambda: {"json": {"department": "晋中市水利局"}}, True)
    _refused(web_ws, client("editor_env"), write, 403)


@pytest.mark.parametrize("write", [w for w in WRITES if w[0] in ADMIN_ONLY], ids=sorted(ADMIN_ONLY))
def test_editors_cannot_manage_accounts(web_ws, client, write):
    _refused(web_ws, client("editor_env"), write, 403)


def test_form_posts_may_carry_the_token_as_a_field(web_ws, client):
    """The pages' forms send csrf_token as a form field instead of the header; a wrong one is refused."""
    admin = client("admin", csrf=False)
    arguments = _upload()
    arguments["data"] = {**arguments["data"], "csrf_token": "not-the-session-token"}
    before = fingerprint(web_ws)
    assert admin.post("/api/v1/imports/validate", **arguments).status_code == 403
    assert fingerprint(web_ws) == before


@pytest.mark.parametrize("write", WRITES, ids=IDS)
def test_the_fingerprint_sees_an_allowed_write(scratch_ws, scratch_app, client, write):
    """Control: the same requests by an admin do change the fingerprint (validation alone writes nothing)."""
    admin = client("admin", app=scratch_app)
    before = fingerprint(scratch_ws)
    answer = _send(admin, write)
    assert answer.status_code in (200, 201), answer.text
    assert (fingerprint(scratch_ws) == before) == (write[0] == "validate import")
