"""Petitions (信访) under the 信访工作条例: the register, its events, its notices (design §5).

A petition is a record of its own, not a ledger `Item(kind=petition)` with a companion row.
Reasons: (1) its lifecycle (registered → accepted | not accepted → replied → review requested)
shares no state with the rectification table, and an item would carry a second, meaningless
state that every ledger list, bulletin figure and diagnosis count would have to skip; (2) who
may read it is narrower than any item scope — the principal, the leader in charge of petitions,
the handling owner and the discipline commission — whereas every item of a village is read by
the village's secretary, cadres and contact leader; (3) its limits are statutory calendar-day
limits that change with the state (15 days to accept, 60 (+30 once) to reply, 30 for a review
request) and are escalated to other people than a rectification's ladder. The ledger therefore
refuses to register items of kind petition (`ledger.lifecycle.registration`), and the numbers of
the limits stay in the ledger's kind policy, read through `petitions.limits`.

Personal data of the petitioner (name, phone, ID number) is masked by `petitions.queries` for
everyone but the roles of `policies.may_read_personal_data`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from maque.core.scoping import ScopedQuerySet
from maque.organisation.models import Household, Person, Town, Village
from maque.petitions.policies import petition_scope

if TYPE_CHECKING:
    from maque.organisation.actor import Actor


class Channel(models.TextChoices):
    LETTER = "letter", _("letter (来信)")
    VISIT = "visit", _("visit in person (来访)")
    ONLINE = "online", _("online (网上信访)")
    HOTLINE = "hotline", _("hotline (热线电话)")
    LEADER = "leader", _("leader reception (领导接访)")


class State(models.TextChoices):
    REGISTERED = "registered", _("registered, acceptance to decide (待受理)")
    ACCEPTED = "accepted", _("accepted, being handled (办理中)")
    NOT_ACCEPTED = "not_accepted", _("not accepted (不予受理)")
    REPLIED = "replied", _("replied (已答复)")
    REVIEW_REQUESTED = "review_requested", _("review requested (已申请复查)")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("satisfied (满意)")
    BASICALLY = "basically", _("basically satisfied (基本满意)")
    DISSATISFIED = "dissatisfied", _("dissatisfied (不满意)")


class NoticeKind(models.TextChoices):
    ACCEPTANCE = "acceptance", _("notice of acceptance (受理告知书)")
    NON_ACCEPTANCE = "non_acceptance", _("notice of non-acceptance (不予受理告知书)")
    EXTENSION = "extension", _("notice of extension (延期告知书)")
    REPLY = "reply", _("written reply (答复意见书)")


class Limit(models.TextChoices):
    ACCEPTANCE = "acceptance", _("acceptance decision")
    HANDLING = "handling", _("written reply")


class PetitionQuerySet(ScopedQuerySet["Petition"]):
    def scope(self, actor: Actor) -> Q | None:
        return petition_scope(actor)


class Petition(models.Model):
    """One petition (信访件) from its registration to the request for a review."""

    town = models.ForeignKey(Town, models.PROTECT, related_name="+", verbose_name=_("town"))
    code = models.CharField(_("code"), max_length=30, editable=False)
    year = models.PositiveSmallIntegerField(_("year"), editable=False)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    received_on = models.DateField(_("received on"))
    petitioner_name = models.CharField(_("petitioner"), max_length=30)
    petitioner_phone = models.CharField(_("petitioner's phone"), max_length=20, blank=True)
    petitioner_id_number = models.CharField(_("petitioner's ID number"), max_length=18, blank=True)
    matter = models.TextField(_("the matter (信访事项)"))
    village = models.ForeignKey(
        Village,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("village"),
    )
    household = models.ForeignKey(
        Household,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("household"),
    )
    stability = models.BooleanField(
        _("needs a stability plan (信访维稳)"), default=False, editable=False
    )
    owner = models.ForeignKey(
        Person, models.PROTECT, related_name="+", verbose_name=_("handling owner (承办人)")
    )
    state = models.CharField(
        _("state"),
        max_length=16,
        choices=State.choices,
        default=State.REGISTERED,
        editable=False,
    )
    # The limit running now (acceptance while registered, the reply while accepted), for lists.
    due_on = models.DateField(_("limit"), null=True, blank=True, editable=False)
    decided_on = models.DateField(_("acceptance decided on"), null=True, blank=True, editable=False)
    not_accepted_reason = models.TextField(
        _("reason for not accepting"), blank=True, editable=False
    )
    extension_days = models.PositiveSmallIntegerField(
        _("extension (calendar days)"), default=0, editable=False
    )
    extension_reason = models.TextField(_("reason for the extension"), blank=True, editable=False)
    extended_on = models.DateField(_("extended on"), null=True, blank=True, editable=False)
    extension_approved_by = models.ForeignKey(
        Person,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("extension approved by"),
    )
    replied_on = models.DateField(_("replied on"), null=True, blank=True, editable=False)
    reply = models.TextField(_("the reply (答复意见)"), blank=True, editable=False)
    satisfaction = models.CharField(
        _("petitioner's satisfaction"),
        max_length=12,
        choices=Satisfaction.choices,
        blank=True,
        editable=False,
    )
    review_requested_on = models.DateField(
        _("review requested on"), null=True, blank=True, editable=False
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

    objects = PetitionQuerySet.as_manager()

    class Meta:
        verbose_name = _("petition")
        verbose_name_plural = _("petitions")
        ordering = ["-received_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["town", "code"], name="petition_unique_code"),
            models.CheckConstraint(
                condition=Q(extension_days__lte=30), name="petition_extension_at_most_30"
            ),
            models.CheckConstraint(
                condition=Q(decided_on__isnull=True) | Q(decided_on__gte=models.F("received_on")),
                name="petition_decided_after_received",
            ),
        ]
        indexes = [
            models.Index(fields=["town", "state", "due_on"], name="petition_town_due"),
            models.Index(fields=["owner", "state"], name="petition_owner_state"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def accepted_on(self) -> Any:
        return self.decided_on if self.state not in (State.REGISTERED, State.NOT_ACCEPTED) else None


class PetitionCounter(models.Model):
    """The last petition number of a town and year; locked while a code is taken."""

    town = models.ForeignKey(Town, models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["town", "year"], name="petition_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.town_id}/{self.year}: {self.last}"


class PetitionEvent(models.Model):
    """An append-only record of one action on a petition (the machine's event row)."""

    petition = models.ForeignKey(Petition, models.PROTECT, related_name="events")
    action = models.CharField(_("action"), max_length=20)
    from_state = models.CharField(_("from"), max_length=16, choices=State.choices)
    to_state = models.CharField(_("to"), max_length=16, choices=State.choices)
    on = models.DateField(_("day"))
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
        verbose_name = _("petition event")
        verbose_name_plural = _("petition events")
        ordering = ["petition", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.petition_id}: {self.from_state} → {self.to_state}"


class NoticeCounter(models.Model):
    """The last number of a kind of notice in a town and year; locked while a number is taken."""

    town = models.ForeignKey(Town, models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=NoticeKind.choices)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["town", "kind", "year"], name="petition_notice_counter_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.town_id}/{self.kind}/{self.year}: {self.last}"


class NoticeQuerySet(ScopedQuerySet["PetitionNotice"]):
    def scope(self, actor: Actor) -> Q | None:
        return Q(petition__in=Petition.objects.visible_to(actor).values("pk"))

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("issued notices are immutable")


class PetitionNotice(models.Model):
    """A written notice to the petitioner, issued once and never changed.

    The document is built from `snapshot` alone; `sha256` is the hash of the snapshot as issued
    (checked before every download), and the database refuses updates (migration 0002)."""

    petition = models.ForeignKey(Petition, models.PROTECT, related_name="notices")
    town = models.ForeignKey(Town, models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=NoticeKind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveIntegerField(pgettext_lazy("notice", "number"))
    code = models.CharField(_("document number"), max_length=40)
    issued_on = models.DateField(_("issued on"))
    snapshot = models.JSONField(_("content as issued"))
    sha256 = models.CharField(max_length=64)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("petition notice")
        verbose_name_plural = _("petition notices")
        ordering = ["petition", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["town", "kind", "year", "number"], name="petition_notice_unique_number"
            ),
            models.UniqueConstraint(fields=["petition", "kind"], name="petition_notice_one_each"),
        ]

    def __str__(self) -> str:
        return self.code

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("issued notices are immutable")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("issued notices are immutable")


class PetitionEscalation(models.Model):
    """One rung of the ladder fired for one limit of a petition (unique: fired once)."""

    class Rung(models.TextChoices):
        DUE_SOON = "due_soon", _("limit near")
        OVERDUE_OWNER = "overdue_1", _("overdue day 1")
        OVERDUE_PRINCIPAL = "overdue_3", _("overdue day 3")
        OVERDUE_DISCIPLINE = "overdue_7", _("overdue day 7")

    petition = models.ForeignKey(Petition, models.PROTECT, related_name="escalations")
    limit = models.CharField(max_length=12, choices=Limit.choices)
    due_on = models.DateField()
    rung = models.CharField(max_length=12, choices=Rung.choices)
    fired_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["petition", "limit", "due_on", "rung"], name="petition_rung_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.petition_id} {self.limit} {self.rung}"
