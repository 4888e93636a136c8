"""The rhythm's data: each town's working calendar and its rhythm settings (design §5).

Every number of design §5 is a field of `RhythmSettings`, one row per town, so a town changes its
rhythm in the admin without a release. `rhythm_settings(town)` (below) returns the
row, creating it with the defaults on first use.
"""

from __future__ import annotations

import datetime

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from maque.organisation.models import Town


class RhythmSettings(models.Model):
    """The rhythm's numbers for one town; the defaults are those of design §5."""

    town = models.OneToOneField(
        Town, models.PROTECT, related_name="rhythm_settings", verbose_name=_("town")
    )

    # Daily bulletin (每日通报).
    bulletin_enabled = models.BooleanField(
        _("issue the daily bulletin automatically"), default=True
    )
    bulletin_time = models.TimeField(_("daily bulletin time"), default=datetime.time(8, 30))
    bulletin_named_villages = models.PositiveSmallIntegerField(
        _("villages named in the bulletin"),
        default=3,
        help_text=_("Villages with the most overdue work"),
    )

    # Escalation ladder (三级责任网格).
    escalation_enabled = models.BooleanField(_("escalate automatically"), default=True)
    escalation_working_days = models.BooleanField(
        _("count overdue days in working days"),
        default=True,
        help_text=_(
            "Otherwise calendar days. The due-tomorrow reminder always uses the next working day."
        ),
    )
    escalation_due_soon_days = models.PositiveSmallIntegerField(
        _("remind the owner when due within (days)"), default=1
    )
    escalation_owner_secretary_days = models.PositiveSmallIntegerField(
        _("overdue days: owner and village secretary"), default=1, validators=[MinValueValidator(1)]
    )
    escalation_contact_leader_days = models.PositiveSmallIntegerField(
        _("overdue days: contact leader"), default=3, validators=[MinValueValidator(1)]
    )
    escalation_principal_days = models.PositiveSmallIntegerField(
        _("overdue days: principal and inspection group"),
        default=7,
        validators=[MinValueValidator(1)],
    )
    escalation_accountability_days = models.PositiveSmallIntegerField(
        _("overdue days: accountability suggestion"), default=15, validators=[MinValueValidator(1)]
    )
    accountability_returns = models.PositiveSmallIntegerField(
        _("returns that suggest accountability"), default=3, validators=[MinValueValidator(1)]
    )
    accountability_last_place_periods = models.PositiveSmallIntegerField(
        _("last place periods running that suggest accountability"),
        default=3,
        validators=[MinValueValidator(1)],
    )
    accountability_on_false_close_out = models.BooleanField(
        _("suggest accountability on a false close-out"), default=True
    )
    # 推进不力、整改质量不高的村: at the end of a scoring period, a village whose closure rate is this
    # many points under the town's and whose items were returned this often in the period.
    accountability_village_rate_gap = models.PositiveSmallIntegerField(
        _("village rule: closure rate points under the town's"),
        default=20,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    accountability_village_returns = models.PositiveSmallIntegerField(
        _("village rule: returns in the period"), default=5, validators=[MinValueValidator(1)]
    )

    # Legacy matters (遗留问题): one that cannot be solved yet still needs a coordination entry
    # (沟通协调) this often; then the owner is reminded, and a week later the village secretary
    # and the contact leader (maque.rhythm.coordination).
    legacy_contact_days = models.PositiveSmallIntegerField(
        _("legacy matters: a coordination entry at least every (days)"),
        default=30,
        validators=[MinValueValidator(1)],
    )

    # Weekly diagnosis (一周一会诊).
    diagnosis_enabled = models.BooleanField(
        _("draft the weekly diagnosis automatically"), default=True
    )
    diagnosis_weekday = models.PositiveSmallIntegerField(
        _("weekly diagnosis weekday"),
        default=0,
        validators=[MaxValueValidator(6)],
        help_text=_("0 = Monday … 6 = Sunday; moved to the next working day when that day is off"),
    )
    diagnosis_time = models.TimeField(_("weekly diagnosis draft time"), default=datetime.time(9, 0))
    stale_days = models.PositiveSmallIntegerField(
        _("stale when no progress for (days)"), default=14
    )
    # The watch list (走看清单, 解剖麻雀): the rules of `maque.diagnosis.rules` compare each
    # village with the town, so that they single out the typical few.
    watch_rate_gap = models.PositiveSmallIntegerField(
        _("watch list: closure rate this many points under the town's median"),
        default=15,
        validators=[MinValueValidator(1)],
    )
    watch_stale_share = models.PositiveSmallIntegerField(
        _("watch list: this share of open items without progress (%)"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    watch_returns = models.PositiveSmallIntegerField(
        _("watch list: this many returns in two weeks"),
        default=3,
        validators=[MinValueValidator(1)],
    )
    watch_project_gap = models.PositiveSmallIntegerField(
        _("watch list: a project this many points behind plan"),
        default=20,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    watch_milestone_late_days = models.PositiveSmallIntegerField(
        _("watch list: a milestone this many days late"),
        default=14,
        validators=[MinValueValidator(1)],
    )
    watch_category_share = models.PositiveSmallIntegerField(
        _("watch list: one category carrying this share of a village's overdue items (%)"),
        default=50,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    watch_category_overdue = models.PositiveSmallIntegerField(
        _("watch list: a category with at least this many overdue items in a village"),
        default=3,
        validators=[MinValueValidator(1)],
    )
    watch_weekly_cap = models.PositiveSmallIntegerField(
        _("watch list: proposals per week at most"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
    )
    watch_dismissal_weeks = models.PositiveSmallIntegerField(
        _("watch list: weeks a dismissed candidate is not proposed again"),
        default=4,
        help_text=_("Unless its numbers get worse"),
    )
    watch_exit_weeks = models.PositiveSmallIntegerField(
        _("watch list: weeks of normal numbers before an exit is proposed"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )

    # Biweekly inspection (半月一督查).
    inspection_enabled = models.BooleanField(
        _("open inspection rounds automatically"), default=True
    )
    inspection_interval_days = models.PositiveSmallIntegerField(
        _("days between inspection rounds"), default=14, validators=[MinValueValidator(1)]
    )
    inspection_sample_percent = models.PositiveSmallIntegerField(
        _("share of open items sampled (%)"), default=10, validators=[MaxValueValidator(100)]
    )
    inspection_sample_minimum = models.PositiveSmallIntegerField(
        _("minimum open items sampled per village"), default=3
    )

    # Scoring (考评).
    scoring_period = models.CharField(
        _("scoring period"),
        max_length=10,
        default="month",
        choices=[("week", _("week")), ("month", _("month")), ("quarter", _("quarter"))],
    )

    # Delivery of notifications.
    delivery_retries = models.PositiveSmallIntegerField(
        _("delivery attempts per channel"), default=5
    )
    delivery_backoff_seconds = models.PositiveIntegerField(
        _("first retry after (seconds)"), default=60
    )

    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("rhythm settings")
        verbose_name_plural = _("rhythm settings")

    def __str__(self) -> str:
        return str(self.town)

    def escalation_thresholds(self) -> dict[str, int]:
        """Overdue-day thresholds of the ladder, by step name."""
        return {
            "overdue_owner": self.escalation_owner_secretary_days,
            "overdue_contact_leader": self.escalation_contact_leader_days,
            "overdue_principal": self.escalation_principal_days,
            "overdue_accountability": self.escalation_accountability_days,
        }


class CalendarDay(models.Model):
    """An exception to the weekday rule for one town and one day: a public holiday that falls on a
    weekday, or a weekend day worked in exchange (调休). Ordinary weekdays and weekends are not
    stored; an administrator enters each year's announced days (admin or `maque calendar import`).
    """

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("public holiday (休)")
        WORKDAY = "workday", _("adjusted working day (班)")

    town = models.ForeignKey(
        Town, models.PROTECT, related_name="calendar_days", verbose_name=_("town")
    )
    day = models.DateField(_("day"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=40, blank=True, help_text=_("e.g. 国庆节"))
    active = models.BooleanField(
        _("in force"), default=True, help_text=_("Untick to withdraw a day entered in error")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["town", "day"]
        constraints = [models.UniqueConstraint(fields=["town", "day"], name="calendar_day_unique")]

    def __str__(self) -> str:
        return f"{self.day} {self.get_kind_display()} {self.name}".strip()


def rhythm_settings(town: Town | int) -> RhythmSettings:
    """The town's rhythm settings, created with the defaults of design §5 on first use."""
    town_id = town if isinstance(town, int) else town.pk
    found = RhythmSettings.objects.filter(town_id=town_id).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return RhythmSettings.objects.create(town_id=town_id)
    except IntegrityError:
        # Another caller created it at the same moment.
        return RhythmSettings.objects.get(town_id=town_id)


class EscalationStep(models.Model):
    """One rung of the escalation ladder fired for one item; at most one per item and step."""

    class Step(models.TextChoices):
        DUE_SOON = "due_soon", _("due soon: owner")
        OVERDUE_OWNER = "overdue_owner", _("overdue: owner and village secretary")
        OVERDUE_CONTACT_LEADER = "overdue_contact_leader", _("overdue: contact leader")
        OVERDUE_PRINCIPAL = "overdue_principal", _("overdue: principal and inspection group")
        OVERDUE_ACCOUNTABILITY = "overdue_accountability", _("overdue: accountability suggestion")
        RETURNS_ACCOUNTABILITY = (
            "returns_accountability",
            _("returned repeatedly: accountability suggestion"),
        )

    item = models.ForeignKey(
        "ledger.Item", models.PROTECT, related_name="escalations", verbose_name=_("item")
    )
    step = models.CharField(_("step"), max_length=25, choices=Step.choices)
    due_on = models.DateField(
        _("due on"), help_text=_("The day the step fell due; the grid of that day is notified")
    )
    deadline = models.DateField(_("deadline then"))
    overdue_days = models.SmallIntegerField(_("days overdue then"), default=0)
    recipients = models.ManyToManyField(
        "organisation.Person", blank=True, related_name="+", verbose_name=_("people notified")
    )
    fired_at = models.DateTimeField(_("fired at"))
    # Which run inserted the row: a batch insert that skips conflicts reads back its own rows by it.
    run = models.CharField(max_length=32, blank=True, editable=False)

    class Meta:
        verbose_name = _("escalation step")
        verbose_name_plural = _("escalation steps")
        ordering = ["item", "due_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["item", "step"], name="escalation_unique_step")
        ]

    def __str__(self) -> str:
        return f"{self.item_id} · {self.get_step_display()}"
