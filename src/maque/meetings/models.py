"""Meetings (design §5): one model for every kind, with attendance, minutes, decisions and files.

The weekly diagnosis (会诊会) is a meeting of kind `diagnosis` drafted by `maque tick` with its
indicator pack. Later work adds resolutions and votes (四议两公开) on top of this model.
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
from maque.meetings.policies import town_meeting_readers
from maque.organisation.models import Person, Town, Village
from maque.organisation.scopes import town_wide_scope

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


class MeetingDecision(models.Model):
    """A decision of a meeting; it becomes an action item with an owner and a deadline."""

    meeting = models.ForeignKey(
        Meeting, models.PROTECT, related_name="decisions", verbose_name=_("meeting")
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
