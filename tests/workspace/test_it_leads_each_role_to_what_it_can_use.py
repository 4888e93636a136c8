"""No dead ends: a contact leader reads the weekly diagnosis of his villages and finds it in his
meetings; the registration link shows only to those who may register."""

from __future__ import annotations

import pytest
from django.utils import timezone

from maque.meetings.services import diagnosis_draft
from maque.organisation.models import Person, Role, RoleAssignment

REGISTER_LINK = 'href="/register/"'


def test_it_shows_the_contact_leader_the_diagnosis_of_his_villages(client, world):  # noqa: ANN001
    meeting = diagnosis_draft(town=world.town, now=timezone.now())
    client.force_login(world.user("contact_gaige"))
    assert client.get(f"/meetings/{meeting.pk}/").status_code == 200
    assert f'href="/meetings/{meeting.pk}/"' in client.get("/meetings/").content.decode()
    # A village cadre still does not see the town's diagnosis.
    client.force_login(world.user("cadre_shuangsheng"))
    assert client.get(f"/meetings/{meeting.pk}/").status_code == 404


@pytest.mark.parametrize(
    "persona", ["cadre_gaige", "secretary_gaige", "contact_gaige", "principal", "inspector"]
)
def test_it_links_registration_for_those_who_register(client, world, persona):  # noqa: ANN001
    client.force_login(world.user(persona))
    assert REGISTER_LINK in client.get("/ledger/").content.decode()


def test_it_hides_registration_from_discipline_and_the_county(client, world):  # noqa: ANN001
    county = Person.objects.create(
        town=world.town, name="county", phone="13900000000", user=world.user("outsider")
    )
    RoleAssignment.objects.create(
        person=county, role=Role.COUNTY_SUPERVISOR, town=world.town, valid_from=timezone.localdate()
    )
    for persona in ("discipline", "outsider"):
        client.force_login(world.user(persona))
        for url in ("/", "/ledger/"):
            assert REGISTER_LINK not in client.get(url).content.decode(), (persona, url)
