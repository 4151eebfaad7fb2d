"""Write a report as PDF: WeasyPrint lays out the static HTML (charts as PNG, figures as SVG).

Page A4 with page numbers (the ``@page`` rule of the HTML template). Text uses the CJK
font found by fontconfig, Noto Sans CJK SC from Debian's fonts-noto-cjk; WeasyPrint
embeds the glyphs it uses, so the file reads the same on any machine.
"""

from __future__ import annotations

from pathlib import Path

from qingliu.report.content import Report
from qingliu.report.fonts import cjk_family
from qingliu.report.html import render_html
from qingliu.report.images import BlockImages


def pdf_bytes(report: Report, *, images: BlockImages | None = None) -> bytes:
    """The report as a PDF document."""
    from weasyprint import HTML

    cjk_family()  # warns when no CJK font is installed: Chinese would print as boxes
    return HTML(string=render_html(report, static=True, images=images)).write_pdf()


def write_pdf(report: Report, path: str | Path, *, images: BlockImages | None = None) -> Path:
    """Write the report as a PDF file and return its path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pdf_bytes(report, images=images))
    return path
