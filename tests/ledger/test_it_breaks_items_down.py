"""Breaking work down (快速分解细化): an item takes sub-items (one level only), each an action item
with its own owner and deadline; the parent's page shows how far its sub-items have come."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from maque.ledger import lifecycle
from maque.ledger.models import Item, Kind
from maque.ledger.queries import children_progress
from maque.ledger.services import progress_add
from tests.conftest import drive_to_closed, make_item


def sub_item(world, parent, title="分解事项", **changes):  # noqa: ANN001, ANN003, ANN201
    values = {
        "by": world.user("contact_gaige"),
        "campaign": parent.campaign,
        "village": parent.village,
        "title": title,
        "owner": world.people["cadre_gaige"],
        "deadline": timezone.localdate() + timedelta(days=5),
        "kind": Kind.ACTION,
        "parent": parent,
    }
    values.update(changes)
    return lifecycle.item_create(**values)


def test_it_breaks_an_item_down_one_level_and_counts_the_progress(world):
    parent = make_item(world, title="荷塘清淤")
    first = sub_item(world, parent, "东片清淤")
    second = sub_item(world, parent, "西片清淤")
    assert list(parent.children.order_by("pk")) == [first, second]
    progress_add(
        item=lifecycle.item_start(item=first, by=world.user("cadre_gaige")),
        by=world.user("cadre_gaige"),
        text="过半",
        percent=50,
    )
    shown = children_progress(item=parent, user=world.user("principal"))
    assert (shown["total"], shown["closed"], shown["percent"]) == (2, 0, 25)
    with pytest.raises(ValidationError) as deeper:
        sub_item(world, first, "再分解")
    assert "parent" in deeper.value.message_dict
    # Another village's cadre does not see the sub-items.
    assert children_progress(item=parent, user=world.user("cadre_shuangsheng"))["total"] == 0


def test_it_does_not_break_down_a_finished_item(world):
    parent = drive_to_closed(world, make_item(world))
    with pytest.raises(ValidationError):
        sub_item(world, parent)


def test_it_breaks_an_item_down_from_its_page(world):
    parent = make_item(world, title="荷塘清淤")
    client = Client()
    client.force_login(world.user("contact_gaige"))
    page = client.get(f"/items/{parent.pk}/").content.decode()
    assert "分解" in page
    response = client.post(
        f"/items/{parent.pk}/breakdown/",
        {
            "title": "东片清淤",
            "owner": world.people["cadre_gaige"].pk,
            "deadline": str(timezone.localdate() + timedelta(days=3)),
        },
    )
    assert response.status_code == 302
    child = Item.objects.get(parent=parent)
    assert (child.kind, child.owner, child.village) == (
        Kind.ACTION,
        world.people["cadre_gaige"],
        world.gaige,
    )
    page = client.get(f"/items/{parent.pk}/").content.decode()
    assert "东片清淤" in page and "0/1" in page
    child_page = client.get(f"/items/{child.pk}/").content.decode()
    assert "荷塘清淤" in child_page
    refused = client.post(f"/items/{parent.pk}/breakdown/", {"title": "", "deadline": "1800-01-01"})
    assert refused.status_code == 422 and Item.objects.filter(parent=parent).count() == 1
