"""``qingliu user ...``: accounts and roles (用户与角色) on the command line.

The first admin is created here (there is no default account). Whoever runs these commands can
open the workspace database anyway, so they need no sign-in; the audit log names them
``cli:<operating-system login>``.
"""

from __future__ import annotations

import getpass
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from qingliu.cli.output import BAD_INPUT, console, errors, fail_on_bad_input
from qingliu.services import auth
from qingliu.services.workspace import open_workspace

app = typer.Typer(
    name="user",
    help="Users and roles 用户与角色: admin 管理员, editor 编辑 (one department 部门), viewer 查看.",
    no_args_is_help=True,
    rich_markup_mode="rich",
)

WorkspaceArg = Annotated[Path, typer.Argument(help="Workspace folder 工作空间目录.")]
UsernameArg = Annotated[str, typer.Argument(help="User name 用户名 (letters 字母/汉字, digits, _ . @ -).")]
PasswordStdin = Annotated[
    bool, typer.Option("--password-stdin", help="Read the password from the first line of stdin 从标准输入读取密码.")
]


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except OSError:  # no login name (e.g. a container without a passwd entry)
        return "cli"


@contextmanager
def _fail_on_bad_user_input() -> Iterator[None]:
    """Bad workspace, user name, password, role: bilingual message on stderr, exit code 2."""
    with fail_on_bad_input():
        try:
            yield
        except auth.UserError as exc:
            errors.print(str(exc), markup=False, highlight=False)
            raise typer.Exit(BAD_INPUT) from exc


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return typer.prompt("Password 密码", hide_input=True, confirmation_prompt=("Repeat 再次输入密码"))


@app.command("add")
def add(
    ws: WorkspaceArg,
    username: UsernameArg,
    role: Annotated[str, typer.Option(help="Role 角色: admin, editor or viewer.")],
    department: Annotated[
        str | None, typer.Option(help="Department 责任单位 (required for editors), as written in the projects.")
    ] = None,
    display_name: Annotated[str | None, typer.Option(help="Name shown 显示名称, e.g. 张三.")] = None,
    password_stdin: PasswordStdin = False,
) -> None:
    """Add a user 添加用户; the password is asked twice, hidden (or read from stdin)."""
    with _fail_on_bad_user_input():
        engine = open_workspace(ws).engine
        user = auth.create_user(engine, username, _password(password_stdin), role, department, display_name,
                                actor=_actor())  # fmt: skip
        engine.dispose()
    console.print(f"[green]✓[/] 已添加用户 / user added: {user.username} ({user.role})", highlight=False)


@app.command("passwd")
def passwd(ws: WorkspaceArg, username: UsernameArg, password_stdin: PasswordStdin = False) -> None:
    """Set a user's password 修改密码 (e.g. a forgotten admin password)."""
    with _fail_on_bad_user_input():
        engine = open_workspace(ws).engine
        auth.set_password(engine, username, _password(password_stdin), actor=_actor())
        engine.dispose()
    console.print(f"[green]✓[/] 密码已修改 / password changed: {username}", highlight=False)


@app.command("deactivate")
def deactivate(ws: WorkspaceArg, username: UsernameArg) -> None:
    """Deactivate a user 停用用户: no more sign-in; the audit history stays."""
    with _fail_on_bad_user_input():
        engine = open_workspace(ws).engine
        auth.deactivate(engine, username, actor=_actor())
        engine.dispose()
    console.print(f"[green]✓[/] 已停用 / deactivated: {username}", highlight=False)


@app.command("list")
def list_(ws: WorkspaceArg, json_: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False) -> None:
    """List the users 用户列表 (never their passwords)."""
    with _fail_on_bad_user_input():
        engine = open_workspace(ws).engine
        users = auth.list_users(engine)
        engine.dispose()
    records = [
        {**row, "department": row["department"] or None, "display_name": row["display_name"] or None,
         "active": bool(row["active"]), "created": row["created"].isoformat()}
        for row in users.fillna({"department": "", "display_name": ""}).to_dict("records")
    ]  # fmt: skip
    if json_:
        console.print_json(json.dumps(records, ensure_ascii=False))
        return
    table = Table(title="用户 / users")
    for header in ("用户\nuser", "角色\nrole", "部门\ndepartment", "名称\nname", "有效\nactive", "创建(UTC)\ncreated"):
        table.add_column(header, no_wrap=True)
    for r in records:
        table.add_row(r["username"], f"{r['role']} {auth.ROLE_NAMES_ZH[r['role']]}", r["department"] or "",
                      r["display_name"] or "", "是 yes" if r["active"] else "否 no", r["created"][:10])  # fmt: skip
    console.print(table)
