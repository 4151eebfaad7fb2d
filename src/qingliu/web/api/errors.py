"""Service errors as HTTP answers, with the message in Chinese and English.

``detail`` is the text ``"中文 / English"``, as the web core's own refusals; a value error
(422) lists its problems as FastAPI lists validation errors, one ``{loc, msg, type, zh, en}``
per field, so clients handle both kinds alike.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from fastapi import HTTPException

from qingliu import io
from qingliu.services.auth import PermissionDenied, UserError
from qingliu.services.dashboard import SectionNotFound
from qingliu.services.projects import ProjectNotFound, ProjectValueError


def field_errors(where: str, problems: Sequence[tuple[str, str, str]]) -> list[dict[str, object]]:
    """``(field, zh, en)`` problems as FastAPI-style validation errors located in ``where``."""
    return [{"loc": [where, name], "msg": f"{zh} / {en}", "type": "value_error", "zh": zh, "en": en}
            for name, zh, en in problems]  # fmt: skip


def problems_detail(error: io.InputError) -> list[dict[str, object]]:
    """The problems of an input file (file, row, column, zh, en) as plain dicts."""
    return [{"file": p.file, "row": p.row, "column": p.column, "zh": p.zh, "en": p.en} for p in error.problems]


@contextmanager
def service_errors(where: str = "body") -> Iterator[None]:
    """Answer the services' refusals: 403 not allowed, 404 unknown id, 422 bad values (naming the field)."""
    try:
        yield
    except PermissionDenied as exc:
        raise HTTPException(403, str(exc)) from exc
    except (ProjectNotFound, SectionNotFound) as exc:
        raise HTTPException(404, str(exc)) from exc
    except ProjectValueError as exc:
        raise HTTPException(422, field_errors(where, exc.problems)) from exc
    except UserError as exc:
        raise HTTPException(422, field_errors(where, [("user", exc.zh, exc.en)])) from exc
