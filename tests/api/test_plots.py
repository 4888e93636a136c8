"""Plots through the API: GeoJSON validated by the organisation's service, scoped reads."""

from __future__ import annotations

from decimal import Decimal

from maque.organisation.models import Plot

from .conftest import assert_error, snapshot

SQUARE = {
    "type": "Polygon",
    "coordinates": [
        [[108.50, 32.50], [108.51, 32.50], [108.51, 32.51], [108.50, 32.51], [108.50, 32.50]]
    ],
}


def test_it_registers_a_plot_with_a_polygon(world, api):
    body = {
        "code": "GG-002",
        "village": "改革村",
        "group": world.gaige.groups.get().pk,
        "area_mu": "2.35",
        "land_class": "permanent_farmland",
        "status": "abandoned",
        "polygon": SQUARE,
    }
    response = api("cadre_gaige").post("/api/v1/plots", body)
    assert response.status_code == 201, response.content
    plot = Plot.objects.get(code="GG-002")
    assert plot.area_mu == Decimal("2.35") and plot.polygon == SQUARE and plot.town == world.town
    assert plot.history.get().history_user == world.user("cadre_gaige")
    assert response.json()["area_mu"] == "2.35" and response.json()["status_label"]
    listed = (
        api("contact_gaige")
        .get("/api/v1/plots", {"village": "改革村", "status": "abandoned"})
        .json()
    )
    assert [p["code"] for p in listed["plots"]] == ["GG-002"] and listed["count"] == 1


def test_it_refuses_duplicate_codes_and_foreign_groups(world, api):
    before = snapshot()
    assert_error(
        api("cadre_gaige").post(
            "/api/v1/plots", {"code": "GG-001", "village": "改革村", "area_mu": "1"}
        ),
        422,
        fields=("code",),
    )
    foreign_group = world.shuangsheng.groups.get().pk
    body = {"code": "GG-003", "village": "改革村", "area_mu": "1", "group": foreign_group}
    assert_error(api("cadre_gaige").post("/api/v1/plots", body), 422, fields=("group",))
    body = {"code": "GG-003", "village": "改革村", "area_mu": "1.234"}
    assert_error(api("cadre_gaige").post("/api/v1/plots", body), 422, fields=("area_mu",))
    body = {"code": "GG-003", "village": "改革村", "area_mu": "1", "land_class": "moon"}
    assert_error(api("cadre_gaige").post("/api/v1/plots", body), 422, fields=("land_class",))
    assert snapshot() == before
