import pytest
from maque.ledger import lifecycle
from maque.ledger.queries import DaysBetween
from tests.ledger.test_it_lifecycle_properties import test_it_keeps_the_lifecycle_invariants_under_any_sequence_of_actions as run

def no_sod(monkeypatch):
    orig = lifecycle._check
    def check(actor, item, action):
        if action == "verify":
            saved = item.owner_id, item.submitted_by_id
            item.owner_id = item.submitted_by_id = -1
            try: return orig(actor, item, action)
            finally: item.owner_id, item.submitted_by_id = saved
        return orig(actor, item, action)
    monkeypatch.setattr(lifecycle, "_check", check)

def no_return_count(monkeypatch):
    orig = lifecycle.item_return
    def ret(*, item, by, reason, version=None, via="api"):
        reason = lifecycle._require_text(reason, "reason", "x")
        return lifecycle._act("return", item=item, by=by, version=version, via=via, reason=reason)
    monkeypatch.setattr(lifecycle, "item_return", ret)

def overdue_closed(monkeypatch):
    from maque.ledger import queries
    from django.db.models import Q
    monkeypatch.setattr(queries, "_overdue_condition", lambda day: Q(deadline__lt=day))

@pytest.mark.parametrize("mutant", [no_sod, no_return_count, overdue_closed])
def test_mutant(world, monkeypatch, mutant):
    mutant(monkeypatch)
    import hypothesis, hypothesis.stateful as hs
    from tests.ledger import test_it_lifecycle_properties as m
    machine = type("L", (m.LifecycleMachine,), {"world": world})
    with pytest.raises(AssertionError):
        hs.run_state_machine_as_test(machine, settings=hypothesis.settings(max_examples=25, stateful_step_count=20, deadline=None, phases=[hypothesis.Phase.generate], database=None))
