"""Uploaded spreadsheet imports, kept so that the preview and the commit can be two requests."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from maque.organisation.models import Town


def batch_path(instance: ImportBatch, filename: str) -> str:
    # Stored under a random name: nothing the uploader typed reaches the disk path.
    return f"imports/{instance.town_id}/{instance.key}{instance.extension}"


class ImportBatch(models.Model):
    """One uploaded ledger file, its preview, and whether it was committed."""

    class Status(models.TextChoices):
        PREVIEWED = "previewed", _("previewed")
        INVALID = "invalid", _("has problems")
        COMMITTED = "committed", _("committed")

    key = models.UUIDField(_("key"), default=uuid.uuid4, unique=True, editable=False)
    town = models.ForeignKey(Town, models.PROTECT, related_name="+", verbose_name=_("town"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    file = models.FileField(_("file"), upload_to=batch_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    extension = models.CharField(max_length=5)
    size = models.PositiveIntegerField(_("size (bytes)"))
    category = models.CharField(_("category"), max_length=60, blank=True)
    # What the file holds: the ledger, or one of the sheets beside it (`exchange.sheets`).
    kind = models.CharField(_("kind of sheet"), max_length=12, default="ledger")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PREVIEWED
    )
    counts = models.JSONField(_("counts"), default=dict)
    problems = models.JSONField(_("problems"), default=list)
    warnings = models.JSONField(_("warnings"), default=list)
    # The first rows of the file and what the import does with each (the changes of an update).
    rows = models.JSONField(_("rows"), default=list, blank=True)
    created_codes = models.JSONField(_("created items"), default=list, blank=True)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    committed_at = models.DateTimeField(_("committed at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("ledger import")
        verbose_name_plural = _("ledger imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"
