"""io layer (DESIGN.md §1): outside formats -> validated canonical frames, with bilingual problems.

``read_input(kind, path)`` reads one CSV/xlsx/Parquet file of an import kind (:data:`KINDS`)
and returns the canonical tables of :mod:`qingliu.model.tables`, or raises :class:`InputError`
listing every :class:`Problem` (file, row, column, reason in Chinese and English).
"""

from qingliu.io.problems import InputError, Problem
from qingliu.io.rdb import read_rdb
from qingliu.io.read import (
    KINDS,
    SERIES,
    read_input,
    read_raw,
    read_rows,
    read_sample_rows,
    read_series,
    read_table,
)
from qingliu.io.write import write_frame

__all__ = ["KINDS", "SERIES", "InputError", "Problem", "read_input", "read_raw", "read_rows", "read_rdb", "read_sample_rows", "read_series", "read_table", "write_frame"]
