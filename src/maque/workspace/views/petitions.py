"""The petition screens (信访): the register with its filters (state, village, overdue), the
register form, a petition's page (its limits in calendar days, its timeline, its notices and the
actions the lifecycle offers now) and the download of an issued notice as a Word document.

To anyone who may not read a petition it does not exist (404): reads start from
`petitions.queries` (`Petition.objects.visible_to`), which also decides what each reader sees of
the petitioner's personal data; every change goes through `petitions.lifecycle` or
`petitions.services`, whose one refusal function decides both what a page offers and what a
post may do."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from maque.core.masking import mask_text
from maque.core.users import signed_in
from maque.organisation.access import actor_for
from maque.organisation.models import Person, Town, Village
from maque.petitions import lifecycle, limits
from maque.petitions.models import Petition, PetitionNotice, State
from maque.petitions.notices import TamperedNoticeError, notice_docx
from maque.petitions.policies import handler_town_ids, may_open_register, may_register
from maque.petitions.queries import (
    notice_get,
    petition_get,
    petition_list,
    petition_view,
    register_villages,
)
from maque.petitions.services import petition_register
from maque.workspace.views.common import is_htmx
from maque.workspace.views.errors import SERVICE_ERRORS, form_errors
from maque.workspace.views.petition_forms import (
    PetitionActionForm,
    PetitionFilterForm,
    PetitionRegisterForm,
)
from maque.workspace.views.sheets import sheet_actions

LIST_PAGE = 30
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
STATE_COLOURS: dict[str, str] = {
    State.REGISTERED: "warning",
    State.ACCEPTED: "primary",
    State.NOT_ACCEPTED: "secondary",
    State.REPLIED: "success",
    State.REVIEW_REQUESTED: "danger",
}


def _limits() -> dict[str, int]:
    return {
        "acceptance_days": limits.ACCEPTANCE_DAYS,
        "handling_days": limits.HANDLING_DAYS,
        "extension_days": limits.MAX_EXTENSION_DAYS,
        "review_days": limits.REVIEW_DAYS,
    }


def _register_opened(request: HttpRequest) -> None:
    if not may_open_register(actor_for(request.user)):
        raise Http404


def _flag(value: bool | None) -> str | None:
    return None if value is None else ("true" if value else "false")


@login_required
def petitions(request: HttpRequest) -> HttpResponse:
    """The register: newest first; the overdue page longest overdue first. Lists mask the
    petitioner's personal data for everyone."""
    _register_opened(request)
    visible = Petition.objects.visible_to(request.user)
    form = PetitionFilterForm(request.GET, villages=register_villages(user=signed_in(request)))
    data = form.cleaned_data if form.is_valid() else {}
    village = data.get("village")
    today = timezone.localdate()
    found = petition_list(
        user=signed_in(request),
        state=data.get("state") or None,
        overdue=form.overdue_value(),
        village=village.pk if village else None,
        q=(data.get("q") or "").strip() or None,
        day=today,
    )
    page = Paginator(found, LIST_PAGE).get_page(request.GET.get("page"))
    counts = dict(visible.values_list("state").annotate(n=Count("pk")).values_list("state", "n"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "workspace/petitions/register.html",
        {
            "form": form,
            "page": page,
            "rows": [
                {
                    **petition_view(p, user=signed_in(request), detail=False, day=today),
                    "colour": STATE_COLOURS[p.state],
                }
                for p in page.object_list
            ],
            "query": query.urlencode(),
            "states": [
                (state, label, counts.get(state, 0), STATE_COLOURS[state])
                for state, label in State.choices
            ],
            "overdue": form.overdue_value() is True,
            "may_register": may_register(actor_for(request.user)),
            "sheet": sheet_actions(
                request,
                "petitions",
                {
                    "state": data.get("state"),
                    "overdue": _flag(form.overdue_value()),
                    "village": village.pk if village else None,
                    "q": (data.get("q") or "").strip(),
                },
            ),
            **_limits(),
        },
    )


def _register_towns(request: HttpRequest) -> Any:
    actor = actor_for(request.user)
    if actor.is_superuser:
        return Town.objects.order_by("name")
    return Town.objects.filter(pk__in=handler_town_ids(actor)).order_by("name")


def _typed(request: HttpRequest) -> dict[str, str]:
    """What was typed so far, when the form is drawn again for another village (a GET)."""
    if request.method == "POST":
        return {}
    return {
        name: request.GET.get(name, "")[:2000]
        for name in request.GET
        if name in PetitionRegisterForm.base_fields
    }


@login_required
def petition_new(request: HttpRequest) -> HttpResponse:
    """The register form (信访登记) for the principal leaders and the leader in charge."""
    towns = _register_towns(request)
    if not towns.exists():
        raise Http404
    # Drawn for a village (a GET with the form's values, or a refused post) the form keeps what
    # was typed and offers that village's households.
    form = PetitionRegisterForm(
        request.POST or None,
        towns=towns,
        villages=Village.objects.filter(town__in=towns, active=True).order_by("name"),
        people=Person.objects.filter(town__in=towns, active=True).order_by("name"),
        initial={"received_on": timezone.localdate(), **_typed(request)},
    )
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            village = data.get("village")
            owner = data.get("owner")
            try:
                petition = petition_register(
                    by=signed_in(request),
                    town=data["town"],
                    channel=data["channel"],
                    received_on=data["received_on"],
                    petitioner_name=data["petitioner_name"],
                    petitioner_phone=data["petitioner_phone"],
                    petitioner_id_number=data["petitioner_id_number"],
                    matter=data["matter"],
                    village=village,
                    household=data.get("household"),
                    owner=owner,
                    stability=data["stability"],
                    via="web",
                )
            except SERVICE_ERRORS as error:
                status = form_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Petition %(code)s registered: decide on acceptance by %(due)s.")
                    % {"code": petition.code, "due": petition.due_on},
                )
                return HttpResponseRedirect(reverse("workspace:petition", args=[petition.code]))
    # Asked for by htmx: the form alone, as the register form does.
    template = (
        "workspace/petitions/register_form.html"
        if is_htmx(request) and request.method != "POST"
        else "workspace/petitions/new.html"
    )
    return render(request, template, {"form": form, **_limits()}, status=status)


def _visible(request: HttpRequest, code: str) -> Petition:
    if len(code) > 30:
        raise Http404
    try:
        return petition_get(user=signed_in(request), code=code)
    except Petition.DoesNotExist:
        raise Http404 from None


def _forms(
    request: HttpRequest, petition: Petition, bound: PetitionActionForm | None = None
) -> list[PetitionActionForm]:
    people = Person.objects.filter(town_id=petition.town_id, active=True).order_by("name")
    forms: list[PetitionActionForm] = []
    for action in lifecycle.available_actions(signed_in(request), petition):
        if bound is not None and bound.action == action:
            forms.append(bound)
            continue
        initial: dict[str, Any] = {"version": petition.version}
        if action == "stability":
            initial["stability"] = not petition.stability
        if action == "assign":
            initial["owner"] = petition.owner_id
        forms.append(PetitionActionForm(action, initial=initial, people=people))
    return forms


def _page(
    request: HttpRequest,
    petition: Petition,
    bound: PetitionActionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    view = petition_view(petition, user=signed_in(request), detail=True)
    unmasked = view["unmasked"]
    timeline = [
        {
            "on": event.on,
            "at": event.created_at,
            "label": lifecycle.ACTION_LABELS.get(event.action, _("registered")),
            "to": State(event.to_state).label,
            "by": event.actor.name if event.actor else event.via,
            "reason": event.reason if unmasked else mask_text(event.reason),
        }
        for event in petition.events.select_related("actor").order_by("created_at", "id")
    ]
    return render(
        request,
        "workspace/petitions/detail.html",
        {
            **view,
            "colour": STATE_COLOURS[petition.state],
            "timeline": timeline,
            "notices": list(petition.notices.order_by("created_at", "id")),
            "forms": _forms(request, petition, bound),
            **_limits(),
        },
        status=status,
    )


@login_required
def petition_detail(request: HttpRequest, code: str) -> HttpResponse:
    return _page(request, _visible(request, code))


@login_required
@require_POST
def petition_act(request: HttpRequest, code: str, action: str) -> HttpResponse:
    petition = _visible(request, code)
    if action not in lifecycle.ACTION_SERVICES:
        raise Http404
    offered = {form.action: form for form in _forms(request, petition)}
    if action not in offered:
        # The refusal function says why, in words (the same one the API answers with).
        try:
            lifecycle.PETITIONS.check(actor_for(request.user), petition, action)
        except SERVICE_ERRORS as error:
            messages.error(request, str(getattr(error, "message", error)))
        else:
            messages.error(request, _("This action is not possible now."))
        return HttpResponseRedirect(reverse("workspace:petition", args=[petition.code]))
    template = offered[action]
    form = PetitionActionForm(
        action,
        request.POST,
        people=template.fields["owner"].queryset if "owner" in template.fields else None,  # type: ignore[attr-defined]
    )
    status = 422
    if form.is_valid():
        try:
            lifecycle.ACTION_SERVICES[action](
                petition=petition,
                by=signed_in(request),
                version=form.cleaned_data["version"],
                via="web",
                **form.service_arguments(),
            )
        except SERVICE_ERRORS as error:
            status = form_errors(form, error)
        else:
            messages.success(request, _("Done: %(action)s.") % {"action": form.label})
            return HttpResponseRedirect(reverse("workspace:petition", args=[petition.code]))
    return _page(request, _visible(request, code), form, status=status)


@login_required
def petition_notice(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """An issued notice as a Word document, as issued (its hash is checked)."""
    petition = _visible(request, code)
    try:
        notice = notice_get(user=signed_in(request), petition=petition, notice_id=pk)
    except PetitionNotice.DoesNotExist:
        raise Http404 from None
    try:
        content = notice_docx(notice)
    except TamperedNoticeError:
        messages.error(request, _("This notice no longer matches what was issued."))
        return HttpResponseRedirect(reverse("workspace:petition", args=[petition.code]))
    response = HttpResponse(content, content_type=DOCX_TYPE)
    response["Content-Disposition"] = (
        content_disposition_header(True, f"{notice.code}.docx") or "attachment"
    )
    return response
