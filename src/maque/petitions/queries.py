"""Reads of petitions, always from `Petition.objects.visible_to`: the register (with the running
limit and its lateness in calendar days) and one petition; what each reader sees of the
petitioner's personal data is decided here (`petition_view`)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from maque.core.masking import mask_id_number, mask_name, mask_phone, mask_text
from maque.organisation.access import actor_for
from maque.organisation.models import Village
from maque.petitions import limits
from maque.petitions.models import Petition, PetitionNotice, State
from maque.petitions.policies import may_read_personal_data

RUNNING = (State.REGISTERED, State.ACCEPTED)


def overdue_filter(day: date) -> Q:
    """Petitions whose running limit (acceptance, reply) has passed on `day` (calendar days)."""
    return Q(state__in=RUNNING, due_on__lt=day)


def running_due(petition: Petition) -> date | None:
    """The limit running now, from the plain definitions (the twin of the stored `due_on`)."""
    if petition.state == State.REGISTERED:
        return limits.acceptance_due(petition.received_on)
    if petition.state == State.ACCEPTED and petition.decided_on is not None:
        return limits.handling_due(petition.decided_on, petition.extension_days)
    return None


def is_overdue(petition: Petition, day: date) -> bool:
    return limits.days_late(running_due(petition), day) > 0


def petition_list(
    *,
    user: User,
    state: str | None = None,
    overdue: bool | None = None,
    stability: bool | None = None,
    village: int | None = None,
    q: str | None = None,
    day: date | None = None,
) -> QuerySet[Petition]:
    day = day or timezone.localdate()
    rows = Petition.objects.visible_to(user).select_related("town", "village", "owner")
    if state:
        rows = rows.filter(state=state)
    if overdue is True:
        rows = rows.filter(overdue_filter(day))
    elif overdue is False:
        rows = rows.exclude(overdue_filter(day))
    if stability is not None:
        rows = rows.filter(stability=stability)
    if village is not None:
        rows = rows.filter(village_id=village)
    if q:
        # The code and the matter; never the personal data (a search would reveal it).
        rows = rows.filter(Q(code__icontains=q) | Q(matter__icontains=q))
    if overdue:
        return rows.order_by("due_on", "id")
    return rows.order_by("-received_on", "-id")


def register_villages(*, user: User) -> QuerySet[Village]:
    """The villages of the petitions the user reads (the register's village filter), by name.

    Asked village by village whether one such petition exists (a probe of the village's index
    each), rather than gathering the village of every petition of the town first."""
    visible = Petition.objects.visible_to(user).filter(village_id=OuterRef("pk"))
    return Village.objects.filter(Exists(visible)).order_by("name")


def petition_get(*, user: User, code: str) -> Petition:
    """One petition the user may read (404 through DoesNotExist otherwise)."""
    return (
        Petition.objects.visible_to(user)
        .select_related("town", "village", "household", "owner", "extension_approved_by")
        .get(code=code.strip().upper())
    )


def notice_get(*, user: User, petition: Petition, notice_id: int) -> PetitionNotice:
    return PetitionNotice.objects.visible_to(user).get(petition=petition, pk=notice_id)


def petitioner(petition: Petition, *, unmasked: bool) -> dict[str, str]:
    """The petitioner's name, phone and ID number, masked unless `unmasked`."""
    if unmasked:
        return {
            "name": petition.petitioner_name,
            "phone": petition.petitioner_phone,
            "id_number": petition.petitioner_id_number,
        }
    return {
        "name": mask_name(petition.petitioner_name),
        "phone": mask_phone(petition.petitioner_phone),
        "id_number": mask_id_number(petition.petitioner_id_number),
    }


def limit_view(petition: Petition, day: date) -> dict[str, Any]:
    """The running limit as screens and the API say it: the day, days left, days late."""
    due = running_due(petition)
    return {
        "due_on": due,
        "days_left": limits.days_left(due, day),
        "days_late": limits.days_late(due, day),
        "overdue": limits.days_late(due, day) > 0,
        "acceptance_due": limits.acceptance_due(petition.received_on),
        "handling_due": (
            limits.handling_due(petition.decided_on, petition.extension_days)
            if petition.accepted_on is not None and petition.decided_on is not None
            else None
        ),
        "review_until": (
            limits.review_until(petition.replied_on) if petition.replied_on is not None else None
        ),
    }


def petition_view(
    petition: Petition, *, user: User, detail: bool, day: date | None = None
) -> dict[str, Any]:
    """What a reader sees of a petition: lists (`detail=False`) mask personal data for everyone,
    a petition's own page only for those `may_read_personal_data` does not admit."""
    day = day or timezone.localdate()
    unmasked = detail and may_read_personal_data(actor_for(user), petition)
    return {
        "petition": petition,
        "petitioner": petitioner(petition, unmasked=unmasked),
        "matter": petition.matter if unmasked else mask_text(petition.matter),
        "unmasked": unmasked,
        **limit_view(petition, day),
    }
