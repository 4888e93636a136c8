"""The statutory quorum and majority rules, as the default rows (no town) of `CountingRule`.

- 村民代表会议 (村民委员会组织法 §26): two thirds of the representatives present; a resolution
  passes with more than half of those present.
- 村民会议 (§22): more than half of the adult villagers, or two thirds of the households'
  representatives; more than half of those present.
- 党员大会, 党支部委员会会议 (中国共产党支部工作条例): more than half of the members present; a
  decision passes with more than half of the members entitled to vote (the roll).
- 村“两委”会议: no statute; more than half of the members present, more than half of those
  present.
A town's own row for a kind overrides these.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

DEFAULTS: list[dict[str, Any]] = [
    {"kind": "representatives", "quorum_basis": "roll", "quorum_num": 2, "quorum_den": 3},
    {
        "kind": "villagers",
        "quorum_basis": "adults",
        "quorum_num": 1,
        "quorum_den": 2,
        "quorum_strict": True,
        "alt_basis": "households",
        "alt_num": 2,
        "alt_den": 3,
    },
    {
        "kind": "party_assembly",
        "quorum_basis": "roll",
        "quorum_num": 1,
        "quorum_den": 2,
        "quorum_strict": True,
        "majority_basis": "roll",
    },
    {
        "kind": "party_branch",
        "quorum_basis": "roll",
        "quorum_num": 1,
        "quorum_den": 2,
        "quorum_strict": True,
        "majority_basis": "roll",
    },
    {
        "kind": "two_committees",
        "quorum_basis": "roll",
        "quorum_num": 1,
        "quorum_den": 2,
        "quorum_strict": True,
    },
]


def install(apps: Any, schema_editor: Any) -> None:
    rule = apps.get_model("meetings", "CountingRule")
    for values in DEFAULTS:
        rule.objects.get_or_create(town=None, kind=values["kind"], defaults=values)


def remove(apps: Any, schema_editor: Any) -> None:
    rule = apps.get_model("meetings", "CountingRule")
    rule.objects.filter(town__isnull=True, kind__in=[v["kind"] for v in DEFAULTS]).delete()


class Migration(migrations.Migration):
    dependencies = [("meetings", "0002_rosters_rolls_resolutions")]

    operations = [migrations.RunPython(install, remove)]
