"""Water ecology of a workspace: targets, compliance, IHA/RVA periods and river health on hand-built data.

The flows (2001-2005, calendar years; 2004 is the leap year):

* station A on 潇河: 10 m3/s every day, except a dry spell of 40 days at 0.5 m3/s from 2004-07-01
  to 2004-08-09;
* station B on 涂河: 2 m3/s every day, except 3 m3/s on 2004-05-01; three days missing,
  2003-03-01 .. 03-03.

Tennant's "poor" rating (the default, 10 % of the mean annual flow in both season groups,
Tennant 1976) gives hand-computable targets:

* A: annual means 10, except (326·10 + 40·0.5)/366 = 3280/366 in 2004; MAF = (40 + 3280/366)/5;
  target = MAF/10 = 0.979235 m3/s;
* B: annual means 2, except (365·2 + 3)/366 = 733/366 in 2004; target = (8 + 733/366)/50.
"""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from qingliu import store
from qingliu.services.ecology import (
    EcologyOptionError,
    assess_ecology,
    city_ecoflow_compliance,
    default_periods,
    latest_flow_year,
)
from qingliu.services.water_quality import WaterQualityAssessment
from qingliu.services.workspace import create_workspace

DAYS = pd.date_range("2001-01-01", "2005-12-31")
SPELL = (DAYS >= "2004-07-01") & (DAYS <= "2004-08-09")
MISSING = (DAYS >= "2003-03-01") & (DAYS <= "2003-03-03")
MAF_A = (4 * 10 + 3280 / 366) / 5
TARGET_A = MAF_A / 10
TARGET_B = (8 + 733 / 366) / 50
# Survey of 象峪河 (no station, no section) in 2004 (river_health_2020): basin (70 + 90)/2 = 80; water: ecoflow 60 (entered as a
# score: no single curve), water quality class IV -> 60, DO 6 mg/L -> 80, mean 66.67; biota: fish 80 %
# retained, halfway between 75 % (60) and 85 % (80) -> 70; social: public satisfaction 85.
SURVEY = [
    ("象峪河", 2004, "shoreline_natural", 70.0),
    ("象峪河", 2004, "shoreline_encroachment", 90.0),
    ("象峪河", 2004, "ecoflow", 60.0),
    ("象峪河", 2004, "water_quality", 4.0),
    ("象峪河", 2004, "self_purification", 6.0),
    ("象峪河", 2001, "fish", 50.0),  # older survey: replaced by 2004
    ("象峪河", 2004, "fish", 80.0),
    ("象峪河", 2005, "fish", 20.0),  # after the year assessed: not used
    ("象峪河", 2004, "public_satisfaction", 85.0),
    ("象峪河", 2004, "unicorns", 1.0),  # not an indicator of the system: left out with a note
    ("象峪河", 2004, "sediment", 120.0),  # a direct score above 100: left out with a note
    ("涂河", 2004, "ecoflow", 55.0),  # replaces the score computed from station B (constant flow: 100)
]


def _workspace(root: Path, *, flows: bool = True, survey: bool = True):
    ws = create_workspace(root)
    with ws.engine.begin() as conn:
        store.upsert(conn, "node", pd.DataFrame({"node_id": ["N1", "N2"], "kind": "station", "river": ["潇河", "涂河"],
                                                 "lon": [112.7, 112.8], "lat": [37.7, 37.6], "downstream": ""}))
        store.upsert(conn, "station", pd.DataFrame({"station_id": ["A", "B"], "name": ["甲站", "乙站"], "river": ["潇河", "涂河"],
                                                    "node_id": ["N1", "N2"], "area_km2": [1000.0, 300.0]}))
        if flows:
            qa = np.where(SPELL, 0.5, 10.0)
            a = pd.DataFrame({"station_id": "A", "date": DAYS, "q": qa})
            qb = np.where(DAYS == "2004-05-01", 3.0, 2.0)
            b = pd.DataFrame({"station_id": "B", "date": DAYS[~MISSING], "q": qb[~MISSING]})
            store.upsert(conn, "flow_daily", pd.concat([a, b], ignore_index=True))
        if survey:
            store.upsert(conn, "health_survey", pd.DataFrame(SURVEY, columns=["river", "year", "indicator", "value"]))
    return ws


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory):
    return _workspace(tmp_path_factory.mktemp("eco") / "ws")


@pytest.fixture(scope="module")
def result(ws):
    return assess_ecology(ws.engine, 2004, method="tennant")


def _yearly(result, station: str, year: int) -> pd.Series:
    c = result.compliance
    return c[(c["station_id"] == station) & (c["year"] == year)].iloc[0]


def test_tennant_targets_by_hand(result) -> None:
    used = result.targets[result.targets["used"]].set_index("station_id")
    assert used.loc["A", "target_m3s"] == pytest.approx(TARGET_A)
    assert used.loc["B", "target_m3s"] == pytest.approx(TARGET_B)
    assert set(result.targets["method"]) == {"tennant", "qp", "recent_driest_month", "7q10", "q90"}
    assert used.loc["A", "name"] == "甲站" and used.loc["A", "river"] == "潇河"


def test_dry_spell_compliance_by_hand(result) -> None:
    """2004 at A: 326 of 366 days met (0.8907 < 0.90: the rule fails); July's mean 0.5 misses, August's
    (9·0.5 + 22·10)/31 = 7.24 meets; the 40-day run crosses the month end; shortfall 40·(T − 0.5)·8.64."""
    row = _yearly(result, "A", 2004)
    assert (row["n_days"], row["days_met"], row["n_missing"]) == (366, 326, 0)
    assert row["daily_rate"] == pytest.approx(326 / 366)
    assert not row["meets_daily_rule"]
    assert (row["months_assessed"], row["months_mean_met"]) == (12, 11)
    assert row["longest_below"] == 40 and row["shortfall_days"] == 40
    assert row["shortfall_1e4m3"] == pytest.approx(40 * (TARGET_A - 0.5) * 86_400 / 1e4)
    before = _yearly(result, "A", 2003)
    assert before["daily_rate"] == 1.0 and before["meets_daily_rule"] and before["longest_below"] == 0


def test_missing_days_are_not_assessed(result) -> None:
    """B in 2003: 365 days, 3 missing -> 362 assessed, all met; the gap is interpolated for the targets."""
    row = _yearly(result, "B", 2003)
    assert (row["n_days"], row["n_missing"], row["days_met"]) == (362, 3, 362)
    assert row["daily_rate"] == 1.0
    assert any("1 段不超过 7 天的缺测（共 3 天）" in zh for zh, _ in result.notes)


def test_a_gap_longer_than_allowed_cuts_the_record(ws) -> None:
    """With fill_gaps=2 the 3-day gap stays: B is analysed from 2003-03-04, so on 2004 and 2005 only."""
    short = assess_ecology(ws.engine, 2004, method="tennant", fill_gaps=2)
    b = short.targets[(short.targets["station_id"] == "B") & short.targets["used"]].iloc[0]
    assert b["n_years"] == 2 and b["target_m3s"] == pytest.approx((733 / 366 + 2) / 20)
    assert any("B: 3 days missing from 2003-03-01" in en and "2003-03-04" in en for _, en in short.notes)
    # compliance still counts the missing days rather than dropping the year
    assert _yearly(short, "B", 2003)["n_missing"] == 3


def test_live_status_on_the_latest_day(result) -> None:
    status = result.status.set_index("station_id")
    assert str(status.loc["A", "date"]) == "2005-12-31"
    assert status.loc["A", "status"] == "met" and status.loc["A", "status_zh"] == "达标"


def test_city_figure_pools_station_days(ws, result) -> None:
    """2004: (326 + 366) of 732 station-days met; 2003: (365 + 362) of 727, all met."""
    figure = city_ecoflow_compliance(ws.engine, 2004, method="tennant")
    assert figure.value_pct == pytest.approx(100 * 692 / 732)
    assert figure.previous_pct == pytest.approx(100.0)
    assert (figure.n_stations, figure.station_days) == (2, 732)
    city = result.city.set_index("year")
    assert city.loc[2004, "days_met"] == 692 and city.loc[2003, "n_days"] == 727
    assert city_ecoflow_compliance(ws.engine, 1990).value_pct is None
    assert latest_flow_year(ws.engine) == 2005


def test_default_rva_periods() -> None:
    """First and last 20 years of a long record; halves of a shorter one; nothing under 4 years."""
    assert default_periods(np.arange(1980, 2026)) == ((1980, 1999), (2006, 2025))
    assert default_periods(np.arange(2000, 2011)) == ((2000, 2004), (2006, 2010))
    assert default_periods(np.arange(2000, 2003)) is None


def test_iha_and_rva_of_the_record(result) -> None:
    """Five whole years: the RVA compares the halves 2001-2002 and 2004-2005, and says so."""
    assert (result.pre, result.post) == ((2001, 2002), (2004, 2005))
    assert sorted(result.iha["water_year"].unique()) == [2001, 2002, 2003, 2004, 2005]
    assert len(result.rva) == 2 * 33 and set(result.alteration["station_id"]) == {"A", "B"}
    assert any("RVA 以前后两半比较" in zh for zh, _ in result.notes)
    # A's 1-day minimum: 10 in 2001-2002 (both RVA bounds 10), 0.5 and 10 after: one year of two leaves the range
    a_min = result.rva[(result.rva["station_id"] == "A") & (result.rva["parameter"] == "min_1d")].iloc[0]
    assert (a_min["lower"], a_min["upper"], a_min["observed_middle"], a_min["expected_middle"]) == (10, 10, 1, 2)
    assert a_min["ha_middle"] == pytest.approx(-0.5)


def test_river_health_from_survey_rows_by_hand(result) -> None:
    """RHI = 0.2·80 + 0.3·66.67 + 0.2·70 + 0.3·85 = 75.5 -> 二类（健康）; 水 has the largest weighted shortfall."""
    row = result.health.set_index("river").loc["象峪河"]
    assert row["rhi"] == pytest.approx(75.5)
    assert row["class"] == 2 and "健康" in row["class_zh"]
    assert row["weakest_layer"] == "water"
    assert not row["provisional"] and row["missing_required"] == ""
    indicators = result.health_indicators.set_index(["river", "indicator"])
    fish = indicators.loc[("象峪河", "fish")]
    assert fish["year"] == 2004 and fish["score"] == pytest.approx(70.0) and fish["source"] == "survey"
    assert any("unicorns" in zh for zh, _ in result.notes)
    assert any("象峪河 sediment=120 (2004)" in en for _, en in result.notes)
    override = indicators.loc[("涂河", "ecoflow")]
    assert override["score"] == 55.0 and override["source"] == "survey"
    # FD of B: only May differs, (63/31 − 2)/2 = 0.016 < 0.05, the top of the curve: 100
    assert indicators.loc[("涂河", "flow_alteration"), "score"] == 100.0


def test_river_health_from_flows_alone_is_provisional(result) -> None:
    """潇河 has only its station: lowest 2004 flow Apr-Sep 0.5 = 5.106 % MAF -> 20·5.106/10 = 10.21 (Oct-Mar 10
    m3/s > 30 % MAF -> 100; the lower counts). FD against 2001-2002 (every month 10): July 0.5, August
    (9·0.5 + 22·10)/31, so FD = sqrt(0.95² + (1 − 22.45/31)²) = 0.9892, scored 50 − (FD − 0.3)/1.2·25."""
    indicators = result.health_indicators.set_index(["river", "indicator"])
    eco = indicators.loc[("潇河", "ecoflow")]
    assert eco["score"] == pytest.approx(20 * (100 * 0.5 / MAF_A) / 10)
    assert eco["source"] == "flow" and eco["basis"] == "A"
    fd = np.hypot(0.95, 1 - 22.45 / 31)
    assert indicators.loc[("潇河", "flow_alteration"), "value"] == pytest.approx(fd)
    assert indicators.loc[("潇河", "flow_alteration"), "score"] == pytest.approx(50 - (fd - 0.3) / 1.2 * 25)
    row = result.health.set_index("river").loc["潇河"]
    assert row["provisional"] and "fish" in row["missing_required"] and "鱼类保有指数" in row["missing_required_zh"]
    assert np.isnan(row["score_basin"])


def _wq(sections: list[tuple], trophic: list[tuple]) -> WaterQualityAssessment:
    """An assessment of 2004 with only the frames the ecology reads: sections and trophic state."""
    frames = {f.name: pd.DataFrame() for f in fields(WaterQualityAssessment) if f.name not in ("year", "month")}
    frames["sections"] = pd.DataFrame(sections, columns=["section_id", "river", "water_body", "class", "class_label"])
    frames["trophic"] = pd.DataFrame(trophic, columns=["section_id", "river", "tli"])
    return WaterQualityAssessment(year=2004, month=None, **frames)


def test_water_quality_and_trophic_state_scores(ws) -> None:
    """潇河: river sections of class II (90) and IV (60) -> 75; the reservoir is not a river section.
    With SL/T 793-2020 the reservoirs' mean TLI (42 + 48)/2 = 45 scores 70 on its curve."""
    wq = _wq(
        [("S1", "潇河", "river", 2, "II"), ("S2", "潇河", "river", 4, "IV"), ("S3", "潇河", "reservoir", 6, "劣V")],
        [("S3", "潇河", 42.0), ("S4", "潇河", 48.0)],
    )
    guide = assess_ecology(ws.engine, 2004, method="tennant", water_quality=wq)
    quality = guide.health_indicators.set_index(["river", "indicator"]).loc[("潇河", "water_quality")]
    assert quality["score"] == pytest.approx(75.0) and quality["basis"] == "S1 II, S2 IV"
    assert "trophic_state" not in set(guide.health_indicators["indicator"])  # not an indicator of the 2020 guide
    sl = assess_ecology(ws.engine, 2004, method="tennant", water_quality=wq, health_system="sl_t_793_2020")
    trophic = sl.health_indicators.set_index(["river", "indicator"]).loc[("潇河", "trophic_state")]
    assert trophic["value"] == pytest.approx(45.0) and trophic["score"] == pytest.approx(70.0)


def test_a_workspace_without_flows(tmp_path: Path) -> None:
    ws = _workspace(tmp_path / "ws", flows=False)
    result = assess_ecology(ws.engine, 2004)
    assert not result.has_flows and result.compliance.empty and result.rva.empty
    assert any("没有一个完整水文年" in zh for zh, _ in result.notes)
    assert sorted(result.health["river"]) == ["涂河", "象峪河"]  # the survey still gives classes
    assert city_ecoflow_compliance(ws.engine, 2004).value_pct is None


def test_an_empty_workspace(tmp_path: Path) -> None:
    result = assess_ecology(_workspace(tmp_path / "ws", flows=False, survey=False).engine, 2004)
    assert result.health.empty and result.health_indicators.empty and result.city.empty
    assert any("No data for the river-health assessment" in en for _, en in result.notes)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"method": "magic"}, "unknown eco-flow method"),
        ({"pre": (2003, 2001), "post": (2003, 2004)}, "reversed"),
        ({"pre": (2000, 2001)}, "both the pre and the post"),
        ({"water_year_start": 13}, "1-12"),
        ({"health_system": "nope"}, "unknown system"),
        ({"rating": "heavenly"}, "unknown Tennant rating"),
    ],
)
def test_bad_options_are_refused(ws, options: dict, message: str) -> None:
    with pytest.raises(EcologyOptionError, match=message):
        assess_ecology(ws.engine, 2004, **options)


@pytest.mark.slow
def test_the_bundled_example(example_ws) -> None:
    """Flows 1980-2025 at six stations (data/jinzhong/metadata.toml): the RVA compares 1980-1999 with
    2006-2025; H05's 8-day gap from 1985-07-12 is longer than a week, so H05 is analysed from 1985-07-20."""
    result = assess_ecology(example_ws.engine, 2025)
    assert (result.pre, result.post) == ((1980, 1999), (2006, 2025))
    assert len(result.status) == 6 and set(result.compliance["year"]) >= {2024, 2025}
    assert any(en.startswith("H05: 8 days missing from 1985-07-12") for _, en in result.notes)
    figure = city_ecoflow_compliance(example_ws.engine, 2025)
    share = result.city.set_index("year")["share"]
    assert figure.value_pct == pytest.approx(100 * share[2025]) and figure.previous_pct == pytest.approx(100 * share[2024])
