"""Water-use accounting, efficiency indicators and the red lines, on hand-made frames whose
answers are worked out in the comments (units: 1e4 m3, 1e4 yuan, persons)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from qingliu.assess.resources import (
    CITY,
    efficiency,
    load_red_lines,
    progress,
    red_line_status,
    water_account,
)


def use_rows(county: str, year: int, **volumes: float) -> list[dict]:
    """``sector_origin=volume`` keyword pairs -> water_use rows."""
    rows = []
    for key, volume in volumes.items():
        sector, origin = key.split("_")
        rows.append({"county_id": county, "year": year, "sector": sector, "origin": origin, "volume": volume})
    return rows


def county_years(*rows: tuple) -> pd.DataFrame:
    columns = [
        "county_id",
        "year",
        "population",
        "urban_population",
        "gdp_1e4yuan",
        "industry_value_1e4yuan",
        "irrigated_area_mu",
        "water_quota_1e4m3",
        "groundwater_quota_1e4m3",
    ]
    return pd.DataFrame(list(rows), columns=columns)


@pytest.fixture
def two_counties() -> tuple[pd.DataFrame, pd.DataFrame]:
    """County A: the bundled 榆社 2025 sector totals (791.6 + 465.7 + 428.4 + 186.3 = 1872.0,
    its quota exactly); county B: 100 over its quota, no groundwater quota."""
    use = pd.DataFrame(
        use_rows(
            "A",
            2025,
            agriculture_surface=791.6,
            industry_ground=465.7,
            domestic_ground=428.4,
            ecological_reclaimed=186.3,
        )
        + use_rows("B", 2025, agriculture_surface=600.0, agriculture_transfer=200.0, industry_surface=300.0)
    )
    cy = county_years(
        ("A", 2025, 1e5, 5e4, 1e6, 3e5, 1e4, 1872.0, 900.0), ("B", 2025, 2e5, 1e5, 2e6, 5e5, 2e4, 1000.0, np.nan)
    )
    return use, cy


def test_account_sums_by_sector_and_origin(two_counties) -> None:
    use, cy = two_counties
    table = water_account(use, cy).set_index("county_id")
    a, b, city = table.loc["A"], table.loc["B"], table.loc[CITY]
    assert a["total_use"] == pytest.approx(1872.0)
    assert a["use_ground"] == pytest.approx(465.7 + 428.4)
    assert a["use_reclaimed"] == pytest.approx(186.3)
    assert b["use_agriculture"] == pytest.approx(800.0)
    assert b["use_transfer"] == pytest.approx(200.0)
    assert b["use_ground"] == 0.0
    assert city["total_use"] == pytest.approx(1872.0 + 1100.0)
    assert city["water_quota"] == pytest.approx(2872.0)


def test_quota_boundary_is_within_and_missing_quota_is_not_assessed(two_counties) -> None:
    """Use equal to the quota meets it (用水总量 "以下" includes the number), even when the
    decimal sum differs from 1872.0 in the last binary digit; 1100 > 1000 does not; no
    groundwater quota gives NA, and the city has no groundwater quota then either."""
    use, cy = two_counties
    table = water_account(use, cy).set_index("county_id")
    assert bool(table.loc["A", "within_quota"]) is True
    assert table.loc["A", "quota_ratio"] == pytest.approx(1.0)
    assert bool(table.loc["B", "within_quota"]) is False
    assert table.loc["B", "quota_ratio"] == pytest.approx(1.1)
    assert bool(table.loc["A", "within_groundwater_quota"]) is True
    assert pd.isna(table.loc["B", "within_groundwater_quota"])
    assert np.isnan(table.loc[CITY, "groundwater_quota"])


def test_account_keeps_only_the_years_asked(two_counties) -> None:
    use, cy = two_counties
    more = pd.concat([use, pd.DataFrame(use_rows("A", 2024, industry_surface=10.0))], ignore_index=True)
    assert set(water_account(more, cy, 2024)["year"]) == {2024}
    assert set(water_account(more, cy)["year"]) == {2024, 2025}


@pytest.fixture
def growth() -> tuple[pd.DataFrame, pd.DataFrame]:
    """One county, 2020 and 2021:
    2020: total 1000 (industry 400, domestic 365, agriculture 185 of which 50 reclaimed,
          ecological 50),
          GDP 200 000, industry value 100 000, population 100 000, price index 1.0;
    2021: total 900 (industry 300, domestic 365, agriculture 235), GDP 330 000 at 2021 prices
          with price index 1.1 -> 300 000 at 2020 prices; industry value 132 000 -> 120 000.
    """
    use = pd.DataFrame(
        use_rows(
            "A",
            2020,
            industry_surface=400.0,
            domestic_ground=365.0,
            agriculture_surface=135.0,
            agriculture_reclaimed=50.0,
            ecological_surface=50.0,
        )
        + use_rows("A", 2021, industry_surface=300.0, domestic_ground=365.0, agriculture_surface=235.0)
    )
    cy = county_years(
        ("A", 2020, 1e5, np.nan, 2e5, 1e5, 1e4, 2000.0, 800.0),
        ("A", 2021, 1e5, np.nan, 3.3e5, 1.32e5, 1e4, 2000.0, 800.0),
    )
    return use, cy


def test_efficiency_indicators_by_hand(growth) -> None:
    """2020: 1000e4 m3 / 200 000e4 yuan = 50 m3 per 1e4 yuan; industry 400e4 / 100 000e4 = 40;
    domestic 365e4 m3 = 3.65e9 L over 1e5 persons and 366 days (2020 is a leap year)
    = 99.73 L/(person*d); reclaimed 50 / 1000 = 5 %."""
    use, cy = growth
    table = efficiency(use, cy, base_year=2020).set_index(["county_id", "year"])
    row = table.loc[("A", 2020)]
    assert row["gdp_intensity"] == pytest.approx(50.0)
    assert row["industry_intensity"] == pytest.approx(40.0)
    assert row["domestic_per_capita"] == pytest.approx(3.65e9 / 1e5 / 366)
    assert row["reclaimed_share"] == pytest.approx(5.0)
    assert row["gdp_intensity_decline"] == pytest.approx(0.0)
    assert np.isnan(row["irrigation_coefficient"])


def test_decline_at_comparable_prices(growth) -> None:
    """With the 2021 price level 1.1: GDP 300 000 at 2020 prices, 900e4 m3 / 300 000e4 yuan =
    30, a decline of (50 - 30) / 50 = 40 %; industry 300e4 / 120 000e4 = 25, (40 - 25) / 40 =
    37.5 %. Without the deflator, nominal GDP: 900 / 330 000e4 ... = 27.27, decline 45.45 %."""
    use, cy = growth
    deflator = pd.DataFrame({"year": [2020, 2021], "price_index": [1.0, 1.1]})
    table = efficiency(use, cy, base_year=2020, deflator=deflator).set_index(["county_id", "year"])
    assert table.loc[("A", 2021), "gdp_intensity"] == pytest.approx(30.0)
    assert table.loc[("A", 2021), "gdp_intensity_decline"] == pytest.approx(40.0)
    assert table.loc[("A", 2021), "industry_intensity_decline"] == pytest.approx(37.5)
    nominal = efficiency(use, cy, base_year=2020).set_index(["county_id", "year"])
    assert nominal.loc[("A", 2021), "gdp_intensity_decline"] == pytest.approx(100 * (50 - 9e6 / 3.3e5) / 50)


def test_irrigation_coefficient_is_taken_as_measured(growth) -> None:
    use, cy = growth
    measured = pd.DataFrame({"county_id": ["A"], "year": [2021], "irrigation_coefficient": [0.57]})
    table = efficiency(use, cy, base_year=2020, irrigation=measured).set_index(["county_id", "year"])
    assert table.loc[("A", 2021), "irrigation_coefficient"] == 0.57
    assert np.isnan(table.loc[("A", 2020), "irrigation_coefficient"])


def test_milestones_apply_to_the_years_up_to_them() -> None:
    """国发〔2012〕3号: 2030 industry intensity <= 40 m3 [C:S17]; the 2020 milestone covers
    2016-2020, 2030 the years after 2025 and later."""
    lines = load_red_lines()
    assert lines.milestone(2016)["year"] == 2020
    assert lines.milestone(2020)["year"] == 2020
    assert lines.milestone(2021)["year"] == 2025
    assert lines.milestone(2035)["year"] == 2030
    assert lines.milestone(2030)["industry_intensity"] == 40.0
    assert lines.milestone(2030)["irrigation_coefficient"] == 0.6
    # targets being worked toward: each indicator from the first milestone in or after the
    # year that sets it (2025 sets no zone compliance: the 2030 one, 95 %)
    values, years = lines.goal(2025)
    assert (values["irrigation_coefficient"], years["irrigation_coefficient"]) == (0.58, 2025)
    assert (values["zone_compliance"], years["zone_compliance"]) == (95.0, 2030)
    assert values["base_year"] == 2020
    values, years = lines.goal(2040)
    assert (values["industry_intensity"], years["industry_intensity"]) == (40.0, 2030)


def test_red_lines_at_their_boundaries(growth) -> None:
    """Targets met when equal ("以上/以下" include the number): industry intensity 25 against
    a limit of 25 is met, 24.99 is not needed; irrigation coefficient 0.58 against 0.58 met,
    0.5799 not; decline 40 % against 40 met, against 40.01 not."""
    use, cy = growth
    deflator = pd.DataFrame({"year": [2020, 2021], "price_index": [1.0, 1.1]})
    measured = pd.DataFrame({"county_id": ["A", "A"], "year": [2020, 2021], "irrigation_coefficient": [0.5, 0.58]})
    indicators = efficiency(use, cy, base_year=2020, deflator=deflator, irrigation=measured)
    account = water_account(use, cy)

    def status(**targets: float) -> pd.Series:
        table = red_line_status(account, indicators, 2021, targets={"base_year": 2020, **targets})
        return table[table["county_id"] == "A"].set_index("indicator")

    on = status(industry_intensity=25.0, irrigation_coefficient=0.58, gdp_intensity_decline=40.0)
    assert bool(on.loc["industry_intensity", "met"]) and bool(on.loc["irrigation_coefficient", "met"])
    assert bool(on.loc["gdp_intensity_decline", "met"])
    off = status(industry_intensity=24.99, irrigation_coefficient=0.5801, gdp_intensity_decline=40.01)
    assert not off.loc["industry_intensity", "met"]
    assert not off.loc["irrigation_coefficient", "met"]
    assert not off.loc["gdp_intensity_decline", "met"]
    # progress from base to target: coefficient 0.5 -> 0.58 of the way to 0.58 = 1
    assert on.loc["irrigation_coefficient", "progress"] == pytest.approx(1.0)
    assert on.loc["gdp_intensity_decline", "progress"] == pytest.approx(1.0)
    assert bool(on.loc["total_use", "met"])  # 900 <= 2000


def test_red_line_of_2025_uses_the_national_decline_targets(growth) -> None:
    """Without targets the 2025 milestone applies (十四五: -16 % against 2020 [M]); a missing
    zone compliance target or value leaves that indicator out or NA."""
    use, cy = growth
    indicators = efficiency(use, cy, base_year=2020)
    table = red_line_status(water_account(use, cy), indicators, 2021).set_index(["county_id", "indicator"])
    assert table.loc[("A", "gdp_intensity_decline"), "target"] == 16.0
    assert table.loc[("A", "gdp_intensity_decline"), "value"] == pytest.approx(100 * (50 - 9e6 / 3.3e5) / 50)
    zones = pd.DataFrame({"county_id": ["A"], "year": [2021], "zone_compliance": [85.0]})
    with_zones = red_line_status(
        water_account(use, cy), indicators, 2021, zone_compliance=zones, targets={"zone_compliance": 85.0}
    )
    row = with_zones.set_index(["county_id", "indicator"]).loc[("A", "zone_compliance")]
    assert bool(row["met"]) and row["name_zh"] == "水功能区水质达标率"


def test_progress_formula() -> None:
    """(v - v0) / (T - v0): halfway from 50 down to 30 is 40 -> 0.5; reaching it -> 1; a target
    equal to the base has no way to go (NaN)."""
    np.testing.assert_allclose(progress([40.0, 30.0, 55.0], 50.0, 30.0), [0.5, 1.0, -0.25])
    assert np.isnan(progress(1.0, 2.0, 2.0))
