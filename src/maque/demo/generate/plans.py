"""How a generated item reached its state: a sequence of lifecycle actions, who took each, and the notes."""

from __future__ import annotations

import random

from maque.ledger import lifecycle
from maque.ledger.models import Kind, State

# Share of items that end in each state (the rest of the plan decides how they got there).
STATE_WEIGHTS = {
    State.FOUND: 10,
    State.RECTIFYING: 24,
    State.SUBMITTED: 8,
    State.CLOSED: 50,
    State.SUSPENDED: 3,
    State.CANCELLED: 5,
}


# The lifecycle's own table: the generated paths are routes over it, never a table of their own.
_LIFECYCLE = lifecycle.MACHINES[Kind.RECTIFICATION]
# An approval is preceded by its request (the table lists both; only the approval moves the state).
_REQUESTED = {"approve_suspension": "suspend", "approve_extension": "extend"}
# Where each action leads (None: the state does not change).
_TARGET = {action: _LIFECYCLE.target(action) for action in _LIFECYCLE.actions}


def _route(start: str, goal: str) -> list[str]:
    """A shortest route over the lifecycle's table, each approval with its request before it."""
    route: list[str] = []
    for action in _LIFECYCLE.path(start, goal):
        route += [_REQUESTED[action], action] if action in _REQUESTED else [action]
    return route


def _plan(rng: random.Random, state: str) -> list[str]:
    """A sequence of lifecycle actions (after `create`) that ends in `state`: the table's
    shortest route there, with some items sent back, reopened or extended on the way."""
    found, rectifying, submitted, closed = (
        State.FOUND,
        State.RECTIFYING,
        State.SUBMITTED,
        State.CLOSED,
    )
    submit_cycle = _route(rectifying, submitted) + _route(submitted, rectifying)
    extension = ["extend", "approve_extension"]
    if state == found:
        path = rng.choice([[], [], [], extension])
    elif state == rectifying:
        roll = rng.random()
        if roll < 0.6:
            path = _route(found, rectifying)
        elif roll < 0.8:
            path = _route(found, rectifying) + submit_cycle
        elif roll < 0.9:
            path = _route(found, rectifying) + submit_cycle + submit_cycle
        else:
            path = _route(found, closed) + _route(closed, rectifying)
        path += extension if rng.random() < 0.1 else []
    elif state == submitted:
        path = (
            _route(found, rectifying)
            + (submit_cycle if rng.random() < 0.15 else [])
            + _route(rectifying, submitted)
        )
    elif state == closed:
        path = (
            _route(found, rectifying)
            + (submit_cycle if rng.random() < 0.12 else [])
            + _route(rectifying, closed)
        )
    elif state in (State.SUSPENDED, State.CANCELLED):
        share = 0.7 if state == State.SUSPENDED else 0.3
        start = rectifying if rng.random() < share else found
        path = _route(found, start) + _route(start, state)
    else:
        raise ValueError(state)
    # Every plan is a walk the table allows (a changed table fails here, not in the data).
    assert _LIFECYCLE.walk(found, path) == state, (state, path)
    return path


_BY_OWNER = {"create", "start", "submit", "suspend", "extend"}
_BY_INSPECTOR = {"reopen"}
_NOTES = {
    "verify": "现场核查整改到位，同意销号",
    "return": "整改不到位：现场仍有问题，需补充整改",
    "reopen": "回头看发现反弹，重新整改",
    "cancel": "重复登记，予以撤销",
    "suspend": "需待农时复耕，申请挂起",
    "approve_suspension": "同意挂起",
    "extend": "受天气影响，申请延期",
    "approve_extension": "同意延期",
}
