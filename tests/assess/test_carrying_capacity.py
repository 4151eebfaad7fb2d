"""Carrying-capacity statuses at the thresholds of the 2016 technical outline, and 四水四定 on
a hand example."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from qingliu.assess.carrying_capacity import (
    NOT_ASSESSED,
    Quotas,
    carrying_capacity,
    four_water_four_fix,
    load_capacity_rules,
    load_quotas,
    overdraft_status,
    overload_status,
)

# 不超载 0, 临界 1, 超载 2, 严重超载 3


def test_total_use_thresholds_belong_to_the_worse_status() -> None:
    """W < 0.9W0 不超载; 0.9W0 <= W < W0 临界; W0 <= W < 1.2W0 超载; W >= 1.2W0 严重超载."""
    ratios = [0.0, 0.8999, 0.9, 0.95, 0.9999, 1.0, 1.1999, 1.2, 2.0, np.nan]
    np.testing.assert_array_equal(overload_status(ratios, "total_use"), [0, 0, 1, 1, 1, 2, 2, 3, 3, NOT_ASSESSED])
    np.testing.assert_array_equal(overload_status(ratios, "groundwater"), [0, 0, 1, 1, 1, 2, 2, 3, 3, NOT_ASSESSED])


def test_rounding_does_not_move_a_boundary() -> None:
    """0.3 + 0.6 = 0.8999999999999999 in binary floating point: still on the 0.9 threshold."""
    assert overload_status(0.3 + 0.6, "total_use") == 1
    assert overload_status(1.2 * (1 - 1e-12), "total_use") == 3


def test_quality_thresholds_lower_is_worse() -> None:
    """Q <= 0.4Q0 严重超载; 0.4Q0 < Q <= 0.8Q0 超载; 0.8Q0 < Q <= 0.9Q0 临界; Q > 0.9Q0 不超载."""
    ratios = [0.0, 0.4, 0.4001, 0.8, 0.8001, 0.9, 0.9001, 1.2]
    np.testing.assert_array_equal(overload_status(ratios, "quality"), [3, 3, 2, 2, 1, 1, 0, 0])


def test_overdraft_criteria() -> None:
    """Over-extraction coefficient >= 0.3 严重超载, 0 < c < 0.3 超载; deep confined pumping or
    geo-hazards 严重超载 whatever the coefficient."""
    np.testing.assert_array_equal(overdraft_status([0.0, 0.01, 0.2999, 0.3, np.nan]), [0, 2, 2, 3, 0])
    np.testing.assert_array_equal(
        overdraft_status([0.0, 0.0], deep_confined=[True, False], geohazard=[False, True]), [3, 3]
    )


def test_statuses_combine_to_the_worse() -> None:
    """County X: total 0.95 (临界), groundwater 1.25 (严重超载), quality 70 % of 80 % =
    0.875 (临界) -> quantity 严重超载, overall 严重超载. County Y: total 0.5, groundwater 0.5,
    no quality value -> overall = quantity = 不超载. County Z: no quotas at all -> not
    assessed."""
    account = pd.DataFrame(
        {
            "county_id": ["X", "Y", "Z"],
            "year": 2025,
            "quota_ratio": [0.95, 0.5, np.nan],
            "groundwater_ratio": [1.25, 0.5, np.nan],
        }
    )
    zones = pd.DataFrame({"county_id": ["X"], "year": [2025], "zone_compliance": [70.0]})
    table = carrying_capacity(account, zone_compliance=zones, zone_target=80.0).set_index("county_id")
    assert table.loc["X", "quality_ratio"] == pytest.approx(0.875)
    assert list(
        table.loc[
            "X", ["total_use_status", "groundwater_status", "quality_status", "quantity_status", "overall_status"]
        ]
    ) == [1, 3, 1, 3, 3]
    assert table.loc["X", "overall_zh"] == "严重超载"
    assert table.loc["Y", "overall_status"] == 0 and table.loc["Y", "quality_zh"] == "未评价"
    assert table.loc["Z", "overall_status"] == NOT_ASSESSED and table.loc["Z", "overall_en"] == "not assessed"


def test_overdraft_raises_the_groundwater_status() -> None:
    account = pd.DataFrame({"county_id": ["X"], "year": [2025], "quota_ratio": [0.5], "groundwater_ratio": [0.5]})
    extra = pd.DataFrame({"county_id": ["X"], "year": [2025], "overdraft_coefficient": [0.1]})
    assert carrying_capacity(account, groundwater=extra)["groundwater_status"].iloc[0] == 2


def test_rules_file_states_its_source_and_words() -> None:
    rules = load_capacity_rules()
    assert rules.zh == ("不超载", "临界状态", "超载", "严重超载")
    assert "承载能力" in rules.document


QUOTAS = Quotas(
    urban_l_per_person_day=100.0, rural_l_per_person_day=60.0, irrigation_m3_per_mu=200.0, industry_m3_per_1e4yuan=40.0
)


def test_four_water_four_fix_by_hand() -> None:
    """County U (2021, 365 days), all urban: 100 L/(person*d) -> 100 x 365 / 1e7 = 0.00365
    (1e4 m3 per person a year); 200 m3/mu -> 0.02; 40 m3 per 1e4 yuan -> 0.004.
    Today: 100 000 persons, 10 000 mu, 50 000 (1e4 yuan); use domestic 365, agriculture 200,
    industry 200, ecological 35 = 800. Available 1600 = twice today's use, shared alike:
    domestic 730 -> 200 000 persons (+100 000), agriculture 400 -> 20 000 mu (+10 000),
    industry 400 -> 100 000 (1e4 yuan) (+50 000). Demand at the quotas: 365 + 200 + 200 + 35
    = 800, so the carrying ratio is 2.
    County R: half rural -> 80 L/(person*d) -> 0.00292 per person; same use, available 400 =
    half: domestic 182.5 -> 62 500 persons (-37 500, a deficit)."""
    cy = pd.DataFrame(
        {
            "county_id": ["U", "R"],
            "year": 2021,
            "population": [1e5, 1e5],
            "urban_population": [1e5, 5e4],
            "irrigated_area_mu": [1e4, 1e4],
            "industry_value_1e4yuan": [5e4, 5e4],
        }
    )
    account = pd.DataFrame(
        {
            "county_id": ["U", "R"],
            "year": 2021,
            "use_domestic": [365.0, 365.0],
            "use_agriculture": [200.0, 200.0],
            "use_industry": [200.0, 200.0],
            "use_ecological": [35.0, 35.0],
        }
    )
    table = four_water_four_fix(pd.Series({"U": 1600.0, "R": 400.0}), cy, account, 2021, quotas=QUOTAS).set_index(
        "county_id"
    )
    u, r = table.loc["U"], table.loc["R"]
    assert u["population_supported"] == pytest.approx(2e5)
    assert u["population_headroom"] == pytest.approx(1e5)
    assert u["irrigated_area_mu_supported"] == pytest.approx(2e4)
    assert u["industry_value_supported"] == pytest.approx(1e5)
    assert u["demand_at_quota"] == pytest.approx(800.0)
    assert u["carrying_ratio"] == pytest.approx(2.0)
    assert r["population_supported"] == pytest.approx(182.5 / 0.00292)
    assert r["population_headroom"] == pytest.approx(182.5 / 0.00292 - 1e5)
    assert r["population_headroom"] < 0


def test_quota_file_values() -> None:
    """The industrial quota is the national 2030 red line, 40 m3 per 1e4 yuan (国发〔2012〕3号
    [C:S17]); the others are marked [M] in water_quotas.toml."""
    assert load_quotas().industry_m3_per_1e4yuan == 40.0
