"""Plot polygons: only usable GeoJSON Polygons/MultiPolygons pass, with a clear message."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from maque.core.geojson import validate_polygon
from maque.organisation.models import Plot
from maque.organisation.services import plot_save

SQUARE = [[108.5, 32.5], [108.501, 32.5], [108.501, 32.501], [108.5, 32.501], [108.5, 32.5]]


def polygon(*rings: list) -> dict:
    return {"type": "Polygon", "coordinates": list(rings)}


@pytest.fixture(autouse=True)
def _english():  # noqa: ANN202
    """Messages are matched in English here; the Chinese ones are checked on their own."""
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    "value",
    [
        None,
        polygon(SQUARE),
        {"type": "Feature", "properties": {}, "geometry": polygon(SQUARE)},
        {"type": "MultiPolygon", "coordinates": [[SQUARE], [SQUARE]]},
        polygon(
            [[108.5, 32.5, 700], [108.501, 32.5, 701], [108.5, 32.501, 702], [108.5, 32.5, 700]]
        ),
        polygon(
            SQUARE,
            [[108.5002, 32.5002], [108.5004, 32.5002], [108.5004, 32.5004], [108.5002, 32.5002]],
        ),
    ],
)
def test_it_accepts_usable_polygons(value):
    validate_polygon(value)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("POLYGON((0 0, 1 0, 1 1, 0 0))", "GeoJSON object"),
        ({"type": "Point", "coordinates": [108.5, 32.5]}, "Polygon or MultiPolygon"),
        ({"type": "LineString", "coordinates": SQUARE}, "Polygon or MultiPolygon"),
        ({"type": "Feature", "geometry": None}, "no geometry"),
        ({"type": "MultiPolygon", "coordinates": []}, "no coordinates"),
        ({"type": "MultiPolygon", "coordinates": "[]"}, "Polygon or MultiPolygon"),
        (polygon(), "at least one ring"),
        ({"type": "Polygon", "coordinates": None}, "at least one ring"),
        (polygon(SQUARE[:-1]), "closed"),  # unclosed ring
        (
            polygon([[108.5, 32.5], [108.501, 32.5], [108.5, 32.5]]),
            "four positions",
        ),  # too few points
        (
            polygon([[108.5, 32.5], [108.501, 32.5], [108.502, 32.5], [108.5, 32.5]]),
            "no area",
        ),  # collinear
        (polygon([[108.5, 32.5]] * 4), "no area"),
        (polygon([[181, 32.5], [181.1, 32.5], [181.1, 32.6], [181, 32.5]]), "out of range"),
        (polygon([[108.5, -91], [108.6, -91], [108.6, -90.5], [108.5, -91]]), "out of range"),
        (
            polygon([[10**400, 1], [2, 1], [2, 2], [10**400, 1]]),
            "out of range",
        ),  # too big for a float
        (polygon([[float("nan"), 1], [2, 1], [2, 2], [float("nan"), 1]]), "out of range"),
        (
            polygon([["108.5", "32.5"], [108.501, 32.5], [108.5, 32.501], ["108.5", "32.5"]]),
            "[longitude, latitude]",
        ),
        (
            polygon([[True, False], [108.501, 32.5], [108.5, 32.501], [True, False]]),
            "[longitude, latitude]",
        ),
        (polygon([[108.5], [108.501, 32.5], [108.5, 32.501], [108.5]]), "[longitude, latitude]"),
        (polygon([[[108.5, 32.5]]] * 4), "[longitude, latitude]"),  # positions nested once too deep
    ],
)
def test_it_refuses_invalid_geojson_with_a_message(value, message):
    with pytest.raises(ValidationError) as raised:
        validate_polygon(value)
    assert message in raised.value.messages[0]


def test_it_refuses_too_many_vertices():
    ring = [[108.5 + i * 1e-5, 32.5 + (i % 2) * 1e-5] for i in range(5001)] + [[108.5, 32.5]]
    with pytest.raises(ValidationError):
        validate_polygon(polygon(ring))


def test_it_explains_in_chinese():
    with translation.override("zh-hans"), pytest.raises(ValidationError) as raised:
        validate_polygon(polygon(SQUARE[:-1]))
    assert raised.value.messages == ["每个环必须闭合（首尾坐标点相同）。"]


def test_it_saves_only_valid_plots(world):
    plot = world.plots["gaige"]
    plot.polygon = polygon(SQUARE[:-1])
    plot.area_mu = Decimal("-1")
    plot.group = world.shuangsheng.groups.first()
    with pytest.raises(ValidationError) as raised:
        plot_save(plot=plot, by=world.user("leader"))
    assert set(raised.value.message_dict) == {"polygon", "area_mu", "group"}
    stored = Plot.objects.get(pk=plot.pk)
    assert stored.polygon is None and stored.area_mu == Decimal("3.50")
    assert stored.history.count() == 1

    plot = Plot.objects.get(pk=plot.pk)
    plot.polygon = polygon(SQUARE)
    plot_save(plot=plot, by=world.user("leader"))
    stored = Plot.objects.get(pk=plot.pk)
    assert stored.polygon == polygon(SQUARE)
    assert stored.history.latest().history_user == world.user("leader")
