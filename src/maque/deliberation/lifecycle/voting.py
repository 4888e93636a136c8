"""A topic put to the vote at a meeting it is on the agenda of (issue 12, "a topic's resolutions
move it to deliberated").

The resolution is recorded by the meetings app (`meetings.resolutions.resolution_record`: the
outcome computed from the roll, the attendance and the kind's counting rule, never claimed), and
in the same transaction the topic's agenda row points at it. A passed resolution moves the topic
to deliberated through the lifecycle (`topic_deliberate`: row lock, version, history); one that
failed — no majority, or no quorum — is kept on the agenda row and the topic stays scheduled.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from maque.deliberation.lifecycle.actions import topic_deliberate
from maque.deliberation.lifecycle.machinery import TOPICS
from maque.deliberation.models import AgendaItem, Topic
from maque.meetings.models import Meeting, Resolution
from maque.meetings.resolutions import resolution_record
from maque.meetings.services import DecisionIn
from maque.organisation.access import actor_for


@dataclass(frozen=True)
class TopicVote:
    resolution: Resolution
    topic: Topic

    @property
    def passed(self) -> bool:
        return self.resolution.passed


def topic_vote(
    *,
    topic: Topic,
    meeting: Meeting,
    by: User,
    text: str,
    votes_for: int,
    votes_against: int,
    votes_abstain: int,
    passed: bool | None = None,
    actions: Sequence[DecisionIn] = (),
    version: int | None = None,
    via: str = "api",
) -> TopicVote:
    """Record the resolution on a scheduled topic at `meeting`; a passed one deliberates it."""
    TOPICS.check(actor_for(by), topic, "deliberate")
    row = AgendaItem.objects.filter(meeting=meeting, topic=topic, deliberated=False).first()
    if row is None:
        raise ValidationError({"topic": [_("This topic is not waiting on this meeting's agenda.")]})
    with transaction.atomic():
        resolution = resolution_record(
            meeting=meeting,
            by=by,
            text=text,
            votes_for=votes_for,
            votes_against=votes_against,
            votes_abstain=votes_abstain,
            passed=passed,
            actions=actions,
        )
        if resolution.passed:
            topic = topic_deliberate(
                topic=topic, by=by, resolution=resolution, version=version, via=via
            )
        else:
            locked = AgendaItem.objects.select_for_update().get(pk=row.pk)
            locked.resolution = resolution
            locked._history_user = by  # type: ignore[attr-defined]
            locked.save(update_fields=["resolution"])
            topic = Topic.objects.get(pk=topic.pk)
    return TopicVote(resolution=resolution, topic=topic)
