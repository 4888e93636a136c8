"""Reads for village decisions: the list (from `visible_to`), one decision's six steps as a
screen shows them, and the public disclosures of a village."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Prefetch, QuerySet

from maque.decisions.lifecycle import DECISIONS, next_step
from maque.decisions.models import (
    STEPS,
    DecisionState,
    DecisionStep,
    Step,
    VillageDecision,
)
from maque.organisation.access import actor_for
from maque.organisation.models import Village


def decision_list(
    *, user: Any, village: int | None = None, state: str | None = None
) -> QuerySet[VillageDecision]:
    decisions = VillageDecision.objects.visible_to(user)
    if village is not None:
        decisions = decisions.filter(village_id=village)
    if state:
        decisions = decisions.filter(state=state)
    return decisions.select_related("village", "topic").prefetch_related(
        Prefetch(
            "steps",
            queryset=DecisionStep.objects.select_related("meeting", "resolution").order_by(
                "on", "id"
            ),
        )
    )


@dataclass(frozen=True)
class StepView:
    step: str
    label: str
    taken: DecisionStep | None
    is_next: bool
    # Why the user may not take it now (out of order, their role), None when they may.
    refusal: str | None


def step_views(*, user: Any, decision: VillageDecision) -> list[StepView]:
    """The six steps in order: done (with their evidence), next, or refused and why."""
    actor = actor_for(user)
    taken = {row.step: row for row in decision.steps.all()}
    coming = next_step(decision)
    views = []
    for step in STEPS:
        key = DECISIONS.refusal(actor, decision, step)
        why = None
        if key is not None and step not in taken:
            why = str(getattr(DECISIONS.explain(key, actor, decision, step), "message", ""))
        views.append(
            StepView(
                step=step,
                label=str(Step(step).label),
                taken=taken.get(step),
                is_next=step == coming,
                refusal=why,
            )
        )
    return views


@dataclass(frozen=True)
class Disclosure:
    """A public disclosure of a 四议两公开 decision (no personal data: the decision's title, the
    step, its day and the text disclosed)."""

    decision_id: int
    title: str
    step: str
    step_label: str
    on: date
    text: str


def public_disclosures(village: Village) -> list[Disclosure]:
    """The village's 四议两公开 disclosures (决议公开, 实施结果公开), newest first.

    For the village's public board (`/p/`): it reads no account and shows only what was
    disclosed. The deliberation app sits below this one and cannot import it: a board above both
    (or this app's own page under `/p/`) calls this."""
    rows = (
        DecisionStep.objects.filter(
            decision__village=village,
            step__in=[Step.DISCLOSE_RESOLUTION, Step.DISCLOSE_RESULT],
        )
        .exclude(decision__state=DecisionState.OPEN)
        .select_related("decision")
        .order_by("-on", "-id")
    )
    return [
        Disclosure(
            decision_id=row.decision_id,
            title=row.decision.title,
            step=row.step,
            step_label=str(Step(row.step).label),
            on=row.on,
            text=row.text,
        )
        for row in rows
    ]
