"""The canonical tables of the basin data model (DESIGN.md §2).

One declaration per table: its columns with type, unit, allowed values and range, its key and
its references to other tables. The importers validate against it, the store builds its schema
from it and the example generator writes it, so a column is declared once.

Units are the internal unit system (docs/units.md): mg/L, m3/s, 1e4 m3, t/a, km, days.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

DType = Literal["str", "float", "int", "date", "datetime", "bool"]


@dataclass(frozen=True)
class Column:
    """One column of a canonical table.

    Parameters
    ----------
    name : canonical (English) column name.
    dtype : value type after parsing.
    zh : Chinese label, used in headers of exported files and in error messages.
    required : a row must give a value.
    unit : internal unit of a numeric column (None when dimensionless or not numeric).
    choices : allowed values of a text column.
    min, max : inclusive bounds of a numeric column.
    aliases : other header spellings accepted on import (Chinese, common English forms).
    """

    name: str
    dtype: DType
    zh: str
    required: bool = True
    unit: str | None = None
    choices: tuple[str, ...] | None = None
    min: float | None = None
    max: float | None = None
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Reference:
    """A column whose values must be keys of another table (empty values allowed if optional)."""

    column: str
    table: str
    target: str


@dataclass(frozen=True)
class Table:
    """A canonical table: name, Chinese name, columns, primary key and references."""

    name: str
    zh: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    references: tuple[Reference, ...] = field(default_factory=tuple)

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"table {self.name!r} has no column {name!r}")

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


NODE_KINDS = ("headwater", "confluence", "section", "station", "outfall", "intake", "reservoir", "outlet")
SECTION_LEVELS = ("national", "provincial", "municipal")
WATER_BODIES = ("river", "lake", "reservoir")
SOURCE_KINDS = (
    "industrial",
    "wwtp",
    "livestock",
    "rural_domestic",
    "urban_domestic",
    "cropland",
    "urban_runoff",
)
SECTORS = ("agriculture", "industry", "domestic", "ecological")
ORIGINS = ("surface", "ground", "reclaimed", "transfer")
PROJECT_CATEGORIES = ("water_resources", "water_environment", "water_ecology", "flood_drought")
PROJECT_STATUSES = ("planned", "ongoing", "completed", "suspended")
FLAGS = ("", "<")

NODE = Table(
    "node",
    "河网节点",
    (
        Column("node_id", "str", "节点编码", aliases=("节点", "id")),
        Column("name", "str", "名称", required=False),
        Column("kind", "str", "类型", choices=NODE_KINDS),
        Column("river", "str", "河流"),
        Column("lon", "float", "经度", unit="degree", min=-180, max=180),
        Column("lat", "float", "纬度", unit="degree", min=-90, max=90),
        Column("downstream", "str", "下游节点", required=False),
        Column("length_km", "float", "至下游河长", required=False, unit="km", min=0),
    ),
    key=("node_id",),
    references=(Reference("downstream", "node", "node_id"),),
)

COUNTY = Table(
    "county",
    "区县",
    (
        Column("county_id", "str", "行政区划代码", aliases=("区划代码", "code")),
        Column("name", "str", "区县名称", aliases=("区县", "名称")),
        Column("lon", "float", "经度", required=False, unit="degree", min=-180, max=180),
        Column("lat", "float", "纬度", required=False, unit="degree", min=-90, max=90),
    ),
    key=("county_id",),
)

COUNTY_YEAR = Table(
    "county_year",
    "区县年度社会经济",
    (
        Column("county_id", "str", "行政区划代码", aliases=("区划代码", "code")),
        Column("year", "int", "年份", min=1900, max=2200),
        Column("population", "float", "常住人口", unit="person", min=0, aliases=("人口",)),
        Column("urban_population", "float", "城镇人口", required=False, unit="person", min=0),
        Column("gdp_1e4yuan", "float", "地区生产总值(万元)", unit="1e4 yuan", min=0, aliases=("GDP", "地区生产总值")),
        Column(
            "industry_value_1e4yuan",
            "float",
            "工业增加值(万元)",
            unit="1e4 yuan",
            min=0,
            aliases=("工业增加值",),
        ),
        Column("irrigated_area_mu", "float", "有效灌溉面积(亩)", unit="mu", min=0, aliases=("有效灌溉面积", "灌溉面积")),
        Column(
            "water_quota_1e4m3",
            "float",
            "用水总量控制指标(万m3)",
            required=False,
            unit="1e4 m3",
            min=0,
            aliases=("用水总量控制指标",),
        ),
        Column(
            "groundwater_quota_1e4m3",
            "float",
            "地下水开采控制指标(万m3)",
            required=False,
            unit="1e4 m3",
            min=0,
            aliases=("地下水控制指标",),
        ),
    ),
    key=("county_id", "year"),
    references=(Reference("county_id", "county", "county_id"),),
)

SECTION = Table(
    "section",
    "监测断面",
    (
        Column("section_id", "str", "断面编码", aliases=("断面代码", "点位编码")),
        Column("name", "str", "断面名称", aliases=("点位名称",)),
        Column("river", "str", "河流", aliases=("所在河流", "河流名称")),
        Column("node_id", "str", "节点编码"),
        Column("level", "str", "断面级别", choices=SECTION_LEVELS, aliases=("级别",)),
        Column("water_body", "str", "水体类型", choices=WATER_BODIES),
        Column("target_class", "int", "水质目标", min=1, max=5, aliases=("目标类别", "目标")),
        Column("county_id", "str", "所在区县", aliases=("county", "区县")),
        Column("is_boundary", "bool", "出境/入黄断面", aliases=("出境断面", "入黄断面")),
    ),
    key=("section_id",),
    references=(
        Reference("node_id", "node", "node_id"),
        Reference("county_id", "county", "county_id"),
    ),
)

STATION = Table(
    "station",
    "水文站",
    (
        Column("station_id", "str", "测站编码", aliases=("站码", "测站")),
        Column("name", "str", "站名"),
        Column("river", "str", "河流"),
        Column("node_id", "str", "节点编码"),
        Column("area_km2", "float", "集水面积(km2)", unit="km2", min=0, aliases=("集水面积",)),
        Column("warning_level_m", "float", "警戒水位(m)", required=False, unit="m"),
        Column("guarantee_level_m", "float", "保证水位(m)", required=False, unit="m"),
    ),
    key=("station_id",),
    references=(Reference("node_id", "node", "node_id"),),
)

RESERVOIR = Table(
    "reservoir",
    "水库",
    (
        Column("reservoir_id", "str", "水库编码"),
        Column("name", "str", "水库名称"),
        Column("node_id", "str", "节点编码"),
        Column("capacity_1e4m3", "float", "总库容(万m3)", unit="1e4 m3", min=0, aliases=("总库容",)),
        Column("dead_1e4m3", "float", "死库容(万m3)", unit="1e4 m3", min=0, aliases=("死库容",)),
        Column("flood_limit_level_m", "float", "汛限水位(m)", unit="m", aliases=("汛限水位",)),
        Column("normal_level_m", "float", "正常蓄水位(m)", unit="m", aliases=("正常蓄水位",)),
    ),
    key=("reservoir_id",),
    references=(Reference("node_id", "node", "node_id"),),
)

SOURCE = Table(
    "source",
    "污染源",
    (
        Column("source_id", "str", "污染源编码"),
        Column("name", "str", "名称"),
        Column("kind", "str", "类型", choices=SOURCE_KINDS),
        Column("node_id", "str", "排入节点", required=False),
        Column("county_id", "str", "所在区县", aliases=("county", "区县")),
        Column("sector", "str", "行业", required=False),
        Column("subtype", "str", "细分类型(作物/畜种)", required=False),
        Column("activity", "float", "活动水平", required=False, min=0),
        Column("activity_unit", "str", "活动水平单位", required=False),
        Column("flow_m3d", "float", "排水量(m3/d)", required=False, unit="m3/d", min=0),
        Column("cod_ta", "float", "COD(t/a)", required=False, unit="t/a", min=0),
        Column("nh3n_ta", "float", "氨氮(t/a)", required=False, unit="t/a", min=0),
        Column("tp_ta", "float", "总磷(t/a)", required=False, unit="t/a", min=0),
        Column("tn_ta", "float", "总氮(t/a)", required=False, unit="t/a", min=0),
        Column("cod_mgl", "float", "COD浓度(mg/L)", required=False, unit="mg/L", min=0),
        Column("nh3n_mgl", "float", "氨氮浓度(mg/L)", required=False, unit="mg/L", min=0),
        Column("tp_mgl", "float", "总磷浓度(mg/L)", required=False, unit="mg/L", min=0),
        Column("tn_mgl", "float", "总氮浓度(mg/L)", required=False, unit="mg/L", min=0),
    ),
    key=("source_id",),
    references=(
        Reference("node_id", "node", "node_id"),
        Reference("county_id", "county", "county_id"),
    ),
)

PROJECT = Table(
    "project",
    "工程项目",
    (
        Column("project_id", "str", "项目编码"),
        Column("name", "str", "项目名称"),
        Column("category", "str", "类别", choices=PROJECT_CATEGORIES),
        Column("county_id", "str", "所在区县", aliases=("county", "区县")),
        Column("department", "str", "责任单位"),
        Column("start", "date", "开工日期"),
        Column("end", "date", "完工日期"),
        Column("investment_1e4yuan", "float", "总投资(万元)", unit="1e4 yuan", min=0, aliases=("总投资",)),
        Column("invested_1e4yuan", "float", "已完成投资(万元)", required=False, unit="1e4 yuan", min=0),
        Column("status", "str", "状态", choices=PROJECT_STATUSES),
        Column("progress_pct", "float", "形象进度(%)", unit="%", min=0, max=100),
        Column("effect_node", "str", "效果作用节点", required=False),
        Column("cod_reduction_ta", "float", "COD削减量(t/a)", required=False, unit="t/a", min=0),
        Column("nh3n_reduction_ta", "float", "氨氮削减量(t/a)", required=False, unit="t/a", min=0),
        Column("tp_reduction_ta", "float", "总磷削减量(t/a)", required=False, unit="t/a", min=0),
        Column("tn_reduction_ta", "float", "总氮削减量(t/a)", required=False, unit="t/a", min=0),
        Column("water_saved_1e4m3a", "float", "节水量(万m3/a)", required=False, unit="1e4 m3/a", min=0),
        Column("ecoflow_supply_m3s", "float", "生态补水(m3/s)", required=False, unit="m3/s", min=0),
        Column("description", "str", "建设内容", required=False),
    ),
    key=("project_id",),
    references=(
        Reference("county_id", "county", "county_id"),
        Reference("effect_node", "node", "node_id"),
    ),
)

WQ_SAMPLE = Table(
    "wq_sample",
    "水质监测",
    (
        Column("section_id", "str", "断面编码", aliases=("断面代码", "点位编码")),
        Column("time", "datetime", "监测时间", aliases=("采样时间", "监测日期", "采样日期", "date")),
        Column("parameter", "str", "监测项目", aliases=("项目", "指标")),
        Column("value", "float", "监测值", aliases=("浓度", "结果")),
        Column("flag", "str", "标识", required=False, choices=FLAGS),
        Column("source", "str", "数据来源", required=False),
    ),
    key=("section_id", "time", "parameter"),
    references=(Reference("section_id", "section", "section_id"),),
)

FLOW_DAILY = Table(
    "flow_daily",
    "日流量",
    (
        Column("station_id", "str", "测站编码", aliases=("站码", "测站")),
        Column("date", "date", "日期"),
        Column("q", "float", "流量(m3/s)", unit="m3/s", min=0, aliases=("流量", "flow")),
    ),
    key=("station_id", "date"),
    references=(Reference("station_id", "station", "station_id"),),
)

WATER_USE = Table(
    "water_use",
    "用水量",
    (
        Column("county_id", "str", "行政区划代码", aliases=("区划代码", "county")),
        Column("year", "int", "年份", min=1900, max=2200),
        Column("sector", "str", "用水行业", choices=SECTORS),
        Column("origin", "str", "水源", choices=ORIGINS),
        Column("volume", "float", "用水量(万m3)", unit="1e4 m3", min=0, aliases=("用水量",)),
    ),
    key=("county_id", "year", "sector", "origin"),
    references=(Reference("county_id", "county", "county_id"),),
)

LEVEL = Table(
    "level",
    "水位",
    (
        Column("site_id", "str", "测站或水库编码", aliases=("station_id", "reservoir_id", "站码", "测站编码", "水库编码")),
        Column("time", "datetime", "时间", aliases=("date", "日期", "观测时间")),
        Column("level_m", "float", "水位(m)", unit="m", aliases=("水位", "level", "stage")),
    ),
    key=("site_id", "time"),
)
"""Water levels of hydrological stations and reservoirs (site = station_id or reservoir_id)."""

RAIN_DAILY = Table(
    "rain_daily",
    "日降水量",
    (
        Column("station_id", "str", "雨量站编码", aliases=("站码", "测站", "雨量站")),
        Column("date", "date", "日期"),
        Column("p_mm", "float", "降水量(mm)", unit="mm", min=0, aliases=("降水量", "降雨量", "precipitation", "rain")),
    ),
    key=("station_id", "date"),
)
"""Daily precipitation at rain gauges (which need not be hydrological stations)."""

HEALTH_SURVEY = Table(
    "health_survey",
    "河湖健康调查",
    (
        Column("river", "str", "河湖名称", aliases=("河流", "湖泊", "河湖")),
        Column("year", "int", "年份", min=1900, max=2200),
        Column("indicator", "str", "指标编码", aliases=("指标",)),
        Column("value", "float", "指标值", aliases=("值", "得分")),
        Column("note", "str", "说明", required=False, aliases=("备注",)),
    ),
    key=("river", "year", "indicator"),
)
"""Survey values of river-health indicators the system cannot compute itself (鱼类保有指数, 公众满意度 ...)."""

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        NODE,
        COUNTY,
        COUNTY_YEAR,
        SECTION,
        STATION,
        RESERVOIR,
        SOURCE,
        PROJECT,
        WQ_SAMPLE,
        FLOW_DAILY,
        WATER_USE,
        LEVEL,
        RAIN_DAILY,
        HEALTH_SURVEY,
    )
}
"""All canonical tables, in an order where every table follows the tables it references."""
