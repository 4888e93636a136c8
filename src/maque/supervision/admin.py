from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from maque.supervision.models import InspectionFinding, InspectionRound, Review, ScoringScheme


class NoDelete:
    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(InspectionRound)
class InspectionRoundAdmin(NoDelete, SimpleHistoryAdmin):
    list_display = (
        "town",
        "number",
        "opened_on",
        "status",
        "sample_percent",
        "sample_minimum",
        "seed",
    )
    list_filter = ("town", "status")
    readonly_fields = ("seed", "population", "since", "until", "number", "opened_by")


@admin.register(InspectionFinding)
class InspectionFindingAdmin(NoDelete, SimpleHistoryAdmin):
    list_display = ("round", "item", "village", "outcome", "inspector", "created_at")
    list_filter = ("outcome", "round__town")
    search_fields = ("item__code", "note")
    readonly_fields = ("round", "sample", "item", "village", "owner", "outcome", "inspector")


@admin.register(Review)
class ReviewAdmin(NoDelete, SimpleHistoryAdmin):
    list_display = ("category", "town", "opened_on")
    list_filter = ("town", "category")


@admin.register(ScoringScheme)
class ScoringSchemeAdmin(NoDelete, SimpleHistoryAdmin):
    list_display = (
        "town",
        "base",
        "overdue_weight",
        "inadequate_weight",
        "false_close_weight",
        "relapse_weight",
        "closure_bonus",
        "pass_rate_bonus",
    )
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "town",
                    "base",
                    "overdue_weight",
                    "inadequate_weight",
                    "false_close_weight",
                    "relapse_weight",
                    "closure_bonus",
                    "pass_rate_bonus",
                )
            },
        ),
        (
            _("Topic rules (joint deliberation, villages only; off until switched on)"),
            {
                "fields": [pair for pair in ScoringScheme.TOPIC_RULE_FIELDS.values()],
            },
        ),
    )
