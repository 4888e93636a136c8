"""Recording a meeting that counts from its page: attendance against the roll, a resolution with
its votes (on an agenda topic: `deliberation.lifecycle.topic_vote`, which deliberates the topic
when it passes), and the outcome the typed votes would give (htmx, before recording).

Writes go through `meetings.rolls.attendance_record`, `meetings.resolutions.resolution_record`
and the topic lifecycle, which check the recorder again; a refusal is shown next to the form.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from maque.core.users import signed_in
from maque.deliberation import lifecycle
from maque.meetings.models import Meeting
from maque.meetings.queries import meeting_list
from maque.meetings.resolutions import resolution_record
from maque.meetings.rolls import attendance_record
from maque.meetings.services import may_record
from maque.workspace.views.counting_forms import VOTES_MAX, AttendanceForm, ResolutionForm
from maque.workspace.views.errors import SERVICE_ERRORS, form_errors
from maque.workspace.views.meeting_counting import agenda_of, preview
from maque.workspace.views.meetings import detail_page


def _meeting(request: HttpRequest, pk: int) -> Meeting:
    meeting = get_object_or_404(meeting_list(user=request.user), pk=pk)
    if not may_record(by=signed_in(request), meeting=meeting):
        raise PermissionDenied
    return meeting


def _back(meeting: Meeting, anchor: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("workspace:meeting", args=[meeting.pk]) + anchor)


@login_required
@require_POST
def meeting_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    form = AttendanceForm(request.POST, entries=list(meeting.roll.all()))
    status = 422
    if form.is_valid():
        try:
            attendance_record(
                meeting=meeting,
                by=signed_in(request),
                marks=form.marks(),
                attendee_count=form.cleaned_data["attendee_count"],
            )
        except SERVICE_ERRORS as error:
            status = form_errors(form, error)
        else:
            messages.success(request, _("Attendance recorded."))
            return _back(meeting, "#roll-title")
    return detail_page(request, meeting, attendance=form, status=status)


@login_required
@require_POST
def meeting_resolution(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    form = ResolutionForm(request.POST, agenda=agenda_of(request, meeting))
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        topic = form.chosen_topic()
        try:
            if topic is not None:
                vote = lifecycle.topic_vote(
                    topic=topic,
                    meeting=meeting,
                    by=signed_in(request),
                    text=data["text"],
                    votes_for=data["votes_for"],
                    votes_against=data["votes_against"] or 0,
                    votes_abstain=data["votes_abstain"] or 0,
                    via="web",
                )
                resolution = vote.resolution
            else:
                resolution = resolution_record(
                    meeting=meeting,
                    by=signed_in(request),
                    text=data["text"],
                    votes_for=data["votes_for"],
                    votes_against=data["votes_against"] or 0,
                    votes_abstain=data["votes_abstain"] or 0,
                )
        except SERVICE_ERRORS as error:
            status = form_errors(form, error)
        else:
            if resolution.passed:
                text = (
                    _("Resolution passed; topic %(code)s is deliberated.") % {"code": topic.code}
                    if topic is not None
                    else _("Resolution passed.")
                )
                messages.success(request, text)
            else:
                messages.warning(
                    request,
                    _("Recorded as not passed: %(why)s.") % {"why": resolution.refusal},
                )
            return _back(meeting, "#resolutions-title")
    return detail_page(request, meeting, resolution=form, status=status)


def _number(value: str | None) -> int:
    try:
        number = int(value or 0)
    except ValueError:
        return 0
    return min(max(number, 0), VOTES_MAX)


@login_required
@require_GET
def meeting_resolution_check(request: HttpRequest, pk: int) -> HttpResponse:
    """The outcome the typed votes would give, in words (drawn next to the form by htmx). It
    reads only what the meeting's page shows (its attendance and counting rule): whoever may
    see the meeting may ask."""
    meeting = get_object_or_404(meeting_list(user=request.user), pk=pk)
    text = preview(
        meeting,
        _number(request.GET.get("votes_for")),
        _number(request.GET.get("votes_against")),
        _number(request.GET.get("votes_abstain")),
    )
    passes = text == _("Would pass.")
    return render(
        request,
        "workspace/rhythm/resolution_check.html",
        {"text": text, "passes": passes},
    )
