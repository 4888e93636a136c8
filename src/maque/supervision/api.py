"""`/api/v1/inspections`, `/api/v1/reviews` and `/api/v1/scores`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile as NinjaUploadedFile
from pydantic import Field

from maque.api.auth import request_user
from maque.api.schemas import (
    ERRORS,
    NOTE,
    WRITE_ERRORS,
    BodyId,
    DeadlineDay,
    Id,
    InputSchema,
    model_field,
)
from maque.core.masking import mask_text
from maque.ledger.models import Campaign, Category, Item
from maque.organisation.access import actor_for, reader_text
from maque.organisation.models import Person, Town, Village
from maque.rhythm.models import rhythm_settings
from maque.supervision.models import (
    InspectionFinding,
    InspectionRound,
    InspectionSample,
    Review,
    ReviewCheck,
)
from maque.supervision.policies import reads_whole_town
from maque.supervision.queries import round_report, scores_compute
from maque.supervision.scoring import period_bounds, period_of
from maque.supervision.services import (
    finding_new_problem,
    finding_record,
    review_open,
    review_record,
    round_close,
    round_open,
)

router = Router(tags=["supervision"])


def _town(request: HttpRequest) -> Town:
    actor = actor_for(request_user(request))
    if actor.person is None:
        raise ValidationError(
            {"town": [_("Only a member of staff with a role in the town can do this.")]}
        )
    return actor.person.town


class RoundIn(InputSchema):
    percent: int | None = Field(
        None,
        ge=0,
        le=100,
        description="Share of open items sampled (%); the town's setting by default.",
    )
    minimum: int | None = model_field(
        InspectionRound,
        "sample_minimum",
        None,
        description="Open items sampled at least per village.",
    )


class SampleOut(Schema):
    id: int
    item: str
    title: str
    village: str
    reason: str
    outcome: str | None


class RoundOut(Schema):
    id: int
    number: int
    opened_on: dt.date
    status: str
    seed: str
    sample_percent: int
    sample_minimum: int
    samples: list[SampleOut]
    report: list[dict[str, Any]]


class RoundSummary(Schema):
    id: int
    number: int
    opened_on: dt.date
    status: str


def _round_out(
    inspection_round: InspectionRound, text: Callable[[str], str] = mask_text
) -> dict[str, Any]:
    samples = inspection_round.samples.select_related("item", "village", "finding").order_by(
        "village__name", "item__code"
    )
    return {
        "id": inspection_round.pk,
        "number": inspection_round.number,
        "opened_on": inspection_round.opened_on,
        "status": inspection_round.status,
        "seed": str(inspection_round.seed),
        "sample_percent": inspection_round.sample_percent,
        "sample_minimum": inspection_round.sample_minimum,
        "samples": [
            {
                "id": s.pk,
                "item": s.item.code,
                "title": text(s.item.title),
                "village": s.village.name,
                "reason": s.reason,
                "outcome": getattr(getattr(s, "finding", None), "outcome", None),
            }
            for s in samples
        ],
        "report": round_report(round=inspection_round),
    }


@router.get("/inspections", response={200: list[RoundSummary], **ERRORS})
def list_rounds(request: HttpRequest) -> list[InspectionRound]:
    return list(
        InspectionRound.objects.visible_to(request_user(request)).order_by("-opened_on", "-number")[
            :100
        ]
    )


@router.post("/inspections", response={201: RoundOut, **WRITE_ERRORS})
def open_round(request: HttpRequest, payload: RoundIn) -> Status[dict[str, Any]]:
    inspection_round = round_open(
        town=_town(request),
        by=request_user(request),
        percent=payload.percent,
        minimum=payload.minimum,
    )
    return Status(201, _round_out(inspection_round, reader_text(request_user(request))))


@router.get("/inspections/{round_id}", response={200: RoundOut, **ERRORS})
def read_round(request: HttpRequest, round_id: Id) -> dict[str, Any]:
    user = request_user(request)
    return _round_out(
        get_object_or_404(InspectionRound.objects.visible_to(user), pk=round_id), reader_text(user)
    )


@router.post("/inspections/{round_id}/close", response={200: RoundSummary, **WRITE_ERRORS})
def close_round(request: HttpRequest, round_id: Id) -> InspectionRound:
    user = request_user(request)
    return round_close(
        round=get_object_or_404(InspectionRound.objects.visible_to(user), pk=round_id), by=user
    )


class FindingIn(InputSchema):
    outcome: str = Field(max_length=20, description="pass, inadequate or false_close.")
    note: str = model_field(InspectionFinding, "note", max_length=NOTE)


class FindingOut(Schema):
    id: int
    item: str
    outcome: str
    item_state: str
    photos: list[int] = Field(default_factory=list, description="The finding's photos' ids.")


@router.post(
    "/inspections/{round_id}/samples/{sample_id}/finding",
    response={201: FindingOut, **WRITE_ERRORS},
)
def record_finding(
    request: HttpRequest, round_id: Id, sample_id: Id, payload: FindingIn
) -> Status[dict[str, Any]]:
    user = request_user(request)
    inspection_round = get_object_or_404(InspectionRound.objects.visible_to(user), pk=round_id)
    sample = get_object_or_404(
        InspectionSample.objects.select_related("round__town"), pk=sample_id, round=inspection_round
    )
    finding = finding_record(sample=sample, by=user, outcome=payload.outcome, note=payload.note)
    return Status(201, _finding_out(finding))


def _finding_out(finding: InspectionFinding) -> dict[str, Any]:
    return {
        "id": finding.pk,
        "item": finding.item.code,
        "outcome": finding.outcome,
        "item_state": finding.item.state,
        "photos": list(finding.photos.order_by("id").values_list("pk", flat=True)),
    }


@router.post(
    "/inspections/{round_id}/samples/{sample_id}/finding-with-photos",
    response={201: FindingOut, **WRITE_ERRORS},
)
def record_finding_with_photos(
    request: HttpRequest,
    round_id: Id,
    sample_id: Id,
    # Checked by the service, after the caller's right to record (so a refusal is 403/404, not 422).
    outcome: str = Form("", max_length=20, description="pass, inadequate or false_close."),  # noqa: B008
    note: str = Form("", max_length=NOTE),  # noqa: B008
    photos: File[list[NinjaUploadedFile]] = None,  # type: ignore[assignment]
) -> Status[dict[str, Any]]:
    """The same as `.../finding`, as multipart with `photos` (up to 3; required for false_close)."""
    user = request_user(request)
    inspection_round = get_object_or_404(InspectionRound.objects.visible_to(user), pk=round_id)
    sample = get_object_or_404(
        InspectionSample.objects.select_related("round__town"), pk=sample_id, round=inspection_round
    )
    finding = finding_record(
        sample=sample,
        by=user,
        outcome=outcome,
        note=note,
        photos=request.FILES.getlist("photos") + request.FILES.getlist("photos[]"),
    )
    return Status(201, _finding_out(finding))


class NewProblemIn(InputSchema):
    village: BodyId
    campaign: str = Field(max_length=40, description="Campaign code.")
    category: str | None = Field(None, max_length=40, description="Category code.")
    title: str = model_field(Item, "title", min_length=1)
    note: str = Field("", max_length=NOTE)
    owner: BodyId | None = None
    deadline: DeadlineDay | None = None
    attributes: dict[str, Any] | None = None


@router.post("/inspections/{round_id}/problems", response={201: FindingOut, **WRITE_ERRORS})
def new_problem(
    request: HttpRequest, round_id: Id, payload: NewProblemIn
) -> Status[dict[str, Any]]:
    user = request_user(request)
    inspection_round = get_object_or_404(
        InspectionRound.objects.visible_to(user).select_related("town"), pk=round_id
    )
    town = inspection_round.town
    village = get_object_or_404(Village, pk=payload.village, town=town)
    campaign = get_object_or_404(Campaign, code=payload.campaign, town=town)
    category = (
        get_object_or_404(Category, code=payload.category, town=town) if payload.category else None
    )
    owner = get_object_or_404(Person, pk=payload.owner, town=town) if payload.owner else None
    finding = finding_new_problem(
        round=inspection_round,
        by=user,
        village=village,
        campaign=campaign,
        category=category,
        title=payload.title,
        note=payload.note,
        owner=owner,
        deadline=payload.deadline,
        attributes=payload.attributes,
    )
    return Status(
        201,
        {
            "id": finding.pk,
            "item": finding.item.code,
            "outcome": finding.outcome,
            "item_state": finding.item.state,
        },
    )


class ReviewIn(InputSchema):
    scope: Literal["quality", "progress"] = Field(
        "quality",
        description="quality: re-check the closed items; progress: check the items in work.",
    )
    category: str | None = Field(
        None, max_length=40, description="Category code (omitted: every category)."
    )
    village: BodyId | None = Field(
        None,
        description="Village id (omitted: the whole town). A contact leader names one of theirs.",
    )
    note: str = model_field(Review, "note", "", max_length=NOTE)


class CheckOut(Schema):
    id: int
    item: str
    village: str
    outcome: str


class ReviewOut(Schema):
    id: int
    scope: str
    category: str | None
    village: int | None
    opened_on: dt.date
    checks: list[CheckOut]


def _review_out(review: Review) -> dict[str, Any]:
    checks = review.checks.select_related("item", "village").order_by("village__name", "item__code")
    return {
        "id": review.pk,
        "scope": review.scope,
        "category": review.category.code if review.category else None,
        "village": review.village_id,
        "opened_on": review.opened_on,
        "checks": [
            {"id": c.pk, "item": c.item.code, "village": c.village.name, "outcome": c.outcome}
            for c in checks
        ],
    }


@router.post("/reviews", response={201: ReviewOut, **WRITE_ERRORS})
def open_review(request: HttpRequest, payload: ReviewIn) -> Status[dict[str, Any]]:
    town = _town(request)
    category = (
        get_object_or_404(Category, code=payload.category, town=town) if payload.category else None
    )
    village = (
        get_object_or_404(
            Village.objects.visible_to(request_user(request)), pk=payload.village, town=town
        )
        if payload.village is not None
        else None
    )
    review = review_open(
        by=request_user(request),
        town=town,
        scope=payload.scope,
        category=category,
        village=village,
        note=payload.note,
    )
    return Status(201, _review_out(review))


@router.get("/reviews/{review_id}", response={200: ReviewOut, **ERRORS})
def read_review(request: HttpRequest, review_id: Id) -> dict[str, Any]:
    return _review_out(
        get_object_or_404(Review.objects.visible_to(request_user(request)), pk=review_id)
    )


class CheckIn(InputSchema):
    outcome: str = Field(
        max_length=20,
        description="holds or relapse (a look-back of quality); on_track or behind (of progress).",
    )
    note: str = model_field(ReviewCheck, "note", "", max_length=NOTE)


@router.post("/reviews/{review_id}/checks/{check_id}", response={200: CheckOut, **WRITE_ERRORS})
def record_check(
    request: HttpRequest, review_id: Id, check_id: Id, payload: CheckIn
) -> dict[str, Any]:
    user = request_user(request)
    review = get_object_or_404(Review.objects.visible_to(user), pk=review_id)
    check = get_object_or_404(
        ReviewCheck.objects.select_related("review__town"), pk=check_id, review=review
    )
    check = review_record(check=check, by=user, outcome=payload.outcome, note=payload.note)
    return {
        "id": check.pk,
        "item": check.item.code,
        "village": check.village.name,
        "outcome": check.outcome,
    }


class LineOut(Schema):
    rule: str
    label: str
    count: str
    weight: str
    points: str


class ScoreOut(Schema):
    rank: int
    id: int
    name: str
    score: str
    breakdown: list[LineOut]


class ScoresOut(Schema):
    period: str
    subject: str
    scores: list[ScoreOut]


class ScoreFilters(Schema):
    period: str | None = Field(
        None,
        max_length=10,
        description="2026-11, 2026-Q4 or 2026-W47; the current period by default.",
    )
    subject: str = Field("village", max_length=10, description="village or owner.")


@router.get("/scores", response={200: ScoresOut, **ERRORS})
def scores(request: HttpRequest, filters: Query[ScoreFilters]) -> dict[str, Any]:
    """Scores, ranking and the breakdown of every point, for the villages (or owners) you may see."""
    period, subject = filters.period, filters.subject
    user = request_user(request)
    town = _town(request)
    period = period or period_of(timezone.localdate(), rhythm_settings(town).scoring_period)
    try:
        period_bounds(period)
    except ValueError:
        raise ValidationError(
            {"period": [_("A period looks like 2026-11, 2026-Q4 or 2026-W47.")]}
        ) from None
    if subject not in ("village", "owner"):
        raise ValidationError({"subject": [_("Choose village or owner.")]})
    rows = scores_compute(town=town, period=period, subject=subject)
    actor = actor_for(user)
    if not reads_whole_town(actor):
        # Village roles see their villages' scores, and their own as an owner.
        if subject == "village":
            visible = set(Village.objects.visible_to(user).values_list("pk", flat=True))
            rows = [row for row in rows if row["id"] in visible]
        else:
            rows = [
                row for row in rows if actor.person is not None and row["id"] == actor.person.pk
            ]
    return {
        "period": period,
        "subject": subject,
        "scores": [{**row, "score": str(row["score"])} for row in rows],
    }
