"""Ecological-flow targets and compliance: hand-computed cases and invariants."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qingliu.assess.daily import DailyFlows, water_years
from qingliu.assess.ecoflow import METHODS, ecoflow_targets, low_flow_quantile
from qingliu.assess.ecoflow_compliance import ecoflow_compliance

Z_10 = -1.2815515655446004  # standard normal quantile at 0.10 (tables: -1.2816)


def station_years(yearly: list[float], first_year: int = 2001) -> DailyFlows:
    """One station whose flow is constant within each calendar year."""
    dates = pd.date_range(f"{first_year}-01-01", f"{first_year + len(yearly) - 1}-12-31", freq="D")
    q = np.asarray(yearly, dtype=float)[dates.year - first_year]
    return DailyFlows(np.array(["S"]), dates, q[None, :])


def target_row(daily: DailyFlows, method: str, **kw) -> pd.Series:
    return ecoflow_targets(daily, (method,), **kw).iloc[0]


def test_tennant_on_a_constant_flow() -> None:
    """MAF 10 m3/s, rating good: 20 % Oct-Mar = 2.0 and 40 % Apr-Sep = 4.0 (Tennant 1976)."""
    row = target_row(station_years([10.0, 10.0, 10.0]), "tennant", rating="good")
    assert [row[f"m{m:02d}"] for m in (10, 11, 12, 1, 2, 3)] == pytest.approx([2.0] * 6)
    assert [row[f"m{m:02d}"] for m in range(4, 10)] == pytest.approx([4.0] * 6)
    assert row["target_m3s"] == pytest.approx(2.0)
    minimum = target_row(station_years([10.0] * 3), "tennant")  # default "poor": 10 % all year
    assert minimum["target_m3s"] == pytest.approx(1.0) and minimum["m06"] == pytest.approx(1.0)


def test_unknown_rating_and_method_are_refused() -> None:
    with pytest.raises(ValueError, match="Tennant"):
        target_row(station_years([1.0]), "tennant", rating="splendid")
    with pytest.raises(ValueError, match="unknown method"):
        ecoflow_targets(station_years([1.0]), ("magic",))


def test_qp_of_symmetric_driest_months() -> None:
    """Driest-month flows 8, 9, 10, 11, 12: mean 10, S = 1.5811, Cs = 0 -> normal quantile.

    Q90% = 10 + 1.5811 · (-1.2816) = 7.974 (SL 44-2006 moments; Φ at Cs = 0 is the normal z).
    """
    row = target_row(station_years([8.0, 9, 10, 11, 12]), "qp")
    assert row["target_m3s"] == pytest.approx(10 + np.sqrt(2.5) * Z_10, rel=1e-6)
    assert row["n_years"] == 5 and "30" in row["note"]  # fewer than the 30 years SL/T 712 asks


def test_qp_at_95_percent_is_lower() -> None:
    flows = station_years([8.0, 9, 10, 11, 12])
    assert target_row(flows, "qp", guarantee=0.95)["target_m3s"] == pytest.approx(10 + np.sqrt(2.5) * -1.6448536269514729, rel=1e-6)


def test_recent_driest_month_takes_the_last_ten_years() -> None:
    yearly = [1.0, 2.0] + [float(v) for v in range(5, 15)]  # 12 years; the last ten are 5..14
    assert target_row(station_years(yearly), "recent_driest_month")["target_m3s"] == 5.0
    assert target_row(station_years(yearly), "recent_driest_month", recent_years=11)["target_m3s"] == 2.0


def test_7q10_log_pearson_on_a_known_series() -> None:
    """Annual 7-day minima 10^0, 10^0.2, ..., 10^0.8: log mean 0.4, log S = sqrt(0.1), Cs 0.

    7Q10 = 10^(0.4 + sqrt(0.1) · z_0.1) = 10^(-0.005267) = 0.98795.
    """
    row = target_row(station_years([10**0.0, 10**0.2, 10**0.4, 10**0.6, 10**0.8]), "7q10")
    assert row["target_m3s"] == pytest.approx(10 ** (0.4 + np.sqrt(0.1) * Z_10), rel=1e-6)
    assert row["target_m3s"] == pytest.approx(0.98795, abs=1e-5)


def test_7q10_with_zero_years_uses_the_conditional_probability() -> None:
    """One zero year in ten: p0 = 0.1 = 1/T, so the 10-year low flow is 0 (Haan 1977)."""
    minima = np.array([[0.0, 1, 2, 3, 4, 5, 6, 7, 8, 9]])
    assert low_flow_quantile(minima, 10)[0] == 0.0
    # with one zero in twenty, the quantile of the non-zero years at (0.1 - 0.05)/0.95
    logs = np.log10(np.arange(1.0, 20.0))
    got = low_flow_quantile(np.concatenate([[0.0], np.arange(1.0, 20.0)])[None, :], 10)[0]
    assert 10 ** logs.min() < got < 10 ** np.quantile(logs, 0.1)


def test_30q10_is_at_least_7q10_for_the_same_record() -> None:
    rng = np.random.default_rng(3)
    dates = pd.date_range("1991-01-01", "2020-12-31", freq="D")
    q = rng.gamma(2.0, 2.0, size=(1, len(dates))) + 0.1
    flows = DailyFlows(np.array(["S"]), dates, q)
    t = ecoflow_targets(flows, ("7q10", "30q10")).set_index("method")["target_m3s"]
    assert t["30q10"] >= t["7q10"]


def test_flow_duration_percentiles_by_hand() -> None:
    """One year of flows 1..365: Q90 is the Weibull 10th percentile, rank 366·0.1 = 36.6."""
    dates = pd.date_range("2001-01-01", periods=365, freq="D")
    flows = DailyFlows(np.array(["S"]), dates, np.arange(1.0, 366.0)[None, :])
    t = ecoflow_targets(flows, ("q90", "q95")).set_index("method")["target_m3s"]
    assert t["q90"] == pytest.approx(36.6) and t["q95"] == pytest.approx(18.3)


def test_monthly_targets_follow_each_month() -> None:
    dates = pd.date_range("2001-01-01", "2003-12-31", freq="D")
    q = dates.month.to_numpy(dtype=float)[None, :]  # January 1, ..., December 12
    row = target_row(DailyFlows(np.array(["S"]), dates, q), "monthly")
    assert [row[f"m{m:02d}"] for m in range(1, 13)] == pytest.approx(list(range(1, 13)))
    assert row["target_m3s"] == 1.0


def test_excluded_months_have_no_target_and_do_not_set_the_driest_month() -> None:
    dates = pd.date_range("2001-01-01", "2005-12-31", freq="D")
    q = np.where(np.isin(dates.month, (12, 1, 2)), 0.1, 5.0 + (dates.year - 2001))[None, :]
    flows = DailyFlows(np.array(["S"]), dates, q)
    row = target_row(flows, "recent_driest_month", exclude_months=(12, 1, 2))
    assert row["target_m3s"] == 5.0  # winter flows of 0.1 are left out
    assert np.isnan(row["m01"]) and np.isnan(row["m12"]) and row["m06"] == 5.0


def test_targets_use_complete_years_only() -> None:
    dates = pd.date_range("2000-07-01", "2002-03-31", freq="D")
    q = np.where(dates.year == 2001, 10.0, 100.0)[None, :]
    wy = water_years(DailyFlows(np.array(["S"]), dates, q), 1)
    assert wy.years.tolist() == [2001] and wy.analysed.tolist() == [[True]]
    row = target_row(DailyFlows(np.array(["S"]), dates, q), "tennant")
    assert row["target_m3s"] == pytest.approx(1.0)  # MAF of 2001 alone


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**32 - 1), st.floats(0.0, 0.5))
def test_targets_are_never_negative(seed: int, zero_share: float) -> None:
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2001-01-01", "2008-12-31", freq="D")
    q = rng.lognormal(0.0, 2.0, size=(2, len(dates)))
    q[rng.random(q.shape) < zero_share] = 0.0
    table = ecoflow_targets(DailyFlows(np.array(["A", "B"]), dates, q), METHODS, distribution="p3")
    values = table[["target_m3s", *[f"m{m:02d}" for m in range(1, 13)]]].to_numpy(float)
    assert (values[np.isfinite(values)] >= 0).all()


# --- compliance --------------------------------------------------------------------------


def compliance_case():
    dates = pd.date_range("2020-01-30", "2020-02-03", freq="D")
    q = np.array([[1.0, 0.5, 0.5, 0.5, 2.0], [np.nan, 1.0, 1.0, 1.0, 1.0]])
    return ecoflow_compliance(DailyFlows(np.array(["A", "B"]), dates, q), np.full((2, 12), 1.0))


def test_compliance_by_hand() -> None:
    """Target 1 m3/s. A: 1, 0.5 | 0.5, 0.5, 2 across January/February; B misses 30 January."""
    result = compliance_case()
    jan = result.monthly.set_index(["station_id", "month"]).loc[("A", 1)]
    feb = result.monthly.set_index(["station_id", "month"]).loc[("A", 2)]
    assert (jan["n_days"], jan["days_met"], jan["daily_rate"]) == (2, 1, 0.5)
    assert jan["shortfall_1e4m3"] == pytest.approx(0.5 * 86400 / 1e4)  # 4.32 × 10^4 m3
    assert feb["longest_below"] == 2 and jan["longest_below"] == 1  # runs split by months
    assert feb["mean_met"] and not jan["mean_met"]  # mean 1.0 >= 1 ; 0.75 < 1
    year_a = result.yearly.set_index("station_id").loc["A"]
    assert year_a["longest_below"] == 3 and year_a["shortfall_days"] == 3
    assert year_a["daily_rate"] == pytest.approx(0.4) and not year_a["meets_daily_rule"]
    assert (year_a["months_assessed"], year_a["months_mean_met"]) == (2, 1)
    year_b = result.yearly.set_index("station_id").loc["B"]
    assert (year_b["n_days"], year_b["n_missing"], year_b["daily_rate"]) == (4, 1, 1.0)


def test_the_90_percent_rule_includes_its_boundary() -> None:
    dates = pd.date_range("2021-04-01", periods=30, freq="D")
    q = np.full((1, 30), 2.0)
    q[0, :3] = 0.5  # 27 of 30 days met: 0.9
    result = ecoflow_compliance(DailyFlows(np.array(["S"]), dates, q), np.full((1, 12), 1.0))
    assert result.yearly["daily_rate"].iloc[0] == pytest.approx(0.9)
    assert bool(result.yearly["meets_daily_rule"].iloc[0])


def test_live_status() -> None:
    """Latest day: below target -> 不达标; within 20 % above -> 预警; month under 90 % -> 预警."""
    dates = pd.date_range("2021-04-01", periods=10, freq="D")
    q = np.array([
        [2.0] * 9 + [0.9],   # below target
        [2.0] * 9 + [1.1],   # less than 1.2 × target
        [2.0] * 9 + [3.0],   # fine
        [0.5] * 9 + [3.0],   # fine today, but 1 of 10 days met this month
    ])  # fmt: skip
    status = ecoflow_compliance(DailyFlows(np.array(["A", "B", "C", "D"]), dates, q), np.full((4, 12), 1.0)).status
    assert status["status"].tolist() == ["failed", "warning", "met", "warning"]
    assert status["status_zh"].tolist() == ["不达标", "预警", "达标", "预警"]


def test_months_without_target_are_not_assessed() -> None:
    dates = pd.date_range("2021-01-01", "2021-03-31", freq="D")
    targets = np.full((1, 12), 1.0)
    targets[0, 0] = np.nan  # January not assessed (frozen)
    result = ecoflow_compliance(DailyFlows(np.array(["S"]), dates, np.zeros((1, len(dates)))), targets)
    assert result.monthly["month"].tolist() == [2, 3]
    assert result.yearly["n_days"].iloc[0] == 28 + 31


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1), st.floats(0.0, 5.0))
def test_compliance_rates_lie_between_0_and_1(seed: int, target: float) -> None:
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2019-11-15", "2021-02-10", freq="D")
    q = rng.gamma(1.0, 2.0, size=(3, len(dates)))
    q[rng.random(q.shape) < 0.1] = np.nan
    result = ecoflow_compliance(DailyFlows(np.array(["A", "B", "C"]), dates, q), np.full((3, 12), target))
    for table in (result.monthly, result.yearly):
        rates = table["daily_rate"].dropna()
        assert ((rates >= 0) & (rates <= 1)).all()
        assert (table["days_met"] + table["shortfall_days"] == table["n_days"]).all()
