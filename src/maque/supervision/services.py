"""Writes for supervision: open a sampled inspection round, record findings (through the item
lifecycle), look-backs, and stored scores with the last-place rule."""

from __future__ import annotations

import math
import random
import secrets
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from maque.accountability.services import accountability_suggest
from maque.core.uploads import CheckedUpload, check_upload
from maque.ledger import lifecycle
from maque.ledger.definitions import closure_rate
from maque.ledger.errors import ConflictError
from maque.ledger.models import Campaign, Category, Item, Source, State
from maque.notifications.services import notify
from maque.organisation.access import actor_for
from maque.organisation.models import Person, Town, Village
from maque.rhythm.models import rhythm_settings
from maque.supervision.models import (
    FindingPhoto,
    InspectionFinding,
    InspectionRound,
    InspectionSample,
    Outcome,
    Review,
    ReviewCheck,
    ReviewScope,
    SampleReason,
    Score,
)
from maque.supervision.policies import check_inspect, check_review
from maque.supervision.queries import score_counts, scores_compute
from maque.supervision.scoring import Counts, previous_period

MAX_FINDING_PHOTOS = 3


def _check_inspector(by: User | None, town: Town) -> Person | None:
    if by is None:
        return None  # the schedule
    actor = actor_for(by)
    if actor.is_superuser and actor.person is None:
        return None
    check_inspect(actor, town_id=town.pk)
    return actor.person


# --- sampling ---------------------------------------------------------------------------------


def sample_random(
    *, seed: int, population: dict[str, list[int]], percent: int, minimum: int
) -> dict[str, list[int]]:
    """Draw the random share of each village's open items: max(minimum, ⌈percent × n⌉), capped at n.

    Deterministic in (seed, population): one generator per village, seeded with the round's seed
    and the village id, over the village's ids in ascending order. Anyone can re-derive a round."""
    drawn: dict[str, list[int]] = {}
    for village_id in sorted(population, key=int):
        ids = sorted(population[village_id])
        size = min(len(ids), max(minimum, math.ceil(len(ids) * percent / 100)))
        generator = random.Random(f"{seed}:{village_id}")
        drawn[village_id] = sorted(generator.sample(ids, size))
    return drawn


def round_rederive(round: InspectionRound) -> dict[str, list[int]]:  # noqa: A002
    """The random part of a round, derived again from its stored seed and population."""
    return sample_random(
        seed=round.seed,
        population=round.population,
        percent=round.sample_percent,
        minimum=round.sample_minimum,
    )


def round_open(
    *,
    town: Town,
    by: User | None = None,
    now: datetime | None = None,
    scheduled: bool = False,
    percent: int | None = None,
    minimum: int | None = None,
    seed: int | None = None,
) -> InspectionRound:
    """Open a round: every item submitted or closed since the last round — for a town's first
    round, within the round interval before `now` (14 days by default), not all of history — and
    every item waiting for verification, plus a random share of the open items of each village."""

    _check_inspector(by, town)
    now = now or timezone.now()
    settings = rhythm_settings(town)
    percent = settings.inspection_sample_percent if percent is None else percent
    minimum = settings.inspection_sample_minimum if minimum is None else minimum
    if not 0 <= percent <= 100 or minimum < 0:
        raise ValidationError({"percent": [_("The share must be between 0 and 100%.")]})
    seed = secrets.randbits(62) if seed is None else seed
    with transaction.atomic():
        # Serialise round openings of the town: the number and the window come from the last round.
        Town.objects.select_for_update().filter(pk=town.pk).first()
        last = InspectionRound.objects.filter(town=town).order_by("-number").first()
        since = last.until if last else now - timedelta(days=settings.inspection_interval_days)
        window = Q(submitted_at__gte=since, submitted_at__lt=now) | Q(
            closed_at__gte=since, closed_at__lt=now
        )
        items = Item.objects.filter(town=town)
        must = list(
            items.filter(
                (window & Q(state__in=(State.SUBMITTED, State.CLOSED))) | Q(state=State.SUBMITTED)
            ).values_list("pk", "village_id", "state")
        )
        must_ids = {pk for pk, _village, _state in must}
        population: dict[str, list[int]] = {}
        for pk, village_id in (
            items.filter(state__in=(State.FOUND, State.RECTIFYING))
            .exclude(pk__in=must_ids)
            .order_by("village_id", "pk")
            .values_list("pk", "village_id")
        ):
            population.setdefault(str(village_id), []).append(pk)
        inspection_round = InspectionRound(
            town=town,
            number=(last.number + 1) if last else 1,
            opened_on=timezone.localdate(now),
            since=since,
            until=now,
            seed=seed,
            sample_percent=percent,
            sample_minimum=minimum,
            population=population,
            scheduled=scheduled,
            opened_by=by,
        )
        inspection_round._history_user = by  # type: ignore[attr-defined]
        inspection_round.save()
        samples = [
            InspectionSample(
                round=inspection_round,
                item_id=pk,
                village_id=village_id,
                reason=SampleReason.CLOSED if state == State.CLOSED else SampleReason.SUBMITTED,
            )
            for pk, village_id, state in must
        ]
        for village_key, ids in sample_random(
            seed=seed, population=population, percent=percent, minimum=minimum
        ).items():
            samples += [
                InspectionSample(
                    round=inspection_round,
                    item_id=pk,
                    village_id=int(village_key),
                    reason=SampleReason.RANDOM,
                )
                for pk in ids
            ]
        InspectionSample.objects.bulk_create(samples)
    return inspection_round


def round_close(*, round: InspectionRound, by: User) -> InspectionRound:  # noqa: A002
    _check_inspector(by, round.town)
    with transaction.atomic():
        current = InspectionRound.objects.select_for_update().get(pk=round.pk)
        current.status = InspectionRound.Status.CLOSED
        current._history_user = by  # type: ignore[attr-defined]
        current.save(update_fields=["status"])
    return current


# --- findings ---------------------------------------------------------------------------------


def _checked_photos(photos: Sequence[UploadedFile]) -> list[tuple[UploadedFile, CheckedUpload]]:
    """The finding's photos, each checked to be a photo."""
    if len(photos) > MAX_FINDING_PHOTOS:
        raise ValidationError(
            {"photos": [_("At most %(max)d photos.") % {"max": MAX_FINDING_PHOTOS}]}
        )
    checked = []
    for photo in photos:
        try:
            upload = check_upload(photo)
        except ValidationError as error:
            raise ValidationError({"photos": list(error.messages)}) from None
        if upload.kind != "photo":
            raise ValidationError({"photos": [_("Only photos may be added to a finding.")]})
        checked.append((photo, upload))
    return checked


def finding_record(
    *,
    sample: InspectionSample,
    by: User,
    outcome: str,
    note: str,
    photos: Sequence[UploadedFile] = (),
) -> InspectionFinding:
    """Record what the inspector found on a sampled item; the item changes through the lifecycle.

    inadequate: a submitted item is returned, a closed one reopened; false close-out: the closed
    item is reopened and an accountability case is suggested, and the finding needs a photo."""
    inspection_round = sample.round
    inspector = _check_inspector(by, inspection_round.town)
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": [_("Say what was found.")]})
    if outcome not in (Outcome.PASS, Outcome.INADEQUATE, Outcome.FALSE_CLOSE):
        raise ValidationError({"outcome": [_("Choose pass, inadequate or false close-out.")]})
    checked = _checked_photos(photos)
    if inspection_round.status != InspectionRound.Status.OPEN:
        raise ConflictError(_("This round is closed."), code="round_closed")
    with transaction.atomic():
        locked = (
            InspectionSample.objects.select_for_update().select_related("item").get(pk=sample.pk)
        )
        if InspectionFinding.objects.filter(sample=locked).exists():
            raise ConflictError(
                _("This item has already been recorded in this round."), code="already_recorded"
            )
        item = locked.item
        if outcome == Outcome.FALSE_CLOSE and item.state != State.CLOSED:
            raise ValidationError({"outcome": [_("Only a closed item can be a false close-out.")]})
        if outcome == Outcome.FALSE_CLOSE and not checked:
            raise ValidationError(
                {
                    "photos": [
                        _("A false close-out needs at least one photo of what is on the ground.")
                    ]
                }
            )
        if outcome == Outcome.INADEQUATE:
            if item.state == State.SUBMITTED:
                item = lifecycle.item_return(item=item, by=by, reason=note, via="inspection")
            elif item.state == State.CLOSED:
                item = lifecycle.item_reopen(item=item, by=by, reason=note, via="inspection")
        elif outcome == Outcome.FALSE_CLOSE:
            item = lifecycle.item_reopen(
                item=item,
                by=by,
                reason=_("False close-out: %(note)s") % {"note": note},
                via="inspection",
            )
        finding = InspectionFinding(
            round=inspection_round,
            sample=locked,
            item=item,
            village_id=item.village_id,
            owner_id=item.owner_id,
            outcome=outcome,
            note=note,
            inspector=inspector or actor_for(by).person,
        )
        finding._history_user = by  # type: ignore[attr-defined]
        finding.save()
        for photo, upload in checked:
            stored = FindingPhoto(
                finding=finding, town_id=inspection_round.town_id, **upload.model_fields()
            )
            stored.file.save(upload.name, photo, save=False)
            stored.save()
    if outcome == Outcome.FALSE_CLOSE:
        _suggest_false_close(finding)
    return finding


def _suggest_false_close(finding: InspectionFinding) -> None:

    town = finding.round.town
    if not rhythm_settings(town).accountability_on_false_close_out:
        return
    accountability_suggest(
        town=town,
        rule="false_close_out",
        subject_person=finding.owner,
        village=finding.village,
        items=(finding.item,),
        evidence=(finding,),
        key=f"false_close_out:{finding.item_id}:{finding.pk}",
    )


def finding_new_problem(
    *,
    round: InspectionRound,  # noqa: A002
    by: User,
    village: Village,
    campaign: Campaign,
    title: str,
    note: str,
    category: Category | None = None,
    owner: Person | None = None,
    deadline: date | None = None,
    attributes: dict[str, Any] | None = None,
) -> InspectionFinding:
    """A new problem found in the field: a new item (source inspection) and its finding."""
    inspector = _check_inspector(by, round.town)
    if round.status != InspectionRound.Status.OPEN:
        raise ConflictError(_("This round is closed."), code="round_closed")
    if village.town_id != round.town_id:
        raise ValidationError({"village": [_("The village belongs to another town.")]})
    with transaction.atomic():
        item = lifecycle.item_create(
            by=by,
            campaign=campaign,
            village=village,
            title=title,
            category=category,
            owner=owner,
            deadline=deadline,
            source=Source.INSPECTION,
            attributes=attributes,
            description=note,
            via="inspection",
        )
        finding = InspectionFinding(
            round=round,
            sample=None,
            item=item,
            village=village,
            owner_id=item.owner_id,
            outcome=Outcome.NEW_PROBLEM,
            note=note or title,
            inspector=inspector or actor_for(by).person,
        )
        finding._history_user = by  # type: ignore[attr-defined]
        finding.save()
    return finding


# --- look-back --------------------------------------------------------------------------------


# A look-back of quality re-checks closed items; one of progress, the items still in work.
REVIEW_STATES = {
    ReviewScope.QUALITY: (State.CLOSED,),
    ReviewScope.PROGRESS: (State.FOUND, State.RECTIFYING),
}
REVIEW_OUTCOMES = {
    ReviewScope.QUALITY: (ReviewCheck.Outcome.HOLDS, ReviewCheck.Outcome.RELAPSE),
    ReviewScope.PROGRESS: (ReviewCheck.Outcome.ON_TRACK, ReviewCheck.Outcome.BEHIND),
}
# Outcomes that must say what was found.
REVIEW_NOTED = (ReviewCheck.Outcome.RELAPSE, ReviewCheck.Outcome.BEHIND)


def review_open(
    *,
    by: User,
    category: Category | None = None,
    village: Village | None = None,
    scope: str = ReviewScope.QUALITY,
    town: Town | None = None,
    note: str = "",
) -> Review:
    """A look-back over the closed items (quality) or the items in work (progress) of a category
    (every category when None), in one village or the whole town."""
    if scope not in REVIEW_STATES:
        raise ValidationError(
            {"scope": [_("Choose the quality of closed items or the progress of open items.")]}
        )
    actor = actor_for(by)
    town = town or (category.town if category else village.town if village else None)
    if town is None and actor.person is not None:
        town = actor.person.town
    if town is None:
        raise ValidationError({"village": [_("Choose a village or a category.")]})
    if category is not None and category.town_id != town.pk:
        raise ValidationError({"category": [_("The category belongs to another town.")]})
    if village is not None and village.town_id != town.pk:
        raise ValidationError({"village": [_("The village belongs to another town.")]})
    check_review(actor, town_id=town.pk, village_id=village.pk if village else None)
    items = Item.objects.filter(town=town, state__in=REVIEW_STATES[ReviewScope(scope)])
    if category is not None:
        items = items.filter(category=category)
    if village is not None:
        items = items.filter(village=village)
    with transaction.atomic():
        review = Review(
            town=town,
            scope=scope,
            village=village,
            category=category,
            opened_on=timezone.localdate(),
            note=note,
            opened_by=by,
        )
        review._history_user = by  # type: ignore[attr-defined]
        review.save()
        ReviewCheck.objects.bulk_create(
            [
                ReviewCheck(review=review, item_id=pk, village_id=v, owner_id=o)
                for pk, v, o in items.values_list("pk", "village_id", "owner_id")
            ]
        )
    return review


def review_record(*, check: ReviewCheck, by: User, outcome: str, note: str = "") -> ReviewCheck:
    """Record a look-back check. A relapse reopens the item and counts against its village; an
    item behind schedule is told to its owner."""
    review = check.review
    actor = actor_for(by)
    check_review(actor, town_id=review.town_id, village_id=review.village_id)
    allowed = REVIEW_OUTCOMES[ReviewScope(review.scope)]
    if outcome not in allowed:
        raise ValidationError(
            {
                "outcome": [
                    _("Choose %(one)s or %(other)s.")
                    % {"one": allowed[0].label, "other": allowed[1].label}
                ]
            }
        )
    note = (note or "").strip()
    if outcome in REVIEW_NOTED and not note:
        raise ValidationError(
            {
                "note": [
                    _("Say what relapsed.")
                    if outcome == ReviewCheck.Outcome.RELAPSE
                    else _("Say what is behind and what must happen next.")
                ]
            }
        )
    with transaction.atomic():
        current = ReviewCheck.objects.select_for_update().select_related("item").get(pk=check.pk)
        if current.outcome != ReviewCheck.Outcome.PENDING:
            raise ConflictError(_("This item has already been checked."), code="already_recorded")
        if outcome == ReviewCheck.Outcome.RELAPSE:
            lifecycle.item_reopen(
                item=current.item,
                by=by,
                reason=_("Look-back relapse: %(note)s") % {"note": note},
                via="review",
            )
        current.outcome = outcome
        current.note = note
        current.checked_by = actor.person
        current.checked_at = timezone.now()
        current._history_user = by  # type: ignore[attr-defined]
        current.save(update_fields=["outcome", "note", "checked_by", "checked_at"])
        if outcome == ReviewCheck.Outcome.BEHIND:
            _tell_behind(current, by=by)
    return current


def _tell_behind(check: ReviewCheck, *, by: User) -> None:
    """The owner hears that a look-back found their item behind schedule, and why (once)."""
    item = check.item
    if check.checked_by_id == item.owner_id:
        return
    with translation.override(settings.LANGUAGE_CODE):  # stored text, in the deployment's language
        title = _("Look-back: %(code)s %(title)s is behind schedule") % {
            "code": item.code,
            "title": item.title,
        }
        body = " · ".join(
            part for part in (check.note, check.checked_by.name if check.checked_by else "") if part
        )
    notify(
        recipients=[item.owner],
        kind="review.behind",
        title=title,
        body=body,
        link=f"/items/{item.pk}/",
        key=f"review:{check.pk}:behind",
        town=item.town,
    )


# --- scores -----------------------------------------------------------------------------------


def scores_store(*, town: Town, period: str, today: date | None = None) -> int:
    """Compute and store the scores of the period (villages and owners); returns rows changed."""
    changed = 0
    for subject in (Score.Subject.VILLAGE, Score.Subject.OWNER):
        rows = scores_compute(town=town, period=period, subject=subject, today=today)
        existing = {
            (s.village_id if subject == Score.Subject.VILLAGE else s.person_id): s
            for s in Score.objects.filter(town=town, period=period, subject=subject)
        }
        for row in rows:
            value = Decimal(row["score"])
            current = existing.get(row["id"])
            if (
                current is not None
                and current.score == value
                and current.rank == row["rank"]
                and current.breakdown == row["breakdown"]
            ):
                continue
            key = (
                {"village_id": row["id"]}
                if subject == Score.Subject.VILLAGE
                else {"person_id": row["id"]}
            )
            with transaction.atomic():
                Score.objects.update_or_create(
                    town=town,
                    period=period,
                    subject=subject,
                    **key,
                    defaults={"score": value, "rank": row["rank"], "breakdown": row["breakdown"]},
                )
            changed += 1
    return changed


def last_place_check(
    *, town: Town, period: str, periods: int = 3, kind: str = "month"
) -> Village | None:
    """If one village was last in `periods` stored periods running, ending with `period`,
    suggest accountability (once per village and final period)."""

    wanted = [period]
    while len(wanted) < periods:
        wanted.append(previous_period(wanted[-1], kind))
    lasts = []
    for name in wanted:
        rows = list(
            Score.objects.filter(town=town, period=name, subject=Score.Subject.VILLAGE).order_by(
                "-rank", "score"
            )
        )
        if len(rows) < 2:
            return None
        worst = rows[0].rank
        lasts.append(
            {row.village_id for row in rows if row.rank == worst and row.village_id is not None}
        )
    common = set.intersection(*lasts)
    if len(common) != 1:
        return None
    village = Village.objects.get(pk=common.pop())

    evidence = list(
        Score.objects.filter(
            town=town, period__in=wanted, subject=Score.Subject.VILLAGE, village=village
        )
    )
    accountability_suggest(
        town=town,
        rule="last_place",
        village=village,
        evidence=evidence,
        key=f"last_place:{village.pk}:{period}",
        summary=_("%(village)s was last in %(periods)s.")
        % {
            "village": village.name,
            "periods": pgettext("enumeration", ", ").join(reversed(wanted)),
        },
    )
    return village


def weak_village_check(*, town: Town, period: str) -> list[Village]:
    """推进不力、整改质量不高的村: at the end of a period, suggest accountability for each village whose
    closure rate is the town's setting of points under the town's own and whose items were
    returned as inadequate at least the setting's times in the period (once per village and
    period). Returns the villages suggested."""
    settings = rhythm_settings(town)
    counts = score_counts(town=town, period=period)
    town_rate = closure_rate(
        sum(c.closed for c in counts.values()), sum(c.registered for c in counts.values())
    )
    if town_rate is None:
        return []
    weak: list[tuple[int, Counts, float]] = []
    for village_id, c in counts.items():
        village_rate = closure_rate(c.closed, c.registered)
        if (
            village_rate is not None
            and c.inadequate >= settings.accountability_village_returns
            and town_rate - village_rate >= settings.accountability_village_rate_gap
        ):
            weak.append((village_id, c, village_rate))
    villages = Village.objects.in_bulk([village_id for village_id, _c, _rate in weak])
    suggested = []
    for village_id, c, village_rate in weak:
        village = villages[village_id]
        accountability_suggest(
            town=town,
            rule="weak_village",
            village=village,
            key=f"weak_village:{village.pk}:{period}",
            summary=_(
                "%(village)s in %(period)s: closure rate %(rate)s%% against the town's %(town)s%%, "
                "%(returns)d items returned as inadequate."
            )
            % {
                "village": village.name,
                "period": period,
                "rate": village_rate,
                "town": town_rate,
                "returns": c.inadequate,
            },
        )
        suggested.append(village)
    return suggested
