"""Baseflow filters: hand-computed steps, the clamp, and invariants."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qingliu.assess.baseflow import (
    baseflow_index,
    clamped_filter,
    eckhardt,
    lyne_hollick,
    separate,
)
from qingliu.assess.daily import DailyFlows


def step_by_step(q: np.ndarray, a: float, u: np.ndarray) -> np.ndarray:
    """The recursion b_t = min(q_t, a·b_{t-1} + u_t), b_0 = q_0, written out day by day."""
    b = np.empty_like(q)
    b[..., 0] = q[..., 0]
    for t in range(1, q.shape[-1]):
        b[..., t] = np.minimum(q[..., t], a * b[..., t - 1] + u[..., t])
    return b


def test_one_lyne_hollick_pass_by_hand() -> None:
    """α = 0.925: b_t = min(Q_t, 0.925·b_{t-1} + 0.0375·(Q_t + Q_{t-1})).

    Q = 1, 5, 3, 2, 1.5:  b = 1; 0.925 + 0.225 = 1.15; 1.06375 + 0.3 = 1.36375;
    1.26146875 + 0.1875 = 1.44896875; 1.3402961 + 0.13125 = 1.4715461.
    """
    b = lyne_hollick(np.array([[1.0, 5, 3, 2, 1.5]]), alpha=0.925, passes=1)
    np.testing.assert_allclose(b[0], [1.0, 1.15, 1.36375, 1.44896875, 1.47154609375])


def test_the_clamp_keeps_baseflow_under_the_flow() -> None:
    """Q = 1, 5, 1, 0.5: b = 1; 1.15; min(1, 1.28875) = 1; min(0.5, 0.925 + 0.05625) = 0.5."""
    b = lyne_hollick(np.array([[1.0, 5, 1, 0.5]]), alpha=0.925, passes=1)
    np.testing.assert_allclose(b[0], [1.0, 1.15, 1.0, 0.5])


def test_eckhardt_by_hand() -> None:
    """α = 0.98, BFImax = 0.8: b_t = (0.196·b_{t-1} + 0.016·Q_t) / 0.216.

    Q = 2, 4, 3: b = 2; (0.392 + 0.064)/0.216 = 2.1111; (0.41378 + 0.048)/0.216 = 2.13786.
    """
    b = eckhardt(np.array([[2.0, 4, 3]]), alpha=0.98, bfi_max=0.8)
    np.testing.assert_allclose(b[0], [2.0, 0.456 / 0.216, (0.196 * 0.456 / 0.216 + 0.048) / 0.216])


def test_constant_flow() -> None:
    """Lyne-Hollick keeps a constant flow as baseflow; Eckhardt tends to BFImax × Q.

    Eckhardt's steady state solves b = ((1 - BFImax)·α·b + (1 - α)·BFImax·Q) / (1 - α·BFImax),
    i.e. b = BFImax·Q; its first step from b = 3 is (0.196·3 + 0.016·3)/0.216 = 2.9444.
    """
    q = np.full((2, 2000), 3.0)
    np.testing.assert_allclose(lyne_hollick(q), q)
    b = eckhardt(q)
    assert b[0, 1] == pytest.approx(0.636 / 0.216) and b[0, -1] == pytest.approx(0.8 * 3.0)
    dates = pd.date_range("2001-01-01", periods=2000, freq="D")
    daily = DailyFlows(np.array(["A", "B"]), dates, q)
    bfi = baseflow_index(daily, separate(daily))
    assert bfi["bfi"].to_numpy() == pytest.approx(1.0)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1), st.floats(0.0, 0.99), st.floats(0.0, 1.0))
def test_closed_form_equals_the_day_by_day_recursion(seed: int, a: float, zero_share: float) -> None:
    rng = np.random.default_rng(seed)
    q = rng.lognormal(0.0, 1.5, size=(3, 400))
    q[rng.random(q.shape) < zero_share * 0.3] = 0.0
    u = np.zeros_like(q)
    u[:, 1:] = (1 - a) / 2 * (q[:, 1:] + q[:, :-1])
    np.testing.assert_allclose(clamped_filter(q, a, u, q[:, 0]), step_by_step(q, a, u), rtol=1e-9, atol=1e-9 * q.max())


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_baseflow_lies_between_zero_and_the_flow(seed: int) -> None:
    rng = np.random.default_rng(seed)
    q = rng.gamma(0.7, 3.0, size=(2, 500))
    for b in (lyne_hollick(q), eckhardt(q)):
        assert (b >= -1e-12).all() and (b <= q + 1e-12).all()


def test_records_of_different_lengths_and_yearly_bfi() -> None:
    dates = pd.date_range("2000-12-30", periods=6, freq="D")
    q = np.array([[2.0, 2, 2, 2, 2, 2], [np.nan, np.nan, 4, 4, 4, 4]])
    daily = DailyFlows(np.array(["A", "B"]), dates, q)
    b = separate(daily)
    assert np.isnan(b[1, :2]).all() and np.allclose(b[1, 2:], 4)
    table = baseflow_index(daily, b)
    whole = table[table["year"].isna()].set_index("station_id")
    assert whole.loc["A", "n_days"] == 6 and whole.loc["B", "n_days"] == 4
    assert table.dropna(subset=["year"])["year"].tolist() == [2000, 2001, 2001]


def test_missing_days_inside_a_record_are_refused() -> None:
    dates = pd.date_range("2001-01-01", periods=4, freq="D")
    with pytest.raises(ValueError, match="missing"):
        separate(DailyFlows(np.array(["A"]), dates, np.array([[1.0, np.nan, 1, 1]])))
