"""Accountability is never suggested for overdue days the item did not spend in the system.

A back-dated registration (found 1900, due 1900) or an imported ledger's old deadline counts
from the day the item was registered: the rung falls due once the item has been here, overdue,
for the rung's whole number of days (issue: framing a colleague)."""

from __future__ import annotations

from datetime import date, timedelta

from maque.accountability.models import AccountabilityCase
from maque.rhythm.escalation import escalate
from maque.rhythm.models import EscalationStep
from tests.conftest import make_item
from tests.rhythm.helpers import at, registered_on

Step = EscalationStep.Step


def test_a_back_dated_item_is_not_suggested_on_the_day_it_is_registered(world) -> None:  # noqa: ANN001
    item = registered_on(
        make_item(world, found_on=date(2025, 1, 2), deadline=date(2025, 1, 3)), date(2025, 9, 1)
    )
    # Registered 1 September 2025, due in January: every reminder may fire at once, but not the
    # accountability rung — the item has not been overdue *in the system* for 15 working days.
    escalate(now=at(date(2025, 9, 2)))
    fired = set(EscalationStep.objects.filter(item=item).values_list("step", flat=True))
    assert Step.OVERDUE_OWNER in fired
    assert Step.OVERDUE_ACCOUNTABILITY not in fired
    assert not AccountabilityCase.objects.exists()

    # Fifteen working days after it was registered (no holidays in September 2025 until the
    # 29th), the rung falls due like any other item's.
    day = date(2025, 9, 2)
    for _ in range(30):
        day += timedelta(days=1)
        escalate(now=at(day))
        if AccountabilityCase.objects.exists():
            break
    assert AccountabilityCase.objects.get().evidence.get().object_id == item.pk
    assert day >= date(2025, 9, 19)


def test_an_item_registered_before_its_deadline_is_suggested_on_day_15(world) -> None:  # noqa: ANN001
    item = registered_on(
        make_item(world, found_on=date(2025, 8, 1), deadline=date(2025, 8, 8)), date(2025, 8, 1)
    )
    escalate(now=at(date(2025, 9, 2)))
    assert AccountabilityCase.objects.get().evidence.get().object_id == item.pk
