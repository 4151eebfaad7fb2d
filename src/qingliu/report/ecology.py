"""Report section: the water ecology (水生态) of a year — eco-flow, hydrologic alteration, river health."""

from __future__ import annotations

from collections import Counter

import pandas as pd

from qingliu.assess.ecoflow import settings
from qingliu.assess.health import load_system
from qingliu.report.content import (
    Band,
    Block,
    Chart,
    Lang,
    Section,
    Table,
    joined,
    pct,
    tr,
)
from qingliu.services.ecology import EcologyAssessment

METHOD_EN = {
    "tennant": "Tennant",
    "qp": "Qp of the driest month",
    "recent_driest_month": "driest month of the last 10 years",
    "7q10": "7Q10",
    "30q10": "30Q10",
    "q90": "flow duration Q90",
    "q95": "flow duration Q95",
    "monthly": "monthly flow duration",
}
"""English names of the target methods (:data:`qingliu.assess.ecoflow.METHOD_ZH` gives the Chinese)."""

RULE_BAND = "#d3f9d8"
"""Green band of the 90 % rule on the compliance chart."""

HISTORY_YEARS = 10
"""Years of the city's compliance shown on the history chart."""

MOST_ALTERED = 3
"""Parameters named in the summary: those most often highly altered across stations."""


def _rule() -> float:
    """The daily-compliance threshold of the 90 % rule (``ecoflow.toml``)."""
    return settings()["compliance"]["daily_threshold"]


def _year_rows(a: EcologyAssessment, year: int) -> pd.DataFrame:
    """The stations' compliance in ``year`` (empty without flows)."""
    return a.compliance[a.compliance["year"] == year] if a.has_flows else a.compliance


def _compliance_paragraph(a: EcologyAssessment, lang: Lang) -> list[str]:
    rows = _year_rows(a, a.year)
    if rows.empty:
        return []
    city = a.city.set_index("year")
    share = city.at[a.year, "share"]
    before = city.at[a.year - 1, "share"] if a.year - 1 in city.index else None
    failing = rows[~rows["meets_daily_rule"]]
    prev_zh = f"（上年 {pct(before)}）" if before is not None else ""
    prev_en = f" ({pct(before)} the year before)" if before is not None else ""
    text = tr(
        lang,
        f"{a.year} 年全市 {len(rows)} 个水文站生态流量日满足率合计 {pct(share)}{prev_zh}，"
        f"{len(rows) - len(failing)} 个站达到 {100 * _rule():g}% 保障要求",
        f"In {a.year} the ecological flow was met on {pct(share)} of the station-days of the city's {len(rows)} "
        f"hydrological stations{prev_en}; {len(rows) - len(failing)} met the {100 * _rule():g} % rule",
    )
    if len(failing):
        text += tr(lang, f"，未达到的有：{joined(failing['name'], lang)}。", f"; not met at {joined(failing['name'], lang)}.")
    else:
        text += tr(lang, "。", ".")
    return [text]


def _status_paragraph(a: EcologyAssessment, lang: Lang) -> list[str]:
    s = a.status
    if s.empty:
        return []
    counts = s["status"].value_counts()
    latest = pd.Timestamp(s["date"].max())
    text = tr(
        lang,
        f"截至 {latest:%Y-%m-%d}，{counts.get('met', 0)} 个站达标、{counts.get('warning', 0)} 个站预警、"
        f"{counts.get('failed', 0)} 个站不达标",
        f"On the latest day ({latest:%Y-%m-%d}) {counts.get('met', 0)} stations met their target, "
        f"{counts.get('warning', 0)} were on warning and {counts.get('failed', 0)} below it",
    )
    below = s[s["status"] != "met"]
    if len(below):
        text += tr(lang, f"（预警或不达标：{joined(below['name'], lang)}）。",
                   f" (on warning or below: {joined(below['name'], lang)}).")
    else:
        text += tr(lang, "。", ".")
    return [text]


def _alteration_paragraph(a: EcologyAssessment, lang: Lang) -> list[str]:
    alt = a.alteration
    if alt.empty or a.pre is None or a.post is None:
        return []
    grades = Counter(alt["alteration_zh" if lang == "zh" else "alteration_en"])
    high = a.rva[a.rva["alteration"] == "high"]
    column = "parameter_zh" if lang == "zh" else "parameter_en"
    common = high.groupby(column).size().sort_values(ascending=False, kind="stable").head(MOST_ALTERED)
    text = tr(
        lang,
        f"与 {a.pre[0]}–{a.pre[1]} 年相比，{a.post[0]}–{a.post[1]} 年各站水文情势整体改变度 D0 为 "
        f"{alt['d0'].min():.2f}–{alt['d0'].max():.2f}（"
        + "、".join(f"{g} {n} 站" for g, n in grades.items()) + "）",
        f"Against {a.pre[0]}-{a.pre[1]}, the flow regime of {a.post[0]}-{a.post[1]} is altered by D0 = "
        f"{alt['d0'].min():.2f}-{alt['d0'].max():.2f} ("
        + ", ".join(f"{g}: {n}" for g, n in grades.items()) + ")",
    )
    if len(common):
        text += tr(lang, f"；高度改变最多的指标：{'、'.join(common.index)}。",
                   f"; the parameters most often highly altered: {', '.join(common.index)}.")
    else:
        text += tr(lang, "。", ".")
    return [text]


def _health_paragraph(a: EcologyAssessment, lang: Lang) -> list[str]:
    h = a.health
    if h.empty:
        return []
    classes = h.sort_values("class").groupby("class", sort=True)
    counts = tr(lang, "、", ", ").join(
        tr(lang, f"{g['class_zh'].iloc[0]} {len(g)} 条", f"{g['class_en'].iloc[0]}: {len(g)}") for _, g in classes
    )
    text = tr(lang, f"河湖健康评价 {len(h)} 条河流：{counts}", f"River health of {len(h)} rivers: {counts}")
    n_provisional = int(h["provisional"].sum())
    if n_provisional:
        text += tr(lang, f"；其中 {n_provisional} 条缺少必选指标，为暂评结果。",
                   f"; {n_provisional} of them lack required indicators and are provisional.")
    else:
        text += tr(lang, "。", ".")
    return [text]


def summary_paragraphs(a: EcologyAssessment, lang: Lang) -> list[str]:
    """The year's water ecology in words: compliance, live status, alteration, health."""
    return (
        _compliance_paragraph(a, lang)
        + _status_paragraph(a, lang)
        + _alteration_paragraph(a, lang)
        + _health_paragraph(a, lang)
    )


def _targets_table(a: EcologyAssessment, lang: Lang) -> Table:
    t = a.targets
    methods = list(dict.fromkeys(t["method"]))  # the chosen method first
    labels = {m: tr(lang, z, METHOD_EN[m]) for m, z in zip(t["method"], t["method_zh"], strict=True)}
    wide = t.pivot(index="station_id", columns="method", values="target_m3s")[methods]
    used = t[t["used"]].set_index("station_id")
    frame = pd.DataFrame({
        tr(lang, "测站", "Station"): used["name"],
        tr(lang, "河流", "River"): used["river"],
        **{f"{labels[m]} (m³/s)": wide[m] for m in methods},
        tr(lang, "系列年数", "Years"): used["n_years"],
        tr(lang, "说明", "Note"): used["note"],
    }).reset_index(drop=True)
    spec = settings()
    rating = spec["tennant"]["rating"][spec["tennant"]["default_rating"]]
    general, spawning = (spec["season"][k]["months"] for k in ("general", "spawning"))
    note = tr(
        lang,
        f"生态基流按 SL/T 712-2021《河湖生态环境需水计算规范》{labels[a.method]}确定，用于达标评价；其余方法供对比"
        f"（Tennant 法取多年平均流量的 {rating['general']}%（{general[0]}–{general[-1]}月）与 "
        f"{rating['spawning']}%（{spawning[0]}–{spawning[-1]}月））。",
        f"Base flow by {labels[a.method]} (SL/T 712-2021), used for compliance; the other methods for comparison "
        f"(Tennant: {rating['general']} % of the mean annual flow in months {general[0]}-{general[-1]}, "
        f"{rating['spawning']} % in months {spawning[0]}-{spawning[-1]}).",
    )
    return Table("eco_targets", tr(lang, "生态流量目标", "Ecological-flow targets"), frame, note)


def _status_text(row: pd.Series, lang: Lang) -> str:
    if pd.isna(row.get("status")):
        return ""
    return f"{pd.Timestamp(row['date']):%Y-%m-%d} " + (row["status_zh"] if lang == "zh" else row["status_en"])


def _compliance_table(a: EcologyAssessment, lang: Lang) -> Table:
    rows = _year_rows(a, a.year).merge(a.status[["station_id", "date", "status", "status_zh", "status_en"]], on="station_id", how="left")
    frame = pd.DataFrame({
        tr(lang, "测站", "Station"): rows["name"],
        tr(lang, "河流", "River"): rows["river"],
        tr(lang, "日满足率", "Daily rate"): rows["daily_rate"].map(pct),
        tr(lang, f"{100 * _rule():g}%保障", f"{100 * _rule():g} % rule"): rows["meets_daily_rule"].map(lambda v: tr(lang, "达标", "met") if v else tr(lang, "未达标", "missed")),
        tr(lang, "月均满足月数", "Months met (mean)"): rows["months_mean_met"].astype(str) + "/" + rows["months_assessed"].astype(str),
        tr(lang, "最长连续不满足(天)", "Longest run below (days)"): rows["longest_below"],
        tr(lang, "不满足天数", "Days below"): rows["shortfall_days"],
        tr(lang, "缺水量(万m³)", "Shortfall (10⁴ m³)"): rows["shortfall_1e4m3"].round(1),
        tr(lang, "缺测天数", "Days missing"): rows["n_missing"],
        tr(lang, "最新状态", "Latest status"): [_status_text(r, lang) for _, r in rows.iterrows()],
    })
    threshold, margin = f"{100 * _rule():g}%", f"{1 + settings()['compliance']['warning_margin']:g}"
    note = tr(
        lang,
        f"日满足率 = 日均流量不低于当月目标的天数 / 评价天数（缺测日不计入）；年日满足率不低于 {threshold} 为达标。"
        f"最新状态：低于目标为不达标，低于目标的 {margin} 倍或当月满足率低于 {threshold} 为预警。",
        f"Daily rate = days with a mean flow at or above the month's target / days assessed (missing days left out); "
        f"a year complies at {threshold} or more. Latest status: below target = not met; below {margin} × target or "
        f"a month so far under {threshold} = warning.",
    )
    return Table("eco_compliance", tr(lang, f"{a.year} 年生态流量达标情况", f"Ecological-flow compliance, {a.year}"), frame, note)


def _compliance_chart(a: EcologyAssessment, lang: Lang) -> Chart:
    this = _year_rows(a, a.year).set_index("station_id")
    before = _year_rows(a, a.year - 1).set_index("station_id")["daily_rate"].reindex(this.index)
    frame = pd.DataFrame({
        tr(lang, "测站", "Station"): this["name"].to_numpy(),
        f"{a.year}": (100 * this["daily_rate"]).round(1).to_numpy(),
        f"{a.year - 1}": (100 * before).round(1).to_numpy(),
    })
    return Chart(
        "eco_compliance_bar",
        tr(lang, "各站生态流量日满足率", "Daily eco-flow compliance by station"),
        "bar",
        frame,
        y_label=tr(lang, "日满足率 (%)", "Daily rate (%)"),
        bands=(Band(100 * _rule(), 100.0, RULE_BAND, tr(lang, f"≥{100 * _rule():g}% 达标", f"≥ {100 * _rule():g} %: met")),),
        colors=("#4dabf7", "#adb5bd"),
    )


def _history_chart(a: EcologyAssessment, lang: Lang) -> Chart | None:
    h = a.city[a.city["year"].between(a.year - HISTORY_YEARS + 1, a.year)]
    if len(h) < 2:
        return None
    frame = pd.DataFrame({
        tr(lang, "年份", "Year"): h["year"].astype(str).to_numpy(),
        tr(lang, "全市日满足率", "City daily rate"): (100 * h["share"]).round(1).to_numpy(),
    })
    return Chart("eco_city_history", tr(lang, "全市生态流量日满足率历年变化", "City eco-flow compliance by year"), "line", frame,
                 x_label=tr(lang, "年份", "Year"), y_label="%", colors=("#4dabf7",))


def _alteration_table(a: EcologyAssessment, lang: Lang) -> Table | None:
    alt = a.alteration
    if alt.empty or a.pre is None or a.post is None:
        return None
    frame = pd.DataFrame({
        tr(lang, "测站", "Station"): alt["name"],
        tr(lang, "河流", "River"): alt["river"],
        "D0": alt["d0"].round(2),
        tr(lang, "整体改变程度", "Overall alteration"): alt["alteration_zh"] if lang == "zh" else alt["alteration_en"],
        tr(lang, "高度改变指标数", "Highly altered"): alt["n_high"],
        tr(lang, "高度改变指标", "Highly altered parameters"): alt["high_zh"] if lang == "zh" else alt["high_en"],
    })
    spec = settings()["rva"]
    spread = spec["percentile_spread"]
    low, moderate = (f"{100 * g['upper']:g}%" for g in spec["grade"][:2])
    note = tr(
        lang,
        f"IHA 7.1 的 33 个水文改变指标（非参数统计），变化范围法 RVA（Richter 等 1997）：以 {a.pre[0]}–{a.pre[1]} 年"
        f"中位数两侧 {spread} 个百分位为目标范围，评价 {a.post[0]}–{a.post[1]} 年；|HA| ≤ {low} 低度、≤ {moderate} 中度、"
        "以上为高度改变，D0 为各指标 HA 的均方根。",
        f"The 33 IHA 7.1 parameters (non-parametric); Range of Variability Approach (Richter et al. 1997): the "
        f"target range is {spread} percentiles either side of the {a.pre[0]}-{a.pre[1]} median, {a.post[0]}-{a.post[1]} "
        f"assessed; |HA| ≤ {low} low, ≤ {moderate} moderate, above high; D0 is the root mean square of the HA.",
    )
    return Table("eco_alteration", tr(lang, "水文情势改变（IHA/RVA）", "Hydrologic alteration (IHA/RVA)"), frame, note)


def _health_table(a: EcologyAssessment, lang: Lang) -> Table | None:
    h = a.health
    if h.empty:
        return None
    klass = h["class_zh"] if lang == "zh" else h["class_en"]
    system = load_system(a.health_system)
    layers = [c for c in h.columns if c.startswith("score_")]
    frame = pd.DataFrame({
        tr(lang, "河流", "River"): h["river"],
        "RHI": h["rhi"].round(1),
        tr(lang, "健康等级", "Health class"): klass + h["provisional"].map(lambda p: tr(lang, "（暂评）", " (provisional)") if p else ""),
        tr(lang, "制约准则层", "Weakest layer"): h["weakest_layer_zh"] if lang == "zh" else h["weakest_layer_en"],
        **{tr(lang, system.layers[c[6:]]["zh"], system.layers[c[6:]]["en"]): h[c].round(1) for c in layers},
        tr(lang, "指标数", "Indicators"): h["n_indicators"],
        tr(lang, "缺少的必选指标", "Required indicators missing"): h["missing_required_zh"] if lang == "zh" else h["missing_required_en"],
    })
    bounds_zh = "、".join(f"{c['lower']:g} 及以上{c['zh']}" for c in system.classes[:-1]) + f"、以下{system.classes[-1]['zh']}"
    bounds_en = ", ".join(f"≥ {c['lower']:g} {c['en']}" for c in system.classes[:-1]) + f", below: {system.classes[-1]['en']}"
    note = tr(
        lang,
        f"{system.name}：RHI = Σ 准则层权重 × 准则层得分；缺少的指标不计，权重在已有指标中归一；"
        f"缺少必选指标的河流为暂评，不作正式结论。{bounds_zh}。",
        f"{system.name}: RHI = Σ layer weight × layer score; indicators without data drop out and the weights are "
        f"renormalised over those given; a river missing a required indicator is provisional. {bounds_en}.",
    )
    return Table("eco_health", tr(lang, "河湖健康评价", "River health"), frame, note)


def ecology_section(a: EcologyAssessment, lang: Lang) -> Section:
    """Targets, compliance (table and chart), hydrologic alteration and river health of the year."""
    paragraphs = summary_paragraphs(a, lang)
    blocks: list[Block] = []
    if a.has_flows:
        blocks.append(_targets_table(a, lang))
        if not _year_rows(a, a.year).empty:
            blocks += [_compliance_chart(a, lang), _compliance_table(a, lang)]
        history = _history_chart(a, lang)
        if history is not None:
            blocks.append(history)
    blocks += [b for b in (_alteration_table(a, lang), _health_table(a, lang)) if b is not None]
    paragraphs += [tr(lang, f"说明：{zh}", f"Note: {en}") for zh, en in a.notes]
    return Section(tr(lang, f"水生态（{a.year}）", f"Water ecology ({a.year})"), paragraphs, blocks)
