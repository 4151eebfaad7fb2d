"""Section pages (监测断面): the list of sections and one section's series, classes, trends, warnings.

A section's page shows each monitored item over the trend window with the GB 3838-2002 Table 1
class bands behind it, its class in each year (环办〔2011〕22号, annual means), the seasonal
Kendall trends and the early warning on its annual target (from :mod:`qingliu.services.dashboard`).
"""

from __future__ import annotations

from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from qingliu.services import dashboard
from qingliu.services.water_quality import WaterQualityAssessment
from qingliu.web.deps import AppContext, ContextDep
from qingliu.web.i18n import translator
from qingliu.web.pages.base import (
    MonthQuery,
    PageUser,
    YearQuery,
    assessment_page,
    message_page,
    options_json,
    period_choices,
)
from qingliu.web.pages.charts import series_option

router = APIRouter()

SECTION_COLUMNS = ["section_id", "name", "river", "county_id", "level", "water_body", "target_class", "class",
                   "class_label", "meets_target", "status_zh", "status_en", "main_pollutants"]  # fmt: skip


def _list_view(wq: WaterQualityAssessment, lang: str) -> tuple[str, dict[str, Any]]:
    rows = dashboard.records(wq.sections.sort_values("section_id"), SECTION_COLUMNS)
    return translator(lang)("nav_sections"), {"wq": wq, "sections": rows, "period": period_choices(wq)}


@router.get("/sections", response_class=HTMLResponse)
def section_list(request: Request, context: ContextDep, user: PageUser, year: YearQuery = None, month: MonthQuery = None) -> Response:
    return assessment_page(request, context, user, (year, month), (), "sections.html", _list_view)


def _view(context: AppContext, section_id: str, wq: WaterQualityAssessment, lang: str) -> tuple[str, dict[str, Any]]:
    """The section page's title and values; :class:`~qingliu.services.dashboard.SectionNotFound` for no such section."""
    detail = dashboard.section_detail(context.engine, section_id, wq)
    t = translator(lang)
    series = [item for item in detail["series"] if item["time"]]
    charts = {f"series_{item['parameter']}": series_option(item, t, lang) for item in series}
    names = {item["parameter"]: item[lang] for item in detail["series"]}  # item code -> name, for trends and warnings
    values = {"wq": wq, "d": detail, "series": series, "charts": options_json(charts), "names": names,
              "period": period_choices(wq)}  # fmt: skip
    return detail["section"]["name"], values


@router.get("/sections/{section_id}", response_class=HTMLResponse)
def section_page(
    request: Request, context: ContextDep, user: PageUser, section_id: str, year: YearQuery = None, month: MonthQuery = None
) -> Response:
    build = partial(_view, context, section_id)
    try:
        return assessment_page(request, context, user, (year, month), (section_id,), "section.html", build)
    except dashboard.SectionNotFound as exc:
        return message_page(request, context, user, 404, exc.zh, exc.en)
