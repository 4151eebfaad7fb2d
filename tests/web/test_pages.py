"""Dashboard pages (TestClient): every page in Chinese and English, banner, charset, sign-in, forms.

Write tests use ``scratch_app`` (a private copy of the workspace); see tests/web/conftest.py.
Projects of the example (src/qingliu/data/jinzhong/projects.csv): XM03 belongs to
晋中市生态环境局 (``editor_env``), XM14 to 晋中市水利局 (``editor_water``).
"""

from __future__ import annotations

import io
import re
from dataclasses import replace

import pytest

from qingliu import store
from qingliu.services import audit
from qingliu.services.auth import create_user
from qingliu.services.projects import get_project
from qingliu.web.app import create_app

PAGES = ["/", "/map", "/sections", "/sections/S01", "/projects", "/projects/XM03", "/projects/new",
         "/projects/XM03/edit", "/imports", "/reports"]  # fmt: skip
"""Every page an admin can open (GET) in the example workspace."""

BANNER_ZH = "示意数据，非官方监测值"
BANNER_EN = "Illustrative data, not official measurements"

BAD_SAMPLES = "section_id,time,parameter,value\nS01,2026-01-10,cod,12.5\nS99,2026-01-10,cod,11\nS02,2026-01-11,cod,abc\n"
"""Row 3 names no section, row 4 has no number (header = row 1)."""
GOOD_SAMPLES = "section_id,time,parameter,value\nS01,2026-01-10,cod,12.5\nS01,2026-01-10,nh3n,0.35\n"


def _count(ws, table: str) -> int:
    with ws.engine.connect() as conn:
        return store.count(conn, table)


def _upload(text: str, name: str = "samples_2026.csv", kind: str = "samples") -> dict:
    return {"data": {"kind": kind}, "files": {"file": (name, io.BytesIO(text.encode("utf-8")), "text/csv")}}


@pytest.mark.parametrize("path", PAGES)
def test_every_page_in_chinese_and_english_with_banner_and_charset(client, path):
    admin = client("admin")
    zh = admin.get(path, params={"lang": "zh"})
    en = admin.get(path, params={"lang": "en"})
    for answer in (zh, en):
        assert answer.status_code == 200, answer.text[:500]
        assert answer.headers["content-type"] == "text/html; charset=utf-8"
        assert '<meta charset="utf-8">' in answer.text
    assert '<html lang="zh-CN">' in zh.text and BANNER_ZH in zh.text and ">总览<" in zh.text
    assert '<html lang="en">' in en.text and BANNER_EN in en.text and ">Overview<" in en.text


def test_login_page_for_anonymous_visitors(client):
    answer = client().get("/login", params={"lang": "en"})
    assert answer.status_code == 200
    assert 'name="csrf_token"' in answer.text and BANNER_EN in answer.text


def test_language_is_remembered_in_a_cookie(client):
    admin = client("admin")
    assert '<html lang="en">' in admin.get("/map", params={"lang": "en"}).text
    assert '<html lang="en">' in admin.get("/projects").text
    assert '<html lang="zh-CN">' in admin.get("/projects", params={"lang": "zh"}).text


def test_language_switch_keeps_the_other_query_parameters(client):
    text = client("admin").get("/projects", params={"status": "ongoing", "lang": "zh"}).text
    assert 'href="/projects?status=ongoing&amp;lang=en"' in text


@pytest.mark.parametrize("path", ["/", "/map", "/sections/S01", "/projects", "/imports", "/reports"])
def test_anonymous_visitors_are_sent_to_sign_in(client, path):
    answer = client().get(path, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/login?next={path}"


def _form_token(page_text: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page_text).group(1)


def test_sign_in_and_out_through_the_form(client, scratch_app, web_users):
    browser = client(app=scratch_app, csrf=False)
    token = _form_token(browser.get("/login").text)
    wrong = browser.post("/login", data={"username": "viewer", "password": "wrong-password-1", "csrf_token": token})
    assert wrong.status_code == 401 and "用户名或密码错误" in wrong.text
    right = browser.post("/login", follow_redirects=False, data={
        "username": "viewer", "password": web_users["viewer"].password, "csrf_token": token, "next": "/map"})  # fmt: skip
    assert right.status_code == 303 and right.headers["location"] == "/map"
    assert browser.get("/map").status_code == 200
    # a new session after signing in: the old token no longer works, the page's new one does
    assert browser.post("/logout", data={"csrf_token": token}).status_code == 403
    out = browser.post("/logout", data={"csrf_token": _form_token(browser.get("/").text)}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/login"
    assert browser.get("/", follow_redirects=False).status_code == 303


def test_sign_in_goes_only_to_local_pages(client, scratch_app, web_users):
    browser = client(app=scratch_app, csrf=False)
    token = _form_token(browser.get("/login").text)
    answer = browser.post("/login", follow_redirects=False, data={
        "username": "viewer", "password": web_users["viewer"].password, "csrf_token": token,
        "next": "//evil.example/"})  # fmt: skip
    assert answer.headers["location"] == "/"


def test_sign_in_is_rate_limited(client, scratch_app, web_users):
    browser = client(app=scratch_app, csrf=False)
    token = _form_token(browser.get("/login").text)
    attempts = scratch_app.state.context.settings.login_attempts
    for _ in range(attempts):
        assert browser.post("/login", data={"username": "admin", "password": "not-it-0000", "csrf_token": token}).status_code == 401
    blocked = browser.post("/login", data={"username": "admin", "password": web_users["admin"].password, "csrf_token": token})
    assert blocked.status_code == 429 and "登录失败次数过多" in blocked.text


@pytest.mark.parametrize(
    ("path", "data"),
    [("/login", {"username": "admin", "password": "x"}), ("/logout", {}),
     ("/projects/XM03/progress", {"date": "2026-06-30", "progress_pct": "80"}), ("/imports/discard", {})],
)  # fmt: skip
def test_forms_need_the_csrf_token(client, scratch_app, path, data):
    answer = client("admin", app=scratch_app, csrf=False).post(path, data=data)
    assert answer.status_code == 403
    assert "CSRF" in answer.text


def test_editor_edits_a_project_of_their_department(client, scratch_app, scratch_ws):
    editor = client("editor_env", app=scratch_app)
    assert 'id="edit-project"' in editor.get("/projects/XM03").text
    form = editor.get("/projects/XM03/edit").text
    assert 'name="department" value="晋中市生态环境局"' in form
    answer = editor.post("/projects/XM03/edit", data={"progress_pct": "85", "status": "ongoing"}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/projects/XM03"
    assert get_project(scratch_ws.engine, "XM03")["progress_pct"] == 85.0
    log = audit.recent(scratch_ws.engine, 5, {"username": "editor_env", "action": "update", "table": "project"})
    assert log["record_key"].tolist()[:1] == ["XM03"]


def test_editor_is_refused_on_another_departments_project(client, scratch_app, scratch_ws):
    editor = client("editor_env", app=scratch_app)
    before = get_project(scratch_ws.engine, "XM14")
    assert 'id="edit-project"' not in editor.get("/projects/XM14").text
    assert 'id="progress-form"' not in editor.get("/projects/XM14").text
    for answer in (
        editor.get("/projects/XM14/edit"),
        editor.post("/projects/XM14/edit", data={"progress_pct": "99"}),
        editor.post("/projects/XM14/progress", data={"date": "2026-06-30", "progress_pct": "99"}),
    ):
        assert answer.status_code == 403
        assert re.search(r'<p lang="zh-CN">[^<]*晋中市水利局[^<]*</p>', answer.text)
        assert re.search(r'<p lang="en">[^<]*XM14[^<]*晋中市水利局[^<]*</p>', answer.text)
    assert get_project(scratch_ws.engine, "XM14") == before


def test_viewer_sees_no_edit_buttons_and_cannot_write(client, scratch_app, scratch_ws):
    viewer = client("viewer", app=scratch_app)
    assert 'id="new-project"' not in viewer.get("/projects").text
    assert 'id="edit-project"' not in viewer.get("/projects/XM03").text
    assert viewer.get("/imports").status_code == 403
    refused = viewer.post("/projects/new", data={"project_id": "XM90", "name": "x"})
    assert refused.status_code == 403 and "the admin or editor role is required" in refused.text
    assert _count(scratch_ws, "project") == 38


def test_progress_report_through_the_form(client, scratch_app, scratch_ws):
    editor = client("editor_water", app=scratch_app)
    answer = editor.post("/projects/XM14/progress", follow_redirects=False,
                         data={"date": "2026-06-30", "progress_pct": "91", "invested_1e4yuan": "8000", "note": "主体完工"})  # fmt: skip
    assert answer.status_code == 303
    project = get_project(scratch_ws.engine, "XM14")
    assert project["progress"][-1]["note"] == "主体完工" and project["progress"][-1]["username"] == "editor_water"
    assert "主体完工" in editor.get("/projects/XM14").text


def test_invalid_project_values_are_shown_beside_the_form(client, scratch_app, scratch_ws):
    editor = client("editor_env", app=scratch_app)
    answer = editor.post("/projects/XM03/edit", data={"progress_pct": "140", "end": "2020-01-01"}, params={"lang": "en"})
    assert answer.status_code == 422
    assert 'id="form-problems"' in answer.text and "progress_pct" in answer.text and "end" in answer.text
    assert get_project(scratch_ws.engine, "XM03")["progress_pct"] == 72.5


def test_project_filters(client):
    text = client("viewer").get("/projects", params={"department": "晋中市生态环境局"}).text
    rows = re.findall(r'<tr id="row-(XM\d+)"', text)
    assert rows == ["XM03", "XM17"]


def test_bad_upload_shows_its_problems_and_writes_nothing(client, scratch_app, scratch_ws):
    editor = client("editor_env", app=scratch_app)
    before = _count(scratch_ws, "wq_sample")
    answer = editor.post("/imports", params={"lang": "en"}, **_upload(BAD_SAMPLES))
    assert answer.status_code == 422
    problems = re.findall(r'<tr><td>samples_2026\.csv</td><td class="num">(\d+)</td><td>([^<]*)</td>', answer.text)
    assert ("3", "section_id") in problems and ("4", "value") in problems
    assert 'id="confirm-import"' not in answer.text
    assert _count(scratch_ws, "wq_sample") == before
    assert editor.post("/imports/confirm").status_code == 409  # nothing waits for confirmation


def test_good_upload_is_written_only_when_confirmed(client, scratch_app, scratch_ws):
    editor = client("editor_env", app=scratch_app)
    before = _count(scratch_ws, "wq_sample")
    checked = editor.post("/imports", **_upload(GOOD_SAMPLES))
    assert checked.status_code == 200 and 'id="confirm-import"' in checked.text
    assert _count(scratch_ws, "wq_sample") == before
    done = editor.post("/imports/confirm")
    assert done.status_code == 200 and 'id="import-done"' in done.text
    assert _count(scratch_ws, "wq_sample") == before + 2
    log = audit.recent(scratch_ws.engine, 1, {"action": "import"})
    assert log["username"].tolist() == ["editor_env"]


def test_discarded_upload_writes_nothing(client, scratch_app, scratch_ws):
    editor = client("editor_env", app=scratch_app)
    before = _count(scratch_ws, "wq_sample")
    assert 'id="confirm-import"' in editor.post("/imports", **_upload(GOOD_SAMPLES)).text
    assert editor.post("/imports/discard", follow_redirects=False).status_code == 303
    assert 'id="confirm-import"' not in editor.get("/imports").text
    assert editor.post("/imports/confirm").status_code == 409
    assert _count(scratch_ws, "wq_sample") == before


def test_upload_over_the_size_limit_is_refused(client, scratch_app, scratch_ws):
    settings = replace(scratch_app.state.context.settings, max_upload_bytes=100)
    editor = client("editor_env", app=create_app(settings))
    answer = editor.post("/imports", **_upload(GOOD_SAMPLES * 5))  # 5 × 76 bytes: within the form's overhead, not the file's limit
    assert answer.status_code == 413 and "文件超过" in answer.text and "the file is larger than" in answer.text
    assert 'id="confirm-import"' not in editor.get("/imports").text


def test_period_form_whole_year_and_month(client):
    admin = client("admin")
    whole = admin.get("/", params={"year": "2024", "month": "", "lang": "en"})
    assert whole.status_code == 200 and "City overview · 2024<" in whole.text
    month = admin.get("/map", params={"year": "2024", "month": "5", "lang": "en"})
    assert month.status_code == 200 and "· 2024-05<" in month.text
    assert admin.get("/", params={"month": "13"}).status_code == 422


def test_unknown_section_and_project_say_so_in_both_languages(client):
    admin = client("admin")
    for path, en in (("/sections/S99", "no section 'S99'"), ("/projects/XM99", "no project 'XM99'")):
        answer = admin.get(path)
        assert answer.status_code == 404 and en.replace("'", "&#39;") in answer.text and 'lang="zh-CN">' in answer.text


def test_admin_creates_a_project_through_the_form(client, scratch_app, scratch_ws):
    admin = client("admin", app=scratch_app)
    values = {"project_id": "XM90", "name": "龙凤河生态补水工程", "category": "water_ecology", "county_id": "140781",
              "department": "介休市水利局", "start": "2026-03-01", "end": "2027-10-31", "investment_1e4yuan": "3200",
              "invested_1e4yuan": "", "status": "planned", "progress_pct": "0"}  # fmt: skip
    answer = admin.post("/projects/new", data=values, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/projects/XM90"
    assert get_project(scratch_ws.engine, "XM90")["department"] == "介休市水利局"
    again = admin.post("/projects/new", data=values, params={"lang": "en"})
    assert again.status_code == 422 and "XM90 exists already" in again.text


def test_reports_are_generated_by_writers_and_listed_for_everyone(client, scratch_app):
    editor = client("editor_env", app=scratch_app)
    made = editor.post("/reports", data={"year": "2025", "month": "6", "formats": ["html"], "lang": "en"},
                       follow_redirects=False)  # fmt: skip
    assert made.status_code == 303
    name = "qingliu-2025-06-en.html"
    assert made.headers["location"] == f"/reports?made={name}"
    viewer = client("viewer", app=scratch_app)
    listing = viewer.get("/reports")
    assert f'href="/api/v1/reports/{name}"' in listing.text and 'id="report-form"' not in listing.text
    download = viewer.get(f"/api/v1/reports/{name}")
    assert download.status_code == 200 and "示意数据" not in download.text and "Illustrative data" in download.text
    refused = viewer.post("/reports", data={"year": "2025", "formats": ["html"], "lang": "zh"})
    assert refused.status_code == 403


def test_a_workspace_of_real_data_has_no_banner_and_says_when_it_has_no_samples(client, app, empty_ws):
    create_user(empty_ws.engine, "admin", "Another-adm1n-2025", "admin")
    own = create_app(replace(app.state.context.settings, workspace=empty_ws.root))  # same secret: the session is valid
    answer = client("admin", app=own).get("/", params={"lang": "en"})
    assert answer.status_code == 404 and "no water-quality samples" in answer.text
    assert BANNER_EN not in answer.text and 'id="illustrative-banner"' not in answer.text
    assert client("admin", app=own).get("/projects").status_code == 200
