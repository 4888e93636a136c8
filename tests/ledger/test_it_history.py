"""History (issue 2, item 7): every change is kept with its author; nothing is hard-deleted."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import RequestFactory

from maque.ledger import lifecycle
from maque.ledger.catalogue import catalogue_install
from maque.ledger.models import Category, CategoryField, Item
from maque.organisation.models import Person, RoleAssignment
from tests.conftest import drive_to_closed, make_item


def test_it_keeps_every_change_of_an_item_with_its_author(world):
    item = make_item(world)
    item = lifecycle.item_update(
        item=item, by=world.user("cadre_gaige"), changes={"title": "三组撂荒地 12 亩复耕"}
    )
    item = drive_to_closed(world, item)
    records = list(Item.history.filter(id=item.pk).order_by("history_date", "history_id"))
    assert [(r.history_type, r.state, r.version) for r in records] == [
        ("+", "found", 1),
        ("~", "found", 2),
        ("~", "rectifying", 3),
        ("~", "submitted", 4),
        ("~", "closed", 5),
    ]
    users = [r.history_user.username for r in records]
    assert users == ["cadre_gaige", "cadre_gaige", "cadre_gaige", "cadre_gaige", "contact_gaige"]
    # Before and after of the edit are both there.
    assert records[0].title == "三组撂荒地复耕" and records[1].title == "三组撂荒地 12 亩复耕"
    assert records[-1].verified_by_id == world.people["contact_gaige"].pk


def test_it_keeps_changes_of_people_assignments_and_categories(world):
    leader = world.user("leader")
    person = world.people["cadre_gaige"]
    person.phone = "13900000000"
    person._history_user = leader
    person.save()
    assert person.history.latest().history_user == leader
    assert list(person.history.order_by("history_date").values_list("phone", flat=True)) == [
        "13800001234",
        "13900000000",
    ]

    # Installing the same catalogue again changes nothing and so writes no history.
    counts = (Category.history.count(), CategoryField.history.count())
    catalogue_install(town=world.town)
    assert (Category.history.count(), CategoryField.history.count()) == counts

    category = world.category("grave")
    category.default_deadline_days = 45
    category._history_user = leader
    category.save()
    assert category.history.latest().history_user == leader
    assert category.history.earliest().default_deadline_days == 30
    catalogue_install(town=world.town, by=leader)  # the data file wins, and says so in history
    assert list(
        category.history.order_by("history_date").values_list("default_deadline_days", flat=True)
    ) == [
        30,
        45,
        30,
    ]


def test_it_registers_no_business_record_for_deletion_in_the_admin(world):
    superuser = get_user_model().objects.create_superuser(username="root", password="pw")
    request = RequestFactory().get("/admin/")
    request.user = superuser
    registered = set(admin.site._registry)
    # The core records must be there for this test to mean anything.
    assert {Item, Category, CategoryField, Person, RoleAssignment} <= registered
    for model in registered:
        model_admin = admin.site._registry[model]
        assert not model_admin.has_delete_permission(request), (
            f"{model.__name__} can be deleted in the admin"
        )
        assert "delete_selected" not in model_admin.get_actions(request), model.__name__
        for inline in model_admin.get_inline_instances(request):
            # The formset offers deletion only when both allow it (as Django's admin decides).
            deletable = inline.can_delete and inline.has_delete_permission(request)
            assert not deletable, f"{model.__name__} inline {inline.model.__name__}"


@pytest.mark.parametrize("model", [Item, Person, Category])
def test_it_cannot_delete_a_referenced_record_even_by_hand(world, model):
    """Foreign keys protect: deleting a person, item or category that others point at fails."""
    from django.db.models import ProtectedError

    item = make_item(world)
    instance = {
        Item: item,
        Person: world.people["cadre_gaige"],
        Category: world.category("farmland-outflow"),
    }[model]
    with pytest.raises(ProtectedError):
        instance.delete()
