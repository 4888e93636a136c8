"""The town's list of policies to explain, installed from data (`fixtures/policies.json`):
another town's list is another file or an edit in the admin, never a release."""

from __future__ import annotations

import json
from pathlib import Path

from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from maque.fieldwork.models import Policy
from maque.organisation.models import Town

DEFAULT_POLICIES = Path(__file__).with_name("fixtures") / "policies.json"


def policies_install(*, town: Town, path: Path = DEFAULT_POLICIES) -> list[Policy]:
    """Create or update the policies of `path` in `town` (idempotent, never deletes)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    installed = []
    for order, row in enumerate(data["policies"], start=1):
        values = {"name": row["name"], "plain_text": row["plain_text"], "order": order}
        try:
            with transaction.atomic():
                policy, _created = Policy.objects.update_or_create(
                    town=town, code=row["code"], defaults=values
                )
        except IntegrityError:
            policy = Policy.objects.get(town=town, code=row["code"])
        installed.append(policy)
    return installed


def policies_of(town: Town) -> QuerySet[Policy]:
    """The town's active policies, installed from the default list on first use."""
    if not Policy.objects.filter(town=town).exists():
        policies_install(town=town)
    return Policy.objects.filter(town=town, active=True).order_by("order", "name")
