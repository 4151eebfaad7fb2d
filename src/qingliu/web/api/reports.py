"""Reports (报告): generate a bulletin into ``<workspace>/reports/``, list them, download one.

The report is :func:`qingliu.report.workspace.write_workspace_report`, as ``qingliu report``
writes it, in any of its formats (html, xlsx, docx, pdf).
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import FileResponse

from qingliu.report.workspace import write_workspace_report
from qingliu.services import audit
from qingliu.web.deps import AppContext, ContextDep, EditorUser
from qingliu.web.schemas import ReportCreate, ReportFile, ReportsPublic

router = APIRouter(prefix="/reports", tags=["reports 报告"])

FOLDER = "reports"
MEDIA_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".pdf": "application/pdf",
}
FILE_NAME = re.compile(r"[\w.-]+")
"""Names of report files: the stems written here (letters, digits, ``_ . -``) and a known suffix."""


def _folder(context: AppContext) -> Path:
    return context.workspace.root / FOLDER


def _public(request: Request, path: Path) -> ReportFile:
    stat = path.stat()
    return ReportFile(name=path.name, size=stat.st_size, modified=datetime.fromtimestamp(stat.st_mtime),
                      media_type=MEDIA_TYPES[path.suffix], url=request.url_for("download", name=path.name).path)  # fmt: skip


def _files(context: AppContext) -> list[Path]:
    folder = _folder(context)
    if not folder.is_dir():
        return []
    return sorted((p for p in folder.iterdir() if p.is_file() and p.suffix in MEDIA_TYPES),
                  key=lambda p: p.stat().st_mtime, reverse=True)  # fmt: skip


@router.post("", response_model=ReportsPublic, status_code=status.HTTP_201_CREATED)
def create_report(request: Request, body: ReportCreate, user: EditorUser, context: ContextDep) -> dict[str, Any]:
    """Generate the report of ``year`` (or a month of it) in the given formats; answers the files written."""
    wq = context.water_quality(body.year, body.month)  # 404 for a period without samples
    paths = write_workspace_report(context.engine, wq.year, wq.month, body.formats, body.lang, _folder(context),
                                   water_quality=wq)  # fmt: skip
    stem = paths[0].stem
    with context.engine.begin() as conn:
        audit.record(conn, username=user.username, action="create", table=None, key=stem,
                     after={"files": [p.name for p in paths]}, detail="report 报告")  # fmt: skip
    files = [_public(request, p) for p in paths]
    return {"data": files, "count": len(files)}


@router.get("", response_model=ReportsPublic)
def list_reports(request: Request, context: ContextDep) -> dict[str, Any]:
    """The reports of the workspace, newest first."""
    files = [_public(request, p) for p in _files(context)]
    return {"data": files, "count": len(files)}


@router.get("/{name}", response_class=FileResponse, responses={200: {"content": {t: {} for t in MEDIA_TYPES.values()}}})
def download(name: str, context: ContextDep) -> FileResponse:
    """Download a report file (HTML as UTF-8)."""
    path = _folder(context) / name
    if not FILE_NAME.fullmatch(name) or path.suffix not in MEDIA_TYPES or not path.is_file():
        raise HTTPException(404, f"没有报告文件 {name!r} / no report file {name!r}")
    return FileResponse(path, media_type=MEDIA_TYPES[path.suffix], filename=name)
