"""The generated demo's item histories are walks over the lifecycle's own table."""

from __future__ import annotations

import random

import pytest

from maque.demo.generate.plans import _TARGET, STATE_WEIGHTS, _plan
from maque.ledger import lifecycle
from maque.ledger.models import State


def test_it_takes_its_targets_from_the_table():
    assert _TARGET == {
        action: target for action, (_sources, target) in lifecycle.TRANSITIONS.items()
    }


@pytest.mark.parametrize("state", list(STATE_WEIGHTS))
def test_it_plans_only_walks_the_table_allows(state):
    machine = lifecycle.MACHINES["rectification"]
    rng = random.Random(7)
    for _ in range(200):
        path = _plan(rng, state)
        current = State.FOUND
        for action in path:
            sources, target = lifecycle.TRANSITIONS[action]
            assert current in sources, (state, path, action)
            current = target or current
        assert current == state
    # The shortest plan is the table's own shortest route.
    assert (
        min((_plan(rng, state) for _ in range(200)), key=len)[-1:]
        == machine.path(State.FOUND, state)[-1:]
    )
