"""Admin screens for towns, villages, people and the responsibility grid.

Role assignments and contact departments are never overwritten: once saved, who/what/where/since
is read-only and only the end date (valid_to) and the note can change — a change of person is a
closed row and a new one, exactly as `organisation.services.assignment_change` does it.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from maque.core.admin import EditableInline, HistoryAdmin, ReadOnlyInline
from maque.core.geojson import validate_polygon
from maque.organisation.models import (
    ContactDepartment,
    Department,
    Household,
    Person,
    Plot,
    RoleAssignment,
    Town,
    Village,
    VillageGroup,
    VillageTeam,
)

PERIOD_FIXED = ("person", "role", "town", "village", "campaign", "valid_from")


@admin.register(Town)
class TownAdmin(HistoryAdmin):
    list_display = ("name", "short_name", "code", "county", "is_sample", "created_at")
    list_filter = ("county", "is_sample")
    search_fields = ("name", "short_name", "code")
    readonly_fields = ("created_at",)
    fieldsets = (
        (None, {"fields": ("name", "short_name", "code", "county", "is_sample", "created_at")}),
        (
            _("Lights (红黄绿灯)"),
            {"fields": ("light_due_soon_days", "light_stale_days", "light_red_returns")},
        ),
    )


@admin.register(Department)
class DepartmentAdmin(HistoryAdmin):
    list_display = ("name", "town", "active")
    list_filter = ("town", "active")
    search_fields = ("name",)
    list_select_related = ("town",)


class GroupInline(EditableInline):
    model = VillageGroup
    fields = ("number", "name")


class TeamInline(EditableInline):
    model = VillageTeam
    fields = ("kind", "leader", "members_count", "note")


class ContactDepartmentInline(ReadOnlyInline):
    model = ContactDepartment
    fields = ("department", "valid_from", "valid_to")
    readonly_fields = fields
    verbose_name_plural = _("contact departments (history)")


class VillageAssignmentInline(ReadOnlyInline):
    model = RoleAssignment
    fields = ("person", "role", "campaign", "valid_from", "valid_to")
    readonly_fields = fields
    verbose_name_plural = _("responsibility grid (history)")

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).select_related("person", "campaign", "village", "town")


@admin.register(Village)
class VillageAdmin(HistoryAdmin):
    list_display = (
        "name",
        "town",
        "kind",
        "signature_product",
        "households_count",
        "population",
        "active",
        "is_sample",
    )
    list_filter = ("town", "kind", "active", "is_sample")
    search_fields = ("name", "signature_product")
    list_select_related = ("town",)
    inlines = (GroupInline, TeamInline, ContactDepartmentInline, VillageAssignmentInline)


@admin.register(VillageGroup)
class VillageGroupAdmin(HistoryAdmin):
    list_display = ("__str__", "village", "number", "name")
    list_filter = ("village__town",)
    search_fields = ("name", "village__name")
    autocomplete_fields = ("village",)
    list_select_related = ("village",)


@admin.register(VillageTeam)
class VillageTeamAdmin(HistoryAdmin):
    list_display = ("village", "kind", "leader", "members_count")
    list_filter = ("kind", "village__town")
    search_fields = ("village__name", "leader")
    autocomplete_fields = ("village",)
    list_select_related = ("village",)


class PersonAssignmentInline(ReadOnlyInline):
    model = RoleAssignment
    fields = ("role", "town", "village", "campaign", "valid_from", "valid_to", "note")
    readonly_fields = fields
    verbose_name_plural = _("role assignments (history)")

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).select_related("person", "town", "village", "campaign")


@admin.register(Person)
class PersonAdmin(HistoryAdmin):
    list_display = ("name", "town", "department", "title", "phone", "user", "active", "is_sample")
    list_filter = ("town", "active", "department", "is_sample")
    search_fields = ("name", "phone", "title", "user__username")
    autocomplete_fields = ("user", "department")
    list_select_related = ("town", "department", "user")
    inlines = (PersonAssignmentInline,)


class PeriodAdmin(HistoryAdmin):
    """Rows with a period of validity: once saved, only the end date and note can change."""

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        fixed = tuple(name for name in PERIOD_FIXED if hasattr(self.model, name))
        fixed += ("department",) if self.model is ContactDepartment else ()
        return fixed if obj is not None else ()


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(PeriodAdmin):
    list_display = ("person", "role", "town", "village", "campaign", "valid_from", "valid_to")
    list_filter = ("role", "town", ("valid_to", admin.EmptyFieldListFilter))
    search_fields = ("person__name", "village__name", "note")
    autocomplete_fields = ("person", "village", "campaign")
    list_select_related = ("person", "town", "village", "campaign")
    date_hierarchy = "valid_from"


@admin.register(ContactDepartment)
class ContactDepartmentAdmin(PeriodAdmin):
    list_display = ("village", "department", "valid_from", "valid_to")
    list_filter = ("village__town", ("valid_to", admin.EmptyFieldListFilter))
    search_fields = ("village__name", "department__name")
    autocomplete_fields = ("village", "department")
    list_select_related = ("village", "department")


@admin.register(Household)
class HouseholdAdmin(HistoryAdmin):
    list_display = ("head_name", "village", "group", "members", "phone")
    list_filter = ("village__town", "village")
    search_fields = ("head_name", "phone", "address", "village__name")
    autocomplete_fields = ("village", "group")
    list_select_related = ("village", "group")


class PlotForm(forms.ModelForm):
    # Meta (model, fields) comes from the admin, which builds the form for its fieldsets.

    def clean_polygon(self) -> Any:
        polygon = self.cleaned_data.get("polygon")
        validate_polygon(polygon)
        return polygon


@admin.register(Plot)
class PlotAdmin(HistoryAdmin):
    form = PlotForm
    list_display = ("code", "village", "group", "area_mu", "land_class", "status", "has_polygon")
    list_filter = ("land_class", "status", "town", "village")
    search_fields = ("code", "village__name", "note", "household__head_name")
    autocomplete_fields = ("village", "group", "household")
    list_select_related = ("village", "group")

    @admin.display(boolean=True, description=_("polygon"))
    def has_polygon(self, plot: Plot) -> bool:
        return plot.polygon is not None
