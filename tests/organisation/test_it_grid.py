"""The responsibility grid over time: changes close one row and open another, never overwrite."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from maque.organisation.models import (
    ContactDepartment,
    Department,
    Person,
    Role,
    RoleAssignment,
    Town,
    Village,
)
from maque.organisation.queries import contact_department_on, grid_history, responsible_on
from maque.organisation.services import assignment_change, contact_department_change

HANDOVER = date(2026, 3, 1)


@pytest.fixture
def newcomer(world) -> Person:  # noqa: ANN001
    return Person.objects.create(town=world.town, name="新联村干部")


def test_it_hands_a_role_over_by_closing_one_assignment_and_opening_another(world, newcomer):
    leader = world.user("leader")
    before = RoleAssignment.objects.get(role=Role.CONTACT_LEADER, village=world.shuangsheng)
    created = assignment_change(
        role=Role.CONTACT_LEADER, person=newcomer, on=HANDOVER, by=leader, village=world.shuangsheng
    )

    before.refresh_from_db()
    assert before.person == world.people["contact_shuangsheng"]  # never overwritten
    assert (before.valid_from, before.valid_to) == (date(2020, 1, 1), date(2026, 2, 28))
    assert (created.person, created.valid_from, created.valid_to) == (newcomer, HANDOVER, None)
    assert before.history.latest().history_user == leader
    assert created.history.latest().history_user == leader
    assert (
        RoleAssignment.objects.filter(role=Role.CONTACT_LEADER, village=world.shuangsheng).count()
        == 2
    )
    assert [
        a.person for a in grid_history(village=world.shuangsheng) if a.role == Role.CONTACT_LEADER
    ] == [
        newcomer,
        world.people["contact_shuangsheng"],
    ]
    # 改革村's contact leader is untouched.
    assert (
        RoleAssignment.objects.get(role=Role.CONTACT_LEADER, village=world.gaige).valid_to is None
    )


def test_it_answers_who_was_responsible_on_any_date(world, newcomer):
    assignment_change(
        role=Role.CONTACT_LEADER, person=newcomer, on=HANDOVER, by=None, village=world.shuangsheng
    )
    old = world.people["contact_shuangsheng"]
    assert responsible_on(
        village=world.shuangsheng, role=Role.CONTACT_LEADER, day=date(2025, 6, 1)
    ) == [old]
    assert responsible_on(
        village=world.shuangsheng, role=Role.CONTACT_LEADER, day=date(2026, 2, 28)
    ) == [old]
    assert responsible_on(village=world.shuangsheng, role=Role.CONTACT_LEADER, day=HANDOVER) == [
        newcomer
    ]
    assert (
        responsible_on(village=world.shuangsheng, role=Role.CONTACT_LEADER, day=date(2019, 12, 31))
        == []
    )
    assert responsible_on(village=world.gaige, role=Role.CADRE, day=HANDOVER) == [
        world.people["cadre_gaige"]
    ]
    # Town-wide roles are answered for the village's town.
    assert responsible_on(village=world.gaige, role=Role.PRINCIPAL, day=HANDOVER) == [
        world.people["principal"]
    ]
    assert responsible_on(village=world.gaige, role=Role.SECRETARY, day=HANDOVER) == [
        world.people["secretary_gaige"]
    ]
    assert responsible_on(village=world.shuangsheng, role=Role.SECRETARY, day=HANDOVER) == []


def test_it_changes_nothing_when_the_holder_is_the_same(world):
    current = RoleAssignment.objects.get(role=Role.CADRE, village=world.gaige)
    again = assignment_change(
        role=Role.CADRE,
        person=world.people["cadre_gaige"],
        on=HANDOVER,
        by=None,
        village=world.gaige,
    )
    assert (
        again == current
        and RoleAssignment.objects.filter(role=Role.CADRE, village=world.gaige).count() == 1
    )


def test_it_refuses_bad_handovers_and_changes_nothing(world, newcomer):
    count = RoleAssignment.objects.count()
    with pytest.raises(ValidationError) as raised:
        assignment_change(role=Role.CADRE, person=newcomer, on=HANDOVER, by=None)
    assert "village" in raised.value.message_dict
    other_town = Town.objects.create(name="洞河镇", short_name="洞河", code="dh")
    stranger = Person.objects.create(town=other_town, name="外镇干部")
    with pytest.raises(ValidationError) as raised:
        assignment_change(
            role=Role.CADRE, person=stranger, on=HANDOVER, by=None, village=world.gaige
        )
    assert "person" in raised.value.message_dict
    # A handover on the very day the current holder started would leave them an empty period.
    with pytest.raises(ValidationError) as raised:
        assignment_change(
            role=Role.CADRE, person=newcomer, on=date(2020, 1, 1), by=None, village=world.gaige
        )
    assert "on" in raised.value.message_dict
    assert RoleAssignment.objects.count() == count
    assert RoleAssignment.objects.get(role=Role.CADRE, village=world.gaige).valid_to is None


def test_it_hands_a_town_wide_role_over(world, newcomer):
    assignment_change(role=Role.PRINCIPAL, person=newcomer, on=HANDOVER, by=None)
    assert responsible_on(village=world.gaige, role=Role.PRINCIPAL, day=HANDOVER) == [newcomer]
    assert responsible_on(village=world.gaige, role=Role.PRINCIPAL, day=date(2026, 1, 1)) == [
        world.people["principal"]
    ]


def test_it_changes_the_contact_department_keeping_the_old_one(world):
    agriculture = Department.objects.create(town=world.town, name="农业综合服务站")
    justice = Department.objects.create(town=world.town, name="司法所")
    contact_department_change(
        village=world.shuangsheng, department=agriculture, on=date(2024, 1, 1), by=None
    )
    contact_department_change(
        village=world.shuangsheng, department=justice, on=HANDOVER, by=world.user("leader")
    )
    rows = ContactDepartment.objects.filter(village=world.shuangsheng).order_by("valid_from")
    assert [(r.department.name, r.valid_from, r.valid_to) for r in rows] == [
        ("农业综合服务站", date(2024, 1, 1), date(2026, 2, 28)),
        ("司法所", HANDOVER, None),
    ]
    assert (
        contact_department_on(village=world.shuangsheng, day=date(2025, 1, 1)).department
        == agriculture
    )
    assert contact_department_on(village=world.shuangsheng, day=HANDOVER).department == justice
    assert contact_department_on(village=world.gaige, day=HANDOVER) is None
    elsewhere = Department.objects.create(
        town=Town.objects.create(name="洞河镇", short_name="洞河", code="dh"), name="党政办"
    )
    with pytest.raises(ValidationError):
        contact_department_change(
            village=world.shuangsheng, department=elsewhere, on=date(2026, 6, 1), by=None
        )
    assert ContactDepartment.objects.filter(village=world.shuangsheng).count() == 2
    assert Village.objects.get(pk=world.shuangsheng.pk).contact_departments.count() == 2
