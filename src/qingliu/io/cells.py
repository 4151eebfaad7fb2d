"""Vectorised parsing of text cells into typed values (单元格解析).

Every parser takes a Series of cleaned text (NFKC, stripped: see :func:`clean`) and returns
the parsed values together with a boolean ``bad`` mask of cells that are present but could not
be parsed; missing cells (:func:`is_missing`) are never bad. The words understood (missing
markers, yes/no, choice synonyms) live in ``vocabulary.toml``.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd

from qingliu.standards import normalise_label

TIME_DTYPE = "datetime64[us]"
"""Dates and times come out naive at pandas' default resolution (also the store's)."""
_THOUSANDS = r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?"
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")  # day 0 of Excel's 1900 date system (serial 60 = the fictitious 1900-02-29)
_DATE_FORMATS = ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d", "%Y/%m/%d %H:%M")
_DATE_PARTS = (  # on text normalised by _parse_loose: "y-m-d[ h[:m[:s]]]" or "yyyymmdd"
    r"(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})"
    r"(?:[ T]+(?P<hour>\d{1,2})(?::(?P<minute>\d{1,2})(?::(?P<second>\d{1,2}(?:\.\d*)?))?)?)?",
    r"(?P<year>\d{4})(?P<month>\d{2})(?P<day>\d{2})",
)
_MONTH = r"(?P<year>\d{4})-(?P<month>\d{1,2})"
_SERIAL = r"\d{5}(?:\.\d+)?"  # Excel serial day number, 5 digits: 1927-05-18 to 2173


@cache
def vocabulary() -> dict[str, Any]:
    """The parsed ``vocabulary.toml`` of this package (shared: treat as read-only)."""
    text = resources.files("qingliu.io").joinpath("vocabulary.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def fold(series: pd.Series) -> pd.Series:
    """Lower-case and drop spaces, as :func:`qingliu.standards.normalise_label` does to clean text.

    On cleaned (NFKC, stripped) cells ``lower`` equals ``casefold`` except for letters such as
    ß that no vocabulary word has; unlike it, ``lower`` and a literal replace run vectorised
    on Arrow strings.
    """
    return series.str.lower().str.replace(" ", "", regex=False)


@cache
def _missing_words() -> frozenset[str]:
    return frozenset(normalise_label(w) for w in vocabulary()["missing"])


def clean(series: pd.Series) -> pd.Series:
    """NFKC-normalise (full-width digits and brackets to ASCII) and strip a text column."""
    series = series.astype("str")
    wide = ~series.str.isascii().to_numpy(dtype=bool)  # NFKC leaves ASCII unchanged: skip it (fast path)
    if wide.any():
        series = series.where(~wide, series.str.normalize("NFKC"))
    return series.str.strip()


def is_missing(series: pd.Series) -> np.ndarray:
    """True where a cleaned cell means "no value" (empty, ``--``, ``—``, ``NA``, ``/`` ...)."""
    return (series == "").to_numpy(dtype=bool) | fold(series).isin(_missing_words()).to_numpy(dtype=bool)


def parse_number(series: pd.Series, *, percent: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Numbers, with thousands separators (``1,234.5``) and, if ``percent``, a trailing ``%``.

    Returns float64 values (NaN where missing or bad) and the ``bad`` mask. Infinite values
    are bad. A decimal comma (``0,05``) is bad, not read as 5.
    """
    missing = is_missing(series)
    text = series
    grouped = text.str.fullmatch(_THOUSANDS).to_numpy(dtype=bool)
    if grouped.any():
        text = text.where(~grouped, text.str.replace(",", "", regex=False))
    if percent:
        text = text.str.removesuffix("%").str.rstrip()
    values = pd.to_numeric(text.where(~missing, ""), errors="coerce").to_numpy(dtype="float64", copy=True)
    bad = ~missing & ~np.isfinite(values)
    values[~np.isfinite(values)] = np.nan
    return values, bad


def parse_int(series: pd.Series, words: dict[str, int] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Whole numbers (``2024``, ``2024.0``), or words from ``words`` (``III类`` -> 3).

    Returns float64 values (NaN where missing or bad; the caller casts) and the ``bad`` mask.
    """
    values, bad = parse_number(series)
    if words:
        named = fold(series).map(words).to_numpy(dtype="float64", na_value=np.nan)
        hit = ~np.isnan(named)
        values[hit] = named[hit]
        bad &= ~hit
    fractional = np.isfinite(values) & (values != np.round(values))
    values[fractional] = np.nan
    return values, bad | fractional


def parse_bool(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """是/否, Y/N, yes/no, true/false, 1/0 (and ✓/×). Returns a float array 1/0/NaN and ``bad``."""
    words = vocabulary()["boolean"]
    table = {normalise_label(w): 1.0 for w in words["true"]} | {normalise_label(w): 0.0 for w in words["false"]}
    missing = is_missing(series)
    values = fold(series).map(table).to_numpy(dtype="float64", na_value=np.nan)
    return values, ~missing & np.isnan(values)


def choice_table(table: str, column: str, choices: tuple[str, ...]) -> dict[str, str]:
    """Folded spelling -> canonical value for a choice column (canonical values plus synonyms)."""
    synonyms = vocabulary()["choices"].get(f"{table}.{column}", {})
    index = {normalise_label(c): c for c in choices if c}
    for canonical, words in synonyms.items():
        index.update({normalise_label(w): canonical for w in words})
    return index


def integer_words(table: str, column: str) -> dict[str, int]:
    """Folded word -> integer for an integer column written in words (e.g. class ``III``)."""
    words = vocabulary()["integers"].get(f"{table}.{column}", {})
    return {normalise_label(w): int(n) for n, spellings in words.items() for w in (n, *spellings)}


def map_text(series: pd.Series, mapping: Mapping[str, str]) -> pd.Series:
    """``series.map(mapping)`` as text, with "" where the mapping has no entry."""
    mapped = series.map(mapping).astype(object)
    return mapped.where(mapped.notna(), "").astype("str")


def parse_choice(series: pd.Series, index: dict[str, str]) -> tuple[pd.Series, np.ndarray]:
    """Map cells to canonical values through ``index`` (see :func:`choice_table`).

    Returns the canonical text ("" where missing or bad) and the ``bad`` mask.
    """
    mapped = map_text(fold(series), index)
    return mapped, ~is_missing(series) & (mapped == "").to_numpy()


def parse_datetime(series: pd.Series, *, allow_month: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Dates and times as written in bureau files and Excel.

    Accepted: ``2024-03-05``, ``2024/3/5``, ``2024.3.5``, ``2024年3月5日``, ``20240305``, the
    first four followed by a time (``2024-03-05 08:00``, ``08:00:00``, ``8时``, ``8时30分``), five-digit Excel
    serial day numbers (``45356``, also with a fraction of a day), and with ``allow_month`` a month
    (``2024-03``, ``2024年3月``), read as its first day. Returns :data:`TIME_DTYPE` values (NaT
    where missing or bad) and the ``bad`` mask; impossible dates (2023-02-30) are bad.
    """
    missing = is_missing(series)
    out = np.full(len(series), np.datetime64("NaT"), dtype=TIME_DTYPE)
    todo = ~missing
    for fmt in _DATE_FORMATS:  # fast exact formats first: they cover nearly every real file
        if not todo.any():
            return out, np.zeros(len(series), dtype=bool)
        parsed = pd.to_datetime(series[todo], format=fmt, errors="coerce").to_numpy(dtype=TIME_DTYPE)
        idx = np.flatnonzero(todo)
        ok = ~np.isnat(parsed)
        out[idx[ok]] = parsed[ok]
        todo[idx[ok]] = False
    if todo.any():
        idx = np.flatnonzero(todo)
        parsed = _parse_loose(series[todo], allow_month)
        ok = ~np.isnat(parsed)
        out[idx[ok]] = parsed[ok]
        todo[idx[ok]] = False
    return out, todo


def _parse_loose(series: pd.Series, allow_month: bool) -> np.ndarray:
    """The slow path of :func:`parse_datetime`, for the few cells no exact format read."""
    text = series.str.replace(r"\s+", " ", regex=True)
    # 2024/3/5, 2024.3.5, 2024年3月5日 -> 2024-3-5; 2024年3月 -> 2024-3; 8时30分 -> 8:30
    text = text.str.replace(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})[日号號]?", r"\1-\2-\3 ", regex=True)
    text = text.str.replace(r"^(\d{4})[-/.年](\d{1,2})月?$", r"\1-\2", regex=True)
    text = text.str.replace(r"[时時分]", ":", regex=True).str.replace("秒", "", regex=False).str.rstrip(": ")
    out = np.full(len(text), np.datetime64("NaT"), dtype=TIME_DTYPE)
    patterns = [*_DATE_PARTS, _MONTH] if allow_month else list(_DATE_PARTS)
    for pattern in patterns:
        parts = text.str.extract(f"^{pattern}$").astype("float64")
        found = parts["year"].notna().to_numpy()
        if found.any():
            parts = parts[found].reindex(columns=["year", "month", "day", "hour", "minute", "second"])
            parts = parts.fillna({"day": 1.0, "hour": 0.0, "minute": 0.0, "second": 0.0})
            stamps = pd.to_datetime(parts, errors="coerce").to_numpy(dtype=TIME_DTYPE, copy=True)
            # to_datetime would carry 25:00 into the next day: a clock reading past its range is bad
            clock = (parts["hour"] < 24) & (parts["minute"] < 60) & (parts["second"] < 60)
            stamps[~clock.to_numpy()] = np.datetime64("NaT")
            free = np.isnat(out[found])
            out[np.flatnonzero(found)[free]] = stamps[free]
    serial = series.str.fullmatch(_SERIAL).to_numpy(dtype=bool) & np.isnat(out)
    if serial.any():
        days = pd.to_numeric(series[serial]).to_numpy(dtype="float64")
        out[serial] = (_EXCEL_EPOCH + pd.to_timedelta(days, unit="D")).round("s").to_numpy(dtype=TIME_DTYPE)
    return out
