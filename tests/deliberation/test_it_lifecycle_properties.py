"""Property test of the topic lifecycle (issue 12 §1), against a plain reference model.

A state machine drives one topic through random actions by random personas (and the receipt's
holder) and compares every outcome with a small model written from the issue: which actions
start from which state, who may take them, the track's routes, satisfaction once per answer,
one reopening, completion only when every action item is closed. After every step: the stored
state and counters match the model, every change is exactly one transition row and the rows
replay to the current state, the version and the history move together, and a refused action
changed nothing.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from maque.core.errors import ConflictError, NotPermitted
from maque.deliberation import lifecycle
from maque.deliberation.lifecycle.rules import ReceiptHolder
from maque.deliberation.models import Topic, TopicAction, TopicTransition
from maque.deliberation.tick import complete_finished_topics
from maque.ledger import lifecycle as items
from maque.ledger.models import Item, State
from maque.ledger.services import attachment_add
from maque.meetings.models import MeetingKind
from maque.meetings.services import meeting_create
from tests.conftest import World, photo

TRIAGE = {"secretary_gaige", "contact_gaige", "principal", "leader"}
PERSONAS = [*sorted(TRIAGE), "cadre_gaige", "inspector", "cadre_shuangsheng", "outsider", "holder"]
personas = st.sampled_from([*sorted(TRIAGE)] * 3 + PERSONAS)
texts = st.sampled_from(["已处理，情况如下"] * 4 + ["", "  "])

# The reference model's table, written from the issue (not read from the code).
FROM: dict[str, set[str]] = {
    "accept": {"submitted"},
    "decline": {"submitted"},
    "mark_spam": {"submitted"},
    "merge": {"submitted", "accepted"},
    "assign": {"accepted"},
    "schedule": {"accepted"},
    "deliberate": {"scheduled"},
    "implement": {"deliberated"},
    "add_action": {"assigned", "implementing"},
    "answer": {"completed"},
    "rate": {"answered"},
    "reopen": {"answered"},
}
TO = {
    "accept": "accepted",
    "decline": "declined",
    "mark_spam": "spam",
    "merge": "merged",
    "assign": "assigned",
    "schedule": "scheduled",
    "deliberate": "deliberated",
    "implement": "implementing",
    "answer": "answered",
    "reopen": "accepted",
}
MEETING_KINDS = {"joint": {"joint"}, "concerted": {"solving", "joint"}}
TEXT_FIRST = {"decline": "reason", "answer": "answer", "reopen": "reason", "deliberate": "outcome"}


class TopicMachine(RuleBasedStateMachine):
    world: World

    def user(self, persona: str) -> Any:
        if persona == "holder":
            return ReceiptHolder(topic_id=self.topic_id, day=timezone.localdate())
        return self.world.user(persona)

    def topic(self) -> Topic:
        return Topic.objects.get(pk=self.topic_id)

    @initialize(public=st.booleans())
    def propose(self, public: bool) -> None:
        if public:
            proposed = lifecycle.topic_propose_public(
                village=self.world.gaige, title="村口路灯不亮", concern="urgent"
            )
        else:
            proposed = lifecycle.topic_propose(
                by=self.world.user("cadre_gaige"),
                village=self.world.gaige,
                title="村口路灯不亮",
                concern="urgent",
                proposer_name="王秀英",
            )
        self.topic_id = proposed.topic.pk
        self.public = public
        self.other = lifecycle.topic_propose(
            by=self.world.user("cadre_gaige"),
            village=self.world.gaige,
            title="另一议题",
            concern="hoped_for",
        ).topic
        today = timezone.localdate()
        self.meetings = {
            kind: meeting_create(
                by=self.world.user("contact_gaige"),
                town=self.world.town,
                kind=kind,
                title=f"{kind} 会议",
                held_on=today,
                villages=[self.world.gaige],
            )
            for kind in (MeetingKind.JOINT, MeetingKind.SOLVING)
        }
        # The model.
        self.state = "submitted"
        self.track = ""
        self.version = 1
        self.satisfaction = ""
        self.reopened = 0
        self.items: dict[int, str] = {}
        self.scheduled: set[str] = set()
        self.transitions = [("propose", "submitted", "submitted")]

    # --- the model's verdict -------------------------------------------------------------------

    def expected(self, action: str, persona: str, **arguments: Any) -> type[Exception] | None:
        field = TEXT_FIRST.get(action)
        if field is not None and not str(arguments.get(field, "")).strip():
            return ValidationError
        if self.state not in FROM[action]:
            return ConflictError
        if persona == "holder":
            if action not in ("rate", "reopen"):
                return NotPermitted
        elif persona not in TRIAGE or action == "rate":
            return NotPermitted
        if action == "assign" and self.track != "quick":
            return ConflictError
        if action == "schedule" and self.track not in ("joint", "concerted"):
            return ConflictError
        if action == "mark_spam" and not self.public:
            return ConflictError
        if action == "rate" and self.satisfaction:
            return ConflictError
        if action == "reopen" and (self.satisfaction != "dissatisfied" or self.reopened >= 1):
            return ConflictError
        if action == "schedule":
            if arguments["meeting"] not in MEETING_KINDS[self.track]:
                return ValidationError
            if arguments["meeting"] in self.scheduled:
                return ConflictError
        return None

    def attempt(self, action: str, persona: str, call: Any, **arguments: Any) -> bool:
        wanted = self.expected(action, persona, **arguments)
        before = (self.version, TopicTransition.objects.filter(topic_id=self.topic_id).count())
        try:
            with transaction.atomic():
                call()
        except (ConflictError, NotPermitted, ValidationError) as error:
            assert wanted is not None and isinstance(error, wanted), (
                action,
                persona,
                error,
                wanted,
            )
            topic = self.topic()
            assert (topic.version, topic.transitions.count()) == before
            return False
        assert wanted is None, (action, persona, "succeeded", wanted, self.state)
        self.version += 1
        target = TO.get(action, self.state)
        self.transitions.append((action, self.state, target))
        self.state = target
        return True

    # --- the rules -----------------------------------------------------------------------------

    @rule(
        persona=personas, track=st.sampled_from(["quick", "joint", "concerted"]), now=st.booleans()
    )
    def accept(self, persona: str, track: str, now: bool) -> None:
        extra: dict[str, Any] = {}
        if now and track == "quick":
            extra = {"owner": self.world.people["cadre_gaige"], "deadline": self.deadline()}

        def call() -> None:
            lifecycle.topic_accept(topic=self.topic(), by=self.user(persona), track=track, **extra)

        if persona == "holder":
            return  # staff's action only: typed for users
        if self.attempt("accept", persona, call):
            self.track = track
            if extra:  # assigned at once: a second transition
                self.version += 1
                self.transitions.append(("assign", "accepted", "assigned"))
                self.state = "assigned"
                self.items[len(self.items)] = State.FOUND

    @rule(persona=personas, reason=texts)
    def decline(self, persona: str, reason: str) -> None:
        if persona == "holder":
            return
        self.attempt(
            "decline",
            persona,
            lambda: lifecycle.topic_decline(
                topic=self.topic(), by=self.user(persona), reason=reason
            ),
            reason=reason,
        )

    @rule(persona=personas)
    def mark_spam(self, persona: str) -> None:
        if persona == "holder":
            return
        self.attempt(
            "mark_spam",
            persona,
            lambda: lifecycle.topic_mark_spam(topic=self.topic(), by=self.user(persona)),
        )

    @rule(persona=personas)
    def merge(self, persona: str) -> None:
        if persona == "holder":
            return
        self.attempt(
            "merge",
            persona,
            lambda: lifecycle.topic_merge(
                topic=self.topic(), by=self.user(persona), into=self.other
            ),
        )

    def deadline(self) -> Any:
        return timezone.localdate() + timedelta(days=7)

    @rule(persona=personas, action=st.sampled_from(["assign", "implement", "add_action"]))
    def action_item(self, persona: str, action: str) -> None:
        if persona == "holder":
            return
        service = {
            "assign": lifecycle.topic_assign,
            "implement": lifecycle.topic_implement,
            "add_action": lifecycle.topic_add_action,
        }[action]
        if self.attempt(
            action,
            persona,
            lambda: service(
                topic=self.topic(),
                by=self.user(persona),
                owner=self.world.people["cadre_gaige"],
                deadline=self.deadline(),
            ),
        ):
            self.items[len(self.items)] = State.FOUND

    @rule(persona=personas, meeting=st.sampled_from(["joint", "solving"]))
    def schedule(self, persona: str, meeting: str) -> None:
        if persona == "holder":
            return
        if self.attempt(
            "schedule",
            persona,
            lambda: lifecycle.topic_schedule(
                topic=self.topic(), by=self.user(persona), meeting=self.meetings[meeting]
            ),
            meeting=meeting,
        ):
            self.scheduled.add(meeting)

    @rule(persona=personas, outcome=texts)
    def deliberate(self, persona: str, outcome: str) -> None:
        if persona == "holder":
            return
        self.attempt(
            "deliberate",
            persona,
            lambda: lifecycle.topic_deliberate(
                topic=self.topic(), by=self.user(persona), outcome=outcome
            ),
            outcome=outcome,
        )

    @rule(persona=personas, answer=texts)
    def answer(self, persona: str, answer: str) -> None:
        if persona == "holder":
            return
        self.attempt(
            "answer",
            persona,
            lambda: lifecycle.topic_answer(
                topic=self.topic(), by=self.user(persona), answer=answer
            ),
            answer=answer,
        )

    @rule(
        persona=st.sampled_from(["holder"] * 4 + PERSONAS),
        satisfaction=st.sampled_from(["satisfied", "fairly", "dissatisfied", "dissatisfied"]),
    )
    def rate(self, persona: str, satisfaction: str) -> None:
        if self.attempt(
            "rate",
            persona,
            lambda: lifecycle.topic_rate(
                topic=self.topic(), by=self.user(persona), satisfaction=satisfaction
            ),
        ):
            self.satisfaction = satisfaction

    @rule(persona=st.sampled_from(["holder"] * 3 + PERSONAS), reason=texts)
    def reopen(self, persona: str, reason: str) -> None:
        if self.attempt(
            "reopen",
            persona,
            lambda: lifecycle.topic_reopen(
                topic=self.topic(), by=self.user(persona), reason=reason
            ),
            reason=reason,
        ):
            self.reopened += 1
            self.satisfaction = ""

    @rule(cancel=st.booleans())
    def finish_items(self, cancel: bool) -> None:
        """Close (or cancel) every open action item, through the ledger's own lifecycle."""
        for row in TopicAction.objects.filter(topic_id=self.topic_id).order_by("id"):
            item = Item.objects.get(pk=row.item_id)
            if item.state != State.FOUND:
                continue
            if cancel:
                items.item_cancel(item=item, by=self.world.user("contact_gaige"), reason="重复")
                self.items[self.index(row)] = State.CANCELLED
                continue
            item = items.item_start(item=item, by=self.world.user("cadre_gaige"))
            attachment_add(item=item, by=self.world.user("cadre_gaige"), upload=photo())
            item = items.item_submit(item=item, by=self.world.user("cadre_gaige"))
            items.item_verify(item=item, by=self.world.user("contact_gaige"), note="已核查")
            self.items[self.index(row)] = State.CLOSED

    def index(self, row: TopicAction) -> int:
        rows = list(TopicAction.objects.filter(topic_id=self.topic_id).order_by("id"))
        return rows.index(row)

    @rule()
    def tick(self) -> None:
        complete_finished_topics(now=timezone.now())
        states = set(self.items.values())
        if (
            self.state in ("assigned", "implementing")
            and states
            and states <= {State.CLOSED, State.CANCELLED}
            and State.CLOSED in states
        ):
            self.version += 1
            self.transitions.append(("complete", self.state, "completed"))
            self.state = "completed"

    # --- moving on: the step that can succeed from the model's state, most of the time ---------

    def advance(self, data: Any) -> None:
        persona = data.draw(st.sampled_from([*sorted(TRIAGE)] * 4 + PERSONAS))
        state = self.state
        if state == "submitted":
            self.accept(persona, data.draw(st.sampled_from(["quick", "joint", "concerted"])), True)
        elif state == "accepted":
            if self.track == "quick":
                self.action_item(persona, "assign")
            else:
                self.schedule(persona, data.draw(st.sampled_from(["joint", "solving"])))
        elif state == "scheduled":
            self.deliberate(persona, "议定")
        elif state == "deliberated":
            self.action_item(persona, "implement")
        elif state in ("assigned", "implementing"):
            self.finish_items(data.draw(st.sampled_from([False, False, False, True])))
            self.tick()
        elif state == "completed":
            self.answer(persona, "已办结")
        elif state == "answered":
            who = data.draw(st.sampled_from(["holder", "holder", persona]))
            if self.satisfaction:
                self.reopen(who, "还有问题")
            else:
                self.rate(who, data.draw(st.sampled_from(["satisfied", "dissatisfied"])))

    @rule(data=st.data())
    def advance_one(self, data: Any) -> None:
        self.advance(data)

    @rule(data=st.data())
    def advance_two(self, data: Any) -> None:
        self.advance(data)

    @rule(data=st.data())
    def advance_three(self, data: Any) -> None:
        self.advance(data)

    @rule(persona=st.sampled_from(sorted(TRIAGE)))
    def stale(self, persona: str) -> None:
        if self.version == 1:
            return
        with pytest.raises(ConflictError) as error:
            lifecycle.topic_decline(
                topic=self.topic(), by=self.user(persona), reason="重复", version=self.version - 1
            )
        assert error.value.code == "stale_version"

    # --- the invariants ------------------------------------------------------------------------

    @invariant()
    def invariants(self) -> None:
        if not hasattr(self, "topic_id"):
            return
        topic = self.topic()
        assert topic.state == self.state
        assert topic.version == self.version
        assert topic.reopened_count == self.reopened
        assert topic.satisfaction == self.satisfaction
        assert (topic.track or "") == self.track
        rows = list(TopicTransition.objects.filter(topic=topic).order_by("id"))
        assert [(r.action, r.from_state, r.to_state) for r in rows] == self.transitions
        state = "submitted"
        for row in rows:
            assert row.from_state == state
            state = row.to_state
        assert state == topic.state
        assert Topic.history.filter(id=topic.pk).count() == topic.version
        assert TopicAction.objects.filter(topic=topic).count() == len(self.items)
        assert (topic.state == "merged") == (topic.merged_into_id is not None)
        assert (topic.state == "declined") == bool(topic.decline_reason)
        assert (topic.state == "answered") == bool(topic.answer)


@pytest.mark.slow
def test_it_keeps_the_topic_invariants_under_any_sequence_of_actions(world: World) -> None:
    machine = type("Topics", (TopicMachine,), {"world": world})
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=20,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
