"""The parameter catalogue (parameters.toml) and header matching (lookup_parameter)."""

from __future__ import annotations

from collections import defaultdict

import pytest

from qingliu.standards import catalogue, load_toml, lookup_parameter, normalise_label, unit_factor

# Headers as they appear in monitoring spreadsheets and in GB 3838-2002 itself, with the code and
# the unit (folded: lower case, NFKC) that lookup_parameter should find. Typed by hand.
REAL_HEADERS = [
    ("高锰酸盐指数（mg/L）", "codmn", "mg/l"),
    ("NH3-N", "nh3n", None),
    ("氨氮(mg/L)", "nh3n", "mg/l"),
    ("氨氮（NH3-N）", "nh3n", None),
    ("氨氮(以N计)", "nh3n", None),
    ("總磷(以P計)", "tp", None),
    ("总磷（以P计）", "tp", None),
    ("总磷(以P计)(mg/L)", "tp", "mg/l"),
    ("总磷（以P计，mg/L）", "tp", "mg/l"),
    ("TP (mg/L)", "tp", "mg/l"),
    ("溶氧量(mg/L)", "do", "mg/l"),
    ("溶解氧(DO)", "do", None),
    ("DO", "do", None),
    ("pH(无量纲)", "ph", "无量纲"),
    ("pH值（无量纲）", "ph", "无量纲"),
    ("PH", "ph", None),
    ("水温（℃）", "water_temp", "°c"),
    ("电导率（μS/cm）", "conductivity", "μs/cm"),
    ("浊度（NTU）", "turbidity", "ntu"),
    ("Chl-a(μg/L)", "chla", "μg/l"),
    ("叶绿素a(mg/m³)", "chla", "mg/m3"),
    ("透明度(cm)", "sd", "cm"),
    ("CODMn", "codmn", None),
    ("高锰酸盐指数(CODMn)(mg/L)", "codmn", "mg/l"),
    ("CODcr", "cod", None),
    ("化学需氧量(COD)", "cod", None),
    ("BOD5", "bod5", None),
    ("五日生化需氧量（mg/L）", "bod5", "mg/l"),
    ("总氮（湖、库，以N计）", "tn", None),
    ("总氮(mg/L)", "tn", "mg/l"),
    ("铬（六价）", "cr6", None),
    ("六价铬", "cr6", None),
    ("氟化物（以F-计）", "fluoride", None),
    ("硫化物(以S2-计)", "sulfide", None),
    ("粪大肠菌群（个/L）", "fecal_coliform", "个/l"),
    ("粪大肠菌群(MPN/100mL)", "fecal_coliform", "mpn/100ml"),
    ("阴离子表面活性剂", "las", None),
    ("石油类", "petroleum", None),
    ("挥发酚", "phenol", None),
    ("Water Temperature", "water_temp", None),
    ("Total Phosphorus", "tp", None),
]

# Traditional-character headers (Taiwan / Hong Kong style and older reports).
TRADITIONAL = [
    ("總磷", "tp"),
    ("總氮(湖、庫，以N計)", "tn"),
    ("高錳酸鹽指數", "codmn"),
    ("化學需氧量", "cod"),
    ("糞大腸菌群(個/L)", "fecal_coliform"),
    ("揮發酚", "phenol"),
    ("陰離子表面活性劑", "las"),
    ("六價鉻", "cr6"),
    ("石油類", "petroleum"),
    ("水溫", "water_temp"),
    ("電導率", "conductivity"),
    ("濁度", "turbidity"),
    ("葉綠素a", "chla"),
    ("銅", "cu"),
    ("鋅", "zn"),
    ("鎘", "cd"),
    ("鉛", "pb"),
    ("硫酸鹽", "sulfate"),
    ("硝酸鹽氮", "nitrate_n"),
    ("鐵", "fe"),
    ("錳", "mn"),
]

# GB 3838-2002 Table 1, items 1-24 in the standard's order (DESIGN.md §2), typed by hand.
TABLE_1 = [
    "water_temp", "ph", "do", "codmn", "cod", "bod5", "nh3n", "tp", "tn", "cu", "zn", "fluoride",
    "se", "as", "hg", "cd", "cr6", "pb", "cyanide", "phenol", "petroleum", "las", "sulfide",
    "fecal_coliform",
]  # fmt: skip


@pytest.mark.parametrize(("header", "code", "unit"), REAL_HEADERS)
def test_real_headers(header: str, code: str, unit: str | None) -> None:
    found = lookup_parameter(header)
    assert found is not None, header
    parameter, found_unit = found
    assert (parameter.code, found_unit) == (code, unit)


@pytest.mark.parametrize(
    ("header", "factor"),
    [
        ("高锰酸盐指数（mg/L）", 1.0),
        ("Chl-a(μg/L)", 1.0),  # 1 µg/L = 1 mg/m3, chla's internal unit
        ("氨氮(μg/L)", 0.001),
        ("粪大肠菌群(MPN/100mL)", 10.0),
        ("透明度(cm)", 0.01),
        ("水温（℃）", 1.0),
        ("浊度（NTU）", 1.0),
        ("电导率(mS/m)", 10.0),  # 1 mS/m = 1000 µS / 100 cm
        ("pH(无量纲)", 1.0),
    ],
)
def test_header_unit_converts_to_internal_unit(header: str, factor: float) -> None:
    parameter, unit = lookup_parameter(header)
    assert unit_factor(unit, parameter.unit, parameter.dimension) == pytest.approx(factor, rel=1e-12)


@pytest.mark.parametrize(("header", "code"), TRADITIONAL)
def test_traditional_characters(header: str, code: str) -> None:
    found = lookup_parameter(header)
    assert found is not None, header
    assert found[0].code == code


@pytest.mark.parametrize(
    "header", ["", "备注", "断面名称", "监测时间", "总硬度", "氨", "(mg/L)", "COD2", "磷", "水温温度"]
)
def test_unknown_headers(header: str) -> None:
    assert lookup_parameter(header) is None


def test_full_width_and_spaces_are_folded() -> None:
    assert normalise_label("ＮＨ３－Ｎ") == normalise_label("nh3-n")
    assert lookup_parameter(" 总 磷 （ mg/L ） ")[0].code == "tp"


def test_catalogue_codes_are_unique() -> None:
    codes = [row["code"] for row in load_toml("parameters")["parameter"]]
    assert len(codes) == len(set(codes))
    assert list(catalogue()) == codes


def test_no_label_names_two_parameters() -> None:
    owners: dict[str, set[str]] = defaultdict(set)
    for p in catalogue().values():
        for label in (p.code, p.zh, p.en, *p.aliases):
            owners[normalise_label(label)].add(p.code)
    assert {label: codes for label, codes in owners.items() if len(codes) > 1} == {}


def test_every_label_finds_its_parameter() -> None:
    for p in catalogue().values():
        for label in (p.code, p.zh, p.en, *p.aliases):
            assert lookup_parameter(label) == (p, None), label


def test_table_1_items_in_order() -> None:
    table_1 = [p for p in catalogue().values() if p.item.isdigit() and p.item != "0"]
    assert [p.code for p in table_1] == TABLE_1
    assert [int(p.item) for p in table_1] == list(range(1, 25))


def test_internal_units() -> None:
    units = {code: p.unit for code, p in catalogue().items()}
    special = {"water_temp": "°C", "ph": "1", "fecal_coliform": "个/L", "chla": "mg/m3", "sd": "m",
               "conductivity": "µS/cm", "turbidity": "NTU"}  # fmt: skip
    assert {c: u for c, u in units.items() if u != "mg/L"} == special
    for p in catalogue().values():
        assert unit_factor(p.unit, p.unit, p.dimension) == 1.0
