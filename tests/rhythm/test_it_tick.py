"""`maque tick`: idempotent, whoever calls it and however many at once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection

from maque.accountability.models import AccountabilityCase
from maque.ledger import lifecycle
from maque.ledger.models import State, Transition
from maque.notifications.models import Channel, Delivery, Notification
from maque.organisation.models import Person
from maque.rhythm.models import EscalationStep
from maque.rhythm.tick import resolve, tick
from tests.rhythm.helpers import at, item_due

RUNNER = Path(__file__).with_name("tick_runner.py")
MY_STEPS = (
    "maque.rhythm.resume.resume_due_items",
    "maque.rhythm.escalation.escalate",
    "maque.notifications.delivery.deliveries_send",
)
RHYTHM_APPS = (
    "rhythm",
    "notifications",
    "accountability",
    "bulletins",
    "meetings",
    "supervision",
    "diagnosis",
    "ledger",
)


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for label in RHYTHM_APPS
        if apps.is_installed(f"maque.{label}")
        for model in apps.get_app_config(label).get_models()
    }


@pytest.mark.django_db
def test_it_resolves_steps_and_skips_missing_ones():
    assert resolve("maque.rhythm.escalation.escalate") is not None
    assert resolve("maque.nowhere.tick.step") is None
    assert resolve("maque.rhythm.escalation.no_such_step") is None
    result = tick(
        now=at(date(2025, 9, 25)),
        steps=("maque.nowhere.tick.step", "maque.rhythm.escalation.escalate"),
    )
    assert result.skipped == ["maque.nowhere.tick.step"]
    assert result.effects == {"maque.rhythm.escalation.escalate": 0}


@pytest.mark.django_db
def test_it_keeps_going_when_a_step_fails(world, monkeypatch):
    import maque.rhythm.escalation as escalation

    def broken(*, now):  # noqa: ANN001, ANN202
        raise RuntimeError("boom")

    monkeypatch.setattr(escalation, "escalate", broken)
    result = tick(now=at(date(2025, 9, 25)), steps=MY_STEPS)
    assert "maque.rhythm.escalation.escalate" in result.failed
    assert "maque.notifications.delivery.deliveries_send" in result.effects
    assert not result.ok
    with pytest.raises(CommandError, match="1 step"):
        call_command(
            "tick",
            "--now",
            "2025-09-25T09:00",
            *sum((["--step", s] for s in MY_STEPS), []),
            stdout=StringIO(),
            stderr=StringIO(),
        )


@pytest.mark.django_db
def test_it_runs_twice_with_the_same_rows(world, calendar_2025):
    for deadline in (date(2025, 9, 10), date(2025, 9, 24), date(2025, 9, 26)):
        item_due(world, deadline)
        item_due(world, deadline, village=world.shuangsheng, persona="cadre_shuangsheng")
    now = at(date(2025, 10, 13), 10)
    first = tick(now=now)
    assert first.ok, first.failed
    after_first = row_counts()
    assert after_first["rhythm.EscalationStep"] > 0
    second = tick(now=now)
    assert second.ok, second.failed
    assert row_counts() == after_first
    assert all(count == 0 for path, count in second.effects.items()), second.effects


@pytest.mark.django_db
def test_it_resumes_suspended_items_as_the_automation(world, today):
    item = item_due(world, today + timedelta(days=30))
    item = lifecycle.item_request_suspension(
        item=item,
        by=world.user("cadre_gaige"),
        resume_on=today + timedelta(days=5),
        reason="等待播种季节",
    )
    item = lifecycle.item_approve_suspension(item=item, by=world.user("contact_gaige"), note="同意")
    assert item.state == State.SUSPENDED

    out = StringIO()
    call_command(
        "tick",
        "--now",
        (today + timedelta(days=4)).isoformat() + "T09:00",
        "--step",
        MY_STEPS[0],
        stdout=out,
    )
    item.refresh_from_db()
    assert item.state == State.SUSPENDED
    assert out.getvalue() == ""  # nothing to resume yet: a quiet tick

    call_command(
        "tick",
        "--now",
        (today + timedelta(days=5)).isoformat() + "T09:00",
        "--step",
        MY_STEPS[0],
        stdout=out,
    )
    item.refresh_from_db()
    assert item.state == State.FOUND  # the state it was suspended from
    assert item.suspended_until is None
    resumed = Transition.objects.get(item=item, action="resume")
    # The automation acts: no person, no user, and it leaves no person behind.
    assert (resumed.actor, resumed.actor_user, resumed.via) == (None, None, "tick")
    assert not Person.objects.filter(title="system").exists()
    assert not get_user_model().objects.filter(username__startswith="system-").exists()
    # Once only.
    assert tick(now=at(today + timedelta(days=6)), steps=MY_STEPS[:1]).effects[MY_STEPS[0]] == 0
    assert Transition.objects.filter(item=item, action="resume").count() == 1


def test_it_refuses_a_bad_now():
    with pytest.raises(CommandError, match="not an ISO"):
        call_command("tick", "--now", "yesterday")


def _database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    user = settings.get("USER") or ""
    password = settings.get("PASSWORD") or ""
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings.get("HOST") or "localhost"
    port = f":{settings['PORT']}" if settings.get("PORT") else ""
    return f"postgres://{credentials}{host}{port}/{settings['NAME']}"


def run_together(tmp_path: Path, now: str, parties: int, steps: tuple[str, ...] = ()) -> list[dict]:
    # The repository root for `tests.`, ahead of (not instead of) the caller's own path to `maque`.
    path = os.pathsep.join(filter(None, [str(Path.cwd()), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "MAQUE_DATABASE_URL": _database_url(), "PYTHONPATH": path}
    processes = [
        subprocess.Popen(  # noqa: S603 - our own runner script, with arguments we build
            [sys.executable, str(RUNNER), str(tmp_path), str(index), str(parties), now, *steps],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for index in range(parties)
    ]
    results = []
    for process in processes:
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err[-3000:]
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_it_produces_each_effect_once_with_two_processes_at_once(world, calendar_2025, tmp_path):
    from tests.rhythm.local_receiver import Receiver

    items = [item_due(world, date(2025, 9, 10 + i % 15)) for i in range(12)]
    items += [
        item_due(
            world,
            date(2025, 9, 10 + i % 15),
            village=world.shuangsheng,
            persona="cadre_shuangsheng",
        )
        for i in range(12)
    ]
    with Receiver() as receiver:
        Channel.objects.create(
            town=world.town,
            name="镇工作群",
            kind=Channel.Kind.WECOM,
            webhook_url=receiver.url("/wecom"),
        )
        results = run_together(tmp_path, "2025-10-23T10:00", 2, MY_STEPS)
        fired = sum(result["effects"]["maque.rhythm.escalation.escalate"] for result in results)
        sent = sum(
            result["effects"]["maque.notifications.delivery.deliveries_send"] for result in results
        )
        steps = EscalationStep.objects.count()
        # Every item is at least 15 working days overdue: four overdue rungs each, fired once overall.
        assert steps == len(items) * 4
        assert fired == steps
        assert EscalationStep.objects.values("item", "step").distinct().count() == steps
        assert AccountabilityCase.objects.count() == len(items)
        keys = list(Notification.objects.values_list("user_id", "key"))
        assert len(keys) == len(set(keys))
        # One digest per person and day, however many items (the confidential suggestions never
        # go to a group); the group gets each digest once per run that changed it.
        digests = Notification.objects.filter(kind="escalation.digest")
        assert digests.count() == digests.values("user").distinct().count() == 8
        assert digests.count() <= Delivery.objects.count() <= 2 * digests.count()
        assert (
            sent
            == Delivery.objects.filter(status=Delivery.Status.SENT).count()
            == len(receiver.requests)
        )

        # And again, two more at once: nothing new.
        before = row_counts()
        (tmp_path / "again").mkdir()
        again = run_together(tmp_path / "again", "2025-10-23T10:05", 2, MY_STEPS)
        assert all(sum(r["effects"].values()) == 0 for r in again)
        assert row_counts() == before
