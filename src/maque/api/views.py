"""Plain Django views of the api app."""

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _


def not_found(request: HttpRequest, rest: str = "") -> JsonResponse:
    """Any path under /api/ that no operation matches: a 404 in the API's error shape."""
    detail = _("Not found, or not visible to you.")
    return JsonResponse({"detail": detail, "code": "not_found", "errors": {}}, status=404)
