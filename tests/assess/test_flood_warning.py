"""Warning status of stations and reservoirs: statuses, margins, order, trend, stale readings."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from qingliu.assess.flood_warning import warning_status

STATIONS = pd.DataFrame({
    "station_id": ["H1", "H2", "H3", "H4"], "name": ["甲", "乙", "丙", "丁"],
    "warning_level_m": [100.0, 200.0, 300.0, np.nan], "guarantee_level_m": [101.0, 202.0, 303.0, np.nan],
})
RESERVOIRS = pd.DataFrame({
    "reservoir_id": ["R1", "R2"], "name": ["一号水库", "二号水库"],
    "flood_limit_level_m": [500.0, 600.0], "normal_level_m": [505.0, 606.0],
})


def _levels(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["site_id", "time", "level_m"])
    frame["time"] = pd.to_datetime(frame["time"])
    return frame


def test_statuses_margins_and_order() -> None:
    levels = _levels([
        ("H1", "2025-07-20 08:00", 100.2), ("H1", "2025-07-20 14:00", 100.5),  # above warning by 0.5, rising
        ("H2", "2025-07-20 14:00", 202.0),  # exactly at guarantee: reached
        ("H3", "2025-07-20 14:00", 299.0),  # 1 m below warning
        ("H4", "2025-07-20 14:00", 50.0),  # no characteristic levels
        ("R1", "2025-07-20 08:00", 501.5), ("R1", "2025-07-20 14:00", 501.0),  # above flood limit, falling
        ("R2", "2025-07-20 14:00", 590.0),
    ])
    table = warning_status(levels, STATIONS, RESERVOIRS)
    assert list(table["site_id"]) == ["H2", "R1", "H1", "H3", "R2", "H4"]
    by_id = table.set_index("site_id")
    assert by_id.loc["H2", "status_zh"] == "超保证水位" and by_id.loc["H2", "severity"] == 3
    assert by_id.loc["H2", "exceed_m"] == pytest.approx(0.0)
    assert by_id.loc["R1", "status_en"] == "above flood-limit level"
    assert by_id.loc["R1", "exceed_m"] == pytest.approx(1.0)
    assert (by_id.loc["R1", "trend_zh"], by_id.loc["R1", "change_m"]) == ("落", pytest.approx(-0.5))
    assert by_id.loc["H1", "status"] == "above_warning"
    assert by_id.loc["H1", "exceed_m"] == pytest.approx(0.5)
    assert by_id.loc["H1", "trend_en"] == "rising"
    assert by_id.loc["H3", "status_zh"] == "正常" and by_id.loc["H3", "exceed_m"] == pytest.approx(-1.0)
    assert by_id.loc["R2", "exceed_m"] == pytest.approx(-10.0)
    assert by_id.loc["H4", "status"] == "no_threshold"
    assert by_id.loc["H3", "trend_zh"] == ""  # a single reading: no trend


def test_reservoir_above_normal_pool_and_missing_sites() -> None:
    levels = _levels([("R2", "2025-07-20 14:00", 607.0)])
    table = warning_status(levels, STATIONS, RESERVOIRS)
    assert table.iloc[0]["site_id"] == "R2"
    assert table.iloc[0]["status_zh"] == "超正常蓄水位"
    assert table.iloc[0]["exceed_m"] == pytest.approx(1.0)
    missing = table[table["status"] == "no_data"]
    assert set(missing["site_id"]) == {"H1", "H2", "H3", "H4", "R1"}
    assert (missing["severity"] == -1).all() and missing["stale"].all()
    assert list(table["site_id"])[-5:] == sorted(missing["site_id"])  # no data comes last


def test_stale_readings_are_flagged() -> None:
    levels = _levels([("H1", "2025-07-18 08:00", 99.0), ("H3", "2025-07-20 08:00", 299.0)])
    table = warning_status(levels, STATIONS, None, as_of=pd.Timestamp("2025-07-20 12:00")).set_index("site_id")
    assert bool(table.loc["H1", "stale"]) and not bool(table.loc["H3", "stale"])


def test_unknown_sites_are_kept() -> None:
    table = warning_status(_levels([("X9", "2025-07-20 08:00", 1.0)]), STATIONS.iloc[:1], None)
    assert "X9" in set(table["site_id"])
    assert table.set_index("site_id").loc["X9", "status_en"] == "no characteristic level"


def test_flood_limit_applies_in_the_flood_season_only() -> None:
    reservoirs = pd.DataFrame({"reservoir_id": ["R1"], "name": ["子洪水库"], "flood_limit_level_m": [1013.5],
                               "normal_level_m": [1015.0]})
    summer = pd.DataFrame({"site_id": ["R1"], "time": [pd.Timestamp("2025-07-20 08:00")], "level_m": [1014.0]})
    winter = summer.assign(time=[pd.Timestamp("2025-12-31 08:00")])
    assert warning_status(summer, reservoirs=reservoirs).loc[0, "status"] == "above_flood_limit"
    # in December only the normal pool level (1015.0) applies: 1014.0 is normal, 1.0 m below it
    out = warning_status(winter, reservoirs=reservoirs).loc[0]
    assert out["status"] == "normal" and out["exceed_m"] == pytest.approx(-1.0)


def test_readings_after_as_of_are_not_yet_known() -> None:
    stations = pd.DataFrame({"station_id": ["H1"], "name": ["义棠"], "warning_level_m": [15.0], "guarantee_level_m": [18.0]})
    levels = pd.DataFrame({"site_id": ["H1", "H1"], "time": pd.to_datetime(["2025-07-01", "2025-07-10"]),
                           "level_m": [10.0, 20.0]})
    early = warning_status(levels, stations, as_of=pd.Timestamp("2025-07-02")).loc[0]
    assert early["level_m"] == 10.0 and early["status"] == "normal"  # 10 < 15: the 07-10 flood comes later
