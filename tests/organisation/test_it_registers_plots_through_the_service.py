"""`plot_register` holds the checks of a new plot (the API only parses and answers)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from maque.core.errors import NotPermitted
from maque.organisation.models import Plot
from maque.organisation.services import plot_register

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[108.52, 32.51], [108.521, 32.51], [108.521, 32.511], [108.52, 32.51]]],
}


def test_it_registers_a_plot_in_a_village_of_the_user(world):  # noqa: ANN001
    plot = plot_register(
        by=world.user("cadre_gaige"),
        village=world.gaige,
        code=" GG-900 ",
        area_mu=Decimal("1.5"),
        polygon=SQUARE,
    )
    assert plot.code == "GG-900" and plot.town_id == world.town.pk and plot.history.count() == 1


def test_it_refuses_another_village_and_bad_fields_and_writes_nothing(world):  # noqa: ANN001
    before = Plot.objects.count()
    with pytest.raises(NotPermitted):
        plot_register(
            by=world.user("cadre_gaige"),
            village=world.shuangsheng,
            code="SS-900",
            area_mu=Decimal("1"),
        )
    with pytest.raises(NotPermitted):
        plot_register(
            by=world.user("discipline"), village=world.gaige, code="GG-901", area_mu=Decimal("1")
        )
    group = world.shuangsheng.groups.get()
    with pytest.raises(ValidationError) as refused:
        plot_register(
            by=world.user("cadre_gaige"),
            village=world.gaige,
            code="GG-001",
            area_mu=Decimal("1"),
            group_id=group.pk,
        )
    assert set(refused.value.message_dict) == {"code", "group"}
    assert Plot.objects.count() == before
