"""Dissecting a watch-list entry (剖麻雀): the record of its solving meeting (解难会议), written with
the entry's `dissect` step in one transaction. Measures become action items of the ledger
through its registration service (owner, deadline, the entry's village)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from maque.core.lengths import NOTE, TEXT, too_long
from maque.core.statemachine import Context
from maque.diagnosis import lifecycle
from maque.diagnosis.models import (
    Cause,
    CauseKind,
    Dissection,
    Measure,
    PooledResource,
    WatchEntry,
)
from maque.diagnosis.services import entry_act
from maque.ledger import lifecycle as ledger_lifecycle
from maque.ledger.catalogue import campaign_for_kind
from maque.ledger.errors import NotPermitted
from maque.ledger.models import Campaign, Kind, Source
from maque.meetings.models import Meeting, MeetingKind
from maque.organisation.access import actor_for
from maque.organisation.models import Department, Person, Village


@dataclass(frozen=True)
class CauseIn:
    kind: str
    text: str


@dataclass(frozen=True)
class ResourceIn:
    department: Department
    brings: str


@dataclass(frozen=True)
class MeasureIn:
    text: str
    owner: Person
    deadline: date
    village: Village | None = None
    campaign: Campaign | None = None


@dataclass(frozen=True)
class DissectionIn:
    meeting: Meeting
    causes: list[CauseIn] = field(default_factory=list)
    obstacles: str = ""
    resources: list[ResourceIn] = field(default_factory=list)
    measures: list[MeasureIn] = field(default_factory=list)
    field_walks: list[Meeting] = field(default_factory=list)


def _errors(entry: WatchEntry, record: DissectionIn) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    meeting = record.meeting
    if meeting.town_id != entry.town_id or meeting.kind != MeetingKind.SOLVING:
        errors["meeting"] = [_("Name a solving meeting (解难会议) of the town.")]
    elif Dissection.objects.filter(meeting=meeting).exists():
        errors["meeting"] = [_("This solving meeting already dissects another entry.")]
    if not record.causes:
        errors["causes"] = [_("Record at least one cause.")]
    for index, cause in enumerate(record.causes):
        if cause.kind not in CauseKind.values:
            errors[f"causes[{index}].kind"] = [_("Unknown kind of cause.")]
        if not cause.text.strip():
            errors[f"causes[{index}].text"] = [_("Say what the cause is.")]
        elif (problem := too_long(cause.text, NOTE)) is not None:
            errors[f"causes[{index}].text"] = [problem]
    if (problem := too_long(record.obstacles, TEXT)) is not None:
        errors["obstacles"] = [problem]
    for index, resource in enumerate(record.resources):
        if resource.department.town_id != entry.town_id:
            errors[f"resources[{index}].department"] = [
                _("The department must be one of the town's.")
            ]
        if not resource.brings.strip():
            errors[f"resources[{index}].brings"] = [_("Say what the department brings.")]
        elif (problem := too_long(resource.brings, NOTE)) is not None:
            errors[f"resources[{index}].brings"] = [problem]
    for index, measure in enumerate(record.measures):
        if not measure.text.strip():
            errors[f"measures[{index}].text"] = [_("A measure needs its text.")]
        if measure.owner.town_id != entry.town_id:
            errors[f"measures[{index}].owner"] = [_("The owner must be a person of the town.")]
        village = measure.village or entry.village
        if village is None:
            errors[f"measures[{index}].village"] = [_("Say which village the action belongs to.")]
        elif village.town_id != entry.town_id:
            errors[f"measures[{index}].village"] = [_("Every village must belong to the town.")]
    for walk in record.field_walks:
        if walk.town_id != entry.town_id or walk.kind != MeetingKind.FIELD_WALK:
            errors["field_walks"] = [_("Field walks must be field walks (走看调研) of the town.")]
    return errors


def entry_dissect(
    *,
    entry: WatchEntry,
    by: User,
    record: DissectionIn,
    reason: str = "",
    version: int | None = None,
    via: str = "api",
) -> WatchEntry:
    """Record the entry's solving meeting and take its `dissect` step, in one transaction: the
    causes, obstacles, departments and resources pooled, the measures (each an action item with
    its owner and deadline) and the field walks linked to it."""
    lifecycle.ENTRIES.check(actor_for(by), entry, "dissect")
    errors = _errors(entry, record)
    if errors:
        raise ValidationError(errors)

    def write(current: WatchEntry, ctx: Context[Any]) -> list[str]:
        dissection = Dissection(
            entry=current, meeting=record.meeting, obstacles=record.obstacles.strip(), created_by=by
        )
        dissection._history_user = by  # type: ignore[attr-defined]
        dissection.save()
        dissection.field_walks.set(record.field_walks)
        for order, cause in enumerate(record.causes):
            Cause.objects.create(
                dissection=dissection, kind=cause.kind, text=cause.text.strip(), order=order
            )
        for order, resource in enumerate(record.resources):
            PooledResource.objects.create(
                dissection=dissection,
                department=resource.department,
                brings=resource.brings.strip(),
                order=order,
            )
        for order, measure in enumerate(record.measures):
            village = measure.village or current.village
            assert village is not None  # checked above
            try:
                item = ledger_lifecycle.item_create(
                    by=by,
                    campaign=measure.campaign
                    or campaign_for_kind(town=current.town, kind=Kind.ACTION),
                    village=village,
                    title=measure.text.strip()[:200],
                    owner=measure.owner,
                    found_on=min(record.meeting.held_on, timezone.localdate()),
                    deadline=measure.deadline,
                    kind=Kind.ACTION,
                    source=Source.MEETING,
                    description=_("Decided at: %(meeting)s") % {"meeting": record.meeting.title},
                    measures=measure.text.strip(),
                    via=via,
                )
            except NotPermitted as refused:
                raise ValidationError(
                    {f"measures[{order}].village": [refused.message]}
                ) from refused
            except ValidationError as invalid:
                raise ValidationError(
                    {
                        f"measures[{order}]"
                        if key == "__all__"
                        else f"measures[{order}].{key}": texts
                        for key, texts in invalid.message_dict.items()
                    }
                ) from invalid
            Measure.objects.create(dissection=dissection, item=item, order=order)
        return []

    return entry_act(
        entry=entry, by=by, action="dissect", reason=reason, version=version, via=via, apply=write
    )
