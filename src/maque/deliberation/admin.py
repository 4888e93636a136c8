"""Topics in the admin: read and searched there; every change goes through the lifecycle."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from maque.deliberation.models import DeliberationSettings, Topic, TopicTransition


class TransitionInline(admin.TabularInline):
    model = TopicTransition
    extra = 0
    can_delete = False
    fields = ("created_at", "action", "from_state", "to_state", "actor", "reason", "via")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Topic | None = None) -> bool:
        return False


@admin.register(Topic)
class TopicAdmin(SimpleHistoryAdmin):
    list_display = ("code", "village", "title", "concern", "track", "state", "created_at")
    list_filter = ("state", "concern", "track", "source", "town")
    search_fields = ("code", "title")
    inlines = [TransitionInline]
    readonly_fields = [field.name for field in Topic._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Topic | None = None) -> bool:
        return False


@admin.register(DeliberationSettings)
class DeliberationSettingsAdmin(SimpleHistoryAdmin):
    list_display = ("town", "accept_within_days", "answer_within_days")

    def has_delete_permission(
        self, request: HttpRequest, obj: DeliberationSettings | None = None
    ) -> bool:
        return False
