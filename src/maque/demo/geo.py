"""Plot polygons for the demo: small, slightly irregular quadrilaterals laid out on a grid.

Areas are computed from the polygon itself, so a plot's 亩 always matches its shape.
"""

from __future__ import annotations

import math
import random
from decimal import ROUND_HALF_UP, Decimal

SQUARE_METRES_PER_MU = 10000 / 15  # 1 亩 = 666.67 m²
METRES_PER_DEGREE_LAT = 110_940.0


def metres_per_degree_lon(lat: float) -> float:
    return 111_320.0 * math.cos(math.radians(lat))


def plot_polygon(
    rng: random.Random, *, centre: tuple[float, float], target_mu: float
) -> tuple[dict, Decimal]:
    """A closed GeoJSON Polygon around `centre` (lon, lat) of about `target_mu` 亩, and its area."""
    lon0, lat0 = centre
    area_m2 = target_mu * SQUARE_METRES_PER_MU
    ratio = rng.uniform(1.2, 2.6)
    width = math.sqrt(area_m2 * ratio)
    height = area_m2 / width
    angle = math.radians(rng.uniform(-25, 25))
    corners = []
    for x, y in (
        (-width / 2, -height / 2),
        (width / 2, -height / 2),
        (width / 2, height / 2),
        (-width / 2, height / 2),
    ):
        # A little irregularity, as real field boundaries have.
        x *= rng.uniform(0.9, 1.1)
        y *= rng.uniform(0.9, 1.1)
        corners.append(
            (x * math.cos(angle) - y * math.sin(angle), x * math.sin(angle) + y * math.cos(angle))
        )
    area = (
        abs(
            sum(
                x1 * y2 - x2 * y1
                for (x1, y1), (x2, y2) in zip(corners, corners[1:] + corners[:1], strict=False)
            )
        )
        / 2
    )
    lon_scale = metres_per_degree_lon(lat0)
    ring = [
        [round(lon0 + x / lon_scale, 7), round(lat0 + y / METRES_PER_DEGREE_LAT, 7)]
        for x, y in corners
    ]
    ring.append(list(ring[0]))
    mu = Decimal(area / SQUARE_METRES_PER_MU).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return {"type": "Polygon", "coordinates": [ring]}, max(mu, Decimal("0.01"))


def polygon_area_mu(polygon: dict) -> float:
    """The area of a GeoJSON Polygon's outer ring in 亩 (local flat approximation)."""
    ring = polygon["coordinates"][0]
    lat0 = ring[0][1]
    lon_scale = metres_per_degree_lon(lat0)
    points = [
        ((lon - ring[0][0]) * lon_scale, (lat - lat0) * METRES_PER_DEGREE_LAT) for lon, lat in ring
    ]
    area = (
        abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(points, points[1:], strict=False)))
        / 2
    )
    return area / SQUARE_METRES_PER_MU


def grid_position(
    centre: tuple[float, float], index: int, *, columns: int = 8, spacing_m: float = 140.0
) -> tuple[float, float]:
    """The centre of the `index`-th cell of a grid of fields around a village centre."""
    lon0, lat0 = centre
    row, column = divmod(index, columns)
    x = (column - columns / 2) * spacing_m
    y = (row - 2) * spacing_m
    return lon0 + x / metres_per_degree_lon(lat0), lat0 + y / METRES_PER_DEGREE_LAT
