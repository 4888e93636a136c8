import pytest

from maque.ledger import lifecycle
from maque.ledger.errors import NotPermitted
from maque.ledger.models import State
from maque.ledger.queries import item_list

from .conftest import drive_to_closed, make_item


def test_it_closes_an_item_through_the_lifecycle(world):
    item = make_item(world)
    assert item.code == "HP-%d-00001" % item.found_on.year
    item = drive_to_closed(world, item)
    assert item.state == State.CLOSED
    assert item.verified_by == world.people["contact_gaige"]
    assert list(item.transitions.values_list("action", flat=True)) == ["create", "start", "submit", "verify"]
    assert item.history.count() >= 4


def test_it_refuses_verification_by_the_owner(world):
    item = make_item(world, persona="contact_gaige")
    item = lifecycle.item_start(item=item, by=world.user("contact_gaige"))
    from .conftest import add_evidence
    add_evidence(world, item, "contact_gaige")
    item = lifecycle.item_submit(item=item, by=world.user("contact_gaige"))
    with pytest.raises(NotPermitted):
        lifecycle.item_verify(item=item, by=world.user("contact_gaige"), note="ok")


def test_it_scopes_and_annotates(world):
    make_item(world)
    assert item_list(user=world.user("cadre_shuangsheng")).count() == 0
    rows = list(item_list(user=world.user("principal")))
    assert rows[0].light in {"green", "yellow"} and rows[0].days_overdue == 0
