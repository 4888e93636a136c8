"""One daily bulletin per town and day, whoever issues it; a second must say what it is (a
correction or a special bulletin). The first bulletin gives running totals, not "new"; a tie
between named villages names the weaker one, and the document says so; the Word file carries
the bulletin's number as its name."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from urllib.parse import quote

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from maque.bulletins.models import Bulletin
from maque.bulletins.services import bulletin_issue
from maque.bulletins.tick import issue_due_bulletins
from maque.bulletins.wording import bulletin_text
from maque.organisation.models import Plot, Town, Village

from ..conftest import build_world, make_item, outflow_attributes


def test_it_refuses_a_second_daily_bulletin_and_names_the_first(world):  # noqa: ANN001
    first = bulletin_issue(town=world.town, by=world.user("inspector"))
    with pytest.raises(ValidationError) as refused:
        bulletin_issue(town=world.town, by=world.user("inspector"))
    assert (
        first.code in str(refused.value)
        and "更正" in str(refused.value)
        and "特别通报" in str(refused.value)
    )
    special = bulletin_issue(town=world.town, by=world.user("inspector"), special=True)
    correction = bulletin_issue(town=world.town, by=world.user("inspector"), corrects=first)
    assert [b.number for b in (first, special, correction)] == [1, 2, 3]
    assert special.snapshot["kind"] == "special" and special.title.endswith("（特别通报）")
    assert correction.snapshot["kind"] == "correction" and first.snapshot["kind"] == "daily"
    with pytest.raises(ValidationError):
        bulletin_issue(town=world.town, corrects=first, special=True)


def test_it_does_not_add_a_scheduled_bulletin_to_a_day_issued_by_hand(world):  # noqa: ANN001
    now = timezone.now()
    bulletin_issue(town=world.town, by=world.user("inspector"), now=now)
    late = timezone.localtime(now).replace(hour=23, minute=59)
    assert issue_due_bulletins(now=max(late, now)) == 0
    assert Bulletin.objects.count() == 1


def test_it_says_which_number_the_day_has_on_the_command_line(world):  # noqa: ANN001
    day = timezone.localdate() - timedelta(days=1)
    call_command("bulletin", "issue", "--date", day.isoformat())
    code = Bulletin.objects.get().code
    with pytest.raises(CommandError) as refused:
        call_command("bulletin", "issue", "--date", day.isoformat())
    assert code in str(refused.value)
    call_command("bulletin", "issue", "--date", day.isoformat(), "--special")
    call_command("bulletin", "issue", "--corrects", code)
    assert Bulletin.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_it_issues_one_daily_bulletin_when_people_issue_at_once():
    world = build_world()
    outcomes: list[str] = []
    start = threading.Barrier(3)

    def issue() -> None:
        try:
            start.wait()
            bulletin_issue(town=Town.objects.get(pk=world.town.pk))
            outcomes.append("issued")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=issue) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["issued", "refused", "refused"]
    assert list(Bulletin.objects.values_list("number", flat=True)) == [1]


def test_it_gives_running_totals_in_the_first_bulletin(world):  # noqa: ANN001
    make_item(world)
    first = bulletin_issue(town=world.town)
    text = " ".join(text for _kind, text in bulletin_text(first.snapshot))
    assert "累计" in text and "首期" in text and "新增" not in text
    make_item(world, title="第二天的新问题")
    second = bulletin_issue(town=world.town, special=True)
    later = " ".join(text for _kind, text in bulletin_text(second.snapshot))
    assert "新增1件" in later and "首期" not in later


def test_it_names_the_weaker_village_at_an_equal_number_overdue(world):  # noqa: ANN001
    today = timezone.localdate()
    taoyuan = Village.objects.create(town=world.town, name="桃园村")
    Plot.objects.create(town=world.town, village=taoyuan, code="TY-001", area_mu="1.00")
    late = {"found_on": today - timedelta(days=20), "deadline": today - timedelta(days=2)}
    make_item(world, **late)
    make_item(world, persona="cadre_shuangsheng", village=world.shuangsheng, **late)
    make_item(
        world, persona="principal", village=taoyuan, attributes=outflow_attributes("TY-001"), **late
    )
    # 桃园村 closes nothing, the others close the same; 改革村 and 双胜村 get one closed item each,
    # so 桃园村 has the lowest closure rate of three villages with one overdue item each.
    from maque.ledger import lifecycle

    from ..conftest import drive_to_closed, drive_to_submitted

    drive_to_closed(world, make_item(world, title="已销号一"))
    submitted = drive_to_submitted(
        world,
        make_item(world, persona="cadre_shuangsheng", village=world.shuangsheng, title="已销号二"),
        "cadre_shuangsheng",
    )
    lifecycle.item_verify(item=submitted, by=world.user("contact_shuangsheng"), note="已复耕")
    bulletin = bulletin_issue(town=world.town)
    named = bulletin.snapshot["named_villages"]
    assert named[0] == "桃园村"
    text = " ".join(text for _kind, text in bulletin_text(bulletin.snapshot))
    assert "销号率较低的村排在前面" in text


def test_it_names_the_word_file_after_the_bulletin(world, client):  # noqa: ANN001
    bulletin = bulletin_issue(town=world.town)
    client.force_login(world.user("inspector"))
    response = client.get(f"/api/v1/bulletins/{bulletin.pk}/docx")
    assert response.status_code == 200
    assert (
        response["Content-Disposition"]
        == f"attachment; filename*=utf-8''{quote(bulletin.code + '.docx')}"
    )
    assert bulletin.code == f"蒿坪通〔{date.today().year}〕1号" or bulletin.code.startswith(
        "蒿坪通〔"
    )
