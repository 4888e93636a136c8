import collections
from tests.ledger import test_it_lifecycle_properties as m
def test_stats(world, monkeypatch):
    stats = collections.Counter()
    orig = m.LifecycleMachine.attempt
    def attempt(self, label, expected, call):
        ok = orig(self, label, expected, call)
        stats[(label.split(" by ")[0].split(" with")[0], ok)] += 1
        return ok
    monkeypatch.setattr(m.LifecycleMachine, "attempt", attempt)
    ot = m.LifecycleMachine.teardown
    def td(self):
        stats["examples"] += 1
        stats["v%02d" % len(getattr(self, "transitions", []))] += 1
        return ot(self)
    monkeypatch.setattr(m.LifecycleMachine, "teardown", td)
    ocr = m.LifecycleMachine.create
    m.test_it_keeps_the_lifecycle_invariants_under_any_sequence_of_actions(world)
    for k, v in sorted(stats.items(), key=str): print(k, v)
