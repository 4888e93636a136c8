"""Writes of field work: logging a visit (with photos), registering a problem from it in one
step, and recording publicity. Keyword-only, in transactions, permission checked first."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from maque.core import lengths
from maque.core.dates import DayKind, day_problem
from maque.core.uploads import check_upload
from maque.fieldwork.models import (
    FieldVisit,
    Method,
    Policy,
    PublicityRecord,
    Purpose,
    VisitItem,
    VisitPhoto,
    VisitTopic,
)
from maque.fieldwork.policies import check_log, may_log
from maque.ledger import lifecycle
from maque.ledger.models import Campaign, Category, Item, Kind, Source
from maque.ledger.services import attachment_add
from maque.organisation.access import actor_for
from maque.organisation.models import Household, Person, Village

MAX_PHOTOS = 9
MAX_HOUSEHOLDS = 50


def _coordinate(
    value: object, low: int, high: int, field: str, errors: dict[str, list[str]]
) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value)).quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError):
        errors[field] = [_("Enter a number.")]
        return None
    if not low <= number <= high:
        errors[field] = [_("Out of range.")]
        return None
    return number


def _may_visit(person: Person, village: Village) -> bool:
    if not person.active or person.town_id != village.town_id or person.user_id is None:
        return False
    return may_log(actor_for(person.user), town_id=village.town_id, village_id=village.pk)


def visit_log(
    *,
    by: User,
    village: Village,
    purpose: str,
    households: Sequence[Household] = (),
    policies: Sequence[Policy] = (),
    notes: str = "",
    visited_at: datetime | None = None,
    latitude: object = None,
    longitude: object = None,
    photos: Sequence[UploadedFile] = (),
    visitor: Person | None = None,
    via: str = "api",
) -> FieldVisit:
    """Log a visit to households of `village` (none for a field walk), with the policies
    explained, notes, photos and, if the phone gave it, the place. The visitor is the one who
    logs it, unless `visitor` names another person of the town who may do field work in the
    village (a clerk entering the visits of a sheet)."""
    actor = actor_for(by)
    check_log(actor, town_id=village.town_id, village_id=village.pk)
    errors: dict[str, list[str]] = {}
    if visitor is not None and not _may_visit(visitor, village):
        errors["visitor"] = [
            _("The visitor must be a person of the town who works in this village.")
        ]
    if purpose not in Purpose.values:
        errors["purpose"] = [_("Choose a purpose.")]
    now = timezone.now()
    visited_at = visited_at or now
    if not 2000 <= visited_at.year <= 2199:
        visited_at = now
        errors["visited_at"] = [_("A visit cannot take place in the future.")]
    elif timezone.is_naive(visited_at):
        visited_at = timezone.make_aware(visited_at)
    problem = day_problem(
        timezone.localdate(visited_at),
        DayKind.HAPPENED,
        timezone.localdate(now),
        too_late=_("A visit cannot take place in the future."),
    )
    if problem is not None and "visited_at" not in errors:
        errors["visited_at"] = [problem]
    households = list(dict.fromkeys(households))
    if len(households) > MAX_HOUSEHOLDS:
        errors["households"] = [
            _("At most %(max)d households per visit.") % {"max": MAX_HOUSEHOLDS}
        ]
    elif any(h.village_id != village.pk for h in households):
        errors["households"] = [_("Every household must be of this village.")]
    policies = list(dict.fromkeys(policies))
    if any(p.town_id != village.town_id or not p.active for p in policies):
        errors["policies"] = [_("Choose policies of the town's list.")]
    notes = (notes or "").strip()
    if (long := lengths.too_long(notes, lengths.TEXT)) is not None:
        errors["notes"] = [long]
    lat = _coordinate(latitude, -90, 90, "latitude", errors)
    lon = _coordinate(longitude, -180, 180, "longitude", errors)
    if (lat is None) != (lon is None) and "latitude" not in errors and "longitude" not in errors:
        errors["latitude"] = [_("Give both the latitude and the longitude, or neither.")]
    if len(photos) > MAX_PHOTOS:
        errors["photos"] = [_("At most %(max)d photos.") % {"max": MAX_PHOTOS}]
    checked = []
    for photo in photos if "photos" not in errors else ():
        try:
            upload = check_upload(photo)
        except ValidationError as error:
            errors["photos"] = list(error.messages)
            break
        if upload.kind != "photo":
            errors["photos"] = [_("Only photos may be added to a visit.")]
            break
        checked.append((photo, upload))
    if errors:
        raise ValidationError(errors)
    assert actor.person is not None or actor.is_superuser
    with transaction.atomic():
        visit = FieldVisit(
            town_id=village.town_id,
            village=village,
            visitor=visitor or actor.person,
            purpose=purpose,
            visited_at=visited_at,
            notes=notes,
            latitude=lat,
            longitude=lon,
            created_by=by,
        )
        visit._history_user = by  # type: ignore[attr-defined]
        visit._change_reason = f"{via}: log"  # type: ignore[attr-defined]
        visit.save()
        visit.households.set(households)
        visit.policies.set(policies)
        for photo, upload in checked:
            stored = VisitPhoto(visit=visit, **upload.model_fields())
            stored.file.save(upload.name, photo, save=False)
            stored.save()
    return visit


def visit_register_item(
    *,
    visit: FieldVisit,
    by: User,
    title: str,
    campaign: Campaign,
    category: Category | None = None,
    household: Household | None = None,
    description: str = "",
    kind: str = Kind.RECTIFICATION,
    attributes: dict[str, object] | None = None,
    via: str = "web",
) -> Item:
    """Register a problem found on the visit: a ledger item of the visit's village, its household
    (the visit's only one unless said), with the visit's photos as evidence, linked both ways."""
    if household is None and visit.households.count() == 1:
        household = visit.households.get()
    if household is not None and not visit.households.filter(pk=household.pk).exists():
        raise ValidationError({"household": [_("The household was not visited on this visit.")]})
    with transaction.atomic():
        item = lifecycle.item_create(
            by=by,
            campaign=campaign,
            category=category,
            village=visit.village,
            title=title,
            kind=kind,
            source=Source.SURVEY,
            found_on=timezone.localdate(visit.visited_at),
            household=household,
            description=description,
            attributes=attributes,
            subject=household.head_name if household is not None else "",
            via=via,
        )
        VisitItem.objects.create(visit=visit, item=item)
        for upload in visit_photo_copies(visit):
            attachment_add(item=item, by=by, upload=upload)
    return item


def publicity_record(
    *,
    by: User,
    village: Village,
    policy: Policy,
    on: date,
    method: str,
    reach: int | None = None,
    notes: str = "",
) -> PublicityRecord:
    """Record publicity without a household (小喇叭, a village meeting, a poster)."""
    actor = actor_for(by)
    check_log(actor, town_id=village.town_id, village_id=village.pk)
    errors: dict[str, list[str]] = {}
    if method not in Method.values:
        errors["method"] = [_("Choose how the policy was publicised.")]
    if policy.town_id != village.town_id or not policy.active:
        errors["policy"] = [_("Choose policies of the town's list.")]
    problem = day_problem(on, DayKind.HAPPENED, actor.day)
    if problem is not None:
        errors["on"] = [problem]
    if reach is not None and not 0 <= reach <= 100_000:
        errors["reach"] = [_("Out of range.")]
    notes = (notes or "").strip()
    if (long := lengths.too_long(notes, lengths.NOTE)) is not None:
        errors["notes"] = [long]
    if errors:
        raise ValidationError(errors)
    assert actor.person is not None
    record = PublicityRecord(
        town_id=village.town_id,
        village=village,
        policy=policy,
        on=on,
        method=method,
        reach=reach,
        notes=notes,
        recorded_by=actor.person,
    )
    record._history_user = by  # type: ignore[attr-defined]
    record.save()
    return record


def visit_photo_copies(visit: FieldVisit, *, limit: int | None = None) -> list[SimpleUploadedFile]:
    """The visit's photos (the first `limit`) as uploads, for a record raised from the visit."""
    copies = []
    for photo in visit.photos.all()[:limit]:
        with photo.file.open("rb") as handle:
            content = handle.read()
        copies.append(SimpleUploadedFile(photo.original_name, content, photo.content_type))
    return copies


def visit_topic_link(*, visit: FieldVisit, topic_code: str, by: User) -> VisitTopic:
    """Record that a topic for deliberation was raised from the visit (inside the caller's
    transaction, right after the topic was proposed: the caller has checked both sides)."""
    return VisitTopic.objects.create(visit=visit, topic_code=topic_code, created_by=by)
