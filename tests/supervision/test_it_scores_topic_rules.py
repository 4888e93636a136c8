"""The scoring scheme's topic rules (联村共议 indicators): off by default they change no score;
switched on, each adds exactly its weight times the figure of the plain definitions."""

from __future__ import annotations

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from statistics import median

import pytest
from django.utils import timezone

from maque.deliberation import definitions as d
from maque.deliberation.models import Topic
from maque.supervision.models import ScoringScheme
from maque.supervision.queries import scores_compute
from maque.supervision.scoring import TOPIC_RULES, period_bounds, period_of, previous_period
from tests.conftest import World
from tests.deliberation.test_it_counts_topics_by_the_definitions import build

pytestmark = pytest.mark.django_db

CENT = Decimal("0.01")
WEIGHTS = {
    "topics_raised_weight": Decimal("0.50"),
    "topic_accept_days_weight": Decimal("1.25"),
    "topic_answer_days_weight": Decimal("0.40"),
    "topic_in_time_bonus": Decimal("6.00"),
    "topic_satisfaction_bonus": Decimal("4.00"),
}


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def share(part: int, whole: int) -> Decimal:
    if not whole:
        return Decimal(0)
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def expected_points(topics: list[Topic]) -> dict[str, Decimal]:
    """Each rule's points for one village, from the definitions applied topic by topic."""
    accepted = [v for t in topics if (v := d.days_to_accept(t)) is not None]
    answered = [v for t in topics if (v := d.days_to_answer(t)) is not None]
    judged = [v for t in topics if (v := d.answered_in_time(t)) is not None]
    rated = [v for t in topics if (v := d.is_satisfied(t)) is not None]
    return {
        "topics_raised": cents(len(topics) * WEIGHTS["topics_raised_weight"]),
        "topic_accept_days": cents(
            -Decimal(str(median(accepted) if accepted else 0)) * WEIGHTS["topic_accept_days_weight"]
        ),
        "topic_answer_days": cents(
            -Decimal(str(median(answered) if answered else 0)) * WEIGHTS["topic_answer_days_weight"]
        ),
        "topic_in_time_rate": cents(
            share(sum(judged), len(judged)) * WEIGHTS["topic_in_time_bonus"]
        ),
        "topic_satisfaction_rate": cents(
            share(sum(rated), len(rated)) * WEIGHTS["topic_satisfaction_bonus"]
        ),
    }


def by_village(world: World, period: str) -> dict[int, dict]:  # type: ignore[type-arg]
    return {row["id"]: row for row in scores_compute(town=world.town, period=period)}


@pytest.mark.parametrize("seed", [4, 5])
def test_off_by_default_changes_no_score_and_on_adds_the_defined_points(world: World, seed):
    today = timezone.localdate()
    periods = [period_of(today), previous_period(period_of(today))]
    build(world, seed)  # its quick topics' items move the item rules: the baseline is after it
    before = {period: by_village(world, period) for period in periods}
    assert all(len(row["breakdown"]) == 7 for rows in before.values() for row in rows.values())
    # A stored scheme with its defaults and odd weights: the rules are off, nothing moves.
    scheme = ScoringScheme.objects.create(town=world.town, **WEIGHTS)
    assert {period: by_village(world, period) for period in periods} == before

    for switch, _weight in ScoringScheme.TOPIC_RULE_FIELDS.values():
        setattr(scheme, switch, True)
    scheme.save()
    for period in periods:
        start, end = period_bounds(period)
        last = end - timedelta(days=1)
        for village_id, row in by_village(world, period).items():
            topics = [
                topic
                for topic in Topic.objects.filter(village_id=village_id)
                if d.is_counted(topic, start, last)
            ]
            expected = expected_points(topics)
            lines = {line["rule"]: line for line in row["breakdown"]}
            assert [line["rule"] for line in row["breakdown"]][-5:] == list(TOPIC_RULES)
            assert {rule: Decimal(lines[rule]["points"]) for rule in TOPIC_RULES} == expected
            assert lines["topics_raised"]["count"] == str(len(topics))
            assert row["score"] == before[period][village_id]["score"] + sum(expected.values())


def test_one_rule_switched_on_adds_only_its_line(world: World):
    build(world, 6)
    today = timezone.localdate()
    period = period_of(today)
    before = by_village(world, period)
    ScoringScheme.objects.create(town=world.town, topics_raised_on=True, **WEIGHTS)
    start, end = period_bounds(period)
    for village_id, row in by_village(world, period).items():
        raised = sum(
            d.is_counted(topic, start, end - timedelta(days=1))
            for topic in Topic.objects.filter(village_id=village_id)
        )
        assert [line["rule"] for line in row["breakdown"]] == [
            line["rule"] for line in before[village_id]["breakdown"]
        ] + ["topics_raised"]
        assert row["score"] == before[village_id]["score"] + raised * Decimal("0.50")
    # Owners are not scored on topics.
    owners = scores_compute(town=world.town, period=period, subject="owner")
    assert all("topics_raised" not in {line["rule"] for line in row["breakdown"]} for row in owners)


def test_the_settings_screen_shows_the_topic_rules(world: World, admin_client):
    scheme = ScoringScheme.objects.create(town=world.town)
    page = admin_client.get(f"/admin/supervision/scoringscheme/{scheme.pk}/change/")
    assert page.status_code == 200
    text = page.content.decode()
    for switch, weight in ScoringScheme.TOPIC_RULE_FIELDS.values():
        assert f'name="{switch}"' in text and f'name="{weight}"' in text
    assert 'name="topics_raised_on" checked' not in text
    data = {
        field.name: getattr(scheme, field.name)
        for field in ScoringScheme._meta.fields
        if field.name not in ("id",)
    }
    data.update(town=world.town.pk, topic_satisfaction_on="on", topic_satisfaction_bonus="8")
    data = {key: value for key, value in data.items() if value is not False}
    response = admin_client.post(f"/admin/supervision/scoringscheme/{scheme.pk}/change/", data)
    assert response.status_code == 302
    scheme.refresh_from_db()
    assert scheme.topic_satisfaction_on and scheme.topic_satisfaction_bonus == Decimal("8")
    assert not scheme.topics_raised_on
    assert scheme.history.count() == 2
