"""Mann-Kendall family: published values, equality with pymannkendall 1.4.3, hand cases."""

import numpy as np
import pandas as pd
import pytest

from qingliu.assess.trend import (
    mann_kendall,
    mann_kendall_1d,
    seasonal_kendall,
    seasonal_kendall_1d,
    sens_slope,
    trend_table,
)

nan = np.nan

# Monthly rainfall at Bogra, 1981-2010 (mm), column "Bogra" of tests/data/Monthly Rainfall.csv
# in the pyMannKendall repository (mmhs013/pyMannKendall, MIT licence), with the values its
# tests publish for it (tests/test_pymannkendall.py).
# fmt: off
BOGRA = np.array([
    32, 20, 25, 189, 240, 193, 379, 278, 301, 0, 0, 82,
    0, 4, nan, nan, 121, 234, 360, 262, 120, 30, 11, 1,
    7, 3, 31, 31, 355, 102, 248, 274, 308, nan, 5, 26,
    11, 16, 6, 48, 388, 539, 431, 272, 404, 186, 0, 2,
    0, 4, 1, 54, 272, 459, 235, 164, 365, 135, 2, nan,
    nan, 4, 0, 128, 210, 163, 446, 225, 462, 467, 19, 13,
    0, 3, 17, 132, 178, 338, 525, 623, 145, 31, 19, 3,
    0, 29, 25, 87, 259, 756, 486, 180, 292, 43, 92, 1,
    0, 16, 2, 0, 130, 253, 594, 111, 273, 30, 0, 4,
    0, 27, 24, 41, 292, 378, 499, 265, 320, 227, 4, 0,
    4, 14, 8, 48, 416, 240, 404, 207, 733, 105, 0, 112,
    0, 14, 0, 30, 140, 202, 289, 159, 424, 106, 3, 0,
    65, 3, 14, 58, 268, 466, 432, 266, 240, 95, 1, 0,
    10, 26, 4, 114, 94, 289, 173, 208, 263, 156, 5, 0,
    16, 16, 14, 0, 111, 475, 534, 432, 471, 117, 70, 1,
    3, 28, 7, 401, 184, 283, 338, 171, 335, 176, 0, 0,
    10, 11, 9, 140, 102, 208, 298, 245, 220, 29, 2, 27,
    10, 13, 26, 84, 143, 367, 749, 563, 283, 353, 10, 0,
    0, 0, 0, 9, 246, 265, 343, 429, 168, 133, 17, 0,
    18, 35, 76, 158, 272, 250, 190, 289, 466, 84, 0, 0,
    0, 0, 0, 22, 217, 299, 185, 115, 344, 203, 8, nan,
    nan, 0, 5, 284, 123, 254, 476, 496, 326, 27, 20, 0,
    4, 53, 72, 113, 214, 364, 219, 220, 156, 264, 0, 13,
    0, 0, 45, 90, 137, 638, 529, 261, 206, 251, 0, 0,
    5, 9, 58, 72, 138, 130, 471, 328, 356, 523, 0, 1,
    0, 0, 12, 143, 193, 184, 192, 138, 174, 69, 1, 0,
    0, 18, 25, 28, 92, 732, 320, 256, 302, 131, 15, 0,
    27, 0, 22, 20, 213, 393, 474, 374, 109, 159, 0, 0,
    0, 3, 3, 49, 205, 128, 194, 570, 169, 89, 0, 0,
    0, 0, 0, 26, 185, 286, 92, 225, 244, 190, 3, 20
])
# fmt: on


def test_published_bogra_values():
    # published by pyMannKendall's tests for an earlier release; S, var(S), z and p do not
    # depend on Sen's slope and still hold (the slope, and with it the modified tests, do not)
    r = mann_kendall_1d(BOGRA)
    assert (r.trend, r.h, r.s) == ("no trend", False, -1959)
    assert (r.p, r.z) == pytest.approx((0.37591058740506833, -0.8854562842589916), rel=1e-9)
    assert (r.tau, r.var_s) == pytest.approx((-0.03153167653875869, 4889800.333333333), rel=1e-9)


def test_published_bogra_seasonal_values():
    r = seasonal_kendall_1d(BOGRA, 12)
    assert (r.trend, r.h, r.s) == ("decreasing", True, -399)
    assert (r.p, r.z) == pytest.approx((0.03263834596177739, -2.136504114534638), rel=1e-9)
    assert (r.tau, r.var_s) == pytest.approx((-0.0794979079497908, 34702.333333333336), rel=1e-9)
    c = seasonal_kendall_1d(BOGRA, 12, correlated=True)
    assert (c.trend, c.h, c.s) == ("no trend", False, -333)
    assert (c.p, c.z) == pytest.approx((0.06032641537423844, -1.878400366918792), rel=1e-9)
    assert (c.tau, c.var_s) == pytest.approx((-0.10054347826086957, 31427.666666666664), rel=1e-9)


def _oracle_fields(ref):
    return [ref.trend, bool(ref.h), ref.p, ref.z, ref.Tau, ref.s, ref.var_s, ref.slope, ref.intercept]


def _our_fields(r):
    return [r.trend, r.h, r.p, r.z, r.tau, r.s, r.var_s, r.slope, r.intercept]


def _assert_same(ours, ref):
    a, b = _our_fields(ours), _oracle_fields(ref)
    assert a[:2] == b[:2]
    np.testing.assert_allclose(np.array(a[2:], dtype=float), np.array(b[2:], dtype=float), rtol=1e-9, atol=1e-9)


def _random_matrix(seed, m=6, n=80):
    rng = np.random.default_rng(seed)
    kinds = [
        rng.normal(size=n) + 0.02 * np.arange(n),  # trend in noise
        rng.integers(0, 4, size=n).astype(float),  # many ties
        np.round(np.sin(np.arange(n) / 12 * 2 * np.pi) + 0.01 * np.arange(n), 1),  # seasonal, rounded
        np.cumsum(rng.normal(size=n)),  # autocorrelated
        np.full(n, 2.5),  # constant
        np.round(rng.exponential(size=n), 2) - 0.01 * np.arange(n),
    ]
    y = np.array(kinds[:m])
    y[rng.random(y.shape) < 0.1] = np.nan
    return y


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize(("method", "oracle", "options"), [
    ("original", "original_test", {}),
    ("hamed_rao", "hamed_rao_modification_test", {}),
    ("hamed_rao", "hamed_rao_modification_test", {"lag": 3}),
    ("yue_wang", "yue_wang_modification_test", {}),
    ("yue_wang", "yue_wang_modification_test", {"lag": 1}),
])  # fmt: skip
def test_equals_pymannkendall(seed, method, oracle, options):
    mk = pytest.importorskip("pymannkendall")
    y = _random_matrix(seed)
    result = mann_kendall(y, method=method, **options)
    for i, row in enumerate(y):
        if method == "original" or np.nanstd(row) > 0:  # the modified tests divide by 0 on a constant
            _assert_same(result.series(i), getattr(mk, oracle)(row, **options))


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("period", [4, 12])
def test_seasonal_equals_pymannkendall(seed, period):
    mk = pytest.importorskip("pymannkendall")
    y = _random_matrix(seed, n=100)[:, :-3]  # not whole cycles: the last one is padded
    plain, correlated = seasonal_kendall(y, period), seasonal_kendall(y, period, correlated=True)
    for i, row in enumerate(y):
        _assert_same(plain.series(i), mk.seasonal_test(row, period=period))
        if np.nanstd(row) == 0:
            continue
        try:
            reference = mk.correlated_seasonal_test(row, period=period)
        except ZeroDivisionError:  # no complete cycle: pymannkendall fails, ours is not tested
            assert np.isnan(correlated.z[i])
            continue
        _assert_same(correlated.series(i), reference)


@pytest.mark.parametrize(("method", "oracle", "options"), [
    ("original", "original_test", {}),
    ("hamed_rao", "hamed_rao_modification_test", {}),
    ("hamed_rao", "hamed_rao_modification_test", {"lag": 3}),
    ("yue_wang", "yue_wang_modification_test", {}),
    ("yue_wang", "yue_wang_modification_test", {"lag": 1}),
])  # fmt: skip
def test_bogra_equals_pymannkendall(method, oracle, options):
    mk = pytest.importorskip("pymannkendall")
    _assert_same(mann_kendall_1d(BOGRA, method=method, **options), getattr(mk, oracle)(BOGRA, **options))


def test_bogra_seasonal_and_slope_equal_pymannkendall():
    mk = pytest.importorskip("pymannkendall")
    _assert_same(seasonal_kendall_1d(BOGRA, 12), mk.seasonal_test(BOGRA, period=12))
    slope, intercept = sens_slope(BOGRA)
    ref = mk.sens_slope(BOGRA)
    assert (slope[0], intercept[0]) == pytest.approx((ref.slope, ref.intercept), rel=1e-12)


def test_long_series_equals_pymannkendall():
    # n = 1200: 719,400 pairs, above DIRECT_MAX_PAIRS, so Sen's slope is selected, not built
    mk = pytest.importorskip("pymannkendall")
    rng = np.random.default_rng(11)
    y = np.round(rng.normal(size=1200) + 0.001 * np.arange(1200), 2)
    y[rng.random(1200) < 0.05] = np.nan
    _assert_same(mann_kendall_1d(y), mk.original_test(y))


def test_three_rising_values_by_hand():
    # S = 3, var = 3·2·11/18 = 3.6667, z = (3 - 1)/sqrt(3.6667) = 1.044466,
    # p = 2(1 - Φ(1.0445)) = 2(1 - 0.85187) = 0.29627 (normal table)
    # slopes 1, 1, 1 -> 1; intercept = median(y) - median(steps)·slope = 2 - 1·1
    r = mann_kendall_1d([1.0, 2.0, 3.0])
    assert (r.s, r.n, r.trend, r.h) == (3, 3, "no trend", False)
    assert r.var_s == pytest.approx(66 / 18)
    assert r.z == pytest.approx(1.044466, abs=1e-6)
    assert r.p == pytest.approx(0.29627, abs=1e-5)
    assert (r.tau, r.slope, r.intercept) == pytest.approx((1.0, 1.0, 1.0))


def test_ties_by_hand():
    # [1, 2, 2, 3]: S = 5, var = (156 - 18)/18, tau = 5/6, z = 4/sqrt(7.6667) = 1.444630
    r = mann_kendall_1d([1.0, 2.0, 2.0, 3.0])
    assert r.s == 5
    assert (r.var_s, r.tau, r.z) == pytest.approx((138 / 18, 5 / 6, 1.444630), abs=1e-6)


def test_constant_series():
    r = mann_kendall_1d([4.0] * 10)
    assert (r.s, r.var_s, r.z, r.p, r.trend, r.h) == (0, 0.0, 0.0, 1.0, "no trend", False)
    assert (r.slope, r.intercept) == (0.0, 4.0)


def test_too_short_series_are_not_tested():
    r = mann_kendall(np.array([[1.0, 2.0], [nan, 5.0], [nan, nan]]))
    assert r.n.tolist() == [2, 1, 0]
    assert r.s.tolist() == [1, 0, 0]
    assert np.isnan(r.z).all() and np.isnan(r.p).all()
    assert r.trend.tolist() == ["no trend"] * 3 and not r.h.any()
    assert r.slope[0] == 1.0 and np.isnan(r.slope[1:]).all()
    assert r.tau[0] == 1.0 and np.isnan(r.tau[1:]).all()


def test_missing_values_are_dropped_for_s_and_kept_as_gaps_for_the_slope():
    # [1, NaN, 3, 2]: S over 1, 3, 2 = 1; slopes over steps 0, 2, 3: 2/2, 1/3, -1/1 -> 1/3
    r = mann_kendall_1d([1.0, nan, 3.0, 2.0])
    assert (r.n, r.s) == (3, 1)
    assert r.slope == pytest.approx(1 / 3)
    # intercept: median(1, 3, 2) - median(steps 0, 2, 3)·slope = 2 - 2/3
    assert r.intercept == pytest.approx(2 - 2 / 3)


def test_slope_per_year_and_limits_from_dates():
    # yearly values on 1 January: per year = per step · 365.25 / days between the dates
    y = np.array([1.0, 3, 2, 5, 4, 6])
    times = np.array([f"{2000 + k}-01-01" for k in range(6)], dtype="datetime64[D]")
    r = mann_kendall_1d(y, times)
    assert r.slope == pytest.approx(1.0)
    # per year, each pair's slope is over (days between the dates)/365.25 years: the 8th of
    # the 15, listed here in full
    i, j = np.triu_indices(6, 1)
    years = (times.astype("datetime64[D]").astype(float)) / 365.25
    listed = np.sort((y[j] - y[i]) / (years[j] - years[i]))
    assert r.slope_per_year == pytest.approx(listed[7])
    assert r.slope_per_year_lower < r.slope_per_year < r.slope_per_year_upper


def test_seasonal_by_hand():
    # period 2: seasons [1, 2, 3] and [10, 20, 30]: S = 3 + 3, var = 2·66/18, pairs 6 -> tau 1
    # z = (6 - 1)/sqrt(7.3333) = 1.846372; slopes per cycle 1,1,1,10,10,10 -> 5.5
    r = seasonal_kendall_1d([1.0, 10, 2, 20, 3, 30], 2, times=[2000, 2000.5, 2001, 2001.5, 2002, 2002.5])
    assert (r.s, r.tau) == (6, 1.0)
    assert (r.var_s, r.z, r.slope) == pytest.approx((132 / 18, 1.846372, 5.5), abs=1e-6)
    # one cycle per year: the same slopes per year
    assert r.slope_per_year == pytest.approx(5.5)


def test_value_without_time_is_missing():
    # the value at NaT is dropped: 1, 3, 4 rise -> S = 3, n = 3
    times = np.array(["2000-01-01", "NaT", "2002-01-01", "2003-01-01"], dtype="datetime64[D]")
    r = mann_kendall_1d([1.0, 100.0, 3.0, 4.0], pd.DatetimeIndex(times))
    assert (r.n, r.s) == (3, 3)


def test_batched_rows_are_independent():
    # the same rows in any batch give the same results as alone (hand checked above)
    y = np.array([[1.0, 2, 3], [1, 2, 2], [3, 2, 1]])
    r = mann_kendall(y)
    assert r.s.tolist() == [3, 2, -3]


def test_trend_table_columns_and_values():
    times = pd.date_range("2015-01-01", periods=6, freq="YS")
    frame = pd.DataFrame({"S1/nh3n": [1.0, 3, 2, 5, 4, 6], "S2/do": [6.0, 5, 4, 3, 2, 1]}, index=times)
    table = trend_table(frame)
    assert list(table.columns[:11]) == ["series_id", "n", "s", "var_s", "z", "p", "tau", "slope", "intercept",
                                        "slope_per_year", "trend"]  # fmt: skip
    assert table["series_id"].tolist() == ["S1/nh3n", "S2/do"]
    # S1: 15 pairs, 2 discordant (3>2, 5>4) -> S = 13 - 2 = 11; S2: all 15 pairs fall -> -15
    assert table["s"].tolist() == [11, -15]
    assert table["trend"].tolist() == ["no trend", "decreasing"]
    # Spearman: S1 d = 0,1,-1,1,-1,0 -> Σd² = 4, rs = 1 - 24/210; S2 rs = -1 (|rs| > Wp(6) = 0.829)
    assert table["rs"].tolist() == pytest.approx([1 - 24 / 210, -1.0])
    assert table["direction"].tolist() == ["increasing", "decreasing"]


def test_unknown_method_is_refused_in_both_languages():
    with pytest.raises(ValueError, match="未知的检验方法.*unknown method"):
        mann_kendall([1.0, 2, 3], method="sen")


def test_tau_counts_only_the_pairs_that_are_compared() -> None:
    """Six values, two at the same time: 15 pairs, 1 not compared. Values rise with time except
    the tied pair, so S = 14 (every compared pair concordant) and tau = 14 / 14 = 1."""
    values = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    times = np.array([2000.0, 2001.0, 2002.0, 2002.0, 2003.0, 2004.0])
    result = mann_kendall(values, times).series(0)
    assert result.s == 14 and result.tau == pytest.approx(1.0)
