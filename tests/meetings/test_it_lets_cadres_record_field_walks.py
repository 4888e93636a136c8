"""Cadres and secretaries record the field walks (走看调研) and village meetings they run, in their
own villages; the town's meetings stay with the town's organisers (design §6)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from maque.ledger.errors import NotPermitted
from maque.meetings.models import MeetingKind
from maque.meetings.policies import may_organise
from maque.meetings.services import meeting_create
from maque.organisation.access import actor_for

MAY_RECORD_A_GAIGE_FIELD_WALK = {
    "principal": True,
    "leader": True,
    "inspector": True,
    "contact_gaige": True,
    "secretary_gaige": True,
    "cadre_gaige": True,
    "discipline": False,
    "leader_projects": True,
    "cadre_shuangsheng": False,
    "contact_shuangsheng": False,
    "outsider": False,
}


def _record(world, persona, kind, village=None):
    return meeting_create(
        by=world.user(persona),
        town=world.town,
        kind=kind,
        title="走看调研",
        held_on=timezone.localdate(),
        villages=[village or world.gaige],
        attendee_count=3,
    )


@pytest.mark.parametrize("persona", sorted(MAY_RECORD_A_GAIGE_FIELD_WALK))
def test_who_records_a_field_walk_of_gaige(world, persona):
    allowed = MAY_RECORD_A_GAIGE_FIELD_WALK[persona]
    actor = actor_for(world.user(persona))
    assert (
        may_organise(
            actor, town_id=world.town.pk, village_ids=[world.gaige.pk], kind=MeetingKind.FIELD_WALK
        )
        == allowed
    )
    if allowed:
        assert _record(world, persona, MeetingKind.FIELD_WALK).pk
    else:
        with pytest.raises(NotPermitted):
            _record(world, persona, MeetingKind.FIELD_WALK)


def test_a_cadre_records_village_meetings_but_not_the_towns(world):
    for kind in (MeetingKind.REPRESENTATIVES, MeetingKind.FOUR_TEAMS_FORUM):
        assert _record(world, "cadre_gaige", kind).kind == kind
    with pytest.raises(NotPermitted) as error:
        _record(world, "cadre_gaige", MeetingKind.JOINT)
    assert "村支部书记" in error.value.message or "联村领导" in error.value.message
    with pytest.raises(NotPermitted):
        _record(world, "cadre_gaige", MeetingKind.FIELD_WALK, village=world.shuangsheng)


def test_a_cadre_records_a_field_walk_through_the_api(world, client):
    client.force_login(world.user("cadre_gaige"))
    response = client.post(
        "/api/v1/meetings",
        {
            "kind": "field_walk",
            "title": "三组撂荒地走看",
            "held_on": timezone.localdate().isoformat(),
            "villages": [world.gaige.pk],
            "attendee_count": 2,
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    meeting = response.json()["id"]
    recorded = client.post(
        f"/api/v1/meetings/{meeting}/record",
        {"minutes": "走看三组撂荒地。", "reason": "补记"},
        content_type="application/json",
    )
    assert recorded.status_code == 200, recorded.content
