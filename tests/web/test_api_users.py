"""Accounts and the audit log, for administrators."""

from __future__ import annotations

from fastapi.testclient import TestClient

from qingliu.web.security import CSRF_HEADER


def test_admin_lists_every_account_without_hashes(client, web_users):
    body = client("admin").get("/api/v1/users").json()
    assert body["count"] == len(web_users) == 4
    assert {u["username"]: (u["role"], u["department"]) for u in body["data"]} == {
        name: (a.role, a.department) for name, a in web_users.items()
    }
    assert all(set(u) == {"username", "role", "department", "display_name", "active"} for u in body["data"])


def test_admin_creates_an_editor_who_can_sign_in(client, scratch_app):
    new = {"username": "li_si", "password": "Qingliu-2025-li", "role": "editor", "department": "晋中市水利局",
           "display_name": "李四"}  # fmt: skip
    answer = client("admin", app=scratch_app).post("/api/v1/users", json=new)
    assert answer.status_code == 201, answer.text
    assert answer.json() == {"username": "li_si", "role": "editor", "department": "晋中市水利局", "display_name": "李四",
                             "active": True}  # fmt: skip
    fresh = TestClient(scratch_app)
    token = fresh.get("/api/v1/auth/csrf").json()["csrf_token"]
    login = fresh.post("/api/v1/auth/login", json={"username": "li_si", "password": "Qingliu-2025-li"},
                       headers={CSRF_HEADER: token})  # fmt: skip
    assert login.status_code == 200
    entry = client("admin", app=scratch_app).get("/api/v1/audit", params={"table": "app_user", "key": "li_si"}).json()
    assert entry["data"][0]["username"] == "admin" and entry["data"][0]["after"]["department"] == "晋中市水利局"
    assert "password" not in str(entry["data"][0]["after"]).lower()


def test_bad_accounts_are_422_in_both_languages(client, scratch_app):
    admin = client("admin", app=scratch_app)
    no_department = admin.post("/api/v1/users", json={"username": "wang", "password": "Qingliu-2025-xyz!",
                                                      "role": "editor"})  # fmt: skip
    assert no_department.status_code == 422
    assert "部门" in no_department.json()["detail"][0]["zh"] and "department" in no_department.json()["detail"][0]["en"]
    short = admin.post("/api/v1/users", json={"username": "zhao", "password": "short", "role": "viewer"})
    assert short.status_code == 422
    existing = admin.post(
        "/api/v1/users", json={"username": "viewer", "password": "Qingliu-2025-xyz", "role": "viewer"}
    )
    assert existing.status_code == 422
    assert admin.post("/api/v1/users", json={"username": "x1", "password": "Qingliu-2025-xyz",
                                             "role": "root"}).status_code == 422  # fmt: skip


def test_audit_log_shows_a_change_before_and_after(client, scratch_app):
    client("editor_env", app=scratch_app).patch("/api/v1/projects/XM03", json={"progress_pct": 80})
    body = client("admin", app=scratch_app).get("/api/v1/audit", params={"table": "project", "action": "update"}).json()
    entry = body["data"][0]
    assert (entry["username"], entry["record_key"]) == ("editor_env", "XM03")
    assert entry["before"] == {"progress_pct": 72.5} and entry["after"] == {"progress_pct": 80.0}  # projects.csv: 72.5


def test_audit_limit_and_refusals(client):
    assert client("admin").get("/api/v1/audit", params={"limit": 2}).json()["count"] <= 2
    assert client("admin").get("/api/v1/audit", params={"limit": 0}).status_code == 422
    for user in ("viewer", "editor_env"):
        assert client(user).get("/api/v1/audit").status_code == 403
        assert client(user).get("/api/v1/users").status_code == 403
