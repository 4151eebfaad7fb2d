"""IHA 7.1 parameters, EFC and RVA: published IHA 7.1 output and hand-computed cases."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qingliu.assess.daily import (
    DailyFlows,
    MissingDaysError,
    daily_flows,
    fill_gaps,
    julian_366,
    weibull_quantile,
)
from qingliu.assess.efc import (
    EXTREME_LOW,
    HIGH_PULSE,
    LARGE_FLOOD,
    LOW,
    SMALL_FLOOD,
    efc,
    efc_array,
    high_low,
)
from qingliu.assess.iha import iha, parameters
from qingliu.assess.rva import overall_alteration, rva
from qingliu.io import read_rdb
from qingliu.standards import load_toml

ROANOKE = Path(__file__).parents[1] / "reference" / "usgs_roanoke_02080500"
GROUPS_1_2_3_5 = [p.iha71 for p in parameters(10) if p.group != 4]


def one_station(values: np.ndarray, start: str, station: str = "A") -> DailyFlows:
    dates = pd.date_range(start, periods=len(values), freq="D")
    return DailyFlows(np.array([station]), dates, np.asarray(values, dtype=float)[None, :])


def signif(x: np.ndarray, digits: int = 4) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        mag = np.where(x == 0, 0, np.floor(np.log10(np.abs(x))))
    return np.round(x / 10**mag, digits - 1) * 10**mag


def test_roanoke_matches_iha_71_output() -> None:
    """Groups 1, 2, 3 and 5 of water years 1913-1914 equal TNC IHA 7.1's annual output (4 digits)."""
    frame, unit = read_rdb(ROANOKE / "02080500_wy1913_1914.rdb", keep_units=True)
    assert unit == "cfs"
    result = iha(daily_flows(frame), names="iha71").set_index("Year")
    expected = pd.read_csv(ROANOKE / "iha71_annual.csv").set_index("Year")
    assert list(result.columns[1:]) == list(expected.columns)  # IHA 7.1's names and order
    got = signif(result.loc[[1913, 1914], GROUPS_1_2_3_5].to_numpy(float))
    np.testing.assert_allclose(got, expected.loc[[1913, 1914], GROUPS_1_2_3_5].to_numpy(float), rtol=1e-9)


def test_parameter_names_follow_iha_71() -> None:
    names = [p.iha71 for p in parameters(10)]
    assert len(names) == 33
    assert names[:3] == ["October", "November", "December"] and names[11] == "September"
    assert names[12:] == [
        "1-day min", "3-day min", "7-day min", "30-day min", "90-day min",
        "1-day max", "3-day max", "7-day max", "30-day max", "90-day max",
        "Zero days", "Base flow", "Date min", "Date max", "Lo pulse #", "Lo pulse L",
        "Hi pulse #", "Hi pulse L", "Rise rate", "Fall rate", "Reversals",
    ]  # fmt: skip


def test_julian_dates_number_every_year_as_a_leap_year() -> None:
    dates = pd.DatetimeIndex(["2001-02-28", "2001-03-01", "2001-12-31", "2000-02-29", "2000-03-01"])
    assert julian_366(dates).tolist() == [59, 61, 366, 60, 61]


def test_dates_of_extremes_in_a_common_and_a_leap_year() -> None:
    # water years from January: 2001 (365 days) then 2004 ... use two calendar years
    base = np.full(365 + 366, 5.0)
    base[59] = 1.0  # 2001-03-01: minimum, Julian 61 in IHA's numbering
    base[365 + 59] = 9.0  # 2002-03-01 is day 60 of 2002 -> index 365 + 59
    flows = one_station(base, "2001-01-01")
    result = iha(flows, start_month=1).set_index("water_year")
    assert result.loc[2001, "date_min"] == 61
    assert result.loc[2002, "date_max"] == 61
    leap = np.full(366, 5.0)
    leap[59] = 0.5  # 2004-02-29
    assert iha(one_station(leap, "2004-01-01"), start_month=1)["date_min"].iloc[0] == 60


def test_water_years_are_labelled_by_their_end_and_cut_years_left_out() -> None:
    flows = one_station(np.arange(1, 800, dtype=float), "2000-08-15")  # to 2002-10-22
    by_october = iha(flows, start_month=10)
    assert by_october["water_year"].tolist() == [2001, 2002]  # 2000-10-01..2001-09-30, ..2002-09-30
    assert by_october["oct"].iloc[0] == np.median(np.arange(48, 79))  # October 2000: values 48..78
    by_january = iha(flows, start_month=1)
    assert by_january["water_year"].tolist() == [2001]


def test_missing_days_raise_by_default() -> None:
    frame = pd.DataFrame({"station_id": "S1", "date": pd.to_datetime(["2001-01-01", "2001-01-02", "2001-01-05"]), "q": [1.0, 2, 5]})
    with pytest.raises(MissingDaysError) as info:
        fill_gaps(daily_flows(frame))
    assert info.value.stations == ["S1"] and info.value.first_missing == ["2001-01-03"] and info.value.count == 2
    assert "缺测" in str(info.value) and "missing" in str(info.value)


def test_short_gaps_are_interpolated_linearly_long_ones_still_raise() -> None:
    frame = pd.DataFrame({"station_id": "S1", "date": pd.to_datetime(["2001-01-01", "2001-01-02", "2001-01-05"]), "q": [1.0, 2, 5]})
    filled = fill_gaps(daily_flows(frame), max_gap=2)
    np.testing.assert_allclose(filled.q[0], [1, 2, 3, 4, 5])  # 2 -> 5 over three days
    with pytest.raises(MissingDaysError):
        fill_gaps(daily_flows(frame), max_gap=1)


def test_days_outside_a_record_are_not_missing() -> None:
    frame = pd.DataFrame(
        {"station_id": ["A", "A", "B"], "date": pd.to_datetime(["2001-01-01", "2001-01-02", "2001-01-02"]), "q": [1.0, 2, 3]}
    )
    filled = fill_gaps(daily_flows(frame))
    assert np.isnan(filled.q[1, 0]) and filled.q[1, 1] == 3


def test_an_all_zero_year() -> None:
    result = iha(one_station(np.zeros(365), "2001-01-01"), start_month=1).iloc[0]
    assert result["zero_days"] == 365
    assert result["min_1d"] == 0 and result["max_90d"] == 0
    assert np.isnan(result["base_flow"])  # 0 / 0
    assert np.isnan(result["rise_rate"]) and np.isnan(result["fall_rate"])
    assert result["reversals"] == 0


def test_rates_and_reversals_by_hand() -> None:
    # differences +1 0 +1 -1 0 -1 +1: flat days continue the direction -> + + + - - - + : 2 reversals
    head = np.array([1.0, 2, 2, 3, 2, 2, 1, 2])
    values = np.concatenate([head, np.full(365 - len(head), 2.0)])
    row = iha(one_station(values, "2001-01-01"), start_month=1).iloc[0]
    assert row["reversals"] == 2
    assert row["rise_rate"] == 1.0 and row["fall_rate"] == -1.0
    mean_row = iha(one_station(values, "2001-01-01"), start_month=1, statistic="parametric").iloc[0]
    assert mean_row["jan"] == pytest.approx(np.mean(values[:31]))


def test_moving_extremes_stay_inside_the_water_year() -> None:
    values = np.full(365 * 2, 10.0)
    values[364] = 0.0  # last day of 2001
    values[365] = 0.0  # first day of 2002
    result = iha(one_station(values, "2001-01-01"), start_month=1).set_index("water_year")
    # a 3-day window may not straddle the new year: each year holds one zero day only
    assert result.loc[2001, "min_3d"] == pytest.approx(20 / 3)
    assert result.loc[2002, "min_3d"] == pytest.approx(20 / 3)
    assert result.loc[2001, "min_1d"] == 0 and result.loc[2001, "base_flow"] == pytest.approx((60 / 7) / (3640 / 365))


def test_pulses_on_a_constructed_series() -> None:
    """Two years of 10, with low runs of 0 and high runs of 20 placed by hand.

    Thresholds: over 730 days of which 10 are 0 and 12 are 20, the 25th and 75th Weibull
    percentiles are both 10, so pulses are the runs strictly below and above 10.
    """
    values = np.full(730, 10.0)
    values[10:13] = 0  # low pulse of 3 days in 2001
    values[100:105] = 0  # low pulse of 5 days in 2001
    values[363:365] = 20  # high pulse from 2001-12-30 ...
    values[365:367] = 20  # ... into 2002: 4 days, counted in 2001
    values[400:410] = 20  # high pulse of 10 days in 2002
    values[500:502] = 0  # low pulse of 2 days in 2002
    result = iha(one_station(values, "2001-01-01"), start_month=1).set_index("water_year")
    assert result.loc[2001, ["low_pulse_count", "low_pulse_duration"]].tolist() == [2, 4.0]  # median of 3 and 5
    assert result.loc[2001, ["high_pulse_count", "high_pulse_duration"]].tolist() == [1, 4.0]
    assert result.loc[2002, ["low_pulse_count", "low_pulse_duration"]].tolist() == [1, 2.0]
    assert result.loc[2002, ["high_pulse_count", "high_pulse_duration"]].tolist() == [1, 10.0]


def test_no_pulse_gives_a_count_of_zero_and_no_duration() -> None:
    """Year 1 rises 1..365, year 2 stays at 183.

    Of the 730 values, 1..182 rank 1-182, the 366 values of 183 rank 183-548 and 184..365
    rank 549-730: the percentiles at ranks 731·0.25 = 182.75 and 548.25 are 182.75 and 183.25.
    Year 1 has one low pulse (1..182) and one high pulse (184..365); year 2 none.
    """
    values = np.concatenate([np.arange(1.0, 366.0), np.full(365, 183.0)])
    result = iha(one_station(values, "2001-01-01"), start_month=1).set_index("water_year")
    assert result.loc[2001, ["low_pulse_count", "low_pulse_duration", "high_pulse_count", "high_pulse_duration"]].tolist() == [
        1, 182.0, 1, 182.0,
    ]  # fmt: skip
    assert result.loc[2002, "low_pulse_count"] == 0 and np.isnan(result.loc[2002, "low_pulse_duration"])
    assert result.loc[2002, "high_pulse_count"] == 0 and np.isnan(result.loc[2002, "high_pulse_duration"])


def test_pulse_thresholds_from_the_pre_impact_years() -> None:
    """Thresholds from 2001 alone (flows 1..365): ranks 366·0.25 = 91.5 and 274.5.

    2001 has a low pulse 1..91 and a high pulse from 275 that runs on through 2002 (all 1000):
    one pulse of 91 + 365 days, counted in 2001, the year it began; 2002 has none.
    """
    values = np.concatenate([np.arange(1.0, 366.0), np.full(365, 1000.0)])
    result = iha(one_station(values, "2001-01-01"), start_month=1, threshold_years=(2001, 2001)).set_index("water_year")
    assert result.loc[2001, ["low_pulse_count", "low_pulse_duration"]].tolist() == [1, 91.0]
    assert result.loc[2001, ["high_pulse_count", "high_pulse_duration"]].tolist() == [1, 91.0 + 365]
    assert result.loc[2002, "high_pulse_count"] == 0


def test_weibull_percentile_is_imsl_type_6() -> None:
    # R quantile(1:4, c(.25, .75), type = 6) = 1.25, 3.75
    np.testing.assert_allclose(weibull_quantile(np.array([4.0, 1, 3, 2]), np.array([0.25, 0.75])), [1.25, 3.75])
    np.testing.assert_allclose(weibull_quantile(np.array([[1.0, 2, 3, 4, np.nan]]), 0.25), [1.25])


@settings(max_examples=25, deadline=None)
@given(st.permutations(range(4)), st.integers(0, 2**32 - 1))
def test_iha_is_invariant_to_station_order(order: list[int], seed: int) -> None:
    rng = np.random.default_rng(seed)
    q = rng.gamma(2.0, 3.0, size=(4, 2 * 365 + 1))
    q[1, 50:60] = 0.0
    dates = pd.date_range("2003-10-01", periods=q.shape[1], freq="D")
    names = np.array(["A", "B", "C", "D"])
    base = iha(DailyFlows(names, dates, q)).set_index(["station_id", "water_year"]).sort_index()
    perm = np.array(order)
    shuffled = iha(DailyFlows(names[perm], dates, q[perm])).set_index(["station_id", "water_year"]).sort_index()
    pd.testing.assert_frame_equal(base, shuffled)


# --- EFC ---------------------------------------------------------------------------------


def test_high_low_separation_by_hand() -> None:
    """75th percentile 10, 50th 5: rises > 25 % start a high flow, falls < 10 % end it."""
    q = np.array([[4, 6, 8, 12, 9, 7, 6.5, 6.3, 4, 5.5, 7, 7.5, 7.0, 6.0]])
    expected = [0, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0]
    #  4 low; 6 +50 %; 8 +33 %; 12 > p75; 9 -25 % (still falling fast); 7 -22 %; 6.5 -7 % ends;
    #  6.3, 4 low; 5.5 +37.5 % starts; 7 +27 %; 7.5 +7 % carries on; 7.0 -6.7 % ends; 6.0 stays low
    assert high_low(q, np.array([[10.0]]), np.array([[5.0]]), load_toml("ecoflow")["efc"]).astype(int).tolist() == [expected]


def test_efc_events_on_a_constructed_record() -> None:
    """Three calendar years of base flow 10 with one flood each year and a dry spell.

    Annual 1-day maxima 200, 400, 1000: the 2-year flood (Weibull median) is 400 and the
    10-year flood the largest (rank (3+1)·0.9 clamps to 3): 1000. So 2001's peak is a high
    flow pulse, 2002's a small flood, 2003's a large flood.
    """
    years = 3
    q = np.full(365 * years, 10.0)
    for k, peak in enumerate((200.0, 400.0, 1000.0)):
        day = 365 * k + 180
        q[day - 1 : day + 3] = [50.0, peak, 60.0, 20.0]  # rises from 10, falls back
    q[365 + 30 : 365 + 36] = 1.0  # six dry days in 2002
    flows = one_station(q, "2001-01-01")
    *_, types = efc_array(flows, start_month=1)
    frame = efc(flows, start_month=1).set_index("water_year")
    assert frame.loc[2001, "high_pulse_frequency"] == 1 and frame.loc[2001, "small_flood_frequency"] == 0
    assert frame.loc[2002, "small_flood_frequency"] == 1 and frame.loc[2002, "small_flood_peak"] == 400
    assert frame.loc[2003, "large_flood_frequency"] == 1 and frame.loc[2003, "large_flood_peak"] == 1000
    # the event: 50 (+400 %), peak, 60 (-85 %), 20 (-67 %), then 10 (-50 %, still falling fast)
    # and the next 10 (no change: ends). Days 179..183 are high: 5 days.
    assert frame.loc[2003, "large_flood_duration"] == 5
    assert frame.loc[2003, "large_flood_timing"] == 182  # 2003-06-30: day 182 in leap-year numbering
    assert frame.loc[2003, "large_flood_rise"] == pytest.approx((40 + 950) / 2)  # 10->50->1000
    assert frame.loc[2003, "large_flood_fall"] == pytest.approx((-940 - 40 - 10) / 3)  # out of 1000, 60, 20
    # the dry spell: low flows below the 10th percentile of low days are extreme lows
    assert frame.loc[2002, "extreme_low_frequency"] == 1
    assert frame.loc[2002, "extreme_low_duration"] == 6 and frame.loc[2002, "extreme_low_peak"] == 1.0
    assert set(np.unique(types)) <= {LOW, EXTREME_LOW, HIGH_PULSE, SMALL_FLOOD, LARGE_FLOOD}
    assert frame.loc[2001, "lowflow_jan"] == 10


def test_efc_iha71_names() -> None:
    frame = efc(one_station(np.full(365, 3.0), "2000-10-01"), names="iha71")
    assert list(frame.columns[:4]) == ["station_id", "Year", "Oct lowf", "Nov lowf"]
    assert "Lfld1 fall" in frame.columns and "Xlow1 freq" in frame.columns


# --- RVA ---------------------------------------------------------------------------------


def test_rva_by_hand() -> None:
    """Pre-impact values 1..9: 33rd/67th Weibull percentiles 3.3 and 6.7; 3 years per category.

    Post-impact values 1, 1, 5, 9, 9: observed 2 / 1 / 2, expected 5 · 3/9 = 5/3 each;
    HA_middle = (1 − 5/3) / (5/3) = −0.4 (moderate).
    """
    annual = pd.DataFrame({"station_id": "A", "water_year": range(2000, 2014), "x": [1, 2, 3, 4, 5, 6, 7, 8, 9, 1, 1, 5, 9, 9]})
    row = rva(annual, (2000, 2008), (2009, 2013)).iloc[0]
    assert row["lower"] == pytest.approx(3.3) and row["upper"] == pytest.approx(6.7)
    assert row["expected_middle"] == pytest.approx(5 / 3)
    assert [row["observed_low"], row["observed_middle"], row["observed_high"]] == [2, 1, 2]
    assert row["ha_middle"] == pytest.approx(-0.4) and row["ha_low"] == pytest.approx(0.2)
    assert row["alteration"] == "moderate"
    assert overall_alteration(rva(annual, (2000, 2008), (2009, 2013)))["d0"].iloc[0] == pytest.approx(0.4)


def test_parametric_rva_uses_mean_and_one_standard_deviation() -> None:
    annual = pd.DataFrame({"station_id": "A", "water_year": range(2000, 2008), "x": [2.0, 4, 6, 8, 5, 5, 5, 20]})
    row = rva(annual, (2000, 2003), (2004, 2007), statistic="parametric").iloc[0]
    sd = np.sqrt(((np.array([2, 4, 6, 8]) - 5) ** 2).sum() / 3)  # 2.582
    assert row["lower"] == pytest.approx(5 - sd) and row["upper"] == pytest.approx(5 + sd)
    assert row["observed_middle"] == 3 and row["observed_high"] == 1


def test_constant_leap_year_has_no_rise_or_fall() -> None:
    """All-zero years, a leap year among them: no rise, no fall, no reversal (and no error)."""
    frame = pd.DataFrame({"station_id": "A", "date": pd.date_range("2003-01-01", "2004-12-31"), "q": 0.0})
    table = iha(daily_flows(frame), start_month=1)
    assert table["rise_rate"].isna().all() and table["fall_rate"].isna().all()
    assert (table["reversals"] == 0).all()
    assert (table["zero_days"].to_numpy() == [365, 366]).all()
