"""The flood and drought page (水旱灾害防御): warning status, design floods, low flows, drought.

The page shows the report's own section (:func:`qingliu.report.flood.flood_section`: the warning
list, SL 44-2006 design floods with the probability-paper figure, low flows, GB/T 20481-2017
drought grades), rendered by :func:`qingliu.web.pages.ecology.report_section_page`.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from qingliu.report.content import Lang, Section
from qingliu.report.flood import flood_section
from qingliu.services.ecology import latest_flow_year
from qingliu.services.flood import (
    EVENT_SCALE,
    FloodDroughtAssessment,
    assess_flood_drought,
)
from qingliu.standards import load_toml
from qingliu.web.deps import ContextDep
from qingliu.web.i18n import translator
from qingliu.web.pages.base import PageUser, YearQuery, message_page
from qingliu.web.pages.ecology import KeyFigure, latest, report_section_page

router = APIRouter()

NO_DROUGHT = next(g["level"] for g in load_toml("drought_grades")["grade"] if g["code"] == "none")
"""Level of 无旱 in GB/T 20481-2017 (``drought_grades.toml``): a site graded above it is in drought."""


def _figures(r: FloodDroughtAssessment, lang: Lang) -> list[KeyFigure]:
    t = translator(lang)
    w = r.warnings
    raised = f"{int((w['severity'] > 0).sum())} / {len(w)}" if not w.empty else "—"
    when = r.status_time.strftime("%Y-%m-%d %H:%M") if r.status_time is not None else ""
    drought = r.drought_status
    in_drought = int((drought[f"grade_{EVENT_SCALE}"] > NO_DROUGHT).sum()) if not drought.empty else 0
    return [
        KeyFigure("warnings", t("fig_flood_warnings"), raised, t("as_of_time") % when if when else ""),
        KeyFigure("fitted", t("fig_flood_stations"), str(len(r.parameters))),
        KeyFigure("drought", t("fig_drought_sites"), f"{in_drought} / {len(drought)}" if not drought.empty else "—"),
    ]


@router.get("/flood", response_class=HTMLResponse)
def flood(request: Request, context: ContextDep, user: PageUser, year: YearQuery = None) -> Response:
    year = year or latest(context, "flood", lambda: latest_flow_year(context.engine))
    if year is None:
        return message_page(request, context, user, 404, "没有流量、降水或水位数据", "no flows, rain or water levels")
    result = context.result("flood", year, lambda: assess_flood_drought(context.engine, year))
    years = [int(y) for y in result.annual_maxima["year"].unique()]

    def build(lang: Lang) -> tuple[Section, list[KeyFigure]]:
        return flood_section(result, lang), _figures(result, lang)

    return report_section_page(request, context, user, result, year, years, build)
