"""Registering a petition (信访登记); its later steps are the actions of `petitions.lifecycle`."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from maque.core import lengths
from maque.core.dates import DayKind, day_problem
from maque.organisation.access import actor_for
from maque.organisation.models import Household, Person, Town, Village
from maque.petitions import limits
from maque.petitions.models import Channel, Petition, PetitionCounter, PetitionEvent, State
from maque.petitions.policies import check_register

ID_NUMBER_CHARS = frozenset("0123456789Xx")


def petition_code(town: Town, year: int, number: int) -> str:
    """`HP-XF-2026-0012`: the town's code, 信访, the year, the number of the year."""
    return f"{town.code.upper()}-XF-{year}-{number:04d}"


def _next_number(town: Town, year: int) -> int:
    PetitionCounter.objects.get_or_create(town=town, year=year)
    counter = PetitionCounter.objects.select_for_update().get(town=town, year=year)
    counter.last = F("last") + 1
    counter.save(update_fields=["last"])
    counter.refresh_from_db(fields=["last"])
    return counter.last


def _clean_phone(phone: str, errors: dict[str, list[str]]) -> str:
    phone = "".join(phone.split())
    if phone and (len(phone) > 20 or not all(ch.isdigit() or ch in "+-" for ch in phone)):
        errors["petitioner_phone"] = [_("Enter a phone number of digits only.")]
    return phone


def _clean_id_number(number: str, errors: dict[str, list[str]]) -> str:
    number = number.strip().upper()
    if number and (
        len(number) != 18 or not number[:17].isdigit() or number[17] not in ID_NUMBER_CHARS
    ):
        errors["petitioner_id_number"] = [
            _("An ID number has 18 characters: 17 digits and a digit or X.")
        ]
    return number


def petition_register(
    *,
    by: User,
    town: Town,
    channel: str,
    received_on: date,
    petitioner_name: str,
    matter: str,
    petitioner_phone: str = "",
    petitioner_id_number: str = "",
    village: Village | None = None,
    household: Household | None = None,
    owner: Person | None = None,
    stability: bool = False,
    via: str = "api",
) -> Petition:
    """Register a petition received on `received_on`; its 15-day acceptance limit starts."""
    actor = actor_for(by)
    check_register(actor, town_id=town.pk)
    errors: dict[str, list[str]] = {}
    if channel not in Channel.values:
        errors["channel"] = [
            _("Choose a channel: letter, visit, online, hotline or leader reception.")
        ]
    problem = day_problem(
        received_on,
        DayKind.HAPPENED,
        actor.day,
        too_late=_("A petition cannot be received on a day that has not come yet."),
    )
    if problem is not None:
        errors["received_on"] = [problem]
    name = " ".join((petitioner_name or "").split())
    if not name:
        errors["petitioner_name"] = [_("The petitioner's name is required.")]
    elif len(name) > 30:
        errors["petitioner_name"] = [lengths.too_long(name, 30) or ""]
    matter = (matter or "").strip()
    if not matter:
        errors["matter"] = [_("Say what the petition is about.")]
    elif (long := lengths.too_long(matter, lengths.TEXT)) is not None:
        errors["matter"] = [long]
    phone = _clean_phone(petitioner_phone or "", errors)
    id_number = _clean_id_number(petitioner_id_number or "", errors)
    if village is not None and village.town_id != town.pk:
        errors["village"] = [_("The village belongs to another town.")]
    if household is not None and (village is None or household.village_id != village.pk):
        errors["household"] = [_("The household is not of this village.")]
    owner = owner or actor.person
    if owner is None or owner.town_id != town.pk or not owner.active:
        errors["owner"] = [_("The owner must be an active person of this town.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        number = _next_number(town, received_on.year)
        petition = Petition(
            town=town,
            code=petition_code(town, received_on.year, number),
            year=received_on.year,
            channel=channel,
            received_on=received_on,
            petitioner_name=name,
            petitioner_phone=phone,
            petitioner_id_number=id_number,
            matter=matter,
            village=village,
            household=household,
            stability=bool(stability),
            owner=owner,
            state=State.REGISTERED,
            due_on=limits.acceptance_due(received_on),
            created_by=by,
        )
        petition._history_user = by  # type: ignore[attr-defined]
        petition._change_reason = f"{via}: register"  # type: ignore[attr-defined]
        petition.save()
        PetitionEvent.objects.create(
            petition=petition,
            action="register",
            from_state=State.REGISTERED,
            to_state=State.REGISTERED,
            on=received_on,
            actor=actor.person,
            actor_user=by,
            via=via,
        )
    return petition
