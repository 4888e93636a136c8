"""A petition's own lifecycle (信访工作条例): limits in calendar days, one extension of at most
30 days, a review within 30 days of the reply, and a notice for each decision."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from maque.ledger.errors import ConflictError, NotPermitted
from maque.petitions import lifecycle, limits
from maque.petitions.models import NoticeKind, PetitionEvent, State
from maque.petitions.queries import is_overdue, petition_list
from tests.petitions.helpers import register

pytestmark = pytest.mark.django_db


def test_it_counts_every_limit_in_calendar_days(world):
    today = timezone.localdate()
    received = today - timedelta(days=100)
    petition = register(world, received_on=received)
    assert petition.state == State.REGISTERED
    assert petition.due_on == received + timedelta(days=15)
    principal = world.user("principal")
    petition = lifecycle.petition_accept(
        petition=petition, by=principal, on=received + timedelta(days=15), version=1
    )
    assert petition.state == State.ACCEPTED
    assert petition.due_on == received + timedelta(days=75)
    assert not is_overdue(petition, received + timedelta(days=75))
    assert is_overdue(petition, received + timedelta(days=76))
    petition = lifecycle.petition_extend(
        petition=petition,
        by=world.user("leader"),
        days=30,
        reason="涉及多个部门需联合调查",
        on=received + timedelta(days=75),
    )
    assert petition.due_on == received + timedelta(days=105)
    assert petition.extension_approved_by == world.people["leader"]
    with pytest.raises(ConflictError) as again:
        lifecycle.petition_extend(
            petition=petition, by=principal, days=5, reason="再延", on=received + timedelta(days=80)
        )
    assert again.value.code == "extended"
    petition = lifecycle.petition_reply(
        petition=petition, by=world.user("cadre_gaige"), reply="经调查核实，已重新确权。", on=today
    )
    assert petition.state == State.REPLIED and petition.due_on is None
    kinds = list(petition.notices.order_by("pk").values_list("kind", flat=True))
    assert kinds == [NoticeKind.ACCEPTANCE, NoticeKind.EXTENSION, NoticeKind.REPLY]
    assert list(
        PetitionEvent.objects.filter(petition=petition).values_list("action", flat=True)
    ) == [
        "register",
        "accept",
        "extend",
        "reply",
    ]


def test_it_refuses_a_second_or_a_late_or_a_long_extension(world):
    today = timezone.localdate()
    accepted_on = today - timedelta(days=61)
    petition = register(world, received_on=accepted_on - timedelta(days=3))
    petition = lifecycle.petition_accept(
        petition=petition, by=world.user("principal"), on=accepted_on
    )
    with pytest.raises(ValidationError) as long:
        lifecycle.petition_extend(
            petition=petition, by=world.user("principal"), days=31, reason="复杂"
        )
    assert set(long.value.message_dict) == {"days"}
    # Day 61 after acceptance: the limit has passed, an extension comes too late.
    with pytest.raises(ConflictError) as late:
        lifecycle.petition_extend(
            petition=petition, by=world.user("principal"), days=10, reason="复杂"
        )
    assert late.value.code == "extension_late"
    # On day 60 it was still in time.
    petition = lifecycle.petition_extend(
        petition=petition,
        by=world.user("principal"),
        days=10,
        reason="复杂",
        on=accepted_on + timedelta(days=60),
    )
    assert petition.extension_days == 10


def test_it_takes_a_review_request_within_thirty_days_of_the_reply(world):
    today = timezone.localdate()
    petition = register(world, received_on=today - timedelta(days=50))
    principal = world.user("principal")
    petition = lifecycle.petition_accept(
        petition=petition, by=principal, on=today - timedelta(days=45)
    )
    replied = today - timedelta(days=31)
    petition = lifecycle.petition_reply(petition=petition, by=principal, reply="答复", on=replied)
    with pytest.raises(ConflictError) as late:
        lifecycle.petition_request_review(petition=petition, by=principal)
    assert late.value.code == "review_window"
    petition = lifecycle.petition_request_review(
        petition=petition, by=principal, on=replied + timedelta(days=limits.REVIEW_DAYS)
    )
    assert petition.state == State.REVIEW_REQUESTED
    petition = lifecycle.petition_satisfaction(
        petition=petition, by=principal, satisfaction="dissatisfied"
    )
    assert petition.satisfaction == "dissatisfied"


def test_it_lets_only_the_handlers_decide_and_the_owner_reply(world):
    petition = register(world)
    for persona in ("cadre_gaige", "discipline", "secretary_gaige", "inspector", "leader_projects"):
        with pytest.raises(NotPermitted):
            lifecycle.petition_accept(petition=petition, by=world.user(persona))
    petition = lifecycle.petition_accept(petition=petition, by=world.user("leader"))
    # The handling owner may not approve their own extension; the leader in charge may.
    assert "extend" not in lifecycle.available_actions(world.user("cadre_gaige"), petition)
    assert "reply" in lifecycle.available_actions(world.user("cadre_gaige"), petition)
    with pytest.raises(ConflictError) as stale:
        lifecycle.petition_reply(
            petition=petition, by=world.user("cadre_gaige"), reply="答复", version=1
        )
    assert stale.value.code == "stale_version"


def test_it_refuses_bad_registrations_and_changes_nothing(world):
    today = timezone.localdate()
    with pytest.raises(ValidationError) as bad:
        register(
            world,
            channel="fax",
            received_on=today + timedelta(days=1),
            petitioner_name=" ",
            petitioner_id_number="12345",
            petitioner_phone="abc",
            matter="",
            household=None,
        )
    assert set(bad.value.message_dict) == {
        "channel",
        "received_on",
        "petitioner_name",
        "petitioner_id_number",
        "petitioner_phone",
        "matter",
    }
    with pytest.raises(NotPermitted):
        register(world, by="secretary_gaige")
    assert not petition_list(user=world.user("principal")).exists()


def test_it_refuses_a_decision_dated_before_receipt_or_in_the_future(world):
    today = timezone.localdate()
    petition = register(world, received_on=today - timedelta(days=3))
    for on in (today - timedelta(days=4), today + timedelta(days=1)):
        with pytest.raises(ValidationError) as bad:
            lifecycle.petition_accept(petition=petition, by=world.user("principal"), on=on)
        assert set(bad.value.message_dict) == {"on"}
    petition.refresh_from_db()
    assert petition.state == State.REGISTERED and petition.version == 1
