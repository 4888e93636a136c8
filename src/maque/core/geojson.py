"""Validation of plot polygons given as GeoJSON (Polygon or MultiPolygon, WGS 84 lon/lat)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_VERTICES = 5000


def validate_polygon(value: Any) -> None:
    """Raise ValidationError unless `value` is a usable GeoJSON Polygon or MultiPolygon.

    Accepts a bare geometry or a Feature wrapping one. Checks structure, coordinate ranges,
    closed rings of at least four positions, and a non-zero area.
    """
    if value is None:
        return
    if not isinstance(value, dict):
        raise ValidationError(_("The polygon must be a GeoJSON object."))
    geometry = value.get("geometry") if value.get("type") == "Feature" else value
    if not isinstance(geometry, dict):
        raise ValidationError(_("The GeoJSON feature has no geometry."))
    kind = geometry.get("type")
    coordinates = geometry.get("coordinates")
    if kind == "Polygon":
        polygons = [coordinates]
    elif kind == "MultiPolygon" and isinstance(coordinates, list):
        polygons = coordinates
    else:
        raise ValidationError(_("The geometry must be a Polygon or MultiPolygon."))
    if not polygons:
        raise ValidationError(_("The polygon has no coordinates."))
    vertices = 0
    for rings in polygons:
        if not isinstance(rings, list) or not rings:
            raise ValidationError(_("A polygon must have at least one ring."))
        for ring in rings:
            vertices += _check_ring(ring)
            if vertices > MAX_VERTICES:
                raise ValidationError(
                    _("The polygon has too many vertices (at most %(max)d).")
                    % {"max": MAX_VERTICES}
                )


def _check_ring(ring: Any) -> int:
    if not isinstance(ring, list) or len(ring) < 4:
        raise ValidationError(_("Each ring needs at least four positions."))
    points: list[tuple[float, float]] = []
    for position in ring:
        if (
            not isinstance(position, list | tuple)
            or len(position) < 2
            or not all(isinstance(c, int | float) and not isinstance(c, bool) for c in position[:2])
        ):
            raise ValidationError(_("Each position must be [longitude, latitude]."))
        # Compared before float(): JSON integers can be too large to convert.
        if not (-180 <= position[0] <= 180 and -90 <= position[1] <= 90):
            raise ValidationError(
                _("Coordinates out of range: longitude −180…180, latitude −90…90.")
            )
        points.append((float(position[0]), float(position[1])))
    if points[0] != points[-1]:
        raise ValidationError(_("Each ring must be closed (first and last positions equal)."))
    area2 = sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(points, points[1:], strict=False))
    if area2 == 0:
        raise ValidationError(_("The polygon has no area."))
    return len(points)
