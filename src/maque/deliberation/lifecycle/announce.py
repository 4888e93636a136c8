"""Telling people what happened to a topic, once the change has committed.

A new topic reaches the village's secretary and contact leader. A decision the proposer must
hear (declined with its reason, merged, answered) reaches the proposer when they are a person
with a login, and the proposers of every topic merged into this one; a villager without an
account reads it on the receipt page.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from maque.deliberation.models import Topic
from maque.notifications.services import notify
from maque.organisation.models import Person, Role
from maque.organisation.queries import responsible_for

MERGE_DEPTH = 10  # merged topics form short chains; this bounds a bad one


def topic_link(topic: Topic) -> str:
    return f"/topics/{topic.code}/"


def proposers_of(topic: Topic) -> list[Person]:
    """The topic's proposer and those of the topics merged into it (and into those), if people."""
    people: dict[int, Person] = {}
    level = [topic.pk]
    for _depth in range(MERGE_DEPTH):
        if not level:
            break
        rows = Topic.objects.filter(pk__in=level).select_related("proposer")
        for row in rows:
            if row.proposer is not None:
                people.setdefault(row.proposer.pk, row.proposer)
        level = list(Topic.objects.filter(merged_into_id__in=level).values_list("pk", flat=True))
    return list(people.values())


def _message(topic: Topic, event: str) -> tuple[str, str]:
    values = {"code": topic.code, "title": topic.title}
    if event == "submitted":
        return _("New topic %(code)s: %(title)s") % values, topic.description[:200]
    if event == "declined":
        return _("Topic %(code)s was declined") % values, topic.decline_reason
    if event == "merged":
        target = topic.merged_into
        return (
            _("Topic %(code)s was merged into %(target)s")
            % {**values, "target": target.code if target else ""},
            target.title if target else "",
        )
    return _("Topic %(code)s was answered") % values, topic.answer


def announce(topic: Topic, event: str) -> None:
    if event == "submitted":
        recipients: list[Person] = responsible_for(
            village=topic.village,
            roles=(Role.SECRETARY, Role.CONTACT_LEADER),
            day=timezone.localdate(),
        )
    else:
        recipients = proposers_of(topic)
    if not recipients:
        return
    title, body = _message(topic, event)
    notify(
        recipients=recipients,
        kind=f"topic.{event}",
        title=title[:200],
        body=body,
        link=topic_link(topic),
        key=f"topic:{topic.pk}:{event}:{topic.version}",
        town=topic.town,
    )


def announce_on_commit(topic: Topic, event: str) -> None:
    transaction.on_commit(lambda: announce(topic, event))
