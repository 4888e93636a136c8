"""Home by role: what waits for the user, then the figures of the villages and towns they oversee."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from maque.organisation.access import REGISTER_ROLES, Actor, actor_for
from maque.organisation.models import TOWN_WIDE_ROLES, Role
from maque.workspace import queries


@login_required
def home(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    context: dict[str, object] = {"actor": actor, "may_register": may_register(actor)}
    if actor.person is not None:
        context["mine"] = queries.cadre_home(user=request.user, actor=actor)
    if actor.village_ids(Role.CONTACT_LEADER):
        context["contact"] = queries.contact_leader_home(user=request.user, actor=actor)
    if actor.is_superuser or actor.town_ids_for(*TOWN_WIDE_ROLES):
        town = queries.town_overview(user=request.user, actor=actor)
        town["charts"]["labels"] = {"found": _("found"), "closed": pgettext("items", "closed"), "total": _("total")}
        context["town"] = town
    return render(request, "workspace/home.html", context)


def may_register(actor: Actor) -> bool:
    """Whether the user registers items anywhere (the service decides for each village)."""
    return actor.person is not None and any(
        actor.town_roles.get(role) or actor.village_roles.get(role) for role in REGISTER_ROLES
    )
