"""The weekly-diagnosis step of `maque tick`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.utils import timezone

from maque.meetings.services import diagnosis_draft
from maque.organisation.models import Town
from maque.rhythm.calendar import is_working_day
from maque.rhythm.models import rhythm_settings


def draft_weekly_diagnosis(
    *,
    now: datetime,
    watch_list: Callable[[Town, datetime], list[dict[str, Any]]] | None = None,
    topics: Callable[[Town, datetime], dict[int, dict[str, Any]]] | None = None,
) -> int:
    """Draft the diagnosis of every town whose diagnosis day and time have come this week, its
    pack listing the watch list as `watch_list` gives it (the diagnosis app's step passes it in;
    `maque.diagnosis.tick.draft_weekly_diagnosis`).

    On the town's weekday (moved to the next working day when that day is off) at its time, or
    any later day of the same week if the tick did not run then. Once per town and week."""

    local = timezone.localtime(now)
    today = local.date()
    drafted = 0
    for town in Town.objects.order_by("pk"):
        settings = rhythm_settings(town)
        if not settings.diagnosis_enabled:
            continue
        if today.weekday() < settings.diagnosis_weekday:
            continue
        if today.weekday() == settings.diagnosis_weekday and local.time() < settings.diagnosis_time:
            continue
        if not is_working_day(town, today):
            continue
        meeting = diagnosis_draft(
            town=town,
            now=now,
            stale_days=settings.stale_days,
            watch_list=watch_list,
            topics=topics,
        )
        if meeting is not None:
            drafted += 1
    return drafted
