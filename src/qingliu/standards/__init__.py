"""Standards as data (标准数据化): TOML tables with their sources, and their loaders.

Each ``*.toml`` file in this package is one standard or method; numbers never appear as
literals in code. Computations take the loaded standard as an argument, the national one
being the default.
"""

from qingliu.standards.gb3838 import ClassLimits, load_class_limits
from qingliu.standards.loader import load_toml
from qingliu.standards.parameters import (
    Parameter,
    catalogue,
    lookup_parameter,
    normalise_label,
)
from qingliu.standards.units import UnitError, unit_factor

__all__ = [
    "ClassLimits",
    "Parameter",
    "UnitError",
    "catalogue",
    "load_class_limits",
    "load_toml",
    "lookup_parameter",
    "normalise_label",
    "unit_factor",
]
