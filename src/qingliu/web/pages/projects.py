"""Project pages (工程项目): list with filters and flags, responsibility matrix, detail, forms.

Schedule flags (lagging, overdue) and investment against plan come from
:mod:`qingliu.services.projects` (linear schedule of :mod:`qingliu.plan.projects`). Edit
buttons and forms are shown only to admins and editors of the project's department; a form
sent by anyone else is refused with 403 and a bilingual message (the services check again).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import pandas as pd
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from qingliu import store
from qingliu.model.tables import PROJECT, PROJECT_CATEGORIES, PROJECT_STATUSES
from qingliu.plan import projects as plan
from qingliu.services import dashboard
from qingliu.services import projects as service
from qingliu.services.auth import (
    WRITER_ROLES,
    BilingualError,
    PermissionDenied,
    User,
    can_edit_project,
)
from qingliu.web.deps import AppContext, ContextDep
from qingliu.web.pages.base import PageUser, message_page, page, redirect

router = APIRouter()

FILTERS = ("category", "county_id", "department", "status")
"""Query parameters of the list: one value each, empty for any."""

FORM_FIELDS = PROJECT.names
"""Fields of the create and edit forms: every column of the project table."""
PROGRESS_FIELDS = ("date", "progress_pct", "invested_1e4yuan", "note")
"""Fields of the progress form (:func:`qingliu.services.projects.add_progress`)."""


def _counties(context: AppContext) -> dict[str, str]:
    with context.engine.connect() as conn:
        counties = store.read(conn, "county", columns=["county_id", "name"])
    return dict(zip(counties["county_id"], counties["name"], strict=True))


def _matrix(matrix: pd.DataFrame) -> dict[str, Any]:
    """The responsibility matrix as rows for the template: per department, projects and investment per category."""
    count, money = matrix["projects"], matrix["investment_1e4yuan"]
    rows = [
        {"department": dept, "cells": [(int(count.at[dept, c]), money.at[dept, c]) for c in PROJECT_CATEGORIES],
         "total": int(count.loc[dept].sum()), "money": money.loc[dept].sum()}
        for dept in matrix.index
    ]  # fmt: skip
    return {"rows": rows, "categories": PROJECT_CATEGORIES}


@router.get("/projects", response_class=HTMLResponse)
def project_list(request: Request, context: ContextDep, user: PageUser) -> Response:
    chosen = {name: request.query_params.get(name) or None for name in FILTERS}
    projects = service.list_projects(context.engine, **chosen)
    everything = projects if not any(chosen.values()) else service.list_projects(context.engine)
    matrix = plan.responsibility_matrix(everything)
    values = {
        "projects": dashboard.records(projects),
        "chosen": chosen,
        "options": {"category": PROJECT_CATEGORIES, "status": PROJECT_STATUSES, "department": list(matrix.index)},
        "counties": _counties(context),
        "totals": {
            "projects": len(projects),
            "lagging": int(projects["lagging"].sum()),
            "overdue": int(projects["overdue"].sum()),
            "investment": projects["investment_1e4yuan"].sum(),
            "invested": projects["invested_1e4yuan"].sum(),
            "planned": projects["planned_invested_1e4yuan"].sum(),
        },
        "summary": plan.summarise(everything, "category").reset_index().to_dict("records"),
        "matrix": _matrix(matrix),
        "today": date.today(),
    }
    return page(request, context, user, "projects.html", values)


def _not_found(request: Request, context: AppContext, user: User, exc: BilingualError) -> HTMLResponse:
    return message_page(request, context, user, 404, exc.zh, exc.en)


def _refused(request: Request, context: AppContext, user: User, exc: BilingualError) -> HTMLResponse:
    return message_page(request, context, user, 403, exc.zh, exc.en)


def _project_or_none(context: AppContext, project_id: str) -> dict[str, Any] | None:
    try:
        return service.get_project(context.engine, project_id)
    except service.ProjectNotFound:
        return None


def _missing_project(request: Request, context: AppContext, user: User, project_id: str) -> HTMLResponse:
    return message_page(request, context, user, 404, f"项目 {project_id!r} 不存在", f"no project {project_id!r}")


def _edit_refusal(user: User, project: dict[str, Any]) -> PermissionDenied:
    return PermissionDenied(
        f"{user.username} 无权修改项目 {project['project_id']}（责任单位「{project['department']}」）",
        f"{user.username} may not change project {project['project_id']} (department {project['department']!r})",
    )


def _form_values(form: FormData) -> dict[str, str]:
    """The project fields of a submitted form, as typed (the service parses and checks them)."""
    return {name: str(form.get(name, "")).strip() for name in FORM_FIELDS if name in form}


def _form_page(
    request: Request,
    context: AppContext,
    user: User,
    *,
    project: Mapping[str, Any],
    action: str,
    problems: Sequence[tuple[str, str, str]],
    status: int = 200,
) -> HTMLResponse:
    """The create or edit form, with the problems of the last attempt beside their fields."""
    errors = {name: {"zh": zh, "en": en} for name, zh, en in reversed(problems)}  # the first problem of a field wins
    values = {"p": project, "action": action, "editing": action.endswith("/edit"), "problems": problems, "errors": errors,
              "counties": _counties(context), "categories": PROJECT_CATEGORIES, "statuses": PROJECT_STATUSES,
              "columns": PROJECT.columns}  # fmt: skip
    return page(request, context, user, "project_form.html", values, status=status)


@router.get("/projects/new", response_class=HTMLResponse)
def new_project_form(request: Request, context: ContextDep, user: PageUser) -> Response:
    if user.role not in WRITER_ROLES:
        exc = PermissionDenied("只读用户不能新建项目", "viewers cannot create projects")
        return _refused(request, context, user, exc)
    blank = {name: None for name in FORM_FIELDS} | {"department": user.department if user.role == "editor" else None}
    return _form_page(request, context, user, project=blank, action="/projects/new", problems=[])


def _create(request: Request, context: AppContext, user: User, values: dict[str, str]) -> Response:
    try:
        row = service.create_project(context.engine, user, values)
    except PermissionDenied as exc:
        return _refused(request, context, user, exc)
    except service.ProjectValueError as exc:
        return _form_page(request, context, user, project=values, action="/projects/new", problems=exc.problems, status=422)
    context.data_changed()
    return redirect(f"/projects/{row['project_id']}")


@router.post("/projects/new", response_class=HTMLResponse)
async def create_project(request: Request, context: ContextDep, user: PageUser) -> Response:
    values = _form_values(await request.form())
    return await run_in_threadpool(_create, request, context, user, values)  # the database blocks: not on the event loop


@router.get("/projects/{project_id}", response_class=HTMLResponse)
def project_detail(request: Request, context: ContextDep, user: PageUser, project_id: str) -> Response:
    project = _project_or_none(context, project_id)
    if project is None:
        return _missing_project(request, context, user, project_id)
    values = {"p": project, "counties": _counties(context), "can_edit": can_edit_project(user, project),
              "today": date.today(), "problems": []}  # fmt: skip
    return page(request, context, user, "project.html", values)


@router.get("/projects/{project_id}/edit", response_class=HTMLResponse)
def edit_project_form(request: Request, context: ContextDep, user: PageUser, project_id: str) -> Response:
    project = _project_or_none(context, project_id)
    if project is None:
        return _missing_project(request, context, user, project_id)
    if not can_edit_project(user, project):
        return _refused(request, context, user, _edit_refusal(user, project))
    return _form_page(request, context, user, project=project, action=f"/projects/{project_id}/edit", problems=[])


def _update(request: Request, context: AppContext, user: User, project_id: str, values: dict[str, str]) -> Response:
    try:
        service.update_project(context.engine, user, project_id, values)
    except service.ProjectNotFound as exc:
        return _not_found(request, context, user, exc)
    except PermissionDenied as exc:
        return _refused(request, context, user, exc)
    except service.ProjectValueError as exc:
        shown = {**values, "project_id": project_id}
        return _form_page(request, context, user, project=shown, action=f"/projects/{project_id}/edit",
                          problems=exc.problems, status=422)  # fmt: skip
    context.data_changed()
    return redirect(f"/projects/{project_id}")


@router.post("/projects/{project_id}/edit", response_class=HTMLResponse)
async def update_project(request: Request, context: ContextDep, user: PageUser, project_id: str) -> Response:
    values = _form_values(await request.form())
    values.pop("project_id", None)  # the id is the URL's; it cannot change
    return await run_in_threadpool(_update, request, context, user, project_id, values)


def _progress(request: Request, context: AppContext, user: User, project_id: str, fields: dict[str, str]) -> Response:
    try:
        service.add_progress(context.engine, user, project_id, fields["date"], fields["progress_pct"],
                             fields["invested_1e4yuan"] or None, fields["note"])  # fmt: skip
    except service.ProjectNotFound as exc:
        return _not_found(request, context, user, exc)
    except PermissionDenied as exc:
        return _refused(request, context, user, exc)
    except service.ProjectValueError as exc:
        project = service.get_project(context.engine, project_id)
        values = {"p": project, "counties": _counties(context), "can_edit": True, "today": date.today(),
                  "problems": exc.problems, "progress_form": fields}  # fmt: skip
        return page(request, context, user, "project.html", values, status=422)
    context.data_changed()
    return redirect(f"/projects/{project_id}#progress")


@router.post("/projects/{project_id}/progress", response_class=HTMLResponse)
async def add_progress(request: Request, context: ContextDep, user: PageUser, project_id: str) -> Response:
    form = await request.form()
    fields = {name: str(form.get(name, "")).strip() for name in PROGRESS_FIELDS}
    return await run_in_threadpool(_progress, request, context, user, project_id, fields)
