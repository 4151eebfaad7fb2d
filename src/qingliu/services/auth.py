"""Users and roles (用户与角色): accounts, password hashes, sign-in and permissions.

Roles (DESIGN.md §6):

- ``admin`` 管理员: every write, and the accounts;
- ``editor`` 编辑: bound to one department (责任单位, as written in ``project.department``):
  creates and edits that department's projects and progress reports only, and imports data
  files (:func:`can_import`);
- ``viewer`` 查看: reads only.

There is no default account and no default password: the first admin is created on the
command line (``qingliu user add WS NAME --role admin``). Passwords are hashed with Argon2id
(argon2-cffi) at the parameters of RFC 9106 §4, "second recommended option" (64 MiB, 3 passes,
4 lanes: ``argon2.profiles.RFC_9106_LOW_MEMORY``), with a random salt per hash. Accounts are
deactivated, never deleted, so the audit log keeps naming real accounts. Every change of an
account and every sign-in, failed or not, is written to the audit log (:mod:`.audit`);
password hashes never are.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import pandas as pd
from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import IntegrityError

from qingliu.io import KINDS
from qingliu.services import audit
from qingliu.store.repository import fetch_one, insert, read, upsert
from qingliu.store.schema import ID_LENGTH, USER_TABLE

ROLES = ("admin", "editor", "viewer")
WRITER_ROLES = ("admin", "editor")
"""Roles that may write (editors within their department); viewers only read."""
ROLE_NAMES_ZH = {"admin": "管理员", "editor": "编辑", "viewer": "查看"}

MIN_PASSWORD_LENGTH = 10
"""Shortest password accepted (characters): the project's rule (issue 4), not a standard's."""

MIN_NAME_IN_PASSWORD = 4
"""User names this long or longer must not appear in the password (shorter ones, e.g. ``li``,
would refuse many good passwords by chance)."""

SYSTEM_ACTOR = "system"
"""Audit name of changes made without a signed-in account (the command line passes ``cli:<login>``)."""

USERNAME = re.compile(rf"[\w.@-]{{1,{ID_LENGTH}}}")
"""Allowed user names: letters (Chinese too), digits, ``_ . @ -``; at most ``ID_LENGTH`` characters."""

HASHER = PasswordHasher.from_parameters(profiles.RFC_9106_LOW_MEMORY)

PUBLIC_COLUMNS = ("username", "role", "department", "display_name", "active", "created")
"""Columns of ``app_user`` that leave this module (never the hash)."""


class BilingualError(Exception):
    """An error whose message is given in Simplified Chinese and in English.

    Parameters
    ----------
    zh, en : the message in each language; ``str()`` shows ``"zh / en"``.
    """

    def __init__(self, zh: str, en: str) -> None:
        self.zh = zh
        self.en = en
        super().__init__(f"{zh} / {en}")


class UserError(BilingualError, ValueError):
    """A bad user name, password, role or department, or an unknown or existing account."""


class PermissionDenied(BilingualError, PermissionError):
    """The user's role or department does not allow this write; nothing was written."""


@dataclass(frozen=True)
class User:
    """A signed-in (or looked-up) account, without its password hash."""

    username: str
    role: str
    department: str | None = None
    display_name: str | None = None
    active: bool = True

    @property
    def label(self) -> str:
        """The display name if there is one, else the user name."""
        return self.display_name or self.username


def _text(value: Any) -> str | None:
    return None if value is None or pd.isna(value) or value == "" else str(value)


def _user(row: Mapping[str, Any]) -> User:
    return User(
        username=str(row["username"]),
        role=str(row["role"]),
        department=_text(row["department"]),
        display_name=_text(row["display_name"]),
        active=bool(row["active"]),
    )


def _public(user: User) -> dict[str, Any]:
    return {"username": user.username, "role": user.role, "department": user.department,
            "display_name": user.display_name, "active": user.active}  # fmt: skip


def _row(conn: Connection, username: str) -> pd.DataFrame:
    return read(conn, USER_TABLE, where={"username": username})


def _existing(conn: Connection, username: str) -> pd.DataFrame:
    rows = _row(conn, username)
    if rows.empty:
        raise UserError(f"用户 {username!r} 不存在", f"no user {username!r}")
    return rows


def _check_username(username: str) -> str:
    if not isinstance(username, str) or not USERNAME.fullmatch(username):
        raise UserError(
            f"用户名 {username!r} 无效：只能由字母、汉字、数字和 _ . @ - 组成，最长 {ID_LENGTH} 个字符",
            f"invalid user name {username!r}: use letters, digits and _ . @ - only, at most {ID_LENGTH} characters",
        )
    return username


def _check_password(password: str, username: str) -> None:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(
            f"密码过短：至少需要 {MIN_PASSWORD_LENGTH} 个字符",
            f"password too short: at least {MIN_PASSWORD_LENGTH} characters are required",
        )
    if len(username) >= MIN_NAME_IN_PASSWORD and username.casefold() in password.casefold():
        raise UserError("密码不能包含用户名", "the password must not contain the user name")


def _check_role(role: str, department: str | None) -> str | None:
    if role not in ROLES:
        choices = "、".join(f"{r}({ROLE_NAMES_ZH[r]})" for r in ROLES)
        raise UserError(f"未知角色 {role!r}，可选：{choices}", f"unknown role {role!r}; use one of: {', '.join(ROLES)}")
    department = _text(department.strip() if isinstance(department, str) else department)
    if role == "editor" and department is None:
        raise UserError("编辑角色必须指定所属部门（--department）",
                        "an editor must belong to a department (--department)")  # fmt: skip
    return department


def create_user(
    engine: Engine,
    username: str,
    password: str,
    role: str,
    department: str | None = None,
    display_name: str | None = None,
    *,
    actor: str = SYSTEM_ACTOR,
) -> User:
    """Create an account.

    Parameters
    ----------
    engine : the workspace database.
    username : see :data:`USERNAME`; case-sensitive.
    password : at least :data:`MIN_PASSWORD_LENGTH` characters, not containing the user name
        (see :data:`MIN_NAME_IN_PASSWORD`).
    role : one of :data:`ROLES`.
    department : the 责任单位 an editor is bound to (required for editors; compared exactly
        with ``project.department``); recorded but without effect for the other roles.
    display_name : the name shown on pages and reports, e.g. 张三.
    actor : who creates it, for the audit log.

    Returns
    -------
    The new, active user.

    Raises
    ------
    UserError
        Bad user name, weak password, unknown role, editor without department, existing user.
    """
    _check_username(username)
    _check_password(password, username)
    department = _check_role(role, department)
    user = User(username, role, department, _text(display_name))
    with engine.begin() as conn:
        try:
            insert(conn, USER_TABLE, {**_public(user), "password_hash": HASHER.hash(password),
                                      "created": audit.utc_now()})  # fmt: skip
        except IntegrityError as exc:
            raise UserError(f"用户 {username!r} 已存在", f"user {username!r} exists already") from exc
        audit.record(conn, username=actor, action="create", table=USER_TABLE, key=username, after=_public(user))
    return user


@cache
def _decoy_hash() -> str:
    return HASHER.hash(secrets.token_urlsafe(32))


def authenticate(engine: Engine, username: str, password: str) -> User | None:
    """Check a sign-in; record it in the audit log (``login`` or ``login_failed``).

    An unknown user name costs one Argon2 verification like a known one (against a decoy
    hash), so the time taken does not tell which names exist. A hash made with older
    parameters is replaced by one at the current parameters on success.

    Parameters
    ----------
    engine : the workspace database.
    username, password : as typed.

    Returns
    -------
    The user, or None for an unknown user, a wrong password or a deactivated account (the
    reason is in the audit row's ``detail``, not in the answer).
    """
    with engine.begin() as conn:
        rows = _row(conn, username) if isinstance(username, str) and USERNAME.fullmatch(username) else None
        known = rows is not None and not rows.empty
        stored = str(rows.at[0, "password_hash"]) if known else _decoy_hash()
        try:
            matches = HASHER.verify(stored, password if isinstance(password, str) else "")
        except (VerificationError, InvalidHashError):
            matches = False
        if not (known and matches and bool(rows.at[0, "active"])):
            reason = "unknown user" if not known else "wrong password" if not matches else "account deactivated"
            name = str(username)[:ID_LENGTH]
            audit.record(conn, username=name, action="login_failed", table=USER_TABLE, key=name, detail=reason)
            return None
        if HASHER.check_needs_rehash(stored):
            upsert(conn, USER_TABLE, rows.assign(password_hash=HASHER.hash(password)))
        audit.record(conn, username=username, action="login", table=None, key=None)
        return _user(rows.iloc[0])


def get_user(engine: Engine, username: str) -> User | None:
    """The account named ``username`` (active or not: check :attr:`User.active`), or None."""
    with engine.connect() as conn:
        row = fetch_one(conn, USER_TABLE, {"username": username})
    return None if row is None else _user(row)


def list_users(engine: Engine) -> pd.DataFrame:
    """Every account, sorted by user name: the columns of :data:`PUBLIC_COLUMNS` (``created`` in UTC)."""
    with engine.connect() as conn:
        return read(conn, USER_TABLE, columns=PUBLIC_COLUMNS)


def set_password(engine: Engine, username: str, password: str, *, actor: str = SYSTEM_ACTOR) -> None:
    """Replace a user's password (same rules as :func:`create_user`); the audit row holds no hash.

    Raises
    ------
    UserError
        Unknown user or weak password.
    """
    _check_password(password, username)
    with engine.begin() as conn:
        rows = _existing(conn, username)
        upsert(conn, USER_TABLE, rows.assign(password_hash=HASHER.hash(password)))
        audit.record(conn, username=actor, action="update", table=USER_TABLE, key=username,
                     detail="password changed / 密码已修改")  # fmt: skip


def deactivate(engine: Engine, username: str, *, actor: str = SYSTEM_ACTOR) -> None:
    """Deactivate an account: it can no longer sign in; its audit history stays.

    Raises
    ------
    UserError
        Unknown user, or the last active admin (the workspace would be left without one).
    """
    with engine.begin() as conn:
        rows = _existing(conn, username)
        before = _user(rows.iloc[0])
        if not before.active:
            return
        if before.role == "admin":
            admins = read(conn, USER_TABLE, where={"role": "admin", "active": True}, columns=["username"])
            if len(admins) <= 1:
                raise UserError("不能停用最后一个有效的管理员账号",
                                "cannot deactivate the last active admin")  # fmt: skip
        upsert(conn, USER_TABLE, rows.assign(active=False))
        after = User(before.username, before.role, before.department, before.display_name, active=False)
        audit.record(conn, username=actor, action="update", table=USER_TABLE, key=username,
                     before=_public(before), after=_public(after))  # fmt: skip


def can_edit_project(user: User | None, project: Mapping[str, Any]) -> bool:
    """May ``user`` create or edit this project (and report its progress)?

    Admins may edit every project; editors those whose ``department`` equals theirs exactly;
    viewers, deactivated accounts and no user (None) none.

    Parameters
    ----------
    user : the signed-in user, or None.
    project : the project's values (a mapping or row with ``department``); for an edit that
        changes the department, callers check the project before and after.
    """
    if user is None or not user.active:
        return False
    if user.role == "admin":
        return True
    return user.role == "editor" and user.department is not None and project.get("department") == user.department


def can_import(user: User | None, kind: str, departments: Iterable[str] | None = None) -> bool:
    """May ``user`` import files of ``kind`` (``qingliu import``, the web upload)?

    Admins may import every kind. Editors may too: data files (samples, flows, sources, ...)
    are their department's monitoring and survey data, and a file carries no owner to check,
    so an editor's import is not limited by rows but recorded in the audit log under their
    name. Project files are the exception, as projects do name their department: an editor
    may import them only when the ``departments`` of the file's rows are given and all theirs.
    Viewers, deactivated accounts and no user may not.

    Parameters
    ----------
    user : the signed-in user, or None.
    kind : a key of :data:`qingliu.io.KINDS`.
    departments : for ``projects``, the departments named by the rows to import.

    Raises
    ------
    ValueError
        Unknown ``kind``.
    """
    if kind not in KINDS:
        raise ValueError(f"未知的数据类型 {kind!r}，可选：{', '.join(KINDS)} / unknown data kind {kind!r}")
    if user is None or not user.active:
        return False
    if user.role == "admin":
        return True
    if user.role != "editor":
        return False
    if kind == "projects":
        return departments is not None and all(d == user.department for d in departments)
    return True


def can_manage_users(user: User | None) -> bool:
    """May ``user`` create, change or deactivate accounts? Active admins only."""
    return user is not None and user.active and user.role == "admin"
