"""Forms of the workspace. They parse input only: rules live in the ledger services, whose
refusals are put back next to the fields by `views.errors.form_errors`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from maque.core.dates import validate_deadline
from maque.ledger.lifecycle import ACTION_LABELS
from maque.ledger.models import Campaign, Category, CategoryField, FieldType, Item, Light, State
from maque.ledger.queries import SORTS
from maque.organisation.models import Household, Person, Plot, Village, VillageGroup


def style(form: forms.BaseForm) -> None:
    """Bootstrap classes and sizes suited to a thumb on every widget."""
    for name, field in form.fields.items():
        widget = field.widget
        if isinstance(widget, forms.Select | forms.SelectMultiple):
            css = "form-select"
        elif isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        else:
            css = "form-control"
        widget.attrs.setdefault("class", css)
        if form.is_bound and name in form.errors:
            widget.attrs["class"] += " is-invalid"
            widget.attrs["aria-describedby"] = (
                f"{form.prefix + '-' if form.prefix else ''}{name}-errors"
            )


def choice_field(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    """The form's choice field `name`, to set its choices."""
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField), name
    return field


def model_choice_field(form: forms.BaseForm, name: str) -> forms.ModelChoiceField:
    """The form's model choice field `name` (single or multiple), to set its queryset."""
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField), name
    return field


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


# --- the ledger list ------------------------------------------------------------------------


YES_NO = [("", _("all")), ("yes", _("overdue only")), ("no", _("not overdue"))]
SORT_CHOICES = [
    ("-found_on", _("newest first")),
    ("found_on", _("oldest first")),
    ("deadline", _("deadline, earliest first")),
    ("-deadline", _("deadline, latest first")),
    ("-days_overdue", _("most overdue first")),
    ("light", _("light")),
    ("village", _("village")),
    ("state", _("state")),
    ("code", _("code")),
    ("-updated", _("recently changed")),
]
assert {value for value, _label in SORT_CHOICES} <= set(SORTS)


class LedgerFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    campaign = forms.ChoiceField(label=_("Campaign"), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)
    village = forms.ChoiceField(label=_("Village"), required=False)
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("all")), *State.choices]
    )
    light = forms.ChoiceField(
        label=_("Light"), required=False, choices=[("", _("all")), *Light.choices]
    )
    owner = forms.ChoiceField(label=_("Owner"), required=False)
    overdue = forms.ChoiceField(label=_("Overdue"), required=False, choices=YES_NO)
    due_after = forms.DateField(label=_("Due from"), required=False, widget=DateInput())
    due_before = forms.DateField(label=_("Due until"), required=False, widget=DateInput())
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORT_CHOICES)

    def __init__(
        self,
        data: Any,
        *,
        campaigns: Iterable[Campaign],
        categories: Iterable[Category],
        villages: Iterable[Village],
        people: Iterable[Person],
    ) -> None:
        super().__init__(data)
        every = [("", _("all"))]
        choice_field(self, "campaign").choices = every + [(c.code, c.name) for c in campaigns]
        choice_field(self, "category").choices = every + [(c.code, c.name) for c in categories]
        choice_field(self, "village").choices = every + [(str(v.pk), v.name) for v in villages]
        choice_field(self, "owner").choices = every + [(str(p.pk), p.name) for p in people]
        style(self)

    def filters(self) -> dict[str, Any]:
        """Arguments for `maque.ledger.queries.item_list` (invalid values are simply ignored)."""
        data = (
            self.cleaned_data
            if self.is_valid()
            else {
                name: value for name, value in self.cleaned_data.items() if name not in self.errors
            }
        )
        overdue = {"yes": True, "no": False}.get(data.get("overdue") or "")
        return {
            "q": (data.get("q") or "").strip() or None,
            "campaign": data.get("campaign") or None,
            "category": data.get("category") or None,
            "village": data.get("village") or None,
            "state": data.get("state") or None,
            "light": data.get("light") or None,
            "owner": int(data["owner"]) if data.get("owner") else None,
            "overdue": overdue,
            "due_after": data.get("due_after"),
            "due_before": data.get("due_before"),
            "sort": data.get("sort") or "-found_on",
        }


class BulkForm(forms.Form):
    """A leader's bulk change of the selected items, applied item by item through `item_update`."""

    OWNER = "owner"
    DEADLINE = "deadline"
    operation = forms.ChoiceField(
        label=_("Change"), choices=[(OWNER, _("assign owner")), (DEADLINE, _("set deadline"))]
    )
    owner = forms.ModelChoiceField(
        label=_("New owner"), queryset=Person.objects.none(), required=False
    )
    deadline = forms.DateField(
        label=_("New deadline"), required=False, widget=DateInput(), validators=[validate_deadline]
    )

    def __init__(self, data: Any, *, people: Any) -> None:
        super().__init__(data)
        model_choice_field(self, "owner").queryset = people
        style(self)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("operation") == self.OWNER and not data.get("owner"):
            self.add_error("owner", _("Choose the new owner."))
        if data.get("operation") == self.DEADLINE and not data.get("deadline"):
            self.add_error("deadline", _("Choose the new deadline."))
        return data


# --- the item page ----------------------------------------------------------------------------

NOTE_OPTIONAL = ("start", "submit", "approve_extension", "approve_suspension", "resume")
REASON_REQUIRED = (
    "return",
    "reopen",
    "cancel",
    "reject_extension",
    "reject_suspension",
    "extend",
    "suspend",
)


class ActionForm(forms.Form):
    """The input one lifecycle action needs; the service checks everything again."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, action: str, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", action)
        super().__init__(*args, **kwargs)
        self.action = action
        self.label = ACTION_LABELS.get(action, action)
        if action == "verify":
            self.fields["note"] = forms.CharField(
                label=_("What was checked"), widget=forms.Textarea(attrs={"rows": 2})
            )
        elif action in NOTE_OPTIONAL:
            self.fields["note"] = forms.CharField(
                label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
            )
        if action == "extend":
            self.fields["new_deadline"] = forms.DateField(
                label=_("New deadline"), widget=DateInput(), validators=[validate_deadline]
            )
        if action == "suspend":
            self.fields["resume_on"] = forms.DateField(label=_("Resume on"), widget=DateInput())
        if action in REASON_REQUIRED:
            self.fields["reason"] = forms.CharField(
                label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2})
            )
        style(self)

    def service_arguments(self) -> dict[str, Any]:
        return {name: value for name, value in self.cleaned_data.items() if name != "version"}

    @property
    def is_strong(self) -> bool:
        """The action that moves the work forward gets the primary button."""
        return self.action in (
            "start",
            "submit",
            "verify",
            "approve_extension",
            "approve_suspension",
        )

    @property
    def is_danger(self) -> bool:
        return self.action in (
            "return",
            "reopen",
            "cancel",
            "reject_extension",
            "reject_suspension",
        )


class ProgressForm(forms.Form):
    text = forms.CharField(label=_("Progress"), widget=forms.Textarea(attrs={"rows": 3}))
    percent = forms.IntegerField(label=_("Done (%)"), required=False, min_value=0, max_value=100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["percent"].widget.attrs["inputmode"] = "numeric"
        style(self)


# --- registration (摸排登记) -----------------------------------------------------------------


class RegisterForm(forms.Form):
    """Pick a category and a village; the category's own fields are added as `attr_<name>`."""

    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.none())
    village = forms.ModelChoiceField(label=_("Village"), queryset=Village.objects.none())
    group = forms.ModelChoiceField(
        label=_("Villagers' group"), queryset=VillageGroup.objects.none(), required=False
    )
    plot = forms.ModelChoiceField(label=_("Plot"), queryset=Plot.objects.none(), required=False)
    title = forms.CharField(label=_("Problem (short title)"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    measures = forms.CharField(
        label=_("Rectification measures"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    scope = forms.CharField(
        label=_("Scope of rectification"),
        required=False,
        max_length=200,
        help_text=_("Where and how far, e.g. 三组河坝地 3.5 亩"),
    )
    subject = forms.CharField(label=_("Household or place"), required=False, max_length=100)
    deadline = forms.DateField(
        label=_("Deadline"),
        required=False,
        widget=DateInput(),
        validators=[validate_deadline],
        help_text=_("Leave empty for the category's default time limit."),
    )

    def __init__(
        self,
        data: Any = None,
        files: Any = None,
        *,
        categories: Any,
        villages: Any,
        initial: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(data, files, initial=initial)
        model_choice_field(self, "category").queryset = categories
        model_choice_field(self, "village").queryset = villages
        source = data if data is not None else (initial or {})
        self.chosen_category = self._pick(categories, source.get("category"))
        self.chosen_village = self._pick(villages, source.get("village"))
        if self.chosen_village is None and villages.count() == 1:
            self.chosen_village = villages.first()
            self.initial["village"] = self.chosen_village.pk
        village = self.chosen_village
        model_choice_field(self, "group").queryset = (
            village.groups.all() if village else VillageGroup.objects.none()
        )
        model_choice_field(self, "plot").queryset = (
            village.plots.all() if village else Plot.objects.none()
        )
        self.category_fields: list[CategoryField] = []
        if self.chosen_category is not None:
            self.category_fields = list(self.chosen_category.fields.all())
            for field in self.category_fields:
                self.fields[f"attr_{field.name}"] = self._field_for(field, village)
            if any(field.type == FieldType.PLOT for field in self.category_fields):
                # The category names its plot itself; a second plot picker would only confuse.
                del self.fields["plot"]
        style(self)

    @staticmethod
    def _pick(queryset: Any, value: Any) -> Any:
        if value in (None, ""):
            return None
        pk = getattr(value, "pk", value)
        try:
            return queryset.filter(pk=int(pk)).first()
        except (TypeError, ValueError):
            return None

    @staticmethod
    def _field_for(field: CategoryField, village: Village | None) -> forms.Field:
        common: dict[str, Any] = {
            "label": field.label,
            "required": field.required,
            "help_text": field.help_text,
        }
        if field.unit:
            common["label"] = gettext("%(label)s (%(unit)s)") % {
                "label": field.label,
                "unit": field.unit,
            }
        match field.type:
            case FieldType.NUMBER:
                return forms.CharField(
                    widget=forms.TextInput(attrs={"inputmode": "numeric"}), **common
                )
            case FieldType.DECIMAL:
                return forms.CharField(
                    widget=forms.TextInput(attrs={"inputmode": "decimal"}), **common
                )
            case FieldType.DATE:
                return forms.CharField(widget=forms.DateInput(attrs={"type": "date"}), **common)
            case FieldType.CHOICE:
                return forms.ChoiceField(
                    choices=[("", "—")] + [(c, c) for c in field.choices], **common
                )
            case FieldType.PLOT:
                plots = village.plots.all() if village else []
                choices = [
                    (
                        p.code,
                        gettext("%(code)s · %(area)s mu") % {"code": p.code, "area": p.area_mu},
                    )
                    for p in plots
                ]
                return forms.ChoiceField(choices=[("", "—"), *choices], **common)
            case FieldType.HOUSEHOLD:
                households = Household.objects.filter(village=village) if village else []
                return forms.ChoiceField(
                    choices=[("", "—")] + [(str(h.pk), h.head_name) for h in households], **common
                )
        return forms.CharField(max_length=500, **common)

    def attributes(self) -> dict[str, Any]:
        return {
            field.name: self.cleaned_data.get(f"attr_{field.name}")
            for field in self.category_fields
            if self.cleaned_data.get(f"attr_{field.name}") not in (None, "")
        }

    def attribute_fields(self) -> list[forms.BoundField]:
        return [self[f"attr_{field.name}"] for field in self.category_fields]

    def plot_for_item(self) -> Plot | None:
        """The item's plot: the category's plot field when it has one, else the plot picker."""
        for field in self.category_fields:
            if field.type == FieldType.PLOT and self.cleaned_data.get(f"attr_{field.name}"):
                return Plot.objects.filter(
                    village=self.chosen_village, code=self.cleaned_data[f"attr_{field.name}"]
                ).first()
        return self.cleaned_data.get("plot")


class BreakdownForm(forms.Form):
    """A sub-item of an item (快速分解细化): what, who and by when."""

    title = forms.CharField(label=_("Sub-item"), max_length=200)
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=Person.objects.none())
    deadline = forms.DateField(
        label=_("Deadline"),
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[validate_deadline],
    )
    measures = forms.CharField(
        label=_("Rectification measures"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, item: Item, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "owner").queryset = (
            Person.objects.visible_to(user)
            .filter(town_id=item.town_id, active=True)
            .order_by("name")
        )
        style(self)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input (photos from the phone's camera or gallery); a list."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(one, initial) for one in data if one]
        return [single(data, initial)] if data else []
