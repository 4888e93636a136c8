"""Reads of the organisation: the responsibility grid on any date."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db.models import Q, QuerySet

from maque.organisation.models import ContactDepartment, Person, Role, RoleAssignment, Village


def responsible_on(*, village: Village, role: str, day: date) -> list[Person]:
    """Who held `role` for village V on date D (contact leader, cadre, secretary…).

    Town-wide roles (principal, inspector…) are answered for the village's town.
    """
    assignments = RoleAssignment.objects.on(day).filter(role=role, town_id=village.town_id)
    village_specific = assignments.filter(village=village)
    chosen = (
        village_specific if village_specific.exists() else assignments.filter(village__isnull=True)
    )
    return [
        assignment.person
        for assignment in chosen.select_related("person").order_by("valid_from", "id")
    ]


def responsible_for(
    *, village: Village, roles: Iterable[str], day: date, campaign_id: int | None = None
) -> list[Person]:
    """Who held each of `roles` for the village on `day`, in one query: as `responsible_on`
    (the village's own holders, else the town-wide ones), and a leader in charge (分管领导) only
    for their campaigns (one without a campaign leads them all)."""
    wanted = list(dict.fromkeys(roles))
    assignments = (
        RoleAssignment.objects.on(day)
        .filter(
            Q(village=village) | Q(village__isnull=True), town_id=village.town_id, role__in=wanted
        )
        .select_related("person")
        .order_by("valid_from", "id")
    )
    by_role: dict[str, tuple[list[RoleAssignment], list[RoleAssignment]]] = {
        role: ([], []) for role in wanted
    }
    for assignment in assignments:
        own, town_wide = by_role[assignment.role]
        (own if assignment.village_id is not None else town_wide).append(assignment)
    people: dict[int, Person] = {}
    for role, (own, town_wide) in by_role.items():
        for assignment in own or town_wide:
            if role == Role.LEADER and assignment.campaign_id not in (None, campaign_id):
                continue
            people.setdefault(assignment.person_id, assignment.person)
    return list(people.values())


def contact_department_on(*, village: Village, day: date) -> ContactDepartment | None:
    return (
        ContactDepartment.objects.on(day)
        .filter(village=village)
        .select_related("department")
        .first()
    )


def grid_history(*, village: Village) -> QuerySet[RoleAssignment]:
    """Every assignment ever made for the village, newest first."""
    return (
        RoleAssignment.objects.filter(village=village)
        .select_related("person")
        .order_by("role", "-valid_from")
    )
