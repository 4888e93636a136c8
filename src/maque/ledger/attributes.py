"""Validation of an item's category fields (`Item.attributes`) against the category's declaration.

Values are stored as JSON: text and choices as strings, numbers as integers, decimals as exact
decimal strings (never floats), dates as ISO strings, plots by code and households by id.
Every problem is reported per field, in the user's language (Chinese first).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from maque.ledger.models import Category, CategoryField, FieldType
from maque.organisation.models import Household, Plot, Village

TEXT_MAX_LENGTH = 500


class References:
    """Plot codes and household ids per village, read once and reused across many rows (bulk
    creation); without it, each plot or household value is looked up on its own."""

    def __init__(self) -> None:
        self._plots: dict[int, set[str]] = {}
        self._households: dict[int, set[int]] = {}

    def plot_exists(self, village: Village, code: str) -> bool:
        if village.pk not in self._plots:
            self._plots[village.pk] = set(
                Plot.objects.filter(village=village).values_list("code", flat=True)
            )
        return code in self._plots[village.pk]

    def household_exists(self, village: Village, household_id: int) -> bool:
        if village.pk not in self._households:
            self._households[village.pk] = set(
                Household.objects.filter(village=village).values_list("pk", flat=True)
            )
        return household_id in self._households[village.pk]


def clean_attributes(
    category: Category, data: Any, *, village: Village | None, references: References | None = None
) -> dict[str, Any]:
    """Return the normalised attributes or raise ValidationError with one message per field."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ValidationError(
            {"attributes": [_("Category fields must be an object of field names and values.")]}
        )
    fields = {field.name: field for field in category.fields.all()}
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    for name in data:
        if name not in fields:
            errors[f"attributes.{name}"] = [
                _("Unknown field “%(name)s” for category %(category)s.")
                % {"name": name, "category": category.name}
            ]
    for name, field in fields.items():
        value = data.get(name)
        if value is None or (isinstance(value, str) and value.strip() == ""):
            if field.required:
                errors[f"attributes.{name}"] = [
                    _("%(label)s is required.") % {"label": field.label}
                ]
            continue
        try:
            cleaned[name] = _clean_value(field, value, village=village, references=references)
        except ValidationError as error:
            errors[f"attributes.{name}"] = list(error.messages)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _clean_value(
    field: CategoryField, value: Any, *, village: Village | None, references: References | None
) -> Any:
    label = field.label
    match field.type:
        case FieldType.TEXT:
            if not isinstance(value, str):
                raise ValidationError(_("%(label)s must be text.") % {"label": label})
            value = value.strip()
            if len(value) > TEXT_MAX_LENGTH:
                raise ValidationError(
                    _("%(label)s is too long (at most %(max)d characters).")
                    % {"label": label, "max": TEXT_MAX_LENGTH}
                )
            return value
        case FieldType.NUMBER:
            if isinstance(value, bool) or not isinstance(value, int | str):
                raise ValidationError(_("%(label)s must be a whole number.") % {"label": label})
            try:
                number = int(value)
            except ValueError:
                raise ValidationError(
                    _("%(label)s must be a whole number.") % {"label": label}
                ) from None
            _check_minimum(field, Decimal(number))
            return number
        case FieldType.DECIMAL:
            if isinstance(value, bool) or not isinstance(value, int | float | str):
                raise ValidationError(_("%(label)s must be a number.") % {"label": label})
            try:
                amount = Decimal(str(value).strip())
            except InvalidOperation:
                raise ValidationError(_("%(label)s must be a number.") % {"label": label}) from None
            if not amount.is_finite():
                raise ValidationError(_("%(label)s must be a number.") % {"label": label})
            _check_minimum(field, amount)
            return (
                format(amount.normalize(), "f") if amount == amount.to_integral() else str(amount)
            )
        case FieldType.DATE:
            if not isinstance(value, str):
                raise ValidationError(
                    _("%(label)s must be a date (YYYY-MM-DD).") % {"label": label}
                )
            try:
                return date.fromisoformat(value.strip()).isoformat()
            except ValueError:
                raise ValidationError(
                    _("%(label)s must be a date (YYYY-MM-DD).") % {"label": label}
                ) from None
        case FieldType.CHOICE:
            if not isinstance(value, str) or value not in field.choices:
                raise ValidationError(
                    _("%(label)s must be one of: %(choices)s.")
                    % {"label": label, "choices": pgettext("enumeration", ", ").join(field.choices)}
                )
            return value
        case FieldType.PLOT:
            if not isinstance(value, str):
                raise ValidationError(_("%(label)s must be a plot code.") % {"label": label})
            if village is None:
                found = False
            elif references is not None:
                found = references.plot_exists(village, value.strip())
            else:
                found = Plot.objects.filter(code=value.strip(), village=village).exists()
            if not found:
                raise ValidationError(_("No plot %(code)s in this village.") % {"code": value})
            return value.strip()
        case FieldType.HOUSEHOLD:
            if (
                isinstance(value, bool)
                or not isinstance(value, int | str)
                or not str(value).isdigit()
            ):
                raise ValidationError(_("%(label)s must be a household number.") % {"label": label})
            if village is None or not (
                references.household_exists(village, int(value))
                if references is not None
                else Household.objects.filter(pk=int(value), village=village).exists()
            ):
                raise ValidationError(_("No such household in this village."))
            return int(value)
    raise ValidationError(_("Unsupported field type."))  # pragma: no cover - choices are closed


def _check_minimum(field: CategoryField, number: Decimal) -> None:
    minimum = field.min_value if field.min_value is not None else None
    if minimum is not None and number < minimum:
        raise ValidationError(
            _("%(label)s must be at least %(min)s.")
            % {"label": field.label, "min": format(minimum.normalize(), "f")}
        )
