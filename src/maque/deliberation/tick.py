"""The topics' steps of `maque tick` (see `maque.rhythm.tick.STEPS`).

- `complete_finished_topics`: a topic being carried out is completed once every action item that
  came of it is closed (the ledger knows nothing of topics: this step asks it);
- `remind_topics`: acceptance due within the town's working days (default 3) after a topic
  arrives, the answer within its days (default 5) after completion. On the due day the village's
  secretary is reminded; once it has passed, the contact leader is told. Each rung fires once per
  topic (and again after a reopening), kept by `TopicReminder`'s unique key.
"""

from __future__ import annotations

import logging
from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from maque.core.errors import ConflictError
from maque.core.statemachine import AUTOMATION
from maque.deliberation.lifecycle.actions import topic_complete
from maque.deliberation.lifecycle.announce import topic_link
from maque.deliberation.models import Topic, TopicAction, TopicReminder, TopicState
from maque.ledger.models import State
from maque.notifications.services import notify
from maque.organisation.models import Role
from maque.organisation.queries import responsible_for

log = logging.getLogger(__name__)
Rung = TopicReminder.Rung


def complete_finished_topics(*, now: datetime) -> int:
    """Complete every assigned or implementing topic whose action items are all finished."""
    unfinished = TopicAction.objects.filter(
        topic=OuterRef("pk"),
        item__state__in=[State.FOUND, State.RECTIFYING, State.SUBMITTED, State.SUSPENDED],
    )
    closed = TopicAction.objects.filter(topic=OuterRef("pk"), item__state=State.CLOSED)
    candidates = (
        Topic.objects.filter(state__in=[TopicState.ASSIGNED, TopicState.IMPLEMENTING])
        .filter(Exists(closed))
        .exclude(Exists(unfinished))
        .values_list("pk", flat=True)
    )
    done = 0
    for pk in list(candidates):
        try:
            topic_complete(topic=Topic(pk=pk), by=AUTOMATION, via="tick")
        except ConflictError:  # completed (or changed) by a concurrent tick meanwhile
            continue
        done += 1
    return done


# rung -> (the state it watches, the due-date field, the roles told, late: the day after due)
RUNGS: dict[str, tuple[str, str, tuple[str, ...], bool]] = {
    Rung.ACCEPT_DUE: (TopicState.SUBMITTED, "accept_due", (Role.SECRETARY,), False),
    Rung.ACCEPT_LATE: (TopicState.SUBMITTED, "accept_due", (Role.CONTACT_LEADER,), True),
    Rung.ANSWER_DUE: (TopicState.COMPLETED, "answer_due", (Role.SECRETARY,), False),
    Rung.ANSWER_LATE: (TopicState.COMPLETED, "answer_due", (Role.CONTACT_LEADER,), True),
}


def _message(rung: str, topic: Topic, due: date) -> str:
    values = {"code": topic.code, "title": topic.title, "due": due.isoformat()}
    if rung == Rung.ACCEPT_DUE:
        return _("Topic %(code)s is to be accepted or declined by %(due)s: %(title)s") % values
    if rung == Rung.ACCEPT_LATE:
        return _("Topic %(code)s was not accepted by %(due)s: %(title)s") % values
    if rung == Rung.ANSWER_DUE:
        return _("Topic %(code)s is to be answered by %(due)s: %(title)s") % values
    return _("Topic %(code)s was not answered by %(due)s: %(title)s") % values


def remind_topics(*, now: datetime) -> int:
    today = timezone.localdate(now)
    sent = 0
    for rung, (state, due_field, roles, late) in RUNGS.items():
        due_filter = {f"{due_field}__lt" if late else f"{due_field}__lte": today}
        already = TopicReminder.objects.filter(
            topic=OuterRef("pk"), rung=rung, round=OuterRef("reopened_count")
        )
        topics = (
            Topic.objects.filter(state=state, **due_filter)
            .exclude(Exists(already))
            .select_related("town", "village")
        )
        for topic in topics:
            try:
                with transaction.atomic():
                    TopicReminder.objects.create(topic=topic, rung=rung, round=topic.reopened_count)
                    due = getattr(topic, due_field)
                    people = responsible_for(village=topic.village, roles=roles, day=today)
                    if people:
                        notify(
                            recipients=people,
                            kind=f"topic.{rung}",
                            title=_message(rung, topic, due)[:200],
                            link=topic_link(topic),
                            key=f"topic:{topic.pk}:{rung}:{topic.reopened_count}",
                            town=topic.town,
                        )
            except IntegrityError:  # another tick took this rung first
                continue
            sent += 1
    return sent
