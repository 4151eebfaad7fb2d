"""Every assessment of a workspace for one period (综合评价): what ``qingliu assess``, ``demo``,
``report`` and the dashboard show, each part computed by its own service."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.engine import Engine

from qingliu.services.ecology import EcologyAssessment, assess_ecology
from qingliu.services.flood import FloodDroughtAssessment, assess_flood_drought
from qingliu.services.pollution import PollutionAssessment, assess_pollution
from qingliu.services.water_quality import (
    NoDataError,
    WaterQualityAssessment,
    assess_water_quality,
    latest_year,
)
from qingliu.services.water_resources import (
    WaterResourcesAssessment,
    assess_water_resources,
)


@dataclass(frozen=True)
class WorkspaceAssessment:
    """The results of one period; a part is None where the workspace has no data for it."""

    year: int
    month: int | None
    water_quality: WaterQualityAssessment | None
    ecology: EcologyAssessment | None
    water_resources: WaterResourcesAssessment | None
    pollution: PollutionAssessment | None
    flood: FloodDroughtAssessment | None


def assess_workspace(
    engine: Engine,
    year: int | None = None,
    month: int | None = None,
    progress: Callable[[str], None] | None = None,
    *,
    water_quality: WaterQualityAssessment | None = None,
) -> WorkspaceAssessment:
    """Run every assessment for ``year`` (default: the latest with water-quality samples).

    ``water_quality``: the period's water-environment assessment when the caller has it
    already (the web app keeps them), so it is not computed again.

    Raises
    ------
    NoDataError
        When no year is given and the workspace has no water-quality samples to pick one, or
        when the period has no data for any assessment.
    """
    year = year or latest_year(engine)
    if year is None:
        raise NoDataError("工作空间没有水质监测数据，请指定年份 / the workspace has no water-quality samples; give a year")
    step = progress or (lambda _: None)
    step("水环境 / water environment")
    if water_quality is None:
        try:
            water_quality = assess_water_quality(engine, year, month)
        except NoDataError:
            water_quality = None
    step("水生态 / water ecology")
    ecology = assess_ecology(engine, year, water_quality=water_quality)
    ecology = ecology if ecology.has_flows and (ecology.compliance["year"] == year).any() else None
    water_resources = None
    pollution = None
    if month is None:  # water accounts, loads and capacity are yearly
        step("水资源 / water resources")
        water_resources = assess_water_resources(engine, year, water_quality=water_quality)
        water_resources = None if water_resources.empty else water_resources
    if month is None and water_quality is not None:
        step("污染防治 / pollution control")
        pollution = assess_pollution(engine, year, water_quality=water_quality)
    step("水旱灾害 / flood and drought")
    flood = assess_flood_drought(engine, year)
    flood = None if flood.empty else flood
    if all(part is None for part in (water_quality, ecology, water_resources, flood)):
        when = f"{year}-{month:02d}" if month else str(year)
        raise NoDataError(f"{when} 没有可评价的数据 / no data to assess for {when}")
    return WorkspaceAssessment(
        year=year,
        month=month,
        water_quality=water_quality,
        ecology=ecology,
        water_resources=water_resources,
        pollution=pollution,
        flood=flood,
    )
