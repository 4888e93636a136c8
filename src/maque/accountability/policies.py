"""Who may handle accountability cases (design §6): decided here, once.

Only the discipline commission and the principal leaders of a town may know that its cases exist.
The scoped queryset, the services, the API, the admin, the screens and the notifications all ask
this module. `_refusal` gives the reason as a key; `may_…` answers screens, `check_…` raises.
"""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _

from maque.ledger.errors import NotPermitted
from maque.organisation.actor import Actor
from maque.organisation.models import RoleAssignment
from maque.organisation.roles import Role

# The roles that may see that cases exist, in their own town.
CASE_ROLES = (Role.DISCIPLINE, Role.PRINCIPAL)


def case_town_ids(actor: Actor) -> set[int]:
    """The towns whose cases the actor handles (a superuser: see the scoped queryset)."""
    return actor.town_ids_for(*CASE_ROLES)


def _refusal(actor: Actor, *, town_id: int | None) -> str | None:
    """Why the actor may not handle the cases of the town (of any town when None), as a key."""
    if actor.is_superuser:
        return None
    if actor.person is None:
        return "no_person"
    towns = case_town_ids(actor)
    if not towns or (town_id is not None and town_id not in towns):
        return "role"
    return None


def may_handle_cases(actor: Actor, *, town_id: int | None = None) -> bool:
    """Whether the actor may know that the town's cases exist (any town's, when None)."""
    return _refusal(actor, town_id=town_id) is None


def check_handle_cases(actor: Actor, *, town_id: int) -> None:
    if _refusal(actor, town_id=town_id) is not None:
        raise NotPermitted(
            _(
                "Only the discipline commission and the principal leaders handle accountability cases."
            )
        )


def case_viewers(*, town_id: int, day: date) -> list[int]:
    """User ids of the town's discipline commission and principal leaders on `day`."""
    return list(
        RoleAssignment.objects.on(day)
        .filter(
            town_id=town_id, role__in=CASE_ROLES, person__active=True, person__user__isnull=False
        )
        .values_list("person__user_id", flat=True)
        .distinct()
    )
