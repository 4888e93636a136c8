"""Admin screens for campaigns, categories and the ledger.

Categories and their fields are configuration, edited here. Items are registered and moved only
through the lifecycle (`maque.ledger.lifecycle`): the item screen shows everything but never
edits the state, the counters, the people and times the lifecycle records, or the version; the
descriptive fields it does edit are validated as the lifecycle validates them, bump the version
(so a client holding the old one gets a conflict) and land in the item's history.
Transitions, progress logs, attachments, requests and code counters are records: view only.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from maque.core.admin import EditableInline, HistoryAdmin, ReadOnlyInline, RecordAdmin
from maque.ledger.lifecycle import EDITABLE_FIELDS, LEADER_FIELDS, clean_changes
from maque.ledger.models import (
    Attachment,
    Campaign,
    Category,
    CategoryField,
    Item,
    ItemCounter,
    ItemRequest,
    ProgressLog,
    Transition,
)

# Set by the lifecycle only.
LIFECYCLE_FIELDS = (
    "town",
    "code",
    "year",
    "kind",
    "campaign",
    "category",
    "village",
    "state",
    "found_on",
    "original_deadline",
    "returned_count",
    "reopened_count",
    "extension_count",
    "suspended_on",
    "suspended_until",
    "submitted_by",
    "submitted_at",
    "verified_by",
    "closed_at",
    "last_progress_at",
    "progress_percent",
    "version",
    "source",
    "created_by",
    "created_at",
    "updated_at",
)


class CategoryListInline(ReadOnlyInline):
    model = Category
    fields = ("order", "code", "name", "default_deadline_days", "evidence_required", "active")
    readonly_fields = fields


@admin.register(Campaign)
class CampaignAdmin(HistoryAdmin):
    list_display = ("name", "code", "town", "starts_on", "ends_on", "active", "order")
    list_filter = ("town", "active")
    search_fields = ("name", "code")
    list_select_related = ("town",)
    inlines = (CategoryListInline,)


class CategoryFieldInline(EditableInline):
    model = CategoryField
    fields = (
        "order",
        "name",
        "label",
        "type",
        "unit",
        "required",
        "choices",
        "min_value",
        "help_text",
    )


class CategoryForm(forms.ModelForm):
    # Meta (model, fields) comes from the admin, which builds the form for its fieldsets.

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        campaign, town = data.get("campaign"), data.get("town")
        if campaign is not None and town is not None and campaign.town_id != town.pk:
            raise ValidationError({"campaign": _("The campaign belongs to another town.")})
        return data


@admin.register(Category)
class CategoryAdmin(HistoryAdmin):
    form = CategoryForm
    list_display = (
        "name",
        "code",
        "campaign",
        "town",
        "default_deadline_days",
        "evidence_required",
        "active",
        "order",
    )
    list_filter = ("town", "campaign", "evidence_required", "active")
    search_fields = ("name", "code", "standard")
    list_select_related = ("campaign", "town")
    inlines = (CategoryFieldInline,)


@admin.register(CategoryField)
class CategoryFieldAdmin(HistoryAdmin):
    list_display = ("label", "name", "category", "type", "unit", "required", "order")
    list_filter = ("type", "required", "category__town")
    search_fields = ("label", "name", "category__name")
    autocomplete_fields = ("category",)
    list_select_related = ("category",)


class TransitionInline(ReadOnlyInline):
    model = Transition
    fields = ("created_at", "action", "from_state", "to_state", "actor", "reason", "via")
    readonly_fields = fields
    show_change_link = False

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).select_related("actor", "item")


class ProgressInline(ReadOnlyInline):
    model = ProgressLog
    fields = ("created_at", "author", "percent", "text")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).select_related("author", "item")


class ItemAdminForm(forms.ModelForm):
    """Validates edits with the lifecycle's own checks (`lifecycle.clean_changes`)."""

    # Meta (model, fields) comes from the admin, which builds the form for its fieldsets.

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        editable = (*EDITABLE_FIELDS, *LEADER_FIELDS)
        changes = {
            name: data[name] for name in self.changed_data if name in editable and name in data
        }
        try:
            data.update(clean_changes(self.instance, changes))
        except ValidationError as error:
            # Category-field errors come as "attributes.<name>": show them on the attributes box.
            messages: dict[str, list[str]] = {}
            for key, values in error.message_dict.items():
                field = "attributes" if key.startswith("attributes") else key
                messages.setdefault(field if field in self.fields else NON_FIELD_ERRORS, []).extend(
                    values
                )
            raise ValidationError(messages) from None
        return data


@admin.register(Item)
class ItemAdmin(HistoryAdmin):
    form = ItemAdminForm
    list_display = (
        "code",
        "title",
        "village",
        "category",
        "state",
        "owner",
        "deadline",
        "returned_count",
        "found_on",
    )
    list_filter = ("state", "kind", "source", "campaign", "category", "town", "village")
    search_fields = ("code", "title", "subject")
    list_select_related = ("village", "category", "owner")
    autocomplete_fields = ("owner", "group", "plot", "household")
    readonly_fields = LIFECYCLE_FIELDS
    show_full_result_count = False  # a county ledger has a million rows; counting them is not free
    list_per_page = 50
    inlines = (TransitionInline, ProgressInline)
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "code",
                    "year",
                    "town",
                    "kind",
                    "source",
                    "campaign",
                    "category",
                    "village",
                    "state",
                )
            },
        ),
        (
            _("The problem"),
            {
                "fields": (
                    "title",
                    "subject",
                    "group",
                    "plot",
                    "household",
                    "description",
                    "attributes",
                )
            },
        ),
        (
            _("Rectification"),
            {
                "fields": (
                    "measures",
                    "scope",
                    "standard",
                    "owner",
                    "found_on",
                    "deadline",
                    "original_deadline",
                    "progress_percent",
                )
            },
        ),
        (
            _("Lifecycle"),
            {
                "fields": (
                    "returned_count",
                    "reopened_count",
                    "extension_count",
                    "suspended_on",
                    "suspended_until",
                    "submitted_by",
                    "submitted_at",
                    "verified_by",
                    "closed_at",
                    "last_progress_at",
                    "version",
                    "created_by",
                    "created_at",
                    "updated_at",
                )
            },
        ),
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # items are registered through the lifecycle (API, workspace, import), which issues the code

    def save_model(self, request: HttpRequest, obj: Item, form: Any, change: bool) -> None:
        if form.changed_data:
            # Clients holding the previous version must reload before they write.
            obj.version += 1
        obj._change_reason = "admin: edit " + ", ".join(form.changed_data)  # type: ignore[attr-defined]  # read by the history
        obj._history_user = request.user  # type: ignore[attr-defined]
        obj.save()


@admin.register(Transition)
class TransitionAdmin(RecordAdmin):
    list_display = ("item", "action", "from_state", "to_state", "actor", "via", "created_at")
    list_filter = ("action", "to_state", "via")
    search_fields = ("item__code", "reason")
    list_select_related = ("item", "actor")
    show_full_result_count = False


@admin.register(ProgressLog)
class ProgressLogAdmin(RecordAdmin):
    list_display = ("item", "author", "percent", "created_at")
    search_fields = ("item__code", "text")
    list_select_related = ("item", "author")
    show_full_result_count = False


@admin.register(Attachment)
class AttachmentAdmin(RecordAdmin):
    list_display = (
        "original_name",
        "item",
        "kind",
        "content_type",
        "size",
        "uploaded_by",
        "uploaded_at",
    )
    list_filter = ("kind", "content_type")
    search_fields = ("item__code", "original_name", "sha256")
    list_select_related = ("item", "uploaded_by")
    show_full_result_count = False


@admin.register(ItemRequest)
class ItemRequestAdmin(RecordAdmin, HistoryAdmin):
    """Requests are decided through the lifecycle (approve/reject), which moves the item."""

    list_display = (
        "item",
        "type",
        "status",
        "requested_by",
        "new_deadline",
        "resume_on",
        "decided_by",
        "created_at",
    )
    list_filter = ("type", "status")
    search_fields = ("item__code", "reason", "decision_note")
    list_select_related = ("item", "requested_by", "decided_by")


@admin.register(ItemCounter)
class ItemCounterAdmin(RecordAdmin):
    """The last code number issued per town and year; moved only while a code is taken."""

    list_display = ("town", "year", "last")
    list_filter = ("town", "year")
    list_select_related = ("town",)
