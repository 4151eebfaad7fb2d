"""Report section: pollution control (污染防治): loads, apportionment, model, capacity, reduction plan."""

from __future__ import annotations

import numpy as np
import pandas as pd

from qingliu.assess.loads import ITEMS
from qingliu.report.content import (
    Chart,
    Figure,
    Lang,
    Section,
    Table,
    cell_text,
    joined,
    pct,
    tr,
    words,
)
from qingliu.report.network_map import network_svg
from qingliu.services.pollution import PollutionAssessment
from qingliu.standards import catalogue

ITEM_ABBREVIATIONS = {"cod": "COD", "nh3n": "NH3-N", "tp": "TP", "tn": "TN"}
"""English names of the load items in headers (Chinese: the names of parameters.toml)."""

SHOWN_ITEMS = ("cod", "nh3n", "tp")
"""Items of the pies, apportionment, capacity and plan tables: those assessed in rivers (GB 3838-2002,
环办〔2011〕22号 leaves TN out of river classes); TN stays in the inventory tables."""

SECTOR_COLOURS = {"industry": "#5c7cfa", "agriculture": "#82c91e", "domestic": "#fab005", "other": "#adb5bd"}
"""Display colours of the sectors (工业 blue, 农业面源 green, 城乡生活 amber, 其他 grey)."""

LOAD_COLOURS = ("#ffe8cc", "#ffc078", "#ff922b", "#e8590c", "#c92a2a")
"""Map colours of the load quintiles, lightest for the smallest fifth."""

MARKER_RADIUS = (3.0, 14.0)
"""Smallest and largest marker radius on the load map, px (area proportional to the load)."""

LABELLED_NODES = 8
"""Nodes labelled on the load map: the largest loads."""

STATUS = {
    "within": ("未超载", "within capacity"),
    "over": ("超载", "over capacity"),
    "no_capacity": ("无剩余容量（上游来水已达目标限值）", "no capacity (upstream water at or above the target)"),
    "dry": ("无水", "dry"),
}


def _item(code: str, lang: Lang) -> str:
    return catalogue()[code].zh if lang == "zh" else ITEM_ABBREVIATIONS[code]


def _names(codes: str, lang: Lang) -> str:
    """Names of comma-joined item codes ("cod,tp")."""
    return joined([_item(i, lang) for i in codes.split(",") if i], lang)


# --- words -------------------------------------------------------------------------------------


def _loads_paragraph(r: PollutionAssessment, lang: Lang) -> str:
    totals = r.inventory.totals()
    sectors = r.inventory.by_sector
    when = tr(lang, f"{r.year}年", f"In {r.year}, the") if r.year is not None else tr(lang, "", "The")
    amounts = joined([tr(lang, f"{_item(i, lang)} {cell_text(totals[i])} 吨/年", f"{_item(i, lang)} {cell_text(totals[i])} t/a")
                     for i in ITEMS], lang)
    leaders = []
    for item in SHOWN_ITEMS:
        top = sectors.loc[sectors[f"{item}_share"].idxmax()]
        leaders.append(tr(lang, f"{_item(item, lang)}以{top['sector_zh']}为主（{pct(top[f'{item}_share'])}）",
                          f"{_item(item, lang)} mostly from {top['sector_en']} ({pct(top[f'{item}_share'])})"))
    n = len(r.inventory.loads)
    return tr(lang, f"{when}全市 {n} 个污染源入河量：{amounts}。{'，'.join(leaders)}。",
              f"{when} city's {n} sources put into the rivers: {amounts}. {'; '.join(leaders)}.")


def _failing_paragraph(r: PollutionAssessment, lang: Lang) -> str | None:
    if not r.has_observations:
        return None
    if r.failing.empty:
        return tr(lang, f"{r.year}年各断面化学需氧量、氨氮、总磷、总氮年均浓度均达到水质目标。",
                  f"In {r.year} the annual means of COD, NH3-N, TP and TN met the target at every section.")
    top = r.top_sources[r.top_sources["rank"] == 1].set_index(["section_id", "item"])["name"]
    parts = []
    for row in r.failing.itertuples(index=False):
        source = top.get((row.section_id, row.item))
        lead = tr(lang, f"，首要来源为{source}", f", largest source {source}") if source else ""
        parts.append(tr(lang, f"{row.name}（{_item(row.item, lang)} {row.observed_mgl:.3g} mg/L，目标 {row.target_mgl:g}{lead}）",
                        f"{row.name} ({_item(row.item, lang)} {row.observed_mgl:.3g} mg/L, target {row.target_mgl:g}{lead})"))
    return tr(lang, f"{r.year}年年均浓度超过水质目标的断面及指标：{'；'.join(parts)}。",
              f"Sections and items whose {r.year} annual mean exceeded the target: {'; '.join(parts)}.")


def _model_paragraph(r: PollutionAssessment, lang: Lang) -> str:
    k = joined([f"{_item(i, lang)} {v:.3g}/d" for i, v in r.k_per_day.items()], lang)
    fitted = (tr(lang, f"经{r.year}年实测率定", f"calibrated on {r.year}") if not r.calibration.empty
              else tr(lang, "取默认值", "at their defaults"))
    s = r.sections
    over = s[s["items_over"] != ""]
    listed = joined([tr(lang, f"{row.name}（{_names(row.items_over, lang)}）", f"{row.name} ({_names(row.items_over, lang)})")
                    for row in over.itertuples(index=False)], lang)
    result = (tr(lang, f"{len(over)} 个断面模拟浓度超过水质目标：{listed}", f"sections above target: {len(over)} ({listed})")
              if len(over) else tr(lang, "各断面模拟浓度均达到水质目标", "every section meets its target"))
    dry = tr(lang, f"；{len(r.dry_sections)} 个断面无水", f"; dry sections: {len(r.dry_sections)}") if len(r.dry_sections) else ""
    return tr(lang, f"按{r.condition_label('zh')}计算（衰减系数 K {fitted}：{k}），{result}{dry}。",
              f"Under the {r.condition_label('en')} (decay rates K {fitted}: {k}), {result}{dry}.")


def _capacity_paragraph(r: PollutionAssessment, lang: Lang) -> str:
    c = r.capacity[r.capacity["item"].isin(SHOWN_ITEMS)]
    over = c[c["status"] == "over"]
    needed = over.groupby("item")["reduction_ta"].sum()
    cuts = r.cuts.groupby("item")["cut_ta"].sum()
    need_text = joined([f"{_item(i, lang)} {cell_text(float(needed[i]))}" for i in SHOWN_ITEMS if i in needed.index], lang)
    cut_text = joined([f"{_item(i, lang)} {cell_text(float(cuts.get(i, 0.0)))}" for i in SHOWN_ITEMS], lang)
    plan = r.plan[r.plan["item"].isin(SHOWN_ITEMS)]
    by_sector = plan.groupby(words(plan, "sector", lang))["cut_ta"].sum()
    lead = ""
    if by_sector.sum() > 0:
        share = by_sector.max() / by_sector.sum()
        lead = tr(lang, f"，削减量主要来自{by_sector.idxmax()}（{pct(share)}）", f", mostly from {by_sector.idxmax()} ({pct(share)})")
    first = (tr(lang, f"{over['section_id'].nunique()} 个控制单元超过纳污能力，需削减（吨/年）{need_text}",
                f"Zones over capacity: {over['section_id'].nunique()}, which must cut (t/a) {need_text}")
             if len(over) else tr(lang, "各控制单元入河量均在纳污能力以内", "Every zone is within its capacity"))
    return tr(lang, f"{first}；满足全部断面目标的最小削减方案共削减（吨/年）{cut_text}{lead}。",
              f"{first}; the least cut meeting every section's target removes (t/a) {cut_text}{lead}.")


def summary_paragraphs(r: PollutionAssessment, lang: Lang) -> list[str]:
    """Loads, failing sections, the model and the plan in words, then the notes."""
    text = [_loads_paragraph(r, lang)]
    failing = _failing_paragraph(r, lang)
    if failing:
        text.append(failing)
    text += [_model_paragraph(r, lang), _capacity_paragraph(r, lang)]
    text += [tr(lang, f"说明：{zh}", f"Note: {en}") for zh, en in r.notes]
    return text


# --- charts and map ----------------------------------------------------------------------------


def _sector_pie(r: PollutionAssessment, item: str, lang: Lang) -> Chart:
    s = r.inventory.by_sector
    s = s[s[f"{item}_ta"] > 0]
    frame = pd.DataFrame({tr(lang, "行业", "Sector"): words(s, "sector", lang).to_numpy(),
                          tr(lang, f"{_item(item, lang)}入河量(t/a)", f"{_item(item, lang)} entering (t/a)"): s[f"{item}_ta"].round(2).to_numpy()})
    return Chart(f"pol_pie_{item}", tr(lang, f"{_item(item, lang)}入河量行业构成", f"{_item(item, lang)} entering the rivers by sector"),
                 "pie", frame, colors=tuple(SECTOR_COLOURS.get(k, SECTOR_COLOURS["other"]) for k in s["sector"]))


def load_markers(node_loads: pd.DataFrame, item: str = "cod") -> pd.DataFrame:
    """Markers of the load map: nodes with a load, coloured by quintile of the load (quantile
    classification), radius by the square root of the load (area ∝ load), the largest labelled."""
    loaded = node_loads[node_loads[f"{item}_ta"] > 0].reset_index(drop=True)
    load = loaded[f"{item}_ta"].to_numpy(float)
    if load.size == 0:
        return pd.DataFrame(columns=["node_id", "label", "color", "radius"])
    edges = np.quantile(load, np.linspace(0, 1, len(LOAD_COLOURS) + 1)[1:-1])
    colour = np.asarray(LOAD_COLOURS)[np.searchsorted(edges, load, side="left")]
    low, high = MARKER_RADIUS
    radius = low + (high - low) * np.sqrt(load / load.max())
    names = loaded["name"].where(loaded["name"].notna() & (loaded["name"] != ""), loaded["node_id"])
    shown = np.zeros(load.size, dtype=bool)
    shown[np.argsort(-load, kind="stable")[:LABELLED_NODES]] = True
    labels = np.where(shown, [f"{n} {v:,.0f} t/a" for n, v in zip(names, load, strict=True)], "")
    return pd.DataFrame({"node_id": loaded["node_id"], "label": labels, "color": colour, "radius": radius.round(1)})


def _load_map(r: PollutionAssessment, nodes: pd.DataFrame, lang: Lang) -> Figure:
    markers = load_markers(r.node_loads)
    return Figure(
        "pol_map",
        tr(lang, "化学需氧量入河量分布", "COD entering the rivers, by node"),
        network_svg(nodes, markers, title=tr(lang, "入河量", "Entering loads")),
        tr(lang, "点位为入河节点（面源按区县分摊到河段），颜色按五分位由浅到深，标注入河量最大的节点（t/a）。",
           "Markers are entry nodes (non-point loads spread over their county's reaches), coloured by quintile from light "
           "to dark; the largest are labelled (t/a)."),
    )


# --- tables ------------------------------------------------------------------------------------


def _inventory_table(table: pd.DataFrame, label: pd.Series, key: str, title: str, lang: Lang, header: str) -> Table:
    frame = pd.DataFrame({header: label.to_numpy()})
    for item in ITEMS:
        frame[tr(lang, f"{_item(item, lang)}(t/a)", f"{_item(item, lang)} (t/a)")] = table[f"{item}_ta"].round(2).to_numpy()
        frame[tr(lang, f"{_item(item, lang)}占比", f"{_item(item, lang)} share")] = table[f"{item}_share"].map(pct).to_numpy()
    return Table(key, title, frame, tr(lang, "入河量 = 产生量 × 入河系数；点源按排水量 × 浓度或申报量，面源按输出系数法（export_coefficients.toml）。",
                                       "Entering load = generated × river-entry coefficient; point sources from flow × concentration "
                                       "or reported loads, non-point sources by export coefficients (export_coefficients.toml)."))


def _apportion_table(r: PollutionAssessment, lang: Lang) -> Table:
    a = r.apportionment[r.apportionment["item"].isin(SHOWN_ITEMS)]
    shares = a.pivot_table(index=["section_id", "item"], columns="sector", values="share", sort=False)
    totals = a.groupby(["section_id", "item"], sort=False)["contribution"].sum()
    names = r.sections.set_index("section_id")["name"]
    sector_names = a.drop_duplicates("sector").set_index("sector")
    index = shares.index
    frame = pd.DataFrame({
        tr(lang, "断面", "Section"): names.reindex(index.get_level_values(0)).to_numpy(),
        tr(lang, "指标", "Item"): [_item(i, lang) for i in index.get_level_values(1)],
        tr(lang, "集水区入河量(t/a)", "Catchment load (t/a)"): totals.reindex(index).round(2).to_numpy(),
    })
    for sector in shares.columns:
        frame[words(sector_names.loc[[sector]], "sector", lang).iloc[0]] = shares[sector].map(pct).to_numpy()
    return Table("pol_apportion", tr(lang, "断面集水区污染负荷来源解析", "Sources of the load entering each section's catchment"), frame,
                 tr(lang, "全年入河量按河网汇入各断面集水区，按行业求占比。", "Annual entering loads summed over each section's catchment on the network, shares by sector."))


def _top_sources_table(r: PollutionAssessment, lang: Lang) -> Table | None:
    t = r.top_sources
    if t.empty:
        return None
    counties = r.inventory.by_county.set_index("county_id")["name"]
    names = r.sections.set_index("section_id")["name"]
    frame = pd.DataFrame({
        tr(lang, "断面", "Section"): t["section_id"].map(names).to_numpy(),
        tr(lang, "指标", "Item"): [_item(i, lang) for i in t["item"]],
        tr(lang, "排名", "Rank"): t["rank"].to_numpy(),
        tr(lang, "污染源", "Source"): t["name"].to_numpy(),
        tr(lang, "行业", "Sector"): words(t, "sector", lang).to_numpy(),
        tr(lang, "区县", "County"): t["county_id"].map(counties).to_numpy(),
        tr(lang, "贡献浓度(mg/L)", "Contribution (mg/L)"): t["contribution"].to_numpy(),
        tr(lang, "占比", "Share"): t["share"].map(pct).to_numpy(),
    })
    return Table("pol_top_sources", tr(lang, "超标断面主要污染源", "Largest sources behind the items above target"), frame,
                 tr(lang, "各源入河量经河网水质模型（实测流量、率定 K）演算到断面的浓度贡献。",
                    "Each source's load routed to the section by the network water-quality model (observed flows, calibrated K)."))


def _stations_table(r: PollutionAssessment, lang: Lang) -> Table:
    s = r.stations
    frame = pd.DataFrame({
        tr(lang, "测站", "Station"): s["name"].to_numpy(),
        tr(lang, "设计流量(m³/s)", "Design flow (m³/s)"): s["q_design"].to_numpy(),
        tr(lang, "模型流量(m³/s)", "Model flow (m³/s)"): s["q_model"].to_numpy(),
        tr(lang, "上游排水量(m³/s)", "Effluent upstream (m³/s)"): s["effluent_upstream"].to_numpy(),
        tr(lang, "流量复现", "Flow reproduced"): s["consistent"].map({True: tr(lang, "是", "yes"), False: tr(lang, "否", "no")}).to_numpy(),
    })
    return Table("pol_stations", tr(lang, "水文站设计流量", "Design flows at the hydrological stations"), frame,
                 tr(lang, "上游排水量大于设计流量处，区间天然径流按 0 计，模型流量即排水量。",
                    "Where the effluent upstream exceeds the design flow, the natural flow is taken as 0 and the model carries the effluent."))


def _model_table(r: PollutionAssessment, lang: Lang) -> Table:
    s = r.sections
    frame = pd.DataFrame({tr(lang, "断面", "Section"): s["name"].to_numpy(),
                          tr(lang, "流量(m³/s)", "Flow (m³/s)"): s["q_m3s"].to_numpy()})
    for item in SHOWN_ITEMS:
        frame[tr(lang, f"{_item(item, lang)}(mg/L)", f"{_item(item, lang)} (mg/L)")] = s[f"{item}_mgl"].to_numpy()
        frame[tr(lang, f"{_item(item, lang)}目标", f"{_item(item, lang)} target")] = s[f"{item}_target"].to_numpy()
    frame[tr(lang, "超标指标", "Above target")] = [
        tr(lang, "无水", "dry") if dry else _names(over, lang)
        for dry, over in zip(s["dry"], s["items_over"], strict=True)]
    note = tr(lang, "GB/T 25173-2010 河流一维模型 C = C0·exp(−Kx/86.4u)，汇流处完全混合。",
              "GB/T 25173-2010 river one-dimensional model C = C0·exp(−Kx/86.4u), complete mixing at confluences.")
    if len(r.uncertainty):
        risk = r.uncertainty[r.uncertainty["item"].isin(SHOWN_ITEMS)].groupby("section_id", sort=False)["p_exceed"].max()
        frame[tr(lang, "超标概率", "Probability above target")] = s["section_id"].map(risk).map(pct).to_numpy()
        runs = tr(lang, "超标概率：输出系数、入河系数与 K 的拉丁超立方抽样蒙特卡罗分析，取各指标最大值。",
                  "Probability above target: Latin-hypercube Monte Carlo over the export and river-entry coefficients and K, the largest over the items.")
        note = f"{note} {runs}"
    return Table("pol_model", tr(lang, f"{r.condition_label('zh')}下断面水质模拟", f"Modelled sections under the {r.condition_label('en')}"),
                 frame, note)


def _capacity_table(r: PollutionAssessment, lang: Lang) -> Table:
    c = r.capacity[r.capacity["item"].isin(SHOWN_ITEMS) & (r.capacity["status"] != "no_target")]
    frame = pd.DataFrame({
        tr(lang, "控制单元（断面）", "Zone (section)"): c["name"].to_numpy(),
        tr(lang, "指标", "Item"): [_item(i, lang) for i in c["item"]],
        tr(lang, "目标(mg/L)", "Target (mg/L)"): c["target_mgl"].to_numpy(),
        tr(lang, "纳污能力(t/a)", "Capacity (t/a)"): c["capacity_ta"].round(2).to_numpy(),
        tr(lang, "入河量(t/a)", "Load (t/a)"): c["load_ta"].round(2).to_numpy(),
        tr(lang, "需削减(t/a)", "Reduction (t/a)"): c["reduction_ta"].round(2).to_numpy(),
        tr(lang, "削减率", "Reduction rate"): c["reduction_rate"].map(pct).to_numpy(),
        tr(lang, "状态", "Status"): [tr(lang, *STATUS[k]) for k in c["status"]],
    })
    return Table("pol_capacity", tr(lang, "控制单元纳污能力与需削减量", "Capacity of each zone and the reduction needed"), frame,
                 tr(lang, "GB/T 25173-2010：W = (Cs·Q − 上游来量)/ā，上游断面按其目标浓度出流；入河量为设计条件下进入本单元的负荷。",
                    "GB/T 25173-2010: W = (Cs·Q − inflow from upstream)/ā, upstream sections leaving at their target; load = what enters the zone under the design condition."))


def _plan_table(r: PollutionAssessment, lang: Lang) -> Table:
    p = r.plan[(r.plan["cut_ta"] > 0) & r.plan["item"].isin(SHOWN_ITEMS)].sort_values(["item", "cut_ta"], ascending=[True, False])
    frame = pd.DataFrame({
        tr(lang, "指标", "Item"): [_item(i, lang) for i in p["item"]],
        tr(lang, "行业", "Sector"): words(p, "sector", lang).to_numpy(),
        tr(lang, "区县", "County"): p["county"].to_numpy(),
        tr(lang, "入河量(t/a)", "Load (t/a)"): p["load_ta"].round(2).to_numpy(),
        tr(lang, "削减量(t/a)", "Cut (t/a)"): p["cut_ta"].round(2).to_numpy(),
        tr(lang, "削减率", "Cut rate"): p["cut_rate"].map(pct).to_numpy(),
        tr(lang, "占该指标总削减", "Share of the item's cut"): p["share_of_cut"].map(pct).to_numpy(),
    })
    return Table("pol_plan", tr(lang, "最小削减方案（按行业、区县）", "Least-cut plan by sector and county"), frame,
                 tr(lang, "线性规划（HiGHS）求满足全部断面目标的最小总削减量。", "Linear programme (HiGHS): the least total cut meeting every section's target."))


def _calibration_tables(r: PollutionAssessment, lang: Lang) -> list[Table]:
    if r.calibration.empty:
        return []
    c = r.calibration
    summary = pd.DataFrame({
        tr(lang, "指标", "Item"): [_item(i, lang) for i in c["item"]],
        "K (1/d)": c["k_per_day"].to_numpy(),
        tr(lang, "标准误", "Std. error"): c["k_se"].to_numpy(),
        tr(lang, "达到取值边界", "At a bound"): c["at_bound"].map({True: tr(lang, "是", "yes"), False: ""}).to_numpy(),
        tr(lang, "断面数", "Sections"): c["n"].to_numpy(),
        "RMSE (mg/L)": c["rmse"].to_numpy(),
        tr(lang, "偏差(mg/L)", "Bias (mg/L)"): c["bias"].to_numpy(),
        "NSE": c["nse"].to_numpy(),
        "R²": c["r2"].to_numpy(),
    })
    fit = r.fit.pivot_table(index="section_id", columns="item", values=["observed", "simulated"], sort=False)
    names = r.sections.set_index("section_id")["name"]
    wide = pd.DataFrame({tr(lang, "断面", "Section"): names.reindex(fit.index).to_numpy()})
    for item in ITEMS:
        if ("observed", item) in fit.columns:
            wide[tr(lang, f"{_item(item, lang)}实测", f"{_item(item, lang)} observed")] = fit[("observed", item)].to_numpy()
            wide[tr(lang, f"{_item(item, lang)}模拟", f"{_item(item, lang)} modelled")] = fit[("simulated", item)].to_numpy()
    note = tr(lang, f"{r.year}年实测流量下，以断面年均浓度有界最小二乘率定 K（scipy least_squares）。",
              f"K fitted by bounded least squares (scipy least_squares) to the {r.year} section means under the observed flows.")
    return [Table("pol_calibration", tr(lang, "衰减系数率定", "Calibration of the decay rates"), summary, note),
            Table("pol_fit", tr(lang, "率定拟合（mg/L）", "Calibration fit (mg/L)"), wide)]


def pollution_section(r: PollutionAssessment, nodes: pd.DataFrame, lang: Lang) -> Section:
    """Loads by sector (pies, map, tables), apportionment, the model, capacity, the plan and the calibration."""
    inv = r.inventory
    blocks: list = [_sector_pie(r, item, lang) for item in SHOWN_ITEMS]
    blocks.append(_load_map(r, nodes, lang))
    blocks.append(_inventory_table(inv.by_sector, words(inv.by_sector, "sector", lang), "pol_sectors",
                                   tr(lang, "分行业入河量", "Entering loads by sector"), lang, tr(lang, "行业", "Sector")))
    blocks.append(_inventory_table(inv.by_county, inv.by_county["name"], "pol_counties",
                                   tr(lang, "分区县入河量", "Entering loads by county"), lang, tr(lang, "区县", "County")))
    blocks.append(_apportion_table(r, lang))
    top = _top_sources_table(r, lang)
    if top is not None:
        blocks.append(top)
    blocks += [_stations_table(r, lang), _model_table(r, lang), _capacity_table(r, lang), _plan_table(r, lang)]
    blocks += _calibration_tables(r, lang)
    when = "" if r.year is None else f"（{r.year}）"
    return Section(tr(lang, f"污染防治{when}", f"Pollution control{f' ({r.year})' if r.year is not None else ''}"),
                   summary_paragraphs(r, lang), blocks)
