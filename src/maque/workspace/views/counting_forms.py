"""Forms of meetings that count and of 四议两公开: attendance against the roll, a resolution with
its votes (and the agenda topic it decides), a village decision and its steps. They parse input
only: `meetings.rolls`, `meetings.resolutions`, `deliberation.lifecycle` and `decisions.services`
decide, and their refusals are put back next to the fields by `views.errors.form_errors`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from maque.decisions.models import Step
from maque.deliberation.models import AgendaItem, Topic
from maque.meetings.models import Meeting, Resolution, RollEntry
from maque.organisation.models import Village
from maque.workspace.forms import DateInput, style

VOTES_MAX = 100_000


class AttendanceForm(forms.Form):
    """One present / absent / on-leave choice per roll entry, and the number present when more
    people came than were called."""

    attendee_count = forms.IntegerField(
        label=_("People present in all (if more than those called)"),
        required=False,
        min_value=0,
        max_value=VOTES_MAX,
    )

    def __init__(self, data: Any = None, *, entries: Sequence[RollEntry]) -> None:
        # Prefixed: the meeting page also draws the record form, with its own number present.
        super().__init__(data, prefix="roll")
        self.entries = list(entries)
        for entry in self.entries:
            self.fields[self.key(entry)] = forms.ChoiceField(
                label=entry.name,
                choices=RollEntry.Attendance.choices,
                initial=entry.attendance,
                widget=forms.RadioSelect,
            )
        style(self)

    @staticmethod
    def key(entry: RollEntry) -> str:
        return f"mark_{entry.pk}"

    def rows(self) -> list[tuple[RollEntry, forms.BoundField]]:
        return [(entry, self[self.key(entry)]) for entry in self.entries]

    def marks(self) -> dict[int, str]:
        return {entry.pk: self.cleaned_data[self.key(entry)] for entry in self.entries}


class ResolutionForm(forms.Form):
    text = forms.CharField(
        label=_("Resolution"), max_length=10_000, widget=forms.Textarea(attrs={"rows": 3})
    )
    votes_for = forms.IntegerField(label=_("For"), min_value=0, max_value=VOTES_MAX)
    votes_against = forms.IntegerField(
        label=_("Against"), min_value=0, max_value=VOTES_MAX, initial=0
    )
    votes_abstain = forms.IntegerField(
        label=_("Abstaining"), min_value=0, max_value=VOTES_MAX, initial=0
    )
    topic = forms.ChoiceField(label=_("Topic on the agenda it decides"), required=False)

    def __init__(self, data: Any = None, *, agenda: Sequence[AgendaItem]) -> None:
        super().__init__(data)
        waiting = [row for row in agenda if not row.deliberated]
        self.topics: dict[str, Topic] = {row.topic.code: row.topic for row in waiting}
        self.fields["topic"].choices = [  # type: ignore[attr-defined]
            ("", _("None: a resolution of the meeting itself")),
            *[(row.topic.code, f"{row.topic.code} {row.topic.title}") for row in waiting],
        ]
        for name in ("votes_for", "votes_against", "votes_abstain"):
            self.fields[name].widget.attrs.update({"inputmode": "numeric"})
        style(self)

    def chosen_topic(self) -> Topic | None:
        code = self.cleaned_data.get("topic") or ""
        return self.topics.get(code)


class DecisionForm(forms.Form):
    village = forms.ModelChoiceField(label=_("Village"), queryset=Village.objects.none())
    title = forms.CharField(label=_("Title"), max_length=100)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    topic = forms.CharField(label=_("From topic (code, optional)"), required=False, max_length=30)

    def __init__(self, data: Any = None, *, villages: Any, initial: Any = None) -> None:
        super().__init__(data, initial=initial)
        self.fields["village"].queryset = villages  # type: ignore[attr-defined]
        style(self)


class StepForm(forms.Form):
    """A step of 四议两公开: at a meeting (its passed resolution), or a disclosure (day and text).
    Every step is offered, the next one chosen: the service refuses one out of order, in words."""

    step = forms.ChoiceField(label=_("Step"), choices=Step.choices)
    resolution = forms.ChoiceField(label=_("Meeting and its passed resolution"), required=False)
    on = forms.DateField(label=_("Day disclosed"), required=False, widget=DateInput)
    text = forms.CharField(
        label=_("Text disclosed"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        data: Any = None,
        *,
        resolutions: Sequence[Resolution],
        initial: Any = None,
    ) -> None:
        super().__init__(data, initial=initial)
        self.resolutions = {str(row.pk): row for row in resolutions}
        self.fields["resolution"].choices = [  # type: ignore[attr-defined]
            ("", "—"),
            *[
                (
                    str(row.pk),
                    f"{row.meeting.held_on:%Y-%m-%d} {row.meeting.get_kind_display()} · "
                    f"{row.meeting.title}：{row.text[:30]}",
                )
                for row in resolutions
            ],
        ]
        style(self)

    def chosen(self) -> tuple[Meeting | None, Resolution | None]:
        row = self.resolutions.get(self.cleaned_data.get("resolution") or "")
        return (row.meeting, row) if row is not None else (None, None)
