"""Writes for rosters and rolls (design §5, meetings that count): who belongs to a village body
and since when, the village's population counts, a meeting's roll taken from the rosters, and
attendance against it.

Rosters are kept like role assignments: a member is never overwritten; leaving ends the row
(`valid_to`), joining again opens a new one. Who may keep them: whoever may record meetings of
the village (`policies.check_organise`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from maque.core.dates import DayKind, day_problem
from maque.meetings.models import (
    ROLL_BODIES,
    Meeting,
    RollEntry,
    RosterBody,
    RosterMember,
    VillagePopulation,
)
from maque.meetings.policies import check_organise
from maque.organisation.access import actor_for
from maque.organisation.models import Person, Village

NAME_MAX = RosterMember._meta.get_field("name").max_length or 30
NOTE_MAX = RosterMember._meta.get_field("note").max_length or 200


def _check_village(by: User, village: Village) -> None:
    check_organise(actor_for(by), town_id=village.town_id, village_ids=[village.pk])


def check_meeting(by: User, meeting: Meeting) -> None:
    """Raise `NotPermitted` unless `by` may record this meeting (as `services.check_recorder`)."""
    check_organise(
        actor_for(by),
        town_id=meeting.town_id,
        village_ids=list(meeting.villages.values_list("pk", flat=True)),
        kind=meeting.kind,
    )


def roster_member_add(
    *,
    by: User,
    village: Village,
    body: str,
    valid_from: date,
    person: Person | None = None,
    name: str = "",
    note: str = "",
) -> RosterMember:
    """Add a member to a village body from a day: a person of the town, or a name."""
    _check_village(by, village)
    name = name.strip()
    errors: dict[str, list[str]] = {}
    if body not in RosterBody.values:
        errors["body"] = [_("Unknown body.")]
    if person is not None and person.town_id != village.town_id:
        errors["person"] = [_("The person must belong to the village's town.")]
    if person is None and not name:
        errors["name"] = [_("Give the member's name or choose a person.")]
    if len(name) > NAME_MAX:
        errors["name"] = [_("The name is at most %(count)d characters.") % {"count": NAME_MAX}]
    if len(note) > NOTE_MAX:
        errors["note"] = [_("The note is at most %(count)d characters.") % {"count": NOTE_MAX}]
    if (problem := day_problem(valid_from, DayKind.PLANNED)) is not None:
        errors["valid_from"] = [problem]
    if errors:
        raise ValidationError(errors)
    shown = person.name if person is not None else name
    current = RosterMember.objects.on(valid_from).filter(village=village, body=body)
    if person is not None:
        current = current.filter(person=person)
    else:
        current = current.filter(person__isnull=True, name=shown)
    if current.exists():
        raise ValidationError({"name": [_("This member is already on the roster on that day.")]})
    member = RosterMember(
        village=village,
        body=body,
        person=person,
        name=shown,
        valid_from=valid_from,
        note=note.strip(),
    )
    member._history_user = by  # type: ignore[attr-defined]
    member.save()
    return member


def roster_member_end(*, by: User, member: RosterMember, valid_to: date) -> RosterMember:
    """End a membership: `valid_to` is the member's last day in the body."""
    _check_village(by, member.village)
    with transaction.atomic():
        locked = RosterMember.objects.select_for_update().get(pk=member.pk)
        if locked.valid_to is not None:
            raise ValidationError({"valid_to": [_("This membership has already ended.")]})
        if valid_to < locked.valid_from:
            raise ValidationError({"valid_to": [_("The last day cannot be before the first day.")]})
        if (problem := day_problem(valid_to, DayKind.PLANNED)) is not None:
            raise ValidationError({"valid_to": [problem]})
        locked.valid_to = valid_to
        locked._history_user = by  # type: ignore[attr-defined]
        locked.save(update_fields=["valid_to"])
    return locked


def population_record(
    *, by: User, village: Village, counted_on: date, adults: int, households: int, note: str = ""
) -> VillagePopulation:
    """Record the village's adult villagers and households as counted on a day."""
    _check_village(by, village)
    errors: dict[str, list[str]] = {}
    if (problem := day_problem(counted_on, DayKind.HAPPENED)) is not None:
        errors["counted_on"] = [problem]
    if adults < 0 or households < 0:
        errors["adults"] = [_("The number cannot be negative.")]
    elif households > adults:
        errors["households"] = [_("There cannot be more households than adult villagers.")]
    if len(note) > NOTE_MAX:
        errors["note"] = [_("The note is at most %(count)d characters.") % {"count": NOTE_MAX}]
    if errors:
        raise ValidationError(errors)
    row = VillagePopulation(
        village=village, counted_on=counted_on, adults=adults, households=households, note=note
    )
    row._history_user = by  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError as clash:
        raise ValidationError(
            {"counted_on": [_("The village already has a count for that day.")]}
        ) from clash
    return row


def roll_take(*, meeting: Meeting, by: User | None) -> list[RollEntry]:
    """Copy who should attend from the rosters of the meeting's villages on its day, once.

    Called when a meeting is recorded as held; a meeting of a kind without bodies (a progress
    meeting) has no roll. Returns the roll (the existing one if it was taken already)."""
    bodies = ROLL_BODIES.get(meeting.kind, ())
    existing = list(meeting.roll.all())
    if existing or not bodies:
        return existing
    members = (
        RosterMember.objects.on(meeting.held_on)
        .filter(village__in=meeting.villages.all(), body__in=bodies)
        .order_by("village_id", "body", "name", "id")
    )
    entries: list[RollEntry] = []
    people: set[int] = set()
    for member in members:
        if member.person_id is not None:
            if member.person_id in people:
                continue  # in two bodies (both committees): called once
            people.add(member.person_id)
        entry = RollEntry(
            meeting=meeting,
            member=member,
            person_id=member.person_id,
            name=member.name,
            body=member.body,
            order=len(entries),
        )
        entry._history_user = by  # type: ignore[attr-defined]
        entry.save()
        entries.append(entry)
    if entries:
        meeting.expected_count = len(entries)
        meeting.skip_history_when_saving = True  # type: ignore[attr-defined]
        meeting.save(update_fields=["expected_count"])
        del meeting.skip_history_when_saving  # type: ignore[attr-defined]
    return entries


def attendance_record(
    *,
    meeting: Meeting,
    by: User,
    marks: Mapping[int, str],
    attendee_count: int | None = None,
) -> Meeting:
    """Mark roll entries (id → present / absent / leave). The meeting's numbers follow the roll:
    expected is the roll, present those marked present — or `attendee_count` when more people
    came than were called (a villagers' meeting counts every adult present)."""
    check_meeting(by, meeting)
    errors: dict[str, list[str]] = {}
    if any(value not in RollEntry.Attendance.values for value in marks.values()):
        errors["marks"] = [_("Attendance is present, absent or on leave.")]
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if locked.status != Meeting.Status.HELD:
            errors["__all__"] = [_("Attendance is recorded once the meeting is held.")]
        entries = {e.pk: e for e in locked.roll.all()}
        unknown = set(marks) - set(entries)
        if unknown:
            errors["marks"] = [_("Some entries are not on this meeting's roll.")]
        if errors:
            raise ValidationError(errors)
        for pk, value in marks.items():
            entry = entries[pk]
            if entry.attendance != value:
                entry.attendance = value
                entry._history_user = by  # type: ignore[attr-defined]
                entry.save(update_fields=["attendance"])
        on_roll = sum(1 for e in entries.values() if e.attendance == RollEntry.Attendance.PRESENT)
        if attendee_count is not None and attendee_count < on_roll:
            raise ValidationError(
                {
                    "attendee_count": [
                        _("The number present cannot be less than those marked present.")
                    ]
                }
            )
        if entries:
            locked.expected_count = len(entries)
        locked.attendee_count = attendee_count if attendee_count is not None else on_roll
        locked._history_user = by  # type: ignore[attr-defined]
        locked._change_reason = "attendance"  # type: ignore[attr-defined]
        locked.save(update_fields=["expected_count", "attendee_count"])
    return locked
