"""Topic figures per village and period (issue 12 §6): topics by concern and track, median days
to accept and to answer, the share answered in time, satisfaction. Counts come from the database
in one grouped query; the medians from the few dates of the period's topics. Every figure is
the plain definition of `definitions.py` (tested item by item)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import NamedTuple

from django.db.models import Count
from django.utils import timezone

from maque.deliberation import definitions as d
from maque.deliberation.models import Concern, Topic, Track
from maque.ledger.definitions import rate
from maque.organisation.models import Town
from maque.supervision.scoring import TopicCounts


class _Dates(NamedTuple):
    state: str
    created_at: datetime
    accepted_at: datetime | None
    answered_at: datetime | None
    answer_due: date | None


@dataclass
class VillageTopicFigures:
    village_id: int
    topics: int = 0
    by_concern: dict[str, int] = field(default_factory=lambda: dict.fromkeys(Concern.values, 0))
    by_track: dict[str, int] = field(default_factory=lambda: dict.fromkeys(Track.values, 0))
    median_days_to_accept: float | None = None
    median_days_to_answer: float | None = None
    answered: int = 0
    answered_in_time: int = 0
    rated: int = 0
    satisfied: int = 0
    by_satisfaction: dict[str, int] = field(default_factory=dict)

    @property
    def answered_in_time_rate(self) -> float | None:
        return rate(self.answered_in_time, self.answered)

    @property
    def satisfaction_rate(self) -> float | None:
        return rate(self.satisfied, self.rated)

    def as_dict(self) -> dict[str, object]:
        return {
            "village": self.village_id,
            "topics": self.topics,
            "by_concern": self.by_concern,
            "by_track": self.by_track,
            "median_days_to_accept": self.median_days_to_accept,
            "median_days_to_answer": self.median_days_to_answer,
            "answered": self.answered,
            "answered_in_time_rate": self.answered_in_time_rate,
            "satisfaction_rate": self.satisfaction_rate,
            "by_satisfaction": self.by_satisfaction,
        }


def _window(start: date, end: date) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    first = datetime.combine(start, time.min, tzinfo=zone)
    last = datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone)
    return first, last


def week_topic_figures(town: Town, now: datetime) -> dict[int, dict[str, object]]:
    """The topic figures of the seven local days up to `now`, per village id: what the weekly
    diagnosis pack carries (`meetings.queries.diagnosis_pack` takes it from the diagnosis app)."""
    end = timezone.localdate(now)
    found = village_topic_figures(town=town, start=end - timedelta(days=6), end=end)
    return {village: figures.as_dict() for village, figures in found.items()}


def village_topic_figures(
    *, town: Town | int, start: date, end: date, villages: Iterable[int] | None = None
) -> dict[int, VillageTopicFigures]:
    """The figures of each village of the town with topics submitted from `start` to `end`
    (local days, both included); villages without topics are left out."""
    town_id = town if isinstance(town, int) else town.pk
    first, last = _window(start, end)
    topics = Topic.objects.filter(
        town_id=town_id, created_at__gte=first, created_at__lt=last
    ).exclude(state__in=d.NOT_COUNTED)
    if villages is not None:
        topics = topics.filter(village_id__in=list(villages))
    found: dict[int, VillageTopicFigures] = {}

    def of(village_id: int) -> VillageTopicFigures:
        # Not `setdefault`: it would build (and throw away) a fresh row for every group.
        figures = found.get(village_id)
        if figures is None:
            figures = found[village_id] = VillageTopicFigures(village_id)
        return figures

    for village_id, concern, track, satisfaction, count in (
        topics.values_list("village_id", "concern", "track", "satisfaction")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        figures = of(village_id)
        figures.topics += count
        figures.by_concern[concern] = figures.by_concern.get(concern, 0) + count
        if track:
            figures.by_track[track] = figures.by_track.get(track, 0) + count
        if satisfaction:
            figures.rated += count
            figures.by_satisfaction[satisfaction] = (
                figures.by_satisfaction.get(satisfaction, 0) + count
            )
            if satisfaction in d.SATISFIED:
                figures.satisfied += count
    to_accept: dict[int, list[int]] = defaultdict(list)
    to_answer: dict[int, list[int]] = defaultdict(list)
    rows = topics.filter(accepted_at__isnull=False).values_list(
        "village_id", "state", "created_at", "accepted_at", "answered_at", "answer_due"
    )
    zone = timezone.get_current_timezone()
    for village_id, state, created_at, accepted_at, answered_at, answer_due in rows:
        # A plain row, not a model instance: a town's month has thousands of them.
        probe = _Dates(state, created_at, accepted_at, answered_at, answer_due)
        accept = d.days_to_accept(probe, zone)
        if accept is not None:
            to_accept[village_id].append(accept)
        answer = d.days_to_answer(probe, zone)
        if answer is not None:
            to_answer[village_id].append(answer)
            figures = of(village_id)
            figures.answered += 1
            figures.answered_in_time += bool(d.answered_in_time(probe, zone))
    for village_id, figures in found.items():
        figures.median_days_to_accept = d.median_days(to_accept[village_id])
        figures.median_days_to_answer = d.median_days(to_answer[village_id])
    return found


def _days(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def scoring_topic_counts(town_id: int, start: date, end: date) -> dict[int, TopicCounts]:
    """The figures the scoring scheme's topic rules score (installed into supervision when the
    app is ready): the same figures as the diagnosis pack's, not a second definition."""
    return {
        village_id: TopicCounts(
            raised=figures.topics,
            median_days_to_accept=_days(figures.median_days_to_accept),
            median_days_to_answer=_days(figures.median_days_to_answer),
            answered=figures.answered,
            answered_in_time=figures.answered_in_time,
            rated=figures.rated,
            satisfied=figures.satisfied,
        )
        for village_id, figures in village_topic_figures(town=town_id, start=start, end=end).items()
    }
