"""The village's public board (`/p/<code>/` and `GET /api/v1/public/villages/<code>/board`) shows
its 四议两公开 disclosures — the resolution disclosed and the result disclosed — with phone and ID
numbers in their text masked; nothing of the meeting steps before, nothing of another village."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from maque.decisions.models import Step
from maque.decisions.services import StepIn, decision_create, decision_step
from maque.meetings.models import MeetingKind
from tests.decisions.helpers import counted_meeting

pytestmark = pytest.mark.django_db

KINDS = (
    (Step.PROPOSE, MeetingKind.PARTY_BRANCH),
    (Step.DISCUSS, MeetingKind.TWO_COMMITTEES),
    (Step.REVIEW, MeetingKind.PARTY_ASSEMBLY),
    (Step.RESOLVE, MeetingKind.REPRESENTATIVES),
)


def test_the_board_shows_the_disclosures_masked(world):  # noqa: ANN001
    secretary = world.user("secretary_gaige")
    decision = decision_create(by=secretary, village=world.gaige, title="晒场建设")
    for days_ago, (step, kind) in zip((10, 8, 6, 4), KINDS, strict=True):
        meeting, _resolution = counted_meeting(world, kind, days_ago=days_ago)
        decision = decision_step(
            decision=decision,
            by=secretary,
            step=step,
            version=decision.version,
            given=StepIn(meeting=meeting),
        )
    client = Client()
    board = f"/api/v1/public/villages/{world.gaige.public_code}/board"
    assert client.get(board).json()["disclosures"] == []  # resolved, not yet disclosed
    decision_step(
        decision=decision,
        by=secretary,
        step=Step.DISCLOSE_RESOLUTION,
        version=decision.version,
        given=StepIn(on=timezone.localdate(), text="决议已在村务公开栏公示，联系电话13912345678"),
    )
    body = client.get(board).json()
    assert [row["step"] for row in body["disclosures"]] == [Step.DISCLOSE_RESOLUTION]
    row = body["disclosures"][0]
    assert row["title"] == "晒场建设" and row["step_label"] == "决议公开"
    assert "13912345678" not in row["text"] and "公示" in row["text"]
    page = client.get(f"/p/{world.gaige.public_code}/").content.decode()
    assert "晒场建设" in page and "决议公开" in page and "13912345678" not in page
    assert "党支部会议提议" not in page  # the meeting steps are not disclosures
    other = client.get(f"/api/v1/public/villages/{world.shuangsheng.public_code}/board").json()
    assert other["disclosures"] == []
    assert "晒场建设" not in client.get(f"/p/{world.shuangsheng.public_code}/").content.decode()
