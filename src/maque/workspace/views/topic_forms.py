"""Forms of the topic screens. They parse input only: the deliberation lifecycle decides, and its
refusals are put back next to the fields by `views.errors.form_errors`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from maque.core.dates import validate_deadline
from maque.deliberation.lifecycle import ACTION_LABELS
from maque.deliberation.lifecycle.registration import STAFF_SOURCES
from maque.deliberation.models import (
    Concern,
    Domain,
    ProposerKind,
    Satisfaction,
    TopicSource,
    TopicState,
    Track,
)
from maque.meetings.models import Resolution
from maque.organisation.models import Village
from maque.workspace.forms import DateInput, style


def _blank(choices: Any, label: Any) -> list[tuple[str, Any]]:
    return [("", label), *choices]


class TopicFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=_blank(TopicState.choices, _("All"))
    )
    concern = forms.ChoiceField(
        label=_("Concern"), required=False, choices=_blank(Concern.choices, _("All"))
    )
    track = forms.ChoiceField(
        label=_("Track"), required=False, choices=_blank(Track.choices, _("All"))
    )
    village = forms.ModelChoiceField(
        label=_("Village"), required=False, queryset=Village.objects.none()
    )
    q = forms.CharField(label=_("Search"), required=False, max_length=100)

    def __init__(self, data: Any, *, villages: Any) -> None:
        super().__init__(data)
        self.fields["village"].queryset = villages  # type: ignore[attr-defined]
        self.fields["village"].empty_label = _("All")  # type: ignore[attr-defined]
        style(self)


class TopicProposeForm(forms.Form):
    village = forms.ModelChoiceField(label=_("Village"), queryset=Village.objects.none())
    concern = forms.ChoiceField(label=_("Concern"), choices=Concern.choices)
    title = forms.CharField(label=_("Title"), max_length=100)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    domain = forms.ChoiceField(label=_("Domain"), choices=Domain.choices, initial=Domain.OTHER)
    source = forms.ChoiceField(
        label=_("Source"),
        choices=[(value, label) for value, label in TopicSource.choices if value in STAFF_SOURCES],
    )
    proposer_kind = forms.ChoiceField(label=_("Proposer"), choices=ProposerKind.choices)
    proposer_name = forms.CharField(
        label=_("Proposer's name"),
        required=False,
        max_length=30,
        help_text=_("Leave empty when you propose it yourself."),
    )
    proposer_phone = forms.CharField(label=_("Proposer's phone"), required=False, max_length=20)

    def __init__(self, *args: Any, villages: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages  # type: ignore[attr-defined]
        style(self)


# Which inputs each action asks for (the service checks them again).
ACTION_INPUTS: dict[str, tuple[str, ...]] = {
    "accept": ("track", "owner", "deadline", "note"),
    "decline": ("reason",),
    "mark_spam": ("reason",),
    "merge": ("into",),
    "assign": ("owner", "deadline", "title"),
    "schedule": ("meeting",),
    "deliberate": ("resolution", "outcome"),
    "implement": ("owner", "deadline", "title"),
    "add_action": ("owner", "deadline", "title"),
    "answer": ("answer",),
    "rate": ("satisfaction", "note"),
    "reopen": ("reason",),
    "follow_rate": ("satisfaction", "note"),
}
STRONG = frozenset({"accept", "assign", "schedule", "deliberate", "implement", "answer"})
DANGER = frozenset({"decline", "mark_spam", "reopen"})


class ResolutionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Resolution) -> str:
        return _("%(meeting)s (%(day)s): %(text)s") % {
            "meeting": obj.meeting.title,
            "day": obj.meeting.held_on.isoformat(),
            "text": obj.text[:60],
        }


def refused_help(resolutions: tuple[Resolution, ...]) -> str:
    """The resolutions put to the vote on the topic's meetings that did not pass, each with why:
    shown next to the choice, which offers only the passed ones."""
    return "；".join(
        _("Not passed, so not offered: %(text)s (%(why)s)")
        % {
            "text": resolution.text[:40],
            "why": resolution.refusal or resolution.get_outcome_display(),
        }
        for resolution in resolutions
    )


class TopicActionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(
        self,
        action: str,
        *args: Any,
        people: Any,
        meetings: Any,
        topics: Any,
        resolutions: Any = None,
        refused_resolutions: tuple[Resolution, ...] = (),
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("prefix", action)
        super().__init__(*args, **kwargs)
        self.action = action
        self.label = ACTION_LABELS.get(action, action)
        inputs = ACTION_INPUTS[action]
        if "track" in inputs:
            self.fields["track"] = forms.ChoiceField(label=_("Track"), choices=Track.choices)
        if "owner" in inputs:
            self.fields["owner"] = forms.ModelChoiceField(
                label=_("Carried out by"),
                queryset=people,
                required=action != "accept",
                help_text=_("A quick topic with someone to carry it out is assigned at once.")
                if action == "accept"
                else "",
            )
            self.fields["deadline"] = forms.DateField(
                label=_("Deadline"),
                widget=DateInput(),
                validators=[validate_deadline],
                required=action != "accept",
            )
        if "title" in inputs:
            self.fields["title"] = forms.CharField(
                label=_("Action item"), required=False, max_length=200
            )
        if "meeting" in inputs:
            self.fields["meeting"] = forms.ModelChoiceField(label=_("Meeting"), queryset=meetings)
        if "resolution" in inputs:
            self.fields["resolution"] = ResolutionChoiceField(
                label=_("Resolution that passed"),
                queryset=resolutions if resolutions is not None else Resolution.objects.none(),
                required=False,
                empty_label=_("None: write what the meeting agreed below"),
                help_text=refused_help(refused_resolutions),
            )
        if "into" in inputs:
            self.fields["into"] = forms.ModelChoiceField(
                label=_("Merge into"), queryset=topics, to_field_name="code"
            )
        for name, label in (
            ("reason", _("Reason")),
            ("outcome", _("What the meeting decided")),
            ("answer", _("Answer to the proposer")),
        ):
            if name in inputs:
                self.fields[name] = forms.CharField(
                    label=label,
                    widget=forms.Textarea(attrs={"rows": 3}),
                    # deliberate: a passed resolution's text is the outcome when none is written
                    required=action not in ("mark_spam", "deliberate"),
                )
        if "satisfaction" in inputs:
            self.fields["satisfaction"] = forms.ChoiceField(
                label=_("Satisfaction"), choices=Satisfaction.choices
            )
        if "note" in inputs:
            self.fields["note"] = forms.CharField(
                label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
            )
        style(self)

    def service_arguments(self) -> dict[str, Any]:
        values = {name: value for name, value in self.cleaned_data.items() if name != "version"}
        if self.action in ("assign", "implement", "add_action"):
            values["title"] = values.get("title") or ""
        if self.action == "accept" and values.get("owner") is None:
            values.pop("owner", None)
            values.pop("deadline", None)
        return values

    @property
    def is_strong(self) -> bool:
        return self.action in STRONG

    @property
    def is_danger(self) -> bool:
        return self.action in DANGER
