"""Scoping in one place (design §6): what each persona may read through `visible_to`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser

from maque.ledger import lifecycle
from maque.ledger.catalogue import catalogue_install
from maque.ledger.models import Attachment, Campaign, Item
from maque.ledger.queries import item_list
from maque.organisation.access import actor_for
from maque.organisation.models import Person, Plot, Role, RoleAssignment, Town, Village
from tests.conftest import World, add_evidence, make_item

User = get_user_model()


@dataclass
class Scene:
    world: World
    items: dict[str, Item]
    attachments: dict[str, Attachment]
    other_town: Town
    other_village: Village
    other_person: Person


def person_with(
    world: World,
    username: str,
    *roles: tuple[str, Village | None, Campaign | None, date, date | None],
):  # noqa: ANN201
    user = User.objects.create_user(username=username, password="pw")
    person = Person.objects.create(town=world.town, name=username, user=user)
    for role, village, campaign, valid_from, valid_to in roles:
        RoleAssignment.objects.create(
            person=person,
            role=role,
            town=world.town,
            village=village,
            campaign=campaign,
            valid_from=valid_from,
            valid_to=valid_to,
        )
    return user


@pytest.fixture
def scene(world: World) -> Scene:
    """Items in both villages, one a 改革村 cadre owns in 双胜村, one in a key project, and a second town."""
    key_projects = Campaign.objects.get(town=world.town, code="key-projects")
    items = {
        "gaige": make_item(world),
        "shuangsheng": make_item(world, village=world.shuangsheng, persona="cadre_shuangsheng"),
        # Registered by the principal for a 改革村 cadre, but in 双胜村.
        "owned_elsewhere": make_item(
            world, village=world.shuangsheng, persona="principal", owner=world.people["cadre_gaige"]
        ),
        "project": make_item(
            world,
            campaign=key_projects,
            category=world.category("project-milestone"),
            attributes={"project": "荷塘园区"},
            persona="leader",
        ),
    }
    attachments = {
        "gaige": add_evidence(world, items["gaige"]),
        "shuangsheng": add_evidence(world, items["shuangsheng"], "cadre_shuangsheng"),
    }
    other_town = Town.objects.create(name="洞河镇", short_name="洞河", code="dh")
    other_village = Village.objects.create(town=other_town, name="洞河村")
    catalogue_install(town=other_town)
    Plot.objects.create(town=other_town, village=other_village, code="DH-001", area_mu="1.00")
    other_user = User.objects.create_user(username="dh-principal", password="pw")
    other_person = Person.objects.create(town=other_town, name="洞河镇长", user=other_user)
    RoleAssignment.objects.create(
        person=other_person, role=Role.PRINCIPAL, town=other_town, valid_from=date(2020, 1, 1)
    )
    other_campaign = Campaign.objects.get(town=other_town, code="five-rectifications")
    items["other_town"] = lifecycle.item_create(
        by=other_user,
        campaign=other_campaign,
        village=other_village,
        title="洞河撂荒地",
        category=other_campaign.categories.get(code="farmland-outflow"),
        attributes={"plot": "DH-001", "area_mu": "1", "current_use": "撂荒", "target_use": "复耕"},
    )
    return Scene(world, items, attachments, other_town, other_village, other_person)


def user_of(scene: Scene, persona: str):  # noqa: ANN201
    return AnonymousUser() if persona == "anonymous" else scene.world.user(persona)


TOWN = {"gaige", "shuangsheng", "owned_elsewhere", "project"}
VISIBLE_ITEMS = {
    "principal": TOWN,
    "leader": TOWN,
    "inspector": TOWN,
    "discipline": TOWN,
    "contact_gaige": {"gaige", "project"},
    "secretary_gaige": {"gaige", "project"},
    # A cadre reads the village's items and always their own, wherever they are.
    "cadre_gaige": {"gaige", "project", "owned_elsewhere"},
    "cadre_shuangsheng": {"shuangsheng", "owned_elsewhere"},
    "contact_shuangsheng": {"shuangsheng", "owned_elsewhere"},
    "outsider": set(),
    "anonymous": set(),
}
VISIBLE_VILLAGES = {
    "principal": {"改革村", "双胜村"},
    "leader": {"改革村", "双胜村"},
    "inspector": {"改革村", "双胜村"},
    "discipline": {"改革村", "双胜村"},
    "contact_gaige": {"改革村"},
    "secretary_gaige": {"改革村"},
    "cadre_gaige": {"改革村"},
    "cadre_shuangsheng": {"双胜村"},
    "contact_shuangsheng": {"双胜村"},
    "outsider": set(),
    "anonymous": set(),
}


def names(items: dict[str, Item], queryset) -> set[str]:  # noqa: ANN001
    by_pk = {item.pk: name for name, item in items.items()}
    return {by_pk[pk] for pk in queryset.values_list("pk", flat=True)}


@pytest.mark.parametrize("persona", sorted(VISIBLE_ITEMS))
def test_it_shows_each_persona_exactly_its_items_villages_people_and_attachments(scene, persona):
    user = user_of(scene, persona)
    assert names(scene.items, Item.objects.visible_to(user)) == VISIBLE_ITEMS[persona]
    assert names(scene.items, item_list(user=user)) == VISIBLE_ITEMS[persona]
    assert (
        set(Village.objects.visible_to(user).values_list("name", flat=True))
        == VISIBLE_VILLAGES[persona]
    )
    visible_attachments = set(Attachment.objects.visible_to(user).values_list("pk", flat=True))
    assert visible_attachments == {
        attachment.pk
        for name, attachment in scene.attachments.items()
        if name in VISIBLE_ITEMS[persona]
    }
    people = set(Person.objects.visible_to(user).values_list("pk", flat=True))
    if persona in ("outsider", "anonymous"):
        assert people == set()
        assert not Town.objects.visible_to(user).exists()
    else:
        # Names of the town's staff are needed to pick owners; never another town's.
        assert people == set(
            Person.objects.filter(town=scene.world.town).values_list("pk", flat=True)
        )
        assert list(Town.objects.visible_to(user)) == [scene.world.town]


def test_it_keeps_towns_apart(scene):
    other = scene.other_person.user
    assert names(scene.items, Item.objects.visible_to(other)) == {"other_town"}
    assert set(Village.objects.visible_to(other)) == {scene.other_village}
    assert set(Person.objects.visible_to(other)) == {scene.other_person}
    assert not Attachment.objects.visible_to(other).exists()


def test_it_lets_a_cadre_not_reach_another_village_through_filters(scene):
    user = scene.world.user("cadre_shuangsheng")
    assert item_list(user=user, village=scene.world.gaige.pk).count() == 0
    assert item_list(user=user, village="改革村").count() == 0
    assert item_list(user=user, q=scene.items["gaige"].code).count() == 0
    assert not Item.objects.visible_to(user).filter(pk=scene.items["gaige"].pk).exists()


def test_it_grants_nothing_for_a_role_that_ended_yesterday(scene, today):
    yesterday = today - timedelta(days=1)
    world = scene.world
    user = person_with(
        world,
        "former-cadre",
        (Role.CADRE, world.gaige, None, date(2020, 1, 1), yesterday),
        (Role.PRINCIPAL, None, None, date(2020, 1, 1), yesterday),
    )
    assert not Item.objects.visible_to(user).exists()
    assert not Village.objects.visible_to(user).exists()
    assert not Person.objects.visible_to(user).exists()
    # Yesterday the same roles covered the whole town.
    assert actor_for(user, day=yesterday).roles_over(
        town_id=world.town.pk, village_id=world.gaige.pk
    ) == {
        Role.CADRE,
        Role.PRINCIPAL,
    }


def test_it_grants_nothing_to_a_role_starting_tomorrow_or_a_deactivated_person(scene, today):
    world = scene.world
    future = person_with(
        world, "future-principal", (Role.PRINCIPAL, None, None, today + timedelta(days=1), None)
    )
    assert not Item.objects.visible_to(future).exists()
    Person.objects.filter(user=world.user("principal")).update(active=False)
    fresh_principal = User.objects.get(username="principal")  # not the cached actor
    assert not Item.objects.visible_to(fresh_principal).exists()
    assert not Village.objects.visible_to(fresh_principal).exists()


def test_it_limits_a_leader_to_the_assigned_campaigns(scene):
    world = scene.world
    key_projects = Campaign.objects.get(town=world.town, code="key-projects")
    user = person_with(
        world, "projects-leader", (Role.LEADER, None, key_projects, date(2020, 1, 1), None)
    )
    assert names(scene.items, Item.objects.visible_to(user)) == {"project"}


def test_it_lets_an_unrestricted_assignment_win_over_a_campaign_one(scene):
    """A leader of everything who also holds an older, campaign-limited assignment sees everything."""
    world = scene.world
    key_projects = Campaign.objects.get(town=world.town, code="key-projects")
    user = person_with(
        world,
        "double-leader",
        (Role.LEADER, None, key_projects, date(2020, 1, 1), None),
        (Role.LEADER, None, None, date(2024, 1, 1), None),
    )
    assert names(scene.items, Item.objects.visible_to(user)) == TOWN


def test_it_shows_a_superuser_everything(scene):
    admin = User.objects.create_superuser(username="root", password="pw")
    assert names(scene.items, Item.objects.visible_to(admin)) == TOWN | {"other_town"}
    assert Village.objects.visible_to(admin).count() == Village.objects.count()
