"""The water-ecology page (水生态): eco-flow targets and compliance, hydrologic alteration, river health.

The page shows the report's own section (:func:`qingliu.report.ecology.ecology_section`), so page
and report agree. :func:`report_section_page` renders any report :class:`~qingliu.report.content.Section`
as a page body (tables as HTML tables, charts as ECharts, figures as SVG); the water-resources,
pollution and flood pages use it too.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from qingliu.report.charts import echarts_option
from qingliu.report.content import Chart, Lang, Section, Table
from qingliu.report.ecology import ecology_section
from qingliu.services.auth import User
from qingliu.services.ecology import (
    EcologyAssessment,
    assess_ecology,
    city_figure,
    latest_flow_year,
)
from qingliu.services.water_quality import WaterQualityAssessment
from qingliu.web.deps import AppContext, ContextDep
from qingliu.web.i18n import translator
from qingliu.web.pages.base import (
    NoAssessment,
    PageUser,
    YearQuery,
    assessment,
    kept_page,
    message_page,
    options_json,
)

router = APIRouter()


@dataclass(frozen=True)
class KeyFigure:
    """A headline number above a section: ``key`` names its element (``figure-<key>``)."""

    key: str
    label: str
    value: str
    note: str = ""


def _kind(block: object) -> str:
    return "table" if isinstance(block, Table) else "chart" if isinstance(block, Chart) else "figure"


def report_section_page(
    request: Request,
    context: AppContext,
    user: User,
    source: object,
    year: int,
    years: Sequence[int],
    build: Callable[[Lang], tuple[Section, list[KeyFigure]]],
) -> HTMLResponse:
    """The page of a report section built from ``source`` (a cached service result) for ``year``.

    ``build(lang)`` gives the section and the key figures shown above it; the body is rendered
    once per source and language (:func:`qingliu.web.pages.base.kept_page`). ``years`` are
    offered in the year selector.
    """

    def values(lang: str) -> tuple[str, dict[str, Any]]:
        section, figures = build(lang)  # type: ignore[arg-type]
        charts = {b.key: echarts_option(b) for b in section.blocks if isinstance(b, Chart)}
        return section.title, {
            "section": section,
            "blocks": [(_kind(b), b) for b in section.blocks],
            "charts": options_json(charts),
            "figures": figures,
            "year": year,
            "years": sorted({*years, year}, reverse=True),
            "action": request.url.path,
        }

    return kept_page(request, context, user, source, (year,), "report_section.html", values)


def bilingual_error_page(request: Request, context: AppContext, user: User, status: int, exc: Exception) -> HTMLResponse:
    """A page for a service error whose message reads ``"中文 / English"`` (as the services word them)."""
    zh, _, en = str(exc).partition(" / ")
    return message_page(request, context, user, status, zh, en or zh)


def latest(context: AppContext, name: str, find: Callable[[], int | None]) -> int | None:
    """The latest year with data for page ``name`` (``find()``, cached), else that of the water-quality samples."""
    year = context.result(f"{name}_latest", None, find)
    if year is not None:
        return year
    try:
        return assessment(context, None, None).year
    except NoAssessment:
        return None


def water_quality_or_none(context: AppContext, year: int) -> WaterQualityAssessment | None:
    """The cached water-quality assessment of ``year``, None without samples then."""
    try:
        return assessment(context, year, None)
    except NoAssessment:
        return None


def _figures(a: EcologyAssessment, lang: Lang) -> list[KeyFigure]:
    t = translator(lang)
    city = city_figure(a.city, a.year) if a.has_flows else None
    value = f"{city.value_pct:.1f}%" if city is not None and city.value_pct is not None else "—"
    note = ""
    if city is not None:
        previous = f"{city.previous_pct:.1f}%" if city.previous_pct is not None else "—"
        note = t("ecoflow_figure_note") % (city.n_stations, previous)
    health = a.health
    provisional = t("provisional_count") % int(health["provisional"].sum()) if len(health) else ""
    return [
        KeyFigure("ecoflow", t("fig_ecoflow"), value, note),
        KeyFigure("health", t("fig_health_rivers"), str(len(health)), provisional),
    ]


@router.get("/ecology", response_class=HTMLResponse)
def ecology(request: Request, context: ContextDep, user: PageUser, year: YearQuery = None) -> Response:
    year = year or latest(context, "ecology", lambda: latest_flow_year(context.engine))
    if year is None:
        return message_page(request, context, user, 404, "没有日流量或水质数据", "no daily flows or water-quality samples")
    result = context.result("ecology", year, lambda: assess_ecology(context.engine, year, water_quality=water_quality_or_none(context, year)))
    years = [int(y) for y in result.city["year"]] if result.has_flows else []

    def build(lang: Lang) -> tuple[Section, list[KeyFigure]]:
        return ecology_section(result, lang), _figures(result, lang)

    return report_section_page(request, context, user, result, year, years, build)
