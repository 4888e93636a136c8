"""Logging: a refused or missing page is one line, not a traceback.

Django logs every 403 and 404 of `django.request` with the exception attached. Those are the
client's doing (a link to another village's item, a role without the right), not the server's:
the line says what and where; tracebacks are kept for real errors (5xx).
"""

from __future__ import annotations

import logging


class ClientErrorsWithoutTraceback(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and 400 <= status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
