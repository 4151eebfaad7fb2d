"""Signing in through the API: CSRF-protected login, session cookie flags, rate limit, logout."""

from __future__ import annotations

from fastapi.testclient import TestClient

from qingliu.services import audit
from qingliu.web.security import CSRF_HEADER

LOGIN = "/api/v1/auth/login"


def _token(client: TestClient) -> str:
    return client.get("/api/v1/auth/csrf").json()["csrf_token"]


def test_login_answers_user_and_a_fresh_csrf_token(app, web_users):
    client = TestClient(app)
    before = _token(client)
    answer = client.post(LOGIN, json={"username": "editor_env", "password": web_users["editor_env"].password},
                         headers={CSRF_HEADER: before})  # fmt: skip
    assert answer.status_code == 200
    body = answer.json()
    assert body["user"] == {"username": "editor_env", "role": "editor", "department": "晋中市生态环境局",
                            "display_name": None, "active": True}  # fmt: skip
    assert body["csrf_token"] != before  # a new session on sign-in
    assert client.get("/api/v1/auth/me").json()["user"]["username"] == "editor_env"


def test_session_cookie_is_httponly_and_samesite(app, web_users):
    client = TestClient(app)
    answer = client.post(LOGIN, json={"username": "viewer", "password": web_users["viewer"].password},
                         headers={CSRF_HEADER: _token(client)})  # fmt: skip
    cookie = answer.headers["set-cookie"].lower()
    assert "qingliu_session=" in cookie and "httponly" in cookie and "samesite=lax" in cookie


def test_login_without_csrf_token_is_refused(app, web_users):
    client = TestClient(app)
    _token(client)
    answer = client.post(LOGIN, json={"username": "admin", "password": web_users["admin"].password})
    assert answer.status_code == 403
    assert "CSRF" in answer.json()["detail"]
    assert client.get("/api/v1/auth/me").status_code == 401


def test_wrong_password_is_401_and_audited(scratch_app, scratch_ws):
    client = TestClient(scratch_app)
    answer = client.post(LOGIN, json={"username": "admin", "password": "not-the-password"},
                         headers={CSRF_HEADER: _token(client)})  # fmt: skip
    assert answer.status_code == 401
    assert answer.json()["detail"] == "用户名或密码错误 / wrong user name or password"
    failed = audit.recent(scratch_ws.engine, 5, {"action": "login_failed", "username": "admin"})
    assert failed["detail"].tolist() == ["wrong password"]


def test_login_rate_limit_blocks_even_the_right_password(scratch_app, web_users):
    """WebSettings.login_attempts (5) failures within the window block the name at this address."""
    client = TestClient(scratch_app)
    headers = {CSRF_HEADER: _token(client)}
    attempts = scratch_app.state.context.settings.login_attempts
    codes = [client.post(LOGIN, json={"username": "viewer", "password": f"wrong-{i}"}, headers=headers).status_code
             for i in range(attempts)]  # fmt: skip
    assert codes == [401] * attempts
    right = client.post(LOGIN, json={"username": "viewer", "password": web_users["viewer"].password}, headers=headers)
    assert right.status_code == 429
    other = client.post(LOGIN, json={"username": "admin", "password": web_users["admin"].password}, headers=headers)
    assert other.status_code == 200  # another account is not blocked


def test_me_is_401_when_anonymous(client):
    answer = client().get("/api/v1/auth/me")
    assert answer.status_code == 401
    assert answer.json()["detail"] == "请先登录 / please sign in"


def test_logout_ends_the_session(app, web_users):
    client = TestClient(app)
    answer = client.post(LOGIN, json={"username": "viewer", "password": web_users["viewer"].password},
                         headers={CSRF_HEADER: _token(client)})  # fmt: skip
    token = answer.json()["csrf_token"]
    assert client.post("/api/v1/auth/logout", headers={CSRF_HEADER: token}).status_code == 204
    assert client.get("/api/v1/auth/me").status_code == 401
    assert client.get("/api/v1/tables").status_code == 401


def test_every_data_endpoint_needs_a_signed_in_user(client):
    anonymous = client()
    for url in ("/api/v1/tables", "/api/v1/tables/section", "/api/v1/results/overview", "/api/v1/projects",
                "/api/v1/reports", "/api/v1/users", "/api/v1/audit"):  # fmt: skip
        assert anonymous.get(url).status_code == 401, url
