"""Report section: flood and drought defence (水旱灾害防御) of a year.

Design floods of the hydrological stations (SL 44-2006) with the frequency curve of the main
station on probability paper, low flows, the drought status of rain gauges (SPI) and stations
(SRI) graded by GB/T 20481-2017 with the drought events of the year, and the warning list of
stations and reservoirs, worst first.
"""

from __future__ import annotations

import base64
import math
import struct

import numpy as np
import pandas as pd

from qingliu.assess.drought import load_drought_grades
from qingliu.assess.flood_warning import DEFAULT_MAX_AGE
from qingliu.assess.frequency import distribution
from qingliu.report.content import (
    Band,
    Block,
    Chart,
    Figure,
    Lang,
    Section,
    Table,
    cell_text,
    tr,
)
from qingliu.services.flood import EVENT_SCALE, INDEX_SCALES, FloodDroughtAssessment

HEADLINE_PERIOD = 100.0
"""Return period quoted in the summary (百年一遇) when it is among the design values."""
SPI_CHART_MONTHS = 24
"""Months shown on the SPI chart, up to the latest."""

PARAMETER_LABELS = {
    "mean": ("均值(m³/s)", "Mean (m³/s)"), "cv": ("Cv", "Cv"), "cs": ("Cs", "Cs"),
    "mean_log10": ("lg均值", "Mean of log10"), "sd_log10": ("lg标准差", "SD of log10"),
    "skew_log10": ("lg偏态系数", "Skew of log10"), "location": ("位置参数", "Location"),
    "scale": ("尺度参数", "Scale"), "shape": ("形状参数", "Shape"),
}
METHOD_NAMES = {"moments": ("矩法", "method of moments"), "lmoments": ("线性矩法", "L-moments")}
INDEX_NAMES = {"spi": ("SPI", "气象干旱", "meteorological"), "sri": ("SRI", "水文干旱", "hydrological")}
GRADE_COLOURS = {2: "#ffd43b", 3: "#ffa94d", 4: "#ff6b6b", 5: "#c92a2a"}
"""Display colours of the drought grades 轻旱 ... 特旱 (yellow to dark red)."""


def _month(value: pd.Timestamp) -> str:
    return value.strftime("%Y-%m")


# --- floods ----------------------------------------------------------------------------------


def _curve_source(r: FloodDroughtAssessment, lang: Lang) -> str:
    """SL 44-2006 prescribes P-III; the other curves are alternatives to compare with."""
    if r.dist == "p3":
        return "SL 44-2006，" if lang == "zh" else "SL 44-2006, "
    return tr(lang, "比较线型（SL 44-2006 规定为 P-Ⅲ 型）：", "alternative curve (SL 44-2006 prescribes P-III): ")


def _headline(r: FloodDroughtAssessment) -> pd.Series:
    """The main station's design value at 100 years (or the longest return period given)."""
    d = r.design[r.design["station_id"] == r.main_station]
    periods = d["return_period"].to_numpy(float)
    t = HEADLINE_PERIOD if np.isin(HEADLINE_PERIOD, periods) else periods.max()
    return d[d["return_period"] == t].iloc[0]


def _flood_paragraph(r: FloodDroughtAssessment, lang: Lang) -> str:
    p = r.parameters.set_index("station_id").loc[r.main_station]
    d = distribution(r.dist)
    h = _headline(r)
    t, pct = h["return_period"], 100 * h["probability"]
    ci = 100 * r.level
    method_zh, method_en = METHOD_NAMES[r.method]
    if r.dist == "p3":
        fit_zh = f"均值 {cell_text(p['mean'])} m³/s，Cv = {p['cv']:.2f}，Cs = {p['cs']:.2f}"
        fit_en = f"mean {cell_text(p['mean'])} m³/s, Cv = {p['cv']:.2f}, Cs = {p['cs']:.2f}"
    else:
        fit_zh = "，".join(f"{PARAMETER_LABELS[name][0]} = {p[name]:.4g}" for name in d.parameters)
        fit_en = ", ".join(f"{PARAMETER_LABELS[name][1]} = {p[name]:.4g}" for name in d.parameters)
    interval = not (pd.isna(h["lower"]) or pd.isna(h["upper"]))
    band_zh = f"（{ci:g}% 置信区间 {cell_text(h['lower'])}～{cell_text(h['upper'])} m³/s）" if interval else ""
    band_en = f" ({ci:g}% interval {cell_text(h['lower'])}-{cell_text(h['upper'])} m³/s)" if interval else ""
    n_st = len(r.parameters)
    return tr(
        lang,
        f"对 {n_st} 个水文站的年最大日流量系列作频率分析（{_curve_source(r, 'zh')}{d.zh}，{method_zh}）。"
        f"控制站{p['name']}站（{p['river']}，集水面积 {cell_text(p['area_km2'])} km²）{p['first_year']}—{p['last_year']} 年"
        f"共 {p['n']} 年资料：{fit_zh}；{t:g} 年一遇（P = {pct:g}%）设计流量 {cell_text(h['value'])} m³/s{band_zh}。",
        f"Frequency analysis of the annual maximum daily flows of {n_st} stations ({_curve_source(r, 'en')}{d.en}, {method_en}). "
        f"At the main station {p['name']} ({p['river']}, catchment {cell_text(p['area_km2'])} km²), {p['n']} years "
        f"{p['first_year']}-{p['last_year']}: {fit_en}; the {t:g}-year (P = {pct:g}%) design flow is "
        f"{cell_text(h['value'])} m³/s{band_en}.",
    )


def _design_table(r: FloodDroughtAssessment, lang: Lang) -> Table:
    p = r.parameters
    d = distribution(r.dist)
    columns = {
        tr(lang, "站名", "Station"): p["name"],
        tr(lang, "河流", "River"): p["river"],
        tr(lang, "集水面积(km²)", "Catchment (km²)"): p["area_km2"],
        tr(lang, "系列年数", "Years"): p["n"],
    }
    for name in d.parameters:
        columns[tr(lang, *PARAMETER_LABELS[name])] = p[name].round(3)
    if r.dist == "p3":
        columns["Cs/Cv"] = (p["cs"] / p["cv"]).round(2)
    wide = r.design.pivot(index="station_id", columns="return_period", values="value").reindex(p["station_id"])
    for t in wide.columns:
        columns[tr(lang, f"{t:g}年一遇", f"{t:g}-year")] = wide[t].to_numpy().round(1)
    method_zh, method_en = METHOD_NAMES[r.method]
    return Table(
        "flood_design", tr(lang, "设计洪水（年最大日流量，m³/s）", "Design floods (annual maximum daily flow, m³/s)"),
        pd.DataFrame(columns),
        tr(lang, f"方法：{_curve_source(r, 'zh')}{d.zh}，{method_zh}估计参数；经验频率 P = m/(n+1)（SL 44-2006《水利水电工程"
                 "设计洪水计算规范》）；仅用完整日历年；日平均流量的年最大值，非瞬时洪峰。",
           f"Method: {_curve_source(r, 'en')}{d.en} by the {method_en}; plotting positions P = m/(n+1) (SL 44-2006); "
           "complete calendar years only; annual maxima of mean daily flows, not instantaneous peaks."),
    )


def _interval_table(r: FloodDroughtAssessment, lang: Lang) -> Table:
    d = r.design[r.design["station_id"] == r.main_station]
    name = r.parameters.set_index("station_id").loc[r.main_station, "name"]
    ci = f"{100 * r.level:g}%"
    frame = pd.DataFrame({
        tr(lang, "重现期(年)", "Return period (years)"): [f"{t:g}" for t in d["return_period"]],
        tr(lang, "频率P(%)", "Exceedance P (%)"): [f"{100 * p:g}" for p in d["probability"]],
        tr(lang, "设计值(m³/s)", "Design value (m³/s)"): d["value"].round(1).to_numpy(),
        tr(lang, f"{ci}下限", f"{ci} lower"): d["lower"].round(1).to_numpy(),
        tr(lang, f"{ci}上限", f"{ci} upper"): d["upper"].round(1).to_numpy(),
    })
    return Table("flood_interval", tr(lang, f"{name}站设计值及置信区间", f"Design values at {name} with confidence interval"),
                 frame, tr(lang, "置信区间：百分位自助法（对实测系列重抽样）。", "Interval: percentile bootstrap of the record."))


def probability_paper_figure(r: FloodDroughtAssessment, lang: Lang, station_id: str | None = None) -> Figure | None:
    """The frequency curve of a station (default: the main one) on probability paper (海森几率格纸).

    The PNG of :func:`qingliu.report.probability_paper.probability_paper_png` (labels in both
    languages) is embedded in an SVG ``<image>``, so every renderer takes it as a figure.
    """
    station_id = station_id or r.main_station
    if station_id is None or r.points.empty:
        return None
    from qingliu.report.probability_paper import probability_paper_png

    points = r.points[r.points["station_id"] == station_id].rename(columns={"station_id": "series_id"})
    curve = r.curve[r.curve["station_id"] == station_id].rename(columns={"station_id": "series_id"})
    name = r.parameters.set_index("station_id").loc[station_id, "name"]
    d = distribution(r.dist)
    png = probability_paper_png(
        points, curve,
        title=f"{name}站 年最大日流量频率曲线 / {name}: annual maximum daily flow ({d.en})",
        value_label="流量 Q (m³/s) / flow Q (m³/s)",
        band_label=f"{100 * r.level:g}% 置信区间 / confidence band",
    )
    width, height = struct.unpack(">II", png[16:24])  # the PNG header's IHDR size
    data = base64.b64encode(png).decode("ascii")
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%">'
           f'<image href="data:image/png;base64,{data}" x="0" y="0" width="{width}" height="{height}"/></svg>')
    return Figure(
        f"flood_curve_{station_id}",
        tr(lang, f"{name}站洪水频率曲线（海森几率格纸）", f"Flood frequency curve at {name} (probability paper)"),
        svg,
        tr(lang, "横轴为超过概率（正态概率刻度），上轴为重现期；空心圆为实测年最大值。",
           "Exceedance probability on a normal-probability axis, return periods on top; circles are the measured maxima."),
    )


def _low_flow_table(r: FloodDroughtAssessment, lang: Lang) -> Table:
    low = r.low_flow
    window = int(low["window"].iloc[0])
    pct = f"{100 * low['guarantee'].iloc[0]:g}%"
    frame = pd.DataFrame({
        tr(lang, "站名", "Station"): low["name"],
        tr(lang, "系列年数", "Years"): low["n"],
        tr(lang, "均值(m³/s)", "Mean (m³/s)"): low["mean"].round(3),
        "Cv": low["cv"].round(3),
        "Cs": low["cs"].round(3),
        tr(lang, f"设计值 P={pct} (m³/s)", f"Design P={pct} (m³/s)"): low["design"].round(3),
    })
    return Table("flood_low_flow", tr(lang, f"{window}日最小流量频率（枯水）", f"{window}-day low-flow frequency"), frame,
                 tr(lang, f"年最小{window}日滑动平均流量，P-Ⅲ型矩法（SL 44-2006 公式），{pct} 保证率。",
                    f"Annual minimum {window}-day mean flow, P-III by moments (SL 44-2006 formulas), {pct} guarantee."))


# --- drought ---------------------------------------------------------------------------------


def _month_words(month: pd.Timestamp, lang: Lang) -> str:
    return tr(lang, f"{month.year}年{month.month}月", month.strftime("%B %Y"))


def _drought_paragraph(r: FloodDroughtAssessment, lang: Lang) -> str:
    s = r.drought_status
    if s.empty:
        return ""
    grades = load_drought_grades()
    no_drought, bound = grades.level[-1], grades.upper[-2]  # 无旱 and the upper bound of 轻旱
    parts_zh, parts_en = [], []
    for kind, (code, zh_kind, en_kind) in INDEX_NAMES.items():
        rows = s[s["kind"] == kind]
        if rows.empty:
            continue
        label = f"{code}-{EVENT_SCALE}"
        dry = rows[rows[f"grade_{EVENT_SCALE}"] != no_drought]
        sites_zh, sites_en = ("雨量站", "rain gauges") if kind == "spi" else ("水文站", "stations")
        if dry.empty:
            parts_zh.append(f"{len(rows)} 个{sites_zh}均无{zh_kind}（{label} > {bound:g}）")
            parts_en.append(f"none of the {len(rows)} {sites_en} was in {en_kind} drought ({label} > {bound:g})")
            continue
        counts = dry[f"grade_{EVENT_SCALE}"].value_counts()
        named = [(zh, en, int(counts[lvl])) for lvl, zh, en in zip(grades.level, grades.zh, grades.en, strict=True)
                 if lvl in counts.index]  # most severe first
        worst = dry.iloc[0]
        index = worst[f"index_{EVENT_SCALE}"]
        parts_zh.append(f"{len(rows)} 个{sites_zh}中 {len(dry)} 个出现{zh_kind}（"
                        + "、".join(f"{zh}{n}站" for zh, _, n in named)
                        + f"），最重为{worst['name']}（{label} = {index:.2f}，{worst[f'grade_zh_{EVENT_SCALE}']}）")
        parts_en.append(f"{len(dry)} of {len(rows)} {sites_en} were in {en_kind} drought ("
                        + ", ".join(f"{en} {n}" for _, en, n in named)
                        + f"), the most severe {worst['name']} ({label} = {index:.2f}, {worst[f'grade_en_{EVENT_SCALE}']})")
    month = s["month"].max()
    e = r.drought_events
    n_events, n_ongoing = len(e), int(e["ongoing"].sum()) if len(e) else 0
    events_zh = f"{r.year} 年共识别干旱过程 {n_events} 次" + (f"，其中 {n_ongoing} 次尚在持续" if n_ongoing else "")
    events_en = f"{n_events} drought events touched {r.year}" + (f", {n_ongoing} still running" if n_ongoing else "")
    return tr(lang, f"旱情：截至{_month_words(month, lang)}，" + "；".join(parts_zh) + "。" + events_zh + "。",
              f"Drought: in {_month_words(month, lang)}, " + "; ".join(parts_en) + ". " + events_en + ".")


def _status_table(r: FloodDroughtAssessment, lang: Lang) -> Table:
    s = r.drought_status
    columns = {
        tr(lang, "类型", "Type"): [tr(lang, INDEX_NAMES[k][1], INDEX_NAMES[k][2]) for k in s["kind"]],
        tr(lang, "站点", "Site"): s["name"],
        tr(lang, "月份", "Month"): s["month"].map(_month),
    }
    for scale in INDEX_SCALES:
        columns[tr(lang, f"{scale}个月指数", f"{scale}-month index")] = s[f"index_{scale}"].round(2)
        columns[tr(lang, f"{scale}个月等级", f"{scale}-month grade")] = s[f"grade_{'zh' if lang == 'zh' else 'en'}_{scale}"]
    grades = load_drought_grades()
    return Table(
        "drought_status", tr(lang, "干旱状况（最新月份）", "Drought status (latest month)"), pd.DataFrame(columns),
        tr(lang, f"SPI：降水量按月份拟合伽马分布后标准正态化；SRI：月平均流量同法。等级按 {grades.source}"
                 "（轻旱 −1.0 < x ≤ −0.5，中旱 −1.5 < x ≤ −1.0，重旱 −2.0 < x ≤ −1.5，特旱 x ≤ −2.0）。",
           f"SPI: precipitation totals standardised through a gamma fit per calendar month; SRI: monthly mean flows "
           f"alike. Grades of {grades.source} (mild −1.0 < x ≤ −0.5, moderate −1.5 < x ≤ −1.0, severe −2.0 < x ≤ −1.5, "
           "extreme x ≤ −2.0)."),
    )


def _spi_chart(r: FloodDroughtAssessment, lang: Lang) -> Chart | None:
    if not r.has_rain:
        return None
    spi = r.indices[(r.indices["kind"] == "spi") & (r.indices["scale"] == EVENT_SCALE) & r.indices["index"].notna()]
    last = spi["month"].max()
    spi = spi[spi["month"] > last - pd.DateOffset(months=SPI_CHART_MONTHS)]
    wide = spi.pivot(index="month", columns="name", values="index")
    frame = wide.reset_index().rename(columns={"month": tr(lang, "月份", "Month")})
    grades = load_drought_grades()
    bottom = math.floor(min(float(np.nanmin(wide.to_numpy())), grades.upper[0] - 1))
    lows = np.concatenate([[bottom], grades.upper[:-2]])
    bands = tuple(Band(float(low), float(high), GRADE_COLOURS[int(level)], tr(lang, zh, en))
                  for low, high, level, zh, en in zip(lows, grades.upper[:-1], grades.level[:-1], grades.zh[:-1],
                                                      grades.en[:-1], strict=True))
    return Chart("drought_spi", tr(lang, f"近{SPI_CHART_MONTHS}个月 SPI-{EVENT_SCALE}", f"SPI-{EVENT_SCALE}, last {SPI_CHART_MONTHS} months"),
                 "line", frame, x_label=tr(lang, "月份", "Month"), y_label=f"SPI-{EVENT_SCALE}", bands=bands)


def _events_table(r: FloodDroughtAssessment, lang: Lang) -> Table | None:
    e = r.drought_events
    if e.empty:
        return None
    frame = pd.DataFrame({
        tr(lang, "指数", "Index"): [f"{INDEX_NAMES[k][0]}-{EVENT_SCALE}" for k in e["kind"]],
        tr(lang, "站点", "Site"): e["name"],
        tr(lang, "开始", "Start"): e["start"].map(_month),
        tr(lang, "结束", "End"): e["end"].map(_month),
        tr(lang, "历时(月)", "Months"): e["duration"],
        tr(lang, "烈度", "Severity"): e["severity"].round(2),
        tr(lang, "峰值", "Peak"): e["peak"].round(2),
        tr(lang, "最重等级", "Worst grade"): e["peak_grade_zh"] if lang == "zh" else e["peak_grade_en"],
        tr(lang, "状态", "State"): [tr(lang, "持续", "ongoing") if o else tr(lang, "结束", "ended") for o in e["ongoing"]],
    })
    return Table("drought_events", tr(lang, f"{r.year}年干旱过程", f"Drought events of {r.year}"), frame,
                 tr(lang, "游程理论：指数连续 ≤ −0.5（轻旱上限）的月份为一次干旱过程，烈度为其绝对值之和。",
                    "Run theory: consecutive months with the index ≤ −0.5 (upper bound of mild drought); severity is the sum of |index|."))


# --- warning status --------------------------------------------------------------------------


def _warning_paragraph(r: FloodDroughtAssessment, lang: Lang) -> str:
    w = r.warnings
    when = r.status_time.strftime("%Y-%m-%d %H:%M")
    raised = w[w["severity"] > 0]
    stale = int((w["stale"] & (w["severity"] >= 0)).sum())
    no_data = int((w["status"] == "no_data").sum())
    if raised.empty:
        text = tr(lang, f"汛情：截至 {when}，{len(w)} 个水文站和水库水位均未超警戒（汛限）水位。",
                  f"Flood warning: at {when} none of the {len(w)} stations and reservoirs was above its warning or flood-limit level.")
    else:
        zh = "、".join(f"{n}{s} {e:.2f} m" for n, s, e in zip(raised["name"], raised["status_zh"], raised["exceed_m"], strict=True))
        en = ", ".join(f"{n} {s} by {e:.2f} m" for n, s, e in zip(raised["name"], raised["status_en"], raised["exceed_m"], strict=True))
        text = tr(lang, f"汛情：截至 {when}，{len(raised)} 处超过特征水位：{zh}。",
                  f"Flood warning: at {when}, {len(raised)} sites were above a characteristic level: {en}.")
    if stale:
        hours = DEFAULT_MAX_AGE / pd.Timedelta(hours=1)
        text += tr(lang, f"另有 {stale} 处最新水位早于统计时间 {hours:g} 小时以上。",
                   f" {stale} sites have no reading in the {hours:g} hours before that time.")
    if no_data:
        text += tr(lang, f"{no_data} 处近期无水位数据。", f" {no_data} sites have no recent level readings.")
    return text


def _warning_table(r: FloodDroughtAssessment, lang: Lang) -> Table:
    w = r.warnings
    frame = pd.DataFrame({
        tr(lang, "站点", "Site"): w["name"].where(w["name"] != "", w["site_id"]),
        tr(lang, "类型", "Type"): w["kind_zh"] if lang == "zh" else w["kind"],
        tr(lang, "时间", "Time"): w["time"].dt.strftime("%Y-%m-%d %H:%M").fillna(""),
        tr(lang, "水位(m)", "Level (m)"): w["level_m"].round(2),
        tr(lang, "涨落", "Trend"): w["trend_zh"] if lang == "zh" else w["trend_en"],
        tr(lang, "状态", "Status"): w["status_zh"] if lang == "zh" else w["status_en"],
        tr(lang, "特征水位(m)", "Reference level (m)"): w["reference_level_m"].round(2),
        tr(lang, "超(+)/低(−)于特征水位(m)", "Above (+) / below (−) it (m)"): w["exceed_m"].round(2),
        tr(lang, "数据过时", "Stale"): [tr(lang, "是", "yes") if s else "" for s in w["stale"]],
    })
    when = r.status_time.strftime("%Y-%m-%d %H:%M")
    return Table("flood_warnings", tr(lang, f"汛情一览（截至 {when}，严重者在前）", f"Warning status at {when}, worst first"), frame,
                 tr(lang, "水文站对照警戒、保证水位，水库对照汛限水位、正常蓄水位；特征水位取自测站与水库表。",
                    "Stations against warning and guarantee levels, reservoirs against flood-limit and normal pool levels, "
                    "from the station and reservoir tables."))


# --- the section -----------------------------------------------------------------------------


def summary_paragraphs(r: FloodDroughtAssessment, lang: Lang) -> list[str]:
    """The flood, drought and warning status in words, then the notes."""
    text = []
    if not r.warnings.empty:
        text.append(_warning_paragraph(r, lang))
    if r.main_station is not None:
        text.append(_flood_paragraph(r, lang))
    drought_text = _drought_paragraph(r, lang)
    if drought_text:
        text.append(drought_text)
    text += [tr(lang, f"注：{zh}", f"Note: {en}") for zh, en in r.notes]
    return text


def flood_section(r: FloodDroughtAssessment, lang: Lang) -> Section:
    """Warning list, design floods with the probability-paper figure, low flows and drought."""
    blocks: list[Block] = []
    if not r.warnings.empty:
        blocks.append(_warning_table(r, lang))
    if r.main_station is not None:
        blocks += [_design_table(r, lang), probability_paper_figure(r, lang), _interval_table(r, lang)]
    if not r.low_flow.empty:
        blocks.append(_low_flow_table(r, lang))
    if not r.drought_status.empty:
        blocks.append(_status_table(r, lang))
    blocks += [b for b in (_spi_chart(r, lang), _events_table(r, lang)) if b is not None]
    return Section(tr(lang, f"水旱灾害防御（{r.year}）", f"Flood and drought defence ({r.year})"),
                   summary_paragraphs(r, lang), blocks)
