"""TLI(Σ) of 总站生字〔2001〕090号: values worked out by hand from the published formulas."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from qingliu.assess.trophic import PARAMETERS, tli, tli_weights, trophic_level

# r_ij of the 2001 method: Chl-a 1, TP 0.84, TN 0.82, SD -0.83, CODMn 0.83
R_SQUARED = {"chla": 1.0, "tp": 0.84**2, "tn": 0.82**2, "sd": 0.83**2, "codmn": 0.83**2}


def test_weights_of_the_five_parameter_index():
    # published weights (standards.md §2): 0.2663, 0.1879, 0.1790, 0.1834, 0.1834
    assert np.round(tli_weights(), 4).tolist() == [0.2663, 0.1879, 0.1790, 0.1834, 0.1834]


def test_four_parameter_weights_renormalise_without_codmn():
    total = 1 + 0.7056 + 0.6724 + 0.6889  # 3.0669
    w = tli_weights([True, True, True, True, False])
    assert w == pytest.approx([1 / total, 0.7056 / total, 0.6724 / total, 0.6889 / total, 0.0])
    assert w[0] == pytest.approx(0.32606, abs=1e-5)


def test_hand_example_five_parameters():
    chla, tp, tn, sd, codmn = 10.0, 0.05, 1.0, 1.0, 4.0
    sub = {
        "chla": 10 * (2.5 + 1.086 * math.log(chla)),
        "tp": 10 * (9.436 + 1.624 * math.log(tp)),
        "tn": 10 * (5.453 + 1.694 * math.log(tn)),
        "sd": 10 * (5.118 - 1.94 * math.log(sd)),
        "codmn": 10 * (0.109 + 2.661 * math.log(codmn)),
    }
    expected = sum(R_SQUARED[p] * sub[p] for p in PARAMETERS) / sum(R_SQUARED.values())
    result = tli(chla, tp, tn, sd, codmn)
    # ln 1 = 0: the TN and SD sub-indices are 10·a
    assert float(result.tli_tn) == pytest.approx(54.53)
    assert float(result.tli_sd) == pytest.approx(51.18)
    assert float(result.tli_chla) == pytest.approx(sub["chla"])
    assert float(result.tli_tp) == pytest.approx(sub["tp"])
    assert float(result.tli_codmn) == pytest.approx(sub["codmn"])
    assert float(result.tli) == pytest.approx(expected)
    assert float(result.tli) == pytest.approx(48.018, abs=1e-3)  # worked out by hand
    assert int(result.n_parameters) == 5
    assert result.trophic_class.item() == "mesotrophic"
    assert result.trophic_zh.item() == "中营养"
    assert int(result.trophic_level) == 2


def test_four_parameter_index_without_codmn():
    chla, tp, tn, sd = 10.0, 0.05, 1.0, 1.0
    sub = [
        10 * (2.5 + 1.086 * math.log(chla)),
        10 * (9.436 + 1.624 * math.log(tp)),
        54.53,
        51.18,
    ]
    r2 = [1.0, 0.7056, 0.6724, 0.6889]
    expected = sum(w * s for w, s in zip(r2, sub)) / sum(r2)
    result = tli(chla, tp, tn, sd)
    assert float(result.tli) == pytest.approx(expected)
    assert np.isnan(result.tli_codmn)
    assert int(result.n_parameters) == 4
    # a NaN CODMn is the same as none
    assert float(tli(chla, tp, tn, sd, np.nan).tli) == pytest.approx(expected)


def _concentration(parameter, index):
    """Concentration whose sub-index equals ``index``: inverse of 10(a + b ln c)."""
    a, b = {"chla": (2.5, 1.086), "tp": (9.436, 1.624), "tn": (5.453, 1.694), "sd": (5.118, -1.94),
            "codmn": (0.109, 2.661)}[parameter]
    return math.exp((index / 10 - a) / b)


def test_equal_sub_indices_give_that_index_whatever_the_weights():
    args = [_concentration(p, 55.0) for p in PARAMETERS]
    result = tli(*args)
    assert float(result.tli) == pytest.approx(55.0)
    assert result.trophic_class.item() == "light_eutrophic"
    assert result.trophic_zh.item() == "轻度富营养"


@pytest.mark.parametrize(
    ("value", "level"),
    [
        (29.999, 1),
        (30.0, 2),  # 30 <= TLI <= 50: 中营养 (2001 text)
        (30.001, 2),
        (50.0, 2),
        (50.001, 3),
        (60.0, 3),  # 50 < TLI <= 60: 轻度富营养
        (60.001, 4),
        (70.0, 4),  # 60 < TLI <= 70: 中度富营养
        (70.001, 5),
        (95.0, 5),
        (np.nan, 0),
    ],
)
def test_class_boundaries_of_the_2001_text(value, level):
    assert int(trophic_level(value)) == level


def test_upper_inclusive_convention_moves_only_30():
    values = [30.0, 50.0, 60.0, 70.0]
    assert trophic_level(values, boundaries="upper_inclusive").tolist() == [1, 2, 3, 4]
    assert trophic_level(values).tolist() == [2, 2, 3, 4]
    with pytest.raises(ValueError, match="boundary"):
        trophic_level(values, boundaries="nonsense")


def test_classes_of_a_vector_with_labels():
    args = [[_concentration(p, x) for x in (25.0, 45.0, 65.0, 75.0)] for p in PARAMETERS]
    result = tli(*args)
    assert result.trophic_class.tolist() == ["oligotrophic", "mesotrophic", "middle_eutrophic", "hyper_eutrophic"]
    assert result.trophic_en.tolist() == ["oligotrophic", "mesotrophic", "moderately eutrophic", "hypereutrophic"]
    frame = result.to_frame()
    assert list(frame["trophic_zh"]) == ["贫营养", "中营养", "中度富营养", "重度富营养"]


def test_missing_chla_or_too_few_parameters_give_no_index():
    result = tli([np.nan, 10.0, 10.0], [0.05, 0.05, np.nan], [1.0, 1.0, np.nan], [1.0, 1.0, 1.0], [4.0, np.nan, 4.0])
    # row 0: no Chl-a (the reference parameter); row 1: 4 parameters; row 2: 3 parameters
    assert np.isnan(result.tli[0])
    assert not np.isnan(result.tli[1])
    assert np.isnan(result.tli[2])
    assert result.n_parameters.tolist() == [4, 4, 3]
    assert result.trophic_class[0] is None and result.trophic_level[0] == 0
    assert result.tli_tp[0] == pytest.approx(10 * (9.436 + 1.624 * math.log(0.05)))
    # with min_parameters=3, row 2 uses Chl-a, SD and CODMn only
    sub = [10 * (2.5 + 1.086 * math.log(10.0)), 51.18, 10 * (0.109 + 2.661 * math.log(4.0))]
    r2 = [1.0, 0.6889, 0.6889]
    loose = tli(10.0, np.nan, np.nan, 1.0, 4.0, min_parameters=3)
    assert float(loose.tli) == pytest.approx(sum(w * s for w, s in zip(r2, sub)) / sum(r2))


def test_broadcasts_over_rows_and_columns():
    chla = np.array([[5.0], [20.0]])
    result = tli(chla, [0.02, 0.1, 0.2], 1.0, 1.0, 4.0)
    assert result.tli.shape == (2, 3)
    assert result.tli[1, 2] > result.tli[0, 0]
    assert len(result.to_frame()) == 6


@pytest.mark.parametrize("bad", [0.0, -1.0])
def test_non_positive_values_count_as_missing(bad):
    """SD <= 0 drops out: the 4-parameter TLI of chla, TP, TN, CODMn with renormalised weights."""
    result = tli(10.0, 0.05, 1.0, bad, 4.0)
    r2 = {"chla": 1.0, "tp": 0.84**2, "tn": 0.82**2, "codmn": 0.83**2}
    sub = {"chla": 10 * (2.5 + 1.086 * math.log(10)), "tp": 10 * (9.436 + 1.624 * math.log(0.05)),
           "tn": 10 * (5.453 + 1.694 * math.log(1.0)), "codmn": 10 * (0.109 + 2.661 * math.log(4))}
    expected = sum(r2[k] * sub[k] for k in sub) / sum(r2.values())
    assert math.isnan(float(result.tli_sd)) and float(result.tli) == pytest.approx(expected, abs=1e-9)


positive = st.floats(min_value=1e-3, max_value=1e3, allow_nan=False)


@given(positive, positive, positive, positive, positive)
def test_index_is_a_weighted_mean_of_its_sub_indices(chla, tp, tn, sd, codmn):
    result = tli(chla, tp, tn, sd, codmn)
    subs = [result.tli_chla, result.tli_tp, result.tli_tn, result.tli_sd, result.tli_codmn]
    assert min(subs) - 1e-9 <= result.tli <= max(subs) + 1e-9


@given(positive, positive, st.floats(min_value=1.01, max_value=10))
def test_more_phosphorus_or_less_transparency_never_lowers_the_index(tp, sd, factor):
    base = tli(10.0, tp, 1.0, sd, 4.0).tli
    assert tli(10.0, tp * factor, 1.0, sd, 4.0).tli > base
    assert tli(10.0, tp, 1.0, sd / factor, 4.0).tli > base
