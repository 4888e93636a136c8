"""Accountability cases in the admin: confidential like everywhere else.

A staff member who is neither on the town's discipline commission nor a principal leader does
not see the section, and every page of it answers 404 (not 403, which would betray it exists).
"""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from simple_history.admin import SimpleHistoryAdmin

from maque.accountability.models import AccountabilityCase, CaseEvent, Evidence
from maque.accountability.policies import may_handle_cases
from maque.organisation.access import actor_for


def _handles_cases(request: HttpRequest) -> bool:
    return may_handle_cases(actor_for(request.user))


class EvidenceInline(admin.TabularInline):
    model = Evidence
    extra = 0
    can_delete = False
    readonly_fields = ("content_type", "object_id", "label", "added_at")
    fields = readonly_fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EventInline(admin.TabularInline):
    model = CaseEvent
    extra = 0
    can_delete = False
    readonly_fields = ("from_status", "to_status", "by", "note", "created_at")
    fields = readonly_fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AccountabilityCase)
class AccountabilityCaseAdmin(SimpleHistoryAdmin):
    list_display = (
        "number",
        "title",
        "town",
        "village",
        "subject_person",
        "rule",
        "status",
        "measure",
        "created_at",
    )
    list_filter = ("status", "rule", "measure", "town")
    search_fields = ("title", "summary", "subject_person__name")
    date_hierarchy = "created_at"
    readonly_fields = (
        "town",
        "number",
        "rule",
        "status",
        "subject_person",
        "village",
        "opened_by",
        "created_at",
    )
    fields = (*readonly_fields, "title", "summary", "measure", "decision")
    inlines = (EvidenceInline, EventInline)

    def get_queryset(self, request: HttpRequest) -> QuerySet[AccountabilityCase]:
        return AccountabilityCase.objects.visible_to(request.user).select_related(
            "town", "village", "subject_person"
        )

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _handles_cases(request) and super().has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # cases are opened through the API/service, which records the event

    def has_delete_permission(
        self, request: HttpRequest, obj: AccountabilityCase | None = None
    ) -> bool:
        return False

    def _visible(self, request: HttpRequest, object_id: str | None) -> bool:
        if not _handles_cases(request):
            return False
        if object_id is None:
            return True
        return (
            str(object_id).isdigit()
            and self.get_queryset(request).filter(pk=int(object_id)).exists()
        )

    def changelist_view(
        self, request: HttpRequest, extra_context: dict | None = None
    ) -> HttpResponse:
        if not _handles_cases(request):
            raise Http404
        return super().changelist_view(request, extra_context)

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict | None = None,
    ) -> HttpResponse:
        if not self._visible(request, object_id):
            raise Http404
        return super().changeform_view(request, object_id, form_url, extra_context)

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict | None = None
    ) -> HttpResponse:
        if not self._visible(request, object_id):
            raise Http404
        return super().history_view(request, object_id, extra_context)

    def history_form_view(
        self,
        request: HttpRequest,
        object_id: str,
        version_id: str,
        extra_context: dict | None = None,
    ) -> HttpResponse:
        if not self._visible(request, object_id):
            raise Http404
        return super().history_form_view(request, object_id, version_id, extra_context)
