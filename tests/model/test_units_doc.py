"""docs/units.md lists exactly the columns and units declared in model/tables.py and parameters.toml."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from qingliu.model import TABLES
from qingliu.standards import catalogue

DOC = Path(__file__).resolve().parents[2] / "docs" / "units.md"


def cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def section_rows(text: str, heading: str) -> list[list[str]]:
    """Data rows of the first table after ``heading`` (header and rule rows left out)."""
    start = text.index(heading)
    following = re.search(r"^##", text[start + len(heading) :], flags=re.M)
    body = text[start : start + len(heading) + following.start()] if following else text[start:]
    lines = [ln for ln in body.splitlines() if ln.startswith("|")]
    return [cells(ln) for ln in lines[2:]]


@pytest.fixture(scope="module")
def doc() -> str:
    return DOC.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", list(TABLES))
def test_table_columns_and_units(doc: str, name: str) -> None:
    table = TABLES[name]
    rows = section_rows(doc, f"### `{name}` {table.zh}")
    assert [r[0] for r in rows] == [f"`{c.name}`" for c in table.columns]
    for row, column in zip(rows, table.columns, strict=True):
        assert row[1:3] == [column.zh, column.dtype]
        expected = f"`{column.unit}`" if column.unit else "—"
        assert row[3].startswith(expected), (name, column.name, row[3])


def test_every_column_unit_is_in_the_unit_system(doc: str) -> None:
    system = {row[1] for row in section_rows(doc, "## The internal units")}
    used = {c.unit for t in TABLES.values() for c in t.columns if c.unit}
    assert used <= system


def test_parameter_units(doc: str) -> None:
    rows = section_rows(doc, "## Water-quality parameters")
    expected = [[f"`{p.code}`", p.zh, p.en, f"`{p.unit}`", p.item] for p in catalogue().values()]
    assert rows == expected


def test_says_where_conversion_happens(doc: str) -> None:
    assert "Conversion happens only at the import edge" in doc
    assert "standards/units.toml" in doc
