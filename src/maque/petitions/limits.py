"""The statutory limits of a petition (信访工作条例), in calendar days, as plain arithmetic.

The numbers are the ledger's kind policy for petitions (`ledger.lifecycle.policy_for`), read
once here: 15 days from receipt to decide and tell the petitioner whether the matter is accepted,
60 days from acceptance to a written reply, extendable once by at most 30 days, and 30 days from
the reply for the petitioner to request a review (复查). The regulation counts calendar days: a
public holiday or a weekend moves no limit (the working calendar is never read here), and a limit
falls on the day named, which is still in time ("within 15 days of receipt" = by receipt + 15).

Every screen, the API, the notices and the rhythm read these functions; the property test checks
them against a reference model written from the regulation.
"""

from __future__ import annotations

from datetime import date, timedelta

from maque.ledger.lifecycle import policy_for
from maque.ledger.models import Kind

_POLICY = policy_for(Kind.PETITION).deadlines
ACCEPTANCE_DAYS: int = _POLICY.acceptance_days or 15
HANDLING_DAYS: int = _POLICY.handling_days or 60
MAX_EXTENSIONS: int = _POLICY.max_extensions or 1
MAX_EXTENSION_DAYS: int = _POLICY.max_extension_days or 30
REVIEW_DAYS = 30


def acceptance_due(received_on: date) -> date:
    """The last day to decide on acceptance and tell the petitioner."""
    return received_on + timedelta(days=ACCEPTANCE_DAYS)


def handling_due(accepted_on: date, extension_days: int = 0) -> date:
    """The last day for the written reply: 60 days from acceptance, plus an approved extension."""
    return accepted_on + timedelta(days=HANDLING_DAYS + extension_days)


def review_until(replied_on: date) -> date:
    """The last day on which the petitioner may request a review of the reply."""
    return replied_on + timedelta(days=REVIEW_DAYS)


def days_late(due: date | None, day: date) -> int:
    """Calendar days past `due` on `day` (0 when in time or without a limit)."""
    if due is None or day <= due:
        return 0
    return (day - due).days


def days_left(due: date | None, day: date) -> int | None:
    """Calendar days until `due` (negative when late), None without a running limit."""
    return None if due is None else (due - day).days
