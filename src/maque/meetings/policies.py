"""Who may record meetings (design §6): town leaders for the town, village leaders and secretaries
for their own villages, and village cadres the field walks (走看调研) and village meetings they run
in their own villages (`CADRE_KINDS`). `_refusal` gives the reason as a key; `may_…` answers screens,
`check_…` raises for the services."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import gettext as _

from maque.ledger.errors import NotPermitted
from maque.organisation.actor import Actor
from maque.organisation.roles import Role

TOWN_ORGANISERS = frozenset({Role.PRINCIPAL, Role.LEADER, Role.INSPECTOR})
VILLAGE_ORGANISERS = frozenset({Role.CONTACT_LEADER, Role.SECRETARY})
# The meetings a village cadre (镇村干部) runs and records: the field walk and the village's own
# meetings (meeting kinds by value: the models import this module).
CADRE_KINDS = frozenset(
    {
        "field_walk",
        "representatives",
        "villagers",
        "party_branch",
        "two_committees",
        "party_assembly",
        "four_teams_forum",
        "theme_party_day",
        "party_masses_council",
    }
)


def _refusal(
    actor: Actor,
    *,
    town_id: int | None,
    village_ids: Sequence[int] | None,
    kind: str | None = None,
) -> str | None:
    """Why the actor may not record a meeting of the kind for those villages, as a key.

    `village_ids=None` asks whether the actor records meetings at all (the screens' question);
    `kind=None` asks for any meeting (what a cadre records depends on the kind)."""
    if actor.is_superuser:
        return None
    if actor.person is None:
        return "no_person"
    town_id = actor.person.town_id if town_id is None else town_id
    if actor.roles_over(town_id=town_id, village_id=None) & TOWN_ORGANISERS:
        return None
    if village_ids is None:
        return None if actor.village_ids(*VILLAGE_ORGANISERS, Role.CADRE) else "role"
    organisers = VILLAGE_ORGANISERS | ({Role.CADRE} if kind in CADRE_KINDS else set())
    if village_ids and all(
        actor.roles_over(town_id=town_id, village_id=v) & organisers for v in village_ids
    ):
        return None
    if (
        kind not in CADRE_KINDS
        and village_ids
        and all(actor.roles_over(town_id=town_id, village_id=v) & {Role.CADRE} for v in village_ids)
    ):
        return "kind"
    return "villages"


def may_organise(
    actor: Actor,
    *,
    town_id: int | None = None,
    village_ids: Sequence[int] | None = None,
    kind: str | None = None,
) -> bool:
    return _refusal(actor, town_id=town_id, village_ids=village_ids, kind=kind) is None


def check_organise(
    actor: Actor, *, town_id: int, village_ids: Sequence[int], kind: str | None = None
) -> None:
    refusal = _refusal(actor, town_id=town_id, village_ids=village_ids, kind=kind)
    if refusal == "no_person":
        raise NotPermitted(
            _("Only a member of staff with a role in the town can record a meeting.")
        )
    if refusal == "kind":
        raise NotPermitted(
            _(
                "Cadres record field walks and the village meetings they run; this meeting is recorded by the village secretary or the contact leader."
            )
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
