"""Drought indices: GB/T 20481-2017 grades, gamma fits, SPI/SRI, drought events, low flows.

Expectations are computed by hand (comments), taken from the published grade bounds, from
McKee et al. (1993) or from the error bound of Abramowitz & Stegun 26.2.23.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import special, stats

from qingliu.assess.drought import (
    annual_low_flows,
    monthly_matrix,
    drought_events,
    drought_grade,
    gamma_fit,
    grade_names,
    low_flow_frequency,
    rolling_sum,
    standardized_index,
)


@pytest.mark.parametrize(
    ("value", "level", "zh"),
    [
        (0.3, 1, "无旱"), (-0.4999, 1, "无旱"), (-0.5, 2, "轻旱"), (-0.9999, 2, "轻旱"), (-1.0, 3, "中旱"),
        (-1.4999, 3, "中旱"), (-1.5, 4, "重旱"), (-1.9999, 4, "重旱"), (-2.0, 5, "特旱"), (-3.5, 5, "特旱"),
    ],
)
def test_grades_at_their_boundaries(value: float, level: int, zh: str) -> None:
    # GB/T 20481-2017: 轻旱 -1.0 < x <= -0.5, 中旱 -1.5 < x <= -1.0, 重旱 -2.0 < x <= -1.5, 特旱 x <= -2.0
    got = drought_grade(np.array([value]))
    assert got[0] == level
    assert grade_names(got)[0][0] == zh


def test_missing_index_has_no_grade() -> None:
    levels = drought_grade(np.array([np.nan, -1.2]))
    assert list(levels) == [0, 3]
    assert grade_names(levels)[1][0] == ""


def test_thom_estimate_by_hand() -> None:
    # x = 10, 20, 40, 80: x̄ = 37.5; mean ln x = (2.302585 + 2.995732 + 3.688879 + 4.382027)/4
    # = 3.342306; A = ln 37.5 - 3.342306 = 3.624341 - 3.342306 = 0.282035;
    # α = (1 + sqrt(1 + 4A/3))/(4A) = (1 + 1.173050)/1.128139 = 1.926228; β = 37.5/α = 19.468
    x = np.array([10.0, 20.0, 40.0, 80.0])
    a = math.log(37.5) - sum(math.log(v) for v in x) / 4
    alpha_hand = (1 + math.sqrt(1 + 4 * a / 3)) / (4 * a)
    alpha, beta, q = gamma_fit(x, "thom")
    assert alpha == pytest.approx(alpha_hand, rel=1e-12)
    assert alpha == pytest.approx(1.926228, rel=1e-5)
    assert beta == pytest.approx(37.5 / alpha_hand)
    assert q == 0.0


def test_maximum_likelihood_solves_the_likelihood_equation() -> None:
    rng = np.random.default_rng(2)
    x = stats.gamma.rvs(0.8, scale=50, size=(5, 40), random_state=rng)
    alpha, beta, _ = gamma_fit(x, "mle")
    a = np.log(x.mean(axis=1)) - np.log(x).mean(axis=1)
    np.testing.assert_allclose(np.log(alpha) - special.digamma(alpha), a, rtol=1e-10)
    shape, _, scale = stats.gamma.fit(x[0], floc=0)  # scipy's own MLE
    assert (alpha[0], beta[0]) == pytest.approx((shape, scale), rel=1e-4)


def test_zero_totals_form_a_point_mass() -> None:
    # 10 years of one month, 2 of them dry: q = 0.2, and a dry month has SPI = Φ⁻¹(0.2) = -0.841621
    rain = np.array([0.0, 12.0, 30.0, 0.0, 55.0, 8.0, 21.0, 40.0, 17.0, 26.0])
    monthly = np.full((1, 12 * 10), 10.0)
    monthly[0, ::12] = rain  # January of every year
    index = standardized_index(monthly, 1, start_month=1)
    january = index[0, ::12]
    assert january[0] == pytest.approx(stats.norm.ppf(0.2))
    assert january[0] == pytest.approx(-0.841621, abs=1e-6)
    alpha, beta, q = gamma_fit(rain)
    assert q == pytest.approx(0.2)
    # a wet January: H = q + (1 - q) G(x)
    expected = stats.norm.ppf(0.2 + 0.8 * stats.gamma.cdf(30.0, alpha, scale=beta))
    assert january[2] == pytest.approx(expected)


def test_rolling_sum_needs_complete_windows() -> None:
    out = rolling_sum(np.array([1.0, 2.0, 3.0, np.nan, 5.0, 6.0, 7.0]), 3)
    np.testing.assert_array_equal(out, [np.nan, np.nan, 6.0, np.nan, np.nan, np.nan, 18.0])


def test_spi_follows_mckee_probabilities() -> None:
    # McKee et al. (1993), Table 1: SPI -1.00..-1.49 in 9.2 % of the time, -1.50..-1.99 in 4.4 %,
    # <= -2.0 in 2.3 % (a standard normal variate)
    rain = stats.gamma.rvs(1.6, scale=25, size=(1, 12 * 3000), random_state=np.random.default_rng(9))
    spi = standardized_index(rain, 3)[0, 2:]
    assert np.mean(spi <= -2.0) == pytest.approx(0.023, abs=0.003)
    assert np.mean((spi > -2.0) & (spi <= -1.5)) == pytest.approx(0.044, abs=0.004)
    assert np.mean((spi > -1.5) & (spi <= -1.0)) == pytest.approx(0.092, abs=0.006)


def test_abramowitz_stegun_transform_within_its_published_error() -> None:
    # A&S 26.2.23: |ε(p)| < 4.5e-4
    rain = stats.gamma.rvs(2.0, scale=20, size=(2, 12 * 50), random_state=np.random.default_rng(4))
    exact = standardized_index(rain, 1)
    approx = standardized_index(rain, 1, transform="abramowitz_stegun")
    assert np.nanmax(np.abs(exact - approx)) < 4.5e-4
    with pytest.raises(ValueError, match="unknown transform"):
        standardized_index(rain, 1, transform="probit")


def test_start_month_aligns_calendar_months() -> None:
    rain = stats.gamma.rvs(1.5, scale=30, size=(1, 12 * 30), random_state=np.random.default_rng(1))
    full = standardized_index(rain, 3, start_month=1)
    shifted = standardized_index(rain[:, 5:], 3, start_month=6)  # the same series from June
    # August-December have the same 3-month sums in both (Jan-Jul of year 1 lack a sum in one)
    month = (np.arange(5, rain.shape[1]) % 12) + 1
    same = month >= 8
    np.testing.assert_allclose(shifted[0, same], full[0, 5:][same], rtol=1e-10)


def test_fit_mask_restricts_the_reference_period() -> None:
    rain = np.tile(np.arange(1.0, 13.0), 40)[None, :] * stats.gamma.rvs(
        3.0, scale=1, size=(1, 480), random_state=np.random.default_rng(6))
    mask = np.zeros(480, dtype=bool)
    mask[:240] = True
    index = standardized_index(rain, 1, fit_mask=mask)
    alpha, beta, _ = gamma_fit(rain[0, :240:12])  # Januaries of the first 20 years only
    expected = stats.norm.ppf(stats.gamma.cdf(rain[0, 300], alpha, scale=beta))
    assert index[0, 300] == pytest.approx(expected)


def test_drought_events_by_hand() -> None:
    index = np.array([
        [0.0, -0.6, -1.2, -0.3, -0.7, -0.8, -2.1, 0.2, np.nan, -0.9],
        [-0.5, -0.4, 0.0, 0.0, 0.0, 0.0, 0.0, -1.6, -1.6, -1.6],
    ])
    events = drought_events(index)
    expected = pd.DataFrame({
        "series": [0, 0, 0, 1, 1], "start": [1, 4, 9, 0, 7], "end": [2, 6, 9, 0, 9],
        "duration": [2, 3, 1, 1, 3], "severity": [1.8, 3.6, 0.9, 0.5, 4.8],
        "peak": [-1.2, -2.1, -0.9, -0.5, -1.6], "peak_grade": [3, 5, 2, 2, 4],
    })
    for column in expected:
        np.testing.assert_allclose(events[column].to_numpy(float), expected[column].to_numpy(float), err_msg=column)
    np.testing.assert_allclose(events["intensity"], [0.9, 1.2, 0.9, 0.5, 1.6])
    longer = drought_events(index, min_duration=2)
    assert list(longer["duration"]) == [2, 3, 3]
    assert drought_events(np.zeros(5)).empty


def test_annual_low_flows_by_hand() -> None:
    dates = pd.date_range("2001-01-01", "2003-12-31", freq="D")
    q = np.full(dates.size, 10.0)
    q[(dates >= "2001-06-01") & (dates < "2001-06-08")] = 3.0  # 7 days at 3 -> 7-day minimum 3
    q[(dates >= "2002-03-01") & (dates < "2002-03-04")] = 3.0  # 3 days at 3: (3·3 + 4·10)/7 = 7
    q[dates == "2003-09-09"] = np.nan  # an incomplete year
    minima, years = annual_low_flows(q[None, :], dates.to_numpy(), window=7)
    assert list(years) == [2001, 2002, 2003]
    np.testing.assert_allclose(minima[0], [3.0, 7.0, np.nan])


def test_low_flow_frequency_by_hand() -> None:
    # minima 1, 2, 3, 4, 10: x̄ = 4, Cv = 0.883883, Cs = 1.697056 (see test_frequency); 90 %:
    # x = 4(1 + 0.883883·Φ_90%(1.697056)); the P-III lower bound x̄(1 - 2Cv/Cs) < 0 here
    table = low_flow_frequency(np.array([[1.0, 2.0, 3.0, 4.0, 10.0]]), 0.9)
    phi = stats.pearson3.ppf(0.1, 1.697056)
    assert table.loc[0, "design"] == pytest.approx(max(4 * (1 + 0.883883 * phi), 0.0), rel=1e-5)
    assert table.loc[0, "n"] == 5


def test_a_leap_year_missing_its_first_day_is_incomplete() -> None:
    dates = pd.date_range("2000-01-02", "2001-12-31")  # 2000 has 366 days, 365 of them here
    q = np.ones(len(dates))
    minima, years = annual_low_flows(q[None, :], dates.to_numpy(), window=7)
    assert years.tolist() == [2000, 2001]
    assert np.isnan(minima[0, 0]) and minima[0, 1] == 1.0


def test_monthly_matrix_drops_incomplete_months_of_daily_values() -> None:
    days = pd.date_range("2024-01-01", "2024-02-29")
    frame = pd.DataFrame({"site": "R1", "date": days, "p": 1.0}).drop(index=[40])  # a February day missing
    sites, months, matrix = monthly_matrix(frame, "site", "date", "p", "sum", daily=True)
    assert sites == ["R1"] and [str(m) for m in months] == ["2024-01", "2024-02"]
    assert matrix[0, 0] == 31.0 and np.isnan(matrix[0, 1])  # January complete: 31 days × 1 mm
    _, _, monthly = monthly_matrix(frame, "site", "date", "p", "sum", daily=False)
    assert monthly[0, 1] == 28.0  # taken as it is when the values are not daily
