"""Registering petitions in the tests' world."""

from __future__ import annotations

from datetime import date
from typing import Any

from maque.petitions.models import Channel, Petition
from maque.petitions.services import petition_register
from tests.conftest import World

PHONE = "13912345678"
ID_NUMBER = "610924199001011234"
NAME = "王德明"


def register(world: World, *, by: str = "principal", **overrides: Any) -> Petition:
    values: dict[str, Any] = {
        "town": world.town,
        "channel": Channel.VISIT,
        "received_on": date.today(),
        "petitioner_name": NAME,
        "petitioner_phone": PHONE,
        "petitioner_id_number": ID_NUMBER,
        "matter": f"反映宅基地边界纠纷，联系电话{PHONE}",
        "village": world.gaige,
        "owner": world.people["cadre_gaige"],
    }
    values.update(overrides)
    return petition_register(by=world.user(by), **values)
