"""Reads of accountability cases; every read starts from `AccountabilityCase.objects.visible_to`."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import Q, QuerySet

from maque.accountability.models import AccountabilityCase
from maque.accountability.policies import case_viewers, may_handle_cases
from maque.organisation.access import actor_for

__all__ = ["case_get", "case_list", "case_viewers", "may_see_cases"]


def may_see_cases(user: User | None, *, town_id: int) -> bool:
    """Whether the user may know that the town's accountability cases exist (the policy's answer)."""
    return may_handle_cases(actor_for(user), town_id=town_id)


def case_list(
    *,
    user: User,
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
        cases = cases.filter(
            Q(title__icontains=q) | Q(summary__icontains=q) | Q(subject_person__name__icontains=q)
        )
    return cases.select_related("town", "village", "subject_person").order_by("-created_at", "-id")


def case_get(*, user: User, case_id: int) -> AccountabilityCase:
    """One case the user may see; `DoesNotExist` (404) otherwise, whether it exists or not."""
    return (
        AccountabilityCase.objects.visible_to(user)
        .select_related("town", "village", "subject_person")
        .prefetch_related("evidence__content_type", "events__by")
        .get(pk=case_id)
    )
