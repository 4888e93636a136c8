"""`tick` acts as the automation, not as a person: nothing of it shows among people, and the
persons it used to act as are retired (inactive, roles ended, with history)."""

from __future__ import annotations

import importlib
from datetime import date, timedelta

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.utils import timezone

from maque.ledger import lifecycle
from maque.ledger.models import State
from maque.organisation.models import Person, Role, RoleAssignment
from maque.organisation.queries import responsible_on
from maque.rhythm.tick import tick
from tests.rhythm.helpers import at, item_due

pytestmark = pytest.mark.django_db
RETIRE = importlib.import_module("maque.rhythm.migrations.0004_retire_system_persons")


def test_it_leaves_no_person_behind_when_it_resumes(world, today):
    item = item_due(world, today + timedelta(days=30))
    lifecycle.item_request_suspension(
        item=item,
        by=world.user("contact_gaige"),
        resume_on=today + timedelta(days=2),
        reason="等待农时",
    )
    people_before = set(Person.objects.values_list("pk", flat=True))
    tick(now=at(today + timedelta(days=2)), steps=["maque.rhythm.resume.resume_due_items"])
    item.refresh_from_db()
    assert item.state == State.FOUND
    assert set(Person.objects.values_list("pk", flat=True)) == people_before
    leaders = responsible_on(village=world.gaige, role=Role.LEADER, day=today + timedelta(days=2))
    assert set(leaders) == {
        world.people["leader"],
        world.people["leader_projects"],
    }  # the world's, no system person


def test_it_retires_the_old_system_persons_without_deleting_them(world):
    user = get_user_model().objects.create(username=f"system-{world.town.code}", is_active=False)
    person = Person.objects.create(town=world.town, name="麻雀系统", title="system", user=user)
    RoleAssignment.objects.create(
        person=person, role=Role.LEADER, town=world.town, valid_from=date(2000, 1, 1)
    )
    today = timezone.localdate()
    assert person in responsible_on(village=world.gaige, role=Role.LEADER, day=today)

    RETIRE.retire(apps, None)

    person.refresh_from_db()
    assignment = RoleAssignment.objects.get(person=person)
    assert not person.active and assignment.valid_to == today - timedelta(days=1)
    assert person not in responsible_on(village=world.gaige, role=Role.LEADER, day=today)
    # (With the live models the save writes a history row too; the migration's own row is there.)
    assert person.history.filter(history_change_reason=RETIRE.REASON, active=False).exists()
    assert assignment.history.filter(
        history_change_reason=RETIRE.REASON, valid_to=assignment.valid_to
    ).exists()
    # Real people are untouched.
    assert world.people["leader"] in responsible_on(
        village=world.gaige, role=Role.LEADER, day=today
    )
    assert Person.objects.filter(active=True).count() == len(world.people)
