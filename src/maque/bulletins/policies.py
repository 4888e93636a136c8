"""Who may issue a bulletin by hand (design §6: the inspection group issues bulletins)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from maque.ledger.errors import NotPermitted
from maque.organisation.actor import Actor
from maque.organisation.roles import Role

ISSUER_ROLES = frozenset({Role.INSPECTOR, Role.PRINCIPAL})


def _refusal(actor: Actor, *, town_id: int | None) -> str | None:
    """Why the actor may not issue the town's bulletin (their own town's when None), as a key."""
    if actor.is_superuser:
        return None
    if actor.person is None:
        return "no_person"
    town_id = actor.person.town_id if town_id is None else town_id
    if not actor.roles_over(town_id=town_id, village_id=None) & ISSUER_ROLES:
        return "role"
    return None


def may_issue(actor: Actor, *, town_id: int | None = None) -> bool:
    return _refusal(actor, town_id=town_id) is None


def check_issue(actor: Actor, *, town_id: int) -> None:
    if _refusal(actor, town_id=town_id) is not None:
        raise NotPermitted(
            _("Only the inspection group or a principal leader may issue a bulletin.")
        )
