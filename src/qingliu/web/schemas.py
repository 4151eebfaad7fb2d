"""Request and response bodies of the REST API: one model per direction (XCreate / XUpdate / XPublic).

The project models are built from :data:`qingliu.model.tables.PROJECT`, the one declaration of
the project's columns, so a column added there appears in the API without a second list.
Values are checked at the edge only for their JSON type; the services check the rest (choices
and their Chinese synonyms, ranges, references) and answer in Chinese and English.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from qingliu.model.tables import PROJECT, Column
from qingliu.plan.projects import TRACKING_COLUMNS
from qingliu.report.content import Lang
from qingliu.report.render import FORMATS
from qingliu.services.auth import ROLES

_TYPES: dict[str, type] = {"str": str, "float": float, "int": int, "date": date, "datetime": datetime, "bool": bool}


def _field(column: Column, *, required: bool) -> tuple[Any, Any]:
    kind = _TYPES[column.dtype]
    unit = f" [{column.unit}]" if column.unit else ""
    choices = f"; one of {', '.join(column.choices)}" if column.choices else ""
    description = f"{column.zh}{unit}{choices}"
    if required:
        return kind, Field(description=description)
    return kind | None, Field(default=None, description=description)


def _project_model(name: str, *, all_optional: bool, doc: str) -> type[BaseModel]:
    fields = {c.name: _field(c, required=c.required and not all_optional) for c in PROJECT.columns}
    return create_model(name, __config__=ConfigDict(extra="forbid"), __doc__=doc, **fields)


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


# ---- auth and users -------------------------------------------------------------------------


class LoginRequest(BaseModel):
    username: str = Field(max_length=200)
    password: str = Field(max_length=1000)


class UserPublic(_Out):
    username: str
    role: str
    department: str | None = None
    display_name: str | None = None
    active: bool = True


class UsersPublic(BaseModel):
    data: list[UserPublic]
    count: int


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str
    password: str
    role: Literal[ROLES]  # type: ignore[valid-type]
    department: str | None = Field(default=None, description="责任单位, required for editors")
    display_name: str | None = None


class CsrfPublic(BaseModel):
    csrf_token: str = Field(description="Send it back in the X-CSRF-Token header of every POST, PATCH, PUT, DELETE")


class SessionPublic(CsrfPublic):
    user: UserPublic


# ---- canonical tables -----------------------------------------------------------------------


class ColumnPublic(BaseModel):
    name: str
    dtype: str
    zh: str
    required: bool
    unit: str | None = None
    choices: list[str] | None = None


class TablePublic(BaseModel):
    name: str
    zh: str
    key: list[str]
    columns: list[ColumnPublic]
    rows: int


class TablesPublic(BaseModel):
    data: list[TablePublic]


class RowsPublic(BaseModel):
    """A page of a table's rows, sorted by its key."""

    table: str
    total: int = Field(description="rows matching the filters")
    limit: int
    offset: int
    data: list[dict[str, Any]]


# ---- projects -------------------------------------------------------------------------------

ProjectCreate = _project_model("ProjectCreate", all_optional=False, doc="A new project (工程项目).")
ProjectUpdate = _project_model("ProjectUpdate", all_optional=True, doc="Fields of a project to change; others stay.")


class ProgressPublic(BaseModel):
    project_id: str | None = None
    date: date
    progress_pct: float
    invested_1e4yuan: float | None = None
    note: str | None = None
    username: str | None = None


class ProgressCreate(BaseModel):
    """A dated progress report (进度填报)."""

    model_config = ConfigDict(extra="forbid")
    date: date
    progress_pct: float = Field(description="形象进度 [%], 0–100")
    invested_1e4yuan: float | None = Field(default=None, description="已完成投资 [1e4 yuan] up to that date")
    note: str = Field(default="", max_length=2000)


_TRACKING_TYPES: dict[str, Any] = {"lagging": bool | None, "overdue": bool | None, "days_remaining": int | None}
ProjectPublic = create_model(
    "ProjectPublic",
    __doc__="A project with its schedule flags on the reporting date (qingliu.plan.projects.track_projects).",
    **{c.name: (_TYPES[c.dtype] | None, None) for c in PROJECT.columns},
    **{name: (_TRACKING_TYPES.get(name, float | None), None) for name in TRACKING_COLUMNS},
    progress=(list[ProgressPublic] | None, None),
)


class ProjectsPublic(BaseModel):
    data: list[ProjectPublic]  # type: ignore[valid-type]
    count: int


class MatrixRow(BaseModel):
    """One department of the responsibility matrix (责任矩阵): per category, projects and money (1e4 yuan)."""

    department: str
    projects: dict[str, int]
    investment_1e4yuan: dict[str, float]
    invested_1e4yuan: dict[str, float]


class MatrixPublic(BaseModel):
    categories: list[str]
    data: list[MatrixRow]


class SummaryPublic(BaseModel):
    """Projects, money and flags per category, status and department (qingliu.plan.projects.summarise)."""

    as_of: date
    category: list[dict[str, Any]]
    status: list[dict[str, Any]]
    department: list[dict[str, Any]]


# ---- results --------------------------------------------------------------------------------


class FigurePublic(BaseModel):
    value: float | None
    previous: float | None
    change: float | None
    unit: str


class ProjectFigures(BaseModel):
    total: int
    by_status: dict[str, int]
    lagging: int
    overdue: int
    investment_1e4yuan: float
    planned_invested_1e4yuan: float
    invested_1e4yuan: float
    invested_pct: float | None


class OverviewPublic(BaseModel):
    """The city's key figures and their change on the same period of the year before."""

    year: int
    month: int | None
    period: str
    as_of: date
    figures: dict[str, FigurePublic]
    projects: ProjectFigures
    notes: dict[str, dict[str, str]]


class MapPublic(BaseModel):
    period: str
    nodes: list[dict[str, Any]]
    segments: list[dict[str, Any]]
    sections: list[dict[str, Any]]
    counties: list[dict[str, Any]]


class SectionDetailPublic(BaseModel):
    period: str
    window: dict[str, int]
    section: dict[str, Any]
    assessment: dict[str, Any] | None
    series: list[dict[str, Any]]
    history: list[dict[str, Any]]
    trends: list[dict[str, Any]]
    warning: dict[str, Any] | None
    warning_items: list[dict[str, Any]]


class WaterQualityPublic(BaseModel):
    """The water-environment assessment of a year or month (services.water_quality)."""

    year: int
    month: int | None
    period: str
    city: dict[str, Any]
    city_change: dict[str, Any] | None
    sections: list[dict[str, Any]]
    rivers: list[dict[str, Any]]
    counties: list[dict[str, Any]]
    cwqi: list[dict[str, Any]]
    section_change: list[dict[str, Any]]
    trophic: list[dict[str, Any]]
    warnings: list[dict[str, Any]]
    history: list[dict[str, Any]]


# ---- imports, reports, audit ----------------------------------------------------------------


class ProblemPublic(BaseModel):
    """One problem of an input file: file, row (header = 1), column and the reason in each language."""

    file: str
    row: int | None
    column: str | None
    zh: str
    en: str


class ImportedFile(BaseModel):
    kind: str
    file: str
    rows: dict[str, int] = Field(description="rows per canonical table")


class ImportReportPublic(BaseModel):
    ok: bool
    written: bool = Field(description="True only when the rows were imported (never by /imports/validate)")
    files: list[ImportedFile]
    problems: list[ProblemPublic]
    omitted: int = Field(0, description="further problems counted but not listed")


class ReportCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    year: int = Field(ge=1900, le=2200)
    month: int | None = Field(default=None, ge=1, le=12)
    formats: list[Literal[FORMATS]] = Field(default=["html"], min_length=1)  # type: ignore[valid-type]
    lang: Lang = "zh"


class ReportFile(BaseModel):
    name: str
    size: int
    modified: datetime
    media_type: str
    url: str


class ReportsPublic(BaseModel):
    data: list[ReportFile]
    count: int


class AuditEntry(BaseModel):
    id: int
    time: datetime
    username: str
    action: str
    table_name: str | None
    record_key: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    detail: str | None


class AuditPublic(BaseModel):
    data: list[AuditEntry]
    count: int
