"""The watch list's rules on constructed towns (design §5, 找麻雀): one bad village among good
ones is proposed; a uniformly average town proposes nobody; at most the weekly cap, most severe
first; a dismissed candidate returns only when its numbers get worse; an exit is proposed only
after two normal weeks running — and the proposals are idempotent."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from django.utils import timezone

from maque.diagnosis import rules
from maque.diagnosis.models import EntryState, VillageSnapshot, WatchEntry, WatchEvent
from maque.diagnosis.services import entries_propose, entry_act, exits_propose
from maque.diagnosis.tick import draft_weekly_diagnosis, propose_watch_list
from maque.meetings.models import Meeting
from maque.organisation.models import Village
from maque.rhythm.models import rhythm_settings

MONDAY = date(2026, 11, 23)

AVERAGE = {"open": 40, "overdue": 4, "registered": 100, "closed_total": 60, "stale": 4}
GOOD = {"open": 30, "overdue": 1, "registered": 100, "closed_total": 70, "stale": 2}


def snap(village: Village, day: date, **figures: Any) -> VillageSnapshot:
    values = {**AVERAGE, **figures}
    values["closure_rate"] = rules.median([100.0 * values["closed_total"] / values["registered"]])
    values["stale_share"] = round(100.0 * values["stale"] / values["open"], 1)
    return VillageSnapshot.objects.create(
        town=village.town,
        village=village,
        day=day,
        taken_at=timezone.make_aware(datetime.combine(day, time(8))),
        **values,
    )


def at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10)))


@pytest.fixture
def town(world):  # noqa: ANN001, ANN201
    """Seven villages: the world's two and five more."""
    more = [Village.objects.create(town=world.town, name=f"{n}村") for n in "东南西北中"]
    world.villages = [world.gaige, world.shuangsheng, *more]
    return world


def snap_town(town, day: date, figures: dict[int, dict[str, Any]] | None = None, base=None):  # noqa: ANN001, ANN201
    for index, village in enumerate(town.villages):
        snap(village, day, **{**(base or GOOD), **(figures or {}).get(index, {})})


BAD = {"open": 40, "overdue": 20, "registered": 100, "closed_total": 20, "stale": 20}


def test_it_proposes_the_one_bad_village_among_good_ones(town):
    snap_town(town, MONDAY, {3: {**BAD, "overdue_15": 2}})
    assert entries_propose(town=town.town, now=at(MONDAY)) == 1
    entry = WatchEntry.objects.get()
    assert entry.village == town.villages[3] and entry.state == EntryState.PROPOSED
    assert {reason["rule"] for reason in entry.reasons} == {
        "closure_rate",
        "overdue_rate",
        "long_overdue",
        "stale",
    }
    assert entry.numbers["overdue_rate"] == 50.0
    assert WatchEvent.objects.get(entry=entry).action == "propose"


def test_it_proposes_nobody_in_a_uniformly_average_town(town):
    snap_town(town, MONDAY, base=AVERAGE)
    assert entries_propose(town=town.town, now=at(MONDAY)) == 0
    assert not WatchEntry.objects.exists()


def test_it_proposes_nobody_for_a_problem_every_village_shares(town):
    # Every village has items 15+ days overdue and half its open items stale: the town's problem.
    snap_town(town, MONDAY, base={**AVERAGE, "overdue_15": 3, "stale": 20})
    assert entries_propose(town=town.town, now=at(MONDAY)) == 0


def test_it_proposes_at_most_the_weekly_cap_most_severe_first(town):
    town.villages += [Village.objects.create(town=town.town, name=f"{n}组村") for n in "甲乙丙丁戊"]
    bad = {**BAD, "overdue_15": 2}
    worse = {**bad, "overdue_15": 9}
    snap_town(town, MONDAY, {0: bad, 1: bad, 2: bad, 3: worse})
    settings = rhythm_settings(town.town)
    settings.watch_weekly_cap = 2
    settings.save()
    assert entries_propose(town=town.town, now=at(MONDAY)) == 2
    proposed = list(WatchEntry.objects.order_by("-severity"))
    assert proposed[0].village == town.villages[3]
    # Idempotent, and the cap holds for the rest of the week.
    assert entries_propose(town=town.town, now=at(MONDAY) + timedelta(hours=1)) == 0
    snap_town(town, MONDAY + timedelta(days=2), {0: bad, 1: bad, 2: bad, 3: worse})
    assert entries_propose(town=town.town, now=at(MONDAY + timedelta(days=2))) == 0
    assert WatchEntry.objects.count() == 2
    # The next week brings the next one.
    snap_town(town, MONDAY + timedelta(days=7), {0: bad, 1: bad, 2: bad, 3: worse})
    assert entries_propose(town=town.town, now=at(MONDAY + timedelta(days=7))) == 2
    assert WatchEntry.objects.count() == 4


def test_it_does_not_propose_a_dismissed_candidate_again_unless_it_gets_worse(town):
    snap_town(town, MONDAY, {3: BAD})
    entries_propose(town=town.town, now=at(MONDAY))
    entry = WatchEntry.objects.get()
    entry_act(entry=entry, by=town.user("principal"), action="dismiss", reason="季节性，已有安排")
    week = MONDAY + timedelta(days=7)
    snap_town(town, week, {3: BAD})
    assert entries_propose(town=town.town, now=at(week)) == 0
    two = MONDAY + timedelta(days=14)
    snap_town(town, two, {3: {**BAD, "overdue_15": 3}})
    assert entries_propose(town=town.town, now=at(two)) == 1
    assert WatchEntry.objects.filter(state=EntryState.PROPOSED).get().severity > entry.severity


def test_it_proposes_an_exit_only_after_two_normal_weeks_running(town):
    snap_town(town, MONDAY, {3: BAD})
    entries_propose(town=town.town, now=at(MONDAY))
    entry = entry_act(
        entry=WatchEntry.objects.get(), by=town.user("leader"), action="accept", reason="典型"
    )
    WatchEntry.objects.filter(pk=entry.pk).update(listed_on=MONDAY)
    one = MONDAY + timedelta(days=7)
    snap_town(town, one)  # normal for one week
    assert exits_propose(town=town.town, now=at(one)) == 0
    entry.refresh_from_db()
    assert entry.state == EntryState.LISTED
    two = MONDAY + timedelta(days=14)
    snap_town(town, two)
    assert exits_propose(town=town.town, now=at(two)) == 1
    entry.refresh_from_db()
    assert entry.state == EntryState.EXIT_PROPOSED
    event = entry.events.get(action="propose_exit")
    assert event.by is None and event.numbers["closure_rate"] == 70.0
    assert exits_propose(town=town.town, now=at(two)) == 0
    entry = entry_act(entry=entry, by=town.user("principal"), action="exit")
    assert entry.state == EntryState.EXITED and entry.closed_on == timezone.localdate()


def test_it_does_not_propose_an_exit_when_a_week_between_was_bad(town):
    snap_town(town, MONDAY, {3: BAD})
    entries_propose(town=town.town, now=at(MONDAY))
    entry_act(
        entry=WatchEntry.objects.get(), by=town.user("leader"), action="accept", reason="典型"
    )
    WatchEntry.objects.update(listed_on=MONDAY)
    snap_town(town, MONDAY + timedelta(days=7), {3: BAD})
    snap_town(town, MONDAY + timedelta(days=14))
    assert exits_propose(town=town.town, now=at(MONDAY + timedelta(days=14))) == 0


def test_it_runs_the_proposals_as_a_tick_step_idempotently(town):
    snap_town(town, MONDAY, {3: BAD})
    assert propose_watch_list(now=at(MONDAY)) == 1
    assert propose_watch_list(now=at(MONDAY)) == 0
    assert WatchEntry.objects.count() == 1


def test_it_lists_the_watch_list_in_the_weekly_diagnosis_pack(town):
    snap_town(town, MONDAY, {3: BAD})
    propose_watch_list(now=at(MONDAY))
    assert draft_weekly_diagnosis(now=at(MONDAY)) == 1
    (candidate,) = Meeting.objects.get().indicators["watch_candidates"]
    assert candidate["village"] == town.villages[3].name and candidate["state"] == "proposed"
    assert "销号率20%，低于全镇中位数15个百分点以上" in candidate["reasons"]
