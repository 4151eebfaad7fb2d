"""The project registry (工程项目): list and filter, detail, create, edit, progress, matrix, summary.

Writes need an admin, or an editor of the project's department (403 otherwise, with the
reason in Chinese and English); bad values answer 422 naming the field. Every write is audited
by the service in the same transaction.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, status

from qingliu.model.tables import PROJECT_CATEGORIES
from qingliu.plan.projects import MATRIX_MEASURES
from qingliu.services import projects
from qingliu.services.dashboard import records
from qingliu.web.api.errors import service_errors
from qingliu.web.deps import ContextDep, EditorUser
from qingliu.web.schemas import (
    MatrixPublic,
    ProgressCreate,
    ProgressPublic,
    ProjectCreate,
    ProjectPublic,
    ProjectsPublic,
    ProjectUpdate,
    SummaryPublic,
)

router = APIRouter(prefix="/projects", tags=["projects 工程项目"])

AsOf = Annotated[date | None, Query(description="reporting date of the schedule flags; default today")]
Values = Annotated[list[str] | None, Query(description="any of these values (repeat the parameter)")]


@router.get("", response_model=ProjectsPublic)
def list_projects(
    context: ContextDep,
    category: Values = None,
    county_id: Values = None,
    department: Values = None,
    status: Values = None,
    as_of: AsOf = None,
) -> dict[str, Any]:
    """Projects matching the filters (each may repeat: any of the values), with lagging and overdue flags."""
    frame = projects.list_projects(context.engine, category=category, county_id=county_id, department=department,
                                   status=status, as_of=as_of)  # fmt: skip
    return {"data": records(frame), "count": len(frame)}


@router.get("/matrix", response_model=MatrixPublic)
def matrix(context: ContextDep) -> dict[str, Any]:
    """The responsibility matrix (责任矩阵): department × category, projects and money (1e4 yuan)."""
    table = projects.responsibility_matrix(context.engine)
    rows = [
        {"department": department, **{m: {c: row[(m, c)].item() for c in PROJECT_CATEGORIES} for m in MATRIX_MEASURES}}
        for department, row in table.iterrows()
    ]
    return {"categories": list(PROJECT_CATEGORIES), "data": rows}


@router.get("/summary", response_model=SummaryPublic)
def summary(context: ContextDep, as_of: AsOf = None) -> dict[str, Any]:
    """Projects, money, completed, lagging and overdue counts per category, status and department."""
    as_of = as_of or date.today()
    frames = projects.project_summary(context.engine, as_of)
    return {"as_of": as_of, **{by: records(frame.reset_index()) for by, frame in frames.items()}}


@router.get("/{project_id}", response_model=ProjectPublic)
def get_project(project_id: str, context: ContextDep, as_of: AsOf = None) -> dict[str, Any]:
    """One project with its schedule flags and its progress reports (oldest first)."""
    with service_errors():
        return projects.get_project(context.engine, project_id, as_of=as_of)


@router.post("", response_model=ProjectPublic, status_code=status.HTTP_201_CREATED)
def create_project(body: ProjectCreate, user: EditorUser, context: ContextDep) -> dict[str, Any]:
    """Create a project (editors: of their own department)."""
    with service_errors():
        created = projects.create_project(context.engine, user, body.model_dump(exclude_unset=True))
    context.data_changed()
    return created


@router.patch("/{project_id}", response_model=ProjectPublic)
def update_project(project_id: str, body: ProjectUpdate, user: EditorUser, context: ContextDep) -> dict[str, Any]:
    """Change the given fields of a project (editors: their department's, and it stays theirs)."""
    with service_errors():
        updated = projects.update_project(context.engine, user, project_id, body.model_dump(exclude_unset=True))
    context.data_changed()
    return updated


@router.post("/{project_id}/progress", response_model=ProgressPublic, status_code=status.HTTP_201_CREATED)
def add_progress(project_id: str, body: ProgressCreate, user: EditorUser, context: ContextDep) -> dict[str, Any]:
    """Report progress on a date (进度填报); the newest report is the project's current progress."""
    with service_errors():
        report = projects.add_progress(context.engine, user, project_id, body.date, body.progress_pct,
                                       body.invested_1e4yuan, body.note)  # fmt: skip
    context.data_changed()
    return report
