"""Errors raised by services of every app; the API turns each into one HTTP status in one place
(`maque.api.errors`). They live in core so that the shared state machine can raise them."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied


class ConflictError(Exception):
    """The action cannot happen now: not allowed in the current state, or a stale version (409)."""

    def __init__(
        self, message: str, *, code: str = "conflict", current_version: int | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.current_version = current_version


class NotPermitted(PermissionDenied):
    """The actor may see the record but may not do this to it (403)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
