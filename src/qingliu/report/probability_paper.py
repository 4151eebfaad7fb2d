"""Frequency curves on probability paper (海森几率格纸), as PNG (matplotlib, Agg).

Hazen's paper has a normal-probability abscissa: exceedance probability P is placed at
Φ⁻¹(P), so that a normal distribution plots as a straight line, with the usual ticks from
0.01 % to 99.99 %. The ordinate is linear in the value. Empirical points (measured floods,
historical and in-record extraordinary floods with their own markers), the fitted curve and
its confidence band are drawn for one or more series; labels are Chinese and English, in the
CJK font of :func:`qingliu.report.fonts.cjk_family`. A second axis on top gives return
periods T = 1/P.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
from scipy import stats

PROBABILITY_TICKS_PCT = (0.01, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 98, 99,
                         99.5, 99.9, 99.99)
"""Ticks of the probability axis, in percent exceedance, as printed on 海森几率格纸."""
RETURN_PERIOD_TICKS = (2, 5, 10, 20, 50, 100, 200, 500, 1000, 10000)
_Y_HEADROOM = 1.15  # room above the largest value drawn, for the legend
_MARKERS = {"measured": ("o", "实测 measured"), "extraordinary": ("s", "实测特大 extraordinary (in record)"),
            "historical": ("^", "历史洪水 historical")}


def probability_axis(p: np.ndarray) -> np.ndarray:
    """Position of exceedance probabilities (0-1) on the paper: Φ⁻¹(P)."""
    return stats.norm.ppf(np.asarray(p, dtype=float))


def _format_pct(value: float) -> str:
    return f"{value:g}"


def probability_paper_png(
    points: pd.DataFrame,
    curve: pd.DataFrame,
    *,
    title: str = "频率曲线 / frequency curve",
    value_label: str = "数值 / value",
    band_label: str = "置信区间 / confidence band",
    width_in: float = 9.0,
    height_in: float = 5.5,
    dpi: int = 150,
) -> bytes:
    """Draw series on probability paper and return the PNG bytes.

    Parameters
    ----------
    points : series_id, value, probability (exceedance, 0-1), kind (measured, extraordinary,
        historical).
    curve : series_id, probability, value, lower, upper (lower/upper may be NaN: no band).
    title, value_label : texts (give both languages).
    """
    import matplotlib
    from matplotlib.figure import Figure

    from qingliu.report.fonts import cjk_family

    family = cjk_family()
    rc = {"font.family": [family, "DejaVu Sans"] if family else ["DejaVu Sans"], "axes.unicode_minus": False}
    low, high = PROBABILITY_TICKS_PCT[0] / 100, PROBABILITY_TICKS_PCT[-1] / 100
    with matplotlib.rc_context(rc):
        fig = Figure(figsize=(width_in, height_in), dpi=dpi, layout="constrained")
        ax = fig.add_subplot()
        ids = list(dict.fromkeys([*curve["series_id"], *points["series_id"]]))
        colours = matplotlib.colormaps["tab10"]
        for i, series_id in enumerate(ids):
            colour = colours(i % 10)
            name = f"{series_id} " if len(ids) > 1 else ""
            c = curve[curve["series_id"] == series_id].sort_values("probability")
            x = probability_axis(c["probability"])
            ax.plot(x, c["value"], color=colour, linewidth=1.6, label=f"{name}拟合曲线 fitted curve")
            band = c["lower"].notna() & c["upper"].notna()
            if band.any():
                ax.fill_between(x[band.to_numpy()], c["lower"][band], c["upper"][band], color=colour, alpha=0.15,
                                linewidth=0, label=f"{name}{band_label}")
            pts = points[points["series_id"] == series_id]
            for kind, (marker, label) in _MARKERS.items():
                group = pts[pts["kind"] == kind]
                if len(group):
                    ax.scatter(probability_axis(group["probability"]), group["value"], marker=marker, s=22,
                               facecolors="none" if kind == "measured" else colour, edgecolors=colour, linewidths=1.0,
                               label=f"{name}{label}", zorder=3)
        # the band can widen without bound in the rare tail: the curve and points set the scale
        shown = np.concatenate([curve["value"].to_numpy(float), points["value"].to_numpy(float)])
        shown = shown[np.isfinite(shown)]
        if shown.size:
            ax.set_ylim(min(0.0, shown.min()), _Y_HEADROOM * shown.max())
        ticks = np.array(PROBABILITY_TICKS_PCT)
        ax.set_xticks(probability_axis(ticks / 100), [_format_pct(t) for t in ticks], fontsize=7)
        ax.set_xlim(probability_axis(low), probability_axis(high))
        ax.grid(True, which="major", linewidth=0.5, alpha=0.5)
        ax.set_xlabel("频率 P（%，超过概率）/ exceedance probability P (%)")
        ax.set_ylabel(value_label)
        ax.set_title(title)
        top = ax.secondary_xaxis("top")
        periods = np.array(RETURN_PERIOD_TICKS, dtype=float)
        top.set_xticks(probability_axis(1 / periods), [f"{t:g}" for t in periods], fontsize=7)
        top.set_xlabel("重现期 T（年）/ return period T (years)", fontsize=8)
        ax.legend(fontsize=7, loc="upper right", ncols=1 + (len(ids) > 3))
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", facecolor="white")
    return buffer.getvalue()
