"""Who may register items, import a ledger, and change items in bulk (design §6): decided here,
once (plots: `organisation.policies`, on the same role set).

The lifecycle registration, the spreadsheet import, the screens and the navigation all ask this
module. `_refusal` gives the reason as a key; `may_…` answers screens, `check_…`
raises the ledger's `NotPermitted`. Who may take each lifecycle action is the lifecycle's own
table (`ledger.lifecycle.rules`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from maque.ledger.errors import NotPermitted
from maque.organisation.access import (
    APPROVER_ROLES,
    ASSIGN_ANYONE_ROLES,
    ASSIGN_VILLAGE_ROLES,
    REGISTER_ROLES,
)
from maque.organisation.actor import Actor
from maque.organisation.models import RoleAssignment

if TYPE_CHECKING:
    from maque.ledger.models import Campaign, Item
    from maque.organisation.models import Person, Village

REGISTER = "register"
BULK = "bulk"
APPROVE = "approve"


def _refusal(
    actor: Actor,
    verb: str,
    *,
    village: Village | None = None,
    campaign: Campaign | None = None,
    item: Item | None = None,
) -> str | None:
    """Why the actor may not do `verb` (in the village / campaign / on the item), as a key.

    Without a village, `register` and `bulk` ask whether the actor may do it anywhere (what a
    navigation link or a button offers; the service asks again for the one village)."""
    if actor.person is None:
        return "no_person"
    roles = REGISTER_ROLES if verb == REGISTER else APPROVER_ROLES
    if item is not None:
        held = actor.roles_over(
            town_id=item.town_id, village_id=item.village_id, campaign_id=item.campaign_id
        )
    elif village is not None:
        held = actor.roles_over(
            town_id=village.town_id,
            village_id=village.pk,
            campaign_id=campaign.pk if campaign is not None else None,
        )
    else:
        held = {
            role for role in roles if actor.town_roles.get(role) or actor.village_roles.get(role)
        }
    return None if held & roles else "role"


def may_register(
    actor: Actor, village: Village | None = None, campaign: Campaign | None = None
) -> bool:
    """Whether the actor registers items in the village (in the campaign), or anywhere when None."""
    return _refusal(actor, REGISTER, village=village, campaign=campaign) is None


def check_register(actor: Actor, village: Village, campaign: Campaign | None = None) -> None:
    if _refusal(actor, REGISTER, village=village, campaign=campaign) is not None:
        raise NotPermitted(
            _("You may not register items in %(village)s.") % {"village": village.name}
        )


def register_villages(actor: Actor, villages: Iterable[Village]) -> list[int]:
    """The ids of those villages where the actor may register items (a registration form's choices)."""
    return [village.pk for village in villages if may_register(actor, village)]


def village_people(village: Village, day: date) -> set[int]:
    """The ids of the people who hold a role in the village on that day (its part of the grid)."""
    return set(
        RoleAssignment.objects.on(day).filter(village=village).values_list("person_id", flat=True)
    )


def owner_refusal(
    actor: Actor,
    *,
    village: Village,
    owner: Person,
    campaign: Campaign | None = None,
    people: dict[int, set[int]] | None = None,
) -> str | None:
    """Why the actor may not name `owner` as the owner of a new item in the village, or None.

    The registrant may always name themselves. Beyond that the grid decides: the principal and the
    leader in charge (of the campaign) may name anyone active in the town; the village's contact
    leader and secretary, and an inspector, the people who hold a role in that village; a cadre
    nobody else. `people` keeps `village_people` across the rows of a bulk registration."""
    if actor.person is not None and owner.pk == actor.person.pk:
        return None
    held = actor.roles_over(
        town_id=village.town_id,
        village_id=village.pk,
        campaign_id=campaign.pk if campaign is not None else None,
    )
    if held & ASSIGN_ANYONE_ROLES:
        return None
    if not held & ASSIGN_VILLAGE_ROLES:
        return "owner_self_only"
    if people is None:
        people = {}
    if village.pk not in people:
        people[village.pk] = village_people(village, actor.day)
    return None if owner.pk in people[village.pk] else "owner_outside_village"


OWNER_REFUSALS = {
    "owner_self_only": gettext_lazy("You may register items only with yourself as the owner."),
    "owner_outside_village": gettext_lazy(
        "The owner must be someone who works in %(village)s (a person of its grid)."
    ),
}


def owner_message(reason: str, village: Village) -> str:
    return str(OWNER_REFUSALS[reason]) % {"village": village.name}


def may_import(actor: Actor) -> bool:
    """A ledger file is imported by staff who may register items somewhere (each row is checked)."""
    return may_register(actor)


def check_import(actor: Actor) -> None:
    if not may_import(actor):
        raise NotPermitted(_("Only staff who may register items can import a ledger."))


def may_bulk(actor: Actor) -> bool:
    """Whether the ledger list offers bulk changes (owner, deadline): to approvers somewhere.
    Each item is changed through `item_update`, which asks again."""
    return _refusal(actor, BULK) is None


def may_approve(actor: Actor, item: Item) -> bool:
    """Whether the actor is an approver of the item (contact leader, leader in charge, principal):
    such a person's own extension or suspension is decided at once, unless they own the item."""
    return (
        _refusal(actor, APPROVE, item=item) is None
        and actor.person is not None
        and actor.person.pk != item.owner_id
    )
