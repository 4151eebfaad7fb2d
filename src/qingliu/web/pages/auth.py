"""Sign-in and sign-out pages (登录/退出).

A sign-in starts a fresh session (new CSRF token: nothing carried over from before the sign-in)
and is refused, before the password is checked, once the address has failed too often for
that user name (:class:`qingliu.web.security.LoginLimiter`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from qingliu.services.auth import authenticate
from qingliu.web.deps import ContextDep, OptionalUser
from qingliu.web.pages.base import page, redirect, safe_next
from qingliu.web.security import csrf_token

router = APIRouter()


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, context: ContextDep, user: OptionalUser, next: str = "/") -> Response:
    if user is not None:
        return redirect(safe_next(next))
    return page(request, context, None, "login.html", {"next": safe_next(next), "error": None, "username": ""})


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    context: ContextDep,
    username: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=1000)],
    next: Annotated[str, Form()] = "/",
) -> Response:
    address = request.client.host if request.client else ""
    values = {"next": safe_next(next), "username": username}
    if context.limiter.blocked(address, username):
        return page(request, context, None, "login.html", {**values, "error": "login_blocked"}, status=429)
    user = authenticate(context.engine, username, password)
    if user is None:
        context.limiter.failed(address, username)
        return page(request, context, None, "login.html", {**values, "error": "login_failed"}, status=401)
    context.limiter.succeeded(address, username)
    request.session.clear()
    request.session["user"] = user.username
    csrf_token(request)
    return redirect(safe_next(next))


@router.post("/logout")
def logout(request: Request) -> Response:
    request.session.clear()
    return redirect("/login")
