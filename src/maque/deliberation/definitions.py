"""The topics' vocabulary of figures, each defined once in plain Python for one topic
(issue 12 §6). `figures.py` computes them for many topics at once from the database, and
`tests/deliberation/test_it_counts_topics_by_the_definitions.py` holds the two together.

- **Counted**: a topic of the period (submitted in it, by the town's local day), neither spam nor
  merged into another (a duplicate is counted once, in the topic it joined).
- **Days to accept**: calendar days from the day it was submitted to the day it was accepted.
- **Days to answer**: calendar days from the day it was submitted to the day it was answered
  (what the proposer waited).
- **Answered in time**: answered on or before its answer's due day (the town's working days
  after completion).
- **Satisfied**: the proposer gave 满意 or 基本满意; the satisfaction rate is satisfied ÷ rated.
- Rates are `ledger.definitions.rate`: percent with one decimal, None with nothing to rate.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from statistics import median
from typing import Protocol

from django.utils import timezone

from maque.deliberation.models import Satisfaction, Topic, TopicState

NOT_COUNTED = (TopicState.SPAM, TopicState.MERGED)


class TopicDates(Protocol):
    """What the time figures read of a topic: a `Topic`, or a row of its values."""

    @property
    def state(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def accepted_at(self) -> datetime | None: ...
    @property
    def answered_at(self) -> datetime | None: ...
    @property
    def answer_due(self) -> date | None: ...


SATISFIED = (Satisfaction.SATISFIED, Satisfaction.FAIRLY)


def local_day(moment: datetime, zone: tzinfo | None = None) -> date:
    """The local day of `moment`: in `zone`, or the current time zone (a caller reading many
    topics looks the zone up once and passes it)."""
    return moment.astimezone(zone or timezone.get_current_timezone()).date()


def is_counted(topic: Topic, start: date, end: date) -> bool:
    return topic.state not in NOT_COUNTED and start <= local_day(topic.created_at) <= end


def days_to_accept(topic: TopicDates, zone: tzinfo | None = None) -> int | None:
    if topic.accepted_at is None:
        return None
    return (local_day(topic.accepted_at, zone) - local_day(topic.created_at, zone)).days


def days_to_answer(topic: TopicDates, zone: tzinfo | None = None) -> int | None:
    if topic.answered_at is None or topic.state != TopicState.ANSWERED:
        return None
    return (local_day(topic.answered_at, zone) - local_day(topic.created_at, zone)).days


def answered_in_time(topic: TopicDates, zone: tzinfo | None = None) -> bool | None:
    """None when not answered (nothing to judge)."""
    if topic.answered_at is None or topic.state != TopicState.ANSWERED:
        return None
    return topic.answer_due is None or local_day(topic.answered_at, zone) <= topic.answer_due


def is_satisfied(topic: Topic) -> bool | None:
    """None when no satisfaction was given."""
    return topic.satisfaction in SATISFIED if topic.satisfaction else None


def median_days(values: list[int]) -> float | None:
    """The median of a list of days; None for an empty list."""
    return float(median(values)) if values else None
