"""Inspections (督查): biweekly rounds with their sample grouped by village, findings recorded by
the inspection group, the round report, and look-backs (回头看).

Reads start from the supervision models' `visible_to` (the town-wide roles); every write goes
through `supervision.services`, which changes items only through the ledger's lifecycle.
"""

from __future__ import annotations

from itertools import groupby
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from maque.core.users import signed_in
from maque.ledger.definitions import rate
from maque.ledger.models import Category
from maque.organisation.access import Actor, actor_for
from maque.organisation.models import Person, Town, Village
from maque.supervision.models import (
    FindingPhoto,
    InspectionRound,
    InspectionSample,
    Outcome,
    Review,
    ReviewCheck,
    ReviewScope,
)
from maque.supervision.policies import reviewable_villages
from maque.supervision.queries import round_report
from maque.supervision.services import (
    finding_new_problem,
    finding_record,
    review_open,
    review_record,
    round_close,
    round_open,
)
from maque.workspace.views import navigation
from maque.workspace.views.common import inline_file, is_htmx
from maque.workspace.views.errors import SERVICE_ERRORS, flash_errors, form_errors
from maque.workspace.views.rhythm_forms import (
    FindingForm,
    ProblemForm,
    ReviewCheckForm,
    ReviewOpenForm,
)

PAGE_SIZE = 20
# Up to this many sampled items, every village is shown open; beyond, one village at a time.
SMALL_SAMPLE = 20


# --- rounds -----------------------------------------------------------------------------------


@login_required
def rounds(request: HttpRequest) -> HttpResponse:
    found = (
        InspectionRound.objects.visible_to(request.user)
        .select_related("town")
        .annotate(
            sampled=Count("samples", distinct=True),
            recorded=Count("findings", filter=Q(findings__sample__isnull=False), distinct=True),
            new_problems=Count(
                "findings", filter=Q(findings__outcome=Outcome.NEW_PROBLEM), distinct=True
            ),
        )
        .order_by("-opened_on", "-number")
    )
    actor = actor_for(request.user)
    town = navigation.staff_town(actor)
    reviews = (
        Review.objects.visible_to(request.user)
        .select_related("category")
        .annotate(
            total=Count("checks"),
            pending=Count("checks", filter=Q(checks__outcome=ReviewCheck.Outcome.PENDING)),
            relapses=Count("checks", filter=Q(checks__outcome=ReviewCheck.Outcome.RELAPSE)),
            behind=Count("checks", filter=Q(checks__outcome=ReviewCheck.Outcome.BEHIND)),
        )
        .select_related("village")
        .order_by("-opened_on", "-id")[:20]
    )
    may_inspect = town is not None and navigation.may_inspect(actor, town.pk)
    context: dict[str, Any] = {
        "page": Paginator(found, PAGE_SIZE).get_page(request.GET.get("page")),
        "reviews": reviews,
        "may_inspect": may_inspect,
        "sees_rounds": navigation.sees_town(actor),
    }
    if town is not None and navigation.may_review_somewhere(actor, town.pk):
        context["review_form"] = _review_form(actor, town)
    return render(request, "workspace/rhythm/rounds.html", context)


def _review_form(actor: Actor, town: Town, data: Any = None) -> ReviewOpenForm:
    """The look-back form: the whole town or any village for inspectors, a contact leader's own
    villages for them."""
    whole_town = navigation.may_inspect(actor, town.pk)
    villages = Village.objects.filter(town=town).order_by("name")
    if not whole_town:
        villages = villages.filter(pk__in=reviewable_villages(actor))
    return ReviewOpenForm(
        data,
        categories=Category.objects.filter(town=town, active=True)
        .select_related("campaign")
        .order_by("campaign__order", "order"),
        villages=villages,
        whole_town=whole_town,
    )


@login_required
@require_POST
def round_new(request: HttpRequest) -> HttpResponse:
    """Open a round now, with the town's sampling settings."""
    actor = actor_for(request.user)
    town = navigation.staff_town(actor)
    if town is None:
        messages.error(request, _("Only a member of staff with a role in the town can do this."))
        return HttpResponseRedirect(reverse("workspace:inspections"))
    try:
        opened = round_open(town=town, by=signed_in(request))
    except SERVICE_ERRORS as error:
        flash_errors(request, error)
        return HttpResponseRedirect(reverse("workspace:inspections"))
    messages.success(
        request,
        _("Round %(number)d opened with %(count)d items sampled.")
        % {"number": opened.number, "count": opened.samples.count()},
    )
    return HttpResponseRedirect(reverse("workspace:inspection", args=[opened.pk]))


def _visible_round(request: HttpRequest, pk: int) -> InspectionRound:
    return get_object_or_404(
        InspectionRound.objects.visible_to(request.user).select_related("town", "opened_by"), pk=pk
    )


def _round_page(
    request: HttpRequest,
    inspection_round: InspectionRound,
    *,
    bound: dict[int, FindingForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    actor = actor_for(request.user)
    may_record = navigation.may_inspect(actor, inspection_round.town_id) and (
        inspection_round.status == InspectionRound.Status.OPEN
    )
    bound = bound or {}
    samples = (
        inspection_round.samples.select_related(
            "item", "item__owner", "village", "finding", "finding__inspector"
        )
        .prefetch_related("finding__photos")
        .order_by("village__name", "item__code")
    )
    groups = []
    for village, rows in groupby(samples, key=lambda sample: sample.village):
        entries: list[dict[str, Any]] = []
        for sample in rows:
            finding = getattr(sample, "finding", None)
            # A refused attempt shows its form and messages even to someone not offered the form.
            form = bound.get(sample.pk)
            if form is None and may_record and finding is None:
                form = FindingForm(prefix=f"s{sample.pk}")
            entries.append({"sample": sample, "finding": finding, "form": form})
        groups.append(
            {
                "village": village,
                "entries": entries,
                "open": sum(1 for entry in entries if entry["finding"] is None),
                "expanded": str(village.pk) == request.GET.get("village")
                or any(sample_pk in bound for sample_pk in (e["sample"].pk for e in entries)),
            }
        )
    if sum(len(group["entries"]) for group in groups) <= SMALL_SAMPLE:
        for group in groups:
            group["expanded"] = True
    new_problems = (
        inspection_round.findings.filter(outcome=Outcome.NEW_PROBLEM)
        .select_related("item", "village", "inspector")
        .order_by("created_at")
    )
    return render(
        request,
        "workspace/rhythm/round_detail.html",
        {
            "round": inspection_round,
            "groups": groups,
            "report": round_report(round=inspection_round),
            "new_problems": new_problems,
            "may_record": may_record,
            "may_close": may_record,
        },
        status=status,
    )


def _problem_form(
    request: HttpRequest,
    inspection_round: InspectionRound,
    data: Any = None,
    initial: dict[str, Any] | None = None,
) -> ProblemForm:
    town = inspection_round.town
    return ProblemForm(
        data,
        categories=Category.objects.filter(town=town, active=True, campaign__active=True)
        .select_related("campaign")
        .order_by("campaign__order", "order", "name"),
        villages=Village.objects.visible_to(request.user)
        .filter(town=town, active=True)
        .order_by("name"),
        people=Person.objects.visible_to(request.user)
        .filter(town=town, active=True)
        .order_by("name"),
        initial=initial,
    )


@login_required
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _round_page(request, _visible_round(request, pk))


@login_required
def round_report_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The round report alone: pass rates per village, printable."""
    inspection_round = _visible_round(request, pk)
    report = round_report(round=inspection_round)
    totals = {
        key: sum(row[key] for row in report)
        for key in ("sampled", "inspected", "passed", "inadequate", "false_close", "new_problems")
    }
    totals["pass_rate"] = rate(totals["passed"], totals["inspected"])
    return render(
        request,
        "workspace/rhythm/round_report.html",
        {"round": inspection_round, "report": report, "totals": totals},
    )


@login_required
@require_POST
def round_finding(request: HttpRequest, pk: int, sample_pk: int) -> HttpResponse:
    """Record pass / inadequate / false close-out on one sampled item."""
    inspection_round = _visible_round(request, pk)
    sample = get_object_or_404(
        InspectionSample.objects.select_related("round__town", "item"),
        pk=sample_pk,
        round=inspection_round,
    )
    form = FindingForm(request.POST, request.FILES, prefix=f"s{sample.pk}")
    status = 422
    if form.is_valid():
        try:
            finding = finding_record(
                sample=sample,
                by=signed_in(request),
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["note"],
                photos=form.cleaned_data["photos"],
            )
        except SERVICE_ERRORS as error:
            status = form_errors(form, error)
        else:
            if is_htmx(request):
                # Recorded in place: only this sample's row changes on the inspector's phone.
                return _sample_row(request, inspection_round, sample.pk, just_recorded=True)
            messages.success(
                request,
                _("%(code)s: %(outcome)s recorded.")
                % {"code": sample.item.code, "outcome": finding.get_outcome_display()},
            )
            return HttpResponseRedirect(
                reverse("workspace:inspection", args=[pk])
                + f"?village={sample.village_id}#sample-{sample.pk}"
            )
    if is_htmx(request):
        return _sample_row(request, inspection_round, sample.pk, form=form, status=status)
    return _round_page(request, _visible_round(request, pk), bound={sample.pk: form}, status=status)


def _sample_row(
    request: HttpRequest,
    inspection_round: InspectionRound,
    sample_pk: int,
    *,
    form: FindingForm | None = None,
    just_recorded: bool = False,
    status: int = 200,
) -> HttpResponse:
    """One sampled item's row of the round page: its finding, or the form (with its errors)."""
    sample = (
        InspectionSample.objects.select_related("item", "item__owner", "village", "finding")
        .prefetch_related("finding__photos")
        .get(pk=sample_pk)
    )
    entry = {"sample": sample, "finding": getattr(sample, "finding", None), "form": form}
    return render(
        request,
        "workspace/rhythm/sample_row.html",
        {"entry": entry, "round": inspection_round, "just_recorded": just_recorded},
        status=status,
    )


@login_required
def finding_photo(request: HttpRequest, pk: int) -> FileResponse:
    """A finding's photo, to those who may read the round (the town-wide roles)."""
    photo = get_object_or_404(FindingPhoto.objects.visible_to(request.user), pk=pk)
    return inline_file(photo)


@login_required
def round_problem(request: HttpRequest, pk: int) -> HttpResponse:
    """A new problem found in the field becomes a new item of the village (source: inspection).

    Choosing the category or the village re-renders the form with the category's own fields."""
    inspection_round = _visible_round(request, pk)
    if request.method != "POST":
        if not navigation.may_inspect(actor_for(request.user), inspection_round.town_id):
            raise PermissionDenied
        form = _problem_form(request, inspection_round, initial=request.GET.dict())
        template = (
            "workspace/rhythm/problem_form.html"
            if is_htmx(request)
            else "workspace/rhythm/problem.html"
        )
        return render(request, template, {"round": inspection_round, "form": form})
    form = _problem_form(request, inspection_round, request.POST)
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        category = data["category"]
        try:
            finding = finding_new_problem(
                round=inspection_round,
                by=signed_in(request),
                village=data["village"],
                campaign=category.campaign,
                category=category,
                title=data["title"],
                note=data["description"],
                owner=data["owner"],
                deadline=data["deadline"],
                attributes=form.attributes(),
            )
        except SERVICE_ERRORS as error:
            status = form_errors(form, error)
        else:
            messages.success(
                request, _("New problem registered as %(code)s.") % {"code": finding.item.code}
            )
            return HttpResponseRedirect(
                reverse("workspace:inspection", args=[pk]) + "#new-problems"
            )
    return render(
        request,
        "workspace/rhythm/problem.html",
        {"round": inspection_round, "form": form},
        status=status,
    )


@login_required
@require_POST
def round_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    inspection_round = _visible_round(request, pk)
    try:
        round_close(round=inspection_round, by=signed_in(request))
    except SERVICE_ERRORS as error:
        flash_errors(request, error)
    else:
        messages.success(
            request, _("Round %(number)d closed.") % {"number": inspection_round.number}
        )
    return HttpResponseRedirect(reverse("workspace:inspection", args=[pk]))


# --- look-backs (回头看) ----------------------------------------------------------------------


@login_required
@require_POST
def review_new(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    town = navigation.staff_town(actor)
    if town is None:
        raise PermissionDenied
    form = _review_form(actor, town, request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, _("Look-back: %(error)s") % {"error": error})
        return HttpResponseRedirect(reverse("workspace:inspections") + "#reviews")
    try:
        review = review_open(
            by=signed_in(request),
            town=town,
            scope=form.cleaned_data["scope"] or ReviewScope.QUALITY,
            village=form.cleaned_data["village"],
            category=form.cleaned_data["category"],
            note=form.cleaned_data["note"],
        )
    except SERVICE_ERRORS as error:
        flash_errors(request, error)
        return HttpResponseRedirect(reverse("workspace:inspections") + "#reviews")
    messages.success(
        request,
        (
            _("Look-back opened: %(count)d closed items to check again.")
            if review.scope == ReviewScope.QUALITY
            else _("Look-back opened: %(count)d items in work to check on.")
        )
        % {"count": review.checks.count()},
    )
    return HttpResponseRedirect(reverse("workspace:review", args=[review.pk]))


def _visible_review(request: HttpRequest, pk: int) -> Review:
    return get_object_or_404(
        Review.objects.visible_to(request.user).select_related(
            "category", "town", "village", "opened_by__person"
        ),
        pk=pk,
    )


def _review_page(
    request: HttpRequest,
    review: Review,
    *,
    bound: dict[int, ReviewCheckForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    may_record = navigation.may_review(actor_for(request.user), review.town_id, review.village_id)
    bound = bound or {}
    checks = review.checks.select_related("item", "item__owner", "village", "checked_by").order_by(
        "village__name", "item__code"
    )
    groups = []
    for village, rows in groupby(checks, key=lambda check: check.village):
        entries: list[dict[str, Any]] = []
        for check in rows:
            form = bound.get(check.pk)
            if form is None and may_record and check.outcome == ReviewCheck.Outcome.PENDING:
                form = ReviewCheckForm(prefix=f"c{check.pk}", scope=review.scope)
            entries.append({"check": check, "form": form})
        groups.append(
            {
                "village": village,
                "entries": entries,
                "relapses": sum(
                    1 for e in entries if e["check"].outcome == ReviewCheck.Outcome.RELAPSE
                ),
                "behind": sum(
                    1 for e in entries if e["check"].outcome == ReviewCheck.Outcome.BEHIND
                ),
                "pending": sum(
                    1 for e in entries if e["check"].outcome == ReviewCheck.Outcome.PENDING
                ),
                "expanded": str(village.pk) == request.GET.get("village")
                or any(check_pk in bound for check_pk in (e["check"].pk for e in entries)),
            }
        )
    if sum(len(group["entries"]) for group in groups) <= SMALL_SAMPLE:
        for group in groups:
            group["expanded"] = True
    return render(
        request,
        "workspace/rhythm/review_detail.html",
        {"review": review, "groups": groups, "may_record": may_record},
        status=status,
    )


@login_required
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _review_page(request, _visible_review(request, pk))


@login_required
@require_POST
def review_check(request: HttpRequest, pk: int, check_pk: int) -> HttpResponse:
    review = _visible_review(request, pk)
    check = get_object_or_404(
        ReviewCheck.objects.select_related("review__town", "item"), pk=check_pk, review=review
    )
    form = ReviewCheckForm(request.POST, prefix=f"c{check.pk}", scope=review.scope)
    status = 422
    if form.is_valid():
        try:
            done = review_record(
                check=check,
                by=signed_in(request),
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["note"],
            )
        except SERVICE_ERRORS as error:
            status = form_errors(form, error)
        else:
            messages.success(
                request,
                _("%(code)s: %(outcome)s recorded.")
                % {"code": check.item.code, "outcome": done.get_outcome_display()},
            )
            return HttpResponseRedirect(
                reverse("workspace:review", args=[pk])
                + f"?village={check.village_id}#check-{check.pk}"
            )
    return _review_page(request, review, bound={check.pk: form}, status=status)
