"""Work in the field (design §5): household visits (入户走访) and field walks, the town's list of
policies to explain (kept as data, with a short plain text to read out), publicity without a
household (小喇叭, village meetings, posters), and the links from a visit to the problems it
registered in the ledger."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from maque.core.scoping import ScopedQuerySet
from maque.ledger.models import Item
from maque.organisation.models import Household, Person, Town, Village
from maque.organisation.scopes import town_member_scope, village_scope

if TYPE_CHECKING:
    from maque.organisation.actor import Actor


class PolicyQuerySet(ScopedQuerySet["Policy"]):
    def scope(self, actor: Actor) -> Q | None:
        return town_member_scope(actor)


class Policy(models.Model):
    """A policy the town's cadres explain (耕地保护, 产业奖补 …), with the words to read out."""

    town = models.ForeignKey(Town, models.PROTECT, related_name="+", verbose_name=_("town"))
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=60)
    plain_text = models.TextField(
        _("plain words to read out"), help_text=_("A few sentences a villager understands.")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    objects = PolicyQuerySet.as_manager()

    class Meta:
        verbose_name = _("policy")
        verbose_name_plural = _("policies")
        ordering = ["town", "order", "name"]
        constraints = [models.UniqueConstraint(fields=["town", "code"], name="policy_unique_code")]

    def __str__(self) -> str:
        return self.name


class Purpose(models.TextChoices):
    PUBLICITY = "publicity", _("policy publicity (政策宣传)")
    SURVEY = "survey", _("survey (摸排)")
    FOLLOW_UP = "follow_up", _("follow-up of an item or topic")
    PETITION_FOLLOW_UP = "petition_follow_up", _("petition follow-up (信访回访)")
    MEDIATION = "mediation", _("dispute mediation (矛盾调解)")
    OTHER = "other", _("other")


class VisitQuerySet(ScopedQuerySet["FieldVisit"]):
    def scope(self, actor: Actor) -> Q | None:
        """The visits of the villages the actor reads, and their own."""
        villages = village_scope(actor, village_field="village_id")
        own = Q(visitor_id=actor.person.pk) if actor.person is not None else None
        if villages is None:
            return own
        return villages | own if own is not None else villages


class FieldVisit(models.Model):
    """One visit: to several households of a village (or a field walk without one)."""

    town = models.ForeignKey(Town, models.PROTECT, related_name="+", verbose_name=_("town"))
    village = models.ForeignKey(
        Village, models.PROTECT, related_name="visits", verbose_name=_("village")
    )
    visitor = models.ForeignKey(
        Person, models.PROTECT, related_name="visits", verbose_name=_("visited by")
    )
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    visited_at = models.DateTimeField(_("time of the visit"))
    notes = models.TextField(_("notes"), blank=True)
    households = models.ManyToManyField(
        Household, related_name="visits", blank=True, verbose_name=_("households")
    )
    policies = models.ManyToManyField(
        Policy, related_name="visits", blank=True, verbose_name=_("policies explained")
    )
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords(m2m_fields=[households, policies])

    objects = VisitQuerySet.as_manager()

    class Meta:
        verbose_name = _("field visit")
        verbose_name_plural = _("field visits")
        ordering = ["-visited_at", "-id"]
        indexes = [
            models.Index(fields=["village", "visited_at"], name="visit_village_time"),
            models.Index(fields=["visitor", "visited_at"], name="visit_visitor_time"),
            models.Index(fields=["town", "visited_at"], name="visit_town_time"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="visit_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="visit_longitude_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.village} · {self.visited_at:%Y-%m-%d} · {self.get_purpose_display()}"


def visit_photo_path(instance: VisitPhoto, filename: str) -> str:
    return f"visits/{instance.visit.town_id}/{instance.sha256[:2]}/{instance.sha256}{instance.extension}"


class PhotoQuerySet(ScopedQuerySet["VisitPhoto"]):
    def scope(self, actor: Actor) -> Q | None:
        return Q(visit__in=FieldVisit.objects.visible_to(actor).values("pk"))


class VisitPhoto(models.Model):
    visit = models.ForeignKey(FieldVisit, models.PROTECT, related_name="photos")
    file = models.FileField(_("file"), upload_to=visit_photo_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    extension = models.CharField(max_length=10)
    content_type = models.CharField(_("content type"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    objects = PhotoQuerySet.as_manager()

    class Meta:
        verbose_name = _("visit photo")
        verbose_name_plural = _("visit photos")
        ordering = ["visit", "id"]

    def __str__(self) -> str:
        return self.original_name


class VisitItem(models.Model):
    """A problem registered in the ledger from a visit: the visit and the item know each other."""

    visit = models.ForeignKey(FieldVisit, models.PROTECT, related_name="item_links")
    item = models.OneToOneField(Item, models.PROTECT, related_name="visit_link")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("problem found on a visit")
        verbose_name_plural = _("problems found on visits")
        ordering = ["visit", "id"]

    def __str__(self) -> str:
        return f"{self.visit_id} → {self.item_id}"


class Method(models.TextChoices):
    LOUDSPEAKER = "loudspeaker", _("loudspeaker (小喇叭)")
    MEETING = "meeting", _("village meeting (村民会议)")
    POSTER = "poster", _("poster (张贴宣传)")
    OTHER = "other", _("other")


class PublicityQuerySet(ScopedQuerySet["PublicityRecord"]):
    def scope(self, actor: Actor) -> Q | None:
        villages = village_scope(actor, village_field="village_id")
        own = Q(recorded_by_id=actor.person.pk) if actor.person is not None else None
        if villages is None:
            return own
        return villages | own if own is not None else villages


class PublicityRecord(models.Model):
    """Publicity without a household: a loudspeaker broadcast, a village meeting, a poster."""

    town = models.ForeignKey(Town, models.PROTECT, related_name="+", verbose_name=_("town"))
    village = models.ForeignKey(
        Village, models.PROTECT, related_name="publicity", verbose_name=_("village")
    )
    policy = models.ForeignKey(Policy, models.PROTECT, related_name="+", verbose_name=_("policy"))
    on = models.DateField(_("date"))
    method = models.CharField(_("how"), max_length=12, choices=Method.choices)
    reach = models.PositiveIntegerField(_("people reached (about)"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        Person, models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    objects = PublicityQuerySet.as_manager()

    class Meta:
        verbose_name = _("publicity record")
        verbose_name_plural = _("publicity records")
        ordering = ["-on", "-id"]

    def __str__(self) -> str:
        return f"{self.village} · {self.on} · {self.policy}"


class VisitTopic(models.Model):
    """A topic for deliberation (联村共议) raised from a visit, by the topic's code.

    Field work and deliberation are sibling apps that may not import each other: the visit keeps
    the code of the topic it raised (a plain value, not a foreign key), and the screens, which
    sit above both, resolve the code through the deliberation app's scoped queries."""

    visit = models.ForeignKey(FieldVisit, models.PROTECT, related_name="topic_links")
    topic_code = models.CharField(_("topic"), max_length=30)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("topic raised on a visit")
        verbose_name_plural = _("topics raised on visits")
        ordering = ["visit", "id"]
        constraints = [
            models.UniqueConstraint(fields=["topic_code"], name="visit_topic_once"),
        ]

    def __str__(self) -> str:
        return f"{self.visit_id} → {self.topic_code}"
