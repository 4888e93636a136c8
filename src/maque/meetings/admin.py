from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from maque.meetings.models import Meeting, MeetingDecision, MeetingFile


class DecisionInline(admin.TabularInline):
    model = MeetingDecision
    extra = 0
    readonly_fields = ("item",)

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class FileInline(admin.TabularInline):
    model = MeetingFile
    extra = 0
    readonly_fields = (
        "original_name",
        "content_type",
        "size",
        "sha256",
        "uploaded_by",
        "uploaded_at",
    )
    exclude = ("file",)

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Meeting)
class MeetingAdmin(SimpleHistoryAdmin):
    list_display = ("held_on", "title", "kind", "status", "town", "attendee_count")
    list_filter = ("kind", "status", "town")
    search_fields = ("title", "minutes", "place")
    date_hierarchy = "held_on"
    filter_horizontal = ("villages", "attendees")
    # A meeting becomes held through `meeting_record` (workspace or API), and never goes back to draft.
    readonly_fields = ("status", "indicators", "week_start", "created_by", "created_at")
    inlines = [DecisionInline, FileInline]

    def has_delete_permission(self, request: HttpRequest, obj: Meeting | None = None) -> bool:
        return False
