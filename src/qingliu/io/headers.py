"""Matching the headers of a file to canonical columns, with the unit written in brackets (表头匹配).

A header matches a column by its canonical name, its Chinese label ``Column.zh`` or one of
``Column.aliases``, ignoring case, spaces and full-width forms
(:func:`qingliu.standards.normalise_label`). A trailing bracket that is not part of the label
is the unit of the column in the file (``流量(L/s)``, ``用水量（亿m3）``); values are converted
to the internal unit with :func:`qingliu.standards.unit_factor` (DESIGN.md §1: conversion only at
the I/O edge).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from qingliu.io.problems import ProblemLog
from qingliu.model.tables import Column
from qingliu.standards import UnitError, load_toml, normalise_label, unit_factor

_TRAILING_BRACKET = re.compile(r"[(\[【]([^()\[\]【】]*)[)\]】]\s*$")


@dataclass(frozen=True)
class Header:
    """One header cell: its position, its text as written, the label and the bracketed unit."""

    position: int
    text: str
    label: str
    stem: str
    unit: str | None


@dataclass(frozen=True)
class Matched:
    """A file column matched to a canonical column, with its unit and the factor to the internal unit.

    ``unit`` is the bracket written after the label, if any (None when the label itself, such
    as ``流量(m3/s)``, matched).
    """

    header: Header
    column: Column
    unit: str | None
    factor: float


def parse_header(position: int, text: str) -> Header:
    """Split a header into its folded label, the label without a trailing bracket, and that bracket.

    The unit keeps its case as written (only NFKC is applied), for messages.
    """
    nfkc = unicodedata.normalize("NFKC", text).strip()
    match = _TRAILING_BRACKET.search(nfkc)
    stem, unit = (nfkc[: match.start()], match.group(1).strip() or None) if match else (nfkc, None)
    return Header(position, text, normalise_label(nfkc), normalise_label(stem), unit)


def parse_headers(texts: Iterable[str]) -> list[Header]:
    """:func:`parse_header` for each header, in order."""
    return [parse_header(i, t) for i, t in enumerate(texts)]


def _label_unit(label: str) -> str | None:
    match = _TRAILING_BRACKET.search(unicodedata.normalize("NFKC", label))
    return match.group(1) if match else None


def column_index(columns: Iterable[Column]) -> dict[str, Column]:
    """Folded label -> column, for names, Chinese labels (with and without unit) and aliases."""
    index: dict[str, Column] = {}
    for col in columns:
        labels = [col.name, col.zh, *col.aliases]
        labels += [parse_header(0, label).stem for label in labels if _label_unit(label)]
        for label in labels:
            index.setdefault(normalise_label(label), col)
    return index


def unit_to_internal(column: Column, unit: str | None) -> float | None:
    """Factor from ``unit`` (as written in a header) to the column's internal unit, None if impossible.

    No unit, a non-numeric or unitless column, or the internal unit itself (also as spelled in
    the Chinese label, ``万元`` for ``1e4 yuan``) give 1. Otherwise the unit must be convertible
    within a dimension of ``standards/units.toml``.
    """
    if unit is None or column.dtype != "float" or column.unit is None:
        return 1.0
    same = {normalise_label(column.unit), normalise_label(_label_unit(column.zh) or column.unit)}
    if normalise_label(unit) in same:
        return 1.0
    for dimension in load_toml("units"):
        try:
            return unit_factor(unit, column.unit, dimension)
        except UnitError:
            continue
    return None


def match_columns(
    headers: Sequence[Header], columns: Sequence[Column], log: ProblemLog, header_row: int
) -> tuple[dict[str, Matched], list[Header]]:
    """Match ``headers`` to ``columns``; report duplicated columns and unconvertible units.

    Returns the matched columns by canonical name and the headers that matched nothing (in
    file order, blank headers left out).
    """
    index = column_index(columns)
    matched: dict[str, Matched] = {}
    unmatched: list[Header] = []
    for header in headers:
        if header.label in index:
            column, unit = index[header.label], None
        elif header.stem in index:
            column, unit = index[header.stem], header.unit
        else:
            if header.label:
                unmatched.append(header)
            continue
        if column.name in matched:
            first = matched[column.name].header.text
            log.add(
                header_row,
                header.text,
                f"与「{first}」重复，都对应 {column.zh} ({column.name})",
                f"duplicates column {first!r}: both are {column.name} ({column.zh})",
            )
            continue
        factor = unit_to_internal(column, unit)
        if factor is None:  # reported here; kept as matched (values NaN) so it is not also "missing"
            log.add(header_row, header.text, *unit_problem(unit or "", column.unit or ""))
            factor = float("nan")
        matched[column.name] = Matched(header, column, unit, factor)
    return matched, unmatched


def unit_problem(unit: str, target: str) -> tuple[str, str]:
    """The bilingual reason for a unit that cannot be converted."""
    return (
        f"单位「{unit}」无法换算为 {target}",
        f"unit {unit!r} cannot be converted to {target}",
    )


def report_missing(
    matched: dict[str, Matched], columns: Iterable[Column], log: ProblemLog, header_row: int
) -> list[Column]:
    """Report every required column not among ``matched``; return them."""
    missing = [c for c in columns if c.required and c.name not in matched]
    for col in missing:
        log.add(
            header_row,
            col.name,
            f"缺少必填列「{col.zh}」({col.name})",
            f"missing required column {col.name} ({col.zh})",
        )
    return missing
