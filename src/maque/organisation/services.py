"""Writes to the organisation: changes of the responsibility grid close one row and open another."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from maque.core.geojson import validate_polygon
from maque.organisation.models import (
    TOWN_WIDE_ROLES,
    ContactDepartment,
    Department,
    Person,
    Plot,
    RoleAssignment,
    Village,
)


def assignment_change(
    *,
    role: str,
    person: Person,
    on: date,
    by: AbstractBaseUser | None,
    village: Village | None = None,
    campaign_id: int | None = None,
    note: str = "",
) -> RoleAssignment:
    """Hand `role` (for `village`, if a village role) to `person` from day `on`.

    The assignment in force for the same role and place is closed the day before; none is ever
    overwritten, so `responsible_on` answers for any past date.
    """
    if role not in TOWN_WIDE_ROLES and village is None:
        raise ValidationError({"village": [_("This role is held for a village.")]})
    town_id = village.town_id if village is not None else person.town_id
    if person.town_id != town_id:
        raise ValidationError({"person": [_("The person belongs to another town.")]})
    with transaction.atomic():
        current = (
            RoleAssignment.objects.select_for_update()
            .on(on)
            .filter(role=role, town_id=town_id, village=village, campaign_id=campaign_id)
        )
        for assignment in current:
            if assignment.person_id == person.pk:
                return assignment
            if assignment.valid_from >= on:
                raise ValidationError({"on": [_("A handover must come after the current holder started.")]})
            assignment.valid_to = on - timedelta(days=1)
            assignment._history_user = by  # type: ignore[attr-defined]
            assignment.save(update_fields=["valid_to"])
        created = RoleAssignment(
            person=person, role=role, town_id=town_id, village=village, campaign_id=campaign_id,
            valid_from=on, note=note,
        )
        created._history_user = by  # type: ignore[attr-defined]
        created.save()
    return created


def contact_department_change(
    *, village: Village, department: Department, on: date, by: AbstractBaseUser | None
) -> ContactDepartment:
    """Assign a new contact department (包村部门) to a village from day `on`, closing the old one."""
    if department.town_id != village.town_id:
        raise ValidationError({"department": [_("The department belongs to another town.")]})
    with transaction.atomic():
        for current in ContactDepartment.objects.select_for_update().on(on).filter(village=village):
            if current.department_id == department.pk:
                return current
            if current.valid_from >= on:
                raise ValidationError({"on": [_("A handover must come after the current department started.")]})
            current.valid_to = on - timedelta(days=1)
            current._history_user = by  # type: ignore[attr-defined]
            current.save(update_fields=["valid_to"])
        created = ContactDepartment(village=village, department=department, valid_from=on)
        created._history_user = by  # type: ignore[attr-defined]
        created.save()
    return created


def plot_save(*, plot: Plot, by: AbstractBaseUser | None) -> Plot:
    """Validate and save a plot (polygon, area, village/group consistency)."""
    errors: dict[str, list[str]] = {}
    try:
        validate_polygon(plot.polygon)
    except ValidationError as error:
        errors["polygon"] = error.messages
    if plot.area_mu is None or plot.area_mu <= 0:
        errors["area_mu"] = [_("The area must be greater than zero.")]
    if plot.group_id and plot.group.village_id != plot.village_id:
        errors["group"] = [_("The group must belong to the plot's village.")]
    if errors:
        raise ValidationError(errors)
    plot.town_id = plot.village.town_id
    plot._history_user = by  # type: ignore[attr-defined]
    plot.save()
    return plot
