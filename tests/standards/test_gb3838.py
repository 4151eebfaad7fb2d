"""gb3838_2002.toml against GB 3838-2002 Table 1 and Table 2.

The expected values were typed by hand from the table as printed in
../shared/reference/standards.md §1 (seen in a copy of the official text, [C:S1]); they are not
read from the TOML file.
"""

from __future__ import annotations

import pytest

from qingliu.standards import catalogue, load_toml

# Table 1 items 3-24 with ordered class limits I, II, III, IV, V (mg/L; fecal coliform 个/L).
# "min": the value must be at least the limit (DO); "max": at most the limit.
TABLE_1 = {
    "do": ("min", [7.5, 6, 5, 3, 2]),
    "codmn": ("max", [2, 4, 6, 10, 15]),
    "cod": ("max", [15, 15, 20, 30, 40]),
    "bod5": ("max", [3, 3, 4, 6, 10]),
    "nh3n": ("max", [0.15, 0.5, 1.0, 1.5, 2.0]),
    "tp": ("max", [0.02, 0.1, 0.2, 0.3, 0.4]),
    "tn": ("max", [0.2, 0.5, 1.0, 1.5, 2.0]),
    "cu": ("max", [0.01, 1.0, 1.0, 1.0, 1.0]),
    "zn": ("max", [0.05, 1.0, 1.0, 2.0, 2.0]),
    "fluoride": ("max", [1.0, 1.0, 1.0, 1.5, 1.5]),
    "se": ("max", [0.01, 0.01, 0.01, 0.02, 0.02]),
    "as": ("max", [0.05, 0.05, 0.05, 0.1, 0.1]),
    "hg": ("max", [0.00005, 0.00005, 0.0001, 0.001, 0.001]),
    "cd": ("max", [0.001, 0.005, 0.005, 0.005, 0.01]),
    "cr6": ("max", [0.01, 0.05, 0.05, 0.05, 0.1]),
    "pb": ("max", [0.01, 0.01, 0.05, 0.05, 0.1]),
    "cyanide": ("max", [0.005, 0.05, 0.2, 0.2, 0.2]),
    "phenol": ("max", [0.002, 0.002, 0.005, 0.01, 0.1]),
    "petroleum": ("max", [0.05, 0.05, 0.05, 0.5, 1.0]),
    "las": ("max", [0.2, 0.2, 0.2, 0.3, 0.3]),
    "sulfide": ("max", [0.05, 0.1, 0.2, 0.5, 1.0]),
    "fecal_coliform": ("max", [200, 2000, 10000, 20000, 40000]),
}
TP_LAKES_AND_RESERVOIRS = [0.01, 0.025, 0.05, 0.1, 0.2]  # item 8, 湖、库
TABLE_2 = {"sulfate": 250, "chloride": 250, "nitrate_n": 10, "fe": 0.3, "mn": 0.1}


@pytest.fixture(scope="module")
def gb3838() -> dict:
    return load_toml("gb3838_2002")


def test_meta(gb3838: dict) -> None:
    meta = gb3838["meta"]
    assert meta["standard"] == "GB 3838-2002"
    assert meta["classes"] == ["I", "II", "III", "IV", "V"]
    assert meta["worse_than_v"] == "劣V"


def test_all_24_items_are_covered(gb3838: dict) -> None:
    # Item 1 (water temperature) is a rule on human-caused change, with no class limits;
    # item 2 (pH) is a range; items 3-24 have five class limits each.
    assert "water_temp" not in gb3838["limits"]
    assert set(gb3838["limits"]) == {"ph", *TABLE_1}
    assert len(TABLE_1) + 2 == 24


@pytest.mark.parametrize("code", list(TABLE_1))
def test_class_limits(gb3838: dict, code: str) -> None:
    direction, values = TABLE_1[code]
    row = gb3838["limits"][code]
    assert row["direction"] == direction
    assert row["values"] == pytest.approx(values, rel=1e-12)


def test_ph_range(gb3838: dict) -> None:
    assert gb3838["limits"]["ph"] == {"direction": "range", "low": 6.0, "high": 9.0}


def test_tp_lake_row(gb3838: dict) -> None:
    assert gb3838["limits"]["tp"]["lake"] == pytest.approx(TP_LAKES_AND_RESERVOIRS, rel=1e-12)
    # no other item has a separate lake row in Table 1
    assert [code for code, row in gb3838["limits"].items() if "lake" in row] == ["tp"]


@pytest.mark.parametrize("code", list(TABLE_1))
def test_limits_monotone_from_class_i_to_v(gb3838: dict, code: str) -> None:
    row = gb3838["limits"][code]
    for values in (row["values"], row.get("lake", row["values"])):
        assert len(values) == 5
        pairs = list(zip(values[:-1], values[1:], strict=True))
        if row["direction"] == "max":  # upper bounds relax from class I to V
            assert all(a <= b for a, b in pairs) and values[0] < values[-1]
        else:  # lower bounds (DO) relax downwards
            assert all(a >= b for a, b in pairs) and values[0] > values[-1]


def test_table_2_supplementary_items(gb3838: dict) -> None:
    assert gb3838["supplementary"] == pytest.approx(TABLE_2, rel=1e-12)


def test_every_item_is_in_the_catalogue(gb3838: dict) -> None:
    items = {code: p.item for code, p in catalogue().items()}
    table_1_order = ["ph", *TABLE_1]
    assert [items[code] for code in table_1_order] == [str(n) for n in range(2, 25)]
    assert [items[code] for code in TABLE_2] == [f"T2-{n}" for n in range(1, 6)]
    assert catalogue()["fecal_coliform"].unit == "个/L"
