"""Sign-in (登录) for API clients: a CSRF token, then JSON credentials; the session is a signed cookie.

The login itself is CSRF-protected like every POST (against login CSRF), so a client first
fetches a token with ``GET /auth/csrf``. A successful sign-in starts a fresh session with a
new token (no session fixation); failed attempts are limited per address and user name.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.concurrency import run_in_threadpool

from qingliu.services.auth import User, authenticate
from qingliu.web.deps import ContextDep, CurrentUser
from qingliu.web.schemas import CsrfPublic, LoginRequest, SessionPublic, UserPublic
from qingliu.web.security import csrf_token

router = APIRouter(prefix="/auth", tags=["auth 登录"])

FAILED = "用户名或密码错误 / wrong user name or password"
BLOCKED = "登录失败次数过多，请稍后再试 / too many failed sign-ins; try again later"


def _session(request: Request, user: User) -> SessionPublic:
    return SessionPublic(user=UserPublic.model_validate(user), csrf_token=csrf_token(request))


@router.get("/csrf", response_model=CsrfPublic)
def get_csrf(request: Request) -> CsrfPublic:
    """The session's CSRF token (a session is started if there is none)."""
    return CsrfPublic(csrf_token=csrf_token(request))


@router.post("/login", response_model=SessionPublic)
async def login(request: Request, body: LoginRequest, context: ContextDep) -> SessionPublic:
    """Sign in; answers the user and the new session's CSRF token. 401 wrong credentials, 429 too many failures."""
    address = request.client.host if request.client else ""
    if context.limiter.blocked(address, body.username):
        raise HTTPException(status.HTTP_429_TOO_MANY_REQUESTS, BLOCKED)
    user = await run_in_threadpool(authenticate, context.engine, body.username, body.password)
    if user is None:
        context.limiter.failed(address, body.username)
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, FAILED)
    context.limiter.succeeded(address, body.username)
    request.session.clear()
    request.session["user"] = user.username
    return _session(request, user)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(request: Request) -> None:
    """End the session."""
    request.session.clear()


@router.get("/me", response_model=SessionPublic)
def me(request: Request, user: CurrentUser) -> SessionPublic:
    """The signed-in user and the session's CSRF token; 401 when nobody is signed in."""
    return _session(request, user)
