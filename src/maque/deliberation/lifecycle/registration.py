"""Proposing a topic: from the workspace (staff, on their own or a villager's behalf) or from a
village's public page (no account). Each new topic gets its code, its acceptance deadline and a
receipt (the code and a short secret, shown once; only the secret's hash is kept)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from maque.core.lengths import TEXT, too_long
from maque.core.uploads import CheckedUpload, check_upload
from maque.deliberation.lifecycle.announce import announce_on_commit
from maque.deliberation.models import (
    Concern,
    Domain,
    ProposerKind,
    Topic,
    TopicCounter,
    TopicPhoto,
    TopicSource,
    TopicState,
    TopicTransition,
    Track,
)
from maque.deliberation.policies import check_propose
from maque.deliberation.settings import deliberation_settings
from maque.organisation.access import actor_for
from maque.organisation.models import Person, Village
from maque.rhythm.calendar import WorkingCalendar

MAX_PHOTOS = 3
TITLE_MAX = 100
DESCRIPTION_MAX = 2_000  # what a villager types on a phone; staff may write more
# The receipt's secret: letters and digits that cannot be mistaken for one another.
SECRET_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # noqa: S105 - an alphabet, not a secret
SECRET_LENGTH = 8
STAFF_SOURCES = (TopicSource.WORKSPACE, TopicSource.MEETING, TopicSource.FIELD_VISIT)


@dataclass(frozen=True)
class Proposed:
    """A new topic and its receipt (shown to the proposer once, never stored)."""

    topic: Topic
    receipt: str


def take_code(town_id: int, town_code: str, year: int) -> str:
    """The next topic code of the town and year (`HP-YT-2026-0001`), under a row lock."""
    TopicCounter.objects.get_or_create(town_id=town_id, year=year)
    counter = TopicCounter.objects.select_for_update().get(town_id=town_id, year=year)
    counter.last = F("last") + 1
    counter.save(update_fields=["last"])
    counter.refresh_from_db(fields=["last"])
    return f"{town_code.upper()}-YT-{year}-{counter.last:04d}"


def receipt_digest(code: str, secret: str) -> str:
    return hashlib.sha256(f"{code.upper()}:{secret.upper()}".encode()).hexdigest()


def receipt_matches(topic: Topic, secret: str) -> bool:
    if not topic.receipt_hash:
        return False
    return hmac.compare_digest(topic.receipt_hash, receipt_digest(topic.code, secret))


def split_receipt(receipt: str) -> tuple[str, str] | None:
    """(code, secret) of a receipt as typed (any case, spaces around), or None."""
    text = receipt.strip().upper().replace(" ", "")
    code, _dash, secret = text.rpartition("-")
    if not code or len(secret) != SECRET_LENGTH or any(c not in SECRET_ALPHABET for c in secret):
        return None
    return code, secret


def accept_due_on(village: Village, day: date) -> date:
    days = deliberation_settings(village.town_id).accept_within_days
    return WorkingCalendar.of(village.town_id).add_working_days(day, days)


def _text(value: object, field: str, limit: int, errors: dict[str, list[str]]) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if (problem := too_long(text, limit)) is not None:
        errors[field] = [problem]
    return text


def clean_topic(
    *,
    title: object,
    description: object,
    concern: object,
    domain: object,
    description_max: int,
    errors: dict[str, list[str]],
) -> tuple[str, str]:
    title_text = _text(title, "title", TITLE_MAX, errors)
    if not title_text and "title" not in errors:
        errors["title"] = [_("The title is required.")]
    description_text = _text(description, "description", description_max, errors)
    if concern not in Concern.values:
        errors["concern"] = [_("Choose 急, 难, 愁 or 盼.")]
    if domain not in Domain.values:
        errors["domain"] = [_("Unknown domain.")]
    return title_text, description_text


def check_photos(
    photos: Sequence[UploadedFile], errors: dict[str, list[str]]
) -> list[CheckedUpload]:
    """Up to three images, each sniffed from its content and within the size limit."""
    if len(photos) > MAX_PHOTOS:
        errors["photos"] = [_("At most %(max)d photos.") % {"max": MAX_PHOTOS}]
        return []
    checked: list[CheckedUpload] = []
    for upload in photos:
        try:
            result = check_upload(upload)
        except ValidationError as error:
            errors.setdefault("photos", []).extend(error.messages)
            continue
        if result.kind != "photo":
            errors.setdefault("photos", []).append(
                _("%(name)s is not a photo (jpg, png, webp or heic).") % {"name": result.name}
            )
            continue
        checked.append(result)
    return checked


def _store(
    *,
    village: Village,
    by: User | None,
    values: dict[str, object],
    photos: Sequence[UploadedFile],
    checked: Sequence[CheckedUpload],
    via: str,
    person: Person | None,
) -> Proposed:
    secret = "".join(secrets.choice(SECRET_ALPHABET) for _ in range(SECRET_LENGTH))
    today = timezone.localdate()
    with transaction.atomic():
        topic = Topic(
            town_id=village.town_id,
            village=village,
            year=today.year,
            accept_due=accept_due_on(village, today),
            created_by=by,
            **values,
        )
        topic.code = take_code(village.town_id, village.town.code, today.year)
        topic.receipt_hash = receipt_digest(topic.code, secret)
        topic._history_user = by  # type: ignore[attr-defined]
        topic._change_reason = f"{via}: propose"  # type: ignore[attr-defined]
        topic.save()
        for upload, result in zip(photos, checked, strict=True):
            photo = TopicPhoto(topic=topic, **result.model_fields())
            photo.file.save(result.name, upload, save=False)
            photo.save()
        TopicTransition.objects.create(
            topic=topic,
            action="propose",
            from_state=TopicState.SUBMITTED,
            to_state=TopicState.SUBMITTED,
            actor=person,
            actor_user=by,
            via=via,
        )
        announce_on_commit(topic, "submitted")
    return Proposed(topic=topic, receipt=f"{topic.code}-{secret}")


def topic_propose(
    *,
    by: User,
    village: Village,
    title: str,
    concern: str,
    description: str = "",
    domain: str = Domain.OTHER,
    proposer_kind: str | None = None,
    proposer: Person | None = None,
    proposer_name: str = "",
    proposer_phone: str = "",
    source: str = TopicSource.WORKSPACE,
    track: str = "",
    photos: Sequence[UploadedFile] = (),
    via: str = "api",
) -> Proposed:
    """A member of staff proposes a topic, for themselves (the default proposer) or on behalf of
    someone: a person of the town, or a villager by name and phone."""
    actor = actor_for(by)
    check_propose(actor, village)
    errors: dict[str, list[str]] = {}
    title_text, description_text = clean_topic(
        title=title,
        description=description,
        concern=concern,
        domain=domain,
        description_max=TEXT,
        errors=errors,
    )
    if source not in (*STAFF_SOURCES, TopicSource.IMPORT):  # an import says so itself
        errors["source"] = [_("Unknown source.")]
    if track and track not in Track.values:
        errors["track"] = [_("Unknown track.")]
    name = _text(proposer_name, "proposer_name", 30, errors)
    phone = _text(proposer_phone, "proposer_phone", 20, errors)
    if proposer is not None and (proposer.town_id != village.town_id or not proposer.active):
        errors["proposer"] = [_("The proposer must be an active person of this town.")]
    if proposer is None and not name:
        proposer = actor.person
    kind = proposer_kind or (ProposerKind.CADRE if proposer is not None else ProposerKind.VILLAGER)
    if kind not in ProposerKind.values:
        errors["proposer_kind"] = [_("Unknown kind of proposer.")]
    checked = check_photos(photos, errors)
    if errors:
        raise ValidationError(errors)
    values: dict[str, object] = {
        "title": title_text,
        "description": description_text,
        "concern": concern,
        "domain": domain,
        "source": source,
        "track": track,
        "proposer_kind": kind,
        "proposer": proposer,
        "proposer_name": "" if proposer is not None else name,
        "proposer_phone": "" if proposer is not None else phone,
    }
    return _store(
        village=village,
        by=by,
        values=values,
        photos=photos,
        checked=checked,
        via=via,
        person=actor.person,
    )


def topic_propose_public(
    *,
    village: Village,
    title: str,
    concern: str,
    description: str = "",
    proposer_name: str = "",
    proposer_phone: str = "",
    photos: Sequence[UploadedFile] = (),
    via: str = "public",
) -> Proposed:
    """A villager proposes a topic on the village's public page (no account). The caller has
    applied the page's rate limits and honeypot; this checks the content."""
    errors: dict[str, list[str]] = {}
    if not village.active:
        raise ValidationError({"village": [_("This village takes no topics.")]})
    title_text, description_text = clean_topic(
        title=title,
        description=description,
        concern=concern,
        domain=Domain.OTHER,
        description_max=DESCRIPTION_MAX,
        errors=errors,
    )
    name = _text(proposer_name, "proposer_name", 30, errors)
    phone = _text(proposer_phone, "proposer_phone", 20, errors)
    if phone and not all(c.isdigit() or c in "-+ " for c in phone):
        errors["proposer_phone"] = [_("Enter a phone number in digits.")]
    checked = check_photos(photos, errors)
    if errors:
        raise ValidationError(errors)
    values: dict[str, object] = {
        "title": title_text,
        "description": description_text,
        "concern": concern,
        "domain": Domain.OTHER,
        "source": TopicSource.PUBLIC,
        "proposer_kind": ProposerKind.VILLAGER,
        "proposer_name": name,
        "proposer_phone": phone,
    }
    return _store(
        village=village,
        by=None,
        values=values,
        photos=photos,
        checked=checked,
        via=via,
        person=None,
    )
