"""Resume suspended items whose resume date has come (a `tick` step)."""

from __future__ import annotations

import logging
from datetime import datetime

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from maque.ledger import lifecycle
from maque.ledger.errors import ConflictError
from maque.ledger.models import Item, State
from maque.organisation.models import Town
from maque.rhythm.system import system_user

log = logging.getLogger(__name__)


def resume_due_items(*, now: datetime) -> int:
    """Resume, through the lifecycle and as the town's system actor, every suspended item whose
    `suspended_until` is today or earlier. Another caller resuming the same item first makes the
    lifecycle refuse (stale version or state), which is skipped."""
    today = timezone.localdate(now)
    due = list(
        Item.objects.filter(state=State.SUSPENDED, suspended_until__lte=today).order_by("town_id", "pk").values_list(
            "pk", "town_id", "version"
        )
    )
    resumed = 0
    users: dict[int, object] = {}
    for item_id, town_id, version in due:
        if town_id not in users:
            users[town_id] = system_user(Town.objects.get(pk=town_id))
        item = Item(pk=item_id)
        try:
            with translation.override(settings.LANGUAGE_CODE):
                note = _("The resume date has come: resumed automatically.")
            lifecycle.item_resume(item=item, by=users[town_id], note=note, version=version, via="tick")  # type: ignore[arg-type]
        except ConflictError:
            continue
        resumed += 1
    if resumed:
        log.info("resume: %d suspended items resumed", resumed)
    return resumed
