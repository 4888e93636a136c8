"""The topic lifecycle (issue 12), on the shared `maque.core.statemachine`.

- `rules`: the transitions, who may act, and the one refusal function;
- `machinery`: the topic machine (lock, version → 409, refuse, apply, save, record);
- `actions`: one typed function per action (`topic_accept`, `topic_assign`, …);
- `registration`: proposing topics (workspace and public page) and their receipts;
- `announce`: who is told what, after commit;
- `voting`: a topic put to the vote at its meeting (a passed resolution deliberates it).
"""

from maque.deliberation.lifecycle.actions import (
    ACTION_SERVICES,
    items_finished,
    topic_accept,
    topic_add_action,
    topic_answer,
    topic_assign,
    topic_complete,
    topic_decline,
    topic_deliberate,
    topic_follow_rate,
    topic_implement,
    topic_mark_spam,
    topic_merge,
    topic_rate,
    topic_reopen,
    topic_schedule,
)
from maque.deliberation.lifecycle.machinery import (
    TOPICS,
    available_actions,
    available_actions_each,
    may,
)
from maque.deliberation.lifecycle.registration import (
    Proposed,
    receipt_matches,
    split_receipt,
    topic_propose,
    topic_propose_public,
)
from maque.deliberation.lifecycle.rules import (
    ACTION_LABELS,
    ACTORS,
    TRANSITIONS,
    ReceiptHolder,
)
from maque.deliberation.lifecycle.voting import TopicVote, topic_vote

__all__ = [
    "ACTION_LABELS",
    "ACTION_SERVICES",
    "ACTORS",
    "TOPICS",
    "TRANSITIONS",
    "Proposed",
    "ReceiptHolder",
    "TopicVote",
    "available_actions",
    "available_actions_each",
    "items_finished",
    "may",
    "receipt_matches",
    "split_receipt",
    "topic_accept",
    "topic_add_action",
    "topic_answer",
    "topic_assign",
    "topic_complete",
    "topic_decline",
    "topic_deliberate",
    "topic_follow_rate",
    "topic_implement",
    "topic_mark_spam",
    "topic_merge",
    "topic_propose",
    "topic_propose_public",
    "topic_rate",
    "topic_reopen",
    "topic_schedule",
    "topic_vote",
]
