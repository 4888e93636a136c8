"""The inbox (消息): my notifications, opening one, marking them read."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from maque.core.users import signed_in
from maque.notifications.models import Notification
from maque.notifications.queries import notification_list, unread_count
from maque.notifications.services import notification_read, notifications_read_all

INBOX_PAGE = 30


def _back(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or default
    return (
        target
        if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
        else default
    )


# --- 消息: the inbox --------------------------------------------------------------------------


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """My notifications, unread first, newest first within each; `?unread=1` shows only unread."""
    only_unread = request.GET.get("unread") == "1"
    notifications = notification_list(user=signed_in(request), unread=True if only_unread else None)
    notifications = notifications.annotate(
        unread_first=Case(
            When(read_at__isnull=True, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
    ).order_by("unread_first", "-created_at", "-id")
    page = Paginator(notifications, INBOX_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "workspace/rhythm/inbox.html",
        {
            "page": page,
            "only_unread": only_unread,
            "unread": unread_count(user=signed_in(request)),
        },
    )


@login_required
def inbox_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Open a notification: mark it read and follow its link (a local link only)."""
    try:
        notification = notification_read(notification_id=pk, user=signed_in(request))
    except Notification.DoesNotExist:
        raise Http404 from None
    link = notification.link
    if (
        link
        and link.startswith("/")
        and url_has_allowed_host_and_scheme(link, allowed_hosts={request.get_host()})
    ):
        return HttpResponseRedirect(link)
    return HttpResponseRedirect(reverse("workspace:inbox"))


@login_required
@require_POST
def inbox_read(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        notification_read(notification_id=pk, user=signed_in(request))
    except Notification.DoesNotExist:
        raise Http404 from None
    return HttpResponseRedirect(_back(request, reverse("workspace:inbox")))


@login_required
@require_POST
def inbox_read_all(request: HttpRequest) -> HttpResponse:
    marked = notifications_read_all(user=signed_in(request))
    messages.success(request, _("%(count)d notifications marked read.") % {"count": marked})
    return HttpResponseRedirect(_back(request, reverse("workspace:inbox")))
