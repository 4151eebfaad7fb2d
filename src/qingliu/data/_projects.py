"""Projects of the example (工程项目), with status and progress as of :data:`AS_OF`.

Each project is written by hand with its schedule and a course: ``done`` (completed on time),
``on_track``, ``lagging`` (progress well behind the elapsed time), ``overdue`` (end date passed,
not finished), ``suspended`` or ``planned`` (not started). Status, progress and money spent
follow from the course and the dates, with a little seeded noise, so they never contradict
the dates. Effects name a site (outfall, section) whose node receives them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from qingliu.data._society import COUNTIES
from qingliu.model.tables import PROJECT

AS_OF = pd.Timestamp("2025-12-31")
"""Date at which status and progress are reported."""

WLB = "晋中市水利局"
EEB = "晋中市生态环境局"


@dataclass(frozen=True)
class Project:
    project_id: str
    name: str
    category: str
    county_id: str
    department: str
    start: str
    end: str
    investment_1e4yuan: float
    course: str
    description: str
    site: str = ""
    effects: dict[str, float] = field(default_factory=dict)


def _dept(county_id: str, bureau: str) -> str:
    return next(c.name for c in COUNTIES if c.county_id == county_id) + bureau


def _red(cod: float, nh3n: float, tp: float, tn: float) -> dict[str, float]:
    return {"cod_reduction_ta": cod, "nh3n_reduction_ta": nh3n, "tp_reduction_ta": tp, "tn_reduction_ta": tn}


PROJECTS = (
    Project("XM01", "榆次区第一污水处理厂提标改造工程", "water_environment", "140702", _dept("140702", "住建局"),
            "2021-03-01", "2022-10-31", 18500, "done", "出水由一级A提至准地表水IV类", "P01", _red(365, 55, 5.5, 180)),
    Project("XM02", "晋中开发区污水处理厂扩容提标工程", "water_environment", "140702", "晋中市住房和城乡建设局",
            "2022-04-01", "2024-06-30", 12600, "done", "扩容1万m3/d并深度处理", "P03", _red(210, 40, 3.2, 90)),
    Project("XM03", "太榆退水渠人工湿地水质净化工程", "water_environment", "140702", EEB,
            "2023-03-01", "2025-06-30", 9800, "overdue", "表流与潜流人工湿地约1200亩", "S11", _red(150, 30, 2.0, 60)),
    Project("XM04", "平遥县污水处理厂提标改造工程", "water_environment", "140728", _dept("140728", "住建局"),
            "2022-05-01", "2023-12-31", 7800, "done", "增设深度处理单元", "P06", _red(120, 18, 2.2, 60)),
    Project("XM05", "惠济河平遥城区段雨污分流改造工程", "water_environment", "140728", _dept("140728", "住建局"),
            "2024-03-01", "2026-10-31", 15200, "lagging", "新建分流管网约48km", "S17", _red(260, 25, 3.5, 40)),
    Project("XM06", "介休市城区雨污分流及管网改造工程", "water_environment", "140781", _dept("140781", "住建局"),
            "2021-06-01", "2023-12-31", 23000, "done", "改造管网约65km", "P07", _red(300, 35, 4.0, 60)),
    Project("XM07", "祁县污水处理厂提标改造工程", "water_environment", "140727", _dept("140727", "住建局"),
            "2023-04-01", "2024-12-31", 5600, "done", "出水提至准地表水IV类", "P05", _red(70, 12, 1.4, 35)),
    Project("XM08", "乌马河流域农村生活污水治理工程", "water_environment", "140703", _dept("140703", "住建局"),
            "2024-04-01", "2026-06-30", 6800, "on_track", "沿河46个村污水收集处理", "S12", _red(90, 12, 2.6, 20)),
    Project("XM09", "龙凤河综合整治工程", "water_environment", "140781", _dept("140781", "水利局"),
            "2022-03-01", "2025-10-31", 11800, "done", "截污纳管、清淤与生态护岸", "S18", _red(110, 15, 1.5, 25)),
    Project("XM10", "灵石县焦化废水深度处理工程", "water_environment", "140729", "晋中市生态环境局灵石分局",
            "2023-06-01", "2024-12-31", 4200, "done", "焦化废水深度处理与回用", "P18", _red(40, 8, 0.3, 12)),
    Project("XM11", "榆社县污水处理厂扩建工程", "water_environment", "140721", _dept("140721", "住建局"),
            "2026-03-01", "2027-10-31", 6200, "planned", "扩建0.5万m3/d", "P14", _red(45, 6, 0.8, 15)),
    Project("XM12", "平遥县畜禽粪污资源化利用整县推进项目", "water_environment", "140728", "晋中市农业农村局",
            "2021-04-01", "2023-06-30", 5200, "done", "规模养殖场粪污处理设施配套", "S17", _red(480, 45, 9.0, 90)),
    Project("XM13", "汾河介休段生态修复与湿地建设工程", "water_ecology", "140781", _dept("140781", "水利局"),
            "2021-05-01", "2023-10-31", 26500, "done", "河道湿地约3000亩", "S04", _red(80, 10, 1.2, 30)),
    Project("XM14", "汾河晋中段生态补水工程", "water_ecology", "140728", WLB,
            "2022-03-01", "2024-12-31", 8500, "done", "利用水库与再生水向汾河补水", "S02",
            {"ecoflow_supply_m3s": 2.5}),
    Project("XM15", "潇河生态补水及河道生态修复工程", "water_ecology", "140702", WLB,
            "2023-04-01", "2026-06-30", 19800, "on_track", "再生水补水与生态护岸", "S09",
            {"ecoflow_supply_m3s": 1.2}),
    Project("XM16", "昌源河生态廊道建设工程", "water_ecology", "140727", _dept("140727", "水利局"),
            "2024-05-01", "2026-12-31", 12300, "lagging", "河岸缓冲带与生态廊道", "S16", _red(40, 5, 0.8, 10)),
    Project("XM17", "子洪水库饮用水水源地保护工程", "water_ecology", "140727", EEB,
            "2022-04-01", "2023-11-30", 2600, "done", "保护区隔离防护与面源拦截", "S15", _red(15, 2, 0.6, 8)),
    Project("XM18", "清漳河左权段河道生态修复工程", "water_ecology", "140722", _dept("140722", "水利局"),
            "2025-04-01", "2027-06-30", 9400, "on_track", "河道生态修复约12km", "S21", _red(20, 2, 0.3, 5)),
    Project("XM19", "松溪河湿地公园建设工程", "water_ecology", "140724", _dept("140724", "住建局"),
            "2021-08-01", "2023-09-30", 4800, "done", "湿地公园约800亩", "S26", _red(30, 4, 0.5, 10)),
    Project("XM20", "云竹水库上游水土保持综合治理工程", "water_ecology", "140721", _dept("140721", "水利局"),
            "2026-04-01", "2027-11-30", 5400, "planned", "小流域综合治理约40km2", "S24", _red(25, 2, 0.8, 12)),
    Project("XM21", "太榆退水渠再生水生态补水工程", "water_ecology", "140702", WLB,
            "2024-03-01", "2025-11-30", 3900, "suspended", "再生水补水管线", "S11", {"ecoflow_supply_m3s": 0.6}),
    Project("XM22", "祁县高效节水灌溉改造项目", "water_resources", "140727", _dept("140727", "水利局"),
            "2021-03-01", "2022-12-31", 8600, "done", "喷滴灌约8万亩", "", {"water_saved_1e4m3a": 650}),
    Project("XM23", "平遥县灌区续建配套与节水改造工程", "water_resources", "140728", _dept("140728", "水利局"),
            "2022-03-01", "2025-06-30", 14500, "overdue", "渠道衬砌与量测水设施", "", {"water_saved_1e4m3a": 900}),
    Project("XM24", "太谷区高效节水灌溉项目", "water_resources", "140703", _dept("140703", "水利局"),
            "2023-03-01", "2024-10-31", 6200, "done", "管灌与滴灌约5万亩", "", {"water_saved_1e4m3a": 420}),
    Project("XM25", "晋中市城区再生水利用工程", "water_resources", "140702", "晋中市住房和城乡建设局",
            "2022-06-01", "2025-09-30", 16800, "done", "再生水厂与配水管网", "", {"water_saved_1e4m3a": 1200}),
    Project("XM26", "介休市工业园区再生水回用工程", "water_resources", "140781", _dept("140781", "住建局"),
            "2024-05-01", "2026-04-30", 7500, "on_track", "园区再生水回用管网", "", {"water_saved_1e4m3a": 600}),
    Project("XM27", "引黄供水晋中配套工程(榆次太谷段)", "water_resources", "140702", WLB,
            "2021-04-01", "2024-06-30", 32000, "done", "引黄输水管线与调蓄池", ""),
    Project("XM28", "寿阳县农业水价综合改革及节水改造", "water_resources", "140725", _dept("140725", "水利局"),
            "2025-03-01", "2026-11-30", 3600, "on_track", "计量设施与节水改造", "", {"water_saved_1e4m3a": 280}),
    Project("XM29", "灵石县城乡供水一体化工程", "water_resources", "140729", _dept("140729", "水利局"),
            "2026-03-01", "2027-12-31", 11200, "planned", "管网漏损治理与集中供水", "", {"water_saved_1e4m3a": 150}),
    Project("XM30", "汾河灵石段堤防加固工程", "flood_drought", "140729", _dept("140729", "水利局"),
            "2022-03-01", "2023-10-31", 15600, "done", "加固堤防约18km"),
    Project("XM31", "汾河介休段防洪治理工程", "flood_drought", "140781", _dept("140781", "水利局"),
            "2022-02-01", "2024-08-31", 21800, "done", "2021年秋汛后堤防修复与提标"),
    Project("XM32", "潇河榆次段河道清淤及堤防提升工程", "flood_drought", "140702", _dept("140702", "水利局"),
            "2024-03-01", "2025-10-31", 13400, "overdue", "清淤约60万m3、堤防提升约9km"),
    Project("XM33", "惠济河平遥城区段河道清淤工程", "flood_drought", "140728", _dept("140728", "水利局"),
            "2025-03-01", "2026-05-31", 4300, "lagging", "清淤约15万m3"),
    Project("XM34", "昌源河祁县段堤防加固工程", "flood_drought", "140727", _dept("140727", "水利局"),
            "2023-04-01", "2024-09-30", 6900, "done", "加固堤防约11km"),
    Project("XM35", "晋中市山洪灾害防治非工程措施项目", "flood_drought", "140723", WLB,
            "2025-05-01", "2026-12-31", 3200, "on_track", "监测预警站点与预案"),
    Project("XM36", "昔阳县抗旱应急水源工程", "flood_drought", "140724", _dept("140724", "水利局"),
            "2026-05-01", "2027-09-30", 4100, "planned", "应急水源井与输水管线"),
    Project("XM37", "云竹水库除险加固工程", "flood_drought", "140721", _dept("140721", "水利局"),
            "2021-09-01", "2022-12-31", 5800, "done", "大坝防渗与溢洪道改造"),
    Project("XM38", "子洪水库除险加固工程", "flood_drought", "140727", WLB,
            "2026-09-01", "2027-12-31", 6600, "planned", "坝体加固与泄洪设施改造"),
)  # fmt: skip

EFFECT_COLUMNS = ("cod_reduction_ta", "nh3n_reduction_ta", "tp_reduction_ta", "tn_reduction_ta",
                  "water_saved_1e4m3a", "ecoflow_supply_m3s")  # fmt: skip


def projects(node_of: dict[str, str], rng: np.random.Generator) -> pd.DataFrame:
    """The project table (columns of ``model.tables.PROJECT``), status and progress as of 2025-12-31."""
    p = PROJECTS
    start = pd.to_datetime([x.start for x in p])
    end = pd.to_datetime([x.end for x in p])
    course = np.array([x.course for x in p])
    elapsed = np.clip(((AS_OF - start) / (end - start)).to_numpy(dtype=float), 0.0, 1.0)
    progress = np.select(
        [course == "done", course == "planned", course == "overdue", course == "lagging", course == "suspended"],
        [np.full(len(p), 100.0), np.zeros(len(p)), rng.uniform(70, 92, len(p)),
         100 * elapsed * rng.uniform(0.45, 0.65, len(p)), rng.uniform(20, 50, len(p))],
        default=np.clip(100 * elapsed * rng.uniform(0.95, 1.08, len(p)), 0, 98),
    )  # fmt: skip
    status = np.select(
        [course == "done", course == "planned", course == "suspended"],
        ["completed", "planned", "suspended"],
        default="ongoing",
    )
    investment = np.array([x.investment_1e4yuan for x in p], dtype=float)
    invested = np.minimum(investment, investment * progress / 100 * rng.uniform(0.9, 1.05, len(p)))
    frame = pd.DataFrame(
        {
            "project_id": [x.project_id for x in p],
            "name": [x.name for x in p],
            "category": [x.category for x in p],
            "county_id": [x.county_id for x in p],
            "department": [x.department for x in p],
            "start": start.strftime("%Y-%m-%d"),
            "end": end.strftime("%Y-%m-%d"),
            "investment_1e4yuan": investment,
            "invested_1e4yuan": invested,
            "status": status,
            "progress_pct": progress,
            "effect_node": [node_of[x.site] if x.site else "" for x in p],
            "description": [x.description for x in p],
        }
    )
    for col in EFFECT_COLUMNS:
        frame[col] = [x.effects.get(col, np.nan) for x in p]
    return frame.reindex(columns=list(PROJECT.names))
