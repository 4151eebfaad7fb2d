"""Evaluation of monitoring sections over a period (环办〔2011〕22号, 一(二) and 二(一)1, 3).

Two steps, both on canonical frames (DESIGN.md §2):

1. :func:`period_means`: samples (``wq_sample``: section_id, time, parameter, value, flag) to
   the mean of each item per section and period (一(二) 数据统计), with values below the
   detection limit replaced by a documented rule.
2. :func:`evaluate_sections`: the means and the ``section`` table to each section's class
   (single-factor method), status word, target compliance and main pollutants (二(一)1, 3).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from qingliu.assess.quality import (
    NOT_CLASSIFIED,
    ClassResult,
    EvaluationMethod,
    class_labels,
    classify,
    lake_mask,
    load_method,
    status_of_class,
)
from qingliu.standards import ClassLimits, catalogue, load_class_limits

FREQUENCIES = ("month", "quarter", "year")
_MONTHS_PER_PERIOD = {"month": 1, "quarter": 3, "year": 12}
MEAN_COLUMNS = ("section_id", "period", "start", "parameter", "value", "n", "n_below_dl", "n_months")
_KEYS = ["section_id", "period", "start"]

_MEAN_DTYPES = {
    "section_id": "str",
    "period": "str",
    "start": "datetime64[ns]",
    "parameter": "str",
    "value": "float64",
    "n": "int64",
    "n_below_dl": "int64",
    "n_months": "int64",
}


def _require(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{what} 缺少列 / {what} is missing columns: {missing}")


def dl_substituted(
    values: np.ndarray | pd.Series, flags: np.ndarray | pd.Series, *, dl_rule: str | None = None,
    method: EvaluationMethod | None = None,
) -> np.ndarray:
    """Values with below-detection-limit samples (flag "<", value = the limit) replaced by the
    value the method uses for them: factor × limit (``method_2011.toml [detection_limit]``;
    default half the limit [M], or the limit itself, or zero)."""
    method = method or load_method()
    rule = dl_rule or method.dl_default
    if rule not in method.dl_factor:
        raise ValueError(
            f"检出限规则无效 / unknown dl_rule {rule!r}; expected one of {sorted(method.dl_factor)}"
        )
    below = pd.Series(flags).fillna("").eq("<").to_numpy()
    values = np.asarray(values, dtype=float)
    return np.where(below, values * method.dl_factor[rule], values)


def period_means(
    samples: pd.DataFrame,
    *,
    freq: str | None = "month",
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
    dl_rule: str | None = None,
    method: EvaluationMethod | None = None,
) -> pd.DataFrame:
    """Mean of each item per section and period (环办〔2011〕22号 一(二) 数据统计).

    Month and quarter: the arithmetic mean of the samples in the period (一(二)1-2). Year and
    the whole range (``freq=None``): the mean of the monthly means, each month weighing the
    same, as the method's annual value is the mean of the 12 monthly values (一(二)3 [M];
    ``averaging.annual_from_monthly_means`` in the method's TOML; when false, the arithmetic
    mean of all samples).

    Parameters
    ----------
    samples : long frame with columns section_id, time, parameter, value and optionally flag
        ("<" = below the detection limit, the value then being the limit). Rows with a
        missing value or time are dropped. Time-zone-aware times are taken at their wall time.
    freq : "month", "quarter", "year", or None for one period covering the whole range.
    start, end : keep samples with ``start <= time < end`` (``end`` is exclusive: the year
        2024 is ``start="2024-01-01", end="2025-01-01"``). None = unbounded.
    dl_rule : "half" (default of the method's TOML: half the detection limit), "limit" (the
        limit itself) or "zero": the value used for a below-detection-limit sample.
    method : evaluation method (default 环办〔2011〕22号).

    Returns
    -------
    pandas.DataFrame
        One row per section × period × parameter with data, columns ``MEAN_COLUMNS``:
        period (label "2024-03", "2024Q1", "2024", or "2024-01-01/2024-12-31" for the whole
        range), start (first day of the period), value (mean, internal unit), n (samples),
        n_below_dl (samples flagged "<"), n_months (months with samples). Periods without
        samples have no row.
    """
    method = method or load_method()
    if freq is not None and freq not in FREQUENCIES:
        raise ValueError(f"评价时段无效 / unknown freq {freq!r}; expected one of {FREQUENCIES} or None")
    _require(samples, ("section_id", "time", "parameter", "value"), "samples")

    time = pd.to_datetime(samples["time"])
    if time.dt.tz is not None:
        time = time.dt.tz_localize(None)
    value = pd.to_numeric(samples["value"]).astype(float)
    flag = samples["flag"] if "flag" in samples.columns else pd.Series("", index=samples.index)
    below = flag.fillna("").eq("<")
    keep = value.notna() & time.notna()
    if start is not None:
        keep &= time >= pd.Timestamp(start)
    if end is not None:
        keep &= time < pd.Timestamp(end)
    if not keep.any():
        return pd.DataFrame({c: pd.Series(dtype=_MEAN_DTYPES[c]) for c in MEAN_COLUMNS})

    value = dl_substituted(value, flag, dl_rule=dl_rule, method=method)[keep.to_numpy()]
    time = time[keep]
    # Integer keys (factorised ids, months since year 0) keep the two group-bys fast.
    section, section_ids = pd.factorize(samples.loc[keep, "section_id"].astype(str), sort=True)
    parameter, parameter_codes = pd.factorize(samples.loc[keep, "parameter"].astype(str), sort=True)
    frame = pd.DataFrame(
        {
            "section": section,
            "month": (time.dt.year * 12 + time.dt.month - 1).to_numpy(),
            "parameter": parameter,
            "value": value,
            "below": below[keep].to_numpy(dtype=np.int64),
        }
    )
    monthly = (
        frame.groupby(["section", "month", "parameter"], sort=False)
        .agg(total=("value", "sum"), n=("value", "size"), n_below_dl=("below", "sum"))
        .reset_index()
    )
    monthly["mean"] = monthly["total"] / monthly["n"]
    monthly["key"] = _period_key(monthly["month"].to_numpy(), freq)
    out = (
        monthly.groupby(["section", "key", "parameter"], sort=True)
        .agg(
            total=("total", "sum"),
            n=("n", "sum"),
            n_below_dl=("n_below_dl", "sum"),
            n_months=("mean", "size"),
            mean_of_months=("mean", "mean"),
        )
        .reset_index()
    )
    monthly_first = freq in ("year", None) and method.annual_from_monthly_means
    keys, inverse = np.unique(out["key"].to_numpy(), return_inverse=True)
    first = pd.Timestamp(start) if start is not None else time.min().normalize()
    last = pd.Timestamp(end) - pd.Timedelta(days=1) if end is not None else time.max()
    labels, starts = _period_labels(keys, freq, first, last)
    # Index.take builds the text columns without a Python object per row.
    return pd.DataFrame(
        {
            "section_id": section_ids.take(out["section"].to_numpy()),
            "period": pd.Index(labels, dtype="str").take(inverse),
            "start": pd.DatetimeIndex(starts).take(inverse),
            "parameter": parameter_codes.take(out["parameter"].to_numpy()),
            "value": out["mean_of_months"] if monthly_first else out["total"] / out["n"],
            "n": out["n"].astype("int64"),
            "n_below_dl": out["n_below_dl"].astype("int64"),
            "n_months": out["n_months"].astype("int64"),
        }
    )


def _period_key(month: np.ndarray, freq: str | None) -> np.ndarray:
    """Period number of each month (months counted from January of year 0)."""
    return month // _MONTHS_PER_PERIOD[freq] if freq else np.zeros_like(month)


def _period_labels(
    keys: np.ndarray, freq: str | None, first: pd.Timestamp, last: pd.Timestamp
) -> tuple[np.ndarray, np.ndarray]:
    """Label and first day of each distinct period number (one entry per period, not sample)."""
    if freq is None:
        return np.array([f"{first:%Y-%m-%d}/{last:%Y-%m-%d}"], dtype=object), np.array([first.normalize()])
    begin = [divmod(int(k) * _MONTHS_PER_PERIOD[freq], 12) for k in keys]  # (year, month index 0-11)
    starts = np.array([pd.Timestamp(year=y, month=m + 1, day=1) for y, m in begin])
    if freq == "month":
        labels = [f"{y:04d}-{m + 1:02d}" for y, m in begin]
    elif freq == "quarter":
        labels = [f"{y:04d}Q{m // 3 + 1}" for y, m in begin]
    else:
        labels = [f"{y:04d}" for y, _ in begin]
    return np.array(labels, dtype=object), starts


def means_matrix(means: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray, tuple[str, ...]]:
    """Pivot long period means to one row per section × period.

    Returns ``(keys, values, codes)``: keys is a frame with section_id, period, start (one row
    per section and period, sorted), values a float array (rows, items) with NaN where an item
    has no mean, codes the parameter codes of its columns in catalogue (GB 3838 Table 1) order.
    """
    _require(means, ("section_id", "period", "start", "parameter", "value"), "means")
    wide = means.pivot(index=_KEYS, columns="parameter", values="value").sort_index()
    position = {code: i for i, code in enumerate(catalogue())}
    wide = wide[sorted(wide.columns, key=lambda c: (position.get(c, len(position)), str(c)))]
    codes = tuple(str(c) for c in wide.columns)
    return wide.index.to_frame(index=False), wide.to_numpy(dtype=float), codes


def attach_sections(keys: pd.DataFrame, sections: pd.DataFrame) -> pd.DataFrame:
    """Attach each section's attributes (water_body, target_class, river, ...) to ``keys``.

    Raises ValueError (zh + en) naming the section ids missing from ``sections``.
    """
    _require(sections, ("section_id", "water_body"), "sections")
    attrs = sections.drop_duplicates("section_id").set_index("section_id")
    unknown = sorted(set(keys["section_id"]) - set(attrs.index.astype(str)))
    if unknown:
        raise ValueError(f"断面表中没有这些断面 / sections not in the section table: {unknown[:10]}")
    attrs.index = attrs.index.astype(str)
    return keys.join(attrs, on="section_id")


def exceedance_multiples(
    values: np.ndarray,
    codes: Sequence[str],
    *,
    water_body: str | Sequence[str] | np.ndarray = "river",
    limits: ClassLimits | None = None,
    method: EvaluationMethod | None = None,
) -> np.ndarray:
    """Exceedance multiple over the class III limit, (C - C_III) / C_III (二(一)3).

    Returns a float array shaped like ``values``; NaN for missing values, for items without an
    upper class limit and for water temperature, pH and DO, which get no multiple. Lakes and
    reservoirs use their own C_III (TP). Negative where C is below C_III.
    """
    limits = limits or load_class_limits()
    method = method or load_method()
    rule = method.main_pollutants
    vals = np.asarray(values, dtype=float)
    lake = lake_mask(water_body, vals.shape[0], method)
    out = np.full(vals.shape, np.nan)
    for j, code in enumerate(codes):
        if code in rule.no_multiple or code not in limits.codes or not limits.upper[limits.row(code)]:
            continue
        row = limits.row(code)
        k = rule.reference_class - 1
        c3 = np.where(lake, limits.lake[row, k], limits.river[row, k])
        out[:, j] = (vals[:, j] - c3) / c3
    return out


def rank_items(keys: Sequence[np.ndarray], candidate: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the ``count`` best candidate columns by ``keys`` (each (n, p), larger first).

    ``keys`` are compared in order (the first decides, later ones break ties); remaining ties
    keep the column order. Returns ``(columns, valid)``, both (n, count): column indices and
    whether that rank holds a candidate. Vectorised with one ``np.lexsort`` along the rows.
    """
    n, p = candidate.shape
    position = np.broadcast_to(np.arange(p), (n, p))
    sort_keys = [position, *(-np.asarray(k, dtype=float) for k in reversed(keys)), ~candidate]
    order = np.lexsort(sort_keys, axis=1)[:, :count]
    return order, np.take_along_axis(candidate, order, axis=1)


def fixed_point(x: np.ndarray, decimals: int) -> np.ndarray:
    """``x`` printed with ``decimals`` decimals, vectorised.

    Halves go to the even digit, the 四舍六入五成双 rule of GB/T 8170-2008 §3.3 (0.125 ->
    "0.12", 0.135 -> "0.14"), applied to ``x * 10**decimals``. Built from integers, which numpy
    turns into text much faster than floats. NaN prints as 0.
    """
    unit = 10**decimals
    scaled = np.round(np.abs(np.nan_to_num(x)) * unit).astype(np.int64)
    text = (scaled // unit).astype(np.dtypes.StringDType())
    if decimals:
        fraction = np.strings.zfill((scaled % unit).astype(np.dtypes.StringDType()), decimals)
        text = np.strings.add(np.strings.add(text, "."), fraction)
    return np.where((np.nan_to_num(x) < 0) & (scaled > 0), np.strings.add("-", text), text)


def format_ranked(
    codes: Sequence[str],
    columns: np.ndarray,
    valid: np.ndarray,
    numbers: np.ndarray | None = None,
    *,
    decimals: int = 2,
    scale: float = 1.0,
    suffix: str = "",
    sep: str = ";",
) -> np.ndarray:
    """Format ranked items as ``"tp(0.35);nh3n(0.20)"`` (二(一)3 labelling).

    ``columns``/``valid`` come from :func:`rank_items`. ``numbers`` (n, p) gives each item's
    figure, printed as ``number * scale`` with ``decimals`` and ``suffix``; an item whose
    figure is NaN is printed bare (pH, DO). Rows without a valid rank give "".
    """
    names = np.array(codes, dtype=np.dtypes.StringDType())
    out = np.zeros(columns.shape[0], dtype=np.dtypes.StringDType())
    for r in range(columns.shape[1]):
        piece = names[columns[:, r]]
        if numbers is not None:
            figure = np.take_along_axis(numbers, columns[:, r : r + 1], axis=1)[:, 0] * scale
            text = np.strings.add(fixed_point(figure, decimals), suffix + ")")
            piece = np.where(np.isnan(figure), piece, np.strings.add(np.strings.add(piece, "("), text))
        out = np.strings.add(out, np.where(valid[:, r], np.strings.add(piece, sep), ""))
    return np.strings.rstrip(out, sep)


def main_pollutants(
    values: np.ndarray,
    result: ClassResult,
    *,
    water_body: str | Sequence[str] | np.ndarray = "river",
    limits: ClassLimits | None = None,
    method: EvaluationMethod | None = None,
) -> np.ndarray:
    """Main pollution indicators of each row (断面主要污染指标, 环办〔2011〕22号 二(一)3).

    Only rows worse than class III have any. Candidates are the evaluated items worse than
    class III. Cyanide and heavy metals among them come first (``main_pollutants.priority``);
    then the worse class first; equal classes by exceedance multiple, largest first (items
    without a multiple, pH and DO, after those with one); then catalogue column order. The
    top three are labelled with their multiple, e.g. ``"tp(0.35);nh3n(0.20)"``.

    Parameters
    ----------
    values : the float array (n, p) passed to :func:`classify`.
    result : the :class:`ClassResult` of ``values``.
    water_body, limits, method : as for :func:`classify`.

    Returns
    -------
    numpy.ndarray of str, "" for rows with no main pollutant.
    """
    method = method or load_method()
    rule = method.main_pollutants
    multiple = exceedance_multiples(values, result.codes, water_body=water_body, limits=limits, method=method)
    klass = result.item_class.astype(np.int16)
    worse = result.sample_class[:, None] > rule.worse_than_class
    candidate = worse & result.evaluated & (klass > rule.worse_than_class)
    priority = candidate & np.isin(np.array(result.codes, dtype=object), rule.priority)
    has_multiple = ~np.isnan(multiple)
    columns, valid = rank_items(
        [priority, klass, has_multiple, np.where(has_multiple, multiple, 0.0)], candidate, rule.count
    )
    return format_ranked(result.codes, columns, valid, multiple, decimals=rule.multiple_decimals)


def evaluate_sections(
    means: pd.DataFrame,
    sections: pd.DataFrame,
    *,
    limits: ClassLimits | None = None,
    method: EvaluationMethod | None = None,
) -> pd.DataFrame:
    """Class, status and main pollutants of each section and period (二(一)1 and 3).

    Parameters
    ----------
    means : output of :func:`period_means`.
    sections : the ``section`` table (section_id, water_body, target_class, river,
        county_id, ...); every section of ``means`` must be in it.
    limits, method : class limits (default GB 3838-2002) and method (default 2011).

    Returns
    -------
    pandas.DataFrame
        One row per section × period: section_id, period, start, the section's columns, then
        ``class`` (1-6, 0 when no evaluated item has a value), class_label ("I".."劣V"),
        status_zh, status_en, colour (None for class 0), meets_target (nullable boolean:
        class <= target_class; NA without a class or a target), is_worse_than_v,
        worst_items (codes setting the class, ";"-joined), main_pollutants (worse than III
        only, e.g. "tp(0.35);nh3n(0.20)"), tn_class and tn_class_label (total nitrogen,
        evaluated separately for lakes and reservoirs; 0 / "" for rivers).
    """
    limits = limits or load_class_limits()
    method = method or load_method()
    keys, values, codes = means_matrix(means)
    table = attach_sections(keys, sections)
    water_body = table["water_body"].to_numpy(dtype=object)
    result = classify(values, codes, water_body=water_body, limits=limits, method=method)

    klass = result.sample_class
    target = pd.to_numeric(table.get("target_class", pd.Series(np.nan, index=table.index)), errors="coerce")
    target = target.to_numpy(dtype=float)
    meets = pd.array(klass <= target, dtype="boolean")
    meets[(klass == NOT_CLASSIFIED) | np.isnan(target)] = pd.NA
    table["class"] = klass.astype(np.int64)
    table["class_label"] = class_labels(klass, limits.labels)
    for column, words in status_of_class(klass, method).items():
        table[column] = words
    table["meets_target"] = meets
    table["is_worse_than_v"] = klass == len(limits.labels)
    table["worst_items"] = result.worst_codes()
    table["main_pollutants"] = main_pollutants(values, result, water_body=water_body, limits=limits, method=method)
    table["tn_class"] = result.tn_class.astype(np.int64)
    table["tn_class_label"] = class_labels(result.tn_class, limits.labels)
    return table
