"""Schemas and input types shared by every API module: one input discipline for every body.

- Every body inherits `InputSchema`: a field it does not know is refused, never ignored.
- Text takes its length from the model field it is stored in (`model_field(Meeting, "title")`);
  text stored in an unbounded column takes one of the bounds below (`NOTE`, `TEXT`, `MINUTES`).
- Numbers take their range from the model field (`model_field(Meeting, "attendee_count")`);
  ids are `BodyId` (1 to 2^63-1, numbers only).
- Dates a person types are `HappenedDay`, `PlannedDay` or `DeadlineDay`, bounded by the one
  rule in `maque.core.dates` that the services apply too; `Day` bounds filters only.

Out-of-range values so become 422 field errors instead of database errors.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from django.db import models
from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic_core import PydanticUndefined

from maque.api.errors import ALL
from maque.core import dates, lengths

MAX_ID = 2**63 - 1
EARLIEST = date(1900, 1, 1)
LATEST = date(2199, 12, 31)


def _day_in_range(value: date) -> date:
    if not EARLIEST <= value <= LATEST:
        raise ValueError(
            _("Enter a date between %(first)s and %(last)s.") % {"first": EARLIEST, "last": LATEST}
        )
    return value


Id = Annotated[int, Field(ge=1, le=MAX_ID)]
# In JSON bodies numbers must be numbers: `true` or "7" is not an id or a version.
BodyId = Annotated[int, Field(ge=1, le=MAX_ID, strict=True)]
# A village in a body: its id, or its name.
VillageRef = BodyId | Annotated[str, Field(min_length=1, max_length=60)]
Version = Annotated[
    int,
    Field(
        ge=1,
        le=2**31 - 1,
        strict=True,
        description="The version you acted on; a stale one is a 409.",
    ),
]
Day = Annotated[date, AfterValidator(_day_in_range)]
HappenedDay = Annotated[
    date,
    AfterValidator(dates.happened),
    Field(description="On or after 2000-01-01, not in the future."),
]
PlannedDay = Annotated[
    date,
    AfterValidator(dates.planned),
    Field(description="On or after 2000-01-01, at most a year ahead."),
]
DeadlineDay = Annotated[
    date,
    AfterValidator(dates.deadline),
    Field(description="On or after 2000-01-01, at most five years ahead."),
]

# Bounds of text kept in unbounded (text) columns: those of the services.
NOTE = lengths.NOTE
TEXT = lengths.TEXT
MINUTES = lengths.MINUTES

# Integer columns and the values they hold (PostgreSQL's ranges; SQLite holds the same).
_INTEGER_RANGES: dict[str, tuple[int, int]] = {
    "PositiveSmallIntegerField": (0, 2**15 - 1),
    "PositiveIntegerField": (0, 2**31 - 1),
    "PositiveBigIntegerField": (0, 2**63 - 1),
    "SmallIntegerField": (-(2**15), 2**15 - 1),
    "IntegerField": (-(2**31), 2**31 - 1),
    "BigIntegerField": (-(2**63), 2**63 - 1),
}


def model_field(
    model: type[models.Model], name: str, default: Any = PydanticUndefined, **extra: Any
) -> Any:
    """A pydantic `Field` bounded as the model field `name` is: the length of a CharField, the
    range of an integer field. A TextField has no length of its own: pass `max_length`."""
    field = model._meta.get_field(name)
    bounds: dict[str, Any] = {}
    kind = field.get_internal_type()
    if kind in _INTEGER_RANGES:
        low, high = _INTEGER_RANGES[kind]
        bounds = {"ge": low, "le": high}
    elif max_length := getattr(field, "max_length", None):
        bounds = {"max_length": max_length}
    elif kind == "TextField" and "max_length" not in extra:
        raise TypeError(f"{model.__name__}.{name} is a text column: say its max_length")
    bounds.update(extra)
    return Field(default, **bounds)


class InputSchema(Schema):
    """Input bodies refuse fields they do not know (never silently ignored)."""

    model_config = ConfigDict(extra="forbid")


class Out(BaseModel):
    """Output schemas are plain pydantic models: operations build dicts, and validating dicts this
    way is several times faster than through the ORM-aware `Schema`."""


class ErrorOut(Out):
    detail: str
    code: str
    errors: dict[str, list[str]] = Field(
        default_factory=dict, description=f"Messages per field; {ALL} for the whole input."
    )
    current_version: int | None = None


class Ref(Out):
    id: int
    name: str


class CodeRef(Out):
    code: str
    name: str


# The error responses every operation may give, for the OpenAPI document.
# Every operation may answer 400 (unreadable), 401, 403, 404, 422 and 503 (a busy database);
# writes also 409 (a stale version, a conflict) and 413 (too large).
ERRORS: dict[int, Any] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    422: ErrorOut,
    503: ErrorOut,
}
WRITE_ERRORS: dict[int, Any] = {**ERRORS, 409: ErrorOut, 413: ErrorOut}


def village_lookup(value: int | str) -> dict[str, Any]:
    """A filter for a village given by id (digits) or by name."""
    text = str(value).strip()
    if text.isascii() and text.isdigit():
        number = int(text)
        return {"pk": number if number <= MAX_ID else 0}  # no village has id 0
    return {"name": text}
