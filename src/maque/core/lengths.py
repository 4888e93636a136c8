"""How long the text a person types into an unbounded (text) column may be: one bound per kind
of text, used by the API's input schemas and by the services (so web forms refuse the same)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import pgettext

NOTE = 5_000  # a note, a reason, a progress report
TEXT = 10_000  # a description, measures, a standard, a summary, a decision
MINUTES = 50_000  # a meeting's minutes


def too_long(text: str, limit: int) -> str | None:
    """The message for text longer than `limit`, or None."""
    if len(text) > limit:
        return pgettext("api", "Ensure this value has at most %(max_length)s characters.") % {
            "max_length": limit
        }
    return None


def check_length(text: str, limit: int, *, field: str) -> None:
    problem = too_long(text, limit)
    if problem is not None:
        raise ValidationError({field: [problem]})
