"""Who may propose topics and see proposers' personal data (design §6). The lifecycle's
`rules.refusal` decides the actions on a topic."""

from __future__ import annotations

from django.utils.translation import gettext as _

from maque.core.errors import NotPermitted
from maque.organisation.actor import Actor
from maque.organisation.models import Village
from maque.organisation.roles import Role

# Design §6: the village's secretary and contact leader, the leaders and the principal triage
# and answer topics; cadres propose, and so does everyone who triages.
TRIAGE_ROLES = frozenset({Role.SECRETARY, Role.CONTACT_LEADER, Role.LEADER, Role.PRINCIPAL})
PROPOSE_ROLES = TRIAGE_ROLES | {Role.CADRE}


def may_propose(actor: Actor, village: Village) -> bool:
    if actor.is_superuser:
        return True
    if actor.person is None:
        return False
    return bool(actor.roles_over(town_id=village.town_id, village_id=village.pk) & PROPOSE_ROLES)


def check_propose(actor: Actor, village: Village) -> None:
    if not may_propose(actor, village):
        raise NotPermitted(_("You may not propose topics for this village."))


def may_triage(actor: Actor, village: Village) -> bool:
    """Whether the actor sorts this village's topics: the board's actions and the proposers'
    phone numbers (needed to call them back)."""
    if actor.is_superuser:
        return True
    return bool(actor.roles_over(town_id=village.town_id, village_id=village.pk) & TRIAGE_ROLES)


def reads_proposer_unmasked(actor: Actor, village: Village) -> bool:
    """Phones unmasked: the roles that see personal data, and those who triage the village."""
    return not actor.masks_personal_data() or may_triage(actor, village)
