"""A refused service call, shown to the person who made it: one place for every screen.

Services refuse in three ways (`maque.core.errors`): `ValidationError` (bad input, per field or
not), `NotPermitted` (the actor may not) and `ConflictError` (not now: the state does not allow
it, or the record changed since the page was drawn). `form_errors` puts them on a form, next to
the fields they name; `flash_errors` turns them into messages for screens that redirect.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from maque.core.errors import ConflictError, NotPermitted
from maque.workspace.forms import style

# Every refusal a service may raise; views catch exactly these.
SERVICE_ERRORS = (ValidationError, NotPermitted, ConflictError)
ServiceError = ValidationError | NotPermitted | ConflictError


def reload_message() -> str:
    return _(
        "Someone else changed this while you were working. Reload the page to see their change, then try again."
    )


def error_texts(error: ServiceError) -> list[str]:
    """The refusal as plain sentences (a stale version reads as a request to reload)."""
    if isinstance(error, ValidationError):
        return list(error.messages)
    if isinstance(error, ConflictError) and error.code == "stale_version":
        return [reload_message()]
    return [str(error.message)]


def form_errors(form: forms.BaseForm, error: ServiceError, *, inputs: tuple[str, ...] = ()) -> int:
    """Put a service's refusal on the form and return the status to answer with.

    A `ValidationError`'s per-field messages go next to their fields (`attributes.<name>` to the
    category field `attr_<name>`); `inputs` names controls drawn outside the form class (file
    inputs), whose messages go to `form.input_errors[name]`; anything else goes to the top.
    `NotPermitted` and `ConflictError` go to the top (422); a stale version answers 409 and asks to reload.
    """
    input_errors: dict[str, list[str]] = getattr(form, "input_errors", {})
    status = 422
    if isinstance(error, ValidationError):
        by_field = (
            error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
        )
        for key, texts in by_field.items():
            name = "attr_" + key.split(".", 1)[1] if key.startswith("attributes.") else key
            if name in inputs:
                input_errors.setdefault(name, []).extend(texts)
                continue
            target = name if name in form.fields else None
            for text in texts:
                form.add_error(target, text)
    else:
        for text in error_texts(error):
            form.add_error(None, text)
        if isinstance(error, ConflictError) and error.code == "stale_version":
            status = 409
    form.input_errors = input_errors  # type: ignore[attr-defined]
    style(form)
    return status


def flash_errors(request: HttpRequest, error: ServiceError, *, prefix: str = "") -> None:
    """The refusal as error messages on the next page (for screens that redirect)."""
    texts = error_texts(error)
    if prefix:
        texts = [
            pgettext("clauses", "%(subject)s: %(text)s") % {"subject": prefix, "text": text}
            for text in texts
        ]
    for text in texts:
        messages.error(request, text)


def joined(error: ServiceError) -> str:
    """The refusal in one line (for a list of failures, one per record)."""
    return pgettext("clauses", "; ").join(error_texts(error))
