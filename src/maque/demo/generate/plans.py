"""How a generated item reached its state: a sequence of lifecycle actions, who took each, and the notes."""

from __future__ import annotations

import random

from maque.ledger.models import (
    State,
)

# Share of items that end in each state (the rest of the plan decides how they got there).
STATE_WEIGHTS = {
    State.FOUND: 10,
    State.RECTIFYING: 24,
    State.SUBMITTED: 8,
    State.CLOSED: 50,
    State.SUSPENDED: 3,
    State.CANCELLED: 5,
}


def _plan(rng: random.Random, state: str) -> list[str]:
    """A sequence of lifecycle actions (after `create`) that ends in `state`."""
    submit_cycle = ["submit", "return"]
    if state == State.FOUND:
        return rng.choice([[], [], [], ["extend", "approve_extension"]])
    if state == State.RECTIFYING:
        roll = rng.random()
        if roll < 0.6:
            path = ["start"]
        elif roll < 0.8:
            path = ["start", *submit_cycle]
        elif roll < 0.9:
            path = ["start", *submit_cycle, *submit_cycle]
        else:
            path = ["start", "submit", "verify", "reopen"]
        return path + (["extend", "approve_extension"] if rng.random() < 0.1 else [])
    if state == State.SUBMITTED:
        return ["start"] + (submit_cycle if rng.random() < 0.15 else []) + ["submit"]
    if state == State.CLOSED:
        return ["start"] + (submit_cycle if rng.random() < 0.12 else []) + ["submit", "verify"]
    if state == State.SUSPENDED:
        return (["start"] if rng.random() < 0.7 else []) + ["suspend", "approve_suspension"]
    if state == State.CANCELLED:
        return (["start"] if rng.random() < 0.3 else []) + ["cancel"]
    raise ValueError(state)


# Where each action leads (None: the state does not change).
_TARGET = {
    "start": State.RECTIFYING, "submit": State.SUBMITTED, "verify": State.CLOSED, "return": State.RECTIFYING,
    "reopen": State.RECTIFYING, "cancel": State.CANCELLED, "approve_suspension": State.SUSPENDED,
    "suspend": None, "extend": None, "approve_extension": None,
}
_BY_OWNER = {"create", "start", "submit", "suspend", "extend"}
_BY_INSPECTOR = {"reopen"}
_NOTES = {
    "verify": "现场核查整改到位，同意销号", "return": "整改不到位：现场仍有问题，需补充整改",
    "reopen": "回头看发现反弹，重新整改", "cancel": "重复登记，予以撤销", "suspend": "需待农时复耕，申请挂起",
    "approve_suspension": "同意挂起", "extend": "受天气影响，申请延期", "approve_extension": "同意延期",
}
