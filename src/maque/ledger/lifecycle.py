"""The item lifecycle (design §4): every state change of an item, implemented once.

Each action is a typed service: it checks the actor's right and the separation of duties, the
evidence and reasons it needs, and the item's version; it locks the row, runs in a transaction,
writes a `Transition` row and keeps the history. The web, the API, imports, the CLI and `tick`
all call these functions; nothing else sets `Item.state`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from maque.ledger.attributes import References, clean_attributes
from maque.ledger.errors import ConflictError, NotPermitted
from maque.ledger.models import (
    OPEN_STATES,
    Campaign,
    Category,
    Item,
    ItemCounter,
    ItemRequest,
    Kind,
    Source,
    State,
    Transition,
)
from maque.organisation.access import APPROVER_ROLES, REGISTER_ROLES, REOPEN_ROLES, Actor, actor_for
from maque.organisation.models import Household, Person, Plot, Village, VillageGroup

OWNER = "owner"

# The allowed transitions, in one table: action -> (states it may start from, resulting state).
# A resulting state of None means the state does not change (an approval or a request).
TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    "start": (frozenset({State.FOUND}), State.RECTIFYING),
    "submit": (frozenset({State.RECTIFYING}), State.SUBMITTED),
    "verify": (frozenset({State.SUBMITTED}), State.CLOSED),
    "return": (frozenset({State.SUBMITTED}), State.RECTIFYING),
    "reopen": (frozenset({State.CLOSED}), State.RECTIFYING),
    "cancel": (frozenset({State.FOUND, State.RECTIFYING}), State.CANCELLED),
    "suspend": (frozenset({State.FOUND, State.RECTIFYING}), None),
    "approve_suspension": (frozenset({State.FOUND, State.RECTIFYING}), State.SUSPENDED),
    "reject_suspension": (frozenset(OPEN_STATES) | {State.SUSPENDED}, None),
    "resume": (frozenset({State.SUSPENDED}), None),  # back to the state it was suspended from
    "extend": (frozenset(OPEN_STATES), None),
    "approve_extension": (frozenset(OPEN_STATES), None),
    "reject_extension": (frozenset(OPEN_STATES) | {State.SUSPENDED}, None),
}

# Who may act, by action. "owner" is the item's owner; roles are those the actor holds over the
# item's village/town/campaign. Verify/return use the category's own verifier roles.
ACTORS: dict[str, frozenset[str]] = {
    "start": frozenset({OWNER}) | APPROVER_ROLES,
    "submit": frozenset({OWNER}),
    "verify": frozenset(),  # from the category
    "return": frozenset(),  # from the category
    "reopen": REOPEN_ROLES,
    "cancel": APPROVER_ROLES,
    "suspend": frozenset({OWNER}) | APPROVER_ROLES,
    "approve_suspension": APPROVER_ROLES,
    "reject_suspension": APPROVER_ROLES,
    "resume": frozenset({OWNER}) | APPROVER_ROLES,
    "extend": frozenset({OWNER}) | APPROVER_ROLES,
    "approve_extension": APPROVER_ROLES,
    "reject_extension": APPROVER_ROLES,
    "progress": frozenset({OWNER}) | APPROVER_ROLES,
    "edit": frozenset({OWNER}) | APPROVER_ROLES,
    "assign": APPROVER_ROLES,
}

ACTION_LABELS = {
    "start": gettext_lazy("start rectifying"),
    "submit": gettext_lazy("submit for verification"),
    "verify": gettext_lazy("verify and close out"),
    "return": gettext_lazy("return as inadequate"),
    "reopen": gettext_lazy("reopen"),
    "cancel": gettext_lazy("cancel"),
    "suspend": gettext_lazy("suspend"),
    "approve_suspension": gettext_lazy("approve suspension"),
    "reject_suspension": gettext_lazy("reject suspension"),
    "resume": gettext_lazy("resume"),
    "extend": gettext_lazy("extend the deadline"),
    "approve_extension": gettext_lazy("approve extension"),
    "reject_extension": gettext_lazy("reject extension"),
}

DEFAULT_VERIFIER_ROLES = ("contact_leader", "leader", "principal", "inspector")


# --- who may do what ------------------------------------------------------------------------


def roles_on_item(actor: Actor, item: Item) -> set[str]:
    """The roles (and `owner`) the actor holds over this item."""
    roles = actor.roles_over(town_id=item.town_id, village_id=item.village_id, campaign_id=item.campaign_id)
    if actor.person is not None and item.owner_id == actor.person.pk:
        roles.add(OWNER)
    return roles


def _allowed_roles(action: str, item: Item) -> frozenset[str]:
    if action in ("verify", "return"):
        configured = item.category.verifier_roles if item.category_id else DEFAULT_VERIFIER_ROLES
        return frozenset(configured or DEFAULT_VERIFIER_ROLES)
    return ACTORS[action]


def may(actor: Actor, item: Item, action: str) -> bool:
    """Whether the actor may take `action` on the item now (state, role and separation of duties)."""
    if action in TRANSITIONS and item.state not in TRANSITIONS[action][0]:
        # The common "no": answered without building (and translating) the refusal message.
        return False
    try:
        _check(actor, item, action)
    except (ConflictError, NotPermitted):
        return False
    return True


def available_actions(user: AbstractBaseUser, item: Item) -> list[str]:
    """The lifecycle actions this user may take on this item right now (for screens and API)."""
    actor = actor_for(user)
    return [action for action in TRANSITIONS if may(actor, item, action)]


def _check(actor: Actor, item: Item, action: str) -> None:
    if action in TRANSITIONS:
        allowed_from, _to = TRANSITIONS[action]
        if item.state not in allowed_from:
            raise ConflictError(
                _("Cannot %(action)s an item that is %(state)s.")
                % {"action": ACTION_LABELS.get(action, action), "state": item.get_state_display()},
                code="transition_not_allowed",
            )
    if actor.person is None:
        raise NotPermitted(_("Only a member of staff with a role in the town can do this."))
    if not roles_on_item(actor, item) & _allowed_roles(action, item):
        raise NotPermitted(_("You may not %(action)s this item.") % {"action": ACTION_LABELS.get(action, action)})
    if action == "verify" and actor.person.pk in {item.owner_id, item.submitted_by_id}:
        # Separation of duties: whoever did or submitted the work never closes it out.
        raise NotPermitted(_("The owner or submitter of an item cannot verify it."))
    if action in ("approve_extension", "approve_suspension") and actor.person.pk == item.owner_id:
        raise NotPermitted(_("The owner of an item cannot approve its own request."))


# --- the machinery shared by every action -----------------------------------------------------


@dataclass(frozen=True)
class Context:
    """Who acts and through which channel."""

    user: AbstractBaseUser
    via: str = "api"

    @property
    def actor(self) -> Actor:
        return actor_for(self.user)


def _locked(item: Item, version: int | None) -> Item:
    """Re-read the item under a row lock and check the caller's version."""
    current = Item.objects.select_for_update(of=("self",)).select_related("category", "town").get(pk=item.pk)
    if version is not None and version != current.version:
        raise ConflictError(
            _("This item was changed by someone else (version %(current)d, yours %(yours)d). Reload and try again.")
            % {"current": current.version, "yours": version},
            code="stale_version",
            current_version=current.version,
        )
    return current


def _save(item: Item, ctx: Context, reason: str, fields: list[str]) -> None:
    # The row is locked (see _locked), so a plain increment is safe.
    item.version += 1
    item._history_user = ctx.user  # type: ignore[attr-defined]
    item._change_reason = f"{ctx.via}: {reason}"[:100]  # type: ignore[attr-defined]
    item.save(update_fields=[*dict.fromkeys(fields), "version", "updated_at"])


def _record(item: Item, ctx: Context, action: str, from_state: str, reason: str = "") -> Transition:
    return Transition.objects.create(
        item=item,
        action=action,
        from_state=from_state,
        to_state=item.state,
        actor=ctx.actor.person,
        actor_user=ctx.user,
        reason=reason,
        via=ctx.via,
    )


def _require_text(value: str | None, field: str, message: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError({field: [message]})
    return text


def _act(
    action: str,
    *,
    item: Item,
    by: AbstractBaseUser,
    version: int | None,
    via: str,
    reason: str = "",
    apply: Callable[[Item, Context], list[str]] | None = None,
) -> Item:
    """Lock, check, apply the change, save with a new version and record the transition."""
    ctx = Context(user=by, via=via)
    with transaction.atomic():
        current = _locked(item, version)
        _check(ctx.actor, current, action)
        from_state = current.state
        target = TRANSITIONS[action][1]
        changed = apply(current, ctx) if apply else []
        if target is not None:
            current.state = target
            changed.append("state")
        if target in (State.CLOSED, State.CANCELLED):
            # A finished item has nothing left to extend or suspend.
            for request in current.requests.select_for_update().filter(status=ItemRequest.Status.PENDING):
                _close_request(request, ctx, ItemRequest.Status.WITHDRAWN, _("The item was %(state)s.") % {"state": current.get_state_display()})
        _save(current, ctx, f"{action} {reason}".strip(), changed)
        _record(current, ctx, action, from_state, reason)
    return current


# --- the actions ----------------------------------------------------------------------------


def item_start(*, item: Item, by: AbstractBaseUser, version: int | None = None, note: str = "", via: str = "api") -> Item:
    """found → rectifying: the owner (or an approver) starts the work."""
    return _act("start", item=item, by=by, version=version, via=via, reason=note.strip())


def item_submit(
    *, item: Item, by: AbstractBaseUser, version: int | None = None, note: str = "", via: str = "api"
) -> Item:
    """rectifying → submitted: the owner asks for verification, with evidence where required."""

    def apply(current: Item, ctx: Context) -> list[str]:
        if current.category_id and current.category.evidence_required and not _has_fresh_evidence(current):
            raise ValidationError(
                {"evidence": [_("This category needs at least one photo or document as evidence before submitting.")]}
            )
        current.submitted_by = ctx.actor.person
        current.submitted_at = timezone.now()
        return ["submitted_by", "submitted_at"]

    return _act("submit", item=item, by=by, version=version, via=via, reason=note.strip(), apply=apply)


def _has_fresh_evidence(item: Item) -> bool:
    """Evidence uploaded since the item was last sent back (or any, if it never was)."""
    last_sent_back = (
        item.transitions.filter(action__in=("return", "reopen")).order_by("-created_at").values_list("created_at", flat=True).first()
    )
    attachments = item.attachments.all()
    if last_sent_back is not None:
        attachments = attachments.filter(uploaded_at__gte=last_sent_back)
    return attachments.exists()


def item_verify(*, item: Item, by: AbstractBaseUser, note: str, version: int | None = None, via: str = "api") -> Item:
    """submitted → closed (销号): a verifier who is neither owner nor submitter, with a note."""
    note = _require_text(note, "note", _("Verifying needs a note on what was checked."))

    def apply(current: Item, ctx: Context) -> list[str]:
        current.verified_by = ctx.actor.person
        current.closed_at = timezone.now()
        current.progress_percent = 100
        return ["verified_by", "closed_at", "progress_percent"]

    return _act("verify", item=item, by=by, version=version, via=via, reason=note, apply=apply)


def item_return(*, item: Item, by: AbstractBaseUser, reason: str, version: int | None = None, via: str = "api") -> Item:
    """submitted → rectifying (整改不到位): the rectification is inadequate; needs a reason."""
    reason = _require_text(reason, "reason", _("Returning an item needs the reason it is inadequate."))

    def apply(current: Item, ctx: Context) -> list[str]:
        current.returned_count += 1
        return ["returned_count"]

    return _act("return", item=item, by=by, version=version, via=via, reason=reason, apply=apply)


def item_reopen(*, item: Item, by: AbstractBaseUser, reason: str, version: int | None = None, via: str = "api") -> Item:
    """closed → rectifying: a relapse found in a look-back, or a false close-out; needs a reason."""
    reason = _require_text(reason, "reason", _("Reopening an item needs a reason."))

    def apply(current: Item, ctx: Context) -> list[str]:
        current.reopened_count += 1
        current.verified_by = None
        current.closed_at = None
        return ["reopened_count", "verified_by", "closed_at"]

    return _act("reopen", item=item, by=by, version=version, via=via, reason=reason, apply=apply)


def item_cancel(*, item: Item, by: AbstractBaseUser, reason: str, version: int | None = None, via: str = "api") -> Item:
    """found/rectifying → cancelled: a duplicate or registered in error; a leader decides, with a reason."""
    reason = _require_text(reason, "reason", _("Cancelling an item needs a reason."))
    return _act("cancel", item=item, by=by, version=version, via=via, reason=reason)


def item_request_extension(
    *, item: Item, by: AbstractBaseUser, new_deadline: date, reason: str, version: int | None = None, via: str = "api"
) -> Item:
    """Ask for a later deadline. An approver asking for an item they do not own decides at once."""
    reason = _require_text(reason, "reason", _("An extension needs a reason."))

    def apply(current: Item, ctx: Context) -> list[str]:
        if new_deadline <= current.deadline:
            raise ValidationError({"new_deadline": [_("The new deadline must be later than the current one.")]})
        request = _open_request(current, ctx, ItemRequest.Type.EXTENSION, reason, new_deadline=new_deadline)
        if _decides_at_once(ctx.actor, current):
            return _apply_extension(current, request, ctx, reason)
        return []

    return _act("extend", item=item, by=by, version=version, via=via, reason=reason, apply=apply)


def item_request_suspension(
    *, item: Item, by: AbstractBaseUser, resume_on: date, reason: str, version: int | None = None, via: str = "api"
) -> Item:
    """Ask to pause an item until `resume_on` (e.g. 复耕 waits for the season)."""
    reason = _require_text(reason, "reason", _("A suspension needs a reason."))
    ctx = Context(user=by, via=via)
    if resume_on <= ctx.actor.day:
        raise ValidationError({"resume_on": [_("The resume date must be in the future.")]})
    with transaction.atomic():
        current = _locked(item, version)
        _check(ctx.actor, current, "suspend")
        request = _open_request(current, ctx, ItemRequest.Type.SUSPENSION, reason, resume_on=resume_on)
        _save(current, ctx, f"suspend {reason}", [])
        _record(current, ctx, "suspend", current.state, reason)
        if _decides_at_once(ctx.actor, current):
            return _decide_suspension(current, request, ctx, approve=True, note=reason)
    return current


def _decides_at_once(actor: Actor, item: Item) -> bool:
    return (
        actor.person is not None
        and actor.person.pk != item.owner_id
        and bool(roles_on_item(actor, item) & APPROVER_ROLES)
    )


def _open_request(item: Item, ctx: Context, type_: str, reason: str, **dates: date) -> ItemRequest:
    if item.requests.filter(type=type_, status=ItemRequest.Status.PENDING).exists():
        raise ConflictError(_("A request of this kind is already waiting for a decision."), code="request_pending")
    try:
        with transaction.atomic():
            return ItemRequest.objects.create(
                item=item, type=type_, requested_by=ctx.actor.person, reason=reason, **dates
            )
    except IntegrityError:
        raise ConflictError(_("A request of this kind is already waiting for a decision."), code="request_pending") from None


def _pending(item: Item, type_: str) -> ItemRequest:
    request = item.requests.select_for_update().filter(type=type_, status=ItemRequest.Status.PENDING).first()
    if request is None:
        raise ConflictError(_("There is no pending request to decide."), code="no_pending_request")
    return request


def _close_request(request: ItemRequest, ctx: Context, status: str, note: str) -> None:
    request.status = status
    request.decided_by = ctx.actor.person
    request.decided_at = timezone.now()
    request.decision_note = note
    request._history_user = ctx.user  # type: ignore[attr-defined]
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])


def _apply_extension(item: Item, request: ItemRequest, ctx: Context, note: str) -> list[str]:
    assert request.new_deadline is not None
    _close_request(request, ctx, ItemRequest.Status.APPROVED, note)
    item.deadline = request.new_deadline
    item.extension_count += 1
    return ["deadline", "extension_count"]


def item_approve_extension(
    *, item: Item, by: AbstractBaseUser, note: str = "", version: int | None = None, via: str = "api"
) -> Item:
    """Approve the pending extension: the deadline moves; the original deadline stays for scoring."""

    def apply(current: Item, ctx: Context) -> list[str]:
        return _apply_extension(current, _pending(current, ItemRequest.Type.EXTENSION), ctx, note.strip())

    return _act("approve_extension", item=item, by=by, version=version, via=via, reason=note.strip(), apply=apply)


def item_reject_extension(
    *, item: Item, by: AbstractBaseUser, reason: str, version: int | None = None, via: str = "api"
) -> Item:
    reason = _require_text(reason, "reason", _("Rejecting a request needs a reason."))

    def apply(current: Item, ctx: Context) -> list[str]:
        _close_request(_pending(current, ItemRequest.Type.EXTENSION), ctx, ItemRequest.Status.REJECTED, reason)
        return []

    return _act("reject_extension", item=item, by=by, version=version, via=via, reason=reason, apply=apply)


def _decide_suspension(item: Item, request: ItemRequest, ctx: Context, *, approve: bool, note: str) -> Item:
    action = "approve_suspension" if approve else "reject_suspension"
    _check(ctx.actor, item, action)
    _close_request(request, ctx, ItemRequest.Status.APPROVED if approve else ItemRequest.Status.REJECTED, note)
    from_state = item.state
    fields: list[str] = []
    if approve:
        item.state = State.SUSPENDED
        item.suspended_on = ctx.actor.day
        item.suspended_until = request.resume_on
        fields = ["state", "suspended_on", "suspended_until"]
    _save(item, ctx, f"{action} {note}".strip(), fields)
    _record(item, ctx, action, from_state, note)
    return item


def item_approve_suspension(
    *, item: Item, by: AbstractBaseUser, note: str = "", version: int | None = None, via: str = "api"
) -> Item:
    """Approve the pending suspension: the item's clock stops until its resume date."""
    ctx = Context(user=by, via=via)
    with transaction.atomic():
        current = _locked(item, version)
        _check(ctx.actor, current, "approve_suspension")
        return _decide_suspension(current, _pending(current, ItemRequest.Type.SUSPENSION), ctx, approve=True, note=note.strip())


def item_reject_suspension(
    *, item: Item, by: AbstractBaseUser, reason: str, version: int | None = None, via: str = "api"
) -> Item:
    reason = _require_text(reason, "reason", _("Rejecting a request needs a reason."))
    ctx = Context(user=by, via=via)
    with transaction.atomic():
        current = _locked(item, version)
        _check(ctx.actor, current, "reject_suspension")
        return _decide_suspension(current, _pending(current, ItemRequest.Type.SUSPENSION), ctx, approve=False, note=reason)


def item_resume(*, item: Item, by: AbstractBaseUser, note: str = "", version: int | None = None, via: str = "api") -> Item:
    """suspended → the state it was suspended from. The paused days are added to the deadline."""

    def apply(current: Item, ctx: Context) -> list[str]:
        suspended = current.transitions.filter(action="approve_suspension").order_by("-created_at", "-id").first()
        current.state = suspended.from_state if suspended else State.RECTIFYING
        paused_days = max((ctx.actor.day - (current.suspended_on or ctx.actor.day)).days, 0)
        current.deadline = current.deadline + timedelta(days=paused_days)
        current.suspended_on = None
        current.suspended_until = None
        return ["state", "deadline", "suspended_on", "suspended_until"]

    return _act("resume", item=item, by=by, version=version, via=via, reason=note.strip(), apply=apply)


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


# --- creation and edits -----------------------------------------------------------------------


EDITABLE_FIELDS = ("title", "description", "measures", "scope", "standard", "subject", "group", "plot", "household", "attributes")
LEADER_FIELDS = ("owner", "deadline")


def _take_codes(town_id: int, town_code: str, year: int, count: int = 1) -> list[str]:
    """Take the next `count` numbers for the town and year in one bump of the locked counter
    (safe with concurrent callers)."""
    ItemCounter.objects.get_or_create(town_id=town_id, year=year)
    counter = ItemCounter.objects.select_for_update().get(town_id=town_id, year=year)
    counter.last = F("last") + count
    counter.save(update_fields=["last"])
    counter.refresh_from_db(fields=["last"])
    first = counter.last - count + 1
    return [f"{town_code.upper()}-{year}-{number:05d}" for number in range(first, counter.last + 1)]


def _next_code(town_id: int, town_code: str, year: int) -> str:
    """Take the next number for the town and year under a row lock."""
    return _take_codes(town_id, town_code, year)[0]


def _new_item_values(
    actor: Actor,
    *,
    by: AbstractBaseUser,
    campaign: Campaign,
    village: Village,
    title: str,
    category: Category | None = None,
    owner: Person | None = None,
    found_on: date | None = None,
    deadline: date | None = None,
    kind: str = Kind.RECTIFICATION,
    source: str = Source.SURVEY,
    attributes: dict[str, Any] | None = None,
    references: References | None = None,
    **details: Any,
) -> dict[str, Any]:
    """The checks of a new item, shared by `item_create` and `items_create_bulk`.

    Returns the field values of the new `Item` (all but its code), or raises `NotPermitted` /
    `ValidationError` with one message per field.
    """
    errors: dict[str, list[str]] = {}
    if actor.person is None or not actor.roles_over(
        town_id=village.town_id, village_id=village.pk, campaign_id=campaign.pk
    ) & REGISTER_ROLES:
        raise NotPermitted(_("You may not register items in %(village)s.") % {"village": village.name})
    if campaign.town_id != village.town_id:
        errors["campaign"] = [_("The campaign belongs to another town.")]
    if category is not None and category.campaign_id != campaign.pk:
        errors["category"] = [_("The category does not belong to this campaign.")]
    if kind == Kind.RECTIFICATION and category is None:
        errors["category"] = [_("A rectification item needs a category.")]
    owner = owner or actor.person
    if owner.town_id != village.town_id or not owner.active:
        errors["owner"] = [_("The owner must be an active person of this town.")]
    if not isinstance(title, str) or not title.strip():
        errors["title"] = [_("The title is required.")]
    if kind not in Kind.values:
        errors["kind"] = [_("Unknown kind of item.")]
    if source not in Source.values:
        errors["source"] = [_("Unknown source.")]
    found_on = found_on or actor.day
    if found_on > actor.day:
        errors["found_on"] = [_("The discovery date cannot be in the future.")]
    if deadline is None:
        days = category.default_deadline_days if category is not None else 30
        deadline = found_on + timedelta(days=days)
    if deadline < found_on:
        errors["deadline"] = [_("The deadline cannot be before the discovery date.")]
    cleaned_details = _clean_details(details, village=village, errors=errors)
    cleaned_attributes: dict[str, Any] = {}
    if category is not None:
        try:
            cleaned_attributes = clean_attributes(category, attributes, village=village, references=references)
        except ValidationError as error:
            errors.update(error.message_dict)
    elif attributes:
        errors["attributes"] = [_("Category fields need a category.")]
    if errors:
        raise ValidationError(errors)
    return dict(
        town_id=village.town_id,
        year=found_on.year,
        kind=kind,
        campaign=campaign,
        category=category,
        village=village,
        owner=owner,
        title=title.strip(),
        found_on=found_on,
        deadline=deadline,
        original_deadline=deadline,
        state=State.FOUND,
        attributes=cleaned_attributes,
        source=source,
        standard=cleaned_details.pop("standard", "") or (category.standard if category else ""),
        created_by=by,
        **cleaned_details,
    )


def item_create(
    *,
    by: AbstractBaseUser,
    campaign: Campaign,
    village: Village,
    title: str,
    category: Category | None = None,
    owner: Person | None = None,
    found_on: date | None = None,
    deadline: date | None = None,
    kind: str = Kind.RECTIFICATION,
    source: str = Source.SURVEY,
    attributes: dict[str, Any] | None = None,
    via: str = "api",
    **details: Any,
) -> Item:
    """Register a new item in state `found`. The owner defaults to the registering person."""
    ctx = Context(user=by, via=via)
    actor = ctx.actor
    values = _new_item_values(
        actor, by=by, campaign=campaign, village=village, title=title, category=category, owner=owner,
        found_on=found_on, deadline=deadline, kind=kind, source=source, attributes=attributes, **details,
    )
    with transaction.atomic():
        item = Item(**values)
        item.code = _next_code(village.town_id, village.town.code, item.year)
        item._history_user = by  # type: ignore[attr-defined]
        item._change_reason = f"{via}: create"  # type: ignore[attr-defined]
        item.save()
        Transition.objects.create(
            item=item, action="create", from_state=State.FOUND, to_state=State.FOUND,
            actor=actor.person, actor_user=by, via=via,
        )
    return item


class BulkCreateError(Exception):
    """Some rows of a bulk creation are invalid, so nothing was created.

    `errors` maps the index of each bad row to its messages per field, as `item_create` would
    have raised them (a missing right to register in the village is reported on `village`).
    """

    def __init__(self, errors: dict[int, dict[str, list[str]]]) -> None:
        super().__init__(f"{len(errors)} invalid rows")
        self.errors = errors


BULK_BATCH_SIZE = 500


def items_create_bulk(
    *, by: AbstractBaseUser, rows: Sequence[Mapping[str, Any]], via: str = "import", source: str = Source.IMPORT
) -> list[Item]:
    """Register many items at once (spreadsheet import): every row gets exactly the checks of
    `item_create`; if any row fails, nothing is written and `BulkCreateError` lists them all.

    The codes come from one bump of the locked counter per town and year; the items, their
    `create` transitions and their history rows are inserted in bulk in one transaction.
    """
    ctx = Context(user=by, via=via)
    actor = ctx.actor
    references = References()
    # Category fields once per category, not once per row.
    category_ids = {row["category"].pk for row in rows if row.get("category") is not None}
    categories = {c.pk: c for c in Category.objects.filter(pk__in=category_ids).prefetch_related("fields")}
    values: list[dict[str, Any]] = []
    errors: dict[int, dict[str, list[str]]] = {}
    for index, row in enumerate(rows):
        arguments = {"source": source, **row}
        if arguments.get("category") is not None:
            arguments["category"] = categories[arguments["category"].pk]
        try:
            values.append(_new_item_values(actor, by=by, references=references, **arguments))
        except NotPermitted as error:
            errors[index] = {"village": [error.message]}
        except ValidationError as error:
            errors[index] = error.message_dict
    if errors:
        raise BulkCreateError(errors)
    items = [Item(**value) for value in values]
    with transaction.atomic():
        by_year: dict[tuple[int, int], list[Item]] = {}
        for item in items:
            by_year.setdefault((item.town_id, item.year), []).append(item)
        for (town_id, year), group in by_year.items():
            codes = _take_codes(town_id, group[0].village.town.code, year, len(group))
            for item, code in zip(group, codes, strict=True):
                item.code = code
        Item.objects.bulk_create(items, batch_size=BULK_BATCH_SIZE)
        Transition.objects.bulk_create(
            [
                Transition(
                    item=item, action="create", from_state=State.FOUND, to_state=State.FOUND,
                    actor=actor.person, actor_user=by, via=via,
                )
                for item in items
            ],
            batch_size=BULK_BATCH_SIZE,
        )
        Item.history.bulk_history_create(
            items, batch_size=BULK_BATCH_SIZE, default_user=by, default_change_reason=f"{via}: create"
        )
    return items


def _clean_details(details: dict[str, Any], *, village: Village, errors: dict[str, list[str]]) -> dict[str, Any]:
    """Check the free-text and subject fields shared by creation and edits."""
    unknown = set(details) - set(EDITABLE_FIELDS) - {"attributes"}
    for name in unknown:
        errors[name] = [_("This field cannot be set.")]
    cleaned: dict[str, Any] = {}
    limits = {"title": 200, "subject": 100, "scope": 200}
    for name in ("title", "description", "measures", "scope", "standard", "subject"):
        if name in details:
            value = details[name] if details[name] is not None else ""
            if not isinstance(value, str):
                errors[name] = [_("Must be text.")]
                continue
            if name in limits and len(value) > limits[name]:
                errors[name] = [_("Too long (at most %(max)d characters).") % {"max": limits[name]}]
                continue
            cleaned[name] = value.strip()
    for name, model in (("group", VillageGroup), ("plot", Plot), ("household", Household)):
        if name in details:
            value = details[name]
            if value is None:
                cleaned[name] = None
            elif isinstance(value, model):
                if value.village_id != village.pk:
                    errors[name] = [_("Must belong to the item's village.")]
                cleaned[name] = value
            else:
                errors[name] = [_("Unknown value.")]
    return cleaned


def item_update(
    *, item: Item, by: AbstractBaseUser, changes: dict[str, Any], version: int | None = None, via: str = "api"
) -> Item:
    """Edit an open item's editable fields; owner and deadline only by an approver. Never `state`."""
    ctx = Context(user=by, via=via)
    errors: dict[str, list[str]] = {}
    with transaction.atomic():
        current = _locked(item, version)
        if current.state not in (*OPEN_STATES, State.SUSPENDED):
            raise ConflictError(
                _("A %(state)s item can no longer be edited.") % {"state": current.get_state_display()},
                code="not_editable",
            )
        roles = roles_on_item(ctx.actor, current)
        if ctx.actor.person is None or not roles & ACTORS["edit"]:
            raise NotPermitted(_("You may not edit this item."))
        plain = {k: v for k, v in changes.items() if k not in (*LEADER_FIELDS, "attributes")}
        fields = _clean_details(plain, village=current.village, errors=errors)
        if "attributes" in changes:
            if current.category_id is None:
                errors["attributes"] = [_("Category fields need a category.")]
            else:
                try:
                    fields["attributes"] = clean_attributes(current.category, changes["attributes"], village=current.village)
                except ValidationError as error:
                    errors.update(error.message_dict)
        if any(name in changes for name in LEADER_FIELDS) and not roles & ACTORS["assign"]:
            raise NotPermitted(_("Only a leader may change the owner or the deadline."))
        if "owner" in changes:
            owner = changes["owner"]
            if not isinstance(owner, Person) or owner.town_id != current.town_id or not owner.active:
                errors["owner"] = [_("The owner must be an active person of this town.")]
            else:
                fields["owner"] = owner
        if "deadline" in changes:
            deadline = changes["deadline"]
            if not isinstance(deadline, date) or deadline < current.found_on:
                errors["deadline"] = [_("The deadline cannot be before the discovery date.")]
            else:
                fields["deadline"] = deadline
        if "title" in fields and not fields["title"]:
            errors["title"] = [_("The title is required.")]
        if errors:
            raise ValidationError(errors)
        changed = [name for name, value in fields.items() if getattr(current, name) != value]
        if not changed:
            return current
        for name in changed:
            setattr(current, name, fields[name])
        _save(current, ctx, "edit " + ", ".join(changed), changed)
    return current
