"""Accounts (用户), for administrators: list and create (``qingliu user`` on the command line does more)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, status
from fastapi.concurrency import run_in_threadpool

from qingliu.services.auth import create_user, list_users
from qingliu.services.dashboard import records
from qingliu.web.api.errors import service_errors
from qingliu.web.deps import AdminUser, ContextDep
from qingliu.web.schemas import UserCreate, UserPublic, UsersPublic

router = APIRouter(prefix="/users", tags=["users 用户"])


@router.get("", response_model=UsersPublic)
def users(admin: AdminUser, context: ContextDep) -> dict[str, Any]:
    """Every account (never a password hash)."""
    rows = records(list_users(context.engine))
    return {"data": rows, "count": len(rows)}


@router.post("", response_model=UserPublic, status_code=status.HTTP_201_CREATED)
async def add_user(body: UserCreate, admin: AdminUser, context: ContextDep) -> Any:
    """Create an account (editors need a department); the creation is audited under the admin's name."""
    with service_errors():
        return await run_in_threadpool(create_user, context.engine, body.username, body.password, body.role,
                                       body.department, body.display_name, actor=admin.username)  # fmt: skip
