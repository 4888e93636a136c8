"""Topics (议题) of joint deliberation and what follows them (design §5, issue 12).

Models hold data and constraints only. Every state change goes through
`maque.deliberation.lifecycle`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from maque.core.scoping import ScopedQuerySet
from maque.ledger.models import Item
from maque.meetings.models import Meeting, Resolution
from maque.organisation.models import Person, Town, Village
from maque.organisation.scopes import village_scope

if TYPE_CHECKING:
    from maque.organisation.actor import Actor


class ProposerKind(models.TextChoices):
    PARTY_MEMBER = "party_member", _("party member")
    CADRE = "cadre", _("cadre")
    VILLAGER = "villager", _("villager")
    REPRESENTATIVE = "representative", _("villagers' representative")
    FOUR_TEAMS = "four_teams", _("four-teams member")


class Concern(models.TextChoices):
    URGENT = "urgent", _("urgent (急)")
    DIFFICULT = "difficult", _("difficult (难)")
    WORRYING = "worrying", _("worrying (愁)")
    HOPED_FOR = "hoped_for", _("hoped-for (盼)")


class Domain(models.TextChoices):
    INDUSTRY = "industry", _("industry")
    COLLECTIVE_ECONOMY = "collective_economy", _("collective economy")
    ENVIRONMENT = "environment", _("environment")
    INFRASTRUCTURE = "infrastructure", _("infrastructure")
    LAND = "land", _("land")
    PETITIONS = "petitions", _("petitions and stability")
    PUBLIC_SERVICES = "public_services", _("public services")
    OTHER = "other", pgettext_lazy("domain", "other")


class TopicSource(models.TextChoices):
    PUBLIC = "public", _("public page")
    WORKSPACE = "workspace", _("workspace")
    MEETING = "meeting", _("meeting")
    FIELD_VISIT = "field_visit", _("field visit")
    IMPORT = "import", _("spreadsheet import")


class Track(models.TextChoices):
    QUICK = "quick", _("quick (小事快速办)")
    JOINT = "joint", _("joint (大事一起办)")
    CONCERTED = "concerted", _("concerted (难事合力办)")


class TopicState(models.TextChoices):
    SUBMITTED = "submitted", _("submitted (待受理)")
    ACCEPTED = "accepted", _("accepted (已受理)")
    DECLINED = "declined", _("declined (不予受理)")
    ASSIGNED = "assigned", _("assigned (已交办)")
    SCHEDULED = "scheduled", _("scheduled (待上会)")
    DELIBERATED = "deliberated", _("deliberated (已议定)")
    IMPLEMENTING = "implementing", _("implementing (落实中)")
    COMPLETED = "completed", _("completed (已办结)")
    ANSWERED = "answered", _("answered (已答复)")
    MERGED = "merged", _("merged (已合并)")
    SPAM = "spam", _("spam (无效)")


# States in which a topic still waits for something to be done.
OPEN_TOPIC_STATES = (
    TopicState.SUBMITTED,
    TopicState.ACCEPTED,
    TopicState.ASSIGNED,
    TopicState.SCHEDULED,
    TopicState.DELIBERATED,
    TopicState.IMPLEMENTING,
    TopicState.COMPLETED,
)
# States a public page may name: the topic was accepted (never before, never spam).
PUBLIC_STATES = (
    TopicState.ACCEPTED,
    TopicState.ASSIGNED,
    TopicState.SCHEDULED,
    TopicState.DELIBERATED,
    TopicState.IMPLEMENTING,
    TopicState.COMPLETED,
    TopicState.ANSWERED,
)

TOPIC_STATE_COLOURS: dict[str, str] = {
    TopicState.SUBMITTED: "secondary",
    TopicState.ACCEPTED: "primary",
    TopicState.DECLINED: "dark",
    TopicState.ASSIGNED: "info",
    TopicState.SCHEDULED: "info",
    TopicState.DELIBERATED: "primary",
    TopicState.IMPLEMENTING: "warning",
    TopicState.COMPLETED: "success",
    TopicState.ANSWERED: "success",
    TopicState.MERGED: "dark",
    TopicState.SPAM: "dark",
}


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("satisfied (满意)")
    FAIRLY = "fairly", _("fairly satisfied (基本满意)")
    DISSATISFIED = "dissatisfied", _("dissatisfied (不满意)")


class TopicCounter(models.Model):
    """Last topic number issued per town and year; locked while a code is taken."""

    town = models.ForeignKey(Town, models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["town", "year"], name="topic_counter_unique_year")
        ]

    def __str__(self) -> str:
        return f"{self.town_id}/{self.year}: {self.last}"


class TopicQuerySet(ScopedQuerySet["Topic"]):
    def scope(self, actor: Actor) -> Q | None:
        """Whole towns for town-wide roles, their villages for village roles (design §6)."""
        return village_scope(actor, village_field="village_id")


class Topic(models.Model):
    """A matter proposed for deliberation (议题)."""

    town = models.ForeignKey(Town, models.PROTECT, related_name="topics", verbose_name=_("town"))
    village = models.ForeignKey(
        Village, models.PROTECT, related_name="topics", verbose_name=_("village")
    )
    code = models.CharField(_("code"), max_length=30, editable=False)
    year = models.PositiveSmallIntegerField(_("year"), editable=False)
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    concern = models.CharField(_("concern"), max_length=10, choices=Concern.choices)
    domain = models.CharField(
        _("domain"), max_length=20, choices=Domain.choices, default=Domain.OTHER
    )
    source = models.CharField(
        _("source"), max_length=12, choices=TopicSource.choices, default=TopicSource.WORKSPACE
    )
    track = models.CharField(_("track"), max_length=10, choices=Track.choices, blank=True)
    state = models.CharField(
        _("state"),
        max_length=12,
        choices=TopicState.choices,
        default=TopicState.SUBMITTED,
        editable=False,
    )
    proposer_kind = models.CharField(
        _("proposer"), max_length=15, choices=ProposerKind.choices, default=ProposerKind.VILLAGER
    )
    proposer = models.ForeignKey(
        Person,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="topics_proposed",
        verbose_name=_("proposer (person)"),
    )
    # Personal data of a proposer who is not a person of the organisation (masked when shown).
    proposer_name = models.CharField(_("proposer's name"), max_length=30, blank=True)
    proposer_phone = models.CharField(_("proposer's phone"), max_length=20, blank=True)
    # The receipt is the code and a short secret; only the secret's hash is kept.
    receipt_hash = models.CharField(max_length=64, blank=True, editable=False)
    accept_due = models.DateField(_("acceptance due"), null=True, blank=True, editable=False)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True, editable=False)
    decline_reason = models.TextField(_("reason declined"), blank=True, editable=False)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True, editable=False)
    answer_due = models.DateField(_("answer due"), null=True, blank=True, editable=False)
    answer = models.TextField(_("answer"), blank=True, editable=False)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True, editable=False)
    satisfaction = models.CharField(
        _("satisfaction"), max_length=12, choices=Satisfaction.choices, blank=True, editable=False
    )
    satisfaction_note = models.TextField(_("satisfaction note"), blank=True, editable=False)
    reopened_count = models.PositiveSmallIntegerField(
        _("times reopened"), default=0, editable=False
    )
    merged_into = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_topics",
        editable=False,
        verbose_name=_("merged into"),
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
    created_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = TopicQuerySet.as_manager()

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["town", "code"], name="topic_unique_code"),
            models.CheckConstraint(
                condition=~Q(state="merged") | Q(merged_into__isnull=False),
                name="topic_merged_has_target",
            ),
            models.CheckConstraint(
                condition=~Q(state="declined") | ~Q(decline_reason=""),
                name="topic_declined_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["village", "state", "created_at"]),
            models.Index(fields=["town", "state", "created_at"]),
            # The board, newest first, of a town or a village without a state filter: read in
            # the index's order, the first page costs a few rows instead of a sort of them all.
            models.Index(fields=["town", "created_at"], name="topic_town_time"),
            models.Index(fields=["village", "created_at"], name="topic_village_time"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def proposer_display(self) -> str:
        """The proposer's name as given (unmasked: callers mask it, see `queries.proposer_shown`)."""
        if self.proposer is not None:
            return self.proposer.name
        return self.proposer_name


class TopicTransition(models.Model):
    """An append-only record of one action on a topic."""

    topic = models.ForeignKey(Topic, models.PROTECT, related_name="transitions")
    action = models.CharField(_("action"), max_length=30)
    from_state = models.CharField(_("from"), max_length=12, choices=TopicState.choices)
    to_state = models.CharField(_("to"), max_length=12, choices=TopicState.choices)
    actor = models.ForeignKey(
        Person, models.PROTECT, null=True, related_name="+", verbose_name=_("actor")
    )
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, related_name="+"
    )
    reason = models.TextField(_("reason / note"), blank=True)
    via = models.CharField(_("via"), max_length=20, default="api")
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("topic transition")
        verbose_name_plural = _("topic transitions")
        ordering = ["topic", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.topic_id}: {self.from_state} → {self.to_state}"


class TopicAction(models.Model):
    """An action item of the ledger that came of a topic (quick: its assignment; joint and
    concerted: the measures deliberated)."""

    topic = models.ForeignKey(Topic, models.PROTECT, related_name="actions")
    item = models.OneToOneField(Item, models.PROTECT, related_name="topic_action")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("topic action item")
        verbose_name_plural = _("topic action items")
        ordering = ["topic", "id"]

    def __str__(self) -> str:
        return f"{self.topic_id} → {self.item_id}"


class AgendaItem(models.Model):
    """A topic on the agenda of a meeting (joint and concerted topics)."""

    meeting = models.ForeignKey(
        Meeting, models.PROTECT, related_name="topic_agenda", verbose_name=_("meeting")
    )
    topic = models.ForeignKey(Topic, models.PROTECT, related_name="agenda", verbose_name=_("topic"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    deliberated = models.BooleanField(_("deliberated"), default=False)
    outcome = models.TextField(_("outcome"), blank=True)
    # The last resolution put to the vote on this topic at this meeting: a passed one moved the
    # topic to deliberated; a failed one (no majority, no quorum) is kept and the topic waits.
    resolution = models.ForeignKey(
        Resolution,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="agenda_items",
        verbose_name=_("resolution"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["meeting", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "topic"], name="agenda_topic_once")
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id} #{self.order}: {self.topic_id}"


def topic_photo_path(instance: TopicPhoto, filename: str) -> str:
    # Named by content hash: no user-controlled path components reach the disk.
    return f"topics/{instance.topic.town_id}/{instance.sha256[:2]}/{instance.sha256}{instance.extension}"


class TopicPhoto(models.Model):
    """A photo of the matter (up to three), sniffed as an image when uploaded."""

    topic = models.ForeignKey(Topic, models.PROTECT, related_name="photos")
    file = models.FileField(_("file"), upload_to=topic_photo_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    extension = models.CharField(max_length=10)
    content_type = models.CharField(_("content type"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("topic photo")
        verbose_name_plural = _("topic photos")
        ordering = ["topic", "id"]

    def __str__(self) -> str:
        return self.original_name


class DeliberationSettings(models.Model):
    """A town's deadlines for topics, in working days (one row per town; defaults without one)."""

    town = models.OneToOneField(
        Town, models.PROTECT, related_name="deliberation_settings", verbose_name=_("town")
    )
    accept_within_days = models.PositiveSmallIntegerField(
        _("accept within (working days)"), default=3
    )
    answer_within_days = models.PositiveSmallIntegerField(
        _("answer within (working days after completion)"), default=5
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("deliberation settings")
        verbose_name_plural = _("deliberation settings")

    def __str__(self) -> str:
        return str(self.town)


class TopicReminder(models.Model):
    """A reminder or escalation sent for a topic: one per topic and rung (idempotent tick)."""

    class Rung(models.TextChoices):
        ACCEPT_DUE = "accept_due", _("acceptance due: the secretary")
        ACCEPT_LATE = "accept_late", _("acceptance late: the contact leader")
        ANSWER_DUE = "answer_due", _("answer due: the secretary")
        ANSWER_LATE = "answer_late", _("answer late: the contact leader")

    topic = models.ForeignKey(Topic, models.PROTECT, related_name="reminders")
    rung = models.CharField(max_length=12, choices=Rung.choices)
    # A reopened topic climbs the ladder again: the round counts its reopenings.
    round = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["topic", "rung", "round"], name="topic_reminder_once")
        ]

    def __str__(self) -> str:
        return f"{self.topic_id} {self.rung}"


class PublicThrottle(models.Model):
    """A counter of public requests in a window (per client address, per village): the public
    page's rate limits, in the database so that every server process shares them."""

    class Scope(models.TextChoices):
        CLIENT = "client", _("client address")
        VILLAGE = "village", _("village")
        LOOKUP = "lookup", _("receipt look-ups of a client")

    scope = models.CharField(max_length=10, choices=Scope.choices)
    key = models.CharField(max_length=100)
    window_started_at = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="public_throttle_unique_key")
        ]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key} {self.count}"
