"""Reads of the organisation: the responsibility grid on any date."""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet

from maque.organisation.models import ContactDepartment, Person, RoleAssignment, Village


def responsible_on(*, village: Village, role: str, day: date) -> list[Person]:
    """Who held `role` for village V on date D (contact leader, cadre, secretary…).

    Town-wide roles (principal, inspector…) are answered for the village's town.
    """
    assignments = RoleAssignment.objects.on(day).filter(role=role, town_id=village.town_id)
    village_specific = assignments.filter(village=village)
    chosen = village_specific if village_specific.exists() else assignments.filter(village__isnull=True)
    return [assignment.person for assignment in chosen.select_related("person").order_by("valid_from", "id")]


def contact_department_on(*, village: Village, day: date) -> ContactDepartment | None:
    return ContactDepartment.objects.on(day).filter(village=village).select_related("department").first()


def grid_history(*, village: Village) -> QuerySet[RoleAssignment]:
    """Every assignment ever made for the village, newest first."""
    return RoleAssignment.objects.filter(village=village).select_related("person").order_by("role", "-valid_from")
