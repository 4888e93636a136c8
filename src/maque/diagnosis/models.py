"""Village diagnosis (逐村诊断) and the watch list (走看清单) of design §5.

- `VillageSnapshot`: one row per village and day, written by `maque tick`
  (`maque.diagnosis.snapshots`), the figures the diagnosis page, its trends and the watch-list
  rules read. Derived data: rewritten by each tick of the day, so it keeps no history of its own.
- `WatchEntry`: a village, a category within a village, or a project on the watch list, on the
  shared state machine (`maque.diagnosis.lifecycle`), with an append-only `WatchEvent` per step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from maque.core.scoping import ScopedQuerySet
from maque.ledger.models import Category
from maque.organisation.models import Town, Village
from maque.organisation.scopes import town_wide_scope, village_scope
from maque.projects.models import Project

if TYPE_CHECKING:
    from maque.organisation.actor import Actor


class SnapshotQuerySet(ScopedQuerySet["VillageSnapshot"]):
    def scope(self, actor: Actor) -> Q | None:
        """The snapshots of the villages the actor reads (a cadre: their own village's)."""
        return village_scope(actor, village_field="village_id", town_field="town_id")


def overdue_per_100(overdue: int, open_items: int) -> float | None:
    """Overdue items per 100 open ones; None without open items."""
    return round(100.0 * overdue / open_items, 1) if open_items else None


class VillageSnapshot(models.Model):
    """A village's figures on one day (design §5, 逐村诊断), as the ledger stood at `taken_at`.

    Counts are the ledger's definitions (`maque.ledger.definitions`); a rate is None when there
    was nothing to rate. A column whose source is not tracked in this installation is None
    ("not tracked"), never 0."""

    town = models.ForeignKey(Town, models.PROTECT, related_name="+", verbose_name=_("town"))
    village = models.ForeignKey(
        Village, models.PROTECT, related_name="snapshots", verbose_name=_("village")
    )
    day = models.DateField(_("day"))
    taken_at = models.DateTimeField(_("taken at"))
    open = models.PositiveIntegerField(_("open items"), default=0)
    found = models.PositiveIntegerField(_("registered that day"), default=0)
    closed = models.PositiveIntegerField(_("closed that day"), default=0)
    registered = models.PositiveIntegerField(_("registered (cancelled aside)"), default=0)
    closed_total = models.PositiveIntegerField(_("closed out"), default=0)
    overdue = models.PositiveIntegerField(_("overdue"), default=0)
    overdue_15 = models.PositiveIntegerField(_("overdue 15 days or more"), default=0)
    stale = models.PositiveIntegerField(_("open without progress"), default=0)
    returned = models.PositiveIntegerField(_("returned that day"), default=0)
    reopened = models.PositiveIntegerField(_("reopened that day"), default=0)
    closure_rate = models.FloatField(_("closure rate (%)"), null=True, blank=True)
    stale_share = models.FloatField(_("share of open items without progress (%)"), null=True)
    petitions_overdue = models.PositiveIntegerField(_("petitions overdue"), null=True)
    legacy_overdue = models.PositiveIntegerField(_("legacy matters overdue"), null=True)
    # Filled when their sources exist: joint deliberation's topics, the projects' deviation.
    topics_waiting = models.PositiveIntegerField(_("topics waiting"), null=True)
    projects_deviation = models.FloatField(_("projects' deviation (points)"), null=True)

    objects = SnapshotQuerySet.as_manager()

    class Meta:
        verbose_name = _("village snapshot")
        verbose_name_plural = _("village snapshots")
        ordering = ["village", "-day"]
        constraints = [
            models.UniqueConstraint(fields=["village", "day"], name="snapshot_one_per_day")
        ]
        indexes = [models.Index(fields=["town", "day"], name="snapshot_town_day")]

    def __str__(self) -> str:
        return f"{self.village_id} · {self.day}"

    @property
    def overdue_per_100(self) -> float | None:
        """Overdue items per 100 open ones; None without open items."""
        return overdue_per_100(self.overdue, self.open)


class Subject(models.TextChoices):
    VILLAGE = "village", _("village")
    CATEGORY = "category", _("category within a village")
    PROJECT = "project", _("project")


class EntryState(models.TextChoices):
    PROPOSED = "proposed", _("proposed (待选)")
    LISTED = "listed", _("listed (已列入)")
    DISMISSED = "dismissed", _("dismissed (未列入)")
    DISSECTED = "dissected", _("dissected (已解剖)")
    EXIT_PROPOSED = "exit_proposed", _("exit proposed (拟销号)")
    EXITED = "exited", _("exited (已销号)")


# An entry of a subject is "on the list" (or on its way) in these states: one at a time.
ACTIVE_STATES = (
    EntryState.PROPOSED,
    EntryState.LISTED,
    EntryState.DISSECTED,
    EntryState.EXIT_PROPOSED,
)


class WatchEntryQuerySet(ScopedQuerySet["WatchEntry"]):
    def scope(self, actor: Actor) -> Q | None:
        """Town-wide roles read their towns' watch list; village roles only the entries of their
        own villages (another village's deliberations are not theirs to read)."""
        condition = town_wide_scope(actor) or Q(pk__in=[])
        villages = actor.village_ids()
        if villages:
            condition |= Q(village_id__in=villages)
        return condition if (villages or town_wide_scope(actor) is not None) else None


class WatchEntry(models.Model):
    """A subject on the watch list (走看清单): found by the rules or proposed by hand, selected,
    dissected in a solving meeting, and delisted (design §5)."""

    town = models.ForeignKey(Town, models.PROTECT, related_name="+", verbose_name=_("town"))
    subject = models.CharField(_("watched subject"), max_length=10, choices=Subject.choices)
    # One key per subject ("village:12", "category:12:5", "project:3"): one active entry each.
    subject_key = models.CharField(max_length=40, editable=False)
    village = models.ForeignKey(
        Village,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="watch_entries",
        verbose_name=_("village"),
    )
    category = models.ForeignKey(
        Category,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("category"),
    )
    project = models.ForeignKey(
        Project,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="watch_entries",
        verbose_name=_("project"),
    )
    state = models.CharField(
        _("state"),
        max_length=14,
        choices=EntryState.choices,
        default=EntryState.PROPOSED,
        editable=False,
    )
    # The rules that put it there: [{"rule", "text", "value", "threshold"}], and its figures then.
    reasons = models.JSONField(_("reasons"), default=list)
    numbers = models.JSONField(_("figures when proposed"), default=dict)
    severity = models.FloatField(_("severity"), default=0)
    proposed_on = models.DateField(_("proposed on"))
    proposed_week = models.DateField(_("week proposed"), editable=False)
    listed_on = models.DateField(_("listed on"), null=True, blank=True, editable=False)
    closed_on = models.DateField(_("dismissed or exited on"), null=True, blank=True, editable=False)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("proposed by"),
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    objects = WatchEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("watch-list entry")
        verbose_name_plural = _("watch list")
        ordering = ["-proposed_on", "-severity", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["town", "subject_key"],
                condition=Q(state__in=ACTIVE_STATES),
                name="watch_one_active_entry_per_subject",
            ),
            models.CheckConstraint(
                condition=~Q(subject="village") | Q(village__isnull=False),
                name="watch_village_subject_has_village",
            ),
            models.CheckConstraint(
                condition=~Q(subject="category") | Q(village__isnull=False, category__isnull=False),
                name="watch_category_subject_has_both",
            ),
            models.CheckConstraint(
                condition=~Q(subject="project") | Q(project__isnull=False),
                name="watch_project_subject_has_project",
            ),
        ]
        indexes = [models.Index(fields=["town", "state"], name="watch_town_state")]

    def __str__(self) -> str:
        return f"{self.subject_key} · {self.state}"


class WatchEvent(models.Model):
    """An append-only record of one step of a watch-list entry, with the figures at that moment."""

    entry = models.ForeignKey(
        WatchEntry, models.PROTECT, related_name="events", verbose_name=_("entry")
    )
    action = models.CharField(_("action"), max_length=20)
    from_state = models.CharField(_("from"), max_length=14, choices=EntryState.choices)
    to_state = models.CharField(_("to"), max_length=14, choices=EntryState.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("by"),
    )
    reason = models.TextField(_("reason / note"), blank=True)
    numbers = models.JSONField(_("figures then"), default=dict, blank=True)
    via = models.CharField(_("via"), max_length=20, default="api")
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("watch-list event")
        verbose_name_plural = _("watch-list events")
        ordering = ["entry", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.entry_id}: {self.from_state} → {self.to_state}"


class CauseKind(models.TextChoices):
    POLICY = "policy", _("policy")
    FUNDS = "funds", _("funds")
    LAND = "land", _("land")
    WILLINGNESS = "willingness", _("villagers' willingness")
    WORK_STYLE = "work_style", _("cadres' work style")
    TECHNIQUE = "technique", _("technique")
    COORDINATION = "coordination", _("coordination")
    OTHER = "other", _("other")


class Dissection(models.Model):
    """The record of a solving meeting (解难会议) on a watch-list entry (design §5, 剖麻雀): its
    causes, obstacles, the departments and resources pooled, the measures (each an action item
    of the ledger) and the field walks (走看调研) to the place."""

    entry = models.OneToOneField(
        WatchEntry, models.PROTECT, related_name="dissection", verbose_name=_("entry")
    )
    meeting = models.OneToOneField(
        "meetings.Meeting",
        models.PROTECT,
        related_name="dissection",
        verbose_name=_("solving meeting"),
    )
    obstacles = models.TextField(_("obstacles"), blank=True)
    field_walks = models.ManyToManyField(
        "meetings.Meeting", blank=True, related_name="+", verbose_name=_("field walks")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", editable=False
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords(m2m_fields=[field_walks])

    class Meta:
        verbose_name = _("dissection")
        verbose_name_plural = _("dissections")

    def __str__(self) -> str:
        return f"{self.entry_id} · {self.meeting_id}"


class Cause(models.Model):
    dissection = models.ForeignKey(
        Dissection, models.PROTECT, related_name="causes", verbose_name=_("dissection")
    )
    kind = models.CharField(_("kind"), max_length=14, choices=CauseKind.choices)
    text = models.TextField(_("cause"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("cause")
        verbose_name_plural = _("causes")
        ordering = ["dissection", "order", "id"]

    def __str__(self) -> str:
        return f"{self.kind}: {self.text[:30]}"


class PooledResource(models.Model):
    """A department that joins in solving, and what it brings (funds, staff, a policy, …)."""

    dissection = models.ForeignKey(
        Dissection, models.PROTECT, related_name="resources", verbose_name=_("dissection")
    )
    department = models.ForeignKey(
        "organisation.Department",
        models.PROTECT,
        related_name="+",
        verbose_name=_("department"),
    )
    brings = models.TextField(_("what it brings"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("department and resources pooled")
        verbose_name_plural = _("departments and resources pooled")
        ordering = ["dissection", "order", "id"]

    def __str__(self) -> str:
        return f"{self.department_id}: {self.brings[:30]}"


class Measure(models.Model):
    """A measure decided at the solving meeting: an action item with an owner and a deadline."""

    dissection = models.ForeignKey(
        Dissection, models.PROTECT, related_name="measures", verbose_name=_("dissection")
    )
    item = models.OneToOneField(
        "ledger.Item", models.PROTECT, related_name="watch_measure", verbose_name=_("action item")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        ordering = ["dissection", "order", "id"]

    def __str__(self) -> str:
        return str(self.item_id)


class Horizon(models.TextChoices):
    """The horizons of a village's goals: "近期抓环境、长期抓产业、常态保稳定"."""

    NEAR = "near", _("near term (近期)")
    LONG = "long", _("long term (长期)")
    STANDING = "standing", _("standing (常态)")


class GoalQuerySet(ScopedQuerySet["VillageGoal"]):
    def scope(self, actor: Actor) -> Q | None:
        """The goals of the villages the actor reads (a cadre: their own village's)."""
        return village_scope(actor, village_field="village_id", town_field="town_id")


class VillageGoal(models.Model):
    """A village's work goal with its horizon, linked to the items, projects and topics that serve
    it; its progress comes from them (`maque.diagnosis.goals.goal_progress`). Never deleted: a
    goal reached or given up is retired (`active` off), and every change is in its history."""

    town = models.ForeignKey(Town, models.PROTECT, related_name="+", verbose_name=_("town"))
    village = models.ForeignKey(
        Village, models.PROTECT, related_name="goals", verbose_name=_("village")
    )
    horizon = models.CharField(_("horizon"), max_length=10, choices=Horizon.choices)
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    items = models.ManyToManyField(
        "ledger.Item", blank=True, related_name="goals", verbose_name=_("items")
    )
    projects = models.ManyToManyField(
        Project, blank=True, related_name="goals", verbose_name=_("projects")
    )
    topics = models.ManyToManyField(
        "deliberation.Topic", blank=True, related_name="goals", verbose_name=_("topics")
    )
    active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", editable=False
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords(m2m_fields=[items, projects, topics])

    objects = GoalQuerySet.as_manager()

    class Meta:
        verbose_name = _("village goal")
        verbose_name_plural = _("village goals")
        ordering = ["village", "horizon", "id"]
        indexes = [models.Index(fields=["village", "active"], name="goal_village_active")]

    def __str__(self) -> str:
        return f"{self.village_id} · {self.title}"
