"""The pollution-control page (污染防治): source loads by sector and county, apportionment, the
calibrated river model, environmental capacity (GB/T 25173-2010) and the reduction plan.

The page shows the report's own section (:func:`qingliu.report.pollution.pollution_section`),
rendered by :func:`qingliu.web.pages.ecology.report_section_page`.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from qingliu.report.content import Lang, Section, cell_text
from qingliu.report.pollution import pollution_section
from qingliu.services.inventory import inventory
from qingliu.services.pollution import PollutionAssessment, assess_pollution
from qingliu.web.deps import ContextDep
from qingliu.web.i18n import translator
from qingliu.web.pages.base import (
    NoAssessment,
    PageUser,
    YearQuery,
    assessment,
    no_data_page,
    period_choices,
)
from qingliu.web.pages.ecology import (
    KeyFigure,
    bilingual_error_page,
    report_section_page,
    water_quality_or_none,
)

router = APIRouter()


def _figures(r: PollutionAssessment, lang: Lang) -> list[KeyFigure]:
    t = translator(lang)
    totals = r.inventory.totals()
    failing = r.failing["section_id"].nunique() if not r.failing.empty else 0
    return [
        KeyFigure("cod", t("fig_cod_entering"), cell_text(float(totals["cod"])), t("unit_ta")),
        KeyFigure("nh3n", t("fig_nh3n_entering"), cell_text(float(totals["nh3n"])), t("unit_ta")),
        KeyFigure("failing", t("fig_failing_sections"), str(failing)),
    ]


@router.get("/pollution", response_class=HTMLResponse)
def pollution(request: Request, context: ContextDep, user: PageUser, year: YearQuery = None) -> Response:
    if year is None:  # loads are judged against the sections' samples: the latest year with samples
        try:
            year = assessment(context, None, None).year
        except NoAssessment as exc:
            return no_data_page(request, context, user, exc)
    wq = water_quality_or_none(context, year)
    try:
        result = context.result("pollution", year, lambda: assess_pollution(context.engine, year, water_quality=wq))
    except ValueError as exc:  # data the model cannot use; the services word it "中文 / English"
        return bilingual_error_page(request, context, user, 404, exc)
    years = period_choices(wq)["years"] if wq is not None else []

    def build(lang: Lang) -> tuple[Section, list[KeyFigure]]:
        return pollution_section(result, inventory(context.engine).nodes, lang), _figures(result, lang)

    return report_section_page(request, context, user, result, year, years, build)
