"""The item lifecycle asks the policy of the item's kind: its table, who acts, its deadlines;
and the automation may resume an item and do nothing else."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from maque.core.statemachine import AUTOMATION
from maque.ledger import lifecycle
from maque.ledger.catalogue import campaign_for_kind
from maque.ledger.errors import NotPermitted
from maque.ledger.models import Item, Kind, State, Transition
from tests.conftest import make_item

pytestmark = pytest.mark.django_db


def test_it_refuses_to_file_a_petition_as_a_ledger_item(world, today):
    # A petition has its own register and limits (maque.petitions): never an item of 五个专项整治
    # with that campaign's 30-day deadline, nor of the standing petitions campaign.
    for campaign in (world.campaign, campaign_for_kind(town=world.town, kind=Kind.PETITION)):
        with pytest.raises(ValidationError) as refused:
            lifecycle.item_create(
                by=world.user("leader"),
                campaign=campaign,
                village=world.gaige,
                title="群众反映道路积水",
                kind=Kind.PETITION,
                owner=world.people["cadre_gaige"],
            )
        assert set(refused.value.message_dict) == {"kind"}
    assert not Item.objects.filter(kind=Kind.PETITION).exists()
    # The statutory numbers stay in the kind policy, which the petitions app reads.
    limits = lifecycle.policy_for(Kind.PETITION).deadlines
    assert (
        limits.acceptance_days,
        limits.handling_days,
        limits.max_extensions,
        limits.max_extension_days,
    ) == (15, 60, 1, 30)
    assert limits.handling_deadline(accepted_on=today) == today + timedelta(days=60)
    assert lifecycle.policy_for(Kind.ACTION).deadlines.handling_deadline(accepted_on=today) is None
    action = lifecycle.item_create(
        by=world.user("leader"),
        campaign=world.campaign,
        village=world.gaige,
        title="会议议定事项",
        kind=Kind.ACTION,
    )
    assert action.deadline == today + timedelta(days=30)


def test_it_extends_a_rectification_item_again_and_again(world):
    contact = world.user("contact_gaige")
    other = make_item(world)
    other = lifecycle.item_request_extension(
        item=other, by=contact, new_deadline=other.deadline + timedelta(days=40), reason="天气"
    )
    assert other.extension_count == 1
    assert "extend" in lifecycle.available_actions(contact, other)


def test_it_lets_the_automation_resume_and_nothing_else(world, today):
    item = make_item(world)
    for action in lifecycle.ACTION_SERVICES:
        if action != "resume":
            assert lifecycle.machine_for(item).refusal(AUTOMATION, item, action) in (
                "automatic",
                "state",
            )
    with pytest.raises(NotPermitted):
        lifecycle.item_start(item=item, by=AUTOMATION, via="tick")
    item = lifecycle.item_request_suspension(
        item=item,
        by=world.user("contact_gaige"),
        resume_on=today + timedelta(days=3),
        reason="等待农时",
    )
    assert item.state == State.SUSPENDED
    item = lifecycle.item_resume(
        item=item, by=AUTOMATION, note="到期恢复", via="tick", version=item.version
    )
    assert item.state == State.FOUND
    resumed = Transition.objects.get(item=item, action="resume")
    assert (resumed.actor_id, resumed.actor_user_id, resumed.via) == (None, None, "tick")
    assert item.history.first().history_user is None


def test_it_shows_the_automation_by_name_in_the_timeline(client, world, today):
    item = lifecycle.item_request_suspension(
        item=make_item(world),
        by=world.user("contact_gaige"),
        resume_on=today + timedelta(days=3),
        reason="等待农时",
    )
    lifecycle.item_resume(item=item, by=AUTOMATION, via="tick")
    client.force_login(world.user("cadre_gaige"))
    assert "麻雀系统（自动）" in client.get(f"/items/{item.pk}/").content.decode()
