"""A village's legacy matters on a 2×2 board of 轻重缓急 (抓住关键逐个消化): weighty and pressing
first, each with its latest coordination and whether it is due for another round."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth.decorators import login_required
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from maque.ledger.models import OPEN_STATES, Importance, Item, Kind, State, Urgency
from maque.ledger.queries import sorted_by, with_indicators
from maque.organisation.models import Village
from maque.rhythm.models import rhythm_settings

QUADRANTS = (
    (Importance.MAJOR, Urgency.URGENT, _("Major and urgent (重·急)")),
    (Importance.MAJOR, Urgency.SLACK, _("Major, can wait (重·缓)")),
    (Importance.MINOR, Urgency.URGENT, _("Minor but urgent (轻·急)")),
    (Importance.MINOR, Urgency.SLACK, _("Minor, can wait (轻·缓)")),
)


@dataclass
class Quadrant:
    label: str
    items: list[Item] = field(default_factory=list)


@login_required
def legacy_board(request: HttpRequest, pk: int) -> HttpResponse:
    village = get_object_or_404(
        Village.objects.visible_to(request.user).select_related("town"), pk=pk
    )
    today = timezone.localdate()
    days = rhythm_settings(village.town).legacy_contact_days
    rows = sorted_by(
        with_indicators(
            Item.objects.visible_to(request.user).filter(
                village=village,
                kind=Kind.LEGACY,
                state__in=(*OPEN_STATES, State.SUSPENDED),
            ),
            day=today,
        ).annotate(last_contact=Max("coordination__on")),
        "priority",
    ).select_related("owner")
    quadrants: dict[tuple[str, str], Quadrant] = {
        (str(imp), str(urg)): Quadrant(str(label)) for imp, urg, label in QUADRANTS
    }
    unsorted = Quadrant(str(_("Not yet sorted")))
    for item in rows:
        last: date = item.last_contact or item.found_on  # type: ignore[attr-defined]
        item.contact_due = last + timedelta(days=days)  # type: ignore[attr-defined]
        item.contact_late = today > item.contact_due  # type: ignore[attr-defined]
        quadrants.get((item.importance, item.urgency), unsorted).items.append(item)
    return render(
        request,
        "workspace/legacy_board.html",
        {
            "village": village,
            "quadrants": list(quadrants.values()),
            "unsorted": unsorted,
            "contact_days": days,
        },
    )
