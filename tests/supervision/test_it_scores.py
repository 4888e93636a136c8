"""Scoring (考评): the arithmetic as properties, the stored weights, the API and the last-place rule."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from maque.accountability.models import AccountabilityCase
from maque.ledger import lifecycle
from maque.organisation.models import Village
from maque.supervision.models import Score, ScoringScheme
from maque.supervision.queries import scores_compute
from maque.supervision.scoring import (
    Counts,
    Weights,
    period_bounds,
    period_of,
    previous_period,
    score,
    total,
)
from maque.supervision.services import last_place_check, scores_store
from tests.conftest import drive_to_closed, drive_to_submitted, make_item


def cents(maximum: int) -> st.SearchStrategy[Decimal]:
    """Non-negative weights with two decimals, as the scheme stores them."""
    return st.integers(0, maximum * 100).map(lambda value: Decimal(value) / 100)


weights_strategy = st.builds(
    Weights,
    base=cents(200),
    overdue=cents(20),
    inadequate=cents(20),
    false_close=cents(20),
    relapse=cents(20),
    closure_bonus=cents(50),
    pass_rate_bonus=cents(50),
)
# The machine is shared: judge the properties, not the speed of generating examples.
relaxed = settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)


@st.composite
def counts_strategy(draw):  # noqa: ANN001, ANN201
    registered = draw(st.integers(0, 500))
    inspected = draw(st.integers(0, 100))
    return Counts(
        overdue=draw(st.integers(0, 200)),
        inadequate=draw(st.integers(0, 200)),
        false_close=draw(st.integers(0, 50)),
        relapse=draw(st.integers(0, 50)),
        registered=registered,
        closed=draw(st.integers(0, registered)),
        inspected=inspected,
        passed=draw(st.integers(0, inspected)),
    )


@relaxed
@given(counts_strategy(), weights_strategy)
def test_it_explains_every_point_the_breakdown_sums_to_the_score(counts, weights):
    value, lines = score(counts, weights)
    assert value == sum(Decimal(line["points"]) for line in lines)
    assert [line["rule"] for line in lines] == [
        "base",
        "overdue",
        "inadequate",
        "false_close",
        "relapse",
        "closure_rate",
        "pass_rate",
    ]
    for line in lines[1:5]:
        assert Decimal(line["points"]) == -(Decimal(line["count"]) * Decimal(line["weight"]))


@relaxed
@given(
    counts_strategy(),
    weights_strategy,
    st.sampled_from(["overdue", "inadequate", "false_close", "relapse"]),
    st.integers(1, 20),
)
def test_it_never_rewards_more_penalties(counts, weights, rule, extra):
    worse = replace(counts, **{rule: getattr(counts, rule) + extra})
    assert score(worse, weights)[0] <= score(counts, weights)[0]


@relaxed
@given(counts_strategy(), weights_strategy)
def test_it_keeps_the_score_within_its_bounds(counts, weights):
    value, _lines = score(counts, weights)
    penalties = (
        counts.overdue * weights.overdue
        + counts.inadequate * weights.inadequate
        + counts.false_close * weights.false_close
        + counts.relapse * weights.relapse
    )
    assert (
        weights.base - penalties
        <= value
        <= weights.base + weights.closure_bonus + weights.pass_rate_bonus
    )


def test_it_parses_periods():
    assert period_bounds("2026-11") == (date(2026, 11, 1), date(2026, 12, 1))
    assert period_bounds("2026-Q4") == (date(2026, 10, 1), date(2027, 1, 1))
    assert period_bounds("2026-W47") == (date(2026, 11, 16), date(2026, 11, 23))
    assert previous_period("2026-01") == "2025-12" and period_of(date(2026, 11, 26)) == "2026-11"
    for bad in ("2026-13", "november", "2026-Q5"):
        with pytest.raises(ValueError):
            period_bounds(bad)


def test_it_scores_villages_with_the_towns_stored_weights(world):
    today = timezone.localdate()
    ScoringScheme.objects.create(town=world.town, overdue_weight=Decimal("3"))
    make_item(world, found_on=today - timedelta(days=20), deadline=today - timedelta(days=1))
    drive_to_closed(world, make_item(world, title="已销号"))
    returned = drive_to_submitted(world, make_item(world, title="退回"))
    lifecycle.item_return(item=returned, by=world.user("inspector"), reason="不到位")
    rows = {row["name"]: row for row in scores_compute(town=world.town, period=period_of(today))}
    lines = {line["rule"]: line for line in rows["改革村"]["breakdown"]}
    assert (lines["overdue"]["count"], lines["overdue"]["weight"], lines["overdue"]["points"]) == (
        "1",
        "3.00",
        "-3.00",
    )
    assert lines["inadequate"]["points"] == "-1.00"
    assert lines["closure_rate"]["points"] == "3.33"  # 1 of 3 closed × 10
    assert rows["改革村"]["score"] == Decimal("99.33") == total(rows["改革村"]["breakdown"])
    assert (
        rows["双胜村"]["score"] == Decimal("100.00")
        and rows["双胜村"]["rank"] == 1
        and rows["改革村"]["rank"] == 2
    )
    owners = scores_compute(town=world.town, period=period_of(today), subject="owner")
    assert [row["name"] for row in owners] == ["cadre_gaige"]


def test_it_serves_scores_with_their_breakdown_and_scope(world, client):
    today = timezone.localdate()
    make_item(world, found_on=today - timedelta(days=20), deadline=today - timedelta(days=1))
    client.force_login(world.user("inspector"))
    body = client.get(f"/api/v1/scores?period={period_of(today)}").json()
    assert [row["name"] for row in body["scores"]] == ["双胜村", "改革村"]
    row = body["scores"][1]
    assert Decimal(row["score"]) == sum(Decimal(line["points"]) for line in row["breakdown"])
    assert client.get("/api/v1/scores?period=2026-13").status_code == 422
    client.force_login(world.user("cadre_shuangsheng"))
    assert [row["name"] for row in client.get("/api/v1/scores").json()["scores"]] == ["双胜村"]
    owners = client.get("/api/v1/scores?subject=owner").json()["scores"]
    assert owners == []  # only one's own score as an owner, and 双胜村's cadre owns nothing


def test_it_suggests_accountability_for_three_last_places_running(world):
    for period in ("2026-09", "2026-10", "2026-11"):
        for village, rank, value in ((world.gaige, 1, "100"), (world.shuangsheng, 2, "90")):
            Score.objects.create(
                town=world.town,
                period=period,
                subject="village",
                village=village,
                score=Decimal(value),
                rank=rank,
                breakdown=[],
            )
    assert last_place_check(town=world.town, period="2026-11") == world.shuangsheng
    assert last_place_check(town=world.town, period="2026-11") == world.shuangsheng
    case = AccountabilityCase.objects.get(town=world.town, rule="last_place")
    assert case.village == world.shuangsheng
    # Not three running: no case.
    Score.objects.filter(period="2026-10", village=world.shuangsheng).update(rank=1)
    Score.objects.filter(period="2026-10", village=world.gaige).update(rank=2)
    assert last_place_check(town=world.town, period="2026-11") is None
    assert AccountabilityCase.objects.filter(rule="last_place").count() == 1


def test_it_stores_scores_once_and_only_rewrites_changes(world):
    period = period_of(timezone.localdate())
    make_item(world)
    assert scores_store(town=world.town, period=period) == 3  # two villages, one owner
    assert scores_store(town=world.town, period=period) == 0
    assert Score.objects.filter(period=period, subject="village").count() == Village.objects.count()
