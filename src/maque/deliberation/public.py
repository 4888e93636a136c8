"""The village's public page, shared by its API (`/api/v1/public/…`) and its screens (`/p/…`):
no account, and nothing readable but the village's disclosure board and a receipt's own topic.

Abuse is refused here, before anything is stored: bodies larger than three photos, a filled-in
honeypot field, more proposals than the rate limits allow (per client address and per village),
and failed receipt look-ups past their limit (so that secrets cannot be guessed).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from maque.api.signin import client_address
from maque.deliberation import throttle
from maque.deliberation.lifecycle.actions import topic_follow_rate, topic_rate, topic_reopen
from maque.deliberation.lifecycle.machinery import TOPICS
from maque.deliberation.lifecycle.registration import (
    MAX_PHOTOS,
    Proposed,
    receipt_matches,
    split_receipt,
    topic_propose_public,
)
from maque.deliberation.lifecycle.rules import ACTION_LABELS, ReceiptHolder
from maque.deliberation.models import Topic, TopicState
from maque.deliberation.queries import masked_name, public_board, public_text, survivor
from maque.organisation.models import Village

# Form fields besides the photos: a few kilobytes of text.
TEXT_ALLOWANCE = 64 * 1024
# The actions a receipt's timeline names (a spam mark is staff's own business).
PUBLIC_STEPS = frozenset(
    {
        "propose",
        "accept",
        "decline",
        "merge",
        "assign",
        "schedule",
        "deliberate",
        "implement",
        "complete",
        "answer",
        "rate",
        "reopen",
        "follow_rate",
    }
)
PROPOSE_LABEL = "submitted"
# As the holder reads their timeline: a follower's satisfaction is simply theirs.
STEP_LABELS = {**ACTION_LABELS, "follow_rate": ACTION_LABELS["rate"]}


@dataclass
class RefusedError(Exception):
    """A public request refused before anything was read or stored."""

    status: int
    message: str
    code: str

    def __str__(self) -> str:
        return self.message


def max_body_bytes() -> int:
    return MAX_PHOTOS * settings.MAQUE_PUBLIC_PHOTO_MB * 1024 * 1024 + TEXT_ALLOWANCE


def check_body_size(request: HttpRequest) -> None:
    """Refuse a body larger than three photos and the form (413), before it is parsed."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > max_body_bytes():
        raise RefusedError(
            413,
            _("The submission is too large: at most %(count)d photos of %(mb)d MB each.")
            % {"count": MAX_PHOTOS, "mb": settings.MAQUE_PUBLIC_PHOTO_MB},
            "too_large",
        )


def propose(
    request: HttpRequest,
    village: Village,
    *,
    title: str,
    concern: str,
    description: str,
    name: str,
    phone: str,
    honeypot: str,
    photos: Sequence[UploadedFile],
) -> Proposed:
    """A villager's proposal, after the abuse checks (the caller has checked the body size)."""
    if honeypot.strip():
        # Only a robot fills in the field people never see.
        raise RefusedError(400, _("The submission was refused."), "refused")
    limit = settings.MAQUE_PUBLIC_PHOTO_MB * 1024 * 1024
    big = [upload for upload in photos if (upload.size or 0) > limit]
    if big:
        raise ValidationError(
            {
                "photos": [
                    _("The file %(name)s is too large (at most %(max)d MB).")
                    % {"name": upload.name, "max": settings.MAQUE_PUBLIC_PHOTO_MB}
                    for upload in big
                ]
            }
        )
    address = client_address(request) or "unknown"
    if not throttle.take_all(
        [(throttle.Scope.CLIENT, address), (throttle.Scope.VILLAGE, str(village.pk))]
    ):
        raise RefusedError(
            429,
            _("Too many topics have been submitted just now. Please try again in an hour."),
            "rate_limited",
        )
    return topic_propose_public(
        village=village,
        title=title,
        concern=concern,
        description=description,
        proposer_name=name,
        proposer_phone=phone,
        photos=photos,
    )


def receipt_topic(request: HttpRequest, receipt: str) -> Topic | None:
    """The receipt's own topic, or None (a failed look-up, counted per client address)."""
    address = client_address(request) or "unknown"
    if throttle.exhausted(throttle.Scope.LOOKUP, address):
        raise RefusedError(
            429,
            _("Too many receipts were looked up without success. Please try again in an hour."),
            "rate_limited",
        )
    parts = split_receipt(receipt) if len(receipt) <= 60 else None
    topic = None
    if parts is not None:
        code, secret = parts
        found = Topic.objects.filter(code=code).select_related("village", "merged_into").first()
        if found is not None and receipt_matches(found, secret):
            topic = found
    if topic is None:
        throttle.take(throttle.Scope.LOOKUP, address)
    return topic


def holder_of(topic: Topic) -> ReceiptHolder:
    return ReceiptHolder(topic_id=topic.pk, day=timezone.localdate())


def receipt_view(topic: Topic) -> dict[str, Any]:
    """What a receipt shows: its own topic's progress, the reason it was declined, the answer;
    a merged topic shows the topic it joined."""
    holder = holder_of(topic)
    followed = survivor(topic) if topic.state == TopicState.MERGED else topic
    steps = [
        {
            "action": row.action,
            "label": str(_("submitted") if row.action == "propose" else STEP_LABELS[row.action]),
            "at": row.created_at,
            "note": public_text(row.reason) if row.action in ("decline", "merge") else "",
        }
        for row in topic.transitions.order_by("created_at", "id")
        if row.action in PUBLIC_STEPS
    ]
    state = topic.state
    return {
        "code": topic.code,
        "village": topic.village.name,
        "title": topic.title,
        "description": topic.description,
        "concern": topic.concern,
        "concern_label": str(topic.get_concern_display()),
        # A spam mark reads as "not accepted": the holder is not told how staff judged them.
        "state": TopicState.DECLINED if state == TopicState.SPAM else state,
        "state_label": str(
            TopicState(TopicState.DECLINED if state == TopicState.SPAM else state).label
        ),
        "submitted_at": topic.created_at,
        "decline_reason": topic.decline_reason,
        "steps": steps,
        "followed": None
        if followed.pk == topic.pk
        else {
            "code": followed.code,
            "title": followed.title,
            "state": followed.state,
            "state_label": str(followed.get_state_display()),
            "answer": followed.answer if followed.state == TopicState.ANSWERED else "",
        },
        "answer": topic.answer,
        "answered_at": topic.answered_at,
        "satisfaction": topic.satisfaction,
        # A follower rates the answer of the topic it joined, on their own topic.
        "may_rate": TOPICS.may(
            holder, topic, "follow_rate" if topic.state == TopicState.MERGED else "rate"
        ),
        "may_reopen": TOPICS.may(holder, topic, "reopen"),
        "version": topic.version,
    }


def rate(
    topic: Topic,
    *,
    satisfaction: str,
    note: str = "",
    reopen: bool = False,
    version: int | None = None,
) -> Topic:
    """The receipt holder's satisfaction; when dissatisfied they may ask to reopen it (once).
    A follower's (their topic merged into another) is their own, with the answer of the topic
    it joined; reopening that one is its own proposer's to ask."""
    holder = holder_of(topic)
    if topic.state == TopicState.MERGED:
        return topic_follow_rate(
            topic=topic,
            by=holder,
            satisfaction=satisfaction,
            note=note,
            version=version,
            via="public",
        )
    rated = topic_rate(
        topic=topic, by=holder, satisfaction=satisfaction, note=note, version=version, via="public"
    )
    if reopen and TOPICS.may(holder, rated, "reopen"):
        rated = topic_reopen(
            topic=rated,
            by=holder,
            reason=note or _("The proposer is dissatisfied."),
            version=rated.version,
            via="public",
        )
    return rated


# The 四议两公开 disclosures (决议公开, 实施结果公开) come from the decisions app, which sits above
# this one in the layers: it is named by dotted path and imported when the board is drawn, as
# `maque tick` names each app's step, so that this app imports nothing above it. Each source
# takes the village and returns rows with title, step, step_label, on and text.
DISCLOSURE_SOURCES: tuple[str, ...] = ("maque.decisions.queries.public_disclosures",)


def board_disclosures(village: Village) -> list[dict[str, Any]]:
    """The village's disclosed resolutions and results, newest first; phone and ID numbers in
    their text masked (they carry no proposer: a decision is the village's, not a person's)."""
    rows: list[dict[str, Any]] = []
    for path in DISCLOSURE_SOURCES:
        for row in import_string(path)(village):
            rows.append(
                {
                    "title": public_text(row.title),
                    "step": row.step,
                    "step_label": row.step_label,
                    "on": row.on,
                    "text": public_text(row.text),
                }
            )
    rows.sort(key=lambda row: row["on"], reverse=True)
    return rows


def board_view(village: Village) -> dict[str, Any]:
    """The village's disclosure board: the 四议两公开 disclosures, and the answered topics with
    proposers' names masked and phone and ID numbers in the text masked."""
    topics = list(public_board(village))
    return {
        "disclosures": board_disclosures(village),
        "village": {
            "name": village.name,
            "signature_product": village.signature_product,
            "profile": village.profile,
        },
        "topics": [
            {
                "code": topic.code,
                "title": public_text(topic.title),
                "concern": topic.concern,
                "concern_label": str(topic.get_concern_display()),
                "proposer": masked_name(topic.proposer_display),
                "submitted_at": topic.created_at,
                "answered_at": topic.answered_at,
                "answer": public_text(topic.answer),
                "satisfaction": topic.satisfaction,
                "satisfaction_label": str(topic.get_satisfaction_display())
                if topic.satisfaction
                else "",
            }
            for topic in topics
        ],
    }
