"""Report section: water resources (水资源) of a year.

The water account per county against the quotas, the red-line and efficiency indicators with
their progress, carrying-capacity statuses, 四水四定, and the reliability of supply from the
allocation over the network (with scenarios side by side when run).
"""

from __future__ import annotations

import pandas as pd

from qingliu.assess.carrying_capacity import load_capacity_rules
from qingliu.assess.resources import CITY, load_red_lines
from qingliu.model import ORIGINS, SECTORS
from qingliu.report.content import (
    Block,
    Chart,
    Lang,
    Section,
    Table,
    cell_text,
    tr,
    words,
)
from qingliu.services.water_resources import WaterResourcesAssessment
from qingliu.simulate.allocation import load_rules

SECTOR_NAMES = {
    "agriculture": ("农业", "agriculture"), "industry": ("工业", "industry"),
    "domestic": ("生活", "domestic"), "ecological": ("生态", "ecological"), "*": ("合计", "all"),
}  # fmt: skip
ORIGIN_NAMES = {
    "surface": ("地表水", "surface"), "ground": ("地下水", "ground"),
    "reclaimed": ("再生水", "reclaimed"), "transfer": ("调水", "transfer"),
}  # fmt: skip
PRIORITY_NAMES = {
    **SECTOR_NAMES, "ecoflow": ("河道生态流量", "in-stream eco-flow"), "ecological": ("河道外生态", "off-stream ecological"),
}  # fmt: skip
SECTOR_COLOURS = ("#74c0fc", "#ffa94d", "#ff8787", "#8ce99a")
"""Stacked-bar colours of the sectors in :data:`qingliu.model.SECTORS` order."""


def _yes_no(values: pd.Series, lang: Lang) -> list[str]:
    return [
        "" if pd.isna(v) else tr(lang, "是", "yes") if v else tr(lang, "否", "no")
        for v in values
    ]


def _counties(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["county_id"] != CITY]


# --- words -----------------------------------------------------------------------------------


def _account_paragraph(r: WaterResourcesAssessment, lang: Lang) -> str:
    city = r.account[r.account["county_id"] == CITY].iloc[0]
    counties = _counties(r.account)
    over = counties[counties["within_quota"].eq(False)]
    over_gw = counties[counties["within_groundwater_quota"].eq(False)]
    quota = city["water_quota"]
    share = (
        tr(lang, f"，为控制指标 {cell_text(quota)} 万m³ 的 {100 * city['quota_ratio']:.1f}%",
           f", {100 * city['quota_ratio']:.1f}% of the quota of {cell_text(quota)} × 10⁴ m³")
        if pd.notna(quota) else ""
    )  # fmt: skip
    sectors_zh = "、".join(
        f"{SECTOR_NAMES[s][0]} {cell_text(city[f'use_{s}'])}" for s in SECTORS
    )
    sectors_en = ", ".join(
        f"{SECTOR_NAMES[s][1]} {cell_text(city[f'use_{s}'])}" for s in SECTORS
    )
    text = tr(
        lang,
        f"{r.year} 年全市用水总量 {cell_text(city['total_use'])} 万m³{share}（{sectors_zh} 万m³）。",
        f"In {r.year} the city used {cell_text(city['total_use'])} × 10⁴ m³{share} ({sectors_en} × 10⁴ m³).",
    )
    if over.empty:
        text += tr(
            lang,
            "各区县均未超过用水总量控制指标",
            " No county exceeded its total-use quota",
        )
    else:
        text += tr(lang, f"{'、'.join(over['name'])}超过用水总量控制指标",
                   f" {', '.join(over['name'])} exceeded the total-use quota")  # fmt: skip
    if not over_gw.empty:
        text += tr(lang, f"，{'、'.join(over_gw['name'])} 超过地下水开采控制指标",
                   f"; {', '.join(over_gw['name'])} exceeded the groundwater quota")  # fmt: skip
    return text + tr(lang, "。", ".")


def _capacity_paragraph(r: WaterResourcesAssessment, lang: Lang) -> str:
    rules = load_capacity_rules()
    counties = _counties(r.capacity)
    counts = counties["overall_status"].value_counts()
    parts = [(zh, en, int(counts[k])) for k, (zh, en) in enumerate(zip(rules.zh, rules.en, strict=True))
             if k in counts.index][::-1]  # fmt: skip
    city = r.capacity[r.capacity["county_id"] == CITY]
    city_zh = f"全市为{city['overall_zh'].iloc[0]}" if len(city) else ""
    city_en = f"the city is {city['overall_en'].iloc[0]}" if len(city) else ""
    scope = (
        tr(lang, "水量与水质", "quantity and quality")
        if r.quality_assessed
        else tr(lang, "水量", "quantity")
    )
    return tr(
        lang,
        f"水资源承载能力（{scope}）：{len(counties)} 个区县中"
        + "、".join(f"{zh} {n} 个" for zh, _, n in parts)
        + f"；{city_zh}。",
        f"Carrying capacity ({scope}): of {len(counties)} counties, "
        + ", ".join(f"{n} {en}" for _, en, n in parts)
        + f"; {city_en}.",
    )


def _allocation_paragraph(r: WaterResourcesAssessment, lang: Lang) -> str:
    a = r.allocation
    first, last = r.allocation_years
    total = a[a["sector"] == "*"]
    demand, shortage = total["demand"].sum(), total["shortage"].sum()
    worst = a[a["sector"] != "*"].sort_values("reliability_years").iloc[0]
    eco = r.eco_flow
    eco_zh = (
        f"，{len(eco)} 个控制断面生态流量满足率 {100 * eco['met_share'].mean():.0f}%"
        if len(eco)
        else ""
    )
    eco_en = (
        f"; eco-flow was met in {100 * eco['met_share'].mean():.0f}% of months at {len(eco)} sections"
        if len(eco)
        else ""
    )
    sector_zh, sector_en = SECTOR_NAMES[worst["sector"]]
    return tr(
        lang,
        f"按 {first}—{last} 年来水、{r.year} 年需水逐月配置：年均需水 {cell_text(demand)} 万m³，缺水 "
        f"{cell_text(shortage)} 万m³（{100 * shortage / demand:.1f}%）；保证率最低为{worst['name']}{sector_zh}用水"
        f"（{100 * worst['reliability_years']:.0f}% 的年份全额供水）{eco_zh}。",
        f"Monthly allocation with the inflows of {first}-{last} and the demands of {r.year}: mean demand "
        f"{cell_text(demand)} × 10⁴ m³/a, shortage {cell_text(shortage)} × 10⁴ m³/a ({100 * shortage / demand:.1f}%); "
        f"the least reliable is {sector_en} use in {worst['name']} (fully supplied in "
        f"{100 * worst['reliability_years']:.0f}% of years){eco_en}.",
    )


# --- tables ----------------------------------------------------------------------------------


def _account_table(r: WaterResourcesAssessment, lang: Lang) -> Table:
    a = r.account
    columns = {tr(lang, "区县", "County"): a["name"]}
    for s in SECTORS:
        columns[tr(lang, f"{SECTOR_NAMES[s][0]}", SECTOR_NAMES[s][1].capitalize())] = a[
            f"use_{s}"
        ].round(1)
    for o in ORIGINS:
        columns[tr(lang, f"{ORIGIN_NAMES[o][0]}", ORIGIN_NAMES[o][1].capitalize())] = a[
            f"use_{o}"
        ].round(1)
    columns.update({
        tr(lang, "用水总量", "Total use"): a["total_use"].round(1),
        tr(lang, "总量指标", "Quota"): a["water_quota"].round(1),
        tr(lang, "占指标(%)", "Of quota (%)"): (100 * a["quota_ratio"]).round(1),
        tr(lang, "地下水指标", "Groundwater quota"): a["groundwater_quota"].round(1),
        tr(lang, "地下水占指标(%)", "Groundwater of quota (%)"): (100 * a["groundwater_ratio"]).round(1),
        tr(lang, "未超总量", "Within quota"): _yes_no(a["within_quota"], lang),
    })  # fmt: skip
    return Table(
        "water_account", tr(lang, f"{r.year}年用水量（万m³，按行业与水源）", f"Water use in {r.year} (10⁴ m³, by sector and origin)"),
        pd.DataFrame(columns),
        tr(lang, "用水总量与地下水开采量对照各区县控制指标（国发〔2012〕3号 最严格水资源管理制度）；等于指标视为未超。",
           "Total use and groundwater against each county's quotas (State Council 国发〔2012〕3号); equal to the quota counts as within."),
    )  # fmt: skip


def _red_line_table(r: WaterResourcesAssessment, lang: Lang) -> Table:
    t = r.red_lines
    frame = pd.DataFrame({
        tr(lang, "区县", "County"): t["name"],
        tr(lang, "指标", "Indicator"): t["name_zh"] if lang == "zh" else t["name_en"],
        tr(lang, "单位", "Unit"): t["unit"],
        tr(lang, "现状值", "Value"): t["value"].round(3),
        tr(lang, "目标", "Target"): t["target"].round(3),
        tr(lang, "目标年", "Target year"): t["target_year"],
        tr(lang, "达标", "Met"): _yes_no(t["met"], lang),
        tr(lang, "进度(%)", "Progress (%)"): (100 * t["progress"]).round(0),
    })  # fmt: skip
    document = load_red_lines().document
    return Table(
        "water_red_lines", tr(lang, "三条红线与用水效率", "Red lines and water-use efficiency"), frame,
        tr(lang, f"目标：区县控制指标及 {document} 与其后国家阶段目标（red_lines.toml，标 [M] 者凭记忆整理，引用前须核对原文）；"
                 "进度 = (现状 − 基准年) / (目标 − 基准年)；下降率按可比价对照基准年。",
           f"Targets: the county quotas and the national milestones of {document} and after (red_lines.toml; those "
           "marked [M] are from memory and must be checked against the official text); progress = (value − base) / "
           "(target − base); decline rates at comparable prices against the base year."),
    )  # fmt: skip


def _capacity_table(r: WaterResourcesAssessment, lang: Lang) -> Table:
    c = r.capacity
    frame = pd.DataFrame({
        tr(lang, "区县", "County"): c["name"],
        "W/W0": c["quota_ratio"].round(3),
        tr(lang, "用水总量", "Total use"): words(c, "total_use", lang),
        "G/G0": c["groundwater_ratio"].round(3),
        tr(lang, "地下水", "Groundwater"): words(c, "groundwater", lang),
        "Q/Q0": c["quality_ratio"].round(3),
        tr(lang, "水质", "Quality"): words(c, "quality", lang),
        tr(lang, "水量要素", "Quantity"): words(c, "quantity", lang),
        tr(lang, "综合", "Overall"): words(c, "overall", lang),
    })  # fmt: skip
    rules = load_capacity_rules()
    t = rules.elements["total_use"]["thresholds"]
    q = rules.elements["quality"]["thresholds"]
    return Table(
        "water_capacity", tr(lang, "水资源承载状况", "Water-resources carrying capacity"), frame,
        tr(lang, f"{rules.document}（2016）[M]：不超载 W < {t[0]}W0，临界 {t[0]}W0 ≤ W < {t[1]}W0，超载 {t[1]}W0 ≤ W < "
                 f"{t[2]}W0，严重超载 W ≥ {t[2]}W0（地下水同）；水质 Q ≤ {q[0]}Q0 严重超载，≤ {q[1]}Q0 超载，≤ {q[2]}Q0 临界。"
                 "阈值凭记忆整理，须核对原文。Q 为断面水质达标率（代水功能区达标率）。",
           f"{rules.document} (2016) [M]: not overloaded W < {t[0]}W0, critical {t[0]}W0 ≤ W < {t[1]}W0, overloaded "
           f"{t[1]}W0 ≤ W < {t[2]}W0, severely overloaded W ≥ {t[2]}W0 (groundwater alike); quality Q ≤ {q[0]}Q0 "
           f"severe, ≤ {q[1]}Q0 overloaded, ≤ {q[2]}Q0 critical. Thresholds from memory, to be checked. Q is the "
           "share of sections meeting their target (for the water-function-zone compliance)."),
    )  # fmt: skip


def _four_water_table(r: WaterResourcesAssessment, lang: Lang) -> Table:
    f = r.four_water
    frame = pd.DataFrame({
        tr(lang, "区县", "County"): f["name"],
        tr(lang, "可用水量(万m³)", "Available (10⁴ m³)"): f["available"].round(1),
        tr(lang, "现状人口", "Population"): f["population"].round(0),
        tr(lang, "可承载人口", "Population supported"): f["population_supported"].round(0),
        tr(lang, "人口余缺", "Population headroom"): f["population_headroom"].round(0),
        tr(lang, "现状灌溉面积(亩)", "Irrigated (mu)"): f["irrigated_area_mu"].round(0),
        tr(lang, "可承载灌溉面积(亩)", "Irrigated supported (mu)"): f["irrigated_area_mu_supported"].round(0),
        tr(lang, "灌溉面积余缺(亩)", "Irrigated headroom (mu)"): f["irrigated_area_mu_headroom"].round(0),
        tr(lang, "工业增加值余缺(万元)", "Industry headroom (10⁴ yuan)"): f["industry_value_headroom"].round(0),
        tr(lang, "承载比", "Carrying ratio"): f["carrying_ratio"].round(3),
    })  # fmt: skip
    return Table(
        "water_four_fix", tr(lang, "四水四定（以水定城、定地、定人、定产）", "四水四定: what each county's water supports"), frame,
        tr(lang, "可用水量取用水总量控制指标（已扣除生态用水），按现状行业比例分配，以 water_quotas.toml 定额折算；"
                 "余缺为正表示尚有余量，为负表示超出水资源条件；承载比 < 1 即现状按定额需水超过可用水量。",
           "Available water is the total-use quota (set after ecological needs), shared as today's use, converted at "
           "the quotas of water_quotas.toml; a positive headroom is room to grow, a negative one a deficit; a carrying "
           "ratio < 1 means today's needs at the quotas exceed the water available."),
    )  # fmt: skip


def _allocation_table(r: WaterResourcesAssessment, lang: Lang) -> Table:
    a = r.allocation
    frame = pd.DataFrame({
        tr(lang, "区县", "County"): a["name"],
        tr(lang, "行业", "Sector"): [tr(lang, *SECTOR_NAMES[s]) for s in a["sector"]],
        tr(lang, "需水(万m³/a)", "Demand (10⁴ m³/a)"): a["demand"].round(1),
        tr(lang, "供水(万m³/a)", "Supply (10⁴ m³/a)"): a["supply"].round(1),
        tr(lang, "缺水率(%)", "Shortage (%)"): a["shortage_pct"].round(1),
        tr(lang, "年保证率(%)", "Reliability, years (%)"): (100 * a["reliability_years"]).round(0),
        tr(lang, "月保证率(%)", "Reliability, months (%)"): (100 * a["reliability_steps"]).round(0),
    })  # fmt: skip
    first, last = r.allocation_years
    order = sorted(load_rules().priority.items(), key=lambda kv: kv[1])
    order_zh = "、".join(PRIORITY_NAMES[k][0] for k, _ in order)
    order_en = ", ".join(PRIORITY_NAMES[k][1] for k, _ in order)
    return Table(
        "water_allocation",
        tr(lang, f"水资源配置供水保证率（{first}—{last}年来水）", f"Allocation reliability (inflows {first}-{last})"), frame,
        tr(lang, f"逐月线性规划（HiGHS）配置，优先次序（water_quotas.toml，水法第二十一条 [M]）：{order_zh}；"
                 "需水为该年用水扣除输水损失；年（月）保证率为全额供水的年（月）份比例。",
           f"Monthly linear programme (HiGHS) over the network; priorities (water_quotas.toml, Water Law art. 21 [M]): "
           f"{order_en}; demand is the year's use less conveyance losses; reliability is the share of years (months) "
           "fully supplied."),
    )  # fmt: skip


def _scenario_table(r: WaterResourcesAssessment, lang: Lang) -> Table:
    s = r.scenarios
    labels = {
        "demand": ("需水", "Demand"), "supply": ("供水", "Supply"), "shortage": ("缺水", "Shortage"),
        "shortage_pct": ("缺水率(%)", "Shortage (%)"), "eco_met_share": ("生态流量满足率", "Eco-flow met share"),
        **{f"supply_{o}": (f"{ORIGIN_NAMES[o][0]}供水", f"Supply, {ORIGIN_NAMES[o][1]}") for o in ORIGINS},
        **{f"reliability_years_{k}": (f"{SECTOR_NAMES[k][0]}年保证率", f"Reliability, {SECTOR_NAMES[k][1]}") for k in SECTORS},
    }  # fmt: skip
    frame = pd.DataFrame(
        {
            tr(lang, "指标", "Quantity"): [
                tr(lang, *labels.get(q, (q, q))) for q in s["quantity"]
            ]
        }
    )
    for name in s.columns[1:]:
        frame[tr(lang, *r.scenario_labels.get(name, (name, name)))] = (
            s[name].round(3).to_numpy()
        )
    return Table("water_scenarios", tr(lang, "情景比较（万m³/a）", "Scenarios compared (10⁴ m³/a)"), frame,
                 tr(lang, "各情景在同一网络上配置；枯水情景用其自身来水年份。",
                    "Every scenario runs on the same network; a dry-years scenario on its own years."))  # fmt: skip


# --- charts ----------------------------------------------------------------------------------


def _sector_chart(r: WaterResourcesAssessment, lang: Lang) -> Chart:
    a = _counties(r.account)
    frame = pd.DataFrame({tr(lang, "区县", "County"): a["name"].to_numpy()})
    for s in SECTORS:
        frame[tr(lang, *SECTOR_NAMES[s])] = a[f"use_{s}"].to_numpy()
    return Chart("water_use_by_sector", tr(lang, f"{r.year}年各区县分行业用水量", f"Water use by sector and county, {r.year}"),
                 "stacked_bar", frame, x_label=tr(lang, "区县", "County"), y_label=tr(lang, "万m³", "10⁴ m³"),
                 colors=SECTOR_COLOURS)  # fmt: skip


def _quota_chart(r: WaterResourcesAssessment, lang: Lang) -> Chart:
    a = _counties(r.account)
    frame = pd.DataFrame({tr(lang, "区县", "County"): a["name"].to_numpy()})
    if len(r.previous_account):
        before = r.previous_account.set_index("county_id")["total_use"]
        frame[tr(lang, f"{r.year - 1}年用水", f"Use {r.year - 1}")] = (
            a["county_id"].map(before).to_numpy()
        )
    frame[tr(lang, f"{r.year}年用水", f"Use {r.year}")] = a["total_use"].to_numpy()
    frame[tr(lang, "总量指标", "Quota")] = a["water_quota"].to_numpy()
    return Chart("water_use_vs_quota", tr(lang, "用水总量与控制指标", "Total use against the quota"), "bar", frame,
                 x_label=tr(lang, "区县", "County"), y_label=tr(lang, "万m³", "10⁴ m³"))  # fmt: skip


# --- the section -----------------------------------------------------------------------------


def summary_paragraphs(r: WaterResourcesAssessment, lang: Lang) -> list[str]:
    """Use against the quotas, carrying capacity and allocation in words, then the notes."""
    text = []
    if not r.empty:
        text += [_account_paragraph(r, lang), _capacity_paragraph(r, lang)]
    if len(r.allocation):
        text.append(_allocation_paragraph(r, lang))
    text += [tr(lang, f"注：{zh}", f"Note: {en}") for zh, en in r.notes]
    return text


def water_resources_section(r: WaterResourcesAssessment, lang: Lang) -> Section:
    """Account with its charts, red lines, carrying capacity, 四水四定 and allocation."""
    blocks: list[Block] = []
    if not r.empty:
        blocks += [_account_table(r, lang), _sector_chart(r, lang), _quota_chart(r, lang), _red_line_table(r, lang),
                   _capacity_table(r, lang)]  # fmt: skip
    if len(r.four_water):
        blocks.append(_four_water_table(r, lang))
    if len(r.allocation):
        blocks.append(_allocation_table(r, lang))
    if len(r.scenarios):
        blocks.append(_scenario_table(r, lang))
    return Section(
        tr(lang, f"水资源（{r.year}）", f"Water resources ({r.year})"),
        summary_paragraphs(r, lang),
        blocks,
    )
