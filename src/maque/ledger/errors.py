"""Errors raised by ledger services; the API turns each into one HTTP status in one place.

They are defined in `maque.core.errors` (the shared state machine raises them too) and kept
importable from here.
"""

from __future__ import annotations

from maque.core.errors import ConflictError, NotPermitted

__all__ = ["ConflictError", "NotPermitted"]
