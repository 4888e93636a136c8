"""One item is "逾期N天" with the same N everywhere a person reads it: the bulletin, the
accountability case, the item page, the API and the notifications. The ladder's rungs count
working days, and say so."""

from __future__ import annotations

import re
from datetime import timedelta

from django.test import Client
from django.utils import timezone, translation

from maque.accountability.models import AccountabilityCase
from maque.bulletins.services import bulletin_issue
from maque.notifications.models import Notification
from maque.rhythm.escalation import escalate
from tests.conftest import make_item
from tests.rhythm.helpers import registered_on

DAYS = 30


def test_it_shows_the_same_days_overdue_everywhere(world):  # noqa: ANN001
    today = timezone.localdate()
    found_on = today - timedelta(days=2 * DAYS)
    item = registered_on(
        make_item(world, found_on=found_on, deadline=today - timedelta(days=DAYS)), found_on
    )
    with translation.override("zh-hans"):
        assert escalate(now=timezone.now()) >= 1

    case = AccountabilityCase.objects.get(evidence__object_id=item.pk)
    assert f"已逾期 {DAYS} 天" in case.summary
    principal = Notification.objects.get(kind="escalation.digest", user=world.user("principal"))
    text = next(line for line in principal.body.split("\n") if item.code in line)
    assert f"已逾期 {DAYS} 天" in text
    # The rung was counted in working days, and the text says so in those words.
    rung = re.search(r"第 (\d+) 个工作日", text)
    assert rung and int(rung.group(1)) < DAYS

    bulletin = bulletin_issue(town=world.town, by=world.user("inspector"))
    listed = [row for row in bulletin.snapshot["overdue_items"] if row["code"] == item.code]
    assert listed and listed[0]["days_overdue"] == DAYS

    client = Client()
    client.force_login(world.user("principal"))
    assert client.get(f"/api/v1/items/{item.code}").json()["days_overdue"] == DAYS
    page = client.get(f"/items/{item.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"{DAYS} days overdue" in page
