"""Where the scoring scheme's topic rules take their figures from.

Joint deliberation sits above supervision (the import contracts), so its figures cannot be
imported here: the deliberation app installs its source when it is ready, as the organisation
installs the actor resolver. Without a source there are no topics to score."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date

from maque.supervision.scoring import TopicCounts

# (town id, first day, last day, both included) -> village id -> that village's topic counts
TopicSource = Callable[[int, date, date], Mapping[int, TopicCounts]]

_source: list[TopicSource] = []


def install_topic_source(source: TopicSource) -> None:
    _source[:] = [source]


def topic_counts(*, town_id: int, start: date, end: date) -> dict[int, TopicCounts]:
    """The topic counts of each village with topics submitted from `start` to `end`."""
    if not _source:
        return {}
    return dict(_source[0](town_id, start, end))
