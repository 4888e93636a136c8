"""The snapshot columns whose data lives in the apps beside the ledger, each a count or a figure
per village of a town on a day: projects' deviation (`maque.projects`), topics waiting
(`maque.deliberation`), petitions overdue on their statutory limits (`maque.petitions`)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from django.db.models import Count

from maque.deliberation.models import OPEN_TOPIC_STATES, Topic
from maque.diagnosis.snapshots import ColumnSource
from maque.organisation.models import Town
from maque.petitions.models import Petition
from maque.petitions.queries import overdue_filter
from maque.projects.queries import village_deviation


def topics_waiting(town: Town, day: date) -> dict[int, int]:
    """Topics of joint deliberation still waiting for something to be done, per village."""
    rows = (
        Topic.objects.filter(town=town, state__in=OPEN_TOPIC_STATES)
        .order_by()
        .values("village_id")
        .annotate(n=Count("*"))
    )
    return {row["village_id"]: row["n"] for row in rows}


def petitions_overdue(town: Town, day: date) -> dict[int, int]:
    """Petitions past their running statutory limit on `day`, per village (those of no village
    aside)."""
    rows = (
        Petition.objects.filter(overdue_filter(day), town=town, village__isnull=False)
        .order_by()
        .values("village_id")
        .annotate(n=Count("*"))
    )
    return {row["village_id"]: row["n"] for row in rows}


SOURCES: Mapping[str, ColumnSource] = {
    "projects_deviation": village_deviation,
    "topics_waiting": topics_waiting,
    "petitions_overdue": petitions_overdue,
}
