"""The life of a petition under the 信访工作条例, on the shared state machine (core/statemachine):

    registered ──accept──▶ accepted ──reply──▶ replied ──request_review──▶ review_requested
        └──reject──▶ not_accepted      └─extend (once, ≤ 30 days)        └─satisfaction

One table of transitions, one of who acts, one refusal function: the petition page and the API
offer exactly what the actions accept. Every action is taken on a day (`on`, today unless the
office records a decision made earlier), and the statutory windows are judged on that day in
calendar days (`petitions.limits`): an extension is approved within the handling limit and only
once; a review is requested within 30 days of the reply. A limit that runs out does not refuse
the late decision (the petitioner is still owed it): the rhythm escalates it (`petitions.tick`).
Deciding acceptance, extending and replying each issue their notice in the same transaction.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from maque.core import lengths
from maque.core.dates import DayKind, day_problem
from maque.core.statemachine import STATE, Context, Machine
from maque.ledger.errors import ConflictError, NotPermitted
from maque.organisation.access import Actor, actor_for
from maque.organisation.models import Person
from maque.petitions import limits
from maque.petitions.models import NoticeKind, Petition, PetitionEvent, Satisfaction, State
from maque.petitions.notices import notice_issue
from maque.petitions.policies import HANDLER, OWNER, roles_on

# action -> (states it may start from, resulting state or None: unchanged)
TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    "accept": (frozenset({State.REGISTERED}), State.ACCEPTED),
    "reject": (frozenset({State.REGISTERED}), State.NOT_ACCEPTED),
    "extend": (frozenset({State.ACCEPTED}), None),
    "reply": (frozenset({State.ACCEPTED}), State.REPLIED),
    "satisfaction": (frozenset({State.REPLIED, State.REVIEW_REQUESTED}), None),
    "request_review": (frozenset({State.REPLIED}), State.REVIEW_REQUESTED),
    "assign": (frozenset({State.REGISTERED, State.ACCEPTED}), None),
    "stability": (frozenset({State.REGISTERED, State.ACCEPTED, State.REPLIED}), None),
}

ACTORS: dict[str, frozenset[str]] = {
    "accept": frozenset({HANDLER}),
    "reject": frozenset({HANDLER}),
    "extend": frozenset({HANDLER}),
    "reply": frozenset({HANDLER, OWNER}),
    "satisfaction": frozenset({HANDLER, OWNER}),
    "request_review": frozenset({HANDLER}),
    "assign": frozenset({HANDLER}),
    "stability": frozenset({HANDLER}),
}

ACTION_LABELS = {
    "accept": gettext_lazy("accept"),
    "reject": gettext_lazy("not accept"),
    "extend": gettext_lazy("extend the time for handling"),
    "reply": gettext_lazy("reply in writing"),
    "satisfaction": gettext_lazy("record the petitioner's satisfaction"),
    "request_review": gettext_lazy("record a request for review"),
    "assign": gettext_lazy("assign the handling owner"),
    "stability": gettext_lazy("mark for a stability plan"),
}

STALE = gettext_lazy(
    "This petition was changed by someone else (version %(current)d, yours %(yours)d). Reload and try again."
)

EXTENDED = "extended"
EXTENSION_LATE = "extension_late"
REVIEW_WINDOW = "review_window"
OWN_EXTENSION = "own_extension"


def refusal(actor: Actor, petition: Petition, action: str) -> str | None:
    """Why the actor may not take `action` on the petition on `actor.day` (the state is checked
    by the machine), as a key; None: they may."""
    if actor.person is None and not actor.is_superuser:
        return "no_role"
    if not roles_on(actor, petition) & ACTORS[action]:
        return "role"
    if action == "extend":
        if petition.extension_days > 0:
            return EXTENDED
        if petition.decided_on is not None and actor.day > limits.handling_due(petition.decided_on):
            return EXTENSION_LATE
        if actor.person is not None and petition.owner_id == actor.person.pk:
            # The extension is approved by someone other than whoever handles the matter.
            return OWN_EXTENSION
    if (
        action == "request_review"
        and petition.replied_on is not None
        and actor.day > limits.review_until(petition.replied_on)
    ):
        return REVIEW_WINDOW
    return None


def explain(key: str, actor: Actor, petition: Petition, action: str) -> Exception:
    label = ACTION_LABELS.get(action, action)
    if key == STATE:
        return ConflictError(
            _("Cannot %(action)s a petition that is %(state)s.")
            % {"action": label, "state": petition.get_state_display()},
            code="transition_not_allowed",
        )
    if key == EXTENDED:
        return ConflictError(
            _("The time for handling a petition may be extended only once."), code="extended"
        )
    if key == EXTENSION_LATE:
        return ConflictError(
            _("The handling limit has passed: an extension is approved before it runs out."),
            code="extension_late",
        )
    if key == REVIEW_WINDOW:
        return ConflictError(
            _("A review must be requested within %(days)d calendar days of the reply.")
            % {"days": limits.REVIEW_DAYS},
            code="review_window",
        )
    if key == OWN_EXTENSION:
        return NotPermitted(
            _("The handling owner cannot approve the extension of their own petition.")
        )
    return NotPermitted(_("You may not %(action)s this petition.") % {"action": label})


def record(
    petition: Petition, ctx: Context[Actor], action: str, from_state: str, reason: str
) -> PetitionEvent:
    return PetitionEvent.objects.create(
        petition=petition,
        action=action,
        from_state=from_state,
        to_state=petition.state,
        on=ctx.actor.day,
        actor=ctx.actor.person,
        actor_user=ctx.user,
        reason=reason,
        via=ctx.via,
    )


PETITIONS: Machine[Petition, Actor] = Machine(
    model=Petition,
    transitions=TRANSITIONS,
    actors=ACTORS,
    refuse=refusal,
    explain=explain,
    record=record,
    stale=STALE,
)


def available_actions(user: User, petition: Petition) -> list[str]:
    """The actions the user may take on the petition today, in table order."""
    return PETITIONS.available(actor_for(user), petition)


# --- the actions ----------------------------------------------------------------------------


def _context(by: User, on: date | None, via: str, earliest: date | None) -> Context[Actor]:
    """The actor of `by`, judged on the day `on` (today by default; not in the future, not before
    `earliest`, the day of the step before)."""
    today = timezone.localdate()
    on = on or today
    problem = day_problem(
        on, DayKind.HAPPENED, today, too_late=_("The day of a decision cannot be in the future.")
    )
    if problem is None and earliest is not None and on < earliest:
        problem = _("The day cannot be before %(day)s.") % {"day": earliest.isoformat()}
    if problem is not None:
        raise ValidationError({"on": [problem]})
    actor = actor_for(by)
    return Context(user=by, actor=dataclasses.replace(actor, day=on), via=via)


def _text(value: str, field: str, *, required: bool) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: [_("This is required.")]})
    lengths.check_length(value, lengths.TEXT, field=field)
    return value


def _act(
    petition: Petition,
    action: str,
    *,
    by: User,
    on: date | None,
    earliest: Callable[[Petition], date | None] | None,
    version: int | None,
    via: str,
    reason: str = "",
    apply: Callable[[Petition, Context[Actor]], list[str]] | None = None,
    notice: str | None = None,
) -> Petition:
    with transaction.atomic():
        current = PETITIONS.lock(petition, version)
        ctx = _context(by, on, via, earliest(current) if earliest is not None else None)
        PETITIONS.take(action, current, ctx=ctx, reason=reason, apply=apply)
        if notice is not None:
            notice_issue(current, notice, day=ctx.actor.day, by=by)
    return current


def _received(p: Petition) -> date | None:
    return p.received_on


def _decided(p: Petition) -> date | None:
    return p.decided_on


def _last_step(p: Petition) -> date | None:
    return p.extended_on or p.decided_on


def _replied(p: Petition) -> date | None:
    return p.replied_on


def petition_accept(
    *,
    petition: Petition,
    by: User,
    on: date | None = None,
    note: str = "",
    version: int | None = None,
    via: str = "api",
) -> Petition:
    """Accept the matter (受理): the 60-day handling limit starts; a 受理告知书 is issued."""
    note = _text(note, "note", required=False)

    def apply(p: Petition, ctx: Context[Actor]) -> list[str]:
        p.decided_on = ctx.actor.day
        p.due_on = limits.handling_due(ctx.actor.day)
        return ["decided_on", "due_on"]

    return _act(
        petition,
        "accept",
        by=by,
        on=on,
        earliest=_received,
        version=version,
        via=via,
        reason=note,
        apply=apply,
        notice=NoticeKind.ACCEPTANCE,
    )


def petition_reject(
    *,
    petition: Petition,
    by: User,
    reason: str,
    on: date | None = None,
    version: int | None = None,
    via: str = "api",
) -> Petition:
    """Not accept the matter (不予受理), with the reason; a 不予受理告知书 is issued."""
    reason = _text(reason, "reason", required=True)

    def apply(p: Petition, ctx: Context[Actor]) -> list[str]:
        p.decided_on = ctx.actor.day
        p.not_accepted_reason = reason
        p.due_on = None
        return ["decided_on", "not_accepted_reason", "due_on"]

    return _act(
        petition,
        "reject",
        by=by,
        on=on,
        earliest=_received,
        version=version,
        via=via,
        reason=reason,
        apply=apply,
        notice=NoticeKind.NON_ACCEPTANCE,
    )


def petition_extend(
    *,
    petition: Petition,
    by: User,
    days: int,
    reason: str,
    on: date | None = None,
    version: int | None = None,
    via: str = "api",
) -> Petition:
    """Approve an extension of the handling limit by `days` (1–30, once); a 延期告知书 is issued."""
    reason = _text(reason, "reason", required=True)
    if (
        isinstance(days, bool)
        or not isinstance(days, int)
        or not 1 <= days <= limits.MAX_EXTENSION_DAYS
    ):
        raise ValidationError(
            {
                "days": [
                    _("An extension is 1 to %(max)d calendar days.")
                    % {"max": limits.MAX_EXTENSION_DAYS}
                ]
            }
        )

    def apply(p: Petition, ctx: Context[Actor]) -> list[str]:
        p.extension_days = days
        p.extension_reason = reason
        p.extended_on = ctx.actor.day
        p.extension_approved_by = ctx.actor.person
        p.due_on = limits.handling_due(p.decided_on or ctx.actor.day, days)
        return [
            "extension_days",
            "extension_reason",
            "extended_on",
            "extension_approved_by",
            "due_on",
        ]

    return _act(
        petition,
        "extend",
        by=by,
        on=on,
        earliest=_decided,
        version=version,
        via=via,
        reason=reason,
        apply=apply,
        notice=NoticeKind.EXTENSION,
    )


def petition_reply(
    *,
    petition: Petition,
    by: User,
    reply: str,
    on: date | None = None,
    version: int | None = None,
    via: str = "api",
) -> Petition:
    """Give the written reply (答复意见); an 答复意见书 is issued and the 30-day review window opens."""
    reply = _text(reply, "reply", required=True)

    def apply(p: Petition, ctx: Context[Actor]) -> list[str]:
        p.replied_on = ctx.actor.day
        p.reply = reply
        p.due_on = None
        return ["replied_on", "reply", "due_on"]

    return _act(
        petition,
        "reply",
        by=by,
        on=on,
        earliest=_last_step,
        version=version,
        via=via,
        apply=apply,
        notice=NoticeKind.REPLY,
    )


def petition_satisfaction(
    *,
    petition: Petition,
    by: User,
    satisfaction: str,
    note: str = "",
    on: date | None = None,
    version: int | None = None,
    via: str = "api",
) -> Petition:
    """Record how satisfied the petitioner is with the reply."""
    if satisfaction not in Satisfaction.values:
        raise ValidationError(
            {"satisfaction": [_("Choose satisfied, basically satisfied or dissatisfied.")]}
        )
    note = _text(note, "note", required=False)

    def apply(p: Petition, ctx: Context[Actor]) -> list[str]:
        p.satisfaction = satisfaction
        return ["satisfaction"]

    return _act(
        petition,
        "satisfaction",
        by=by,
        on=on,
        earliest=_replied,
        version=version,
        via=via,
        reason=note or satisfaction,
        apply=apply,
    )


def petition_request_review(
    *,
    petition: Petition,
    by: User,
    note: str = "",
    on: date | None = None,
    version: int | None = None,
    via: str = "api",
) -> Petition:
    """Record the petitioner's request for a review (复查), within 30 days of the reply."""
    note = _text(note, "note", required=False)

    def apply(p: Petition, ctx: Context[Actor]) -> list[str]:
        p.review_requested_on = ctx.actor.day
        return ["review_requested_on"]

    return _act(
        petition,
        "request_review",
        by=by,
        on=on,
        earliest=_replied,
        version=version,
        via=via,
        reason=note,
        apply=apply,
    )


def petition_assign(
    *,
    petition: Petition,
    by: User,
    owner: Person,
    note: str = "",
    version: int | None = None,
    via: str = "api",
) -> Petition:
    """Give the petition another handling owner (an active person of its town)."""
    if owner.town_id != petition.town_id or not owner.active:
        raise ValidationError({"owner": [_("The owner must be an active person of this town.")]})

    def apply(p: Petition, ctx: Context[Actor]) -> list[str]:
        p.owner = owner
        return ["owner"]

    return _act(
        petition,
        "assign",
        by=by,
        on=None,
        earliest=None,
        version=version,
        via=via,
        reason=note or owner.name,
        apply=apply,
    )


def petition_mark_stability(
    *,
    petition: Petition,
    by: User,
    stability: bool,
    reason: str = "",
    version: int | None = None,
    via: str = "api",
) -> Petition:
    """Set or clear the 信访维稳 flag (a matter that needs a stability plan)."""
    reason = _text(reason, "reason", required=True)

    def apply(p: Petition, ctx: Context[Actor]) -> list[str]:
        p.stability = bool(stability)
        return ["stability"]

    return _act(
        petition,
        "stability",
        by=by,
        on=None,
        earliest=None,
        version=version,
        via=via,
        reason=reason,
        apply=apply,
    )


ACTION_SERVICES: dict[str, Callable[..., Petition]] = {
    "accept": petition_accept,
    "reject": petition_reject,
    "extend": petition_extend,
    "reply": petition_reply,
    "satisfaction": petition_satisfaction,
    "request_review": petition_request_review,
    "assign": petition_assign,
    "stability": petition_mark_stability,
}
