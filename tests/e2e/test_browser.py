"""The dashboard in a real browser (headless chromium via Playwright): sign in, map, charts, forms.

A chart counts as drawn when its element holds an ECharts canvas and a screenshot of it is not
blank: its grey-level variance is above :data:`MIN_VARIANCE` and more than :data:`MIN_INKED`
of its pixels differ from the background (a blank chart has variance 0 and no inked pixel).
"""

from __future__ import annotations

import io
import re

import numpy as np
import pytest
from PIL import Image

pytestmark = pytest.mark.slow

MIN_VARIANCE = 50.0
"""Grey-level variance (0-255 scale) a drawn chart exceeds; a blank one has 0."""
MIN_INKED = 0.01
"""Share of pixels a drawn chart paints away from its background."""

BAD_SAMPLES = b"section_id,time,parameter,value\nS01,2026-01-10,cod,12.5\nS99,2026-01-10,cod,11\nS02,2026-01-11,cod,abc\n"


def _drawn(page, selector: str) -> tuple[float, float]:
    """Variance and inked share of the element's screenshot, once ECharts has drawn its canvas."""
    page.wait_for_selector(f"{selector}[data-rendered='true'] canvas")
    page.wait_for_timeout(300)  # let animations finish
    grey = np.asarray(Image.open(io.BytesIO(page.locator(selector).screenshot())).convert("L"), dtype=float)
    background = np.median(grey)
    return float(grey.var()), float((np.abs(grey - background) > 24).mean())


def _assert_drawn(page, selector: str) -> None:
    variance, inked = _drawn(page, selector)
    assert variance > MIN_VARIANCE and inked > MIN_INKED, (selector, variance, inked)


def test_sign_in_and_open_the_map(page, sign_in):
    sign_in("viewer")
    page.goto("/map")
    assert page.locator("#illustrative-banner").is_visible()
    _assert_drawn(page, "#river-map")
    series = page.evaluate("echarts.getInstanceByDom(document.getElementById('river-map')).getOption().series.length")
    assert series >= 8  # rivers, river names, counties, missed-target rings, five class groups, no data


def test_clicking_a_section_on_the_map_opens_its_page(page, sign_in):
    sign_in("viewer")
    page.goto("/map")
    page.wait_for_selector("#river-map[data-rendered='true'] canvas")
    # where ECharts drew the first classed section: its series, its value, its pixel
    target = page.evaluate("""() => {
        const chart = echarts.getInstanceByDom(document.getElementById('river-map'));
        const series = chart.getOption().series;
        const i = series.findIndex(s => s.type === 'scatter' && s.data.length && s.data[0].href && s.symbolSize === 13);
        const point = series[i].data[0];
        const [x, y] = chart.convertToPixel({seriesIndex: i}, point.value);
        return {x, y, href: point.href};
    }""")
    box = page.locator("#river-map").bounding_box()
    page.mouse.click(box["x"] + target["x"], box["y"] + target["y"])
    page.wait_for_url(f"**{target['href']}")
    _assert_drawn(page, "#series_cod")


def test_charts_render_on_the_overview_of_the_period_chosen(page, sign_in):
    sign_in("viewer")
    page.goto("/?lang=en")
    for selector in ("#history", "#class_pie", "#gauge_share_1_3"):
        _assert_drawn(page, selector)
    page.select_option("form.period select[name=year]", "2024")
    page.click("form.period button[type=submit]")
    page.wait_for_url("**/?year=2024&month=")
    assert "City overview · 2024" in page.locator("h1").inner_text()
    _assert_drawn(page, "#class_pie")


def test_editor_edits_a_project_of_their_department(page, sign_in):
    sign_in("editor_env")
    page.goto("/projects/XM03")
    page.click("#edit-project")
    page.fill("input[name=progress_pct]", "88")
    page.fill("textarea[name=description]", "表流与潜流人工湿地约1200亩（已完成主体）")
    page.click("#project-form button[type=submit]")
    page.wait_for_url("**/projects/XM03")
    facts = page.locator("#tracking").inner_text()
    assert "88.0%" in facts
    assert "已完成主体" in page.content()


def test_editor_is_refused_on_another_departments_project(page, sign_in):
    sign_in("editor_env")
    page.goto("/projects/XM14")
    assert page.locator("#edit-project").count() == 0 and page.locator("#progress-form").count() == 0
    answer = page.goto("/projects/XM14/edit")
    assert answer.status == 403
    assert "晋中市水利局" in page.locator("p[lang=zh-CN]").inner_text()
    assert "may not change project XM14" in page.locator("p[lang=en]").inner_text()
    # a form sent anyway (with a valid CSRF token) is refused too
    token = page.locator("form[action='/logout'] input[name=csrf_token]").get_attribute("value")
    posted = page.request.post("/projects/XM14/progress", form={"csrf_token": token, "date": "2026-06-30", "progress_pct": "99"})
    assert posted.status == 403 and "may only change projects" in posted.text()


def test_bad_upload_shows_its_errors(page, sign_in):
    sign_in("editor_env")
    page.goto("/imports?lang=en")
    page.select_option("select[name=kind]", "samples")
    page.set_input_files("input[name=file]", files=[{"name": "bad_samples.csv", "mimeType": "text/csv", "buffer": BAD_SAMPLES}])
    page.click("#upload-form button[type=submit]")
    problems = page.locator("#import-problems")
    problems.wait_for()
    rows = [re.sub(r"\s+", " ", r) for r in problems.locator("tbody tr").all_inner_texts()]
    assert any(r.startswith("bad_samples.csv 3 section_id") for r in rows), rows
    assert any(r.startswith("bad_samples.csv 4 value") for r in rows), rows
    assert "Nothing was written" in problems.inner_text()
    assert page.locator("#confirm-import").count() == 0
