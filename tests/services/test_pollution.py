"""The pollution-control service on a small hand-built workspace whose answers are worked out by hand.

::

    A (headwater, gauge H1 = 1 m3/s, plant P1 0.1 m3/s)        county C1 (seat 112.0, 37.0)
    |  25.92 km: u = 0.3·1^0.1 = 0.3 m/s, travel 25 920 m / (0.3 m/s · 86 400 s/d) = 1 d
    S1 (section, class II) --0 km--> O (outlet)
    T1 (headwater) --10 km--> D1 (section S2, gauge H2 = 0 m3/s: dry) --0 km--> O     county C2
    T2 (headwater, plant P2 0.05 m3/s) --10 km--> D2 (section S3, gauge H3 = 0.01 m3/s) --0 km--> O

Numbers of the standards (documented values): river-entry coefficient λ = 1 for plants and 0.1
for cropland (export_coefficients.toml); background = GB 3838-2002 class II limits (COD 15,
NH3-N 0.5, TP 0.1, TN 0.5 mg/L, gbt25173_2010.toml ``[background]``); hydraulic geometry
u = 0.3·Q^0.1 (``[hydraulics]``); default K 0.20 / 0.15 / 0.05 / 0.05 per day.

P1: 8 640 m3/d = 0.1 m3/s with COD 30, NH3-N 2, TP 0.5, TN 10 mg/L, i.e. 3.0, 0.2, 0.05, 1.0 g/s
or 3.1536 × c t/a = 94.608, 6.3072, 1.5768, 31.536 t/a. The natural flow at A is 1 - 0.1 =
0.9 m3/s at the background, so at A: C = (W + 0.9·C_bg)/1 = 16.5, 0.65, 0.14, 1.45 mg/L, and
one day downstream at S1 C·exp(-K).
"""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from qingliu import store
from qingliu.assess.loads import LoadError
from qingliu.services.pollution import (
    PollutionDataError,
    annual_rain,
    assess_pollution,
    load_inventory,
)
from qingliu.services.water_quality import assess_water_quality
from qingliu.services.workspace import create_workspace

YEAR = 2024
C_AT_A = {"cod": 16.5, "nh3n": 0.65, "tp": 0.14, "tn": 1.45}
TRUE_K = {"cod": 0.3, "nh3n": 0.4, "tp": 0.1, "tn": 0.05}
DEFAULT_K = {"cod": 0.20, "nh3n": 0.15, "tp": 0.05, "tn": 0.05}
GS_TO_TA = 31.536

NODES = pd.DataFrame({
    "node_id": ["A", "S1", "T1", "D1", "T2", "D2", "O"],
    "name": ["甲河源", "甲河断面", "乙河源", "乙河断面", "丙河源", "丙河断面", "出口"],
    "kind": ["headwater", "section", "headwater", "section", "headwater", "section", "outlet"],
    "river": ["甲河", "甲河", "乙河", "乙河", "丙河", "丙河", "甲河"],
    "lon": [112.0, 112.0, 113.0, 113.0, 113.2, 113.2, 112.5],
    "lat": [37.0, 36.8, 37.2, 37.0, 37.1, 36.9, 36.6],
    "downstream": ["S1", "O", "D1", "O", "D2", "O", None],
    "length_km": [25.92, 0.0, 10.0, 0.0, 10.0, 0.0, None],
})
COUNTIES = pd.DataFrame({"county_id": ["C1", "C2"], "name": ["甲县", "乙县"], "lon": [112.0, 113.0], "lat": [37.0, 37.0]})
SECTIONS = pd.DataFrame({
    "section_id": ["S1", "S2", "S3"], "name": ["甲河断面", "乙河断面", "丙河断面"], "river": ["甲河", "乙河", "丙河"],
    "node_id": ["S1", "D1", "D2"], "level": "provincial", "water_body": "river", "target_class": [2, 3, 3],
    "county_id": ["C1", "C2", "C2"], "is_boundary": False,
})
STATIONS = pd.DataFrame({"station_id": ["H1", "H2", "H3"], "name": ["甲站", "乙站", "丙站"], "river": ["甲河", "乙河", "丙河"],
                         "node_id": ["A", "D1", "D2"], "area_km2": [100.0, 50.0, 50.0]})
PLANTS = pd.DataFrame({
    "source_id": ["P1", "P2"], "name": ["甲县污水处理厂", "乙县污水处理厂"], "kind": "wwtp", "node_id": ["A", "T2"],
    "county_id": ["C1", "C2"], "flow_m3d": [8640.0, 4320.0],
    "cod_mgl": [30.0, 15.0], "nh3n_mgl": [2.0, 0.8], "tp_mgl": [0.5, 0.15], "tn_mgl": [10.0, 8.0],
})
CROPLAND = pd.DataFrame({"source_id": ["F1"], "name": ["乙县农田"], "kind": "cropland", "county_id": ["C2"],
                         "cod_ta": [200.0], "nh3n_ta": [10.0], "tp_ta": [5.0], "tn_ta": [30.0]})


def _flows(first: int = YEAR - 9, last: int = YEAR) -> pd.DataFrame:
    days = pd.date_range(f"{first}-01-01", f"{last}-12-31", freq="D")
    q = {"H1": 1.0, "H2": 0.0, "H3": 0.01}
    return pd.DataFrame({"station_id": np.repeat(list(q), len(days)), "date": np.tile(days, len(q)),
                         "q": np.repeat(list(q.values()), len(days))})


def _samples(values: dict[str, float], section: str = "S1", year: int = YEAR) -> pd.DataFrame:
    """One sample a month of each item, all equal: the annual mean is the value."""
    times = pd.date_range(f"{year}-01-01", periods=12, freq="MS") + pd.Timedelta(days=9)
    return pd.DataFrame({"section_id": section, "time": np.tile(times, len(values)),
                         "parameter": np.repeat(list(values), len(times)), "value": np.repeat(list(values.values()), len(times))})


def build(tmp: Path, *, sources: pd.DataFrame | None = None, samples: pd.DataFrame | None = None,
          flows: pd.DataFrame | None = None, rain: pd.DataFrame | None = None):
    ws = create_workspace(tmp / "ws")
    tables = {"county": COUNTIES, "node": NODES, "section": SECTIONS, "station": STATIONS,
              "source": pd.concat([PLANTS, CROPLAND], ignore_index=True) if sources is None else sources,
              "flow_daily": _flows() if flows is None else flows, "wq_sample": samples, "rain_daily": rain}
    with ws.engine.begin() as conn:
        for name, frame in tables.items():
            if frame is not None and len(frame):
                store.upsert(conn, name, frame)
    return ws


@pytest.fixture(scope="module")
def calibrated(tmp_path_factory: pytest.TempPathFactory):
    """The workspace with the year's means at S1 made by the true K, assessed under the recent driest month."""
    observed = {i: C_AT_A[i] * math.exp(-TRUE_K[i]) for i in C_AT_A}
    ws = build(tmp_path_factory.mktemp("pollution"), samples=_samples(observed))
    return ws, assess_pollution(ws.engine, YEAR, design_flow="recent_driest", runs=200)


def test_inventory_by_sector_and_county(calibrated) -> None:
    _, r = calibrated
    inv = r.inventory
    loads = inv.loads.set_index("source_id")
    # P1: 3.1536 t/a per mg/L; P2: 1.5768; F1 reported × λ = 0.1
    assert loads.loc["P1", ["cod_ta", "nh3n_ta", "tp_ta", "tn_ta"]].tolist() == pytest.approx([94.608, 6.3072, 1.5768, 31.536])
    assert loads.loc["P2", "cod_ta"] == pytest.approx(23.652)
    assert loads.loc["F1", ["cod_ta", "tp_ta"]].tolist() == pytest.approx([20.0, 0.5])
    sectors = inv.by_sector.set_index("sector")
    assert sectors.loc["domestic", "cod_ta"] == pytest.approx(118.26)
    assert sectors.loc["agriculture", "cod_share"] == pytest.approx(20.0 / 138.26)
    counties = inv.by_county.set_index("county_id")
    assert counties.loc["C2", ["name", "cod_ta"]].tolist() == ["乙县", pytest.approx(43.652)]
    assert inv.totals()["tp"] == pytest.approx(1.5768 + 0.23652 + 0.5)


def test_calibration_recovers_the_decay_rates_of_the_observed_means(calibrated) -> None:
    _, r = calibrated
    fitted = r.calibration.set_index("item")["k_per_day"]
    for item, k in TRUE_K.items():
        assert fitted[item] == pytest.approx(k, rel=1e-4)
    assert r.k_per_day == pytest.approx(TRUE_K, rel=1e-4)
    fit = r.fit.set_index("item")
    assert set(r.fit["section_id"]) == {"S1"}  # S2 is dry, S3 has no samples
    assert fit.loc["cod", "observed"] == pytest.approx(16.5 * math.exp(-0.3))


def test_design_model_at_s1_follows_the_one_dimensional_formula(calibrated) -> None:
    _, r = calibrated
    s1 = r.sections.set_index("section_id").loc["S1"]
    assert s1["q_m3s"] == pytest.approx(1.0)
    for item in ("cod", "nh3n", "tp"):
        assert s1[f"{item}_mgl"] == pytest.approx(C_AT_A[item] * math.exp(-TRUE_K[item]), rel=1e-4)
    # TP 0.14·e^-0.1 = 0.1267 > 0.1 (class II); COD 12.22 < 15 and NH3-N 0.4357 < 0.5 meet it
    assert s1["items_over"] == "tp"
    assert bool(s1["cod_meets"]) and bool(s1["nh3n_meets"])


def test_failing_items_and_their_top_source(calibrated) -> None:
    _, r = calibrated
    failing = r.failing
    assert failing[["section_id", "item"]].values.tolist() == [["S1", "tp"]]
    assert failing["observed_mgl"].iloc[0] == pytest.approx(0.14 * math.exp(-0.1))
    top = r.top_sources
    assert top[["section_id", "item", "rank", "source_id"]].values.tolist() == [["S1", "tp", 1, "P1"]]
    # P1 adds 0.05 g/s in 1 m3/s, decayed over one day at K = 0.1
    assert top["contribution"].iloc[0] == pytest.approx(0.05 * math.exp(-0.1), rel=1e-4)
    assert top["share"].iloc[0] == pytest.approx(1.0)


def test_dry_section_and_station_below_the_effluent_are_flagged(calibrated) -> None:
    _, r = calibrated
    sections = r.sections.set_index("section_id")
    assert sections["dry"].tolist() == [False, True, False]
    assert sections.loc["S2", "items_over"] == ""
    assert pd.isna(sections.loc["S2", "cod_meets"])
    assert (r.capacity.loc[r.capacity["section_id"] == "S2", "status"] == "dry").all()
    assert r.uncertainty.loc[r.uncertainty["section_id"] == "S2", "p_exceed"].isna().all()
    stations = r.stations.set_index("station_id")
    # H3 gauges 0.01 m3/s below a plant discharging 0.05: natural flow 0, the model carries 0.05
    assert stations.loc["H3", "q_model"] == pytest.approx(0.05)
    assert stations["consistent"].tolist() == [True, True, False]
    english = " ".join(en for _, en in r.notes)
    assert "H3" in english and "S2" in english and "cropland" in english


def test_capacity_and_least_cut_of_the_tp_zone(calibrated) -> None:
    _, r = calibrated
    # W_cap = (Cs·Q − 0.9·C_bg·e^-K)/e^-K in g/s: (0.1 − 0.09·e^-0.1)/e^-0.1 = 0.020517 g/s = 0.64703 t/a
    cap = r.capacity.set_index(["section_id", "item"]).loc[("S1", "tp")]
    capacity = (0.1 - 0.09 * math.exp(-0.1)) / math.exp(-0.1) * GS_TO_TA
    assert cap["capacity_ta"] == pytest.approx(capacity, rel=1e-4)
    assert cap["load_ta"] == pytest.approx(1.5768)
    assert cap["reduction_ta"] == pytest.approx(1.5768 - capacity, rel=1e-4)
    assert cap["status"] == "over"
    # the one source above S1 must cut what takes S1 from 0.1267 to 0.1 mg/L: the same tonnage
    cuts = r.cuts.set_index(["source_id", "item"])["cut_ta"]
    assert cuts[("P1", "tp")] == pytest.approx(1.5768 - capacity, rel=1e-4)
    assert cuts.drop(("P1", "tp")).sum() == pytest.approx(0.0, abs=1e-9)
    plan = r.plan[r.plan["cut_ta"] > 0]
    assert plan[["sector", "county", "item"]].values.tolist() == [["domestic", "甲县", "tp"]]
    after = r.plan_sections.set_index(["section_id", "item"]).loc[("S1", "tp")]
    assert after["after_mgl"] == pytest.approx(0.1, rel=1e-6)


def test_catchment_apportionment_shares(calibrated) -> None:
    _, r = calibrated
    a = r.apportionment.set_index(["section_id", "item", "sector"])["share"]
    assert a[("S1", "cod", "domestic")] == pytest.approx(1.0)
    # S3's catchment: P2 (23.652 t/a COD) and half of F1 (10 t/a; F1 spreads over T1 and T2, 10 km each)
    assert a[("S3", "cod", "domestic")] == pytest.approx(23.652 / 33.652)
    assert a[("S3", "cod", "agriculture")] == pytest.approx(10.0 / 33.652)


def test_water_quality_assessment_restricts_the_failing_sections(calibrated) -> None:
    ws, _ = calibrated
    wq = assess_water_quality(ws.engine, YEAR)
    every_target_met = replace(wq, sections=wq.sections.assign(meets_target=True))
    result = assess_pollution(ws.engine, YEAR, design_flow="recent_driest", runs=0, water_quality=every_target_met)
    assert result.failing.empty and result.top_sources.empty
    assert result.uncertainty.empty
    with pytest.raises(ValueError, match="2023"):
        assess_pollution(ws.engine, YEAR - 1, runs=0, water_quality=wq)


def test_without_samples_the_defaults_are_used_and_noted(tmp_path: Path) -> None:
    ws = build(tmp_path)
    r = assess_pollution(ws.engine, YEAR, design_flow="recent_driest", runs=0)
    assert r.k_per_day == pytest.approx(DEFAULT_K)
    assert r.calibration.empty and r.failing.empty and not r.has_observations
    s1 = r.sections.set_index("section_id").loc["S1"]
    assert s1["cod_mgl"] == pytest.approx(16.5 * math.exp(-0.2), rel=1e-4)
    assert any("K at its defaults" in en for _, en in r.notes)


def test_observed_design_flow_of_a_month(tmp_path: Path) -> None:
    flows = _flows()
    flows.loc[(flows["station_id"] == "H1") & (flows["date"].dt.month == 7), "q"] = 2.0
    ws = build(tmp_path, flows=flows)
    r = assess_pollution(ws.engine, YEAR, design_flow="observed", period=f"{YEAR}-07", runs=0)
    assert r.design_flow == "observed" and r.condition_label("en") == f"observed mean flow of {YEAR}-07"
    # every load is present under observed flows: the cropland's note of the design low flow is absent
    assert not any("rain-driven" in en for _, en in r.notes)
    assert r.sections.set_index("section_id").loc["S1", "q_m3s"] == pytest.approx(2.0)


def test_missing_data_raise_bilingual_errors(tmp_path: Path) -> None:
    ws = build(tmp_path / "a", flows=_flows().iloc[:0])
    with pytest.raises(PollutionDataError, match="flow_daily"):
        assess_pollution(ws.engine, YEAR, runs=0)
    empty = create_workspace(tmp_path / "b" / "ws")
    with pytest.raises(PollutionDataError, match="污染源.*pollution sources"):
        load_inventory(empty.engine, YEAR)
    ws = build(tmp_path / "c")
    with pytest.raises(PollutionDataError, match="2030"):
        assess_pollution(ws.engine, YEAR, design_flow="observed", period="2030", runs=0)


RUNOFF = pd.DataFrame({"source_id": ["R1"], "name": ["乙县城区径流"], "kind": "urban_runoff", "county_id": ["C2"],
                       "activity": [2.0], "activity_unit": ["km2"]})


def test_urban_runoff_takes_the_rain_of_the_year(tmp_path: Path) -> None:
    # two gauges with 400 and 600 mm in the year: areal rain 500 mm (arithmetic mean)
    days = pd.date_range(f"{YEAR}-01-01", periods=200, freq="D")
    rain = pd.DataFrame({"station_id": np.repeat(["G1", "G2"], 200), "date": np.tile(days, 2),
                         "p_mm": np.repeat([2.0, 3.0], 200)})
    assert annual_rain(rain) == pytest.approx(500.0)
    ws = build(tmp_path, sources=pd.concat([PLANTS, RUNOFF], ignore_index=True), rain=rain)
    inv = load_inventory(ws.engine, YEAR)
    # 2 km2 · 0.5 m · runoff coefficient 0.55 = 550 000 m3 at EMC COD 120 mg/L = 66 t/a, λ = 0.75
    assert inv.rain_mm == pytest.approx(500.0)
    assert inv.loads.set_index("source_id").loc["R1", "cod_ta"] == pytest.approx(66.0 * 0.75)
    with pytest.raises(LoadError, match="rain_mm"):
        load_inventory(ws.engine, YEAR - 1)  # no rain recorded that year
    assert load_inventory(ws.engine, YEAR - 1, rain_mm=400.0).loads["cod_ta"].iloc[-1] == pytest.approx(66 * 0.8 * 0.75)
