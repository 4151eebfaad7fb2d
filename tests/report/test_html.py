"""HTML: ECharts inlined once with each chart's options as JSON; static mode with PNG charts."""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from qingliu.report.content import Chart, Report, Section, Table
from qingliu.report.html import echarts_js, render_html, write_html

OPTION = re.compile(r'<script type="application/json" id="([^"]+)-option">(.*?)</script>', re.S)


def test_page_is_utf8_and_self_contained(sample: Report, tmp_path: Path) -> None:
    path = write_html(sample, tmp_path / "r.html")
    html = path.read_bytes().decode("utf-8")
    assert '<meta charset="utf-8">' in html
    assert "晋中市水质月报（2024年3月）" in html and "示意数据" in html
    assert not re.search(r"<script[^>]+src=|<link[^>]+href=|https?://cdn", html)


def test_echarts_is_inlined_once_for_all_charts(sample: Report) -> None:
    html = render_html(sample)
    script = echarts_js()
    assert len(script) > 500_000  # the whole minified library, not a stub
    assert html.count(script) == 1
    assert html.count("echarts.init(") == 1  # one loop initialises every chart


def test_each_chart_carries_its_option_json(sample: Report) -> None:
    options = dict(OPTION.findall(render_html(sample)))
    assert set(options) == {"nh3n_trend", "class_share"}
    line = json.loads(options["nh3n_trend"])
    assert line["series"][0]["data"][2] == ["2024-03-01", None]
    assert line["series"][0]["markArea"]["data"][2][0]["name"] == "III类"
    pie = json.loads(options["class_share"])
    assert pie["series"][0]["data"][2] == {"name": "劣V类", "value": 1}


def test_table_and_svg_figure_render(sample: Report) -> None:
    html = render_html(sample)
    assert '<table id="sections">' in html
    assert "<td>浊漳河南源石栈道断面</td>" in html
    assert '<td class="num">1.234</td>' in html and '<td class="num"></td>' in html  # NaN is blank
    assert "<td>2024-03-05</td>" in html
    assert next(b for b in sample.blocks() if b.key == "network_map").svg in html  # SVG unchanged


def test_no_script_without_charts() -> None:
    table = Table("t", "表", pd.DataFrame({"a": [1]}))
    html = render_html(Report("标题", "", "zh", "", sections=[Section("节", [], [table])]))
    assert "<script" not in html


def test_script_breakout_is_escaped() -> None:
    name = "</script><b>x&y"
    chart = Chart("c", "图", "bar", pd.DataFrame({"x": ["a"], name: [1.0]}))
    html = render_html(Report("标题", "", "en", "", sections=[Section("s", [], [chart])]))
    assert "</script><b>" not in html
    (option,) = OPTION.findall(html)
    assert json.loads(option[1])["series"][0]["name"] == name


def test_static_mode_draws_charts_as_png(sample: Report) -> None:
    html = render_html(sample, static=True)
    assert "<script" not in html
    images = re.findall(r'<img class="chart" src="data:image/png;base64,([^"]+)"', html)
    assert len(images) == 2
    assert all(base64.b64decode(i)[:8] == b"\x89PNG\r\n\x1a\n" for i in images)
    assert "<svg" in html  # figures stay vector


@pytest.mark.slow
def test_charts_draw_in_headless_chromium(sample: Report, tmp_path: Path) -> None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("chromium is not installed")
    path = write_html(sample, tmp_path / "r.html")
    dom = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=5000", "--dump-dom", path.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    # ECharts replaces each empty placeholder with its own canvas: one per chart means the script ran
    assert dom.count("<canvas") == 2


def test_english_report_uses_the_english_echarts_locale(build) -> None:
    html = render_html(build("en"))
    assert '<html lang="en">' in html
    assert 'locale: "EN"' in html and 'locale: "ZH"' not in html
