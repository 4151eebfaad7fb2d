"""``qingliu user ...``: add (prompt or stdin), list (table or JSON), passwd, deactivate; exit 2 on bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qingliu.cli.users import app
from qingliu.services import audit, auth
from qingliu.services.workspace import Workspace, create_workspace

runner = CliRunner()
PASSWORD = "correct-horse-42"


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return create_workspace(tmp_path / "ws")


def run(*args: object, input: str | None = None):
    return runner.invoke(app, [str(a) for a in args], input=input)


def test_first_admin_from_a_hidden_prompt_with_confirmation(ws: Workspace) -> None:
    result = run("add", ws.root, "root", "--role", "admin", input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output  # hidden input is not echoed
    assert "user added" in result.output
    assert auth.authenticate(ws.engine, "root", PASSWORD) == auth.User("root", "admin")
    created = audit.recent(ws.engine, filters={"action": "create"}).iloc[0]
    assert created["username"].startswith("cli")


def test_mismatched_confirmation_is_asked_again(ws: Workspace) -> None:
    answers = f"{PASSWORD}\nsomething-else\n{PASSWORD}\n{PASSWORD}\n"
    result = run("add", ws.root, "root", "--role", "admin", input=answers)
    assert result.exit_code == 0, result.output
    assert auth.authenticate(ws.engine, "root", PASSWORD) is not None


def test_editor_from_stdin_and_list_as_json(ws: Workspace) -> None:
    result = run("add", ws.root, "wang", "--role", "editor", "--department", "晋中市水利局", "--display-name", "王工",
                 "--password-stdin", input=f"{PASSWORD}\n")  # fmt: skip
    assert result.exit_code == 0, result.output
    listed = run("list", ws.root, "--json")
    assert listed.exit_code == 0
    (user,) = json.loads(listed.output)
    assert {k: user[k] for k in ("username", "role", "department", "display_name", "active")} == {
        "username": "wang", "role": "editor", "department": "晋中市水利局", "display_name": "王工", "active": True
    }  # fmt: skip
    assert "password" not in listed.output and "argon2" not in listed.output
    table = run("list", ws.root)
    assert table.exit_code == 0
    assert "wang" in table.output and "晋中市水利局" in table.output


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["--role", "editor"], PASSWORD, "must belong to a department"),
        (["--role", "boss"], PASSWORD, "unknown role"),
        (["--role", "viewer"], "short", "at least 10 characters"),
    ],
)
def test_bad_input_exits_2_with_a_bilingual_message(ws: Workspace, args, stdin, message) -> None:
    result = run("add", ws.root, "wang", *args, "--password-stdin", input=f"{stdin}\n")
    assert result.exit_code == 2
    assert message in result.output
    assert any("\u4e00" <= ch <= "\u9fff" for ch in result.output)
    assert auth.list_users(ws.engine).empty


def test_a_folder_that_is_no_workspace_exits_2(tmp_path: Path) -> None:
    result = run("list", tmp_path / "nothing")
    assert result.exit_code == 2
    assert "not a qingliu workspace" in result.output


def test_existing_user_exits_2(ws: Workspace) -> None:
    assert run("add", ws.root, "root", "--role", "admin", "--password-stdin", input=f"{PASSWORD}\n").exit_code == 0
    result = run("add", ws.root, "root", "--role", "viewer", "--password-stdin", input="another-password\n")
    assert result.exit_code == 2
    assert "exists already" in result.output


def test_passwd_and_deactivate(ws: Workspace) -> None:
    run("add", ws.root, "root", "--role", "admin", "--password-stdin", input=f"{PASSWORD}\n")
    run("add", ws.root, "zhao", "--role", "viewer", "--password-stdin", input=f"{PASSWORD}\n")
    assert run("passwd", ws.root, "zhao", "--password-stdin", input="new-password-1\n").exit_code == 0
    assert auth.authenticate(ws.engine, "zhao", "new-password-1") is not None
    assert run("deactivate", ws.root, "zhao").exit_code == 0
    assert auth.authenticate(ws.engine, "zhao", "new-password-1") is None
    refused = run("deactivate", ws.root, "root")
    assert refused.exit_code == 2
    assert "last active admin" in refused.output
    assert run("passwd", ws.root, "ghost", "--password-stdin", input="new-password-1\n").exit_code == 2


def test_help_in_english_and_chinese() -> None:
    result = run("--help")
    assert result.exit_code == 0
    for command in ("add", "list", "passwd", "deactivate"):
        assert command in result.output
    assert "用户" in result.output
