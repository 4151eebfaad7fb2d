"""Shared fixtures of the web tests: a demo workspace with one account per role, apps, clients.

- ``web_ws`` (session): the Jinzhong example with the accounts of :data:`USERS`; read-only
  for tests (write through ``scratch_app``).
- ``web_users``: user name -> :class:`Account` (role, department, password).
- ``app`` (session): the app on ``web_ws``.
- ``scratch_app``: an app on a private copy of ``web_ws`` (own database, own login limiter),
  for tests that write.
- ``client(user=None, *, app=None, csrf=True)``: a ``TestClient`` signed in as ``user``
  (anonymous for None) whose requests carry the session's CSRF token in ``X-CSRF-Token``
  (left out with ``csrf=False``). Each user signs in once per test session through the API;
  the signed session cookie is reused by every app, as they share one secret key.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from qingliu.services.auth import create_user
from qingliu.services.examples import load_example
from qingliu.services.workspace import DEFAULT_DB_FILE, SETTINGS_FILE, Workspace, create_workspace, open_workspace
from qingliu.web.app import create_app
from qingliu.web.security import CSRF_HEADER
from qingliu.web.settings import WebSettings

SECRET = "test-secret-of-the-web-tests-0123456789abcdef"
SESSION_COOKIE = "qingliu_session"
EEB = "晋中市生态环境局"
"""Department of ``editor_env``: responsible for XM03 and XM17 of the example (projects.csv)."""
WRB = "晋中市水利局"
"""Department of ``editor_water``: responsible for six projects of the example, e.g. XM15 (ongoing)."""


@dataclass(frozen=True)
class Account:
    role: str
    department: str | None
    password: str


USERS = {
    "admin": Account("admin", None, "Adm1n-清流-pass"),
    "editor_env": Account("editor", EEB, "Env-editor-2025"),
    "editor_water": Account("editor", WRB, "Water-editor-2025"),
    "viewer": Account("viewer", None, "Read-only-清流-2025"),
}


@pytest.fixture(scope="session")
def web_users() -> dict[str, Account]:
    return USERS


@pytest.fixture(scope="session")
def web_ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """The Jinzhong example with one account per role (see :data:`USERS`)."""
    ws = create_workspace(tmp_path_factory.mktemp("web") / "ws", example="jinzhong")
    load_example(ws, "jinzhong")
    for name, account in USERS.items():
        create_user(ws.engine, name, account.password, account.role, account.department)
    return ws


def _settings(ws: Workspace) -> WebSettings:
    return WebSettings(workspace=ws.root, secret_key=SECRET)


@pytest.fixture(scope="session")
def app(web_ws: Workspace) -> FastAPI:
    return create_app(_settings(web_ws))


def copy_workspace(ws: Workspace, root: Path) -> Workspace:
    """A copy of an SQLite workspace in ``root`` (SQLite's backup API: consistent under WAL)."""
    root.mkdir(parents=True)
    shutil.copy(ws.root / SETTINGS_FILE, root / SETTINGS_FILE)
    source, target = sqlite3.connect(ws.root / DEFAULT_DB_FILE), sqlite3.connect(root / DEFAULT_DB_FILE)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()
    return open_workspace(root)


@pytest.fixture()
def scratch_ws(web_ws: Workspace, tmp_path: Path) -> Workspace:
    return copy_workspace(web_ws, tmp_path / "ws")


@pytest.fixture()
def scratch_app(scratch_ws: Workspace) -> Iterator[FastAPI]:
    app = create_app(_settings(scratch_ws))
    yield app
    scratch_ws.engine.dispose()


@pytest.fixture(scope="session")
def _sessions(app: FastAPI) -> dict[str, tuple[str, str]]:
    """User name -> (session cookie, CSRF token), filled on each user's first sign-in."""
    return {}


def sign_in(client: TestClient, username: str, password: str):
    """Sign in through the API: fetch a CSRF token, then POST the credentials with it."""
    token = client.get("/api/v1/auth/csrf").json()["csrf_token"]
    return client.post("/api/v1/auth/login", json={"username": username, "password": password},
                       headers={CSRF_HEADER: token})  # fmt: skip


@pytest.fixture()
def client(app: FastAPI, _sessions: dict[str, tuple[str, str]]) -> Iterator[Callable[..., TestClient]]:
    """Factory: ``client(user=None, *, app=None, csrf=True)`` -> a signed-in TestClient."""
    opened: list[TestClient] = []

    def make(user: str | None = None, *, app: FastAPI | None = None, csrf: bool = True) -> TestClient:
        test_client = TestClient(app or default_app)
        opened.append(test_client)
        if user is None:
            token = test_client.get("/api/v1/auth/csrf").json()["csrf_token"]
        else:
            if user not in _sessions:
                answer = sign_in(TestClient(default_app), user, USERS[user].password)
                assert answer.status_code == 200, answer.text
                _sessions[user] = (answer.cookies[SESSION_COOKIE], answer.json()["csrf_token"])
            cookie, token = _sessions[user]
            test_client.cookies.set(SESSION_COOKIE, cookie)
        if csrf:
            test_client.headers[CSRF_HEADER] = token
        return test_client

    default_app = app
    yield make
    for test_client in opened:
        test_client.close()
