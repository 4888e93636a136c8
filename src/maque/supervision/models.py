"""Supervision (design §5): biweekly inspection rounds (半月一督查), look-backs (回头看) and scoring
(考评) with stored weights."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from maque.core.scoping import ScopedQuerySet
from maque.core.stored_files import StoredFile
from maque.ledger.models import Category, Item
from maque.organisation.models import Person, Town, Village
from maque.organisation.scopes import town_wide_scope

if TYPE_CHECKING:
    from maque.organisation.actor import Actor


class TownScopedQuerySet(ScopedQuerySet[Any]):
    def scope(self, actor: Actor) -> Q | None:
        """Rows of the towns where the user holds a town-wide role (the inspection group's work)."""
        return town_wide_scope(actor)


class InspectionRound(models.Model):
    """One sampled round of field inspection; the seed and population let anyone re-derive it."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        CLOSED = "closed", pgettext_lazy("inspection round", "closed")

    town = models.ForeignKey(
        Town, models.PROTECT, related_name="inspection_rounds", verbose_name=_("town")
    )
    number = models.PositiveIntegerField(_("number"))
    opened_on = models.DateField(_("opened on"))
    since = models.DateTimeField(_("covers changes since"), null=True, blank=True)
    until = models.DateTimeField(_("covers changes until"))
    seed = models.BigIntegerField(_("random seed"))
    sample_percent = models.PositiveSmallIntegerField(_("share of open items sampled (%)"))
    sample_minimum = models.PositiveSmallIntegerField(_("minimum open items per village"))
    # village id -> sorted ids of the open items the random share was drawn from.
    population = models.JSONField(_("open items drawn from"), default=dict)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.OPEN
    )
    scheduled = models.BooleanField(_("opened on schedule"), default=False)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=pgettext_lazy("inspection", "opened by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    objects = TownScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("inspection round")
        verbose_name_plural = _("inspection rounds")
        ordering = ["-opened_on", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["town", "number"], name="round_unique_number"),
            models.UniqueConstraint(
                fields=["town", "opened_on"],
                condition=Q(scheduled=True),
                name="round_one_scheduled_per_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.town} #{self.number} ({self.opened_on})"


class SampleReason(models.TextChoices):
    SUBMITTED = "submitted", _("submitted since the last round")
    CLOSED = "closed", _("closed since the last round")
    RANDOM = "random", _("random share of open items")


class Outcome(models.TextChoices):
    PASS = "pass", _("pass")
    INADEQUATE = "inadequate", _("inadequate (整改不到位)")
    FALSE_CLOSE = "false_close", _("false close-out (虚假销号)")
    NEW_PROBLEM = "new_problem", _("new problem found")


class InspectionSample(models.Model):
    round = models.ForeignKey(
        InspectionRound, models.PROTECT, related_name="samples", verbose_name=_("round")
    )
    item = models.ForeignKey(
        Item, models.PROTECT, related_name="inspection_samples", verbose_name=_("item")
    )
    village = models.ForeignKey(
        Village, models.PROTECT, related_name="+", verbose_name=_("village")
    )
    reason = models.CharField(_("why sampled"), max_length=10, choices=SampleReason.choices)

    class Meta:
        verbose_name = _("inspection sample")
        verbose_name_plural = _("inspection samples")
        ordering = ["round", "village", "item"]
        constraints = [models.UniqueConstraint(fields=["round", "item"], name="sample_unique_item")]

    def __str__(self) -> str:
        return f"{self.round_id}: {self.item_id} ({self.reason})"


class InspectionFinding(models.Model):
    """What an inspector found: on a sampled item, or a new problem (then `item` is the new item)."""

    round = models.ForeignKey(
        InspectionRound, models.PROTECT, related_name="findings", verbose_name=_("round")
    )
    sample = models.OneToOneField(
        InspectionSample,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="finding",
        verbose_name=_("sample"),
    )
    item = models.ForeignKey(
        Item, models.PROTECT, related_name="inspection_findings", verbose_name=_("item")
    )
    village = models.ForeignKey(
        Village, models.PROTECT, related_name="+", verbose_name=_("village")
    )
    owner = models.ForeignKey(
        Person, models.PROTECT, related_name="+", verbose_name=_("owner at the time")
    )
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    note = models.TextField(pgettext_lazy("inspection", "note"))
    inspector = models.ForeignKey(
        Person, models.PROTECT, related_name="+", verbose_name=_("inspector")
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("inspection finding")
        verbose_name_plural = _("inspection findings")
        ordering = ["round", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.round_id}: {self.item_id} {self.outcome}"


def finding_photo_path(instance: FindingPhoto, filename: str) -> str:
    return (
        f"findings/{instance.town_id}/{instance.sha256[:2]}/{instance.sha256}{instance.extension}"
    )


class FindingPhoto(StoredFile):
    """A photo an inspector took of what they found (required for a false close-out)."""

    finding = models.ForeignKey(
        InspectionFinding, models.PROTECT, related_name="photos", verbose_name=_("finding")
    )
    town = models.ForeignKey(Town, models.PROTECT, related_name="+", verbose_name=_("town"))
    file = models.FileField(_("file"), upload_to=finding_photo_path, max_length=200)

    objects = TownScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("finding photo")
        verbose_name_plural = _("finding photos")
        ordering = ["finding", "id"]


class ReviewQuerySet(ScopedQuerySet["Review"]):
    def scope(self, actor: Actor) -> Q | None:
        """Town-wide roles read the town's look-backs; village roles those of their villages (a
        contact leader's own look-backs among them), never a town-wide one."""
        condition = town_wide_scope(actor) or Q(pk__in=[])
        villages = actor.village_ids()
        if villages:
            condition |= Q(village_id__in=villages)
        return condition


class ReviewScope(models.TextChoices):
    QUALITY = "quality", _("quality of closed items (整改质量)")
    PROGRESS = "progress", _("progress of open items (推进进度)")


class Review(models.Model):
    """A look-back (回头看): re-checking the closed items of a category (their quality), or the
    open items' progress, in the whole town or one village (a contact leader's own look-back)."""

    town = models.ForeignKey(Town, models.PROTECT, related_name="reviews", verbose_name=_("town"))
    scope = models.CharField(
        _("look-back of"),
        max_length=10,
        choices=ReviewScope.choices,
        default=ReviewScope.QUALITY,
        db_default=ReviewScope.QUALITY,
    )
    village = models.ForeignKey(
        Village,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("village"),
        help_text=_("Empty: every village of the town."),
    )
    category = models.ForeignKey(
        Category,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="reviews",
        verbose_name=_("category"),
        help_text=_("Empty: every category."),
    )
    opened_on = models.DateField(_("opened on"))
    note = models.TextField(pgettext_lazy("inspection", "note"), blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=pgettext_lazy("inspection", "opened by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    objects = ReviewQuerySet.as_manager()

    class Meta:
        verbose_name = _("look-back")
        verbose_name_plural = _("look-backs")
        ordering = ["-opened_on", "-id"]

    def __str__(self) -> str:
        return " ".join(
            str(part)
            for part in (self.village, self.category, self.get_scope_display(), self.opened_on)
            if part
        )


class ReviewCheck(models.Model):
    class Outcome(models.TextChoices):
        PENDING = "pending", _("not checked yet")
        HOLDS = "holds", _("holds")
        RELAPSE = "relapse", _("relapse")
        ON_TRACK = "on_track", _("on track")
        BEHIND = "behind", _("behind schedule")

    review = models.ForeignKey(
        Review, models.PROTECT, related_name="checks", verbose_name=_("look-back")
    )
    item = models.ForeignKey(
        Item, models.PROTECT, related_name="review_checks", verbose_name=_("item")
    )
    village = models.ForeignKey(
        Village, models.PROTECT, related_name="+", verbose_name=_("village")
    )
    owner = models.ForeignKey(
        Person, models.PROTECT, related_name="+", verbose_name=_("owner at the time")
    )
    outcome = models.CharField(
        _("outcome"), max_length=8, choices=Outcome.choices, default=Outcome.PENDING
    )
    note = models.TextField(pgettext_lazy("inspection", "note"), blank=True)
    checked_by = models.ForeignKey(
        Person,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("checked by"),
    )
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("look-back check")
        verbose_name_plural = _("look-back checks")
        ordering = ["review", "village", "item"]
        constraints = [
            models.UniqueConstraint(fields=["review", "item"], name="review_check_unique_item")
        ]

    def __str__(self) -> str:
        return f"{self.review_id}: {self.item_id} {self.outcome}"


class ScoringScheme(models.Model):
    """The stored weights of a town's score: 100 − penalties + bonuses (design §5)."""

    town = models.OneToOneField(
        Town, models.PROTECT, related_name="scoring_scheme", verbose_name=_("town")
    )
    base = models.DecimalField(
        _("base score"), max_digits=6, decimal_places=2, default=Decimal("100")
    )
    overdue_weight = models.DecimalField(
        _("points off per overdue item"), max_digits=6, decimal_places=2, default=Decimal("2")
    )
    inadequate_weight = models.DecimalField(
        _("points off per return (整改不到位)"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("1"),
    )
    false_close_weight = models.DecimalField(
        _("points off per false close-out"), max_digits=6, decimal_places=2, default=Decimal("5")
    )
    relapse_weight = models.DecimalField(
        _("points off per look-back relapse"), max_digits=6, decimal_places=2, default=Decimal("2")
    )
    closure_bonus = models.DecimalField(
        _("bonus at a full closure rate"), max_digits=6, decimal_places=2, default=Decimal("10")
    )
    pass_rate_bonus = models.DecimalField(
        _("bonus at a full inspection pass rate"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("5"),
    )
    # The topic rules (联村共议 indicators, villages only): each off until the town switches it on.
    topics_raised_on = models.BooleanField(_("score topics raised"), default=False)
    topics_raised_weight = models.DecimalField(
        _("points per topic raised"), max_digits=6, decimal_places=2, default=Decimal("0.5")
    )
    topic_accept_days_on = models.BooleanField(
        _("score the median days to accept a topic"), default=False
    )
    topic_accept_days_weight = models.DecimalField(
        _("points off per median day to accept a topic"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("1"),
    )
    topic_answer_days_on = models.BooleanField(
        _("score the median days to answer a topic"), default=False
    )
    topic_answer_days_weight = models.DecimalField(
        _("points off per median day to answer a topic"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("0.2"),
    )
    topic_in_time_on = models.BooleanField(
        _("score the share of topics answered in time"), default=False
    )
    topic_in_time_bonus = models.DecimalField(
        _("bonus when every topic is answered in time"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("5"),
    )
    topic_satisfaction_on = models.BooleanField(
        _("score the proposers' satisfaction"), default=False
    )
    topic_satisfaction_bonus = models.DecimalField(
        _("bonus when every proposer is satisfied"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("5"),
    )
    history = HistoricalRecords()

    # rule (scoring.TOPIC_RULES) -> (its switch, its weight)
    TOPIC_RULE_FIELDS = {
        "topics_raised": ("topics_raised_on", "topics_raised_weight"),
        "topic_accept_days": ("topic_accept_days_on", "topic_accept_days_weight"),
        "topic_answer_days": ("topic_answer_days_on", "topic_answer_days_weight"),
        "topic_in_time_rate": ("topic_in_time_on", "topic_in_time_bonus"),
        "topic_satisfaction_rate": ("topic_satisfaction_on", "topic_satisfaction_bonus"),
    }

    class Meta:
        verbose_name = _("scoring scheme")
        verbose_name_plural = _("scoring schemes")

    def __str__(self) -> str:
        return str(self.town)


class Score(models.Model):
    """A stored score of a village or an owner for one period, with its breakdown."""

    class Subject(models.TextChoices):
        VILLAGE = "village", _("village")
        OWNER = "owner", _("owner")

    town = models.ForeignKey(Town, models.PROTECT, related_name="scores", verbose_name=_("town"))
    period = models.CharField(_("period"), max_length=10)
    subject = models.CharField(_("subject"), max_length=8, choices=Subject.choices)
    village = models.ForeignKey(
        Village, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("village")
    )
    person = models.ForeignKey(
        Person, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("owner")
    )
    score = models.DecimalField(_("score"), max_digits=8, decimal_places=2)
    rank = models.PositiveIntegerField(_("rank"))
    breakdown = models.JSONField(_("breakdown"))
    computed_at = models.DateTimeField(_("computed at"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["computed_at"])

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        ordering = ["town", "period", "subject", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["town", "period", "village"],
                condition=Q(subject="village"),
                name="score_unique_village",
            ),
            models.UniqueConstraint(
                fields=["town", "period", "person"],
                condition=Q(subject="owner"),
                name="score_unique_owner",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.village or self.person}: {self.score}"
