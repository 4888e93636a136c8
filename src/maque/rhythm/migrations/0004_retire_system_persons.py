"""Retire the per-town system persons (`麻雀系统`, user `system-<town>`) that `tick` used to act as.

`tick` now acts as the automation actor (no person, no role), so these persons would only show
up in owner choices, people lists and `responsible_on`. Nothing is deleted: each person is made
inactive and its role assignments end yesterday, each change with a history row. Their past
transitions keep naming them.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import migrations
from django.utils import timezone

REASON = "automation actor replaces the system person"


def _history(apps, model_name, row, now):  # noqa: ANN001, ANN202
    """A history row for `row` as it now is (what `simple_history` writes on save)."""
    historical = apps.get_model("organisation", f"Historical{model_name}")
    values = {
        field.attname: getattr(row, field.attname)
        for field in historical._meta.concrete_fields
        if not field.name.startswith("history_") and hasattr(row, field.attname)
    }
    historical.objects.create(
        **values,
        history_date=now,
        history_type="~",
        history_change_reason=REASON,
        history_user=None,
    )


def retire(apps, schema_editor):  # noqa: ANN001, ARG001
    person_model = apps.get_model("organisation", "Person")
    assignment_model = apps.get_model("organisation", "RoleAssignment")
    now = timezone.now()
    yesterday = timezone.localdate(now) - timedelta(days=1)
    people = person_model.objects.filter(
        title="system", user__username__startswith="system-", user__is_active=False
    )
    for person in people:
        for assignment in assignment_model.objects.filter(person=person):
            if assignment.valid_to is None or assignment.valid_to > yesterday:
                assignment.valid_to = max(yesterday, assignment.valid_from)
                assignment.save(update_fields=["valid_to"])
                _history(apps, "RoleAssignment", assignment, now)
        if person.active:
            person.active = False
            person.save(update_fields=["active"])
            _history(apps, "Person", person, now)


class Migration(migrations.Migration):
    dependencies = [
        ("rhythm", "0003_watch_list_thresholds"),
        ("organisation", "0001_initial"),
    ]

    operations = [migrations.RunPython(retire, migrations.RunPython.noop)]
