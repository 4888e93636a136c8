"""The village list and a village's page: profile, four teams, the grid now and its history, items and plots."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from maque.fieldwork.queries import households_search
from maque.ledger.definitions import closure_rate
from maque.ledger.models import OPEN_STATES, Item
from maque.ledger.queries import with_indicators
from maque.organisation import queries as grid
from maque.organisation.models import Role, Village
from maque.workspace import maps, queries
from maque.workspace.views.goals import village_goals


@login_required
def village_list(request: HttpRequest) -> HttpResponse:
    villages = queries.village_counts(
        Village.objects.visible_to(request.user)
        .select_related("town")
        .order_by("town__name", "name"),
        timezone.localdate(),
        items=Item.objects.visible_to(request.user),
    )
    return render(request, "workspace/village_list.html", {"villages": villages})


@login_required
def village_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Profile, four teams, the grid now and its history, the village's items and plots, and its
    households found by the head's name or the house number (each leads to its page)."""
    village = get_object_or_404(
        Village.objects.visible_to(request.user).select_related("town"), pk=pk
    )
    today = timezone.localdate()
    counts = queries.village_counts(
        Village.objects.filter(pk=village.pk), today, items=Item.objects.visible_to(request.user)
    )[0]
    counts.closure_rate = closure_rate(counts.closed, counts.total)  # type: ignore[attr-defined]  # numbers of village_counts
    grid_now = [
        (label, grid.responsible_on(village=village, role=role, day=today))
        for role, label in (
            (Role.CONTACT_LEADER, _("Contact leader")),
            (Role.CADRE, _("Contact cadres")),
            (Role.SECRETARY, _("Party secretary")),
        )
    ]
    # The duty roster is for calling: colleagues' work phones are shown to the staff who read the
    # village (villagers' personal data stays masked wherever it appears).
    history = list(grid.grid_history(village=village))
    items = with_indicators(
        Item.objects.visible_to(request.user).filter(village=village), day=today
    )
    plots = list(village.plots.all()[:300])
    open_plot_codes = set(
        items.filter(state__in=OPEN_STATES, plot__isnull=False).values_list("plot__code", flat=True)
    )
    household_query = request.GET.get("hq", "").strip()[:50]
    context = {
        "village": village,
        "household_query": household_query,
        "households": households_search(village_id=village.pk, text=household_query, limit=20),
        "counts": counts,
        "teams": village.teams.all(),
        "grid_now": grid_now,
        "department": grid.contact_department_on(village=village, day=today),
        "departments": village.contact_departments.select_related("department").order_by(
            "-valid_from"
        ),
        "history": history,
        "items": items.select_related("owner", "category").order_by("-found_on", "-id")[:20],
        "map": maps.draw([(p.code, p.polygon, p.code in open_plot_codes) for p in plots]),
        "plots": plots,
        "ledger_url": reverse("workspace:ledger") + f"?village={village.pk}",
        **village_goals(village, request.user),
    }
    return render(request, "workspace/village_detail.html", context)
