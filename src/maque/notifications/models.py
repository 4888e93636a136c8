"""The in-app inbox and the delivery channels of each town (design §5).

A `Notification` is one message in one user's inbox, unique per user and key, so a rule that
fires twice notifies once. A `Channel` (e-mail, WeCom or DingTalk group robot) carries copies out
of the system; each copy is a `Delivery`, unique per channel and key, and every try at sending it
is a `DeliveryAttempt` row (the delivery log).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from maque.core.scoping import ScopedQuerySet
from maque.organisation.models import Town

if TYPE_CHECKING:
    from maque.organisation.actor import Actor


class NotificationQuerySet(ScopedQuerySet["Notification"]):
    # A user's own inbox; nobody reads anyone else's, a superuser neither.
    personal = True

    def scope(self, actor: Actor) -> Q | None:
        user = actor.user
        return Q(user_id=user.pk) if user is not None and user.is_authenticated else None


class Notification(models.Model):
    """One message in one user's inbox."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    town = models.ForeignKey(
        Town,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("town"),
    )
    kind = models.CharField(
        _("kind"), max_length=50, help_text=_("e.g. escalation.overdue_3, bulletin.issued")
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    key = models.CharField(
        _("key"),
        max_length=150,
        help_text=_("What the notification is about; one per user and key"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="notification_unique_key")
        ]
        indexes = [models.Index(fields=["user", "read_at", "-created_at"])]

    def __str__(self) -> str:
        return self.title


class Channel(models.Model):
    """A way out of the system for a town's notifications."""

    class Kind(models.TextChoices):
        EMAIL = "email", _("e-mail")
        WECOM = "wecom", _("WeCom group robot (企业微信)")
        DINGTALK = "dingtalk", _("DingTalk group robot (钉钉)")

    class Format(models.TextChoices):
        MARKDOWN = "markdown", _("markdown")
        TEXT = "text", _("text")

    town = models.ForeignKey(Town, models.PROTECT, related_name="channels", verbose_name=_("town"))
    name = models.CharField(_("name"), max_length=60)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    webhook_url = models.URLField(
        _("webhook address"),
        max_length=500,
        blank=True,
        help_text=_("The group robot's address, with its key or access_token"),
    )
    secret = models.CharField(
        _("signing secret"),
        max_length=200,
        blank=True,
        help_text=_("DingTalk only: the robot's 加签 secret (SEC…)"),
    )
    message_format = models.CharField(
        _("message format"), max_length=10, choices=Format.choices, default=Format.MARKDOWN
    )
    kinds = models.JSONField(
        _("notification kinds"),
        default=list,
        blank=True,
        help_text=_('Prefixes of the kinds to carry, e.g. ["escalation", "bulletin"]; empty = all'),
    )
    active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("delivery channel")
        verbose_name_plural = _("delivery channels")
        ordering = ["town", "name"]
        constraints = [
            models.UniqueConstraint(fields=["town", "name"], name="channel_unique_name"),
            models.CheckConstraint(
                condition=Q(kind="email") | ~Q(webhook_url=""), name="channel_webhook_required"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"

    def carries(self, kind: str) -> bool:
        return not self.kinds or any(
            kind == prefix or kind.startswith(f"{prefix}.") for prefix in self.kinds
        )


class Delivery(models.Model):
    """One copy of a notification through one channel; unique per channel and key.

    A group robot gets one copy per notified event (key); e-mail one per recipient. A sender
    claims a delivery (status `sending`, `claimed_at`) with a conditional update before it sends,
    so two senders never send the same copy; a claim older than the lease is taken to be a crashed
    sender and is retried.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    channel = models.ForeignKey(
        Channel, models.PROTECT, related_name="deliveries", verbose_name=_("channel")
    )
    notification = models.ForeignKey(
        Notification, models.PROTECT, related_name="deliveries", verbose_name=_("notification")
    )
    key = models.CharField(_("key"), max_length=200)
    address = models.CharField(
        _("address"), max_length=254, blank=True, help_text=_("E-mail address, if any")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(
        _("next attempt at"), null=True, blank=True, help_text=_("Empty: as soon as possible")
    )
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["channel", "key"], name="delivery_unique_key")
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.channel} · {self.key} · {self.get_status_display()}"


class DeliveryAttempt(models.Model):
    """The log of one try at sending a delivery (append-only)."""

    delivery = models.ForeignKey(
        Delivery, models.PROTECT, related_name="attempt_log", verbose_name=_("delivery")
    )
    number = models.PositiveSmallIntegerField(_("attempt"))
    started_at = models.DateTimeField(_("started at"))
    ok = models.BooleanField(_("succeeded"))
    status_code = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    response = models.TextField(_("response"), blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        ordering = ["delivery", "number"]
        constraints = [
            models.UniqueConstraint(fields=["delivery", "number"], name="attempt_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.delivery_id} #{self.number} {'ok' if self.ok else 'failed'}"
