"""Chart options of the pages: GB 3838-2002 class bands, the map's scale and layers, redirects after sign-in."""

from __future__ import annotations

import gc
import math

import pytest

from qingliu.report.water_quality import CLASS_COLOURS
from qingliu.web.i18n import translator
from qingliu.web.cache import kept_view
from qingliu.web.pages.base import safe_next
from qingliu.web.pages.charts import class_bands, gauge, map_option

t = translator("en")
ROMAN = ["I", "II", "III", "IV", "V"]


def _spans(bands):
    return [(b.low, b.high, b.label) for b in bands]


def test_bands_of_an_upper_limit_follow_gb3838_table_1():
    # GB 3838-2002 Table 1, item 8 氨氮 NH3-N (mg/L): I 0.15, II 0.5, III 1.0, IV 1.5, V 2.0
    bands = class_bands({"direction": "max", "classes": ROMAN, "limits": [0.15, 0.5, 1.0, 1.5, 2.0]}, t)
    assert _spans(bands) == [(0.0, 0.15, "I"), (0.15, 0.5, "II"), (0.5, 1.0, "III"), (1.0, 1.5, "IV"),
                             (1.5, 2.0, "V"), (2.0, math.inf, "Worse than V")]  # fmt: skip
    assert [b.color for b in bands] == [CLASS_COLOURS[k] for k in range(1, 7)]


def test_bands_of_a_lower_limit_are_upside_down():
    # item 3 溶解氧 DO (mg/L) must be at least: I 7.5, II 6, III 5, IV 3, V 2
    bands = class_bands({"direction": "min", "classes": ROMAN, "limits": [7.5, 6.0, 5.0, 3.0, 2.0]}, t)
    assert _spans(bands) == [(7.5, math.inf, "I"), (6.0, 7.5, "II"), (5.0, 6.0, "III"), (3.0, 5.0, "IV"),
                             (2.0, 3.0, "V"), (0.0, 2.0, "Worse than V")]  # fmt: skip


def test_a_limit_shared_by_two_classes_leaves_no_empty_band():
    # item 5 化学需氧量 COD: I = II = 15 mg/L; a value of 15 is class I, so there is no class II band
    bands = class_bands({"direction": "max", "classes": ROMAN, "limits": [15.0, 15.0, 20.0, 30.0, 40.0]}, t)
    assert _spans(bands) == [(0.0, 15.0, "I"), (15.0, 20.0, "III"), (20.0, 30.0, "IV"), (30.0, 40.0, "V"),
                             (40.0, math.inf, "Worse than V")]  # fmt: skip


def test_ph_has_one_band_for_every_class_and_other_items_none():
    (band,) = class_bands({"direction": "range", "range": [6.0, 9.0]}, t)
    assert (band.low, band.high) == (6.0, 9.0)
    assert class_bands(None, t) == ()


def test_gauge_shows_a_dash_without_a_value():
    assert gauge(None, colour="#000")["series"][0]["detail"]["formatter"] == "—"
    shown = gauge(73.0769, colour="#000")["series"][0]
    assert shown["data"] == [{"value": 73.1}] and shown["detail"]["formatter"] == "{value}%"


FEATURES = {
    "nodes": [{"id": "A", "lon": 112.0, "lat": 37.0}, {"id": "B", "lon": 113.0, "lat": 37.5}],
    "segments": [{"river": "汾河", "from": "A", "to": "B", "coords": [[112.0, 37.0], [113.0, 37.5]]}],
    "sections": [
        {"id": "S1", "name": "甲", "river": "汾河", "lon": 112.0, "lat": 37.0, "class": 3, "class_label": "III",
         "target_class": 3, "meets_target": True, "url": "/sections/S1"},
        {"id": "S2", "name": "乙", "river": "汾河", "lon": 113.0, "lat": 37.5, "class": 6, "class_label": "劣V",
         "target_class": 4, "meets_target": False, "url": "/sections/S2"},
    ],
    "counties": [{"id": "140702", "name": "榆次区", "lon": 112.7, "lat": 37.7}, {"id": "140799", "name": "无坐标", "lon": None, "lat": None}],
}  # fmt: skip


def _series(option, name):
    return [s for s in option["series"] if s["name"] == name]


def test_map_colours_sections_by_class_and_rings_missed_targets():
    option = map_option(FEATURES, t)
    (class_3,) = _series(option, "Class III")
    (worse,) = _series(option, "Worse than V")
    assert [p["href"] for p in class_3["data"]] == ["/sections/S1"] and class_3["itemStyle"]["color"] == CLASS_COLOURS[3]
    assert [p["href"] for p in worse["data"]] == ["/sections/S2"] and worse["itemStyle"]["color"] == CLASS_COLOURS[6]
    (missed,) = _series(option, "target missed")
    assert [p["value"] for p in missed["data"]] == [[113.0, 37.5]]
    (counties,) = _series(option, "Counties")
    assert [p["name"] for p in counties["data"]] == ["榆次区"]  # a county without a position is not drawn
    lines = next(s for s in option["series"] if s["type"] == "lines")
    assert [d["coords"] for d in lines["data"]] == [[[112.0, 37.0], [113.0, 37.5]]]


def test_map_keeps_ground_distances_equal_east_west_and_north_south():
    option = map_option(FEATURES, t)
    x, y = option["xAxis"], option["yAxis"]
    # plotting area: 96 % of the width and 89 % of the height of a 4:3 element
    area_aspect = (4 / 3) * 0.96 / 0.89
    cos = math.cos(math.radians((37.0 + 37.5 + 37.7) / 3))  # mean latitude of nodes and county seats
    assert (x["max"] - x["min"]) * cos / (y["max"] - y["min"]) == pytest.approx(area_aspect)
    for lon, lat in [(112.0, 37.0), (113.0, 37.5), (112.7, 37.7)]:
        assert x["min"] < lon < x["max"] and y["min"] < lat < y["max"]


@pytest.mark.parametrize(
    ("target", "expected"),
    [("/map?year=2024", "/map?year=2024"), ("//evil.example/", "/"), ("https://evil.example/", "/"),
     ("/\\evil.example", "/"), ("", "/"), (None, "/")],
)  # fmt: skip
def test_sign_in_returns_only_to_local_pages(target, expected):
    assert safe_next(target) == expected


def test_kept_views_follow_their_source_object():
    class Source:  # stands for an assessment: replaced, never changed, when data change
        pass

    first, calls = Source(), []
    compute = lambda: calls.append(1) or len(calls)  # noqa: E731
    assert kept_view(first, ("k",), compute) == 1
    assert kept_view(first, ("k",), compute) == 1  # kept
    assert kept_view(first, ("other",), compute) == 2  # another key
    second = Source()
    assert kept_view(second, ("k",), compute) == 3  # a new source is a new view
    del first
    gc.collect()
    assert kept_view(Source(), ("k",), compute) == 4  # even where a new object takes a dead one's id
