"""Water-resources assessment of a workspace on a small hand-built workspace.

Two counties, 2022 and 2023 (volumes in 1e4 m3):

* C1 2023: agriculture 60 (surface), industry 30 and domestic 10 (ground); total 100 against a
  quota of 110, W/W0 = 0.909 -> 临界状态 (0.9 <= W/W0 < 1.0, carrying_capacity_2016.toml);
  ground 40 against 50, G/G0 = 0.8 -> 不超载.
* C2 2023: agriculture 88 (ground), domestic 22 (surface); total 110 against 100, W/W0 = 1.1
  -> 超载 (1.0 <= W/W0 < 1.2), and over its quota for the red line.
* City 2023: 210 against 210, W/W0 = 1.0 exactly: 超载 (a value on a threshold takes the
  worse status) while the red line "use <= quota" is met (以下 includes the number).
* 2022: C1 90, C2 100 -> the city used 190 of 210 = 90.476 % the year before.

四水四定 of C1 (quota 110 shared as today's use 10 : 60 : 30; all urban; water_quotas.toml:
100 L/(person*d), 200 m3/mu, 40 m3/1e4 yuan): domestic 11e4 m3 / 36.5 m3 per person = 3013.70
people (today 2000, headroom +1013.70); 66e4 m3 / 200 = 3300 mu (today 3000, +300);
33e4 m3 / 40 = 8250 (1e4 yuan; today 10000, deficit -1750).

Allocation: one river (N1 -> N2 outlet) with 100 m3/s at station S1, far more than any demand:
every demand is met in full; a demand is the year's use less its conveyance loss
(water_quotas.toml: agriculture 0.3, industry and domestic 0.1), so C1 needs
60 * 0.7 + 30 * 0.9 + 10 * 0.9 = 78 per year.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from qingliu import data, store
from qingliu.services.examples import load_example
from qingliu.services.water_quality import assess_water_quality
from qingliu.services.water_resources import (
    assess_water_resources,
    city_water_use_figure,
)
from qingliu.services.workspace import Workspace, create_workspace

YEAR = 2023


def _use(rows: list[tuple[str, int, str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        rows, columns=["county_id", "year", "sector", "origin", "volume"]
    )


def _build(root: Path, *, network: bool = False) -> Workspace:
    ws = create_workspace(root)
    county = pd.DataFrame(
        {
            "county_id": ["C1", "C2"],
            "name": ["甲县", "乙县"],
            "lon": [112.0, 112.5],
            "lat": [37.5, 37.5],
        }
    )
    county_year = pd.DataFrame({
        "county_id": ["C1", "C2", "C1", "C2"], "year": [YEAR, YEAR, YEAR - 1, YEAR - 1],
        "population": [2000.0, 3000.0, 2000.0, 3000.0], "urban_population": [2000.0, 3000.0, 2000.0, 3000.0],
        "gdp_1e4yuan": [50000.0, 60000.0, 50000.0, 60000.0], "industry_value_1e4yuan": [10000.0, 5000.0, 10000.0, 5000.0],
        "irrigated_area_mu": [3000.0, 4000.0, 3000.0, 4000.0], "water_quota_1e4m3": [110.0, 100.0, 110.0, 100.0],
        "groundwater_quota_1e4m3": [50.0, 100.0, 50.0, 100.0],
    })  # fmt: skip
    use = _use([
        ("C1", YEAR, "agriculture", "surface", 60.0), ("C1", YEAR, "industry", "ground", 30.0),
        ("C1", YEAR, "domestic", "ground", 10.0), ("C2", YEAR, "agriculture", "ground", 88.0),
        ("C2", YEAR, "domestic", "surface", 22.0),
        ("C1", YEAR - 1, "agriculture", "surface", 90.0), ("C2", YEAR - 1, "agriculture", "ground", 100.0),
    ])  # fmt: skip
    with ws.engine.begin() as conn:
        store.upsert(conn, "county", county)
        store.upsert(conn, "county_year", county_year)
        store.upsert(conn, "water_use", use)
        if network:
            nodes = pd.DataFrame(
                {
                    "node_id": ["N1", "N2"],
                    "kind": ["station", "outlet"],
                    "river": "测试河",
                    "lon": [112.0, 112.6],
                    "lat": [37.5, 37.5],
                    "downstream": ["N2", None],
                }
            )
            store.upsert(conn, "node", nodes)
            store.upsert(
                conn,
                "station",
                pd.DataFrame(
                    {
                        "station_id": ["S1"],
                        "name": ["甲站"],
                        "river": "测试河",
                        "node_id": ["N1"],
                        "area_km2": [100.0],
                    }
                ),
            )
            days = pd.date_range("2020-01-01", "2023-12-31")
            store.upsert(
                conn,
                "flow_daily",
                pd.DataFrame({"station_id": "S1", "date": days, "q": 100.0}),
            )
    return ws


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    workspace = _build(tmp_path / "ws")
    yield workspace
    workspace.engine.dispose()


def test_account_against_quotas(ws: Workspace) -> None:
    r = assess_water_resources(ws.engine, YEAR, allocate=False)
    a = r.account.set_index("county_id")
    assert a.loc["C1", "total_use"] == pytest.approx(100.0)
    assert a.loc["C1", "use_ground"] == pytest.approx(40.0)
    assert a.loc["C2", "use_surface"] == pytest.approx(22.0)
    assert a.loc["*", "total_use"] == pytest.approx(210.0)
    assert a.loc["*", "water_quota"] == pytest.approx(210.0)
    assert a.loc["*", "name"] == "全市"
    assert list(a["within_quota"]) == [True, False, True]
    total = r.red_lines[r.red_lines["indicator"] == "total_use"].set_index("county_id")[
        "met"
    ]
    assert (bool(total["C1"]), bool(total["C2"]), bool(total["*"])) == (
        True,
        False,
        True,
    )
    assert r.previous_account.set_index("county_id").loc[
        "*", "total_use"
    ] == pytest.approx(190.0)


def test_overload_statuses_at_the_documented_thresholds(ws: Workspace) -> None:
    r = assess_water_resources(ws.engine, YEAR, allocate=False)
    c = r.capacity.set_index("county_id")
    assert c.loc["C1", "total_use_zh"] == "临界状态"
    assert c.loc["C1", "groundwater_zh"] == "不超载"
    assert c.loc["C2", "total_use_zh"] == "超载"
    assert c.loc["*", "total_use_zh"] == "超载"  # W = W0 exactly
    assert c.loc["C2", "overall_en"] == "overloaded"
    assert c.loc["C1", "quality_zh"] == "未评价"
    assert not r.quality_assessed
    assert any("水量" in zh for zh, _ in r.notes)


def test_four_water_four_fix_headroom(ws: Workspace) -> None:
    f = assess_water_resources(ws.engine, YEAR, allocate=False).four_water.set_index(
        "county_id"
    )
    assert f.loc["C1", "population_supported"] == pytest.approx(110000.0 / 36.5)
    assert f.loc["C1", "population_headroom"] == pytest.approx(110000.0 / 36.5 - 2000.0)
    assert f.loc["C1", "irrigated_area_mu_headroom"] == pytest.approx(300.0)
    assert f.loc["C1", "industry_value_headroom"] == pytest.approx(-1750.0)


def test_city_figure_this_year_and_last(ws: Workspace) -> None:
    figure = city_water_use_figure(ws.engine, YEAR)
    assert figure.use_1e4m3 == pytest.approx(210.0)
    assert figure.pct_of_quota == pytest.approx(100.0)
    assert figure.previous_pct_of_quota == pytest.approx(100.0 * 190.0 / 210.0)
    assert (figure.status, figure.status_zh) == (2, "超载")
    assert (
        assess_water_resources(ws.engine, YEAR, allocate=False).city_figure() == figure
    )


def test_missing_data_gives_notes_not_errors(ws: Workspace) -> None:
    r = assess_water_resources(ws.engine, 2030)
    assert r.empty and r.allocation.empty
    assert any("2030" in en for _, en in r.notes)
    assert city_water_use_figure(ws.engine, 2030).use_1e4m3 is None
    no_network = assess_water_resources(ws.engine, YEAR)
    assert no_network.allocation.empty and no_network.allocation_years is None
    assert any("no allocation" in en for _, en in no_network.notes)


def test_allocation_with_plenty_of_water(tmp_path: Path) -> None:
    ws = _build(tmp_path / "ws", network=True)
    r = assess_water_resources(ws.engine, YEAR)
    ws.engine.dispose()
    assert r.allocation_years == (2020, 2023)
    a = r.allocation.set_index(["county_id", "sector"])
    assert a.loc[("C1", "*"), "demand"] == pytest.approx(60 * 0.7 + 30 * 0.9 + 10 * 0.9)
    assert a.loc[("C2", "agriculture"), "demand"] == pytest.approx(88 * 0.7)
    np.testing.assert_allclose(a["shortage"], 0.0, atol=1e-6)
    np.testing.assert_allclose(a["reliability_years"], 1.0)
    assert r.eco_flow.empty  # no control sections


@pytest.mark.slow
def test_bundled_example(tmp_path: Path) -> None:
    ws = create_workspace(tmp_path / "ws", example="jinzhong")
    load_example(ws, "jinzhong")
    year = 2024
    wq = assess_water_quality(ws.engine, year)
    scenarios = (
        Path(__file__).parents[1] / "simulate" / "fixtures" / "jinzhong_scenarios.toml"
    )
    r = assess_water_resources(ws.engine, year, water_quality=wq, scenarios=scenarios)
    ws.engine.dispose()
    use = pd.read_csv(data.example_dir("jinzhong") / "water_use.csv")
    city = r.account.set_index("county_id").loc["*"]
    assert city["total_use"] == pytest.approx(
        use.loc[use["year"] == year, "volume"].sum()
    )
    assert r.quality_assessed and (r.capacity["quality_status"] >= 0).all()
    assert r.allocation_years == (year - 9, year)
    assert set(r.allocation["county_id"]) == set(r.account["county_id"]) - {"*"}
    assert (r.allocation["supply"] <= r.allocation["demand"] + 1e-6).all()
    assert len(r.eco_flow) > 0
    assert list(r.scenarios.columns[1:]) == [
        "base",
        "dry",
        "growth",
        "saving",
        "transfer",
    ]
