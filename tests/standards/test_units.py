"""Unit conversion factors (units.toml, unit_factor); expected factors from the SI definitions."""

from __future__ import annotations

import pytest

from qingliu.standards import UnitError, unit_factor


@pytest.mark.parametrize(
    ("unit", "target", "dimension", "factor"),
    [
        ("µg/L", "mg/L", "mass_concentration", 0.001),  # micro sign U+00B5
        ("μg/L", "mg/L", "mass_concentration", 0.001),  # Greek mu U+03BC
        ("ug/L", "mg/L", "mass_concentration", 0.001),
        ("ＵＧ／Ｌ", "mg/L", "mass_concentration", 0.001),  # full-width
        ("µg/L", "mg/m3", "mass_concentration", 1.0),
        ("mg/m³", "mg/L", "mass_concentration", 0.001),
        ("mg/L", "µg/L", "mass_concentration", 1000.0),
        ("g/m3", "mg/L", "mass_concentration", 1.0),
        ("ng/L", "mg/L", "mass_concentration", 1e-6),
        ("MG / L", "mg/L", "mass_concentration", 1.0),
        ("MPN/100mL", "个/L", "count_concentration", 10.0),
        ("cfu/100mL", "个/L", "count_concentration", 10.0),
        ("個/L", "个/L", "count_concentration", 1.0),
        ("℃", "°C", "temperature", 1.0),
        ("ntu", "NTU", "turbidity", 1.0),
        ("mS/m", "µS/cm", "conductivity", 10.0),
        ("mS/cm", "uS/cm", "conductivity", 1000.0),
        ("cm", "m", "length", 0.01),
        ("L/s", "m3/s", "flow", 0.001),
        ("ft3/s", "m3/s", "flow", 0.3048**3),  # international foot = 0.3048 m exactly
        ("亿m3", "1e4 m3", "volume", 1e4),
        ("m3", "万m3", "volume", 1e-4),
    ],
)
def test_factors(unit: str, target: str, dimension: str, factor: float) -> None:
    assert unit_factor(unit, target, dimension) == pytest.approx(factor, rel=1e-12)


@pytest.mark.parametrize(
    ("unit", "target", "dimension"),
    [("µg/L", "mg/m3", "mass_concentration"), ("MPN/100mL", "个/L", "count_concentration"), ("亿m3", "m3", "volume")],
)
def test_round_trip(unit: str, target: str, dimension: str) -> None:
    assert unit_factor(unit, target, dimension) * unit_factor(target, unit, dimension) == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("unit", "target", "dimension"),
    [
        ("个/L", "mg/L", "mass_concentration"),  # a count is not a mass
        ("mg/L", "个/L", "count_concentration"),
        ("mg/L", "m3/s", "flow"),
        ("furlong", "m", "length"),
        ("mg/L", "mg/L", "no_such_dimension"),
    ],
)
def test_impossible_conversions_raise(unit: str, target: str, dimension: str) -> None:
    with pytest.raises(UnitError) as err:
        unit_factor(unit, target, dimension)
    message = str(err.value)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message)  # Chinese and English
    assert (unit in message) if dimension != "no_such_dimension" else (dimension in message)


def test_unit_error_is_a_value_error() -> None:
    assert issubclass(UnitError, ValueError)
