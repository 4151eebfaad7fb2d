"""The OpenAPI description builds and documents every resource, the project columns and the uploads."""

from __future__ import annotations

from qingliu.io import KINDS
from qingliu.model.tables import PROJECT


def test_openapi_documents_every_resource(client):
    answer = client().get("/openapi.json")
    assert answer.status_code == 200
    spec = answer.json()
    paths = spec["paths"]
    for path, method in [
        ("/api/v1/auth/login", "post"), ("/api/v1/auth/logout", "post"), ("/api/v1/auth/me", "get"),
        ("/api/v1/tables/{name}", "get"), ("/api/v1/tables/{name}/{key}", "get"),
        ("/api/v1/results/water-quality", "get"), ("/api/v1/results/water-quality/sections/{section_id}", "get"),
        ("/api/v1/results/overview", "get"), ("/api/v1/results/map", "get"),
        ("/api/v1/projects", "get"), ("/api/v1/projects", "post"), ("/api/v1/projects/{project_id}", "patch"),
        ("/api/v1/projects/{project_id}/progress", "post"), ("/api/v1/projects/matrix", "get"),
        ("/api/v1/projects/summary", "get"), ("/api/v1/imports/validate", "post"), ("/api/v1/imports", "post"),
        ("/api/v1/reports", "post"), ("/api/v1/reports", "get"), ("/api/v1/reports/{name}", "get"),
        ("/api/v1/users", "get"), ("/api/v1/users", "post"), ("/api/v1/audit", "get"),
    ]:  # fmt: skip
        assert method in paths.get(path, {}), (method, path)
        assert paths[path][method]["tags"], path


def test_project_schemas_follow_the_project_table(client):
    schemas = client().get("/openapi.json").json()["components"]["schemas"]
    create, update = schemas["ProjectCreate"], schemas["ProjectUpdate"]
    assert list(create["properties"]) == list(PROJECT.names)
    assert set(create["required"]) == {c.name for c in PROJECT.columns if c.required}
    assert "required" not in update
    assert "形象进度" in create["properties"]["progress_pct"]["description"]


def test_uploads_are_documented_as_multipart(client):
    upload = client().get("/openapi.json").json()["paths"]["/api/v1/imports"]["post"]["requestBody"]
    schema = upload["content"]["multipart/form-data"]["schema"]
    assert schema["properties"]["kind"]["enum"] == list(KINDS)
    assert schema["properties"]["file"]["format"] == "binary"
