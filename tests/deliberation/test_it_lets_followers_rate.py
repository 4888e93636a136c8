"""A merged topic's followers (proposers of topics merged into another) look up with their own
receipt, see the answer of the surviving topic and give their own satisfaction: kept per
follower, never over the main proposer's (issue 12)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from maque.deliberation import lifecycle
from maque.deliberation.models import Topic, TopicState, TopicTransition
from maque.deliberation.tick import complete_finished_topics
from tests.api.conftest import assert_error
from tests.conftest import World
from tests.deliberation.helpers import (
    accept_quick,
    close_item,
    propose_public,
    topic_items,
)

pytestmark = pytest.mark.django_db


def rate(client: Client, receipt: str, **body: object):  # noqa: ANN201
    return client.post(
        f"/api/v1/public/receipts/{receipt}/satisfaction", body, content_type="application/json"
    )


def merged_pair(world: World) -> tuple[Topic, str, Topic, str]:
    main, main_receipt = propose_public(world, title="村口水渠堵了", proposer_name="赵春花")
    follower, follower_receipt = propose_public(world, title="水渠又堵了", proposer_name="钱二")
    lifecycle.topic_merge(topic=follower, by=world.user("secretary_gaige"), into=main)
    return main, main_receipt, Topic.objects.get(pk=follower.pk), follower_receipt


def answer(world: World, topic: Topic) -> Topic:
    topic = accept_quick(world, topic)
    close_item(world, topic_items(topic)[0])
    complete_finished_topics(now=timezone.now())
    return lifecycle.topic_answer(
        topic=Topic.objects.get(pk=topic.pk), by=world.user("secretary_gaige"), answer="水渠已疏通"
    )


def test_a_follower_rates_the_survivors_answer_on_their_own_topic(world: World):
    client = Client()
    main, main_receipt, follower, receipt = merged_pair(world)
    seen = client.get(f"/api/v1/public/receipts/{receipt}").json()
    assert seen["followed"]["code"] == main.code and seen["may_rate"] is False
    early = rate(client, receipt, satisfaction="satisfied")
    assert_error(early, 409)
    assert early.json()["code"] == "not_answered"
    follower.refresh_from_db()
    assert follower.satisfaction == "" and not follower.transitions.filter(action="follow_rate")

    answer(world, main)
    seen = client.get(f"/api/v1/public/receipts/{receipt}").json()
    assert seen["followed"]["answer"] == "水渠已疏通" and seen["may_rate"] is True
    assert seen["may_reopen"] is False
    rated = rate(client, receipt, satisfaction="fairly", note="还行", reopen=True)
    assert rated.status_code == 200, rated.content
    assert rated.json()["satisfaction"] == "fairly" and rated.json()["may_rate"] is False
    follower.refresh_from_db()
    main.refresh_from_db()
    assert (follower.state, follower.satisfaction, follower.satisfaction_note) == (
        TopicState.MERGED,
        "fairly",
        "还行",
    )
    # The main proposer's satisfaction is still theirs to give, and a follower reopens nothing.
    assert main.state == TopicState.ANSWERED and main.satisfaction == ""
    step = TopicTransition.objects.get(topic=follower, action="follow_rate")
    assert step.from_state == step.to_state == TopicState.MERGED and main.code in step.reason
    assert seen["steps"][-1]["action"] == "merge"

    main_rated = rate(client, main_receipt, satisfaction="dissatisfied", note="只通了一半")
    assert main_rated.status_code == 200, main_rated.content
    main.refresh_from_db()
    follower.refresh_from_db()
    assert main.satisfaction == "dissatisfied" and follower.satisfaction == "fairly"
    assert_error(rate(client, receipt, satisfaction="satisfied"), 409)
    follower.refresh_from_db()
    assert follower.satisfaction == "fairly"


def test_a_follower_may_not_rate_with_another_receipt(world: World):
    client = Client()
    main, _main_receipt, follower, receipt = merged_pair(world)
    answer(world, main)
    other, other_receipt = propose_public(world, title="别的事")
    forged = f"{follower.code}-{other_receipt.rsplit('-', 1)[1]}"
    assert client.get(f"/api/v1/public/receipts/{forged}").status_code == 404
    assert rate(client, forged, satisfaction="satisfied").status_code == 404
    follower.refresh_from_db()
    assert follower.satisfaction == ""


def test_the_public_page_takes_a_followers_satisfaction(world: World):
    client = Client()
    main, _main_receipt, follower, receipt = merged_pair(world)
    answer(world, main)
    page = client.get("/p/receipt/", {"receipt": receipt}).content.decode()
    assert "水渠已疏通" in page and 'name="satisfaction"' in page
    assert 'name="reopen"' not in page
    response = client.post(
        "/p/receipt/satisfaction/", {"receipt": receipt, "satisfaction": "satisfied", "note": ""}
    )
    assert response.status_code == 200
    follower.refresh_from_db()
    main.refresh_from_db()
    assert follower.satisfaction == "satisfied" and main.satisfaction == ""
    assert (
        'name="satisfaction"'
        not in client.get("/p/receipt/", {"receipt": receipt}).content.decode()
    )
    # The secretary sees each follower's satisfaction on the surviving topic's page.
    staff = Client()
    staff.force_login(world.user("secretary_gaige"))
    survivor_page = staff.get(f"/topics/{main.code}/").content.decode()
    assert follower.code in survivor_page and "其提议人评价：满意" in survivor_page
