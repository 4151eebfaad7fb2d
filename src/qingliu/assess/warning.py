"""Year-to-date early warning: will a section still meet its annual target class?

Under 环办〔2011〕22号 the annual value of an item is the mean of its monthly means. Given
the monthly means of months 1..m of a year, the mean the remaining months may still have is
fixed; this module compares it with what the remaining months usually bring (the same months
of previous years) and tells, per section and item, whether the target is on track, and by how
much the item must fall (DO: rise) for the rest of the year. The warning rule itself is
qingliu's; its statuses and the DO ceiling are in ``standards/change_2011.toml``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd

from qingliu.assess.quality import EvaluationMethod, load_method
from qingliu.model.tables import WATER_BODIES
from qingliu.standards import ClassLimits, load_class_limits, load_toml

OK, WATCH, AT_RISK, ALREADY_FAILED = range(4)
"""Severity of the early-warning statuses (the order of ``[[early_warning.status]]``)."""

_KEYS = ["section_id", "parameter"]
_COLUMNS = ("section_id", "month", "parameter", "value")
_RELATIVE_TOLERANCE = 1e-9
"""Slack, relative to the limit, in every comparison: a year of monthly means all equal to L
sums to 12·L only up to float rounding, and must still meet L."""


@dataclass(frozen=True)
class _WarningRules:
    codes: np.ndarray  # by severity 0..3: ok, watch, at_risk, already_failed
    zh: np.ndarray
    en: np.ndarray
    ceiling: dict[str, float]
    margin: float


@cache
def _rules() -> _WarningRules:
    data = load_toml("change_2011")
    rows = data["early_warning"]["status"]
    codes = [r["code"] for r in rows]
    if codes != ["ok", "watch", "at_risk", "already_failed"]:
        raise ValueError(f"change_2011.toml: early-warning statuses out of order: {codes}")
    return _WarningRules(
        codes=np.array(codes, dtype=object),
        zh=np.array([r["zh"] for r in rows], dtype=object),
        en=np.array([r["en"] for r in rows], dtype=object),
        ceiling={k: float(v) for k, v in data["early_warning"]["ceiling"].items()},
        margin=float(data["early_warning"]["margin"]),
    )


def _checks(limits: ClassLimits, items: tuple[str, ...]) -> tuple[pd.DataFrame, np.ndarray]:
    """One-sided checks per item: a range item (pH) gives an upper and a lower check.

    Returns the checks (parameter, direction, bound) and their limits, shape (checks, 2, 5):
    [river, lake] x classes I..V. ``bound`` is the floor (0) of an upper-bound item and the
    attainable ceiling of a lower-bound one (inf when none is given).
    """
    ceiling = _rules().ceiling
    rows: list[tuple[str, str, float]] = []
    tables: list[np.ndarray] = []
    for code in items:
        if code in limits.range_items:
            low, high = limits.range_items[code]
            rows += [(code, "max", 0.0), (code, "min", ceiling.get(code, np.inf))]
            shape = (2, limits.river.shape[1])
            tables += [np.full(shape, high), np.full(shape, low)]
        else:
            i = limits.row(code)
            upper = bool(limits.upper[i])
            rows.append((code, "max" if upper else "min", 0.0 if upper else ceiling.get(code, np.inf)))
            tables.append(np.stack([limits.river[i], limits.lake[i]]))
    return pd.DataFrame(rows, columns=["parameter", "direction", "bound"]), np.stack(tables)


def _monthly(frame: pd.DataFrame, name: str, items: tuple[str, ...], year_months: int) -> pd.DataFrame:
    """Validated monthly means: evaluated items with a value, one row per section/item/month."""
    missing = [c for c in _COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"{name} 缺少列 {missing} / {name} lacks columns {missing}")
    data = frame.loc[frame["parameter"].isin(items) & frame["value"].notna(), list(_COLUMNS)]
    month = pd.to_numeric(data["month"], errors="coerce")
    bad = data[~month.isin(range(1, year_months + 1))]
    if len(bad):
        raise ValueError(
            f"{name} 月份须为1-{year_months}的整数: {sorted(set(bad['month'].astype(str)))} / "
            f"{name} months must be integers 1-{year_months}"
        )
    data = data.assign(month=month.astype(int), value=data["value"].astype(float))
    return data.groupby([*_KEYS, "month"], as_index=False)["value"].mean()


def _per_section(frame: pd.DataFrame, series: pd.Series, name: str) -> pd.Series:
    values = frame["section_id"].map(series)
    lacking = sorted(set(frame.loc[values.isna(), "section_id"]))
    if lacking:
        raise ValueError(f"断面缺少{name}: {lacking} / sections without {name}: {lacking}")
    return values


def _with_sections(frame: pd.DataFrame, targets: pd.Series, water_body: pd.Series) -> pd.DataFrame:
    """Attach each section's target class and water body, refusing missing or invalid ones."""
    target = pd.to_numeric(_per_section(frame, targets, "水质目标 / target class"), errors="coerce")
    if not target.isin(range(1, 6)).all():
        raise ValueError(f"水质目标须为1-5 / target classes must be 1-5: {sorted(set(target.astype(str)))}")
    body = _per_section(frame, water_body, "水体类型 / water body").astype(str)
    unknown = sorted(set(body) - set(WATER_BODIES))
    if unknown:
        raise ValueError(f"未知水体类型 / unknown water bodies: {unknown}; expected {WATER_BODIES}")
    return frame.assign(water_body=body, target_class=target.astype(int))


def _judge(frame: pd.DataFrame, limit: np.ndarray, remaining: int, margin: float) -> dict[str, np.ndarray]:
    """R, E, required change and severity of each check (formulas in :func:`early_warning`).

    ``sign`` turns every check into "smaller is better": +1 for upper bounds, -1 for DO.
    """
    sign = np.where(frame["direction"] == "max", 1.0, -1.0)
    slack = _RELATIVE_TOLERANCE * np.abs(limit)
    k = frame["months_observed"].to_numpy(dtype=float)
    total = frame["ytd_sum"].to_numpy(dtype=float)
    ytd_mean = total / k
    prior_mean = frame["prior_mean"].to_numpy(dtype=float)
    if not remaining:  # the year is complete: the final result
        nothing = np.full(len(frame), np.nan)
        return {
            "ytd_mean": ytd_mean,
            "allowed_remaining_mean": nothing,
            "expected_remaining_mean": nothing,
            "expected_from": np.full(len(frame), None, dtype=object),
            "required_change": nothing,
            "required_change_abs": nothing,
            "severity": np.where(sign * (ytd_mean - limit) > slack, ALREADY_FAILED, OK),
        }
    allowed = ((k + remaining) * limit - total) / remaining
    expected = np.where(np.isnan(prior_mean), ytd_mean, prior_mean)
    shortfall = sign * (expected - allowed)
    severity = np.select(
        [
            sign * allowed < sign * frame["bound"].to_numpy() - slack,
            shortfall > slack,
            shortfall > slack - margin * allowed,
        ],
        [ALREADY_FAILED, AT_RISK, WATCH],
        OK,
    )
    change = np.maximum(shortfall, 0.0)
    return {
        "ytd_mean": ytd_mean,
        "allowed_remaining_mean": allowed,
        "expected_remaining_mean": expected,
        "expected_from": np.where(np.isnan(prior_mean), "ytd", "prior"),
        "required_change": np.divide(change, expected, out=np.full(change.shape, np.nan), where=expected > 0),
        "required_change_abs": change,
        "severity": severity,
    }


def early_warning(
    ytd: pd.DataFrame,
    prior: pd.DataFrame,
    targets: pd.Series,
    water_body: pd.Series,
    year_months: int = 12,
    margin: float | None = None,
    limits: ClassLimits | None = None,
    *,
    as_of_month: int | None = None,
    method: EvaluationMethod | None = None,
) -> pd.DataFrame:
    """Warn, per section and item, whether the annual target class is still within reach.

    Definitions (per section and item; ``m`` = ``as_of_month``, default the latest month in
    ``ytd``; ``r = year_months - m`` months remain):

    - L: limit of the section's target class for the item (GB 3838-2002 Table 1, lake limits
      for lakes and reservoirs). Upper-bound items must stay <= L; DO is a lower bound (>= L);
      pH (6-9) is checked as an upper and a lower bound and reported by the worse of the two.
    - Annual value A = mean of the monthly means (环办〔2011〕22号). Months before ``m``
      without a value are lost (not sampled, e.g. ice), so with k months observed so far, sum
      S, the year ends with n = k + r monthly means.
    - R = (n·L − S) / r: the mean the remaining months must not exceed (DO: must reach) for
      A to meet L. For the full year (k = 12) this is (12·L − Σ_ytd) / r.
    - E: expected mean of the remaining months: the mean over months m+1..12 of the mean of
      each month in ``prior`` (previous years); the year-to-date mean S / k where ``prior``
      has no value for those months (``expected_from`` says which).
    - Required change: ``required_change_abs`` = max(0, E − R) (DO: max(0, R − E)), and
      ``required_change`` = that / E, the fraction by which the item must fall (DO: rise),
      i.e. max(0, 1 − R/E) (DO: max(0, R/E − 1)); above 1 for an item already failed.
    - Status, by severity: ``ok`` 达标 if E <= (1 − margin)·R (DO: E >= (1 + margin)·R);
      ``watch`` 预警 if E <= R but within the margin; ``at_risk`` 超标风险 if E > R (DO: E < R);
      ``already_failed`` 已无法达标 if R < 0 (not even zero concentration would do; DO: R
      above the saturation ceiling, pH: above 14).
    - When nothing remains (m = year_months) the status is the final result: ``ok`` if the
      annual mean meets L, else ``already_failed``; R, E and the required change are NaN.

    Parameters
    ----------
    ytd : DataFrame
        Monthly means of year Y so far: columns section_id, month (1..year_months),
        parameter, value (internal units). Several rows for one month are averaged; rows with
        a NaN value are missing months.
    prior : DataFrame
        Monthly means of previous years (e.g. the last 3), same columns (other columns such
        as ``year`` are ignored); all rows of one section, item and month are averaged. May be
        empty.
    targets : Series
        Target class (1-5) by section_id.
    water_body : Series
        ``river``, ``lake`` or ``reservoir`` by section_id.
    year_months : int
        Monthly means in the annual value.
    margin : float, optional
        Fraction of R by which E must stay clear of R to be ``ok`` (default
        ``change_2011.toml [early_warning] margin``, 10 %).
    limits : ClassLimits, optional
        Class limits (default GB 3838-2002).
    as_of_month : int, optional
        Last month of the year-to-date period (default: the latest month in ``ytd``).
    method : EvaluationMethod, optional
        The evaluated items and the water bodies with lake limits (default the 2011 method,
        ``method_2011.toml``).

    Returns
    -------
    DataFrame
        One row per section and item with data in ``ytd``, for the 21 items of the 2011
        method only: TN is left out for rivers and lakes alike (the method assesses lake TN
        separately; use the trophic index), as are water temperature and fecal coliforms.
        Columns: section_id, parameter, water_body, target_class, direction (``max``/``min``),
        limit, months_observed, months_remaining, ytd_mean, allowed_remaining_mean (R),
        expected_remaining_mean (E), expected_from (``prior``/``ytd``), required_change,
        required_change_abs, severity (0..3), status, status_zh, status_en and
        section_status (the worst status of the section's items). Sorted by section, then
        severity (worst first), then required change.

    Raises
    ------
    ValueError
        Missing columns, months out of range, a section without target class or water body,
        a target class outside 1-5, or ``as_of_month`` before the data.
    """
    limits = limits or load_class_limits()
    method = method or load_method()
    items = method.evaluated
    observed = _monthly(ytd, "ytd", items, year_months)
    if observed.empty:
        raise ValueError("ytd 无可评价的数据 / ytd holds no evaluated item with a value")
    m = int(observed["month"].max()) if as_of_month is None else int(as_of_month)
    if not observed["month"].max() <= m <= year_months:
        raise ValueError(
            f"as_of_month={m} 早于数据或超出年份 / as_of_month={m} precedes the data or exceeds the year"
        )
    margin = _rules().margin if margin is None else margin
    if not 0 <= margin < 1:
        raise ValueError(f"margin 须在[0, 1)之间 / margin must lie in [0, 1): {margin}")
    remaining = year_months - m

    frame = observed.groupby(_KEYS)["value"].agg(ytd_sum="sum", months_observed="count")
    if prior.empty:  # no previous years: the expectation falls back to the year to date
        prior = pd.DataFrame({c: pd.Series(dtype=d) for c, d in zip(_KEYS + ["month", "value"], ["str", "str", "int64", "float64"], strict=True)})
    history = _monthly(prior, "prior", items, year_months)
    later = history[history["month"] > m].groupby([*_KEYS, "month"])["value"].mean()
    frame = frame.join(later.groupby(level=_KEYS).mean().rename("prior_mean")).reset_index()

    frame = _with_sections(frame, targets, water_body)
    checks, table = _checks(limits, items)
    frame = frame.merge(checks.reset_index(names="check"), on="parameter")
    lake = frame["water_body"].isin(method.lake_water_bodies).to_numpy().astype(int)
    limit = table[frame["check"].to_numpy(), lake, frame["target_class"].to_numpy() - 1]
    judged = _judge(frame, limit, remaining, margin)
    statuses = _rules()
    result = pd.DataFrame(
        {
            "section_id": frame["section_id"],
            "parameter": frame["parameter"],
            "water_body": frame["water_body"],
            "target_class": frame["target_class"],
            "direction": frame["direction"],
            "limit": limit,
            "months_observed": frame["months_observed"],
            "months_remaining": remaining,
            **judged,
        }
    )
    # pH: keep the decisive one of its two checks
    result = result.sort_values(
        ["section_id", "severity", "required_change", "parameter"],
        ascending=[True, False, False, True],
        kind="stable",
    ).drop_duplicates(_KEYS)
    worst = result.groupby("section_id")["severity"].transform("max").to_numpy()
    return result.assign(
        status=statuses.codes[result["severity"].to_numpy()],
        status_zh=statuses.zh[result["severity"].to_numpy()],
        status_en=statuses.en[result["severity"].to_numpy()],
        section_status=statuses.codes[worst],
    ).reset_index(drop=True)


def section_warnings(items: pd.DataFrame) -> pd.DataFrame:
    """Per section: the worst item status and the items at risk, from :func:`early_warning`.

    Returns
    -------
    DataFrame
        Indexed by section_id: ``severity``, ``status``, ``status_zh``, ``status_en`` (worst
        item), ``items_at_risk`` (codes of the items ``at_risk`` or ``already_failed``,
        comma-separated, largest required change first; empty when none) and
        ``max_required_change`` (largest ``required_change`` among them, NaN when none).
    """
    statuses = _rules()
    risky = items[items["severity"] >= AT_RISK].sort_values(
        ["section_id", "required_change"], ascending=[True, False], kind="stable"
    )
    grouped = risky.groupby("section_id")
    summary = pd.DataFrame({"severity": items.groupby("section_id")["severity"].max()})
    summary["items_at_risk"] = grouped["parameter"].agg(",".join).reindex(summary.index, fill_value="")
    summary["max_required_change"] = grouped["required_change"].max()
    severity = summary["severity"].to_numpy()
    return summary.assign(
        status=statuses.codes[severity], status_zh=statuses.zh[severity], status_en=statuses.en[severity]
    )
