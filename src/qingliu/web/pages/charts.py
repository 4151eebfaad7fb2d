"""ECharts options of the dashboard pages: gauges, the schematic map, item series with class bands.

Line and bar charts are :class:`qingliu.report.content.Chart` blocks drawn by
:func:`qingliu.report.charts.echarts_option`, so a chart looks the same on a page and in a
report. The map has no tiles and no boundaries (none openly licensed: ../shared/geodata): rivers
are drawn from the network's own node coordinates, sections and county seats as points.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from qingliu.report.charts import echarts_option
from qingliu.report.content import Band, Chart
from qingliu.report.water_quality import CLASS_COLOURS
from qingliu.web.pages.base import CLASS_LABELS

Translate = Callable[[str], str]

NO_CLASS_COLOUR = "#adb5bd"
"""Sections without samples in the period."""
MISSED_TARGET_COLOUR = "#c92a2a"
"""The ring around a section that misses its target class."""
RIVER_COLOUR = "#4a90d9"
COUNTY_COLOUR = "#5c677d"

MAP_GRID = {"left": 0.02, "right": 0.02, "top": 0.09, "bottom": 0.02}
"""Margins of the map's plotting area, shares of the element (the legend sits in the top one)."""
MAP_PADDING = 1.08
"""The map shows the points' extent and 8 % more, so labels at the edges stay inside."""
MAP_ASPECT = 4 / 3
"""Width / height of the map element (``.chart.map`` in qingliu.css)."""

CLASS_GROUPS = ((1, 2), (3,), (4,), (5,), (6,))
"""Classes sharing a colour and a legend entry: I–II blue, III green, IV yellow, V orange, 劣V red."""


def gauge(value: float | None, *, colour: str, maximum: float = 100.0) -> dict[str, Any]:
    """A half-ring gauge of a percentage (0..``maximum``); an empty ring when the value is missing."""
    shown = None if value is None else round(float(value), 1)
    return {
        "series": [
            {
                "type": "gauge",
                "min": 0,
                "max": maximum,
                "startAngle": 210,
                "endAngle": -30,
                "radius": "100%",
                "center": ["50%", "60%"],
                "progress": {"show": True, "width": 14, "itemStyle": {"color": colour}},
                "axisLine": {"lineStyle": {"width": 14, "color": [[1, "#e9ecef"]]}},
                "axisTick": {"show": False},
                "splitLine": {"show": False},
                "axisLabel": {"show": False},
                "pointer": {"show": False},
                "anchor": {"show": False},
                "title": {"show": False},
                "detail": {"formatter": "{value}%" if shown is not None else "—", "fontSize": 20,
                           "offsetCenter": [0, "5%"], "color": "#1f2933"},  # fmt: skip
                "data": [{"value": shown if shown is not None else 0}],
            }
        ]
    }


def _equal_scale(lon: np.ndarray, lat: np.ndarray, aspect: float) -> tuple[list[float], list[float]]:
    """Axis ranges (lon, lat) showing every point with one km on the ground as long east-west as north-south.

    A degree of longitude is cos(latitude) of a degree of latitude (equirectangular projection at
    the mean latitude); the shorter side is padded to the plotting area's ``aspect``.
    """
    cos = math.cos(math.radians(float(np.nanmean(lat))))
    x0, x1 = float(np.nanmin(lon)), float(np.nanmax(lon))
    y0, y1 = float(np.nanmin(lat)), float(np.nanmax(lat))
    width, height = max((x1 - x0) * cos, 1e-6) * MAP_PADDING, max(y1 - y0, 1e-6) * MAP_PADDING
    if width / height > aspect:
        height = width / aspect
    else:
        width = height * aspect
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    return [cx - width / cos / 2, cx + width / cos / 2], [cy - height / 2, cy + height / 2]


def _class_group(klass: Any) -> int | None:
    """Index in :data:`CLASS_GROUPS` of a class 1-6; None without a class."""
    if klass is None or not 1 <= int(klass) <= 6:
        return None
    return next(i for i, group in enumerate(CLASS_GROUPS) if int(klass) in group)


def _section_tip(s: Mapping[str, Any], t: Translate) -> list[str]:
    target = CLASS_LABELS[int(s["target_class"])] if s.get("target_class") else "—"
    met = {True: t("target_met"), False: t("target_missed"), None: t("no_data")}[s.get("meets_target")]
    return [f"{s['name']} ({s['id']}) · {s['river']}", f"{t('water_class')}: {s.get('class_label') or t('no_data')}",
            f"{t('target')}: {target} · {met}", t("click_for_detail")]  # fmt: skip


def map_option(features: Mapping[str, Any], t: Translate) -> dict[str, Any]:
    """The schematic map of :func:`qingliu.services.dashboard.map_features` as an ECharts option.

    Rivers are lines between nodes, each section a point in the colour of its class (a red ring
    when it misses its target) linking to its page, each county seat a grey diamond. Axes are
    longitude and latitude at equal ground scale (:func:`_equal_scale`).
    """
    sections = [s for s in features["sections"] if s["lon"] is not None]
    counties = [c for c in features["counties"] if c["lon"] is not None]
    nodes = [n for n in features["nodes"] if n["lon"] is not None]
    lon = np.array([n["lon"] for n in nodes] + [c["lon"] for c in counties], dtype=float)
    lat = np.array([n["lat"] for n in nodes] + [c["lat"] for c in counties], dtype=float)
    g = MAP_GRID
    area_aspect = MAP_ASPECT * (1 - g["left"] - g["right"]) / (1 - g["top"] - g["bottom"])
    x_range, y_range = _equal_scale(lon, lat, area_aspect) if lon.size else ([0, 1], [0, 1])

    class_names = [t("class_1_2"), t("class_3"), t("class_4"), t("class_5"), t("class_6")]
    colours = [CLASS_COLOURS[group[0]] for group in CLASS_GROUPS]
    groups: list[list[dict[str, Any]]] = [[] for _ in CLASS_GROUPS]
    unclassed, missed = [], []
    for s in sections:
        point = {"name": s["name"], "value": [s["lon"], s["lat"]], "href": s["url"], "tip": _section_tip(s, t)}
        index = _class_group(s.get("class"))
        (unclassed if index is None else groups[index]).append(point)
        if s.get("meets_target") is False:
            missed.append({"name": s["name"], "value": [s["lon"], s["lat"]], "href": s["url"], "tip": point["tip"]})

    def points(name: str, data: list, colour: str) -> dict[str, Any]:
        return {"type": "scatter", "name": name, "data": data, "symbolSize": 13, "z": 4, "cursor": "pointer",
                "itemStyle": {"color": colour, "borderColor": "#243b53", "borderWidth": 1},
                "label": {"show": True, "formatter": "{b}", "position": "right", "fontSize": 11, "color": "#243b53"},
                "labelLayout": {"hideOverlap": True}}  # fmt: skip

    rivers: dict[str, list[list[float]]] = {}
    for seg in features["segments"]:
        rivers.setdefault(seg["river"], []).append(seg["coords"][0])
    river_labels = [{"name": r, "value": coords[len(coords) // 2], "tip": [r]} for r, coords in rivers.items() if r]
    series: list[dict[str, Any]] = [
        {"type": "lines", "name": t("rivers"), "coordinateSystem": "cartesian2d", "polyline": False, "z": 1,
         "lineStyle": {"color": RIVER_COLOUR, "width": 2.2, "opacity": 0.9},
         "data": [{"name": s["river"], "coords": s["coords"], "tip": [s["river"]]} for s in features["segments"]]},
        {"type": "scatter", "name": t("rivers"), "data": river_labels, "symbolSize": 0, "silent": True, "z": 2,
         "label": {"show": True, "formatter": "{b}", "color": "#1c4f8a", "fontStyle": "italic", "fontSize": 12,
                   "position": "top"}},
        {"type": "scatter", "name": t("counties"), "data": [
            {"name": c["name"], "value": [c["lon"], c["lat"]], "tip": [f"{c['name']} ({c['id']})"]} for c in counties],
         "symbol": "diamond", "symbolSize": 10, "z": 3, "itemStyle": {"color": COUNTY_COLOUR},
         "label": {"show": True, "formatter": "{b}", "position": "bottom", "fontSize": 11, "color": COUNTY_COLOUR}},
        {"type": "scatter", "name": t("target_missed"), "data": missed, "symbolSize": 24, "z": 5, "cursor": "pointer",
         "itemStyle": {"color": "rgba(0,0,0,0)", "borderColor": MISSED_TARGET_COLOUR, "borderWidth": 3}},
    ]  # fmt: skip
    series += [points(name, data, colour) for name, data, colour in zip(class_names, groups, colours, strict=True)]
    series.append(points(t("no_data"), unclassed, NO_CLASS_COLOUR))
    legend = [*class_names, t("no_data"), t("target_missed"), t("counties")]
    return {
        "animation": False,
        "tooltip": {"trigger": "item", "formatter": "tip"},
        "toolbox": {"feature": {"saveAsImage": {}, "restore": {}}},
        "legend": {"top": 0, "data": legend},
        "grid": {k: f"{100 * v:g}%" for k, v in g.items()},
        "xAxis": {"type": "value", "min": x_range[0], "max": x_range[1], "show": False},
        "yAxis": {"type": "value", "min": y_range[0], "max": y_range[1], "show": False},
        "dataZoom": [{"type": "inside", "xAxisIndex": 0, "filterMode": "none"},
                     {"type": "inside", "yAxisIndex": 0, "filterMode": "none"}],  # fmt: skip
        "series": series,
    }


def class_bands(bands: Mapping[str, Any] | None, t: Translate) -> tuple[Band, ...]:
    """GB 3838-2002 Table 1 class bands of an item (as given by the dashboard service).

    An upper limit L1..L5 gives I ``[0, L1]``, II ``[L1, L2]`` ... and 劣V above L5; a lower limit
    (DO) the same bands upside down, 劣V below L5. Where two classes share a limit (COD I = II)
    the value belongs to the better class, so the empty band is left out. pH gets one band, its
    range for every class.
    """
    if not bands:
        return ()
    if bands["direction"] == "range":
        low, high = bands["range"]
        return (Band(low, high, CLASS_COLOURS[3], t("ph_range")),)
    labels = [*bands["classes"], t("class_6")]
    limits = list(bands["limits"])
    if bands["direction"] == "max":
        edges = [0.0, *limits, math.inf]
        spans = [(edges[k], edges[k + 1]) for k in range(6)]
    else:
        edges = [math.inf, *limits, 0.0]
        spans = [(edges[k + 1], edges[k]) for k in range(6)]
    return tuple(Band(lo, hi, CLASS_COLOURS[k + 1], labels[k]) for k, (lo, hi) in enumerate(spans) if lo < hi)


def series_option(item: Mapping[str, Any], t: Translate, lang: str) -> dict[str, Any]:
    """One monitored item of a section over time with its class bands (``markArea``)."""
    name = item["zh"] if lang == "zh" else item["en"]
    unit = item["unit"] if item["unit"] not in (None, "1") else ""
    frame = pd.DataFrame({t("time"): pd.to_datetime(pd.Series(item["time"], dtype="str")),
                          name: pd.Series(item["value"], dtype="float64")})  # fmt: skip
    chart = Chart(f"series_{item['parameter']}", name, "line", frame, y_label=unit, bands=class_bands(item["bands"], t))
    option = echarts_option(chart)
    # small multiples: no slider (wheel and drag still zoom), labels that never overlap
    option["dataZoom"] = [{"type": "inside"}]
    option["grid"] |= {"top": 30, "bottom": 8}
    option["xAxis"] |= {"axisLabel": {"hideOverlap": True}, "splitNumber": 5}
    option.pop("toolbox", None)
    return option


def line_option(key: str, frame: pd.DataFrame, *, y_label: str = "", colours: Sequence[str] = (), kind: str = "line") -> dict[str, Any]:
    """A line or bar chart of ``frame`` (x first, then one column per series) as an ECharts option."""
    return echarts_option(Chart(key, key, kind, frame, y_label=y_label, colors=tuple(colours)))  # type: ignore[arg-type]
