"""Users and roles: accounts, Argon2 hashes, sign-in, audit of account changes, permissions.

Run on SQLite and PostgreSQL (``db_url`` of tests/conftest.py).
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher, profiles

from qingliu.services import audit, auth
from qingliu.services.auth import PermissionDenied, User, UserError
from qingliu.store import connect, migrate, read, upsert
from qingliu.store.schema import USER_TABLE

GOOD = "correct-horse-42"  # 16 characters
DEPT = "晋中市水利局"


@pytest.fixture
def engine(db_url: str) -> Iterator[sa.Engine]:
    engine = connect(db_url)
    migrate(engine)
    yield engine
    engine.dispose()


def stored_hash(engine: sa.Engine, username: str) -> str:
    with engine.connect() as conn:
        return read(conn, USER_TABLE, where={"username": username}).at[0, "password_hash"]


def test_create_and_sign_in(engine: sa.Engine) -> None:
    created = auth.create_user(engine, "wang", GOOD, "editor", department=DEPT, display_name="王工")
    assert created == User("wang", "editor", DEPT, "王工")
    assert auth.authenticate(engine, "wang", GOOD) == created
    assert auth.get_user(engine, "wang") == created
    assert auth.get_user(engine, "nobody") is None


def test_password_is_stored_as_a_salted_argon2id_hash(engine: sa.Engine) -> None:
    auth.create_user(engine, "a1", GOOD, "viewer")
    auth.create_user(engine, "a2", GOOD, "viewer")
    first, second = stored_hash(engine, "a1"), stored_hash(engine, "a2")
    assert first.startswith("$argon2id$v=19$m=65536,t=3,p=4$")  # RFC 9106 second recommended option
    assert GOOD not in first
    assert first != second  # a random salt per hash


def test_failed_sign_ins_return_none_and_are_audited(engine: sa.Engine) -> None:
    auth.create_user(engine, "wang", GOOD, "admin")
    auth.create_user(engine, "li_si", GOOD, "viewer")
    auth.deactivate(engine, "li_si")
    assert auth.authenticate(engine, "wang", "wrong-password") is None
    assert auth.authenticate(engine, "ghost", GOOD) is None
    assert auth.authenticate(engine, "li_si", GOOD) is None
    failed = audit.recent(engine, filters={"action": "login_failed"})
    assert failed["username"].tolist() == ["li_si", "ghost", "wang"]
    assert failed["detail"].tolist() == ["account deactivated", "unknown user", "wrong password"]
    assert auth.authenticate(engine, "wang", GOOD) is not None
    assert audit.recent(engine, 1)["action"].tolist() == ["login"]


@pytest.mark.parametrize(
    ("username", "password", "role", "department", "message"),
    [
        ("wang", "nine-char", "viewer", None, "at least 10 characters"),
        ("wang", "zhang-wang-2024", "viewer", None, "must not contain the user name"),
        ("wang", GOOD, "editor", None, "must belong to a department"),
        ("wang", GOOD, "editor", "  ", "must belong to a department"),
        ("wang", GOOD, "boss", None, "unknown role"),
        ("bad name", GOOD, "viewer", None, "invalid user name"),
        ("", GOOD, "viewer", None, "invalid user name"),
    ],
)
def test_bad_accounts_are_refused_in_both_languages(engine: sa.Engine, username, password, role, department, message):
    with pytest.raises(UserError, match=message) as info:
        auth.create_user(engine, username, password, role, department=department)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in info.value.zh)
    assert auth.list_users(engine).empty
    assert audit.recent(engine).empty


def test_ten_characters_are_enough_and_short_names_may_appear_in_passwords(engine: sa.Engine) -> None:
    auth.create_user(engine, "li", "li-is-here", "viewer")  # exactly 10; "li" is shorter than 4
    assert auth.authenticate(engine, "li", "li-is-here") is not None


def test_an_existing_user_is_not_overwritten(engine: sa.Engine) -> None:
    auth.create_user(engine, "wang", GOOD, "admin")
    with pytest.raises(UserError, match="exists already"):
        auth.create_user(engine, "wang", "another-password", "viewer")
    assert auth.get_user(engine, "wang").role == "admin"
    assert auth.authenticate(engine, "wang", GOOD) is not None


def test_account_changes_are_audited_without_secrets(engine: sa.Engine) -> None:
    auth.create_user(engine, "wang", GOOD, "editor", department=DEPT, actor="cli:root")
    auth.set_password(engine, "wang", "new-password-1", actor="cli:root")
    rows = audit.recent(engine)
    assert rows["action"].tolist() == ["update", "create"]
    assert (rows["username"] == "cli:root").all()
    assert rows["table_name"].tolist() == [USER_TABLE, USER_TABLE]
    created = rows.iloc[1]
    assert DEPT in created["after"]  # Chinese kept as is (ensure_ascii=False)
    assert json.loads(created["after"]) == {
        "username": "wang", "role": "editor", "department": DEPT, "display_name": None, "active": True
    }  # fmt: skip
    hashes = [stored_hash(engine, "wang"), GOOD, "new-password-1"]
    for text in rows[["before", "after", "detail"]].fillna("").to_numpy().ravel():
        assert not any(secret in text for secret in hashes)


def test_set_password(engine: sa.Engine) -> None:
    auth.create_user(engine, "wang", GOOD, "viewer")
    with pytest.raises(UserError, match="at least 10"):
        auth.set_password(engine, "wang", "short")
    with pytest.raises(UserError, match="no user"):
        auth.set_password(engine, "ghost", "new-password-1")
    auth.set_password(engine, "wang", "new-password-1")
    assert auth.authenticate(engine, "wang", GOOD) is None
    assert auth.authenticate(engine, "wang", "new-password-1") is not None


def test_deactivate_keeps_the_last_admin(engine: sa.Engine) -> None:
    auth.create_user(engine, "root", GOOD, "admin")
    auth.create_user(engine, "wang", GOOD, "editor", department=DEPT)
    with pytest.raises(UserError, match="last active admin"):
        auth.deactivate(engine, "root")
    auth.deactivate(engine, "wang")
    assert auth.get_user(engine, "wang").active is False
    change = audit.recent(engine, 1).iloc[0]
    assert (json.loads(change["before"])["active"], json.loads(change["after"])["active"]) == (True, False)
    auth.create_user(engine, "root2", GOOD, "admin")
    auth.deactivate(engine, "root")  # another admin is left
    users = auth.list_users(engine)
    assert users["username"].tolist() == ["root", "root2", "wang"]
    assert users["active"].tolist() == [False, True, False]
    assert "password_hash" not in users.columns


def test_an_outdated_hash_is_upgraded_at_sign_in(engine: sa.Engine) -> None:
    auth.create_user(engine, "wang", GOOD, "viewer")
    cheap = PasswordHasher.from_parameters(profiles.CHEAPEST).hash(GOOD)
    with engine.begin() as conn:
        upsert(conn, USER_TABLE, read(conn, USER_TABLE).assign(password_hash=cheap))
    assert auth.authenticate(engine, "wang", GOOD) is not None
    assert stored_hash(engine, "wang").startswith("$argon2id$v=19$m=65536,t=3,p=4$")


ADMIN = User("root", "admin")
EDITOR = User("wang", "editor", DEPT)
VIEWER = User("zhao", "viewer", DEPT)
OWN = {"project_id": "XM15", "department": DEPT}
OTHER = {"project_id": "XM03", "department": "晋中市生态环境局"}


def test_who_may_edit_a_project() -> None:
    assert auth.can_edit_project(ADMIN, OWN) and auth.can_edit_project(ADMIN, OTHER)
    assert auth.can_edit_project(EDITOR, OWN)
    assert not auth.can_edit_project(EDITOR, OTHER)
    assert not auth.can_edit_project(VIEWER, OWN)
    assert not auth.can_edit_project(None, OWN)
    assert not auth.can_edit_project(User("wang", "editor", DEPT, active=False), OWN)


def test_who_may_import() -> None:
    assert auth.can_import(ADMIN, "projects")
    assert auth.can_import(EDITOR, "samples")
    assert auth.can_import(EDITOR, "projects", departments=[DEPT, DEPT])
    assert not auth.can_import(EDITOR, "projects", departments=[DEPT, "晋中市生态环境局"])
    assert not auth.can_import(EDITOR, "projects")  # rows unknown: cannot be shown to be theirs
    assert not auth.can_import(VIEWER, "samples")
    with pytest.raises(ValueError, match="unknown data kind"):
        auth.can_import(ADMIN, "photos")


def test_only_admins_manage_users_and_errors_are_bilingual() -> None:
    assert auth.can_manage_users(ADMIN)
    assert not auth.can_manage_users(EDITOR)
    assert not auth.can_manage_users(User("root", "admin", active=False))
    error = PermissionDenied("无权操作", "not allowed")
    assert str(error) == "无权操作 / not allowed"
    assert isinstance(error, PermissionError)


def test_audit_record_and_filters(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        first = audit.record(conn, username="root", action="import", table="wq_sample", key=None, detail="2025.csv")
        audit.record(conn, username="wang", action="update", table="project_progress", key=("XM01", date(2025, 3, 1)),
                     before={"progress_pct": float("nan")}, after={"progress_pct": 30.0, "note": "护岸"})  # fmt: skip
    rows = audit.recent(engine)
    assert rows["id"].tolist() == [first + 1, first]
    assert rows.at[0, "record_key"] == "XM01|2025-03-01"
    assert rows.at[0, "before"] == '{"progress_pct": null}'
    assert rows.at[0, "after"] == '{"note": "护岸", "progress_pct": 30.0}'
    assert audit.recent(engine, filters={"key": ("XM01", "2025-03-01")})["username"].tolist() == ["wang"]
    assert audit.recent(engine, filters={"username": ["root", "li"]})["detail"].tolist() == ["2025.csv"]
    assert audit.recent(engine, filters={"since": audit.utc_now() + timedelta(minutes=1)}).empty
    assert len(audit.recent(engine, filters={"since": audit.utc_now() - timedelta(minutes=1)})) == 2
    assert len(audit.recent(engine, limit=1)) == 1
    with pytest.raises(ValueError, match="unknown filters"):
        audit.recent(engine, filters={"who": "root"})
    with engine.begin() as conn, pytest.raises(ValueError, match="unknown audit action"):
        audit.record(conn, username="root", action="hack", table=None, key=None)
