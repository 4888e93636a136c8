"""Who may read and handle petitions (design §6), decided here once.

- Read: the town's principal leaders, the leader in charge of petitions and stability (a leader
  of the town's standing petitions campaign, `ledger.catalogue.campaign_for_kind`; a leader
  without a campaign leads them all), the discipline commission, and the handling owner (a
  village cadre sees only the petitions assigned to them). Nobody else learns a petition exists.
- Handle (register, decide acceptance, approve an extension, assign, record a review request):
  the principal leaders and the leader in charge of petitions.
- Reply and record the petitioner's satisfaction: those, and the handling owner.
- Personal data of the petitioner (name, phone, ID number) unmasked: on a petition's own page and
  in its notices, for those who may read it by their role or as its owner; lists, exports and
  every other screen mask it for everyone (`petitions.queries`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils.translation import gettext as _

from maque.ledger.catalogue import STANDING_CAMPAIGNS
from maque.ledger.errors import NotPermitted
from maque.ledger.models import Campaign, Kind
from maque.organisation.roles import Role

if TYPE_CHECKING:
    from maque.organisation.actor import Actor
    from maque.petitions.models import Petition

PETITIONS_CAMPAIGN_CODE = STANDING_CAMPAIGNS[Kind.PETITION][0]
HANDLER = "handler"
OWNER = "owner"
_CACHE = "_petition_towns"


def _leader_towns(actor: Actor) -> set[int]:
    """Towns where the actor is a leader in charge of petitions."""
    towns = actor.town_roles.get(Role.LEADER, set())
    unrestricted = {town for town in towns if not actor.leader_campaigns.get(town)}
    restricted = {town for town in towns if actor.leader_campaigns.get(town)}
    if restricted:
        campaigns = Campaign.objects.filter(
            town_id__in=restricted, code=PETITIONS_CAMPAIGN_CODE
        ).values_list("town_id", "pk")
        unrestricted |= {
            town for town, pk in campaigns if pk in actor.leader_campaigns.get(town, set())
        }
    return unrestricted


def handler_town_ids(actor: Actor) -> set[int]:
    """Towns whose petitions the actor handles: principal leaders, the leader in charge."""
    cached = getattr(actor, _CACHE, None)
    if cached is None or cached[0] != actor.day:
        cached = (actor.day, frozenset(actor.town_ids_for(Role.PRINCIPAL) | _leader_towns(actor)))
        setattr(actor, _CACHE, cached)
    return set(cached[1])


def reader_town_ids(actor: Actor) -> set[int]:
    """Towns whose every petition the actor reads: the handlers' and the discipline commission's."""
    return handler_town_ids(actor) | actor.town_ids_for(Role.DISCIPLINE)


def petition_scope(actor: Actor) -> Q | None:
    if actor.person is None:
        return None
    towns = reader_town_ids(actor)
    # An owner is always a person of the petition's town (registration and assignment check
    # it), so for a reader of their own town the owner clause adds nothing; leaving it out
    # keeps the filter a plain `town_id IN (…)` that the register's index answers, where an OR
    # with the owner would have the database read every petition of the town.
    condition = Q(pk__in=[]) if actor.person.town_id in towns else Q(owner_id=actor.person.pk)
    if towns:
        condition |= Q(town_id__in=towns)
    return condition


def roles_on(actor: Actor, petition: Petition) -> set[str]:
    """HANDLER and/or OWNER, as the actor stands to this petition."""
    roles: set[str] = set()
    if actor.is_superuser or petition.town_id in handler_town_ids(actor):
        roles.add(HANDLER)
    if actor.person is not None and petition.owner_id == actor.person.pk:
        roles.add(OWNER)
    return roles


def may_read_personal_data(actor: Actor, petition: Petition) -> bool:
    """Whether the petitioner's name, phone and ID number are shown unmasked on its own page."""
    if actor.is_superuser:
        return True
    if actor.person is None:
        return False
    return petition.town_id in reader_town_ids(actor) or petition.owner_id == actor.person.pk


def may_register(actor: Actor, *, town_id: int | None = None) -> bool:
    """Whether the actor registers petitions (in `town_id`, or anywhere when None)."""
    if actor.is_superuser:
        return True
    towns = handler_town_ids(actor)
    return bool(towns) if town_id is None else town_id in towns


def may_open_register(actor: Actor) -> bool:
    """Whether the petition register exists for the actor: readers and owners of any petition."""
    if actor.is_superuser:
        return True
    if actor.person is None:
        return False
    if reader_town_ids(actor):
        return True
    from maque.petitions.models import Petition

    return Petition.objects.filter(owner_id=actor.person.pk).exists()


def check_register(actor: Actor, *, town_id: int) -> None:
    if not may_register(actor, town_id=town_id):
        raise NotPermitted(
            _(
                "Only the principal leaders and the leader in charge of petitions register petitions."
            )
        )
