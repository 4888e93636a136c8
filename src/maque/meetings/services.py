"""Writes for meetings: record a meeting with its decisions (which become action items), complete
a drafted meeting or amend the record of a held one, add a file, and draft the weekly diagnosis."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from maque.core.dates import DayKind, day_problem
from maque.core.lengths import MINUTES, too_long
from maque.core.uploads import check_upload
from maque.ledger import lifecycle
from maque.ledger.catalogue import campaign_for_kind
from maque.ledger.errors import ConflictError, NotPermitted
from maque.ledger.models import Campaign, Kind, Source
from maque.meetings.models import Meeting, MeetingDecision, MeetingFile, MeetingKind, Resolution
from maque.meetings.policies import check_organise
from maque.meetings.queries import diagnosis_pack
from maque.meetings.rolls import roll_take
from maque.organisation.access import actor_for
from maque.organisation.models import Person, Town, Village

# Roles that may record a meeting: town-wide for any village; contact leaders and village
# secretaries for meetings of their own villages.


@dataclass(frozen=True)
class DecisionIn:
    """A decision to record; with an owner and a deadline it becomes an action item."""

    text: str
    owner: Person | None = None
    deadline: date | None = None
    village: Village | None = None
    campaign: Campaign | None = None


def _check_organiser(by: User, town: Town, villages: list[Village], kind: str) -> None:
    check_organise(actor_for(by), town_id=town.pk, village_ids=[v.pk for v in villages], kind=kind)


def check_recorder(*, by: User, meeting: Meeting) -> None:
    """Raise `NotPermitted` unless `by` may record (or amend the record of) this meeting."""
    _check_organiser(by, meeting.town, list(meeting.villages.all()), meeting.kind)


def may_record(*, by: User, meeting: Meeting) -> bool:
    """The rule of `meeting_record`, for screens deciding which forms to draw."""
    try:
        check_recorder(by=by, meeting=meeting)
    except NotPermitted:
        return False
    return True


def _decision_errors(
    decisions: list[DecisionIn],
    *,
    town: Town,
    villages: list[Village],
    errors: dict[str, list[str]],
) -> None:
    for index, decision in enumerate(decisions):
        if not decision.text.strip():
            errors[f"decisions[{index}].text"] = [_("A decision needs its text.")]
        if (decision.owner is None) != (decision.deadline is None):
            errors[f"decisions[{index}]"] = [_("An action needs both an owner and a deadline.")]
        if decision.owner is not None and decision.village is None and len(villages) != 1:
            errors[f"decisions[{index}].village"] = [_("Say which village the action belongs to.")]
        if decision.village is not None and decision.village.town_id != town.pk:
            errors[f"decisions[{index}].village"] = [_("Every village must belong to the town.")]
        if decision.owner is not None and decision.owner.town_id != town.pk:
            errors[f"decisions[{index}].owner"] = [_("The owner must be a person of the town.")]


def meeting_create(
    *,
    by: User,
    town: Town,
    kind: str,
    title: str,
    held_on: date,
    place: str = "",
    villages: list[Village] | None = None,
    host: Person | None = None,
    recorder: Person | None = None,
    attendees: list[Person] | None = None,
    attendee_count: int | None = None,
    expected_count: int | None = None,
    minutes: str = "",
    decisions: list[DecisionIn] | None = None,
) -> Meeting:
    """Record a meeting; each decision with an owner and a deadline becomes an action item."""
    villages = villages or []
    attendees = attendees or []
    decisions = decisions or []
    _check_organiser(by, town, villages, kind)
    errors: dict[str, list[str]] = {}
    if kind not in MeetingKind.values:
        errors["kind"] = [_("Unknown meeting kind.")]
    if not title.strip():
        errors["title"] = [_("The title is required.")]
    if (problem := too_long(minutes, MINUTES)) is not None:
        errors["minutes"] = [problem]
    if (
        problem := day_problem(
            held_on, DayKind.PLANNED, too_late=_("The date is too far in the future.")
        )
    ) is not None:
        errors["held_on"] = [problem]
    if any(v.town_id != town.pk for v in villages):
        errors["villages"] = [_("Every village must belong to the town.")]
    people = [p for p in (host, recorder, *attendees) if p is not None]
    if any(p.town_id != town.pk for p in people):
        errors["attendees"] = [_("Host, recorder and attendees must be people of the town.")]
    if attendee_count is not None and attendee_count < len(attendees):
        errors["attendee_count"] = [
            _("The number present cannot be less than the attendees named.")
        ]
    _decision_errors(decisions, town=town, villages=villages, errors=errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        meeting = Meeting(
            town=town,
            kind=kind,
            title=title.strip(),
            held_on=held_on,
            place=place.strip(),
            host=host,
            recorder=recorder,
            attendee_count=attendee_count if attendee_count is not None else len(attendees),
            expected_count=expected_count,
            minutes=minutes,
            created_by=by,
        )
        meeting._history_user = by  # type: ignore[attr-defined]
        meeting.save()
        meeting.villages.set(villages)
        meeting.attendees.set(attendees)
        roll_take(meeting=meeting, by=by)
        for order, decision in enumerate(decisions):
            _decision_add(meeting, decision, by=by, order=order, villages=villages)
    return meeting


def _decision_add(
    meeting: Meeting,
    decision: DecisionIn,
    *,
    by: User,
    order: int,
    villages: list[Village],
    resolution: Resolution | None = None,
) -> MeetingDecision:
    item = None
    if decision.owner is not None:
        village = decision.village or villages[0]
        # A decision's item belongs to the campaign the decision names, else to the town's
        # standing campaign of meeting decisions (see `ledger.catalogue.campaign_for_kind`).
        campaign = decision.campaign or campaign_for_kind(town=meeting.town, kind=Kind.ACTION)
        item = lifecycle.item_create(
            by=by,
            campaign=campaign,
            village=village,
            title=decision.text.strip()[:200],
            owner=decision.owner,
            found_on=min(meeting.held_on, timezone.localdate()),
            deadline=decision.deadline,
            kind=Kind.ACTION,
            source=Source.MEETING,
            description=_("Decided at: %(meeting)s") % {"meeting": meeting.title},
            via="meeting",
        )
    row = MeetingDecision(
        meeting=meeting,
        resolution=resolution,
        text=decision.text.strip(),
        item=item,
        order=order,
    )
    row._history_user = by  # type: ignore[attr-defined]
    row.save()
    return row


# The reason for amending a held meeting's record goes into its history row (100 characters).
REASON_MAX = 80
AMEND_PREFIX = "amend: "


def meeting_record(
    *,
    meeting: Meeting,
    by: User,
    held_on: date,
    place: str,
    host: Person | None,
    recorder: Person | None,
    attendees: list[Person],
    attendee_count: int | None,
    minutes: str,
    expected_count: int | None = None,
    decisions: list[DecisionIn] | None = None,
    reason: str = "",
) -> Meeting:
    """Record that a drafted meeting (the weekly diagnosis) was held, or amend a held one's record.

    A draft becomes held with its date and place (if they changed), host, recorder, attendance,
    minutes and decisions; each decision with an owner and a deadline becomes an action item. A
    held meeting is amended with a reason: its history keeps the old record, decisions are only
    added (their action items live on in the ledger), and it never goes back to draft.

    `meeting` is the instance the caller showed: if it was a draft and someone recorded it
    meanwhile, this refuses (409) rather than silently turn their record into an amendment.
    """
    attendees = list(attendees)
    decisions = decisions or []
    town = meeting.town
    villages = list(meeting.villages.all())
    _check_organiser(
        by, town, villages, meeting.kind
    )  # as check_recorder, with the villages at hand
    amending = meeting.status == Meeting.Status.HELD
    reason = reason.strip()
    errors: dict[str, list[str]] = {}
    if (
        problem := day_problem(
            held_on,
            DayKind.HAPPENED,
            too_late=_("A meeting cannot be recorded as held on a future date."),
        )
    ) is not None:
        errors["held_on"] = [problem]
    if (problem := too_long(minutes, MINUTES)) is not None:
        errors["minutes"] = [problem]
    people = [p for p in (host, recorder, *attendees) if p is not None]
    if any(p.town_id != town.pk for p in people):
        errors["attendees"] = [_("Host, recorder and attendees must be people of the town.")]
    elif attendee_count is not None and attendee_count < 0:
        errors["attendee_count"] = [_("The number cannot be negative.")]
    elif attendee_count is not None and attendee_count < len(set(attendees)):
        errors["attendee_count"] = [
            _("The number present cannot be less than the attendees named.")
        ]
    elif not attendees and not attendee_count:
        errors["attendees"] = [
            _("Record who attended: name the attendees or give the number present.")
        ]
    if expected_count is not None and expected_count < 0:
        errors["expected_count"] = [_("The number cannot be negative.")]
    if not minutes.strip():
        errors["minutes"] = [_("The minutes are required.")]
    if amending and not reason:
        errors["reason"] = [_("Say why the record of a held meeting is changed.")]
    elif len(reason) > REASON_MAX:
        errors["reason"] = [
            _("The reason is at most %(count)d characters.") % {"count": REASON_MAX}
        ]
    _decision_errors(decisions, town=town, villages=villages, errors=errors)
    if errors:
        raise ValidationError(errors)
    values = {
        "held_on": held_on,
        "place": place.strip(),
        "host": host,
        "recorder": recorder,
        "attendee_count": attendee_count if attendee_count is not None else len(set(attendees)),
        "expected_count": expected_count,
        "minutes": minutes.strip(),
    }
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().select_related("town").get(pk=meeting.pk)
        if locked.status != meeting.status:
            raise ConflictError(
                _(
                    "Someone else recorded this meeting meanwhile; reload it and amend the record if needed."
                ),
                code="meeting_already_recorded",
            )
        attendees_changed = set(locked.attendees.values_list("pk", flat=True)) != {
            p.pk for p in attendees
        }
        fields_changed = [name for name, value in values.items() if getattr(locked, name) != value]
        if amending and not (fields_changed or attendees_changed or decisions):
            raise ValidationError({"__all__": [_("Nothing was changed.")]})
        for name, value in values.items():
            setattr(locked, name, value)
        locked.status = Meeting.Status.HELD
        if attendees_changed:
            # One history row per record or amendment: the save below snapshots the attendees too.
            locked.skip_history_when_saving = True  # type: ignore[attr-defined]
            locked.attendees.set(attendees)
            del locked.skip_history_when_saving  # type: ignore[attr-defined]
        locked._history_user = by  # type: ignore[attr-defined]
        locked._change_reason = f"{AMEND_PREFIX}{reason}" if amending else "record"  # type: ignore[attr-defined]
        locked.save()
        if not amending:
            roll_take(meeting=locked, by=by)
        start = max((d.order for d in locked.decisions.all()), default=-1) + 1
        for index, decision in enumerate(decisions):
            try:
                _decision_add(locked, decision, by=by, order=start + index, villages=villages)
            except NotPermitted as refused:
                # The recorder may record the meeting but not register items in that village.
                raise ValidationError(
                    {f"decisions[{index}].village": [refused.message]}
                ) from refused
            except ValidationError as invalid:
                raise ValidationError(
                    {
                        f"decisions[{index}]"
                        if key == "__all__"
                        else f"decisions[{index}].{key}": texts
                        for key, texts in invalid.message_dict.items()
                    }
                ) from invalid
    return locked


def meeting_file_add(*, meeting: Meeting, by: User, upload: UploadedFile) -> MeetingFile:
    """Attach a photo or document (type, content and size checked) to a meeting."""
    _check_organiser(by, meeting.town, list(meeting.villages.all()), meeting.kind)
    uploader = actor_for(by).person
    if uploader is None:
        # A file names the person who brought it; an administrator without one has no name to give.
        raise NotPermitted(_("Only a member of staff with a role in the town can attach files."))
    checked = check_upload(upload)
    stored = MeetingFile(meeting=meeting, uploaded_by=uploader, **checked.model_fields())
    stored.file.save(checked.name, upload, save=False)
    stored.save()
    return stored


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def diagnosis_draft(
    *,
    town: Town,
    now: datetime,
    stale_days: int = 14,
    watch_list: Callable[[Town, datetime], list[dict[str, Any]]] | None = None,
    topics: Callable[[Town, datetime], dict[int, dict[str, Any]]] | None = None,
) -> Meeting | None:
    """Draft this week's diagnosis meeting with its indicator pack, once per town and week.

    Returns None when another caller drafted it first (the unique constraint decides)."""
    today = timezone.localdate(now)
    monday = week_start(today)
    if Meeting.objects.filter(town=town, kind=MeetingKind.DIAGNOSIS, week_start=monday).exists():
        return None
    pack: dict[str, Any] = diagnosis_pack(
        town=town,
        now=now,
        stale_days=stale_days,
        watch_list=watch_list,
        topics=topics,
    )
    iso_year, iso_week, _weekday = today.isocalendar()
    try:
        with transaction.atomic():
            return Meeting.objects.create(
                town=town,
                kind=MeetingKind.DIAGNOSIS,
                status=Meeting.Status.DRAFT,
                title=_("Weekly diagnosis, week %(week)s of %(year)s")
                % {"week": iso_week, "year": iso_year},
                held_on=today,
                week_start=monday,
                indicators=pack,
            )
    except IntegrityError:
        return None
