"""Views kept in memory per assessment (the dashboard pages and the API under load).

The app replaces its assessments whenever data are written (:meth:`AppContext.data_changed`),
so a view kept for an assessment object is never stale.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

KEPT_VIEWS = 256
"""Views kept in memory (see :func:`kept_view`)."""

T = TypeVar("T")
_views: OrderedDict[tuple[Any, ...], tuple[weakref.ref, Any]] = OrderedDict()
_views_lock = threading.Lock()


def kept_view(source: object, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
    """``compute()`` once per ``source`` object and ``key``, then from memory.

    ``source`` is an assessment of :meth:`qingliu.web.deps.AppContext.water_quality`, which the
    app replaces whenever data are written, so a view kept for it is never stale; ``key`` holds
    whatever else the view depends on (language, section, date). Under load the pages then
    answer from memory. Views are kept with a weak reference to their source: once the app lets
    go of an assessment, its views go too. Kept views are shared: callers must not change them.
    """
    full = (id(source), *key)
    with _views_lock:
        hit = _views.get(full)
        if hit is not None and hit[0]() is source:  # a dead reference or a reused id is a miss
            _views.move_to_end(full)
            return hit[1]
    value = compute()
    with _views_lock:
        for stale in [k for k, (ref, _) in _views.items() if ref() is None]:
            del _views[stale]
        _views[full] = (weakref.ref(source), value)
        while len(_views) > KEPT_VIEWS:
            _views.popitem(last=False)
    return value
