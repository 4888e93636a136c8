"""Writes of notifications: `notify` puts a message in inboxes and queues its deliveries.

Other apps call `notify`; it is idempotent by `key` (one notification per user and key, one
delivery per channel and key), so a rule that fires twice, or two `tick`s at once, notify once.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from maque.notifications.models import Channel, Delivery, Notification
from maque.organisation.models import Person, Town

# Kinds whose very existence is confidential (问责): only the people allowed to see accountability
# cases receive them, and never through a group robot, which a whole chat group reads.
CONFIDENTIAL_PREFIXES = ("accountability",)


def is_confidential(kind: str) -> bool:
    return any(kind == prefix or kind.startswith(f"{prefix}.") for prefix in CONFIDENTIAL_PREFIXES)


def _users_of(recipients: Iterable[Any]) -> tuple[list[AbstractBaseUser], set[int]]:
    """Users behind the recipients (users, people or user ids) and the towns of the people."""
    user_ids: set[int] = set()
    person_ids: set[int] = set()
    towns: set[int] = set()
    for recipient in recipients:
        if recipient is None:
            continue
        if isinstance(recipient, Person):
            person_ids.add(recipient.pk)
        elif isinstance(recipient, int):
            user_ids.add(recipient)
        else:
            user_ids.add(recipient.pk)
    if person_ids:
        for user_id, town_id in Person.objects.filter(pk__in=person_ids, user__isnull=False).values_list(
            "user_id", "town_id"
        ):
            user_ids.add(user_id)
            towns.add(town_id)
    users = list(get_user_model().objects.filter(pk__in=user_ids, is_active=True).order_by("pk"))
    return users, towns


def notify(
    *,
    recipients: Iterable[Any],
    kind: str,
    title: str,
    body: str = "",
    link: str = "",
    key: str,
    town: Town | None = None,
) -> list[Notification]:
    """Notify the recipients (users or people; people without a login are skipped) once per key.

    Returns the notifications created by this call (empty when every recipient already had one).
    Deliveries are queued for the town's active channels that carry `kind` and are sent by the
    `tick` step `maque.notifications.delivery.deliveries_send`. `town` defaults to the town of the
    people notified (when they are all of one town).
    """
    key = (key or "").strip()
    if not key:
        raise ValidationError({"key": [_("A notification needs a key.")]})
    if not kind or not title:
        raise ValidationError({"title": [_("A notification needs a kind and a title.")]})
    users, towns = _users_of(recipients)
    if town is None and len(towns) == 1:
        town = Town.objects.get(pk=towns.pop())
    confidential = is_confidential(kind)
    if confidential:
        from maque.accountability.queries import may_see_cases

        users = [user for user in users if town is not None and may_see_cases(user, town_id=town.pk)]
    if not users:
        return []
    with transaction.atomic():
        existing = set(Notification.objects.filter(key=key, user__in=users).values_list("user_id", flat=True))
        Notification.objects.bulk_create(
            [
                Notification(
                    user=user, town=town, kind=kind[:50], title=title[:200], body=body, link=link[:300], key=key[:150]
                )
                for user in users
                if user.pk not in existing
            ],
            ignore_conflicts=True,
        )
        rows = list(Notification.objects.filter(key=key, user__in=users).order_by("pk"))
        created = [row for row in rows if row.user_id not in existing]
        if town is not None and rows:
            _queue_deliveries(town=town, kind=kind, rows=rows, users=users, confidential=confidential)
    return created


def _queue_deliveries(
    *, town: Town, kind: str, rows: list[Notification], users: list[AbstractBaseUser], confidential: bool
) -> None:
    channels = [channel for channel in Channel.objects.filter(town=town, active=True) if channel.carries(kind)]
    emails = {user.pk: (user.email or "").strip() for user in users}
    deliveries: list[Delivery] = []
    for channel in channels:
        if channel.kind == Channel.Kind.EMAIL:
            deliveries += [
                Delivery(channel=channel, notification=row, key=f"{row.key}#{row.user_id}"[:200], address=emails[row.user_id])
                for row in rows
                if emails.get(row.user_id)
            ]
        elif not confidential:
            # A group robot posts the event once to its group, whoever the recipients are.
            deliveries.append(Delivery(channel=channel, notification=rows[0], key=rows[0].key))
    Delivery.objects.bulk_create(deliveries, ignore_conflicts=True)


def notification_read(*, notification_id: int, user: AbstractBaseUser) -> Notification:
    """Mark one of the user's notifications read (another user's is not found)."""
    notification = Notification.objects.visible_to(user).get(pk=notification_id)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notifications_read_all(*, user: AbstractBaseUser) -> int:
    """Mark every unread notification of the user read; returns how many."""
    return Notification.objects.visible_to(user).filter(read_at__isnull=True).update(read_at=timezone.now())
