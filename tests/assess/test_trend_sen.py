"""Theil-Sen slope: hand cases, confidence limits by hand, exact selection against a full sort."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qingliu.assess import theil_sen as ts


def sorted_slopes(y, t=None):
    """Every pairwise slope of one series (pairs at one time skipped), sorted: the O(n²) way."""
    y = np.asarray(y, dtype=float)
    t = np.arange(len(y), dtype=float) if t is None else np.asarray(t, dtype=float)
    i, j = np.triu_indices(len(y), 1)
    dt = t[j] - t[i]
    slope = (y[j] - y[i])[dt != 0] / dt[dt != 0]
    return np.sort(slope[np.isfinite(slope)])


def test_median_of_six_slopes_by_hand():
    # y = [1, 3, 2, 5]: slopes 2, 0.5, 4/3, -1, 1, 3 -> sorted -1 .5 1 4/3 2 3 -> (1 + 4/3)/2
    slope, low, high = ts.theil_sen(np.array([[[1.0, 3, 2, 5]]]))
    assert slope[0] == pytest.approx(7 / 6)
    assert np.isnan(low[0]) and np.isnan(high[0])


def test_missing_values_keep_their_positions():
    # y = [1, NaN, 3, 4] at steps 0, 2, 3: slopes 2/2, 3/3, 1/1 -> 1
    # y = [4, NaN, NaN, 1]: one slope, (1 - 4)/3
    slope = ts.theil_sen(np.array([[[1.0, np.nan, 3, 4]], [[4.0, np.nan, np.nan, 1]]]))[0]
    assert slope == pytest.approx([1.0, -1.0])


def test_no_pair_gives_nan():
    slope = ts.theil_sen(np.array([[[np.nan, 2.0, np.nan]], [[np.nan] * 3]]))[0]
    assert np.isnan(slope).all()


def test_confidence_limits_by_hand():
    # y = [1, 3, 2, 5, 4, 6] (no ties): N = 15 slopes, sorted
    # -1 -1 1/3 .5 .5 .75 .75 1 1 1 4/3 4/3 2 2 3 ; median = 8th = 1.
    # var S = 6·5·17/18 = 28.3333; C = 1.959964·5.322906 = 10.432705 (Gilbert 1987, 16.5.1)
    # M1 = (15 - C)/2 = 2.283648 -> between the 2nd (-1) and 3rd (1/3): -1 + 0.283648·4/3
    # M2 + 1 = (15 + C)/2 + 1 = 13.716352 -> between the 13th and 14th (both 2): 2
    y = np.array([[[1.0, 3, 2, 5, 4, 6]]])
    slope, low, high = ts.theil_sen(y, var_s=np.array([510 / 18]), alpha=0.05)
    assert slope[0] == pytest.approx(1.0)
    assert low[0] == pytest.approx(-1 + 0.283648 * 4 / 3, abs=2e-6)
    assert high[0] == pytest.approx(2.0)


def test_limits_beyond_the_slopes_are_nan():
    # 3 values: N = 3, C = 1.96·sqrt(3.667) = 3.75 > N: M1 < 1
    slope, low, high = ts.theil_sen(np.array([[[1.0, 2, 4]]]), var_s=np.array([66 / 18]))
    assert slope[0] == pytest.approx(1.5)
    assert np.isnan(low[0]) and np.isnan(high[0])


def test_slope_per_year_from_dates():
    # 2000-01-01, 2001-01-01, 2003-01-01: 366 and 1096 days after the first (Julian years)
    # y = 1, 2, 5: slopes 1/(366/365.25), 4/(1096/365.25), 3/(730/365.25) -> median 4·365.25/1096
    times = np.array(["2000-01-01", "2001-01-01", "2003-01-01"], dtype="datetime64[D]")
    years = ts.decimal_years(times)
    slope = ts.theil_sen(np.array([[[1.0, 2, 5]]]), years[None, None, :])[0]
    assert slope[0] == pytest.approx(4 * 365.25 / 1096)


def test_seasons_pool_their_slopes():
    # two seasons [1, 2, 3] and [10, 20, 30] per cycle: slopes 1,1,1 and 10,10,10 -> 5.5
    y = np.array([[[1.0, 2, 3], [10, 20, 30]]])
    assert ts.theil_sen(y)[0][0] == pytest.approx(5.5)


def test_pair_count_skips_tied_times_and_missing():
    # times 0, 0, 1, NaN: pairs (0,1) at one time, (., 3) missing -> 2 pairs
    y = np.array([[[1.0, 2, 3, 4]]])
    t = np.array([[[0.0, 0, 1, np.nan]]])
    assert ts.pair_count(y, t)[0] == 2


LONG_KINDS = ["normal", "rounded", "integers", "times", "mostly tied", "two values", "alternating", "step",
              "linear", "same days"]  # fmt: skip


@pytest.mark.parametrize("kind", LONG_KINDS)
def test_selection_on_a_long_series_equals_the_full_sort(kind):
    # n = 2500: 3.1e6 pairs, above DIRECT_MAX_PAIRS, so the slopes are selected, never built
    rng = np.random.default_rng(7)
    n = 2500
    step = np.arange(n, dtype=float)
    y = {
        "rounded": np.round(rng.normal(size=n), 1),
        "integers": np.round(rng.exponential(size=n) * 3),
        "mostly tied": np.where(rng.random(n) < 0.9, 0.05, np.round(rng.random(n), 2)),  # detection limit
        "two values": rng.integers(0, 2, n).astype(float),
        "alternating": np.where(step % 2 == 0, 1.0, -1.0),
        "step": np.r_[np.zeros(n // 2), np.ones(n - n // 2)] + np.round(rng.normal(size=n) * 0.01, 2),
        "linear": 2 * step,  # every slope is 2
    }.get(kind, rng.normal(size=n) + 0.002 * step)
    t = None
    if kind == "times":
        t = np.sort(rng.random(n)) * 20
    elif kind == "same days":  # several samples a day, times in years
        t = np.sort(rng.integers(0, n // 3, n)) / 365.25
    full = sorted_slopes(y, t)
    size = len(full)
    ranks = np.array([[1, size // 10, size // 3, size // 2, size // 2 + 1, size - size // 10, size]])
    got = ts.slope_order_statistics(y[None, None, :], None if t is None else t[None, None, :], ranks)
    np.testing.assert_allclose(got[0], full[ranks[0] - 1], rtol=1e-12)


values = st.lists(st.one_of(st.integers(0, 5).map(float), st.floats(-3, 3), st.just(np.nan)), min_size=2, max_size=30)


@settings(max_examples=300, deadline=None)
@given(values, st.booleans(), st.data())
def test_selection_equals_full_sort(y, with_times, data):
    # with DIRECT_MAX_PAIRS = 0 every series takes the selection path
    y = np.array(y)
    t = None
    if with_times:
        t = np.array(data.draw(st.lists(st.integers(0, 8).map(float), min_size=len(y), max_size=len(y))))
    full = sorted_slopes(y, t)
    if len(full) == 0:
        return
    ranks = np.array([data.draw(st.lists(st.integers(1, len(full)), min_size=1, max_size=4))])
    with pytest.MonkeyPatch.context() as mp:
        # every series on the selection path, with a tiny sample and band: many narrowing steps,
        # down to adjacent floats where slopes tie in bulk (then exact only to rounding)
        mp.setattr(ts, "DIRECT_MAX_PAIRS", 0)
        mp.setattr(ts, "_SAMPLE_SIZE", 3)
        mp.setattr(ts, "_SAMPLE_STRATA", 2)
        mp.setattr(ts, "_BAND_MAX", 2)
        mp.setattr(ts, "_CANDIDATES_MAX", 8)
        selected = ts.slope_order_statistics(y[None, None, :], None if t is None else t[None, None, :], ranks)
    direct = ts.slope_order_statistics(y[None, None, :], None if t is None else t[None, None, :], ranks)
    np.testing.assert_allclose(selected[0], full[ranks[0] - 1], rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(direct[0], full[ranks[0] - 1])
