"""The bulletins list (通报) and issuing today's bulletin by hand."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from maque.bulletins.queries import bulletin_list
from maque.bulletins.services import bulletin_issue
from maque.core.users import signed_in
from maque.organisation.access import actor_for
from maque.workspace.views import navigation
from maque.workspace.views.errors import SERVICE_ERRORS, flash_errors

LIST_PAGE = 30


@login_required
def bulletins(request: HttpRequest) -> HttpResponse:
    page = Paginator(bulletin_list(user=request.user), LIST_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "workspace/rhythm/bulletins.html",
        {
            "page": page,
            "may_issue": navigation.may_issue_bulletins(actor_for(request.user)),
        },
    )


@login_required
@require_POST
def bulletin_issue_now(request: HttpRequest) -> HttpResponse:
    """Issue today's bulletin by hand (the schedule issues it each working day anyway)."""
    town = navigation.staff_town(actor_for(request.user))
    if town is None:
        raise Http404
    try:
        bulletin = bulletin_issue(town=town, by=signed_in(request))
    except SERVICE_ERRORS as error:
        flash_errors(request, error)
    else:
        messages.success(request, _("Bulletin %(code)s issued.") % {"code": bulletin.code})
        return HttpResponseRedirect(reverse("bulletins:page", args=[bulletin.pk]))
    return HttpResponseRedirect(reverse("workspace:bulletins"))
