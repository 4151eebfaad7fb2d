"""What every page shares: the template environment, the signed-in user, the page response.

Pages are rendered on the server (Jinja2) in the request's language (:mod:`qingliu.web.i18n`);
charts are ECharts options handed to the browser as JSON (``static/qingliu.js`` draws them).
Every response is ``text/html; charset=utf-8`` and every page declares ``<meta charset="utf-8">``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from functools import cache
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup
from pydantic import BeforeValidator, Field

from qingliu.report.content import cell_text
from qingliu.report.html import script_json
from qingliu.report.water_quality import CLASS_COLOURS
from qingliu.services.auth import WRITER_ROLES, User
from qingliu.services.water_quality import WaterQualityAssessment
from qingliu.standards import load_class_limits
from qingliu.web.cache import kept_view
from qingliu.web.deps import AppContext, OptionalUser
from qingliu.web.i18n import COOKIE, LANGS, request_lang, translator
from qingliu.web.security import csrf_token

LANG_COOKIE_MAX_AGE_S = 365 * 24 * 3600
"""The language chosen with ``?lang=`` is remembered for a year."""

NAV = (("/", "nav_overview"), ("/map", "nav_map"), ("/sections", "nav_sections"), ("/projects", "nav_projects"),
       ("/imports", "nav_imports"), ("/reports", "nav_reports"))  # fmt: skip
"""Navigation bar: path and text key."""

CLASS_LABELS = ("", *load_class_limits().labels)
"""Labels of classes 1-6 by class number (GB 3838-2002; 6 = worse than V, 劣V), 0 = not classified."""




def _number(value: Any, digits: int = 1) -> str:
    """A number with ``digits`` decimals and thousands separators; blank when missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    try:
        return f"{float(value):,.{digits}f}"
    except (TypeError, ValueError):
        return str(value)


def _percent(share: Any, digits: int = 1) -> str:
    """A share (0-1) as a percentage; blank when missing."""
    text = _number(None if share is None else 100 * float(share), digits)
    return f"{text}%" if text else ""


@cache
def environment() -> Environment:
    """The Jinja2 environment of the pages (templates in ``qingliu/web/templates``)."""
    env = Environment(
        loader=PackageLoader("qingliu.web", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(num=_number, pct=_percent, cell=cell_text)
    env.globals.update(class_colours=CLASS_COLOURS, roman=CLASS_LABELS)
    return env


def options_json(options: Mapping[str, Any]) -> dict[str, Markup]:
    """ECharts options serialised once, ready for ``<script type="application/json">``."""
    return {key: script_json(option) for key, option in options.items()}


def lang_url(request: Request, lang: str) -> str:
    """The current page in another language (the other query parameters kept)."""
    query = {k: v for k, v in request.query_params.multi_items() if k != "lang"}
    return f"{request.url.path}?{urlencode([*query.items(), ('lang', lang)])}"


def page(
    request: Request,
    context: AppContext,
    user: User | None,
    template: str,
    values: Mapping[str, Any] | None = None,
    *,
    status: int = 200,
) -> HTMLResponse:
    """Render ``template`` in the request's language; remember a ``?lang=`` choice in a cookie.

    Every template receives ``t`` (the translator), ``lang``, ``user``, ``csrf`` (the session's
    token for forms), ``illustrative`` (show the 示意数据 banner), ``nav``, ``path``, ``can_write``
    and ``other_lang_url``, plus ``values``.
    """
    lang = request_lang(request)
    other = LANGS[1 - LANGS.index(lang)]
    html = environment().get_template(template).render(
        t=translator(lang),
        lang=lang,
        user=user,
        csrf=csrf_token(request),
        illustrative=context.workspace.illustrative,
        nav=NAV,
        path=request.url.path,
        can_write=user is not None and user.role in WRITER_ROLES,
        other_lang_url=lang_url(request, other),
        **(values or {}),
    )
    response = HTMLResponse(html, status_code=status)
    if request.query_params.get("lang") in LANGS:
        response.set_cookie(COOKIE, lang, max_age=LANG_COOKIE_MAX_AGE_S, httponly=True, samesite="lax")
    return response


def fragment(template: str, lang: str, values: Mapping[str, Any]) -> Markup:
    """A page body rendered without the per-request parts (user, CSRF token, language link)."""
    return Markup(environment().get_template(template).render(t=translator(lang), lang=lang, **values))


def kept_page(
    request: Request,
    context: AppContext,
    user: User,
    source: object,
    key: tuple[Any, ...],
    template: str,
    build: Callable[[str], tuple[str, Mapping[str, Any]]],
) -> HTMLResponse:
    """A page whose body depends only on ``source`` (an assessment), ``key`` and the language.

    ``build(lang)`` gives the page title and the values of the body ``template``; the body is
    rendered once per :func:`kept_view` and wrapped in the layout on every request.
    """
    lang = request_lang(request)

    def render() -> tuple[str, Markup]:
        title, values = build(lang)
        return title, fragment(template, lang, values)

    title, body = kept_view(source, (template, *key, lang), render)
    return page(request, context, user, "kept.html", {"title": title, "body": body})


def message_page(
    request: Request, context: AppContext, user: User | None, status: int, zh: str, en: str
) -> HTMLResponse:
    """A page that says what went wrong, in Chinese and English (e.g. 403 on a refused write)."""
    return page(request, context, user, "message.html", {"status": status, "zh": zh, "en": en}, status=status)


def safe_next(target: str | None) -> str:
    """A local path to go to after signing in (never another site); ``/`` otherwise."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def redirect(url: str) -> RedirectResponse:
    """Go to ``url`` after a form (303: the browser follows with GET)."""
    return RedirectResponse(url, status_code=303)


async def page_user(request: Request, user: OptionalUser) -> User:
    """The signed-in user; anonymous visitors are sent to the sign-in page (303) and come back after.

    ``async``: it does no I/O, so it runs on the event loop instead of taking a worker thread.
    """
    if user is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise HTTPException(303, "请先登录 / please sign in", headers={"Location": f"/login?next={quote(target)}"})
    return user


PageUser = Annotated[User, Depends(page_user)]


def _blank_as_none(value: Any) -> Any:
    return None if value == "" else value


# the period form sends an empty month for "whole year"
YearQuery = Annotated[Annotated[int, Field(ge=1900, le=2200)] | None, BeforeValidator(_blank_as_none), Query()]
MonthQuery = Annotated[Annotated[int, Field(ge=1, le=12)] | None, BeforeValidator(_blank_as_none), Query()]


class NoAssessment(Exception):
    """No water-quality samples for the period asked for (the page says so instead of failing)."""

    def __init__(self, detail: str) -> None:
        self.detail = detail
        super().__init__(detail)


def assessment(context: AppContext, year: int | None, month: int | None) -> WaterQualityAssessment:
    """The (cached) assessment of the period; :class:`NoAssessment` when it has no samples."""
    try:
        return context.water_quality(year, month)
    except HTTPException as exc:
        if exc.status_code != 404:
            raise
        raise NoAssessment(str(exc.detail)) from exc


def assessment_page(
    request: Request,
    context: AppContext,
    user: User,
    period: tuple[int | None, int | None],
    key: tuple[Any, ...],
    template: str,
    build: Callable[[WaterQualityAssessment, str], tuple[str, Mapping[str, Any]]],
) -> HTMLResponse:
    """A :func:`kept_page` of the assessment of ``period`` (year, month; None: the latest year).

    ``build(assessment, lang)`` gives the title and the body's values; a period without samples
    gets a 404 page saying so.
    """
    try:
        wq = assessment(context, *period)
    except NoAssessment as exc:
        return no_data_page(request, context, user, exc)
    return kept_page(request, context, user, wq, key, template, lambda lang: build(wq, lang))


def no_data_page(request: Request, context: AppContext, user: User, exc: NoAssessment) -> HTMLResponse:
    """404: no samples for the period (the message is ``"zh / en"``, as the assessment service words it)."""
    zh, _, en = exc.detail.partition(" / ")
    return message_page(request, context, user, 404, zh, en or zh)


def period_choices(wq: WaterQualityAssessment) -> dict[str, Any]:
    """The years (those of the city history, with samples) and months a period selector offers."""
    years = sorted({int(y) for y in wq.history["year"]} | {wq.year}, reverse=True) if not wq.history.empty else [wq.year]
    return {"years": years, "months": list(range(1, 13)), "year": wq.year, "month": wq.month}
