"""Unit conversion factors (units.toml), used only at the import edge."""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from qingliu.standards.loader import load_toml


class UnitError(ValueError):
    """A unit that cannot be converted to the internal unit of its dimension."""


# ASCII "u" written for the micro prefix (ug/L, uS/cm), not the "u" inside NTU or CFU.
_ASCII_MICRO = re.compile(r"(?<![a-z])u(?=[gs])")


def _fold(unit: str) -> str:
    # NFKC maps full-width forms, "m³" to "m3", "℃" to "°C" and the micro sign to Greek mu.
    folded = unicodedata.normalize("NFKC", unit).casefold().replace(" ", "")
    return _ASCII_MICRO.sub("μ", folded)


@cache
def _factors() -> dict[str, dict[str, float]]:
    return {dim: {_fold(u): float(f) for u, f in units.items()} for dim, units in load_toml("units").items()}


def unit_factor(unit: str, target: str, dimension: str) -> float:
    """Factor that converts a value in ``unit`` to ``target``, both of ``dimension``.

    Raises :class:`UnitError` when either unit is unknown for that dimension (e.g. ``个/L``
    for a mass concentration).
    """
    table = _factors().get(dimension)
    if table is None:
        raise UnitError(f"未知量纲 {dimension!r} / unknown dimension {dimension!r}")
    try:
        return table[_fold(unit)] / table[_fold(target)]
    except KeyError as exc:
        raise UnitError(
            f"单位 {unit!r} 无法换算为 {target!r} / unit {unit!r} cannot be converted to {target!r}"
        ) from exc
