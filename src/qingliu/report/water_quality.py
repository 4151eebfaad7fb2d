"""Report section: the water environment (水环境质量) of a year or a month."""

from __future__ import annotations

import pandas as pd

from qingliu.report.content import Chart, Figure, Lang, Section, Table, pct, tr, words
from qingliu.report.network_map import network_svg
from qingliu.services.water_quality import WaterQualityAssessment
from qingliu.standards import load_class_limits

LABELS = load_class_limits().labels
"""Class labels I..V and 劣V (GB 3838-2002)."""

CLASS_COLOURS = {1: "#4dabf7", 2: "#4dabf7", 3: "#51cf66", 4: "#fcc419", 5: "#ff922b", 6: "#f03e3e"}
"""Display colours of classes I-V and 劣V (blue, green, yellow, orange, red: 环办〔2011〕22号)."""


def _yes(value: object, lang: Lang) -> str:
    if pd.isna(value):
        return ""
    return tr(lang, "达标", "met") if bool(value) else tr(lang, "未达标", "missed")


def summary_paragraphs(a: WaterQualityAssessment, lang: Lang) -> list[str]:
    """The city's status in words, as the bulletins open."""
    city = a.city.iloc[0]
    n = int(city["n_sections"])
    n_fail = int((a.sections["meets_target"] == False).sum())  # noqa: E712 (nullable boolean)
    text = [
        tr(
            lang,
            f"{a.period_label} 全市 {n} 个断面中，Ⅰ～Ⅲ类水质断面占 {pct(city['share_1_3'])}，劣Ⅴ类占 "
            f"{pct(city['share_6'])}，总体水质状况为「{city['status_zh']}」；{n - n_fail} 个断面达到水质目标，"
            f"达标率 {pct(city['share_meeting_target'])}。",
            f"In {a.period_label}, of the city's {n} sections {pct(city['share_1_3'])} were in classes I-III and "
            f"{pct(city['share_6'])} worse than V: overall {city['status_en']}; {n - n_fail} met their target class "
            f"({pct(city['share_meeting_target'])}).",
        )
    ]
    if city["main_pollutants"]:
        text.append(tr(lang, f"主要污染指标（断面超标率）：{city['main_pollutants']}。",
                       f"Main pollution indicators (share of sections exceeding class III): {city['main_pollutants']}."))
    if not a.city_change.empty:
        c = a.city_change.iloc[0]
        text.append(tr(lang, f"与上年同期相比{c['change_zh']}（ΔG−ΔD = {c['net_change']:.1f} 个百分点）。",
                       f"Compared with the same period last year: {c['change_en']} (ΔG−ΔD = {c['net_change']:.1f} points)."))
    return text


def _sections_table(a: WaterQualityAssessment, lang: Lang) -> Table:
    s = a.sections
    frame = pd.DataFrame(
        {
            tr(lang, "断面", "Section"): s["name"],
            tr(lang, "河流", "River"): s["river"],
            tr(lang, "水质类别", "Class"): s["class_label"],
            tr(lang, "水质目标", "Target"): [LABELS[int(c) - 1] for c in s["target_class"]],
            tr(lang, "达标情况", "Target met"): [_yes(v, lang) for v in s["meets_target"]],
            tr(lang, "水质状况", "Status"): words(s, "status", lang),
            tr(lang, "主要污染指标(超标倍数)", "Main pollutants (exceedance)"): s["main_pollutants"],
        }
    )
    return Table("wq_sections", tr(lang, "断面水质评价", "Water quality of sections"), frame,
                 tr(lang, "评价方法：GB 3838-2002 单因子评价法，环办〔2011〕22号。", "Method: GB 3838-2002 single-factor method, 环办〔2011〕22号."))


def _rivers_table(a: WaterQualityAssessment, lang: Lang) -> Table:
    r = a.rivers
    frame = pd.DataFrame(
        {
            tr(lang, "河流", "River"): r["river"],
            tr(lang, "断面数", "Sections"): r["n_sections"],
            tr(lang, "Ⅰ～Ⅲ类比例", "Share I-III"): r["share_1_3"].map(pct),
            tr(lang, "劣Ⅴ类比例", "Share worse than V"): r["share_6"].map(pct),
            tr(lang, "水质状况", "Status"): words(r, "status", lang),
            tr(lang, "主要污染指标", "Main pollutants"): r["main_pollutants"],
        }
    )
    return Table("wq_rivers", tr(lang, "河流水质状况", "Water quality of rivers"), frame,
                 tr(lang, "断面少于5个的河流取各指标均值评价，5个及以上用断面类别比例法。",
                    "Rivers with fewer than 5 sections are classed on item means; 5 or more by section shares."))


def _warnings_table(a: WaterQualityAssessment, lang: Lang) -> Table | None:
    w = a.warnings
    w = w[w["severity"] > 0] if not w.empty else w
    if w.empty:
        return None
    frame = pd.DataFrame(
        {
            tr(lang, "断面", "Section"): w["name"],
            tr(lang, "河流", "River"): w["river"],
            tr(lang, "预警状态", "Status"): w["status_zh"] if lang == "zh" else w["status_en"],
            tr(lang, "风险指标", "Items at risk"): w["items_at_risk"],
            tr(lang, "余月需降幅", "Required fall"): w["max_required_change"].map(pct),
        }
    )
    return Table("wq_warnings", tr(lang, "年度目标预警", "Early warning on the annual target"), frame,
                 tr(lang, "按年初至今月均值与往年同期推算全年均值。", "From the year-to-date monthly means and the same months of previous years."))


def _trends_table(a: WaterQualityAssessment, lang: Lang) -> Table | None:
    t = a.trends
    if t.empty:
        return None
    t = t[t["trend"] != "no trend"]
    frame = pd.DataFrame(
        {
            tr(lang, "断面", "Section"): t["name"],
            tr(lang, "指标", "Item"): t["parameter"],
            tr(lang, "趋势", "Trend"): t["trend_zh"] if lang == "zh" else t["trend"],
            "p": t["p"],
            tr(lang, "Sen斜率(每年)", "Sen's slope per year"): t["slope_per_year"],
        }
    )
    return Table("wq_trends", tr(lang, "显著变化趋势（季节性Kendall检验）", "Significant trends (seasonal Kendall test)"), frame)


def _trophic_table(a: WaterQualityAssessment, lang: Lang) -> Table | None:
    t = a.trophic
    if t.empty:
        return None
    frame = pd.DataFrame(
        {
            tr(lang, "断面", "Section"): t["name"],
            "TLI(Σ)": t["tli"].round(1),
            tr(lang, "营养状态", "Trophic state"): t["trophic_zh"] if lang == "zh" else t["trophic_en"],
        }
    )
    return Table("wq_trophic", tr(lang, "湖库营养状态", "Trophic state of reservoirs"), frame)


def class_pie(a: WaterQualityAssessment, lang: Lang) -> Chart:
    counts = a.sections.loc[a.sections["class"] > 0, "class"].value_counts()
    classes = [k for k in range(1, 7) if counts.get(k, 0)]
    labels = [*LABELS[:5], tr(lang, LABELS[5], "worse than V")]
    frame = pd.DataFrame({tr(lang, "类别", "Class"): [labels[k - 1] for k in classes],
                          tr(lang, "断面数", "Sections"): [int(counts[k]) for k in classes]})
    return Chart("wqclass_pie", tr(lang, "断面水质类别构成", "Sections by water-quality class"), "pie", frame,
                 colors=tuple(CLASS_COLOURS[k] for k in classes))


def history_chart(a: WaterQualityAssessment, lang: Lang) -> Chart | None:
    h = a.history
    if len(h) < 2:
        return None
    frame = pd.DataFrame(
        {
            tr(lang, "年份", "Year"): h["year"].astype(str),
            tr(lang, "Ⅰ～Ⅲ类比例", "Share I-III"): (100 * h["share_1_3"]).round(1),
            tr(lang, "达标比例", "Share meeting target"): (100 * h["share_meeting_target"]).round(1),
            tr(lang, "劣Ⅴ类比例", "Share worse than V"): (100 * h["share_6"]).round(1),
        }
    )
    return Chart("wq_history", tr(lang, "全市断面水质比例历年变化", "City section shares by year"), "line", frame,
                 x_label=tr(lang, "年份", "Year"), y_label="%", colors=("#51cf66", "#4dabf7", "#f03e3e"))


def water_quality_section(a: WaterQualityAssessment, nodes: pd.DataFrame, lang: Lang) -> Section:
    """Status, map, sections, rivers, trends, warnings and trophic state."""
    s = a.sections
    markers = pd.DataFrame(
        {
            "node_id": s["node_id"],
            "label": s["name"] + " " + s["class_label"],
            "color": s["class"].map(CLASS_COLOURS).fillna("#adb5bd"),
        }
    )
    figure = Figure(
        "wq_map",
        tr(lang, f"{a.period_label} 断面水质类别", f"Water-quality class of sections, {a.period_label}"),
        network_svg(nodes, markers, title=tr(lang, "断面水质", "Section classes")),
        tr(lang, "蓝：Ⅰ～Ⅱ类；绿：Ⅲ类；黄：Ⅳ类；橙：Ⅴ类；红：劣Ⅴ类。", "Blue: I-II; green: III; yellow: IV; orange: V; red: worse than V."),
    )
    blocks: list = [figure, class_pie(a, lang)]
    history = history_chart(a, lang)
    if history is not None:
        blocks.append(history)
    blocks += [_sections_table(a, lang), _rivers_table(a, lang)]
    blocks += [b for b in (_trends_table(a, lang), _warnings_table(a, lang), _trophic_table(a, lang)) if b is not None]
    return Section(tr(lang, f"水环境质量（{a.period_label}）", f"Water environment ({a.period_label})"), summary_paragraphs(a, lang), blocks)
