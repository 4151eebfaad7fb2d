"""GET /tables: every canonical table, pages, filters and single rows, checked against the example's files."""

from __future__ import annotations

import csv
from importlib import resources

import pytest

from qingliu.model import TABLES

EXAMPLE = resources.files("qingliu.data").joinpath("jinzhong")


def _csv(name: str) -> list[dict[str, str]]:
    with EXAMPLE.joinpath(name).open(encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


SECTIONS = _csv("sections.csv")


@pytest.fixture()
def viewer(client):
    return client("viewer")


def test_tables_lists_every_canonical_table_with_its_rows(viewer):
    body = viewer.get("/api/v1/tables").json()["data"]
    assert [t["name"] for t in body] == list(TABLES)
    by_name = {t["name"]: t for t in body}
    assert by_name["section"]["rows"] == len(SECTIONS) == 26
    assert by_name["project"]["rows"] == len(_csv("projects.csv")) == 38
    assert by_name["wq_sample"]["key"] == ["section_id", "time", "parameter"]
    q = next(c for c in by_name["flow_daily"]["columns"] if c["name"] == "q")
    assert q["unit"] == "m3/s" and q["zh"] == "流量(m3/s)"


@pytest.mark.parametrize("name", list(TABLES))
def test_every_table_answers_a_first_page(viewer, name):
    answer = viewer.get(f"/api/v1/tables/{name}", params={"limit": 5})
    assert answer.status_code == 200
    body = answer.json()
    assert body["table"] == name and body["limit"] == 5 and body["offset"] == 0
    assert len(body["data"]) == min(5, body["total"])
    assert all(set(row) == set(TABLES[name].names) for row in body["data"])


def test_pages_follow_the_key_order_and_count_all_rows(viewer):
    body = viewer.get("/api/v1/tables/section", params={"limit": 10, "offset": 20}).json()
    assert body["total"] == 26
    assert [r["section_id"] for r in body["data"]] == ["S21", "S22", "S23", "S24", "S25", "S26"]


def test_a_section_row_has_the_values_of_sections_csv(viewer):
    row = viewer.get("/api/v1/tables/section/S07").json()
    assert row == {"section_id": "S07", "name": "芦家庄", "river": "潇河", "node_id": "XIAO05", "level": "provincial",
                   "water_body": "river", "target_class": 2, "county_id": "140725", "is_boundary": False}  # fmt: skip


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"river": "汾河"}, [s["section_id"] for s in SECTIONS if s["river"] == "汾河"]),
        ({"is_boundary": "true"}, ["S06", "S22", "S25", "S26"]),
        ({"target_class": "2"}, ["S07", "S14", "S19", "S21", "S22"]),
        ({"water_body": ["reservoir", "lake"]}, ["S15", "S24"]),
        ({"river": "清漳河", "level": "national"}, ["S22"]),
    ],
)
def test_filters_by_column_equality(viewer, params, expected):
    body = viewer.get("/api/v1/tables/section", params=params).json()
    assert [r["section_id"] for r in body["data"]] == expected
    assert body["total"] == len(expected)


def test_time_range_filter_on_samples(viewer):
    """S01's samples of 2025: one per month and item in samples.csv (wide: one row per sampling)."""
    rows = [r for r in _csv("samples.csv") if r["section_id"] == "S01" and r["time"].startswith("2025")]
    items = [c for c in rows[0] if c not in ("section_id", "time", "source")]
    expected = sum(1 for r in rows for c in items if r[c] != "")
    body = viewer.get("/api/v1/tables/wq_sample", params={"section_id": "S01", "time_from": "2025-01-01",
                                                           "time_before": "2026-01-01", "limit": 1000}).json()  # fmt: skip
    assert body["total"] == expected == len(body["data"])
    assert all(r["time"].startswith("2025") and r["section_id"] == "S01" for r in body["data"])


def test_date_range_on_daily_flows_and_single_month(viewer):
    body = viewer.get("/api/v1/tables/flow_daily", params={"date_from": "2025-02-01", "date_before": "2025-03-01",
                                                          "limit": 1000}).json()  # fmt: skip
    stations = len(_csv("stations.csv"))
    assert body["total"] == 28 * stations
    assert {r["date"][:7] for r in body["data"]} == {"2025-02"}


def test_year_filter_on_water_use(viewer):
    expected = [r for r in _csv("water_use.csv") if r["year"] == "2025" and r["county_id"] == "140702"]
    body = viewer.get("/api/v1/tables/water_use", params={"year": 2025, "county_id": "140702"}).json()
    assert body["total"] == len(expected) > 0
    assert sum(r["volume"] for r in body["data"]) == pytest.approx(sum(float(r["volume"]) for r in expected))


@pytest.mark.parametrize(
    ("params", "field"),
    [({"colour": "red"}, "colour"), ({"target_class": "two"}, "target_class"), ({"name_from": "a"}, "name_from")],
)
def test_bad_filters_are_422_naming_the_parameter(viewer, params, field):
    answer = viewer.get("/api/v1/tables/section", params=params)
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["query", field]


def test_limit_is_capped_at_1000(viewer):
    assert viewer.get("/api/v1/tables/section", params={"limit": 1001}).status_code == 422
    assert viewer.get("/api/v1/tables/section", params={"limit": 0}).status_code == 422


def test_unknown_table_and_row_are_404(viewer):
    assert viewer.get("/api/v1/tables/nothing").status_code == 404
    assert viewer.get("/api/v1/tables/section/S99").status_code == 404
    composite = viewer.get("/api/v1/tables/wq_sample/S01")
    assert composite.status_code == 404 and "composite key" in composite.json()["detail"]
