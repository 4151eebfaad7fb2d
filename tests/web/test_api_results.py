"""GET /results: assessment, overview, map and section detail, against the example's files and GB 3838-2002."""

from __future__ import annotations

import csv
from importlib import resources

import pytest

EXAMPLE = resources.files("qingliu.data").joinpath("jinzhong")


def _csv(name: str) -> list[dict[str, str]]:
    with EXAMPLE.joinpath(name).open(encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


SECTIONS = {s["section_id"]: s for s in _csv("sections.csv")}
NODES = {n["node_id"]: n for n in _csv("network.csv")}


@pytest.fixture()
def viewer(client):
    return client("viewer")


def test_water_quality_of_2025_has_every_section_with_its_target(viewer):
    body = viewer.get("/api/v1/results/water-quality", params={"year": 2025}).json()
    assert body["year"] == 2025 and body["month"] is None and body["period"] == "2025"
    assert body["city"]["n_sections"] == len(SECTIONS) == 26
    assert {s["section_id"]: s["target_class"] for s in body["sections"]} == {
        k: int(s["target_class"]) for k, s in SECTIONS.items()
    }
    assert all(1 <= s["class"] <= 6 for s in body["sections"])
    assert [h["year"] for h in body["history"]] == list(range(2016, 2026))


def test_latest_year_is_the_default_and_a_month_narrows_the_period(viewer):
    assert viewer.get("/api/v1/results/water-quality").json()["year"] == 2025  # samples run to 2025 (samples.csv)
    month = viewer.get("/api/v1/results/water-quality", params={"year": 2025, "month": 6}).json()
    assert month["period"] == "2025-06" and month["month"] == 6


def test_periods_without_samples_and_bad_months(viewer):
    assert viewer.get("/api/v1/results/water-quality", params={"year": 2030}).status_code == 404
    assert viewer.get("/api/v1/results/water-quality", params={"month": 13}).status_code == 422


def test_overview_water_use_against_quota_is_the_sum_of_the_files(viewer):
    use = {y: sum(float(r["volume"]) for r in _csv("water_use.csv") if r["year"] == str(y)) for y in (2024, 2025)}
    quota = {
        y: sum(float(r["water_quota_1e4m3"]) for r in _csv("counties.csv") if r["year"] == str(y)) for y in (2024, 2025)
    }
    figures = viewer.get("/api/v1/results/overview", params={"year": 2025}).json()["figures"]
    assert figures["water_use_1e4m3"]["value"] == pytest.approx(use[2025])
    assert figures["water_use_1e4m3"]["previous"] == pytest.approx(use[2024])
    assert figures["water_use_1e4m3"]["change"] == pytest.approx(use[2025] - use[2024])
    assert figures["water_quota_1e4m3"]["value"] == pytest.approx(quota[2025]) == pytest.approx(64272)
    assert figures["water_use_pct_of_quota"]["value"] == pytest.approx(100 * use[2025] / quota[2025])


def test_overview_shares_are_those_of_the_assessments_in_percent(viewer):
    now = viewer.get("/api/v1/results/water-quality", params={"year": 2025}).json()
    before = viewer.get("/api/v1/results/water-quality", params={"year": 2024}).json()
    figures = viewer.get("/api/v1/results/overview", params={"year": 2025}).json()["figures"]

    def share(body, klass):
        return 100 * sum(s["class"] in klass for s in body["sections"]) / len(body["sections"])

    assert figures["share_1_3"]["value"] == pytest.approx(share(now, {1, 2, 3}))
    assert figures["share_1_3"]["previous"] == pytest.approx(share(before, {1, 2, 3}))
    assert figures["share_6"]["value"] == pytest.approx(share(now, {6}))
    met = 100 * sum(s["class"] <= s["target_class"] for s in now["sections"]) / 26
    assert figures["share_meeting_target"]["value"] == pytest.approx(met)
    eco = figures["ecoflow_compliance"]
    assert eco["unit"] == "%" and 0 <= eco["value"] <= 100 and 0 <= eco["previous"] <= 100
    assert eco["change"] == pytest.approx(eco["value"] - eco["previous"])


def test_overview_of_the_first_year_has_no_previous_values(viewer):
    """Samples and water use start in 2015 (samples.csv, water_use.csv): nothing to compare with."""
    figures = viewer.get("/api/v1/results/overview", params={"year": 2015}).json()["figures"]
    for name in ("share_1_3", "share_6", "share_meeting_target", "water_use_1e4m3", "water_use_pct_of_quota"):
        assert figures[name]["value"] is not None and figures[name]["previous"] is None, name
        assert figures[name]["change"] is None, name


def test_overview_projects_on_a_reporting_date(viewer):
    """On 2025-12-31 four projects are past their end and not completed: XM03, XM21, XM23, XM32 (projects.csv)."""
    projects = _csv("projects.csv")
    body = viewer.get("/api/v1/results/overview", params={"year": 2025, "as_of": "2025-12-31"}).json()
    assert body["as_of"] == "2025-12-31"
    figures = body["projects"]
    assert figures["total"] == 38
    assert figures["by_status"] == {"planned": 5, "ongoing": 12, "completed": 20, "suspended": 1}
    assert figures["overdue"] == 4
    investment = sum(float(p["investment_1e4yuan"]) for p in projects)
    invested = sum(float(p["invested_1e4yuan"] or 0) for p in projects)
    assert figures["investment_1e4yuan"] == pytest.approx(investment)
    assert figures["invested_pct"] == pytest.approx(100 * invested / investment)


def test_map_places_sections_on_their_nodes(viewer):
    body = viewer.get("/api/v1/results/map", params={"year": 2025}).json()
    assert len(body["nodes"]) == len(NODES)
    assert len(body["segments"]) == sum(1 for n in NODES.values() if n["downstream"])
    fen = next(s for s in body["segments"] if s["from"] == "FEN01")
    assert fen["to"] == "FEN02" and fen["coords"] == [[112.4084, 37.6462], [112.3988, 37.6305]]
    sections = {s["id"]: s for s in body["sections"]}
    assert set(sections) == set(SECTIONS)
    s07 = sections["S07"]
    node = NODES[SECTIONS["S07"]["node_id"]]
    assert (s07["lon"], s07["lat"]) == (float(node["lon"]), float(node["lat"]))
    assert s07["target_class"] == 2 and s07["url"] == "/sections/S07" and s07["name"] == "芦家庄"
    assert s07["meets_target"] == (s07["class"] <= 2)
    assert {s["colour"] for s in body["sections"]} <= {"blue", "green", "yellow", "orange", "red"}
    counties = {c["id"]: c for c in body["counties"]}
    assert len(counties) == 11 and counties["140702"] == {"id": "140702", "name": "榆次区", "lon": 112.71, "lat": 37.7}


def test_section_detail_of_a_river_section(viewer):
    body = viewer.get("/api/v1/results/water-quality/sections/S01", params={"year": 2025}).json()
    assert body["section"]["name"] == "三坝" and body["section"]["target_class"] == 4
    assert body["window"] == {"first_year": 2016, "last_year": 2025}
    series = {s["parameter"]: s for s in body["series"]}
    # GB 3838-2002 Table 1: TP (rivers) 0.02/0.1/0.2/0.3/0.4; DO at least 7.5/6/5/3/2; pH 6-9
    assert series["tp"]["bands"]["limits"] == [0.02, 0.1, 0.2, 0.3, 0.4]
    assert series["tp"]["bands"]["direction"] == "max"
    assert series["do"]["bands"]["direction"] == "min" and series["do"]["bands"]["limits"] == [7.5, 6, 5, 3, 2]
    assert series["ph"]["bands"]["range"] == [6, 9]
    assert series["water_temp"]["bands"] is None
    rows = [r for r in _csv("samples.csv") if r["section_id"] == "S01" and "2016" <= r["time"][:4] <= "2025"]
    cod = [r["化学需氧量(mg/L)"] for r in rows if r["化学需氧量(mg/L)"]]
    assert len(series["cod"]["time"]) == len(series["cod"]["value"]) == len(cod)
    cd = [r["镉(mg/L)"] for r in rows if r["镉(mg/L)"]]
    assert series["cd"]["flag"].count("<") == sum(v.endswith("L") for v in cd)  # "0.001L": below detection limit
    assert [h["year"] for h in body["history"]] == list(range(2016, 2026))
    assert body["assessment"]["class_label"] in ("I", "II", "III", "IV", "V", "劣V")
    assert all(t["parameter"] for t in body["trends"])


def test_section_detail_of_a_reservoir_uses_the_lake_limits(viewer):
    body = viewer.get("/api/v1/results/water-quality/sections/S15", params={"year": 2025}).json()
    assert body["section"]["water_body"] == "reservoir"
    tp = next(s for s in body["series"] if s["parameter"] == "tp")
    assert tp["bands"]["limits"] == [0.01, 0.025, 0.05, 0.1, 0.2]  # GB 3838-2002 Table 1, 湖、库


def test_unknown_section_is_404_in_both_languages(viewer):
    answer = viewer.get("/api/v1/results/water-quality/sections/S99")
    assert answer.status_code == 404
    assert answer.json()["detail"] == "断面 'S99' 不存在 / no section 'S99'"
