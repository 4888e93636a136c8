"""The bulletin as a plain, print-friendly web page."""

from __future__ import annotations

from collections import defaultdict

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from maque.bulletins.models import Bulletin


@login_required
def bulletin_page(request: HttpRequest, bulletin_id: int) -> HttpResponse:
    bulletin = get_object_or_404(Bulletin.objects.visible_to(request.user), pk=bulletin_id)
    snapshot = bulletin.snapshot
    villages: dict[str, list[dict]] = defaultdict(list)
    for row in snapshot["overdue_groups"]:
        villages[row["village"]].append(row)
    details: dict[str, list[dict]] = defaultdict(list)
    for row in snapshot["overdue_items"]:
        details[row["village"]].append(row)
    untimely = [
        {"village": name, "count": sum(r["count"] for r in rows), "owners": rows, "items": details.get(name, [])}
        for name, rows in villages.items()
    ]
    return render(
        request,
        "bulletins/bulletin.html",
        {"bulletin": bulletin, "s": snapshot, "untimely": untimely, "hash_matches": bulletin.hash_matches()},
    )
