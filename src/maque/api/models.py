"""API tokens: what a client sends as `Authorization: Bearer <token>`.

Only a hash of the token is stored; the token itself is shown once, when it is issued. A token
expires after `MAQUE_TOKEN_TTL_DAYS` and can be revoked; tokens are never deleted.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

TOKEN_PREFIX = "mq_"  # noqa: S105 - a visible prefix, not a secret


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def usable(self) -> ApiTokenQuerySet:
        return self.filter(
            revoked_at__isnull=True, expires__gt=timezone.now(), user__is_active=True
        )


class ApiToken(models.Model):
    """A bearer token issued to a user by `POST /api/v1/auth/token`."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="api_tokens",
        verbose_name=_("user"),
    )
    key_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    hint = models.CharField(
        _("token start"),
        max_length=12,
        editable=False,
        help_text=_("The first characters of the token, to recognise it."),
    )
    created = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    last_used = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    expires = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    client = models.CharField(
        _("client"),
        max_length=200,
        blank=True,
        help_text=_("The user agent that asked for the token."),
    )
    password_stamp = models.CharField(
        _("password stamp"),
        max_length=64,
        blank=True,
        editable=False,
        help_text=_(
            "Fingerprint of the password the token was issued under; a new password ends the token."
        ),
    )

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


def password_stamp(user: User) -> str:
    """A fingerprint of the user's current password hash: a token issued under one password
    stops working when the password changes (in the workspace, the admin or anywhere else)."""
    return salted_hmac(
        "maque.api.token-password", user.password or "", algorithm="sha256"
    ).hexdigest()


class SignInThrottle(models.Model):
    """Failed sign-ins, for the web and the API alike, in the database so that every server
    process counts the same failures (`maque.api.signin`).

    One row per account, per account and address, and per address; a row is reset, never
    deleted, when a sign-in succeeds or an administrator unlocks it.
    """

    class Scope(models.TextChoices):
        ACCOUNT = "account", _("account, from any address")
        ACCOUNT_ADDRESS = "account_address", _("account, from one address")
        ADDRESS = "address", _("address, for any account")

    scope = models.CharField(_("scope"), max_length=20, choices=Scope.choices)
    key = models.CharField(_("key"), max_length=250, help_text=_("User name and/or client address"))
    failures = models.PositiveIntegerField(_("failures"), default=0)
    accounts = models.JSONField(
        _("accounts tried"),
        default=list,
        blank=True,
        help_text=_("For an address: the different user names that failed from it (bounded)."),
    )
    window_started_at = models.DateTimeField(_("counting since"), null=True, blank=True)
    last_failure_at = models.DateTimeField(_("last failure"), null=True, blank=True)
    locked_until = models.DateTimeField(_("paused until"), null=True, blank=True)
    unlocked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("unlocked by"),
    )
    unlocked_at = models.DateTimeField(_("unlocked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("sign-in pause")
        verbose_name_plural = _("sign-in pauses")
        ordering = ["-last_failure_at"]
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="signin_throttle_unique_key")
        ]

    def __str__(self) -> str:
        return f"{self.get_scope_display()}: {self.key}"

    @property
    def is_locked(self) -> bool:
        return self.locked_until is not None and self.locked_until > timezone.now()
