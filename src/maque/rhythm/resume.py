"""Resume suspended items whose resume date has come (a `tick` step)."""

from __future__ import annotations

import logging
from datetime import datetime

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from maque.core.statemachine import AUTOMATION
from maque.ledger import lifecycle
from maque.ledger.errors import ConflictError
from maque.ledger.models import Item, State

log = logging.getLogger(__name__)


def resume_due_items(*, now: datetime) -> int:
    """Resume, through the lifecycle and as the automation (no person, no role: the lifecycle
    lets it resume and nothing else), every suspended item whose `suspended_until` is today or
    earlier. Another caller resuming the same item first makes the lifecycle refuse (stale
    version or state), which is skipped."""
    today = timezone.localdate(now)
    due = list(
        Item.objects.filter(state=State.SUSPENDED, suspended_until__lte=today)
        .order_by("town_id", "pk")
        .values_list("pk", "version")
    )
    with translation.override(settings.LANGUAGE_CODE):
        note = _("The resume date has come: resumed automatically.")
    resumed = 0
    for item_id, version in due:
        try:
            lifecycle.item_resume(
                item=Item(pk=item_id), by=AUTOMATION, note=note, version=version, via="tick"
            )
        except ConflictError:
            continue
        resumed += 1
    if resumed:
        log.info("resume: %d suspended items resumed", resumed)
    return resumed
