"""The water-resources page (水资源): the water account against the quotas, the three red lines
(最严格水资源管理制度, 国发〔2012〕3号), carrying capacity (全国水资源承载能力监测预警技术大纲, 2016),
四水四定 and the reliability of supply from the allocation over the network.

The page shows the report's own section (:func:`qingliu.report.water_resources.water_resources_section`)
of :func:`qingliu.services.water_resources.assess_water_resources`, rendered by
:func:`qingliu.web.pages.ecology.report_section_page`.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from qingliu import store
from qingliu.assess.resources import CITY
from qingliu.report.content import Lang, Section, cell_text
from qingliu.report.water_resources import water_resources_section
from qingliu.services.water_resources import (
    WaterResourcesAssessment,
    assess_water_resources,
)
from qingliu.standards import load_toml
from qingliu.web.deps import ContextDep
from qingliu.web.i18n import translator
from qingliu.web.pages.base import PageUser, YearQuery, message_page
from qingliu.web.pages.ecology import (
    KeyFigure,
    report_section_page,
    water_quality_or_none,
)

router = APIRouter()

OVERLOADED = load_toml("carrying_capacity_2016")["meta"]["statuses"].index("overloaded")
"""Status code of 超载 (codes run best first, 全国水资源承载能力监测预警技术大纲 2016): this and worse count."""


def _figures(r: WaterResourcesAssessment, lang: Lang) -> list[KeyFigure]:
    t = translator(lang)
    city = r.city_figure()
    counties = r.account[r.account["county_id"] != CITY]
    status = r.capacity[r.capacity["county_id"] != CITY]
    over_quota = int((~counties["within_quota"].fillna(True).astype(bool)).sum())
    overloaded = int((status["overall_status"] >= OVERLOADED).sum())
    share = "—" if city.pct_of_quota is None else f"{cell_text(float(city.pct_of_quota))}%"
    return [
        KeyFigure("water_use", t("fig_water_use"), share,
                  t("unit_1e4m3_of") % (city.use_1e4m3 or 0.0, city.quota_1e4m3 or 0.0)),
        KeyFigure("over_quota", t("fig_counties_over_quota"), f"{over_quota} / {len(counties)}"),
        KeyFigure("overloaded", t("fig_counties_overloaded"), f"{overloaded} / {len(status)}"),
    ]  # fmt: skip


@router.get("/resources", response_class=HTMLResponse)
def resources(request: Request, context: ContextDep, user: PageUser, year: YearQuery = None) -> Response:
    with context.engine.connect() as conn:
        years = sorted({int(y) for y in store.read(conn, "water_use", columns=["year"])["year"]}, reverse=True)
    year = year or (years[0] if years else None)
    if year is None:
        return message_page(request, context, user, 404, "没有用水数据", "no water-use data")
    wq = water_quality_or_none(context, year)
    result = context.result(
        "water_resources", year, lambda: assess_water_resources(context.engine, year, water_quality=wq)
    )
    if result.empty:
        return message_page(request, context, user, 404, f"{year} 年没有用水数据", f"no water use in {year}")

    def build(lang: Lang) -> tuple[Section, list[KeyFigure]]:
        return water_resources_section(result, lang), _figures(result, lang)

    return report_section_page(request, context, user, result, year, years, build)
