"""Reads of the inbox: a user's own notifications only."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import QuerySet

from maque.notifications.models import Notification


def notification_list(
    *, user: User, unread: bool | None = None, kind: str | None = None
) -> QuerySet[Notification]:
    notifications = Notification.objects.visible_to(user)
    if unread is True:
        notifications = notifications.filter(read_at__isnull=True)
    elif unread is False:
        notifications = notifications.filter(read_at__isnull=False)
    if kind:
        notifications = notifications.filter(kind__startswith=kind)
    return notifications.order_by("-created_at", "-id")


def unread_count(*, user: User) -> int:
    return Notification.objects.visible_to(user).filter(read_at__isnull=True).count()
