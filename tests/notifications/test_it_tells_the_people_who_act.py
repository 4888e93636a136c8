"""Item events tell the people who must act or were acted upon, once, after the action commits."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from maque.ledger import lifecycle
from maque.ledger.errors import NotPermitted
from maque.ledger.lifecycle.announce import ItemEvent
from maque.ledger.models import Item
from maque.meetings.models import MeetingKind
from maque.meetings.services import DecisionIn, meeting_create
from maque.notifications.items import notify_item_event
from maque.notifications.models import Channel, Delivery, Notification

from ..conftest import add_evidence, drive_to_submitted, make_item


def told(kind: str) -> set[str]:
    return set(Notification.objects.filter(kind=kind).values_list("user__username", flat=True))


@pytest.fixture
def commits(django_capture_on_commit_callbacks):  # noqa: ANN001, ANN201
    """Run the callbacks an action leaves for after its commit (the test's transaction never commits)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_it_tells_the_verifiers_of_a_submission_and_the_owner_of_the_verdict(world, commits):  # noqa: ANN001
    item = lifecycle.item_start(item=make_item(world), by=world.user("cadre_gaige"))
    add_evidence(world, item)
    with commits():
        item = lifecycle.item_submit(item=item, by=world.user("cadre_gaige"), note="已复耕")
    # The village's contact leader and the campaign's leader in charge; not the submitter, and
    # not the town-wide roles while someone nearer may verify; not a leader of another campaign.
    assert told("item.submit") == {"contact_gaige", "leader"}
    submitted = Notification.objects.get(kind="item.submit", user=world.user("contact_gaige"))
    assert (
        item.code in submitted.title
        and submitted.link == f"/items/{item.pk}/"
        and "已复耕" in submitted.body
    )

    with commits():
        item = lifecycle.item_return(
            item=item, by=world.user("contact_gaige"), reason="复耕面积不足"
        )
    assert told("item.return") == {"cadre_gaige"}
    assert "复耕面积不足" in Notification.objects.get(kind="item.return").body

    add_evidence(world, item)
    with commits():
        item = lifecycle.item_submit(item=item, by=world.user("cadre_gaige"))
        item = lifecycle.item_verify(
            item=item, by=world.user("contact_gaige"), note="现场核查已复耕"
        )
    assert told("item.verify") == {"cadre_gaige"}
    # Each submission is its own event: two, each told once.
    assert (
        Notification.objects.filter(kind="item.submit", user=world.user("contact_gaige")).count()
        == 2
    )


def test_it_tells_the_approvers_of_a_request_and_the_requester_of_the_decision(world, commits):  # noqa: ANN001
    item = make_item(world)
    with commits():
        lifecycle.item_request_extension(
            item=item,
            by=world.user("cadre_gaige"),
            new_deadline=item.deadline + timedelta(days=9),
            reason="雨季",
        )
    assert told("item.extend") == {"contact_gaige", "leader"}
    with commits():
        lifecycle.item_reject_extension(
            item=Item.objects.get(pk=item.pk), by=world.user("contact_gaige"), reason="时间够"
        )
    assert told("item.reject_extension") == {"cadre_gaige"}
    assert "时间够" in Notification.objects.get(kind="item.reject_extension").body

    with commits():
        lifecycle.item_request_suspension(
            item=Item.objects.get(pk=item.pk),
            by=world.user("cadre_gaige"),
            resume_on=timezone.localdate() + timedelta(days=40),
            reason="等季节",
        )
        lifecycle.item_approve_suspension(
            item=Item.objects.get(pk=item.pk), by=world.user("leader")
        )
    assert told("item.suspend") == {"contact_gaige", "leader"}
    assert told("item.approve_suspension") == {"cadre_gaige"}


def test_it_tells_the_new_owner_of_an_assignment_and_of_a_meeting_decision(world, commits):  # noqa: ANN001
    item = make_item(world)
    with commits():
        lifecycle.item_update(
            item=item,
            by=world.user("contact_gaige"),
            changes={"owner": world.people["secretary_gaige"]},
        )
    assert told("item.assigned") == {"secretary_gaige"}

    with commits():
        meeting_create(
            by=world.user("contact_gaige"),
            town=world.town,
            kind=MeetingKind.PROGRESS,
            title="改革村推进会",
            held_on=timezone.localdate(),
            villages=[world.gaige],
            attendees=[world.people["cadre_gaige"]],
            minutes="逐户分析撂荒原因。",
            decisions=[
                DecisionIn(
                    text="三组撂荒地月底前翻耕",
                    owner=world.people["cadre_gaige"],
                    deadline=timezone.localdate() + timedelta(days=10),
                )
            ],
        )
    assert told("item.assigned") == {"secretary_gaige", "cadre_gaige"}
    assert (
        "三组撂荒地月底前翻耕"
        in Notification.objects.get(kind="item.assigned", user=world.user("cadre_gaige")).title
    )


def test_it_tells_nobody_of_a_refused_or_rolled_back_action_and_each_event_once(world, commits):  # noqa: ANN001
    item = drive_to_submitted(world, make_item(world))
    with commits(), pytest.raises(NotPermitted):
        lifecycle.item_verify(item=item, by=world.user("cadre_gaige"), note="自己验收")
    with commits():
        with pytest.raises(RuntimeError), transaction.atomic():
            lifecycle.item_return(item=item, by=world.user("contact_gaige"), reason="不到位")
            raise RuntimeError("rolled back")
    assert not Notification.objects.filter(kind__startswith="item.").exists()

    Channel.objects.create(town=world.town, name="邮件", kind=Channel.Kind.EMAIL)
    world.user("cadre_gaige").email = "cadre@example.org"
    world.user("cadre_gaige").save()
    with commits():
        item = lifecycle.item_return(
            item=Item.objects.get(pk=item.pk), by=world.user("contact_gaige"), reason="不到位"
        )
    assert told("item.return") == {"cadre_gaige"}
    assert (
        Delivery.objects.filter(
            notification__kind="item.return", address="cadre@example.org"
        ).count()
        == 1
    )
    # A retry of the same event (same version) tells nobody again.
    again = notify_item_event(
        ItemEvent(
            item_id=item.pk,
            event="return",
            version=item.version,
            actor=world.people["contact_gaige"],
        )
    )
    assert again == 0 and Notification.objects.filter(kind="item.return").count() == 1
