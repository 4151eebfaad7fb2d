"""GB 3838-2002 Table 1 class limits as arrays, loaded from ``gb3838_2002.toml``.

The arrays are laid out for vectorised classification: one row per item, one column per class
(I..V). Items with a range rule (pH) and items with no class limits (water temperature) are
kept apart, since they are not compared against five ordered limits.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from qingliu.standards.loader import load_toml


@dataclass(frozen=True)
class ClassLimits:
    """Class limits of a surface-water standard.

    Attributes
    ----------
    standard : the standard's designation, e.g. ``"GB 3838-2002"``.
    codes : item codes with ordered class limits (every ``direction`` "max" or "min" row).
    upper : bool array, True where the limit is an upper bound (value <= limit), False for a
        lower bound (DO: value >= limit).
    river : float array (items, 5), limits of classes I..V for rivers.
    lake : float array (items, 5), limits for lakes and reservoirs (same as ``river`` except
        where the standard gives a lake row, i.e. TP).
    range_items : {code: (low, high)} items that must lie in a range for every class (pH).
    labels : class labels I..V followed by the label of worse than V (劣V).
    """

    standard: str
    codes: tuple[str, ...]
    upper: np.ndarray
    river: np.ndarray
    lake: np.ndarray
    range_items: dict[str, tuple[float, float]]
    labels: tuple[str, ...]

    def row(self, code: str) -> int:
        """Position of ``code`` in :attr:`codes` (KeyError if the item has no class limits)."""
        try:
            return self.codes.index(code)
        except ValueError:
            raise KeyError(f"{self.standard} has no class limits for {code!r}") from None

    def limit(self, code: str, klass: int, *, lake: bool = False) -> float:
        """Limit of class ``klass`` (1-5) for ``code``."""
        table = self.lake if lake else self.river
        return float(table[self.row(code), klass - 1])


@cache
def load_class_limits(name: str = "gb3838_2002") -> ClassLimits:
    """Load a standard's class limits (default GB 3838-2002 Table 1)."""
    data = load_toml(name)
    meta, limits = data["meta"], data["limits"]
    ordered = {c: r for c, r in limits.items() if r["direction"] in ("max", "min")}
    river = np.array([r["values"] for r in ordered.values()], dtype=float)
    lake = np.array([r.get("lake", r["values"]) for r in ordered.values()], dtype=float)
    for arr in (river, lake):
        arr.setflags(write=False)
    upper = np.array([r["direction"] == "max" for r in ordered.values()])
    upper.setflags(write=False)
    ranges = {c: (float(r["low"]), float(r["high"])) for c, r in limits.items() if r["direction"] == "range"}
    return ClassLimits(
        standard=meta["standard"],
        codes=tuple(ordered),
        upper=upper,
        river=river,
        lake=lake,
        range_items=ranges,
        labels=(*meta["classes"], meta["worse_than_v"]),
    )
