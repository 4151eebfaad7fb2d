"""The audit log (操作日志), for administrators: the newest entries first, with filters."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query

from qingliu.services import audit
from qingliu.services.dashboard import records
from qingliu.web.deps import AdminUser, ContextDep
from qingliu.web.schemas import AuditPublic

router = APIRouter(prefix="/audit", tags=["audit 操作日志"])


@router.get("", response_model=AuditPublic)
def recent(
    admin: AdminUser,
    context: ContextDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    username: str | None = None,
    action: Annotated[str | None, Query(description=", ".join(audit.ACTIONS))] = None,
    table: str | None = None,
    key: str | None = None,
    since: Annotated[datetime | None, Query(description="UTC, without zone")] = None,
) -> dict[str, Any]:
    """Who changed what, when, with the record before and after."""
    given = {"username": username, "action": action, "table": table, "key": key, "since": since}
    rows = records(audit.recent(context.engine, limit, {k: v for k, v in given.items() if v is not None}))
    for row in rows:
        for side in ("before", "after"):
            row[side] = None if row[side] is None else json.loads(row[side])
    return {"data": rows, "count": len(rows)}
