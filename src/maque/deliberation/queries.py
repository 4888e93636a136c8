"""Reads of topics, all starting from `Topic.objects.visible_to` (the board, the API, exports),
and the public page's reads (one village's answered topics; one receipt's own topic)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet

from maque.core.masking import mask_phone, mask_text
from maque.deliberation.models import OPEN_TOPIC_STATES, Topic, TopicState
from maque.deliberation.policies import reads_proposer_unmasked
from maque.organisation.actor import Actor
from maque.organisation.models import Village

TOPIC_CODE_MAX = 30
SIMILAR_LIMIT = 5
SIMILAR_THRESHOLD = 0.2
SIMILAR_SCAN = 500  # open topics of one village compared on arrival


def topic_list(
    *,
    user: Any,
    village: int | str | None = None,
    concern: str | None = None,
    track: str | None = None,
    state: Iterable[str] | None = None,
    q: str | None = None,
) -> QuerySet[Topic]:
    """The topics the user may see, filtered; newest first."""
    topics = Topic.objects.visible_to(user)
    if village is not None:
        topics = (
            topics.filter(village_id=village)
            if isinstance(village, int)
            else topics.filter(village__name=village)
        )
    if concern:
        topics = topics.filter(concern=concern)
    if track:
        topics = topics.filter(track=track)
    states = list(state or ())
    if states:
        topics = topics.filter(state__in=states)
    if q:
        topics = topics.filter(
            Q(code__icontains=q) | Q(title__icontains=q) | Q(description__icontains=q)
        )
    return topics.select_related("village", "proposer").order_by("-created_at", "-id")


def visible_topic(user: Any, code: str) -> Topic | None:
    """The topic with this code if the user may see it (else None: a 404 to them)."""
    text = code.strip().upper()
    if not text or len(text) > TOPIC_CODE_MAX:
        return None
    return (
        Topic.objects.visible_to(user)
        .filter(code=text)
        .select_related("town", "village", "proposer", "merged_into")
        .first()
    )


def proposer_shown(topic: Topic, actor: Actor) -> tuple[str, str]:
    """(name, phone) of the proposer as this reader may see them: a villager's phone masked but
    for the roles that see personal data and those who triage the village."""
    if topic.proposer is not None:
        name, phone = topic.proposer.name, topic.proposer.phone
    else:
        name, phone = topic.proposer_name, topic.proposer_phone
    if reads_proposer_unmasked(actor, topic.village):
        return name, phone
    return name, mask_phone(phone)


def masked_name(name: str) -> str:
    """张** : the first character of a name, the rest as stars (the public board)."""
    name = name.strip()
    if not name:
        return ""
    return name[0] + "*" * max(len(name) - 1, 1)


def public_text(text: str) -> str:
    """Free text shown on a public page: phone and ID numbers in it masked."""
    return mask_text(text)


# --- similar topics: character bigrams, no word splitting (Chinese has no spaces) -------------


def bigrams(text: str) -> set[str]:
    """The overlapping pairs of characters of the text, spaces and punctuation left out."""
    letters = [c for c in text.casefold() if c.isalnum()]
    if len(letters) == 1:
        return {letters[0]}
    return {a + b for a, b in zip(letters, letters[1:], strict=False)}


def similarity(first: str, second: str) -> float:
    """Jaccard similarity of the two texts' character bigrams (0 to 1)."""
    a, b = bigrams(first), bigrams(second)
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def similar_open_topics(topic: Topic, *, user: Any) -> list[tuple[Topic, float]]:
    """Open topics of the same village resembling this one (title and description), the most
    similar first: duplicates to merge, shown side by side when a topic arrives."""
    text = f"{topic.title} {topic.description}"
    candidates = (
        Topic.objects.visible_to(user)
        .filter(village_id=topic.village_id, state__in=OPEN_TOPIC_STATES)
        .exclude(pk=topic.pk)
        .select_related("village")
        .order_by("-created_at")[:SIMILAR_SCAN]
    )
    scored = [
        (other, similarity(text, f"{other.title} {other.description}")) for other in candidates
    ]
    scored = [(other, score) for other, score in scored if score >= SIMILAR_THRESHOLD]
    scored.sort(key=lambda pair: (-pair[1], -pair[0].pk))
    return scored[:SIMILAR_LIMIT]


# --- the public page --------------------------------------------------------------------------


def public_village(public_code: str) -> Village | None:
    text = public_code.strip()
    if not text or len(text) > 24:
        return None
    return Village.objects.filter(public_code=text, active=True).select_related("town").first()


def public_board(village: Village, *, limit: int = 50) -> QuerySet[Topic]:
    """The village's answered topics, newest answer first: what the disclosure board shows.
    A topic is never shown before it is accepted, and spam, declined or merged ones never."""
    return (
        Topic.objects.filter(village=village, state=TopicState.ANSWERED)
        .select_related("proposer")
        .order_by("-answered_at", "-id")[:limit]
    )


def survivor(topic: Topic, *, depth: int = 10) -> Topic:
    """The topic a merged topic's proposers follow: the end of its chain of merges."""
    current = topic
    for _step in range(depth):
        if current.merged_into_id is None:
            break
        following = Topic.objects.filter(pk=current.merged_into_id).first()
        if following is None:
            break
        current = following
    return current
