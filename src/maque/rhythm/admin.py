from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from maque.organisation.admin import TownAdmin
from maque.organisation.models import Town
from maque.rhythm.models import CalendarDay, EscalationStep, RhythmSettings

if TYPE_CHECKING:
    from django.contrib.admin.options import _FieldsetSpec  # the stubs' name for admin fieldsets

# The rhythm's settings of a town: one set of fieldsets, shown on the town's own admin page (with
# its light thresholds, so a town's settings are configured in one place) and on their own list.
RHYTHM_FIELDSETS: _FieldsetSpec = (
    (
        _("Daily bulletin"),
        {"fields": ("bulletin_enabled", "bulletin_time", "bulletin_named_villages")},
    ),
    (
        _("Escalation ladder"),
        {
            "fields": (
                "escalation_enabled",
                "escalation_working_days",
                "escalation_due_soon_days",
                "escalation_owner_secretary_days",
                "escalation_contact_leader_days",
                "escalation_principal_days",
                "escalation_accountability_days",
                "accountability_returns",
                "accountability_last_place_periods",
                "accountability_on_false_close_out",
                "accountability_village_rate_gap",
                "accountability_village_returns",
            )
        },
    ),
    (
        _("Weekly diagnosis"),
        {
            "fields": (
                "diagnosis_enabled",
                "diagnosis_weekday",
                "diagnosis_time",
                "stale_days",
            )
        },
    ),
    (
        _("Watch list"),
        {
            "fields": (
                "watch_rate_gap",
                "watch_stale_share",
                "watch_returns",
                "watch_project_gap",
                "watch_milestone_late_days",
                "watch_category_share",
                "watch_category_overdue",
                "watch_weekly_cap",
                "watch_dismissal_weeks",
                "watch_exit_weeks",
            )
        },
    ),
    (
        _("Biweekly inspection"),
        {
            "fields": (
                "inspection_enabled",
                "inspection_interval_days",
                "inspection_sample_percent",
                "inspection_sample_minimum",
            )
        },
    ),
    (_("Scoring"), {"fields": ("scoring_period",)}),
    (_("Delivery"), {"fields": ("delivery_retries", "delivery_backoff_seconds")}),
)


class RhythmSettingsInline(admin.StackedInline):
    model = RhythmSettings
    fieldsets = RHYTHM_FIELDSETS
    can_delete = False
    max_num = 1
    verbose_name_plural = _("rhythm settings")


admin.site.unregister(Town)


@admin.register(Town)
class TownWithRhythmAdmin(TownAdmin):
    """The town's page holds every setting of the town: its lights and its rhythm."""

    inlines = [*TownAdmin.inlines, RhythmSettingsInline]


@admin.register(RhythmSettings)
class RhythmSettingsAdmin(SimpleHistoryAdmin):
    list_display = (
        "town",
        "bulletin_time",
        "escalation_working_days",
        "escalation_contact_leader_days",
        "escalation_principal_days",
        "escalation_accountability_days",
        "inspection_sample_percent",
    )
    search_fields = ("town__name",)
    fieldsets = ((None, {"fields": ("town",)}), *RHYTHM_FIELDSETS)

    def get_readonly_fields(
        self, request: HttpRequest, obj: RhythmSettings | None = None
    ) -> tuple[str, ...]:
        return ("town",) if obj else ()

    def has_delete_permission(
        self, request: HttpRequest, obj: RhythmSettings | None = None
    ) -> bool:
        return False


# One character each in Chinese (一 … 日); the context keeps them apart from other catalogues' "Mon".
WEEKDAYS = (
    pgettext_lazy("weekday, one character", "Mon"),
    pgettext_lazy("weekday, one character", "Tue"),
    pgettext_lazy("weekday, one character", "Wed"),
    pgettext_lazy("weekday, one character", "Thu"),
    pgettext_lazy("weekday, one character", "Fri"),
    pgettext_lazy("weekday, one character", "Sat"),
    pgettext_lazy("weekday, one character", "Sun"),
)


@admin.register(CalendarDay)
class CalendarDayAdmin(SimpleHistoryAdmin):
    list_display = ("day", "weekday", "kind", "name", "town", "active")
    list_filter = ("town", "kind", "active")
    search_fields = ("name",)
    date_hierarchy = "day"
    ordering = ("town", "day")

    @admin.display(description=_("weekday"))
    def weekday(self, entry: CalendarDay) -> str:
        return str(WEEKDAYS[entry.day.weekday()])

    def has_delete_permission(self, request: HttpRequest, obj: CalendarDay | None = None) -> bool:
        return False


@admin.register(EscalationStep)
class EscalationStepAdmin(admin.ModelAdmin):
    list_display = ("item", "step", "due_on", "deadline", "overdue_days", "fired_at")
    list_filter = ("step", "item__town")
    search_fields = ("item__code", "item__title")
    date_hierarchy = "due_on"
    readonly_fields = (
        "item",
        "step",
        "due_on",
        "deadline",
        "overdue_days",
        "recipients",
        "fired_at",
    )
    fields = readonly_fields

    def get_queryset(self, request: HttpRequest):  # noqa: ANN201
        steps = super().get_queryset(request).select_related("item")
        if not request.user.is_superuser:
            # An accountability rung reveals that a case was suggested: confidential (design §5).
            steps = steps.exclude(
                step__in=(
                    EscalationStep.Step.OVERDUE_ACCOUNTABILITY,
                    EscalationStep.Step.RETURNS_ACCOUNTABILITY,
                )
            )
        return steps

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: EscalationStep | None = None
    ) -> bool:
        return False

    def has_delete_permission(
        self, request: HttpRequest, obj: EscalationStep | None = None
    ) -> bool:
        return False
