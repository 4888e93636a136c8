"""Who is told of an item's events, and what they read (design §5: the people who must act or
who were acted upon hear of it, in the inbox and through the town's channels).

Submitting tells the verifiers of the village and campaign; returning, verifying and reopening
tell the owner; a request tells those who may decide it; a decision tells whoever asked (and the
owner); assigning an owner, by hand or by a meeting's decision, tells the new owner. Never the
actor themself. The ledger announces each event after its transaction commits
(`ledger.lifecycle.announce`), so a refused or rolled-back action tells nobody; a notice is keyed
by the item's version after the event, so a retry tells nobody twice.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from maque.ledger.lifecycle.announce import REQUEST_OF, ItemEvent
from maque.ledger.lifecycle.rules import allowed_roles
from maque.ledger.models import Item, ItemRequest
from maque.notifications.services import notify
from maque.organisation.models import Person, Role
from maque.organisation.queries import responsible_for

# Those nearest the item come first: the village's contact leader and the campaign's leader in
# charge; the town-wide roles hear of it only when nobody nearer holds the right.
NEAR_ROLES = (Role.CONTACT_LEADER, Role.LEADER)

TITLES = {
    "submit": gettext_lazy("Submitted for verification: %(code)s %(title)s"),
    "return": gettext_lazy("Returned as inadequate: %(code)s %(title)s"),
    "verify": gettext_lazy("Verified and closed out: %(code)s %(title)s"),
    "reopen": gettext_lazy("Reopened: %(code)s %(title)s"),
    "extend": gettext_lazy("Extension requested: %(code)s %(title)s"),
    "suspend": gettext_lazy("Suspension requested: %(code)s %(title)s"),
    "approve_extension": gettext_lazy("Extension approved: %(code)s %(title)s"),
    "reject_extension": gettext_lazy("Extension rejected: %(code)s %(title)s"),
    "approve_suspension": gettext_lazy("Suspension approved: %(code)s %(title)s"),
    "reject_suspension": gettext_lazy("Suspension rejected: %(code)s %(title)s"),
    "assigned": gettext_lazy("Assigned to you: %(code)s %(title)s"),
}
EVENTS = frozenset(TITLES)
DECISIONS = {
    "approve_extension": ItemRequest.Type.EXTENSION,
    "reject_extension": ItemRequest.Type.EXTENSION,
    "approve_suspension": ItemRequest.Type.SUSPENSION,
    "reject_suspension": ItemRequest.Type.SUSPENSION,
}


def notify_item_event(happened: ItemEvent) -> int:
    """Notify the people who must act on, or were acted upon by, an item's event (see the
    module); returns how many notifications were created."""
    if happened.event not in EVENTS:
        return 0
    item_id, event, version, actor, reason = (
        happened.item_id,
        happened.event,
        happened.version,
        happened.actor,
        happened.reason,
    )
    item = (
        Item.objects.select_related("village", "owner", "category", "town")
        .filter(pk=item_id)
        .first()
    )
    if item is None:
        return 0
    recipients, note = _recipients(item, event, happened.request_id)
    actor_id = actor.pk if actor is not None else None
    people = [person for person in recipients if person.pk != actor_id]
    if not people:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        # Stored text: in the deployment's language, whoever acted.
        title = str(TITLES[event]) % {"code": item.code, "title": item.title}
        parts = [reason.strip(), note, _by(actor)]
        body = " · ".join(part for part in parts if part)
    created = notify(
        recipients=people,
        kind=f"item.{event}",
        title=title,
        body=body,
        link=f"/items/{item.pk}/",
        key=f"item:{item.pk}:{event}:v{version}",
        town=item.town,
    )
    return len(created)


def _by(actor: Person | None) -> str:
    return _("by %(name)s") % {"name": actor.name} if actor is not None else ""


def _recipients(item: Item, event: str, request_id: int | None) -> tuple[list[Person], str]:
    """Who hears of the event, and a note for the body."""
    today = timezone.localdate()
    if event == "submit":
        return _deciders(item, allowed_roles("verify", item), today), ""
    if event in ("return", "verify", "reopen", "assigned"):
        return [item.owner], ""
    if event in REQUEST_OF:
        request = item.requests.filter(pk=request_id).first() if request_id is not None else None
        if request is None:
            return [], ""
        if request.decided_by_id is None or request.decided_by_id != request.requested_by_id:
            # Asked of the approvers (who may since have decided: they were asked all the same).
            # Those who may decide it, as the lifecycle's table says.
            decide = "approve_extension" if event == "extend" else "approve_suspension"
            return _deciders(item, allowed_roles(decide, item), today), _request_note(request)
        if event == "extend":
            # An approver extended someone else's item at once: the owner hears of the decision.
            return [item.owner], _request_note(request)
        return [], ""  # a suspension decided at once is told by its decision
    decisions = item.requests.filter(type=DECISIONS[event]).exclude(
        status=ItemRequest.Status.PENDING
    )
    decided = decisions.select_related("requested_by").order_by("-decided_at", "-id").first()
    people = [decided.requested_by] if decided is not None else []
    return [*people, item.owner], _request_note(decided) if decided is not None else ""


def _deciders(item: Item, roles: frozenset[str] | tuple[str, ...], day: date) -> list[Person]:
    """The holders of `roles` over the item: the nearest ones (village, campaign), else the town's."""
    near = [role for role in NEAR_ROLES if role in roles]
    people = (
        responsible_for(village=item.village, roles=near, day=day, campaign_id=item.campaign_id)
        if near
        else []
    )
    if not people:
        town_wide = [role for role in roles if role not in NEAR_ROLES]
        people = responsible_for(
            village=item.village, roles=town_wide, day=day, campaign_id=item.campaign_id
        )
    return [person for person in people if person.pk not in {item.owner_id, item.submitted_by_id}]


def _request_note(request: ItemRequest) -> str:
    if request.new_deadline is not None:
        return _("new deadline %(day)s") % {"day": request.new_deadline.isoformat()}
    if request.resume_on is not None:
        return _("resume on %(day)s") % {"day": request.resume_on.isoformat()}
    return ""
