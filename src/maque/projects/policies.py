"""Who may register projects (design §6): the principal and the leaders in charge of the town."""

from __future__ import annotations

from django.utils.translation import gettext as _

from maque.ledger.errors import NotPermitted
from maque.organisation.actor import Actor
from maque.organisation.roles import Role

MANAGERS = frozenset({Role.PRINCIPAL, Role.LEADER})


def may_manage(actor: Actor, *, town_id: int | None = None) -> bool:
    if actor.is_superuser:
        return True
    if actor.person is None:
        return False
    town = actor.person.town_id if town_id is None else town_id
    return bool(actor.roles_over(town_id=town, village_id=None) & MANAGERS)


def check_manage(actor: Actor, *, town_id: int) -> None:
    if not may_manage(actor, town_id=town_id):
        raise NotPermitted(_("Only the principal and the leaders in charge register projects."))
