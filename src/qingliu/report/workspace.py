"""The workspace report as files (``qingliu report``, the reports page and API): assess, build, render."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from sqlalchemy.engine import Engine

from qingliu.report.assemble import build_report
from qingliu.report.content import Lang
from qingliu.report.render import render
from qingliu.services.assessment import assess_workspace
from qingliu.services.inventory import inventory
from qingliu.services.water_quality import NoDataError, WaterQualityAssessment


def write_workspace_report(
    engine: Engine,
    year: int | None,
    month: int | None,
    formats: Sequence[str],
    lang: Lang,
    out_dir: str | Path,
    *,
    water_quality: WaterQualityAssessment | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[Path]:
    """Write the report of ``year`` (or ``month`` of it) as ``qingliu-<period>-<lang>.<format>``.

    A monthly report is the water-quality bulletin (水质月报); a yearly one adds every other
    assessment. ``water_quality`` as for :func:`qingliu.services.assessment.assess_workspace`.

    Raises
    ------
    NoDataError
        The period has no water-quality samples.
    """
    results = assess_workspace(engine, year, month, progress, water_quality=water_quality)
    if results.water_quality is None:
        when = f"{results.year}-{month:02d}" if month else str(results.year)
        raise NoDataError(f"{when} 没有水质监测数据 / no water-quality samples for {when}")
    content = build_report(inventory(engine), results, lang=lang)
    if progress:
        progress("生成文件 / rendering")
    return render(content, formats, out_dir, stem=f"qingliu-{results.water_quality.period_label}-{lang}")
