"""Property test of the petition lifecycle against a reference model written from the 信访工作条例.

A state machine drives one petition through random decisions by random personas on a moving
calendar day, with jumps to exactly the day before, on and after each limit — day 15 after
receipt, day 60 after acceptance, day 60 + the extension (up to 30), day 30 after the reply —
across a long public holiday (which must move nothing: the limits count calendar days). After
every step the stored petition, its running limit, its lateness (the Python definition and the
database filter) and its event rows agree with the model; a refused action changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
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

from maque.ledger.errors import ConflictError, NotPermitted
from maque.petitions import lifecycle
from maque.petitions.models import NoticeKind, Petition, PetitionEvent
from maque.petitions.queries import is_overdue, overdue_filter
from maque.rhythm.models import CalendarDay
from tests.conftest import World
from tests.petitions.helpers import register

HANDLERS = {"principal", "leader"}
OWNER = "cadre_gaige"
PERSONAS = ["principal", "leader", "cadre_gaige", "discipline", "secretary_gaige"]
# action -> (states it starts from, state it leads to or None)
TABLE: dict[str, tuple[set[str], str | None]] = {
    "accept": ({"registered"}, "accepted"),
    "reject": ({"registered"}, "not_accepted"),
    "extend": ({"accepted"}, None),
    "reply": ({"accepted"}, "replied"),
    "request_review": ({"replied"}, "review_requested"),
    "satisfaction": ({"replied", "review_requested"}, None),
}
WHO = {
    "accept": HANDLERS,
    "reject": HANDLERS,
    "extend": HANDLERS,
    "reply": HANDLERS | {OWNER},
    "request_review": HANDLERS,
    "satisfaction": HANDLERS | {OWNER},
}
NOTICES = {
    "accept": NoticeKind.ACCEPTANCE,
    "reject": NoticeKind.NON_ACCEPTANCE,
    "extend": NoticeKind.EXTENSION,
    "reply": NoticeKind.REPLY,
}


@dataclass
class Model:
    """The regulation, plainly: the state, the days things happened, and the limits."""

    received: date
    state: str = "registered"
    decided: date | None = None
    extension: int = 0
    replied: date | None = None

    def due(self) -> date | None:
        if self.state == "registered":
            return self.received + timedelta(days=15)
        if self.state == "accepted" and self.decided is not None:
            return self.decided + timedelta(days=60 + self.extension)
        return None

    def late(self, day: date) -> bool:
        due = self.due()
        return due is not None and day > due

    def outcome(self, action: str, persona: str, day: date, days: int) -> str:
        """ "ok", or the refusal expected: validation, state, role, or a statutory window."""
        if action == "extend" and not 1 <= days <= 30:
            return "validation"
        if self.state not in TABLE[action][0]:
            return "state"
        if persona not in WHO[action]:
            return "role"
        if action == "extend":
            if self.extension:
                return "extended"
            assert self.decided is not None
            if day > self.decided + timedelta(days=60):
                return "extension_late"
        if action == "request_review":
            assert self.replied is not None
            if day > self.replied + timedelta(days=30):
                return "review_window"
        return "ok"

    def apply(self, action: str, day: date, days: int) -> None:
        target = TABLE[action][1]
        if action in ("accept", "reject"):
            self.decided = day
        if action == "extend":
            self.extension = days
        if action == "reply":
            self.replied = day
        if target is not None:
            self.state = target


class PetitionMachine(RuleBasedStateMachine):
    world: World  # set by the test

    def __init__(self) -> None:
        super().__init__()
        self.savepoint = transaction.savepoint()
        self.today = timezone.localdate()
        self.petition: Petition
        self.model: Model
        self.day: date
        self.events = 1
        self.notices: list[str] = []

    def teardown(self) -> None:
        transaction.savepoint_rollback(self.savepoint)

    @initialize(start=st.integers(min_value=160, max_value=260))
    def receive(self, start: int) -> None:
        received = self.today - timedelta(days=start)
        # A week of public holidays right after receipt, and one later on.
        for first in (received + timedelta(days=1), received + timedelta(days=55)):
            for offset in range(8):
                CalendarDay.objects.get_or_create(
                    town=self.world.town,
                    day=first + timedelta(days=offset),
                    defaults={"kind": CalendarDay.Kind.HOLIDAY},
                )
        self.petition = register(self.world, received_on=received)
        self.model = Model(received=received)
        self.day = received

    @rule(days=st.integers(min_value=0, max_value=40))
    def time_passes(self, days: int) -> None:
        self.day = min(self.day + timedelta(days=days), self.today)

    @rule(offset=st.sampled_from([-1, 0, 1]))
    def the_day_of_a_limit(self, offset: int) -> None:
        """Jump to the day before, of, or after the running limit or the review window."""
        due = self.model.due()
        if due is None and self.model.replied is not None:
            due = self.model.replied + timedelta(days=30)
        if due is not None:
            target = due + timedelta(days=offset)
            if self.day <= target <= self.today:
                self.day = target

    @rule(
        offset=st.sampled_from([-1, 0, 1]),
        persona=st.sampled_from(sorted(HANDLERS)),
        extend=st.booleans(),
        days=st.sampled_from([1, 30]),
    )
    def decide_on_the_limit(self, offset: int, persona: str, extend: bool, days: int) -> None:
        """The decision the running window waits for, on the day before, of or after its end:
        acceptance (day 15), an extension (day 60) or the reply (day 60 + extension), a review."""
        self.the_day_of_a_limit(offset)
        state = self.model.state
        action = {"registered": "accept", "replied": "request_review"}.get(state)
        if state == "accepted":
            action = "extend" if extend else "reply"
        if action is not None:
            self.act(action, persona, days)

    @rule(
        action=st.sampled_from(list(TABLE)),
        persona=st.sampled_from(PERSONAS),
        days=st.sampled_from([0, 1, 15, 30, 31]),
    )
    def act(self, action: str, persona: str, days: int) -> None:
        expected = self.model.outcome(action, persona, self.day, days)
        before = Petition.objects.filter(pk=self.petition.pk).values().get()
        arguments: dict[str, Any] = {
            "petition": self.petition,
            "by": self.world.user(persona),
            "on": self.day,
        }
        if action == "reject":
            arguments["reason"] = "不属于本机关职权范围"
        if action == "extend":
            arguments.update(days=days, reason="需多部门会商")
        if action == "reply":
            arguments["reply"] = "经核查，已依法处理。"
        if action == "satisfaction":
            arguments["satisfaction"] = "basically"
        try:
            self.petition = lifecycle.ACTION_SERVICES[action](**arguments)
            got = "ok"
        except ValidationError:
            got = "validation"
        except NotPermitted:
            got = "role"
        except ConflictError as error:
            got = "state" if error.code == "transition_not_allowed" else str(error.code)
        assert got == expected, (action, persona, self.day, self.model)
        if got == "ok":
            self.model.apply(action, self.day, days)
            self.events += 1
            if action in NOTICES:
                self.notices.append(NOTICES[action])
        else:
            assert Petition.objects.filter(pk=self.petition.pk).values().get() == before
            self.petition.refresh_from_db()

    @invariant()
    def agrees_with_the_regulation(self) -> None:
        if not hasattr(self, "model"):
            return
        stored = Petition.objects.get(pk=self.petition.pk)
        assert stored.state == self.model.state
        assert stored.due_on == self.model.due()
        assert stored.decided_on == self.model.decided
        assert stored.extension_days == self.model.extension
        assert stored.replied_on == self.model.replied
        for day in (self.day, self.model.due() or self.day):
            for probe in (day - timedelta(days=1), day, day + timedelta(days=1)):
                late = self.model.late(probe)
                assert is_overdue(stored, probe) is late, (probe, self.model)
                in_sql = Petition.objects.filter(pk=stored.pk).filter(overdue_filter(probe))
                assert in_sql.exists() is late
        assert PetitionEvent.objects.filter(petition=stored).count() == self.events
        assert stored.version == self.events
        assert list(stored.notices.order_by("pk").values_list("kind", flat=True)) == self.notices


@pytest.mark.slow
@pytest.mark.django_db
def test_it_keeps_the_statutory_limits_under_any_sequence_of_decisions(world: World) -> None:
    machine = type("Petitions", (PetitionMachine,), {"world": world})
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=25,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
