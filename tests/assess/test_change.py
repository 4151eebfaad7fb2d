"""Two-period change of 环办〔2011〕22号: thresholds checked at every boundary, by hand."""

import numpy as np
import pandas as pd
import pytest

from qingliu.assess.change import class_numbers, compare_section_classes, compare_shares, status_levels


@pytest.mark.parametrize(
    ("net", "grade", "zh", "en"),
    [
        (0.0, 0, "无明显变化", "no clear change"),
        (10.0, 0, "无明显变化", "no clear change"),
        (10.0001, 1, "有所好转", "slightly better"),
        (20.0, 1, "有所好转", "slightly better"),
        (20.0001, 2, "明显好转", "clearly better"),
        (-10.0, 0, "无明显变化", "no clear change"),
        (-10.0001, -1, "有所变差", "slightly worse"),
        (-20.0, -1, "有所变差", "slightly worse"),
        (-20.0001, -2, "明显变差", "clearly worse"),
    ],
)
def test_share_thresholds(net, grade, zh, en):
    # ΔG = net, ΔD = 0: first period 40 % good, 10 % 劣V
    result = compare_shares(40.0, 10.0, 40.0 + net, 10.0)
    row = result.iloc[0]
    assert row["net_change"] == pytest.approx(net)
    assert row["change"] == grade
    assert (row["change_zh"], row["change_en"]) == (zh, en)


def test_hand_example_combines_good_and_bad_shares():
    # G 60 -> 70 (ΔG = +10), 劣V 15 -> 10 (ΔD = -5): ΔG - ΔD = 15 → 有所好转
    # G 80 -> 75 (ΔG = -5), 劣V 0 -> 20 (ΔD = +20): ΔG - ΔD = -25 → 明显变差
    # G 50 -> 58 (ΔG = +8), 劣V 10 -> 12 (ΔD = +2): ΔG - ΔD = 6 → 无明显变化
    result = compare_shares([60, 80, 50], [15, 0, 10], [70, 75, 58], [10, 20, 12])
    assert result["delta_good"].tolist() == [10, -5, 8]
    assert result["delta_bad"].tolist() == [-5, 20, 2]
    assert result["net_change"].tolist() == [15, -25, 6]
    assert result["change"].tolist() == [1, -2, 0]
    assert result["change_zh"].tolist() == ["有所好转", "明显变差", "无明显变化"]


def test_exact_ten_points_from_ratios_is_no_clear_change():
    # 7/10 and 8/10 sections good: 0.8 * 100 - 0.7 * 100 is 10.000000000000014 in floats
    result = compare_shares(0.7 * 100, 0.0, 0.8 * 100, 0.0)
    assert result["change"].iloc[0] == 0


def test_shares_keep_the_index_and_missing_rows():
    good1 = pd.Series([90.0, np.nan], index=["汾河", "潇河"])
    result = compare_shares(good1, 0.0, [60.0, 50.0], 0.0)
    assert list(result.index) == ["汾河", "潇河"]
    assert result.loc["汾河", "change"] == -2
    assert pd.isna(result.loc["潇河", "change"])
    assert pd.isna(result.loc["潇河", "change_zh"])


@pytest.mark.parametrize("bad", [-1.0, 100.5])
def test_shares_outside_percent_are_refused(bad):
    with pytest.raises(ValueError, match="0-100"):
        compare_shares(bad, 0.0, 50.0, 0.0)


def test_status_levels_of_the_2011_method():
    # I-II 优, III 良好, IV 轻度污染, V 中度污染, 劣V 重度污染
    assert status_levels().tolist() == [1, 1, 2, 3, 4, 5]


@pytest.mark.parametrize(
    ("before", "after", "levels", "grade", "zh"),
    [
        (1, 2, 0, 0, "无明显变化"),  # I and II are both 优
        (2, 3, -1, -1, "有所变差"),  # 优 -> 良好
        (3, 5, -2, -2, "明显变差"),  # 良好 -> 中度污染
        (6, 4, 2, 2, "明显好转"),  # 重度污染 -> 轻度污染
        (5, 4, 1, 1, "有所好转"),
        (1, 6, -4, -2, "明显变差"),
        (4, 4, 0, 0, "无明显变化"),
    ],
)
def test_section_status_levels(before, after, levels, grade, zh):
    row = compare_section_classes(before, after).iloc[0]
    assert row["level_change"] == levels
    assert row["change"] == grade
    assert row["change_zh"] == zh


def test_section_classes_as_labels_vectorised():
    before = pd.Series(["Ⅱ", "III", "劣Ⅴ", None], index=["S1", "S2", "S3", "S4"])
    result = compare_section_classes(before, ["I", "iv", "V", "III"])
    assert result["status_level_1"].tolist()[:3] == [1, 2, 5]
    assert result["status_level_2"].tolist() == [1, 3, 4, 2]
    assert result["change"].tolist()[:3] == [0, -1, 1]
    assert pd.isna(result.loc["S4", "change"])
    assert result.loc["S2", "change_en"] == "slightly worse"


def test_class_numbers_and_unknown_classes():
    assert class_numbers(["I", "Ⅴ", "劣V", "3", 6]).tolist() == [1, 5, 6, 3, 6]
    with pytest.raises(ValueError, match="VI"):
        class_numbers(["VI", "II"])
    with pytest.raises(ValueError, match="7"):
        class_numbers([7])
