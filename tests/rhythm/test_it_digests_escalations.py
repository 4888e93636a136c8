"""A day's escalations reach each person as one digest, not one message per item."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import translation

from maque.ledger.definitions import calendar_days_late
from maque.notifications.models import Channel, Delivery, Notification
from maque.rhythm.escalation import escalate
from tests.rhythm.helpers import at, item_due

pytestmark = pytest.mark.django_db

DAY = date(2025, 10, 23)


def test_it_sends_the_principal_one_digest_of_the_days_items(world, calendar_2025, client):  # noqa: ANN001
    Channel.objects.create(town=world.town, name="邮件", kind=Channel.Kind.EMAIL)
    world.user("principal").email = "principal@example.org"
    world.user("principal").save()
    items = [item_due(world, date(2025, 10, 9), title=f"撂荒地{n:02d}") for n in range(50)]
    with translation.override("zh-hans"):
        escalate(now=at(DAY))

    inbox = Notification.objects.filter(user=world.user("principal")).exclude(
        kind__startswith="accountability"
    )
    assert inbox.count() == 1
    digest = inbox.get()
    assert digest.kind == "escalation.digest" and "50" in digest.title
    lines = digest.body.split("\n")
    assert len(lines) == 50
    days = calendar_days_late(date(2025, 10, 9), DAY)
    for item in items:
        line = next(line for line in lines if item.code in line)
        assert f"已逾期 {days} 天" in line and "改革村" in line
    # The owner's rungs of the day are one digest too, and the secretary's.
    assert Notification.objects.filter(user=world.user("cadre_gaige")).count() == 1
    assert Notification.objects.filter(user=world.user("secretary_gaige")).count() == 1
    assert Delivery.objects.filter(notification=digest).count() == 1

    # Read, then a later tick of the day finds one more item: the same digest grows, unread again.
    client.force_login(world.user("principal"))
    client.post(f"/inbox/{digest.pk}/read/")
    digest.refresh_from_db()
    assert digest.read_at is not None
    late = item_due(world, date(2025, 10, 9), title="补登的撂荒地")
    with translation.override("zh-hans"):
        escalate(now=at(DAY, 15))
    digest.refresh_from_db()
    assert inbox.count() == 1 and digest.read_at is None
    assert len(digest.body.split("\n")) == 51 and late.code in digest.body and "51" in digest.title
    # Its copy had not gone out yet: it goes once, as the digest reads when it is sent.
    assert Delivery.objects.filter(notification=digest).count() == 1

    # The inbox lists the whole digest, folded.
    page = client.get("/inbox/").content.decode()
    assert page.count(late.code) == 1
