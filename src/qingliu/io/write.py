"""Write result tables to the formats users open: CSV (UTF-8), Excel .xlsx, Parquet, JSON."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from qingliu.io.problems import InputError, Problem

FORMATS = (".csv", ".xlsx", ".parquet", ".json")


def write_frame(frame: pd.DataFrame, path: str | Path, *, sheet: str = "result") -> Path:
    """Write ``frame`` to ``path``, the format chosen by its extension (see :data:`FORMATS`).

    CSV is UTF-8 without BOM; missing values are written as empty cells.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise InputError(
            [Problem(path.name, None, None, f"不支持的输出格式，可选：{'、'.join(FORMATS)}",
                     f"unsupported output format; one of {', '.join(FORMATS)}")]
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        frame.to_csv(path, index=False, encoding="utf-8")
    elif suffix == ".xlsx":
        frame.to_excel(path, index=False, sheet_name=sheet[:31])
    elif suffix == ".parquet":
        frame.to_parquet(path, index=False)
    else:
        frame.to_json(path, orient="records", force_ascii=False, date_format="iso", indent=1)
    return path
