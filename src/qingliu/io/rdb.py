"""USGS NWIS RDB daily values (美国地质调查局 RDB 日值文件) -> ``station_id, date, q``.

The RDB format (https://waterdata.usgs.gov/nwis/?tab_delimited_format_info): lines starting
with ``#`` are comments; then a tab-separated header line (``agency_cd  site_no  datetime
...``), a format line (``5s  15s  20d ...``) and the data rows. A file may hold several
sites, each block with its own header and format lines. Daily discharge columns are named
``<ts>_00060_00003`` (time-series id, parameter 00060 discharge in cubic feet per second,
statistic 00003 daily mean), each followed by its qualification-code column ``..._cd``.

Reading rules:

* the daily-mean discharge column (00060, statistic 00003) is used; when a block has several
  (several time series), the first is taken;
* a value that is not a number (``Ice``, ``Eqp``, ``Dis``, ``Ssn``, ``***`` ... NWIS codes
  for no value) or an empty cell becomes a missing day (it stays visible as a gap, never
  filled here);
* flows are converted from ft3/s to m3/s (factor in ``standards/units.toml``) unless
  ``keep_units`` is true; the unit of the result is returned with it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from qingliu.io.files import _decode
from qingliu.io.problems import ProblemLog
from qingliu.standards import unit_factor

DISCHARGE = "00060"
DAILY_MEAN = "00003"
RDB_UNIT = "cfs"
INTERNAL_UNIT = "m3/s"


def is_rdb(path: str | Path) -> bool:
    """Whether a file looks like an NWIS RDB file (``#`` comments and an ``agency_cd`` header)."""
    path = Path(path)
    if not path.is_file() or path.suffix.lower() in (".xlsx", ".xlsm", ".parquet", ".pq", ".xls"):
        return False
    with path.open("rb") as handle:
        head = handle.read(65536).decode("utf-8", errors="replace")
    lines = [line for line in head.lstrip("\ufeff").splitlines() if line.strip() and not line.startswith("#")]
    return bool(lines) and lines[0].split("\t")[0].strip() == "agency_cd"


def _discharge_column(headers: list[str]) -> int | None:
    for i, name in enumerate(headers):
        parts = name.split("_")
        if len(parts) >= 3 and parts[-2] == DISCHARGE and parts[-1] == DAILY_MEAN:
            return i
    return None


def read_rdb(path: str | Path, *, keep_units: bool = False) -> tuple[pd.DataFrame, str]:
    """Read daily mean discharge from an NWIS RDB file.

    Parameters
    ----------
    path : the RDB file (as saved from NWIS, any extension).
    keep_units : leave flows in ft3/s instead of converting to m3/s.

    Returns
    -------
    (DataFrame, str)
        Rows ``station_id`` (the site number), ``date`` (datetime64), ``q`` (float, NaN for
        days without a value), and the unit of ``q`` ("m3/s" or "cfs").

    Raises
    ------
    InputError
        Naming the file, row and column: no header, no daily-mean discharge column, a row
        with the wrong number of fields, a bad date, a duplicated day, a negative flow.
    """
    path = Path(path)
    log = ProblemLog(path.name)
    if not path.is_file():
        log.add(None, None, "文件不存在", "file not found")
        raise log.error()
    text = _decode(path.read_bytes(), log)
    if text is None:
        raise log.error()
    headers: list[str] | None = None
    column: int | None = None
    site, day = 1, 2
    skip_format = False
    rows: list[tuple[int, str, str, str]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip("\r\n")
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if fields[0] == "agency_cd":
            headers = fields
            column = _discharge_column(headers)
            site = headers.index("site_no") if "site_no" in headers else 1
            day = headers.index("datetime") if "datetime" in headers else 2
            if column is None:
                log.add(number, None, "没有日均流量列（参数 00060、统计 00003）",
                        "no daily mean discharge column (parameter 00060, statistic 00003)")
            skip_format = True
            continue
        if skip_format:  # the format line (5s 15s 20d ...) follows every header
            skip_format = False
            continue
        if headers is None:
            log.add(number, None, "在表头 agency_cd 之前出现数据行，不是 RDB 文件？",
                    "a data row before the agency_cd header: not an RDB file?")
            break
        if column is None:
            continue
        if len(fields) < len(headers):
            fields = fields + [""] * (len(headers) - len(fields))
        if len(fields) != len(headers):
            log.add(number, None, f"字段数 {len(fields)} 与表头 {len(headers)} 不符",
                    f"{len(fields)} fields where the header has {len(headers)}")
            continue
        rows.append((number, fields[site], fields[day], fields[column]))
    if headers is None and not log:
        log.add(None, None, "没有找到 RDB 表头（agency_cd ...）", "no RDB header (agency_cd ...) found")
    log.raise_if_any()
    if not rows:
        log.add(None, None, "文件中没有日流量数据", "the file holds no daily flows")
        raise log.error()
    numbers = np.array([r[0] for r in rows])
    sites = np.array([r[1].strip() for r in rows], dtype=object)
    dates = pd.to_datetime(pd.Series([r[2].strip()[:10] for r in rows]), format="%Y-%m-%d", errors="coerce")
    values = pd.to_numeric(pd.Series([r[3].strip() for r in rows]), errors="coerce")
    log.add_cells(dates.isna().to_numpy(), numbers, "datetime", "日期无法识别：{value}", "unreadable date: {value}",
                  value=np.array([r[2] for r in rows], dtype=object))
    log.add_cells((values < 0).to_numpy(), numbers, "discharge", "流量为负：{value}", "negative flow: {value}",
                  value=values.to_numpy())
    frame = pd.DataFrame({"station_id": sites, "date": dates, "q": values.to_numpy(float)})
    dup = frame.duplicated(["station_id", "date"], keep="first").to_numpy() & dates.notna().to_numpy()
    log.add_cells(dup, numbers, "datetime", "同一测站日期重复：{value}", "day given twice for the site: {value}",
                  value=np.array([r[2] for r in rows], dtype=object))
    log.raise_if_any()
    if keep_units:
        return frame, RDB_UNIT
    frame["q"] = frame["q"] * unit_factor(RDB_UNIT, INTERNAL_UNIT, "flow")
    return frame, INTERNAL_UNIT
