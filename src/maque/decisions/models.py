"""四议两公开 (design §5): a major village matter passes six steps in order — the party branch
proposes, the two committees deliberate, the party-member assembly reviews, the representatives'
or villagers' meeting resolves, the resolution is disclosed, the result is disclosed.

A `VillageDecision` moves through them on the shared machine (`decisions/lifecycle.py`); each
step taken is a `DecisionStep` (the meeting and its passed resolution, or the disclosure's date
and text) and a `DecisionTransition` (who, when, from which state).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from maque.core.scoping import ScopedQuerySet
from maque.deliberation.models import Topic
from maque.meetings.models import Meeting, MeetingKind, Resolution
from maque.organisation.models import Town, Village
from maque.organisation.scopes import village_scope

if TYPE_CHECKING:
    from maque.organisation.actor import Actor


class Step(models.TextChoices):
    """The six steps, in their order; each is also the action that takes it."""

    PROPOSE = "propose", _("party branch proposal (党支部会议提议)")
    DISCUSS = "discuss", _("two committees' deliberation (村“两委”会议商议)")
    REVIEW = "review", _("party-member assembly review (党员大会审议)")
    RESOLVE = "resolve", _("resolution of the representatives' or villagers' meeting (决议)")
    DISCLOSE_RESOLUTION = "disclose_resolution", _("disclosure of the resolution (决议公开)")
    DISCLOSE_RESULT = "disclose_result", _("disclosure of the result (实施结果公开)")


STEPS: tuple[str, ...] = tuple(Step.values)

# The meeting kinds each meeting step is taken at; the disclosures are not meetings.
STEP_KINDS: dict[str, frozenset[str]] = {
    Step.PROPOSE: frozenset({MeetingKind.PARTY_BRANCH}),
    Step.DISCUSS: frozenset({MeetingKind.TWO_COMMITTEES}),
    Step.REVIEW: frozenset({MeetingKind.PARTY_ASSEMBLY}),
    Step.RESOLVE: frozenset({MeetingKind.REPRESENTATIVES, MeetingKind.VILLAGERS}),
}
DISCLOSURES = frozenset({Step.DISCLOSE_RESOLUTION, Step.DISCLOSE_RESULT})


class DecisionState(models.TextChoices):
    """Where a decision stands: the last step taken (or none yet)."""

    OPEN = "open", _("awaiting the party branch's proposal")
    PROPOSED = "proposed", _("proposed by the party branch")
    DISCUSSED = "discussed", _("deliberated by the two committees")
    REVIEWED = "reviewed", _("reviewed by the party-member assembly")
    RESOLVED = "resolved", _("resolved")
    RESOLUTION_DISCLOSED = "resolution_disclosed", _("resolution disclosed")
    COMPLETED = "completed", _("result disclosed")


class DecisionQuerySet(ScopedQuerySet["VillageDecision"]):
    def scope(self, actor: Actor) -> Q | None:
        return village_scope(actor, village_field="village_id")


class VillageDecision(models.Model):
    """A major village matter decided by 四议两公开."""

    town = models.ForeignKey(
        Town, models.PROTECT, related_name="village_decisions", verbose_name=_("town")
    )
    village = models.ForeignKey(
        Village, models.PROTECT, related_name="village_decisions", verbose_name=_("village")
    )
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    topic = models.ForeignKey(
        Topic,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="village_decisions",
        verbose_name=_("topic"),
    )
    state = models.CharField(
        _("state"),
        max_length=24,
        choices=DecisionState.choices,
        default=DecisionState.OPEN,
        editable=False,
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = DecisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("village decision (四议两公开)")
        verbose_name_plural = _("village decisions (四议两公开)")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["village", "state"])]

    def __str__(self) -> str:
        return self.title


class DecisionStep(models.Model):
    """One step taken: at a held meeting whose resolution passed, or a disclosure."""

    decision = models.ForeignKey(
        VillageDecision, models.PROTECT, related_name="steps", verbose_name=_("decision")
    )
    step = models.CharField(_("step"), max_length=24, choices=Step.choices)
    meeting = models.ForeignKey(
        Meeting,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="decision_steps",
        verbose_name=_("meeting"),
    )
    resolution = models.ForeignKey(
        Resolution,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="decision_steps",
        verbose_name=_("resolution"),
    )
    # The day of the meeting, or of the disclosure.
    on = models.DateField(_("date"))
    text = models.TextField(_("text"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("decision step")
        verbose_name_plural = _("decision steps")
        ordering = ["decision", "on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["decision", "step"], name="decision_step_once"),
            models.CheckConstraint(
                condition=(
                    Q(step__in=["disclose_resolution", "disclose_result"])
                    & Q(meeting__isnull=True)
                    & ~Q(text="")
                )
                | (
                    ~Q(step__in=["disclose_resolution", "disclose_result"])
                    & Q(meeting__isnull=False)
                    & Q(resolution__isnull=False)
                ),
                name="decision_step_has_its_evidence",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.decision} · {self.get_step_display()}"


class DecisionTransition(models.Model):
    """An append-only record of one step on a decision."""

    decision = models.ForeignKey(VillageDecision, models.PROTECT, related_name="transitions")
    action = models.CharField(max_length=24)
    from_state = models.CharField(max_length=24)
    to_state = models.CharField(max_length=24)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, related_name="+")
    via = models.CharField(max_length=10, default="api")
    note = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["decision", "at", "id"]

    def __str__(self) -> str:
        return f"{self.decision_id} {self.action}"
