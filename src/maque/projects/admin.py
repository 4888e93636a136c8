from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from maque.projects.models import Funding, Milestone, Project


class FundingInline(admin.TabularInline):
    model = Funding
    extra = 0

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0
    readonly_fields = ("item",)

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # a milestone is an item: registered through the service

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Project)
class ProjectAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "campaign", "owner", "starts_on", "ends_on")
    list_filter = ("town", "campaign")
    search_fields = ("code", "name")
    inlines = [FundingInline, MilestoneInline]

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
