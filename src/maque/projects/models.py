"""Projects (design §3: 重点项目建设, 和美乡村建设) with weighted milestones, each milestone an item of
kind milestone in the ledger (owner, deadline, evidence and verification as any item).

Planned progress comes from the milestones' weights and planned dates over the working calendar,
actual progress from verified milestones and the reported percent of open ones
(`maque.projects.progress`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from maque.core.scoping import ScopedQuerySet
from maque.ledger.models import Campaign, Item
from maque.organisation.models import Department, Person, Town, Village
from maque.organisation.scopes import town_wide_scope

if TYPE_CHECKING:
    from maque.organisation.actor import Actor


class ProjectQuerySet(ScopedQuerySet["Project"]):
    def scope(self, actor: Actor) -> Q | None:
        """Town-wide roles read their towns' projects; village roles the projects of their
        villages."""
        condition = town_wide_scope(actor)
        villages = actor.village_ids()
        if villages:
            touching = Q(
                pk__in=Project.villages.through.objects.filter(village_id__in=villages).values(
                    "project_id"
                )
            )
            condition = touching if condition is None else condition | touching
        return condition


class Project(models.Model):
    """A key project or a 和美乡村 project (荷塘园区、晒场、步道…)."""

    town = models.ForeignKey(Town, models.PROTECT, related_name="+", verbose_name=_("town"))
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    campaign = models.ForeignKey(
        Campaign, models.PROTECT, related_name="projects", verbose_name=_("campaign")
    )
    villages = models.ManyToManyField(Village, related_name="projects", verbose_name=_("villages"))
    owner = models.ForeignKey(
        Person, models.PROTECT, related_name="owned_projects", verbose_name=_("owner")
    )
    lead_department = models.ForeignKey(
        Department,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lead department"),
    )
    budget_yuan = models.DecimalField(
        _("budget (元)"),
        max_digits=14,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords(m2m_fields=[villages])

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["town", "code"]
        constraints = [
            models.UniqueConstraint(fields=["town", "code"], name="project_unique_code"),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="project_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Funding(models.Model):
    """One source of a project's budget (县级财政, 衔接资金, 村集体自筹…) and its amount in 元."""

    project = models.ForeignKey(
        Project, models.PROTECT, related_name="funding", verbose_name=_("project")
    )
    source = models.CharField(_("source of funds"), max_length=60)
    amount_yuan = models.DecimalField(
        _("amount (元)"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)]
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("source of funds")
        verbose_name_plural = _("sources of funds")
        ordering = ["project", "id"]

    def __str__(self) -> str:
        return f"{self.source} {self.amount_yuan}"


class Milestone(models.Model):
    """A weighted milestone: an item of kind milestone with the plan's start and finish dates.

    Its planned share grows over the working days from `planned_start` to `planned_on`; the
    item's own deadline may move (an approved extension), the plan does not."""

    project = models.ForeignKey(
        Project, models.PROTECT, related_name="milestones", verbose_name=_("project")
    )
    item = models.OneToOneField(
        Item, models.PROTECT, related_name="milestone", verbose_name=_("milestone item")
    )
    weight = models.PositiveSmallIntegerField(
        _("weight"), default=1, validators=[MinValueValidator(1), MaxValueValidator(1000)]
    )
    planned_start = models.DateField(_("planned start"))
    planned_on = models.DateField(_("planned finish"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["project", "order", "planned_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_on__gte=models.F("planned_start")),
                name="milestone_finish_after_start",
            ),
            models.CheckConstraint(condition=Q(weight__gte=1), name="milestone_weight_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.project_id} · {self.item_id}"
