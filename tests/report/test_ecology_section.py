"""The water-ecology report section on a small hand-built workspace.

Station 甲站 (潇河) runs at 10 m3/s in 2001-2005 except 40 days at 0.5 m3/s from 2004-07-01;
乙站 (涂河) at 2 m3/s except 3 m3/s on 2004-05-01. With Tennant's 10 % of the mean annual flow
(MAF) the target of 甲站 is (40 + 3280/366)/5/10 = 0.97923 m3/s, so in 2004 it meets the target on
326 of 366 days (89.1 %, under the 90 % rule), its longest run below is 40 days and its shortfall
40·(0.97923 − 0.5)·86 400 s = 165.6 × 10⁴ m³. The city meets its targets on (326 + 366)/732 =
94.5 % of the station-days in 2004 and on all of them in 2003. 象峪河 has a full survey giving
RHI 75.5 (二类，健康; see tests/services/test_ecology.py for the sums).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from qingliu import store
from qingliu.report.content import Chart, Report, Table
from qingliu.report.ecology import ecology_section
from qingliu.report.render import render
from qingliu.services.ecology import assess_ecology
from qingliu.services.workspace import create_workspace

DAYS = pd.date_range("2001-01-01", "2005-12-31")
SURVEY = [
    ("象峪河", "shoreline_natural", 70.0), ("象峪河", "shoreline_encroachment", 90.0), ("象峪河", "ecoflow", 60.0),
    ("象峪河", "water_quality", 4.0), ("象峪河", "self_purification", 6.0), ("象峪河", "fish", 80.0),
    ("象峪河", "public_satisfaction", 85.0),
]  # fmt: skip


def _assessment(root: Path, *, flows: bool = True):
    ws = create_workspace(root)
    with ws.engine.begin() as conn:
        store.upsert(conn, "node", pd.DataFrame({"node_id": ["N1", "N2"], "kind": "station", "river": ["潇河", "涂河"],
                                                 "lon": [112.7, 112.8], "lat": [37.7, 37.6], "downstream": ""}))
        store.upsert(conn, "station", pd.DataFrame({"station_id": ["A", "B"], "name": ["甲站", "乙站"], "river": ["潇河", "涂河"],
                                                    "node_id": ["N1", "N2"], "area_km2": [1000.0, 300.0]}))
        if flows:
            spell = (DAYS >= "2004-07-01") & (DAYS <= "2004-08-09")
            store.upsert(conn, "flow_daily", pd.concat([
                pd.DataFrame({"station_id": "A", "date": DAYS, "q": np.where(spell, 0.5, 10.0)}),
                pd.DataFrame({"station_id": "B", "date": DAYS, "q": np.where(DAYS == "2004-05-01", 3.0, 2.0)}),
            ]))  # fmt: skip
        survey = pd.DataFrame(SURVEY, columns=["river", "indicator", "value"]).assign(year=2004)
        store.upsert(conn, "health_survey", survey)
    return assess_ecology(ws.engine, 2004, method="tennant")


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory):
    return _assessment(tmp_path_factory.mktemp("eco_report") / "ws")


def _block(section, key: str):
    return next(b for b in section.blocks if b.key == key)


def test_blocks_in_reading_order(result) -> None:
    section = ecology_section(result, "zh")
    assert section.title == "水生态（2004）"
    assert [b.key for b in section.blocks] == [
        "eco_targets", "eco_compliance_bar", "eco_compliance", "eco_city_history", "eco_alteration", "eco_health",
    ]  # fmt: skip


def test_summary_in_words(result) -> None:
    zh = ecology_section(result, "zh").paragraphs
    assert zh[0] == "2004 年全市 2 个水文站生态流量日满足率合计 94.5%（上年 100.0%），1 个站达到 90% 保障要求，未达到的有：甲站。"
    assert zh[1] == "截至 2005-12-31，2 个站达标、0 个站预警、0 个站不达标。"
    assert zh[2].startswith("与 2001–2002 年相比，2004–2005 年")
    assert "河湖健康评价 3 条河流" in zh[3] and "其中 2 条缺少必选指标，为暂评结果" in zh[3]
    assert any(p.startswith("说明：记录不足 40 年") for p in zh)
    en = ecology_section(result, "en").paragraphs
    assert en[0].startswith("In 2004 the ecological flow was met on 94.5% of the station-days") and "not met at 甲站" in en[0]


def test_compliance_table_by_hand(result) -> None:
    table = _block(ecology_section(result, "zh"), "eco_compliance")
    assert isinstance(table, Table) and table.title == "2004 年生态流量达标情况"
    row = table.frame.set_index("测站").loc["甲站"]
    assert row["日满足率"] == "89.1%" and row["90%保障"] == "未达标" and row["月均满足月数"] == "11/12"
    assert row["最长连续不满足(天)"] == 40 and row["不满足天数"] == 40
    assert row["缺水量(万m³)"] == pytest.approx(165.6)
    assert row["最新状态"] == "2005-12-31 达标"
    assert table.frame.set_index("测站").loc["乙站", "90%保障"] == "达标"
    english = _block(ecology_section(result, "en"), "eco_compliance").frame
    assert list(english.columns[:4]) == ["Station", "River", "Daily rate", "90 % rule"]
    assert english.set_index("Station").loc["甲站", "90 % rule"] == "missed"


def test_targets_table_puts_the_chosen_method_first(result) -> None:
    table = _block(ecology_section(result, "zh"), "eco_targets")
    assert table.frame.columns[2] == "Tennant法 (m³/s)"
    assert table.frame.set_index("测站").loc["甲站", "Tennant法 (m³/s)"] == pytest.approx((40 + 3280 / 366) / 50)
    assert "最枯月平均流量频率法(Qp) (m³/s)" in table.frame.columns  # the default method is always compared
    assert "SL/T 712-2021" in table.note and "10%" in table.note


def test_compliance_chart_with_the_90_percent_band(result) -> None:
    chart = _block(ecology_section(result, "zh"), "eco_compliance_bar")
    assert isinstance(chart, Chart) and chart.kind == "bar"
    assert list(chart.frame.columns) == ["测站", "2004", "2003"]
    assert chart.frame.set_index("测站").loc["甲站", "2004"] == pytest.approx(89.1)
    assert chart.bands[0].low == 90.0


def test_health_table(result) -> None:
    frame = _block(ecology_section(result, "zh"), "eco_health").frame.set_index("河流")
    assert frame.loc["象峪河", "RHI"] == pytest.approx(75.5)
    assert frame.loc["象峪河", "健康等级"] == "二类河湖（健康）"
    assert frame.loc["潇河", "健康等级"].endswith("（暂评）") and "鱼类保有指数" in frame.loc["潇河", "缺少的必选指标"]
    assert {"盆", "水", "生物", "社会服务功能"} <= set(frame.columns)
    english = _block(ecology_section(result, "en"), "eco_health").frame.set_index("River")
    assert english.loc["潇河", "Health class"].endswith("(provisional)")


def test_without_flows_only_health_remains(tmp_path: Path) -> None:
    section = ecology_section(_assessment(tmp_path / "ws", flows=False), "zh")
    assert [b.key for b in section.blocks] == ["eco_health"]
    assert any("没有一个完整水文年" in p for p in section.paragraphs)


def test_renders_to_html_and_excel(result, tmp_path: Path) -> None:
    report = Report("水生态", "", "zh", "", sections=[ecology_section(result, "zh")])
    html, xlsx = render(report, ["html", "xlsx"], tmp_path, stem="eco")
    text = html.read_text(encoding="utf-8")
    assert "生态流量目标" in text and "河湖健康评价" in text and "甲站" in text
    assert xlsx.stat().st_size > 0
