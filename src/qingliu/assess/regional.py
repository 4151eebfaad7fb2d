"""Evaluation of rivers, basins, counties and the city (环办〔2011〕22号 二(一)2-3) and CWQI.

:func:`evaluate_group` turns section results (:func:`qingliu.assess.evaluation.evaluate_sections`)
into one status per group (river, county, basin or all sections) and period:
fewer than 5 sections -> the items are averaged over the sections and classified by the
single-factor method; 5 or more -> the section-class proportion method.
:func:`cwqi` is the city water-quality index of the city ranking rules.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from qingliu.assess.evaluation import (
    attach_sections,
    format_ranked,
    main_pollutants,
    means_matrix,
    rank_items,
)
from qingliu.assess.quality import (
    NOT_CLASSIFIED,
    EvaluationMethod,
    class_labels,
    classify,
    lake_mask,
    load_method,
    status_of_class,
)
from qingliu.standards import ClassLimits, load_class_limits

# Status of the proportion method as the class whose status word it shares
# (优 = I-II, 良好 = III, 轻度/中度/重度污染 = IV/V/劣V; 表1 and 表2 of the method).
_EXCELLENT, _GOOD, _LIGHT, _MODERATE, _HEAVY = 1, 3, 4, 5, 6

GROUP_COLUMNS = (
    "rule",
    "n_sections",
    "n_1_3",
    "n_6",
    "n_with_target",
    "share_1_3",
    "share_6",
    "class",
    "class_label",
    "status_zh",
    "status_en",
    "colour",
    "main_pollutants",
    "tn_class",
    "share_meeting_target",
)


def proportion_status(
    n_sections: np.ndarray, n_1_3: np.ndarray, n_6: np.ndarray, method: EvaluationMethod
) -> np.ndarray:
    """Status of a group by the section-class proportion method (二(一)2, 表2).

    优: I-III share >= 90 %; 良好: 75 % <= share < 90 %; below 75 %: 轻度污染 when the 劣V share
    is < 20 %, 中度污染 when 20 % <= 劣V < 40 %, 重度污染 when >= 40 % (thresholds from the
    method's TOML). Shares are compared in integer arithmetic (100·k >= 90·n), so a share of
    exactly 90 %, 75 %, 20 % or 40 % falls on the documented side.

    Returns the class whose status word the group takes (1 = 优, 3 = 良好, 4, 5, 6).
    """
    rule = method.proportion
    n = np.asarray(n_sections, dtype=np.int64)
    good = 100 * np.asarray(n_1_3, dtype=np.int64)
    bad = 100 * np.asarray(n_6, dtype=np.int64)
    conditions = [
        good >= rule.good_1_3_excellent * n,
        good >= rule.good_1_3_good * n,
        bad < rule.worse_v_moderate * n,
        bad < rule.worse_v_heavy * n,
    ]
    return np.select(conditions, [_EXCELLENT, _GOOD, _LIGHT, _MODERATE], _HEAVY)


def _item_frame(means: pd.DataFrame, results: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray, tuple[str, ...]]:
    """Period means of the evaluated section-periods, aligned with their section results."""
    keys, values, codes = means_matrix(means)
    row = pd.Series(np.arange(len(keys)), index=pd.MultiIndex.from_frame(keys[["section_id", "period"]]))
    wanted = pd.MultiIndex.from_frame(results[["section_id", "period"]].astype({"section_id": str, "period": str}))
    missing = ~wanted.isin(row.index)
    if missing.any():
        raise ValueError(f"缺少断面时段均值 / means missing for section-periods: {list(wanted[missing][:5])}")
    return results.reset_index(drop=True), values[row.loc[wanted].to_numpy()], codes


def evaluate_group(
    section_results: pd.DataFrame,
    means: pd.DataFrame,
    *,
    group_by: Sequence[str] = ("river",),
    average: bool | None = None,
    limits: ClassLimits | None = None,
    method: EvaluationMethod | None = None,
) -> pd.DataFrame:
    """Water-quality status of rivers, basins, counties or all sections (二(一)2-3).

    Only sections with a class (class > 0) count. For each group and period:

    - fewer than 5 sections (``proportion.min_sections``; "5个(含5个)以上" use proportions):
      each item's period mean is averaged over the group's sections (NaN skipped), the
      averages are classified by the single-factor method, and the status is that class's;
      main pollutants by the section rule on the averages (二(一)3(2): the method also lists
      each section's own, found in ``section_results``). The lake limits apply when every
      section of the group is a lake or reservoir, and total nitrogen is then classed apart;
    - 5 or more: the proportion method (:func:`proportion_status`), main pollutants = the
      three evaluated items with the highest section exceedance rate (sections worse than
      class III for the item / sections), printed as ``"nh3n(40.0%)"``; ties keep catalogue
      order; items no section exceeds are not listed.

    Parameters
    ----------
    section_results : output of :func:`~qingliu.assess.evaluation.evaluate_sections`
        (must hold the ``group_by`` columns).
    means : the period means the section results were computed from.
    group_by : columns to group by, e.g. ("river",), ("county_id",); () = all sections.
    average : None = the section-count rule above; True = always average (one lake or
        reservoir with several points, 二(二)1(2)); False = always the proportion method.
    limits, method : class limits (default GB 3838-2002) and method (default 2011).

    Returns
    -------
    pandas.DataFrame
        One row per group × period: the group columns, period, start, rule ("mean" or
        "proportion"), n_sections, n_1_3, n_6, share_1_3, share_6 (fractions), class (1-6 for
        the mean rule, NA for proportions), class_label, status_zh, status_en, colour,
        main_pollutants, tn_class (mean rule for lakes, else 0), n_with_target,
        share_meeting_target (NaN when no section has a target).
    """
    limits = limits or load_class_limits()
    method = method or load_method()
    keys = [*group_by, "period", "start"]
    evaluated = section_results[section_results["class"] > NOT_CLASSIFIED]
    if evaluated.empty:
        return pd.DataFrame(columns=[*keys, *GROUP_COLUMNS])
    results, values, codes = _item_frame(means, evaluated)
    klass = results["class"].to_numpy()
    meets = results["meets_target"].astype("boolean")
    section_water = results["water_body"].to_numpy(dtype=object)
    lake = lake_mask(section_water, len(results), method)
    flags = pd.DataFrame(
        {
            "n_sections": 1,
            "n_1_3": klass <= method.proportion.good_classes_up_to,
            "n_6": klass == len(limits.labels),
            "n_with_target": meets.notna().to_numpy(),
            "n_meeting": meets.fillna(False).to_numpy(dtype=bool),
            "all_lake": lake,
        }
    )
    by_group = [results[k] for k in keys]
    grouped = flags.groupby(by_group, dropna=False)
    out = grouped.sum().astype(np.int64)
    out["all_lake"] = grouped["all_lake"].all()
    n = out["n_sections"].to_numpy()
    use_mean = n < method.proportion.min_sections if average is None else np.full(len(out), bool(average))

    # Proportion rule: status from the shares; main pollutants by section exceedance rate.
    status = proportion_status(n, out["n_1_3"], out["n_6"], method)
    item = classify(values, codes, water_body=section_water, limits=limits, method=method)
    exceeds = pd.DataFrame(
        (item.item_class > method.main_pollutants.worse_than_class) & item.evaluated, columns=list(codes)
    )
    rate = exceeds.groupby(by_group, dropna=False).sum().reindex(out.index).to_numpy() / n[:, None]
    columns, valid = rank_items([rate], rate > 0, method.main_pollutants.count)
    pollutants = format_ranked(
        codes, columns, valid, rate, decimals=method.main_pollutants.rate_decimals, scale=100.0, suffix="%"
    )

    # Mean rule: average each item over the group's sections, then the single-factor method.
    group_class = np.zeros(len(out), dtype=np.uint8)
    tn_class = np.zeros(len(out), dtype=np.uint8)
    if use_mean.any():
        items = pd.DataFrame(values, columns=list(codes))
        averaged = items.groupby(by_group, dropna=False).mean().reindex(out.index)
        rows = np.flatnonzero(use_mean)
        water_body = np.where(out["all_lake"].to_numpy()[rows], method.lake_water_bodies[0], "river")
        avg = averaged.to_numpy(dtype=float)[rows]
        mean_result = classify(avg, codes, water_body=water_body, limits=limits, method=method)
        group_class[rows] = mean_result.sample_class
        tn_class[rows] = mean_result.tn_class
        status[rows] = mean_result.sample_class
        pollutants[rows] = main_pollutants(avg, mean_result, water_body=water_body, limits=limits, method=method)

    out = out.reset_index()
    out.insert(len(keys), "rule", np.where(use_mean, "mean", "proportion"))
    out["share_1_3"] = out["n_1_3"] / n
    out["share_6"] = out["n_6"] / n
    out["class"] = pd.Series(group_class.astype(np.int64), dtype="Int64").where(use_mean)
    out["class_label"] = np.where(use_mean, class_labels(group_class, limits.labels), None)
    for column, words in status_of_class(status, method).items():
        out[column] = words
    out["main_pollutants"] = pollutants
    out["tn_class"] = tn_class.astype(np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["share_meeting_target"] = out["n_meeting"] / out["n_with_target"].where(out["n_with_target"] > 0)
    return out[[*keys, *GROUP_COLUMNS]]


def cwqi_terms(
    means: pd.DataFrame,
    sections: pd.DataFrame,
    *,
    limits: ClassLimits | None = None,
    method: EvaluationMethod | None = None,
) -> pd.DataFrame:
    """Per-section, per-item CWQI terms (城市地表水环境质量排名技术规定 [C:S7 concept; M]).

    For each of the method's 21 evaluated items present: C / C_III (class III limit of the
    section's water body, so the lake TP limit for lakes and reservoirs); DO: C_III / C
    (``cwqi.inverse``; DO = 0 gives inf); pH: (7 - pH) / (7 - 6) when pH <= 7, otherwise
    (pH - 7) / (9 - 7), with 7 = ``cwqi.ph_neutral`` and 6-9 the GB 3838-2002 range.

    Returns
    -------
    pandas.DataFrame
        section_id, period, start, the section's columns, one column per item (its term, NaN
        when the item has no mean) and ``cwqi`` = the sum of the section's terms (NaN if none).
    """
    limits = limits or load_class_limits()
    method = method or load_method()
    rule = method.cwqi
    keys, values, codes = means_matrix(means)
    table = attach_sections(keys, sections)
    lake = lake_mask(table["water_body"].to_numpy(dtype=object), len(table), method)
    items = [c for c in codes if c in method.evaluated]
    terms = np.full((len(table), len(items)), np.nan)
    with np.errstate(divide="ignore"):
        for i, code in enumerate(items):
            c = values[:, codes.index(code)]
            if code in limits.range_items:
                low, high = limits.range_items[code]
                neutral = rule.ph_neutral
                terms[:, i] = np.where(c <= neutral, (neutral - c) / (neutral - low), (c - neutral) / (high - neutral))
                continue
            row = limits.row(code)
            c3 = np.where(lake, limits.lake[row, rule.reference_class - 1], limits.river[row, rule.reference_class - 1])
            terms[:, i] = c3 / c if code in rule.inverse else c / c3
    table[items] = terms
    table["cwqi"] = pd.DataFrame(terms).sum(axis=1, min_count=1).to_numpy()
    return table


def cwqi(
    means: pd.DataFrame,
    sections: pd.DataFrame,
    *,
    group_by: Sequence[str] = (),
    limits: ClassLimits | None = None,
    method: EvaluationMethod | None = None,
) -> pd.DataFrame:
    """City (or county, river) water-quality index CWQI per group and period.

    CWQI = Σ_i mean_s(term_i,s): for each item, the mean of its term (:func:`cwqi_terms`) over
    the group's sections that measured it, summed over the items. With every item measured at
    every section this equals the mean over sections of each section's Σ_i C_i / C_III,i
    [C:S7 concept]; the ranking rules average river and lake sections by their counts, which
    is what a mean over all sections gives [M]. An item missing at a section does not count as
    zero there. Lower is cleaner.

    Returns
    -------
    pandas.DataFrame
        The group columns, period, start, n_sections (sections with at least one term), cwqi.
    """
    terms = cwqi_terms(means, sections, limits=limits, method=method)
    method = method or load_method()
    items = [c for c in terms.columns if c in method.evaluated]
    keys = [*group_by, "period", "start"]
    grouped = terms.groupby(keys, dropna=False, sort=True)
    out = grouped[items].mean().sum(axis=1, min_count=1).rename("cwqi").to_frame()
    out.insert(0, "n_sections", grouped["cwqi"].count())
    return out.reset_index()
