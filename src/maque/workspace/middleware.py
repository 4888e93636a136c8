"""The workspace's answers to what is not a page of its own: a database too busy to answer."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from maque.core.busy import RETRY_AFTER_SECONDS, is_busy

logger = logging.getLogger(__name__)


class BusyDatabaseMiddleware:
    """A busy database gives 503 with Retry-After and a page saying to try again shortly, in the
    workspace's look, never a 500 (the API does the same in its own error shape)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_busy(exception):
            return None
        logger.warning("busy database on %s %s: %s", request.method, request.path, exception)
        response = render(
            request, "workspace/busy.html", {"retry_after": RETRY_AFTER_SECONDS}, status=503
        )
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
