"""Towns, villages, people and the responsibility grid (design §3, §6).

Assignments are never overwritten: a change closes one row (valid_to) and opens another, so the
history answers "who was responsible for village V on date D".
"""

from __future__ import annotations

import secrets
from datetime import date
from typing import TYPE_CHECKING, TypeVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from maque.core.scoping import ScopedQuerySet
from maque.organisation.roles import TOWN_WIDE_ROLES, VILLAGE_ROLES, Role
from maque.organisation.scopes import town_member_scope, village_scope

if TYPE_CHECKING:
    from maque.organisation.actor import Actor

__all__ = ["TOWN_WIDE_ROLES", "VILLAGE_ROLES", "Role"]  # re-exported: they lived here first


class TownQuerySet(ScopedQuerySet["Town"]):
    def scope(self, actor: Actor) -> Q | None:
        """The towns where the actor holds any role."""
        return town_member_scope(actor, town_field="pk")


class VillageQuerySet(ScopedQuerySet["Village"]):
    def scope(self, actor: Actor) -> Q | None:
        return village_scope(actor)


class PersonQuerySet(ScopedQuerySet["Person"]):
    def scope(self, actor: Actor) -> Q | None:
        """People of the towns where the user holds a role (names are needed to pick owners)."""
        return town_member_scope(actor)


class Town(models.Model):
    """A township: the tenant. A deployment may hold many towns (county scale)."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    short_name = models.CharField(
        _("short name"),
        max_length=10,
        help_text=_("Used in document numbers, e.g. 蒿坪 in 蒿坪通〔2026〕12号"),
    )
    code = models.SlugField(
        _("code"), max_length=20, unique=True, help_text=_("Prefix of item codes, e.g. HP")
    )
    county = models.CharField(_("county"), max_length=50, blank=True)
    # Light (红黄绿灯) rules, configurable per town (design §4).
    light_due_soon_days = models.PositiveSmallIntegerField(
        _("yellow when due within (days)"), default=3
    )
    light_stale_days = models.PositiveSmallIntegerField(
        _("yellow when no progress for (days)"), default=7
    )
    light_red_returns = models.PositiveSmallIntegerField(_("red when returned (times)"), default=2)
    is_sample = models.BooleanField(_("sample data"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    objects = TownQuerySet.as_manager()

    class Meta:
        verbose_name = _("town")
        verbose_name_plural = _("towns")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    """A town office; as a contact department (包村部门) it is assigned to villages."""

    town = models.ForeignKey(
        Town, models.PROTECT, related_name="departments", verbose_name=_("town")
    )
    name = models.CharField(_("name"), max_length=60)
    active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["town", "name"]
        constraints = [
            models.UniqueConstraint(fields=["town", "name"], name="department_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


def new_public_code() -> str:
    """An unguessable slug for a village's public page (/p/<code>/): 16 random URL-safe characters."""
    return secrets.token_urlsafe(12)


class Village(models.Model):
    class Kind(models.TextChoices):
        VILLAGE = "village", _("village")
        COMMUNITY = "community", _("community")

    town = models.ForeignKey(Town, models.PROTECT, related_name="villages", verbose_name=_("town"))
    name = models.CharField(_("name"), max_length=50)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.VILLAGE)
    signature_product = models.CharField(
        _("signature product (一村一品)"), max_length=100, blank=True
    )
    profile = models.TextField(_("profile"), blank=True)
    households_count = models.PositiveIntegerField(_("households"), null=True, blank=True)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    is_sample = models.BooleanField(_("sample data"), default=False)
    # The address of the village's public page (no account): not derived from anything, so
    # that one village's page does not lead to another's.
    public_code = models.CharField(
        _("public page code"), max_length=24, unique=True, default=new_public_code
    )
    history = HistoricalRecords()

    objects = VillageQuerySet.as_manager()

    class Meta:
        verbose_name = _("village")
        verbose_name_plural = _("villages")
        ordering = ["town", "name"]
        constraints = [models.UniqueConstraint(fields=["town", "name"], name="village_unique_name")]

    def __str__(self) -> str:
        return self.name


class VillageGroup(models.Model):
    """A villagers' group (村民小组, 组), used in addresses."""

    village = models.ForeignKey(
        Village, models.PROTECT, related_name="groups", verbose_name=_("village")
    )
    name = models.CharField(_("name"), max_length=30)
    number = models.PositiveSmallIntegerField(
        pgettext_lazy("villagers' group", "number"), default=0
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("villagers' group")
        verbose_name_plural = _("villagers' groups")
        ordering = ["village", "number", "name"]
        constraints = [
            models.UniqueConstraint(fields=["village", "name"], name="group_unique_name")
        ]

    def __str__(self) -> str:
        return f"{self.village.name}{self.name}"


class VillageTeam(models.Model):
    """One of the village's four teams (四支队伍)."""

    class Kind(models.TextChoices):
        COMMITTEES = "committees", _("two committees (村两委)")
        WORK_TEAM = "work_team", _("resident work team (驻村工作队)")
        PARTY_MEMBERS = "party_members", _("party members (党员队伍)")
        CAPABLE = "capable", _("capable villagers and volunteers (能人志愿者队伍)")

    village = models.ForeignKey(
        Village, models.PROTECT, related_name="teams", verbose_name=_("village")
    )
    kind = models.CharField(_("team"), max_length=20, choices=Kind.choices)
    leader = models.CharField(_("leader"), max_length=30, blank=True)
    members_count = models.PositiveSmallIntegerField(_("members"), default=0)
    note = models.CharField(_("note"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("village team")
        verbose_name_plural = _("village teams")
        ordering = ["village", "kind"]
        constraints = [models.UniqueConstraint(fields=["village", "kind"], name="team_unique_kind")]

    def __str__(self) -> str:
        return f"{self.village.name} {self.get_kind_display()}"


class Person(models.Model):
    """A member of town staff or a village cadre; optionally able to sign in."""

    town = models.ForeignKey(Town, models.PROTECT, related_name="people", verbose_name=_("town"))
    name = models.CharField(_("name"), max_length=30)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="person",
        verbose_name=_("login"),
    )
    department = models.ForeignKey(
        Department,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("department"),
    )
    title = models.CharField(_("title"), max_length=60, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    active = models.BooleanField(_("active"), default=True)
    is_sample = models.BooleanField(_("sample data"), default=False)
    history = HistoricalRecords()

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["town", "name"]

    def __str__(self) -> str:
        return self.name


_Period = TypeVar("_Period", bound=models.Model)


class PeriodQuerySet(models.QuerySet[_Period]):
    """Rows in force for a period (`valid_from`, `valid_to`): role assignments, contact departments."""

    def on(self, day: date) -> PeriodQuerySet[_Period]:
        """Rows in force on `day` (valid_to is inclusive; empty means open-ended)."""
        return self.filter(
            Q(valid_from__lte=day) & (Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        )


class AssignmentQuerySet(PeriodQuerySet["RoleAssignment"]):
    pass


class ContactDepartmentQuerySet(PeriodQuerySet["ContactDepartment"]):
    pass


class RoleAssignment(models.Model):
    """A person holds a role in a town, optionally for one village and/or campaign, for a period."""

    person = models.ForeignKey(
        Person, models.PROTECT, related_name="assignments", verbose_name=_("person")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    town = models.ForeignKey(
        Town, models.PROTECT, related_name="assignments", verbose_name=_("town")
    )
    village = models.ForeignKey(
        Village,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="assignments",
        verbose_name=_("village"),
    )
    campaign = models.ForeignKey(
        "ledger.Campaign",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="assignments",
        verbose_name=_("campaign"),
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(
        _("valid to"), null=True, blank=True, help_text=_("Last day in force; empty = ongoing")
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    history = HistoricalRecords()

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        ordering = ["town", "role", "-valid_from"]
        indexes = [models.Index(fields=["village", "role", "valid_from"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="assignment_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        where = self.village.name if self.village is not None else self.town.name
        return f"{self.person.name} · {self.get_role_display()} · {where}"


class ContactDepartment(models.Model):
    """A town office assigned to a village (包村部门) for a period; changes close and open rows."""

    village = models.ForeignKey(
        Village, models.PROTECT, related_name="contact_departments", verbose_name=_("village")
    )
    department = models.ForeignKey(
        Department, models.PROTECT, related_name="villages", verbose_name=_("department")
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    history = HistoricalRecords()

    objects = ContactDepartmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("contact department")
        verbose_name_plural = _("contact departments")
        ordering = ["village", "-valid_from"]

    def __str__(self) -> str:
        return f"{self.village.name} ← {self.department.name}"


class Household(models.Model):
    village = models.ForeignKey(
        Village, models.PROTECT, related_name="households", verbose_name=_("village")
    )
    group = models.ForeignKey(
        VillageGroup,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="households",
        verbose_name=_("group"),
    )
    head_name = models.CharField(_("head of household"), max_length=30)
    id_number = models.CharField(_("ID number"), max_length=18, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    address = models.CharField(pgettext_lazy("household", "address"), max_length=200, blank=True)
    members = models.PositiveSmallIntegerField(_("members"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["village", "group", "head_name"]

    def __str__(self) -> str:
        return f"{self.village.name} {self.head_name}"


class Plot(models.Model):
    class LandClass(models.TextChoices):
        PERMANENT_FARMLAND = "permanent_farmland", _("permanent basic farmland (永久基本农田)")
        FARMLAND = "farmland", _("farmland (耕地)")
        GARDEN = "garden", _("garden land (园地)")
        FOREST = "forest", _("forest land (林地)")
        GRASSLAND = "grassland", _("grassland (草地)")
        CONSTRUCTION = "construction", _("construction land (建设用地)")
        OTHER = "other", _("other (其他)")

    class Status(models.TextChoices):
        CULTIVATED = "cultivated", _("cultivated (在耕)")
        ABANDONED = "abandoned", _("abandoned (撂荒)")
        OUTFLOW = "outflow", _("converted out of farmland (流出)")
        OCCUPIED = "occupied", _("occupied (占用)")
        RESTORED = "restored", _("restored (已复耕)")

    town = models.ForeignKey(Town, models.PROTECT, related_name="plots", verbose_name=_("town"))
    village = models.ForeignKey(
        Village, models.PROTECT, related_name="plots", verbose_name=_("village")
    )
    group = models.ForeignKey(
        VillageGroup,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="plots",
        verbose_name=_("group"),
    )
    code = models.CharField(_("plot code"), max_length=40)
    area_mu = models.DecimalField(_("area (亩)"), max_digits=10, decimal_places=2)
    land_class = models.CharField(
        _("land class"), max_length=20, choices=LandClass.choices, default=LandClass.FARMLAND
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.CULTIVATED
    )
    household = models.ForeignKey(
        Household,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="plots",
        verbose_name=_("household"),
    )
    polygon = models.JSONField(_("polygon (GeoJSON)"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    # Kept by the item lifecycle: a closed item about the plot reopened (a look-back relapse, a
    # false close-out) counts one; the plot's history says which and when.
    relapse_count = models.PositiveSmallIntegerField(_("relapses"), default=0, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("plot")
        verbose_name_plural = _("plots")
        ordering = ["village", "code"]
        constraints = [
            models.UniqueConstraint(fields=["town", "code"], name="plot_unique_code"),
            models.CheckConstraint(condition=Q(area_mu__gt=0), name="plot_area_positive"),
        ]

    def __str__(self) -> str:
        return self.code
