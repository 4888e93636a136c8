"""Every API error has one shape, decided here once:

    {"detail": "<summary in the user's language>", "code": "<machine code>", "errors": {"field": ["message", …]}}

Services raise Django `ValidationError` (422), `PermissionDenied`/`NotPermitted` (403), `Http404`
(404) or `ConflictError` (409); the handlers below turn them into responses. Nothing a client
sends may produce a 500: bad input always ends in one of these.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import (
    NON_FIELD_ERRORS,
    ObjectDoesNotExist,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaValidationError

from maque.core.busy import RETRY_AFTER_SECONDS, is_busy
from maque.core.errors import ConflictError

logger = logging.getLogger(__name__)

ALL = NON_FIELD_ERRORS  # "__all__": errors that belong to no single field


class ApiError(Exception):
    """An error raised by an API operation itself (throttling, an unknown action, a bad filter)."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        code: str,
        errors: dict[str, list[str]] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.code = code
        self.errors = errors or {}
        self.extra = extra


def field_error(field: str, message: str) -> DjangoValidationError:
    """A validation error for one field (raised by operations for bad filters and parameters)."""
    return DjangoValidationError({field: [message]})


def error_response(
    api: NinjaAPI,
    request: HttpRequest,
    *,
    status: int,
    detail: str,
    code: str,
    errors: dict[str, list[str]] | None = None,
    **extra: Any,
) -> HttpResponse:
    body: dict[str, Any] = {"detail": detail, "code": code, "errors": errors or {}}
    body.update(extra)
    return api.create_response(request, body, status=status)


def _summary(errors: dict[str, list[str]]) -> str:
    messages = [message for field_messages in errors.values() for message in field_messages]
    if len(messages) == 1:
        field = next(iter(errors))
        if field == ALL:
            return messages[0]
        return _("%(field)s: %(message)s") % {"field": field, "message": messages[0]}
    count = len(errors)
    return ngettext(
        "The input has errors in %(count)d field.",
        "The input has errors in %(count)d fields.",
        count,
    ) % {"count": count}


def django_errors(exc: DjangoValidationError) -> dict[str, list[str]]:
    """A Django ValidationError as {field: [message, …]} (errors of no field under "__all__")."""
    if hasattr(exc, "error_dict"):
        return {
            field: [str(message) for message in messages]
            for field, messages in exc.message_dict.items()
        }
    return {ALL: [str(message) for message in exc.messages]}


# --- schema (pydantic) errors ------------------------------------------------------------------


# Pydantic error types → a message; `%(name)s` is filled from the error's context.
def _schema_message(error_type: str, ctx: dict[str, Any]) -> str:
    messages: dict[str, str] = {
        "missing": pgettext("api", "This field is required."),
        "extra_forbidden": pgettext("api", "This field is not accepted here."),
        "int_parsing": pgettext("api", "Enter a whole number."),
        "int_type": pgettext("api", "Enter a whole number."),
        "int_from_float": pgettext("api", "Enter a whole number."),
        "float_parsing": pgettext("api", "Enter a number."),
        "float_type": pgettext("api", "Enter a number."),
        "decimal_parsing": pgettext("api", "Enter a number."),
        "decimal_type": pgettext("api", "Enter a number."),
        "finite_number": pgettext("api", "Enter a finite number."),
        "decimal_max_digits": pgettext(
            "api", "Ensure there are no more than %(max_digits)s digits in total."
        ),
        "decimal_max_places": pgettext(
            "api", "Ensure there are no more than %(decimal_places)s decimal places."
        ),
        "decimal_whole_digits": pgettext(
            "api", "Ensure there are no more than %(whole_digits)s digits before the decimal point."
        ),
        "bool_parsing": pgettext("api", "Enter true or false."),
        "bool_type": pgettext("api", "Enter true or false."),
        "string_type": pgettext("api", "Enter text."),
        "string_too_short": pgettext(
            "api", "Ensure this value has at least %(min_length)s characters."
        ),
        "string_too_long": pgettext(
            "api", "Ensure this value has at most %(max_length)s characters."
        ),
        "string_pattern_mismatch": pgettext("api", "Enter a value in the expected format."),
        "string_unicode": pgettext("api", "Enter valid text."),
        "too_short": pgettext("api", "Ensure this list has at least %(min_length)s items."),
        "too_long": pgettext("api", "Ensure this list has at most %(max_length)s items."),
        "greater_than": pgettext("api", "Ensure this value is greater than %(gt)s."),
        "greater_than_equal": pgettext(
            "api", "Ensure this value is greater than or equal to %(ge)s."
        ),
        "less_than": pgettext("api", "Ensure this value is less than %(lt)s."),
        "less_than_equal": pgettext("api", "Ensure this value is less than or equal to %(le)s."),
        "date_parsing": pgettext("api", "Enter a valid date (YYYY-MM-DD)."),
        "date_from_datetime_parsing": pgettext("api", "Enter a valid date (YYYY-MM-DD)."),
        "date_from_datetime_inexact": pgettext("api", "Enter a date without a time."),
        "date_type": pgettext("api", "Enter a valid date (YYYY-MM-DD)."),
        "datetime_parsing": pgettext("api", "Enter a valid date and time."),
        "datetime_from_date_parsing": pgettext("api", "Enter a valid date and time."),
        "datetime_type": pgettext("api", "Enter a valid date and time."),
        "enum": pgettext("api", "Select one of: %(expected)s."),
        "literal_error": pgettext("api", "Select one of: %(expected)s."),
        "dict_type": pgettext("api", "Enter an object."),
        "model_type": pgettext("api", "Enter an object."),
        "model_attributes_type": pgettext("api", "Enter an object."),
        "list_type": pgettext("api", "Enter a list."),
        "json_invalid": pgettext("api", "Enter valid JSON."),
        "uuid_parsing": pgettext("api", "Enter a valid identifier."),
        "uuid_type": pgettext("api", "Enter a valid identifier."),
        "none_required": pgettext("api", "This field must be empty."),
    }
    if error_type in ("value_error", "assertion_error") and ctx.get("error"):
        return str(ctx["error"])
    wrong_type = pgettext("api", "The value has the wrong type.")
    message = messages.get(error_type, wrong_type)
    try:
        return message % {key: _readable(value) for key, value in ctx.items()}
    except (KeyError, TypeError, ValueError):
        return wrong_type


def _readable(value: Any) -> str:
    # Pydantic lists choices as "'a', 'b' or 'c'": keep the values, drop the English.
    return str(value).replace("'", "").replace(" or ", ", ")


def _field_name(loc: Iterable[Any]) -> str:
    """("body", "payload", "attributes", "area_mu") → "attributes.area_mu"; ("query", "page") → "page"."""
    parts = [str(part) for part in loc]
    if not parts:
        return ALL
    source, rest = parts[0], parts[1:]
    if source == "body" and rest:
        rest = rest[1:]  # the operation's parameter name (one schema per body)
    return ".".join(rest) or ALL


def schema_errors(exc: SchemaValidationError) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        ctx = error.get("ctx") or {}
        message = _schema_message(str(error.get("type", "")), ctx)
        errors.setdefault(_field_name(error.get("loc", ())), []).append(message)
    return errors


# --- the handlers ------------------------------------------------------------------------------

_HTTP_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    429: "throttled",
}


def _http_detail(status: int) -> str:
    return {
        400: _("The request could not be read."),
        401: _("Sign in or send a valid token (Authorization: Bearer <token>)."),
        403: _("You may not do this."),
        404: _("Not found, or not visible to you."),
        405: _("This method is not allowed here."),
        413: _("The request is too large."),
        429: _("Too many requests; try again later."),
    }.get(status, _("The request could not be handled."))


def install(api: NinjaAPI) -> None:
    """Register the one set of exception handlers on the API."""

    def respond(request: HttpRequest, **kwargs: Any) -> HttpResponse:
        return error_response(api, request, **kwargs)

    @api.exception_handler(DjangoValidationError)
    def on_invalid(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        errors = django_errors(exc)
        return respond(request, status=422, detail=_summary(errors), code="invalid", errors=errors)

    @api.exception_handler(SchemaValidationError)
    def on_schema_invalid(request: HttpRequest, exc: SchemaValidationError) -> HttpResponse:
        errors = schema_errors(exc)
        return respond(request, status=422, detail=_summary(errors), code="invalid", errors=errors)

    @api.exception_handler(ApiError)
    def on_api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        response = respond(
            request,
            status=exc.status,
            detail=exc.detail,
            code=exc.code,
            errors=exc.errors,
            **exc.extra,
        )
        if exc.status == 429 and "retry_after" in exc.extra:
            response["Retry-After"] = str(exc.extra["retry_after"])
        return response

    @api.exception_handler(AuthenticationError)
    def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = respond(request, status=401, detail=_http_detail(401), code="not_authenticated")
        response["WWW-Authenticate"] = 'Bearer realm="maque"'
        return response

    @api.exception_handler(HttpError)
    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        status = exc.status_code
        if isinstance(exc.__cause__, DjangoValidationError):
            return on_invalid(request, exc.__cause__)  # e.g. a NUL character in the JSON body
        if status == 400 and isinstance(exc.__cause__, (ValueError, UnicodeDecodeError)):
            # The body is not JSON (json.JSONDecodeError is a ValueError).
            detail = _("The request body is not valid JSON.")
            if isinstance(exc.__cause__, json.JSONDecodeError):
                detail = _(
                    "The request body is not valid JSON (line %(line)d, column %(column)d)."
                ) % {
                    "line": exc.__cause__.lineno,
                    "column": exc.__cause__.colno,
                }
            return respond(
                request, status=400, detail=detail, code="malformed", errors={ALL: [detail]}
            )
        if isinstance(exc.__cause__, RequestDataTooBig):
            return on_too_big(request, exc.__cause__)
        if isinstance(exc.__cause__, MultiPartParserError):
            return on_bad_multipart(request, exc.__cause__)
        return respond(
            request,
            status=status,
            detail=_http_detail(status),
            code=_HTTP_CODES.get(status, "error"),
        )

    @api.exception_handler(PermissionDenied)
    def on_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        detail = str(getattr(exc, "message", "") or exc) or _http_detail(403)
        return respond(request, status=403, detail=detail, code="permission_denied")

    @api.exception_handler(Http404)
    def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return respond(request, status=404, detail=_http_detail(404), code="not_found")

    @api.exception_handler(ObjectDoesNotExist)
    def on_missing(request: HttpRequest, exc: ObjectDoesNotExist) -> HttpResponse:
        return respond(request, status=404, detail=_http_detail(404), code="not_found")

    @api.exception_handler(ConflictError)
    def on_conflict(request: HttpRequest, exc: ConflictError) -> HttpResponse:
        return respond(
            request,
            status=409,
            detail=str(exc.message),
            code=exc.code,
            current_version=exc.current_version,
        )

    @api.exception_handler(RequestDataTooBig)
    def on_too_big(request: HttpRequest, exc: Exception) -> HttpResponse:
        detail = _("The request is too large.")
        return respond(request, status=413, detail=detail, code="too_large", errors={ALL: [detail]})

    @api.exception_handler(MultiPartParserError)
    def on_bad_multipart(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
        detail = _("The multipart body could not be read.")
        return respond(request, status=400, detail=detail, code="malformed", errors={ALL: [detail]})

    @api.exception_handler(SuspiciousOperation)
    def on_suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
        return respond(request, status=400, detail=_http_detail(400), code="bad_request")

    @api.exception_handler(OperationalError)
    def on_database_error(request: HttpRequest, exc: OperationalError) -> HttpResponse:
        if not is_busy(exc):
            return on_bug(request, exc)
        logger.warning("busy database on %s %s: %s", request.method, request.path, exc)
        detail = _(
            "The database is busy with another change; nothing was changed. Try again in a few seconds."
        )
        response = respond(
            request, status=503, detail=detail, code="busy", retry_after=RETRY_AFTER_SECONDS
        )
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    @api.exception_handler(Exception)
    def on_bug(request: HttpRequest, exc: Exception) -> HttpResponse:
        # A bug, never bad input: log it with the traceback and answer in the same shape.
        logger.exception("API error on %s %s", request.method, request.path)
        return respond(
            request,
            status=500,
            detail=_("Internal error; it has been logged."),
            code="server_error",
        )
