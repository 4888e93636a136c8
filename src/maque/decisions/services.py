"""Writes for village decisions (四议两公开): open one, and take its steps in order.

A meeting step names a held meeting of the right kind of the decision's village and a resolution
of that meeting that passed (its quorum and majority were checked when it was recorded,
`meetings/resolutions.py`), on or after the day of the step before. A disclosure gives its day
and its text. Everything goes through `lifecycle.DECISIONS`: row lock, version (409 when stale),
the order of the steps, history and a transition row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from maque.core.dates import DayKind, day_problem
from maque.core.lengths import TEXT, too_long
from maque.core.statemachine import Context
from maque.decisions.lifecycle import DECISIONS
from maque.decisions.models import (
    DISCLOSURES,
    STEP_KINDS,
    DecisionStep,
    Step,
    VillageDecision,
)
from maque.deliberation.models import Topic
from maque.meetings.models import Meeting, MeetingKind, Resolution
from maque.meetings.policies import check_organise
from maque.organisation.access import Actor, actor_for
from maque.organisation.models import Village

TITLE_MAX = VillageDecision._meta.get_field("title").max_length or 100


def decision_create(
    *,
    by: User,
    village: Village,
    title: str,
    description: str = "",
    topic: Topic | None = None,
) -> VillageDecision:
    """Open a decision of the village; its first step is the party branch's proposal."""
    check_organise(actor_for(by), town_id=village.town_id, village_ids=[village.pk])
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors["title"] = [_("The title is required.")]
    elif len(title.strip()) > TITLE_MAX:
        errors["title"] = [_("The title is at most %(count)d characters.") % {"count": TITLE_MAX}]
    if (problem := too_long(description, TEXT)) is not None:
        errors["description"] = [problem]
    if topic is not None and topic.village_id != village.pk:
        errors["topic"] = [_("The topic must be one of the village's.")]
    if errors:
        raise ValidationError(errors)
    decision = VillageDecision(
        town_id=village.town_id,
        village=village,
        title=title.strip(),
        description=description.strip(),
        topic=topic,
        created_by=by,
    )
    decision._history_user = by  # type: ignore[attr-defined]
    decision.save()
    return decision


@dataclass(frozen=True)
class StepIn:
    """What a step is taken on: a meeting (and its resolution), or a disclosure's day and text."""

    meeting: Meeting | None = None
    resolution: Resolution | None = None
    on: date | None = None
    text: str = ""


def _kinds(step: str) -> str:
    return "、".join(str(MeetingKind(kind).label) for kind in sorted(STEP_KINDS[step]))


def step_problems(decision: VillageDecision, step: str, given: StepIn) -> dict[str, list[str]]:
    """Why `given` cannot be the evidence of `step` (field → messages); empty when it can."""
    previous = decision.steps.order_by("-on").values_list("on", flat=True).first()
    errors: dict[str, list[str]] = {}
    if step in DISCLOSURES:
        if given.on is None:
            errors["on"] = [_("Give the day of the disclosure.")]
        elif (problem := day_problem(given.on, DayKind.HAPPENED)) is not None:
            errors["on"] = [problem]
        elif previous is not None and given.on < previous:
            errors["on"] = [
                _("This step cannot come before the one before it (%(day)s).")
                % {"day": previous.isoformat()}
            ]
        if not given.text.strip():
            errors["text"] = [_("Give the text that was disclosed.")]
        elif (problem := too_long(given.text, TEXT)) is not None:
            errors["text"] = [problem]
        if given.meeting is not None or given.resolution is not None:
            errors["meeting"] = [_("A disclosure is not a meeting.")]
        return errors
    meeting = given.meeting
    if meeting is None:
        return {"meeting": [_("Choose the meeting at which this step was taken.")]}
    if (
        meeting.town_id != decision.town_id
        or not meeting.villages.filter(pk=decision.village_id).exists()
    ):
        return {"meeting": [_("The meeting must be one of the decision's village.")]}
    if meeting.kind not in STEP_KINDS[step]:
        errors["meeting"] = [
            _("This step is taken at a %(kinds)s; the meeting chosen is a %(kind)s.")
            % {"kinds": _kinds(step), "kind": meeting.get_kind_display()}
        ]
    elif meeting.status != Meeting.Status.HELD:
        errors["meeting"] = [_("The meeting chosen has not been held yet.")]
    elif previous is not None and meeting.held_on < previous:
        errors["meeting"] = [
            _("This step cannot come before the one before it (%(day)s).")
            % {"day": previous.isoformat()}
        ]
    resolution = given.resolution
    if resolution is None:
        passed = [r for r in meeting.resolutions.all() if r.passed]
        if len(passed) != 1:
            errors["resolution"] = [_("Choose the resolution of the meeting that passed.")]
    elif resolution.meeting_id != meeting.pk:
        errors["resolution"] = [_("The resolution must be one of the meeting's.")]
    elif not resolution.passed:
        errors["resolution"] = [
            _("The resolution chosen did not pass: %(why)s")
            % {"why": resolution.refusal or resolution.get_outcome_display()}
        ]
    return errors


def decision_step(
    *,
    decision: VillageDecision,
    by: User,
    step: str,
    version: int | None,
    given: StepIn,
    via: str = "api",
) -> VillageDecision:
    """Take the next step of the decision (refused out of order, with a stale version, or on
    evidence that is not a passed resolution of a held meeting of the right kind)."""
    if step not in Step.values:
        raise ValidationError({"step": [_("Unknown step.")]})
    ctx = Context(user=by, actor=actor_for(by), via=via)

    def apply(current: VillageDecision, ctx: Context[Actor]) -> list[str]:
        errors = step_problems(current, step, given)
        if errors:
            raise ValidationError(errors)
        resolution = given.resolution
        day = given.meeting.held_on if given.meeting is not None else given.on
        assert day is not None  # step_problems asks for one
        if resolution is None and given.meeting is not None:
            resolution = next(r for r in given.meeting.resolutions.all() if r.passed)
        row = DecisionStep(
            decision=current,
            step=step,
            meeting=given.meeting,
            resolution=resolution,
            on=day,
            text=given.text.strip(),
            created_by=by,
        )
        row._history_user = by  # type: ignore[attr-defined]
        row.save()
        return []

    with transaction.atomic():
        current = DECISIONS.lock(decision, version)
        return DECISIONS.take(step, current, ctx=ctx, apply=apply)
