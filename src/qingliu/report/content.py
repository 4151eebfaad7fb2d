"""One content model for every report format (DESIGN.md §6).

A report is a title, an optional banner (示意数据 for example data) and sections made of
paragraphs, tables, charts and figures. Renderers (HTML, Excel, Word, PDF) turn the same
content into their format, so a number appears identically in each. Every block is plain
data (frames, strings, numbers): no callbacks, so each renderer draws it its own way.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal, get_args

import numpy as np
import pandas as pd

Lang = Literal["zh", "en"]
ChartKind = Literal["line", "bar", "pie", "scatter", "stacked_bar"]
CHART_KINDS: tuple[str, ...] = get_args(ChartKind)


def tr(lang: Lang, zh: str, en: str) -> str:
    """Pick the text of the report's language."""
    return zh if lang == "zh" else en


def pct(share: float) -> str:
    """A share (0-1) as a percentage with one decimal; blank when missing."""
    return "" if pd.isna(share) else f"{100 * share:.1f}%"


def words(frame: pd.DataFrame, column: str, lang: Lang) -> pd.Series:
    """The ``<column>_zh`` or ``<column>_en`` column of a result frame, by the report's language."""
    return frame[f"{column}_{lang}"]


def joined(parts: object, lang: Lang) -> str:
    """Names joined as a list is written in the language: 甲、乙 / A, B."""
    return tr(lang, "、", ", ").join(str(p) for p in parts)


def cell_text(value: object) -> str:
    """A table cell as text, the same in every text format (HTML, Word, PDF).

    Blank when missing; floats with four significant digits below 1e4 (from there ``.4g``
    would switch to exponents), whole numbers with thousands separators above; dates as
    YYYY-MM-DD.
    """
    if value is None or value is pd.NaT or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 9_999.5 else f"{value:,.0f}"
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    return str(value)


@dataclass(frozen=True)
class Table:
    """A table: ``key`` names its Excel sheet; ``frame`` carries display headers already."""

    key: str
    title: str
    frame: pd.DataFrame
    note: str = ""


@dataclass(frozen=True)
class Figure:
    """A figure as inline SVG (vector, no JavaScript: it prints and converts to PDF as is)."""

    key: str
    title: str
    svg: str
    note: str = ""


@dataclass(frozen=True)
class Band:
    """A horizontal band on a chart's y axis, e.g. one GB 3838-2002 class between two limits.

    ``high`` may be ``math.inf`` (the band reaches the top of the axis, e.g. 劣V类).
    """

    low: float
    high: float
    color: str
    label: str = ""

    def __post_init__(self) -> None:
        if not (math.isfinite(self.low) and self.low < self.high):
            raise ValueError(
                f"色带下限须为有限数且小于上限 / a band needs a finite low below its high: {self.low!r}..{self.high!r}"
            )


@dataclass(frozen=True)
class Chart:
    """A chart as data.

    Parameters
    ----------
    key : str
        Identifier: HTML id, Excel sheet of its data.
    title : str
        Caption shown under the chart.
    kind : {"line", "bar", "pie", "scatter", "stacked_bar"}
        How the series are drawn.
    frame : pandas.DataFrame
        First column is x (datetime64 dates, numbers or categories), then one column per
        series; headers are display names (the legend). NaN is a gap (line), no bar, or left
        out (pie). A pie has exactly one series: the first column names the slices.
    x_label, y_label : str
        Axis titles, with units.
    bands : tuple of Band
        Horizontal bands drawn behind the series (not for pies).
    y_log : bool
        Logarithmic y axis (band edges ≤ 0 are clipped to the axis minimum).
    colors : tuple of str
        Optional CSS colours, one per series (per slice for a pie).
    note : str
        A line shown under the caption.

    """

    key: str
    title: str
    kind: ChartKind
    frame: pd.DataFrame
    x_label: str = ""
    y_label: str = ""
    bands: tuple[Band, ...] = ()
    y_log: bool = False
    colors: tuple[str, ...] = ()
    note: str = ""

    def __post_init__(self) -> None:
        if self.kind not in CHART_KINDS:
            raise ValueError(f"未知图表类型 / unknown chart kind {self.kind!r}; expected one of {CHART_KINDS}")
        if self.frame.shape[1] < 2:
            raise ValueError(f"图表 {self.key} 至少需要 x 列和一个序列 / chart {self.key} needs an x column and a series")
        if self.kind == "pie" and (self.frame.shape[1] != 2 or self.bands or self.y_log):
            raise ValueError(
                f"饼图 {self.key} 只能有一个序列、无色带、无对数轴 / pie {self.key} takes one series, no bands, no log axis"
            )
        # callers may pass lists; store tuples so the block cannot change after validation
        object.__setattr__(self, "bands", tuple(self.bands))
        object.__setattr__(self, "colors", tuple(self.colors))

    @property
    def x(self) -> pd.Series:
        """The x (category) column."""
        return self.frame.iloc[:, 0]

    @property
    def series(self) -> pd.DataFrame:
        """The series columns as floats; NaN where missing, not a number or infinite."""
        return _floats(self.frame.iloc[:, 1:])

    @property
    def series_x(self) -> pd.Series:
        """The x column as floats, for a numeric axis (scatter); NaN as in :attr:`series`."""
        return _floats(self.frame.iloc[:, [0]]).iloc[:, 0]


def _floats(frame: pd.DataFrame) -> pd.DataFrame:
    numbers = frame.apply(pd.to_numeric, errors="coerce").astype(float)
    return numbers.where(np.isfinite(numbers))


Block = Table | Figure | Chart


@dataclass
class Section:
    title: str
    paragraphs: list[str] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)


@dataclass
class Report:
    title: str
    subtitle: str
    lang: Lang
    generated: str
    banner: str | None = None
    sections: list[Section] = field(default_factory=list)

    def blocks(self) -> Iterator[Block]:
        """Every block of every section, in reading order."""
        for section in self.sections:
            yield from section.blocks
