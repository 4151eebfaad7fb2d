"""Assess the water environment of a workspace (水环境评价) for a year or a month.

Joins the store and the pure computations of ``assess/``: GB 3838-2002 classes of the
period means (环办〔2011〕22号), target compliance, main pollutants, river / county / city
status, CWQI, change on the same period of the previous year, trends, the trophic state of
lakes and reservoirs and the early warning of sections at risk of missing their annual target.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy.engine import Engine

from qingliu import store
from qingliu.assess.change import compare_section_classes, compare_shares
from qingliu.assess.evaluation import evaluate_sections, period_means
from qingliu.assess.regional import cwqi, evaluate_group
from qingliu.assess.trophic import tli
from qingliu.assess.warning import early_warning, section_warnings
from qingliu.services.trends import section_trends
from qingliu.store import summaries

PRIOR_YEARS = 3
"""Years of history that give the expected concentration of the rest of the year (early warning)."""


class NoDataError(ValueError):
    """No water-quality samples for the requested period (message in Chinese and English)."""


@dataclass(frozen=True)
class WaterQualityAssessment:
    """Every water-environment result for one period (a year, or a month of it)."""

    year: int
    month: int | None
    sections: pd.DataFrame
    city: pd.DataFrame
    rivers: pd.DataFrame
    counties: pd.DataFrame
    cwqi: pd.DataFrame
    city_change: pd.DataFrame
    section_change: pd.DataFrame
    trends: pd.DataFrame
    trophic: pd.DataFrame
    warnings: pd.DataFrame
    warning_items: pd.DataFrame
    history: pd.DataFrame
    section_history: pd.DataFrame

    @property
    def period_label(self) -> str:
        return f"{self.year}-{self.month:02d}" if self.month else str(self.year)


def _bounds(year: int, month: int | None) -> tuple[pd.Timestamp, pd.Timestamp]:
    start = pd.Timestamp(year, month or 1, 1)
    return start, start + (pd.DateOffset(months=1) if month else pd.DateOffset(years=1))


def _evaluate(samples: pd.DataFrame, sections: pd.DataFrame, year: int, month: int | None):
    start, end = _bounds(year, month)
    means = period_means(samples, freq=None, start=start, end=end)
    if means.empty:
        return means, pd.DataFrame()
    return means, evaluate_sections(means, sections)


def _city_change(now: pd.DataFrame, before: pd.DataFrame) -> pd.DataFrame:
    if now.empty or before.empty:
        return pd.DataFrame()
    a, b = before.iloc[0], now.iloc[0]
    change = compare_shares(100 * a["share_1_3"], 100 * a["share_6"], 100 * b["share_1_3"], 100 * b["share_6"])
    change.insert(0, "share_1_3_before", a["share_1_3"])
    change.insert(1, "share_1_3", b["share_1_3"])
    change.insert(2, "share_6_before", a["share_6"])
    change.insert(3, "share_6", b["share_6"])
    return change


def _section_change(now: pd.DataFrame, before: pd.DataFrame) -> pd.DataFrame:
    if now.empty or before.empty:
        return pd.DataFrame()
    both = now[["section_id", "name", "class"]].merge(
        before[["section_id", "class"]], on="section_id", suffixes=("", "_before")
    )
    both = both[(both["class"] > 0) & (both["class_before"] > 0)].reset_index(drop=True)
    graded = compare_section_classes(both["class_before"].to_numpy(), both["class"].to_numpy())
    return pd.concat([both, graded.reset_index(drop=True)], axis=1)


def _trophic(means: pd.DataFrame, sections: pd.DataFrame) -> pd.DataFrame:
    lakes = sections.loc[sections["water_body"].isin(["lake", "reservoir"]), ["section_id", "name", "river"]]
    wide = means.pivot_table(index="section_id", columns="parameter", values="value")
    wide = wide.reindex(index=lakes["section_id"], columns=["chla", "tp", "tn", "sd", "codmn"]).dropna(subset=["chla"])
    if wide.empty:
        return pd.DataFrame()
    result = tli(wide["chla"], wide["tp"], wide["tn"], wide["sd"], wide["codmn"]).to_frame(index=wide.index)
    return lakes.merge(result.reset_index(), on="section_id")


def _monthly(samples: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    monthly = period_means(samples, freq="month", start=start, end=end)
    monthly["month"] = monthly["start"].dt.month
    monthly["year"] = monthly["start"].dt.year
    return monthly


def _warnings(samples: pd.DataFrame, sections: pd.DataFrame, year: int, month: int | None):
    """Early warning from the months of ``year`` up to ``month`` (default: its latest sample)."""
    ytd = _monthly(samples, pd.Timestamp(year, 1, 1), _bounds(year, month)[1] if month else pd.Timestamp(year + 1, 1, 1))
    if ytd.empty:
        return pd.DataFrame(), pd.DataFrame()
    prior = _monthly(samples, pd.Timestamp(year - PRIOR_YEARS, 1, 1), pd.Timestamp(year, 1, 1))
    indexed = sections.set_index("section_id")
    items = early_warning(
        ytd[["section_id", "month", "parameter", "value"]],
        prior[["section_id", "month", "parameter", "value"]],
        indexed["target_class"],
        indexed["water_body"],
        as_of_month=month,
    )
    summary = section_warnings(items).reset_index()
    summary = sections[["section_id", "name", "river", "target_class"]].merge(summary, on="section_id")
    return summary, items


SECTION_HISTORY = ("section_id", "year", "class", "class_label", "meets_target", "status_zh", "status_en", "main_pollutants")


def _history(samples: pd.DataFrame, sections: pd.DataFrame, first: int, last: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per year: the city's shares of sections in I-III, in 劣V and meeting their target; each section's class."""
    means = period_means(samples, freq="year", start=pd.Timestamp(first, 1, 1), end=pd.Timestamp(last + 1, 1, 1))
    if means.empty:
        return pd.DataFrame(), pd.DataFrame(columns=list(SECTION_HISTORY))
    yearly = evaluate_sections(means, sections)
    yearly["year"] = yearly["start"].dt.year
    city = evaluate_group(yearly, means, group_by=())
    city["year"] = city["start"].dt.year
    columns = ["year", "n_sections", "share_1_3", "share_6", "share_meeting_target", "status_zh", "status_en"]
    return city[columns], yearly[list(SECTION_HISTORY)]


def load_samples(engine: Engine, first_year: int, last_year: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Samples of the years ``first_year``..``last_year`` and the section table."""
    with engine.connect() as conn:
        samples = store.read(
            conn, "wq_sample", where={"time": slice(pd.Timestamp(first_year, 1, 1), pd.Timestamp(last_year + 1, 1, 1))}
        )
        sections = store.read(conn, "section")
    return samples, sections


def latest_year(engine: Engine) -> int | None:
    """The latest year with water-quality samples."""
    with engine.connect() as conn:
        last = summaries.max_value(conn, "wq_sample", "time")
    return None if last is None else last.year


def assess_water_quality(
    engine: Engine, year: int, month: int | None = None, *, trend_years: int = 10
) -> WaterQualityAssessment:
    """Assess ``year`` (or ``month`` of it): sections, rivers, counties, city, change, trends, warnings.

    Trends use the monthly means of the ``trend_years`` years up to the period's end.
    """
    samples, sections = load_samples(engine, year - max(trend_years, PRIOR_YEARS + 1) + 1, year)
    means, results = _evaluate(samples, sections, year, month)
    if results.empty:
        when = f"{year}-{month:02d}" if month else str(year)
        raise NoDataError(f"{when} 没有水质监测数据 / no water-quality samples for {when}")
    _, before = _evaluate(samples, sections, year - 1, month)
    means_before = period_means(samples, freq=None, start=_bounds(year - 1, month)[0], end=_bounds(year - 1, month)[1])
    city = evaluate_group(results, means, group_by=())
    city_before = evaluate_group(before, means_before, group_by=()) if not before.empty else pd.DataFrame()
    summary, items = _warnings(samples, sections, year, month)
    trend_start = pd.Timestamp(year - trend_years + 1, 1, 1)
    trends = section_trends(_monthly(samples, trend_start, _bounds(year, month)[1]), sections)
    history, section_history = _history(samples, sections, year - trend_years + 1, year)
    city_cwqi = cwqi(means, sections)
    county_cwqi = cwqi(means, sections, group_by=("county_id",))
    return WaterQualityAssessment(
        year=year,
        month=month,
        sections=results,
        city=city,
        rivers=evaluate_group(results, means, group_by=("river",)),
        counties=evaluate_group(results, means, group_by=("county_id",)),
        cwqi=pd.concat([city_cwqi.assign(county_id=""), county_cwqi], ignore_index=True),
        city_change=_city_change(city, city_before),
        section_change=_section_change(results, before),
        trends=trends,
        trophic=_trophic(means, sections),
        warnings=summary,
        warning_items=items,
        history=history,
        section_history=section_history,
    )


def failing_sections(assessment: WaterQualityAssessment) -> pd.DataFrame:
    """Sections that miss their target class in the period, worst first."""
    s = assessment.sections
    return s[s["meets_target"].eq(False)].sort_values(["class", "section_id"], ascending=[False, True])


__all__ = [
    "NoDataError",
    "WaterQualityAssessment",
    "assess_water_quality",
    "failing_sections",
    "latest_year",
    "load_samples",
]
