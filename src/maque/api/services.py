"""Writes of the api app: issuing and revoking bearer tokens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from maque.api import signin
from maque.api.errors import ApiError
from maque.api.models import ApiToken, password_stamp, token_hash


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires: datetime
    record: ApiToken


def token_issue(*, request: HttpRequest | None, username: str, password: str) -> IssuedToken:
    """Check the credentials and issue a new token; only its hash is stored."""
    address = signin.client_address(request)
    pause = signin.pause_for(username=username, address=address)
    if pause is not None:
        raise ApiError(429, pause.message(), code="throttled", retry_after=pause.seconds_left)
    user = authenticate(request, username=username, password=password)
    if user is None or not user.is_active:
        signin.record_failure(username=username, address=address)
        raise ApiError(401, _("Wrong username or password."), code="invalid_credentials")
    signin.record_success(username=username, address=address)
    secret = ApiToken.new_secret()
    now = timezone.now()
    record = ApiToken.objects.create(
        user=user,
        key_hash=token_hash(secret),
        hint=secret[:8],
        created=now,
        expires=now + ApiToken.lifetime(),
        client=(request.headers.get("User-Agent", "") if request is not None else "")[:200],
        password_stamp=password_stamp(user),
    )
    return IssuedToken(token=secret, expires=record.expires, record=record)


def token_revoke(*, token: str | None = None, record: ApiToken | None = None, by: User) -> int:
    """Revoke one token (by its secret or its record) of `by` (or any, for a superuser)."""
    tokens = ApiToken.objects.filter(revoked_at__isnull=True)
    if token is not None:
        tokens = tokens.filter(key_hash=token_hash(token))
    elif record is not None:
        tokens = tokens.filter(pk=record.pk)
    else:
        return 0
    if not getattr(by, "is_superuser", False):
        tokens = tokens.filter(user=by)
    return tokens.update(revoked_at=timezone.now())


def token_ttl_days() -> int:
    return int(settings.MAQUE_TOKEN_TTL_DAYS)
