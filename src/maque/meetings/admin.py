from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from maque.meetings.models import (
    CountingRule,
    Meeting,
    MeetingDecision,
    MeetingFile,
    Resolution,
    RollEntry,
    RosterMember,
    VillagePopulation,
)


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


class RollInline(admin.TabularInline):
    model = RollEntry
    extra = 0
    # Taken from the rosters when the meeting is recorded; attendance through the workspace or API.
    readonly_fields = ("member", "person", "name", "body", "attendance", "order")

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class ResolutionInline(admin.TabularInline):
    model = Resolution
    extra = 0
    # The outcome is computed by `resolutions.resolution_record`; the admin only shows it.
    readonly_fields = (
        "text",
        "votes_for",
        "votes_against",
        "votes_abstain",
        "expected",
        "present",
        "outcome",
        "refusal",
    )
    exclude = ("created_by",)

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(RosterMember)
class RosterMemberAdmin(SimpleHistoryAdmin):
    list_display = ("village", "body", "name", "person", "valid_from", "valid_to")
    list_filter = ("body", "village__town")
    search_fields = ("name", "village__name")
    autocomplete_fields = ("person",)

    def has_delete_permission(self, request: HttpRequest, obj: RosterMember | None = None) -> bool:
        return False


@admin.register(VillagePopulation)
class VillagePopulationAdmin(SimpleHistoryAdmin):
    list_display = ("village", "counted_on", "adults", "households")
    list_filter = ("village__town",)

    def has_delete_permission(
        self, request: HttpRequest, obj: VillagePopulation | None = None
    ) -> bool:
        return False


@admin.register(CountingRule)
class CountingRuleAdmin(SimpleHistoryAdmin):
    list_display = ("kind", "town", "quorum_basis", "quorum_num", "quorum_den", "quorum_strict")
    list_filter = ("kind", "town")

    def has_delete_permission(self, request: HttpRequest, obj: CountingRule | None = None) -> bool:
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
    inlines = [RollInline, ResolutionInline, DecisionInline, FileInline]

    def has_delete_permission(self, request: HttpRequest, obj: Meeting | None = None) -> bool:
        return False
