"""Scores (考评): the ranking of a period with the lines that make each score."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from maque.ledger.definitions import rate_text
from maque.organisation.access import actor_for
from maque.rhythm.models import rhythm_settings
from maque.supervision.queries import scores_visible
from maque.supervision.scoring import period_of, period_parse, previous_period
from maque.workspace.views import navigation


@login_required
def scores(request: HttpRequest) -> HttpResponse:
    """Ranking of the villages (or owners) for a period, each with the lines that make its score."""
    actor = actor_for(request.user)
    town = navigation.staff_town(actor)
    if town is None:
        return render(request, "workspace/rhythm/scores.html", {"no_town": True})
    kind = rhythm_settings(town).scoring_period
    current = period_of(timezone.localdate(), kind)
    typed = (request.GET.get("period") or "").strip()
    subject = request.GET.get("subject") or "village"
    error = ""
    try:
        period = period_parse(typed, today=timezone.localdate()) if typed else current
    except ValueError:
        error = _(
            "“%(typed)s” is not a period: write a month such as 2026-11 or 2026年11月, a quarter such as 2026-Q4, or a week such as 2026-W47."
        ) % {"typed": typed[:40]}
        period = ""
    if subject not in ("village", "owner"):
        subject = "village"
    # After a mistake nothing is ranked: another period's figures under the error would mislead.
    rows = (
        scores_visible(user=request.user, town=town, period=period, subject=subject)
        if period
        else []
    )
    for row in rows:  # a rate reads as a percentage (32.8%), not as the ratio the formula uses
        for line in row["breakdown"]:
            if line["rule"].endswith("rate"):
                line["count"] = rate_text(round(float(line["count"]) * 100, 1))
    earlier = [period or current]
    for _step in range(5):
        earlier.append(previous_period(earlier[-1], kind))
    return render(
        request,
        "workspace/rhythm/scores.html",
        {
            "town": town,
            "period": period,
            "typed": typed if error else period,
            "subject": subject,
            "rows": rows,
            "error": error,
            "periods": earlier,
            "current": current,
            "town_wide": navigation.sees_town(actor),
            "month_picker": kind == "month",
        },
    )
