"""Meetings with counted resolutions, for the decisions' tests."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from maque.meetings.models import ROLL_BODIES, Meeting, Resolution, RollEntry
from maque.meetings.resolutions import resolution_record
from maque.meetings.rolls import attendance_record, roster_member_add
from maque.meetings.services import meeting_create
from tests.conftest import World

START = date(2024, 1, 1)


def counted_meeting(
    world: World, kind: str, *, passed: bool = True, days_ago: int = 0, members: int = 5
) -> tuple[Meeting, Resolution]:
    """A held meeting of 改革村 of `kind`, everyone on its roll present, with one resolution
    that passed (or was voted down)."""
    secretary = world.user("secretary_gaige")
    for body in ROLL_BODIES[kind]:
        existing = world.gaige.roster.filter(body=body).count()
        for n in range(existing, members):
            roster_member_add(
                by=secretary,
                village=world.gaige,
                body=body,
                valid_from=START,
                name=f"{body}{n}",
            )
    meeting = meeting_create(
        by=secretary,
        town=world.town,
        kind=kind,
        title=f"{kind}会议",
        held_on=timezone.localdate() - timedelta(days=days_ago),
        villages=[world.gaige],
    )
    meeting = attendance_record(
        meeting=meeting,
        by=secretary,
        marks={e.pk: RollEntry.Attendance.PRESENT for e in meeting.roll.all()},
    )
    present = meeting.attendee_count
    votes_for = present if passed else 0
    resolution = resolution_record(
        meeting=meeting,
        by=secretary,
        text="晒场建设",
        votes_for=votes_for,
        votes_against=present - votes_for,
        votes_abstain=0,
    )
    return meeting, resolution
