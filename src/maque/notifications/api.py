"""`/api/v1/notifications`: the caller's own inbox."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from maque.api.auth import request_user
from maque.api.paging import LegacyPageQuery, page_of, paginate
from maque.api.schemas import ERRORS, Id
from maque.notifications.models import Notification
from maque.notifications.queries import notification_list, unread_count
from maque.notifications.services import notification_read, notifications_read_all
from maque.organisation.access import reader_text

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    link: str
    created_at: datetime
    read_at: datetime | None
    read: bool


class InboxOut(page_of(NotificationOut, legacy="results")):  # type: ignore[misc]
    unread: int = Field(description="Unread notifications in the whole inbox")


class InboxFilters(LegacyPageQuery):
    unread: bool | None = None
    kind: str | None = Field(None, max_length=50, description="A kind or a prefix, e.g. escalation")


class UnreadOut(Schema):
    unread: int


class ReadAllOut(Schema):
    marked: int
    unread: int


def _out(notification: Notification, text: Callable[[str], str] = str) -> dict[str, Any]:
    return {
        "id": notification.pk,
        "kind": notification.kind,
        "title": text(notification.title),
        "body": text(notification.body),
        "link": notification.link,
        "created_at": notification.created_at,
        "read_at": notification.read_at,
        "read": notification.read_at is not None,
    }


@router.get("/notifications", response={200: InboxOut, **ERRORS})
def inbox(request: HttpRequest, filters: Query[InboxFilters]) -> dict[str, Any]:
    """The caller's notifications, newest first, with the unread count."""
    user = request_user(request)
    text = reader_text(user)
    notifications = notification_list(user=user, unread=filters.unread, kind=filters.kind)
    return {
        **paginate(
            notifications,
            filters,
            out=lambda row: _out(row, text),
            legacy="results",
        ),
        "unread": unread_count(user=user),
    }


@router.get("/notifications/unread", response={200: UnreadOut, **ERRORS})
def inbox_unread(request: HttpRequest) -> dict[str, int]:
    """How many of the caller's notifications are unread (for the badge)."""
    return {"unread": unread_count(user=request_user(request))}


@router.post("/notifications/read-all", response={200: ReadAllOut, **ERRORS})
def inbox_read_all(request: HttpRequest) -> dict[str, int]:
    """Mark every notification of the caller read."""
    user = request_user(request)
    marked = notifications_read_all(user=user)
    return {"marked": marked, "unread": unread_count(user=user)}


@router.post("/notifications/{notification_id}/read", response={200: NotificationOut, **ERRORS})
def inbox_read(request: HttpRequest, notification_id: Id) -> dict[str, Any]:
    """Mark one of the caller's notifications read (anyone else's is 404)."""
    user = request_user(request)
    return _out(notification_read(notification_id=notification_id, user=user), reader_text(user))
