"""Dissecting a watch-list entry (剖麻雀): the solving meeting's record — causes by kind,
obstacles, departments pooled, measures that become action items with owners and deadlines, and
the field walks — written with the entry's step, or refused whole."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from maque.diagnosis.models import Dissection, EntryState, WatchEntry
from maque.diagnosis.services import entry_act, entry_propose
from maque.ledger.models import Item, Kind, Source
from maque.meetings.models import MeetingKind
from maque.meetings.services import meeting_create
from maque.organisation.models import Department


def setup(world):  # noqa: ANN001, ANN201
    entry = entry_propose(
        by=world.user("principal"), town=world.town, village=world.gaige, reason="推进缓慢"
    )
    entry = entry_act(entry=entry, by=world.user("principal"), action="accept", reason="典型")
    today = timezone.localdate()
    solving = meeting_create(
        by=world.user("principal"),
        town=world.town,
        kind=MeetingKind.SOLVING,
        title="改革村解难会议",
        held_on=today,
        villages=[world.gaige],
    )
    walk = meeting_create(
        by=world.user("principal"),
        town=world.town,
        kind=MeetingKind.FIELD_WALK,
        title="荷塘走看调研",
        held_on=today - timedelta(days=2),
        villages=[world.gaige],
    )
    water = Department.objects.create(town=world.town, name="水利站")
    return entry, solving, walk, water


def body(world, solving, walk, water, **changes):  # noqa: ANN001, ANN003, ANN201
    record = {
        "meeting": solving.pk,
        "causes": [
            {"kind": "funds", "text": "配套资金未到位"},
            {"kind": "willingness", "text": "部分群众不愿流转"},
        ],
        "obstacles": "清淤需要机械",
        "resources": [{"department": water.pk, "brings": "清淤机械两台"}],
        "measures": [
            {
                "text": "协调清淤机械进场",
                "owner": world.people["cadre_gaige"].pk,
                "deadline": str(timezone.localdate() + timedelta(days=10)),
            }
        ],
        "field_walks": [walk.pk],
    }
    record.update(changes)
    return {"reason": "召开解难会议", "dissection": record}


def post(world, persona, entry, payload):  # noqa: ANN001, ANN201
    client = Client()
    client.force_login(world.user(persona))
    return client.post(
        f"/api/v1/watchlist/{entry.pk}/actions/dissect", payload, content_type="application/json"
    )


def test_it_records_the_solving_meeting_and_turns_measures_into_action_items(world):
    entry, solving, walk, water = setup(world)
    response = post(world, "contact_gaige", entry, body(world, solving, walk, water))
    assert response.status_code == 200, response.content
    record = response.json()["dissection"]
    assert response.json()["state"] == "dissected"
    assert [c["kind"] for c in record["causes"]] == ["funds", "willingness"]
    assert record["resources"] == [{"department": "水利站", "brings": "清淤机械两台"}]
    assert [w["title"] for w in record["field_walks"]] == ["荷塘走看调研"]
    (measure,) = record["measures"]
    item = Item.objects.get(code=measure["item"])
    assert (item.kind, item.source, item.owner, item.village) == (
        Kind.ACTION,
        Source.MEETING,
        world.people["cadre_gaige"],
        world.gaige,
    )
    assert item.deadline == timezone.localdate() + timedelta(days=10)
    assert WatchEntry.objects.get().events.filter(action="dissect").count() == 1


def test_it_refuses_a_record_that_is_not_a_solving_meeting_and_changes_nothing(world):
    entry, solving, walk, water = setup(world)
    items = Item.objects.count()
    wrong = post(world, "principal", entry, body(world, walk, walk, water))
    assert wrong.status_code == 422 and "meeting" in wrong.json()["errors"]
    no_cause = post(world, "principal", entry, body(world, solving, walk, water, causes=[]))
    assert no_cause.status_code == 422
    cadre = post(world, "cadre_gaige", entry, body(world, solving, walk, water))
    assert cadre.status_code == 403
    bare = post(world, "principal", entry, {"reason": "x"})
    assert bare.status_code == 422
    assert (Item.objects.count(), Dissection.objects.count()) == (items, 0)
    assert WatchEntry.objects.get().state == EntryState.LISTED
