"""Field work on the phone: the visit form (in under a minute: village, households found by name
or house number, purpose, policies with the words to read out, notes, photos, the place if the
phone gives it), the visit list and page — from which a problem is registered in one step — and
the household page with the visits and items that touched it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from maque.core.masking import mask_id_number, mask_phone
from maque.core.users import signed_in
from maque.deliberation import lifecycle as deliberation
from maque.deliberation.lifecycle.registration import MAX_PHOTOS as TOPIC_PHOTOS
from maque.deliberation.models import Concern, Topic
from maque.deliberation.policies import may_propose
from maque.fieldwork.catalogue import policies_of
from maque.fieldwork.models import FieldVisit, Purpose
from maque.fieldwork.policies import may_log, may_log_anywhere
from maque.fieldwork.queries import households_search, visit_list
from maque.fieldwork.services import (
    visit_log,
    visit_photo_copies,
    visit_register_item,
    visit_topic_link,
)
from maque.ledger.models import Campaign, Category, Item
from maque.ledger.policies import register_villages
from maque.organisation.access import actor_for
from maque.organisation.models import Household, Village
from maque.workspace.views.errors import SERVICE_ERRORS, flash_errors
from maque.workspace.views.sheets import sheet_actions


def _field_villages(request: HttpRequest) -> list[Village]:
    actor = actor_for(request.user)
    return [
        v
        for v in Village.objects.visible_to(request.user).select_related("town").order_by("name")
        if may_log(actor, town_id=v.town_id, village_id=v.pk)
    ]


@login_required
def visit_list_view(request: HttpRequest) -> HttpResponse:
    visits = list(visit_list(user=request.user)[:100])
    return render(
        request,
        "workspace/visit_list.html",
        {
            "visits": visits,
            "may_log": may_log_anywhere(actor_for(request.user)),
            "sheet": sheet_actions(request, "visits"),
            "publicity_sheet": sheet_actions(request, "publicity"),
        },
    )


@login_required
def visit_new(request: HttpRequest) -> HttpResponse:
    villages = _field_villages(request)
    if not villages:
        return HttpResponse(status=403)
    chosen = next((v for v in villages if str(v.pk) == request.GET.get("village")), villages[0])
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        chosen = next((v for v in villages if str(v.pk) == request.POST.get("village")), chosen)
        homes = list(
            Household.objects.filter(
                village=chosen, pk__in=_ids(request.POST.getlist("households"))
            )
        )
        chosen_policies = list(
            policies_of(chosen.town).filter(pk__in=_ids(request.POST.getlist("policies")))
        )
        try:
            visit = visit_log(
                by=signed_in(request),
                village=chosen,
                purpose=request.POST.get("purpose", ""),
                households=homes,
                policies=chosen_policies,
                notes=request.POST.get("notes", ""),
                latitude=request.POST.get("latitude") or None,
                longitude=request.POST.get("longitude") or None,
                photos=request.FILES.getlist("photos"),
                via="web",
            )
        except ValidationError as error:
            errors = error.message_dict
        else:
            messages.success(request, _("The visit is logged."))
            return HttpResponseRedirect(reverse("workspace:visit", args=[visit.pk]))
    query = request.GET.get("q", "")[:50]
    context: dict[str, Any] = {
        "villages": villages,
        "village": chosen,
        "q": query,
        "households": households_search(village_id=chosen.pk, text=query),
        "policies": policies_of(chosen.town),
        "purposes": Purpose.choices,
        "errors": errors,
        "posted": request.POST if request.method == "POST" else None,
    }
    return render(request, "workspace/visit_form.html", context, status=422 if errors else 200)


def _ids(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.isdigit() and len(v) < 19]


def _visible_visit(request: HttpRequest, pk: int) -> FieldVisit:
    return get_object_or_404(visit_list(user=request.user), pk=pk)


@login_required
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    visit = _visible_visit(request, pk)
    actor = actor_for(request.user)
    may_register = bool(register_villages(actor, [visit.village]))
    campaigns = Campaign.objects.visible_to(request.user).filter(town_id=visit.town_id, active=True)
    return render(
        request,
        "workspace/visit_detail.html",
        {
            "visit": visit,
            "may_register": may_register,
            "campaigns": campaigns.exclude(code__in=("meeting-actions", "petitions")),
            "categories": Category.objects.visible_to(request.user).filter(
                town_id=visit.town_id, active=True
            ),
            "may_raise_topic": may_propose(actor, visit.village),
            "concerns": Concern.choices,
            "topics": Topic.objects.visible_to(request.user)
            .filter(code__in=visit.topic_links.values("topic_code"))
            .order_by("code"),
        },
    )


@login_required
@require_POST
def visit_register(request: HttpRequest, pk: int) -> HttpResponse:
    """Register a problem found on the visit, in one step, and go to its item page."""
    visit = _visible_visit(request, pk)
    campaign = (
        Campaign.objects.visible_to(request.user)
        .filter(town_id=visit.town_id, pk=_first_id(request.POST.get("campaign")))
        .first()
    )
    category = (
        Category.objects.visible_to(request.user)
        .filter(town_id=visit.town_id, pk=_first_id(request.POST.get("category")))
        .first()
    )
    household = visit.households.filter(pk=_first_id(request.POST.get("household"))).first()
    if campaign is None:
        messages.error(request, _("Choose a campaign."))
        return HttpResponseRedirect(reverse("workspace:visit", args=[visit.pk]))
    try:
        item = visit_register_item(
            visit=visit,
            by=signed_in(request),
            title=request.POST.get("title", ""),
            campaign=campaign,
            category=category,
            household=household,
            description=request.POST.get("description", ""),
            kind="rectification" if category is not None else "action",
        )
    except SERVICE_ERRORS as error:
        flash_errors(request, error)
        return HttpResponseRedirect(reverse("workspace:visit", args=[visit.pk]))
    messages.success(request, _("The problem is registered: %(code)s.") % {"code": item.code})
    return HttpResponseRedirect(reverse("workspace:item", args=[item.pk]))


@login_required
@require_POST
def visit_raise_topic(request: HttpRequest, pk: int) -> HttpResponse:
    """Raise a topic for deliberation (联村共议) from the visit, in one step: the topic is proposed
    in the visit's village with its photos, and the visit keeps the topic's code (the two apps
    are siblings; this screen, above both, makes the link)."""
    visit = _visible_visit(request, pk)
    user = signed_in(request)
    notes = request.POST.get("description", "").strip() or visit.notes
    try:
        with transaction.atomic():
            proposed = deliberation.topic_propose(
                by=user,
                village=visit.village,
                title=request.POST.get("title", ""),
                concern=request.POST.get("concern", ""),
                description=notes,
                photos=visit_photo_copies(visit, limit=TOPIC_PHOTOS),
                via="web",
            )
            visit_topic_link(visit=visit, topic_code=proposed.topic.code, by=user)
    except SERVICE_ERRORS as error:
        flash_errors(request, error)
        return HttpResponseRedirect(reverse("workspace:visit", args=[visit.pk]))
    messages.success(
        request, _("Topic %(code)s raised from the visit.") % {"code": proposed.topic.code}
    )
    return HttpResponseRedirect(reverse("workspace:topic", args=[proposed.topic.code]))


def _first_id(value: str | None) -> int:
    return int(value) if value and value.isdigit() and len(value) < 19 else 0


@login_required
def household_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A household: who, where, the visits and the ledger items that touched it."""
    villages = Village.objects.visible_to(request.user).values("pk")
    household = get_object_or_404(
        Household.objects.filter(village__in=villages).select_related("village", "group"), pk=pk
    )
    masks = actor_for(request.user).masks_personal_data()
    return render(
        request,
        "workspace/household_detail.html",
        {
            "household": household,
            "phone": mask_phone(household.phone) if masks else household.phone,
            "id_number": mask_id_number(household.id_number) if masks else household.id_number,
            "visits": visit_list(user=request.user, household=household.pk)[:50],
            "items": Item.objects.visible_to(request.user)
            .filter(household=household)
            .order_by("-found_on")[:50],
        },
    )
