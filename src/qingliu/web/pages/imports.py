"""The import pages (数据导入): upload a file, read its validation report, confirm or discard.

An upload is read and checked as ``qingliu import`` would (every problem with file, row, column
and reason), but nothing is written: the file waits in a private temporary folder named by a
random token kept in the session, until the user confirms (one all-or-nothing import that checks
the file again against the database as it is then) or discards it. A file with problems is
deleted at once; a pending file older than a session is deleted with the next upload. Admins
and editors may import (:func:`qingliu.services.auth.can_import`); the import is recorded in
the audit log under their name.
"""

from __future__ import annotations

import re
import secrets
import shutil
import tempfile
import time
from pathlib import Path
from typing import Annotated, Any, BinaryIO

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from qingliu import io
from qingliu.io.files import CSV_SUFFIXES, EXCEL_SUFFIXES, PARQUET_SUFFIXES
from qingliu.services.auth import WRITER_ROLES, User, can_import
from qingliu.services.importing import import_files, read_batch
from qingliu.web.deps import AppContext, ContextDep
from qingliu.web.pages.base import PageUser, message_page, page, redirect

router = APIRouter()

UPLOAD_DIR = "qingliu-uploads"
"""Folder of pending uploads in the system's temporary directory, one sub-folder per token."""
SESSION_KEY = "pending_import"
TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
CHUNK_BYTES = 1 << 20
UNSAFE_NAME = re.compile(r"[^\w.\-]+")
SUFFIXES = (*CSV_SUFFIXES, *EXCEL_SUFFIXES, *PARQUET_SUFFIXES)
"""File types the readers know (offered by the file picker; others get the readers' own message)."""


def _upload_root() -> Path:
    return Path(tempfile.gettempdir()) / UPLOAD_DIR


def _pending(request: Request) -> dict[str, str] | None:
    """The upload waiting for confirmation in this session, if its file is still there."""
    pending = request.session.get(SESSION_KEY)
    if not pending or not TOKEN.fullmatch(str(pending.get("token", ""))):
        return None
    return pending if _path(pending).is_file() else None


def _path(pending: dict[str, str]) -> Path:
    """The pending file (its name was cleaned by :func:`_file_name` before it went into the signed session)."""
    return _upload_root() / pending["token"] / pending["name"]


def _discard(request: Request) -> None:
    pending = request.session.pop(SESSION_KEY, None)
    if pending and TOKEN.fullmatch(str(pending.get("token", ""))):
        shutil.rmtree(_upload_root() / pending["token"], ignore_errors=True)


def _sweep(max_age_s: float) -> None:
    """Delete uploads older than a session: nobody can confirm them any more."""
    root = _upload_root()
    if not root.is_dir():
        return
    cutoff = time.time() - max_age_s
    for folder in root.iterdir():
        if TOKEN.fullmatch(folder.name) and folder.stat().st_mtime < cutoff:
            shutil.rmtree(folder, ignore_errors=True)


def _file_name(filename: str | None) -> str:
    """The upload's name without folders or odd characters; the suffix tells the reader the format."""
    name = UNSAFE_NAME.sub("_", Path(filename or "").name).strip("._") or "upload.csv"
    return name[-120:]


def _refusal(request: Request, context: AppContext, user: User) -> HTMLResponse:
    return message_page(request, context, user, 403, "只有管理员和编辑可以导入数据", "only admins and editors may import data")


def _form(request: Request, context: AppContext, user: User, status: int = 200, **values: Any) -> HTMLResponse:
    defaults = {"kinds": list(io.KINDS), "pending": _pending(request), "problems": None, "rows": None,
                "written": None, "kind": values.get("kind") or "samples", "file_name": "", "omitted": 0,
                "max_mb": context.settings.max_upload_bytes / (1 << 20), "suffixes": SUFFIXES}  # fmt: skip
    return page(request, context, user, "imports.html", {**defaults, **values}, status=status)


@router.get("/imports", response_class=HTMLResponse)
def imports_page(request: Request, context: ContextDep, user: PageUser) -> Response:
    if user.role not in WRITER_ROLES:
        return _refusal(request, context, user)
    pending = _pending(request)
    return _form(request, context, user, kind=pending["kind"] if pending else None)


def _save(upload: BinaryIO, target: Path, limit: int) -> bool:
    """Copy the upload to ``target``; False (and nothing kept) when it is larger than ``limit`` bytes."""
    size = 0
    with target.open("wb") as out:
        while chunk := upload.read(CHUNK_BYTES):
            size += len(chunk)
            if size > limit:
                break
            out.write(chunk)
    if size > limit:
        target.unlink()
        return False
    return True


def _read(context: AppContext, kind: str, path: Path) -> dict[str, Any]:
    """The tables of the file, read and checked against the database; nothing is written."""
    with context.engine.connect() as conn:
        ((_, _, tables),) = read_batch(conn, [(kind, path)])
    return tables


def _departments(tables: dict[str, Any]) -> list[str] | None:
    project = tables.get("project")
    return None if project is None else [str(d) for d in project["department"].dropna().unique()]


@router.post("/imports", response_class=HTMLResponse)
async def upload(
    request: Request,
    context: ContextDep,
    user: PageUser,
    kind: Annotated[str, Form()],
    file: Annotated[UploadFile, File()],
) -> Response:
    if user.role not in WRITER_ROLES:
        return _refusal(request, context, user)
    if kind not in io.KINDS:
        return message_page(request, context, user, 400, f"未知的数据类型 {kind!r}", f"unknown data kind {kind!r}")
    _discard(request)
    _sweep(context.settings.session_max_age_s)
    limit = context.settings.max_upload_bytes
    token = secrets.token_urlsafe(24)
    folder = _upload_root() / token
    folder.mkdir(parents=True, mode=0o700)
    name = _file_name(file.filename)
    if not await run_in_threadpool(_save, file.file, folder / name, limit):  # files block: not on the event loop
        shutil.rmtree(folder, ignore_errors=True)
        mb = limit / (1 << 20)
        return message_page(request, context, user, 413, f"文件超过 {mb:g} MB 上限", f"the file is larger than the {mb:g} MB limit")
    try:
        tables = await run_in_threadpool(_read, context, kind, folder / name)  # reading a large file takes a while
    except io.InputError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        return _form(request, context, user, 422, kind=kind, file_name=name, problems=exc.problems, omitted=exc.omitted)
    if not can_import(user, kind, _departments(tables)):
        shutil.rmtree(folder, ignore_errors=True)
        return message_page(request, context, user, 403, f"{user.username} 只能导入「{user.department}」的项目",
                            f"{user.username} may only import projects of {user.department!r}")  # fmt: skip
    request.session[SESSION_KEY] = {"token": token, "kind": kind, "name": name}
    rows = {table: len(frame) for table, frame in tables.items()}
    return _form(request, context, user, kind=kind, file_name=name, rows=rows)


@router.post("/imports/confirm", response_class=HTMLResponse)
def confirm(request: Request, context: ContextDep, user: PageUser) -> Response:
    if user.role not in WRITER_ROLES:
        return _refusal(request, context, user)
    pending = _pending(request)
    if pending is None:
        return message_page(request, context, user, 409, "没有待确认的上传文件，请重新上传", "no upload is waiting; upload the file again")
    try:
        report = import_files(context.engine, [(pending["kind"], _path(pending))], actor=user.username)
    except io.InputError as exc:
        _discard(request)
        return _form(request, context, user, 422, kind=pending["kind"], file_name=pending["name"], problems=exc.problems,
                     omitted=exc.omitted)  # fmt: skip
    context.data_changed()
    _discard(request)
    return _form(request, context, user, kind=pending["kind"], file_name=pending["name"], written=report.rows)


@router.post("/imports/discard")
def discard(request: Request, user: PageUser) -> Response:
    _discard(request)
    return redirect("/imports")
