from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from maque.fieldwork.models import FieldVisit, Policy, PublicityRecord


class NoDelete:
    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Policy)
class PolicyAdmin(NoDelete, SimpleHistoryAdmin):  # type: ignore[misc]
    list_display = ("name", "town", "order", "active")
    list_filter = ("town", "active")


@admin.register(FieldVisit)
class FieldVisitAdmin(NoDelete, SimpleHistoryAdmin):  # type: ignore[misc]
    list_display = ("village", "visitor", "purpose", "visited_at")
    list_filter = ("purpose",)
    readonly_fields = ("town", "village", "visitor", "visited_at", "households", "policies")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(PublicityRecord)
class PublicityAdmin(NoDelete, SimpleHistoryAdmin):  # type: ignore[misc]
    list_display = ("village", "policy", "on", "method", "reach")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
