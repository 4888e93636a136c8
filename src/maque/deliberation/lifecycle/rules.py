"""Who may take which action on a topic, and from which state: one table of transitions, one of
who acts, and the one refusal function that both decides what a screen or the API offers and
what a service enforces (design §5, §6).

```
submitted ─accept─▶ accepted ─assign (quick: an action item)──▶ assigned ─────────────┐
   │  │                │     └schedule (joint, concerted)─▶ scheduled ─deliberate─▶   │
   │  └decline─▶ declined                     deliberated ─implement─▶ implementing ─┤
   ├mark_spam─▶ spam (public topics)                                                  │
   └merge (also from accepted)─▶ merged          completed ◀─complete (tick: every item closed)
                                                 │ answer
                               accepted ◀─reopen─ answered (rate: 满意/基本满意/不满意)
```
A merged topic's proposer (a follower) gives their own satisfaction with the answer of the topic
it joined (follow_rate), kept on their merged topic: the main proposer's stays theirs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from maque.core.errors import ConflictError, NotPermitted
from maque.core.statemachine import AUTOMATIC, STATE
from maque.deliberation.models import Satisfaction, Topic, TopicSource, TopicState, Track
from maque.deliberation.policies import TRIAGE_ROLES
from maque.deliberation.queries import survivor
from maque.organisation.actor import Actor

S = TopicState
PROPOSER = "proposer"

# action -> (states it may start from, resulting state or None when the state stays).
TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    "accept": (frozenset({S.SUBMITTED}), S.ACCEPTED),
    "decline": (frozenset({S.SUBMITTED}), S.DECLINED),
    "mark_spam": (frozenset({S.SUBMITTED}), S.SPAM),
    "merge": (frozenset({S.SUBMITTED, S.ACCEPTED}), S.MERGED),
    "assign": (frozenset({S.ACCEPTED}), S.ASSIGNED),
    "schedule": (frozenset({S.ACCEPTED}), S.SCHEDULED),
    "deliberate": (frozenset({S.SCHEDULED}), S.DELIBERATED),
    "implement": (frozenset({S.DELIBERATED}), S.IMPLEMENTING),
    "add_action": (frozenset({S.ASSIGNED, S.IMPLEMENTING}), None),
    "complete": (frozenset({S.ASSIGNED, S.IMPLEMENTING}), S.COMPLETED),
    "answer": (frozenset({S.COMPLETED}), S.ANSWERED),
    "rate": (frozenset({S.ANSWERED}), None),
    "reopen": (frozenset({S.ANSWERED}), S.ACCEPTED),
    "follow_rate": (frozenset({S.MERGED}), None),
}

# Who triages and answers: `policies.TRIAGE_ROLES`. The proposer (their receipt, or their own
# person) gives satisfaction and may ask to reopen once.
ACTORS: dict[str, frozenset[str]] = {
    "accept": TRIAGE_ROLES,
    "decline": TRIAGE_ROLES,
    "mark_spam": TRIAGE_ROLES,
    "merge": TRIAGE_ROLES,
    "assign": TRIAGE_ROLES,
    "schedule": TRIAGE_ROLES,
    "deliberate": TRIAGE_ROLES,
    "implement": TRIAGE_ROLES,
    "add_action": TRIAGE_ROLES,
    "complete": frozenset(),  # the automation only, once every action item is closed
    "answer": TRIAGE_ROLES,
    "rate": frozenset({PROPOSER}),
    "reopen": TRIAGE_ROLES | {PROPOSER},
    "follow_rate": frozenset({PROPOSER}),
}
AUTOMATIC_ACTIONS = frozenset({"complete"})
REOPEN_LIMIT = 1

ACTION_LABELS = {
    "accept": gettext_lazy("accept"),
    "decline": gettext_lazy("decline"),
    "mark_spam": gettext_lazy("mark as spam"),
    "merge": gettext_lazy("merge into another topic"),
    "assign": gettext_lazy("assign as an action item"),
    "schedule": gettext_lazy("put on a meeting's agenda"),
    "deliberate": gettext_lazy("record as deliberated"),
    "implement": gettext_lazy("start implementing"),
    "add_action": gettext_lazy("add an action item"),
    "complete": gettext_lazy("complete"),
    "answer": gettext_lazy("answer the proposer"),
    "rate": gettext_lazy("give satisfaction"),
    "reopen": gettext_lazy("reopen"),
    "follow_rate": gettext_lazy("give satisfaction with the answer of the topic it joined"),
}


@dataclass(frozen=True)
class ReceiptHolder:
    """Whoever shows a topic's receipt on the public page: no account, no role; the proposer of
    that one topic."""

    topic_id: int
    day: date
    person: None = None
    is_superuser: bool = False
    automatic: bool = False


TopicActor = Actor | ReceiptHolder


def roles_on_topic(actor: Actor, topic: Topic) -> set[str]:
    roles = actor.roles_over(town_id=topic.town_id, village_id=topic.village_id)
    if actor.person is not None and topic.proposer_id == actor.person.pk:
        roles.add(PROPOSER)
    return roles


def refusal(actor: TopicActor, topic: Topic, action: str) -> str | None:
    """Why the actor may not take `action` on the topic now (the state and the automation are
    checked by the machine), as a key; None: they may. Cheap: no query, no message."""
    if isinstance(actor, ReceiptHolder):
        if PROPOSER not in ACTORS[action] or actor.topic_id != topic.pk:
            return "role"
    elif actor.person is None and not actor.is_superuser:
        return "no_role"
    elif not actor.is_superuser and not roles_on_topic(actor, topic) & ACTORS[action]:
        return "role"
    if action == "assign" and topic.track != Track.QUICK:
        return "track_quick"
    if action == "schedule" and topic.track not in (Track.JOINT, Track.CONCERTED):
        return "track_meeting"
    if action == "mark_spam" and topic.source != TopicSource.PUBLIC:
        return "not_public"
    if action in ("rate", "follow_rate") and topic.satisfaction:
        return "rated"
    # The one look beyond the row: the end of the merged topic's chain (one query a step, and
    # only for its own proposer, the role having been checked above).
    if action == "follow_rate" and survivor(topic).state != S.ANSWERED:
        return "not_answered"
    if action == "reopen":
        if topic.satisfaction != Satisfaction.DISSATISFIED:
            return "not_dissatisfied"
        if topic.reopened_count >= REOPEN_LIMIT:
            return "reopen_limit"
    return None


def explain(key: str, actor: TopicActor, topic: Topic, action: str) -> Exception:
    """The error a refusal raises, with its message."""
    label = ACTION_LABELS.get(action, action)
    if key == STATE:
        return ConflictError(
            _("Cannot %(action)s a topic that is %(state)s.")
            % {"action": label, "state": topic.get_state_display()},
            code="transition_not_allowed",
        )
    if key == AUTOMATIC:
        return NotPermitted(_("The system may not %(action)s by itself.") % {"action": label})
    if key == "no_role":
        return NotPermitted(_("Only a member of staff with a role in the town can do this."))
    if key == "role":
        return NotPermitted(_("You may not %(action)s this topic.") % {"action": label})
    if key == "track_quick":
        return ConflictError(
            _("Only a quick topic (小事快速办) is assigned as an action item."), code="track"
        )
    if key == "track_meeting":
        return ConflictError(
            _("Only a joint or concerted topic goes on a meeting's agenda."), code="track"
        )
    if key == "not_public":
        return ConflictError(
            _("Only a topic from the public page can be marked as spam."), code="not_public"
        )
    if key == "not_answered":
        return ConflictError(
            _("The topic it joined has not been answered yet."), code="not_answered"
        )
    if key == "rated":
        return ConflictError(_("Satisfaction has already been given."), code="rated")
    if key == "not_dissatisfied":
        return ConflictError(
            _("A topic is reopened only when its proposer is dissatisfied."),
            code="not_dissatisfied",
        )
    return ConflictError(_("This topic has already been reopened once."), code="reopen_limit")
