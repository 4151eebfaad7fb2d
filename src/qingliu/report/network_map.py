"""A schematic map of the river network as SVG, drawn from the network's own node coordinates.

No administrative boundaries are drawn (no openly licensed copy exists: ../shared/geodata);
markers may be coloured, e.g. sections by water-quality class.
"""

from __future__ import annotations

from html import escape

import numpy as np
import pandas as pd

WIDTH, HEIGHT, PAD = 900, 640, 40


def _project(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """Equirectangular projection scaled to the canvas (east right, north up)."""
    x = lon * np.cos(np.deg2rad(np.nanmean(lat)))
    y = lat
    span = max(np.nanmax(x) - np.nanmin(x), np.nanmax(y) - np.nanmin(y)) or 1.0
    scale = min((WIDTH - 2 * PAD), (HEIGHT - 2 * PAD)) / span
    return PAD + (x - np.nanmin(x)) * scale, HEIGHT - PAD - (y - np.nanmin(y)) * scale, scale


def network_svg(nodes: pd.DataFrame, markers: pd.DataFrame | None = None, *, title: str = "") -> str:
    """SVG of the network: one line per reach, rivers labelled, optional markers.

    Parameters
    ----------
    nodes : canonical ``node`` frame (node_id, river, lon, lat, downstream, ...).
    markers : optional frame with ``node_id``, ``label``, ``color`` (CSS colour) and, optionally,
        ``href`` and ``radius`` (px, default 6, e.g. scaled by a load); drawn as circles with labels.
    """
    nodes = nodes.reset_index(drop=True)
    px, py, _ = _project(nodes["lon"].to_numpy(float), nodes["lat"].to_numpy(float))
    pos = {nid: (x, y) for nid, x, y in zip(nodes["node_id"], px, py, strict=True)}
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" '
        f'role="img" aria-label="{escape(title)}" font-family="Noto Sans CJK SC, sans-serif">',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#f8fbff"/>',
    ]
    reaches = nodes[nodes["downstream"].notna() & (nodes["downstream"] != "")]
    for up, down in zip(reaches["node_id"], reaches["downstream"], strict=True):
        (x1, y1), (x2, y2) = pos[up], pos[down]
        parts.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="#4a90d9" stroke-width="2.2"/>')
    for river, group in nodes.groupby("river", sort=True):
        i = group.index[len(group) // 2]
        parts.append(
            f'<text x="{px[i] + 6:.1f}" y="{py[i] - 6:.1f}" font-size="13" fill="#1c4f8a" font-style="italic">{escape(str(river))}</text>'
        )
    if markers is not None:
        for row in markers.itertuples(index=False):
            x, y = pos[row.node_id]
            r = float(getattr(row, "radius", 6.0))
            circle = (
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{escape(row.color)}" stroke="#243b53" stroke-width="1">'
                f"<title>{escape(str(row.label))}</title></circle>"
                f'<text x="{x + r + 2:.1f}" y="{y + 4:.1f}" font-size="10" fill="#243b53">{escape(str(row.label))}</text>'
            )
            href = getattr(row, "href", None)
            parts.append(f'<a href="{escape(href)}">{circle}</a>' if href else circle)
    parts.append("</svg>")
    return "".join(parts)
