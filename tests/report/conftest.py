"""A small hand-built report for the renderers' tests.

A table (Chinese text, numbers, dates, gaps), a line chart with the GB 3838-2002 class
bands for ammonia (Table 1: I ≤ 0.15, II ≤ 0.5, III ≤ 1.0, IV ≤ 1.5, V ≤ 2.0 mg/L), a pie
of class shares and an SVG figure.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from qingliu.report.content import Band, Chart, Figure, Report, Section, Table

TITLE = "晋中市水质月报（2024年3月）"
BANNER = "示意数据，非官方监测值：仅用于演示。"
NH3N_BANDS = (
    Band(0.0, 0.15, "#4dabf7", "I类"),
    Band(0.15, 0.5, "#74c0fc", "II类"),
    Band(0.5, 1.0, "#69db7c", "III类"),
    Band(1.0, 1.5, "#ffd43b", "IV类"),
    Band(1.5, 2.0, "#ffa94d", "V类"),
    Band(2.0, math.inf, "#ff6b6b", "劣V类"),
)
SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 300 200" width="100%">'
    '<rect width="300" height="200" fill="#f8fbff"/>'
    '<line x1="20" y1="180" x2="280" y2="20" stroke="#4a90d9" stroke-width="3"/>'
    '<text x="150" y="120" font-size="16" font-family="Noto Sans CJK SC, sans-serif">潇河</text></svg>'
)


def sections_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "断面名称": ["浊漳河南源石栈道断面", "潇河出境口", "汾河南关"],
            "氨氮(mg/L)": [0.52, np.nan, 1.234],
            "采样日期": pd.to_datetime(["2024-03-05", "2024-03-06", None]),
            "监测次数": [12, 3, 0],
        }
    )


def nh3n_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "月份": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01", "2024-04-01"]),
            "石栈道": [0.4, 2.4, np.nan, 1.1],
            "出境口": [0.2, 0.9, 1.6, 1.8],
        }
    )


def class_frame() -> pd.DataFrame:
    return pd.DataFrame({"水质类别": ["II类", "III类", "劣V类"], "断面数": [4, 2, 1]})


def build_sample(lang: str = "zh") -> Report:
    blocks = [
        Table("sections", "监测断面水质", sections_frame(), note="空白表示未监测"),
        Chart("nh3n_trend", "氨氮浓度变化", "line", nh3n_frame(), x_label="月份", y_label="氨氮 (mg/L)", bands=NH3N_BANDS),
        Chart("class_share", "水质类别比例", "pie", class_frame(), colors=("#74c0fc", "#69db7c", "#ff6b6b")),
        Figure("network_map", "河网示意图", SVG, note="示意图，非测绘成果。"),
    ]
    return Report(
        TITLE,
        "晋中市示例流域",
        lang,  # type: ignore[arg-type]
        "生成时间 2024-04-01 09:00",
        banner=BANNER,
        sections=[Section("水质状况", ["本月监测断面 3 个。"], blocks)],
    )


@pytest.fixture()
def sample() -> Report:
    return build_sample()


@pytest.fixture(scope="session")
def build():
    """The sample's builder, for module-scoped fixtures and the English version."""
    return build_sample
