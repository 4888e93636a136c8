"""Home by role: what waits for the user first (their items, approvals, verifications, suggested
cases, items escalated to them, samples to record), then the figures of what they oversee."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from maque.core.users import signed_in
from maque.diagnosis.queries import watch_list_home
from maque.ledger.policies import may_register
from maque.organisation.access import actor_for
from maque.organisation.roles import Role
from maque.supervision.policies import reads_whole_town
from maque.workspace import queries


@login_required
def home(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    context: dict[str, object] = {"actor": actor, "may_register": may_register(actor)}
    if actor.person is not None:
        context["mine"] = queries.cadre_home(user=signed_in(request), actor=actor)
        context["waiting"] = queries.waiting_for(user=signed_in(request), actor=actor)
    if actor.village_ids(Role.CONTACT_LEADER):
        context["contact"] = queries.contact_leader_home(user=signed_in(request), actor=actor)
    if reads_whole_town(actor):
        town = queries.town_overview(user=signed_in(request), actor=actor)
        town["charts"]["labels"] = {
            "found": _("found"),
            "closed": pgettext("items", "closed"),
            "total": _("total"),
        }
        context["town"] = town
        context["watch"] = watch_list_home(user=signed_in(request))
    return render(request, "workspace/home.html", context)
