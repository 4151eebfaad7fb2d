"""The content model: chart validation, cell text, block order."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from qingliu.report.content import Band, Chart, Figure, Report, Table, cell_text


def _frame() -> pd.DataFrame:
    return pd.DataFrame({"x": ["a", "b"], "y": [1.0, 2.0], "z": [3.0, 4.0]})


def test_unknown_chart_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown chart kind"):
        Chart("k", "t", "area", _frame())  # type: ignore[arg-type]


def test_chart_needs_a_series() -> None:
    with pytest.raises(ValueError, match="needs an x column"):
        Chart("k", "t", "line", _frame()[["x"]])


def test_pie_takes_exactly_one_series() -> None:
    with pytest.raises(ValueError, match="pie"):
        Chart("k", "t", "pie", _frame())
    with pytest.raises(ValueError, match="pie"):
        Chart("k", "t", "pie", _frame()[["x", "y"]], bands=(Band(0, 1, "#000"),))


@pytest.mark.parametrize(("low", "high"), [(1.0, 1.0), (2.0, 1.0), (-math.inf, 1.0), (math.nan, 1.0)])
def test_band_needs_finite_low_below_high(low: float, high: float) -> None:
    with pytest.raises(ValueError, match="band"):
        Band(low, high, "#000")


def test_band_may_be_open_at_the_top_and_lists_become_tuples() -> None:
    band = Band(2.0, math.inf, "#f00", "劣V类")
    chart = Chart("k", "t", "line", _frame(), bands=[band], colors=["#111", "#222"])  # type: ignore[arg-type]
    assert chart.bands == (band,)
    assert chart.colors == ("#111", "#222")


def test_series_are_floats_with_nan_for_text() -> None:
    frame = pd.DataFrame({"x": ["a", "b"], "y": ["1.5", "n/a"]})
    series = Chart("k", "t", "bar", frame).series
    assert series["y"].iloc[0] == 1.5
    assert np.isnan(series["y"].iloc[1])


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.52, "0.52"),
        (1.23456, "1.235"),
        (1234.56, "1,235"),
        (9999.7, "10,000"),  # .4g would print 1e+04
        (12345.6, "12,346"),
        (0.000123456, "0.0001235"),
        (float("nan"), ""),
        (None, ""),
        (pd.NaT, ""),
        (pd.NA, ""),
        (pd.Timestamp("2024-03-05"), "2024-03-05"),
        (12, "12"),
        ("浊漳河", "浊漳河"),
    ],
)
def test_cell_text(value: object, text: str) -> None:
    assert cell_text(value) == text


def test_blocks_in_reading_order(sample: Report) -> None:
    kinds = [type(b) for b in sample.blocks()]
    assert kinds == [Table, Chart, Chart, Figure]


def test_infinite_values_are_missing() -> None:
    frame = pd.DataFrame({"x": [1.0, np.inf], "y": [np.inf, -np.inf]})
    chart = Chart("k", "t", "scatter", frame)
    assert chart.series["y"].isna().all()
    assert chart.series_x.tolist()[0] == 1.0 and np.isnan(chart.series_x.iloc[1])
