from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from maque.decisions.models import DecisionStep, VillageDecision


class StepInline(admin.TabularInline):
    model = DecisionStep
    extra = 0
    # Steps are taken through `decisions.services.decision_step` (in order, on passed resolutions).
    readonly_fields = ("step", "meeting", "resolution", "on", "text", "created_by", "created_at")

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(VillageDecision)
class VillageDecisionAdmin(SimpleHistoryAdmin):
    list_display = ("title", "village", "state", "created_at")
    list_filter = ("state", "town")
    search_fields = ("title", "description")
    readonly_fields = ("state", "version", "created_by", "created_at")
    inlines = [StepInline]

    def has_delete_permission(
        self, request: HttpRequest, obj: VillageDecision | None = None
    ) -> bool:
        return False
