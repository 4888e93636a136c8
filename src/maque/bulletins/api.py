"""`/api/v1/bulletins`: issue, list, read, and download as a Word document."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from maque.api.auth import request_user
from maque.api.paging import LegacyPageQuery, page_of, paginate
from maque.api.schemas import ERRORS, WRITE_ERRORS, BodyId, HappenedDay, Id, InputSchema
from maque.bulletins.document import bulletin_docx
from maque.bulletins.models import Bulletin
from maque.bulletins.queries import bulletin_list
from maque.bulletins.services import bulletin_issue
from maque.organisation.access import actor_for
from maque.organisation.models import Town

router = Router(tags=["bulletins"])


class BulletinIn(InputSchema):
    date: HappenedDay | None = Field(None, description="The day reported on; today by default.")
    town: BodyId | None = Field(None, description="Needed only when the caller sees several towns.")
    corrects: BodyId | None = Field(None, description="The bulletin this one corrects.")
    special: bool = Field(
        False, strict=True, description="A special bulletin (特别通报) besides the day's."
    )


class BulletinSummary(Schema):
    id: int
    code: str
    title: str
    day: dt.date
    town: str
    scheduled: bool
    corrects: str | None
    issued_at: dt.datetime
    content_hash: str


class BulletinOut(BulletinSummary):
    as_of: dt.datetime
    since: dt.datetime | None
    snapshot: dict[str, Any]
    hash_matches: bool


BulletinListOut = page_of(BulletinSummary, legacy="bulletins", name="BulletinListOut")


def _summary(bulletin: Bulletin) -> dict[str, Any]:
    return {
        "id": bulletin.pk,
        "code": bulletin.code,
        "title": bulletin.title,
        "day": bulletin.day,
        "town": bulletin.town.name,
        "scheduled": bulletin.scheduled,
        "corrects": bulletin.corrects.code if bulletin.corrects is not None else None,
        "issued_at": bulletin.issued_at,
        "content_hash": bulletin.content_hash,
    }


def _detail(bulletin: Bulletin) -> dict[str, Any]:
    return {
        **_summary(bulletin),
        "as_of": bulletin.as_of,
        "since": bulletin.since,
        "snapshot": bulletin.snapshot,
        "hash_matches": bulletin.hash_matches(),
    }


def _town(request: HttpRequest, town_id: int | None) -> Town:
    user = request_user(request)
    towns = Town.objects.visible_to(user)
    if town_id is not None:
        return get_object_or_404(towns, pk=town_id)
    actor = actor_for(user)
    if actor.person is not None:
        return actor.person.town
    town = towns.order_by("pk").first()
    if town is None:
        from django.http import Http404

        raise Http404(_("No town."))
    return town


@router.post("", response={201: BulletinOut, **WRITE_ERRORS})
def issue(request: HttpRequest, payload: BulletinIn) -> Status[dict[str, Any]]:
    """Issue a bulletin now (by hand); with `corrects`, a correction citing that bulletin."""
    user = request_user(request)
    corrects = None
    if payload.corrects is not None:
        corrects = get_object_or_404(Bulletin.objects.visible_to(user), pk=payload.corrects)
    town = corrects.town if corrects is not None else _town(request, payload.town)
    bulletin = bulletin_issue(
        town=town, day=payload.date, by=user, corrects=corrects, special=payload.special
    )
    return Status(201, _detail(bulletin))


@router.get("", response={200: BulletinListOut, **ERRORS})
def list_bulletins(request: HttpRequest, paging: Query[LegacyPageQuery]) -> dict[str, Any]:
    """The bulletins of the caller's towns, newest first."""
    return paginate(
        bulletin_list(user=request_user(request)), paging, out=_summary, legacy="bulletins"
    )


@router.get("/{bulletin_id}", response={200: BulletinOut, **ERRORS})
def read(request: HttpRequest, bulletin_id: Id) -> dict[str, Any]:
    bulletin = get_object_or_404(
        Bulletin.objects.visible_to(request_user(request)).select_related("town", "corrects"),
        pk=bulletin_id,
    )
    return _detail(bulletin)


DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _docx_of(bulletin: Bulletin) -> bytes:
    """The Word document of an issued bulletin, rendered once and then kept in the cache: its
    snapshot never changes, so the content hash names the document."""
    key = f"maque:bulletin-docx:{bulletin.content_hash}"
    document = cache.get(key)
    if document is None:
        document = bulletin_docx(bulletin.snapshot)
        cache.set(key, document, timeout=DOCX_CACHE_SECONDS)
    return document


# A day: long enough for the morning when everyone downloads the day's bulletin.
DOCX_CACHE_SECONDS = 24 * 3600


def docx_disposition(bulletin: Bulletin) -> str:
    """Saved under the bulletin's own number, `蒿坪通〔2026〕1号.docx` (RFC 5987 `filename*`)."""
    return content_disposition_header(True, f"{bulletin.code}.docx") or "attachment"


@router.get(
    "/{bulletin_id}/docx",
    url_name="bulletin_docx",
    response={**ERRORS},
    openapi_extra={
        "responses": {"200": {"description": "The Word document.", "content": {DOCX_TYPE: {}}}}
    },
)
def docx(request: HttpRequest, bulletin_id: Id) -> HttpResponse:
    """The bulletin as a Word document in the official-document layout."""
    bulletin = get_object_or_404(Bulletin.objects.visible_to(request_user(request)), pk=bulletin_id)
    response = HttpResponse(_docx_of(bulletin), content_type=DOCX_TYPE)
    response["Content-Disposition"] = docx_disposition(bulletin)
    return response
