"""The daily bulletin: content, numbering, immutability, corrections, access, command and tick."""

from __future__ import annotations

import threading
from datetime import datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from maque.bulletins.models import Bulletin, ImmutableError
from maque.bulletins.queries import bulletin_figures
from maque.bulletins.services import bulletin_issue
from maque.bulletins.tick import issue_due_bulletins
from maque.ledger import lifecycle
from maque.ledger.errors import NotPermitted
from maque.organisation.models import Town
from tests.conftest import build_world, drive_to_closed, drive_to_submitted, make_item


def overdue_item(world, days_overdue: int = 5, **overrides):  # noqa: ANN001, ANN201
    today = timezone.localdate()
    return make_item(
        world,
        found_on=today - timedelta(days=30),
        deadline=today - timedelta(days=days_overdue),
        **overrides,
    )


@pytest.fixture
def ledger(world):  # noqa: ANN001, ANN201
    """Two overdue items in 改革村, one closed, one returned in 双胜村."""
    overdue_item(world, 5)
    overdue_item(world, 9, title="二组撂荒地复耕")
    drive_to_closed(world, make_item(world, title="已复耕"))
    returned = make_item(
        world, persona="cadre_shuangsheng", village=world.shuangsheng, title="双胜撂荒"
    )
    returned = drive_to_submitted(world, returned, persona="cadre_shuangsheng")
    lifecycle.item_return(item=returned, by=world.user("inspector"), reason="现场仍有杂草")
    return world


def test_it_issues_a_numbered_bulletin_with_the_figures(ledger):
    world = ledger
    bulletin = bulletin_issue(town=world.town, by=world.user("inspector"))
    year = timezone.localdate().year
    assert bulletin.code == f"蒿坪通〔{year}〕1号"
    s = Bulletin.objects.get(pk=bulletin.pk).snapshot
    assert s["totals"] == {
        "total": 4,
        "open": 3,
        "closed": 1,
        "overdue": 2,
        "new": 4,
        "closed_new": 1,
        "closure_rate": 25.0,
    }
    assert s["overdue_groups"] == [
        {"village": "改革村", "owner": "cadre_gaige", "count": 2, "max_days": 9, "total_days": 14}
    ]
    assert [row["days_overdue"] for row in s["overdue_items"]] == [9, 5]
    assert [(r["village"], r["reason"], r["action"]) for r in s["returned"]] == [
        ("双胜村", "现场仍有杂草", "return")
    ]
    assert s["returned_total"] == 1
    assert [(r["rank"], r["village"], r["closure_rate"]) for r in s["ranking"]] == [
        (1, "改革村", 33.3),
        (2, "双胜村", 0.0),
    ]
    assert s["named_villages"] == ["改革村"]
    day = timezone.localdate()
    assert bulletin.title.startswith(
        f"关于{day.year}年{day.month}月{day.day}日"
    ) and bulletin.title.endswith("工作进展情况的通报")
    assert bulletin.hash_matches()


def test_it_counts_changes_since_the_previous_bulletin(ledger):
    world = ledger
    first = bulletin_issue(town=world.town)
    make_item(world, title="新发现")
    # Later the same day, by hand: a special bulletin (the day has its daily one).
    second = bulletin_issue(town=world.town, special=True)
    assert second.number == first.number + 1
    assert second.since == first.as_of
    assert second.snapshot["totals"]["new"] == 1
    assert second.snapshot["returned"] == []  # the return was before the first bulletin
    assert second.snapshot["previous"] == first.code
    assert first.transitions_upto is not None and second.transitions_upto > first.transitions_upto
    late = drive_to_submitted(world, make_item(world, title="晚些退回"))
    lifecycle.item_return(item=late, by=world.user("inspector"), reason="照片不清")
    third = bulletin_issue(town=world.town, special=True)
    assert [r["reason"] for r in third.snapshot["returned"]] == ["照片不清"] and third.snapshot[
        "returned_total"
    ] == 1
    assert bulletin_issue(town=world.town, special=True).snapshot["returned_total"] == 0


def test_it_gathers_the_figures_in_a_fixed_number_of_queries(ledger, django_assert_max_num_queries):
    world = ledger
    for _ in range(5):
        overdue_item(world, 3)
    now = timezone.now()
    # Counts, overdue groups, closed since; campaigns, villages, owners; returns (all their ids,
    # then the listed ones); the most overdue items (one query per open state) — whatever the size
    # of the ledger.
    with django_assert_max_num_queries(11):
        figures = bulletin_figures(town=world.town, day=timezone.localdate(), as_of=now, since=None)
    assert figures["totals"]["overdue"] == 7


def test_it_refuses_any_change_to_an_issued_bulletin(ledger):
    world = ledger
    bulletin = bulletin_issue(town=world.town)
    bulletin.title = "改过的标题"
    with pytest.raises(ImmutableError):
        bulletin.save()
    with pytest.raises(ImmutableError):
        Bulletin.objects.filter(pk=bulletin.pk).update(title="改过")
    with pytest.raises(ImmutableError):
        bulletin.delete()
    with pytest.raises(ImmutableError):
        Bulletin.objects.filter(pk=bulletin.pk).delete()
    # Even raw SQL is refused by the database.
    with (
        pytest.raises((DatabaseError, IntegrityError)),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE bulletins_bulletin SET title = %s WHERE id = %s", ["改过", bulletin.pk]
        )
    stored = Bulletin.objects.get(pk=bulletin.pk)
    assert stored.title != "改过的标题" and stored.hash_matches()


def test_it_detects_a_tampered_snapshot(ledger):
    bulletin = bulletin_issue(town=ledger.town)
    bulletin.snapshot["totals"]["overdue"] = 0
    assert not bulletin.hash_matches()


def test_it_issues_a_correction_citing_the_old_bulletin(ledger):
    world = ledger
    old = bulletin_issue(town=world.town)
    correction = bulletin_issue(town=world.town, corrects=old, by=world.user("principal"))
    assert correction.corrects == old and correction.day == old.day
    assert correction.number == old.number + 1
    assert correction.snapshot["corrects"] == old.code and correction.title.endswith("（更正）")
    assert Bulletin.objects.get(pk=old.pk).content_hash == old.content_hash


def test_it_lets_only_the_inspection_group_and_principal_issue(world):
    for persona in ("cadre_gaige", "contact_gaige", "discipline", "outsider"):
        with pytest.raises(NotPermitted):
            bulletin_issue(town=world.town, by=world.user(persona))
    assert not Bulletin.objects.exists()


def test_it_refuses_a_day_in_the_future(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        bulletin_issue(town=world.town, day=timezone.localdate() + timedelta(days=1))
    assert not Bulletin.objects.exists()


def test_it_issues_from_the_command_line(world, capsys):
    day = timezone.localdate() - timedelta(days=1)
    call_command("bulletin", "issue", "--date", day.isoformat())
    bulletin = Bulletin.objects.get()
    assert bulletin.day == day and bulletin.code in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)
def test_it_never_gives_the_same_number_twice_under_concurrency():
    world = build_world()
    errors: list[BaseException] = []
    start = threading.Barrier(6)

    def issue() -> None:
        try:
            start.wait()
            bulletin_issue(town=Town.objects.get(pk=world.town.pk), special=True)
        except BaseException as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(Bulletin.objects.values_list("number", flat=True)) == [1, 2, 3, 4, 5, 6]
    assert len(set(Bulletin.objects.values_list("code", flat=True))) == 6


def test_it_issues_the_scheduled_bulletin_once_per_working_day(world):
    monday = datetime(2026, 11, 23)
    early = timezone.make_aware(datetime.combine(monday, time(8, 0)))
    due = timezone.make_aware(datetime.combine(monday, time(8, 31)))
    assert issue_due_bulletins(now=early) == 0
    assert issue_due_bulletins(now=due) == 1
    assert issue_due_bulletins(now=due + timedelta(minutes=5)) == 0
    saturday = timezone.make_aware(datetime(2026, 11, 28, 9, 0))
    assert issue_due_bulletins(now=saturday) == 0
    bulletin = Bulletin.objects.get()
    assert bulletin.scheduled and bulletin.day == monday.date()
    with pytest.raises((IntegrityError, ValidationError)), transaction.atomic():
        bulletin_issue(town=world.town, day=monday.date(), scheduled=True, now=due)
    # The refused issue took no number.
    assert bulletin_issue(town=world.town, day=monday.date(), now=due, special=True).number == 2


def run_at_once(step, now, callers: int = 3) -> list[int]:  # noqa: ANN001
    """Run a tick step from several threads (each with its own database connection) at once."""
    results: list[int] = []
    errors: list[BaseException] = []
    start = threading.Barrier(callers)

    def call() -> None:
        try:
            start.wait()
            results.append(step(now=now))
        except BaseException as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=call) for _ in range(callers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return sorted(results)


@pytest.mark.django_db(transaction=True)
def test_it_issues_one_scheduled_bulletin_when_ticks_run_at_once():
    build_world()
    now = timezone.make_aware(datetime(2026, 11, 23, 9, 0))
    assert run_at_once(issue_due_bulletins, now) == [0, 0, 1]
    assert Bulletin.objects.filter(scheduled=True).count() == 1
    assert Bulletin.objects.get().number == 1


@pytest.mark.django_db(transaction=True)
def test_it_opens_one_round_and_drafts_one_diagnosis_when_ticks_run_at_once():
    from maque.meetings.models import Meeting
    from maque.meetings.tick import draft_weekly_diagnosis
    from maque.supervision.models import InspectionRound
    from maque.supervision.tick import open_due_rounds

    world = build_world()
    make_item(world)
    now = timezone.make_aware(datetime(2026, 11, 23, 10, 0))
    assert run_at_once(open_due_rounds, now) == [0, 0, 1]
    assert run_at_once(draft_weekly_diagnosis, now) == [0, 0, 1]
    assert InspectionRound.objects.count() == 1 and Meeting.objects.count() == 1
