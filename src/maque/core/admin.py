"""The admin's shared rules: nothing is hard-deleted, history is one click away.

`HistoryAdmin` is the base for business records (history via django-simple-history, no delete);
`RecordAdmin` for append-only records (view only). Sign-in accounts keep Django's screens, minus
deletion: a person's account is deactivated, never removed.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

# The bulk "delete selected" action would hard-delete; no screen offers it.
admin.site.disable_action("delete_selected")


class NoDeleteMixin:
    """Nothing is hard-deleted through the product: records are cancelled, closed or deactivated."""

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class HistoryAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    """A business record: editable where the model allows, every change kept in its history."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        obj._history_user = request.user
        obj._change_reason = "admin"
        super().save_model(request, obj, form, change)


class RecordAdmin(NoDeleteMixin, admin.ModelAdmin):
    """An append-only record (a transition, a progress report, a file): readable, never edited here."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    """Rows shown for context inside another record; changed through their own screen or service."""

    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EditableInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False


admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class AccountAdmin(NoDeleteMixin, UserAdmin):
    list_filter = ("is_active", "is_staff", "is_superuser")


@admin.register(Group)
class AccountGroupAdmin(NoDeleteMixin, GroupAdmin):
    pass
