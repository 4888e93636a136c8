"""Campaigns, categories, and the ledger items with their append-only records (design §3, §4).

Models hold data and constraints only. Every state change goes through `maque.ledger.lifecycle`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from maque.core.lookups import LiteralIn
from maque.core.scoping import ScopedQuerySet
from maque.organisation.models import Household, Person, Plot, Role, Town, Village, VillageGroup
from maque.organisation.scopes import campaign_scope, item_scope

if TYPE_CHECKING:
    from maque.organisation.actor import Actor


class CampaignQuerySet(ScopedQuerySet["Campaign"]):
    def scope(self, actor: Actor) -> Q | None:
        """The campaigns of the actor's towns; a leader limited to campaigns sees only those."""
        return campaign_scope(actor)


class CategoryQuerySet(ScopedQuerySet["Category"]):
    def scope(self, actor: Actor) -> Q | None:
        """The categories of the campaigns the actor sees."""
        return campaign_scope(actor, campaign_field="campaign_id")


class Campaign(models.Model):
    """A body of key work (重点工作), e.g. 五个专项整治."""

    town = models.ForeignKey(Town, models.PROTECT, related_name="campaigns", verbose_name=_("town"))
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=60)
    description = models.TextField(_("description"), blank=True)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["town", "order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["town", "code"], name="campaign_unique_code")
        ]

    def __str__(self) -> str:
        return self.name


def default_verifier_roles() -> list[str]:
    return [Role.CONTACT_LEADER, Role.LEADER, Role.PRINCIPAL, Role.INSPECTOR]


class Category(models.Model):
    """One kind of work inside a campaign, with its own fields and standard. Data, not code."""

    campaign = models.ForeignKey(
        Campaign, models.PROTECT, related_name="categories", verbose_name=_("campaign")
    )
    town = models.ForeignKey(
        Town, models.PROTECT, related_name="categories", verbose_name=_("town")
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=60)
    standard = models.TextField(_("rectification standard"), blank=True)
    default_deadline_days = models.PositiveSmallIntegerField(
        _("default deadline (days)"), default=30
    )
    evidence_required = models.BooleanField(_("evidence required to submit"), default=True)
    verifier_roles = models.JSONField(_("roles that may verify"), default=default_verifier_roles)
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    objects = CategoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["town", "campaign__order", "order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["town", "code"], name="category_unique_code")
        ]

    def __str__(self) -> str:
        return self.name


class FieldType(models.TextChoices):
    TEXT = "text", pgettext_lazy("field type", "text")
    NUMBER = "number", pgettext_lazy("field type", "number")
    DECIMAL = "decimal", _("decimal with unit")
    DATE = "date", _("date")
    CHOICE = "choice", _("choice")
    PLOT = "plot", _("plot")
    HOUSEHOLD = "household", _("household")


class CategoryField(models.Model):
    """A custom field of a category; item `attributes` are validated against these."""

    category = models.ForeignKey(
        Category, models.PROTECT, related_name="fields", verbose_name=_("category")
    )
    name = models.SlugField(
        _("name"), max_length=40, help_text=_("Identifier used in the API, e.g. area_mu")
    )
    label = models.CharField(pgettext_lazy("category field", "label"), max_length=40)
    type = models.CharField(
        _("type"), max_length=10, choices=FieldType.choices, default=FieldType.TEXT
    )
    unit = models.CharField(_("unit"), max_length=10, blank=True)
    required = models.BooleanField(_("required"), default=False)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    min_value = models.DecimalField(
        _("minimum"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    help_text = models.CharField(_("help text"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("category field")
        verbose_name_plural = _("category fields")
        ordering = ["category", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["category", "name"], name="field_unique_name")
        ]

    def __str__(self) -> str:
        return f"{self.category.name} · {self.label}"


class State(models.TextChoices):
    FOUND = "found", _("to rectify (待整改)")
    RECTIFYING = "rectifying", _("rectifying (整改中)")
    SUBMITTED = "submitted", _("awaiting verification (待验收)")
    CLOSED = "closed", _("closed out (已销号)")
    SUSPENDED = "suspended", _("suspended (挂起)")
    CANCELLED = "cancelled", _("cancelled (撤销)")


OPEN_STATES = (State.FOUND, State.RECTIFYING, State.SUBMITTED)

STATE_COLOURS: dict[str, str] = {
    State.FOUND: "secondary",
    State.RECTIFYING: "primary",
    State.SUBMITTED: "info",
    State.CLOSED: "success",
    State.SUSPENDED: "warning",
    State.CANCELLED: "dark",
}


class Light(models.TextChoices):
    RED = "red", _("red")
    YELLOW = "yellow", _("yellow")
    GREEN = "green", _("green")
    GREY = "grey", _("grey")
    BLUE = "blue", _("blue")


class Kind(models.TextChoices):
    RECTIFICATION = "rectification", _("rectification")
    ACTION = "action", _("action")
    MILESTONE = "milestone", _("milestone")
    LEGACY = "legacy", _("legacy matter")
    PETITION = "petition", _("petition")


class Importance(models.TextChoices):
    """How much a legacy matter weighs (轻重)."""

    MAJOR = "major", _("major (重)")
    MINOR = "minor", _("minor (轻)")


class Urgency(models.TextChoices):
    """How soon a legacy matter presses (缓急)."""

    URGENT = "urgent", _("urgent (急)")
    SLACK = "slack", _("can wait (缓)")


class Source(models.TextChoices):
    SURVEY = "survey", _("field survey (摸排)")
    INSPECTION = "inspection", _("inspection")
    MEETING = "meeting", _("meeting")
    TOPIC = "topic", _("deliberation topic")
    IMPORT = "import", _("spreadsheet import")
    PUBLIC = "public", _("public")


class ItemCounter(models.Model):
    """Last sequence number issued per town and year; locked while a code is taken."""

    town = models.ForeignKey(Town, models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["town", "year"], name="counter_unique_year")]

    def __str__(self) -> str:
        return f"{self.town_id}/{self.year}: {self.last}"


class ItemQuerySet(ScopedQuerySet["Item"]):
    def scope(self, actor: Actor) -> Q | None:
        """Items the user may read (design §6); deny by default."""
        return item_scope(actor)


HISTORY_UNINDEXED = [
    "campaign",
    "category",
    "village",
    "group",
    "household",
    "plot",
    "parent",
    "owner",
    "submitted_by",
    "verified_by",
    "created_by",
]


class Item(models.Model):
    """The one tracked unit: a problem, an action, a milestone, a legacy matter or a petition."""

    town = models.ForeignKey(
        Town, models.PROTECT, related_name="items", verbose_name=_("town"), db_index=False
    )
    code = models.CharField(_("code"), max_length=30, editable=False)
    year = models.PositiveSmallIntegerField(_("year"), editable=False)
    kind = models.CharField(
        _("kind"), max_length=15, choices=Kind.choices, default=Kind.RECTIFICATION
    )
    campaign = models.ForeignKey(
        Campaign, models.PROTECT, related_name="items", verbose_name=_("campaign")
    )
    category = models.ForeignKey(
        Category,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="items",
        verbose_name=_("category"),
        db_index=False,
    )
    village = models.ForeignKey(
        Village, models.PROTECT, related_name="items", verbose_name=_("village"), db_index=False
    )
    group = models.ForeignKey(
        VillageGroup,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="items",
        verbose_name=_("group"),
    )
    plot = models.ForeignKey(
        Plot, models.PROTECT, null=True, blank=True, related_name="items", verbose_name=_("plot")
    )
    household = models.ForeignKey(
        Household,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="items",
        verbose_name=_("household"),
    )
    # A sub-item (快速分解细化): one level only, checked at registration.
    parent = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent item"),
        editable=False,
    )
    subject = models.CharField(_("subject (household / plot)"), max_length=100, blank=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("problem description"), blank=True)
    measures = models.TextField(_("rectification measures"), blank=True)
    scope = models.CharField(_("scope"), max_length=200, blank=True)
    standard = models.TextField(_("rectification standard"), blank=True)
    owner = models.ForeignKey(
        Person, models.PROTECT, related_name="owned_items", verbose_name=_("owner"), db_index=False
    )
    found_on = models.DateField(_("found on"))
    deadline = models.DateField(_("deadline"))
    original_deadline = models.DateField(_("original deadline"))
    # A legacy matter registered without a deadline (一时解决不了): never overdue, never due soon,
    # until a deadline is set (then False for good). `deadline` holds the day it was found.
    open_ended = models.BooleanField(
        _("without a deadline"), default=False, db_default=False, editable=False
    )
    importance = models.CharField(
        _("importance (轻重)"),
        max_length=8,
        choices=Importance.choices,
        blank=True,
        default="",
        db_default="",
    )
    urgency = models.CharField(
        _("urgency (缓急)"),
        max_length=8,
        choices=Urgency.choices,
        blank=True,
        default="",
        db_default="",
    )
    state = models.CharField(
        _("state"), max_length=12, choices=State.choices, default=State.FOUND, editable=False
    )
    attributes = models.JSONField(_("category fields"), default=dict, blank=True)
    returned_count = models.PositiveSmallIntegerField(
        _("times returned"), default=0, editable=False
    )
    reopened_count = models.PositiveSmallIntegerField(
        _("times reopened"), default=0, editable=False
    )
    extension_count = models.PositiveSmallIntegerField(_("extensions"), default=0, editable=False)
    source = models.CharField(
        _("source"), max_length=12, choices=Source.choices, default=Source.SURVEY
    )
    suspended_until = models.DateField(_("suspended until"), null=True, blank=True, editable=False)
    suspended_on = models.DateField(_("suspended on"), null=True, blank=True, editable=False)
    submitted_by = models.ForeignKey(
        Person,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("submitted by"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, editable=False)
    verified_by = models.ForeignKey(
        Person,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("verified by"),
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    last_progress_at = models.DateTimeField(
        _("last progress at"), null=True, blank=True, editable=False
    )
    progress_percent = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, editable=False
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
    # History is read by item (`id`), by date and by town (a past day's ledger): the other
    # foreign keys' indexes would only slow down every write, a bulk import's most of all.
    history = HistoricalRecords(excluded_fields=["updated_at"], no_db_index=HISTORY_UNINDEXED)

    objects = ItemQuerySet.as_manager()

    class Meta:
        verbose_name = pgettext_lazy("ledger model", "item")
        verbose_name_plural = _("items")
        ordering = ["-year", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["town", "code"], name="item_unique_code"),
            models.CheckConstraint(
                condition=Q(deadline__gte=models.F("found_on")), name="item_deadline_after_found"
            ),
            models.CheckConstraint(
                condition=Q(progress_percent__lte=100), name="item_progress_percent"
            ),
            # Only verifying closes an item and only reopening takes it out of `closed`: an item
            # has a closing time exactly while it is closed (the figures rely on it).
            models.CheckConstraint(
                condition=Q(state=State.CLOSED, closed_at__isnull=False)
                | (~Q(state=State.CLOSED) & Q(closed_at__isnull=True)),
                name="item_closed_at_iff_closed",
            ),
        ]
        # The town, village, owner and category keys carry no index of their own: each leads one
        # of these (or the unique code), which serves the same lookups.
        indexes = [
            models.Index(fields=["village", "state", "deadline"]),
            models.Index(fields=["town", "state", "deadline"]),
            models.Index(fields=["owner", "state"]),
            models.Index(fields=["category", "state"]),
            # The town's figures (bulletin, diagnosis pack) are read from this index alone, never
            # from the table: counts by state × campaign × village, overdue by owner, staleness
            # (see ledger/figures.py; keep it as narrow as those reads allow).
            models.Index(
                fields=[
                    "town",
                    "state",
                    "campaign",
                    "village",
                    "owner",
                    "deadline",
                    "last_progress_at",
                    "created_at",
                    "open_ended",
                ],
                name="item_town_figures",
            ),
            # What changed since a moment: registered, and closed.
            models.Index(
                fields=["town", "created_at", "state", "campaign", "village"],
                name="item_town_created",
            ),
            models.Index(fields=["town", "closed_at"], name="item_town_closed"),
            # The list's orders (ledger/queries.py): newest found first (the default), by
            # deadline, and the overdue list by days overdue — the open items by deadline.
            models.Index(fields=["town", "found_on"], name="item_town_found"),
            models.Index(fields=["village", "found_on"], name="item_village_found"),
            models.Index(fields=["town", "deadline"], name="item_town_deadline"),
            # The open items by deadline: the overdue list, sorted by days overdue, reads its
            # page straight from here. The queries say "open" with `state__literal_in` (see
            # core/lookups.py) so that SQLite matches this index's condition.
            models.Index(
                fields=["town", "deadline"],
                condition=Q(state__in=OPEN_STATES),
                name="item_town_open_deadline",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


# `state__literal_in`: "open" spelled so that SQLite matches the open items' partial index.
Item._meta.get_field("state").register_lookup(LiteralIn)


class CoordinationLog(models.Model):
    """An append-only entry of the communication and coordination (沟通协调) kept on an item,
    above all on a legacy matter that cannot be solved yet: when, with whom, what was said, and
    the next step."""

    item = models.ForeignKey(Item, models.PROTECT, related_name="coordination")
    on = models.DateField(_("date"))
    with_whom = models.CharField(_("with whom"), max_length=100)
    said = models.TextField(_("what was said"))
    next_step = models.TextField(_("next step"), blank=True)
    author = models.ForeignKey(Person, models.PROTECT, related_name="+", verbose_name=_("author"))
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("coordination entry")
        verbose_name_plural = _("coordination log")
        ordering = ["item", "-on", "-id"]
        indexes = [models.Index(fields=["item", "on"], name="coordination_item_on")]

    def __str__(self) -> str:
        return f"{self.item_id} · {self.on} · {self.with_whom}"


class Transition(models.Model):
    """An append-only record of one state change (or approval) of an item."""

    item = models.ForeignKey(Item, models.PROTECT, related_name="transitions")
    action = models.CharField(_("action"), max_length=30)
    from_state = models.CharField(_("from"), max_length=12, choices=State.choices)
    to_state = models.CharField(_("to"), max_length=12, choices=State.choices)
    # Transitions are read by item and by action and time, never by who took them: no index
    # on the actor (one less to write on every action and every imported row).
    actor = models.ForeignKey(
        Person,
        models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("actor"),
        db_index=False,
    )
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, related_name="+", db_index=False
    )
    reason = models.TextField(_("reason / note"), blank=True)
    via = models.CharField(_("via"), max_length=20, default="api")
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("transition")
        verbose_name_plural = _("transitions")
        ordering = ["item", "created_at", "id"]
        # Returns and reopenings of a week or since the last bulletin, for the town's figures (with
        # the item, so that the transitions themselves are not read).
        indexes = [
            models.Index(fields=["action", "created_at", "item"], name="transition_action_time")
        ]

    def __str__(self) -> str:
        return f"{self.item.code}: {self.from_state} → {self.to_state}"


class ProgressLog(models.Model):
    """An append-only progress report with optional percent and attachments."""

    item = models.ForeignKey(Item, models.PROTECT, related_name="progress_logs")
    author = models.ForeignKey(Person, models.PROTECT, related_name="+", verbose_name=_("author"))
    text = models.TextField(_("progress"))
    percent = models.PositiveSmallIntegerField(_("percent"), null=True, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("progress log")
        verbose_name_plural = _("progress logs")
        ordering = ["item", "created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(percent__isnull=True) | Q(percent__lte=100),
                name="progress_percent_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.item_id} · {self.created_at:%Y-%m-%d} · {self.text[:30]}"


def attachment_path(instance: Attachment, filename: str) -> str:
    # The stored name is the content hash: no user-controlled path components reach the disk.
    return f"evidence/{instance.item.town_id}/{instance.sha256[:2]}/{instance.sha256}{instance.extension}"


class AttachmentQuerySet(ScopedQuerySet["Attachment"]):
    def scope(self, actor: Actor) -> Q | None:
        """Attachments of the items the user may read."""
        return Q(item__in=Item.objects.visible_to(actor).values("pk"))


class Attachment(models.Model):
    class FileKind(models.TextChoices):
        PHOTO = "photo", _("photo")
        DOCUMENT = "document", _("document")

    item = models.ForeignKey(Item, models.PROTECT, related_name="attachments")
    progress = models.ForeignKey(
        ProgressLog, models.PROTECT, null=True, blank=True, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    extension = models.CharField(max_length=10)
    content_type = models.CharField(_("content type"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=FileKind.choices)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        Person, models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["item", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class ItemRequest(models.Model):
    """A request for an extension (延期) or a suspension (挂起), decided by an approver."""

    class Type(models.TextChoices):
        EXTENSION = "extension", _("extension")
        SUSPENSION = "suspension", _("suspension")

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("request", "pending")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")
        WITHDRAWN = "withdrawn", _("withdrawn")

    item = models.ForeignKey(Item, models.PROTECT, related_name="requests")
    type = models.CharField(_("type"), max_length=12, choices=Type.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    requested_by = models.ForeignKey(
        Person, models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    reason = models.TextField(_("reason"))
    new_deadline = models.DateField(_("new deadline"), null=True, blank=True)
    resume_on = models.DateField(_("resume on"), null=True, blank=True)
    decided_by = models.ForeignKey(
        Person,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decision_note = models.TextField(_("decision note"), blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("extension or suspension request")
        verbose_name_plural = _("extension and suspension requests")
        ordering = ["item", "-created_at"]
        constraints = [
            # At most one pending request of each type per item.
            models.UniqueConstraint(
                fields=["item", "type"], condition=Q(status="pending"), name="request_one_pending"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} · {self.get_type_display()} · {self.get_status_display()}"
