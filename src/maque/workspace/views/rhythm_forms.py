"""Forms of the rhythm screens. They parse input only; the rules (who may, what is allowed) live in
the apps' services, whose messages are put back next to the fields (`views.errors.form_errors`)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from maque.accountability.models import Measure, Rule, Status
from maque.ledger.models import Category
from maque.meetings.models import MeetingKind
from maque.organisation.models import Person, Village
from maque.supervision.models import Outcome, ReviewScope
from maque.supervision.services import REVIEW_OUTCOMES
from maque.workspace.forms import (
    DateInput,
    MultipleFileField,
    MultipleFileInput,
    RegisterForm,
    choice_field,
    model_choice_field,
    style,
)


def _blank(label: Any, choices: Any) -> list[tuple[str, Any]]:
    return [("", label), *choices]


def _person_label(person: Person) -> str:
    title = getattr(person, "title", "")
    return (
        gettext("%(name)s (%(title)s)") % {"name": person.name, "title": title}
        if title
        else person.name
    )


class PersonChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Person) -> str:
        return _person_label(obj)


class PeopleChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Person) -> str:
        return _person_label(obj)


# --- meetings ---------------------------------------------------------------------------------


class MeetingFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=_blank(_("all kinds"), MeetingKind.choices)
    )
    village = forms.ModelChoiceField(
        label=_("Village"),
        required=False,
        queryset=Village.objects.none(),
        empty_label=_("all villages"),
    )

    def __init__(self, *args: Any, villages: QuerySet[Village], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "village").queryset = villages
        style(self)


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=MeetingKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    held_on = forms.DateField(label=_("Date"), widget=DateInput())
    place = forms.CharField(label=_("Place"), max_length=100, required=False)
    villages = forms.ModelMultipleChoiceField(
        label=_("Villages concerned"),
        required=False,
        queryset=Village.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Village roles record meetings of their own villages only."),
    )
    host = PersonChoice(label=_("Host"), required=False, queryset=Person.objects.none())
    recorder = PersonChoice(label=_("Recorder"), required=False, queryset=Person.objects.none())
    attendees = PeopleChoice(
        label=_("Attendees"),
        required=False,
        queryset=Person.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Hold Ctrl (or long-press on a phone) to choose several."),
    )
    attendee_count = forms.IntegerField(
        label=_("People present"),
        required=False,
        min_value=0,
        max_value=100000,
        help_text=_("Including villagers not named above; empty: the attendees named."),
    )
    expected_count = forms.IntegerField(
        label=_("People expected"), required=False, min_value=0, max_value=100000
    )
    minutes = forms.CharField(
        label=_("Minutes"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )

    def __init__(
        self, *args: Any, villages: QuerySet[Village], people: QuerySet[Person], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "villages").queryset = villages
        for name in ("host", "recorder", "attendees"):
            model_choice_field(self, name).queryset = people
        style(self)
        self.fields["villages"].widget.attrs["class"] = "form-check-input"


class DecisionForm(forms.Form):
    """One decision; with an owner and a deadline it becomes an action item."""

    text = forms.CharField(
        label=_("Decision"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    owner = PersonChoice(
        label=_("Owner of the action"), required=False, queryset=Person.objects.none()
    )
    deadline = forms.DateField(label=_("Deadline"), required=False, widget=DateInput())
    village = forms.ModelChoiceField(
        label=_("Village of the action"), required=False, queryset=Village.objects.none()
    )

    def __init__(
        self, *args: Any, villages: QuerySet[Village], people: QuerySet[Person], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "owner").queryset = people
        model_choice_field(self, "village").queryset = villages
        style(self)

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not any(data.get(name) for name in ("text", "owner", "deadline", "village"))


class DecisionFormSet(forms.BaseFormSet):
    def __init__(
        self, *args: Any, villages: QuerySet[Village], people: QuerySet[Person], **kwargs: Any
    ) -> None:
        self.villages, self.people = villages, people
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {"villages": self.villages, "people": self.people}


# The factory returns a subclass of the formset it is given; the stubs type it as the base formset.
DecisionForms: type[DecisionFormSet] = forms.formset_factory(
    DecisionForm, formset=DecisionFormSet, extra=3, max_num=20
)  # type: ignore[assignment]


class MeetingRecordForm(forms.Form):
    """What happened at a drafted meeting (the weekly diagnosis), or a correction of a held
    meeting's record; `seen` carries the status the page showed, to notice a record made meanwhile."""

    seen = forms.CharField(widget=forms.HiddenInput)
    held_on = forms.DateField(label=_("Date"), widget=DateInput())
    place = forms.CharField(label=_("Place"), max_length=100, required=False)
    host = PersonChoice(label=_("Host"), required=False, queryset=Person.objects.none())
    recorder = PersonChoice(label=_("Recorder"), required=False, queryset=Person.objects.none())
    attendees = PeopleChoice(
        label=_("Attendees"),
        required=False,
        queryset=Person.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Hold Ctrl (or long-press on a phone) to choose several."),
    )
    attendee_count = forms.IntegerField(
        label=_("People present"),
        required=False,
        min_value=0,
        max_value=100000,
        help_text=_("Including villagers not named above; empty: the attendees named."),
    )
    expected_count = forms.IntegerField(
        label=_("People expected"), required=False, min_value=0, max_value=100000
    )
    minutes = forms.CharField(
        label=_("Minutes"), required=False, widget=forms.Textarea(attrs={"rows": 8})
    )
    reason = forms.CharField(
        label=_("Reason for the change"),
        required=False,
        max_length=200,
        help_text=_("Kept in the meeting's history with the previous record."),
    )

    def __init__(self, *args: Any, people: QuerySet[Person], amending: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("host", "recorder", "attendees"):
            model_choice_field(self, name).queryset = people
        if not amending:
            del self.fields["reason"]
        style(self)


class MeetingFileForm(forms.Form):
    file = forms.FileField(label=_("Photo or document"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style(self)


# --- inspections and look-backs ---------------------------------------------------------------


class FindingForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[
            (Outcome.PASS, Outcome.PASS.label),
            (Outcome.INADEQUATE, Outcome.INADEQUATE.label),
            (Outcome.FALSE_CLOSE, Outcome.FALSE_CLOSE.label),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("What was found"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    photos = MultipleFileField(
        label=_("Photos"),
        required=False,
        help_text=_("Required for a false close-out: what is on the ground (up to 3)."),
        widget=MultipleFileInput(attrs={"accept": "image/*"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style(self)
        self.fields["outcome"].widget.attrs["class"] = "btn-check"


class ProblemForm(RegisterForm):
    """A new problem found during an inspection: the registration form (category and its own
    fields) without the parts the finding does not carry, plus the owner to answer for it."""

    def __init__(
        self,
        data: Any = None,
        *,
        categories: QuerySet[Category],
        villages: QuerySet[Village],
        people: QuerySet[Person],
        initial: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(data, categories=categories, villages=villages, initial=initial)
        for name in ("group", "plot", "measures", "subject"):
            self.fields.pop(name, None)
        self.fields["description"].label = _("What was found")
        self.fields["owner"] = PersonChoice(
            label=_("Owner"),
            required=False,
            queryset=people,
            help_text=_("Empty: the person recording the finding."),
        )
        # The registration form validated itself while styling; validate again with these fields.
        self._errors = None
        style(self)


class ReviewOpenForm(forms.Form):
    scope = forms.ChoiceField(
        label=_("Look back on"),
        choices=ReviewScope.choices,
        initial=ReviewScope.QUALITY,
        required=False,  # the quality of closed items, as look-backs always were
        widget=forms.RadioSelect,
        help_text=_(
            "Quality: every closed item is checked again. Progress: every item still in work is "
            "checked against its plan."
        ),
    )
    village = forms.ModelChoiceField(
        label=_("Village"), queryset=Village.objects.none(), required=False
    )
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.none(),
        required=False,
        empty_label=_("every category"),
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(
        self,
        data: Any = None,
        *,
        categories: QuerySet[Category],
        villages: QuerySet[Village],
        whole_town: bool,
    ) -> None:
        super().__init__(data, prefix="review")
        model_choice_field(self, "category").queryset = categories
        village = model_choice_field(self, "village")
        village.queryset = villages
        # A contact leader looks back on one of their villages; inspectors on any, or all.
        village.required = not whole_town
        village.empty_label = gettext("the whole town") if whole_town else None
        style(self)


class ReviewCheckForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=[], widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, scope: str = ReviewScope.QUALITY, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        outcome = self.fields["outcome"]
        assert isinstance(outcome, forms.ChoiceField)
        outcome.choices = [
            (choice.value, choice.label) for choice in REVIEW_OUTCOMES[ReviewScope(scope)]
        ]
        self.fields["note"].help_text = (
            gettext("Required for a relapse.")
            if scope == ReviewScope.QUALITY
            else gettext("Required when it is behind: what is behind and what must happen next.")
        )
        style(self)
        self.fields["outcome"].widget.attrs["class"] = "btn-check"


# --- accountability ---------------------------------------------------------------------------


class CaseFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=_blank(_("all"), Status.choices)
    )
    rule = forms.ChoiceField(
        label=_("Rule"), required=False, choices=_blank(_("all"), Rule.choices)
    )
    village = forms.ModelChoiceField(
        label=_("Village"),
        required=False,
        queryset=Village.objects.none(),
        empty_label=_("all villages"),
    )
    q = forms.CharField(label=_("Search"), required=False, max_length=100)

    def __init__(self, *args: Any, villages: QuerySet[Village], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "village").queryset = villages
        style(self)


class CaseStatusForm(forms.Form):
    to = forms.ChoiceField(label=_("New status"))
    measure = forms.ChoiceField(
        label=_("Measure"),
        required=False,
        choices=_blank("—", Measure.choices),
        help_text=_("Required to decide a case."),
    )
    decision = forms.CharField(
        label=_("Decision"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required to dismiss a case: the reason."),
    )
    # The case's version the page was shown with: a change meanwhile by someone else is refused.
    version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, choices: list[tuple[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "to").choices = [("", _("— choose —")), *choices]
        style(self)


class CaseOpenForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(
        label=_("Case summary"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    subject_person = PersonChoice(
        label=_("Person concerned"), required=False, queryset=Person.objects.none()
    )
    village = forms.ModelChoiceField(
        label=_("Village"), required=False, queryset=Village.objects.none()
    )

    def __init__(
        self, *args: Any, people: QuerySet[Person], villages: QuerySet[Village], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "subject_person").queryset = people
        model_choice_field(self, "village").queryset = villages
        style(self)
