"""A replay clock for building the demo.

The demo replays a few months of a town's work through the real services (registration, the
lifecycle, progress, evidence). Those services read the time from `django.utils.timezone.now`,
so while one step of the replay runs, that clock says when the step happened: timestamps,
history rows and the services' own date checks ("found on is not in the future", "the resume
date is in the future") all agree with the story. Used only by the demo build, which runs in one
thread before any request is served.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time

from django.utils import timezone


@contextmanager
def replay_at(moment: datetime) -> Iterator[None]:
    """Run the block as if it were `moment` (an aware datetime, not in the future)."""
    if timezone.is_naive(moment):
        raise ValueError("the replay clock needs an aware datetime")
    real_now = timezone.now
    if moment > real_now():
        raise ValueError("the replay clock cannot run ahead of the real time")
    timezone.now = lambda: moment  # type: ignore[assignment]
    try:
        yield
    finally:
        timezone.now = real_now  # type: ignore[assignment]


def at(day: date, hour: int = 9, minute: int = 0) -> datetime:
    """An aware datetime on `day` in the current (town) time zone."""
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))
