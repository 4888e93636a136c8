"""Screens of the rhythm (design §5): the inbox (消息), the bulletins list (通报), scores (考评) and
accountability cases (问责).

Reads come from the apps' queries (their `visible_to` scoping), writes from their services.
Accountability is confidential: to anyone but the discipline commission and the principal
leaders, its screens do not exist (404), exactly like a case id that does not exist.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from maque.accountability.lifecycle import next_statuses
from maque.accountability.models import AccountabilityCase, Rule, Status
from maque.accountability.queries import case_get, case_list, may_see_cases
from maque.accountability.services import case_change_status, case_open
from maque.bulletins.queries import bulletin_list
from maque.bulletins.services import bulletin_issue
from maque.ledger.definitions import rate_text
from maque.ledger.errors import ConflictError, NotPermitted
from maque.notifications.models import Notification
from maque.notifications.queries import notification_list, unread_count
from maque.notifications.services import notification_read, notifications_read_all
from maque.organisation.access import actor_for
from maque.organisation.models import Person, Village
from maque.rhythm.models import rhythm_settings
from maque.supervision.queries import scores_visible
from maque.supervision.scoring import period_of, period_parse, previous_period
from maque.workspace import rhythm_access
from maque.workspace.forms import add_service_errors, style
from maque.workspace.rhythm_forms import CaseFilterForm, CaseOpenForm, CaseStatusForm

INBOX_PAGE = 30
LIST_PAGE = 30


def _back(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or default
    return target if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}) else default


# --- 消息: the inbox --------------------------------------------------------------------------


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """My notifications, unread first, newest first within each; `?unread=1` shows only unread."""
    only_unread = request.GET.get("unread") == "1"
    notifications = notification_list(user=request.user, unread=True if only_unread else None)
    notifications = notifications.annotate(
        unread_first=Case(When(read_at__isnull=True, then=Value(0)), default=Value(1), output_field=IntegerField())
    ).order_by("unread_first", "-created_at", "-id")
    page = Paginator(notifications, INBOX_PAGE).get_page(request.GET.get("page"))
    return render(request, "workspace/rhythm/inbox.html", {
        "page": page, "only_unread": only_unread, "unread": unread_count(user=request.user),
    })


@login_required
def inbox_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Open a notification: mark it read and follow its link (a local link only)."""
    try:
        notification = notification_read(notification_id=pk, user=request.user)
    except Notification.DoesNotExist:
        raise Http404 from None
    link = notification.link
    if link and link.startswith("/") and url_has_allowed_host_and_scheme(link, allowed_hosts={request.get_host()}):
        return HttpResponseRedirect(link)
    return HttpResponseRedirect(reverse("workspace:inbox"))


@login_required
@require_POST
def inbox_read(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        notification_read(notification_id=pk, user=request.user)
    except Notification.DoesNotExist:
        raise Http404 from None
    return HttpResponseRedirect(_back(request, reverse("workspace:inbox")))


@login_required
@require_POST
def inbox_read_all(request: HttpRequest) -> HttpResponse:
    marked = notifications_read_all(user=request.user)
    messages.success(request, _("%(count)d notifications marked read.") % {"count": marked})
    return HttpResponseRedirect(_back(request, reverse("workspace:inbox")))


# --- 通报: the bulletins ----------------------------------------------------------------------


@login_required
def bulletins(request: HttpRequest) -> HttpResponse:
    page = Paginator(bulletin_list(user=request.user), LIST_PAGE).get_page(request.GET.get("page"))
    return render(request, "workspace/rhythm/bulletins.html", {
        "page": page, "may_issue": rhythm_access.may_issue_bulletins(actor_for(request.user)),
    })


@login_required
@require_POST
def bulletin_issue_now(request: HttpRequest) -> HttpResponse:
    """Issue today's bulletin by hand (the schedule issues it each working day anyway)."""
    town = rhythm_access.staff_town(actor_for(request.user))
    if town is None:
        raise Http404
    try:
        bulletin = bulletin_issue(town=town, by=request.user)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    except (ConflictError, NotPermitted) as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Bulletin %(code)s issued.") % {"code": bulletin.code})
        return HttpResponseRedirect(reverse("bulletins:page", args=[bulletin.pk]))
    return HttpResponseRedirect(reverse("workspace:bulletins"))


# --- 考评: scores ----------------------------------------------------------------------------


@login_required
def scores(request: HttpRequest) -> HttpResponse:
    """Ranking of the villages (or owners) for a period, each with the lines that make its score."""
    actor = actor_for(request.user)
    town = rhythm_access.staff_town(actor)
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
        error = _("“%(typed)s” is not a period: write a month such as 2026-11 or 2026年11月, a quarter such as 2026-Q4, or a week such as 2026-W47.") % {"typed": typed[:40]}
        period = ""
    if subject not in ("village", "owner"):
        subject = "village"
    # After a mistake nothing is ranked: another period's figures under the error would mislead.
    rows = scores_visible(user=request.user, town=town, period=period, subject=subject) if period else []
    for row in rows:  # a rate reads as a percentage (32.8%), not as the ratio the formula uses
        for line in row["breakdown"]:
            if line["rule"].endswith("rate"):
                line["count"] = rate_text(round(float(line["count"]) * 100, 1))
    earlier = [period or current]
    for _step in range(5):
        earlier.append(previous_period(earlier[-1], kind))
    return render(request, "workspace/rhythm/scores.html", {
        "town": town, "period": period, "typed": typed if error else period, "subject": subject, "rows": rows,
        "error": error, "periods": earlier, "current": current, "town_wide": rhythm_access.sees_town(actor),
        "month_picker": kind == "month",
    })


# --- 问责: accountability (confidential) ------------------------------------------------------


def _cases_or_404(request: HttpRequest) -> None:
    """Anyone who may not know that cases exist gets the answer for a page that does not exist."""
    if not rhythm_access.may_see_cases_anywhere(actor_for(request.user)):
        raise Http404


@login_required
def cases(request: HttpRequest) -> HttpResponse:
    _cases_or_404(request)
    form = CaseFilterForm(request.GET, villages=Village.objects.visible_to(request.user).order_by("name"))
    form.is_valid()
    data = form.cleaned_data if form.is_bound else {}
    village = data.get("village")
    found = case_list(
        user=request.user, status=data.get("status") or None, rule=data.get("rule") or None,
        village=village.pk if village else None, q=data.get("q") or None,
    )
    page = Paginator(found, LIST_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "workspace/rhythm/cases.html", {"form": form, "page": page, "query": query.urlencode()})


@login_required
def case_new(request: HttpRequest) -> HttpResponse:
    """Open a case by hand (a lead the rules did not catch), through `case_open`."""
    _cases_or_404(request)
    actor = actor_for(request.user)
    town = rhythm_access.staff_town(actor)
    if town is None or not may_see_cases(request.user, town_id=town.pk):
        raise Http404
    form = CaseOpenForm(
        request.POST or None,
        people=Person.objects.visible_to(request.user).filter(town=town, active=True).order_by("name"),
        villages=Village.objects.visible_to(request.user).filter(town=town, active=True).order_by("name"),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = case_open(town=town, by=request.user, title=data["title"], summary=data["summary"],
                             subject_person=data["subject_person"], village=data["village"])
        except ValidationError as error:
            add_service_errors(form, error)
        except (ConflictError, NotPermitted) as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Case #%(number)d opened.") % {"number": case.number})
            return HttpResponseRedirect(reverse("workspace:case", args=[case.pk]))
    status = 422 if request.method == "POST" else 200
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
        rows.append({
            "label": evidence.label or f"{content_type.name} {evidence.object_id}",
            "kind": str(content_type.name),
            "url": route(evidence.object_id) if route else "",
        })
    return rows


def _next_statuses(request: HttpRequest, case: AccountabilityCase) -> list[tuple[str, str]]:
    """What the case's machine lets this user move it to (moving on first, dismissing last)."""
    return [(to, Status(to).label) for to in next_statuses(request.user, case)]


def _case_page(request: HttpRequest, case: AccountabilityCase, form: CaseStatusForm | None = None,
               status: int = 200) -> HttpResponse:
    choices = _next_statuses(request, case)
    if form is None:
        form = CaseStatusForm(choices=choices, initial={"version": case.version})
    style(form)
    return render(request, "workspace/rhythm/case_detail.html", {
        "case": case, "evidence": _evidence_links(case), "events": list(case.events.all()),
        "form": form if choices else None, "rule_label": Rule(case.rule).label,
    }, status=status)


def _visible_case(request: HttpRequest, pk: int) -> AccountabilityCase:
    _cases_or_404(request)
    try:
        return case_get(user=request.user, case_id=pk)
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
    if form.is_valid():
        data = form.cleaned_data
        try:
            case_change_status(case=case, by=request.user, to=data["to"], note=data["note"],
                               measure=data["measure"], decision=data["decision"], version=data["version"], via="web")
        except ValidationError as error:
            add_service_errors(form, error)
        except (ConflictError, NotPermitted) as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The case is now %(status)s.") % {"status": Status(data["to"]).label})
            return HttpResponseRedirect(reverse("workspace:case", args=[case.pk]))
    return _case_page(request, _visible_case(request, pk), form, status=422)
