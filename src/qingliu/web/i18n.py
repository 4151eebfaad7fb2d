"""Interface language (界面语言): Chinese by default, English on request.

The language comes from ``?lang=zh|en`` (remembered in a cookie) or the cookie; texts live in
``messages.toml`` as ``key = { zh = "...", en = "..." }``.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from functools import cache
from importlib import resources

from fastapi import Request

LANGS = ("zh", "en")
COOKIE = "qingliu_lang"


@cache
def messages() -> dict[str, dict[str, str]]:
    text = resources.files("qingliu.web").joinpath("messages.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def request_lang(request: Request) -> str:
    """The language of a request: query parameter, then cookie, then Chinese."""
    lang = request.query_params.get("lang") or request.cookies.get(COOKIE) or "zh"
    return lang if lang in LANGS else "zh"


def translator(lang: str) -> Callable[[str], str]:
    """``t(key)``: the text of ``key`` in ``lang`` (the key itself if it is missing, so gaps show)."""
    table = messages()

    def t(key: str) -> str:
        entry = table.get(key)
        return entry.get(lang, key) if entry else key

    return t
