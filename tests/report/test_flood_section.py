"""The flood and drought report section from a hand-built assessment.

Station 乙站 has the symmetric record 100 ... 500 m3/s (x̄ = 300, S = √25 000 = 158.11, Cs = 0),
so its 100-year value is 300 + 158.11·2.326348 = 667.8 m3/s (normal table); 甲站 reads
100.5 m against a warning level of 100 m (0.50 m above), the reservoir is 2 m below its
flood limit. Drought grades are those of GB/T 20481-2017: 轻旱 -1.0 < x <= -0.5, 中旱
-1.5 < x <= -1.0, 重旱 -2.0 < x <= -1.5, 特旱 x <= -2.0.
"""

from __future__ import annotations

import base64
import dataclasses
import math
import re
import struct

import numpy as np
import pandas as pd
import pytest

from qingliu.assess.flood_warning import warning_status
from qingliu.report.content import Chart, Figure, Table
from qingliu.report.flood import flood_section
from qingliu.services.flood import FloodDroughtAssessment

S = math.sqrt(25_000)
X_100 = 300 + S * 2.326348
X_10 = 300 + S * 1.281552
MONTHS = pd.date_range("2021-07-01", "2023-12-01", freq="MS")  # 30 months


def _grade(index: float) -> tuple[int, str, str]:
    for upper, level, zh, en in ((-2.0, 5, "特旱", "extreme drought"), (-1.5, 4, "重旱", "severe drought"),
                                 (-1.0, 3, "中旱", "moderate drought"), (-0.5, 2, "轻旱", "mild drought")):
        if index <= upper:
            return level, zh, en
    return 1, "无旱", "no drought"


def _indices(kind: str, site: str, name: str, values: np.ndarray) -> pd.DataFrame:
    rows = [(kind, site, name, m, scale, v, *_grade(v)) for scale in (3, 12) for m, v in zip(MONTHS, values, strict=True)]
    return pd.DataFrame(rows, columns=["kind", "site_id", "name", "month", "scale", "index", "grade", "grade_zh", "grade_en"])


def _status(indices: pd.DataFrame) -> pd.DataFrame:
    last = indices[indices["month"] == MONTHS[-1]]
    out = last[last["scale"] == 3][["kind", "site_id", "name", "month"]].reset_index(drop=True)
    for scale in (3, 12):
        at = last[last["scale"] == scale].reset_index(drop=True)
        out[f"index_{scale}"], out[f"grade_{scale}"] = at["index"], at["grade"]
        out[f"grade_zh_{scale}"], out[f"grade_en_{scale}"] = at["grade_zh"], at["grade_en"]
    return out.sort_values("index_3").reset_index(drop=True)


def _assessment(*, rain: bool = True) -> FloodDroughtAssessment:
    parameters = pd.DataFrame({
        "station_id": ["A", "B"], "name": ["甲站", "乙站"], "river": "测试河", "area_km2": [500.0, 2000.0],
        "n": [5, 5], "first_year": 2019, "last_year": 2023, "mean": [400.0, 300.0],
        "cv": [0.625 * math.sqrt(2), S / 300], "cs": [1.2 * math.sqrt(2), 0.0],
        "rmse": 1.0, "ppcc": 0.99, "ks": 0.1, "aic": 50.0,
    })
    design = pd.DataFrame({
        "station_id": ["A", "A", "B", "B"], "name": ["甲站", "甲站", "乙站", "乙站"],
        "return_period": [10.0, 100.0, 10.0, 100.0], "probability": [0.1, 0.01, 0.1, 0.01],
        "value": [800.0, 1500.0, X_10, X_100], "lower": [700.0, 1200.0, X_10 - 50, X_100 - 100],
        "upper": [900.0, 1800.0, X_10 + 50, X_100 + 100],
    })
    points = pd.DataFrame({"station_id": "B", "year": range(2019, 2024), "value": [500.0, 400, 300, 200, 100],
                           "probability": np.arange(1, 6) / 6, "kind": "measured"})
    p = np.array([0.001, 0.01, 0.1, 0.5, 0.9, 0.99])
    curve = pd.DataFrame({"station_id": "B", "probability": p, "value": 300 + S * np.array([3.09, 2.33, 1.28, 0, -1.28, -2.33]),
                          "lower": np.nan, "upper": np.nan})
    low_flow = pd.DataFrame({"station_id": ["B"], "name": ["乙站"], "n": [5], "mean": [3.0], "cv": [math.sqrt(2.5) / 3],
                             "cs": [0.0], "design": [3 - math.sqrt(2.5) * 1.281552], "window": [7], "guarantee": [0.9]})
    sri = _indices("sri", "B", "乙站", np.linspace(1.0, 0.2, MONTHS.size))
    spi = _indices("spi", "G1", "G1", np.linspace(0.5, -0.84, MONTHS.size))
    indices = pd.concat([spi, sri] if rain else [sri], ignore_index=True)
    events = pd.DataFrame({
        "kind": ["spi"], "site_id": ["G1"], "name": ["G1"], "start": [pd.Timestamp("2023-06-01")],
        "end": [pd.Timestamp("2023-12-01")], "duration": [7], "severity": [4.2], "intensity": [0.6], "peak": [-0.84],
        "peak_grade": [2], "peak_grade_zh": ["轻旱"], "peak_grade_en": ["mild drought"], "ongoing": [True],
    }) if rain else pd.DataFrame()
    levels = pd.DataFrame({"site_id": ["A", "A", "B", "R"],
                           "time": pd.to_datetime(["2023-12-30 08:00", "2023-12-31 08:00", "2023-12-31 08:00", "2023-12-31 08:00"]),
                           "level_m": [100.2, 100.5, 49.0, 198.0]})
    stations = pd.DataFrame({"station_id": ["A", "B"], "name": ["甲站", "乙站"], "warning_level_m": [100.0, 50.0],
                             "guarantee_level_m": [102.0, 52.0]})
    reservoirs = pd.DataFrame({"reservoir_id": ["R"], "name": ["丙水库"], "flood_limit_level_m": [200.0], "normal_level_m": [205.0]})
    notes = () if rain else (("工作空间无降水数据，未计算标准化降水指数（SPI）。",
                              "No rain-gauge data in the workspace: no standardised precipitation index (SPI)."),)
    return FloodDroughtAssessment(
        year=2023, dist="p3", method="moments", level=0.9, parameters=parameters, design=design,
        annual_maxima=pd.DataFrame(), points=points, curve=curve, main_station="B", low_flow=low_flow,
        indices=indices, drought_status=_status(indices), drought_events=events,
        warnings=warning_status(levels, stations, reservoirs), status_time=pd.Timestamp("2023-12-31 08:00"), notes=notes,
    )


def _blocks(section) -> dict:
    return {b.key: b for b in section.blocks}


@pytest.fixture(scope="module")
def zh():
    return flood_section(_assessment(), "zh")


def test_design_table_lists_parameters_and_design_values(zh) -> None:
    table = _blocks(zh)["flood_design"]
    assert isinstance(table, Table)
    row = table.frame.set_index("站名").loc["乙站"]
    assert row["100年一遇"] == pytest.approx(X_100, abs=0.05)
    assert row["10年一遇"] == pytest.approx(X_10, abs=0.05)
    assert row["Cs"] == 0.0 and row["系列年数"] == 5
    assert "SL 44-2006" in table.note


def test_summary_quotes_the_main_stations_100_year_flow(zh) -> None:
    text = " ".join(zh.paragraphs)
    assert "控制站乙站" in text
    assert "100 年一遇（P = 1%）设计流量 667.8 m³/s" in text  # 300 + 158.11 × 2.326348
    assert "Cs = 0.00" in text


def test_probability_paper_figure_embeds_a_png(zh) -> None:
    figure = _blocks(zh)["flood_curve_B"]
    assert isinstance(figure, Figure)
    data = base64.b64decode(re.search(r"data:image/png;base64,([A-Za-z0-9+/=]+)", figure.svg).group(1))
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert f'viewBox="0 0 {width} {height}"' in figure.svg


def test_level_above_warning_heads_the_warning_list(zh) -> None:
    table = _blocks(zh)["flood_warnings"]
    first = table.frame.iloc[0]
    assert (first["站点"], first["状态"]) == ("甲站", "超警戒水位")
    assert first["超(+)/低(−)于特征水位(m)"] == pytest.approx(0.5)
    assert table.frame["站点"].tolist() == ["甲站", "乙站", "丙水库"]  # 0.5 above, 1.0 and 2.0 below
    assert zh.paragraphs[0].startswith("汛情：截至 2023-12-31 08:00，1 处超过特征水位：甲站超警戒水位 0.50 m")
    assert zh.blocks[0] is table  # the duty officer's list comes first


def test_spi_chart_shows_24_months_with_the_grade_bands(zh) -> None:
    chart = _blocks(zh)["drought_spi"]
    assert isinstance(chart, Chart) and chart.kind == "line"
    assert len(chart.frame) == 24 and chart.x.iloc[-1] == MONTHS[-1]
    assert [b.label for b in chart.bands] == ["特旱", "重旱", "中旱", "轻旱"]
    assert [b.high for b in chart.bands] == [-2.0, -1.5, -1.0, -0.5]
    assert [b.low for b in chart.bands[1:]] == [-2.0, -1.5, -1.0]


def test_drought_status_and_paragraph(zh) -> None:
    status = _blocks(zh)["drought_status"].frame
    assert status.iloc[0]["站点"] == "G1" and status.iloc[0]["3个月等级"] == "轻旱"
    assert "GB/T 20481-2017" in _blocks(zh)["drought_status"].note
    text = " ".join(zh.paragraphs)
    assert "截至2023年12月，1 个雨量站中 1 个出现气象干旱（轻旱1站），最重为G1（SPI-3 = -0.84，轻旱）" in text
    assert "1 个水文站均无水文干旱" in text
    assert _blocks(zh)["drought_events"].frame.iloc[0]["状态"] == "持续"


def test_no_rain_no_spi_table_and_a_note() -> None:
    section = flood_section(_assessment(rain=False), "zh")
    blocks = _blocks(section)
    assert "drought_spi" not in blocks and "drought_events" not in blocks
    assert (blocks["drought_status"].frame["类型"] == "水文干旱").all()
    assert "注：工作空间无降水数据，未计算标准化降水指数（SPI）。" in section.paragraphs


def test_english_section() -> None:
    section = flood_section(_assessment(rain=False), "en")
    assert section.title == "Flood and drought defence (2023)"
    design = _blocks(section)["flood_design"].frame
    assert list(design.columns[:4]) == ["Station", "River", "Catchment (km²)", "Years"]
    assert "100-year" in design.columns
    assert "Note: No rain-gauge data in the workspace: no standardised precipitation index (SPI)." in section.paragraphs
    assert any("the 100-year (P = 1%) design flow is 667.8 m³/s" in p for p in section.paragraphs)


def test_empty_assessment_gives_notes_only() -> None:
    a = _assessment(rain=False)
    empty = dataclasses.replace(a, parameters=pd.DataFrame(), design=pd.DataFrame(), points=pd.DataFrame(),
                                curve=pd.DataFrame(), main_station=None, low_flow=pd.DataFrame(),
                                indices=pd.DataFrame(), drought_status=pd.DataFrame(), drought_events=pd.DataFrame(),
                                warnings=pd.DataFrame(), status_time=None)
    section = flood_section(empty, "zh")
    assert section.blocks == []
    assert section.paragraphs == ["注：工作空间无降水数据，未计算标准化降水指数（SPI）。"]
