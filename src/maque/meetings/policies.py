"""Who may record meetings (design §6): town leaders for the town, village leaders and secretaries
for their own villages. `_refusal` gives the reason as a key; `may_…` answers screens,
`check_…` raises for the services."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import gettext as _

from maque.ledger.errors import NotPermitted
from maque.organisation.actor import Actor
from maque.organisation.roles import Role

TOWN_ORGANISERS = frozenset({Role.PRINCIPAL, Role.LEADER, Role.INSPECTOR})
VILLAGE_ORGANISERS = frozenset({Role.CONTACT_LEADER, Role.SECRETARY})


def _refusal(actor: Actor, *, town_id: int | None, village_ids: Sequence[int] | None) -> str | None:
    """Why the actor may not record a meeting of the town for those villages, as a key.

    `village_ids=None` asks whether the actor records meetings at all (the screens' question)."""
    if actor.is_superuser:
        return None
    if actor.person is None:
        return "no_person"
    town_id = actor.person.town_id if town_id is None else town_id
    if actor.roles_over(town_id=town_id, village_id=None) & TOWN_ORGANISERS:
        return None
    if village_ids is None:
        return None if actor.village_ids(*VILLAGE_ORGANISERS) else "role"
    if village_ids and all(
        actor.roles_over(town_id=town_id, village_id=v) & VILLAGE_ORGANISERS for v in village_ids
    ):
        return None
    return "villages"


def may_organise(
    actor: Actor, *, town_id: int | None = None, village_ids: Sequence[int] | None = None
) -> bool:
    return _refusal(actor, town_id=town_id, village_ids=village_ids) is None


def check_organise(actor: Actor, *, town_id: int, village_ids: Sequence[int]) -> None:
    refusal = _refusal(actor, town_id=town_id, village_ids=village_ids)
    if refusal == "no_person":
        raise NotPermitted(
            _("Only a member of staff with a role in the town can record a meeting.")
        )
    if refusal is not None:
        raise NotPermitted(_("You may not record meetings for these villages."))


def town_meeting_readers(actor: Actor) -> set[int]:
    """The towns whose village-less meetings (the weekly diagnosis, town meetings: they concern
    every village) the actor reads through a village role: a contact leader runs the diagnosis of
    his villages. Town-wide roles read all of their towns' meetings anyway."""
    if actor.person is None or not actor.village_ids(Role.CONTACT_LEADER):
        return set()
    return {actor.person.town_id}
