"""Meetings (会议): the list, a meeting's page (attendance, minutes, decisions and their action
items, files, the weekly diagnosis's indicator pack; of a meeting that counts, its roll, agenda
and resolutions: `meeting_counting`, written through `meeting_votes`), recording a meeting, completing a drafted
one (the weekly diagnosis) and amending a held one's record.

Reads start from `meeting_list` (the meetings' `visible_to`); writes go through
`meetings.services` (`meeting_create`, `meeting_record`, `meeting_file_add`), which check the organiser again.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from maque.core.users import signed_in
from maque.ledger.models import Item
from maque.ledger.queries import with_indicators
from maque.meetings.models import Meeting, MeetingFile, MeetingKind
from maque.meetings.queries import meeting_list
from maque.meetings.services import (
    AMEND_PREFIX,
    DecisionIn,
    may_record,
    meeting_create,
    meeting_file_add,
    meeting_record,
)
from maque.organisation.access import actor_for
from maque.organisation.models import Person, Village
from maque.workspace.views import navigation
from maque.workspace.views.counting_forms import AttendanceForm, ResolutionForm
from maque.workspace.views.errors import SERVICE_ERRORS, ServiceError, flash_errors, form_errors
from maque.workspace.views.meeting_counting import counting_context
from maque.workspace.views.rhythm_forms import (
    DecisionForms,
    MeetingFileForm,
    MeetingFilterForm,
    MeetingForm,
    MeetingRecordForm,
)

PAGE_SIZE = 20
# The diagnosis's indicators: key, label, and whether a rise is bad (True), good (False) or neither (None).
INDICATORS = (
    ("found", gettext_lazy("Found"), None),
    ("closed", gettext_lazy("Closed"), False),
    ("overdue", gettext_lazy("Overdue"), True),
    ("returned", gettext_lazy("Returned"), True),
    ("stale", gettext_lazy("No progress"), True),
    ("closure_rate", gettext_lazy("Closure rate %"), False),
)
DECISION_KEY = re.compile(r"^decisions\[(\d+)\](?:\.(\w+))?$")


@login_required
def meetings(request: HttpRequest) -> HttpResponse:
    villages = Village.objects.visible_to(request.user).order_by("name")
    form = MeetingFilterForm(request.GET, villages=villages)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    village = data.get("village")
    found = meeting_list(
        user=request.user, kind=data.get("kind") or None, village=village.pk if village else None
    )
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "workspace/rhythm/meetings.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "may_record": navigation.may_organise_meetings(actor_for(request.user)),
        },
    )


def _week(value: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


def _cell(
    key: str, this: float | None, last: float | None, worse_when_up: bool | None
) -> dict[str, Any]:
    """One indicator of a village; a rate with nothing to rate reads "—" and has no trend."""
    if this is None or last is None:
        return {
            "key": key,
            "this": "—" if this is None else this,
            "last": "—" if last is None else last,
            "worse_when_up": None,
        }
    return {"key": key, "this": this, "last": last, "worse_when_up": worse_when_up}


def _share(value: Any) -> str:
    return "—" if value is None else f"{round(float(value) * 100)}%"


def _days(value: Any) -> str:
    return "—" if value is None else f"{float(value):g}"


def _topic_cells(figures: dict[str, Any]) -> dict[str, Any]:
    """The week's topic figures of a village as the pack's topic table shows them."""
    concern = figures.get("by_concern", {})
    return {
        "topics": figures.get("topics", 0),
        "concern": "/".join(
            str(concern.get(key, 0)) for key in ("urgent", "difficult", "worrying", "hoped_for")
        ),
        "track": "/".join(
            str(figures.get("by_track", {}).get(key, 0)) for key in ("quick", "joint", "concerted")
        ),
        "accept": _days(figures.get("median_days_to_accept")),
        "answer": _days(figures.get("median_days_to_answer")),
        "in_time": _share(figures.get("answered_in_time_rate")),
        "satisfaction": _share(figures.get("satisfaction_rate")),
    }


def indicator_table(pack: dict[str, Any]) -> dict[str, Any]:
    """The stored indicator pack as rows of (village, [(label, this, last, worse_when_up)…])."""
    rows = []
    for entry in pack.get("villages", []):
        this, last = entry.get("this", {}), entry.get("last", {})
        rows.append(
            {
                "village_id": entry.get("village_id"),
                "village": entry.get("village", ""),
                "cells": [
                    _cell(key, this.get(key, 0), last.get(key, 0), worse)
                    for key, _label, worse in INDICATORS
                ],
            }
        )
    this_week, last_week = (
        pack.get("this_week") or [None, None],
        pack.get("last_week") or [None, None],
    )
    topics = [
        {"village": entry.get("village", ""), **_topic_cells(entry["topics"])}
        for entry in pack.get("villages", [])
        if entry.get("topics")
    ]
    return {
        "topics": topics,
        "headers": [label for _key, label, _worse in INDICATORS],
        "rows": rows,
        "this_week": [_week(v) for v in this_week],
        "last_week": [_week(v) for v in last_week],
        "town_closure_rate": pack.get("town_closure_rate"),
        "candidates": pack.get("watch_candidates", []),
    }


@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_object_or_404(meeting_list(user=request.user), pk=pk)
    return detail_page(request, meeting)


def detail_page(
    request: HttpRequest,
    meeting: Meeting,
    *,
    record: tuple[MeetingRecordForm, Any] | None = None,
    attendance: AttendanceForm | None = None,
    resolution: ResolutionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    decisions = list(meeting.decisions.all())
    # An action item is linked only for those who may open it; others see its text.
    item_ids = [d.item_id for d in decisions if d.item_id]
    items = {
        item.pk: item
        for item in with_indicators(
            Item.objects.visible_to(request.user).filter(pk__in=item_ids)
        ).select_related("owner", "village")
    }
    actor = actor_for(request.user)
    context = {
        "meeting": meeting,
        "decisions": [
            {"decision": d, "item": items.get(d.item_id) if d.item_id else None} for d in decisions
        ],
        "files": list(meeting.files.all()),
        "may_add_files": navigation.may_organise_meetings(actor),
        "file_form": MeetingFileForm(),
        "is_diagnosis": meeting.kind == MeetingKind.DIAGNOSIS,
        "amendments": amendments(meeting),
    }
    if meeting.indicators:
        context["pack"] = indicator_table(meeting.indicators)
    recorder = may_record(by=signed_in(request), meeting=meeting)
    context.update(
        counting_context(
            request, meeting, may_record=recorder, attendance=attendance, resolution=resolution
        )
    )
    if record is None and recorder:
        record = _record_forms(request, meeting)
    if record is not None:
        context["record_form"], context["record_decisions"] = record
        context["amending"] = meeting.status == Meeting.Status.HELD
    return render(request, "workspace/rhythm/meeting_detail.html", context, status=status)


def amendments(meeting: Meeting) -> list[dict[str, Any]]:
    """The corrections of a held meeting's record, oldest first: when, by whom, why, and the
    minutes as they read before (when the correction changed them)."""
    rows = list(
        meeting.history.select_related("history_user__person").order_by(
            "history_date", "history_id"
        )
    )
    found = []
    for before, row in zip(rows, rows[1:], strict=False):
        reason = row.history_change_reason or ""
        if not reason.startswith(AMEND_PREFIX):
            continue
        user = row.history_user
        person = getattr(user, "person", None) if user is not None else None
        found.append(
            {
                "at": row.history_date,
                "by": person.name
                if person is not None
                else (user.get_username() if user is not None else ""),
                "reason": reason.removeprefix(AMEND_PREFIX),
                "minutes_before": before.minutes if before.minutes != row.minutes else None,
            }
        )
    return found


def _record_forms(
    request: HttpRequest, meeting: Meeting, data: Any = None
) -> tuple[MeetingRecordForm, Any]:
    """The form completing a drafted meeting or amending a held one, with empty decisions to add."""
    current = [
        p.pk for p in (meeting.host, meeting.recorder, *meeting.attendees.all()) if p is not None
    ]
    people = (
        Person.objects.visible_to(request.user)
        .filter(town=meeting.town)
        .filter(Q(active=True) | Q(pk__in=current))
        .order_by("name")
    )
    villages = (
        Village.objects.visible_to(request.user)
        .filter(town=meeting.town, active=True)
        .order_by("name")
    )
    amending = meeting.status == Meeting.Status.HELD
    initial: dict[str, Any] = {
        "seen": meeting.status,
        "held_on": meeting.held_on,
        "place": meeting.place,
        "host": meeting.host,
        "recorder": meeting.recorder or (None if amending else actor_for(request.user).person),
        "attendees": list(meeting.attendees.all()),
        "attendee_count": meeting.attendee_count or None,
        "expected_count": meeting.expected_count,
        "minutes": meeting.minutes,
    }
    return (
        MeetingRecordForm(data, people=people, amending=amending, initial=initial),
        DecisionForms(data, prefix="decisions", villages=villages, people=people),
    )


@login_required
@require_POST
def meeting_record_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Complete a drafted meeting (it becomes held) or amend a held one's record."""
    meeting = get_object_or_404(meeting_list(user=request.user), pk=pk)
    if not may_record(by=signed_in(request), meeting=meeting):
        raise PermissionDenied
    form, decisions = _record_forms(request, meeting, request.POST)
    status = 422
    if form.is_valid() and decisions.is_valid():
        data = form.cleaned_data
        used = [d for d in decisions.forms if not d.is_blank()]
        if data["seen"] != meeting.status:
            # Recorded by someone else since this page was drawn: show their record, keep the input.
            form.add_error(
                None,
                _(
                    "Someone else recorded this meeting meanwhile; reload it and amend the record if needed."
                ),
            )
            return detail_page(request, meeting, record=(form, decisions), status=409)
        try:
            meeting_record(
                meeting=meeting,
                by=signed_in(request),
                held_on=data["held_on"],
                place=data["place"],
                host=data["host"],
                recorder=data["recorder"],
                attendees=list(data["attendees"]),
                attendee_count=data["attendee_count"],
                expected_count=data["expected_count"],
                minutes=data["minutes"],
                reason=data.get("reason", ""),
                decisions=[
                    DecisionIn(
                        text=d.cleaned_data["text"],
                        owner=d.cleaned_data["owner"],
                        deadline=d.cleaned_data["deadline"],
                        village=d.cleaned_data["village"],
                    )
                    for d in used
                ],
            )
        except SERVICE_ERRORS as error:
            status = form_errors(form, _decision_errors(decisions, used, error))
        else:
            actions = sum(1 for d in used if d.cleaned_data["owner"] is not None)
            if meeting.status == Meeting.Status.HELD:
                messages.success(
                    request,
                    _("The record was amended; the previous version is kept in its history."),
                )
            else:
                messages.success(
                    request,
                    _("Meeting recorded as held; %(count)d action items created.")
                    % {"count": actions},
                )
            return HttpResponseRedirect(reverse("workspace:meeting", args=[meeting.pk]))
    return detail_page(request, meeting, record=(form, decisions), status=status)


def _meeting_forms(request: HttpRequest, data: Any = None) -> tuple[MeetingForm, Any]:
    actor = actor_for(request.user)
    town = navigation.staff_town(actor)
    villages = (
        Village.objects.visible_to(request.user).filter(town=town, active=True).order_by("name")
    )
    people = Person.objects.visible_to(request.user).filter(town=town, active=True).order_by("name")
    initial: dict[str, Any] = {"held_on": timezone.localdate(), "recorder": actor.person}
    if len(villages) == 1:
        initial["villages"] = list(villages)
    return (
        MeetingForm(data, villages=villages, people=people, initial=initial),
        DecisionForms(data, prefix="decisions", villages=villages, people=people),
    )


def _decision_errors(decisions: Any, used: list[Any], error: ServiceError) -> ServiceError:
    """Put `decisions[i].field` messages on the decision's own form; return the rest."""
    if not isinstance(error, ValidationError) or not hasattr(error, "error_dict"):
        return error
    rest: dict[str, list[str]] = {}
    for key, texts in error.message_dict.items():
        match = DECISION_KEY.match(key)
        if match and int(match[1]) < len(used):
            target = used[int(match[1])]
            field = match[2] if match[2] in target.fields else None
            for text in texts:
                target.add_error(field, text)
        else:
            rest[key] = texts
    return ValidationError(rest)


@login_required
def meeting_new(request: HttpRequest) -> HttpResponse:
    """Record a meeting; each decision with an owner and a deadline becomes an action item."""
    actor = actor_for(request.user)
    if not navigation.may_organise_meetings(actor):
        raise PermissionDenied
    assert actor.person is not None  # may_organise_meetings asks for one
    if request.method != "POST":
        form, decisions = _meeting_forms(request)
        return render(
            request, "workspace/rhythm/meeting_form.html", {"form": form, "decisions": decisions}
        )
    form, decisions = _meeting_forms(request, request.POST)
    status = 422
    if form.is_valid() and decisions.is_valid():
        data = form.cleaned_data
        used = [d for d in decisions.forms if not d.is_blank()]
        try:
            meeting = meeting_create(
                by=signed_in(request),
                town=actor.person.town,
                kind=data["kind"],
                title=data["title"],
                held_on=data["held_on"],
                place=data["place"],
                villages=list(data["villages"]),
                host=data["host"],
                recorder=data["recorder"],
                attendees=list(data["attendees"]),
                attendee_count=data["attendee_count"],
                expected_count=data["expected_count"],
                minutes=data["minutes"],
                decisions=[
                    DecisionIn(
                        text=d.cleaned_data["text"],
                        owner=d.cleaned_data["owner"],
                        deadline=d.cleaned_data["deadline"],
                        village=d.cleaned_data["village"],
                    )
                    for d in used
                ],
            )
        except SERVICE_ERRORS as error:
            status = form_errors(form, _decision_errors(decisions, used, error))
        else:
            actions = meeting.decisions.filter(item__isnull=False).count()
            messages.success(
                request, _("Meeting recorded; %(count)d action items created.") % {"count": actions}
            )
            return HttpResponseRedirect(reverse("workspace:meeting", args=[meeting.pk]))
    return render(
        request,
        "workspace/rhythm/meeting_form.html",
        {"form": form, "decisions": decisions},
        status=status,
    )


@login_required
@require_POST
def meeting_file(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_object_or_404(Meeting.objects.visible_to(request.user), pk=pk)
    form = MeetingFileForm(request.POST, request.FILES)
    back = reverse("workspace:meeting", args=[meeting.pk])
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:  # an error list yields its messages as text
                messages.error(request, str(error))
        return HttpResponseRedirect(back)
    try:
        stored = meeting_file_add(
            meeting=meeting, by=signed_in(request), upload=form.cleaned_data["file"]
        )
    except SERVICE_ERRORS as error:
        flash_errors(request, error)
    else:
        messages.success(request, _("Added %(name)s.") % {"name": stored.original_name})
    return HttpResponseRedirect(back)


@login_required
def meeting_file_download(request: HttpRequest, pk: int) -> FileResponse:
    """A meeting's file, only for those who may see the meeting."""
    stored = get_object_or_404(
        MeetingFile.objects.filter(meeting__in=Meeting.objects.visible_to(request.user)), pk=pk
    )
    response = FileResponse(
        stored.file.open("rb"),
        content_type=stored.content_type,
        as_attachment=stored.kind != "photo",
        filename=stored.original_name,
    )
    response["Cache-Control"] = "private, max-age=86400"
    return response
