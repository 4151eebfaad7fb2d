"""The shipped Jinzhong example: complete, consistent and plausible.

Classes are worked out here by hand from the GB 3838-2002 limits (the standard's TOML), not
with the project's own classifier.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from qingliu.model.tables import (
    COUNTY,
    COUNTY_YEAR,
    FLOW_DAILY,
    HEALTH_SURVEY,
    LEVEL,
    NODE,
    ORIGINS,
    PROJECT,
    PROJECT_CATEGORIES,
    RAIN_DAILY,
    RESERVOIR,
    SECTION,
    SECTORS,
    SOURCE,
    SOURCE_KINDS,
    STATION,
    WATER_USE,
)
from qingliu.standards import catalogue, load_toml, lookup_parameter

AS_OF = pd.Timestamp("2025-12-31")
TABLE1 = [c for c, p in catalogue().items() if p.item.isdigit() and 1 <= int(p.item) <= 24]
ASSESSED = [c for c in TABLE1 if c not in ("water_temp", "tn", "fecal_coliform")]
"""The 21 items of the 2011 assessment method: GB 3838 Table 1 without WT, TN and fecal coliforms."""


def gb3838_class(code: str, value: float, lake: bool = False) -> int:
    """Class 1-5 (6 = worse than V) of one value, read off GB 3838-2002 Table 1."""
    row = load_toml("gb3838_2002")["limits"][code]
    if row["direction"] == "range":
        return 1 if row["low"] <= value <= row["high"] else 6
    limits = row.get("lake", row["values"]) if lake else row["values"]
    for klass, limit in enumerate(limits, start=1):
        if (value <= limit) if row["direction"] == "max" else (value >= limit):
            return klass
    return 6


def test_class_helper_matches_hand_reading() -> None:
    assert gb3838_class("cod", 18.0) == 3
    assert gb3838_class("cod", 15.0) == 1  # classes I and II share 15: the better class
    assert gb3838_class("do", 5.5) == 3
    assert gb3838_class("tp", 0.04, lake=True) == 3
    assert gb3838_class("tp", 0.04) == 2
    assert gb3838_class("nh3n", 2.5) == 6
    assert gb3838_class("ph", 9.2) == 6


def values(cells: pd.Series) -> pd.Series:
    """Numbers of sample cells; ``0.01L`` (below detection limit) counts as the limit itself."""
    return pd.to_numeric(cells.str.removesuffix("L").replace("", np.nan))


@pytest.fixture(scope="module")
def long_samples(example: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Samples as numbers: one column per item code, plus section, date, year and month."""
    wide = example["samples"]
    out = pd.DataFrame({"section_id": wide["section_id"], "time": pd.to_datetime(wide["time"], format="%Y-%m-%d")})
    for header in wide.columns[2:]:
        out[lookup_parameter(header)[0].code] = values(wide[header])
    out["year"], out["month"] = out["time"].dt.year, out["time"].dt.month
    return out


@pytest.fixture(scope="module")
def means_2025(long_samples: pd.DataFrame) -> pd.DataFrame:
    return long_samples[long_samples["year"] == 2025].groupby("section_id")[ASSESSED].mean()


def section_classes(means: pd.DataFrame, sections: pd.DataFrame) -> dict[str, dict[str, int]]:
    lake = dict(zip(sections["section_id"], sections["water_body"] == "reservoir", strict=True))
    return {sid: {c: gb3838_class(c, row[c], lake[sid]) for c in ASSESSED} for sid, row in means.iterrows()}


# --- counts and columns -------------------------------------------------------------------


def test_counts(example: dict[str, pd.DataFrame]) -> None:
    sections = example["sections"]
    assert len(sections) >= 20 and sections["section_id"].is_unique
    assert (sections["water_body"] == "reservoir").sum() == 2
    assert len(example["stations"]) == 6
    assert len(example["reservoirs"]) == 2
    counties = example["counties"]
    assert counties["county_id"].nunique() == 11
    assert sorted(counties["year"].unique()) == [str(y) for y in range(2015, 2026)]
    assert len(counties) == 11 * 11 and not counties.duplicated(["county_id", "year"]).any()
    sources = example["sources"]
    assert len(sources) >= 60 and set(sources["kind"]) == set(SOURCE_KINDS)
    projects = example["projects"]
    assert len(projects) >= 30 and set(projects["category"]) == set(PROJECT_CATEGORIES)


def test_headers_are_the_canonical_columns(example: dict[str, pd.DataFrame]) -> None:
    expected = {
        "network": NODE.names, "sections": SECTION.names, "stations": STATION.names, "reservoirs": RESERVOIR.names,
        "sources": SOURCE.names, "projects": PROJECT.names, "flows": FLOW_DAILY.names, "water-use": WATER_USE.names,
        "counties": (*COUNTY.names, *(c for c in COUNTY_YEAR.names if c != "county_id")),
        "rain": RAIN_DAILY.names, "levels": LEVEL.names, "health-survey": HEALTH_SURVEY.names,
    }  # fmt: skip
    for kind, names in expected.items():
        assert tuple(example[kind].columns) == tuple(names), kind


def test_sample_headers_are_the_24_items_then_lake_items(example: dict[str, pd.DataFrame]) -> None:
    headers = list(example["samples"].columns)
    assert headers[:3] == ["section_id", "time", "水温(℃)"] and headers[3] == "pH(无量纲)"
    codes = [lookup_parameter(h)[0].code for h in headers[2:]]
    assert codes == [*TABLE1, "chla", "sd"] and len(TABLE1) == 24
    assert headers[-3:] == ["粪大肠菌群(个/L)", "叶绿素a(mg/m3)", "透明度(m)"]


# --- references and the network -------------------------------------------------------------


def test_every_node_reference_resolves_to_a_node_of_the_right_kind(example: dict[str, pd.DataFrame]) -> None:
    kind_of = dict(zip(example["network"]["node_id"], example["network"]["kind"], strict=True))
    for table, column, kind in [("sections", "node_id", "section"), ("stations", "node_id", "station"),
                                ("reservoirs", "node_id", "reservoir")]:  # fmt: skip
        assert [kind_of[n] for n in example[table][column]] == [kind] * len(example[table]), table
    sources = example["sources"]
    point = sources["kind"].isin(["wwtp", "industrial"])
    assert {kind_of[n] for n in sources.loc[point, "node_id"]} == {"outfall"}
    assert (sources.loc[~point, "node_id"] == "").all()
    for node in [*example["projects"]["effect_node"], *example["network"]["downstream"]]:
        assert node == "" or node in kind_of
    assert set(example["samples"]["section_id"]) == set(example["sections"]["section_id"])
    assert set(example["flows"]["station_id"]) == set(example["stations"]["station_id"])
    sites = {*example["stations"]["station_id"], *example["reservoirs"]["reservoir_id"]}
    assert set(example["levels"]["site_id"]) == sites  # a level site is a station or a reservoir
    station_rivers = set(example["stations"]["river"])
    assert set(example["health-survey"]["river"]) == station_rivers and station_rivers <= set(example["network"]["river"])


def test_every_county_reference_resolves(example: dict[str, pd.DataFrame]) -> None:
    counties = set(example["counties"]["county_id"])
    assert counties == {"140702", "140703", "140721", "140722", "140723", "140724", "140725", "140727", "140728",
                        "140729", "140781"}  # fmt: skip
    for table in ("sections", "sources", "projects", "water-use"):
        assert set(example[table]["county_id"]) <= counties, table


def test_network_is_a_forest_draining_to_outlets(example: dict[str, pd.DataFrame]) -> None:
    nodes = example["network"]
    assert nodes["node_id"].is_unique
    down = dict(zip(nodes["node_id"], nodes["downstream"], strict=True))
    kind = dict(zip(nodes["node_id"], nodes["kind"], strict=True))
    river = dict(zip(nodes["node_id"], nodes["river"], strict=True))
    outlet_of = {}
    for start in down:
        seen, node = {start}, start
        while down[node]:
            node = down[node]
            assert node not in seen, f"cycle through {node}"
            seen.add(node)
        assert kind[node] == "outlet", f"{start} ends at {node}, not an outlet"
        outlet_of[start] = node
    outlets = {n for n, k in kind.items() if k == "outlet"}
    assert outlets == {n for n, d in down.items() if d == ""} and len(outlets) >= 3
    assert sum(river[o] == "汾河" for o in outlets) == 1
    fen_boundary = example["sections"].query("river == '汾河' and is_boundary == 'true'")["node_id"]
    assert len(fen_boundary) == 1 and river[outlet_of[fen_boundary.iloc[0]]] == "汾河"
    xiao = nodes.loc[nodes["river"] == "潇河", "node_id"].iloc[0]
    assert river[outlet_of[xiao]] == "汾河"
    east, west = (nodes.loc[nodes["river"] == r, "node_id"].iloc[0] for r in ("清漳河东源", "清漳河西源"))
    assert outlet_of[east] == outlet_of[west] != outlet_of[xiao]


def test_network_holds_the_rivers_of_jinzhong(example: dict[str, pd.DataFrame]) -> None:
    nodes = example["network"]
    assert {"汾河", "潇河", "涂河", "乌马河", "象峪河", "昌源河", "惠济河", "龙凤河", "太榆退水渠", "清漳河东源",
            "清漳河西源", "浊漳河北源", "松溪河"} <= set(nodes["river"])  # fmt: skip
    lon, lat = nodes["lon"].astype(float), nodes["lat"].astype(float)
    assert lon.between(111.5, 114.2).all() and lat.between(36.5, 38.2).all()
    kinds = set(nodes["kind"])
    assert kinds == set(NODE.column("kind").choices)


def test_lengths_are_great_circle_distances_times_sinuosity(example: dict[str, pd.DataFrame]) -> None:
    nodes = example["network"].set_index("node_id")
    has = nodes["downstream"] != ""
    assert (nodes.loc[~has, "length_km"] == "").all()
    ratios = []
    for _, row in nodes[has].iterrows():
        other = nodes.loc[row["downstream"]]
        phi1, phi2 = math.radians(float(row["lat"])), math.radians(float(other["lat"]))
        dphi, dlam = phi2 - phi1, math.radians(float(other["lon"]) - float(row["lon"]))
        h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlam / 2) ** 2
        km = 2 * 6371.0 * math.asin(math.sqrt(h))
        if km > 2:  # coordinates are rounded to 1e-4 degree: compare longer reaches only
            ratios.append((row["river"] == "汾河", float(row["length_km"]) / km))
    fen = [r for is_fen, r in ratios if is_fen]
    other = [r for is_fen, r in ratios if not is_fen]
    assert fen and other
    assert np.allclose(fen, 1.25, rtol=0.01) and np.allclose(other, 1.4, rtol=0.01)


# --- water quality ---------------------------------------------------------------------------


def test_every_section_is_sampled_in_most_months(long_samples: pd.DataFrame, example) -> None:
    months = long_samples["time"].dt.to_period("M")
    assert months.min() == pd.Period("2015-01") and months.max() == pd.Period("2025-12")
    per_section = months.groupby(long_samples["section_id"]).nunique()
    assert (per_section >= 0.9 * 132).all() and (per_section < 132).any()  # a few months missing
    assert not pd.DataFrame({"s": long_samples["section_id"], "m": months}).duplicated().any()
    lake = set(example["sections"].query("water_body == 'reservoir'")["section_id"])
    is_lake = long_samples["section_id"].isin(lake)
    assert long_samples.loc[is_lake, ["chla", "sd"]].notna().mean().min() > 0.95
    assert long_samples.loc[~is_lake, ["chla", "sd"]].isna().all().all()
    assert long_samples[ASSESSED].isna().to_numpy().any()  # a few blank cells


def test_2025_two_to_four_sections_fail_their_target(means_2025: pd.DataFrame, example) -> None:
    sections = example["sections"].set_index("section_id")
    classes = section_classes(means_2025, example["sections"])
    target = sections["target_class"].astype(int)
    failing = {sid: [item for item, k in by_item.items() if k > target[sid]] for sid, by_item in classes.items()}
    failing = {sid: items for sid, items in failing.items() if items}
    assert 2 <= len(failing) <= 4
    assert {item for items in failing.values() for item in items} <= {"cod", "nh3n", "tp", "codmn", "bod5", "do"}


def test_2025_fen_boundary_section_meets_its_target(means_2025: pd.DataFrame, example) -> None:
    sections = example["sections"]
    boundary = sections.query("river == '汾河' and is_boundary == 'true'").iloc[0]
    klass = max(section_classes(means_2025, sections)[boundary["section_id"]].values())
    assert klass <= int(boundary["target_class"])


def test_2025_most_sections_are_class_i_to_iii(means_2025: pd.DataFrame, example) -> None:
    classes = section_classes(means_2025, example["sections"])
    worst = [max(by_item.values()) for by_item in classes.values()]
    assert sum(k <= 3 for k in worst) > 0.6 * len(worst)
    assert all(classes[sid]["ph"] == 1 for sid in classes)
    assert max(worst) <= 6 and min(worst) <= 2


def test_quality_improved_after_2017(long_samples: pd.DataFrame) -> None:
    early = long_samples[long_samples["year"] <= 2016].groupby("section_id")[["cod", "nh3n", "tp"]].mean()
    late = long_samples[long_samples["year"] >= 2024].groupby("section_id")[["cod", "nh3n", "tp"]].mean()
    assert ((early > late).mean() > 0.8).all()
    assert (early["nh3n"] / late["nh3n"]).max() > 2  # the most polluted reaches improved most


def test_seasons_and_gradients(long_samples: pd.DataFrame, example) -> None:
    by_month = long_samples.groupby(["section_id", "month"])[["water_temp", "do", "tp"]].mean()
    temp, do, tp = (by_month[c].unstack() for c in ("water_temp", "do", "tp"))
    assert (temp[7] - temp[1] > 15).all()
    assert (do[1] > do[7]).all()  # DO inverse to temperature
    rivers = example["sections"].query("water_body == 'river'")["section_id"]
    storm, spring = tp.loc[rivers, [7, 8, 9]].mean(axis=1), tp.loc[rivers, [4, 5, 6]].mean(axis=1)
    assert (storm > spring).mean() > 0.8  # non-point peaks of TP in Jul-Sep
    fen = example["sections"].query("river == '汾河'")["section_id"]
    tributary_heads = {"S07", "S14", "S19"}  # upstream mountain sections of 潇河, 昌源河, 清漳河东源
    cod_2015 = long_samples[long_samples["year"] == 2015].groupby("section_id")["cod"].mean()
    assert cod_2015[list(tributary_heads)].max() < cod_2015[fen].min()


def test_trace_items_are_mostly_below_detection_limit(example: dict[str, pd.DataFrame]) -> None:
    wide = example["samples"]
    for header in ["铅(mg/L)", "镉(mg/L)", "汞(mg/L)", "硒(mg/L)", "氰化物(mg/L)", "挥发酚(mg/L)", "硫化物(mg/L)"]:
        cells = wide[header][wide[header] != ""]
        below = cells.str.endswith("L")
        assert below.mean() > 0.5, header
        assert (values(cells[below]) > 0).all()
    assert wide["化学需氧量(mg/L)"].str.endswith("L").mean() < 0.01


# --- flows -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def flows(example: dict[str, pd.DataFrame]) -> pd.DataFrame:
    frame = example["flows"]
    return pd.DataFrame(
        {"station_id": frame["station_id"], "date": pd.to_datetime(frame["date"], format="%Y-%m-%d"),
         "q": frame["q"].astype(float)}
    )  # fmt: skip


def test_flows_cover_1980_to_2025_and_are_non_negative(flows: pd.DataFrame) -> None:
    days = len(pd.date_range("1980-01-01", "2025-12-31"))
    assert (flows["q"] >= 0).all()
    assert flows["date"].min() == pd.Timestamp("1980-01-01") and flows["date"].max() == pd.Timestamp("2025-12-31")
    counts = flows.groupby("station_id").size()
    assert len(counts) == 6 and (counts > days - 30).all() and (counts < days).sum() == 1
    assert not flows.duplicated(["station_id", "date"]).any()


def test_flows_are_seasonal_variable_and_losing_low_flow(flows: pd.DataFrame) -> None:
    q = flows.pivot(index="date", columns="station_id", values="q")
    month = q.index.month
    assert (q[month.isin([7, 8])].mean() > 5 * q[month.isin([1, 2])].mean()).all()
    assert (q.max() > 50 * q.median()).all()  # storm peaks
    annual = q.groupby(q.index.year).mean()
    assert (annual.std() / annual.mean() > 0.2).all()  # wet and dry years
    low7 = q.rolling(7).mean().groupby(q.index.year).min()
    assert (low7.loc[2005:2014].mean() < low7.loc[1981:1990].mean()).sum() >= 5


# --- society, sources, projects ----------------------------------------------------------------


def test_county_magnitudes(example: dict[str, pd.DataFrame]) -> None:
    c = example["counties"].astype({"year": int, "population": float, "urban_population": float,
                                     "gdp_1e4yuan": float, "water_quota_1e4m3": float,
                                     "groundwater_quota_1e4m3": float})  # fmt: skip
    by_year = c.groupby("year")[["population", "urban_population", "gdp_1e4yuan"]].sum()
    assert by_year["population"].between(3.2e6, 3.6e6).all()
    assert 1.2e7 <= by_year.loc[2015, "gdp_1e4yuan"] <= 1.4e7 and 1.8e7 <= by_year.loc[2025, "gdp_1e4yuan"] <= 2.0e7
    urban_share = by_year["urban_population"] / by_year["population"]
    assert urban_share.is_monotonic_increasing and urban_share.iloc[-1] - urban_share.iloc[0] > 0.05
    assert (c["groundwater_quota_1e4m3"] < c["water_quota_1e4m3"]).all()


def test_water_use_tracks_quotas_and_shifts_origins(example: dict[str, pd.DataFrame]) -> None:
    use = example["water-use"].astype({"year": int, "volume": float})
    assert set(use["sector"]) == set(SECTORS) and set(use["origin"]) == set(ORIGINS) and (use["volume"] > 0).all()
    quota = example["counties"].astype({"year": int}).set_index(["county_id", "year"])["water_quota_1e4m3"]
    ratio = use.groupby(["county_id", "year"])["volume"].sum() / quota.astype(float)
    assert ratio.between(0.8, 1.1).all()
    by = use.groupby(["year", "origin"])["volume"].sum().unstack(fill_value=0.0)
    share = by.div(by.sum(axis=1), axis=0)
    assert share.loc[2025, "ground"] < share.loc[2015, "ground"] - 0.05
    assert share.loc[2025, "reclaimed"] > 2 * share.loc[2015, "reclaimed"]
    transfer = use[use["origin"] == "transfer"]
    assert transfer["year"].min() == 2019 and transfer["county_id"].nunique() >= 3


def test_point_source_loads_follow_flow_and_concentration(example: dict[str, pd.DataFrame]) -> None:
    sources = example["sources"]
    point = sources[sources["kind"].isin(["wwtp", "industrial"])]
    flow = point["flow_m3d"].astype(float)
    for p in ("cod", "nh3n", "tp", "tn"):
        expected = flow * point[f"{p}_mgl"].astype(float) * 365 / 1e6  # m3/d × g/m3 × d/a -> t/a
        assert np.allclose(point[f"{p}_ta"].astype(float), expected, rtol=1e-3)
    assert set(point.loc[point["kind"] == "industrial", "sector"]) >= {"coking", "chemicals", "food", "coal"}
    others = sources[~sources.index.isin(point.index)]
    assert (others["activity"].astype(float) > 0).all() and (others["activity_unit"] != "").all()
    livestock = sources[sources["kind"] == "livestock"]
    assert set(livestock["subtype"]) == {"pig", "cattle", "poultry", "sheep"}
    assert (livestock["activity_unit"] == "head").all()
    assert (sources.loc[sources["kind"] == "cropland", "activity_unit"] == "mu").all()


def test_project_status_agrees_with_dates(example: dict[str, pd.DataFrame]) -> None:
    p = example["projects"].astype({"investment_1e4yuan": float, "invested_1e4yuan": float, "progress_pct": float})
    start, end = pd.to_datetime(p["start"]), pd.to_datetime(p["end"])
    assert (start < end).all() and start.min().year >= 2021 and end.max().year <= 2027
    planned, done, ongoing = (p["status"] == s for s in ("planned", "completed", "ongoing"))
    assert (start[planned] > AS_OF).all() and (p.loc[planned, "progress_pct"] == 0).all()
    assert (end[done] <= AS_OF).all() and (p.loc[done, "progress_pct"] == 100).all()
    assert (start[ongoing] <= AS_OF).all() and (p.loc[ongoing, "progress_pct"] < 100).all()
    overdue = ongoing & (end < AS_OF)
    elapsed = 100 * (AS_OF - start) / (end - start)
    lagging = ongoing & (end >= AS_OF) & (p["progress_pct"] < elapsed - 20)
    assert overdue.sum() >= 2 and lagging.sum() >= 2
    assert (p["invested_1e4yuan"] <= p["investment_1e4yuan"]).all()
    assert set(p["status"]) == set(PROJECT.column("status").choices)
    env = p["category"] == "water_environment"
    assert (p.loc[env, "cod_reduction_ta"] != "").all()
    assert (p.loc[p["category"] == "water_resources", "water_saved_1e4m3a"] != "").sum() >= 5
