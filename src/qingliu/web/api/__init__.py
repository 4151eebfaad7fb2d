"""The REST API (``/api/v1``): one router per resource; everything but signing in needs a signed-in user."""

from fastapi import APIRouter, Depends

from qingliu.web.api import (
    audit,
    auth,
    imports,
    projects,
    reports,
    results,
    tables,
    users,
)
from qingliu.web.deps import current_user

router = APIRouter()
router.include_router(auth.router)
for module in (tables, results, projects, imports, reports, users, audit):
    router.include_router(module.router, dependencies=[Depends(current_user)])

__all__ = ["router"]
