"""The web app factory (``qingliu serve``): REST API under /api/v1 and server-rendered pages."""

from __future__ import annotations

from importlib import resources

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from qingliu import __version__
from qingliu.services.workspace import open_workspace
from qingliu.web.deps import AppContext
from qingliu.web.security import (
    FORM_OVERHEAD_BYTES,
    LoginLimiter,
    UploadLimit,
    check_csrf,
)
from qingliu.web.settings import WebSettings


def create_app(settings: WebSettings) -> FastAPI:
    """Build the app for one workspace. Nothing is created at import time."""
    from qingliu.web import (  # routers, imported here so the factory stays the entry point
        api,
        pages,
    )

    app = FastAPI(
        title="qingliu 清流 API",
        version=__version__,
        description="Water-ecology protection and restoration 水生态保护与修复 — REST API (v1).",
        dependencies=[Depends(check_csrf)],
    )
    app.state.context = AppContext(
        settings=settings,
        workspace=open_workspace(settings.workspace),
        limiter=LoginLimiter(settings.login_attempts, settings.login_window_s),
    )
    app.add_middleware(UploadLimit, max_bytes=settings.max_upload_bytes + FORM_OVERHEAD_BYTES)
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        session_cookie="qingliu_session",
        max_age=settings.session_max_age_s,
        same_site="lax",
        https_only=settings.https_only,
    )
    # ECharts is shipped once, in the report package; the pages load it from there
    app.mount(
        "/static/report",
        StaticFiles(directory=str(resources.files("qingliu.report").joinpath("static"))),
        name="report-static",
    )
    app.mount("/static", StaticFiles(directory=str(resources.files("qingliu.web").joinpath("static"))), name="static")
    app.include_router(api.router, prefix="/api/v1")
    app.include_router(pages.router)
    return app
