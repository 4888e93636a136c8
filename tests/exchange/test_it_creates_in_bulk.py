"""`lifecycle.items_create_bulk`: the checks of `item_create`, one counter bump, one transaction."""

import pytest

from maque.ledger import lifecycle
from maque.ledger.models import Item, ItemCounter, Source, Transition

from ..conftest import make_item, outflow_attributes


def rows(world, count, **overrides):
    base = {
        "campaign": world.campaign,
        "category": world.category("farmland-outflow"),
        "village": world.gaige,
        "attributes": outflow_attributes(),
    }
    return [dict(base, title=f"撂荒地{n}", **overrides) for n in range(count)]


def test_it_creates_many_items_with_consecutive_codes_transitions_and_history(world):
    before = make_item(world)
    items = lifecycle.items_create_bulk(by=world.user("cadre_gaige"), rows=rows(world, 3))
    year = before.year
    assert [i.code for i in items] == [f"HP-{year}-0000{n}" for n in (2, 3, 4)]
    assert ItemCounter.objects.get(town=world.town, year=year).last == 4
    stored = Item.objects.filter(pk__in=[i.pk for i in items])
    assert stored.count() == 3
    for item in stored:
        assert item.source == Source.IMPORT and item.owner == world.people["cadre_gaige"]
        assert item.standard == world.category("farmland-outflow").standard
        transition = Transition.objects.get(item=item)
        assert (transition.action, transition.via, transition.actor_user) == (
            "create",
            "import",
            world.user("cadre_gaige"),
        )
        history = item.history.get()
        assert (
            history.history_user == world.user("cadre_gaige")
            and history.history_change_reason == "import: create"
        )


def test_it_applies_the_same_checks_as_item_create_and_writes_nothing_on_any_error(world):
    bad = rows(world, 4)
    bad[1]["attributes"] = dict(outflow_attributes(), area_mu="-1")
    bad[2]["village"] = world.shuangsheng  # the cadre of 改革村 may not register here
    bad[3]["title"] = " "
    with pytest.raises(lifecycle.BulkCreateError) as raised:
        lifecycle.items_create_bulk(by=world.user("cadre_gaige"), rows=bad)
    assert set(raised.value.errors) == {1, 2, 3}
    assert "attributes.area_mu" in raised.value.errors[1]
    assert "village" in raised.value.errors[2]
    assert "title" in raised.value.errors[3]
    assert Item.objects.count() == 0 and Transition.objects.count() == 0
    assert not ItemCounter.objects.filter(last__gt=0).exists()
    # The single-item service says the same about the same row.
    with pytest.raises(lifecycle.NotPermitted):
        lifecycle.item_create(by=world.user("cadre_gaige"), **bad[2])


def test_its_rows_are_what_a_single_creation_writes(world):
    """The bulk insert writes the same columns as `item_create` (defaults, times, history copy)."""
    single = make_item(world, title="单条", deadline=None)
    (bulk,) = lifecycle.items_create_bulk(
        by=world.user("cadre_gaige"), rows=rows(world, 1), via="api", source=Source.SURVEY
    )
    one, many = Item.objects.get(pk=single.pk), Item.objects.get(pk=bulk.pk)
    skip = {"id", "code", "title", "created_at", "updated_at"}
    for field in Item._meta.concrete_fields:
        if field.attname not in skip:
            assert getattr(one, field.attname) == getattr(many, field.attname), field.attname
    assert many.created_at is not None and many.updated_at == many.created_at and many.version == 1
    assert (bulk.pk, bulk.code, bulk.title, bulk.village) == (
        many.pk,
        many.code,
        many.title,
        world.gaige,
    )
    history = many.history.get()
    for field in Item.history.model._meta.concrete_fields:
        if field.attname in {f.attname for f in Item._meta.concrete_fields}:
            assert getattr(history, field.attname) == getattr(many, field.attname), field.attname
    assert history.history_type == "+" and history.history_change_reason == "api: create"
    transition = Transition.objects.get(item=many)
    assert (transition.actor, transition.from_state, transition.to_state, transition.reason) == (
        world.people["cadre_gaige"],
        "found",
        "found",
        "",
    )
