"""Environmental capacity (GB/T 25173-2010 one-dimensional model) on hand examples.

Hand example (standards.md §6 formulas): C_s = 20 mg/L, C_0 = 10 mg/L, K = 0.2 /d, x = 10 km,
u = 0.5 m/s, Q = 5 m3/s, Q_p = 0.5 m3/s.

    K·x/(86.4·u) = 0.2 × 10 / 43.2 = 0.0462963;  exp(-0.0462963) = 0.9547590
    C_x = 10 × 0.9547590 = 9.547590 mg/L
    M   = (20 - 9.547590) × (5 + 0.5) = 57.488253 g/s;  × 31.536 = 1812.950 t/a
    segment form: W = 31.536 × [20 × 5.5 × exp(0.0462963) - 10 × 5]
                    = 31.536 × [110 × 1.0473847 - 50] = 31.536 × 65.212317 = 2056.536 t/a
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from qingliu.assess.env_capacity import capacity_1d, capacity_segment, target_concentrations, zone_capacity


def test_capacity_formula_by_hand():
    assert capacity_1d(20.0, 10.0, 0.2, 10.0, 0.5, 5.0, 0.5) == pytest.approx(1812.950, abs=1e-3)


def test_capacity_is_negative_when_the_inflow_already_exceeds_the_target():
    # C_x = 30 × 0.9547590 = 28.64 > 20: M = (20 - 28.642771) × 5.5 = -47.535240 g/s × 31.536 = -1499.071 t/a.
    assert capacity_1d(20.0, 30.0, 0.2, 10.0, 0.5, 5.0, 0.5) == pytest.approx(-1499.071, abs=1e-3)


def test_capacity_broadcasts_over_segments():
    got = capacity_1d(np.array([20.0, 20.0]), 10.0, np.array([0.2, 0.0]), 10.0, 0.5, 5.0, 0.5)
    # K = 0: M = (20 - 10) × 5.5 × 31.536 = 1734.48 t/a.
    assert got == pytest.approx([1812.950, 1734.48], abs=1e-3)


def test_segment_form_by_hand():
    assert capacity_segment(20.0, 10.0, 0.2, 10.0, 0.5, 5.0, 0.5) == pytest.approx(2056.536, abs=1e-3)


def test_zone_capacity_reduces_to_the_segment_form():
    # One zone whose load enters at the head: ā = 0.9547590, F_up = 10 × 5 × ā = 47.737951 g/s,
    # Q at the section = 5.5: W_cap = (20 × 5.5 - 47.737951)/0.9547590 × 31.536 = 2056.536 t/a.
    retention = 0.9547590287126507
    table = zone_capacity(["S"], ["cod"], np.array([[20.0]]), np.array([5.5]), np.array([[50 * retention]]),
                          np.array([[retention]]), np.array([[2500.0]]))
    row = table.iloc[0]
    assert row["capacity_ta"] == pytest.approx(2056.536, abs=1e-3)
    assert row["reduction_ta"] == pytest.approx(2500 - 2056.536, abs=1e-3)
    assert row["reduction_rate"] == pytest.approx((2500 - 2056.536) / 2500, abs=1e-6)
    assert row["status"] == "over"


def test_zone_statuses():
    # within: room for 20 × 2 - 10 = 30 g/s = 946.08 t/a at ā = 1; no_capacity: upstream 50 g/s
    # already above 20 × 2; no_target: NaN target.
    table = zone_capacity(["A", "B", "C"], ["cod"], np.array([[20.0], [20.0], [np.nan]]), np.array([2.0, 2.0, 2.0]),
                          np.array([[10.0], [50.0], [10.0]]), np.ones((3, 1)), np.array([[100.0], [100.0], [100.0]]))
    assert table["status"].tolist() == ["within", "no_capacity", "no_target"]
    assert table["capacity_ta"].tolist()[:2] == pytest.approx([946.08, 0.0])
    assert table["remaining_ta"].iloc[0] == pytest.approx(846.08)
    assert table["reduction_ta"].iloc[1] == 100.0
    assert np.isnan(table["reduction_ta"].iloc[2])


def test_targets_are_class_limits_of_gb_3838():
    # Class III river: COD 20, NH3-N 1.0, TP 0.2 (GB 3838-2002 Table 1); TN is not assessed in
    # rivers (环办〔2011〕22号). Class III reservoir: TP 0.05 (lake row), TN 1.0. Class II river
    # COD 15.
    sections = pd.DataFrame({"target_class": [3, 3, 2, None], "water_body": ["river", "reservoir", "river", "river"]})
    got = target_concentrations(sections, ("cod", "nh3n", "tp", "tn"))
    expected = np.array([[20, 1.0, 0.2, np.nan], [20, 1.0, 0.05, 1.0], [15, 0.5, 0.1, np.nan], [np.nan] * 4])
    np.testing.assert_allclose(got, expected)
