"""API tokens: what a client sends as `Authorization: Bearer <token>`.

Only a hash of the token is stored; the token itself is shown once, when it is issued. A token
expires after `MAQUE_TOKEN_TTL_DAYS` and can be revoked; tokens are never deleted.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

TOKEN_PREFIX = "mq_"  # noqa: S105 - a visible prefix, not a secret


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def usable(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True, expires__gt=timezone.now(), user__is_active=True)


class ApiToken(models.Model):
    """A bearer token issued to a user by `POST /api/v1/auth/token`."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_tokens", verbose_name=_("user")
    )
    key_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    hint = models.CharField(_("token start"), max_length=12, editable=False, help_text=_("The first characters of the token, to recognise it."))
    created = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    last_used = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    expires = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    client = models.CharField(_("client"), max_length=200, blank=True, help_text=_("The user agent that asked for the token."))

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.hint}… ({self.user})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires > timezone.now()

    @classmethod
    def lifetime(cls) -> timedelta:
        return timedelta(days=settings.MAQUE_TOKEN_TTL_DAYS)

    @staticmethod
    def new_secret() -> str:
        return TOKEN_PREFIX + secrets.token_urlsafe(32)
