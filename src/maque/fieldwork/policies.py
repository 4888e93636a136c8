"""Who may do what in the field (design §6): a cadre, a village secretary, a contact leader, a
leader or a principal logs visits and publicity in the villages they hold a role for; the
inspection group, the discipline commission and county supervisors read them only."""

from __future__ import annotations

from django.utils.translation import gettext as _

from maque.ledger.errors import NotPermitted
from maque.organisation.actor import Actor
from maque.organisation.roles import Role

FIELD_ROLES = frozenset(
    {Role.CADRE, Role.SECRETARY, Role.CONTACT_LEADER, Role.LEADER, Role.PRINCIPAL}
)


def may_log(actor: Actor, *, town_id: int, village_id: int) -> bool:
    """Whether the actor logs visits and publicity in that village."""
    if actor.is_superuser:
        return True
    if actor.person is None:
        return False
    return bool(actor.roles_over(town_id=town_id, village_id=village_id) & FIELD_ROLES)


def may_log_anywhere(actor: Actor) -> bool:
    if actor.is_superuser:
        return True
    return bool(
        actor.person is not None
        and (
            actor.village_ids(Role.CADRE, Role.SECRETARY, Role.CONTACT_LEADER)
            or actor.town_ids_for(Role.LEADER, Role.PRINCIPAL)
        )
    )


def check_log(actor: Actor, *, town_id: int, village_id: int) -> None:
    if not may_log(actor, town_id=town_id, village_id=village_id):
        raise NotPermitted(_("You may not log field work in this village."))
