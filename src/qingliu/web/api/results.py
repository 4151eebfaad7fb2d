"""Results (评价结果): the water-environment assessment, a section's detail, the overview and the map.

``year`` defaults to the latest year with samples; ``month`` (1–12) narrows the period to a
month. Assessments are cached by the app context until data are written.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, Query

from qingliu.services import dashboard
from qingliu.services.dashboard import records
from qingliu.web.api.errors import service_errors
from qingliu.web.cache import kept_view
from qingliu.web.deps import ContextDep
from qingliu.web.schemas import (
    MapPublic,
    OverviewPublic,
    SectionDetailPublic,
    WaterQualityPublic,
)

router = APIRouter(prefix="/results", tags=["results 评价结果"])

Year = Annotated[int | None, Query(ge=1900, le=2200, description="default: the latest year with samples")]
Month = Annotated[int | None, Query(ge=1, le=12, description="a month of the year; default: the whole year")]
AsOf = Annotated[date | None, Query(description="reporting date of the project figures; default today")]


def _first(frame) -> dict[str, Any] | None:
    rows = records(frame)
    return rows[0] if rows else None


@router.get("/water-quality", response_model=WaterQualityPublic)
def water_quality(context: ContextDep, year: Year = None, month: Month = None) -> dict[str, Any]:
    """Sections, rivers, counties and city status, change on last year, warnings, trophic state, history."""
    wq = context.water_quality(year, month)
    return {
        "year": wq.year,
        "month": wq.month,
        "period": wq.period_label,
        "city": _first(wq.city),
        "city_change": _first(wq.city_change),
        "sections": records(wq.sections),
        "rivers": records(wq.rivers),
        "counties": records(wq.counties),
        "cwqi": records(wq.cwqi),
        "section_change": records(wq.section_change),
        "trophic": records(wq.trophic),
        "warnings": records(wq.warnings),
        "history": records(wq.history),
    }


@router.get("/water-quality/sections/{section_id}", response_model=SectionDetailPublic)
def section(section_id: str, context: ContextDep, year: Year = None, month: Month = None) -> dict[str, Any]:
    """One section: samples per item with the GB 3838-2002 class bands, class per year, trends, warnings."""
    wq = context.water_quality(year, month)
    with service_errors():
        return kept_view(wq, ("section", section_id), lambda: dashboard.section_detail(context.engine, section_id, wq))


@router.get("/overview", response_model=OverviewPublic)
def overview(
    context: ContextDep,
    year: Year = None,
    month: Month = None,
    as_of: AsOf = None,
) -> dict[str, Any]:
    """The city's key figures with their change on the same period of the year before."""
    wq = context.water_quality(year, month)
    day = date.today() if as_of is None else pd.Timestamp(as_of).date()
    return kept_view(wq, ("overview", day), lambda: dashboard.overview(context.engine, wq, context.previous_year(wq), day))


@router.get("/map", response_model=MapPublic)
def map_features(context: ContextDep, year: Year = None, month: Month = None) -> dict[str, Any]:
    """River network segments, sections coloured by class and target status, county markers."""
    wq = context.water_quality(year, month)
    return kept_view(wq, ("map",), lambda: dashboard.map_features(context.engine, wq))
