"""Schemas and input types shared by every API module.

`Text`, `Id` and `Day` bound what clients may send, so that out-of-range values become 422 field
errors instead of database errors: ids fit a 64-bit column, dates stay in a sane range.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from maque.api.errors import ALL

MAX_ID = 2**63 - 1
EARLIEST = date(1900, 1, 1)
LATEST = date(2199, 12, 31)


def _day_in_range(value: date) -> date:
    if not EARLIEST <= value <= LATEST:
        raise ValueError(_("Enter a date between %(first)s and %(last)s.") % {"first": EARLIEST, "last": LATEST})
    return value


Id = Annotated[int, Field(ge=1, le=MAX_ID)]
# In JSON bodies numbers must be numbers: `true` or "7" is not an id or a version.
BodyId = Annotated[int, Field(ge=1, le=MAX_ID, strict=True)]
Version = Annotated[int, Field(ge=1, le=2**31 - 1, strict=True, description="The version you acted on; a stale one is a 409.")]
Day = Annotated[date, AfterValidator(_day_in_range)]


class InputSchema(Schema):
    """Input bodies refuse fields they do not know (never silently ignored)."""

    model_config = ConfigDict(extra="forbid")


class Out(BaseModel):
    """Output schemas are plain pydantic models: operations build dicts, and validating dicts this
    way is several times faster than through the ORM-aware `Schema`."""


class ErrorOut(Out):
    detail: str
    code: str
    errors: dict[str, list[str]] = Field(default_factory=dict, description=f"Messages per field; {ALL} for the whole input.")
    current_version: int | None = None


class Ref(Out):
    id: int
    name: str


class CodeRef(Out):
    code: str
    name: str


# The error responses every operation may give, for the OpenAPI document.
ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
WRITE_ERRORS: dict[int, Any] = {**ERRORS, 409: ErrorOut}


def village_lookup(value: int | str) -> dict[str, Any]:
    """A filter for a village given by id (digits) or by name."""
    text = str(value).strip()
    if text.isascii() and text.isdigit():
        number = int(text)
        return {"pk": number if number <= MAX_ID else 0}  # no village has id 0
    return {"name": text}
