"""`/items/{code}/coordination`: the communication and coordination log (沟通协调) of an item."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Status
from pydantic import Field

from maque.api.auth import request_user
from maque.api.schemas import ERRORS, NOTE, WRITE_ERRORS, HappenedDay, InputSchema, Out, Ref
from maque.core.masking import mask_text
from maque.ledger.api.item_output import _visible_item, masks_for
from maque.ledger.api.routing import router
from maque.ledger.models import CoordinationLog
from maque.ledger.services import coordination_add


class CoordinationIn(InputSchema):
    on: HappenedDay | None = Field(
        default=None, description="The day it took place; today by default."
    )
    with_whom: str = Field(min_length=1, max_length=100, description="With whom (沟通对象).")
    said: str = Field(min_length=1, max_length=NOTE, description="What was said.")
    next_step: str = Field(default="", max_length=NOTE, description="The next step.")


class CoordinationOut(Out):
    id: int
    on: date
    with_whom: str
    said: str
    next_step: str
    author: Ref
    created_at: datetime


def _out(entry: CoordinationLog, masks: bool) -> dict[str, Any]:
    text = mask_text if masks else str
    return {
        "id": entry.pk,
        "on": entry.on,
        "with_whom": text(entry.with_whom),
        "said": text(entry.said),
        "next_step": text(entry.next_step),
        "author": {"id": entry.author_id, "name": entry.author.name},
        "created_at": entry.created_at,
    }


@router.get(
    "/items/{code}/coordination",
    response={200: list[CoordinationOut], **ERRORS},
    operation_id="maque_ledger_api_item_coordination",
)
def item_coordination(request: HttpRequest, code: str) -> list[dict[str, Any]]:
    """The item's coordination log, newest first."""
    item = _visible_item(request, code)
    masks = masks_for(request)
    return [_out(e, masks) for e in item.coordination.select_related("author")]


@router.post(
    "/items/{code}/coordination",
    response={201: CoordinationOut, **WRITE_ERRORS},
    operation_id="maque_ledger_api_item_coordination_add",
)
def item_coordination_add(request: HttpRequest, code: str, payload: CoordinationIn) -> Status:
    """Log one round of coordination: the day, with whom, what was said, the next step."""
    item = _visible_item(request, code)
    entry = coordination_add(
        item=item,
        by=request_user(request),
        on=payload.on,
        with_whom=payload.with_whom,
        said=payload.said,
        next_step=payload.next_step,
    )
    return Status(201, _out(entry, masks_for(request)))
