"""Counts on the screens go through the scoped querysets, never through a bare reverse relation.

A leader in charge of one campaign sees that campaign's items only; the village page, the village
list and the home page's town table must count exactly those, not every item of the village.
"""

from __future__ import annotations

import pytest
from django.test import Client

from maque.ledger.models import Campaign, Item
from tests.conftest import World, make_item


@pytest.fixture
def two_campaigns(world: World) -> World:
    make_item(world)  # 五个专项整治, not the limited leader's
    projects = Campaign.objects.get(town=world.town, code="key-projects")
    make_item(
        world,
        campaign=projects,
        category=world.category("project-milestone"),
        title="村道硬化节点",
        attributes={"project": "村道硬化"},
    )
    return world


def _client(world: World, persona: str) -> Client:
    client = Client()
    client.force_login(world.user(persona))
    return client


def test_it_gives_the_limited_leader_only_their_campaigns_items(two_campaigns: World):
    world = two_campaigns
    seen = Item.objects.visible_to(world.user("leader_projects")).filter(village=world.gaige)
    assert list(seen.values_list("campaign__code", flat=True)) == ["key-projects"]
    assert Item.objects.filter(village=world.gaige).count() == 2


@pytest.mark.parametrize(
    "persona", ["leader_projects", "leader", "cadre_shuangsheng", "contact_gaige"]
)
def test_it_counts_on_the_village_page_what_the_scope_allows(two_campaigns: World, persona: str):
    world = two_campaigns
    user = world.user(persona)
    response = _client(world, persona).get(f"/villages/{world.gaige.pk}/")
    if persona == "cadre_shuangsheng":
        assert response.status_code == 404
        return
    assert response.status_code == 200
    scoped = Item.objects.visible_to(user).filter(village=world.gaige)
    assert response.context["counts"].total == scoped.count()
    assert response.context["counts"].open == scoped.count()


def test_it_counts_on_the_village_list_what_the_scope_allows(two_campaigns: World):
    world = two_campaigns
    response = _client(world, "leader_projects").get("/villages/")
    counts = {village.pk: village.open for village in response.context["villages"]}
    assert counts[world.gaige.pk] == 1
    assert counts[world.shuangsheng.pk] == 0


def test_it_counts_in_the_home_town_table_what_the_scope_allows(two_campaigns: World):
    world = two_campaigns
    response = _client(world, "leader_projects").get("/")
    rows = {village.pk: village for village in response.context["town"]["villages"]}
    assert rows[world.gaige.pk].total == 1
    assert response.context["town"]["totals"]["total"] == 1
