"""Who is calling the API: a bearer token, or the browser's session (with CSRF on writes)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.security import HttpBearer
from ninja.security.apikey import APIKeyCookie
from ninja.utils import check_csrf

from maque.api.errors import ApiError
from maque.api.models import ApiToken, password_stamp, token_hash

# last_used is a hint, not an audit trail: write it at most this often (each write takes the lock).
LAST_USED_RESOLUTION = timedelta(minutes=5)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class BearerAuth(HttpBearer):
    """`Authorization: Bearer <token>` with a token from `POST /api/v1/auth/token`."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        if not token or len(token) > 200:
            return None
        found = (
            ApiToken.objects.usable()
            .select_related("user")
            .filter(key_hash=token_hash(token))
            .first()
        )
        if found is None or found.password_stamp != password_stamp(found.user):
            return None  # unknown, expired, revoked, or issued under a password since changed
        now = timezone.now()
        if found.last_used is None or now - found.last_used > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=found.pk).update(last_used=now)
        # The rest of the request (history records, actor_for) sees the token's user.
        request.user = found.user
        return found.user


class SessionAuth(APIKeyCookie):
    """The browser's Django session; writes must carry the CSRF token."""

    param_name: str = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def _get_key(self, request: HttpRequest) -> str | None:
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if request.method not in SAFE_METHODS and not getattr(request, "_ninja_csrf_exempt", False):
            if check_csrf(request) is not None:
                raise ApiError(
                    403,
                    _("CSRF check failed: send the X-CSRFToken header with the session."),
                    code="csrf_failed",
                )
        return user


def request_user(request: HttpRequest) -> User:
    """The authenticated user of an API request."""
    return request.auth  # type: ignore[attr-defined,no-any-return]
