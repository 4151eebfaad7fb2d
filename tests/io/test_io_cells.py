"""Cell parsers: numbers, dates, yes/no, choices, detection limits; and the speed of a large file."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from qingliu.io import read_input
from qingliu.io.cells import clean, is_missing, parse_bool, parse_datetime, parse_number
from qingliu.io.samples import parse_values


def _text(*cells: str) -> pd.Series:
    return clean(pd.Series(list(cells), dtype="str"))


def test_numbers() -> None:
    values, bad = parse_number(_text("1,234.5", "１２.５", "-3", "+2e-3", "", "--", "abc", "0,05", "inf"))
    assert values[:4].tolist() == [1234.5, 12.5, -3.0, 0.002]
    assert np.isnan(values[4:]).all()
    assert bad.tolist() == [False] * 6 + [True] * 3


@given(st.integers(min_value=-(10**12), max_value=10**12), st.integers(min_value=0, max_value=99))
def test_thousands_separators_read_back_the_number(whole: int, cents: int) -> None:
    text = f"{whole:,}.{cents:02d}"
    values, bad = parse_number(_text(text))
    sign = -1 if text.startswith("-") else 1
    assert not bad[0] and values[0] == pytest.approx(whole + sign * cents / 100, rel=1e-15, abs=1e-9)


def test_missing_markers() -> None:
    assert (
        is_missing(_text("", "--", "—", "-", "NA", "n/a", "N/A", "/", "－－", "0", "x")).tolist()
        == [True] * 9 + [False] * 2
    )


@pytest.mark.parametrize(
    "cell",
    ["2024-03-05", "2024/3/5", "2024.3.5", "2024年3月5日", "20240305", "45356", "2024-03-05 00:00:00", " 2024-3-5 "],
)
def test_dates(cell: str) -> None:
    stamps, bad = parse_datetime(_text(cell))
    assert not bad[0] and stamps[0] == np.datetime64("2024-03-05")


@pytest.mark.parametrize(
    "cell, expected",
    [
        ("2024-03-05 08:00", "2024-03-05T08:00"),
        ("2024/3/5 8:05:30", "2024-03-05T08:05:30"),
        ("2024年3月5日8时", "2024-03-05T08:00"),
        ("2024年3月5日 8时30分", "2024-03-05T08:30"),
        ("2024-03-05T08:00", "2024-03-05T08:00"),
        ("2024-03-05 25:00", None),
        ("2024-03", None),  # months only where allowed (samples)
        ("2024", None),
    ],
)
def test_datetimes(cell: str, expected: str | None) -> None:
    stamps, bad = parse_datetime(_text(cell))
    if expected is None:
        assert bad[0]
    else:
        assert not bad[0] and stamps[0] == np.datetime64(expected)


def test_month_only_where_allowed() -> None:
    stamps, bad = parse_datetime(_text("2024-03", "2024年11月"), allow_month=True)
    assert not bad.any() and list(stamps) == [np.datetime64("2024-03-01"), np.datetime64("2024-11-01")]


def test_booleans() -> None:
    values, bad = parse_bool(_text("是", "否", "Y", "n", "TRUE", "false", "1", "0", "", "maybe"))
    assert values[:8].tolist() == [1, 0, 1, 0, 1, 0, 1, 0]
    assert bad.tolist() == [False] * 9 + [True]


def test_measurement_values() -> None:
    values, below, skip, bad, no_limit = parse_values(
        _text("0.05", "<0.01", "0.02L", "ND(0.5)", "未检出", "维护", "--", "x")
    )
    assert values[:4].tolist() == [0.05, 0.01, 0.02, 0.5]
    assert below.tolist() == [False, True, True, True, False, False, False, False]
    assert skip.tolist() == [False] * 5 + [True, True, False]
    assert no_limit.tolist() == [False] * 4 + [True, False, False, False]
    assert bad.tolist() == [False] * 7 + [True]


def test_a_100k_row_flow_file_reads_in_well_under_two_seconds(tmp_path) -> None:
    days = pd.date_range("1990-01-01", periods=10_000).strftime("%Y-%m-%d")
    q = np.round(np.random.default_rng(1).gamma(2.0, 5.0, size=100_000), 3)
    lines = [f"ST{s},{d},{q[s * 10_000 + i]}" for s in range(10) for i, d in enumerate(days)]
    path = tmp_path / "flows.csv"
    path.write_text("station_id,date,q\n" + "\n".join(lines) + "\n", encoding="utf-8")
    start = time.perf_counter()
    frame = read_input("flows", path, known={("station", "station_id"): {f"ST{s}" for s in range(10)}})["flow_daily"]
    elapsed = time.perf_counter() - start
    assert len(frame) == 100_000 and frame["q"].to_numpy() == pytest.approx(q)
    assert elapsed < 2.0, f"{elapsed:.2f} s"
