"""Reads of accountability cases; every read starts from `AccountabilityCase.objects.visible_to`."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q, QuerySet

from maque.accountability.models import CASE_ROLES, AccountabilityCase
from maque.organisation.access import actor_for
from maque.organisation.models import RoleAssignment


def may_see_cases(user: AbstractBaseUser | None, *, town_id: int) -> bool:
    """Whether the user may know that the town's accountability cases exist."""
    if user is None or not user.is_authenticated:
        return False
    actor = actor_for(user)
    return actor.is_superuser or town_id in actor.town_ids_for(*CASE_ROLES)


def case_viewers(*, town_id: int, day) -> list[int]:  # noqa: ANN001 - a date
    """User ids of the town's discipline commission and principal leaders on `day`."""
    return list(
        RoleAssignment.objects.on(day)
        .filter(town_id=town_id, role__in=CASE_ROLES, person__active=True, person__user__isnull=False)
        .values_list("person__user_id", flat=True)
        .distinct()
    )


def case_list(
    *,
    user: AbstractBaseUser,
    status: str | None = None,
    rule: str | None = None,
    village: int | None = None,
    q: str | None = None,
) -> QuerySet[AccountabilityCase]:
    cases = AccountabilityCase.objects.visible_to(user)
    if status:
        cases = cases.filter(status=status)
    if rule:
        cases = cases.filter(rule=rule)
    if village is not None:
        cases = cases.filter(village_id=village)
    if q:
        cases = cases.filter(Q(title__icontains=q) | Q(summary__icontains=q) | Q(subject_person__name__icontains=q))
    return cases.select_related("town", "village", "subject_person").order_by("-created_at", "-id")


def case_get(*, user: AbstractBaseUser, case_id: int) -> AccountabilityCase:
    """One case the user may see; `DoesNotExist` (404) otherwise, whether it exists or not."""
    return (
        AccountabilityCase.objects.visible_to(user)
        .select_related("town", "village", "subject_person")
        .prefetch_related("evidence__content_type", "events__by")
        .get(pk=case_id)
    )
