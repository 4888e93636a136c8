"""Writes of the api app: issuing and revoking bearer tokens."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from maque.api.errors import ApiError
from maque.api.models import ApiToken, token_hash

# Repeated bad passwords for one username lock that username out of token issuing for a while.
FAILED_LOGIN_LIMIT = 5
FAILED_LOGIN_WINDOW_SECONDS = 15 * 60


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires: datetime
    record: ApiToken


def _failures_key(username: str) -> str:
    digest = hashlib.sha256(username.strip().casefold().encode("utf-8", "surrogatepass")).hexdigest()
    return f"maque:api:token-failures:{digest}"


def _refuse_if_throttled(username: str) -> None:
    failures = cache.get(_failures_key(username), 0)
    if failures >= FAILED_LOGIN_LIMIT:
        minutes = FAILED_LOGIN_WINDOW_SECONDS // 60
        raise ApiError(
            429,
            ngettext(
                "Too many wrong passwords for this user. Try again in %(minutes)d minute.",
                "Too many wrong passwords for this user. Try again in %(minutes)d minutes.",
                minutes,
            )
            % {"minutes": minutes},
            code="throttled",
            retry_after=FAILED_LOGIN_WINDOW_SECONDS,
        )


def _count_failure(username: str) -> None:
    key = _failures_key(username)
    if cache.add(key, 1, FAILED_LOGIN_WINDOW_SECONDS):
        return
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, FAILED_LOGIN_WINDOW_SECONDS)


def token_issue(*, request: HttpRequest | None, username: str, password: str) -> IssuedToken:
    """Check the credentials and issue a new token; only its hash is stored."""
    _refuse_if_throttled(username)
    user = authenticate(request, username=username, password=password)
    if user is None or not user.is_active:
        _count_failure(username)
        raise ApiError(401, _("Wrong username or password."), code="invalid_credentials")
    cache.delete(_failures_key(username))
    secret = ApiToken.new_secret()
    now = timezone.now()
    record = ApiToken.objects.create(
        user=user,
        key_hash=token_hash(secret),
        hint=secret[:8],
        created=now,
        expires=now + ApiToken.lifetime(),
        client=(request.headers.get("User-Agent", "") if request is not None else "")[:200],
    )
    return IssuedToken(token=secret, expires=record.expires, record=record)


def token_revoke(*, token: str | None = None, record: ApiToken | None = None, by: AbstractBaseUser) -> int:
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
