"""The water-quality parameter catalogue (parameters.toml) and header matching.

A header such as ``高锰酸盐指数（mg/L）``, ``NH3-N``, ``總磷(以P計)`` or ``pH(无量纲)`` is matched
to a parameter code by :func:`lookup_parameter`, which also returns the unit written in the
header, if any, so the importer can convert it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from qingliu.standards.loader import load_toml


@dataclass(frozen=True)
class Parameter:
    """One monitored item: code, GB 3838-2002 item number, names, internal unit, aliases."""

    code: str
    item: str
    zh: str
    en: str
    unit: str
    dimension: str
    aliases: tuple[str, ...]


_BRACKETED = re.compile(r"[(\[]([^()\[\]]*)[)\]]$")
# Bracketed notes that qualify the item rather than give a unit: "以P计" (expressed as P) and the
# "湖、库" (lakes and reservoirs) of GB 3838-2002's "总氮(湖、库,以N计)".
_QUALIFIER = re.compile(r"以.+[计計]|湖、?[库庫]")


def normalise_label(text: str) -> str:
    """Fold a header for matching: NFKC (full-width to half-width), case-fold, no spaces."""
    folded = unicodedata.normalize("NFKC", str(text)).casefold()
    return re.sub(r"\s+", "", folded)


@cache
def catalogue() -> dict[str, Parameter]:
    """All parameters by code, in GB 3838-2002 Table 1 order."""
    rows = load_toml("parameters")["parameter"]
    return {
        r["code"]: Parameter(r["code"], r["item"], r["zh"], r["en"], r["unit"], r["dimension"], tuple(r["aliases"]))
        for r in rows
    }


@cache
def _label_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for p in catalogue().values():
        for label in (p.code, p.zh, p.en, *p.aliases):
            index.setdefault(normalise_label(label), p.code)
    return index


def lookup_parameter(header: str) -> tuple[Parameter, str | None] | None:
    """Match a column header or parameter name to the catalogue.

    Trailing brackets are taken off one by one until the rest is a known label. Of their
    contents (split at commas and semicolons), qualifiers such as ``以P计`` or ``湖、库`` and
    other names of the same parameter (``溶解氧(DO)``) are dropped; what remains is the unit.
    Returns ``(parameter, unit)`` with the unit folded by :func:`normalise_label` (``"mg/l"``
    in ``氨氮(mg/L)``; the rightmost if several), or None when the header gives no unit.
    Returns None when nothing matches.
    """
    index = _label_index()
    label = normalise_label(header)
    notes: list[str] = []
    while label not in index:
        match = _BRACKETED.search(label)
        if match is None:
            return None
        notes.append(match.group(1))
        label = label[: match.start()]
    code = index[label]
    units = [
        part
        for note in notes
        for part in re.split(r"[,;]", note)
        if part and not _QUALIFIER.fullmatch(part) and index.get(part) != code
    ]
    return catalogue()[code], (units[0] if units else None)
