"""The bulletin as a plain, print-friendly web page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import translation

from maque.bulletins.models import Bulletin
from maque.bulletins.wording import bulletin_language, bulletin_text


@login_required
def bulletin_page(request: HttpRequest, bulletin_id: int) -> HttpResponse:
    bulletin = get_object_or_404(Bulletin.objects.visible_to(request.user), pk=bulletin_id)
    snapshot = bulletin.snapshot
    # The same wording as the Word document, in the language the bulletin was issued in.
    language = bulletin_language(snapshot)
    with translation.override(language):
        blocks = bulletin_text(snapshot)
    return render(
        request,
        "bulletins/bulletin.html",
        {
            "bulletin": bulletin,
            "s": snapshot,
            "blocks": blocks,
            "language": language,
            "hash_matches": bulletin.hash_matches(),
        },
    )
