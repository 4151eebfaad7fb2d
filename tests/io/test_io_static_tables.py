"""Static tables (network, sections, stations, counties, sources, reservoirs, projects, water use).

Each file is small and written by hand; the expected canonical values are read off the cells.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from qingliu.io import KINDS, read_input
from qingliu.model.tables import TABLES

KNOWN = {
    ("node", "node_id"): {"N1", "N2", "N3"},
    ("county", "county_id"): {"140702", "140727"},
    ("station", "station_id"): {"ST1"},
    ("section", "section_id"): {"S01"},
}


def _write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_network_downstream_may_name_a_node_of_the_same_file(tmp_path) -> None:
    path = _write(
        tmp_path,
        "nodes.csv",
        "节点编码,名称,类型,河流,经度,纬度,下游节点,至下游河长\n"
        "H1,潇河源,源头,潇河,113.2,37.9,C1,85.5\n"
        "C1,潇河口,汇合点,汾河,112.6,37.5,--,\n",
    )
    node = read_input("network", path)["node"]
    assert list(node.columns) == list(TABLES["node"].names)
    assert node["kind"].tolist() == ["headwater", "confluence"]
    assert node["downstream"].tolist() == ["C1", ""]  # "--" is missing: an empty optional text
    assert node["length_km"].tolist()[0] == 85.5 and np.isnan(node["length_km"].tolist()[1])


def test_sections_with_chinese_choices(tmp_path) -> None:
    path = _write(
        tmp_path,
        "sections.csv",
        "断面编码,断面名称,所在河流,节点编码,级别,水体类型,目标类别,区县,出境/入黄断面\n"
        "S01,桑平峪,汾河,N1,省考,河流,Ⅲ类,140702,是\n"
        "S02,文峪河水库,文峪河,N2,国控,水库,II,140727,N\n"
        "S03,小湖,湖,N3,市控,湖泊,5,140727,0\n",
    )
    section = read_input("sections", path, known=KNOWN)["section"]
    assert section["level"].tolist() == ["provincial", "national", "municipal"]
    assert section["water_body"].tolist() == ["river", "reservoir", "lake"]
    assert section["target_class"].tolist() == [3, 2, 5]
    assert section["is_boundary"].tolist() == [True, False, False]


def test_counties_without_yearly_columns_fill_only_county(tmp_path) -> None:
    path = _write(tmp_path, "counties.csv", "区划代码,区县名称,经度,纬度\n140702,榆次区,112.71,37.68\n140727,祁县,,\n")
    out = read_input("counties", path)
    assert out["county"]["name"].tolist() == ["榆次区", "祁县"]
    assert out["county_year"].empty and list(out["county_year"].columns) == list(TABLES["county_year"].names)


def test_counties_with_years_collapse_the_county_rows(tmp_path) -> None:
    path = _write(
        tmp_path,
        "counties.csv",
        "区划代码,区县名称,年份,常住人口,地区生产总值(万元),工业增加值,有效灌溉面积(亩),用水总量控制指标(万m3)\n"
        '140702,榆次区,2022,"620,000","5,105,000",120,"350,000",9800\n'
        "140702,榆次区,2023,621000,5300000,125,351000,9800\n"
        "140727,祁县,2023,250000,1500000,30,410000,\n",
    )
    out = read_input("counties", path)
    assert out["county"]["county_id"].tolist() == ["140702", "140727"]
    yearly = out["county_year"]
    assert yearly["year"].tolist() == [2022, 2023, 2023] and yearly["year"].dtype == np.int64
    assert yearly["population"].tolist() == [620000.0, 621000.0, 250000.0]
    assert yearly["gdp_1e4yuan"].tolist() == [5_105_000.0, 5_300_000.0, 1_500_000.0]
    assert yearly["irrigated_area_mu"].tolist() == [350000.0, 351000.0, 410000.0]
    assert np.isnan(yearly["water_quota_1e4m3"].iat[2])


def test_gdp_in_hundred_million_yuan(tmp_path) -> None:
    # 510.5 亿元 = 5 105 000 万元 (1 亿 = 10 000 万)
    path = _write(
        tmp_path,
        "counties.csv",
        "区划代码,区县名称,年份,常住人口,地区生产总值(亿元),工业增加值,有效灌溉面积\n"
        "140702,榆次区,2022,620000,510.5,120,350000\n",
    )
    assert read_input("counties", path)["county_year"]["gdp_1e4yuan"].tolist() == pytest.approx([5_105_000.0])


def test_water_use_in_hundred_million_cubic_metres(tmp_path) -> None:
    # 1 亿m3 = 10 000 万m3: 0.35 亿m3 = 3500 万m3
    path = _write(
        tmp_path,
        "use.csv",
        "区划代码,年份,用水行业,水源,用水量(亿m3)\n140702,2023,农业用水,地下水,0.35\n140702,2023,生活,再生水,0.01\n",
    )
    use = read_input("water-use", path, known=KNOWN)["water_use"]
    assert use[["sector", "origin"]].values.tolist() == [["agriculture", "ground"], ["domestic", "reclaimed"]]
    assert use["volume"].tolist() == pytest.approx([3500.0, 100.0], rel=1e-12)


def test_projects_with_chinese_status_and_percent(tmp_path) -> None:
    path = _write(
        tmp_path,
        "projects.csv",
        "项目编码,项目名称,类别,所在区县,责任单位,开工日期,完工日期,总投资(万元),状态,形象进度(%),效果作用节点\n"
        'P1,榆次污水厂提标,水环境,140702,住建局,2024-01-01,2025/6/30,"12,000",在建,85%,N1\n'
        "P2,潇河生态补水,水生态,140702,水利局,2023-03-01,2023-12-31,800,已完工,100,\n",
    )
    project = read_input("projects", path, known=KNOWN)["project"]
    assert project["category"].tolist() == ["water_environment", "water_ecology"]
    assert project["status"].tolist() == ["ongoing", "completed"]
    assert project["progress_pct"].tolist() == [85.0, 100.0]
    assert project["investment_1e4yuan"].tolist() == [12000.0, 800.0]
    assert project["end"].tolist() == [pd.Timestamp("2025-06-30"), pd.Timestamp("2023-12-31")]
    assert project["effect_node"].tolist() == ["N1", ""]


def test_unknown_columns_of_static_tables_are_ignored(tmp_path) -> None:
    path = _write(
        tmp_path, "stations.csv", "测站编码,站名,河流,节点编码,集水面积(km²),联系人\nST9,芦家庄,潇河,N2,3894,张三\n"
    )
    station = read_input("stations", path, known=KNOWN)["station"]
    assert station["area_km2"].tolist() == [3894.0] and list(station.columns) == list(TABLES["station"].names)


_MINIMAL = {
    "network": "node_id,kind,river,lon,lat\nH1,headwater,潇河,113.2,37.9\n",
    "sections": "section_id,name,river,node_id,level,water_body,target_class,county_id,is_boundary\n"
    "S02,a,b,N1,national,river,3,140702,false\n",
    "stations": "station_id,name,river,node_id,area_km2\nST2,a,b,N1,10\n",
    "counties": "county_id,name,year,population,gdp_1e4yuan,industry_value_1e4yuan,irrigated_area_mu\n"
    "140702,榆次区,2023,1,2,3,4\n",
    "sources": "source_id,name,kind,county_id\nW1,污水厂,wwtp,140702\n",
    "reservoirs": "reservoir_id,name,node_id,capacity_1e4m3,dead_1e4m3,flood_limit_level_m,normal_level_m\n"
    "R1,a,N1,100,10,800,805\n",
    "projects": "project_id,name,category,county_id,department,start,end,investment_1e4yuan,status,progress_pct\n"
    "P1,a,water_resources,140702,b,2024-01-01,2024-12-31,1,planned,0\n",
    "samples": "section_id,time,parameter,value\nS01,2024-03-05,tp,0.1\n",
    "flows": "station_id,date,q\nST1,2024-03-05,1\n",
    "water-use": "county_id,year,sector,origin,volume\n140702,2023,industry,transfer,1\n",
    "levels": "测站编码,观测时间,水位(m)\nST1,2024-07-20 08:00,812.35\n",
    "rain": "雨量站,日期,降水量(mm)\nR1,2024-07-20,35.5\n",
    "health-survey": "河流,年份,指标,指标值\n汾河,2024,fish_retention,62\n",
}
_DTYPES = {"str": "str", "float": "float64", "date": "datetime64[us]", "datetime": "datetime64[us]", "bool": "bool"}


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_gives_its_canonical_columns_typed(tmp_path, kind: str) -> None:
    out = read_input(kind, _write(tmp_path, f"{kind}.csv", _MINIMAL[kind]), known=KNOWN)
    assert tuple(out) == KINDS[kind]
    for name, frame in out.items():
        table = TABLES[name]
        assert list(frame.columns) == list(table.names)
        assert len(frame) == 1
        for col in table.columns:
            expected = _DTYPES.get(col.dtype) or ("int64" if col.required else "Int64")
            assert str(frame[col.name].dtype) == expected, (name, col.name)
            if col.dtype == "str":
                assert frame[col.name].notna().all()  # missing optional text is "", never NaN
