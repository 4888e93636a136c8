"""Plot polygons drawn as inline SVG on the server: no tile server, no script, a few hundred bytes.

Longitude/latitude are projected equirectangularly (longitude scaled by the cosine of the mean
latitude), which is exact enough for the few hundred metres a village covers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

SIZE = 240.0
MARGIN = 8.0


@dataclass(frozen=True)
class Shape:
    code: str
    path: str
    highlight: bool
    label_x: float
    label_y: float


@dataclass(frozen=True)
class Drawing:
    width: float
    height: float
    shapes: list[Shape]


def _rings(geojson: Any) -> list[list[tuple[float, float]]]:
    """The rings of a (validated) Polygon/MultiPolygon geometry or Feature; [] if unusable."""
    if not isinstance(geojson, dict):
        return []
    geometry = geojson.get("geometry") if geojson.get("type") == "Feature" else geojson
    if not isinstance(geometry, dict):
        return []
    coordinates = geometry.get("coordinates") or []
    polygons = [coordinates] if geometry.get("type") == "Polygon" else coordinates
    rings: list[list[tuple[float, float]]] = []
    try:
        for polygon in polygons:
            for ring in polygon:
                rings.append([(float(p[0]), float(p[1])) for p in ring])
    except (TypeError, ValueError, IndexError):
        return []
    return rings


def draw(plots: list[tuple[str, Any, bool]]) -> Drawing | None:
    """Fit every plot (code, GeoJSON, highlighted?) into one SVG; None when none has a polygon."""
    shaped = [(code, _rings(geojson), highlight) for code, geojson, highlight in plots]
    shaped = [entry for entry in shaped if entry[1]]
    if not shaped:
        return None
    points = [point for _code, rings, _h in shaped for ring in rings for point in ring]
    min_lon = min(p[0] for p in points)
    max_lon = max(p[0] for p in points)
    min_lat = min(p[1] for p in points)
    max_lat = max(p[1] for p in points)
    x_scale = math.cos(math.radians((min_lat + max_lat) / 2))
    span_x = max((max_lon - min_lon) * x_scale, 1e-9)
    span_y = max(max_lat - min_lat, 1e-9)
    scale = (SIZE - 2 * MARGIN) / max(span_x, span_y)
    width = span_x * scale + 2 * MARGIN
    height = span_y * scale + 2 * MARGIN

    def project(lon: float, lat: float) -> tuple[float, float]:
        return MARGIN + (lon - min_lon) * x_scale * scale, MARGIN + (max_lat - lat) * scale

    shapes = []
    for code, rings, highlight in shaped:
        parts = []
        for ring in rings:
            projected = [project(lon, lat) for lon, lat in ring]
            parts.append("M" + "L".join(f"{x:.1f} {y:.1f}" for x, y in projected) + "Z")
        outer = [project(lon, lat) for lon, lat in rings[0]]
        label_x = sum(x for x, _y in outer) / len(outer)
        label_y = sum(y for _x, y in outer) / len(outer)
        shapes.append(Shape(code, "".join(parts), highlight, round(label_x, 1), round(label_y, 1)))
    return Drawing(round(width, 1), round(height, 1), shapes)
