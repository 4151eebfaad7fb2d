"""Kendall's S by merge-sort inversion counting: hand cases, brute force, exact variance."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qingliu.assess.kendall import average_ranks, inversion_count, kendall_score


def brute_s(y, t=None):
    """Σ sign(t_j - t_i)·sign(y_j - y_i) over pairs of valid samples, O(n²)."""
    y = np.asarray(y, dtype=float)
    t = np.arange(len(y), dtype=float) if t is None else np.asarray(t, dtype=float)
    ok = np.isfinite(y) & np.isfinite(t)
    y, t = y[ok], t[ok]
    return int(sum(np.sign(t[j] - t[i]) * np.sign(y[j] - y[i]) for i in range(len(y)) for j in range(i + 1, len(y))))


def test_s_of_increasing_and_decreasing_triples():
    # [1,2,3]: the three pairs rise -> S = 3; var = n(n-1)(2n+5)/18 = 3·2·11/18
    score = kendall_score(np.array([[1.0, 2, 3], [3, 2, 1]]))
    assert score.s.tolist() == [3, -3]
    assert score.var_s == pytest.approx([66 / 18, 66 / 18])
    assert score.n.tolist() == [3, 3]


def test_s_with_tied_values():
    # [1,2,2,3]: pairs (1,2)+ (1,2)+ (1,3)+ (2,2)0 (2,3)+ (2,3)+ -> S = 5
    # var = [4·3·13 - 2·1·9]/18 = (156 - 18)/18
    score = kendall_score(np.array([[1.0, 2, 2, 3]]))
    assert score.s[0] == 5
    assert score.var_s[0] == pytest.approx(138 / 18)


def test_missing_values_are_dropped():
    # [1, NaN, 3, 2]: valid 1, 3, 2 -> pairs + + - -> S = 1, n = 3
    score = kendall_score(np.array([[1.0, np.nan, 3, 2]]))
    assert (score.n[0], score.s[0]) == (3, 1)
    assert score.var_s[0] == pytest.approx(66 / 18)


def test_tied_times_are_not_compared():
    # t = [0, 0, 1], y = [1, 2, 3]: the pair at t = 0 is skipped, the other two rise -> S = 2
    # var = [3·2·11 - 2·1·9 (two samples at t = 0)]/18; no tied values, so no cross terms
    score = kendall_score(np.array([[1.0, 2, 3]]), np.array([0.0, 0, 1]))
    assert score.s[0] == 2
    assert score.var_s[0] == pytest.approx(48 / 18)
    assert score.time_ties[0] == 1


def test_unsorted_times_order_the_pairs():
    # times [2, 0, 1] put the values in order 2, 3, 1 -> pairs + - - -> S = -1
    score = kendall_score(np.array([[1.0, 2, 3]]), np.array([2.0, 0, 1]))
    assert score.s[0] == -1


def test_short_series():
    score = kendall_score(np.array([[np.nan, 5.0, np.nan], [np.nan] * 3]))
    assert score.n.tolist() == [1, 0]
    assert score.s.tolist() == [0, 0]
    assert score.var_s.tolist() == [0.0, 0.0]


def test_variance_equals_the_exact_permutation_variance_with_ties_in_both():
    # Under H0 every permutation of y against t is equally likely: var(S) over all 720 of
    # them, with ties in time (0,0 and 2,2) and in value (1,1 and 3,3,3).
    t = np.array([0.0, 0, 1, 2, 2, 3])
    y = np.array([1.0, 1, 2, 3, 3, 3])
    scores = [brute_s(np.array(p), t) for p in itertools.permutations(y)]
    score = kendall_score(y[None, :], t)
    assert score.var_s[0] == pytest.approx(np.var(scores))


def test_inversion_count_by_hand():
    # [2,0,1]: (2,0) and (2,1) -> 2; the reversed order of n has n(n-1)/2
    assert inversion_count(np.array([[2, 0, 1], [0, 1, 2], [2, 1, 0]])).tolist() == [2, 0, 3]
    assert inversion_count(np.arange(1000)[::-1][None, :])[0] == 1000 * 999 // 2


def test_average_ranks():
    ranks = average_ranks(np.array([[10.0, 20, 20, 5, np.nan]]))
    np.testing.assert_array_equal(ranks, [[2, 3.5, 3.5, 1, np.nan]])


series = st.lists(st.one_of(st.integers(0, 4).map(float), st.just(np.nan)), min_size=0, max_size=40)


@settings(max_examples=300, deadline=None)
@given(st.lists(series, min_size=1, max_size=4), st.booleans(), st.data())
def test_s_equals_brute_force(rows, with_times, data):
    length = max(len(r) for r in rows)
    y = np.array([r + [np.nan] * (length - len(r)) for r in rows])
    t = None
    if with_times:
        t = np.array(data.draw(st.lists(st.integers(0, 6).map(float), min_size=length, max_size=length)))
    score = kendall_score(y, t)
    assert score.s.tolist() == [brute_s(row, t) for row in y]
