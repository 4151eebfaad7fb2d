"""Reports: generate into <workspace>/reports/, list, download with the right media type."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from qingliu.services import audit


def test_generate_list_and_download(client, scratch_app, scratch_ws):
    editor = client("editor_env", app=scratch_app)
    answer = editor.post("/api/v1/reports", json={"year": 2025, "formats": ["html", "xlsx"], "lang": "zh"})
    assert answer.status_code == 201, answer.text
    names = [f["name"] for f in answer.json()["data"]]
    assert names == ["qingliu-2025-zh.html", "qingliu-2025-zh.xlsx"]
    assert answer.json()["data"][0]["url"] == "/api/v1/reports/qingliu-2025-zh.html"
    assert sorted(p.name for p in (scratch_ws.root / "reports").iterdir()) == names

    listed = client("viewer", app=scratch_app).get("/api/v1/reports").json()
    assert listed["count"] == 2 and {f["name"] for f in listed["data"]} == set(names)

    html = client("viewer", app=scratch_app).get("/api/v1/reports/qingliu-2025-zh.html")
    assert html.status_code == 200
    assert html.headers["content-type"] == "text/html; charset=utf-8"
    assert "示意数据" in html.content.decode("utf-8")  # the example's banner, in Chinese

    xlsx = client("viewer", app=scratch_app).get("/api/v1/reports/qingliu-2025-zh.xlsx")
    assert xlsx.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert load_workbook(io.BytesIO(xlsx.content)).sheetnames

    row = audit.recent(scratch_ws.engine, 1, {"username": "editor_env", "action": "create"}).iloc[0]
    assert row["record_key"] == "qingliu-2025-zh"


def test_english_monthly_report(client, scratch_app):
    answer = client("admin", app=scratch_app).post("/api/v1/reports", json={"year": 2025, "month": 6, "lang": "en"})
    assert answer.status_code == 201
    html = client("admin", app=scratch_app).get(answer.json()["data"][0]["url"])
    assert "Illustrative data" in html.text


def test_bad_requests(client, scratch_app):
    admin = client("admin", app=scratch_app)
    assert admin.post("/api/v1/reports", json={"year": 2025, "formats": ["odt"]}).status_code == 422
    assert admin.post("/api/v1/reports", json={"year": 2025, "month": 13}).status_code == 422
    assert admin.post("/api/v1/reports", json={"year": 2030}).status_code == 404  # no samples
    assert admin.get("/api/v1/reports/missing.html").status_code == 404
    assert admin.get("/api/v1/reports/..%2Fqingliu.toml").status_code == 404
    assert admin.get("/api/v1/reports/qingliu.toml").status_code == 404
