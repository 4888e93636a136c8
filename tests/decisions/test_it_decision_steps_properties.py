"""Property test of 四议两公开 (design §5): any sequence of steps, with good or bad evidence and
fresh or stale versions, against a plain reference model — the decision stands at the last step
taken, a step is accepted exactly when it is the next one, its evidence fits and the version is
current, and every accepted step is one transition row and one new version; a refused step
changes nothing."""

from __future__ import annotations

from typing import Any

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

from maque.decisions.models import DISCLOSURES, STEPS, DecisionState, Step, VillageDecision
from maque.decisions.services import StepIn, decision_create, decision_step
from maque.ledger.errors import ConflictError
from maque.meetings.models import MeetingKind
from tests.conftest import World
from tests.decisions.helpers import counted_meeting

MEETING_KINDS = {
    Step.PROPOSE: MeetingKind.PARTY_BRANCH,
    Step.DISCUSS: MeetingKind.TWO_COMMITTEES,
    Step.REVIEW: MeetingKind.PARTY_ASSEMBLY,
    Step.RESOLVE: MeetingKind.VILLAGERS,
}
# Evidence offered: the right meeting, a meeting of another kind, a failed vote, nothing.
EVIDENCE = ("right", "wrong_kind", "failed", "none")


class DecisionMachine(RuleBasedStateMachine):
    world: World  # set by the test
    meetings: dict[tuple[str, bool], Any]  # (kind, passed) -> meeting, made once per test

    def __init__(self) -> None:
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    @initialize()
    def create(self) -> None:
        self.decision = decision_create(
            by=self.world.user("secretary_gaige"), village=self.world.gaige, title="晒场建设"
        )
        self.taken = 0  # the reference model: how many steps are done
        self.version = 1

    def _given(self, step: str, evidence: str) -> tuple[StepIn, bool]:
        """The evidence to offer and whether it fits the step."""
        today = timezone.localdate()
        if step in DISCLOSURES:
            if evidence == "right":
                return StepIn(on=today, text="公开内容"), True
            if evidence == "none":
                return StepIn(on=today), False
            return StepIn(meeting=self.meetings[(MeetingKind.PARTY_BRANCH, True)]), False
        kind = MEETING_KINDS[step]
        if evidence == "right":
            return StepIn(meeting=self.meetings[(kind, True)]), True
        if evidence == "failed":
            return StepIn(meeting=self.meetings[(kind, False)]), False
        if evidence == "wrong_kind":
            other = next(k for s, k in MEETING_KINDS.items() if k != kind)
            return StepIn(meeting=self.meetings[(other, True)]), False
        return StepIn(on=today, text="无会议"), False

    @rule(step=st.sampled_from(STEPS), evidence=st.sampled_from(EVIDENCE), stale=st.booleans())
    def take(self, step: str, evidence: str, stale: bool) -> None:
        given, fits = self._given(step, evidence)
        is_next = self.taken < len(STEPS) and STEPS[self.taken] == step
        version = self.version + 1 if stale else self.version
        try:
            decision_step(
                decision=self.decision,
                by=self.world.user("secretary_gaige"),
                step=step,
                version=version,
                given=given,
            )
        except (ConflictError, ValidationError):
            accepted = False
        else:
            accepted = True
        assert accepted == (is_next and fits and not stale), (step, evidence, stale, self.taken)
        if accepted:
            self.taken += 1
            self.version += 1

    @invariant()
    def matches_the_model(self) -> None:
        if not hasattr(self, "decision"):
            return
        stored = VillageDecision.objects.get(pk=self.decision.pk)
        assert stored.state == list(DecisionState.values)[self.taken]
        assert stored.version == self.version
        assert stored.transitions.count() == self.taken
        assert list(stored.steps.order_by("id").values_list("step", flat=True)) == list(
            STEPS[: self.taken]
        )


def test_it_keeps_the_six_steps_in_order_under_any_sequence(world: World) -> None:
    meetings = {
        (kind, passed): counted_meeting(world, kind, passed=passed, members=3)[0]
        for kind in MEETING_KINDS.values()
        for passed in (True, False)
    }
    machine = type("Decisions", (DecisionMachine,), {"world": world, "meetings": meetings})
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=20,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
