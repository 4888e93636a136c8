"""Each role's home starts with what waits for it, then the town's figures."""

from __future__ import annotations

from datetime import timedelta

from maque.accountability.services import accountability_suggest
from maque.ledger import lifecycle
from maque.supervision.services import round_open
from tests.conftest import drive_to_submitted, make_item


def home(client, world, persona):  # noqa: ANN001, ANN201
    client.force_login(world.user(persona))
    response = client.get("/")
    assert response.status_code == 200
    return response


def test_it_shows_the_discipline_commission_its_suggested_cases_first(client, world):  # noqa: ANN001
    for number in range(3):
        item = make_item(world, title=f"逾期事项{number}")
        accountability_suggest(
            town=world.town,
            rule="overdue",
            subject_person=world.people["cadre_gaige"],
            village=world.gaige,
            items=[item],
            key=f"overdue:{item.pk}",
            summary="逾期15天",
        )
    response = home(client, world, "discipline")
    assert response.context["waiting"].cases_count == 3
    page = response.content.decode()
    assert page.index('id="cases-waiting"') < page.index('id="town-title"')


def test_it_shows_the_principal_what_waits_for_his_verification_and_approval(client, world):  # noqa: ANN001
    submitted = drive_to_submitted(world, make_item(world, title="待验收的事项"))
    extended = lifecycle.item_start(
        item=make_item(world, title="申请延期的事项"), by=world.user("cadre_gaige")
    )
    extended = lifecycle.item_request_extension(
        item=extended,
        by=world.user("cadre_gaige"),
        new_deadline=extended.deadline + timedelta(days=30),
        reason="等雨季过后",
    )
    waiting = home(client, world, "principal").context["waiting"]
    assert submitted in waiting.verifications and extended in waiting.approvals
    # A cadre is not offered what he may not decide.
    cadre = home(client, world, "cadre_gaige").context["waiting"]
    assert not cadre.verifications and not cadre.approvals


def test_it_shows_the_inspector_the_samples_to_record(client, world):  # noqa: ANN001
    drive_to_submitted(world, make_item(world))
    opened = round_open(town=world.town, by=world.user("inspector"))
    waiting = home(client, world, "inspector").context["waiting"]
    assert [r.pk for r in waiting.rounds] == [opened.pk] and waiting.rounds[0].to_record >= 1
    assert not home(client, world, "cadre_gaige").context["waiting"].rounds
