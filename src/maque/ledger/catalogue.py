"""Installs a catalogue of campaigns and categories (a JSON file) into a town.

Categories are data: another town's "六个专项" is a different file or an edit in the admin, not a
release. Installing is idempotent: existing campaigns, categories and fields are updated in place
(with history), never deleted.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext_lazy

from maque.ledger.models import Campaign, Category, CategoryField, FieldType, Kind
from maque.organisation.models import Town

DEFAULT_CATALOGUE = Path(__file__).with_name("fixtures") / "catalogue.json"


def catalogue_install(
    *, town: Town, path: Path = DEFAULT_CATALOGUE, by: User | None = None
) -> list[Category]:
    """Create or update the campaigns, categories and fields of `path` in `town`."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    installed: list[Category] = []
    with transaction.atomic():
        for campaign_order, campaign_data in enumerate(data["campaigns"], start=1):
            campaign = _upsert(
                Campaign,
                {"town": town, "code": campaign_data["code"]},
                {
                    "name": campaign_data["name"],
                    "description": campaign_data.get("description", ""),
                    "order": campaign_data.get("order", campaign_order),
                },
                by,
            )
            for order, category_data in enumerate(campaign_data.get("categories", []), start=1):
                category = _upsert(
                    Category,
                    {"town": town, "code": category_data["code"]},
                    {
                        "campaign": campaign,
                        "name": category_data["name"],
                        "standard": category_data.get("standard", ""),
                        "default_deadline_days": category_data.get("default_deadline_days", 30),
                        "evidence_required": category_data.get("evidence_required", True),
                        "verifier_roles": category_data.get("verifier_roles")
                        or Category._meta.get_field("verifier_roles").get_default(),
                        "order": order,
                    },
                    by,
                )
                for field_order, field_data in enumerate(category_data.get("fields", []), start=1):
                    if field_data["type"] not in FieldType.values:
                        raise ValueError(
                            f"unknown field type {field_data['type']!r} in {category.code}"
                        )
                    minimum = field_data.get("min_value")
                    _upsert(
                        CategoryField,
                        {"category": category, "name": field_data["name"]},
                        {
                            "label": field_data["label"],
                            "type": field_data["type"],
                            "unit": field_data.get("unit", ""),
                            "required": field_data.get("required", False),
                            "choices": field_data.get("choices", []),
                            "min_value": Decimal(minimum) if minimum is not None else None,
                            "help_text": field_data.get("help_text", ""),
                            "order": field_order,
                        },
                        by,
                    )
                installed.append(category)
    return installed


def _upsert(model: type[Any], keys: dict[str, Any], values: dict[str, Any], by: User | None) -> Any:
    instance = model.objects.filter(**keys).first() or model(**keys)
    changed = instance.pk is None
    for name, value in values.items():
        if changed or getattr(instance, name) != value:
            setattr(instance, name, value)
            changed = True
    if changed:
        instance._history_user = by
        instance.save()
    return instance


# --- the standing campaigns of kinds that belong to no campaign of key work -----------------

# Items of these kinds are not work of a campaign of the catalogue: a meeting decision without a
# campaign of its own, and a petition, go to the town's standing campaign of their kind, created
# on first use (never to "the first active campaign", which would count them as that campaign's
# work in bulletins and figures). They sort after the catalogue's campaigns and, holding only
# their own items, show up in a bulletin's campaign table only once they have some.
STANDING_CAMPAIGNS: dict[str, tuple[str, Any, int]] = {
    Kind.ACTION: ("meeting-actions", gettext_lazy("Meeting decision items"), 900),
    Kind.PETITION: ("petitions", gettext_lazy("Petitions"), 910),
}
STANDING_CODES = frozenset(code for code, _name, _order in STANDING_CAMPAIGNS.values())


def campaign_for_kind(*, town: Town, kind: str) -> Campaign:
    """The town's standing campaign for items of `kind` (action, petition), created on first use."""
    code, name, order = STANDING_CAMPAIGNS[kind]
    found = Campaign.objects.filter(town=town, code=code).first()
    if found is not None:
        return found
    with translation.override(settings.LANGUAGE_CODE):
        # Stored text: in the deployment's language.
        stored_name = str(name)
    try:
        with transaction.atomic():
            return _upsert(
                Campaign, {"town": town, "code": code}, {"name": stored_name, "order": order}, None
            )
    except IntegrityError:
        # Created meanwhile by a concurrent first use.
        return Campaign.objects.get(town=town, code=code)
