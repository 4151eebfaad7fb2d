"""Read a standard's TOML file from this package."""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from typing import Any


@cache
def load_toml(name: str) -> dict[str, Any]:
    """Return the parsed TOML file ``name`` (without ``.toml``) shipped in ``qingliu.standards``.

    The result is cached and shared: treat it as read-only.
    """
    text = resources.files("qingliu.standards").joinpath(f"{name}.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)
