"""Template context shared by every page."""

from django.conf import settings
from django.http import HttpRequest

from maque import __version__


def maque(request: HttpRequest) -> dict[str, object]:
    return {"MAQUE_DEMO": settings.MAQUE_DEMO, "MAQUE_VERSION": __version__}
