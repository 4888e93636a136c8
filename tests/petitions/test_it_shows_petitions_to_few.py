"""Who learns a petition exists, and who reads the petitioner's personal data (design §6)."""

from __future__ import annotations

import io

import pytest
from docx import Document

from maque.api.services import token_issue
from maque.ledger.catalogue import campaign_for_kind
from maque.ledger.models import Kind
from maque.organisation.models import Person, Role, RoleAssignment
from maque.petitions.models import Petition
from tests.petitions.helpers import ID_NUMBER, NAME, PHONE, register

pytestmark = pytest.mark.django_db

READERS = {"principal", "leader", "discipline", "cadre_gaige"}
EVERYONE = (
    "principal",
    "leader",
    "leader_projects",
    "inspector",
    "discipline",
    "contact_gaige",
    "cadre_gaige",
    "secretary_gaige",
    "cadre_shuangsheng",
    "contact_shuangsheng",
    "outsider",
)


def api(client, world, persona):  # noqa: ANN001, ANN201
    token = token_issue(request=None, username=persona, password="pw-" + persona).token
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client


def test_it_shows_a_petition_to_the_handlers_the_owner_and_discipline_only(world):
    petition = register(world)
    for persona in EVERYONE:
        sees = Petition.objects.visible_to(world.user(persona)).filter(pk=petition.pk).exists()
        assert sees is (persona in READERS), persona


def test_it_counts_a_leader_of_the_petitions_campaign_and_no_other(world):
    petition = register(world)
    petitions = campaign_for_kind(town=world.town, kind=Kind.PETITION)
    person = world.people["leader_projects"]
    assert not Petition.objects.visible_to(world.user("leader_projects")).exists()
    RoleAssignment.objects.create(
        person=person,
        role=Role.LEADER,
        town=world.town,
        campaign=petitions,
        valid_from=petition.received_on,
    )
    user = type(world.user("leader_projects")).objects.get(pk=world.user("leader_projects").pk)
    assert Petition.objects.visible_to(user).filter(pk=petition.pk).exists()


def test_it_masks_personal_data_in_lists_and_shows_it_on_the_page_to_readers(client, world):
    petition = register(world)
    for persona in READERS:
        caller = api(client, world, persona)
        listed = caller.get("/api/v1/petitions").json()
        (row,) = listed["items"]
        assert row["petitioner"] == {
            "name": "王**",
            "phone": "139****5678",
            "id_number": "610924********1234",
        }
        assert PHONE not in caller.get("/api/v1/petitions").content.decode()
        detail = caller.get(f"/api/v1/petitions/{petition.code}").json()
        assert detail["petitioner"] == {"name": NAME, "phone": PHONE, "id_number": ID_NUMBER}
        assert detail["personal_data_shown"] is True and detail["days_are"] == "calendar"
    for persona in set(EVERYONE) - READERS:
        caller = api(client, world, persona)
        assert caller.get(f"/api/v1/petitions/{petition.code}").status_code == 404
        body = caller.get("/api/v1/petitions")
        assert body.status_code == 404 or body.json()["items"] == []
        assert NAME not in body.content.decode()


def test_it_registers_acts_and_serves_the_notice_through_the_api(client, world):
    caller = api(client, world, "principal")
    created = caller.post(
        "/api/v1/petitions",
        {
            "channel": "hotline",
            "received_on": "2026-01-05",
            "petitioner_name": "李桂兰",
            "petitioner_phone": "13700001111",
            "matter": "反映产业奖补资金未到户",
            "village": world.shuangsheng.pk,
            "owner": world.people["cadre_shuangsheng"].pk,
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    code = created.json()["code"]
    assert created.json()["acceptance_due"] == "2026-01-20"
    unknown = caller.post(
        f"/api/v1/petitions/{code}/actions/approve", {}, content_type="application/json"
    )
    assert unknown.status_code == 404 and unknown.json()["code"] == "unknown_action"
    missing = caller.post(
        f"/api/v1/petitions/{code}/actions/reject", {}, content_type="application/json"
    )
    assert missing.status_code == 422 and "reason" in missing.json()["errors"]
    extra = caller.post(
        f"/api/v1/petitions/{code}/actions/accept", {"days": 3}, content_type="application/json"
    )
    assert extra.status_code == 422 and "days" in extra.json()["errors"]
    accepted = caller.post(
        f"/api/v1/petitions/{code}/actions/accept",
        {"on": "2026-01-19", "version": 1},
        content_type="application/json",
    )
    assert accepted.status_code == 200, accepted.content
    body = accepted.json()
    assert body["state"] == "accepted" and body["handling_due"] == "2026-03-20"
    (notice,) = body["notices"]
    assert notice["code"] == "蒿坪信受字〔2026〕1号"
    stale = caller.post(
        f"/api/v1/petitions/{code}/actions/extend",
        {"days": 10, "reason": "复杂", "version": 1},
        content_type="application/json",
    )
    assert stale.status_code == 409 and stale.json()["current_version"] == 2
    response = caller.get(f"/api/v1/petitions/{code}/notices/{notice['id']}/docx")
    assert response.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    assert "蒿坪信受字〔2026〕1号" in text and "李桂兰：" in text and "自然日" in text
    # Another persona who may not read the petition gets no notice either.
    other = api(client, world, "secretary_gaige")
    assert other.get(f"/api/v1/petitions/{code}/notices/{notice['id']}/docx").status_code == 404
    assert Person.objects.filter(pk=world.people["cadre_shuangsheng"].pk).exists()
