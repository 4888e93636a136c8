"""Issuing the daily bulletin (每日通报). Issuing is the only write: a bulletin is never changed."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from maque.bulletins.models import Bulletin, BulletinCounter, snapshot_hash
from maque.bulletins.policies import check_issue
from maque.bulletins.queries import (
    bulletin_figures,
    daily_bulletin_of,
    document_date,
    previous_bulletin,
)
from maque.core.dates import DayKind, check_day
from maque.ledger.catalogue import STANDING_CODES
from maque.ledger.models import Campaign, Transition
from maque.organisation.access import actor_for
from maque.organisation.models import Town
from maque.rhythm.models import rhythm_settings


def bulletin_code(town: Town, year: int, number: int) -> str:
    """`蒿坪通〔2026〕12号`: the year in 〔〕, no leading zeros, no 第."""
    return f"{town.short_name}通〔{year}〕{number}号"


def _next_number(town: Town, year: int) -> int:
    """Take the next number for the town and year under a row lock (safe with concurrent callers)."""
    BulletinCounter.objects.get_or_create(town=town, year=year)
    counter = BulletinCounter.objects.select_for_update().get(town=town, year=year)
    counter.last = F("last") + 1
    counter.save(update_fields=["last"])
    counter.refresh_from_db(fields=["last"])
    return counter.last


def _as_of(day: date, now: datetime) -> datetime:
    """Figures for today are as of now; for a past day, as of the end of that day."""
    end_of_day = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
    return min(now, end_of_day)


def _title(town: Town, day: date) -> str:
    # The standing campaigns (meeting decisions, petitions) are no work the title names.
    campaigns = list(
        Campaign.objects.filter(town=town, active=True)
        .exclude(code__in=STANDING_CODES)
        .values_list("name", flat=True)[:2]
    )
    if len(campaigns) == 1:
        return _("Bulletin on the progress of the “%(campaign)s” work, %(day)s") % {
            "campaign": campaigns[0],
            "day": document_date(day),
        }
    return _("Bulletin on the progress of the key work, %(day)s") % {"day": document_date(day)}


def _authority(town: Town) -> str:
    return _("%(town)s Inspection and Evaluation Group") % {"town": town.name}


def _check_issuer(town: Town, by: User | None) -> None:
    if by is None:
        return  # the schedule (`maque tick`) or the command line
    check_issue(actor_for(by), town_id=town.pk)


def bulletin_issue(
    *,
    town: Town,
    day: date | None = None,
    by: User | None = None,
    corrects: Bulletin | None = None,
    special: bool = False,
    scheduled: bool = False,
    now: datetime | None = None,
) -> Bulletin:
    """Issue the bulletin of `town` for `day` (today by default) under the next number of the year.

    A correction (`corrects`) reports on the same day and period as the bulletin it corrects, with
    figures taken afresh, and cites it. A town has one daily bulletin per day: another one for
    the same day must say what it is — a correction, or a `special` bulletin (特别通报) — or it
    is refused with the number of the one that day already has. The number is taken under a row
    lock in the same transaction as the insert, so concurrent callers never share a number (nor
    both pass the one-per-day check) and a failed insert leaves no gap.
    """
    _check_issuer(town, by)
    now = now or timezone.now()
    today = timezone.localdate(now)
    if corrects is not None:
        if corrects.town_id != town.pk:
            raise ValidationError(
                {"corrects": [_("The bulletin to correct belongs to another town.")]}
            )
        if day is not None and day != corrects.day:
            raise ValidationError(
                {"day": [_("A correction reports on the same day as the bulletin it corrects.")]}
            )
        day = corrects.day
    day = day or today
    check_day(
        day,
        DayKind.HAPPENED,
        field="day",
        today=today,
        too_late=_("A bulletin cannot report on a day that has not come yet."),
    )
    as_of = _as_of(day, now)
    if corrects is not None:
        # Same period as the corrected bulletin: the one before it marks the start.
        previous = previous_bulletin(town=town, as_of=corrects.as_of)
        since = corrects.since
        previous_code = None
    else:
        previous = previous_bulletin(town=town, as_of=as_of)
        since = previous.as_of if previous else None
        previous_code = previous.code if previous else None
    after_transition = previous.transitions_upto if previous is not None else None
    upto = Transition.objects.aggregate(last=Max("pk"))["last"] or 0

    named = rhythm_settings(town).bulletin_named_villages
    figures = bulletin_figures(
        town=town,
        day=day,
        as_of=as_of,
        since=since,
        after_transition=after_transition,
        upto_transition=upto,
        named=named,
    )
    if corrects is not None and special:
        raise ValidationError(
            {"special": [_("A bulletin is either a correction or a special bulletin, not both.")]}
        )
    with transaction.atomic():
        number = _next_number(town, day.year)
        if corrects is None and not special:
            existing = daily_bulletin_of(town=town, day=day)
            if existing is not None:
                raise ValidationError(
                    {
                        "day": [
                            _(
                                "%(day)s already has its daily bulletin, %(code)s. To change what it says, issue a correction of "
                                "it; to report something more that day, issue a special bulletin."
                            )
                            % {"day": document_date(day), "code": existing.code}
                        ]
                    }
                )
        code = bulletin_code(town, day.year, number)
        title = _title(town, day)
        if corrects is not None:
            title = _("%(title)s (correction)") % {"title": title}
        elif special:
            title = _("%(title)s (special)") % {"title": title}
        # The wording is in the language active at issue time (the default is Chinese); the Word
        # document renders its fixed text in the same language, so it never changes either.
        snapshot: dict[str, Any] = {
            "language": translation.get_language() or settings.LANGUAGE_CODE,
            "kind": "correction" if corrects is not None else "special" if special else "daily",
            "town": town.name,
            "authority": _authority(town),
            "code": code,
            "title": title,
            "addressee": _("To the villages (communities) and the departments of the town:"),
            "day": day.isoformat(),
            "day_text": document_date(day),
            "as_of": as_of.isoformat(),
            "since": since.isoformat() if since else None,
            "previous": previous_code,
            "corrects": corrects.code if corrects is not None else None,
            "copy_to": _(
                "The principal leaders of the town Party committee and the town government; the town discipline "
                "commission."
            ),
            "printed_by": _("%(town)s Party and Government Office") % {"town": town.name},
            **figures,
        }
        bulletin = Bulletin(
            town=town,
            year=day.year,
            number=number,
            code=code,
            day=day,
            as_of=as_of,
            since=since,
            transitions_upto=upto,
            title=title,
            scheduled=scheduled,
            corrects=corrects,
            snapshot=snapshot,
            content_hash=snapshot_hash(snapshot),
            issued_by=by,
        )
        bulletin._history_user = by  # type: ignore[attr-defined]
        bulletin.save()
    return bulletin
