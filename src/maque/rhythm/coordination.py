"""Legacy matters kept up by their coordination log (沟通协调, design §5), one `tick` step.

A legacy matter that cannot be solved yet still needs a coordination entry every N days (the
town's `legacy_contact_days`, 30 by default), counted from its latest entry, or from the day it
was found while it has none. When N days have passed the owner is reminded; a week later, still
without an entry, the village secretary and the contact leader are told as well. Each reminder
is sent once per matter and latest entry (the notifications' key), so a new entry starts the
count again and a second tick the same day sends nothing.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Max
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from maque.ledger.models import OPEN_STATES, Item, Kind
from maque.notifications.services import Message, notify_many
from maque.organisation.models import Person, Role, Town
from maque.organisation.queries import responsible_on
from maque.rhythm.models import rhythm_settings

LATER_DAYS = 7
KIND = "legacy.coordination"


def _overdue_for_contact(town: Town, today: date, days: int) -> list[Item]:
    return list(
        Item.objects.filter(town=town, kind=Kind.LEGACY, state__in=OPEN_STATES)
        .annotate(last_contact=Coalesce(Max("coordination__on"), "found_on"))
        .filter(last_contact__lte=today - timedelta(days=days))
        .select_related("village", "owner")
        .order_by("pk")
    )


def contact_due_on(last_contact: date, days: int) -> date:
    """The day a legacy matter last coordinated on `last_contact` needs its next entry."""
    return last_contact + timedelta(days=days)


def remind_coordination(*, now: datetime) -> int:
    """Remind the owners (then the secretaries and contact leaders) of legacy matters without a
    coordination entry for the town's number of days; the number of notifications sent."""
    today = timezone.localdate(now)
    sent = 0
    for town in Town.objects.order_by("pk"):
        days = rhythm_settings(town).legacy_contact_days
        messages: list[Message] = []
        for item in _overdue_for_contact(town, today, days):
            last: date = item.last_contact  # type: ignore[attr-defined]
            silent = (today - last).days
            with translation.override(settings.LANGUAGE_CODE):
                title = _("Legacy matter %(code)s: no coordination logged for %(days)d days") % {
                    "code": item.code,
                    "days": silent,
                }
                body = _("Last coordination: %(day)s. Log the next round (沟通协调).") % {
                    "day": date_format(last, "DATE_FORMAT")
                }
            recipients: list[Person] = [item.owner]
            rung = "owner"
            if silent >= days + LATER_DAYS:
                rung = "grid"
                for role in (Role.SECRETARY, Role.CONTACT_LEADER):
                    recipients += responsible_on(village=item.village, role=role, day=today)
            messages.append(
                Message(
                    recipients=tuple(recipients),
                    kind=KIND,
                    title=title,
                    body=body,
                    link=f"/items/{item.pk}/",
                    key=f"legacy-contact:{item.pk}:{last.isoformat()}:{rung}",
                    town=town,
                )
            )
        if messages:
            sent += len(notify_many(messages))
    return sent
