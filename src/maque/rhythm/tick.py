"""`maque tick`: the one idempotent entry point of the rhythm (design §7).

It runs the steps below in order. A step is a function `step(*, now: datetime) -> int` (the
number of effects it produced) that is idempotent by unique keys and row locks, so any number of
callers at once — cron, several servers, the embedded server's timer — produce each effect once.
Steps are named by dotted path and imported when the tick runs; a step whose module is not
installed yet is skipped with a log line. A step that fails is logged and the others still run.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from importlib import import_module

from django.utils import timezone

log = logging.getLogger(__name__)

STEPS: tuple[str, ...] = (
    "maque.rhythm.resume.resume_due_items",
    "maque.rhythm.escalation.escalate",
    "maque.rhythm.coordination.remind_coordination",
    "maque.bulletins.tick.issue_due_bulletins",
    # Today's village snapshots, then the watch list read from them, then the weekly diagnosis
    # whose pack lists the watch list.
    "maque.diagnosis.tick.write_snapshots",
    "maque.diagnosis.tick.propose_watch_list",
    "maque.diagnosis.tick.draft_weekly_diagnosis",
    "maque.supervision.tick.open_due_rounds",
    "maque.supervision.tick.refresh_indicators",
    "maque.deliberation.tick.complete_finished_topics",
    "maque.deliberation.tick.remind_topics",
    "maque.petitions.tick.escalate_petitions",
    # Last: sends what the steps above queued.
    "maque.notifications.delivery.deliveries_send",
)


@dataclass
class TickResult:
    now: datetime
    effects: dict[str, int] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.failed


def resolve(path: str) -> Callable[..., int] | None:
    """The step function at `path`, or None when its module or function does not exist (yet)."""
    module_path, _dot, name = path.rpartition(".")
    try:
        module = import_module(module_path)
    except ModuleNotFoundError as error:
        # Only a missing step module is skipped; a broken import inside it is a failure.
        if error.name and (module_path == error.name or module_path.startswith(f"{error.name}.")):
            return None
        raise
    return getattr(module, name, None)


def tick(
    *,
    now: datetime | None = None,
    steps: Iterable[str] = STEPS,
    progress: Callable[[str], None] | None = None,
) -> TickResult:
    """Run every step once at `now` (default: the current time). `progress` hears the progress
    lines of the steps that report them (those with a `progress` argument: a long run over a backlog)."""
    now = now or timezone.now()
    result = TickResult(now=now)
    for path in steps:
        try:
            step = resolve(path)
        except Exception as error:  # noqa: BLE001 - one broken step must not stop the rhythm
            log.exception("tick: cannot import %s", path)
            result.failed[path] = f"{type(error).__name__}: {error}"
            continue
        if step is None:
            log.info("tick: %s is not installed; skipped", path)
            result.skipped.append(path)
            continue
        try:
            takes_progress = (
                progress is not None and "progress" in inspect.signature(step).parameters
            )
            effects = step(now=now, progress=progress) if takes_progress else step(now=now)
            result.effects[path] = int(effects or 0)
        except Exception as error:  # noqa: BLE001
            log.exception("tick: %s failed", path)
            result.failed[path] = f"{type(error).__name__}: {error}"
    return result
