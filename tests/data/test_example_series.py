"""The shipped example's rain, water levels and river-health survey, and its low flows against
the plants' effluent. Thresholds are plausibility bounds for Jinzhong and the example's design,
checked on the files as shipped (not recomputed with the generator)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from qingliu.standards import load_toml


@pytest.fixture(scope="module")
def rain(example: dict[str, pd.DataFrame]) -> pd.DataFrame:
    frame = example["rain"]
    wide = frame.assign(p=frame["p_mm"].astype(float)).pivot(index="date", columns="station_id", values="p")
    wide.index = pd.to_datetime(wide.index, format="%Y-%m-%d")
    return wide


@pytest.fixture(scope="module")
def flow(example: dict[str, pd.DataFrame]) -> pd.DataFrame:
    frame = example["flows"]
    wide = frame.assign(q=frame["q"].astype(float)).pivot(index="date", columns="station_id", values="q")
    wide.index = pd.to_datetime(wide.index, format="%Y-%m-%d")
    return wide


@pytest.fixture(scope="module")
def level(example: dict[str, pd.DataFrame]) -> pd.DataFrame:
    frame = example["levels"]
    wide = frame.assign(h=frame["level_m"].astype(float)).pivot(index="time", columns="site_id", values="h")
    wide.index = pd.to_datetime(wide.index, format="%Y-%m-%d %H:%M")
    return wide


# --- rain ------------------------------------------------------------------------------------


def test_rain_is_daily_1980_to_2025_at_three_or_four_gauges(example, rain: pd.DataFrame) -> None:
    assert 3 <= rain.shape[1] <= 4 and not example["rain"].duplicated(["station_id", "date"]).any()
    assert rain.index.equals(pd.date_range("1980-01-01", "2025-12-31"))
    assert rain.notna().all().all() and (rain >= 0).all().all()


def test_rain_is_loess_plateau_like(rain: pd.DataFrame) -> None:
    annual = rain.groupby(rain.index.year).sum()
    assert annual.mean().between(400, 550).all()
    summer = rain[rain.index.month.isin([6, 7, 8, 9])].sum() / rain.sum()
    assert summer.between(0.6, 0.75).all()  # 60-70 % in the flood season
    assert ((rain < 0.1).mean() > 0.75).all()  # most days are dry
    assert (rain.max() > 60).all()  # storms
    assert (annual.min() < 0.65 * annual.mean()).all() and (annual.max() > 1.4 * annual.mean()).all()


def test_dry_years_of_rain_are_dry_years_of_flow(rain: pd.DataFrame, flow: pd.DataFrame) -> None:
    wet = rain.groupby(rain.index.year).sum().mean(axis=1)
    yearly = flow.groupby(flow.index.year).mean()
    runoff = (yearly / yearly.mean()).mean(axis=1)
    assert np.corrcoef(wet, runoff)[0, 1] > 0.6
    assert wet.idxmax() == 2021 and runoff.rank(ascending=False)[2021] <= 3  # the wet autumn of 2021
    dry, wet_years = wet < 0.8 * wet.mean(), wet > 1.2 * wet.mean()
    assert dry.sum() >= 3 and runoff[dry].max() < runoff[wet_years].mean()


# --- levels ----------------------------------------------------------------------------------


def test_levels_are_daily_0800_readings_2020_to_2025(example, level: pd.DataFrame) -> None:
    assert level.index.equals(pd.date_range("2020-01-01 08:00", "2025-12-31 08:00", freq="D"))
    assert level.notna().all().all() and not example["levels"].duplicated(["site_id", "time"]).any()


def test_station_levels_follow_flow_and_reach_warning_on_a_few_flood_days(example, level, flow) -> None:
    stations = example["stations"].set_index("station_id").astype({"warning_level_m": float,
                                                                   "guarantee_level_m": float})  # fmt: skip
    summer = level.index.month.isin([6, 7, 8, 9])
    days = level.index.normalize()
    for sid, row in stations.iterrows():
        h = level[sid]
        q = flow.loc[days, sid].to_numpy()
        assert pd.Series(h[summer].to_numpy()).corr(pd.Series(q[summer]), method="spearman") > 0.9, sid
        above = h >= row["warning_level_m"]
        assert above.sum() <= 20, sid  # a few flood days, not a season
        assert (h < row["guarantee_level_m"]).all(), sid
        assert (h > row["warning_level_m"] - 6).all(), sid
    flood_days = {sid: (level[sid].iloc[:-1] >= stations.loc[sid, "warning_level_m"]).sum() for sid in stations.index}
    assert sum(n > 0 for n in flood_days.values()) >= 4
    last = level.iloc[-1][stations.index] - stations["warning_level_m"]
    assert (last >= 0).sum() == 1 and (last < -1).sum() == len(stations) - 1  # one on the duty list


def test_reservoirs_keep_normal_level_and_flood_limit(example, level: pd.DataFrame) -> None:
    reservoirs = example["reservoirs"].set_index("reservoir_id").astype({"flood_limit_level_m": float,
                                                                         "normal_level_m": float})  # fmt: skip
    month = level.index.month
    flood_season = month.isin([6, 7, 8, 9])
    exceeding = {}
    for rid, row in reservoirs.iterrows():
        h = level[rid]
        assert (h < row["normal_level_m"]).all() and (h > row["flood_limit_level_m"] - 5).all(), rid
        winter = h[month.isin([12, 1, 2])]
        assert winter.median() > row["normal_level_m"] - 1, rid  # held near the normal pool
        assert h[flood_season].median() <= row["flood_limit_level_m"], rid  # drawn down for the flood season
        exceeding[rid] = int((h[flood_season] > row["flood_limit_level_m"]).sum())
    assert min(exceeding.values()) == 0 and 2 <= max(exceeding.values()) <= 30


# --- health survey ---------------------------------------------------------------------------


def test_health_survey_uses_the_guides_survey_indicators(example: dict[str, pd.DataFrame]) -> None:
    survey = example["health-survey"].astype({"year": int, "value": float})
    spec = load_toml("river_health_2020")["indicator"]
    assert set(survey["indicator"]) <= {code for code, s in spec.items() if s["source"] == "survey"}
    required = {code for code, s in spec.items() if s["source"] == "survey" and s["required"]}
    assert sorted(survey["year"].unique()) == [2023, 2024, 2025]
    assert not survey.duplicated(["river", "year", "indicator"]).any()
    for (river, year), group in survey.groupby(["river", "year"]):
        assert required <= set(group["indicator"]), (river, year)
    scores = survey[survey["indicator"] != "self_purification"]
    assert scores["value"].between(0, 100).all()
    oxygen = survey.loc[survey["indicator"] == "self_purification", "value"]
    assert oxygen.between(4, 12).all()  # mg/L of dissolved oxygen
    mean = scores.groupby("year")["value"].mean()
    assert mean[2025] > mean[2023]  # improving
    by_river = scores[scores["year"] == 2025].groupby("river")["value"].mean()
    assert by_river.idxmin() == "汾河"


# --- low flows carry at least the effluent -----------------------------------------------------


def test_driest_month_exceeds_upstream_effluent(example: dict[str, pd.DataFrame], flow: pd.DataFrame) -> None:
    nodes = example["network"]
    down = dict(zip(nodes["node_id"], nodes["downstream"], strict=True))
    sources = example["sources"]
    point = sources[sources["flow_m3d"] != ""]
    effluent = dict.fromkeys(example["stations"]["node_id"], 0.0)
    for node, m3d in zip(point["node_id"], point["flow_m3d"].astype(float), strict=True):
        while node:  # walk downstream, adding the plant's flow at every station passed
            if node in effluent:
                effluent[node] += m3d / 86400
            node = down[node]
    monthly = flow.loc["2016":"2025"].resample("MS").mean()
    driest = monthly.min()
    station_node = dict(zip(example["stations"]["station_id"], example["stations"]["node_id"], strict=True))
    fed = {sid for sid, node in station_node.items() if effluent[node] > 0}
    assert fed == {"H01", "H02", "H06"}
    for sid in fed:
        assert driest[sid] > effluent[station_node[sid]], sid
