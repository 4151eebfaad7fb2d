"""Project tracking: schedule, lagging, overdue, investment and the responsibility matrix, by hand.

Schedule used throughout: start 2025-01-01, end 2025-05-01, i.e. 31 + 28 + 31 + 30 = 120 days;
on 2025-03-02 (31 + 28 + 1 = 60 days in) the linear schedule is at 60/120 = 50 %.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from qingliu.model.tables import PROJECT, PROJECT_CATEGORIES
from qingliu.plan.projects import (
    LAGGING_THRESHOLD_PP,
    planned_progress,
    responsibility_matrix,
    summarise,
    track_projects,
)

HALF_WAY = "2025-03-02"


def projects(*rows: dict) -> pd.DataFrame:
    """Project rows with the canonical columns; unspecified fields take a plain ongoing project."""
    base = {
        "name": "工程",
        "category": "water_ecology",
        "county_id": "140702",
        "department": "晋中市水利局",
        "start": "2025-01-01",
        "end": "2025-05-01",
        "investment_1e4yuan": 200.0,
        "invested_1e4yuan": np.nan,
        "status": "ongoing",
        "progress_pct": 0.0,
    }
    frame = pd.DataFrame([{**base, "project_id": f"XM{i:02d}", **row} for i, row in enumerate(rows, 1)])
    frame["start"] = pd.to_datetime(frame["start"])
    frame["end"] = pd.to_datetime(frame["end"])
    return frame.reindex(columns=list(PROJECT.names))


def one(as_of: str = HALF_WAY, threshold: float = LAGGING_THRESHOLD_PP, **row) -> pd.Series:
    return track_projects(projects(row), as_of, lagging_threshold_pp=threshold).iloc[0]


def test_default_threshold_is_15_points() -> None:
    assert LAGGING_THRESHOLD_PP == 15.0


def test_half_way_at_20_percent_is_lagging() -> None:
    p = one(progress_pct=20.0)
    assert p["planned_pct"] == 50.0
    assert p["progress_gap_pct"] == -30.0
    assert p["lagging"]


def test_exactly_15_points_behind_is_not_lagging_and_a_little_more_is() -> None:
    assert not one(progress_pct=35.0)["lagging"]
    assert one(progress_pct=34.9)["lagging"]


def test_threshold_is_a_parameter() -> None:
    assert not one(progress_pct=20.0, threshold=30.0)["lagging"]
    assert one(progress_pct=20.0, threshold=29.9)["lagging"]


def test_ahead_of_schedule_is_not_lagging() -> None:
    p = one(progress_pct=80.0)
    assert p["progress_gap_pct"] == 30.0
    assert not p["lagging"]


def test_completed_project_is_neither_lagging_nor_overdue() -> None:
    p = one(as_of="2025-09-01", status="completed", progress_pct=60.0)
    assert not p["lagging"]
    assert not p["overdue"]
    assert pd.isna(p["days_remaining"])


def test_overdue_boundary() -> None:
    on_the_day = one(as_of="2025-05-01", progress_pct=90.0)
    assert not on_the_day["overdue"]
    assert on_the_day["days_remaining"] == 0
    day_after = one(as_of="2025-05-02", progress_pct=90.0)
    assert day_after["overdue"]
    assert day_after["days_remaining"] == -1
    assert day_after["planned_pct"] == 100.0


def test_suspended_past_its_end_is_overdue_and_lagging() -> None:
    p = one(as_of="2025-06-01", status="suspended", progress_pct=40.0)
    assert p["overdue"]
    assert p["lagging"]  # 100 − 40 = 60 points behind


def test_planned_progress_clipped_and_same_day_project() -> None:
    start = np.array(["2025-01-01", "2025-01-01", "2025-01-01", "2025-03-02", "2025-03-02"], dtype="datetime64[D]")
    end = np.array(["2025-05-01", "2025-03-01", "2025-12-31", "2025-03-02", "2025-03-03"], dtype="datetime64[D]")
    # 50 % half way; past its end 100; 60 of 364 days; a one-day project on its day 100;
    # a project that starts on the day 0.
    expected = [50.0, 100.0, 100 * 60 / 364, 100.0, 0.0]
    np.testing.assert_allclose(planned_progress(start, end, HALF_WAY), expected)


def test_planned_progress_before_start_is_zero_and_bad_dates_are_nan() -> None:
    start = pd.Series(pd.to_datetime(["2025-06-01", "2025-05-01", None]))
    end = pd.Series(pd.to_datetime(["2025-12-01", "2025-01-01", "2025-12-01"]))
    result = planned_progress(start, end, pd.Timestamp("2025-03-02 15:30"))
    assert result[0] == 0.0
    assert np.isnan(result[1])  # end before start
    assert np.isnan(result[2])  # no start


def test_investment_against_plan() -> None:
    p = one(invested_1e4yuan=50.0, progress_pct=50.0)
    assert p["invested_pct"] == 25.0  # 50 of 200
    assert p["planned_invested_1e4yuan"] == 100.0  # half of 200 by the schedule
    assert p["invest_gap_pct"] == -25.0


def test_missing_progress_and_spending_flag_nothing() -> None:
    p = one(progress_pct=np.nan)
    assert not p["lagging"]
    assert np.isnan(p["invested_pct"])
    assert np.isnan(one(investment_1e4yuan=0.0, invested_1e4yuan=5.0)["invested_pct"])


def test_track_projects_is_vectorised_over_projects_and_leaves_input_alone() -> None:
    frame = projects({"progress_pct": 20.0}, {"progress_pct": 50.0}, {"end": "2025-03-01", "progress_pct": 80.0})
    tracked = track_projects(frame, HALF_WAY)
    assert tracked["lagging"].tolist() == [True, False, True]  # third: past its end, 100 − 80 = 20 behind
    assert tracked["overdue"].tolist() == [False, False, True]
    assert "lagging" not in frame.columns


def test_responsibility_matrix_counts_and_sums() -> None:
    frame = projects(
        {"department": "水利局", "category": "water_ecology", "investment_1e4yuan": 100.0, "invested_1e4yuan": 40.0},
        {"department": "水利局", "category": "water_ecology", "investment_1e4yuan": 50.0},
        {"department": "水利局", "category": "flood_drought", "investment_1e4yuan": 30.0, "invested_1e4yuan": 30.0},
        {"department": "生态环境局", "category": "water_environment", "investment_1e4yuan": 80.0},
    )
    matrix = responsibility_matrix(frame)
    assert matrix.index.tolist() == ["水利局", "生态环境局"]
    assert matrix["projects"].columns.tolist() == list(PROJECT_CATEGORIES)
    assert matrix.loc["水利局", ("projects", "water_ecology")] == 2
    assert matrix.loc["水利局", ("projects", "flood_drought")] == 1
    assert matrix.loc["水利局", ("projects", "water_resources")] == 0
    assert matrix.loc["生态环境局", ("projects", "water_environment")] == 1
    assert matrix.loc["水利局", ("investment_1e4yuan", "water_ecology")] == 150.0
    assert matrix.loc["水利局", ("invested_1e4yuan", "water_ecology")] == 40.0  # missing counts as 0
    assert matrix["projects"].to_numpy().sum() == 4
    assert matrix["investment_1e4yuan"].to_numpy().sum() == 260.0
    assert matrix["projects"].dtypes.eq("int64").all()


def test_summary_by_status_and_category() -> None:
    frame = projects(
        {"progress_pct": 20.0, "investment_1e4yuan": 100.0, "invested_1e4yuan": 10.0},
        {"status": "completed", "progress_pct": 100.0, "investment_1e4yuan": 300.0, "invested_1e4yuan": 290.0},
        {"status": "suspended", "end": "2025-03-01", "progress_pct": 10.0, "category": "flood_drought"},
    )
    tracked = track_projects(frame, HALF_WAY)
    by_status = summarise(tracked, "status")
    assert by_status.index.tolist() == ["planned", "ongoing", "completed", "suspended"]
    assert by_status["projects"].tolist() == [0, 1, 1, 1]
    assert by_status["lagging"].tolist() == [0, 1, 0, 1]
    assert by_status["overdue"].tolist() == [0, 0, 0, 1]
    by_category = summarise(tracked, "category")
    assert by_category.loc["water_ecology", "projects"] == 2
    assert by_category.loc["water_ecology", "invested_pct"] == 75.0  # (10 + 290) / (100 + 300)
    assert by_category.loc["water_ecology", "completed"] == 1
    assert np.isnan(by_category.loc["water_resources", "invested_pct"])


def test_summary_refuses_unknown_groups_and_untracked_frames() -> None:
    frame = projects({})
    with pytest.raises(ValueError, match="cannot summarise"):
        summarise(track_projects(frame, HALF_WAY), "river")
    with pytest.raises(ValueError, match="track"):
        summarise(frame, "status")
