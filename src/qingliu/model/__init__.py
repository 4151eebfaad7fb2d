"""Domain model (DESIGN.md §1): the canonical tables and the river network.

- :mod:`qingliu.model.tables`: one declaration per canonical table (columns, units, keys,
  references), the single source of column names; units are listed in docs/units.md.
- :mod:`qingliu.model.network`: :class:`RiverNetwork`, the node graph as index arrays.
"""

from qingliu.model.network import NetworkError, RiverNetwork
from qingliu.model.tables import (
    COUNTY,
    COUNTY_YEAR,
    FLAGS,
    FLOW_DAILY,
    NODE,
    NODE_KINDS,
    ORIGINS,
    PROJECT,
    PROJECT_CATEGORIES,
    PROJECT_STATUSES,
    RESERVOIR,
    SECTION,
    SECTION_LEVELS,
    SECTORS,
    SOURCE,
    SOURCE_KINDS,
    STATION,
    TABLES,
    WATER_BODIES,
    WATER_USE,
    WQ_SAMPLE,
    Column,
    Reference,
    Table,
)

__all__ = [
    "COUNTY",
    "COUNTY_YEAR",
    "FLAGS",
    "FLOW_DAILY",
    "NODE",
    "NODE_KINDS",
    "ORIGINS",
    "PROJECT",
    "PROJECT_CATEGORIES",
    "PROJECT_STATUSES",
    "RESERVOIR",
    "SECTION",
    "SECTION_LEVELS",
    "SECTORS",
    "SOURCE",
    "SOURCE_KINDS",
    "STATION",
    "TABLES",
    "WATER_BODIES",
    "WATER_USE",
    "WQ_SAMPLE",
    "Column",
    "NetworkError",
    "Reference",
    "RiverNetwork",
    "Table",
]
