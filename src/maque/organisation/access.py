"""Who the signed-in user is in the organisation, and what that lets them see (design §6).

Everything about roles and scope is decided here, once. Querysets' `visible_to(user)` and the
ledger's lifecycle both ask an `Actor`; no view decides access on its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q
from django.utils import timezone

from maque.organisation.models import TOWN_WIDE_ROLES, Person, Role, RoleAssignment

# Roles that approve extensions/suspensions and cancel items (design §4).
APPROVER_ROLES = frozenset({Role.CONTACT_LEADER, Role.LEADER, Role.PRINCIPAL})
REOPEN_ROLES = frozenset({Role.INSPECTOR, Role.LEADER, Role.PRINCIPAL})
# Roles that may register items in a village they cover.
REGISTER_ROLES = frozenset(
    {Role.PRINCIPAL, Role.LEADER, Role.INSPECTOR, Role.CONTACT_LEADER, Role.CADRE, Role.SECRETARY}
)
# Roles that may see phone and ID numbers unmasked.
PERSONAL_DATA_ROLES = frozenset({Role.PRINCIPAL, Role.DISCIPLINE})


@dataclass
class Actor:
    """A user's person and the role assignments in force on one day."""

    user: AbstractBaseUser | AnonymousUser | None
    person: Person | None
    day: date
    is_superuser: bool = False
    # role -> town ids where it applies town-wide
    town_roles: dict[str, set[int]] = field(default_factory=dict)
    # role -> village ids
    village_roles: dict[str, set[int]] = field(default_factory=dict)
    # leader campaign restrictions: town id -> campaign ids (empty set: all campaigns)
    leader_campaigns: dict[int, set[int]] = field(default_factory=dict)
    # The system acting on its own (`tick`): no person, no role; a state machine lets it take
    # only the actions it lists as automatic.
    automatic: bool = False

    @property
    def town_ids(self) -> set[int]:
        """Towns in which the actor holds any role (including through a village)."""
        towns: set[int] = set()
        for ids in self.town_roles.values():
            towns |= ids
        if self.person is not None and (self.village_roles or self.town_roles):
            towns.add(self.person.town_id)
        return towns

    def village_ids(self, *roles: str) -> set[int]:
        result: set[int] = set()
        for role in roles or self.village_roles.keys():
            result |= self.village_roles.get(role, set())
        return result

    def town_ids_for(self, *roles: str) -> set[int]:
        result: set[int] = set()
        for role in roles:
            result |= self.town_roles.get(role, set())
        return result

    def roles_over(self, *, town_id: int, village_id: int | None, campaign_id: int | None = None) -> set[str]:
        """The roles that give this actor a say over something in that town/village/campaign."""
        roles = {role for role, towns in self.town_roles.items() if town_id in towns and role != Role.LEADER}
        if town_id in self.town_roles.get(Role.LEADER, set()):
            campaigns = self.leader_campaigns.get(town_id, set())
            if not campaigns or campaign_id is None or campaign_id in campaigns:
                roles.add(Role.LEADER)
        if village_id is not None:
            roles |= {role for role, villages in self.village_roles.items() if village_id in villages}
        return roles

    def masks_personal_data(self) -> bool:
        if self.is_superuser:
            return False
        return not any(self.town_roles.get(role) for role in PERSONAL_DATA_ROLES)


def automation_actor(day: date | None = None) -> Actor:
    """The actor of the automation (`maque.core.statemachine.AUTOMATION`): sees nothing, holds no role."""
    return Actor(user=None, person=None, day=day or timezone.localdate(), automatic=True)


def actor_for(user: AbstractBaseUser | AnonymousUser | None, day: date | None = None) -> Actor:
    """Build (and cache on the user object for today) the actor of a user."""
    day = day or timezone.localdate()
    if user is None or not user.is_authenticated:
        return Actor(user=user, person=None, day=day)
    cached = getattr(user, "_maque_actor", None)
    if cached is not None and cached.day == day:
        return cached
    person = Person.objects.filter(user=user, active=True).first()
    actor = Actor(user=user, person=person, day=day, is_superuser=bool(getattr(user, "is_superuser", False)))
    if person is not None:
        assignments = RoleAssignment.objects.on(day).filter(person=person).values_list(
            "role", "town_id", "village_id", "campaign_id"
        )
        unrestricted_leader_towns: set[int] = set()
        for role, town_id, village_id, campaign_id in assignments:
            if role in TOWN_WIDE_ROLES:
                actor.town_roles.setdefault(role, set()).add(town_id)
                if role == Role.LEADER:
                    campaigns = actor.leader_campaigns.setdefault(town_id, set())
                    if campaign_id is not None:
                        campaigns.add(campaign_id)
                    else:
                        unrestricted_leader_towns.add(town_id)
            elif village_id is not None:
                actor.village_roles.setdefault(role, set()).add(village_id)
        # An unrestricted leader assignment covers every campaign, whatever the order of the rows.
        for town_id in unrestricted_leader_towns:
            actor.leader_campaigns[town_id] = set()
    user._maque_actor = actor  # type: ignore[union-attr]
    return actor


def village_scope(actor: Actor, *, village_field: str = "id", town_field: str = "town_id") -> Q | None:
    """A filter for rows of villages the actor may read; None means nothing."""
    if actor.is_superuser:
        return Q()
    condition = Q(pk__in=[])
    town_wide = actor.town_ids_for(*TOWN_WIDE_ROLES)
    if town_wide:
        condition |= Q(**{f"{town_field}__in": town_wide})
    villages = actor.village_ids()
    if villages:
        condition |= Q(**{f"{village_field}__in": villages})
    return condition if (town_wide or villages) else None


def item_scope(actor: Actor) -> Q | None:
    """A filter for the items the actor may read; None means nothing (deny by default)."""
    if actor.is_superuser:
        return Q()
    if actor.person is None:
        return None
    # An owner always sees their own items. Owners belong to the item's town, so for someone who
    # already sees their whole town the clause is redundant; leaving it out keeps the filter a
    # plain `town_id IN (…)` that the database can answer from an index.
    whole_towns = actor.town_ids_for(Role.PRINCIPAL, Role.INSPECTOR, Role.DISCIPLINE, Role.COUNTY_SUPERVISOR)
    whole_towns |= {town for town in actor.town_roles.get(Role.LEADER, set()) if not actor.leader_campaigns.get(town)}
    condition = Q(pk__in=[]) if actor.person.town_id in whole_towns else Q(owner_id=actor.person.pk)
    for role in (Role.PRINCIPAL, Role.INSPECTOR, Role.DISCIPLINE, Role.COUNTY_SUPERVISOR):
        towns = actor.town_roles.get(role)
        if towns:
            condition |= Q(town_id__in=towns)
    for town_id in actor.town_roles.get(Role.LEADER, set()):
        campaigns = actor.leader_campaigns.get(town_id, set())
        condition |= Q(town_id=town_id, campaign_id__in=campaigns) if campaigns else Q(town_id=town_id)
    villages = actor.village_ids()
    if villages:
        condition |= Q(village_id__in=villages)
    return condition
