"""Render one report's content to several formats at once (``qingliu report --format ...``)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from qingliu.report.content import Report
from qingliu.report.images import BlockImages

FORMATS = ("html", "xlsx", "docx", "pdf")


def render(report: Report, formats: Sequence[str], out_dir: str | Path, *, stem: str = "report") -> list[Path]:
    """Write ``report`` as ``out_dir/<stem>.<format>`` for each format; return the paths in order.

    Parameters
    ----------
    report : Report
        The content.
    formats : sequence of str
        Any of ``html`` (interactive charts), ``xlsx``, ``docx``, ``pdf``; case-insensitive,
        duplicates ignored.
    out_dir : str or Path
        Directory, created if missing.
    stem : str
        File name without extension.

    Returns
    -------
    list of Path
        The files written, in the order of ``formats``.

    Raises
    ------
    ValueError
        An unknown format (checked before anything is written).

    """
    wanted = list(dict.fromkeys(f.strip().lower() for f in formats))
    unknown = [f for f in wanted if f not in FORMATS]
    if unknown:
        raise ValueError(f"未知报告格式 / unknown report format: {', '.join(unknown)}; expected {', '.join(FORMATS)}")
    out = Path(out_dir)
    images = BlockImages()  # Word and PDF share the chart and map pictures
    paths = []
    for fmt in wanted:
        path = out / f"{stem}.{fmt}"
        if fmt == "html":
            from qingliu.report.html import write_html

            write_html(report, path)
        elif fmt == "xlsx":
            from qingliu.report.xlsx import write_xlsx

            write_xlsx(report, path)
        elif fmt == "docx":
            from qingliu.report.docx import write_docx

            write_docx(report, path, images=images)
        else:
            from qingliu.report.pdf import write_pdf

            write_pdf(report, path, images=images)
        paths.append(path)
    return paths
