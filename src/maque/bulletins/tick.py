"""The bulletin step of `maque tick`: each working day at the town's bulletin time, one bulletin."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from maque.bulletins.queries import daily_bulletin_of
from maque.bulletins.services import bulletin_issue
from maque.organisation.models import Town
from maque.rhythm.calendar import is_working_day
from maque.rhythm.models import rhythm_settings


def issue_due_bulletins(*, now: datetime) -> int:
    """Issue the scheduled bulletin of every town that is due and has none yet for today.

    Idempotent: the unique constraint on (town, day) for scheduled bulletins means two ticks at
    once produce one bulletin; the loser's transaction (number included) is rolled back.
    """

    local = timezone.localtime(now)
    day = local.date()
    issued = 0
    for town in Town.objects.order_by("pk"):
        settings = rhythm_settings(town)
        if not settings.bulletin_enabled or local.time() < settings.bulletin_time:
            continue
        if not is_working_day(town, day):
            continue
        if daily_bulletin_of(town=town, day=day) is not None:
            continue  # issued already, on schedule or by hand
        try:
            bulletin_issue(town=town, day=day, scheduled=True, now=now)
        except (IntegrityError, ValidationError):
            continue  # another tick (or a person) issued it first
        issued += 1
    return issued
