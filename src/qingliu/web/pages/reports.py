"""The report page (报告): generate a bulletin (year or month; HTML, Excel, Word, PDF; zh or en), download it.

Generating and listing are the REST API's own functions (:mod:`qingliu.web.api.reports`: the
workspace's ``reports`` folder, one audit row per report), so page and API cannot drift; files
download through the API. Admins and editors generate, everyone signed in downloads.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from qingliu.report.render import FORMATS
from qingliu.services.auth import WRITER_ROLES
from qingliu.web.api import reports as api
from qingliu.web.deps import ContextDep
from qingliu.web.i18n import LANGS
from qingliu.web.pages.base import (
    NoAssessment,
    PageUser,
    assessment,
    message_page,
    no_data_page,
    page,
    period_choices,
    redirect,
)
from qingliu.web.schemas import ReportCreate

router = APIRouter()


@router.get("/reports", response_class=HTMLResponse)
def reports_page(request: Request, context: ContextDep, user: PageUser, made: str = "") -> Response:
    try:
        wq = assessment(context, None, None)
    except NoAssessment as exc:
        return no_data_page(request, context, user, exc)
    values = {
        "files": api.list_reports(request, context)["data"],
        "years": period_choices(wq)["years"],
        "formats": FORMATS,
        "langs": LANGS,
        "made": made.split(",") if made else [],
    }
    return page(request, context, user, "reports.html", values)


@router.post("/reports", response_class=HTMLResponse)
def generate(
    request: Request,
    context: ContextDep,
    user: PageUser,
    year: Annotated[int, Form()],
    month: Annotated[str, Form()] = "",
    formats: Annotated[list[str], Form()] = ["html"],  # noqa: B006 (FastAPI copies defaults)
    lang: Annotated[str, Form()] = "zh",
) -> Response:
    if user.role not in WRITER_ROLES:
        return message_page(request, context, user, 403, "只读用户不能生成报告", "viewers cannot generate reports")
    try:
        body = ReportCreate(year=year, month=int(month) if month else None, formats=formats, lang=lang)
    except (ValidationError, ValueError):
        return message_page(request, context, user, 400, "年份、月份、格式或语言无效", "invalid year, month, formats or language")
    try:
        assessment(context, body.year, body.month)
    except NoAssessment as exc:
        return no_data_page(request, context, user, exc)
    made = api.create_report(request, body, user, context)["data"]
    return redirect("/reports?made=" + ",".join(f.name for f in made))
