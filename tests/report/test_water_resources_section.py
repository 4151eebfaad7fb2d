"""Water-resources report section on a hand-built workspace.

Two counties in 2023: 甲县 uses 100 of a 110 quota (agriculture 60, industry 30, domestic 10),
乙县 110 of 100 (over its quota: 超载 at 1.0 <= W/W0 < 1.2); the city 210 of 210 = 100.0 %.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from qingliu import store
from qingliu.report.content import Chart, Table
from qingliu.report.water_resources import water_resources_section
from qingliu.services.water_resources import (
    WaterResourcesAssessment,
    assess_water_resources,
)
from qingliu.services.workspace import create_workspace

YEAR = 2023


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> WaterResourcesAssessment:
    ws = create_workspace(Path(tmp_path_factory.mktemp("wr")) / "ws")
    with ws.engine.begin() as conn:
        store.upsert(
            conn,
            "county",
            pd.DataFrame({"county_id": ["C1", "C2"], "name": ["甲县", "乙县"]}),
        )
        store.upsert(conn, "county_year", pd.DataFrame({
            "county_id": ["C1", "C2"], "year": YEAR, "population": [2000.0, 3000.0], "gdp_1e4yuan": 5e4,
            "industry_value_1e4yuan": 1e4, "irrigated_area_mu": 3000.0, "water_quota_1e4m3": [110.0, 100.0],
            "groundwater_quota_1e4m3": [50.0, 100.0],
        }))  # fmt: skip
        store.upsert(conn, "water_use", pd.DataFrame({
            "county_id": ["C1", "C1", "C1", "C2", "C2"], "year": YEAR,
            "sector": ["agriculture", "industry", "domestic", "agriculture", "domestic"],
            "origin": ["surface", "ground", "ground", "ground", "surface"], "volume": [60.0, 30.0, 10.0, 88.0, 22.0],
        }))  # fmt: skip
    r = assess_water_resources(ws.engine, YEAR)
    ws.engine.dispose()
    return r


def test_summary_in_words(result: WaterResourcesAssessment) -> None:
    zh = water_resources_section(result, "zh")
    en = water_resources_section(result, "en")
    assert zh.title == "水资源（2023）" and en.title == "Water resources (2023)"
    assert "用水总量 210 万m³" in zh.paragraphs[0] and "100.0%" in zh.paragraphs[0]
    assert "乙县超过用水总量控制指标" in zh.paragraphs[0]
    assert "乙县 exceeded the total-use quota" in en.paragraphs[0]
    assert "超载 1 个" in zh.paragraphs[1] and "全市为超载" in zh.paragraphs[1]
    assert any(
        p.startswith("注：") for p in zh.paragraphs
    )  # no network: allocation left out, with a note


def test_tables_and_charts(result: WaterResourcesAssessment) -> None:
    section = water_resources_section(result, "en")
    keys = [b.key for b in section.blocks]
    assert keys == ["water_account", "water_use_by_sector", "water_use_vs_quota", "water_red_lines",
                    "water_capacity", "water_four_fix"]  # fmt: skip
    blocks = {b.key: b for b in section.blocks}
    account = blocks["water_account"]
    assert isinstance(account, Table)
    assert account.frame.loc[1, "Of quota (%)"] == pytest.approx(110.0)
    assert list(account.frame["Within quota"]) == ["yes", "no", "yes"]
    stacked = blocks["water_use_by_sector"]
    assert isinstance(stacked, Chart) and stacked.kind == "stacked_bar"
    assert list(stacked.frame.columns) == [
        "County",
        "agriculture",
        "industry",
        "domestic",
        "ecological",
    ]
    assert stacked.frame.iloc[0, 1:].tolist() == [60.0, 30.0, 10.0, 0.0]
    assert blocks["water_use_vs_quota"].frame["Quota"].tolist() == [110.0, 100.0]
    assert "[M]" in blocks["water_capacity"].note
    capacity = water_resources_section(result, "zh").blocks[4].frame
    assert capacity["用水总量"].tolist() == ["临界状态", "超载", "超载"]
