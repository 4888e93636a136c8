from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from maque.api import signin
from maque.api.models import ApiToken, SignInThrottle


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
            ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # tokens are issued through POST /api/v1/auth/token only

    def has_delete_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        return False


@admin.register(SignInThrottle)
class SignInThrottleAdmin(admin.ModelAdmin):
    """Paused sign-ins: an administrator lifts a pause at once (the rows stay, reset)."""

    list_display = (
        "scope",
        "key",
        "failures",
        "last_failure_at",
        "locked_until",
        "paused",
        "unlocked_by",
        "unlocked_at",
    )
    list_filter = ("scope", "locked_until")
    search_fields = ("key",)
    readonly_fields = (
        "scope",
        "key",
        "failures",
        "window_started_at",
        "last_failure_at",
        "locked_until",
        "unlocked_by",
        "unlocked_at",
    )
    fields = readonly_fields
    actions = ("unlock",)

    @admin.display(boolean=True, description=_("paused now"))
    def paused(self, row: SignInThrottle) -> bool:
        return row.is_locked

    @admin.action(description=_("Unlock the selected sign-ins"))
    def unlock(self, request: HttpRequest, queryset: QuerySet[SignInThrottle]) -> None:
        count = signin.unlock(throttles=list(queryset), by=request.user)  # type: ignore[arg-type]
        self.message_user(
            request,
            ngettext("%(count)d sign-in unlocked.", "%(count)d sign-ins unlocked.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(
        self, request: HttpRequest, obj: SignInThrottle | None = None
    ) -> bool:
        return False
