"""Property test of a watch-list entry's life (design §5) against a plain reference model: any
sequence of steps by any persona (and the automation) keeps the stored state equal to the
model's, writes exactly one event per step that happened, moves the version with every step, and
changes nothing when a step is refused."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from maque.core.statemachine import AUTOMATION, Context
from maque.diagnosis import lifecycle
from maque.diagnosis.models import WatchEntry
from maque.diagnosis.services import entry_act, entry_propose
from maque.ledger.errors import ConflictError, NotPermitted
from tests.conftest import World

PERSONAS = ["principal", "leader", "inspector", "contact_gaige", "cadre_gaige", "discipline"]
DECIDERS = {"principal", "leader"}

# The reference model, written from design §5: (from, action) -> to.
MOVES = {
    ("proposed", "accept"): "listed",
    ("proposed", "dismiss"): "dismissed",
    ("listed", "propose_exit"): "exit_proposed",
    ("dissected", "propose_exit"): "exit_proposed",
    ("listed", "exit"): "exited",
    ("dissected", "exit"): "exited",
    ("exit_proposed", "exit"): "exited",
    ("exit_proposed", "keep"): "listed",  # never dissected in this model
}
NEEDS_REASON = {"accept", "dismiss", "keep"}


class WatchMachine(RuleBasedStateMachine):
    world: World

    def __init__(self) -> None:
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.entry = entry_propose(
            by=self.world.user("principal"),
            town=self.world.town,
            village=self.world.gaige,
            reason="典型",
        )
        self.state = "proposed"
        self.steps = 1  # the proposal's event

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    @rule(
        persona=st.sampled_from(PERSONAS),
        action=st.sampled_from(["accept", "dismiss", "propose_exit", "exit", "keep", "dissect"]),
        reason=st.sampled_from(["", "原因"]),
    )
    def act(self, persona: str, action: str, reason: str) -> None:
        target = MOVES.get((self.state, action))
        allowed = (
            target is not None
            and persona in DECIDERS
            and (reason or action not in NEEDS_REASON)
            and (reason or action != "exit" or self.state == "exit_proposed")
        )
        entry = WatchEntry.objects.get(pk=self.entry.pk)
        try:
            entry_act(entry=entry, by=self.world.user(persona), action=action, reason=reason)
        except (ConflictError, NotPermitted, ValidationError):
            assert not allowed, (self.state, persona, action, reason)
            return
        assert allowed, (self.state, persona, action, reason)
        self.state = target
        self.steps += 1

    @rule()
    def automation_proposes_an_exit(self) -> None:
        entry = WatchEntry.objects.get(pk=self.entry.pk)
        ctx = Context(user=None, actor=AUTOMATION, via="tick")
        for action in ("propose_exit", "accept", "exit"):
            target = MOVES.get((self.state, action)) if action == "propose_exit" else None
            try:
                entry = lifecycle.ENTRIES.run(action, entry, ctx=ctx, version=entry.version)
            except (ConflictError, NotPermitted):
                assert target is None
                continue
            assert target is not None
            self.state = target
            self.steps += 1

    @invariant()
    def it_matches_the_model(self) -> None:
        entry = WatchEntry.objects.get(pk=self.entry.pk)
        assert entry.state == self.state
        assert entry.events.count() == self.steps
        assert entry.version == self.steps
        assert entry.history.count() == self.steps
        last = entry.events.order_by("-pk").first()
        assert last is not None and last.to_state == self.state


def test_it_keeps_the_watch_list_invariants_under_any_sequence_of_steps(world: World) -> None:
    machine = type("Watch", (WatchMachine,), {"world": world})
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=20,
            stateful_step_count=15,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
