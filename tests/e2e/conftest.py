"""End-to-end fixtures: the app served by uvicorn on 127.0.0.1 and Debian's chromium driven by Playwright.

Playwright cannot download browsers here: it launches ``/usr/bin/chromium`` (``.ci/run``
installs it). Without chromium the browser tests are skipped, except in CI, where they fail.
The server runs in a background thread on a free port, on a workspace of its own built from
the bundled example with one account per role (:data:`USERS`).
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import uvicorn

from qingliu.services.auth import create_user
from qingliu.services.examples import load_example
from qingliu.services.workspace import Workspace, create_workspace
from qingliu.web.app import create_app
from qingliu.web.settings import WebSettings

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
SERVER_START_S = 30.0


@dataclass(frozen=True)
class Account:
    role: str
    department: str | None
    password: str


USERS = {
    "admin": Account("admin", None, "Adm1n-e2e-清流"),
    "editor_env": Account("editor", "晋中市生态环境局", "Env-editor-e2e-2025"),  # XM03, XM17 (projects.csv)
    "editor_water": Account("editor", "晋中市水利局", "Water-editor-e2e-2025"),  # XM14, XM15, ...
    "viewer": Account("viewer", None, "Reader-e2e-2025"),
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def e2e_ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    ws = create_workspace(tmp_path_factory.mktemp("e2e") / "ws", example="jinzhong")
    load_example(ws, "jinzhong")
    for name, account in USERS.items():
        create_user(ws.engine, name, account.password, account.role, account.department)
    return ws


@pytest.fixture(scope="session")
def live_server(e2e_ws: Workspace) -> Iterator[str]:
    """The base URL of the app, served by uvicorn in a background thread."""
    app = create_app(WebSettings(workspace=e2e_ws.root, secret_key="e2e-secret-key-0123456789abcdefghijklmnop"))
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + SERVER_START_S
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator:
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium for the browser tests")
        pytest.skip(f"no chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture()
def page(browser, live_server: str) -> Iterator:
    """A fresh browser context (no cookies) and page; console errors fail the test."""
    context = browser.new_context(base_url=live_server, viewport={"width": 1360, "height": 900}, locale="zh-CN")
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    yield tab
    context.close()
    assert not errors, f"JavaScript errors: {errors}"


@pytest.fixture()
def sign_in(page):
    """``sign_in(username)``: sign the page in through the login form, as a person would."""

    def fill_in(username: str) -> None:
        page.goto("/login")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", USERS[username].password)
        page.click("form[action='/login'] button[type=submit]")
        page.wait_for_url(lambda url: "/login" not in url)

    return fill_in
