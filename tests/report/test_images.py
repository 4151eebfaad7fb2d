"""Raster images of SVG figures (CairoSVG)."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from qingliu.report.images import svg_png


def test_svg_is_rasterised_at_the_requested_width() -> None:
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 300 200" width="100%">'
        '<rect width="300" height="200" fill="#ffffff"/><rect x="0" y="0" width="150" height="200" fill="#000000"/></svg>'
    )
    pixels = np.asarray(Image.open(io.BytesIO(svg_png(svg, width_px=600))).convert("L"), dtype=float)
    assert pixels.shape == (400, 600)  # 300 × 200 viewBox scaled to 600 wide
    # left half black, right half white
    assert pixels[:, :290].mean() < 5 and pixels[:, 310:].mean() > 250
