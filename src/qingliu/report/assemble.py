"""Assemble a report's content from a workspace's results."""

from __future__ import annotations

from datetime import datetime

from qingliu.report.basin import basin_section
from qingliu.report.content import Lang, Report, tr
from qingliu.report.ecology import ecology_section
from qingliu.report.flood import flood_section
from qingliu.report.pollution import pollution_section
from qingliu.report.water_quality import water_quality_section
from qingliu.report.water_resources import water_resources_section
from qingliu.services.assessment import WorkspaceAssessment
from qingliu.services.inventory import Inventory

ILLUSTRATIVE = {
    "zh": "示意数据，非官方监测值：本报告基于内置示例（{example}）生成，仅用于演示。",
    "en": "Illustrative data, not official measurements: this report is built from the bundled example ({example}) for demonstration only.",
}


def build_report(
    inv: Inventory, results: WorkspaceAssessment | None = None, *, lang: Lang = "zh", title: str | None = None
) -> Report:
    """The workspace report: every assessment available, then the basin and its data."""
    sections = []
    if results is not None:
        if results.water_quality is not None:
            sections.append(water_quality_section(results.water_quality, inv.nodes, lang))
        if results.ecology is not None:
            sections.append(ecology_section(results.ecology, lang))
        if results.water_resources is not None:
            sections.append(water_resources_section(results.water_resources, lang))
        if results.pollution is not None:
            sections.append(pollution_section(results.pollution, inv.nodes, lang))
        if results.flood is not None:
            sections.append(flood_section(results.flood, lang))
    sections.append(basin_section(inv, lang))
    banner = ILLUSTRATIVE[lang].format(example=inv.example) if inv.example else None
    return Report(
        title=title or tr(lang, "清流 · 水生态保护与修复评估报告", "qingliu · Water-ecology assessment report"),
        subtitle=tr(lang, "晋中市示例流域" if inv.example else "", "Jinzhong example basin" if inv.example else ""),
        lang=lang,
        generated=tr(lang, "生成时间 ", "Generated ") + datetime.now().strftime("%Y-%m-%d %H:%M"),
        banner=banner,
        sections=sections,
    )
