"""`/api/v1/auth/token`: exchange a username and password for a bearer token; revoke it."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status
from pydantic import Field

from maque.api.auth import BearerAuth, request_user
from maque.api.errors import ApiError
from maque.api.schemas import ERRORS, ErrorOut, InputSchema, Out
from maque.api.services import token_issue, token_revoke

router = Router(tags=["auth"])


class TokenIn(InputSchema):
    username: str = Field(min_length=1, max_length=150)
    password: str = Field(min_length=1, max_length=4096)


class TokenOut(Out):
    token: str
    expires: datetime


@router.post(
    "/token",
    auth=None,
    response={
        200: TokenOut,
        400: ErrorOut,
        401: ErrorOut,
        413: ErrorOut,
        422: ErrorOut,
        429: ErrorOut,
        503: ErrorOut,
    },
)
def token_create(request: HttpRequest, payload: TokenIn) -> dict[str, object]:
    """Issue a token: send it as `Authorization: Bearer <token>`. Only its hash is stored."""
    issued = token_issue(request=request, username=payload.username, password=payload.password)
    return {"token": issued.token, "expires": issued.expires}


@router.delete("/token", auth=BearerAuth(), response={204: None, **ERRORS})
def token_delete(request: HttpRequest) -> Status[None]:
    """Revoke the token this request was made with."""
    header = request.headers.get("Authorization", "")
    secret = header.partition(" ")[2].strip()
    if not token_revoke(token=secret, by=request_user(request)):
        raise ApiError(401, _("This token is not valid."), code="not_authenticated")
    return Status(204, None)
