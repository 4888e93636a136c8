"""Headers every response carries: a content security policy of this server only, and no
caching of what is personal (design §6).

Pages of a signed-in user, every JSON response and every download can hold personal data or
confidential matters (accountability cases), so no browser, proxy or shared office machine may
keep a copy: `Cache-Control: no-store`. Static assets are served before this middleware runs
and stay cacheable.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control


class PrivateResponsesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = settings.MAQUE_CONTENT_SECURITY_POLICY
        if policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy
        user = getattr(request, "user", None)
        content_type = response.get("Content-Type", "")
        if (
            (user is not None and user.is_authenticated)
            or "json" in content_type
            or request.path.startswith("/api/")
        ):
            patch_cache_control(response, no_store=True, private=True)
        return response
