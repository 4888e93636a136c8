from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from maque.notifications.models import Channel, Delivery, DeliveryAttempt, Notification
from maque.notifications.services import CONFIDENTIAL_PREFIXES


def _without_confidential(request: HttpRequest, queryset: QuerySet, field: str) -> QuerySet:
    """Non-superusers never see that confidential notifications exist."""
    if request.user.is_superuser:
        return queryset
    for prefix in CONFIDENTIAL_PREFIXES:
        queryset = queryset.exclude(**{f"{field}__startswith": prefix})
    return queryset


@admin.register(Channel)
class ChannelAdmin(SimpleHistoryAdmin):
    list_display = ("name", "town", "kind", "message_format", "active")
    list_filter = ("town", "kind", "active")
    search_fields = ("name",)

    def has_delete_permission(self, request: HttpRequest, obj: Channel | None = None) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("title", "user", "kind", "created_at", "read_at")
    list_filter = ("kind", "town")
    search_fields = ("title", "user__username", "key")
    date_hierarchy = "created_at"
    readonly_fields = (
        "user",
        "town",
        "kind",
        "title",
        "body",
        "link",
        "key",
        "created_at",
        "read_at",
    )
    fields = readonly_fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Notification]:
        return _without_confidential(request, super().get_queryset(request), "kind")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Notification | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Notification | None = None) -> bool:
        return False


class AttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    readonly_fields = ("number", "started_at", "ok", "status_code", "response", "error")
    fields = readonly_fields

    def has_add_permission(self, request: HttpRequest, obj: Delivery | None = None) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("key", "channel", "status", "attempts", "next_attempt_at", "sent_at")
    list_filter = ("status", "channel__kind", "channel__town")
    search_fields = ("key", "address")
    readonly_fields = (
        "channel",
        "notification",
        "key",
        "address",
        "status",
        "attempts",
        "next_attempt_at",
        "claimed_at",
        "sent_at",
        "last_error",
        "created_at",
    )
    fields = readonly_fields
    inlines = (AttemptInline,)
    actions = ("retry",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Delivery]:
        return _without_confidential(request, super().get_queryset(request), "notification__kind")

    @admin.action(description=_("Send the selected failed deliveries again"))
    def retry(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        count = queryset.filter(status=Delivery.Status.FAILED).update(
            status=Delivery.Status.PENDING, next_attempt_at=None, attempts=0
        )
        self.message_user(request, _("%(count)d deliveries queued again.") % {"count": count})

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Delivery | None = None) -> bool:
        return False
