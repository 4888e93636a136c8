"""Personal data typed into an item's free text stays masked wherever else it travels: the home
page, the inbox, an inspection round's samples (for the roles that see no personal data), and —
for everyone — the bulletin (it goes to every office) and the messages sent to outside channels
(a group chat or a mailbox). The rule is the one of the ledger pages (`mask_text`)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from maque.api.services import token_issue
from maque.bulletins.services import bulletin_issue
from maque.notifications.delivery import outgoing, robot_message
from maque.notifications.models import Channel, Notification
from maque.notifications.services import notify
from maque.supervision.services import round_open
from tests.conftest import make_item

PHONE, PHONE_MASKED = "13912345678", "139****5678"
ID_NUMBER, ID_MASKED = "61092419800101123X", "610924********123X"


@pytest.fixture
def item(world):  # noqa: ANN001, ANN201
    today = timezone.localdate()
    return make_item(
        world,
        title=f"王某 {PHONE} 撂荒",
        found_on=today - timedelta(days=20),
        deadline=today - timedelta(days=5),
    )


def _page(world, persona: str, url: str) -> str:  # noqa: ANN001
    client = Client()
    client.force_login(world.user(persona))
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_the_home_page_and_the_inbox_mask_for_the_cadre(world, item) -> None:  # noqa: ANN001
    notify(
        recipients=[world.user("cadre_gaige")],
        kind="item.returned",
        title=f"退回 {item.title}",
        body=f"身份证 {ID_NUMBER}",
        key="test:mask",
    )
    home = _page(world, "cadre_gaige", reverse("workspace:home"))
    inbox = _page(world, "cadre_gaige", reverse("workspace:inbox"))
    for page in (home, inbox):
        assert PHONE not in page
    assert PHONE_MASKED in home and PHONE_MASKED in inbox
    assert ID_NUMBER not in inbox and ID_MASKED in inbox


def test_the_principal_reads_the_full_text_at_home(world, item) -> None:  # noqa: ANN001
    assert PHONE in _page(world, "principal", reverse("workspace:ledger"))


def test_an_inspection_rounds_samples_are_masked_for_the_inspector(world, item) -> None:  # noqa: ANN001
    inspection = round_open(town=world.town, by=world.user("inspector"), percent=100)
    page = _page(world, "inspector", reverse("workspace:inspection", args=[inspection.pk]))
    assert item.code in page
    assert PHONE not in page and PHONE_MASKED in page


def test_the_bulletin_never_carries_a_phone_number(world, item) -> None:  # noqa: ANN001
    bulletin = bulletin_issue(town=world.town, by=world.user("inspector"))
    listed = [row for row in bulletin.snapshot["overdue_items"] if row["code"] == item.code]
    assert listed and listed[0]["title"] == f"王某 {PHONE_MASKED} 撂荒"
    assert PHONE not in str(bulletin.snapshot)
    page = _page(world, "principal", reverse("bulletins:page", args=[bulletin.pk]))
    assert PHONE not in page


def test_messages_to_outside_channels_are_masked(world) -> None:  # noqa: ANN001
    [notification] = notify(
        recipients=[world.user("principal")],
        kind="item.submitted",
        title=f"待验收：王某 {PHONE}",
        body=f"身份证 {ID_NUMBER}",
        key="test:outgoing",
    )
    assert outgoing(notification) == (f"待验收：王某 {PHONE_MASKED}", f"身份证 {ID_MASKED}")
    for kind in (Channel.Kind.WECOM, Channel.Kind.DINGTALK):
        message = str(robot_message(Channel(kind=kind), notification))
        assert PHONE not in message and ID_NUMBER not in message
    # The inbox keeps the full text for a reader whose role sees personal data.
    assert Notification.objects.get(pk=notification.pk).title.endswith(PHONE)


def _api(persona: str, path: str) -> str:
    token = token_issue(request=None, username=persona, password="pw-" + persona).token
    response = Client().get(path, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.content
    return response.content.decode()


def test_the_api_masks_samples_and_notifications_by_role(world, item) -> None:  # noqa: ANN001
    inspection = round_open(town=world.town, by=world.user("inspector"), percent=100)
    for persona in ("inspector", "principal"):
        notify(
            recipients=[world.user(persona)],
            kind="item.returned",
            title=f"退回 {item.title}",
            key=f"test:api:{persona}",
        )
    samples = _api("inspector", f"/api/v1/inspections/{inspection.pk}")
    inbox = _api("inspector", "/api/v1/notifications")
    assert PHONE not in samples and PHONE_MASKED in samples
    assert PHONE not in inbox and PHONE_MASKED in inbox
    assert PHONE in _api("principal", "/api/v1/notifications")


def test_meeting_minutes_and_decisions_are_masked_by_role(world) -> None:  # noqa: ANN001
    from maque.meetings.models import MeetingKind
    from maque.meetings.services import DecisionIn, meeting_create

    meeting = meeting_create(
        by=world.user("contact_gaige"),
        town=world.town,
        kind=MeetingKind.PROGRESS,
        title="推进会",
        held_on=timezone.localdate(),
        place="村委会",
        villages=[world.gaige],
        attendees=[],
        attendee_count=5,
        minutes=f"王某反映问题，电话 {PHONE}",
        decisions=[DecisionIn(text=f"回访王某 {PHONE}")],
    )
    for persona in ("contact_gaige", "cadre_gaige"):
        answer = _api(persona, f"/api/v1/meetings/{meeting.pk}")
        assert PHONE not in answer and PHONE_MASKED in answer, persona
        page = _page(world, persona, reverse("workspace:meeting", args=[meeting.pk]))
        # Who may amend the minutes edits the text as written (a masked copy would be saved
        # over it); what the page shows is masked for every role without personal data.
        shown = page.split("<textarea", 1)[0]
        assert PHONE not in shown and PHONE_MASKED in shown, persona
    cadre_page = _page(world, "cadre_gaige", reverse("workspace:meeting", args=[meeting.pk]))
    assert PHONE not in cadre_page
    assert PHONE in _api("principal", f"/api/v1/meetings/{meeting.pk}")
