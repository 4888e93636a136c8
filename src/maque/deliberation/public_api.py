"""`/api/v1/public/…`: the village's public page as an API, without a token (design §6 "public").

Nothing but a village's disclosure board and a receipt's own topic is readable here; proposals
pass the abuse checks of `maque.deliberation.public`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import Http404, HttpRequest
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile as NinjaUploadedFile
from pydantic import Field

from maque.api.errors import ApiError
from maque.api.schemas import NOTE, ErrorOut, InputSchema, Out, Version
from maque.deliberation import public
from maque.deliberation.lifecycle.registration import DESCRIPTION_MAX, TITLE_MAX
from maque.deliberation.models import Concern, Satisfaction
from maque.deliberation.queries import public_village

router = Router(tags=["public"])

PUBLIC_ERRORS: dict[int, Any] = {
    400: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    413: ErrorOut,
    422: ErrorOut,
    429: ErrorOut,
    503: ErrorOut,
}


def _refused(error: public.RefusedError) -> ApiError:
    return ApiError(error.status, error.message, code=error.code)


class ReceiptOut(Out):
    receipt: str = Field(description="Keep it: the code and a short secret, shown only now.")
    code: str
    state: str


class BoardTopicOut(Out):
    code: str
    title: str
    concern: str
    concern_label: str
    proposer: str = Field(description="Masked: the first character of the name.")
    submitted_at: datetime
    answered_at: datetime | None
    answer: str
    satisfaction: str
    satisfaction_label: str


class BoardVillageOut(Out):
    name: str
    signature_product: str
    profile: str


class BoardDisclosureOut(Out):
    title: str
    step: str = Field(
        description="disclose_resolution (决议公开) or disclose_result (实施结果公开)."
    )
    step_label: str
    on: date
    text: str


class BoardOut(Out):
    village: BoardVillageOut
    disclosures: list[BoardDisclosureOut] = Field(
        description="四议两公开 disclosures, newest first."
    )
    topics: list[BoardTopicOut]


class StepOut(Out):
    action: str
    label: str
    at: datetime
    note: str


class FollowedOut(Out):
    code: str
    title: str
    state: str
    state_label: str
    answer: str


class ReceiptTopicOut(Out):
    code: str
    village: str
    title: str
    description: str
    concern: str
    concern_label: str
    state: str
    state_label: str
    submitted_at: datetime
    decline_reason: str
    steps: list[StepOut]
    followed: FollowedOut | None = Field(description="The topic this one was merged into.")
    answer: str
    answered_at: datetime | None
    satisfaction: str
    may_rate: bool
    may_reopen: bool
    version: int


@router.post(
    "/villages/{public_code}/topics",
    auth=None,
    response={201: ReceiptOut, **PUBLIC_ERRORS},
)
def public_topic_create(
    request: HttpRequest,
    public_code: str,
    concern: Form[Concern],
    title: str = Form(..., min_length=1, max_length=TITLE_MAX),  # noqa: B008
    description: str = Form("", max_length=DESCRIPTION_MAX),  # noqa: B008
    name: str = Form("", max_length=30),  # noqa: B008
    phone: str = Form("", max_length=20),  # noqa: B008
    website: str = Form("", max_length=200, description="Leave empty."),  # noqa: B008
    photos: File[list[NinjaUploadedFile]] = None,  # type: ignore[assignment]
) -> Status[dict[str, Any]]:
    """Propose a topic to the village (multipart: concern, title, description, optional name and
    phone, up to 3 photos). The answer carries the receipt, shown this once."""
    try:
        public.check_body_size(request)
    except public.RefusedError as error:
        raise _refused(error) from None
    village = public_village(public_code)
    if village is None:
        raise Http404
    try:
        proposed = public.propose(
            request,
            village,
            title=title,
            concern=concern,
            description=description,
            name=name,
            phone=phone,
            honeypot=website,
            photos=request.FILES.getlist("photos"),
        )
    except public.RefusedError as error:
        raise _refused(error) from None
    return Status(
        201,
        {
            "receipt": proposed.receipt,
            "code": proposed.topic.code,
            "state": proposed.topic.state,
        },
    )


@router.get("/villages/{public_code}/board", auth=None, response={200: BoardOut, **PUBLIC_ERRORS})
def public_board(request: HttpRequest, public_code: str) -> dict[str, Any]:
    """The village's disclosure board: answered topics, proposers' names masked."""
    village = public_village(public_code)
    if village is None:
        raise Http404
    return public.board_view(village)


def _receipt(request: HttpRequest, receipt: str) -> Any:
    try:
        topic = public.receipt_topic(request, receipt)
    except public.RefusedError as error:
        raise _refused(error) from None
    if topic is None:
        raise Http404
    return topic


@router.get("/receipts/{receipt}", auth=None, response={200: ReceiptTopicOut, **PUBLIC_ERRORS})
def public_receipt(request: HttpRequest, receipt: str) -> dict[str, Any]:
    """A receipt's own topic: its progress, the answer, and whether satisfaction may be given."""
    return public.receipt_view(_receipt(request, receipt))


class SatisfactionIn(InputSchema):
    satisfaction: Satisfaction
    note: str = Field("", max_length=NOTE)
    reopen: bool = Field(False, description="Dissatisfied: ask for the topic to be handled again.")
    version: Version | None = None


@router.post(
    "/receipts/{receipt}/satisfaction",
    auth=None,
    response={200: ReceiptTopicOut, **PUBLIC_ERRORS},
)
def public_satisfaction(
    request: HttpRequest, receipt: str, payload: SatisfactionIn
) -> dict[str, Any]:
    """Give satisfaction with the answer (满意 / 基本满意 / 不满意), once; dissatisfied, ask to
    reopen (once)."""
    topic = _receipt(request, receipt)
    rated = public.rate(
        topic,
        satisfaction=payload.satisfaction,
        note=payload.note,
        reopen=payload.reopen,
        version=payload.version,
    )
    rated.refresh_from_db()
    return public.receipt_view(rated)
