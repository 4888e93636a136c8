from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from maque.diagnosis.models import Dissection, VillageSnapshot, WatchEntry, WatchEvent


class EventInline(admin.TabularInline):
    model = WatchEvent
    extra = 0
    readonly_fields = ("action", "from_state", "to_state", "by", "reason", "via", "created_at")
    exclude = ("numbers",)

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(WatchEntry)
class WatchEntryAdmin(SimpleHistoryAdmin):
    """Read-only: an entry moves only through its steps (the board, the API)."""

    list_display = ("subject_key", "village", "state", "severity", "proposed_on")
    list_filter = ("town", "state", "subject")
    inlines = [EventInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(VillageSnapshot)
class VillageSnapshotAdmin(admin.ModelAdmin):
    list_display = ("village", "day", "open", "overdue", "overdue_15", "closure_rate")
    list_filter = ("town", "day")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Dissection)
class DissectionAdmin(SimpleHistoryAdmin):
    list_display = ("entry", "meeting", "created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
