"""A database too busy to answer in time: a write that cannot get the lock (SQLite's
"database is locked" after the busy timeout, PostgreSQL's lock or statement timeouts).

That is the server's momentary state, not a bug and not bad input: the client is told to try
again shortly (503 with Retry-After), never shown a 500. The API answers in its error shape;
the workspace shows a page in its own look (`maque.workspace.middleware`).
"""

from __future__ import annotations

from django.db import OperationalError

RETRY_AFTER_SECONDS = 5
# SQLite's words, and PostgreSQL's SQLSTATEs: lock_not_available, query_canceled (timeouts).
_SQLITE_BUSY = ("database is locked", "database table is locked", "database is busy")
_POSTGRES_BUSY = {"55P03", "57014"}


def is_busy(error: BaseException) -> bool:
    """Whether the error says the database could not take the request in time."""
    if not isinstance(error, OperationalError):
        return False
    cause = error.__cause__ or error
    if (
        getattr(cause, "sqlstate", None) in _POSTGRES_BUSY
        or getattr(cause, "pgcode", None) in _POSTGRES_BUSY
    ):
        return True
    text = str(error).lower()
    return any(words in text for words in _SQLITE_BUSY)
