"""The supervision steps of `maque tick`: open the biweekly round, refresh the scores."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError
from django.utils import timezone

from maque.organisation.models import Town
from maque.rhythm.calendar import is_working_day
from maque.rhythm.models import rhythm_settings
from maque.supervision.models import InspectionRound, Score
from maque.supervision.scoring import period_of, previous_period
from maque.supervision.services import (
    last_place_check,
    round_open,
    scores_store,
    weak_village_check,
)


def open_due_rounds(*, now: datetime) -> int:
    """Open a round for every town whose last scheduled round is `inspection_interval_days` old
    (or that has none), on a working day. Once per town and day by a unique constraint."""

    today = timezone.localdate(now)
    opened = 0
    for town in Town.objects.order_by("pk"):
        settings = rhythm_settings(town)
        if not settings.inspection_enabled or not is_working_day(town, today):
            continue
        last = (
            InspectionRound.objects.filter(town=town, scheduled=True).order_by("-opened_on").first()
        )
        if last is not None and today - last.opened_on < timedelta(
            days=settings.inspection_interval_days
        ):
            continue
        try:
            round_open(town=town, now=now, scheduled=True)
        except IntegrityError:
            continue  # another tick opened it first
        opened += 1
    return opened


def refresh_indicators(*, now: datetime) -> int:
    """Store the current period's scores; when a period has ended, store it one last time and
    apply the last-place and weak-village rules to it. Returns the score rows changed."""

    today = timezone.localdate(now)
    changed = 0
    for town in Town.objects.order_by("pk"):
        settings = rhythm_settings(town)
        kind = settings.scoring_period
        current = period_of(today, kind)
        changed += scores_store(town=town, period=current, today=today)
        finished = previous_period(current, kind)
        if not Score.objects.filter(town=town, period=finished).exists():
            continue
        changed += scores_store(town=town, period=finished, today=today)
        last_place_check(
            town=town,
            period=finished,
            periods=settings.accountability_last_place_periods,
            kind=kind,
        )
        weak_village_check(town=town, period=finished)
    return changed
