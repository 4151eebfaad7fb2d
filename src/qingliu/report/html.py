"""Render a report's content as one self-contained HTML page (UTF-8, no external resources).

Charts are drawn in the browser by Apache ECharts, shipped in ``report/static/`` (no CDN:
users are often on closed networks) and inlined once per page. With ``static=True`` charts
are inline PNG images instead: no JavaScript, for printing and for the PDF.
"""

from __future__ import annotations

import base64
import json
from importlib.resources import files
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from qingliu.report.charts import echarts_option
from qingliu.report.content import Chart, Figure, Report, Table, cell_text
from qingliu.report.fonts import CSS_FONT_STACK
from qingliu.report.images import BlockImages

#: Characters that could end or confuse a <script> element, as JSON escapes (still valid JSON).
_SCRIPT_ESCAPES = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def script_json(value: object) -> Markup:
    """``value`` as JSON safe to place inside a ``<script>`` element."""
    return Markup(json.dumps(value, ensure_ascii=False, allow_nan=False).translate(_SCRIPT_ESCAPES))


def echarts_js() -> str:
    """The bundled ``echarts.min.js`` (Apache-2.0; LICENSE and NOTICE beside it)."""
    return files("qingliu.report").joinpath("static", "echarts.min.js").read_text(encoding="utf-8")


def _environment(images: BlockImages | None) -> Environment:
    env = Environment(loader=PackageLoader("qingliu.report", "templates"), autoescape=select_autoescape(["html", "j2"]))
    env.filters["cell"] = cell_text
    env.filters["echarts_option"] = lambda chart: script_json(echarts_option(chart))
    if images is not None:
        env.filters["png_uri"] = lambda block: "data:image/png;base64," + base64.b64encode(images.png(block)).decode("ascii")
    env.tests["table"] = lambda block: isinstance(block, Table)
    env.tests["figure"] = lambda block: isinstance(block, Figure)
    env.tests["chart"] = lambda block: isinstance(block, Chart)
    return env


def render_html(report: Report, *, static: bool = False, images: BlockImages | None = None) -> str:
    """The report as an HTML document string.

    Parameters
    ----------
    report : Report
        The content.
    static : bool
        Draw charts as PNG images rather than interactive ECharts (no JavaScript).
    images : BlockImages, optional
        Cache of PNG images shared with other renderers (used when ``static``).

    """
    if static and images is None:
        images = BlockImages()
    has_charts = any(isinstance(block, Chart) for block in report.blocks())
    return (
        _environment(images if static else None)
        .get_template("report.html.j2")
        .render(
            report=report,
            static=static,
            font_stack=CSS_FONT_STACK,
            echarts=Markup(echarts_js()) if has_charts and not static else None,
            echarts_locale="ZH" if report.lang == "zh" else "EN",
        )
    )


def write_html(report: Report, path: str | Path, *, static: bool = False) -> Path:
    """Write the report to ``path`` (UTF-8) and return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(report, static=static), encoding="utf-8")
    return path
