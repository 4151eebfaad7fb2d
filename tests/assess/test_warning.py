"""Year-to-date early warning: hand-worked cases from the annual mean of monthly means."""

import numpy as np
import pandas as pd
import pytest

from qingliu.assess.warning import early_warning, section_warnings

RIVER = pd.Series({"S1": "river", "S2": "river", "S3": "river"})


def monthly(section, parameter, values, months=None):
    months = months or range(1, len(values) + 1)
    return pd.DataFrame({"section_id": section, "month": list(months), "parameter": parameter, "value": values})


def prior_months(section, parameter, value, months=range(7, 13), year=2024):
    frame = monthly(section, parameter, [value] * len(months), months)
    return frame.assign(year=year)


NO_PRIOR = pd.DataFrame(columns=["section_id", "month", "parameter", "value"])


def row(result, section, parameter):
    return result.set_index(["section_id", "parameter"]).loc[(section, parameter)]


def test_tp_at_risk_hand_example():
    # TP 0.25 for months 1-6, target III (0.2): R = (12·0.2 - 6·0.25)/6 = 0.15;
    # previous years' July-December mean 0.22 > 0.15 → at risk, must fall by 1 - 0.15/0.22
    result = early_warning(monthly("S1", "tp", [0.25] * 6), prior_months("S1", "tp", 0.22), pd.Series({"S1": 3}), RIVER)
    r = row(result, "S1", "tp")
    assert r["limit"] == 0.2
    assert r["months_remaining"] == 6
    assert r["allowed_remaining_mean"] == pytest.approx(0.15)
    assert r["expected_remaining_mean"] == pytest.approx(0.22)
    assert r["expected_from"] == "prior"
    assert r["status"] == "at_risk"
    assert (r["status_zh"], r["status_en"]) == ("超标风险", "at risk")
    assert r["required_change"] == pytest.approx(1 - 0.15 / 0.22)
    assert r["required_change_abs"] == pytest.approx(0.07)
    assert r["section_status"] == "at_risk"


@pytest.mark.parametrize(
    ("expected", "status"),
    [
        (0.10, "ok"),
        (0.135, "ok"),  # exactly 0.9 R
        (0.1351, "watch"),
        (0.15, "watch"),  # exactly R
        (0.1501, "at_risk"),
    ],
)
def test_margin_boundaries(expected, status):
    result = early_warning(
        monthly("S1", "tp", [0.25] * 6), prior_months("S1", "tp", expected), pd.Series({"S1": 3}), RIVER
    )
    r = row(result, "S1", "tp")
    assert r["status"] == status
    assert r["required_change"] == pytest.approx(max(0.0, 1 - 0.15 / expected))


def test_margin_parameter():
    # E = 0.14 is within 10 % of R = 0.15 (watch) but not within 5 % (0.1425): ok
    args = (monthly("S1", "tp", [0.25] * 6), prior_months("S1", "tp", 0.14), pd.Series({"S1": 3}), RIVER)
    assert row(early_warning(*args), "S1", "tp")["status"] == "watch"
    assert row(early_warning(*args, margin=0.05), "S1", "tp")["status"] == "ok"


@pytest.mark.parametrize(
    ("expected", "status", "rise"),
    [
        (6.1, "ok", 0.0),  # >= 1.1 R = 6.05
        (5.8, "watch", 0.0),
        (5.0, "at_risk", 5.5 / 5.0 - 1),
    ],
)
def test_dissolved_oxygen_is_a_lower_bound(expected, status, rise):
    # DO 4.5 for months 1-6, target III (>= 5): R = (12·5 - 6·4.5)/6 = 5.5 must be reached
    prior = prior_months("S1", "do", expected)
    result = early_warning(monthly("S1", "do", [4.5] * 6), prior, pd.Series({"S1": 3}), RIVER)
    r = row(result, "S1", "do")
    assert r["direction"] == "min"
    assert r["allowed_remaining_mean"] == pytest.approx(5.5)
    assert r["status"] == status
    assert r["required_change"] == pytest.approx(rise)
    assert r["required_change_abs"] == pytest.approx(max(0.0, 5.5 - expected))


def test_already_failed_upper_and_lower_bound():
    # TP 0.5 for 6 months, target III: R = (2.4 - 3.0)/6 = -0.1 < 0
    tp = row(early_warning(monthly("S1", "tp", [0.5] * 6), NO_PRIOR, pd.Series({"S1": 3}), RIVER), "S1", "tp")
    # DO 0.5 for 9 months, target II (6): R = (72 - 4.5)/3 = 22.5 mg/L, above saturation
    do = row(early_warning(monthly("S2", "do", [0.5] * 9), NO_PRIOR, pd.Series({"S2": 2}), RIVER), "S2", "do")
    assert tp["allowed_remaining_mean"] == pytest.approx(-0.1)
    assert tp["status"] == "already_failed"
    assert tp["status_zh"] == "已无法达标"
    assert tp["required_change"] == pytest.approx(1 + 0.1 / 0.5)  # more than all of it
    assert do["months_remaining"] == 3  # as of month 9, the latest month in ytd
    assert do["allowed_remaining_mean"] == pytest.approx(22.5)
    assert do["status"] == "already_failed"


def test_full_year_gives_the_final_result():
    ytd = pd.concat([monthly("S1", "tp", [0.2] * 12), monthly("S2", "tp", [0.25] * 12)])
    result = early_warning(ytd, prior_months("S1", "tp", 0.5), pd.Series({"S1": 3, "S2": 3}), RIVER)
    met, failed = row(result, "S1", "tp"), row(result, "S2", "tp")
    assert met["months_remaining"] == 0
    assert met["status"] == "ok"  # annual mean 0.2 meets the limit 0.2
    assert failed["status"] == "already_failed"
    assert np.isnan(met["allowed_remaining_mean"]) and np.isnan(met["required_change"])


def test_missing_months_and_fallback_to_ytd_mean():
    # TP 0.3 in months 1, 2, 4, 5, 6 (March not sampled): 5 + 6 = 11 monthly means in the year,
    # R = (11·0.2 - 1.5)/6 = 0.7/6; no prior data → E = year-to-date mean 0.3
    ytd = monthly("S1", "tp", [0.3] * 5, months=[1, 2, 4, 5, 6])
    result = early_warning(ytd, NO_PRIOR, pd.Series({"S1": 3}), RIVER)
    r = row(result, "S1", "tp")
    assert r["months_observed"] == 5
    assert r["allowed_remaining_mean"] == pytest.approx(0.7 / 6)
    assert r["expected_from"] == "ytd"
    assert r["expected_remaining_mean"] == pytest.approx(0.3)
    assert r["required_change"] == pytest.approx(1 - (0.7 / 6) / 0.3)
    assert r["status"] == "at_risk"


def test_prior_months_averaged_per_month_first():
    # two years of July (0.1, 0.3 → 0.2) and one August (0.1): E = (0.2 + 0.1)/2 = 0.15
    prior = pd.concat(
        [
            monthly("S1", "tp", [0.1, 0.1], months=[7, 8]).assign(year=2023),
            monthly("S1", "tp", [0.3], months=[7]).assign(year=2024),
            monthly("S1", "tp", [9.9], months=[6]).assign(year=2024),  # before the remaining months
        ]
    )
    result = early_warning(monthly("S1", "tp", [0.1] * 6), prior, pd.Series({"S1": 3}), RIVER)
    assert row(result, "S1", "tp")["expected_remaining_mean"] == pytest.approx(0.15)


def test_as_of_month_after_the_last_value():
    # data through May, as of June: June is lost, 5 + 6 monthly means; R = (11·0.2 - 5·0.1)/6
    result = early_warning(monthly("S1", "tp", [0.1] * 5), NO_PRIOR, pd.Series({"S1": 3}), RIVER, as_of_month=6)
    r = row(result, "S1", "tp")
    assert r["months_remaining"] == 6
    assert r["allowed_remaining_mean"] == pytest.approx((2.2 - 0.5) / 6)
    assert r["status"] == "ok"
    # the as-of month is shared: S2's data through month 9 make it September for S1 too
    both = pd.concat([monthly("S1", "tp", [0.1] * 5), monthly("S2", "tp", [0.1] * 9)])
    result = early_warning(both, NO_PRIOR, pd.Series({"S1": 3, "S2": 3}), RIVER)
    assert row(result, "S1", "tp")["allowed_remaining_mean"] == pytest.approx((8 * 0.2 - 0.5) / 3)


def test_reservoir_uses_lake_limits():
    # TP target III: 0.05 for lakes and reservoirs; R = (12·0.05 - 6·0.04)/6 = 0.06
    prior = prior_months("R1", "tp", 0.058)
    result = early_warning(monthly("R1", "tp", [0.04] * 6), prior, pd.Series({"R1": 3}), pd.Series({"R1": "reservoir"}))
    r = row(result, "R1", "tp")
    assert r["limit"] == 0.05
    assert r["allowed_remaining_mean"] == pytest.approx(0.06)
    assert r["status"] == "watch"


def test_ph_is_checked_against_both_ends():
    # pH 8.8 for 6 months: upper R = (12·9 - 52.8)/6 = 9.2, lower R = (12·6 - 52.8)/6 = 3.2;
    # E = 8.9 is within 10 % below 9.2 → watch on the upper end; the lower end is ok
    result = early_warning(monthly("S1", "ph", [8.8] * 6), prior_months("S1", "ph", 8.9), pd.Series({"S1": 3}), RIVER)
    r = row(result, "S1", "ph")
    assert len(result) == 1
    assert r["direction"] == "max"
    assert r["allowed_remaining_mean"] == pytest.approx(9.2)
    assert r["status"] == "watch"


def test_only_the_21_items_of_the_2011_method():
    ytd = pd.concat(
        [
            monthly("S1", "tn", [5.0] * 6),
            monthly("S1", "fecal_coliform", [90000.0] * 6),
            monthly("S1", "water_temp", [20.0] * 6),
            monthly("S1", "conductivity", [900.0] * 6),
            monthly("S1", "nh3n", [0.5] * 6),
        ]
    )
    result = early_warning(ytd, NO_PRIOR, pd.Series({"S1": 3}), RIVER)
    assert result["parameter"].tolist() == ["nh3n"]


def test_section_status_is_the_worst_item_and_summary_lists_items_at_risk():
    ytd = pd.concat(
        [
            monthly("S1", "tp", [0.25] * 6),  # at risk, fall 1 - 0.15/0.22
            monthly("S1", "nh3n", [1.2] * 6),  # R = (12 - 7.2)/6 = 0.8; E 1.0 → at risk, fall 0.2
            monthly("S1", "cod", [10.0] * 6),  # ok
            monthly("S2", "cod", [10.0] * 6),  # ok
        ]
    )
    prior = pd.concat([prior_months("S1", "tp", 0.22), prior_months("S1", "nh3n", 1.0)])
    result = early_warning(ytd, prior, pd.Series({"S1": 3, "S2": 3}), RIVER)
    s1 = result[result["section_id"] == "S1"]
    assert s1["parameter"].tolist() == ["tp", "nh3n", "cod"]  # worst first, then larger fall
    assert set(s1["section_status"]) == {"at_risk"}
    assert row(result, "S2", "cod")["section_status"] == "ok"
    summary = section_warnings(result)
    assert summary.loc["S1", "status"] == "at_risk"
    assert summary.loc["S1", "items_at_risk"] == "tp,nh3n"
    assert summary.loc["S1", "max_required_change"] == pytest.approx(1 - 0.15 / 0.22)
    assert summary.loc["S2", "status_en"] == "on track"
    assert summary.loc["S2", "items_at_risk"] == ""


def test_several_values_in_a_month_are_averaged():
    # two January samples 0.2 and 0.4 → January mean 0.3; R = (12·0.2 - 0.3)/11
    ytd = monthly("S1", "tp", [0.2, 0.4], months=[1, 1])
    result = early_warning(ytd, NO_PRIOR, pd.Series({"S1": 3}), RIVER)
    r = row(result, "S1", "tp")
    assert r["months_observed"] == 1
    assert r["allowed_remaining_mean"] == pytest.approx((2.4 - 0.3) / 11)


def test_bad_input_is_refused_with_bilingual_messages():
    ytd = monthly("S1", "tp", [0.1] * 3)
    with pytest.raises(ValueError, match="target class"):
        early_warning(ytd, NO_PRIOR, pd.Series({"S9": 3}), RIVER)
    with pytest.raises(ValueError, match="水质目标须为1-5"):
        early_warning(ytd, NO_PRIOR, pd.Series({"S1": 6}), RIVER)
    with pytest.raises(ValueError, match="water bod"):
        early_warning(ytd, NO_PRIOR, pd.Series({"S1": 3}), pd.Series({"S1": "sea"}))
    with pytest.raises(ValueError, match="months must be"):
        early_warning(monthly("S1", "tp", [0.1], months=[13]), NO_PRIOR, pd.Series({"S1": 3}), RIVER)
    with pytest.raises(ValueError, match="lacks columns"):
        early_warning(ytd.drop(columns="month"), NO_PRIOR, pd.Series({"S1": 3}), RIVER)
    with pytest.raises(ValueError, match="as_of_month"):
        early_warning(ytd, NO_PRIOR, pd.Series({"S1": 3}), RIVER, as_of_month=2)
    with pytest.raises(ValueError, match="margin"):
        early_warning(ytd, NO_PRIOR, pd.Series({"S1": 3}), RIVER, margin=1.5)


def test_without_prior_years_the_year_to_date_mean_is_expected() -> None:
    """TP 0.25 for six months, target III (0.2): R = (12·0.2 − 1.5)/6 = 0.15 < E = 0.25 → at risk."""
    ytd = pd.DataFrame({"section_id": ["S"] * 6, "month": range(1, 7), "parameter": ["tp"] * 6, "value": [0.25] * 6})
    row = early_warning(ytd, pd.DataFrame(), pd.Series({"S": 3}), pd.Series({"S": "river"})).iloc[0]
    assert row["allowed_remaining_mean"] == pytest.approx(0.15)
    assert row["expected_from"] == "ytd" and row["expected_remaining_mean"] == pytest.approx(0.25)
    assert row["status"] == "at_risk"
