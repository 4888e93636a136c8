"""The watch list (走看清单) board and entry pages with their solving-meeting record, the village
diagnosis page (逐村诊断), and the projects' list and pages (偏航).

Reads come from the diagnosis and projects apps' queries (their `visible_to` scoping), writes
from their services; the entry page offers what the entry's machine allows."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from maque.core.lengths import NOTE
from maque.core.users import signed_in
from maque.diagnosis import lifecycle
from maque.diagnosis.dissection import CauseIn, DissectionIn, MeasureIn, ResourceIn, entry_dissect
from maque.diagnosis.models import CauseKind, EntryState, WatchEntry
from maque.diagnosis.queries import (
    INDICATORS,
    dissection_out,
    entry_list,
    subject_label,
    village_diagnosis,
)
from maque.diagnosis.rules import reason_text
from maque.diagnosis.services import entry_act
from maque.meetings.models import Meeting, MeetingKind
from maque.organisation.access import actor_for
from maque.organisation.models import Department, Person, Village
from maque.projects.queries import detail as project_detail
from maque.projects.queries import project_list, sorted_projects
from maque.workspace.forms import style
from maque.workspace.views.errors import SERVICE_ERRORS, form_errors
from maque.workspace.views.sheets import sheet_actions

INDICATOR_LABELS = {
    "closure_rate": gettext_lazy("Closure rate (%)"),
    "overdue_rate": gettext_lazy("Overdue per 100 open"),
    "overdue": gettext_lazy("Overdue"),
    "overdue_15": gettext_lazy("Overdue 15 days or more"),
    "stale_share": gettext_lazy("Open without progress (%)"),
    "returns": gettext_lazy("Returns in two weeks"),
    "open": gettext_lazy("Open items"),
    "petitions_overdue": gettext_lazy("Petitions overdue"),
    "legacy_overdue": gettext_lazy("Legacy matters overdue"),
    "projects_deviation": gettext_lazy("Projects' deviation (points)"),
    "topics_waiting": gettext_lazy("Topics waiting"),
}
# The figures of a category within a village (`rules.category_findings`), on its entry's page.
CATEGORY_LABELS = {
    "category_overdue": gettext_lazy("Overdue in this category"),
    "village_overdue": gettext_lazy("Overdue in the village"),
    "category_share": gettext_lazy("Share of the village's overdue items (%)"),
}
# The trend charts of the diagnosis page, in order.
CHARTED = ("closure_rate", "overdue_rate", "overdue_15", "stale_share")

ACTION_LABELS = {
    "accept": gettext_lazy("Put on the watch list"),
    "dismiss": gettext_lazy("Dismiss"),
    "propose_exit": gettext_lazy("Propose to delist"),
    "exit": gettext_lazy("Delist"),
    "keep": gettext_lazy("Keep on the list"),
}

BOARD = (
    (gettext_lazy("Proposed"), (EntryState.PROPOSED,)),
    (gettext_lazy("Listed"), (EntryState.LISTED, EntryState.EXIT_PROPOSED)),
    (gettext_lazy("Dissected"), (EntryState.DISSECTED,)),
    (gettext_lazy("Exited"), (EntryState.EXITED, EntryState.DISMISSED)),
)


class ActForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        required=False,
        max_length=NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


ROWS = 3


class DissectForm(forms.Form):
    """The solving meeting's record: a few rows of causes, departments and measures."""

    meeting = forms.ModelChoiceField(
        label=gettext_lazy("Solving meeting"), queryset=Meeting.objects.none()
    )
    obstacles = forms.CharField(
        label=gettext_lazy("Obstacles"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    field_walks = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Field walks"), required=False, queryset=Meeting.objects.none()
    )
    reason = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=NOTE)
    version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, entry: WatchEntry, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        meetings = (
            Meeting.objects.visible_to(user).filter(town_id=entry.town_id).order_by("-held_on")
        )
        meeting_field = self.fields["meeting"]
        walks_field = self.fields["field_walks"]
        assert isinstance(meeting_field, forms.ModelChoiceField)
        assert isinstance(walks_field, forms.ModelMultipleChoiceField)
        meeting_field.queryset = meetings.filter(kind=MeetingKind.SOLVING)
        walks_field.queryset = meetings.filter(kind=MeetingKind.FIELD_WALK)
        people = (
            Person.objects.visible_to(user)
            .filter(town_id=entry.town_id, active=True)
            .order_by("name")
        )
        departments = Department.objects.filter(town_id=entry.town_id, active=True).order_by("name")
        for row in range(ROWS):
            self.fields[f"cause_kind_{row}"] = forms.ChoiceField(
                label=_("Kind of cause"), required=False, choices=[("", "—"), *CauseKind.choices]
            )
            self.fields[f"cause_text_{row}"] = forms.CharField(
                label=_("Cause"), required=False, max_length=NOTE
            )
            self.fields[f"department_{row}"] = forms.ModelChoiceField(
                label=_("Department"), required=False, queryset=departments
            )
            self.fields[f"brings_{row}"] = forms.CharField(
                label=_("What it brings"), required=False, max_length=NOTE
            )
            self.fields[f"measure_{row}"] = forms.CharField(
                label=_("Action to take"), required=False, max_length=200
            )
            self.fields[f"owner_{row}"] = forms.ModelChoiceField(
                label=_("Owner"), required=False, queryset=people
            )
            self.fields[f"deadline_{row}"] = forms.DateField(
                label=_("Deadline"), required=False, widget=forms.DateInput(attrs={"type": "date"})
            )
        style(self)

    def rows(self) -> list[dict[str, Any]]:
        return [
            {
                name: self[f"{name}_{row}"]
                for name in (
                    "cause_kind",
                    "cause_text",
                    "department",
                    "brings",
                    "measure",
                    "owner",
                    "deadline",
                )
            }
            for row in range(ROWS)
        ]

    def record(self) -> DissectionIn:
        data = self.cleaned_data
        causes, resources, measures = [], [], []
        for row in range(ROWS):
            if data.get(f"cause_text_{row}") or data.get(f"cause_kind_{row}"):
                causes.append(
                    CauseIn(
                        kind=data.get(f"cause_kind_{row}") or "",
                        text=data.get(f"cause_text_{row}") or "",
                    )
                )
            if data.get(f"department_{row}"):
                resources.append(
                    ResourceIn(
                        department=data[f"department_{row}"], brings=data.get(f"brings_{row}") or ""
                    )
                )
            if data.get(f"measure_{row}"):
                if not data.get(f"owner_{row}") or not data.get(f"deadline_{row}"):
                    raise forms.ValidationError(_("An action needs both an owner and a deadline."))
                measures.append(
                    MeasureIn(
                        text=data[f"measure_{row}"],
                        owner=data[f"owner_{row}"],
                        deadline=data[f"deadline_{row}"],
                    )
                )
        return DissectionIn(
            meeting=data["meeting"],
            causes=causes,
            obstacles=data.get("obstacles") or "",
            resources=resources,
            measures=measures,
            field_walks=list(data.get("field_walks") or []),
        )


def _staff_or_404(request: HttpRequest) -> None:
    actor = actor_for(request.user)
    if not (actor.is_superuser or actor.person is not None):
        raise Http404


def _card(entry: WatchEntry) -> dict[str, Any]:
    return {
        "entry": entry,
        "label": subject_label(entry),
        "reasons": [reason_text(reason) for reason in entry.reasons],
    }


@login_required
def watchlist(request: HttpRequest) -> HttpResponse:
    """The board: proposed, listed (and exits proposed), dissected, exited (and dismissed)."""
    _staff_or_404(request)
    entries = list(entry_list(user=signed_in(request)))
    columns = [
        {"title": title, "cards": [_card(e) for e in entries if e.state in states]}
        for title, states in BOARD
    ]
    return render(request, "workspace/diagnosis/watchlist.html", {"columns": columns})


def _visible_entry(request: HttpRequest, pk: int) -> WatchEntry:
    return get_object_or_404(entry_list(user=signed_in(request)), pk=pk)


def _trend(village: Village | None, user: Any) -> dict[str, Any] | None:
    if village is None:
        return None
    found = village_diagnosis(village=village, user=user, weeks=8)
    return {"diagnosis": found, "charts": _charts(found)}


def _charts(found: dict[str, Any]) -> list[dict[str, Any]]:
    days = [str(week["day"]) for week in found["weeks"]]
    charts = []
    for key in CHARTED:
        charts.append(
            {
                "id": f"trend-{key}",
                "title": str(INDICATOR_LABELS[key]),
                "labels": days,
                "series": [
                    {
                        "name": str(found["village"]["name"]),
                        "data": [
                            w["village"][key] if w["village"] else None for w in found["weeks"]
                        ],
                    },
                    {
                        "name": _("Town median"),
                        "data": [w["town_median"][key] for w in found["weeks"]],
                        "dashed": True,
                    },
                ],
            }
        )
    return charts


def _entry_page(
    request: HttpRequest,
    entry: WatchEntry,
    *,
    act: ActForm | None = None,
    dissect: DissectForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = signed_in(request)
    actor = actor_for(user)
    available = lifecycle.available(actor, entry)
    actions = [(a, ACTION_LABELS[a]) for a in available if a in ACTION_LABELS]
    if act is None:
        act = ActForm(initial={"version": entry.version})
        style(act)
    if dissect is None and "dissect" in available:
        dissect = DissectForm(entry=entry, user=user, initial={"version": entry.version})
    trend = _trend(entry.village, user)
    return render(
        request,
        "workspace/diagnosis/entry.html",
        {
            "entry": entry,
            "card": _card(entry),
            "numbers": _numbers(entry.numbers),
            "events": list(
                entry.events.select_related("by", "by__person").order_by("created_at", "pk")
            ),
            "actions": actions,
            "act": act,
            "dissect": dissect if "dissect" in available else None,
            "record": dissection_out(entry, user=user),
            "trend": trend,
            "charts": trend["charts"] if trend else [],
        },
        status=status,
    )


def _numbers(numbers: dict[str, Any]) -> list[tuple[str, Any]]:
    labels = {**{key: INDICATOR_LABELS[key] for key, _worse in INDICATORS}, **CATEGORY_LABELS}
    return [
        (str(label), numbers[key])
        for key, label in labels.items()
        if key in numbers and numbers[key] is not None
    ]


@login_required
def watch_entry(request: HttpRequest, pk: int) -> HttpResponse:
    return _entry_page(request, _visible_entry(request, pk))


@login_required
@require_POST
def watch_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    entry = _visible_entry(request, pk)
    if action not in ACTION_LABELS:
        raise Http404
    form = ActForm(request.POST)
    style(form)
    status = 422
    if form.is_valid():
        try:
            entry_act(
                entry=entry,
                by=signed_in(request),
                action=action,
                reason=form.cleaned_data["reason"],
                version=form.cleaned_data["version"],
                via="web",
            )
        except SERVICE_ERRORS as error:
            status = form_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return HttpResponseRedirect(reverse("workspace:watch_entry", args=[entry.pk]))
    return _entry_page(request, _visible_entry(request, pk), act=form, status=status)


@login_required
@require_POST
def watch_dissect(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the solving meeting of an entry (its causes, departments, measures, field walks)."""
    entry = _visible_entry(request, pk)
    user = signed_in(request)
    form = DissectForm(request.POST, entry=entry, user=user)
    status = 422
    if form.is_valid():
        try:
            record = form.record()
            entry_dissect(
                entry=entry,
                by=user,
                record=record,
                reason=form.cleaned_data["reason"],
                version=form.cleaned_data["version"],
                via="web",
            )
        except forms.ValidationError as invalid:
            status = form_errors(form, invalid)
        except SERVICE_ERRORS as error:
            status = form_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return HttpResponseRedirect(reverse("workspace:watch_entry", args=[entry.pk]))
        style(form)
    return _entry_page(request, _visible_entry(request, pk), dissect=form, status=status)


@login_required
def village_diagnosis_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A village's indicators against the town's median, their 8-week trend, what drives them."""
    user = signed_in(request)
    village = get_object_or_404(Village.objects.visible_to(user), pk=pk)
    found = village_diagnosis(village=village, user=user, weeks=8)
    indicators = [{**row, "label": INDICATOR_LABELS[row["key"]]} for row in found["indicators"]]
    return render(
        request,
        "workspace/diagnosis/village.html",
        {
            "village": village,
            "found": found,
            "indicators": indicators,
            "charts": _charts(found) if found["day"] else [],
        },
    )


@login_required
def projects(request: HttpRequest) -> HttpResponse:
    """The projects the user may read, sortable by deviation (most behind first)."""
    _staff_or_404(request)
    sort = request.GET.get("sort", "-deviation")
    if sort not in ("code", "deviation", "-deviation"):
        sort = "-deviation"
    rows = sorted_projects(user=signed_in(request), sort=sort)
    return render(
        request,
        "workspace/diagnosis/projects.html",
        {
            "rows": rows,
            "sort": sort,
            "today": timezone.localdate(),
            "sheet": sheet_actions(request, "projects"),
        },
    )


@login_required
def project(request: HttpRequest, code: str) -> HttpResponse:
    user = signed_in(request)
    found = get_object_or_404(project_list(user=user), code=code)
    body = project_detail(found, user=user)
    curve = {
        "id": "project-curve",
        "title": _("Planned and actual progress (%)"),
        "labels": [str(point["day"]) for point in body["curve"]],
        "series": [
            {"name": _("Planned"), "data": [p["planned"] for p in body["curve"]], "dashed": True},
            {"name": _("Actual"), "data": [p["actual"] for p in body["curve"]]},
        ],
    }
    timeline = {
        "id": "project-timeline",
        "kind": "timeline",
        "title": _("Milestones"),
        "labels": [m["title"] for m in body["milestones"]],
        "starts": [str(m["planned_start"]) for m in body["milestones"]],
        "finishes": [str(m["planned_on"]) for m in body["milestones"]],
        "done": [m["percent"] for m in body["milestones"]],
    }
    return render(
        request,
        "workspace/diagnosis/project.html",
        {"project": found, "body": body, "charts": [curve, timeline]},
    )
