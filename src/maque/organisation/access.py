"""Who the signed-in user is in the organisation, and what that lets them see (design §6).

Everything about roles and scope is decided here and in the modules it gathers, once: `actor.py`
(the `Actor`), `scopes.py` (the rules every `visible_to(user)` applies, through
`core.scoping.ScopedQuerySet`) and the role sets below, which only access and policy modules
read. The apps' `policies.py` answer "may this actor do that"; no view decides access on its own.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.contrib.auth.models import AnonymousUser, User
from django.utils import timezone

from maque.core.masking import mask_text
from maque.organisation.actor import PERSONAL_DATA_ROLES, Actor
from maque.organisation.models import Person, RoleAssignment
from maque.organisation.roles import TOWN_WIDE_ROLES, VILLAGE_ROLES, Role
from maque.organisation.scopes import item_scope, village_scope

# Roles that approve extensions/suspensions and cancel items (design §4).
APPROVER_ROLES = frozenset({Role.CONTACT_LEADER, Role.LEADER, Role.PRINCIPAL})
# Reopening a closed item: the inspection group and the leaders, and the village's contact leader,
# who looks back on its quality (回头看, the 推进会's) after verifying it in the first place.
REOPEN_ROLES = frozenset({Role.INSPECTOR, Role.LEADER, Role.PRINCIPAL, Role.CONTACT_LEADER})
# Who may name someone else as an item's owner at registration (design §6, the grid): these
# town-wide roles anyone active in the town; these village-side roles (and the inspectors who
# register what they find) the people who hold a role in that village. Everyone else names
# only themselves; changing an owner later stays with the approvers.
ASSIGN_ANYONE_ROLES = frozenset({Role.PRINCIPAL, Role.LEADER})
ASSIGN_VILLAGE_ROLES = frozenset({Role.CONTACT_LEADER, Role.SECRETARY, Role.INSPECTOR})
# Roles that may register items in a village they cover.
REGISTER_ROLES = frozenset(
    {Role.PRINCIPAL, Role.LEADER, Role.INSPECTOR, Role.CONTACT_LEADER, Role.CADRE, Role.SECRETARY}
)

__all__ = [
    "APPROVER_ROLES",
    "ASSIGN_ANYONE_ROLES",
    "ASSIGN_VILLAGE_ROLES",
    "PERSONAL_DATA_ROLES",
    "REGISTER_ROLES",
    "REOPEN_ROLES",
    "TOWN_WIDE_ROLES",
    "VILLAGE_ROLES",
    "Actor",
    "actor_for",
    "reader_text",
    "item_scope",
    "village_scope",
]


def reader_text(user: User | AnonymousUser | None) -> Callable[[str], str]:
    """How free text reads to this user: phone and ID numbers masked unless the user's role sees
    personal data (`Actor.masks_personal_data`, the rule of every page, API and export)."""
    if user is not None and user.is_authenticated and not actor_for(user).masks_personal_data():
        return str
    return mask_text


def automation_actor(day: date | None = None) -> Actor:
    """The actor of the automation (`maque.core.statemachine.AUTOMATION`): sees nothing, holds no role."""
    return Actor(user=None, person=None, day=day or timezone.localdate(), automatic=True)


def actor_for(user: User | AnonymousUser | None, day: date | None = None) -> Actor:
    """Build (and cache on the user object for today) the actor of a user."""
    day = day or timezone.localdate()
    if user is None or not user.is_authenticated:
        return Actor(user=user, person=None, day=day)
    cached = getattr(user, "_maque_actor", None)
    if cached is not None and cached.day == day:
        return cached
    person = Person.objects.filter(user=user, active=True).first()
    actor = Actor(
        user=user, person=person, day=day, is_superuser=bool(getattr(user, "is_superuser", False))
    )
    if person is not None:
        assignments = (
            RoleAssignment.objects.on(day)
            .filter(person=person)
            .values_list("role", "town_id", "village_id", "campaign_id")
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
    user._maque_actor = actor  # type: ignore[attr-defined]  # today's actor, cached on the user object
    return actor
