"""`/items/{code}/actions/{action}`: lifecycle actions, through `lifecycle.ACTION_SERVICES`."""

from __future__ import annotations

import inspect
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from pydantic import Field

from maque.api.auth import request_user
from maque.api.errors import ApiError
from maque.api.schemas import (
    NOTE,
    WRITE_ERRORS,
    DeadlineDay,
    InputSchema,
    Version,
)
from maque.ledger import lifecycle
from maque.ledger.api.item_output import ItemOut, _visible_item, written_response
from maque.ledger.api.routing import router


class ActionIn(InputSchema):
    note: str | None = Field(
        default=None, max_length=NOTE, description="A note (verify, start, approvals…)."
    )
    reason: str | None = Field(
        default=None,
        max_length=NOTE,
        description="A reason (return, reopen, cancel, requests, rejections).",
    )
    version: Version | None = None
    new_deadline: DeadlineDay | None = Field(
        default=None, description="extend: the deadline asked for."
    )
    resume_on: DeadlineDay | None = Field(
        default=None, description="suspend: the day work resumes."
    )


ACTIONS = tuple(lifecycle.ACTION_SERVICES)


def _action_arguments(action: str, payload: ActionIn) -> dict[str, Any]:
    """The keyword arguments of the action's service, from the body; extra values are refused."""
    accepted = inspect.signature(lifecycle.ACTION_SERVICES[action]).parameters
    values = payload.model_dump(exclude_unset=True)
    text = values.get("reason") if values.get("reason") is not None else values.get("note")
    arguments: dict[str, Any] = {"version": values.get("version")}
    if "reason" in accepted:
        arguments["reason"] = text or ""
    elif "note" in accepted:
        arguments["note"] = text or ""
    errors: dict[str, list[str]] = {}
    for name in ("new_deadline", "resume_on"):
        if name in accepted:
            if values.get(name) is None:
                errors[name] = [pgettext("api", "This field is required.")]
            else:
                arguments[name] = values[name]
        elif values.get(name) is not None:
            errors[name] = [_("This action does not take this field.")]
    if errors:
        raise ValidationError(errors)
    return arguments


@router.post(
    "/items/{code}/actions/{action}",
    response={200: ItemOut, **WRITE_ERRORS},
    operation_id="maque_ledger_api_item_act",
)
def item_act(
    request: HttpRequest, code: str, action: str, payload: ActionIn | None = None
) -> dict[str, Any]:
    """Take a lifecycle action: start, submit, verify, return, suspend, resume, cancel, reopen,
    extend, approve_extension, reject_extension, approve_suspension, reject_suspension."""
    name = action.strip().lower().replace("-", "_")
    if name not in lifecycle.ACTION_SERVICES:
        raise ApiError(
            404,
            _("Unknown action. Valid actions: %(actions)s.") % {"actions": ", ".join(ACTIONS)},
            code="unknown_action",
            errors={"action": [_("Unknown action.")]},
            actions=list(ACTIONS),
        )
    user = request_user(request)
    item = _visible_item(request, code, indicators=False)
    arguments = _action_arguments(name, payload or ActionIn())
    written = lifecycle.ACTION_SERVICES[name](item=item, by=user, via="api", **arguments)
    return written_response(request, written)
