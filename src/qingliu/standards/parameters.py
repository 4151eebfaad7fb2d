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


_BRACKETED = re.compile(r"[(\[]([^()\[\]]*)[)\]]\s*$")


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

    Returns ``(parameter, unit)`` where ``unit`` is the text of a trailing bracket that is not
    part of a known alias (``"mg/L"`` in ``氨氮(mg/L)``), or None when the header gives no unit.
    Returns None when nothing matches.
    """
    index = _label_index()
    label = normalise_label(header)
    if label in index:
        return catalogue()[index[label]], None
    match = _BRACKETED.search(label)
    if match:
        stem = label[: match.start()]
        if stem in index:
            return catalogue()[index[stem]], match.group(1) or None
    return None
