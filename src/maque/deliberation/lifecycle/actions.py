"""One typed function per action on a topic. Each goes through `machinery.act` (lock, version →
409, refusal, apply, save, transition row); the web, the API, the public page and `tick` call
these and nothing else sets `Topic.state`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from maque.core.dates import DayKind, day_problem
from maque.core.errors import ConflictError
from maque.core.lengths import NOTE, TEXT, too_long
from maque.core.statemachine import AUTOMATION
from maque.deliberation.lifecycle.announce import announce_on_commit
from maque.deliberation.lifecycle.machinery import By, TopicContext, act
from maque.deliberation.lifecycle.rules import ReceiptHolder
from maque.deliberation.models import (
    OPEN_TOPIC_STATES,
    AgendaItem,
    Domain,
    Satisfaction,
    Topic,
    TopicAction,
    Track,
)
from maque.deliberation.queries import survivor
from maque.deliberation.settings import deliberation_settings
from maque.ledger import lifecycle as items
from maque.ledger.catalogue import campaign_for_kind
from maque.ledger.models import Item, Kind, Source, State
from maque.meetings.models import Meeting, MeetingKind, Resolution
from maque.organisation.models import Person
from maque.rhythm.calendar import WorkingCalendar

# The meetings each track is deliberated in (issue 12): 大事一起办 in a joint meeting of the
# village branch and the town party committee, a party-masses council or a representatives'
# meeting; 难事合力办 in a solving meeting with several town departments.
MEETING_KINDS: dict[str, frozenset[str]] = {
    Track.JOINT: frozenset(
        {
            MeetingKind.JOINT,
            MeetingKind.PARTY_MASSES_COUNCIL,
            MeetingKind.REPRESENTATIVES,
            MeetingKind.FOUR_TEAMS_FORUM,
        }
    ),
    Track.CONCERTED: frozenset({MeetingKind.SOLVING, MeetingKind.JOINT}),
}
FINISHED_ITEM_STATES = (State.CLOSED, State.CANCELLED)


def _required(value: str | None, field: str, message: str, limit: int = NOTE) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise ValidationError({field: [message]})
    if (problem := too_long(text, limit)) is not None:
        raise ValidationError({field: [problem]})
    return text


def _optional(value: str | None, field: str, limit: int = NOTE) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if (problem := too_long(text, limit)) is not None:
        raise ValidationError({field: [problem]})
    return text


def _user(ctx: TopicContext) -> User:
    if not isinstance(ctx.user, User):  # pragma: no cover - the table lets only staff create items
        raise ConflictError(_("Only a member of staff can do this."), code="staff_only")
    return ctx.user


def _action_item(
    topic: Topic, ctx: TopicContext, *, owner: Person | None, deadline: date | None, title: str
) -> Item:
    """A ledger action item (source: topic) through the ledger's own registration service."""
    errors: dict[str, list[str]] = {}
    if owner is None:
        errors["owner"] = [_("Choose who carries it out.")]
    if deadline is None:
        errors["deadline"] = [_("Give a deadline.")]
    elif (problem := day_problem(deadline, DayKind.DEADLINE)) is not None:
        errors["deadline"] = [problem]
    elif deadline < timezone.localdate():
        errors["deadline"] = [_("The deadline cannot be in the past.")]
    if errors:
        raise ValidationError(errors)
    item = items.item_create(
        by=_user(ctx),
        campaign=campaign_for_kind(town=topic.town, kind=Kind.ACTION),
        village=topic.village,
        title=(title.strip() or topic.title)[:200],
        owner=owner,
        deadline=deadline,
        kind=Kind.ACTION,
        source=Source.TOPIC,
        description=_("From topic %(code)s: %(title)s")
        % {"code": topic.code, "title": topic.title},
        via=ctx.via,
    )
    TopicAction.objects.create(topic=topic, item=item)
    return item


def topic_accept(
    *,
    topic: Topic,
    by: User,
    track: str,
    domain: str | None = None,
    note: str = "",
    owner: Person | None = None,
    deadline: date | None = None,
    version: int | None = None,
    via: str = "api",
) -> Topic:
    """Accept the topic on a track. A quick topic given an owner and a deadline is assigned at
    once (小事快速办: accepted and assigned as an action item, no meeting)."""
    if track not in Track.values:
        raise ValidationError({"track": [_("Choose a track: quick, joint or concerted.")]})
    if domain is not None and domain not in Domain.values:
        raise ValidationError({"domain": [_("Unknown domain.")]})
    text = _optional(note, "note")

    def apply(current: Topic, ctx: TopicContext) -> list[str]:
        current.track = track
        current.accepted_at = timezone.now()
        fields = ["track", "accepted_at"]
        if domain is not None:
            current.domain = domain
            fields.append("domain")
        return fields

    accepted = act("accept", topic=topic, by=by, version=version, via=via, reason=text, apply=apply)
    if track == Track.QUICK and (owner is not None or deadline is not None):
        return topic_assign(
            topic=accepted, by=by, owner=owner, deadline=deadline, version=accepted.version, via=via
        )
    return accepted


def topic_decline(
    *, topic: Topic, by: User, reason: str, version: int | None = None, via: str = "api"
) -> Topic:
    """Decline with a reason, which the proposer is told."""
    text = _required(reason, "reason", _("Say why the topic is declined."))

    def apply(current: Topic, ctx: TopicContext) -> list[str]:
        current.decline_reason = text
        announce_on_commit(current, "declined")
        return ["decline_reason"]

    return act("decline", topic=topic, by=by, version=version, via=via, reason=text, apply=apply)


def topic_mark_spam(
    *, topic: Topic, by: User, reason: str = "", version: int | None = None, via: str = "api"
) -> Topic:
    """A public topic that is no matter at all (advertising, abuse): never shown, never answered."""
    text = _optional(reason, "reason")
    return act("mark_spam", topic=topic, by=by, version=version, via=via, reason=text)


def topic_merge(
    *,
    topic: Topic,
    by: User,
    into: Topic,
    reason: str = "",
    version: int | None = None,
    via: str = "api",
) -> Topic:
    """A duplicate joins an open topic of the same village: its proposers are told and follow
    the surviving topic (its receipt shows the survivor's progress and answer)."""
    text = _optional(reason, "reason")
    if into.pk == topic.pk:
        raise ValidationError({"into": [_("A topic cannot be merged into itself.")]})
    if into.village_id != topic.village_id:
        raise ValidationError({"into": [_("Topics are merged only within one village.")]})
    if into.state not in OPEN_TOPIC_STATES:
        raise ValidationError({"into": [_("Merge into a topic that is still open.")]})

    def apply(current: Topic, ctx: TopicContext) -> list[str]:
        current.merged_into = into
        announce_on_commit(current, "merged")
        return ["merged_into"]

    reason_text = text or _("Merged into %(code)s") % {"code": into.code}
    return act(
        "merge", topic=topic, by=by, version=version, via=via, reason=reason_text, apply=apply
    )


def topic_assign(
    *,
    topic: Topic,
    by: User,
    owner: Person | None,
    deadline: date | None,
    title: str = "",
    version: int | None = None,
    via: str = "api",
) -> Topic:
    """A quick topic becomes an action item of the ledger with the chosen owner and deadline."""

    def apply(current: Topic, ctx: TopicContext) -> list[str]:
        _action_item(current, ctx, owner=owner, deadline=deadline, title=title)
        return []

    return act("assign", topic=topic, by=by, version=version, via=via, apply=apply)


def topic_add_action(
    *,
    topic: Topic,
    by: User,
    owner: Person | None,
    deadline: date | None,
    title: str = "",
    version: int | None = None,
    via: str = "api",
) -> Topic:
    """One more action item for a topic being carried out."""

    def apply(current: Topic, ctx: TopicContext) -> list[str]:
        _action_item(current, ctx, owner=owner, deadline=deadline, title=title)
        return []

    return act("add_action", topic=topic, by=by, version=version, via=via, apply=apply)


def _check_meeting(topic: Topic, meeting: Meeting) -> None:
    if meeting.town_id != topic.town_id:
        raise ValidationError({"meeting": [_("The meeting belongs to another town.")]})
    villages = set(meeting.villages.values_list("pk", flat=True))
    if villages and topic.village_id not in villages:
        raise ValidationError({"meeting": [_("The meeting is not about this topic's village.")]})
    allowed = MEETING_KINDS.get(topic.track, frozenset())
    if meeting.kind not in allowed:
        raise ValidationError(
            {
                "meeting": [
                    _("A %(track)s topic is deliberated in: %(kinds)s.")
                    % {
                        "track": topic.get_track_display(),
                        "kinds": "、".join(
                            str(MeetingKind(kind).label) for kind in sorted(allowed)
                        ),
                    }
                ]
            }
        )


def topic_schedule(
    *,
    topic: Topic,
    by: User,
    meeting: Meeting,
    order: int = 0,
    version: int | None = None,
    via: str = "api",
) -> Topic:
    """A joint or concerted topic goes on the agenda of a meeting of the right kind."""

    def apply(current: Topic, ctx: TopicContext) -> list[str]:
        _check_meeting(current, meeting)
        if AgendaItem.objects.filter(meeting=meeting, topic=current).exists():
            raise ConflictError(
                _("The topic is already on this meeting's agenda."), code="already_scheduled"
            )
        row = AgendaItem(meeting=meeting, topic=current, order=max(order, 0))
        row._history_user = ctx.user  # type: ignore[attr-defined]
        row.save()
        return []

    return act(
        "schedule", topic=topic, by=by, version=version, via=via, reason=meeting.title, apply=apply
    )


def topic_deliberate(
    *,
    topic: Topic,
    by: User,
    outcome: str = "",
    resolution: Resolution | None = None,
    version: int | None = None,
    via: str = "api",
) -> Topic:
    """The meeting the topic was scheduled into has been held and deliberated it.

    With a `resolution` (of that meeting, quorum and majority checked when it was recorded),
    only a passed one moves the topic: its text is the outcome unless one is given, and the
    agenda row keeps it. Without one, the outcome is the meeting's recorded consensus."""
    if resolution is None:
        text = _required(outcome, "outcome", _("Record what the meeting decided."), TEXT)
    else:
        text = _optional(outcome, "outcome", TEXT) or resolution.text
        if not resolution.passed:
            raise ConflictError(
                _("The resolution did not pass (%(why)s): the topic stays on the agenda.")
                % {"why": resolution.refusal or resolution.get_outcome_display()},
                code="resolution_not_passed",
            )

    def apply(current: Topic, ctx: TopicContext) -> list[str]:
        rows = AgendaItem.objects.select_for_update().filter(
            topic=current,
            deliberated=False,
            meeting__status=Meeting.Status.HELD,
            meeting__held_on__lte=timezone.localdate(),
        )
        if resolution is not None:
            rows = rows.filter(meeting_id=resolution.meeting_id)
        row = rows.order_by("-meeting__held_on", "-id").first()
        if row is None and resolution is not None:
            raise ConflictError(
                _("This topic is not on the agenda of the meeting that passed the resolution."),
                code="resolution_other_meeting",
            )
        if row is None:
            raise ConflictError(
                _("The meeting this topic is scheduled into has not been held yet."),
                code="meeting_not_held",
            )
        row.deliberated = True
        row.outcome = text
        fields = ["deliberated", "outcome"]
        if resolution is not None:
            row.resolution = resolution
            fields.append("resolution")
        row._history_user = ctx.user  # type: ignore[attr-defined]
        row.save(update_fields=fields)
        return []

    return act("deliberate", topic=topic, by=by, version=version, via=via, reason=text, apply=apply)


def topic_implement(
    *,
    topic: Topic,
    by: User,
    owner: Person | None,
    deadline: date | None,
    title: str = "",
    version: int | None = None,
    via: str = "api",
) -> Topic:
    """What was deliberated is carried out: its first action item (more with `add_action`)."""

    def apply(current: Topic, ctx: TopicContext) -> list[str]:
        _action_item(current, ctx, owner=owner, deadline=deadline, title=title)
        return []

    return act("implement", topic=topic, by=by, version=version, via=via, apply=apply)


def items_finished(topic: Topic) -> bool:
    """Every action item of the topic is closed or cancelled, and at least one was closed."""
    states = set(topic.actions.values_list("item__state", flat=True))
    return bool(states) and states <= set(FINISHED_ITEM_STATES) and State.CLOSED in states


def topic_complete(
    *, topic: Topic, by: By = AUTOMATION, version: int | None = None, via: str = "tick"
) -> Topic:
    """Completed once every action item is closed (the automation, `maque tick`); the answer is
    then due within the town's number of working days."""

    def apply(current: Topic, ctx: TopicContext) -> list[str]:
        if not items_finished(current):
            raise ConflictError(_("The topic still has action items to close."), code="items_open")
        today = timezone.localdate()
        days = deliberation_settings(current.town_id).answer_within_days
        current.completed_at = timezone.now()
        current.answer_due = WorkingCalendar.of(current.town_id).add_working_days(today, days)
        return ["completed_at", "answer_due"]

    return act("complete", topic=topic, by=by, version=version, via=via, apply=apply)


def topic_answer(
    *, topic: Topic, by: User, answer: str, version: int | None = None, via: str = "api"
) -> Topic:
    """Tell the proposer what was done (shown on the receipt and the village's board)."""
    text = _required(answer, "answer", _("Write the answer to the proposer."), TEXT)

    def apply(current: Topic, ctx: TopicContext) -> list[str]:
        current.answer = text
        current.answered_at = timezone.now()
        announce_on_commit(current, "answered")
        return ["answer", "answered_at"]

    return act("answer", topic=topic, by=by, version=version, via=via, apply=apply)


def topic_rate(
    *,
    topic: Topic,
    by: User | ReceiptHolder,
    satisfaction: str,
    note: str = "",
    version: int | None = None,
    via: str = "api",
) -> Topic:
    """The proposer's satisfaction with the answer (满意 / 基本满意 / 不满意), once per answer."""
    if satisfaction not in Satisfaction.values:
        raise ValidationError({"satisfaction": [_("Choose 满意, 基本满意 or 不满意.")]})
    text = _optional(note, "note")

    def apply(current: Topic, ctx: TopicContext) -> list[str]:
        current.satisfaction = satisfaction
        current.satisfaction_note = text
        return ["satisfaction", "satisfaction_note"]

    return act(
        "rate",
        topic=topic,
        by=by,
        version=version,
        via=via,
        reason=f"{satisfaction} {text}".strip(),
        apply=apply,
    )


def topic_follow_rate(
    *,
    topic: Topic,
    by: User | ReceiptHolder,
    satisfaction: str,
    note: str = "",
    version: int | None = None,
    via: str = "api",
) -> Topic:
    """A follower's satisfaction (the proposer of a topic merged into another) with the answer
    of the topic it joined: kept on their own merged topic, once; the surviving topic's
    satisfaction stays its own proposer's."""
    if satisfaction not in Satisfaction.values:
        raise ValidationError({"satisfaction": [_("Choose 满意, 基本满意 or 不满意.")]})
    text = _optional(note, "note")

    def apply(current: Topic, ctx: TopicContext) -> list[str]:
        current.satisfaction = satisfaction
        current.satisfaction_note = text
        return ["satisfaction", "satisfaction_note"]

    followed = survivor(topic)
    return act(
        "follow_rate",
        topic=topic,
        by=by,
        version=version,
        via=via,
        reason=f"{satisfaction} {followed.code} {text}".strip(),
        apply=apply,
    )


def topic_reopen(
    *,
    topic: Topic,
    by: User | ReceiptHolder,
    reason: str,
    version: int | None = None,
    via: str = "api",
) -> Topic:
    """A dissatisfied proposer's topic goes back to be handled again (once)."""
    text = _required(reason, "reason", _("Say what is still wrong."))

    def apply(current: Topic, ctx: TopicContext) -> list[str]:
        current.reopened_count += 1
        current.satisfaction = ""
        current.satisfaction_note = ""
        current.answer = ""
        current.answered_at = None
        current.completed_at = None
        current.answer_due = None
        return [
            "reopened_count",
            "satisfaction",
            "satisfaction_note",
            "answer",
            "answered_at",
            "completed_at",
            "answer_due",
        ]

    return act("reopen", topic=topic, by=by, version=version, via=via, reason=text, apply=apply)


ACTION_SERVICES: dict[str, Callable[..., Topic]] = {
    "accept": topic_accept,
    "decline": topic_decline,
    "mark_spam": topic_mark_spam,
    "merge": topic_merge,
    "assign": topic_assign,
    "schedule": topic_schedule,
    "deliberate": topic_deliberate,
    "implement": topic_implement,
    "add_action": topic_add_action,
    "answer": topic_answer,
    "rate": topic_rate,
    "reopen": topic_reopen,
    "follow_rate": topic_follow_rate,
}
# `complete` is the automation's alone (see `tick.complete_finished_topics`).
