"""Issued bulletins in the admin: read-only, never deleted."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from maque.bulletins.models import Bulletin


@admin.register(Bulletin)
class BulletinAdmin(SimpleHistoryAdmin):
    list_display = ("code", "town", "day", "title", "scheduled", "corrects", "issued_at")
    list_filter = ("town", "scheduled", "year")
    search_fields = ("code", "title")
    date_hierarchy = "day"

    def get_readonly_fields(self, request: HttpRequest, obj: Bulletin | None = None) -> list[str]:
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # issued through `bulletin_issue` only

    def has_change_permission(self, request: HttpRequest, obj: Bulletin | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Bulletin | None = None) -> bool:
        return False
