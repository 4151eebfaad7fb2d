"""The Spearman trend test of 环办〔2011〕22号: rs by hand, Wp lookup, ties and missing values."""

import numpy as np
import pytest

from qingliu.assess.spearman import critical_wp, load_wp_table, spearman_trend


def test_rs_by_hand_six_years():
    # concentrations 0.8 1.2 1.0 1.5 1.7 1.9: ranks 1 3 2 4 5 6, years 1..6, d = 0 1 -1 0 0 0
    # rs = 1 - 6·2/(6·35) = 0.942857 > Wp(6) = 0.829: significant rise
    r = spearman_trend([0.8, 1.2, 1.0, 1.5, 1.7, 1.9])
    assert r.n[0] == 6
    assert r.rs[0] == pytest.approx(1 - 12 / 210)
    assert r.wp[0] == pytest.approx(0.829)
    assert bool(r.significant[0]) and r.direction[0] == "increasing"


def test_rs_equal_to_wp_is_not_significant():
    # five years 0.8 1.2 1.0 1.5 1.7: Σd² = 2, rs = 1 - 12/120 = 0.9 = Wp(5); the rule is |rs| > Wp
    r = spearman_trend([0.8, 1.2, 1.0, 1.5, 1.7])
    assert r.rs[0] == pytest.approx(0.9)
    assert not r.significant[0] and r.direction[0] == "no trend"


def test_falling_series():
    r = spearman_trend([[5.0, 4, 3, 2, 1, 0.5, 0.2]])
    assert r.rs[0] == pytest.approx(-1.0)
    assert r.direction[0] == "decreasing"


def test_ties_get_their_average_rank():
    # 1 1 2 3: ranks 1.5 1.5 3 4, d = 0.5 -0.5 0 0, Σd² = 0.5, rs = 1 - 3/60 = 0.95 < Wp(4) = 1
    r = spearman_trend([1.0, 1.0, 2.0, 3.0])
    assert r.rs[0] == pytest.approx(0.95)
    assert r.wp[0] == 1.0 and not r.significant[0]


def test_missing_values_are_dropped_and_times_ranked():
    # years 2019, 2016, 2018, 2017 (unsorted), one value missing: kept (2016, 1), (2018, 3),
    # (2019, 4) -> time ranks 1 2 3, value ranks 1 2 3 -> rs = 1; N = 3 < 4: not tested
    r = spearman_trend([4.0, 1.0, 3.0, np.nan], [2019, 2016, 2018, 2017])
    assert r.n[0] == 3 and r.rs[0] == pytest.approx(1.0)
    assert np.isnan(r.wp[0]) and not r.significant[0]


@pytest.mark.parametrize(("n", "wp"), [(4, 1.000), (5, 0.900), (12, 0.506), (30, 0.306)])
def test_tabulated_wp(n, wp):
    assert critical_wp(n) == pytest.approx(wp)


def test_wp_for_untabulated_n():
    # N = 11 and 13 lie between tabulated values: linear interpolation, or the next smaller N
    assert critical_wp(11) == pytest.approx((0.564 + 0.506) / 2)
    assert critical_wp(13) == pytest.approx((0.506 + 0.456) / 2)
    assert critical_wp(11, rule="floor") == pytest.approx(0.564)
    # the Zar table has every N
    assert critical_wp(11, table="zar") == pytest.approx(0.523)
    assert critical_wp(12, table="zar") == pytest.approx(0.497)
    # beyond the table: z(0.95)/sqrt(N - 1) = 1.644854/sqrt(30) for N = 31
    assert critical_wp(31) == pytest.approx(1.644854 / np.sqrt(30), abs=1e-6)
    # below it: no test
    assert np.isnan(critical_wp(3))


def test_tables_carry_their_source_and_alpha():
    table = load_wp_table()
    assert (table.name, table.alpha) == ("common", 0.05)
    assert "22号" in table.source
    assert load_wp_table("common_001").alpha == 0.01
    with pytest.raises(ValueError, match="未知的 Wp 表.*unknown Wp table"):
        load_wp_table("student")


def test_batched_rows():
    y = np.array([[1.0, 2, 3, 4, 5, 6, 7, 8], [8.0, 7, 6, 5, 4, 3, 2, 1], [1.0, 3, 2, 4, 3, 2, 1, 2]])
    r = spearman_trend(y)
    assert r.direction.tolist() == ["increasing", "decreasing", "no trend"]
    assert r.wp.tolist() == pytest.approx([0.643] * 3)
