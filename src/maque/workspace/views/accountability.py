"""Accountability cases (问责): the list, opening one by hand, a case's page and moving it on.

Reads come from the app's queries (its `visible_to` scoping), writes from its services.
Accountability is confidential: to anyone but the discipline commission and the principal
leaders, its screens do not exist (404), exactly like a case id that does not exist.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from maque.accountability.lifecycle import next_statuses
from maque.accountability.models import AccountabilityCase, Rule, Status
from maque.accountability.queries import case_get, case_list, may_see_cases
from maque.accountability.services import case_change_status, case_open
from maque.core.users import signed_in
from maque.organisation.access import actor_for
from maque.organisation.models import Person, Village
from maque.workspace.forms import style
from maque.workspace.views import navigation
from maque.workspace.views.errors import SERVICE_ERRORS, form_errors
from maque.workspace.views.rhythm_forms import CaseFilterForm, CaseOpenForm, CaseStatusForm

LIST_PAGE = 30


def _cases_or_404(request: HttpRequest) -> None:
    """Anyone who may not know that cases exist gets the answer for a page that does not exist."""
    if not navigation.may_see_cases_anywhere(actor_for(request.user)):
        raise Http404


@login_required
def cases(request: HttpRequest) -> HttpResponse:
    _cases_or_404(request)
    form = CaseFilterForm(
        request.GET, villages=Village.objects.visible_to(request.user).order_by("name")
    )
    form.is_valid()
    data = form.cleaned_data if form.is_bound else {}
    village = data.get("village")
    found = case_list(
        user=signed_in(request),
        status=data.get("status") or None,
        rule=data.get("rule") or None,
        village=village.pk if village else None,
        q=data.get("q") or None,
    )
    page = Paginator(found, LIST_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "workspace/rhythm/cases.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


@login_required
def case_new(request: HttpRequest) -> HttpResponse:
    """Open a case by hand (a lead the rules did not catch), through `case_open`."""
    _cases_or_404(request)
    actor = actor_for(request.user)
    town = navigation.staff_town(actor)
    if town is None or not may_see_cases(signed_in(request), town_id=town.pk):
        raise Http404
    form = CaseOpenForm(
        request.POST or None,
        people=Person.objects.visible_to(request.user)
        .filter(town=town, active=True)
        .order_by("name"),
        villages=Village.objects.visible_to(request.user)
        .filter(town=town, active=True)
        .order_by("name"),
    )
    status = 422 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = case_open(
                town=town,
                by=signed_in(request),
                title=data["title"],
                summary=data["summary"],
                subject_person=data["subject_person"],
                village=data["village"],
            )
        except SERVICE_ERRORS as error:
            status = form_errors(form, error)
        else:
            messages.success(request, _("Case #%(number)d opened.") % {"number": case.number})
            return HttpResponseRedirect(reverse("workspace:case", args=[case.pk]))
    return render(request, "workspace/rhythm/case_new.html", {"form": form}, status=status)


def _evidence_links(case: AccountabilityCase) -> list[dict[str, str]]:
    """Each evidence record with a link to the screen that shows it, where there is one."""
    routes = {
        ("ledger", "item"): lambda pk: reverse("workspace:item", args=[pk]),
        ("bulletins", "bulletin"): lambda pk: reverse("bulletins:page", args=[pk]),
        ("meetings", "meeting"): lambda pk: reverse("workspace:meeting", args=[pk]),
        ("supervision", "inspectionround"): lambda pk: reverse("workspace:inspection", args=[pk]),
    }
    rows = []
    for evidence in case.evidence.all():
        content_type: ContentType = evidence.content_type
        route = routes.get((content_type.app_label, content_type.model))
        rows.append(
            {
                "label": evidence.label or f"{content_type.name} {evidence.object_id}",
                "kind": str(content_type.name),
                "url": route(evidence.object_id) if route else "",
            }
        )
    return rows


def _next_statuses(request: HttpRequest, case: AccountabilityCase) -> list[tuple[str, str]]:
    """What the case's machine lets this user move it to (moving on first, dismissing last)."""
    return [(to, str(Status(to).label)) for to in next_statuses(signed_in(request), case)]


def _case_page(
    request: HttpRequest,
    case: AccountabilityCase,
    form: CaseStatusForm | None = None,
    status: int = 200,
) -> HttpResponse:
    choices = _next_statuses(request, case)
    if form is None:
        form = CaseStatusForm(choices=choices, initial={"version": case.version})
    style(form)
    return render(
        request,
        "workspace/rhythm/case_detail.html",
        {
            "case": case,
            "evidence": _evidence_links(case),
            "events": list(case.events.all()),
            "form": form if choices else None,
            "rule_label": Rule(case.rule).label,
        },
        status=status,
    )


def _visible_case(request: HttpRequest, pk: int) -> AccountabilityCase:
    _cases_or_404(request)
    try:
        return case_get(user=signed_in(request), case_id=pk)
    except AccountabilityCase.DoesNotExist:
        raise Http404 from None


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_page(request, _visible_case(request, pk))


@login_required
@require_POST
def case_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a case on (open, decide with a measure, close, dismiss with a reason) through the service."""
    case = _visible_case(request, pk)
    choices = _next_statuses(request, case)
    form = CaseStatusForm(request.POST, choices=choices)
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        try:
            case_change_status(
                case=case,
                by=signed_in(request),
                to=data["to"],
                note=data["note"],
                measure=data["measure"],
                decision=data["decision"],
                version=data["version"],
                via="web",
            )
        except SERVICE_ERRORS as error:
            status = form_errors(form, error)
        else:
            messages.success(
                request, _("The case is now %(status)s.") % {"status": Status(data["to"]).label}
            )
            return HttpResponseRedirect(reverse("workspace:case", args=[case.pk]))
    return _case_page(request, _visible_case(request, pk), form, status=status)
