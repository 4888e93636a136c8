"""Meetings (design §5): one model for every kind, with attendance, minutes, decisions and files.

The weekly diagnosis (会诊会) is a meeting of kind `diagnosis` drafted by `maque tick` with its
indicator pack. Meetings that count (design §5): rosters of who should attend per village and
body, a meeting's roll taken from them and attendance against it, the quorum and majority rules
of each kind as data, and resolutions with their votes.

Rosters live here rather than in `organisation`: who sits in a village's representatives'
meeting or party-member assembly matters only to meetings and to what is decided in them (the
apps above), a roster member is often a villager with no account (a name, not a `Person`), and
keeping them next to the roll they fill keeps the roll's snapshot and its source in one app.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from maque.core.scoping import ScopedQuerySet
from maque.ledger.models import Item
from maque.meetings.policies import town_meeting_readers
from maque.organisation.models import Person, Town, Village
from maque.organisation.scopes import town_wide_scope, village_scope

if TYPE_CHECKING:
    from maque.organisation.actor import Actor


class MeetingKind(models.TextChoices):
    JOINT = "joint", _("joint meeting (联席会议)")
    THEME_PARTY_DAY = "theme_party_day", _("theme party day (主题党日)")
    FOUR_TEAMS_FORUM = "four_teams_forum", _("four-teams forum (四支队伍座谈会)")
    PARTY_MASSES_COUNCIL = "party_masses_council", _("party-masses council (党群议事会)")
    REPRESENTATIVES = "representatives", _("villagers' representative meeting (村民代表会议)")
    FIELD_WALK = "field_walk", _("field walk (走看调研)")
    DIAGNOSIS = "diagnosis", _("weekly diagnosis (会诊会)")
    PROGRESS = "progress", _("progress meeting (推进会)")
    SOLVING = "solving", _("solving meeting (解难会议)")
    POLICY_STUDY = "policy_study", _("policy study (政策理论学习)")
    VILLAGERS = "villagers", _("villagers' meeting (村民会议)")
    PARTY_BRANCH = "party_branch", _("party branch meeting (党支部会议)")
    TWO_COMMITTEES = "two_committees", _("two committees' meeting (村“两委”会议)")
    PARTY_ASSEMBLY = "party_assembly", _("party member assembly (党员大会)")


class RosterBody(models.TextChoices):
    """The bodies of a village whose members are called to its meetings."""

    REPRESENTATIVES = "representatives", _("villagers' representatives (村民代表)")
    PARTY_MEMBERS = "party_members", _("party members (党员)")
    BRANCH_COMMITTEE = "branch_committee", _("party branch committee (党支部委员会)")
    VILLAGE_COMMITTEE = "village_committee", _("villagers' committee (村民委员会)")
    HOUSEHOLDS = "households", _("household representatives (户代表)")


# Who is called to a meeting of each kind: its roll is the members of these bodies of the
# meeting's villages on the day it is held (a person in two bodies is called once).
ROLL_BODIES: dict[str, tuple[str, ...]] = {
    MeetingKind.REPRESENTATIVES: (RosterBody.REPRESENTATIVES,),
    MeetingKind.VILLAGERS: (RosterBody.HOUSEHOLDS,),
    MeetingKind.PARTY_BRANCH: (RosterBody.BRANCH_COMMITTEE,),
    MeetingKind.TWO_COMMITTEES: (RosterBody.BRANCH_COMMITTEE, RosterBody.VILLAGE_COMMITTEE),
    MeetingKind.PARTY_ASSEMBLY: (RosterBody.PARTY_MEMBERS,),
}


class MeetingQuerySet(ScopedQuerySet["Meeting"]):
    def scope(self, actor: Actor) -> Q | None:
        """Town-wide roles see the town's meetings; village roles those touching their villages;
        everyone the meetings they attended."""
        condition = town_wide_scope(actor) or Q(pk__in=[])
        villages = actor.village_ids()
        if villages:
            condition |= Q(
                pk__in=Meeting.villages.through.objects.filter(village_id__in=villages).values(
                    "meeting_id"
                )
            )
        if (
            actor.person is not None
        ):  # `visible_to` asks only actors with a person; this says so to the types
            condition |= Q(
                pk__in=Meeting.attendees.through.objects.filter(person_id=actor.person.pk).values(
                    "meeting_id"
                )
            )
        towns = town_meeting_readers(actor)
        if towns:
            condition |= Q(town_id__in=towns) & ~Q(
                pk__in=Meeting.villages.through.objects.values("meeting_id")
            )
        return condition


class Meeting(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        HELD = "held", _("held")

    town = models.ForeignKey(Town, models.PROTECT, related_name="meetings", verbose_name=_("town"))
    kind = models.CharField(_("kind"), max_length=24, choices=MeetingKind.choices)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.HELD
    )
    title = models.CharField(_("title"), max_length=200)
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=100, blank=True)
    villages = models.ManyToManyField(
        Village, blank=True, related_name="meetings", verbose_name=_("villages")
    )
    host = models.ForeignKey(
        Person, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("host")
    )
    recorder = models.ForeignKey(
        Person, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("recorder")
    )
    attendees = models.ManyToManyField(
        Person, blank=True, related_name="meetings_attended", verbose_name=_("attendees")
    )
    attendee_count = models.PositiveIntegerField(_("people present"), default=0)
    expected_count = models.PositiveIntegerField(_("people expected"), null=True, blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    # The weekly diagnosis: the Monday of its week and its indicator pack.
    week_start = models.DateField(_("week starting"), null=True, blank=True)
    indicators = models.JSONField(_("indicator pack"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords(m2m_fields=[villages, attendees])

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-held_on", "-id"]
        constraints = [
            # One drafted diagnosis per town and week, however many ticks run.
            models.UniqueConstraint(
                fields=["town", "week_start"],
                condition=Q(kind="diagnosis"),
                name="meeting_one_diagnosis_per_week",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.held_on} {self.title}"


class RosterQuerySet(ScopedQuerySet["RosterMember"]):
    def scope(self, actor: Actor) -> Q | None:
        return village_scope(actor, village_field="village_id", town_field="village__town_id")

    def on(self, day: date) -> RosterQuerySet:
        """Members in force on `day` (valid_to is inclusive; empty means open-ended)."""
        return self.filter(
            Q(valid_from__lte=day) & (Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        )


class RosterMember(models.Model):
    """A member of a village body for a period; a change ends one row and opens another, as role
    assignments do. The member is a `Person` when there is one, else a name."""

    village = models.ForeignKey(
        Village, models.PROTECT, related_name="roster", verbose_name=_("village")
    )
    body = models.CharField(_("body"), max_length=20, choices=RosterBody.choices)
    person = models.ForeignKey(
        Person,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="roster_memberships",
        verbose_name=_("person"),
    )
    # The person's name when there is one (kept as it was), else the member's own.
    name = models.CharField(_("name"), max_length=30)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(
        _("valid to"), null=True, blank=True, help_text=_("Last day in force; empty = ongoing")
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    history = HistoricalRecords()

    objects = RosterQuerySet.as_manager()

    class Meta:
        verbose_name = _("roster member")
        verbose_name_plural = _("roster members")
        ordering = ["village", "body", "name", "id"]
        indexes = [models.Index(fields=["village", "body", "valid_from"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="roster_period_ordered",
            ),
            models.CheckConstraint(condition=~Q(name=""), name="roster_member_named"),
        ]

    def __str__(self) -> str:
        return f"{self.village.name} {self.get_body_display()} {self.name}"


class PopulationQuerySet(ScopedQuerySet["VillagePopulation"]):
    def scope(self, actor: Actor) -> Q | None:
        return village_scope(actor, village_field="village_id", town_field="village__town_id")


class VillagePopulation(models.Model):
    """The village's adult villagers and households as counted on a day: the bases of a
    villagers' meeting's quorum. A meeting reads the last count on or before its day."""

    village = models.ForeignKey(
        Village, models.PROTECT, related_name="populations", verbose_name=_("village")
    )
    counted_on = models.DateField(_("counted on"))
    adults = models.PositiveIntegerField(_("adult villagers"))
    households = models.PositiveIntegerField(_("households"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    history = HistoricalRecords()

    objects = PopulationQuerySet.as_manager()

    class Meta:
        verbose_name = _("village population")
        verbose_name_plural = _("village populations")
        ordering = ["village", "-counted_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["village", "counted_on"], name="population_one_count_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.village.name} {self.counted_on}"


class Basis(models.TextChoices):
    """What a share is taken of."""

    ROLL = "roll", _("members on the roll")
    ADULTS = "adults", _("adult villagers")
    HOUSEHOLDS = "households", _("household representatives")
    PRESENT = "present", _("those present")


class CountingRule(models.Model):
    """When a meeting of a kind is quorate and when its resolution passes (design §5), as data.

    A row without a town is the statutory default (村民委员会组织法, 中国共产党支部工作条例;
    `meetings/migrations/0003`); a town's own row for the kind overrides it. The quorum is met
    when the first test passes, or the alternative one if there is one (a villagers' meeting:
    more than half of the adult villagers, or two thirds of the households' representatives). A
    share is `num/den` of the basis, reached "at least" or, when `strict`, "more than".
    Arithmetic is exact (integers): exactly two thirds is at least two thirds, exactly half is
    not more than half."""

    town = models.ForeignKey(
        Town,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="counting_rules",
        verbose_name=_("town"),
    )
    kind = models.CharField(_("kind"), max_length=24, choices=MeetingKind.choices)
    quorum_basis = models.CharField(
        _("quorum basis"), max_length=12, choices=Basis.choices, default=Basis.ROLL
    )
    quorum_num = models.PositiveSmallIntegerField(_("quorum share: numerator"))
    quorum_den = models.PositiveSmallIntegerField(_("quorum share: denominator"))
    quorum_strict = models.BooleanField(_("quorum: more than (not at least)"), default=False)
    alt_basis = models.CharField(
        _("alternative quorum basis"), max_length=12, choices=Basis.choices, blank=True
    )
    alt_num = models.PositiveSmallIntegerField(
        _("alternative share: numerator"), null=True, blank=True
    )
    alt_den = models.PositiveSmallIntegerField(
        _("alternative share: denominator"), null=True, blank=True
    )
    alt_strict = models.BooleanField(_("alternative: more than (not at least)"), default=False)
    majority_basis = models.CharField(
        _("majority basis"), max_length=12, choices=Basis.choices, default=Basis.PRESENT
    )
    majority_num = models.PositiveSmallIntegerField(_("majority share: numerator"), default=1)
    majority_den = models.PositiveSmallIntegerField(_("majority share: denominator"), default=2)
    majority_strict = models.BooleanField(_("majority: more than (not at least)"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("quorum and majority rule")
        verbose_name_plural = _("quorum and majority rules")
        ordering = ["town", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["town", "kind"],
                condition=Q(town__isnull=False),
                name="counting_rule_one_per_town_kind",
            ),
            models.UniqueConstraint(
                fields=["kind"], condition=Q(town__isnull=True), name="counting_rule_one_default"
            ),
            models.CheckConstraint(
                condition=Q(quorum_den__gt=0)
                & Q(quorum_num__lte=models.F("quorum_den"))
                & Q(majority_den__gt=0)
                & Q(majority_num__lte=models.F("majority_den")),
                name="counting_rule_shares_proper",
            ),
            models.CheckConstraint(
                condition=Q(alt_basis="", alt_num__isnull=True, alt_den__isnull=True)
                | (
                    ~Q(alt_basis="")
                    & Q(alt_den__gt=0)
                    & Q(alt_num__isnull=False)
                    & Q(alt_num__lte=models.F("alt_den"))
                ),
                name="counting_rule_alternative_whole",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.town or '—'} {self.get_kind_display()}"


class RollEntry(models.Model):
    """One member called to a meeting, copied from the roster when the meeting is recorded (a
    later change to the roster does not change who was called), with their attendance."""

    class Attendance(models.TextChoices):
        PRESENT = "present", _("present")
        ABSENT = "absent", _("absent")
        LEAVE = "leave", _("on leave")

    meeting = models.ForeignKey(
        Meeting, models.PROTECT, related_name="roll", verbose_name=_("meeting")
    )
    member = models.ForeignKey(
        RosterMember,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("roster member"),
    )
    person = models.ForeignKey(
        Person, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("person")
    )
    name = models.CharField(_("name"), max_length=30)
    body = models.CharField(_("body"), max_length=20, choices=RosterBody.choices)
    attendance = models.CharField(
        _("attendance"), max_length=8, choices=Attendance.choices, default=Attendance.ABSENT
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("roll entry")
        verbose_name_plural = _("roll entries")
        ordering = ["meeting", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "member"],
                condition=Q(member__isnull=False),
                name="roll_member_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_attendance_display()})"


class Resolution(models.Model):
    """A motion put to the vote at a meeting (决议), with its votes and outcome.

    The outcome is computed from the meeting's quorum and the rule's majority when it is
    recorded (`meetings/resolutions.py`); the counts it was decided on are kept with it, and
    `refusal` says in words why it did not pass. Its actions are `MeetingDecision`s pointing
    here, which become items as any meeting decision does."""

    class Outcome(models.TextChoices):
        PASSED = "passed", _("passed")
        REJECTED = "rejected", _("not passed")
        NOT_QUORATE = "not_quorate", _("not passed: no quorum")

    meeting = models.ForeignKey(
        Meeting, models.PROTECT, related_name="resolutions", verbose_name=_("meeting")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    text = models.TextField(_("resolution"))
    votes_for = models.PositiveIntegerField(_("for"))
    votes_against = models.PositiveIntegerField(_("against"))
    votes_abstain = models.PositiveIntegerField(_("abstaining"))
    expected = models.PositiveIntegerField(_("people expected"), null=True, blank=True)
    present = models.PositiveIntegerField(_("people present"))
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    refusal = models.CharField(_("why not passed"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("resolution")
        verbose_name_plural = _("resolutions")
        ordering = ["meeting", "order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(outcome="passed") | Q(refusal=""), name="resolution_passed_unrefused"
            ),
        ]

    def __str__(self) -> str:
        return self.text[:40]

    @property
    def passed(self) -> bool:
        return self.outcome == self.Outcome.PASSED


class MeetingDecision(models.Model):
    """A decision of a meeting; it becomes an action item with an owner and a deadline. A
    resolution's actions are decisions pointing at it."""

    meeting = models.ForeignKey(
        Meeting, models.PROTECT, related_name="decisions", verbose_name=_("meeting")
    )
    resolution = models.ForeignKey(
        Resolution,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name=_("resolution"),
    )
    text = models.TextField(pgettext_lazy("meeting", "decision"))
    item = models.OneToOneField(
        Item,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="meeting_decision",
        verbose_name=_("action item"),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("meeting decision")
        verbose_name_plural = _("meeting decisions")
        ordering = ["meeting", "order", "id"]

    def __str__(self) -> str:
        return self.text[:40]


def meeting_file_path(instance: MeetingFile, filename: str) -> str:
    # Named by content hash: no user-controlled path components reach the disk.
    return f"meetings/{instance.meeting.town_id}/{instance.sha256[:2]}/{instance.sha256}{instance.extension}"


class MeetingFile(models.Model):
    """A photo or document of a meeting (sign-in sheet, photos, minutes scan)."""

    meeting = models.ForeignKey(
        Meeting, models.PROTECT, related_name="files", verbose_name=_("meeting")
    )
    file = models.FileField(_("file"), upload_to=meeting_file_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    extension = models.CharField(max_length=10)
    content_type = models.CharField(_("content type"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        Person, models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("meeting file")
        verbose_name_plural = _("meeting files")
        ordering = ["meeting", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name
