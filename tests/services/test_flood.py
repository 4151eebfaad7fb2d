"""Flood and drought assessment of a workspace on small hand-built workspaces.

Two stations with known annual maxima (one extra day in each year, on a base flow):

* A (500 km²): maxima 100, 200, 300, 400, 1000 in 2019-2023. By the SL 44-2006 moment
  formulas: x̄ = 400; Σd² = 500 000, S = √125 000 = 250√2, Cv = S/x̄ = 0.625√2;
  Σd³ = 180 000 000, Cs = n·Σd³/[(n-1)(n-2)S³] = 5·1.8e8/(12·125 000·250√2) = 1.2√2.
  2018 has a missing day (and a flood of 5000 that must not count), 2024 lies after the year.
* B (2000 km², the main station): maxima 100 ... 500, so x̄ = 300, S = √25 000, Cs = 0 and
  P-III is the normal curve: x_p = x̄ + S·z_p with z_0.01 = 2.326348 and z_0.1 = 1.281552
  (normal table). Its base flow falls 5, 4, 3, 2, 1 m3/s from year to year, so the annual
  7-day minima are 5 ... 1 (a window reaching back into December sees the higher flow of the
  year before): mean 3, S = √2.5, Cs = 0, and the 90 % low flow is 3 - √2.5·1.281552.

A rain gauge G1 gets 1 mm every day, except none in October-December 2018 and 2023. In
December the 3-month totals are 92 mm in 8 years and 0 in 2 of 10: the gamma part is not used
for a zero and SPI-3 = Φ⁻¹(q) with q = 2/10, i.e. -0.841621 (normal table), 轻旱 by
GB/T 20481-2017 (-1.0 < SPI <= -0.5).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from qingliu import store
from qingliu.services.flood import assess_flood_drought
from qingliu.services.workspace import Workspace, create_workspace

YEAR = 2023
Z_99 = 2.326348  # standard normal quantile at 0.99
Z_90 = 1.281552  # at 0.90
Z_20 = -0.841621  # at 0.20


def _flows(station: str, years: range, base: list[float], peaks: list[float]) -> pd.DataFrame:
    frames = []
    for year, b, peak in zip(years, base, peaks, strict=True):
        days = pd.date_range(f"{year}-01-01", f"{year}-12-31")
        q = np.full(days.size, b)
        q[days.get_loc(pd.Timestamp(f"{year}-07-15"))] = peak
        frames.append(pd.DataFrame({"station_id": station, "date": days, "q": q}))
    return pd.concat(frames, ignore_index=True)


def _build(root: Path, *, rain: bool, levels: bool) -> Workspace:
    ws = create_workspace(root)
    nodes = pd.DataFrame({"node_id": ["NA", "NB", "NR"], "kind": ["station", "station", "reservoir"],
                          "river": "测试河", "lon": [112.0, 112.1, 112.2], "lat": 37.5})
    stations = pd.DataFrame({"station_id": ["A", "B"], "name": ["甲站", "乙站"], "river": "测试河",
                             "node_id": ["NA", "NB"], "area_km2": [500.0, 2000.0],
                             "warning_level_m": [100.0, 50.0], "guarantee_level_m": [102.0, 52.0]})
    reservoirs = pd.DataFrame({"reservoir_id": ["R"], "name": ["丙水库"], "node_id": ["NR"], "capacity_1e4m3": [1000.0],
                               "dead_1e4m3": [50.0], "flood_limit_level_m": [200.0], "normal_level_m": [205.0]})
    a = _flows("A", range(2018, 2025), [1.0] * 7, [5000, 100, 200, 300, 400, 1000, 9999])
    a = a[a["date"] != pd.Timestamp("2018-03-01")]  # 2018 incomplete
    b = _flows("B", range(2019, 2024), [5.0, 4.0, 3.0, 2.0, 1.0], [100, 200, 300, 400, 500])
    with ws.engine.begin() as conn:
        store.upsert(conn, "node", nodes)
        store.upsert(conn, "station", stations)
        store.upsert(conn, "reservoir", reservoirs)
        store.upsert(conn, "flow_daily", pd.concat([a, b], ignore_index=True))
        if levels:
            store.upsert(conn, "level", pd.DataFrame({
                "site_id": ["A", "A", "B", "B", "R"],
                "time": pd.to_datetime(["2023-12-30 08:00", "2023-12-31 08:00", "2023-12-31 08:00",
                                        "2024-01-02 08:00", "2023-12-31 08:00"]),
                "level_m": [100.2, 100.5, 49.0, 51.0, 198.0],
            }))
        if rain:
            days = pd.date_range("2014-01-01", "2023-12-31")
            dry = days.year.isin([2018, 2023]) & (days.month >= 10)
            store.upsert(conn, "rain_daily", pd.DataFrame({"station_id": "G1", "date": days, "p_mm": np.where(dry, 0.0, 1.0)}))
    return ws


@pytest.fixture(scope="module")
def full(tmp_path_factory: pytest.TempPathFactory):
    ws = _build(tmp_path_factory.mktemp("flood") / "full", rain=True, levels=True)
    return ws, assess_flood_drought(ws.engine, YEAR)


@pytest.fixture(scope="module")
def bare(tmp_path_factory: pytest.TempPathFactory):
    ws = _build(tmp_path_factory.mktemp("flood") / "bare", rain=False, levels=False)
    return assess_flood_drought(ws.engine, YEAR)


def test_annual_maxima_of_complete_years_up_to_the_year(full) -> None:
    _, r = full
    a = r.annual_maxima[r.annual_maxima["station_id"] == "A"]
    assert a["year"].tolist() == [2019, 2020, 2021, 2022, 2023]
    assert a["value"].tolist() == [100, 200, 300, 400, 1000]


def test_p3_moments_of_known_annual_maxima(full) -> None:
    _, r = full
    p = r.parameters.set_index("station_id")
    assert p.loc["A", "n"] == 5
    assert (p.loc["A", "first_year"], p.loc["A", "last_year"]) == (2019, 2023)
    assert p.loc["A", "mean"] == pytest.approx(400.0)
    assert p.loc["A", "cv"] == pytest.approx(0.625 * math.sqrt(2))
    assert p.loc["A", "cs"] == pytest.approx(1.2 * math.sqrt(2))
    assert p.loc["A", "name"] == "甲站"


def test_design_values_of_a_symmetric_series_follow_the_normal_table(full) -> None:
    _, r = full
    assert r.main_station == "B"  # the larger catchment
    b = r.design[r.design["station_id"] == "B"].set_index("return_period")
    s = math.sqrt(25_000)
    assert b.loc[100.0, "value"] == pytest.approx(300 + s * Z_99, rel=1e-6)
    assert b.loc[10.0, "value"] == pytest.approx(300 + s * Z_90, rel=1e-6)
    assert (b["lower"] < b["value"]).all() and (b["value"] < b["upper"]).all()
    assert set(r.points["station_id"]) == {"A", "B"} and set(r.curve["station_id"]) == {"A", "B"}


def test_seven_day_low_flow_at_90_percent(full) -> None:
    _, r = full
    b = r.low_flow.set_index("station_id").loc["B"]
    assert b["n"] == 5
    assert b["mean"] == pytest.approx(3.0)
    assert b["design"] == pytest.approx(3 - math.sqrt(2.5) * Z_90, rel=1e-6)


def test_level_above_warning_is_first_and_later_readings_wait_for_their_year(full) -> None:
    ws, r = full
    assert r.status_time == pd.Timestamp("2023-12-31 08:00")
    assert r.warnings["site_id"].tolist() == ["A", "B", "R"]
    first = r.warnings.iloc[0]
    assert first["status"] == "above_warning" and first["status_zh"] == "超警戒水位"
    assert first["exceed_m"] == pytest.approx(0.5)
    assert first["trend_zh"] == "涨"
    later = assess_flood_drought(ws.engine, YEAR, as_of="2024-01-02 08:00").warnings
    assert later["site_id"].tolist()[:2] == ["B", "A"]  # B now 1.0 m above, A 0.5 m
    assert later.iloc[0]["exceed_m"] == pytest.approx(1.0)
    assert bool(later.set_index("site_id").loc["A", "stale"])


def test_spi_of_a_zero_total_is_the_normal_quantile_of_the_zero_share(full) -> None:
    _, r = full
    assert r.has_rain
    g1 = r.drought_status[(r.drought_status["kind"] == "spi")].set_index("site_id").loc["G1"]
    assert g1["month"] == pd.Timestamp("2023-12-01")
    assert g1["index_3"] == pytest.approx(Z_20, abs=1e-6)
    assert g1["grade_zh_3"] == "轻旱"
    assert g1["name"] == "G1"  # a gauge that is no station keeps its id
    events = r.drought_events[r.drought_events["site_id"] == "G1"]
    last = events.iloc[-1]
    assert last["end"] == pd.Timestamp("2023-12-01") and bool(last["ongoing"])


def test_no_rain_and_no_levels_leave_notes(bare) -> None:
    assert not bare.has_rain
    assert not (bare.indices["kind"] == "spi").any()
    assert (bare.indices["kind"] == "sri").any()  # runoff drought still comes from the flows
    assert bare.warnings.empty and bare.status_time is None
    english = " ".join(en for _, en in bare.notes)
    assert "No rain-gauge data" in english and "No water levels" in english
    assert all(zh and en for zh, en in bare.notes)


def test_an_empty_workspace_gives_empty_results(tmp_path: Path) -> None:
    r = assess_flood_drought(create_workspace(tmp_path / "ws").engine, YEAR)
    assert r.empty and r.main_station is None
    assert len(r.notes) == 3


def test_unknown_method_is_refused_in_both_languages(full) -> None:
    ws, _ = full
    with pytest.raises(ValueError, match="未知的方法.*unknown method"):
        assess_flood_drought(ws.engine, YEAR, method="fit")


def test_a_year_without_monthly_data_has_no_drought_status(full) -> None:
    ws, _ = full
    r = assess_flood_drought(ws.engine, 2030)
    assert r.drought_status.empty and r.drought_events.empty
    assert ("2030 年无完整的月降水或月流量，未评定旱情。", "No complete month of rain or flow in 2030: no drought status.") in r.notes
