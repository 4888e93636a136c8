"""Accountability cases run on the shared state machine: one table, one refusal, a locked row
with a version, and a `CaseEvent` for every change."""

from __future__ import annotations

import pytest

from maque.accountability.lifecycle import CASES, TRANSITIONS, next_statuses
from maque.accountability.models import AccountabilityCase, CaseEvent, Rule, Status
from maque.accountability.services import accountability_suggest, case_change_status
from maque.core.statemachine import AUTOMATION
from maque.ledger.errors import ConflictError, NotPermitted
from maque.organisation.access import actor_for

pytestmark = pytest.mark.django_db


def suggest(world):  # noqa: ANN001, ANN201
    return accountability_suggest(
        town=world.town, rule=Rule.OVERDUE, key="overdue:item:9", summary="逾期"
    )


def snapshot(case: AccountabilityCase) -> tuple:
    case.refresh_from_db()
    return (case.status, case.version, case.measure, case.events.count(), case.history.count())


@pytest.mark.parametrize("status", list(Status.values))
def test_it_refuses_every_change_outside_the_table(world, status):
    case = suggest(world)
    AccountabilityCase.objects.filter(pk=case.pk).update(status=status, measure="admonition")
    case.refresh_from_db()
    allowed = {target for sources, target in TRANSITIONS.values() if status in sources}
    before = snapshot(case)
    for to in set(Status.values) - allowed:
        with pytest.raises(ConflictError) as refused:
            case_change_status(
                case=case,
                by=world.user("discipline"),
                to=to,
                note="n",
                measure="admonition",
                decision="d",
            )
        assert refused.value.code == "status_change_not_allowed"
    assert snapshot(case) == before
    # What the case page offers is exactly what the table allows from here.
    assert set(next_statuses(world.user("discipline"), case)) == allowed


def test_it_refuses_a_stale_version_with_the_current_one(world):
    case = suggest(world)
    assert case.version == 1
    case = case_change_status(case=case, by=world.user("discipline"), to=Status.OPENED, version=1)
    assert case.version == 2
    before = snapshot(case)
    with pytest.raises(ConflictError) as stale:
        case_change_status(
            case=case, by=world.user("principal"), to=Status.DISMISSED, note="重复", version=1
        )
    assert (stale.value.code, stale.value.current_version) == ("stale_version", 2)
    assert snapshot(case) == before
    case = case_change_status(
        case=case, by=world.user("principal"), to=Status.DISMISSED, note="重复", version=2
    )
    assert (case.status, case.version) == (Status.DISMISSED, 3)
    assert list(CaseEvent.objects.filter(case=case).values_list("to_status", flat=True)) == [
        Status.SUGGESTED,
        Status.OPENED,
        Status.DISMISSED,
    ]


def test_it_refuses_a_stale_page_and_changes_nothing(client, world):
    case = suggest(world)
    client.force_login(world.user("discipline"))
    page = client.get(f"/accountability/{case.pk}/").content.decode()
    assert 'name="version" value="1"' in page
    case_change_status(case=case, by=world.user("principal"), to=Status.OPENED)
    before = snapshot(case)
    # The other handler's page still shows version 1 and offers dismissing.
    response = client.post(
        f"/accountability/{case.pk}/status/",
        {"to": Status.DISMISSED, "note": "不予追责", "version": 1},
    )
    # A stale page is a conflict (409) the screen words as a request to reload.
    assert response.status_code == 409 and "请刷新页面" in response.content.decode()
    assert snapshot(case) == before


def test_it_lets_nobody_but_the_handlers_and_never_the_automation_act(world):
    case = suggest(world)
    assert CASES.refusal(actor_for(world.user("leader")), case, "open") == "role"
    assert CASES.refusal(AUTOMATION, case, "open") == "automatic"
    with pytest.raises(NotPermitted):
        CASES.check(AUTOMATION, case, "dismiss")
    assert CASES.available(actor_for(world.user("discipline")), case) == ["open", "dismiss"]
