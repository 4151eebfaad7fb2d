"""Project tracking (工程项目督办): schedule, lagging and overdue flags, investment, responsibility.

The river-chief office coordinates the departments (齐抓共管) and must see whether the work gets
done (狠抓落实). From the project table (columns of :data:`qingliu.model.tables.PROJECT`) and a
reporting date this module computes, for all projects at once:

- the planned progress of a linear schedule: 0 % on the start date, rising evenly per calendar
  day to 100 % on the planned completion date (``end``), clipped to 0–100;
- ``lagging`` (进度滞后): not completed, and the actual progress is more than a threshold below
  the planned progress;
- ``overdue`` (逾期未完工): the completion date has passed and the status is not completed;
- investment against plan: the share of the total investment spent, and its gap to the planned
  share (spending assumed to follow the same linear schedule);
- the responsibility matrix (责任矩阵): department × category, projects and money;
- summaries by category, status or department.

The linear schedule and the 15-point lagging threshold are a management convention of project
supervision (督办), the default a city office starts from; **no national standard fixes them**.
Both are parameters: pass the office's own rule.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from qingliu.model.tables import PROJECT_CATEGORIES, PROJECT_STATUSES

LAGGING_THRESHOLD_PP = 15.0
"""Default lagging threshold, percentage points of progress below the linear schedule.

A management convention (a project more than 15 points behind its schedule is reported to the
office), not a national standard; pass ``lagging_threshold_pp`` to use the office's own rule.
"""

COMPLETED = "completed"
"""The status (:data:`qingliu.model.tables.PROJECT_STATUSES`) of a finished project."""

TRACKING_COLUMNS = (
    "planned_pct",
    "progress_gap_pct",
    "lagging",
    "overdue",
    "days_remaining",
    "invested_pct",
    "planned_invested_1e4yuan",
    "invest_gap_pct",
)
"""Columns :func:`track_projects` adds to the project frame (see its docstring)."""

MATRIX_MEASURES = ("projects", "investment_1e4yuan", "invested_1e4yuan")
"""Measures of :func:`responsibility_matrix`: project count, total and spent investment (1e4 yuan)."""

SUMMARY_GROUPS = ("category", "status", "department", "county_id")
"""Columns :func:`summarise` can group by."""

_DAY = np.timedelta64(1, "D")


def _as_of(as_of: object) -> np.datetime64:
    stamp = pd.Timestamp(as_of)
    if stamp.tzinfo is not None:
        stamp = stamp.tz_localize(None)
    return stamp.normalize().to_datetime64()


def _days(values: pd.Series) -> np.ndarray:
    """Dates as datetime64[D] (NaT where missing), whatever the frame's datetime resolution."""
    return pd.to_datetime(values).to_numpy(dtype="datetime64[D]")


def planned_progress(start: np.ndarray, end: np.ndarray, as_of: object) -> np.ndarray:
    """Planned progress (%) of a linear schedule on ``as_of``.

    Parameters
    ----------
    start, end : arrays of dates (datetime64 or anything ``pandas.to_datetime`` reads), shape (n,).
    as_of : the reporting date (date, Timestamp or ISO text); a time of day is ignored.

    Returns
    -------
    float64 array, shape (n,): ``100 · (as_of − start) / (end − start)`` in days, clipped to
    [0, 100]; a project that starts and ends on the same day is at 0 before it and at 100 from
    it. NaN where a date is missing or ``end`` precedes ``start``.
    """
    start = _days(pd.Series(start))
    end = _days(pd.Series(end))
    day = _as_of(as_of).astype("datetime64[D]")
    duration = (end - start) / _DAY
    elapsed = (day - start) / _DAY
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(duration > 0, 100.0 * elapsed / duration, np.where(day >= end, 100.0, 0.0))
    share = np.clip(share, 0.0, 100.0)
    share[np.isnan(duration) | (duration < 0)] = np.nan
    return share


def track_projects(
    projects: pd.DataFrame, as_of: object, *, lagging_threshold_pp: float = LAGGING_THRESHOLD_PP
) -> pd.DataFrame:
    """Schedule and investment tracking of every project on ``as_of``.

    Parameters
    ----------
    projects : columns of :data:`qingliu.model.tables.PROJECT` (at least ``start``, ``end``,
        ``status``, ``progress_pct``, ``investment_1e4yuan``, ``invested_1e4yuan``).
    as_of : the reporting date.
    lagging_threshold_pp : percentage points below the planned progress beyond which a project
        is lagging (default :data:`LAGGING_THRESHOLD_PP`, a management convention).

    Returns
    -------
    A copy of ``projects`` with the columns of :data:`TRACKING_COLUMNS`:

    - ``planned_pct``: :func:`planned_progress` (%);
    - ``progress_gap_pct``: ``progress_pct − planned_pct`` (percentage points; negative = behind);
    - ``lagging``: status not completed and ``planned_pct − progress_pct > lagging_threshold_pp``
      (strictly: exactly the threshold behind is not lagging); False where either is missing;
    - ``overdue``: ``end < as_of`` and status not completed;
    - ``days_remaining``: days from ``as_of`` to ``end`` (negative once past; Int64, missing
      for completed projects);
    - ``invested_pct``: ``100 · invested / investment`` (NaN if either is missing or the
      investment is 0);
    - ``planned_invested_1e4yuan``: ``investment · planned_pct / 100`` (1e4 yuan);
    - ``invest_gap_pct``: ``invested_pct − planned_pct`` (percentage points).
    """
    out = projects.copy()
    planned = planned_progress(out["start"], out["end"], as_of)
    progress = out["progress_pct"].to_numpy(dtype="float64", na_value=np.nan)
    completed = (out["status"] == COMPLETED).to_numpy(dtype=bool)
    gap = progress - planned
    end = _days(out["end"])
    day = _as_of(as_of).astype("datetime64[D]")
    remaining = pd.array((end - day) / _DAY, dtype="Int64")
    remaining[completed] = pd.NA
    investment = out["investment_1e4yuan"].to_numpy(dtype="float64", na_value=np.nan)
    invested = out["invested_1e4yuan"].to_numpy(dtype="float64", na_value=np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        invested_pct = np.where(investment > 0, 100.0 * invested / investment, np.nan)
    out["planned_pct"] = planned
    out["progress_gap_pct"] = gap
    out["lagging"] = ~completed & (-gap > lagging_threshold_pp)  # NaN compares False
    out["overdue"] = ~completed & (end < day)  # NaT compares False
    out["days_remaining"] = remaining
    out["invested_pct"] = invested_pct
    out["planned_invested_1e4yuan"] = investment * planned / 100.0
    out["invest_gap_pct"] = invested_pct - planned
    return out


def responsibility_matrix(projects: pd.DataFrame) -> pd.DataFrame:
    """Department × category matrix (责任矩阵): projects, total and spent investment.

    Parameters
    ----------
    projects : columns ``project_id``, ``department``, ``category``, ``investment_1e4yuan`` and
        ``invested_1e4yuan`` of :data:`qingliu.model.tables.PROJECT`.

    Returns
    -------
    One row per department (sorted), columns a MultiIndex (measure, category) with the measures
    of :data:`MATRIX_MEASURES` and every category of ``PROJECT_CATEGORIES`` in declared order;
    ``matrix["projects"]`` is the department × category count (int64). Empty cells are 0;
    missing amounts count as 0 in the sums.
    """
    grouped = projects.groupby(["department", "category"]).agg(
        projects=("project_id", "size"),
        investment_1e4yuan=("investment_1e4yuan", "sum"),
        invested_1e4yuan=("invested_1e4yuan", "sum"),
    )
    columns = pd.MultiIndex.from_product([MATRIX_MEASURES, PROJECT_CATEGORIES], names=["measure", "category"])
    matrix = grouped.unstack("category").reindex(columns=columns, fill_value=0.0).fillna(0.0)
    matrix = matrix.sort_index()
    matrix["projects"] = matrix["projects"].astype("int64")
    return matrix


def summarise(tracked: pd.DataFrame, by: str = "category") -> pd.DataFrame:
    """Projects, money and flags per category, status, department or county.

    Parameters
    ----------
    tracked : the output of :func:`track_projects`.
    by : a column of :data:`SUMMARY_GROUPS`.

    Returns
    -------
    One row per group (for ``category`` and ``status`` every declared value, in declared order,
    empty ones with zeros; otherwise the groups present, sorted), columns: ``projects``,
    ``investment_1e4yuan`` and ``invested_1e4yuan`` (sums; missing amounts count as 0),
    ``invested_pct`` (``100 · invested / investment``, NaN for no investment), ``completed``,
    ``lagging`` and ``overdue`` (project counts).

    Raises
    ------
    ValueError
        Unknown ``by``, or ``tracked`` lacks the tracking columns.
    """
    if by not in SUMMARY_GROUPS:
        choices = ", ".join(SUMMARY_GROUPS)
        raise ValueError(f"无法按 {by!r} 汇总，可选：{choices} / cannot summarise by {by!r}; use one of: {choices}")
    missing = [c for c in ("lagging", "overdue") if c not in tracked.columns]
    if missing:
        raise ValueError(f"缺少跟踪列 {missing}，请先调用 track_projects / columns {missing} missing: track first")
    frame = tracked.assign(completed=tracked["status"] == COMPLETED)
    summary = frame.groupby(by).agg(
        projects=("project_id", "size"),
        investment_1e4yuan=("investment_1e4yuan", "sum"),
        invested_1e4yuan=("invested_1e4yuan", "sum"),
        completed=("completed", "sum"),
        lagging=("lagging", "sum"),
        overdue=("overdue", "sum"),
    )
    declared = {"category": PROJECT_CATEGORIES, "status": PROJECT_STATUSES}.get(by)
    summary = summary.reindex(list(declared), fill_value=0) if declared else summary.sort_index()
    counts = ["projects", "completed", "lagging", "overdue"]
    summary[counts] = summary[counts].astype("int64")
    investment = summary["investment_1e4yuan"].to_numpy(dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(investment > 0, 100.0 * summary["invested_1e4yuan"] / investment, np.nan)
    summary.insert(3, "invested_pct", share)
    return summary
