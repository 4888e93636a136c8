"""Who may inspect and who reads the town's supervision work (design §6): decided here, once.

`_refusal` gives the reason as a key; `may_…` answers screens and the API, `check_…` raises for
the services.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from maque.ledger.errors import NotPermitted
from maque.organisation.actor import Actor
from maque.organisation.roles import TOWN_WIDE_ROLES, Role

# The inspection group and the principal leaders record findings and open rounds and reviews.
INSPECTOR_ROLES = frozenset({Role.INSPECTOR, Role.PRINCIPAL})


def _refusal(actor: Actor, *, town_id: int | None) -> str | None:
    """Why the actor may not inspect in the town (in their own town when None), as a key."""
    if actor.person is None:
        return "no_person"
    town_id = actor.person.town_id if town_id is None else town_id
    if not actor.roles_over(town_id=town_id, village_id=None) & INSPECTOR_ROLES:
        return "role"
    return None


def may_inspect(actor: Actor, *, town_id: int | None = None) -> bool:
    """Inspection group and principal leaders record findings (a superuser acts as the system)."""
    return _refusal(actor, town_id=town_id) is None


def check_inspect(actor: Actor, *, town_id: int) -> None:
    if _refusal(actor, town_id=town_id) is not None:
        raise NotPermitted(_("Only the inspection group or a principal leader may do this."))


def reads_whole_town(actor: Actor, *, town_id: int | None = None) -> bool:
    """Town-wide roles read all of the town's supervision work and scores (any town's when None);
    village roles read their villages' rows only."""
    if actor.is_superuser:
        return True
    towns = actor.town_ids_for(*TOWN_WIDE_ROLES)
    return bool(towns) if town_id is None else town_id in towns
