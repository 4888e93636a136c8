"""What the meeting page shows of a meeting that counts: the members' roll taken from the village
roster and attendance against it, whether the meeting is quorate (and by how many it falls
short, in words), the agenda of topics, and the resolutions with their votes.

Reads only: the agenda's topics are those the user may see (`Topic.objects.visible_to`); the
numbers are `meetings.counting`'s, the ones a resolution is decided on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _

from maque.deliberation.models import TOPIC_STATE_COLOURS, AgendaItem, Topic
from maque.meetings.counting import Counts, Quorum, counts_of, quorum_of, rule_for, vote_of
from maque.meetings.models import ROLL_BODIES, Meeting, Resolution, RollEntry
from maque.workspace.views.counting_forms import AttendanceForm, ResolutionForm


@dataclass(frozen=True)
class Standing:
    """The meeting's numbers as a sentence: who was called, who came, quorate or not."""

    counts: Counts
    quorum: Quorum

    @property
    def quorate(self) -> bool:
        return self.quorum.met

    def summary(self) -> str:
        if self.counts.roll is None:
            return _("Present %(present)d.") % {"present": self.counts.present}
        return _("Expected %(roll)d, present %(present)d.") % {
            "roll": self.counts.roll,
            "present": self.counts.present,
        }

    def verdict(self) -> str:
        if not self.quorum.required:
            return _("Meetings of this kind need no quorum.")
        if self.quorum.met:
            return _("Quorate: resolutions can pass.")
        return _("Not quorate: %(why)s. A resolution cannot pass.") % {"why": self.quorum.problem()}


def standing_of(meeting: Meeting) -> Standing:
    counts = counts_of(meeting)
    return Standing(counts=counts, quorum=quorum_of(meeting, rule=rule_for(meeting), counts=counts))


def agenda_of(request: HttpRequest, meeting: Meeting) -> list[AgendaItem]:
    """The meeting's agenda: only the topics the user may see."""
    return list(
        AgendaItem.objects.filter(
            meeting=meeting, topic__in=Topic.objects.visible_to(request.user)
        ).select_related("topic", "resolution")
    )


def preview(meeting: Meeting, votes_for: int, votes_against: int, votes_abstain: int) -> str:
    """What the votes typed so far would give, in words, before anything is recorded."""
    rule = rule_for(meeting)
    counts = counts_of(meeting)
    cast = votes_for + votes_against + votes_abstain
    if cast > counts.present:
        return _("%(votes)d votes cast, but only %(present)d people are present.") % {
            "votes": cast,
            "present": counts.present,
        }
    quorum = quorum_of(meeting, rule=rule, counts=counts)
    if not quorum.met:
        return _("Would not pass. No quorum: %(why)s.") % {"why": quorum.problem()}
    vote = vote_of(meeting, votes_for, rule=rule, counts=counts)
    if not vote.passed:
        return _("Would not pass. No majority: %(why)s.") % {"why": vote.problem()}
    return _("Would pass.")


def counting_context(
    request: HttpRequest,
    meeting: Meeting,
    *,
    may_record: bool,
    attendance: AttendanceForm | None = None,
    resolution: ResolutionForm | None = None,
) -> dict[str, Any]:
    roll = list(meeting.roll.all())
    agenda = agenda_of(request, meeting)
    resolutions = list(
        Resolution.objects.filter(meeting=meeting).prefetch_related("actions").order_by("order")
    )
    held = meeting.status == Meeting.Status.HELD
    context: dict[str, Any] = {
        "counts_roll": meeting.kind in ROLL_BODIES or bool(roll),
        "roll": roll,
        "present_mark": RollEntry.Attendance.PRESENT,
        "standing": standing_of(meeting),
        "agenda": [
            {"row": row, "colour": TOPIC_STATE_COLOURS.get(row.topic.state, "secondary")}
            for row in agenda
        ],
        "resolutions": resolutions,
    }
    if may_record and held:
        context["attendance_form"] = attendance or AttendanceForm(entries=roll)
        context["resolution_form"] = resolution or ResolutionForm(agenda=agenda)
    return context
