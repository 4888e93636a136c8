"""The topic machine on the shared `maque.core.statemachine`: lock, check the version (409),
refuse, apply, save with a new version and a history reason, record the transition."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext_lazy

from maque.core.statemachine import Automation, Context, Machine
from maque.deliberation.lifecycle.rules import (
    ACTORS,
    AUTOMATIC_ACTIONS,
    TRANSITIONS,
    ReceiptHolder,
    TopicActor,
    explain,
    refusal,
)
from maque.deliberation.models import Topic, TopicTransition
from maque.organisation.access import actor_for, automation_actor

TopicContext = Context[TopicActor]
By = User | Automation | ReceiptHolder

STALE = gettext_lazy(
    "This topic was changed by someone else (version %(current)d, yours %(yours)d). Reload and try again."
)


def context_for(by: By, via: str) -> TopicContext:
    """Who acts (a user, the automation, or a receipt's holder) and through which channel."""
    if isinstance(by, Automation):
        return Context(user=None, actor=automation_actor(), via=via)
    if isinstance(by, ReceiptHolder):
        return Context(user=None, actor=by, via=via)
    return Context(user=by, actor=actor_for(by), via=via)


def record(
    topic: Topic, ctx: TopicContext, action: str, from_state: str, reason: str = ""
) -> TopicTransition:
    return TopicTransition.objects.create(
        topic=topic,
        action=action,
        from_state=from_state,
        to_state=topic.state,
        actor=ctx.actor.person,
        actor_user=ctx.user,
        reason=reason,
        via=ctx.via,
    )


TOPICS: Machine[Topic, TopicActor] = Machine(
    model=Topic,
    transitions=TRANSITIONS,
    actors=ACTORS,
    refuse=refusal,
    explain=explain,
    record=record,
    stale=STALE,
    automatic=AUTOMATIC_ACTIONS,
)


def may(actor: TopicActor, topic: Topic, action: str) -> bool:
    return TOPICS.may(actor, topic, action)


def available_actions(by: User | ReceiptHolder, topic: Topic) -> list[str]:
    """The actions this user (or receipt holder) may take on the topic now."""
    return available_actions_each(by, [topic])[0]


def available_actions_each(by: User | ReceiptHolder, topics: Sequence[Topic]) -> list[list[str]]:
    actor = by if isinstance(by, ReceiptHolder) else actor_for(by)
    return [TOPICS.available(actor, topic) for topic in topics]


def act(
    action: str,
    *,
    topic: Topic,
    by: By,
    version: int | None,
    via: str,
    reason: str = "",
    apply: Callable[[Topic, TopicContext], list[str]] | None = None,
) -> Topic:
    """Lock, check, apply the change, save with a new version and record the transition."""
    ctx = context_for(by, via)
    with transaction.atomic():
        current = TOPICS.lock(
            topic, version, queryset=Topic.objects.select_related("town", "village")
        )
        return TOPICS.take(action, current, ctx=ctx, reason=reason, apply=apply)
