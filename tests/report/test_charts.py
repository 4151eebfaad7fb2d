"""Charts: shared y limits, ECharts options and PNG images (matplotlib, CJK font)."""

from __future__ import annotations

import io
import json
import math
import warnings

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from qingliu.report import fonts
from qingliu.report.charts import PALETTE, _nice_ceil, chart_png, colors, echarts_option, y_limits
from qingliu.report.content import Band, Chart, Report


def _chart(sample: Report, key: str) -> Chart:
    return next(b for b in sample.blocks() if b.key == key)  # type: ignore[return-value]


@pytest.mark.parametrize(("x", "expected"), [(0.9, 1.0), (1.0, 1.0), (1.01, 1.2), (2.64, 3.0), (101.0, 120.0), (0.0071, 0.008)])
def test_nice_ceil(x: float, expected: float) -> None:
    assert _nice_ceil(x) == pytest.approx(expected)


def test_limits_cover_data_and_band_edges(sample: Report) -> None:
    # highest value 2.4 (band edges reach 2.0): 2.4 × 1.1 = 2.64 -> 3; lowest 0.
    assert y_limits(_chart(sample, "nh3n_trend")) == (0.0, pytest.approx(3.0))


def test_limits_reach_the_highest_band_edge_above_the_data() -> None:
    frame = pd.DataFrame({"x": ["a", "b"], "v": [0.1, 0.3]})
    chart = Chart("k", "t", "bar", frame, bands=(Band(0.0, 0.5, "#0f0"), Band(0.5, 1.0, "#ff0")))
    assert y_limits(chart) == (0.0, pytest.approx(1.2))  # 1.0 × 1.1 = 1.1 -> 1.2


def test_log_limits_are_whole_decades() -> None:
    # fecal coliform 150 and 23000 /L, bands to 20000: decades 10^2 .. 10^5; band low 0 ignored
    frame = pd.DataFrame({"断面": ["甲", "乙"], "粪大肠菌群": [150.0, 23000.0]})
    chart = Chart("k", "t", "bar", frame, y_log=True, bands=(Band(0, 200, "#00f"), Band(10000, 20000, "#f80")))
    assert y_limits(chart) == (pytest.approx(100.0), pytest.approx(1e5))


def test_no_limits_without_bands_or_log(sample: Report) -> None:
    assert y_limits(_chart(sample, "class_share")) is None
    assert y_limits(Chart("k", "t", "line", pd.DataFrame({"x": [1, 2], "y": [5.0, 6.0]}))) is None


def test_colors_cycle_through_the_palette() -> None:
    frame = pd.DataFrame({"x": ["a"]} | {f"s{i}": [1.0] for i in range(len(PALETTE) + 2)})
    assert colors(Chart("k", "t", "bar", frame)) == [*PALETTE, PALETTE[0], PALETTE[1]]


def test_line_option_on_a_time_axis_with_bands(sample: Report) -> None:
    option = echarts_option(_chart(sample, "nh3n_trend"))
    assert option["xAxis"]["type"] == "time"
    assert option["yAxis"] == {"type": "value", "name": "氨氮 (mg/L)", "min": 0.0, "max": pytest.approx(3.0)}
    first, second = option["series"]
    assert first["name"] == "石栈道" and second["name"] == "出境口"
    assert first["data"] == [["2024-01-01", 0.4], ["2024-02-01", 2.4], ["2024-03-01", None], ["2024-04-01", 1.1]]
    assert first["type"] == "line" and first["connectNulls"] is False
    areas = first["markArea"]["data"]
    assert [(a[0]["name"], a[0]["yAxis"], a[1]["yAxis"]) for a in areas] == [
        ("I类", 0.0, 0.15),
        ("II类", 0.15, 0.5),
        ("III类", 0.5, 1.0),
        ("IV类", 1.0, 1.5),
        ("V类", 1.5, 2.0),
        ("劣V类", 2.0, pytest.approx(3.0)),  # open band drawn to the axis top
    ]
    assert "markArea" not in second
    assert option["legend"]["type"] == "scroll"


def test_pie_option(sample: Report) -> None:
    option = echarts_option(_chart(sample, "class_share"))
    assert option["color"] == ["#74c0fc", "#69db7c", "#ff6b6b"]
    (series,) = option["series"]
    assert series["type"] == "pie"
    assert series["data"] == [{"name": "II类", "value": 4}, {"name": "III类", "value": 2}, {"name": "劣V类", "value": 1}]
    assert "xAxis" not in option


def test_stacked_bar_and_scatter_options() -> None:
    frame = pd.DataFrame({"年份": [2021, 2022], "农业": [5.0, np.nan], "工业": [2.0, 2.5]})
    option = echarts_option(Chart("k", "t", "stacked_bar", frame))
    assert option["xAxis"] == {"type": "category", "name": "", "nameLocation": "middle", "nameGap": 28, "data": ["2021", "2022"]}
    assert [s["stack"] for s in option["series"]] == ["total", "total"]
    assert option["series"][0]["data"] == [5.0, None]
    scatter = echarts_option(Chart("k", "t", "scatter", pd.DataFrame({"q": [1.5, 3.0], "c": [0.2, 0.4]})))
    assert scatter["xAxis"]["type"] == "value"
    assert scatter["series"][0]["data"] == [[1.5, 0.2], [3.0, 0.4]]


def test_log_axis_option_clips_band_to_axis_minimum() -> None:
    frame = pd.DataFrame({"断面": ["甲", "乙"], "粪大肠菌群": [150.0, 23000.0]})
    option = echarts_option(Chart("k", "t", "bar", frame, y_log=True, bands=(Band(0, 200, "#00f", "I类"),)))
    assert option["yAxis"]["type"] == "log"
    low, high = option["series"][0]["markArea"]["data"][0]
    assert (low["yAxis"], high["yAxis"]) == (pytest.approx(100.0), 200)


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("L"), dtype=float)


@pytest.mark.parametrize("key", ["nh3n_trend", "class_share"])
def test_png_is_a_non_blank_image_of_the_requested_size(sample: Report, key: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph (tofu) or a missing CJK font fails the test
        png = chart_png(_chart(sample, key), width_in=6, height_in=4, dpi=100)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pixels = _pixels(png)
    assert pixels.shape == (400, 600)
    assert pixels.std() > 20  # a blank (all white) image has 0


@pytest.mark.parametrize("kind", ["bar", "stacked_bar", "scatter"])
def test_other_kinds_draw(kind: str) -> None:
    frame = pd.DataFrame({"区县": ["榆次区", "太谷区", "祁县"], "农业": [5.0, np.nan, 3.0], "工业": [2.0, 1.0, 0.5]})
    if kind == "scatter":
        frame["区县"] = [1.0, 2.0, 3.0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        png = chart_png(Chart("k", "t", kind, frame, y_label="万m³", bands=(Band(0, 4, "#0f0", "达标"),)), dpi=60)  # type: ignore[arg-type]
    assert _pixels(png).std() > 20


def test_noto_sans_cjk_sc_is_found() -> None:
    # Debian's fonts-noto-cjk is a system requirement (.ci/run installs it)
    assert fonts.cjk_family() == "Noto Sans CJK SC"


def test_missing_cjk_font_warns_in_both_languages(monkeypatch: pytest.MonkeyPatch) -> None:
    from matplotlib import font_manager

    monkeypatch.setattr(fonts, "_installed_family", lambda: None)
    monkeypatch.setattr(font_manager, "findSystemFonts", lambda *a, **k: [])
    fonts.cjk_family.cache_clear()
    try:
        with pytest.warns(fonts.MissingCJKFontWarning, match="fonts-noto-cjk") as record:
            assert fonts.cjk_family() is None
        assert "中文" in str(record[0].message)
    finally:
        fonts.cjk_family.cache_clear()


def test_math_inf_band_in_png_reaches_the_top() -> None:
    # the open band 劣V (≥ 2.0) is drawn up to the axis top 3.0: the top row of the plot is red-ish
    frame = pd.DataFrame({"x": ["a", "b"], "v": [0.5, 2.4]})
    chart = Chart("k", "t", "line", frame, bands=(Band(2.0, math.inf, "#ff0000"),))
    pixels = np.asarray(Image.open(io.BytesIO(chart_png(chart, dpi=60))).convert("RGB"), dtype=float)
    h, w, _ = pixels.shape
    r, g, b = pixels[int(h * 0.1), w // 2]
    assert r > g + 30 and r > b + 30


def test_missing_dates_and_infinite_values_become_null() -> None:
    frame = pd.DataFrame({"日期": pd.to_datetime(["2024-01-01", None]), "流量": [np.inf, 3.0]})
    option = echarts_option(Chart("k", "t", "line", frame))
    assert option["series"][0]["data"] == [["2024-01-01", None], [None, 3.0]]
    json.dumps(option, allow_nan=False)  # strict JSON: no NaN or Infinity
