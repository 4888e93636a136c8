"""The escalation ladder: the right people on the right (working) day, once per item and step."""

from __future__ import annotations

from datetime import date

import pytest

from maque.accountability.models import AccountabilityCase, Rule
from maque.ledger.models import State
from maque.notifications.models import Notification
from maque.organisation.models import Person, Role
from maque.organisation.services import assignment_change
from maque.rhythm.escalation import escalate
from maque.rhythm.models import EscalationStep, rhythm_settings
from tests.rhythm.helpers import at, item_due, notified, return_times

pytestmark = pytest.mark.django_db
Step = EscalationStep.Step


def steps_of(item) -> set[str]:  # noqa: ANN001
    return set(EscalationStep.objects.filter(item=item).values_list("step", flat=True))


def test_it_climbs_the_ladder_in_working_days(world, calendar_2025):
    # Due Friday 26 September 2025, just before the National Day holiday.
    item = item_due(world, date(2025, 9, 26))
    key = f"item:{item.pk}"

    assert escalate(now=at(date(2025, 9, 24))) == 0  # due in two working days: not yet
    assert escalate(now=at(date(2025, 9, 25))) == 1
    assert steps_of(item) == {Step.DUE_SOON}
    assert notified(f"due_soon:{key}") == {"cadre_gaige"}

    assert escalate(now=at(date(2025, 9, 26))) == 0  # the deadline day is not overdue
    assert escalate(now=at(date(2025, 9, 27))) == 0  # Saturday: not a working day, still day 0
    assert escalate(now=at(date(2025, 9, 28))) == 1  # Sunday worked (调休): overdue day 1
    assert notified(f"overdue_owner:{key}") == {"cadre_gaige", "secretary_gaige"}

    assert escalate(now=at(date(2025, 9, 29))) == 0
    assert escalate(now=at(date(2025, 9, 30))) == 1  # day 3
    # The middle rung: the village's contact leader and the leader in charge of the campaign
    # (not the leader limited to another campaign).
    assert notified(f"overdue_contact_leader:{key}") == {"contact_gaige", "leader"}

    for day in range(1, 13):  # the holiday and the days around it: days 4–6 fire nothing
        assert escalate(now=at(date(2025, 10, day))) == 0
    assert escalate(now=at(date(2025, 10, 13))) == 1  # day 7 (11 October was worked)
    assert notified(f"overdue_principal:{key}") == {"principal", "inspector"}
    step = EscalationStep.objects.get(item=item, step=Step.OVERDUE_PRINCIPAL)
    assert (step.due_on, step.overdue_days) == (date(2025, 10, 13), 7)
    assert set(step.recipients.values_list("name", flat=True)) == {"principal", "inspector"}

    assert escalate(now=at(date(2025, 10, 22))) == 0  # day 14
    assert AccountabilityCase.objects.count() == 0
    assert escalate(now=at(date(2025, 10, 23))) == 1  # day 15
    case = AccountabilityCase.objects.get()
    assert (case.rule, case.subject_person, case.village, case.status) == (
        Rule.OVERDUE,
        world.people["cadre_gaige"],
        world.gaige,
        "suggested",
    )
    assert case.evidence.get().object_id == item.pk
    # The suggestion is confidential: only the discipline commission and the principal hear of it.
    accountability = Notification.objects.filter(kind__startswith="accountability")
    assert set(accountability.values_list("user__username", flat=True)) == {
        "discipline",
        "principal",
    }

    # Ticking again, any day after, adds nothing.
    before = (
        EscalationStep.objects.count(),
        Notification.objects.count(),
        AccountabilityCase.objects.count(),
    )
    assert escalate(now=at(date(2025, 10, 23))) == 0
    assert escalate(now=at(date(2025, 11, 30))) == 0
    assert (
        EscalationStep.objects.count(),
        Notification.objects.count(),
        AccountabilityCase.objects.count(),
    ) == before
    assert Notification.objects.filter(user=world.user("cadre_gaige")).count() == 2


def test_it_can_count_calendar_days(world, calendar_2025):
    settings_row = rhythm_settings(world.town)
    settings_row.escalation_working_days = False
    settings_row.save()
    item = item_due(world, date(2025, 9, 26))
    escalate(now=at(date(2025, 9, 27)))
    assert steps_of(item) == {Step.OVERDUE_OWNER}
    escalate(now=at(date(2025, 9, 29)))
    assert Step.OVERDUE_CONTACT_LEADER in steps_of(item)
    escalate(now=at(date(2025, 10, 3)))
    assert Step.OVERDUE_PRINCIPAL in steps_of(item)
    assert EscalationStep.objects.get(item=item, step=Step.OVERDUE_PRINCIPAL).due_on == date(
        2025, 10, 3
    )


def test_it_uses_the_towns_numbers(world, calendar_2025):
    settings_row = rhythm_settings(world.town)
    settings_row.escalation_contact_leader_days = 2
    settings_row.save()
    item = item_due(world, date(2025, 9, 26))
    escalate(now=at(date(2025, 9, 29)))  # working day 2 (28, 29)
    assert steps_of(item) == {Step.OVERDUE_OWNER, Step.OVERDUE_CONTACT_LEADER}


def test_it_routes_through_the_grid_as_it_stood_that_day(world, calendar_2025):
    """双胜村's contact leader changes on 29 September: each step goes to whoever held it that day."""
    early = item_due(
        world, date(2025, 9, 24), village=world.shuangsheng, persona="cadre_shuangsheng"
    )
    late = item_due(
        world, date(2025, 9, 26), village=world.shuangsheng, persona="cadre_shuangsheng"
    )
    newcomer = Person.objects.create(
        town=world.town, name="新联村领导", user=world.users["outsider"]
    )
    assignment_change(
        role=Role.CONTACT_LEADER,
        person=newcomer,
        on=date(2025, 9, 29),
        by=None,
        village=world.shuangsheng,
    )

    # The first tick of the period runs late, on 30 September (a back-fill): the early item
    # reached day 3 on 28 September, before the change; the late one on 30 September, after it.
    escalate(now=at(date(2025, 9, 30)))
    assert EscalationStep.objects.get(item=early, step=Step.OVERDUE_CONTACT_LEADER).due_on == date(
        2025, 9, 28
    )
    assert notified(f"overdue_contact_leader:item:{early.pk}") == {"contact_shuangsheng", "leader"}
    assert notified(f"overdue_contact_leader:item:{late.pk}") == {"outsider", "leader"}
    # 改革村's items never reach 双胜村's people.
    assert not Notification.objects.filter(user=world.user("contact_gaige")).exists()


def test_it_skips_closed_suspended_and_cancelled_items_and_disabled_towns(world, calendar_2025):
    from tests.conftest import drive_to_closed

    closed = drive_to_closed(world, item_due(world, date(2025, 9, 26)))
    assert closed.state == State.CLOSED
    escalate(now=at(date(2025, 10, 30)))
    assert EscalationStep.objects.count() == 0

    settings_row = rhythm_settings(world.town)
    settings_row.escalation_enabled = False
    settings_row.save()
    item_due(world, date(2025, 9, 26))
    assert escalate(now=at(date(2025, 10, 30))) == 0


def test_it_suggests_accountability_after_three_returns(world, calendar_2025):
    item = return_times(world, item_due(world, date(2025, 12, 31)), 2)
    assert escalate(now=at(date(2025, 9, 10))) == 0  # twice is not yet a pattern
    item = return_times(world, item, 1, start=False)
    assert item.returned_count == 3
    assert escalate(now=at(date(2025, 9, 10))) == 1
    case = AccountabilityCase.objects.get()
    assert (case.rule, case.subject_person) == (Rule.RETURNS, world.people["cadre_gaige"])
    assert "3" in case.summary
    assert notified(f"accountability.suggested:{case.pk}") == {"discipline", "principal"}
    assert escalate(now=at(date(2025, 9, 11))) == 0
    assert AccountabilityCase.objects.count() == 1


def test_it_selects_candidates_in_a_bounded_number_of_queries(
    world, calendar_2025, django_assert_max_num_queries
):
    for _ in range(5):
        item_due(world, date(2025, 9, 26))
    escalate(now=at(date(2025, 10, 13)))  # fire everything once
    # Nothing left to fire: the run is a handful of queries whatever the number of items.
    with django_assert_max_num_queries(15):
        assert escalate(now=at(date(2025, 10, 14))) == 0


def test_it_answers_from_the_grid_like_responsible_on(world, calendar_2025):
    """The grid loaded once per run gives, for every village, role and day, who `responsible_on` gives."""
    from maque.organisation.queries import responsible_on
    from maque.rhythm.escalation import Grid

    newcomer = Person.objects.create(
        town=world.town, name="新联村领导", user=world.users["outsider"]
    )
    assignment_change(
        role=Role.CONTACT_LEADER,
        person=newcomer,
        on=date(2025, 9, 29),
        by=None,
        village=world.shuangsheng,
    )
    roles = (Role.SECRETARY, Role.CONTACT_LEADER, Role.PRINCIPAL, Role.INSPECTOR)
    grid = Grid(world.town, roles)
    answers = 0
    for village in (world.gaige, world.shuangsheng):
        for role in roles:
            for day in (date(2020, 1, 1), date(2025, 9, 28), date(2025, 9, 29), date(2025, 10, 30)):
                expected = [
                    person.pk for person in responsible_on(village=village, role=role, day=day)
                ]
                assert [person.pk for person in grid.holders(village.pk, role, day)] == expected, (
                    village,
                    role,
                    day,
                )
                answers += bool(expected)
    assert answers >= 20  # most questions have someone to answer them
    assert [
        p.pk for p in grid.holders(world.shuangsheng.pk, Role.CONTACT_LEADER, date(2025, 9, 29))
    ] == [newcomer.pk]


def _backlog(world, count: int, deadline: date = date(2025, 9, 10)) -> list:  # noqa: ANN001
    """Items in both villages that are all past every overdue rung."""
    return [
        item_due(world, deadline, village=world.shuangsheng, persona="cadre_shuangsheng")
        if i % 3 == 0
        else item_due(world, deadline)
        for i in range(count)
    ]


def test_it_fires_a_backlog_in_batches_each_rung_once(world, calendar_2025, monkeypatch):
    from maque.accountability.models import CaseEvent, Evidence
    from maque.rhythm import escalation

    monkeypatch.setattr(escalation, "BATCH", 4)  # 10 items: three batches a step
    items = _backlog(world, 10)
    due_soon = item_due(world, date(2025, 10, 24))

    assert escalate(now=at(date(2025, 10, 23))) == 10 * 4 + 1
    for item in items:
        assert steps_of(item) == {
            Step.OVERDUE_OWNER,
            Step.OVERDUE_CONTACT_LEADER,
            Step.OVERDUE_PRINCIPAL,
            Step.OVERDUE_ACCOUNTABILITY,
        }
    assert steps_of(due_soon) == {Step.DUE_SOON}
    # Routed through the grid of each village, recorded on the rung.
    for item in items:
        leader = (
            "contact_shuangsheng" if item.village_id == world.shuangsheng.pk else "contact_gaige"
        )
        assert notified(f"overdue_contact_leader:item:{item.pk}") == {leader, "leader"}
        step = EscalationStep.objects.get(item=item, step=Step.OVERDUE_CONTACT_LEADER)
        assert set(step.recipients.values_list("user__username", flat=True)) == {leader, "leader"}

    # One case per item, numbered 1…10 in item order, each with its history row, event and evidence.
    cases = list(AccountabilityCase.objects.order_by("number"))
    assert [case.number for case in cases] == list(range(1, 11))
    assert [case.evidence.get().object_id for case in cases] == [item.pk for item in items]
    assert {(case.rule, case.status) for case in cases} == {(Rule.OVERDUE, "suggested")}
    history = AccountabilityCase.history.model.objects  # type: ignore[attr-defined]
    assert sorted(history.filter(history_type="+").values_list("id", flat=True)) == sorted(
        case.pk for case in cases
    )
    assert CaseEvent.objects.filter(to_status="suggested").count() == Evidence.objects.count() == 10
    # Confidential: only the discipline commission and the principal hear of them, one each per case.
    accountability = Notification.objects.filter(kind__startswith="accountability")
    assert set(accountability.values_list("user__username", flat=True)) == {
        "discipline",
        "principal",
    }
    assert accountability.count() == 2 * 10

    before = (
        EscalationStep.objects.count(),
        Notification.objects.count(),
        AccountabilityCase.objects.count(),
        history.count(),
    )
    assert escalate(now=at(date(2025, 10, 23))) == 0
    assert (
        EscalationStep.objects.count(),
        Notification.objects.count(),
        AccountabilityCase.objects.count(),
        history.count(),
    ) == before


def test_it_fires_a_backlog_in_queries_that_do_not_grow_with_it(world, calendar_2025):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_to_fire(count: int, deadline: date) -> int:
        _backlog(world, count, deadline)
        with CaptureQueriesContext(connection) as captured:
            assert escalate(now=at(date(2025, 10, 23))) == count * 4
        return len(captured)

    queries_to_fire(1, date(2025, 9, 8))  # warm up: settings, calendar, the system's first uses
    assert queries_to_fire(15, date(2025, 9, 9)) == queries_to_fire(3, date(2025, 9, 10))


def test_it_tells_how_far_a_long_run_has_got(world, calendar_2025, monkeypatch):
    from io import StringIO

    from django.core.management import call_command

    from maque.rhythm import escalation

    monkeypatch.setattr(escalation, "BATCH", 2)
    monkeypatch.setattr(escalation, "PROGRESS_SECONDS", 0)
    _backlog(world, 5)
    out = StringIO()
    call_command(
        "tick",
        "--now",
        "2025-10-23T10:00",
        "--step",
        "maque.rhythm.escalation.escalate",
        stdout=out,
    )
    lines = out.getvalue().splitlines()
    assert any("overdue_contact_leader" in line and "rungs fired so far" in line for line in lines)
    assert "escalation: 20 rungs fired in" in out.getvalue()
    assert lines[-1] == "maque.rhythm.escalation.escalate: 20"
    quiet = StringIO()
    call_command(
        "tick",
        "--now",
        "2025-10-23T10:00",
        "--step",
        "maque.rhythm.escalation.escalate",
        stdout=quiet,
    )
    assert quiet.getvalue() == ""  # a tick that changes nothing says nothing
