"""The daily bulletin (每日通报, design §5): numbered, issued once, never changed.

An issued bulletin keeps the snapshot of the figures it was built from and the SHA-256 of that
snapshot. Nothing may change it afterwards: the model refuses to save an existing row or to delete
one, the queryset refuses bulk updates and deletes, and the database refuses UPDATE (and, on
PostgreSQL, DELETE) through triggers (migration 0002). A correction is a new bulletin citing the old.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from maque.core.scoping import ScopedQuerySet
from maque.organisation.models import Town
from maque.organisation.scopes import town_member_scope

if TYPE_CHECKING:
    from django.db.models import Q

    from maque.organisation.actor import Actor


class ImmutableError(Exception):
    """Raised on any attempt to change or delete an issued bulletin."""


def snapshot_hash(snapshot: dict[str, Any]) -> str:
    """SHA-256 of the snapshot in a canonical JSON form (sorted keys, no whitespace)."""
    canonical = json.dumps(snapshot, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class BulletinCounter(models.Model):
    """The last number issued per town and year; locked while a number is taken."""

    town = models.ForeignKey(Town, models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["town", "year"], name="bulletin_counter_unique_year")
        ]

    def __str__(self) -> str:
        return f"{self.town_id}/{self.year}: {self.last}"


class BulletinQuerySet(ScopedQuerySet["Bulletin"]):
    def scope(self, actor: Actor) -> Q | None:
        """Bulletins of the towns where the user holds a role (a bulletin is a town-wide notice)."""
        return town_member_scope(actor)

    def update(self, **kwargs: Any) -> int:
        raise ImmutableError("Issued bulletins cannot be changed.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ImmutableError("Issued bulletins cannot be deleted.")


class Bulletin(models.Model):
    """One issued daily bulletin of a town."""

    town = models.ForeignKey(Town, models.PROTECT, related_name="bulletins", verbose_name=_("town"))
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveIntegerField(_("number"))
    code = models.CharField(_("document number"), max_length=40)
    day = models.DateField(_("day reported on"))
    as_of = models.DateTimeField(_("figures as of"))
    since = models.DateTimeField(_("changes since"), null=True, blank=True)
    # The last transition id when the figures were taken: the next bulletin reads the returns
    # after it by primary key instead of scanning every transition by time.
    transitions_upto = models.BigIntegerField(_("transitions up to (id)"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=200)
    scheduled = models.BooleanField(_("issued on schedule"), default=False)
    corrects = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name=_("corrects"),
    )
    snapshot = models.JSONField(_("snapshot"))
    content_hash = models.CharField(_("SHA-256 of the snapshot"), max_length=64)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("issued by"),
    )
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    history = HistoricalRecords()

    objects = BulletinQuerySet.as_manager()

    class Meta:
        verbose_name = _("daily bulletin")
        verbose_name_plural = _("daily bulletins")
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["town", "year", "number"], name="bulletin_unique_number"
            ),
            # The schedule issues one bulletin per town and working day, however many ticks run.
            models.UniqueConstraint(
                fields=["town", "day"],
                condition=models.Q(scheduled=True),
                name="bulletin_one_scheduled_per_day",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The guard for everything that reaches the model (admin, shell, services): insert only.
        if self.pk is not None and not self._state.adding:
            raise ImmutableError("Issued bulletins cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ImmutableError("Issued bulletins cannot be deleted.")

    def hash_matches(self) -> bool:
        """Whether the stored snapshot still has the hash it was issued with."""
        return snapshot_hash(self.snapshot) == self.content_hash
