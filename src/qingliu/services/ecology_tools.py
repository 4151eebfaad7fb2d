"""Stateless water-ecology tools on files (``qingliu flow ...``): no workspace, no database.

Daily flows come from a long table ``station_id, date, q`` (m3/s; CSV, xlsx or Parquet, read
by the canonical ``flow_daily`` importer) or from a USGS NWIS RDB daily-value file (ft3/s,
converted to m3/s unless the caller keeps the input's units). Errors in the input, including
missing days that are not to be interpolated, become :class:`qingliu.io.InputError` (file,
row, column, reason in Chinese and English), so the command line exits with code 2.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from qingliu import io
from qingliu.assess.baseflow import baseflow_index, separate
from qingliu.assess.daily import DailyFlows, MissingDaysError, daily_flows, fill_gaps
from qingliu.assess.ecoflow import MONTH_COLUMNS, ecoflow_targets
from qingliu.assess.ecoflow_compliance import Compliance, ecoflow_compliance
from qingliu.assess.efc import efc
from qingliu.assess.health import load_system, river_health
from qingliu.assess.iha import iha, parameters
from qingliu.assess.rva import overall_alteration, rva
from qingliu.io.rdb import is_rdb


def _problem(path: Path, message: str) -> io.InputError:
    """An InputError from a computation's bilingual "中文 / English" message."""
    zh, _, en = message.partition(" / ")
    return io.InputError([io.Problem(path.name, None, None, zh, en or zh)])


def read_flows(path: str | Path, *, keep_units: bool = False) -> tuple[pd.DataFrame, str]:
    """Daily flows of a file and their unit: a NWIS RDB file, or a ``station_id, date, q`` table.

    RDB flows are in ft3/s and converted to m3/s unless ``keep_units``; tables are in m3/s.
    """
    path = Path(path)
    if is_rdb(path):
        return io.read_rdb(path, keep_units=keep_units)
    frame = io.read_table(path, "flow_daily", required=("station_id", "date", "q"))
    return frame, "m3/s"


def load_daily(path: str | Path, *, max_gap: int = 0, keep_units: bool = False, gaps_allowed: bool = False) -> tuple[DailyFlows, str]:
    """Daily flows of a file as a station × day matrix, gaps checked (or filled up to ``max_gap`` days).

    With ``gaps_allowed`` missing days are kept as NaN (compliance counts them as not assessed).
    """
    path = Path(path)
    frame, unit = read_flows(path, keep_units=keep_units)
    try:
        daily = daily_flows(frame.dropna(subset=["q"]))
        if not gaps_allowed:
            daily = fill_gaps(daily, max_gap)
    except MissingDaysError as exc:
        zh, _, en = str(exc).partition(" / ")
        raise io.InputError([io.Problem(path.name, None, "q", f"{zh}（--fill-gaps N 可线性插补不超过 N 天的缺测）",
                                        f"{en} (--fill-gaps N interpolates gaps of up to N days)")]) from exc
    except ValueError as exc:
        raise _problem(path, str(exc)) from exc
    return daily, unit


def _years(text: str | None, option: str) -> tuple[int, int] | None:
    if text is None:
        return None
    first, sep, last = text.partition("-")
    if not sep or not first.strip().isdigit() or not last.strip().isdigit() or int(first) > int(last):
        raise io.InputError([io.Problem(option, None, None, f"时段须写作 起始年-截止年（如 1956-1979），而非 {text!r}",
                                        f"a period is written first-last (e.g. 1956-1979), not {text!r}")])
    return int(first), int(last)


@dataclass(frozen=True)
class IhaTables:
    """Results of ``qingliu flow iha``: annual IHA parameters, EFC, RVA and the flow unit."""

    annual: pd.DataFrame
    efc: pd.DataFrame
    rva: pd.DataFrame | None
    overall: pd.DataFrame | None
    unit: str


def iha_file(
    path: str | Path,
    *,
    start_month: int = 10,
    pre: str | None = None,
    post: str | None = None,
    names: str = "codes",
    statistic: str = "nonparametric",
    max_gap: int = 0,
) -> IhaTables:
    """IHA (33 parameters) and EFC of each station and water year; RVA when both periods are given.

    ``pre`` and ``post`` are periods ``"first-last"`` of water years; the pre-impact period
    also sets the pulse and EFC thresholds. ``names="iha71"`` names the columns as IHA 7.1's
    annual output and leaves flows in the input's units (ft3/s for an RDB file).
    """
    path = Path(path)
    pre_years, post_years = _years(pre, "--pre"), _years(post, "--post")
    if (pre_years is None) != (post_years is None):
        raise io.InputError([io.Problem("--pre/--post", None, None, "RVA 需要同时给出 --pre 与 --post",
                                        "the RVA needs both --pre and --post")])
    daily, unit = load_daily(path, max_gap=max_gap, keep_units=names == "iha71")
    try:
        annual = iha(daily, start_month=start_month, statistic=statistic, threshold_years=pre_years)
        components = efc(daily, start_month=start_month, statistic=statistic, threshold_years=pre_years,
                         names="iha71" if names == "iha71" else "codes")
    except ValueError as exc:
        raise _problem(path, str(exc)) from exc
    table = overall = None
    if pre_years is not None:
        table = rva(annual, pre_years, post_years, statistic=statistic)
        overall = overall_alteration(table)
        if names == "iha71":
            table["parameter"] = table["parameter"].map({p.code: p.iha71 for p in parameters(start_month)})
    if names == "iha71":
        annual = annual.rename(columns={"water_year": "Year", **{p.code: p.iha71 for p in parameters(start_month)}})
    return IhaTables(annual, components, table, overall, unit)


def _months(text: str | None) -> tuple[int, ...]:
    if not text:
        return ()
    try:
        months = tuple(int(m) for m in text.replace("，", ",").split(",") if m.strip())
    except ValueError:
        months = (0,)
    if any(not 1 <= m <= 12 for m in months):
        raise io.InputError([io.Problem("--exclude-months", None, None, f"月份须为 1-12，以逗号分隔，而非 {text!r}",
                                        f"months are 1-12 separated by commas, not {text!r}")])
    return months


def ecoflow_file(
    path: str | Path,
    methods: tuple[str, ...],
    *,
    start_month: int = 1,
    rating: str | None = None,
    guarantee: float | None = None,
    exclude_months: str | None = None,
    recent_years: int | None = None,
    distribution: str | None = None,
    max_gap: int = 0,
) -> pd.DataFrame:
    """Ecological-flow targets of each station of a flow file by each method (m3/s)."""
    path = Path(path)
    daily, _ = load_daily(path, max_gap=max_gap)
    try:
        return ecoflow_targets(daily, methods, start_month=start_month, rating=rating, guarantee=guarantee,
                               exclude_months=_months(exclude_months), recent_years=recent_years, distribution=distribution)
    except ValueError as exc:
        raise _problem(path, str(exc)) from exc


def read_targets(path: str | Path, stations: np.ndarray, method: str | None = None) -> np.ndarray:
    """Monthly targets (S, 12) of ``stations`` from a targets file (as ``qingliu flow ecoflow`` writes).

    The file has ``station_id`` and either ``m01`` … ``m12`` (the target of each calendar month,
    m3/s; an empty cell means the month is not assessed) or ``target_m3s`` (one target all
    year); optionally ``method`` to pick the rows of one method. One row per station.
    """
    path = Path(path)
    raw = io.read_raw(path)
    months = [c for c in MONTH_COLUMNS if c in raw.columns]
    problems = []
    if "station_id" not in raw.columns:
        problems.append(io.Problem(path.name, None, "station_id", "缺少 station_id 列", "column station_id is missing"))
    if "target_m3s" not in raw.columns and not months:
        problems.append(io.Problem(path.name, None, "target_m3s", "缺少 m01…m12 或 target_m3s 列",
                                   "columns m01 ... m12 or target_m3s are missing"))
    if method is not None and "method" not in raw.columns:
        problems.append(io.Problem(path.name, None, "method", "文件没有 method 列，无法按方法筛选",
                                   "the file has no method column to choose from"))
    if problems:
        raise io.InputError(problems)
    if method is not None:
        raw = raw[raw["method"] == method]
    dup = raw["station_id"].duplicated(keep=False).to_numpy()
    if dup.any():
        rows = raw["row"].to_numpy()[dup][:5].tolist()
        raise io.InputError([io.Problem(path.name, int(rows[0]), "station_id", f"同一测站有多行目标（第 {rows} 行），请用 --method 选定方法",
                                        f"several target rows for one station (rows {rows}); choose one with --method")])
    table = raw.set_index("station_id")
    missing = [str(s) for s in stations if s not in table.index]
    if missing:
        raise io.InputError([io.Problem(path.name, None, "station_id", f"这些测站没有目标：{', '.join(missing)}",
                                        f"no target for stations: {', '.join(missing)}")])
    table = table.loc[list(stations)]
    columns = months or ["target_m3s"]
    cells = table[columns].to_numpy(str)
    values = pd.to_numeric(pd.Series(cells.ravel()).replace("", np.nan), errors="coerce").to_numpy(float).reshape(cells.shape)
    bad = ((cells != "") & ~np.isfinite(values)) | (values < 0)
    if bad.any():
        i, j = np.argwhere(bad)[0]
        raise io.InputError([io.Problem(path.name, int(table["row"].iloc[i]), columns[j], f"目标流量须为非负数：{cells[i, j]!r}",
                                        f"a target must be a non-negative number: {cells[i, j]!r}")])
    out = np.full((len(stations), 12), np.nan)
    if months:
        out[:, [int(c[1:]) - 1 for c in months]] = values
    else:
        out[:] = values
    return out


def compliance_file(path: str | Path, targets_path: str | Path, *, method: str | None = None, start_month: int = 1) -> Compliance:
    """Compliance of each station of a flow file with the targets of a targets file."""
    daily, _ = load_daily(path, gaps_allowed=True)
    targets = read_targets(targets_path, daily.stations, method)
    return ecoflow_compliance(daily, targets, start_month=start_month)


def baseflow_file(
    path: str | Path,
    *,
    method: str = "lyne_hollick",
    start_month: int = 1,
    max_gap: int = 0,
    **params: float,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Baseflow of each station of a flow file: the BFI table and the daily series."""
    path = Path(path)
    daily, _ = load_daily(path, max_gap=max_gap)
    try:
        b = separate(daily, method, **{k: v for k, v in params.items() if v is not None})
    except ValueError as exc:
        raise _problem(path, str(exc)) from exc
    known = np.isfinite(daily.q)
    s, t = np.nonzero(known)
    series = pd.DataFrame({"station_id": daily.stations[s], "date": daily.dates[t], "q": daily.q[s, t], "baseflow": b[s, t]})
    return baseflow_index(daily, b, start_month), series


def health_file(path: str | Path, *, system: str = "river_health_2020") -> pd.DataFrame:
    """River health of each river of a file ``river, indicator, value[, score]``."""
    path = Path(path)
    raw = io.read_raw(path)
    missing = [c for c in ("river", "indicator") if c not in raw.columns]
    if missing:
        raise io.InputError([io.Problem(path.name, None, c, f"缺少 {c} 列", f"column {c} is missing") for c in missing])
    values = raw.drop(columns="row").replace("", np.nan)
    try:
        return river_health(values, load_system(system))
    except ValueError as exc:
        raise _problem(path, str(exc)) from exc
