"""Which rhythm screens and forms a user is offered.

Offering is not permitting: every read below still starts from the apps' `visible_to` querysets,
and every write goes through their services, which check the actor again. These answers only
decide what the navigation links to and which buttons a page draws.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser

from maque.accountability.models import CASE_ROLES
from maque.bulletins.services import ISSUER_ROLES
from maque.meetings.services import TOWN_ORGANISERS, VILLAGE_ORGANISERS
from maque.notifications.queries import unread_count
from maque.organisation.access import Actor, actor_for
from maque.organisation.models import TOWN_WIDE_ROLES, Town
from maque.supervision.services import INSPECTOR_ROLES


def staff_town(actor: Actor) -> Town | None:
    """The town a member of staff works in (the town of their person), as the API takes it."""
    return actor.person.town if actor.person is not None else None


def sees_town(actor: Actor) -> bool:
    """Town-wide roles (principal, leaders, inspectors, discipline, county) read the whole town."""
    return actor.is_superuser or bool(actor.town_ids_for(*TOWN_WIDE_ROLES))


def may_organise_meetings(actor: Actor) -> bool:
    if actor.person is None:
        return False
    town_id = actor.person.town_id
    return bool(actor.roles_over(town_id=town_id, village_id=None) & TOWN_ORGANISERS) or bool(
        actor.village_ids(*VILLAGE_ORGANISERS)
    )


def may_inspect(actor: Actor, town_id: int) -> bool:
    """Inspection group and principal leaders record findings (the services check it again)."""
    return actor.person is not None and bool(actor.roles_over(town_id=town_id, village_id=None) & INSPECTOR_ROLES)


def may_issue_bulletins(actor: Actor) -> bool:
    if actor.person is None:
        return False
    return bool(actor.roles_over(town_id=actor.person.town_id, village_id=None) & set(ISSUER_ROLES))


def may_see_cases_anywhere(actor: Actor) -> bool:
    """Whether the user may know that accountability cases exist in some town."""
    return actor.is_superuser or bool(actor.town_ids_for(*CASE_ROLES))


def nav_for(user: AbstractBaseUser) -> dict[str, Any]:
    actor = actor_for(user)
    staff = actor.is_superuser or (actor.person is not None and bool(actor.town_ids))
    return {
        "unread": unread_count(user=user),
        "meetings": staff,
        "bulletins": staff,
        "scores": staff,
        "inspections": sees_town(actor),
        "accountability": may_see_cases_anywhere(actor),
    }
