"""Find a font with Chinese glyphs for images and PDF (Debian: fonts-noto-cjk).

Without one, Chinese text is drawn as empty boxes ("tofu"); rather than let that happen
silently, the lookup warns once, in Chinese and English, and names the package to install.
"""

from __future__ import annotations

import functools
import warnings
from pathlib import Path

#: CJK families in order of preference: Noto Sans CJK SC (fonts-noto-cjk) first, then the
#: same design under Adobe's name, then common system fonts of Windows and macOS.
CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Noto Serif CJK SC",
    "WenQuanYi Zen Hei",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
)
#: CSS font stack used by the HTML and PDF renderers.
CSS_FONT_STACK = ", ".join(f'"{f}"' for f in CJK_FAMILIES) + ", sans-serif"

MISSING_CJK_FONT = (
    "未找到中文字体，中文将无法显示（请安装 fonts-noto-cjk）/ "
    "no CJK font found, Chinese text will not render (install Debian's fonts-noto-cjk)"
)


class MissingCJKFontWarning(UserWarning):
    """No font with Chinese glyphs is installed."""


def _installed_family() -> str | None:
    from matplotlib import font_manager

    names = {entry.name for entry in font_manager.fontManager.ttflist}
    return next((family for family in CJK_FAMILIES if family in names), None)


@functools.cache
def cjk_family() -> str | None:
    """The preferred installed CJK font family, or ``None`` (with a warning) if there is none.

    matplotlib's font cache may predate the font's installation (fonts-noto-cjk installed
    after the first import of matplotlib), so fonts found on the system but missing from the
    cache are added before giving up.
    """
    from matplotlib import font_manager

    family = _installed_family()
    if family is None:
        for path in font_manager.findSystemFonts():
            if "CJK" in Path(path).name or "SourceHan" in Path(path).name:
                font_manager.fontManager.addfont(path)
        family = _installed_family()
    if family is None:
        warnings.warn(MISSING_CJK_FONT, MissingCJKFontWarning, stacklevel=2)
    return family
