"""File imports (数据导入): validate an upload, then import it all-or-nothing.

``POST /imports/validate`` reads and checks a file against the workspace (the same checks as
the import) and writes nothing; ``POST /imports`` imports it in one transaction, or answers the
problems and writes nothing. Both take multipart form data: ``kind`` (see ``qingliu import``)
and ``file`` (CSV, .xlsx or .parquet), at most ``max_upload_bytes`` (413 beyond).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import Any

import pandas as pd
from fastapi import APIRouter, HTTPException, Request, status
from fastapi.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from qingliu import io, store
from qingliu.services.auth import User, can_import
from qingliu.services.importing import import_files, read_batch
from qingliu.web.api.errors import field_errors, problems_detail
from qingliu.web.deps import AppContext, ContextDep, EditorUser
from qingliu.web.schemas import ImportReportPublic

router = APIRouter(prefix="/imports", tags=["imports 数据导入"])

CHUNK_BYTES = 1 << 20

UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["kind", "file"],
                    "properties": {
                        "kind": {"type": "string", "enum": list(io.KINDS), "description": "数据类型 data kind"},
                        "file": {"type": "string", "format": "binary", "description": "CSV, .xlsx or .parquet"},
                    },
                }
            }
        },
    }
}


def _too_large(limit: int) -> HTTPException:
    return HTTPException(
        status.HTTP_413_CONTENT_TOO_LARGE,
        f"文件超过上传上限 {limit} 字节 / the file exceeds the upload limit of {limit} bytes",
    )


def _file_name(upload: UploadFile) -> str:
    """The upload's base name (its suffix picks the reader); no directories."""
    name = PurePosixPath((upload.filename or "").replace("\\", "/")).name
    return name if name not in ("", ".", "..") else "upload.csv"


@contextmanager
def _saved(upload: UploadFile, limit: int) -> Iterator[Path]:
    """The upload in a private temporary folder, refused with 413 beyond ``limit`` bytes."""
    with tempfile.TemporaryDirectory(prefix="qingliu-upload-") as folder:
        path = Path(folder) / _file_name(upload)
        size = 0
        with path.open("wb") as out:
            while chunk := upload.file.read(CHUNK_BYTES):
                size += len(chunk)
                if size > limit:
                    raise _too_large(limit)
                out.write(chunk)
        yield path


async def _form(request: Request, context: AppContext) -> tuple[str, UploadFile]:
    """The ``kind`` and ``file`` fields (oversized bodies never get here: see web.security.UploadLimit)."""
    form = await request.form()
    kind, upload = form.get("kind"), form.get("file")
    problems = []
    if not isinstance(kind, str) or kind not in io.KINDS:
        problems.append(("kind", f"数据类型应为：{', '.join(io.KINDS)}", f"kind must be one of: {', '.join(io.KINDS)}"))
    if not isinstance(upload, UploadFile):
        problems.append(("file", "缺少上传文件", "no file uploaded"))
    if problems:
        raise HTTPException(422, field_errors("body", problems))
    return kind, upload


def _check_permission(user: User, kind: str, departments: list[str] | None) -> None:
    if not can_import(user, kind, departments):
        raise HTTPException(
            403,
            f"{user.username} 无权导入此文件：编辑只能导入本部门（{user.department}）的项目 / {user.username} may not "
            f"import this file: editors may import projects of their own department ({user.department}) only",
        )


def _validate(context: AppContext, user: User, kind: str, path: Path) -> dict[str, Any]:
    """The file's tables, read and checked; then the user's right to import them.

    For projects, the departments that decide are those the rows name and those of the
    projects they would overwrite: an editor can neither add another department's project nor
    take one over by re-importing its id under their own department.
    """
    if kind != "projects":
        _check_permission(user, kind, None)  # the kind alone decides: refuse before reading
    with context.engine.connect() as conn:
        ((_, _, tables),) = read_batch(conn, [(kind, path)])
        if kind == "projects":
            rows = tables["project"]
            existing = store.read(
                conn, "project", where={"project_id": rows["project_id"].tolist()}, columns=["department"]
            )
            departments = pd.concat([rows["department"], existing["department"]]).dropna().unique().tolist()
            _check_permission(user, kind, departments)
    return tables


def _report(kind: str, path: Path, rows: dict[str, int], written: bool) -> dict[str, Any]:
    return {"ok": True, "written": written, "files": [{"kind": kind, "file": path.name, "rows": rows}], "problems": []}


def _check(context: AppContext, user: User, kind: str, path: Path) -> dict[str, Any]:
    tables = _validate(context, user, kind, path)
    return _report(kind, path, {table: len(frame) for table, frame in tables.items()}, written=False)


def _import(context: AppContext, user: User, kind: str, path: Path) -> dict[str, Any]:
    if kind == "projects":
        _validate(context, user, kind, path)  # the rows' departments decide
    else:
        _check_permission(user, kind, None)  # the import itself validates the file
    report = import_files(context.engine, [(kind, path)], actor=user.username)
    context.data_changed()
    ((_, _, rows),) = report.files
    return _report(kind, path, rows, written=True)


def _run(
    step: Callable[..., dict[str, Any]], context: AppContext, user: User, kind: str, upload: UploadFile
) -> dict[str, Any]:
    """Save the upload and run ``step`` on it (in a worker thread: files and database block)."""
    with _saved(upload, context.settings.max_upload_bytes) as path:
        try:
            return step(context, user, kind, path)
        except io.InputError as exc:
            raise HTTPException(422, {"ok": False, "written": False, "files": [], "problems": problems_detail(exc),
                                      "omitted": exc.omitted}) from exc  # fmt: skip


@router.post("/validate", response_model=ImportReportPublic, openapi_extra=UPLOAD_BODY,
             responses={413: {"description": "file too large"}, 422: {"description": "problems found"}})  # fmt: skip
async def validate(request: Request, user: EditorUser, context: ContextDep) -> dict[str, Any]:
    """Check a file as an import would, and write nothing: rows per table, or 422 with every problem."""
    kind, upload = await _form(request, context)
    return await run_in_threadpool(_run, _check, context, user, kind, upload)


@router.post("", response_model=ImportReportPublic, status_code=status.HTTP_201_CREATED, openapi_extra=UPLOAD_BODY,
             responses={413: {"description": "file too large"}, 422: {"description": "problems found; nothing written"}})  # fmt: skip
async def import_file(request: Request, user: EditorUser, context: ContextDep) -> dict[str, Any]:
    """Import a file all-or-nothing (an audit row names the file and the rows written)."""
    kind, upload = await _form(request, context)
    return await run_in_threadpool(_run, _import, context, user, kind, upload)
