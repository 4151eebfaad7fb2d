"""Raster images of a report's charts and SVG figures, for formats that need pictures (Word, PDF).

SVG is rasterised with CairoSVG (Debian: libcairo2); its text goes through fontconfig, so
Chinese labels use the installed CJK font (fonts-noto-cjk).
"""

from __future__ import annotations

from qingliu.report.content import Chart, Figure

#: Width in pixels of a rasterised SVG figure: about 280 dpi over a 16 cm A4 text column,
#: so the small labels of a map stay legible when printed.
SVG_WIDTH_PX = 1800


def svg_png(svg: str, *, width_px: int = SVG_WIDTH_PX) -> bytes:
    """Rasterise an SVG document to PNG ``width_px`` wide (height from its aspect ratio)."""
    import cairosvg

    from qingliu.report.fonts import cjk_family

    cjk_family()  # warns when no CJK font is installed: cairo would draw boxes
    return cairosvg.svg2png(bytestring=svg.encode("utf-8"), output_width=width_px, background_color="white")


class BlockImages:
    """PNG of each chart and figure, drawn once and shared by the renderers of one report."""

    def __init__(self) -> None:
        # keyed by id(); the block is kept in the value so its id cannot be reused meanwhile
        self._cache: dict[int, tuple[Chart | Figure, bytes]] = {}

    def png(self, block: Chart | Figure) -> bytes:
        """The block as PNG bytes."""
        hit = self._cache.get(id(block))
        if hit is None:
            from qingliu.report.charts import chart_png

            data = chart_png(block) if isinstance(block, Chart) else svg_png(block.svg)
            hit = self._cache[id(block)] = (block, data)
        return hit[1]
