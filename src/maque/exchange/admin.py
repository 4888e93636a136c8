from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from maque.exchange.models import ImportBatch


@admin.register(ImportBatch)
class ImportBatchAdmin(SimpleHistoryAdmin):
    """Imports are a record of what was brought in: readable, never edited or deleted here."""

    list_display = (
        "original_name",
        "town",
        "uploaded_by",
        "status",
        "counts_display",
        "created_at",
        "committed_at",
    )
    list_filter = ("status", "town")
    search_fields = ("original_name", "uploaded_by__username", "created_codes")
    readonly_fields = [field.name for field in ImportBatch._meta.fields]
    date_hierarchy = "created_at"

    @admin.display(description=_("counts"))
    def counts_display(self, batch: ImportBatch) -> str:
        return ", ".join(f"{key} {value}" for key, value in batch.counts.items())

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: ImportBatch | None = None) -> bool:
        return False
