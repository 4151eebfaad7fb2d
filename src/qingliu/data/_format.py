"""Text output of the example generator: rounding, number formatting, CSV and TOML writing.

Everything written goes through these helpers, so that a re-run with the same seed gives
byte-identical files: numbers are rounded and printed without exponents, CSV files are UTF-8
with ``\\n`` line ends, and no time stamp or host detail is written anywhere.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd


def round_sig(values: Any, digits: int) -> np.ndarray:
    """Round to ``digits`` significant digits (NaN and zero kept).

    The result is the double nearest to the decimal rounding, so it prints as that decimal.
    """
    x = np.asarray(values, dtype=float)
    out = x.copy()
    ok = np.isfinite(x) & (x != 0)
    if not ok.any():
        return out
    v = x[ok]
    decimals = digits - 1 - np.floor(np.log10(np.abs(v))).astype(int)
    scale = 10.0 ** np.abs(decimals)
    out[ok] = np.where(decimals >= 0, np.round(v * scale) / scale, np.round(v / scale) * scale)
    return out


def _decimals_for(x: np.ndarray, digits: int) -> np.ndarray:
    mag = np.floor(np.log10(np.abs(np.where(np.isfinite(x) & (x != 0), x, 1.0)))).astype(int)
    return np.maximum(digits - 1 - mag, 0)


def format_numbers(values: Any, *, sig: int | None = None, decimals: int | None = None) -> np.ndarray:
    """Print numbers as plain decimals (no exponent, no trailing zeros); NaN gives ``""``.

    Give either ``sig`` (significant digits) or ``decimals`` (digits after the point).
    """
    x = np.asarray(values, dtype=float)
    if (sig is None) == (decimals is None):
        raise ValueError("give exactly one of sig, decimals")
    x = round_sig(x, sig) if sig is not None else np.round(x, decimals)
    places = _decimals_for(x, sig) if sig is not None else np.full(x.shape, decimals)
    out = np.full(x.shape, "", dtype=object)
    finite = np.isfinite(x)
    for d in np.unique(places[finite]):
        sel = finite & (places == d)
        out[sel] = np.char.mod(f"%.{int(d)}f", x[sel])
    text = out.astype(str)
    has_point = np.char.find(text, ".") >= 0
    trimmed = np.char.rstrip(np.char.rstrip(text, "0"), ".")
    text = np.where(has_point, trimmed, text)
    return np.where(text == "-0", "0", text)


def write_csv(path: Path, frame: pd.DataFrame, columns: Sequence[str]) -> Path:
    """Write ``frame`` as UTF-8 CSV with exactly ``columns`` (in that order), LF line ends.

    Cells should already be text (see :func:`format_numbers`); missing cells are written empty.
    """
    if list(frame.columns) != list(columns):
        raise ValueError(f"{path.name}: columns {list(frame.columns)} differ from {list(columns)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, encoding="utf-8", lineterminator="\n", na_rep="")
    return path


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Iterable):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def dumps_toml(document: dict[str, Any], comment: str = "") -> str:
    """Serialise a document of scalars, lists, one level of tables and arrays of tables.

    Key order is kept. Enough for the example manifest; not a general TOML writer.
    """
    lines = [f"# {line}" if line else "#" for line in comment.splitlines()]
    scalars = {k: v for k, v in document.items() if not isinstance(v, dict | list) or _is_plain_list(v)}
    lines += [f"{k} = {_toml_value(v)}" for k, v in scalars.items()]
    for key, value in document.items():
        if isinstance(value, dict):
            lines += ["", f"[{key}]"] + [f"{k} = {_toml_value(v)}" for k, v in value.items()]
        elif isinstance(value, list) and not _is_plain_list(value):
            for entry in value:
                lines += ["", f"[[{key}]]"] + [f"{k} = {_toml_value(v)}" for k, v in entry.items()]
    return "\n".join(lines) + "\n"


def _is_plain_list(value: Any) -> bool:
    return isinstance(value, list) and not any(isinstance(v, dict) for v in value)
