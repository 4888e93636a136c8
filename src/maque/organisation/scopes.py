"""The scope rules: which rows an actor may read, each as a filter (design §6).

Each scoped queryset's `scope(actor)` returns one of these; the base (`core.scoping`) has
already answered for superusers, anonymous users and users without a person. None means
nothing. Field names are parameters where a rule serves several models.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q

from maque.organisation.roles import TOWN_WIDE_ROLES

if TYPE_CHECKING:
    from maque.organisation.actor import Actor


def town_member_scope(actor: Actor, *, town_field: str = "town_id") -> Q | None:
    """Rows of the towns in which the actor holds any role (a town, its people, its notices)."""
    towns = actor.town_ids
    return Q(**{f"{town_field}__in": towns}) if towns else None


def town_wide_scope(actor: Actor, *, town_field: str = "town_id") -> Q | None:
    """Rows of the towns where the actor holds a town-wide role (the inspection group's work)."""
    towns = actor.town_ids_for(*TOWN_WIDE_ROLES)
    return Q(**{f"{town_field}__in": towns}) if towns else None


def village_scope(
    actor: Actor, *, village_field: str = "id", town_field: str = "town_id"
) -> Q | None:
    """Rows of villages the actor may read: whole towns for town-wide roles, else their villages."""
    condition = Q(pk__in=[])
    town_wide = actor.town_ids_for(*TOWN_WIDE_ROLES)
    if town_wide:
        condition |= Q(**{f"{town_field}__in": town_wide})
    villages = actor.village_ids()
    if villages:
        condition |= Q(**{f"{village_field}__in": villages})
    return condition if (town_wide or villages) else None


def item_scope(actor: Actor) -> Q | None:
    """The items the actor may read: whole towns, a limited leader's campaigns, their villages'
    items and their own."""
    if actor.person is None:
        return None
    # An owner always sees their own items. Owners belong to the item's town, so for someone who
    # already sees their whole town the clause is redundant; leaving it out keeps the filter a
    # plain `town_id IN (…)` that the database can answer from an index.
    whole_towns = actor.whole_town_ids()
    condition = Q(pk__in=[]) if actor.person.town_id in whole_towns else Q(owner_id=actor.person.pk)
    if whole_towns:
        condition |= Q(town_id__in=whole_towns)
    for town_id, campaigns in actor.limited_campaign_ids().items():
        if town_id not in whole_towns:
            condition |= Q(town_id=town_id, campaign_id__in=campaigns)
    villages = actor.village_ids()
    if villages:
        condition |= Q(village_id__in=villages)
    return condition


def campaign_scope(actor: Actor, *, campaign_field: str = "pk") -> Q | None:
    """Campaigns the actor works in: every campaign of the towns they read as a whole (village
    roles read their town's), only their own campaigns for a leader limited to some."""
    towns = actor.catalogue_town_ids()
    condition = Q(town_id__in=towns) if towns else Q(pk__in=[])
    limited = {
        c for town, ids in actor.limited_campaign_ids().items() if town not in towns for c in ids
    }
    if limited:
        condition |= Q(**{f"{campaign_field}__in": limited})
    return condition if (towns or limited) else None
