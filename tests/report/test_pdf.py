"""PDF: A4 pages with the Chinese title and banner as text, in an embedded CJK font.

Text is extracted with pypdf; page 1 is rendered with pdftoppm (poppler-utils) when present.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from pypdf import PdfReader

from qingliu.report.pdf import write_pdf

A4_POINTS = (595.28, 841.89)  # 210 × 297 mm at 72 pt per inch


@pytest.fixture(scope="module")
def pdf(build, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_pdf(build(), tmp_path_factory.mktemp("pdf") / "r.pdf")


def test_text_holds_chinese_title_banner_and_table(pdf: Path) -> None:
    text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    for words in ("晋中市水质月报（2024年3月）", "示意数据，非官方监测值：仅用于演示。", "浊漳河南源石栈道断面", "河网示意图"):
        assert words in text.replace("\n", "")


def test_pages_are_a4(pdf: Path) -> None:
    for page in PdfReader(pdf).pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(A4_POINTS, abs=0.5)


def test_cjk_font_is_embedded(pdf: Path) -> None:
    fonts = set()
    for page in PdfReader(pdf).pages:
        for reference in page["/Resources"]["/Font"].values():
            font = reference.get_object()
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            fonts.add(str(font["/BaseFont"]))
            descriptor = descendant["/FontDescriptor"]
            assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), font["/BaseFont"]
    assert any("Noto-Sans-CJK-SC" in f for f in fonts), fonts


def test_first_page_renders_with_ink(pdf: Path, tmp_path: Path) -> None:
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    png = subprocess.run(["pdftoppm", "-r", "50", "-f", "1", "-l", "1", "-png", str(pdf)], capture_output=True, check=True).stdout
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("L"), dtype=float)
    assert pixels.shape == (585, 414)  # A4 at 50 dpi: 297 mm × 210 mm
    assert pixels.std() > 10
