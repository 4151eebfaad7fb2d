"""The capability pages (TestClient): water ecology, water resources, pollution, flood and drought.

Each page is the report's section of the latest year with data (2025 in the example), in
Chinese and English, for signed-in users only. Expected facts come from the example's files
(src/qingliu/data/jinzhong): station H01 is 义棠 and its level reading is above its warning
level (levels.csv, stations.csv); 榆次区 (140702) used 14,916.2 × 10⁴ m³ in 2025, the sum of its
rows in water_use.csv.
"""

from __future__ import annotations

import re
from importlib import resources

import pandas as pd
import pytest

PAGES = ["/ecology", "/resources", "/pollution", "/flood"]
BANNER = {"zh": "示意数据，非官方监测值", "en": "Illustrative data, not official measurements"}
NAV = {"zh": (">水生态<", ">水资源<", ">污染防治<", ">水旱灾害<"), "en": (">Ecology<", ">Water resources<", ">Pollution<", ">Floods &amp; droughts<")}


def _yuci_use_2025() -> float:
    """榆次区's water use in 2025 summed by hand from the example's water_use.csv (10⁴ m³)."""
    path = resources.files("qingliu.data").joinpath("jinzhong", "water_use.csv")
    use = pd.read_csv(str(path), dtype={"county_id": str})
    return float(use.loc[(use["county_id"] == "140702") & (use["year"] == 2025), "volume"].sum())


@pytest.fixture()
def pages(client):
    """``pages[(path, lang)]``: a page fetched by a viewer (the app caches the services, so once is slow)."""
    viewer = client("viewer")

    class Pages(dict):
        def __missing__(self, key):
            path, lang = key
            self[key] = viewer.get(path, params={"lang": lang})
            return self[key]

    return Pages()


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("path", PAGES)
def test_page_in_both_languages_with_banner_nav_and_charset(pages, path, lang):
    answer = pages[(path, lang)]
    assert answer.status_code == 200, answer.text[:500]
    assert answer.headers["content-type"] == "text/html; charset=utf-8"
    assert '<meta charset="utf-8">' in answer.text
    assert f'<html lang="{"zh-CN" if lang == "zh" else "en"}">' in answer.text
    assert BANNER[lang] in answer.text
    assert all(entry in answer.text for entry in NAV[lang])
    assert f'href="{path}" class="active"' in answer.text
    assert '<option value="2025" selected>2025</option>' in answer.text


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, path):
    answer = client().get(path, params={"year": 2025}, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/login?next={path}%3Fyear%3D2025"


def test_ecology_page_shows_station_compliance(pages):
    zh, en = pages[("/ecology", "zh")].text, pages[("/ecology", "en")].text
    assert "义棠" in zh and "生态流量达标率" in zh and "生态流量目标" in zh
    assert "Ecological-flow compliance" in en and "River health" in en
    for text in (zh, en):
        figure = re.search(r'id="figure-ecoflow">.*?<div class="value">([^<]*)</div>', text, re.DOTALL)
        assert figure is not None and re.fullmatch(r"\d{1,3}\.\d%", figure.group(1))
        table = text[text.index('id="eco_compliance"'):]
        assert re.search(r"<td>义棠</td>[^\n]*?<td>\d{1,3}\.\d%</td>", table, re.DOTALL)  # the station's daily rate
    assert 'data-option="eco_compliance_bar-option"' in zh and "/static/report/echarts.min.js" in zh


def test_resources_page_shows_the_water_account(pages):
    zh, en = pages[("/resources", "zh")].text, pages[("/resources", "en")].text
    use = f"{_yuci_use_2025():,.0f}"  # table cells show whole numbers from 10,000 on
    assert use == "14,916"
    for text in (zh, en):
        account = text[text.index('id="water_account"'):text.index('id="water_red_lines"')]
        assert re.search(rf'<td>榆次区</td>[^\n]*?<td class="num">{use}</td>', account, re.DOTALL)
    assert "用水总量控制指标" in zh and "三条红线" in zh and "四水四定" in zh and "超载" in zh
    assert "Water use in 2025" in en and "Red lines" in en and "overloaded" in en


def test_pollution_page_shows_sectors(pages):
    zh, en = pages[("/pollution", "zh")].text, pages[("/pollution", "en")].text
    assert "农业面源" in zh and "城乡生活" in zh and "分行业入河量" in zh
    assert "agriculture" in en and "Entering loads by sector" in en
    assert "<svg" in zh  # the load map is a figure


def test_flood_page_lists_the_warning_at_yitang(pages):
    zh, en = pages[("/flood", "zh")].text, pages[("/flood", "en")].text
    for text in (zh, en):
        warnings = text[text.index('id="flood_warnings"'):]
        assert "<td>义棠</td>" in warnings
        figure = re.search(r'id="figure-warnings">.*?<div class="value">([^<]*)</div>', text, re.DOTALL)
        assert figure is not None and figure.group(1) == "1 / 8"  # 义棠 of 6 stations and 2 reservoirs
    assert "超警戒水位" in zh and "probability paper" in en


def test_a_year_without_water_use_says_so(client):
    answer = client("viewer").get("/resources", params={"year": 1990, "lang": "en"})
    assert answer.status_code == 404
    assert "no water use in 1990" in answer.text
