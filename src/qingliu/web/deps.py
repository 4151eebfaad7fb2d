"""Typed dependencies of the routes: the workspace context, the current user, role checks."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, TypeVar

from fastapi import Depends, HTTPException, Request
from sqlalchemy.engine import Engine

from qingliu.services.auth import WRITER_ROLES, User, get_user
from qingliu.services.water_quality import (
    NoDataError,
    WaterQualityAssessment,
    assess_water_quality,
    latest_year,
)
from qingliu.services.workspace import Workspace
from qingliu.web.security import LoginLimiter
from qingliu.web.settings import WebSettings

T = TypeVar("T")


@dataclass
class AppContext:
    """What every request may need, created once by the app factory.

    Results are cached per service and period (:meth:`result`), and all are dropped whenever data are written (:meth:`data_changed`), so
    pages stay fast under load and never show stale results.
    """

    settings: WebSettings
    workspace: Workspace
    limiter: LoginLimiter
    _cache: dict[tuple[Any, ...], Any] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _version: int = 0

    @property
    def engine(self) -> Engine:
        return self.workspace.engine

    def water_quality(self, year: int | None = None, month: int | None = None) -> WaterQualityAssessment:
        """The water-environment assessment of ``year`` (default: the latest with samples); 404 without samples.

        Kept like :meth:`result`, "no samples" included, so a missing period is not assessed again.
        """
        if year is None:
            year = self.result("latest_year", None, lambda: latest_year(self.engine))
        if year is None:
            raise HTTPException(404, "没有水质监测数据 / no water-quality samples")

        def assess() -> WaterQualityAssessment | NoDataError:
            try:
                return assess_water_quality(self.engine, year, month)
            except NoDataError as exc:
                return exc

        found = self.result("water_quality", (year, month), assess)
        if isinstance(found, NoDataError):
            raise HTTPException(404, str(found))
        return found

    def result(self, name: str, year: Any, compute: Callable[[], T]) -> T:
        """``compute()`` once per service ``name`` and ``year`` (or any period key; None: e.g. the latest year),
        then from the cache.

        Computed outside the lock: a service may take seconds, and may itself ask for the cached
        water-quality assessment. Two first requests may both compute; the first result is kept.
        A result computed while data were written is returned but not kept.
        """
        key = (name, year)
        with self._lock:
            if key in self._cache:
                return self._cache[key]
            version = self._version
        value = compute()
        with self._lock:
            if self._version != version:
                return value
            return self._cache.setdefault(key, value)

    def previous_year(self, wq: WaterQualityAssessment) -> WaterQualityAssessment | None:
        """The assessment of the same period a year earlier, or None without samples then."""
        try:
            return self.water_quality(wq.year - 1, wq.month)
        except HTTPException as exc:
            if exc.status_code != 404:
                raise
            return None

    def data_changed(self) -> None:
        """Forget cached results; call after every write."""
        with self._lock:
            self._cache.clear()
            self._version += 1


def get_context(request: Request) -> AppContext:
    return request.app.state.context


ContextDep = Annotated[AppContext, Depends(get_context)]


def optional_user(request: Request, context: ContextDep) -> User | None:
    """The signed-in user, or None (also for a deactivated or deleted account)."""
    name = request.session.get("user")
    if not name:
        return None
    user = get_user(context.engine, name)
    return user if user is not None and user.active else None


OptionalUser = Annotated[User | None, Depends(optional_user)]


def current_user(user: OptionalUser) -> User:
    """The signed-in user; 401 for anonymous requests."""
    if user is None:
        raise HTTPException(401, "请先登录 / please sign in")
    return user


CurrentUser = Annotated[User, Depends(current_user)]


def editor_user(user: CurrentUser) -> User:
    """A user who may write (admin or editor); 403 for viewers."""
    if user.role not in WRITER_ROLES:
        raise HTTPException(403, "只读用户不能修改数据 / viewers cannot change data")
    return user


EditorUser = Annotated[User, Depends(editor_user)]


def admin_user(user: CurrentUser) -> User:
    if user.role != "admin":
        raise HTTPException(403, "需要管理员权限 / administrators only")
    return user


AdminUser = Annotated[User, Depends(admin_user)]
