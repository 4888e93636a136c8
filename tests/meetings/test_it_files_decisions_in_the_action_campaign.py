"""A meeting decision's item goes to the decision's campaign, else to the town's standing
campaign of meeting decisions — never to whichever campaign happens to be first and active."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from maque.bulletins.services import _title
from maque.ledger.catalogue import campaign_for_kind
from maque.ledger.models import Campaign, Item, Kind
from maque.meetings.models import MeetingKind
from maque.meetings.services import DecisionIn, meeting_create

pytestmark = pytest.mark.django_db


def meet(world, *decisions):  # noqa: ANN001, ANN201
    return meeting_create(
        by=world.user("contact_gaige"),
        town=world.town,
        kind=MeetingKind.PROGRESS,
        title="推进会",
        held_on=timezone.localdate(),
        place="村委会",
        villages=[world.gaige],
        attendees=[],
        attendee_count=5,
        minutes="",
        decisions=list(decisions),
    )


def test_it_files_a_decision_without_campaign_in_the_towns_action_campaign(world):
    first = Campaign.objects.filter(town=world.town, active=True).order_by("order", "pk").first()
    Campaign.objects.filter(pk=first.pk).update(order=0)  # another campaign is first and active
    title_before = _title(world.town, timezone.localdate())
    deadline = timezone.localdate() + timedelta(days=7)
    meeting = meet(
        world,
        DecisionIn(text="清理沟渠", owner=world.people["cadre_gaige"], deadline=deadline),
        DecisionIn(
            text="整治大棚",
            owner=world.people["cadre_gaige"],
            deadline=deadline,
            campaign=world.campaign,
        ),
    )
    plain, named = (Item.objects.get(pk=d.item_id) for d in meeting.decisions.order_by("order"))
    standing = Campaign.objects.get(town=world.town, code="meeting-actions")
    assert (plain.campaign, plain.kind) == (standing, Kind.ACTION)
    assert standing.name == "会议决议事项" and standing.pk != first.pk
    assert named.campaign == world.campaign
    # Created once per town; the bulletin's title does not name it.
    assert campaign_for_kind(town=world.town, kind=Kind.ACTION) == standing
    assert Campaign.objects.filter(town=world.town, code="meeting-actions").count() == 1
    assert _title(world.town, timezone.localdate()) == title_before


def test_it_keeps_a_single_campaign_towns_bulletin_title(world):
    Campaign.objects.filter(town=world.town).exclude(pk=world.campaign.pk).update(active=False)
    before = _title(world.town, timezone.localdate())
    campaign_for_kind(town=world.town, kind=Kind.ACTION)
    campaign_for_kind(town=world.town, kind=Kind.PETITION)
    assert _title(world.town, timezone.localdate()) == before
    assert world.campaign.name in before
