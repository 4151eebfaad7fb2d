"""The overview page (总览): the city's key figures and their change on last year, history, gaps.

Key figures come from :func:`qingliu.services.dashboard.overview` (shares of sections in I–III
and 劣V, target compliance, water use against quota, project progress); the history line and
the class composition are the report's own charts, so page and bulletin agree.
"""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import Any

import pandas as pd
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from qingliu.report.charts import echarts_option
from qingliu.report.water_quality import class_pie, history_chart
from qingliu.services import dashboard
from qingliu.services.water_quality import WaterQualityAssessment, failing_sections
from qingliu.web.deps import AppContext, ContextDep
from qingliu.web.i18n import translator
from qingliu.web.pages.base import (
    MonthQuery,
    PageUser,
    YearQuery,
    assessment_page,
    options_json,
    period_choices,
)
from qingliu.web.pages.charts import Translate, gauge, line_option

router = APIRouter()

FIGURES = (
    ("share_1_3", "fig_share_1_3", 1, "#2f9e44"),
    ("share_6", "fig_share_6", -1, "#e03131"),
    ("share_meeting_target", "fig_meeting_target", 1, "#1c7ed6"),
    ("water_use_pct_of_quota", "fig_water_use", -1, "#0b7285"),
)
"""Gauged key figures: name in the dashboard service, text key, sign of a good change, colour."""


def _records(frame: pd.DataFrame, columns: list[str]) -> list[dict[str, Any]]:
    return dashboard.records(frame, columns) if not frame.empty else []


def _projects_chart(projects: dict[str, Any], t: Translate) -> dict[str, Any]:
    """Money spent against the money the linear schedule plans by now, and the total (1e4 yuan)."""
    frame = pd.DataFrame(
        {
            "x": [t("investment_total"), t("investment_planned"), t("investment_spent")],
            t("unit_1e4yuan"): [projects["investment_1e4yuan"], projects["planned_invested_1e4yuan"], projects["invested_1e4yuan"]],
        }
    )
    option = line_option("projects_money", frame, y_label=t("unit_1e4yuan"), colours=("#2b8ac6",), kind="bar")
    option["grid"] |= {"top": 36}
    option["xAxis"]["axisLabel"] = {"interval": 0}  # three bars: every label fits
    return option


def _charts(wq: WaterQualityAssessment, data: dict[str, Any], lang: str, t: Translate) -> dict[str, Any]:
    charts = {f"gauge_{name}": gauge(data["figures"][name]["value"], colour=colour) for name, _, _, colour in FIGURES}
    history = history_chart(wq, lang)
    if history is not None:
        charts["history"] = echarts_option(history)
    charts["class_pie"] = echarts_option(class_pie(wq, lang))
    charts["projects_money"] = _projects_chart(data["projects"], t)
    return options_json(charts)


def _view(context: AppContext, wq: WaterQualityAssessment, lang: str) -> tuple[str, dict[str, Any]]:
    """The page's title and everything it shows of the period, in ``lang``.

    Kept per assessment, language and day (project schedules move with the date).
    """
    data = dashboard.overview(context.engine, wq, context.previous_year(wq))
    warnings = wq.warnings[wq.warnings["severity"] > 0] if not wq.warnings.empty else wq.warnings
    return translator(lang)("nav_overview"), {
        "wq": wq,
        "data": data,
        "figures": FIGURES,
        "city": dashboard.records(wq.city)[0],
        "change": _records(wq.city_change, ["change_zh", "change_en", "net_change"]),
        "failing": _records(failing_sections(wq), ["section_id", "name", "river", "class", "class_label", "target_class",
                                                   "status_zh", "status_en", "main_pollutants"]),  # fmt: skip
        "warnings": _records(warnings.sort_values("severity", ascending=False),
                             ["section_id", "name", "river", "target_class", "status_zh", "status_en",
                              "items_at_risk", "max_required_change"]),  # fmt: skip
        "charts": _charts(wq, data, lang, translator(lang)),
        "period": period_choices(wq),
    }


@router.get("/", response_class=HTMLResponse)
def overview(request: Request, context: ContextDep, user: PageUser, year: YearQuery = None, month: MonthQuery = None) -> Response:
    build = partial(_view, context)
    return assessment_page(request, context, user, (year, month), (date.today(),), "overview.html", build)
