"""Forms of the petition screens (信访). They parse input only: `maque.petitions` decides (the
services and the one refusal function of `petitions.lifecycle`), and its refusals are put back
next to the fields by `views.errors.form_errors`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from maque.organisation.models import Household, Person, Town, Village
from maque.petitions import limits
from maque.petitions.lifecycle import ACTION_LABELS
from maque.petitions.models import Channel, Satisfaction, State
from maque.workspace.forms import DateInput, style

OVERDUE_CHOICES = [("", _("all")), ("yes", _("overdue only")), ("no", _("not overdue"))]


class PetitionFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("All")), *State.choices]
    )
    village = forms.ModelChoiceField(
        label=_("Village"), required=False, queryset=Village.objects.none()
    )
    overdue = forms.ChoiceField(label=_("Overdue"), required=False, choices=OVERDUE_CHOICES)
    q = forms.CharField(label=_("Search"), required=False, max_length=100)

    def __init__(self, data: Any, *, villages: Any) -> None:
        super().__init__(data)
        village = self.fields["village"]
        assert isinstance(village, forms.ModelChoiceField)
        village.queryset = villages
        village.empty_label = _("All")
        style(self)

    def overdue_value(self) -> bool | None:
        value = self.cleaned_data.get("overdue") if self.is_valid() else None
        return {"yes": True, "no": False}.get(value or "")


class HouseholdChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Household) -> str:
        return f"{obj.head_name}（{obj.address}）" if obj.address else obj.head_name


class PetitionRegisterForm(forms.Form):
    """The register form (信访登记): what the office writes down when a petition comes in."""

    town = forms.ModelChoiceField(label=_("Town"), queryset=Town.objects.none())
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    received_on = forms.DateField(label=_("Received on"), widget=DateInput())
    petitioner_name = forms.CharField(label=_("Petitioner"), max_length=30)
    petitioner_phone = forms.CharField(label=_("Petitioner's phone"), required=False, max_length=20)
    petitioner_id_number = forms.CharField(
        label=_("Petitioner's ID number"), required=False, max_length=18
    )
    matter = forms.CharField(
        label=_("The matter (信访事项)"), widget=forms.Textarea(attrs={"rows": 4})
    )
    village = forms.ModelChoiceField(
        label=_("Village"), required=False, queryset=Village.objects.none()
    )
    household = HouseholdChoiceField(
        label=_("Household"), required=False, queryset=Household.objects.none()
    )
    owner = forms.ModelChoiceField(
        label=_("Handling owner (承办人)"), required=False, queryset=Person.objects.none()
    )
    stability = forms.BooleanField(label=_("Needs a stability plan (信访维稳)"), required=False)

    def __init__(self, *args: Any, towns: Any, villages: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, queryset in (("town", towns), ("village", villages), ("owner", people)):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = queryset
        # The households are the chosen village's only (posted, or picked before the page was
        # drawn again): another village's household is not a choice.
        source = self.data if self.is_bound else self.initial
        chosen = str(source.get("village") or "")
        village = (
            villages.filter(pk=int(chosen)).first()
            if chosen.isdigit() and len(chosen) < 19
            else None
        )
        household = self.fields["household"]
        assert isinstance(household, forms.ModelChoiceField)
        household.queryset = (
            village.households.order_by("head_name", "id") if village else Household.objects.none()
        )
        household.help_text = (
            _("The households of %(village)s.") % {"village": village.name}
            if village
            else _("Choose the village first: its households are listed here.")
        )
        if towns.count() == 1:
            self.fields["town"].initial = towns.first()
            self.fields["town"].widget = forms.HiddenInput()
        self.fields["received_on"].help_text = _(
            "The %(days)d-day limit to decide on acceptance starts on this day (calendar days, 自然日)."
        ) % {"days": limits.ACCEPTANCE_DAYS}
        self.fields["owner"].help_text = _("You, when left empty.")
        style(self)


# Which inputs each action asks for (the lifecycle checks them again).
ACTION_INPUTS: dict[str, tuple[str, ...]] = {
    "accept": ("on", "note"),
    "reject": ("on", "reason"),
    "extend": ("on", "days", "reason"),
    "reply": ("on", "reply"),
    "satisfaction": ("on", "satisfaction", "note"),
    "request_review": ("on", "note"),
    "assign": ("owner", "note"),
    "stability": ("stability", "reason"),
}
# The notice each action issues in the same step.
ACTION_NOTICES: dict[str, Any] = {
    "accept": _("Issues the notice of acceptance (受理告知书)."),
    "reject": _("Issues the notice of non-acceptance (不予受理告知书)."),
    "extend": _("Issues the notice of extension (延期告知书)."),
    "reply": _("Issues the written reply (答复意见书)."),
}
STRONG = frozenset({"accept", "reply"})
DANGER = frozenset({"reject"})


class PetitionActionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, action: str, *args: Any, people: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", action)
        super().__init__(*args, **kwargs)
        self.action = action
        self.label = ACTION_LABELS.get(action, action)
        self.notice = ACTION_NOTICES.get(action)
        inputs = ACTION_INPUTS[action]
        if "on" in inputs:
            self.fields["on"] = forms.DateField(
                label=_("Day of the decision"),
                required=False,
                widget=DateInput(),
                help_text=_("Today when left empty."),
            )
        if "days" in inputs:
            self.fields["days"] = forms.IntegerField(
                label=_("Extension (calendar days, 自然日)"),
                min_value=1,
                max_value=limits.MAX_EXTENSION_DAYS,
                help_text=_("At most %(days)d calendar days, once, with approval.")
                % {"days": limits.MAX_EXTENSION_DAYS},
            )
        if "owner" in inputs:
            self.fields["owner"] = forms.ModelChoiceField(
                label=_("Handling owner (承办人)"), queryset=people
            )
        if "satisfaction" in inputs:
            self.fields["satisfaction"] = forms.ChoiceField(
                label=_("Satisfaction"), choices=Satisfaction.choices
            )
        if "stability" in inputs:
            self.fields["stability"] = forms.BooleanField(
                label=_("Needs a stability plan (信访维稳)"), required=False
            )
        for name, label, rows in (
            ("reason", _("Reason"), 3),
            ("reply", _("The reply (答复意见)"), 5),
            ("note", _("Note"), 2),
        ):
            if name in inputs:
                self.fields[name] = forms.CharField(
                    label=label,
                    required=name != "note",
                    widget=forms.Textarea(attrs={"rows": rows}),
                )
        style(self)

    def service_arguments(self) -> dict[str, Any]:
        values = {name: value for name, value in self.cleaned_data.items() if name != "version"}
        if values.get("on") is None:
            values.pop("on", None)
        if "note" in values and values["note"] is None:
            values["note"] = ""
        return values

    @property
    def is_strong(self) -> bool:
        return self.action in STRONG

    @property
    def is_danger(self) -> bool:
        return self.action in DANGER
