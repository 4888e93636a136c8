"""The lifecycle actions (design §4), one typed service each."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from maque.core.dates import DayKind, check_day
from maque.ledger.errors import ConflictError
from maque.ledger.lifecycle.land import plot_relapsed, plot_restored
from maque.ledger.lifecycle.machinery import (
    By,
    Context,
    act,
    check,
    close_request,
    context_for,
    locked,
    record,
    require_text,
    save,
)
from maque.ledger.lifecycle.rules import pending_types_forget, policy_for
from maque.ledger.models import Item, ItemRequest, State
from maque.ledger.policies import may_approve
from maque.organisation.access import Actor

# --- the actions ----------------------------------------------------------------------------


def item_start(
    *, item: Item, by: User, version: int | None = None, note: str = "", via: str = "api"
) -> Item:
    """found → rectifying: the owner (or an approver) starts the work."""
    return act("start", item=item, by=by, version=version, via=via, reason=note.strip())


def item_submit(
    *, item: Item, by: User, version: int | None = None, note: str = "", via: str = "api"
) -> Item:
    """rectifying → submitted: the owner asks for verification, with evidence where required."""

    def apply(current: Item, ctx: Context) -> list[str]:
        if (
            current.category is not None
            and current.category.evidence_required
            and not has_fresh_evidence(current)
        ):
            raise ValidationError(
                {
                    "evidence": [
                        _(
                            "This category needs at least one photo or document as evidence before submitting."
                        )
                    ]
                }
            )
        current.submitted_by = ctx.actor.person
        current.submitted_at = timezone.now()
        return ["submitted_by", "submitted_at"]

    return act(
        "submit", item=item, by=by, version=version, via=via, reason=note.strip(), apply=apply
    )


def has_fresh_evidence(item: Item) -> bool:
    """Evidence uploaded since the item was last sent back (or any, if it never was)."""
    last_sent_back = (
        item.transitions.filter(action__in=("return", "reopen"))
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    attachments = item.attachments.all()
    if last_sent_back is not None:
        attachments = attachments.filter(uploaded_at__gte=last_sent_back)
    return attachments.exists()


def item_verify(
    *, item: Item, by: User, note: str, version: int | None = None, via: str = "api"
) -> Item:
    """submitted → closed (销号): a verifier who is neither owner nor submitter, with a note."""
    note = require_text(note, "note", _("Verifying needs a note on what was checked."))

    def apply(current: Item, ctx: Context) -> list[str]:
        current.verified_by = ctx.actor.person
        current.closed_at = timezone.now()
        current.progress_percent = 100
        plot_restored(current, ctx)
        return ["verified_by", "closed_at", "progress_percent"]

    return act("verify", item=item, by=by, version=version, via=via, reason=note, apply=apply)


def item_return(
    *, item: Item, by: User, reason: str, version: int | None = None, via: str = "api"
) -> Item:
    """submitted → rectifying (整改不到位): the rectification is inadequate; needs a reason."""
    reason = require_text(
        reason, "reason", _("Returning an item needs the reason it is inadequate.")
    )

    def apply(current: Item, ctx: Context) -> list[str]:
        current.returned_count += 1
        return ["returned_count"]

    return act("return", item=item, by=by, version=version, via=via, reason=reason, apply=apply)


def item_reopen(
    *, item: Item, by: User, reason: str, version: int | None = None, via: str = "api"
) -> Item:
    """closed → rectifying: a relapse found in a look-back, or a false close-out; needs a reason."""
    reason = require_text(reason, "reason", _("Reopening an item needs a reason."))

    def apply(current: Item, ctx: Context) -> list[str]:
        current.reopened_count += 1
        current.verified_by = None
        current.closed_at = None
        plot_relapsed(current, ctx)
        return ["reopened_count", "verified_by", "closed_at"]

    return act("reopen", item=item, by=by, version=version, via=via, reason=reason, apply=apply)


def item_cancel(
    *, item: Item, by: User, reason: str, version: int | None = None, via: str = "api"
) -> Item:
    """found/rectifying → cancelled: a duplicate or registered in error; a leader decides, with a reason."""
    reason = require_text(reason, "reason", _("Cancelling an item needs a reason."))
    return act("cancel", item=item, by=by, version=version, via=via, reason=reason)


def item_request_extension(
    *,
    item: Item,
    by: User,
    new_deadline: date,
    reason: str,
    version: int | None = None,
    via: str = "api",
) -> Item:
    """Ask for a later deadline. An approver asking for an item they do not own decides at once."""
    reason = require_text(reason, "reason", _("An extension needs a reason."))

    def apply(current: Item, ctx: Context) -> list[str]:
        if new_deadline <= current.deadline:
            raise ValidationError(
                {"new_deadline": [_("The new deadline must be later than the current one.")]}
            )
        check_day(new_deadline, DayKind.DEADLINE, field="new_deadline", today=ctx.actor.day)
        longest = policy_for(current.kind).deadlines.max_extension_days
        if longest is not None and (new_deadline - current.deadline).days > longest:
            raise ValidationError(
                {
                    "new_deadline": [
                        _("This item may be extended by at most %(days)d days.") % {"days": longest}
                    ]
                }
            )
        request = _open_request(
            current, ctx, ItemRequest.Type.EXTENSION, reason, new_deadline=new_deadline
        )
        if _decides_at_once(ctx.actor, current):
            return _apply_extension(current, request, ctx, reason)
        return []

    return act("extend", item=item, by=by, version=version, via=via, reason=reason, apply=apply)


def item_request_suspension(
    *,
    item: Item,
    by: User,
    resume_on: date,
    reason: str,
    version: int | None = None,
    via: str = "api",
) -> Item:
    """Ask to pause an item until `resume_on` (e.g. 复耕 waits for the season)."""
    reason = require_text(reason, "reason", _("A suspension needs a reason."))
    ctx = context_for(by, via)
    if resume_on <= ctx.actor.day:
        raise ValidationError({"resume_on": [_("The resume date must be in the future.")]})
    check_day(resume_on, DayKind.DEADLINE, field="resume_on", today=ctx.actor.day)
    with transaction.atomic():
        current = locked(item, version)
        check(ctx.actor, current, "suspend")
        request = _open_request(
            current, ctx, ItemRequest.Type.SUSPENSION, reason, resume_on=resume_on
        )
        save(current, ctx, f"suspend {reason}", [])
        record(current, ctx, "suspend", current.state, reason)
        if _decides_at_once(ctx.actor, current):
            return _decide_suspension(current, request, ctx, approve=True, note=reason)
    return current


def _decides_at_once(actor: Actor, item: Item) -> bool:
    return may_approve(actor, item)


def _open_request(item: Item, ctx: Context, type_: str, reason: str, **dates: date) -> ItemRequest:
    if item.requests.filter(type=type_, status=ItemRequest.Status.PENDING).exists():
        raise ConflictError(
            _("A request of this kind is already waiting for a decision."), code="request_pending"
        )
    # `check` refused the request to an actor without a person.
    assert ctx.actor.person is not None
    try:
        with transaction.atomic():
            request = ItemRequest.objects.create(
                item=item, type=type_, requested_by=ctx.actor.person, reason=reason, **dates
            )
        pending_types_forget(item)
        return request
    except IntegrityError:
        raise ConflictError(
            _("A request of this kind is already waiting for a decision."), code="request_pending"
        ) from None


def _pending(item: Item, type_: str) -> ItemRequest:
    request = (
        item.requests.select_for_update()
        .filter(type=type_, status=ItemRequest.Status.PENDING)
        .first()
    )
    if request is None:
        raise ConflictError(_("There is no pending request to decide."), code="no_pending_request")
    return request


def _apply_extension(item: Item, request: ItemRequest, ctx: Context, note: str) -> list[str]:
    assert request.new_deadline is not None
    close_request(request, ctx, ItemRequest.Status.APPROVED, note)
    item.deadline = request.new_deadline
    item.extension_count += 1
    if item.open_ended:
        item.open_ended = False  # a deadline is set: the legacy matter's clock runs
        return ["deadline", "extension_count", "open_ended"]
    return ["deadline", "extension_count"]


def item_approve_extension(
    *, item: Item, by: User, note: str = "", version: int | None = None, via: str = "api"
) -> Item:
    """Approve the pending extension: the deadline moves; the original deadline stays for scoring."""

    def apply(current: Item, ctx: Context) -> list[str]:
        return _apply_extension(
            current, _pending(current, ItemRequest.Type.EXTENSION), ctx, note.strip()
        )

    return act(
        "approve_extension",
        item=item,
        by=by,
        version=version,
        via=via,
        reason=note.strip(),
        apply=apply,
    )


def item_reject_extension(
    *, item: Item, by: User, reason: str, version: int | None = None, via: str = "api"
) -> Item:
    reason = require_text(reason, "reason", _("Rejecting a request needs a reason."))

    def apply(current: Item, ctx: Context) -> list[str]:
        close_request(
            _pending(current, ItemRequest.Type.EXTENSION), ctx, ItemRequest.Status.REJECTED, reason
        )
        return []

    return act(
        "reject_extension", item=item, by=by, version=version, via=via, reason=reason, apply=apply
    )


def _decide_suspension(
    item: Item, request: ItemRequest, ctx: Context, *, approve: bool, note: str
) -> Item:
    action = "approve_suspension" if approve else "reject_suspension"
    check(ctx.actor, item, action)
    close_request(
        request, ctx, ItemRequest.Status.APPROVED if approve else ItemRequest.Status.REJECTED, note
    )
    from_state = item.state
    fields: list[str] = []
    if approve:
        item.state = State.SUSPENDED
        item.suspended_on = ctx.actor.day
        item.suspended_until = request.resume_on
        fields = ["state", "suspended_on", "suspended_until"]
    save(item, ctx, f"{action} {note}".strip(), fields)
    record(item, ctx, action, from_state, note)
    return item


def item_approve_suspension(
    *, item: Item, by: User, note: str = "", version: int | None = None, via: str = "api"
) -> Item:
    """Approve the pending suspension: the item's clock stops until its resume date."""
    ctx = context_for(by, via)
    with transaction.atomic():
        current = locked(item, version)
        check(ctx.actor, current, "approve_suspension")
        return _decide_suspension(
            current,
            _pending(current, ItemRequest.Type.SUSPENSION),
            ctx,
            approve=True,
            note=note.strip(),
        )


def item_reject_suspension(
    *, item: Item, by: User, reason: str, version: int | None = None, via: str = "api"
) -> Item:
    reason = require_text(reason, "reason", _("Rejecting a request needs a reason."))
    ctx = context_for(by, via)
    with transaction.atomic():
        current = locked(item, version)
        check(ctx.actor, current, "reject_suspension")
        return _decide_suspension(
            current, _pending(current, ItemRequest.Type.SUSPENSION), ctx, approve=False, note=reason
        )


def item_resume(
    *, item: Item, by: By, note: str = "", version: int | None = None, via: str = "api"
) -> Item:
    """suspended → the state it was suspended from. The paused days are added to the deadline.

    `tick` resumes as `AUTOMATION` (the one action the automation may take on an item)."""

    def apply(current: Item, ctx: Context) -> list[str]:
        suspended = (
            current.transitions.filter(action="approve_suspension")
            .order_by("-created_at", "-id")
            .first()
        )
        current.state = suspended.from_state if suspended else State.RECTIFYING
        paused_days = max((ctx.actor.day - (current.suspended_on or ctx.actor.day)).days, 0)
        current.deadline = current.deadline + timedelta(days=paused_days)
        current.suspended_on = None
        current.suspended_until = None
        return ["state", "deadline", "suspended_on", "suspended_until"]

    return act(
        "resume", item=item, by=by, version=version, via=via, reason=note.strip(), apply=apply
    )


ACTION_SERVICES: dict[str, Callable[..., Item]] = {
    "start": item_start,
    "submit": item_submit,
    "verify": item_verify,
    "return": item_return,
    "reopen": item_reopen,
    "cancel": item_cancel,
    "suspend": item_request_suspension,
    "approve_suspension": item_approve_suspension,
    "reject_suspension": item_reject_suspension,
    "resume": item_resume,
    "extend": item_request_extension,
    "approve_extension": item_approve_extension,
    "reject_extension": item_reject_extension,
}
