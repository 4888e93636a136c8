"""Accountability cases (问责): referrals to the town's discipline commission (design §5).

Confidential: only the discipline commission and the principal leaders of the town may know a case
exists (`AccountabilityCase.objects.visible_to`); everyone else is answered as if there were none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from maque.accountability.policies import CASE_ROLES, case_town_ids
from maque.core.scoping import ScopedQuerySet
from maque.organisation.models import Person, Town, Village

if TYPE_CHECKING:
    from maque.organisation.actor import Actor

__all__ = ["CASE_ROLES"]  # re-exported: it lived here first; read it through the policies


class Rule(models.TextChoices):
    OVERDUE = "overdue", _("overdue beyond the limit")
    RETURNS = "returns", _("returned as inadequate repeatedly")
    FALSE_CLOSE_OUT = "false_close_out", _("false close-out")
    LAST_PLACE = "last_place", _("last place several periods running")
    WEAK_VILLAGE = "weak_village", _("village with slow progress and poor rectification")
    MANUAL = "manual", _("opened by hand")


class Measure(models.TextChoices):
    REMINDER_TALK = "reminder_talk", _("reminder talk (提醒谈话)")
    CRITICISM = "criticism", _("criticism and education (批评教育)")
    CIRCULATED_CRITICISM = "circulated_criticism", _("circulated criticism (通报批评)")
    ADMONITION = "admonition", _("admonishment talk (诫勉谈话)")
    ORGANISATIONAL = "organisational", _("organisational handling (组织处理)")
    DISCIPLINARY = "disciplinary", _("disciplinary sanction (纪律处分)")


class Status(models.TextChoices):
    SUGGESTED = "suggested", _("suggested")
    OPENED = "opened", _("opened")
    DECIDED = "decided", _("decided")
    CLOSED = "closed", _("closed")
    DISMISSED = "dismissed", _("dismissed")


# The allowed status changes are one table in `maque.accountability.lifecycle`.


class CaseQuerySet(ScopedQuerySet["AccountabilityCase"]):
    def scope(self, actor: Actor) -> Q | None:
        """Cases of the towns where the user is on the discipline commission or a principal leader."""
        towns = case_town_ids(actor)
        return Q(town_id__in=towns) if towns else None


class AccountabilityCase(models.Model):
    """A suggestion (by a rule) or a case (opened by hand) for the discipline commission."""

    town = models.ForeignKey(
        Town, models.PROTECT, related_name="accountability_cases", verbose_name=_("town")
    )
    number = models.PositiveIntegerField(_("number"), editable=False)
    rule = models.CharField(_("rule"), max_length=20, choices=Rule.choices)
    key = models.CharField(
        _("key"),
        max_length=150,
        null=True,
        blank=True,
        editable=False,
        help_text=_("What a rule suggested the case for; a rule suggests once per key"),
    )
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    subject_person = models.ForeignKey(
        Person,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person concerned"),
    )
    village = models.ForeignKey(
        Village, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("village")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SUGGESTED, editable=False
    )
    measure = models.CharField(_("measure"), max_length=25, choices=Measure.choices, blank=True)
    decision = models.TextField(_("decision"), blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("opened by"),
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("accountability case")
        verbose_name_plural = _("accountability cases")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["town", "key"], name="case_unique_key"),
            models.UniqueConstraint(fields=["town", "number"], name="case_unique_number"),
            models.CheckConstraint(
                condition=~Q(status="decided") | ~Q(measure=""), name="case_decided_has_measure"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.number} {self.title}"


class Evidence(models.Model):
    """What a case rests on: a bulletin, an item, an inspection finding… (any record)."""

    case = models.ForeignKey(
        AccountabilityCase, models.PROTECT, related_name="evidence", verbose_name=_("case")
    )
    content_type = models.ForeignKey(ContentType, models.PROTECT, verbose_name=_("kind of record"))
    object_id = models.PositiveBigIntegerField(_("record"))
    record = GenericForeignKey("content_type", "object_id")
    label = models.CharField(_("label"), max_length=200, blank=True)
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["case", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "content_type", "object_id"], name="evidence_unique_record"
            )
        ]

    def __str__(self) -> str:
        return self.label or f"{self.content_type.model} {self.object_id}"


class CaseEvent(models.Model):
    """An append-only record of a case's status change (or creation)."""

    case = models.ForeignKey(
        AccountabilityCase, models.PROTECT, related_name="events", verbose_name=_("case")
    )
    from_status = models.CharField(_("from"), max_length=10, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=10, choices=Status.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["case", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.from_status or '—'} → {self.to_status}"
