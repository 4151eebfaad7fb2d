"""Sessions, CSRF tokens and the login rate limit.

The session cookie (Starlette's SessionMiddleware: signed, HttpOnly, SameSite=Lax) carries the
user name and a CSRF token. Every unsafe request (POST, PUT, PATCH, DELETE) must echo the token,
in the ``csrf_token`` form field or the ``X-CSRF-Token`` header, or it is refused with 403.
"""

from __future__ import annotations

import hmac
import secrets
import time
from collections import defaultdict, deque

from fastapi import HTTPException, Request

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
FORM_OVERHEAD_BYTES = 64 * 1024
"""Allowance for multipart headers and form fields beside an uploaded file of the maximum size."""


def csrf_token(request: Request) -> str:
    """The session's CSRF token (created on first use)."""
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


async def check_csrf(request: Request) -> None:
    """Refuse an unsafe request whose CSRF token does not match the session's."""
    if request.method in SAFE_METHODS:
        return
    expected = request.session.get("csrf")
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not expected or not sent or not hmac.compare_digest(expected, sent):
        raise HTTPException(403, "CSRF 校验失败，请刷新页面后重试 / CSRF check failed; reload the page and try again")


class LoginLimiter:
    """At most ``attempts`` failed logins per (address, user name) within ``window_s`` seconds."""

    def __init__(self, attempts: int, window_s: int) -> None:
        self.attempts, self.window_s = attempts, window_s
        self._failures: dict[tuple[str, str], deque[float]] = defaultdict(deque)

    def _recent(self, key: tuple[str, str]) -> deque[float]:
        failures, cutoff = self._failures[key], time.monotonic() - self.window_s
        while failures and failures[0] < cutoff:
            failures.popleft()
        return failures

    def blocked(self, address: str, username: str) -> bool:
        return len(self._recent((address, username.casefold()))) >= self.attempts

    def failed(self, address: str, username: str) -> None:
        self._recent((address, username.casefold())).append(time.monotonic())

    def succeeded(self, address: str, username: str) -> None:
        self._failures.pop((address, username.casefold()), None)


class UploadLimit:
    """ASGI middleware: refuse request bodies larger than ``max_bytes`` with 413.

    Checked on the declared Content-Length before anything is read, and on the bytes actually
    received (a body without a length, or one that lies about it), so no route ever parses an
    oversized upload (the CSRF check reads forms before the routes run).
    """

    def __init__(self, app, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(send)
            return
        received = 0

        async def counted():
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                raise _TooLarge
            return message

        try:
            await self.app(scope, counted, send)
        except _TooLarge:
            await self._refuse(send)

    async def _refuse(self, send) -> None:
        body = f"文件过大（上限 {self.max_bytes // 1024 // 1024} MB）/ upload too large (limit {self.max_bytes} bytes)"
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"text/plain; charset=utf-8")]})
        await send({"type": "http.response.body", "body": body.encode("utf-8")})


class _TooLarge(Exception):
    """Raised inside :class:`UploadLimit` when the received body passes the limit."""
