"""Petitions in the admin: read only. Registering and every later step go through the
petition services (codes, limits, notices); the admin shows what they wrote."""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from maque.petitions.models import Petition, PetitionEvent, PetitionNotice


class ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Petition)
class PetitionAdmin(ReadOnly, SimpleHistoryAdmin):  # type: ignore[misc]
    list_display = ("code", "channel", "received_on", "state", "due_on", "stability", "owner")
    list_filter = ("state", "channel", "stability")
    search_fields = ("code",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Petition]:
        return Petition.objects.visible_to(request.user).select_related("owner")


@admin.register(PetitionEvent)
class PetitionEventAdmin(ReadOnly):
    list_display = ("petition", "action", "from_state", "to_state", "on", "actor")

    def get_queryset(self, request: HttpRequest) -> QuerySet[PetitionEvent]:
        return PetitionEvent.objects.filter(
            petition__in=Petition.objects.visible_to(request.user).values("pk")
        ).select_related("petition", "actor")


@admin.register(PetitionNotice)
class PetitionNoticeAdmin(ReadOnly):
    list_display = ("code", "petition", "kind", "issued_on", "sha256")
    exclude = ("snapshot",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[PetitionNotice]:
        return PetitionNotice.objects.visible_to(request.user).select_related("petition")
