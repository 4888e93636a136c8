"""四议两公开 (village decisions): the list, opening a decision, a decision's page with its six
steps in order (each with its meeting and passed resolution, or its disclosure's day and text)
and the form taking the next one.

Reads start from `decisions.queries.decision_list` (`visible_to`); writes go through
`decisions.services` (`decision_create`, `decision_step`), which check the organiser, the order
of the steps and the evidence again — a step out of order is refused there, in words, and the
refusal is shown next to the form.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from maque.core.users import signed_in
from maque.decisions.lifecycle import DECISIONS, next_step, refusal
from maque.decisions.models import STEP_KINDS, STEPS, DecisionState, VillageDecision
from maque.decisions.queries import decision_list, step_views
from maque.decisions.services import StepIn, decision_create, decision_step
from maque.deliberation.models import Topic
from maque.meetings.models import Meeting, Resolution
from maque.meetings.policies import may_organise
from maque.organisation.access import actor_for
from maque.organisation.models import Village
from maque.workspace.views.counting_forms import DecisionForm, StepForm
from maque.workspace.views.errors import SERVICE_ERRORS, form_errors

PAGE_SIZE = 20
MEETING_KINDS = sorted({kind for kinds in STEP_KINDS.values() for kind in kinds})


def _villages_to_open(request: HttpRequest) -> list[Village]:
    actor = actor_for(request.user)
    villages = Village.objects.visible_to(request.user).filter(active=True).order_by("name")
    return [
        village
        for village in villages
        if actor.person is not None
        and may_organise(actor, town_id=village.town_id, village_ids=[village.pk])
    ]


@login_required
def decisions(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state") or None
    if state not in DecisionState.values:
        state = None
    found = decision_list(user=request.user, state=state)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "workspace/decisions/list.html",
        {
            "page": page,
            "state": state or "",
            "states": DecisionState.choices,
            "may_open": bool(_villages_to_open(request)),
        },
    )


@login_required
def decision_new(request: HttpRequest) -> HttpResponse:
    villages = _villages_to_open(request)
    if not villages:
        raise PermissionDenied
    queryset = Village.objects.filter(pk__in=[v.pk for v in villages]).order_by("name")
    initial = {"village": villages[0]} if len(villages) == 1 else {}
    if request.method != "POST":
        code = request.GET.get("topic", "")[:30]
        return render(
            request,
            "workspace/decisions/new.html",
            {"form": DecisionForm(villages=queryset, initial={**initial, "topic": code})},
        )
    form = DecisionForm(request.POST, villages=queryset)
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        topic = None
        if data["topic"].strip():
            topic = (
                Topic.objects.visible_to(request.user)
                .filter(town_id=data["village"].town_id, code=data["topic"].strip().upper())
                .first()
            )
            if topic is None:
                form.add_error("topic", _("Unknown topic."))
        if not form.errors:
            try:
                decision = decision_create(
                    by=signed_in(request),
                    village=data["village"],
                    title=data["title"],
                    description=data["description"],
                    topic=topic,
                )
            except SERVICE_ERRORS as error:
                status = form_errors(form, error)
            else:
                messages.success(request, _("Decision opened: the party branch proposes first."))
                return HttpResponseRedirect(reverse("workspace:decision", args=[decision.pk]))
    return render(request, "workspace/decisions/new.html", {"form": form}, status=status)


def _resolutions(request: HttpRequest, decision: VillageDecision) -> list[Resolution]:
    """Passed resolutions of the held meetings of the decision's village that steps are taken at."""
    return list(
        Resolution.objects.filter(
            outcome=Resolution.Outcome.PASSED,
            meeting__in=Meeting.objects.visible_to(request.user).filter(
                town_id=decision.town_id,
                villages=decision.village_id,
                kind__in=MEETING_KINDS,
                status=Meeting.Status.HELD,
            ),
        )
        .select_related("meeting")
        .order_by("-meeting__held_on", "-id")[:100]
    )


def _page(
    request: HttpRequest,
    decision: VillageDecision,
    *,
    form: StepForm | None = None,
    status: int = 200,
) -> HttpResponse:
    actor = actor_for(request.user)
    coming = next_step(decision)
    context: dict[str, Any] = {
        "decision": decision,
        "steps": step_views(user=request.user, decision=decision),
        "coming": coming,
    }
    if form is not None:
        context["form"] = form  # refused: the input and the refusal, next to the fields
    elif coming is not None and DECISIONS.refusal(actor, decision, coming) is None:
        context["form"] = StepForm(
            resolutions=_resolutions(request, decision),
            initial={"step": coming, "version": decision.version},
        )
    return render(request, "workspace/decisions/detail.html", context, status=status)


@login_required
def decision_detail(request: HttpRequest, pk: int) -> HttpResponse:
    decision = get_object_or_404(decision_list(user=request.user), pk=pk)
    return _page(request, decision)


@login_required
@require_POST
def decision_step_view(request: HttpRequest, pk: int) -> HttpResponse:
    decision = get_object_or_404(decision_list(user=request.user), pk=pk)
    if refusal(actor_for(request.user), decision, STEPS[0]) is not None:
        raise PermissionDenied
    form = StepForm(request.POST, resolutions=_resolutions(request, decision))
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        meeting, resolution = form.chosen()
        try:
            decision_step(
                decision=decision,
                by=signed_in(request),
                step=data["step"],
                version=data["version"],
                given=StepIn(
                    meeting=meeting, resolution=resolution, on=data["on"], text=data["text"]
                ),
                via="web",
            )
        except SERVICE_ERRORS as error:
            status = form_errors(form, error)
        else:
            messages.success(request, _("Step recorded."))
            return HttpResponseRedirect(reverse("workspace:decision", args=[decision.pk]))
    decision = get_object_or_404(decision_list(user=request.user), pk=pk)
    return _page(request, decision, form=form, status=status)
