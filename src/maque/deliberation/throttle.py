"""The public page's rate limits: counters in the database (shared by every server process, as
the sign-in pauses are), each over a fixed window.

- proposals per client address (`MAQUE_PUBLIC_TOPICS_PER_CLIENT` an hour) and per village
  (`MAQUE_PUBLIC_TOPICS_PER_VILLAGE` an hour), so one phone cannot flood a village and a
  crowd cannot flood the secretary;
- receipt look-ups that fail, per client address (`MAQUE_PUBLIC_LOOKUP_FAILURES` an hour), so
  receipts' secrets cannot be guessed.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from maque.deliberation.models import PublicThrottle

Scope = PublicThrottle.Scope
WINDOW = timedelta(hours=1)


def _limits() -> dict[str, int]:
    return {
        Scope.CLIENT: settings.MAQUE_PUBLIC_TOPICS_PER_CLIENT,
        Scope.VILLAGE: settings.MAQUE_PUBLIC_TOPICS_PER_VILLAGE,
        Scope.LOOKUP: settings.MAQUE_PUBLIC_LOOKUP_FAILURES,
    }


def _row(scope: str, key: str) -> PublicThrottle:
    now = timezone.now()
    try:
        with transaction.atomic():
            PublicThrottle.objects.get_or_create(
                scope=scope, key=key[:100], defaults={"window_started_at": now}
            )
    except IntegrityError:  # created by a concurrent request
        pass
    return PublicThrottle.objects.select_for_update().get(scope=scope, key=key[:100])


def exhausted(scope: str, key: str) -> bool:
    """Whether the counter has reached its limit in the current window (reads only)."""
    row = PublicThrottle.objects.filter(scope=scope, key=key[:100]).first()
    if row is None or timezone.now() - row.window_started_at > WINDOW:
        return False
    return row.count >= _limits()[scope]


def take(scope: str, key: str) -> bool:
    """Count one request; False (and nothing counted) when the limit is already reached."""
    now = timezone.now()
    with transaction.atomic():
        row = _row(scope, key)
        if now - row.window_started_at > WINDOW:
            row.window_started_at, row.count = now, 0
        if row.count >= _limits()[scope]:
            return False
        row.count += 1
        row.save(update_fields=["window_started_at", "count"])
    return True


def take_all(pairs: list[tuple[str, str]]) -> bool:
    """Count one request on each counter, all or none (a refused request counts nowhere)."""
    with transaction.atomic():
        if any(exhausted(scope, key) for scope, key in pairs):
            return False
        for scope, key in pairs:
            if not take(scope, key):
                transaction.set_rollback(True)
                return False
    return True
