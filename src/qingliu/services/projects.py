"""The project registry (工程项目库): list, detail, create, edit and progress reports.

Every write checks the user's permission (:func:`qingliu.services.auth.can_edit_project`),
validates the values against :data:`qingliu.model.tables.PROJECT` with the importers' own
column parsers (the same choices and their Chinese synonyms, ranges, dates), and writes the
row and its audit record in one transaction: a refused or invalid write leaves nothing behind.
Schedule flags (lagging, overdue, investment against plan) come from :mod:`qingliu.plan.projects`.

Values handed out are plain Python (``datetime.date``, ``float``, ``str``, ``None`` where
missing), ready for JSON and for the audit log.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import IntegrityError

from qingliu.io.cells import clean
from qingliu.io.problems import ProblemLog
from qingliu.io.validate import parse_column
from qingliu.model.tables import PROJECT, TABLES, Column
from qingliu.plan import projects as plan
from qingliu.services import audit
from qingliu.services.auth import (
    WRITER_ROLES,
    BilingualError,
    PermissionDenied,
    User,
    can_edit_project,
)
from qingliu.store.repository import insert, read, upsert
from qingliu.store.schema import ID_LENGTH, PROGRESS_TABLE

TABLE = PROJECT.name
(KEY,) = PROJECT.key

PROGRESS_DATE = Column("date", "date", "填报日期")
"""The date of a progress report (``project_progress.date``), parsed like the project's dates."""

PROGRESS_VALUES = (PROGRESS_DATE, PROJECT.column("progress_pct"), PROJECT.column("invested_1e4yuan"))
"""The checked values of a progress report: declared as the project's current progress and spending."""

Filter = str | Sequence[str] | None


class ProjectValueError(BilingualError, ValueError):
    """Values that do not fit the project table; nothing was written.

    Attributes
    ----------
    problems : ``(field, zh, en)`` per problem found: the field and the reason in each
        language, e.g. ``("end", "2024-12-31 早于开工日期 2025-01-01", "2024-12-31 is before
        start 2025-01-01")``; the message prefixes each reason with the field's label.
    field : the field of the first problem.
    """

    def __init__(self, problems: Sequence[tuple[str, str, str]]) -> None:
        self.problems = list(problems)
        self.field = self.problems[0][0]
        labels = {c.name: c.zh for c in (*PROJECT.columns, PROGRESS_DATE)}
        zh = "；".join(f"{labels.get(f, f)}({f})：{reason}" for f, reason, _ in self.problems)
        en = "; ".join(f"{f}: {reason}" for f, _, reason in self.problems)
        super().__init__(zh, en)


class ProjectNotFound(BilingualError, LookupError):
    """No project with this id."""


def _missing(value: Any) -> bool:
    if isinstance(value, float | np.floating):
        return math.isnan(value)
    return value is None or value is pd.NA or value is pd.NaT


def _cell(value: Any) -> str:
    """A value as the text of a cell, for the importers' parsers."""
    if _missing(value):
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _plain(value: Any, column: Column) -> Any:
    """A parsed or stored value as plain Python: date, float, str; None where missing."""
    if _missing(value) or (column.dtype == "str" and value == ""):
        return None
    if column.dtype == "date":
        return pd.Timestamp(value).date()
    if column.dtype == "float":
        return float(value)
    return str(value)


def _parse(columns: Sequence[Column], values: Mapping[str, Any]) -> tuple[dict[str, Any], list[tuple[str, str, str]]]:
    """Parse ``values`` column by column as an import would; return the plain values and the problems."""
    log = ProblemLog(TABLE)
    parsed = {}
    for column in columns:
        raw = clean(pd.Series([_cell(values.get(column.name))], dtype="str"))
        typed = parse_column(PROJECT, column, raw, 1.0, column.name, np.ones(1), log)
        parsed[column.name] = _plain(typed.iat[0], column)
    return parsed, [(p.column, p.zh, p.en) for p in log.problems]


def _validate(conn: Connection, values: Mapping[str, Any]) -> dict[str, Any]:
    """The project row ``values`` describe, checked against :data:`PROJECT` and the database."""
    unknown = sorted(set(values) - set(PROJECT.names))
    problems = [(name, "未知字段", "unknown field") for name in unknown]
    row, found = _parse(PROJECT.columns, values)
    problems += found
    if row[KEY] is not None and len(row[KEY]) > ID_LENGTH:
        problems.append((KEY, f"超过 {ID_LENGTH} 个字符", f"longer than {ID_LENGTH} characters"))
    if row["start"] is not None and row["end"] is not None and row["end"] < row["start"]:
        problems.append(("end", f"{row['end']} 早于开工日期 {row['start']}", f"{row['end']} is before start {row['start']}"))
    for ref in PROJECT.references:
        value = row[ref.column]
        if value is not None and not read(conn, ref.table, where={ref.target: value}, columns=[ref.target]).size:
            problems.append((ref.column, f"{TABLES[ref.table].zh}「{value}」不存在", f"unknown {ref.table} {value!r}"))
    if problems:
        raise ProjectValueError(problems)
    return row


def _row(frame: pd.DataFrame) -> dict[str, Any]:
    """The first row of a project frame as plain values."""
    return {c.name: _plain(frame.at[0, c.name], c) for c in PROJECT.columns}


def _existing(conn: Connection, project_id: str) -> dict[str, Any]:
    frame = read(conn, TABLE, where={KEY: project_id})
    if frame.empty:
        raise ProjectNotFound(f"项目 {project_id!r} 不存在", f"no project {project_id!r}")
    return _row(frame)


def _require_writer(user: User | None) -> None:
    if user is None or not user.active or user.role not in WRITER_ROLES:
        raise PermissionDenied("无权修改项目：需要管理员或编辑角色",
                               "not allowed to change projects: the admin or editor role is required")  # fmt: skip


def _require_project(user: User, project: Mapping[str, Any]) -> None:
    if not can_edit_project(user, project):
        raise PermissionDenied(
            f"项目 {project[KEY]} 属于「{project['department']}」，{user.username} 只能修改「{user.department}」的项目",
            f"project {project[KEY]} belongs to {project['department']!r}; {user.username} may only change "
            f"projects of {user.department!r}",
        )


def _write(conn: Connection, user: User, before: dict[str, Any], after: dict[str, Any]) -> None:
    """Write the changed values of a project and audit them (changed fields only)."""
    changed = [name for name in PROJECT.names if before[name] != after[name]]
    if changed:
        upsert(conn, TABLE, pd.DataFrame([after]))
        audit.record(conn, username=user.username, action="update", table=TABLE, key=after[KEY],
                     before={n: before[n] for n in changed}, after={n: after[n] for n in changed})  # fmt: skip


def _tracked(projects: pd.DataFrame, as_of: Any, threshold: float) -> pd.DataFrame:
    return plan.track_projects(projects, date.today() if as_of is None else as_of, lagging_threshold_pp=threshold)


def list_projects(
    engine: Engine,
    *,
    category: Filter = None,
    county_id: Filter = None,
    department: Filter = None,
    status: Filter = None,
    as_of: Any = None,
    lagging_threshold_pp: float = plan.LAGGING_THRESHOLD_PP,
) -> pd.DataFrame:
    """Projects matching the filters, with their schedule flags on ``as_of``.

    Parameters
    ----------
    engine : the workspace database.
    category, county_id, department, status : a value or a list of values each (None: any).
    as_of : the reporting date (default: today).
    lagging_threshold_pp : see :func:`qingliu.plan.projects.track_projects`.

    Returns
    -------
    The columns of :data:`PROJECT` plus :data:`qingliu.plan.projects.TRACKING_COLUMNS`,
    sorted by project id.
    """
    filters = {"category": category, "county_id": county_id, "department": department, "status": status}
    where = {name: list(v) if not isinstance(v, str) else v for name, v in filters.items() if v is not None}
    with engine.connect() as conn:
        projects = read(conn, TABLE, where=where)
    return _tracked(projects, as_of, lagging_threshold_pp)


def get_project(
    engine: Engine, project_id: str, *, as_of: Any = None, lagging_threshold_pp: float = plan.LAGGING_THRESHOLD_PP
) -> dict[str, Any]:
    """One project: its values, its schedule flags on ``as_of`` and its progress history.

    Returns
    -------
    The project's fields, the tracking fields (``planned_pct``, ``lagging``, ... ; floats, bools,
    ``days_remaining`` an int or None) and ``progress``: its progress reports, oldest first,
    each ``{date, progress_pct, invested_1e4yuan, note, username}``.

    Raises
    ------
    ProjectNotFound
        No such project.
    """
    with engine.connect() as conn:
        frame = read(conn, TABLE, where={KEY: project_id})
        history = read(conn, PROGRESS_TABLE, where={KEY: project_id})
    if frame.empty:
        raise ProjectNotFound(f"项目 {project_id!r} 不存在", f"no project {project_id!r}")
    tracked = _tracked(frame, as_of, lagging_threshold_pp).iloc[0]
    result = _row(frame)
    for name in plan.TRACKING_COLUMNS:
        value = tracked[name]
        result[name] = None if _missing(value) else value.item() if isinstance(value, np.generic) else value
    history["date"] = history["date"].dt.date
    records = history.drop(columns=KEY).astype(object).to_dict("records")
    result["progress"] = [{k: None if _missing(v) else v for k, v in r.items()} for r in records]
    return result


def create_project(engine: Engine, user: User, values: Mapping[str, Any]) -> dict[str, Any]:
    """Create a project (admins: any department; editors: their own).

    Parameters
    ----------
    engine : the workspace database.
    user : the signed-in user.
    values : field -> value for the columns of :data:`PROJECT` (typed or as text, e.g.
        ``"2025-03-01"``, ``"水生态"``, ``"45%"``); required fields must be given.

    Returns
    -------
    The project as written (plain values).

    Raises
    ------
    PermissionDenied
        A viewer, or an editor creating another department's project.
    ProjectValueError
        Values that do not fit, an unknown county or node, an existing project id.
    """
    _require_writer(user)
    with engine.begin() as conn:
        row = _validate(conn, values)
        _require_project(user, row)
        try:
            insert(conn, TABLE, row)
        except IntegrityError as exc:
            raise ProjectValueError([(KEY, f"{row[KEY]} 已存在", f"{row[KEY]} exists already")]) from exc
        audit.record(conn, username=user.username, action="create", table=TABLE, key=row[KEY], after=row)
    return row


def update_project(engine: Engine, user: User, project_id: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """Change some fields of a project; the audit row holds the changed fields before and after.

    An editor may change only their department's projects, and not hand one to another
    department. The project id cannot change. Nothing is written when nothing changes.

    Returns
    -------
    The project after the change (plain values).

    Raises
    ------
    PermissionDenied, ProjectValueError
        As :func:`create_project`.
    ProjectNotFound
        No such project.
    """
    _require_writer(user)
    with engine.begin() as conn:
        before = _existing(conn, project_id)
        _require_project(user, before)
        if values.get(KEY, project_id) != project_id:
            raise ProjectValueError([(KEY, "不能修改", "cannot be changed")])
        after = _validate(conn, {**before, **values})
        _require_project(user, after)
        _write(conn, user, before, after)
    return after


def add_progress(
    engine: Engine,
    user: User,
    project_id: str,
    date: Any,
    progress_pct: Any,
    invested_1e4yuan: Any = None,
    note: str = "",
) -> dict[str, Any]:
    """Record a dated progress report (进度填报); a second report of the same date replaces the first.

    The newest report (by date) is also the project's current state: its ``progress_pct`` and,
    if given, ``invested_1e4yuan`` are copied to the project, and a ``planned`` project with
    progress above 0 becomes ``ongoing``. Completion is not inferred from 100 %: it is set by
    editing the status once the project is accepted (竣工验收).

    Parameters
    ----------
    engine : the workspace database.
    user : the signed-in user (admin, or editor of the project's department).
    project_id : the project.
    date : the report's date.
    progress_pct : progress (形象进度) on that date, 0–100 (%).
    invested_1e4yuan : money spent up to that date (1e4 yuan), if known.
    note : what was done, problems met.

    Returns
    -------
    The report as written: ``{project_id, date, progress_pct, invested_1e4yuan, note, username}``.

    Raises
    ------
    PermissionDenied, ProjectValueError, ProjectNotFound
        As :func:`update_project`.
    """
    _require_writer(user)
    given = {"date": date, "progress_pct": progress_pct, "invested_1e4yuan": invested_1e4yuan}
    with engine.begin() as conn:
        project = _existing(conn, project_id)
        _require_project(user, project)
        values, problems = _parse(PROGRESS_VALUES, given)
        if problems:
            raise ProjectValueError(problems)
        report = {KEY: project_id, **values, "note": note or None, "username": user.username}
        key = (project_id, report["date"])
        previous = read(conn, PROGRESS_TABLE, where={KEY: project_id, "date": report["date"]})
        before = None if previous.empty else {**previous.iloc[0].to_dict(), "date": report["date"]}
        upsert(conn, PROGRESS_TABLE, pd.DataFrame([report]))
        audit.record(conn, username=user.username, action="create" if before is None else "update",
                     table=PROGRESS_TABLE, key=key, before=before, after=report)  # fmt: skip
        dates = read(conn, PROGRESS_TABLE, where={KEY: project_id}, columns=["date"])["date"]
        if report["date"] >= dates.max().date():
            current = {**project, "progress_pct": report["progress_pct"]}
            if report["invested_1e4yuan"] is not None:
                current["invested_1e4yuan"] = report["invested_1e4yuan"]
            if current["status"] == "planned" and report["progress_pct"] > 0:
                current["status"] = "ongoing"
            _write(conn, user, project, current)
    return report


def responsibility_matrix(engine: Engine) -> pd.DataFrame:
    """Department × category matrix of all projects (see :func:`qingliu.plan.projects.responsibility_matrix`)."""
    with engine.connect() as conn:
        return plan.responsibility_matrix(read(conn, TABLE))


def project_summary(
    engine: Engine, as_of: Any = None, *, lagging_threshold_pp: float = plan.LAGGING_THRESHOLD_PP
) -> dict[str, pd.DataFrame]:
    """Summaries of all projects on ``as_of`` (default today) by category, status and department.

    Returns
    -------
    ``{"category": ..., "status": ..., "department": ...}``, frames of
    :func:`qingliu.plan.projects.summarise`.
    """
    with engine.connect() as conn:
        tracked = _tracked(read(conn, TABLE), as_of, lagging_threshold_pp)
    return {by: plan.summarise(tracked, by) for by in ("category", "status", "department")}
