"""Period means and section evaluation (环办〔2011〕22号), expectations worked out by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from qingliu.assess.evaluation import (
    MEAN_COLUMNS,
    evaluate_sections,
    exceedance_multiples,
    fixed_point,
    period_means,
)


def samples(rows):
    return pd.DataFrame(rows, columns=["section_id", "time", "parameter", "value", "flag"])


def value_of(means, section, period, parameter):
    row = means[(means.section_id == section) & (means.period == period) & (means.parameter == parameter)]
    assert len(row) == 1
    return float(row["value"].iloc[0])


SERIES = samples(
    [
        ("S1", "2024-01-03", "nh3n", 1.0, ""),
        ("S1", "2024-01-20", "nh3n", 3.0, ""),
        ("S1", "2024-02-10", "nh3n", 5.0, ""),
        ("S1", "2024-04-10", "nh3n", 0.02, "<"),
        ("S1", "2024-04-10", "tp", np.nan, ""),
    ]
)


def test_monthly_mean_is_the_arithmetic_mean_and_empty_months_have_no_row():
    m = period_means(SERIES, freq="month")
    assert value_of(m, "S1", "2024-01", "nh3n") == pytest.approx(2.0)  # (1 + 3) / 2
    assert value_of(m, "S1", "2024-02", "nh3n") == pytest.approx(5.0)
    assert sorted(m.period.unique()) == ["2024-01", "2024-02", "2024-04"]  # no March, no NaN tp
    jan = m[m.period == "2024-01"].iloc[0]
    assert (jan["n"], jan["n_below_dl"], jan["n_months"]) == (2, 0, 1)
    assert jan["start"] == pd.Timestamp("2024-01-01")


def test_below_detection_limit_rules():
    # "<0.02": half -> 0.01, limit -> 0.02, zero -> 0.
    for rule, expected in (("half", 0.01), ("limit", 0.02), ("zero", 0.0)):
        m = period_means(SERIES, freq="month", dl_rule=rule)
        assert value_of(m, "S1", "2024-04", "nh3n") == pytest.approx(expected)
    assert period_means(SERIES, freq="month").query("period == '2024-04'")["n_below_dl"].tolist() == [1]


def test_quarter_is_the_mean_of_samples_year_the_mean_of_monthly_means():
    q = period_means(SERIES, freq="quarter")
    assert value_of(q, "S1", "2024Q1", "nh3n") == pytest.approx((1 + 3 + 5) / 3)
    y = period_means(SERIES, freq="year")
    # Monthly means 2, 5 and 0.01 (half of the 0.02 detection limit) -> (2 + 5 + 0.01) / 3.
    assert value_of(y, "S1", "2024", "nh3n") == pytest.approx((2 + 5 + 0.01) / 3)
    row = y.iloc[0]
    assert (row["n"], row["n_below_dl"], row["n_months"]) == (4, 1, 3)


def test_whole_range_and_bounds():
    m = period_means(SERIES, freq=None, start="2024-01-01", end="2024-04-01")  # end exclusive
    assert m.period.tolist() == ["2024-01-01/2024-03-31"]
    assert value_of(m, "S1", "2024-01-01/2024-03-31", "nh3n") == pytest.approx((2 + 5) / 2)
    m = period_means(SERIES, freq="month", start="2024-01-15", end="2024-02-10")
    assert m[["period", "value"]].values.tolist() == [["2024-01", 3.0]]


def test_time_zones_are_read_at_wall_time():
    s = samples([("S1", "2024-01-31T23:30:00+08:00", "nh3n", 1.0, "")])
    assert period_means(s, freq="month").period.tolist() == ["2024-01"]


def test_no_samples_give_an_empty_frame_with_the_columns():
    m = period_means(SERIES, freq="month", start="2030-01-01")
    assert m.empty and tuple(m.columns) == MEAN_COLUMNS


def test_bad_arguments():
    with pytest.raises(ValueError, match="dl_rule"):
        period_means(SERIES, dl_rule="third")
    with pytest.raises(ValueError, match="freq"):
        period_means(SERIES, freq="week")
    with pytest.raises(ValueError, match="missing columns"):
        period_means(SERIES.drop(columns="value"))


SECTIONS = pd.DataFrame(
    {
        "section_id": ["A", "B", "C", "D", "E", "F"],
        "water_body": ["river", "river", "river", "reservoir", "river", "river"],
        "target_class": [3, 3, 4, 2, None, 3],
        "river": ["汾河", "汾河", "潇河", "水库", "潇河", "汾河"],
    }
)


def means(rows):
    return pd.DataFrame(
        [(s, "2024", pd.Timestamp("2024-01-01"), p, v, 1, 0, 1) for s, p, v in rows], columns=list(MEAN_COLUMNS)
    )


def evaluated(rows):
    return evaluate_sections(means(rows), SECTIONS).set_index("section_id")


def test_section_class_status_and_target():
    r = evaluated(
        [
            ("A", "nh3n", 0.4), ("A", "ph", 7.2), ("A", "water_temp", 25.0),  # II
            ("B", "nh3n", 1.2),  # IV
            ("C", "nh3n", 1.2),  # IV, target IV
            ("E", "nh3n", 0.8),  # III, no target
            ("F", "nh3n", 2.5), ("F", "tn", 9.0),  # 劣V; river TN ignored
        ]
    )
    assert r["class"].to_dict() == {"A": 2, "B": 4, "C": 4, "E": 3, "F": 6}
    assert r["class_label"].tolist() == ["II", "IV", "IV", "III", "劣V"]
    assert r["status_zh"].tolist() == ["优", "轻度污染", "轻度污染", "良好", "重度污染"]
    assert r["status_en"].tolist() == ["excellent", "lightly polluted", "lightly polluted", "good", "heavily polluted"]
    assert r["colour"].tolist() == ["blue", "yellow", "yellow", "green", "red"]
    assert r["meets_target"].tolist() == [True, False, True, pd.NA, False]
    assert r["is_worse_than_v"].tolist() == [False, False, False, False, True]
    assert r["worst_items"].tolist() == ["nh3n"] * 5
    assert r["tn_class"].tolist() == [0] * 5
    assert r.loc["A", "river"] == "汾河"


def test_status_of_class_v():
    r = evaluated([("B", "nh3n", 1.8)])
    assert (r.loc["B", "class"], r.loc["B", "status_zh"], r.loc["B", "colour"]) == (5, "中度污染", "orange")


def test_reservoir_tn_is_classed_apart():
    # TN 1.8 -> V (1.5 < 1.8 <= 2.0); TP 0.02 in a reservoir -> II (0.01 < 0.02 <= 0.025).
    r = evaluated([("D", "tp", 0.02), ("D", "tn", 1.8)])
    assert (r.loc["D", "class"], r.loc["D", "tn_class"], r.loc["D", "tn_class_label"]) == (2, 5, "V")
    assert r.loc["D", "meets_target"]


def test_section_without_evaluated_items_is_not_classified():
    r = evaluated([("A", "water_temp", 20.0)])
    assert r.loc["A", "class"] == 0
    assert r.loc["A", "class_label"] == ""
    assert r.loc["A", "status_zh"] is None
    assert r["meets_target"].isna().all()


def test_main_pollutants_order_and_multiples():
    # Multiples (C - C_III) / C_III: nh3n (3 - 1) / 1 = 2.00 (劣V); cod (36 - 20) / 20 = 0.80 (V);
    # tp (0.35 - 0.2) / 0.2 = 0.75 (V); bod5 (5 - 4) / 4 = 0.25 (IV, fourth: dropped).
    r = evaluated([("B", "nh3n", 3.0), ("B", "cod", 36.0), ("B", "tp", 0.35), ("B", "bod5", 5.0)])
    assert r.loc["B", "main_pollutants"] == "nh3n(2.00);cod(0.80);tp(0.75)"


def test_heavy_metals_come_first_and_do_has_no_multiple():
    # Pb 0.06 -> IV, multiple (0.06 - 0.05) / 0.05 = 0.20, listed first although IV < 劣V.
    r = evaluated([("B", "nh3n", 3.0), ("B", "cod", 36.0), ("B", "tp", 0.35), ("B", "pb", 0.06)])
    assert r.loc["B", "main_pollutants"] == "pb(0.20);nh3n(2.00);cod(0.80)"
    # DO 1.5 -> 劣V with no multiple, after nh3n (劣V with a multiple); codmn 8 -> IV, (8-6)/6.
    r = evaluated([("B", "do", 1.5), ("B", "nh3n", 3.0), ("B", "codmn", 8.0)])
    assert r.loc["B", "main_pollutants"] == "nh3n(2.00);do;codmn(0.33)"


def test_no_main_pollutants_at_class_iii_or_better():
    r = evaluated([("A", "nh3n", 0.9), ("A", "tp", 0.2)])
    assert r.loc["A", "main_pollutants"] == ""


def test_multiples_use_the_lake_tp_limit():
    # Reservoir TP 0.06: (0.06 - 0.05) / 0.05 = 0.2; river TP 0.3: (0.3 - 0.2) / 0.2 = 0.5.
    m = exceedance_multiples(np.array([[0.06], [0.3]]), ["tp"], water_body=["reservoir", "river"])
    assert m[:, 0] == pytest.approx([0.2, 0.5])
    assert np.isnan(exceedance_multiples(np.array([[8.0, 5.0]]), ["ph", "do"])).all()


def test_unknown_section_is_refused():
    with pytest.raises(ValueError, match="Z"):
        evaluate_sections(means([("Z", "nh3n", 1.0)]), SECTIONS)


def test_fixed_point_text():
    x = np.array([1 / 3, 2.0, 0.005, 123.456, -0.5, 0.0004])
    assert fixed_point(x, 2).tolist() == ["0.33", "2.00", "0.00", "123.46", "-0.50", "0.00"]
    assert fixed_point(np.array([40.0, 12.345]), 1).tolist() == ["40.0", "12.3"]
    assert fixed_point(np.array([7.6]), 0).tolist() == ["8"]


def test_quarter_and_year_labels():
    s = samples([("S1", "2023-11-30", "tp", 0.1, ""), ("S1", "2024-05-01", "tp", 0.3, "")])
    q = period_means(s, freq="quarter")
    assert q.period.tolist() == ["2023Q4", "2024Q2"]
    assert q.start.tolist() == [pd.Timestamp("2023-10-01"), pd.Timestamp("2024-04-01")]
    assert period_means(s, freq="year").period.tolist() == ["2023", "2024"]
