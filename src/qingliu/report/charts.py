"""Draw a :class:`~qingliu.report.content.Chart`: as ECharts options (HTML) or as PNG (Word, PDF).

ECharts draws in the browser from a JSON ``option``; the PNG comes from matplotlib (Agg).

Both drawings share the colours and the y-axis limits computed here, so the interactive
chart and the printed one show the same thing.
"""

from __future__ import annotations

import io
import math

import numpy as np
import pandas as pd

from qingliu.report.content import Chart

#: ECharts' default palette, used by both renderers so colours match across formats.
PALETTE = ("#5470c6", "#91cc75", "#fac858", "#ee6666", "#73c0de", "#3ba272", "#fc8452", "#9a60b4", "#ea7ccc")
#: Opacity of class bands behind the series.
BAND_OPACITY = 0.22
#: Head room above the highest value or band edge on a linear axis with bands.
HEADROOM = 1.1
#: Mantissas of round axis maxima.
ROUND_STEPS = (1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0)
#: Line charts mark each point up to this many points; beyond, markers would hide the line.
MAX_MARKED_POINTS = 60
#: Category labels are tilted when there are more than this many.
MAX_UPRIGHT_LABELS = 12


def colors(chart: Chart) -> list[str]:
    """One colour per series (per slice for a pie): the chart's own, else the palette, cycled."""
    n = len(chart.frame) if chart.kind == "pie" else chart.frame.shape[1] - 1
    base = chart.colors or PALETTE
    return [base[i % len(base)] for i in range(n)]


def _nice_ceil(x: float) -> float:
    """The smallest round number (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × 10^k) ≥ x > 0: an axis maximum."""
    exponent = math.floor(math.log10(x))
    for step in ROUND_STEPS:
        if step * 10.0**exponent >= x * (1 - 1e-12):
            return step * 10.0**exponent
    raise AssertionError("unreachable: 10 × 10^k ≥ x")


def y_limits(chart: Chart) -> tuple[float, float] | None:
    """Explicit y-axis limits when the chart has bands or a log axis; ``None`` lets the renderer choose.

    The axis spans the data and every finite band edge, so each class band is visible.
    Linear: from min(0, lowest) to a round number above the highest (with head room, so a band
    open at the top still shows). Log: whole decades around the positive values and edges.
    """
    if chart.kind == "pie" or not (chart.bands or chart.y_log):
        return None
    values = chart.series.to_numpy().ravel()
    edges = np.array([e for b in chart.bands for e in (b.low, b.high)], dtype=float)
    points = np.concatenate([values, edges])
    points = points[np.isfinite(points)]
    if chart.y_log:
        points = points[points > 0]
        if points.size == 0:
            return None
        return 10.0 ** math.floor(math.log10(points.min())), 10.0 ** math.ceil(math.log10(points.max()))
    if points.size == 0:
        return None
    top = points.max()
    return min(0.0, float(points.min())), (_nice_ceil(top * HEADROOM) if top > 0 else 0.0)


def _json_list(values: pd.Series) -> list:
    """Values for JSON: Python scalars, ``None`` where missing."""
    return values.astype(object).where(values.notna(), None).tolist()


def _x_axis_type(chart: Chart) -> str:
    if pd.api.types.is_datetime64_any_dtype(chart.x) and chart.kind in ("line", "scatter"):
        return "time"
    if chart.kind == "scatter" and pd.api.types.is_numeric_dtype(chart.x):
        return "value"
    return "category"


def _x_text(x: pd.Series) -> pd.Series:
    """Dates as ISO text (date only when every time is midnight), others as text; "" where missing."""
    if pd.api.types.is_datetime64_any_dtype(x):
        midnight = bool((x.dropna() == x.dropna().dt.normalize()).all())
        x = x.dt.strftime("%Y-%m-%d" if midnight else "%Y-%m-%dT%H:%M:%S")
    return x.astype(object).where(x.notna(), "").astype(str)


def _band_area(chart: Chart, limits: tuple[float, float] | None) -> dict:
    lo_axis, hi_axis = limits if limits else (-math.inf, math.inf)
    data = [
        [
            {
                "name": band.label,
                "yAxis": max(band.low, lo_axis),
                "itemStyle": {"color": band.color, "opacity": BAND_OPACITY},
            },
            {"yAxis": min(band.high, hi_axis)},
        ]
        for band in chart.bands
    ]
    return {"silent": True, "label": {"position": "insideRight", "color": "#334e68"}, "data": data}


def echarts_option(chart: Chart) -> dict:
    """The ECharts ``option`` object of the chart (JSON-ready: lists, dicts, str, float, None)."""
    palette = colors(chart)
    option: dict = {
        "color": palette,
        "tooltip": {"trigger": "item" if chart.kind in ("pie", "scatter") else "axis"},
        "toolbox": {"feature": {"saveAsImage": {}}},
    }
    if chart.kind == "pie":
        option["legend"] = {"type": "scroll", "bottom": 0}
        data = [{"name": n, "value": v} for n, v in zip(_x_text(chart.x), _json_list(chart.series.iloc[:, 0]), strict=True)]
        option["series"] = [{"type": "pie", "radius": "62%", "data": data, "label": {"formatter": "{b}: {d}%"}}]
        return option

    x_type = _x_axis_type(chart)
    x_text = _x_text(chart.x).tolist()
    limits = y_limits(chart)
    option["grid"] = {"containLabel": True, "left": 16, "right": 24, "bottom": 64 if x_type == "time" else 24}
    option["xAxis"] = {"type": x_type, "name": chart.x_label, "nameLocation": "middle", "nameGap": 28}
    if x_type == "category":
        option["xAxis"]["data"] = x_text
    elif x_type == "time":
        option["dataZoom"] = [{"type": "inside"}, {"type": "slider", "height": 18, "bottom": 8}]
    y_axis: dict = {"type": "log" if chart.y_log else "value", "name": chart.y_label}
    if limits:
        y_axis["min"], y_axis["max"] = limits
    option["yAxis"] = y_axis
    if chart.frame.shape[1] > 2:
        option["legend"] = {"type": "scroll", "top": 0}

    # a missing x (empty text) becomes null: ECharts skips the point
    x_values = _json_list(chart.series_x) if x_type == "value" else [t or None for t in x_text]
    series = []
    for name, column in chart.series.items():
        y = _json_list(column)
        entry: dict = {"name": str(name), "data": y if x_type == "category" else [list(p) for p in zip(x_values, y, strict=True)]}
        if chart.kind == "line":
            entry |= {"type": "line", "connectNulls": False, "showSymbol": len(column) <= MAX_MARKED_POINTS}
        elif chart.kind == "scatter":
            entry |= {"type": "scatter", "symbolSize": 7}
        else:
            entry |= {"type": "bar"}
            if chart.kind == "stacked_bar":
                entry["stack"] = "total"
        series.append(entry)
    if chart.bands:
        series[0]["markArea"] = _band_area(chart, limits)
    option["series"] = series
    return option


def _draw_points(ax, chart: Chart, palette: list[str]) -> None:
    """Lines or scatter points, one per series; NaN leaves a gap."""
    series = chart.series
    n = len(series)
    x_type = _x_axis_type(chart)
    if x_type == "time":
        x = chart.x.to_numpy()
    elif x_type == "value":
        x = chart.series_x.to_numpy()
    else:
        x = np.arange(n)
    for (name, column), color in zip(series.items(), palette, strict=True):
        if chart.kind == "line":
            marker = "o" if n <= MAX_MARKED_POINTS else None
            ax.plot(x, column.to_numpy(), label=str(name), color=color, marker=marker, markersize=3, linewidth=1.6)
        else:
            ax.scatter(x, column.to_numpy(), label=str(name), color=color, s=18)


def _draw_bars(ax, chart: Chart, palette: list[str]) -> None:
    """Bars side by side, or stacked; NaN draws no bar (adds nothing to a stack)."""
    values = chart.series.to_numpy()
    n, k = values.shape
    positions = np.arange(n)
    names = [str(c) for c in chart.series.columns]
    if chart.kind == "stacked_bar":
        # each series starts where the ones before it end
        bottoms = np.vstack([np.zeros(n), np.nancumsum(values, axis=1)[:, :-1].T])
        for j, color in enumerate(palette):
            ax.bar(positions, np.nan_to_num(values[:, j]), 0.7, bottom=bottoms[j], label=names[j], color=color)
        return
    width = 0.8 / k
    for j, color in enumerate(palette):
        ax.bar(positions + (j - (k - 1) / 2) * width, values[:, j], width, label=names[j], color=color)


def _draw_bands(ax, chart: Chart) -> None:
    """Bands behind the series, clipped to the axis, each labelled at the right edge."""
    lo_axis, hi_axis = ax.get_ylim()
    for band in chart.bands:
        lo, hi = max(band.low, lo_axis), min(band.high, hi_axis)
        ax.axhspan(lo, hi, color=band.color, alpha=BAND_OPACITY, linewidth=0, zorder=0)
        if band.label:
            middle = math.sqrt(lo * hi) if chart.y_log else (lo + hi) / 2
            ax.text(
                0.995,
                middle,
                band.label,
                transform=ax.get_yaxis_transform(),
                ha="right",
                va="center",
                fontsize=8,
                color="#334e68",
            )


def _draw_axes(ax, chart: Chart, palette: list[str]) -> None:
    """Series, x ticks, y scale and limits, bands, labels and legend of a chart with axes."""
    (_draw_points if chart.kind in ("line", "scatter") else _draw_bars)(ax, chart, palette)
    if _x_axis_type(chart) == "category":
        n = len(chart.frame)
        tilted = n > MAX_UPRIGHT_LABELS
        ax.set_xticks(
            np.arange(n), labels=_x_text(chart.x).tolist(), rotation=45 if tilted else 0, ha="right" if tilted else "center"
        )
    if chart.y_log:
        ax.set_yscale("log")
    limits = y_limits(chart)
    if limits:
        ax.set_ylim(*limits)
    _draw_bands(ax, chart)
    ax.set_xlabel(chart.x_label)
    ax.set_ylabel(chart.y_label)
    ax.grid(axis="y", color="#d9e2ec", linewidth=0.6)
    ax.set_axisbelow(True)
    k = chart.frame.shape[1] - 1
    if k > 1:
        ax.legend(fontsize=8, frameon=False, ncols=min(k, 6), loc="lower left", bbox_to_anchor=(0, 1))


def _draw_pie(ax, chart: Chart, palette: list[str]) -> None:
    """Slices with percentages; missing and non-positive values are left out."""
    values = chart.series.iloc[:, 0].to_numpy()
    keep = np.isfinite(values) & (values > 0)
    labels = _x_text(chart.x).to_numpy()[keep]
    ax.pie(values[keep], labels=labels, colors=np.array(palette)[keep], autopct="%1.1f%%", startangle=90, counterclock=False)
    ax.set_aspect("equal")


def chart_png(chart: Chart, *, width_in: float = 8.0, height_in: float = 4.5, dpi: int = 150) -> bytes:
    """The chart as a PNG image (matplotlib, Agg), its text in a CJK font.

    Parameters
    ----------
    chart : Chart
        The chart.
    width_in, height_in : float
        Image size in inches.
    dpi : int
        Resolution; 150 dpi prints sharply at the width of an A4 text column.

    Returns
    -------
    bytes
        The PNG file. No title is drawn: documents put the chart's title in a caption.

    """
    import matplotlib
    from matplotlib.figure import Figure as MplFigure

    from qingliu.report.fonts import cjk_family

    family = cjk_family()
    rc = {"font.family": [family, "DejaVu Sans"] if family else ["DejaVu Sans"], "axes.unicode_minus": False}
    with matplotlib.rc_context(rc):
        fig = MplFigure(figsize=(width_in, height_in), dpi=dpi, layout="constrained")
        ax = fig.add_subplot()
        (_draw_pie if chart.kind == "pie" else _draw_axes)(ax, chart, colors(chart))
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", facecolor="white")
    return buffer.getvalue()
