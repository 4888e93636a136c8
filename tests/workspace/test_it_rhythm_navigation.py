"""The rhythm's entries in the workspace navigation, shown by role, and the inbox badge."""

from __future__ import annotations

import pytest
from django.utils import timezone

from maque.meetings.models import MeetingKind
from maque.meetings.services import DecisionIn, meeting_create
from maque.notifications.services import notify
from maque.supervision.services import finding_record, round_open
from tests.conftest import drive_to_closed, drive_to_submitted, make_item

LINKS = {
    "meetings": 'href="/meetings/"',
    "inspections": 'href="/inspections/"',
    "scores": 'href="/scores/"',
    "bulletins": 'href="/bulletins/"',
    "accountability": 'href="/accountability/"',
}
SHOWN = {
    "principal": {"meetings", "inspections", "scores", "bulletins", "accountability"},
    "discipline": {"meetings", "inspections", "scores", "bulletins", "accountability"},
    "leader": {"meetings", "inspections", "scores", "bulletins"},
    "inspector": {"meetings", "inspections", "scores", "bulletins"},
    "contact_gaige": {"meetings", "inspections", "scores", "bulletins"},  # their look-backs
    "cadre_gaige": {"meetings", "scores", "bulletins"},
    "secretary_gaige": {"meetings", "scores", "bulletins"},
    "cadre_shuangsheng": {"meetings", "scores", "bulletins"},
    "outsider": set(),
}


@pytest.mark.parametrize("persona", sorted(SHOWN))
def test_it_shows_each_role_its_rhythm_screens_and_the_inbox(client, world, persona):  # noqa: ANN001
    client.force_login(world.user(persona))
    page = client.get("/").content.decode()
    shown = {name for name, link in LINKS.items() if link in page}
    assert shown == SHOWN[persona]
    assert 'href="/inbox/"' in page


def test_it_counts_unread_notifications_in_the_badge(client, world):  # noqa: ANN001
    notify(
        recipients=[world.user("cadre_gaige")],
        kind="escalation.due_tomorrow",
        title="明天到期",
        key="a",
    )
    notify(
        recipients=[world.user("cadre_gaige")], kind="escalation.overdue_1", title="已逾期", key="b"
    )
    client.force_login(world.user("cadre_gaige"))
    page = client.get("/ledger/").content.decode()
    assert '2<span class="visually-hidden">未读</span>' in page
    client.post("/inbox/read-all/")
    assert (
        '<span class="visually-hidden">未读</span>' not in client.get("/ledger/").content.decode()
    )


def test_it_reads_the_busy_pages_in_a_bounded_number_of_queries(
    client, world, django_assert_max_num_queries
):  # noqa: ANN001
    today = timezone.localdate()
    for index in range(6):
        meeting_create(
            by=world.user("principal"),
            town=world.town,
            kind=MeetingKind.JOINT,
            title=f"联席会议{index}",
            held_on=today,
            villages=[world.gaige],
            attendees=[world.people["cadre_gaige"]],
            decisions=[
                DecisionIn(text=f"决定{index}", owner=world.people["cadre_gaige"], deadline=today)
            ],
        )
    for _index in range(4):
        drive_to_submitted(world, make_item(world))
        drive_to_closed(world, make_item(world))
        make_item(world, persona="cadre_shuangsheng", village=world.shuangsheng)
    inspection_round = round_open(town=world.town, by=world.user("inspector"))
    for sample in inspection_round.samples.all()[:3]:
        finding_record(sample=sample, by=world.user("inspector"), outcome="pass", note="符合要求")
    client.force_login(world.user("inspector"))
    client.get("/")  # warm the per-user caches
    with django_assert_max_num_queries(25):
        assert client.get("/meetings/").status_code == 200
    with django_assert_max_num_queries(25):
        response = client.get(f"/inspections/{inspection_round.pk}/")
    assert (
        sum(len(group["entries"]) for group in response.context["groups"])
        == inspection_round.samples.count()
    )
    with django_assert_max_num_queries(25):
        assert client.get("/scores/").status_code == 200
