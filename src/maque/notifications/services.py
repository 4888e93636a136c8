"""Writes of notifications: `notify` puts a message in inboxes and queues its deliveries.

Other apps call `notify`; it is idempotent by `key` (one notification per user and key, one
delivery per channel and key), so a rule that fires twice, or two `tick`s at once, notify once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from maque.notifications.models import Channel, Delivery, Notification
from maque.organisation.models import Person, Town

# Kinds whose very existence is confidential (问责, 信访): only the people allowed to see the
# cases or petitions receive them, and never through a group robot, which a whole chat group reads.
CONFIDENTIAL_PREFIXES = ("accountability", "petition")


def is_confidential(kind: str) -> bool:
    return any(kind == prefix or kind.startswith(f"{prefix}.") for prefix in CONFIDENTIAL_PREFIXES)


@dataclass(frozen=True)
class Message:
    """One thing to tell some people: the arguments of `notify`, for `notify_many`."""

    recipients: tuple[Any, ...]
    kind: str
    title: str
    key: str
    body: str = ""
    link: str = ""
    town: Town | None = None


def notify(
    *,
    recipients: Iterable[Any],
    kind: str,
    title: str,
    body: str = "",
    link: str = "",
    key: str,
    town: Town | None = None,
    may_read_confidential: Callable[[Any, int], bool] | None = None,
) -> list[Notification]:
    """Notify the recipients (users, people or user ids; people without a login are skipped) once per key.

    Returns the notifications created by this call (empty when every recipient already had one).
    Deliveries are queued for the town's active channels that carry `kind` and are sent by the
    `tick` step `maque.notifications.delivery.deliveries_send`. `town` defaults to the town of the
    people notified (when they are all of one town). Kinds starting with `accountability` are
    confidential: only the recipients `may_read_confidential` admits receive them (the owning
    app's check, see `notify_many`), and never through a group robot.
    """
    message = Message(
        recipients=tuple(recipients),
        kind=kind,
        title=title,
        body=body,
        link=link,
        key=key,
        town=town,
    )
    return notify_many([message], may_read_confidential=may_read_confidential)


def notify_many(
    messages: Sequence[Message], *, may_read_confidential: Callable[[Any, int], bool] | None = None
) -> list[Notification]:
    """`notify` for many messages at once, in a handful of queries (the ladder's first run on a
    large ledger fires thousands).

    A confidential kind (问责) reaches only the recipients `may_read_confidential(user, town_id)`
    admits: the app that owns the confidential matter says who may read it (this module knows
    nothing of cases). Without that check a confidential message is refused, never sent wide."""
    for message in messages:
        if not (message.key or "").strip():
            raise ValidationError({"key": [_("A notification needs a key.")]})
        if not message.kind or not message.title:
            raise ValidationError({"title": [_("A notification needs a kind and a title.")]})
    people = _people([message.recipients for message in messages])
    user_ids = {
        _user_id(recipient, people) for message in messages for recipient in message.recipients
    }
    users = {
        user.pk: user
        for user in get_user_model().objects.filter(
            pk__in={pk for pk in user_ids if pk is not None}, is_active=True
        )
    }
    towns = {
        town.pk: town
        for town in Town.objects.filter(pk__in={town_id for _user, town_id in people.values()})
    }
    wanted: dict[tuple[int, str], tuple[Message, Town | None]] = {}
    for message in messages:
        key = message.key.strip()[:150]
        town = message.town
        if town is None:
            message_towns = {
                people[r.pk][1]
                for r in message.recipients
                if isinstance(r, Person) and r.pk in people
            }
            town = towns[message_towns.pop()] if len(message_towns) == 1 else None
        recipients = [
            users[uid] for uid in {_user_id(r, people) for r in message.recipients} if uid in users
        ]
        if is_confidential(message.kind):
            if may_read_confidential is None:
                raise ValueError(
                    f"a confidential notification ({message.kind}) needs a reader check"
                )
            recipients = [
                u for u in recipients if town is not None and may_read_confidential(u, town.pk)
            ]
        for user in recipients:
            wanted.setdefault((user.pk, key), (message, town))
    if not wanted:
        return []
    keys = {key for _uid, key in wanted}
    with transaction.atomic():
        existing = set(
            Notification.objects.filter(
                key__in=keys, user_id__in={uid for uid, _key in wanted}
            ).values_list("user_id", "key")
        )
        Notification.objects.bulk_create(
            [
                Notification(
                    user_id=uid,
                    town=town,
                    kind=message.kind[:50],
                    title=message.title[:200],
                    body=message.body,
                    link=message.link[:300],
                    key=key,
                )
                for (uid, key), (message, town) in wanted.items()
                if (uid, key) not in existing
            ],
            ignore_conflicts=True,
            batch_size=500,
        )
        rows = [
            row
            for row in Notification.objects.filter(
                key__in=keys, user_id__in={uid for uid, _key in wanted}
            ).order_by("pk")
            if (row.user_id, row.key) in wanted
        ]
        _queue_deliveries(rows, users, wanted)
    return [row for row in rows if (row.user_id, row.key) not in existing]


def _people(groups: Iterable[Iterable[Any]]) -> dict[int, tuple[int | None, int]]:
    """person id → (user id, town id) for every person among the recipients."""
    person_ids = {r.pk for group in groups for r in group if isinstance(r, Person)}
    rows = Person.objects.filter(pk__in=person_ids).values_list("pk", "user_id", "town_id")
    return {pk: (user_id, town_id) for pk, user_id, town_id in rows}


def _user_id(recipient: Any, people: dict[int, tuple[int | None, int]]) -> int | None:
    if recipient is None:
        return None
    if isinstance(recipient, Person):
        return people.get(recipient.pk, (None, 0))[0]
    if isinstance(recipient, int):
        return recipient
    return recipient.pk


def _queue_deliveries(
    rows: list[Notification],
    users: dict[int, User],
    wanted: dict[tuple[int, str], tuple[Any, Town | None]],
    *,
    again: str = "",
) -> None:
    """Queue a copy of each row through its town's channels. `again` (a run token) sends a
    changed row again: its copies are keyed by it too."""
    by_town: dict[int, list[Notification]] = {}
    for row in rows:
        town = wanted[(row.user_id, row.key)][1]
        if town is not None:
            by_town.setdefault(town.pk, []).append(row)
    if not by_town:
        return
    channels = list(Channel.objects.filter(town_id__in=by_town, active=True))
    # A changed row whose copy still waits is sent once, as it reads when it goes out.
    waiting = (
        set(
            Delivery.objects.filter(
                notification__in=rows, status=Delivery.Status.PENDING
            ).values_list("notification_id", "channel_id")
        )
        if again
        else set()
    )
    deliveries: list[Delivery] = []
    for channel in channels:
        first_of_key: dict[str, Notification] = {}
        for row in by_town.get(channel.town_id, []):
            if not channel.carries(row.kind) or (row.pk, channel.pk) in waiting:
                continue
            if channel.kind == Channel.Kind.EMAIL:
                address = (users[row.user_id].email or "").strip()
                if address:
                    deliveries.append(
                        Delivery(
                            channel=channel,
                            notification=row,
                            key=f"{row.key}#{row.user_id}{again}"[-200:],
                            address=address,
                        )
                    )
            elif not is_confidential(row.kind):
                # A group robot posts the event once to its group, whoever the recipients are.
                first_of_key.setdefault(f"{row.key}{again}"[-200:], row)
        deliveries += [
            Delivery(channel=channel, notification=row, key=key)
            for key, row in first_of_key.items()
        ]
    Delivery.objects.bulk_create(deliveries, ignore_conflicts=True, batch_size=500)


# --- digests: one message per person and day, to which a day's events add lines --------------

# A digest lists at most this many lines; its last line then counts the rest ("… +N"), and its
# title counts them all.
DIGEST_LINES = 200
MORE_LINE = re.compile(r"^… \+(\d+)$")


@dataclass(frozen=True)
class DigestLines:
    """Lines to add to one person's digest (one inbox message per person and `key`)."""

    recipient: Any
    kind: str
    key: str
    lines: tuple[str, ...]
    # The title of a digest of `count` lines.
    title: Callable[[int], str]
    link: str = ""
    town: Town | None = None


def digests_add(additions: Sequence[DigestLines], *, run: str) -> list[Notification]:
    """Add lines to the digests of their recipients: the first lines of a key create the
    message, later ones are appended to it (it becomes unread again) and its title counts them
    all. The channels get the digest once per `run` (a run token) that changed it, so a later
    run of the day sends the whole digest again, and a retried run sends nothing twice.

    Returns the digests created or changed. A line already in a digest is not added again.
    """
    people = _people([[addition.recipient] for addition in additions])
    user_ids = {
        uid for addition in additions if (uid := _user_id(addition.recipient, people)) is not None
    }
    users = {
        user.pk: user for user in get_user_model().objects.filter(pk__in=user_ids, is_active=True)
    }
    grouped: dict[tuple[int, str], tuple[DigestLines, list[str]]] = {}
    for addition in additions:
        uid = _user_id(addition.recipient, people)
        if uid is None or uid not in users:
            continue
        _first, lines = grouped.setdefault((uid, addition.key.strip()[:150]), (addition, []))
        lines += [line for line in addition.lines if line not in lines]
    if not grouped:
        return []
    changed: list[Notification] = []
    with transaction.atomic():
        existing = {
            (row.user_id, row.key): row
            for row in Notification.objects.select_for_update().filter(
                key__in={key for _uid, key in grouped}, user_id__in={uid for uid, _key in grouped}
            )
        }
        for (uid, key), (addition, lines) in grouped.items():
            row = existing.get((uid, key))
            listed = row.body.split("\n") if row is not None and row.body else []
            hidden = 0
            if listed and (more := MORE_LINE.match(listed[-1])):
                hidden = int(more.group(1))
                listed = listed[:-1]
            fresh = [line for line in lines if line not in listed]
            if not fresh:
                continue
            every = listed + fresh
            hidden += max(len(every) - DIGEST_LINES, 0)
            body = "\n".join(every[:DIGEST_LINES] + ([f"… +{hidden}"] if hidden else []))
            title = addition.title(min(len(every), DIGEST_LINES) + hidden)[:200]
            if row is None:
                row = Notification.objects.create(
                    user_id=uid,
                    town=addition.town,
                    kind=addition.kind[:50],
                    title=title,
                    body=body,
                    link=addition.link[:300],
                    key=key,
                )
            else:
                row.title, row.body, row.read_at = title, body, None
                row.save(update_fields=["title", "body", "read_at"])
            changed.append(row)
        wanted = {
            (row.user_id, row.key): (None, grouped[(row.user_id, row.key)][0].town)
            for row in changed
        }
        _queue_deliveries(changed, users, wanted, again=f"@{run}")
    return changed


def notification_read(*, notification_id: int, user: User) -> Notification:
    """Mark one of the user's notifications read (another user's is not found)."""
    notification = Notification.objects.visible_to(user).get(pk=notification_id)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notifications_read_all(*, user: User) -> int:
    """Mark every unread notification of the user read; returns how many."""
    return (
        Notification.objects.visible_to(user)
        .filter(read_at__isnull=True)
        .update(read_at=timezone.now())
    )
