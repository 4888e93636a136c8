"""Approvals are offered, and allowed, only while a request waits; one refusal decides both."""

from __future__ import annotations

from datetime import timedelta

import pytest

from maque.ledger import lifecycle
from maque.ledger.errors import ConflictError
from maque.ledger.models import Item

from ..conftest import make_item

DECISIONS = {"approve_extension", "reject_extension", "approve_suspension", "reject_suspension"}


def test_it_offers_no_decision_on_a_new_item(world):
    item = make_item(world)
    offered = lifecycle.available_actions(world.user("principal"), item)
    assert not DECISIONS & set(offered)
    assert offered == ["start", "cancel", "suspend", "extend"]


@pytest.mark.parametrize("action", sorted(DECISIONS))
def test_it_refuses_a_decision_when_nothing_waits(world, action):  # noqa: ANN001
    item = make_item(world)
    arguments = {"reason": "不同意"} if action.startswith("reject") else {}
    with pytest.raises(ConflictError) as refused:
        lifecycle.ACTION_SERVICES[action](item=item, by=world.user("principal"), **arguments)
    assert refused.value.code == "no_pending_request"
    assert Item.objects.get(pk=item.pk).version == item.version


def test_it_offers_the_decisions_of_a_waiting_request_and_no_second_request(world):
    item = make_item(world)
    lifecycle.item_request_extension(
        item=item,
        by=world.user("cadre_gaige"),
        new_deadline=item.deadline + timedelta(days=10),
        reason="雨季",
    )
    item = Item.objects.get(pk=item.pk)
    offered = lifecycle.available_actions(world.user("principal"), item)
    assert {"approve_extension", "reject_extension"} <= set(offered)
    assert not {"approve_suspension", "reject_suspension", "extend"} & set(offered)
    # The owner may not ask twice, and the screen does not offer it.
    assert "extend" not in lifecycle.available_actions(world.user("cadre_gaige"), item)
    lifecycle.item_approve_extension(item=item, by=world.user("principal"))
    item = Item.objects.get(pk=item.pk)
    assert not DECISIONS & set(lifecycle.available_actions(world.user("principal"), item))


def test_it_reads_the_pending_requests_of_a_list_in_one_query(world, django_assert_max_num_queries):  # noqa: ANN001
    items = [make_item(world, title=f"事项{n}") for n in range(6)]
    for item in items[:3]:
        lifecycle.item_request_suspension(
            item=item,
            by=world.user("cadre_gaige"),
            resume_on=item.found_on + timedelta(days=60),
            reason="等季节",
        )
    fresh = list(Item.objects.filter(pk__in=[item.pk for item in items]).order_by("pk"))
    lifecycle.available_actions_each(world.user("principal"), fresh[:1])  # the actor, cached
    fresh = list(Item.objects.filter(pk__in=[item.pk for item in items]).order_by("pk"))
    with django_assert_max_num_queries(1):
        offered = lifecycle.available_actions_each(world.user("principal"), fresh)
    assert ["approve_suspension" in actions for actions in offered] == [True] * 3 + [False] * 3
