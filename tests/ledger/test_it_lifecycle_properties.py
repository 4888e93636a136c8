"""Property tests of the item lifecycle (design §4).

A state machine drives one item through random actions by random personas and compares every
outcome with a small reference model written from the design (who may do what, from which
state, with which evidence and reasons). After every step it checks the invariants: the stored
state and counters match the model, every change is exactly one `Transition` row and the chain
replays to the current state, the version and the history move with every change, a closed item
was verified by someone who is neither its owner nor its submitter, and the indicators never
count closed, cancelled or suspended items as overdue. A refused action changes nothing.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
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

from maque.ledger import lifecycle
from maque.ledger.errors import ConflictError, NotPermitted
from maque.ledger.models import (
    Attachment,
    Item,
    ItemRequest,
    Light,
    ProgressLog,
    State,
    Transition,
)
from maque.ledger.queries import with_indicators
from maque.ledger.services import attachment_add, progress_add
from tests.conftest import World, outflow_attributes, photo

PERSONAS = [
    "principal",
    "leader",
    "inspector",
    "discipline",
    "contact_gaige",
    "cadre_gaige",
    "secretary_gaige",
    "cadre_shuangsheng",
    "contact_shuangsheng",
    "outsider",
    "anonymous",
]
# The role each persona holds over an item of 改革村 (design §6); the others hold none.
ROLE_OVER_GAIGE = {
    "principal": "principal",
    "leader": "leader",
    "inspector": "inspector",
    "discipline": "discipline",
    "contact_gaige": "contact_leader",
    "cadre_gaige": "cadre",
    "secretary_gaige": "secretary",
}
WITHOUT_PERSON = {"outsider", "anonymous"}
OWNERS = ["cadre_gaige", "contact_gaige", "secretary_gaige", "cadre_shuangsheng", "leader"]

APPROVERS = {"contact_leader", "leader", "principal"}
# The contact leader reopens what their look-back finds relapsed (回头看, first-week issue 11).
REOPENERS = {"inspector", "leader", "principal", "contact_leader"}
VERIFIERS = {
    "farmland-outflow": {"contact_leader", "leader", "principal", "inspector"},
    "greenhouse": {"leader", "principal", "inspector"},
}
ATTRIBUTES = {
    "farmland-outflow": outflow_attributes(),
    "greenhouse": {"structure": "钢架大棚内建看护房", "built_area_m2": "120", "action": "拆除"},
}
OPEN = {State.FOUND, State.RECTIFYING, State.SUBMITTED}
# Mostly a real note or reason, sometimes a blank one (which must be refused).
TEXTS = st.sampled_from(["现场核查，整改到位"] * 4 + ["", "   "])
# "@owner" and "@submitter" stand for whoever holds that part now: separation of duties is
# about exactly them, and a uniform draw would rarely pick them at the right moment.
personas = st.sampled_from(
    ["contact_gaige", "@owner", "principal", "@submitter", "inspector", "leader"] * 2 + PERSONAS
)

Expected = tuple[type[Exception], str | None] | None

# The actions, with the strategies of their arguments; `act` draws one per step.
ACTIONS: dict[str, dict[str, st.SearchStrategy[Any]]] = {}


def action(**strategies: st.SearchStrategy[Any]) -> Any:
    def register(method: Any) -> Any:
        ACTIONS[method.__name__] = strategies
        return method

    return register


# The states from which each action can succeed (design §4): most steps draw one of these, so
# random runs reach deep states (closed, reopened, suspended) instead of bouncing off guards.
USEFUL_FROM = {
    "start": {State.FOUND},
    "submit": {State.RECTIFYING},
    "verify": {State.SUBMITTED},
    "return_": {State.SUBMITTED},
    "reopen": {State.CLOSED},
    "cancel": {State.FOUND, State.RECTIFYING},
    "suspend": {State.FOUND, State.RECTIFYING},
    "approve_suspension": {State.FOUND, State.RECTIFYING},
    "reject_suspension": {State.FOUND, State.RECTIFYING},
    "resume": {State.SUSPENDED},
    "extend": OPEN,
    "approve_extension": OPEN,
    "reject_extension": OPEN,
    "progress": OPEN | {State.SUSPENDED},
    "add_evidence": {State.RECTIFYING},
    "reassign": OPEN,
    "owner_moves_the_work_forward": {State.FOUND, State.RECTIFYING},
}


def _count(rows: Any) -> Coalesce:
    return Coalesce(
        Subquery(rows.order_by().values("item_id").annotate(n=Count("*")).values("n")), 0
    )


def snapshot(item_id: int) -> dict[str, Any]:
    """Everything an action could touch (in one query), to prove a refused action changed nothing.

    Requests are compared through their history: any change to one writes a history row."""
    return (
        Item.objects.filter(pk=item_id)
        .annotate(
            n_transitions=_count(Transition.objects.filter(item_id=OuterRef("pk"))),
            n_request_records=_count(ItemRequest.history.filter(item_id=OuterRef("pk"))),
            n_item_records=Coalesce(
                Subquery(
                    Item.history.filter(id=OuterRef("pk"))
                    .order_by()
                    .values("id")
                    .annotate(n=Count("*"))
                    .values("n")
                ),
                0,
            ),
            n_attachments=_count(Attachment.objects.filter(item_id=OuterRef("pk"))),
            n_progress=_count(ProgressLog.objects.filter(item_id=OuterRef("pk"))),
        )
        .values()
        .get()
    )


def expected_light(row: Item, day: date, now: datetime, returned: int) -> str:
    """The light of design §4 with the town's defaults (3 days, 7 days, 2 returns)."""
    if row.state in (State.CLOSED, State.CANCELLED):
        return Light.GREY
    if row.state == State.SUSPENDED:
        return Light.BLUE
    if (row.state in OPEN and day > row.deadline) or returned >= 2:
        return Light.RED
    stale_since = now + (day - timezone.localdate()) - timedelta(days=7)
    last_activity = row.last_progress_at or row.created_at
    if row.deadline <= day + timedelta(days=3) or last_activity < stale_since or returned >= 1:
        return Light.YELLOW
    return Light.GREEN


class LifecycleMachine(RuleBasedStateMachine):
    world: World  # set by the test

    def __init__(self) -> None:
        super().__init__()
        # Each example runs in a savepoint that teardown rolls back: the world stays, the item goes.
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.item_id: int | None = None

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    # --- the reference model ------------------------------------------------------------------

    @initialize(
        owner=st.sampled_from(OWNERS),
        category=st.sampled_from(sorted(VERIFIERS)),
        found_days_ago=st.integers(0, 20),
        deadline_days=st.integers(0, 30),
    )
    def create(self, owner: str, category: str, found_days_ago: int, deadline_days: int) -> None:
        today = timezone.localdate()
        found_on = today - timedelta(days=found_days_ago)
        item = lifecycle.item_create(
            by=self.user("principal"),
            campaign=self.world.campaign,
            category=self.world.category(category),
            village=self.world.gaige,
            title="撂荒地复耕",
            owner=self.world.people[owner],
            found_on=found_on,
            deadline=found_on + timedelta(days=deadline_days),
            attributes=ATTRIBUTES[category],
        )
        self.item_id = item.pk
        self.category = category
        self.state: str = State.FOUND
        self.owner = owner
        self.submitter: str | None = None
        self.verifier: str | None = None
        self.returned = 0
        self.reopened = 0
        self.extensions = 0
        self.deadline = item.deadline
        self.original_deadline = item.deadline
        self.fresh_evidence = False
        self.pending: dict[str, date | None] = {}  # request type -> requested date
        self.suspended_from: str | None = None
        self.version = 1
        self.transitions: list[tuple[str, str, str]] = [("create", State.FOUND, State.FOUND)]
        self.last_user: Any = self.user("principal")

    def who(self, persona: str) -> str:
        if persona == "@submitter":
            return self.submitter or self.owner
        return self.owner if persona == "@owner" else persona

    def user(self, persona: str) -> Any:
        return AnonymousUser() if persona == "anonymous" else self.world.user(persona)

    def item(self) -> Item:
        return Item.objects.get(pk=self.item_id)

    def roles(self, persona: str) -> set[str] | None:
        if persona in WITHOUT_PERSON:
            return None
        roles = {ROLE_OVER_GAIGE[persona]} if persona in ROLE_OVER_GAIGE else set()
        if persona == self.owner:
            roles.add("owner")
        return roles

    def guard(
        self,
        persona: str,
        states: set[str],
        allowed: set[str],
        *,
        text: str | None = None,
        stale: bool = False,
    ) -> Expected:
        """The first refusal the design calls for, in the order the checks are made."""
        if text is not None and not text.strip():
            return ValidationError, None
        if stale:
            return ConflictError, "stale_version"
        if self.state not in states:
            return ConflictError, "transition_not_allowed"
        roles = self.roles(persona)
        if roles is None or not roles & allowed:
            return NotPermitted, None
        return None

    def attempt(self, label: str, expected: Expected, call: Any) -> bool:
        """Run `call`; check it failed exactly as expected (changing nothing) or succeeded."""
        before = snapshot(self.item_id) if expected is not None else None
        try:
            call()
        except (ConflictError, NotPermitted, ValidationError) as error:
            assert expected is not None, f"{label}: refused ({error!r}) but the design allows it"
            assert type(error) is expected[0], (
                f"{label}: expected {expected[0].__name__}, got {error!r}"
            )
            if expected[1] is not None:
                assert error.code == expected[1], f"{label}: code {error.code}"
            assert snapshot(self.item_id) == before, f"{label}: a refused action changed something"
            return False
        assert expected is None, (
            f"{label}: succeeded but the design refuses it ({expected[0].__name__})"
        )
        return True

    def changed(
        self, persona: str, action: str, from_state: str, to_state: str | None = None
    ) -> None:
        self.transitions.append((action, from_state, to_state or from_state))
        self.state = to_state or from_state
        self.version += 1
        self.last_user = self.user(persona)
        if self.state in (State.CLOSED, State.CANCELLED):
            self.pending.clear()  # a finished item's pending requests are withdrawn

    # --- the actions ------------------------------------------------------------------------

    # A single rule: with several, Hypothesis switches some off for whole runs (swarm testing),
    # which here would starve the lifecycle of the actions that move it.
    @rule(data=st.data())
    def act(self, data: st.DataObject) -> None:
        # Hypothesis favours the first entries of a list, so the list starts with the work itself.
        likely = [name for name in ACTIONS if self.state in USEFUL_FROM.get(name, ())]
        name = data.draw(st.sampled_from(likely * 3 + list(ACTIONS)), label="action")
        arguments = {key: data.draw(strategy, label=key) for key, strategy in ACTIONS[name].items()}
        getattr(self, name)(**arguments)

    @action()
    def owner_moves_the_work_forward(self) -> None:
        """The owner's usual path (start, evidence, submit), so deep states are reached often."""
        if self.state == State.FOUND:
            self.start(self.owner, "")
        if self.state == State.RECTIFYING:
            if not self.fresh_evidence:
                self.add_evidence(self.owner)
            self.submit(self.owner)

    @action(persona=personas, note=TEXTS)
    def start(self, persona: str, note: str) -> None:
        persona = self.who(persona)
        expected = self.guard(persona, {State.FOUND}, {"owner"} | APPROVERS)
        call = lambda: lifecycle.item_start(item=self.item(), by=self.user(persona), note=note)
        if self.attempt(f"start by {persona}", expected, call):
            self.changed(persona, "start", State.FOUND, State.RECTIFYING)

    @action(persona=personas)
    def submit(self, persona: str) -> None:
        persona = self.who(persona)
        expected = self.guard(persona, {State.RECTIFYING}, {"owner"})
        if expected is None and not self.fresh_evidence:
            expected = (ValidationError, None)
        call = lambda: lifecycle.item_submit(item=self.item(), by=self.user(persona))
        if self.attempt(f"submit by {persona}", expected, call):
            self.submitter = persona
            self.changed(persona, "submit", State.RECTIFYING, State.SUBMITTED)

    @action(persona=personas, note=TEXTS)
    def verify(self, persona: str, note: str) -> None:
        persona = self.who(persona)
        expected = self.guard(persona, {State.SUBMITTED}, VERIFIERS[self.category], text=note)
        if expected is None and persona in (self.owner, self.submitter):
            expected = (NotPermitted, None)  # separation of duties
        call = lambda: lifecycle.item_verify(item=self.item(), by=self.user(persona), note=note)
        if self.attempt(f"verify by {persona}", expected, call):
            self.verifier = persona
            self.changed(persona, "verify", State.SUBMITTED, State.CLOSED)

    @action(persona=personas, reason=TEXTS)
    def return_(self, persona: str, reason: str) -> None:
        persona = self.who(persona)
        expected = self.guard(persona, {State.SUBMITTED}, VERIFIERS[self.category], text=reason)
        call = lambda: lifecycle.item_return(item=self.item(), by=self.user(persona), reason=reason)
        if self.attempt(f"return by {persona}", expected, call):
            self.returned += 1
            self.fresh_evidence = False
            self.changed(persona, "return", State.SUBMITTED, State.RECTIFYING)

    @action(persona=personas, reason=TEXTS)
    def reopen(self, persona: str, reason: str) -> None:
        persona = self.who(persona)
        expected = self.guard(persona, {State.CLOSED}, REOPENERS, text=reason)
        call = lambda: lifecycle.item_reopen(item=self.item(), by=self.user(persona), reason=reason)
        if self.attempt(f"reopen by {persona}", expected, call):
            self.reopened += 1
            self.verifier = None
            self.fresh_evidence = False
            self.changed(persona, "reopen", State.CLOSED, State.RECTIFYING)

    @action(persona=personas, reason=TEXTS)
    def cancel(self, persona: str, reason: str) -> None:
        persona = self.who(persona)
        expected = self.guard(persona, {State.FOUND, State.RECTIFYING}, APPROVERS, text=reason)
        call = lambda: lifecycle.item_cancel(item=self.item(), by=self.user(persona), reason=reason)
        if self.attempt(f"cancel by {persona}", expected, call):
            self.changed(persona, "cancel", self.state, State.CANCELLED)

    @action(persona=personas, reason=TEXTS, days=st.integers(-1, 60))
    def suspend(self, persona: str, reason: str, days: int) -> None:
        persona = self.who(persona)
        resume_on = timezone.localdate() + timedelta(days=days)
        expected = self.guard(
            persona, {State.FOUND, State.RECTIFYING}, {"owner"} | APPROVERS, text=reason
        )
        if days <= 0 and reason.strip():
            expected = (ValidationError, None)  # the date is checked before the item is read
        if expected is None and "suspension" in self.pending:
            expected = (ConflictError, "request_pending")
        call = lambda: lifecycle.item_request_suspension(
            item=self.item(), by=self.user(persona), resume_on=resume_on, reason=reason
        )
        if self.attempt(f"suspend by {persona}", expected, call):
            from_state = self.state
            self.changed(persona, "suspend", from_state)
            roles = self.roles(persona) or set()
            if persona != self.owner and roles & APPROVERS:
                self.suspended_from = from_state
                self.changed(persona, "approve_suspension", from_state, State.SUSPENDED)
            else:
                self.pending["suspension"] = resume_on

    @action(persona=personas)
    def approve_suspension(self, persona: str) -> None:
        persona = self.who(persona)
        expected = self.guard(persona, {State.FOUND, State.RECTIFYING}, APPROVERS)
        if expected is None and persona == self.owner:
            expected = (NotPermitted, None)
        if expected is None and "suspension" not in self.pending:
            expected = (ConflictError, "no_pending_request")
        call = lambda: lifecycle.item_approve_suspension(item=self.item(), by=self.user(persona))
        if self.attempt(f"approve suspension by {persona}", expected, call):
            del self.pending["suspension"]
            self.suspended_from = self.state
            self.changed(persona, "approve_suspension", self.state, State.SUSPENDED)

    @action(persona=personas, reason=TEXTS)
    def reject_suspension(self, persona: str, reason: str) -> None:
        persona = self.who(persona)
        expected = self.guard(persona, OPEN | {State.SUSPENDED}, APPROVERS, text=reason)
        if expected is None and "suspension" not in self.pending:
            expected = (ConflictError, "no_pending_request")
        call = lambda: lifecycle.item_reject_suspension(
            item=self.item(),
            by=self.user(persona),
            reason=reason,
        )
        if self.attempt(f"reject suspension by {persona}", expected, call):
            del self.pending["suspension"]
            self.changed(persona, "reject_suspension", self.state)

    @action(persona=personas)
    def resume(self, persona: str) -> None:
        persona = self.who(persona)
        expected = self.guard(persona, {State.SUSPENDED}, {"owner"} | APPROVERS)
        call = lambda: lifecycle.item_resume(item=self.item(), by=self.user(persona))
        if self.attempt(f"resume by {persona}", expected, call):
            assert self.suspended_from is not None
            self.changed(persona, "resume", State.SUSPENDED, self.suspended_from)
            self.suspended_from = None

    @action(persona=personas, reason=TEXTS, days=st.integers(-2, 30))
    def extend(self, persona: str, reason: str, days: int) -> None:
        persona = self.who(persona)
        new_deadline = self.deadline + timedelta(days=days)
        expected = self.guard(persona, OPEN, {"owner"} | APPROVERS, text=reason)
        # A waiting request refuses another before its date is read (the refusal that also
        # decides what is offered).
        if expected is None and "extension" in self.pending:
            expected = (ConflictError, "request_pending")
        if expected is None and days <= 0:
            expected = (ValidationError, None)
        call = lambda: lifecycle.item_request_extension(
            item=self.item(), by=self.user(persona), new_deadline=new_deadline, reason=reason
        )
        if self.attempt(f"extend by {persona}", expected, call):
            roles = self.roles(persona) or set()
            if persona != self.owner and roles & APPROVERS:
                self.deadline = new_deadline
                self.extensions += 1
            else:
                self.pending["extension"] = new_deadline
            self.changed(persona, "extend", self.state)

    @action(persona=personas)
    def approve_extension(self, persona: str) -> None:
        persona = self.who(persona)
        expected = self.guard(persona, OPEN, APPROVERS)
        if expected is None and persona == self.owner:
            expected = (NotPermitted, None)
        if expected is None and "extension" not in self.pending:
            expected = (ConflictError, "no_pending_request")
        call = lambda: lifecycle.item_approve_extension(item=self.item(), by=self.user(persona))
        if self.attempt(f"approve extension by {persona}", expected, call):
            self.deadline = self.pending.pop("extension")
            self.extensions += 1
            self.changed(persona, "approve_extension", self.state)

    @action(persona=personas, reason=TEXTS)
    def reject_extension(self, persona: str, reason: str) -> None:
        persona = self.who(persona)
        expected = self.guard(persona, OPEN | {State.SUSPENDED}, APPROVERS, text=reason)
        if expected is None and "extension" not in self.pending:
            expected = (ConflictError, "no_pending_request")
        call = lambda: lifecycle.item_reject_extension(
            item=self.item(),
            by=self.user(persona),
            reason=reason,
        )
        if self.attempt(f"reject extension by {persona}", expected, call):
            del self.pending["extension"]
            self.changed(persona, "reject_extension", self.state)

    @action(
        persona=personas,
        text=TEXTS,
        percent=st.none() | st.integers(0, 100),
        with_photo=st.booleans(),
    )
    def progress(self, persona: str, text: str, percent: int | None, with_photo: bool) -> None:
        persona = self.who(persona)
        roles = self.roles(persona)
        expected: Expected = None
        if roles is None or not roles & ({"owner"} | APPROVERS):
            expected = (NotPermitted, None)
        elif self.state not in OPEN | {State.SUSPENDED}:
            expected = (ConflictError, "transition_not_allowed")
        elif not text.strip():
            expected = (ValidationError, None)
        files = [photo()] if with_photo else []
        call = lambda: progress_add(
            item=self.item(),
            by=self.user(persona),
            text=text,
            percent=percent,
            files=files,
        )
        if self.attempt(f"progress by {persona}", expected, call) and with_photo:
            self.fresh_evidence = True

    @action(persona=personas)
    def add_evidence(self, persona: str) -> None:
        persona = self.who(persona)
        roles = self.roles(persona)
        expected: Expected = None
        if roles is None or not roles & ({"owner"} | APPROVERS):
            expected = (NotPermitted, None)
        elif self.state not in OPEN | {State.SUSPENDED}:
            expected = (ConflictError, "transition_not_allowed")
        call = lambda: attachment_add(item=self.item(), by=self.user(persona), upload=photo())
        if self.attempt(f"evidence by {persona}", expected, call):
            self.fresh_evidence = True

    @action(persona=personas, new_owner=st.sampled_from(OWNERS))
    def reassign(self, persona: str, new_owner: str) -> None:
        persona = self.who(persona)
        roles = self.roles(persona)
        expected: Expected = None
        if self.state not in OPEN | {State.SUSPENDED}:
            expected = (ConflictError, "not_editable")
        elif roles is None or not roles & ({"owner"} | APPROVERS):
            expected = (NotPermitted, None)
        elif not roles & APPROVERS:
            expected = (NotPermitted, None)
        call = lambda: lifecycle.item_update(
            item=self.item(), by=self.user(persona), changes={"owner": self.world.people[new_owner]}
        )
        if self.attempt(f"reassign by {persona}", expected, call) and new_owner != self.owner:
            self.owner = new_owner
            self.version += 1
            self.last_user = self.user(persona)

    @action(action=st.sampled_from(["start", "cancel", "verify", "extend"]), persona=personas)
    def stale_version(self, action: str, persona: str) -> None:
        persona = self.who(persona)
        if self.version == 1:
            return
        service = lifecycle.ACTION_SERVICES[action]
        kwargs: dict[str, Any] = {"note": "核查"} if action == "verify" else {}
        if action in ("cancel",):
            kwargs = {"reason": "重复登记"}
        if action == "extend":
            kwargs = {"reason": "季节原因", "new_deadline": self.deadline + timedelta(days=9)}
        call = lambda: service(
            item=self.item(),
            by=self.user(persona),
            version=self.version - 1,
            **kwargs,
        )
        self.attempt(f"{action} with a stale version", (ConflictError, "stale_version"), call)

    # --- the invariants (one pass, to keep each step cheap) ----------------------------------

    @invariant()
    def invariants(self) -> None:
        if self.item_id is None:
            return
        item = Item.objects.select_related("owner").get(pk=self.item_id)
        self.matches_the_model(item)
        self.closed_items_were_verified_by_someone_else(item)
        self.transitions_replay_to_the_state(item)
        self.history_follows_every_change(item)
        self.indicators_agree_with_the_design(item)

    def matches_the_model(self, item: Item) -> None:
        assert item.state == self.state
        assert item.version == self.version
        assert item.owner == self.world.people[self.owner]
        assert item.returned_count == self.returned
        assert item.reopened_count == self.reopened
        assert item.extension_count == self.extensions
        assert item.deadline == self.deadline
        assert item.original_deadline == self.original_deadline
        pending = {
            r.type: r.new_deadline or r.resume_on
            for r in ItemRequest.objects.filter(item=item, status=ItemRequest.Status.PENDING)
        }
        assert pending == self.pending

    def closed_items_were_verified_by_someone_else(self, item: Item) -> None:
        if item.state == State.CLOSED:
            assert item.verified_by_id is not None and item.closed_at is not None
            assert item.verified_by_id not in {item.owner_id, item.submitted_by_id}
            assert item.verified_by_id == self.world.people[self.verifier].pk
        else:
            assert item.verified_by_id is None and item.closed_at is None

    def transitions_replay_to_the_state(self, item: Item) -> None:
        rows = list(Transition.objects.filter(item_id=item.pk).order_by("id"))
        assert [(t.action, t.from_state, t.to_state) for t in rows] == self.transitions
        state = State.FOUND
        for row in rows:
            assert row.from_state == state, (
                f"{row.action} starts from {row.from_state}, not {state}"
            )
            state = row.to_state
        assert state == item.state
        assert sum(row.action == "return" for row in rows) == item.returned_count
        assert all(row.actor_id is not None for row in rows)

    def history_follows_every_change(self, item: Item) -> None:
        records = Item.history.filter(id=item.pk).order_by("-history_date", "-history_id")
        assert len(records) == self.version
        assert records[0].history_user_id == self.last_user.pk
        assert records[0].version == item.version and records[0].state == item.state

    def indicators_agree_with_the_design(self, item: Item) -> None:
        # One day per step, rotating: today, the deadline, the day after, nine days after.
        today = timezone.localdate()
        offsets = [None, 0, 1, 9]
        offset = offsets[len(self.transitions) % len(offsets)]
        day = today if offset is None else item.deadline + timedelta(days=offset)
        row = with_indicators(
            Item.objects.filter(pk=item.pk), day=day, towns=[self.world.town]
        ).get()
        now = timezone.now()
        overdue = item.state in OPEN and day > item.deadline
        assert row.overdue is overdue, (item.state, day, item.deadline)
        assert row.days_overdue == ((day - item.deadline).days if overdue else 0)
        assert row.light == expected_light(row, day, now, item.returned_count), (item.state, day)
        if item.state in (State.CLOSED, State.CANCELLED, State.SUSPENDED):
            assert not row.overdue and row.days_overdue == 0


@pytest.mark.slow
def test_it_keeps_the_lifecycle_invariants_under_any_sequence_of_actions(world: World) -> None:
    machine = type("Lifecycle", (LifecycleMachine,), {"world": world})
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=15,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
