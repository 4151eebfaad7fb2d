"""River/county/city evaluation and CWQI (环办〔2011〕22号 二(一)2-3), worked out by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from qingliu.assess.evaluation import MEAN_COLUMNS, evaluate_sections
from qingliu.assess.quality import load_method
from qingliu.assess.regional import cwqi, cwqi_terms, evaluate_group, proportion_status

# NH3-N of a section sets its class (GB 3838-2002 Table 1): 0.8 -> III, 1.2 -> IV, 1.8 -> V,
# 2.5 -> 劣V.
NH3N = {3: 0.8, 4: 1.2, 5: 1.8, 6: 2.5}


def group_of(classes, *, river="汾河", targets=None):
    """Sections with the given classes (by NH3-N), their means and their results."""
    ids = [f"{river}{i}" for i in range(len(classes))]
    sections = pd.DataFrame(
        {
            "section_id": ids,
            "water_body": "river",
            "target_class": targets if targets is not None else [3] * len(ids),
            "river": river,
            "county_id": "140702",
        }
    )
    rows = [(s, "2024", pd.Timestamp("2024-01-01"), "nh3n", NH3N[c], 1, 0, 1) for s, c in zip(ids, classes)]
    return sections, pd.DataFrame(rows, columns=list(MEAN_COLUMNS))


def evaluate(classes, **kwargs):
    sections, means = group_of(classes)
    return evaluate_group(evaluate_sections(means, sections), means, **kwargs).iloc[0]


@pytest.mark.parametrize(
    ("classes", "status"),
    [
        ([3] * 9 + [4], "优"),  # I-III exactly 90 %
        ([3] * 8 + [4] * 2, "良好"),  # 80 %
        ([3] * 15 + [4] * 5, "良好"),  # exactly 75 %
        ([3] * 14 + [4] * 3 + [6] * 3, "轻度污染"),  # 70 %, 劣V 15 %
        ([3] * 14 + [4] * 2 + [6] * 4, "中度污染"),  # 70 %, 劣V exactly 20 %
        ([3] * 12 + [6] * 8, "重度污染"),  # 60 %, 劣V exactly 40 %
        ([3] * 12 + [5] * 1 + [6] * 7, "中度污染"),  # 60 %, 劣V 35 %
    ],
)
def test_proportion_status_at_each_threshold(classes, status):
    row = evaluate(classes, group_by=("river",))
    assert row["rule"] == "proportion"
    assert row["status_zh"] == status
    assert pd.isna(row["class"])


def test_proportion_status_function_directly():
    n, good, worse_v = np.array([10, 10, 20, 20, 5]), np.array([9, 8, 15, 14, 0]), np.array([0, 0, 0, 4, 2])
    statuses = proportion_status(n, good, worse_v, load_method())
    assert statuses.tolist() == [1, 3, 3, 5, 6]  # 优, 良好, 良好, 中度 (20 %), 重度 (40 %)


def test_fewer_than_five_sections_average_the_items():
    # NH3-N 0.8, 0.8, 0.8, 1.8: mean 1.05 -> IV (1.0 < 1.05 <= 1.5) -> 轻度污染,
    # although 3 of 4 sections (75 %) are I-III, which proportions would call 良好.
    row = evaluate([3, 3, 3, 5], group_by=("river",))
    assert (row["rule"], row["class"], row["class_label"], row["status_zh"]) == ("mean", 4, "IV", "轻度污染")
    assert row["main_pollutants"] == "nh3n(0.05)"  # (1.05 - 1) / 1
    assert evaluate([3, 3, 3, 5], group_by=("river",), average=False)["status_zh"] == "良好"


def test_five_sections_use_proportions():
    # Mean NH3-N (0.8 * 4 + 1.8) / 5 = 1.0 -> III, but 5 sections -> proportions: 80 % -> 良好.
    row = evaluate([3, 3, 3, 3, 5], group_by=("river",))
    assert (row["rule"], row["n_sections"], row["share_1_3"], row["share_6"]) == ("proportion", 5, 0.8, 0.0)
    assert row["status_zh"] == "良好"
    assert row["main_pollutants"] == "nh3n(20.0%)"  # 1 of 5 sections worse than III


def test_river_main_pollutants_by_section_exceedance_rate():
    ids = [f"S{i}" for i in range(5)]
    sections = pd.DataFrame({"section_id": ids, "water_body": "river", "target_class": 3, "river": "潇河"})
    # Worse than III: NH3-N > 1.0 at S0-S2 (60 %), TP > 0.2 at S0-S1 (40 %), BOD5 > 4 at S3-S4
    # (40 %), COD > 20 at S4 (20 %). Ties (40 %) keep Table 1 order: BOD5 (6) before TP (8).
    values = {
        "nh3n": [1.2, 1.2, 1.2, 0.5, 0.5],
        "tp": [0.25, 0.25, 0.1, 0.1, 0.1],
        "bod5": [3, 3, 3, 5, 5],
        "cod": [10, 10, 10, 10, 25],
    }
    year = pd.Timestamp("2024-01-01")
    rows = [(s, "2024", year, p, v[i], 1, 0, 1) for p, v in values.items() for i, s in enumerate(ids)]
    means = pd.DataFrame(rows, columns=list(MEAN_COLUMNS))
    row = evaluate_group(evaluate_sections(means, sections), means, group_by=("river",)).iloc[0]
    assert row["main_pollutants"] == "nh3n(60.0%);bod5(40.0%);tp(40.0%)"
    assert row["status_zh"] == "轻度污染"  # 0 of 5 I-III, no 劣V


def test_groups_periods_and_compliance_share():
    s1, m1 = group_of([3, 4], river="汾河", targets=[3, 4])
    s2, m2 = group_of([6, 3, 3, 3, 3], river="潇河", targets=[3, None, 3, 3, 3])
    sections, means = pd.concat([s1, s2]), pd.concat([m1, m2])
    out = evaluate_group(evaluate_sections(means, sections), means, group_by=("river",)).set_index("river")
    assert out.loc["汾河", "n_sections"] == 2 and out.loc["潇河", "n_sections"] == 5
    assert out.loc["汾河", "share_meeting_target"] == 1.0  # III <= 3 and IV <= 4
    assert out.loc["潇河", "n_with_target"] == 4
    assert out.loc["潇河", "share_meeting_target"] == 0.75  # the 劣V one fails
    everything = evaluate_group(evaluate_sections(means, sections), means, group_by=())
    assert len(everything) == 1 and everything["n_sections"].iloc[0] == 7
    assert everything["share_6"].iloc[0] == pytest.approx(1 / 7)


def test_unclassified_sections_do_not_count():
    sections, means = group_of([3, 3])
    # Section X has only water temperature: class 0, so it is not one of the group's sections.
    extra = [("X", "2024", pd.Timestamp("2024-01-01"), "water_temp", 12.0, 1, 0, 1)]
    sections = pd.concat([sections, sections.iloc[[0]].assign(section_id="X")])
    means = pd.concat([means, pd.DataFrame(extra, columns=list(MEAN_COLUMNS))])
    row = evaluate_group(evaluate_sections(means, sections), means, group_by=("river",)).iloc[0]
    assert row["n_sections"] == 2


def cwqi_case():
    sections = pd.DataFrame({"section_id": ["A", "B"], "water_body": ["river", "reservoir"], "county_id": ["1", "1"]})
    values = {
        # A (river): codmn 3/6, nh3n 0.5/1, tp 0.1/0.2, DO 5/10, pH (8 - 7)/(9 - 7): 0.5 each -> 2.5.
        "A": {"codmn": 3.0, "nh3n": 0.5, "tp": 0.1, "do": 10.0, "ph": 8.0, "water_temp": 20.0},
        # B (reservoir): codmn 6/6 = 1, nh3n 1/1 = 1, tp 0.1/0.05 (lake III) = 2, DO 5/2.5 = 2,
        # pH (7 - 6.5)/(7 - 6) = 0.5 -> 6.5. TN is not one of the 21 items.
        "B": {"codmn": 6.0, "nh3n": 1.0, "tp": 0.1, "do": 2.5, "ph": 6.5, "tn": 3.0},
    }
    rows = [(s, "2024", pd.Timestamp("2024-01-01"), p, v, 1, 0, 1) for s, d in values.items() for p, v in d.items()]
    return sections, pd.DataFrame(rows, columns=list(MEAN_COLUMNS))


def test_cwqi_two_sections_by_hand():
    sections, means = cwqi_case()
    terms = cwqi_terms(means, sections).set_index("section_id")
    assert terms.loc["A", "cwqi"] == pytest.approx(2.5)
    assert terms.loc["B", "cwqi"] == pytest.approx(6.5)
    assert "tn" not in terms.columns and "water_temp" not in terms.columns
    out = cwqi(means, sections)
    assert out["cwqi"].iloc[0] == pytest.approx((2.5 + 6.5) / 2)
    assert out["n_sections"].iloc[0] == 2
    by_county = cwqi(means, sections, group_by=("county_id",))
    assert by_county["cwqi"].iloc[0] == pytest.approx(4.5)


def test_cwqi_item_missing_at_one_section_is_averaged_over_the_others():
    sections, means = cwqi_case()
    means = means[~((means.section_id == "B") & (means.parameter == "codmn"))]
    # codmn term only from A (0.5); the rest as before: nh3n 0.75, tp 1.25, DO 1.25, pH 0.5.
    assert cwqi(means, sections)["cwqi"].iloc[0] == pytest.approx(0.5 + 0.75 + 1.25 + 1.25 + 0.5)
