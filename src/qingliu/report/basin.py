"""Report section: the basin and its data (流域概况与数据清单)."""

from __future__ import annotations

import pandas as pd

from qingliu.model import TABLES
from qingliu.report.content import Figure, Lang, Section, Table, tr
from qingliu.report.network_map import network_svg
from qingliu.services.inventory import Inventory
from qingliu.standards import load_class_limits

LEVEL_ZH = {"national": "国控", "provincial": "省控", "municipal": "市控"}
BODY_ZH = {"river": "河流", "lake": "湖泊", "reservoir": "水库"}
CLASS_LABELS = load_class_limits().labels


def _counts_table(inv: Inventory, lang: Lang) -> Table:
    rows = [(tr(lang, t.zh, t.name), t.name, inv.counts.get(t.name, 0)) for t in TABLES.values()]
    frame = pd.DataFrame(rows, columns=[tr(lang, "数据表", "Table"), tr(lang, "代码", "Code"), tr(lang, "行数", "Rows")])
    return Table("counts", tr(lang, "数据表行数", "Rows per table"), frame)


def _sections_table(inv: Inventory, lang: Lang) -> Table:
    s = inv.sections
    names = dict(zip(inv.counties["county_id"], inv.counties["name"], strict=True))
    cov = inv.sample_coverage.set_index("section_id")
    frame = pd.DataFrame(
        {
            tr(lang, "断面编码", "Section"): s["section_id"],
            tr(lang, "断面名称", "Name"): s["name"],
            tr(lang, "河流", "River"): s["river"],
            tr(lang, "级别", "Level"): s["level"].map(LEVEL_ZH) if lang == "zh" else s["level"],
            tr(lang, "水体", "Water body"): s["water_body"].map(BODY_ZH) if lang == "zh" else s["water_body"],
            tr(lang, "目标", "Target"): [CLASS_LABELS[int(c) - 1] for c in s["target_class"]],
            tr(lang, "区县", "County"): s["county_id"].map(names),
            tr(lang, "出境/入黄", "Boundary"): s["is_boundary"].map({True: tr(lang, "是", "yes"), False: ""}),
            tr(lang, "监测值个数", "Values"): s["section_id"].map(cov["n_values"]).fillna(0).astype(int),
            tr(lang, "起", "From"): s["section_id"].map(cov["first"]),
            tr(lang, "止", "To"): s["section_id"].map(cov["last"]),
        }
    )
    return Table("sections", tr(lang, "监测断面", "Monitoring sections"), frame)


def _flows_table(inv: Inventory, lang: Lang) -> Table:
    st = inv.stations.set_index("station_id")
    f = inv.flow_coverage
    frame = pd.DataFrame(
        {
            tr(lang, "测站", "Station"): f["station_id"],
            tr(lang, "站名", "Name"): f["station_id"].map(st["name"]),
            tr(lang, "河流", "River"): f["station_id"].map(st["river"]),
            tr(lang, "集水面积(km²)", "Area (km²)"): f["station_id"].map(st["area_km2"]),
            tr(lang, "起", "From"): f["first"],
            tr(lang, "止", "To"): f["last"],
            tr(lang, "天数", "Days"): f["n_days"],
            tr(lang, "缺测天数", "Missing days"): f.get("missing_days"),
        }
    )
    return Table("flows", tr(lang, "水文站日流量", "Daily flows at hydrological stations"), frame)


def _water_use_table(inv: Inventory, lang: Lang) -> Table:
    names = {
        "year": tr(lang, "年份", "Year"),
        "agriculture": tr(lang, "农业", "Agriculture"),
        "industry": tr(lang, "工业", "Industry"),
        "domestic": tr(lang, "生活", "Domestic"),
        "ecological": tr(lang, "生态", "Ecological"),
        "total": tr(lang, "合计", "Total"),
    }
    frame = inv.water_use_by_year.rename(columns=names)
    return Table("water_use", tr(lang, "全市用水量（万m³）", "Water use of the city (1e4 m³)"), frame)


def basin_section(inv: Inventory, lang: Lang) -> Section:
    """The basin, its network map and an inventory of its data."""
    markers = pd.DataFrame(
        {
            "node_id": inv.sections["node_id"],
            "label": inv.sections["name"],
            "color": ["#e8590c" if b else "#2f9e44" for b in inv.sections["is_boundary"]],
        }
    )
    n_rivers = inv.nodes["river"].nunique()
    para = tr(
        lang,
        f"河网共 {len(inv.nodes)} 个节点、{n_rivers} 条河流、{len(inv.outlets)} 个出口；"
        f"监测断面 {len(inv.sections)} 个，水文站 {len(inv.stations)} 个，区县 {len(inv.counties)} 个。",
        f"The network has {len(inv.nodes)} nodes on {n_rivers} rivers with {len(inv.outlets)} outlets; "
        f"{len(inv.sections)} monitoring sections, {len(inv.stations)} hydrological stations, {len(inv.counties)} counties.",
    )
    figure = Figure(
        "network_map",
        tr(lang, "河网与监测断面示意图（橙色：出境/入黄断面）", "River network and sections (orange: boundary sections)"),
        network_svg(inv.nodes, markers, title=tr(lang, "河网示意图", "Network schematic")),
        tr(lang, "按节点坐标绘制的示意图，非测绘成果。", "Schematic drawn from node coordinates, not a survey map."),
    )
    blocks: list[Table | Figure] = [figure, _counts_table(inv, lang), _sections_table(inv, lang)]
    if len(inv.flow_coverage):
        blocks.append(_flows_table(inv, lang))
    if len(inv.water_use_by_year):
        blocks.append(_water_use_table(inv, lang))
    return Section(tr(lang, "流域概况与数据清单", "The basin and its data"), [para], blocks)
