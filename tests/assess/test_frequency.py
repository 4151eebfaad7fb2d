"""Flood frequency analysis: moments, L-moments, distributions, plotting positions, fitting, intervals.

Expectations are published numbers (Bulletin 17C example 1; the P-III frequency-factor table)
or computed by hand in the comments; property tests check invariants.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy import integrate, stats

from qingliu.assess.frequency import (
    distribution,
    estimate,
    p3_frequency_factor,
    p3_moments,
    p3_quantile,
    quantile,
    return_period_probability,
    sample_lmoments,
    sample_moments,
)
from qingliu.assess.frequency_ci import (
    analytic_interval,
    bootstrap_interval,
    moment_quantile_se,
)
from qingliu.assess.frequency_fit import (
    compare_distributions,
    fit_curve,
    goodness_of_fit,
)
from qingliu.assess.frequency_sample import (
    FloodSample,
    plotting_positions,
    weibull_positions,
    weighted_moments,
)
from qingliu.standards import load_toml

# Bulletin 17C (England et al. 2019, USGS Techniques and Methods 4-B5), Appendix 9, Example 1:
# Moose River at Victory, VT (USGS 01134500), annual peaks 1947-2014, cfs (systematic record,
# no historical information, no low outliers). Published log10 statistics: mean 3.3286,
# standard deviation 0.1403, station skew 0.397.
MOOSE_RIVER = [
    2080, 1670, 1480, 2940, 1560, 2380, 2720, 2860, 2620, 1710, 1370, 2180, 1160, 2780, 1580, 2110, 2160,
    2750, 1190, 1560, 1800, 1600, 2400, 3010, 1490, 2920, 4940, 2550, 1250, 2670, 2020, 1460, 1620, 1460,
    1570, 2890, 1840, 2950, 1380, 2350, 4180, 1700, 2200, 3430, 2270, 2180, 1900, 2760, 4536, 2160, 1860,
    2680, 1540, 2110, 2950, 2410, 2230, 1980, 1610, 2640, 1930, 1940, 1810, 1900, 3140, 1370, 2180, 4250,
]


def test_bulletin_17c_example_1_log10_moments() -> None:
    assert len(MOOSE_RIVER) == 68
    mean, sd, skew = estimate(np.array(MOOSE_RIVER, float), "lp3", "moments")
    assert mean == pytest.approx(3.3286, abs=5e-5)
    assert sd == pytest.approx(0.1403, abs=5e-5)
    assert skew == pytest.approx(0.397, abs=5e-4)


def test_frequency_factor_matches_the_published_table() -> None:
    table = load_toml("p3_frequency_factors")
    p = np.array(table["meta"]["exceedance"])
    for row in table["row"]:
        phi = p3_frequency_factor(row["cs"], p)
        # 3 printed decimals: within one unit of the last decimal
        np.testing.assert_allclose(phi, row["phi"], atol=1e-3, err_msg=f"Cs = {row['cs']}")


def test_design_value_is_mean_times_one_plus_cv_phi() -> None:
    # SL 44-2006: x_p = x̄(1 + Cv Φ_p); Cs = 1.0, P = 1 %: Φ = 3.022 (table) -> 1000(1 + 0.5·3.022)
    assert p3_quantile(1000.0, 0.5, 1.0, 0.01) == pytest.approx(2511.0, abs=0.5)
    # broadcasting: stations × probabilities
    values = p3_quantile(np.array([1000.0, 2000.0])[:, None], 0.5, 1.0, np.array([0.01, 0.5])[None, :])
    assert values.shape == (2, 2)
    assert values[1, 0] == pytest.approx(2 * 2511.0, abs=1.0)
    # the 2-year value sits below the mean for positive skew: Φ_50%(1.0) = -0.164
    assert values[0, 1] == pytest.approx(1000 * (1 - 0.5 * 0.164), abs=0.5)


def test_p3_moments_by_hand() -> None:
    # x = 1, 2, 3, 4, 10: x̄ = 4; deviations -3, -2, -1, 0, 6; Σd² = 50, S = sqrt(50/4) = 3.535534;
    # Cv = 0.883883; Σd³ = 180; Cs = 5·180 / (4·3·S³) = 900 / 530.3301 = 1.697056
    mean, cv, cs = p3_moments(np.array([1.0, 2.0, 3.0, 4.0, 10.0]))
    assert mean == pytest.approx(4.0)
    assert cv == pytest.approx(0.883883, rel=1e-6)
    assert cs == pytest.approx(1.697056, rel=1e-6)


def test_missing_years_are_left_out_and_short_series_are_nan() -> None:
    x = np.array([[1.0, 2.0, np.nan, 3.0, 4.0, 10.0], [5.0, np.nan, 7.0, np.nan, np.nan, np.nan]])
    mean, cv, cs = p3_moments(x)
    assert (mean[0], cv[0], cs[0]) == pytest.approx((4.0, 0.883883, 1.697056), rel=1e-6)
    assert mean[1] == pytest.approx(6.0)
    assert np.isnan(cs[1])  # two values: no skewness


def test_sample_lmoments_by_hand() -> None:
    # sorted x = 1, 2, 3, 4, 10 (n = 5): b0 = 4; b1 = (0 + 2/4 + 3·2/4 + 4·3/4 + 10)/5 = 3;
    # b2 = (3·2/12 + 4·6/12 + 10·12/12)/5 = 2.5; b3 = (4·6/24 + 10·24/24)/5 = 2.2
    # λ2 = 2·3 - 4 = 2; λ3 = 6·2.5 - 18 + 4 = 1; λ4 = 44 - 75 + 36 - 4 = 1
    l1, l2, t3, t4 = sample_lmoments(np.array([10.0, 3.0, 1.0, 4.0, 2.0]))
    assert (l1, l2, t3, t4) == pytest.approx((4.0, 2.0, 0.5, 0.5))


def test_gumbel_by_lmoments_by_hand() -> None:
    # α = λ2/ln 2 = 2/0.693147 = 2.885390; ξ = λ1 - 0.577216·α = 4 - 1.665492 = 2.334508
    location, scale = estimate(np.array([1.0, 2.0, 3.0, 4.0, 10.0]), "gumbel", "lmoments")
    assert scale == pytest.approx(2.885390, rel=1e-6)
    assert location == pytest.approx(2.334508, rel=1e-6)


def test_gev_lmoments_of_a_gumbel_population_give_zero_shape() -> None:
    # The Gumbel distribution has τ3 = ln(9/8)/ln 2 = 0.169925 (Hosking & Wallis 1997, A.3)
    params = distribution("gev").from_lmoments(np.float64(10.0), np.float64(2.0 * np.log(2.0)), np.float64(np.log(9 / 8) / np.log(2)))
    assert params[2] == pytest.approx(0.0, abs=1e-3)
    assert params[1] == pytest.approx(2.0, rel=1e-3)


def _population_lmoments(skew: float) -> tuple[float, float, float]:
    """λ1, λ2, τ3 of the standardised P-III by quadrature of its quantile function."""
    def q(f: float) -> float:
        return stats.pearson3.ppf(f, skew)

    l1 = integrate.quad(q, 0, 1, limit=200)[0]
    l2 = integrate.quad(lambda f: q(f) * (2 * f - 1), 0, 1, limit=200)[0]
    l3 = integrate.quad(lambda f: q(f) * (6 * f * f - 6 * f + 1), 0, 1, limit=200)[0]
    return l1, l2, l3 / l2


@pytest.mark.parametrize("skew", [-1.2, 0.0, 0.4, 1.5, 3.0])
def test_p3_lmoment_inversion_recovers_the_population(skew: float) -> None:
    l1, l2, t3 = _population_lmoments(skew)
    mean, cv, cs = distribution("p3").from_lmoments(np.float64(l1 + 100.0), np.float64(l2 * 30.0), np.float64(t3))
    assert cs == pytest.approx(skew, abs=2e-3)
    assert mean * cv == pytest.approx(30.0, rel=1e-3)  # σ
    assert mean == pytest.approx(100.0 + 30 * l1, abs=1e-6)


@pytest.mark.parametrize("dist", ["p3", "lp3", "gev", "gumbel"])
@pytest.mark.parametrize("method", ["moments", "lmoments"])
def test_large_samples_recover_their_quantiles(dist: str, method: str) -> None:
    rng = np.random.default_rng(7)
    frozen = {"p3": stats.pearson3(1.0, loc=1000, scale=300), "gumbel": stats.gumbel_r(loc=500, scale=150),
              "gev": stats.genextreme(-0.1, loc=500, scale=150),
              "lp3": stats.pearson3(0.3, loc=3.0, scale=0.2)}[dist]
    x = frozen.rvs(size=200_000, random_state=rng)
    if dist == "lp3":
        x, truth = 10**x, 10 ** frozen.ppf(0.99)
    else:
        truth = frozen.ppf(0.99)
    assert quantile(dist, estimate(x, dist, method), 0.01) == pytest.approx(truth, rel=0.02)


@settings(max_examples=25, deadline=None)
@given(arrays(np.float64, (4, 12), elements=st.floats(1.0, 1e4)))
def test_batch_equals_one_series_at_a_time(x: np.ndarray) -> None:
    for method in ("moments", "lmoments"):
        batch = estimate(x, "p3", method)
        for i in range(x.shape[0]):
            np.testing.assert_allclose(batch[i], estimate(x[i], "p3", method), rtol=1e-10, equal_nan=True)


@settings(max_examples=25, deadline=None)
@given(st.floats(-2.5, 4.0), st.lists(st.floats(1e-3, 0.999), min_size=2, max_size=6, unique=True))
def test_design_values_decrease_with_exceedance_probability(cs: float, ps: list[float]) -> None:
    p = np.sort(np.array(ps))
    values = p3_quantile(100.0, 0.4, cs, p)
    assert np.all(np.diff(values) <= 1e-9)


def test_return_periods_must_exceed_one_year() -> None:
    assert return_period_probability([2, 100]) == pytest.approx([0.5, 0.01])
    with pytest.raises(ValueError, match="return periods"):
        return_period_probability([1, 10])


def test_unknown_distribution_and_method_are_refused_in_both_languages() -> None:
    with pytest.raises(ValueError, match="未知的分布.*unknown distribution"):
        estimate(np.ones(5), "weibull")
    with pytest.raises(ValueError, match="unknown method"):
        estimate(np.ones(5), "p3", "mle")


# --- plotting positions -----------------------------------------------------------------


def test_weibull_positions() -> None:
    p = weibull_positions(np.array([30.0, 10.0, np.nan, 20.0]))
    np.testing.assert_allclose(p, [1 / 4, 3 / 4, np.nan, 2 / 4])


HAND_MEASURED = [900.0, 300, 250, 240, 220, 200, 180, 150, 120, 100]  # n = 10, 900 is extraordinary
HAND_EXTRAORDINARY = [1500.0, 1200, 900]  # a = 3 in N = 100 years; l = 1 (900 in the record)


def test_plotting_positions_unified_sample_by_hand() -> None:
    sample = FloodSample(np.array(HAND_MEASURED), np.array(HAND_EXTRAORDINARY), in_record=1, period=100)
    table = plotting_positions(sample, "unified")
    # P_M = M/(N + 1): 1/101, 2/101, 3/101
    np.testing.assert_allclose(table["probability"][:3], [0.009901, 0.019802, 0.029703], atol=1e-6)
    assert list(table["kind"][:3]) == ["historical", "historical", "extraordinary"]
    # P_m = a/(N+1) + (1 - a/(N+1))(m - l)/(n - l + 1), m = 2..10:
    # m = 2: 0.029703 + 0.970297·1/10 = 0.126733; m = 10: 0.029703 + 0.970297·9/10 = 0.902970
    assert table["probability"][3] == pytest.approx(0.126733, abs=1e-6)
    assert table["probability"].iloc[-1] == pytest.approx(0.902970, abs=1e-6)
    assert list(table["value"][3:5]) == [300.0, 250.0]
    assert len(table) == 3 + 9


def test_plotting_positions_independent_samples_by_hand() -> None:
    sample = FloodSample(np.array(HAND_MEASURED), np.array(HAND_EXTRAORDINARY), in_record=1, period=100)
    table = plotting_positions(sample, "independent")
    # measured floods keep their rank in the record: P_m = m/(n + 1), m = 2..10 -> 2/11 ... 10/11
    np.testing.assert_allclose(table["probability"][3:], np.arange(2, 11) / 11)


def test_flood_sample_refuses_an_impossible_period() -> None:
    with pytest.raises(ValueError, match="period N=11"):
        FloodSample(np.array(HAND_MEASURED), np.array(HAND_EXTRAORDINARY), in_record=1, period=11)
    with pytest.raises(ValueError, match="in-record"):
        FloodSample(np.array(HAND_MEASURED), np.array(HAND_EXTRAORDINARY), in_record=4, period=100)


def test_weighted_moments_by_hand() -> None:
    # extraordinary 500, 400; ordinary 100, 200, 300; N = 10: weight (10 - 2)/3 = 8/3
    # x̄ = (900 + 8/3·600)/10 = 250; Σw d² = 250² + 150² + 8/3(150² + 50² + 50²) = 158333.33
    # Σw d³ = 250³ + 150³ + 8/3(-150³) = 10 000 000
    mean, sd, skew = weighted_moments(np.array([500.0, 400.0]), np.array([100.0, 200.0, 300.0]), 10)
    assert mean == pytest.approx(250.0)
    assert sd == pytest.approx(math.sqrt(158333.333333 / 9), rel=1e-8)
    assert skew == pytest.approx(10 * 1e7 / (9 * 8 * (158333.333333 / 9) ** 1.5), rel=1e-8)


def test_weighted_moments_without_extraordinary_floods_are_the_plain_moments() -> None:
    x = np.array([1.0, 2.0, 3.0, 4.0, 10.0])
    np.testing.assert_allclose(weighted_moments(np.empty(0), x, 5), sample_moments(x))


# --- curve fitting and goodness of fit ---------------------------------------------------


@pytest.mark.parametrize("objective", ["ls", "lad", "lrs"])
def test_curve_fitting_recovers_points_on_a_p3_curve(objective: str) -> None:
    p = np.arange(1, 31) / 31  # Weibull positions of 30 years
    values = 1000 * (1 + 0.5 * stats.pearson3.ppf(1 - p, 1.5))  # mean 1000, Cv 0.5, Cs 1.5
    params = fit_curve(values, p, "p3", objective=objective, initial=np.array([900.0, 0.4, 1.0]))
    np.testing.assert_allclose(params, [1000.0, 0.5, 1.5], rtol=1e-3)


def test_curve_fitting_with_a_fixed_cs_cv_ratio() -> None:
    p = np.arange(1, 21) / 21
    values = 500 * (1 + 0.4 * stats.pearson3.ppf(1 - p, 1.4))  # Cs = 3.5 Cv
    params = fit_curve(values, p, "p3", cs_cv_ratio=3.5, initial=np.array([450.0, 0.3, 1.05]))
    np.testing.assert_allclose(params, [500.0, 0.4, 1.4], rtol=1e-3)
    with pytest.raises(ValueError, match="Pearson III only"):
        fit_curve(values, p, "gev", cs_cv_ratio=3.5)


def test_goodness_of_fit_of_an_exact_curve() -> None:
    p = np.arange(1, 21) / 21
    params = np.array([500.0, 0.4, 1.4])
    values = 500 * (1 + 0.4 * stats.pearson3.ppf(1 - p, 1.4))
    fit = goodness_of_fit(values, p, "p3", params)
    assert fit["rmse"] == pytest.approx(0.0, abs=1e-8)
    assert fit["ppcc"] == pytest.approx(1.0)
    assert fit["ks"] == pytest.approx(0.0, abs=1e-9)


def test_compare_distributions_ranks_by_rmse() -> None:
    x = stats.gumbel_r.rvs(loc=500, scale=150, size=60, random_state=np.random.default_rng(3))
    table = compare_distributions(x, "lmoments")
    assert set(table["dist"]) == {"p3", "lp3", "gev", "gumbel"}
    assert table["rmse"].is_monotonic_increasing
    assert list(table["rank"]) == [1, 2, 3, 4]


# --- confidence intervals ------------------------------------------------------------------


def test_analytic_standard_error_normal_case_by_hand() -> None:
    # Cs = 0: Var(x_p) = σ²/n·[1 + K²/2 + 6(∂K/∂g)²] (Kite 1977 at g = 0), ∂K/∂g = (K² - 1)/6
    n, sigma = 50, 200.0
    p = np.array([0.01, 0.1, 0.5])
    k = stats.norm.isf(p)
    expected = sigma / math.sqrt(n) * np.sqrt(1 + k**2 / 2 + (k**2 - 1) ** 2 / 6)
    np.testing.assert_allclose(moment_quantile_se("p3", np.array([1000.0, 0.2, 0.0]), p, n), expected, rtol=1e-5)


def test_analytic_standard_error_gumbel_matches_kite() -> None:
    # Kite (1977): S_T = σ/√n·sqrt(1 + 1.1396 K + 1.1000 K²), K = -(√6/π)(0.5772 + ln ln(T/(T - 1)))
    n, location, scale = 40, 300.0, 80.0
    t = np.array([10.0, 100.0])
    k = -(math.sqrt(6) / math.pi) * (0.5772 + np.log(np.log(t / (t - 1))))
    sigma = scale * math.pi / math.sqrt(6)
    expected = sigma / math.sqrt(n) * np.sqrt(1 + 1.1396 * k + 1.1000 * k**2)
    np.testing.assert_allclose(moment_quantile_se("gumbel", np.array([location, scale]), 1 / t, n), expected, rtol=1e-3)


@pytest.mark.slow
def test_analytic_standard_error_agrees_with_simulation() -> None:
    rng = np.random.default_rng(11)
    n, p = 80, np.array([0.01, 0.1])
    x = stats.pearson3.rvs(0.8, loc=1000, scale=250, size=(20_000, n), random_state=rng)
    spread = quantile("p3", estimate(x, "p3", "moments"), p).std(axis=0)
    se = moment_quantile_se("p3", np.array([1000.0, 0.25, 0.8]), p, n)
    np.testing.assert_allclose(se, spread, rtol=0.12)


def test_bootstrap_interval_brackets_the_estimate_and_is_reproducible() -> None:
    x = stats.pearson3.rvs(1.0, loc=1000, scale=300, size=40, random_state=np.random.default_rng(5))
    p = np.array([0.01, 0.1, 0.5])
    lower, upper = bootstrap_interval(x, p, "p3", "lmoments", n_boot=400, seed=1)
    value = quantile("p3", estimate(x, "p3", "lmoments"), p)
    assert np.all(lower < value) and np.all(value < upper)
    again = bootstrap_interval(x, p, "p3", "lmoments", n_boot=400, seed=1)
    np.testing.assert_array_equal(lower, again[0])


def test_bootstrap_with_historical_floods_keeps_the_extraordinary_floods() -> None:
    sample = FloodSample(np.array(HAND_MEASURED), np.array(HAND_EXTRAORDINARY), in_record=1, period=100)
    lower, upper = bootstrap_interval(None, np.array([0.01]), "p3", sample=sample, n_boot=300)
    assert lower[0] < upper[0]
    with pytest.raises(ValueError, match="moments only"):
        bootstrap_interval(None, np.array([0.01]), "p3", "lmoments", sample=sample)


def test_analytic_interval_lp3_is_symmetric_in_log_space() -> None:
    params = np.array([3.0, 0.2, 0.3])
    lower, upper = analytic_interval("lp3", params, np.array([0.01]), 50, level=0.9)
    centre = quantile("lp3", params, np.array([0.01]))
    assert np.log10(centre / lower) == pytest.approx(np.log10(upper / centre))
    with pytest.raises(ValueError, match="bootstrap"):
        analytic_interval("gev", np.array([1.0, 1.0, 0.1]), np.array([0.01]), 50)
