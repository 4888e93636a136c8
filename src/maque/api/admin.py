from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from maque.api.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("hint", "user", "created", "last_used", "expires", "revoked_at", "active")
    list_filter = ("revoked_at", "expires", "created")
    search_fields = ("user__username", "hint", "client")
    readonly_fields = ("user", "hint", "created", "last_used", "expires", "revoked_at", "client")
    fields = readonly_fields
    actions = ("revoke",)
    date_hierarchy = "created"

    @admin.display(boolean=True, description=pgettext_lazy("token", "active"))
    def active(self, token: ApiToken) -> bool:
        return token.is_active

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(
            request,
            ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", count) % {"count": count},
            messages.SUCCESS,
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # tokens are issued through POST /api/v1/auth/token only

    def has_delete_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        return False
