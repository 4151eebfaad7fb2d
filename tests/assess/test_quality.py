"""Single-factor classification against GB 3838-2002 Table 1, with expectations by hand.

The limits below are typed from GB 3838-2002 Table 1 (reference/standards.md §1) on purpose,
not read from the package, so a wrong number in gb3838_2002.toml fails these tests.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qingliu.assess.quality import classify, join_codes, load_method

# GB 3838-2002 Table 1, classes I..V; "max" items meet a limit when value <= limit.
UPPER = {
    "codmn": [2, 4, 6, 10, 15],
    "cod": [15, 15, 20, 30, 40],
    "bod5": [3, 3, 4, 6, 10],
    "nh3n": [0.15, 0.5, 1.0, 1.5, 2.0],
    "tp": [0.02, 0.1, 0.2, 0.3, 0.4],
    "tn": [0.2, 0.5, 1.0, 1.5, 2.0],
    "cu": [0.01, 1.0, 1.0, 1.0, 1.0],
    "zn": [0.05, 1.0, 1.0, 2.0, 2.0],
    "fluoride": [1.0, 1.0, 1.0, 1.5, 1.5],
    "se": [0.01, 0.01, 0.01, 0.02, 0.02],
    "as": [0.05, 0.05, 0.05, 0.1, 0.1],
    "hg": [0.00005, 0.00005, 0.0001, 0.001, 0.001],
    "cd": [0.001, 0.005, 0.005, 0.005, 0.01],
    "cr6": [0.01, 0.05, 0.05, 0.05, 0.1],
    "pb": [0.01, 0.01, 0.05, 0.05, 0.1],
    "cyanide": [0.005, 0.05, 0.2, 0.2, 0.2],
    "phenol": [0.002, 0.002, 0.005, 0.01, 0.1],
    "petroleum": [0.05, 0.05, 0.05, 0.5, 1.0],
    "las": [0.2, 0.2, 0.2, 0.3, 0.3],
    "sulfide": [0.05, 0.1, 0.2, 0.5, 1.0],
    "fecal_coliform": [200, 2000, 10000, 20000, 40000],
}
LAKE_TP = [0.01, 0.025, 0.05, 0.1, 0.2]
DO = [7.5, 6, 5, 3, 2]  # lower bounds: value >= limit
EVALUATED_21 = [c for c in UPPER if c not in ("tn", "fecal_coliform")] + ["ph", "do"]


def one(code: str, value: float, water_body: str = "river") -> int:
    return int(classify(np.array([[value]]), [code], water_body=water_body).item_class[0, 0])


def boundary_cases():
    """(code, value, expected class) at every limit and just above it, worked out by hand:
    a value equal to limit k meets class k and every class sharing that limit, so it gets the
    best such class; a value just above limit k fails every class whose limit is <= limit k."""
    for code, lims in UPPER.items():
        for k, limit in enumerate(lims):
            at = 1 + sum(1 for lim in lims if lim < limit)
            above = 1 + sum(1 for lim in lims if lim <= limit)
            yield code, limit, at
            yield code, limit * (1 + 1e-9), above


@pytest.mark.parametrize(("code", "value", "expected"), list(boundary_cases()))
def test_every_upper_boundary(code, value, expected):
    assert one(code, value) == expected


def test_shared_limits_give_the_better_class():
    assert one("cod", 15.0) == 1
    assert one("cod", 15.01) == 3
    assert one("cyanide", 0.2) == 3  # III = IV = V = 0.2
    assert one("cyanide", 0.21) == 6


def test_dissolved_oxygen_is_a_lower_bound():
    assert one("do", 7.5) == 1
    assert one("do", 7.49) == 2
    assert one("do", 6.0) == 2
    assert one("do", 5.99) == 3
    assert one("do", 2.0) == 5
    assert one("do", 1.9) == 6


def test_ph_outside_6_to_9_is_worse_than_v_and_inside_never_sets_the_class():
    assert one("ph", 5.9) == 6
    assert one("ph", 9.1) == 6
    assert one("ph", 6.0) == 1
    assert one("ph", 9.0) == 1
    r = classify(np.array([[7.0, 0.4], [5.9, 0.1], [7.0, 0.1]]), ["ph", "nh3n"])
    assert r.sample_class.tolist() == [2, 6, 1]
    assert r.worst_codes().tolist() == ["nh3n", "ph", "nh3n"]


def test_lake_tp_row_differs_from_river():
    assert one("tp", 0.03, "river") == 2
    assert one("tp", 0.03, "lake") == 3
    assert one("tp", 0.03, "reservoir") == 3
    r = classify(np.array([[0.03], [0.03], [0.15]]), ["tp"], water_body=["river", "lake", "reservoir"])
    assert r.item_class[:, 0].tolist() == [2, 3, 5]


def test_lake_tp_every_boundary():
    for k, limit in enumerate(LAKE_TP, start=1):
        assert one("tp", limit, "lake") == k
        assert one("tp", limit * (1 + 1e-9), "lake") == k + 1


def test_tn_is_out_of_the_river_class_and_separate_for_lakes():
    values = np.array([[0.1, 5.0], [0.1, 5.0], [0.1, 0.4]])
    r = classify(values, ["nh3n", "tn"], water_body=["river", "lake", "reservoir"])
    assert r.sample_class.tolist() == [1, 1, 1]
    assert r.tn_class.tolist() == [0, 6, 2]
    assert r.worst_codes().tolist() == ["nh3n", "nh3n", "nh3n"]


def test_reference_items_do_not_set_the_class():
    r = classify(np.array([[35.0, 1e6, 900.0, 0.5]]), ["water_temp", "fecal_coliform", "conductivity", "nh3n"])
    assert r.item_class[0].tolist() == [0, 6, 0, 2]
    assert r.sample_class.tolist() == [2]


def test_missing_values():
    nan = np.nan
    r = classify(np.array([[nan, 0.4], [nan, nan], [7.6, nan]]), ["do", "nh3n"])
    assert r.item_class.tolist() == [[0, 2], [0, 0], [1, 0]]
    assert r.sample_class.tolist() == [2, 0, 1]
    assert r.worst_codes().tolist() == ["nh3n", "", "do"]
    assert r.sample_labels().tolist() == ["II", "", "I"]


def test_worst_lists_every_item_at_the_sample_class():
    r = classify(np.array([[0.4, 0.15, 18.0]]), ["nh3n", "tp", "cod"])  # II, III, III
    assert r.worst_codes().tolist() == ["tp;cod"]


def test_memory_layout_and_blocks_do_not_change_classes():
    # More rows than one kernel block, in both memory orders; classes by hand:
    # nh3n 0.15 -> I, 0.16 -> II, 2.01 -> 劣V; DO 7.5 -> I, 4 -> IV, NaN -> 0.
    rows = 3 * 65536 + 7
    nh3n = np.resize([0.15, 0.16, 2.01], rows)
    do = np.resize([7.5, 4.0, np.nan], rows)
    expected = np.resize([1, 4, 6], rows)  # worst of (I, I), (II, IV), (劣V, -)
    for values in (np.column_stack([nh3n, do]), np.asfortranarray(np.column_stack([nh3n, do]))):
        assert np.array_equal(classify(values, ["nh3n", "do"]).sample_class, expected)


def test_the_method_evaluates_the_21_items():
    assert sorted(load_method().evaluated) == sorted(EVALUATED_21)


def test_join_codes():
    mask = np.array([[True, False, True], [False, False, False], [False, True, False]])
    assert join_codes(mask, ["a", "b", "c"]).tolist() == ["a;c", "", "b"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"values": np.zeros((1, 2)), "codes": ["nh3n"]}, "codes"),
        ({"values": np.zeros((1, 1)), "codes": ["NH3-N"]}, "unknown"),
        ({"values": np.zeros((1, 2)), "codes": ["tp", "tp"]}, "duplicate"),
        ({"values": np.zeros(3), "codes": ["tp"]}, "2-D"),
        ({"values": np.zeros((1, 1)), "codes": ["tp"], "water_body": "sea"}, "water_body"),
        ({"values": np.zeros((2, 1)), "codes": ["tp"], "water_body": ["river", "pond"]}, "pond"),
        ({"values": np.zeros((2, 1)), "codes": ["tp"], "water_body": ["river"]}, "shape"),
    ],
)
def test_bad_input_is_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        classify(**kwargs)


def oracle(code: str, value: float, lake: bool = False) -> int:
    """Class of one value from the hand-typed Table 1 above (no package code)."""
    if np.isnan(value):
        return 0
    if code == "ph":
        return 1 if 6 <= value <= 9 else 6
    if code == "do":
        return 1 + sum(1 for lim in DO if value < lim)
    lims = LAKE_TP if (code == "tp" and lake) else UPPER[code]
    return 1 + sum(1 for lim in lims if value > lim)


ITEMS = st.sampled_from(sorted([*UPPER, "ph", "do"]))
VALUE = st.one_of(st.floats(0, 50, allow_nan=False), st.just(np.nan), st.sampled_from([0.01, 0.05, 0.2, 1.0, 15.0]))


@settings(max_examples=150, deadline=None)
@given(
    codes=st.lists(ITEMS, min_size=1, max_size=8, unique=True),
    data=st.data(),
    lake=st.booleans(),
)
def test_matches_the_hand_rule_and_sample_is_the_worst_evaluated_item(codes, data, lake):
    rows = data.draw(st.integers(1, 6))
    values = np.array([[data.draw(VALUE) for _ in codes] for _ in range(rows)], dtype=float)
    r = classify(values, codes, water_body="lake" if lake else "river")
    expected = np.array([[oracle(c, v, lake) for c, v in zip(codes, row)] for row in values])
    assert np.array_equal(r.item_class, expected)
    evaluated = [j for j, c in enumerate(codes) if c in EVALUATED_21]
    worst = expected[:, evaluated].max(axis=1) if evaluated else np.zeros(rows, dtype=int)
    assert np.array_equal(r.sample_class, worst)


@settings(max_examples=100, deadline=None)
@given(
    code=st.sampled_from(sorted(UPPER)),
    values=st.lists(st.floats(0, 1e5, allow_nan=False), min_size=2, max_size=30),
)
def test_class_is_monotone_in_concentration(code, values):
    ordered = np.sort(np.array(values))[:, None]
    upper = classify(ordered, [code]).item_class[:, 0]
    assert np.all(np.diff(upper.astype(int)) >= 0)
    oxygen = classify(ordered, ["do"]).item_class[:, 0]
    assert np.all(np.diff(oxygen.astype(int)) <= 0)
