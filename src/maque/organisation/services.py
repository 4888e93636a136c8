"""Writes to the organisation: changes of the responsibility grid close one row and open another;
plots are registered with their checks."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from maque.core.geojson import validate_polygon
from maque.organisation.access import actor_for
from maque.organisation.models import (
    TOWN_WIDE_ROLES,
    ContactDepartment,
    Department,
    Household,
    Person,
    Plot,
    RoleAssignment,
    Village,
    VillageGroup,
)
from maque.organisation.policies import check_register_plots


def assignment_change(
    *,
    role: str,
    person: Person,
    on: date,
    by: User | None,
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
            .filter(role=role, town_id=town_id, village=village)
            .filter(
                Q(campaign_id=campaign_id) if campaign_id is not None else Q(campaign__isnull=True)
            )
        )
        for assignment in current:
            if assignment.person_id == person.pk:
                return assignment
            if assignment.valid_from >= on:
                raise ValidationError(
                    {"on": [_("A handover must come after the current holder started.")]}
                )
            assignment.valid_to = on - timedelta(days=1)
            assignment._history_user = by  # type: ignore[attr-defined]
            assignment.save(update_fields=["valid_to"])
        created = RoleAssignment(
            person=person,
            role=role,
            town_id=town_id,
            village=village,
            campaign_id=campaign_id,
            valid_from=on,
            note=note,
        )
        created._history_user = by  # type: ignore[attr-defined]
        created.save()
    return created


def contact_department_change(
    *, village: Village, department: Department, on: date, by: User | None
) -> ContactDepartment:
    """Assign a new contact department (包村部门) to a village from day `on`, closing the old one."""
    if department.town_id != village.town_id:
        raise ValidationError({"department": [_("The department belongs to another town.")]})
    with transaction.atomic():
        for current in ContactDepartment.objects.select_for_update().on(on).filter(village=village):
            if current.department_id == department.pk:
                return current
            if current.valid_from >= on:
                raise ValidationError(
                    {"on": [_("A handover must come after the current department started.")]}
                )
            current.valid_to = on - timedelta(days=1)
            current._history_user = by  # type: ignore[attr-defined]
            current.save(update_fields=["valid_to"])
        created = ContactDepartment(village=village, department=department, valid_from=on)
        created._history_user = by  # type: ignore[attr-defined]
        created.save()
    return created


def plot_save(*, plot: Plot, by: User | None) -> Plot:
    """Validate and save a plot (polygon, area, village/group consistency)."""
    errors: dict[str, list[str]] = {}
    try:
        validate_polygon(plot.polygon)
    except ValidationError as error:
        errors["polygon"] = error.messages
    if plot.area_mu is None or plot.area_mu <= 0:
        errors["area_mu"] = [_("The area must be greater than zero.")]
    if plot.group is not None and plot.group.village_id != plot.village_id:
        errors["group"] = [_("The group must belong to the plot's village.")]
    if errors:
        raise ValidationError(errors)
    plot.town_id = plot.village.town_id
    plot._history_user = by  # type: ignore[attr-defined]
    plot.save()
    return plot


def plot_register(
    *,
    by: User,
    village: Village,
    code: str,
    area_mu: Decimal | None,
    land_class: str = Plot.LandClass.FARMLAND,
    status: str = Plot.Status.CULTIVATED,
    group_id: int | None = None,
    household_id: int | None = None,
    polygon: Any = None,
    note: str = "",
) -> Plot:
    """Register a new plot in a village the user registers items in.

    Raises `NotPermitted`, or `ValidationError` with one message per field: the code is required
    and unique in the town, the group and the household belong to the village, and `plot_save`'s
    checks (polygon, area) hold.
    """
    check_register_plots(actor_for(by), village)
    errors: dict[str, list[str]] = {}
    code = code.strip()
    if not code:
        errors["code"] = [pgettext("api", "This field is required.")]
    elif Plot.objects.filter(town_id=village.town_id, code=code).exists():
        errors["code"] = [_("A plot with this code already exists in the town.")]
    group = None
    if group_id is not None:
        group = VillageGroup.objects.filter(pk=group_id, village=village).first()
        if group is None:
            errors["group"] = [_("The group must belong to the plot's village.")]
    household = None
    if household_id is not None:
        household = Household.objects.filter(pk=household_id, village=village).first()
        if household is None:
            errors["household"] = [_("The household must belong to the plot's village.")]
    if errors:
        raise ValidationError(errors)
    plot = Plot(
        town_id=village.town_id,
        village=village,
        group=group,
        household=household,
        code=code,
        area_mu=area_mu,  # type: ignore[misc]  # a missing area is refused by plot_save, with the other checks
        land_class=land_class,
        status=status,
        polygon=polygon,
        note=note.strip(),
    )
    try:
        with transaction.atomic():
            plot_save(plot=plot, by=by)
    except IntegrityError:
        # Another request took the code between the check and the save.
        raise ValidationError(
            {"code": [_("A plot with this code already exists in the town.")]}
        ) from None
    return plot
