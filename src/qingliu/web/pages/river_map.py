"""The map page (地图): sections coloured by class and target status on the river network.

A schematic map from the network's node coordinates (no tiles, works offline): rivers, county
seats, sections in the colour of their class (环办〔2011〕22号 表1) with a red ring when they miss
their target; a click on a section opens its page.
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
    options_json,
    period_choices,
)
from qingliu.web.pages.charts import map_option

router = APIRouter()


def _view(context: AppContext, wq: WaterQualityAssessment, lang: str) -> tuple[str, dict[str, Any]]:
    """The page's title and values: the map's option and the counts under it."""
    features = dashboard.map_features(context.engine, wq)
    counts = {
        "sections": len(features["sections"]),
        "missed": sum(s["meets_target"] is False for s in features["sections"]),
    }
    option = options_json({"map": map_option(features, translator(lang))})["map"]
    return translator(lang)("nav_map"), {"wq": wq, "option": option, "counts": counts, "period": period_choices(wq)}


@router.get("/map", response_class=HTMLResponse)
def river_map(request: Request, context: ContextDep, user: PageUser, year: YearQuery = None, month: MonthQuery = None) -> Response:
    return assessment_page(request, context, user, (year, month), (), "map.html", partial(_view, context))
