"""Reads for supervision: round reports and the counts behind scores, aggregated in the database."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from maque.ledger.definitions import past_deadline, rate
from maque.ledger.models import Item, State, Transition
from maque.organisation.access import actor_for
from maque.organisation.models import Person, Town, Village
from maque.supervision.models import (
    InspectionFinding,
    InspectionRound,
    Outcome,
    ReviewCheck,
    ScoringScheme,
)
from maque.supervision.policies import reads_whole_town
from maque.supervision.scoring import (
    Counts,
    TopicCounts,
    Weights,
    period_bounds,
    rank,
    score,
)
from maque.supervision.topic_figures import topic_counts


def round_report(*, round: InspectionRound) -> list[dict[str, Any]]:  # noqa: A002
    """Per village: sampled, inspected, passed, inadequate, false close-outs, new problems, pass rate."""
    sampled = {
        row["village_id"]: row["n"]
        for row in round.samples.values("village_id").annotate(n=Count("id")).order_by()
    }
    findings = (
        round.findings.values("village_id", "village__name")
        .annotate(
            inspected=Count("id", filter=Q(sample__isnull=False)),
            passed=Count("id", filter=Q(outcome=Outcome.PASS)),
            inadequate=Count("id", filter=Q(outcome=Outcome.INADEQUATE)),
            false_close=Count("id", filter=Q(outcome=Outcome.FALSE_CLOSE)),
            new_problems=Count("id", filter=Q(outcome=Outcome.NEW_PROBLEM)),
        )
        .order_by()
    )
    by_village: dict[int, Mapping[str, Any]] = {row["village_id"]: row for row in findings}
    names = dict(Village.objects.filter(pk__in={*sampled, *by_village}).values_list("pk", "name"))
    report = []
    for village_id in sorted(names, key=lambda pk: names[pk]):
        row = by_village.get(village_id, {})
        inspected = row.get("inspected", 0)
        report.append(
            {
                "village": names[village_id],
                "sampled": sampled.get(village_id, 0),
                "inspected": inspected,
                "passed": row.get("passed", 0),
                "inadequate": row.get("inadequate", 0),
                "false_close": row.get("false_close", 0),
                "new_problems": row.get("new_problems", 0),
                "pass_rate": rate(row.get("passed", 0), inspected),
            }
        )
    return report


def scheme_weights(town: Town) -> Weights:
    scheme = ScoringScheme.objects.filter(town=town).first()
    if scheme is None:
        return Weights()
    return Weights(
        base=scheme.base,
        overdue=scheme.overdue_weight,
        inadequate=scheme.inadequate_weight,
        false_close=scheme.false_close_weight,
        relapse=scheme.relapse_weight,
        closure_bonus=scheme.closure_bonus,
        pass_rate_bonus=scheme.pass_rate_bonus,
        topic_rules=tuple(
            (rule, getattr(scheme, weight))
            for rule, (switch, weight) in ScoringScheme.TOPIC_RULE_FIELDS.items()
            if getattr(scheme, switch)
        ),
    )


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def score_counts(
    *, town: Town, period: str, subject: str = "village", today: date | None = None
) -> dict[int, Counts]:
    """The counts of every rule per village (or per owner) for the period: four grouped queries.

    Overdue is taken at the end of the period (or today, while it runs): registered before then,
    past its deadline and not closed by then."""
    start, end = period_bounds(period)
    today = today or timezone.localdate()
    as_of_day = min(end, today)
    start_at, end_at = _aware(start), min(_aware(end), timezone.now())
    item_key = "village_id" if subject == "village" else "owner_id"
    live = [s for s in State if s != State.CANCELLED]
    open_at_end = Q(state__in=[s for s in live if s != State.SUSPENDED]) & (
        Q(closed_at__isnull=True) | Q(closed_at__gte=end_at)
    )
    items = (
        Item.objects.filter(town=town, created_at__lt=end_at, state__in=live)
        .values(item_key)
        .annotate(
            registered=Count("id"),
            closed=Count("id", filter=Q(state=State.CLOSED, closed_at__lt=end_at)),
            overdue=Count("id", filter=open_at_end & past_deadline(as_of_day)),
        )
        .order_by()
    )
    returns = (
        Transition.objects.filter(
            item__town=town, action="return", created_at__gte=start_at, created_at__lt=end_at
        )
        .values(f"item__{item_key}")
        .annotate(n=Count("id"))
        .order_by()
    )
    finding_key = "village_id" if subject == "village" else "owner_id"
    findings = (
        InspectionFinding.objects.filter(
            round__town=town, created_at__gte=start_at, created_at__lt=end_at
        )
        .values(finding_key)
        .annotate(
            inspected=Count("id", filter=Q(sample__isnull=False)),
            passed=Count("id", filter=Q(outcome=Outcome.PASS)),
            false_close=Count("id", filter=Q(outcome=Outcome.FALSE_CLOSE)),
        )
        .order_by()
    )
    relapses = (
        ReviewCheck.objects.filter(
            review__town=town,
            outcome=ReviewCheck.Outcome.RELAPSE,
            checked_at__gte=start_at,
            checked_at__lt=end_at,
        )
        .values(finding_key)
        .annotate(n=Count("id"))
        .order_by()
    )
    values: dict[int, dict[str, int]] = {}
    for row in items:
        values.setdefault(row[item_key], {}).update(
            registered=row["registered"], closed=row["closed"], overdue=row["overdue"]
        )
    for row in returns:
        values.setdefault(row[f"item__{item_key}"], {})["inadequate"] = row["n"]
    for row in findings:
        values.setdefault(row[finding_key], {}).update(
            inspected=row["inspected"], passed=row["passed"], false_close=row["false_close"]
        )
    for row in relapses:
        values.setdefault(row[finding_key], {})["relapse"] = row["n"]
    return {key: Counts(**counts) for key, counts in values.items()}  # type: ignore[arg-type]  # item counts only, topics are added by scores_compute


def scores_compute(
    *, town: Town, period: str, subject: str = "village", today: date | None = None
) -> list[dict[str, Any]]:
    """Score, rank and breakdown of every village (every active village, even without items) or
    every owner with items in the period."""
    counts = score_counts(town=town, period=period, subject=subject, today=today)
    weights = scheme_weights(town)
    if subject == "village":
        names = dict(Village.objects.filter(town=town, active=True).values_list("pk", "name"))
        if weights.topic_rules:  # every village gets the lines of the rules switched on
            start, end = period_bounds(period)
            found = topic_counts(town_id=town.pk, start=start, end=end - timedelta(days=1))
            for key in names:
                counts[key] = replace(
                    counts.get(key, Counts()), topics=found.get(key, TopicCounts())
                )
    else:
        names = dict(Person.objects.filter(pk__in=list(counts)).values_list("pk", "name"))
    rows = []
    for key, name in names.items():
        value, lines = score(counts.get(key, Counts()), weights)
        rows.append({"id": key, "name": name, "score": value, "breakdown": lines})
    return rank(rows)


def scores_visible(
    *, user, town: Town, period: str, subject: str = "village"
) -> list[dict[str, Any]]:  # noqa: ANN001
    """`scores_compute` narrowed to what the user may see: town-wide roles every row; village
    roles their villages' rows, and as an owner only their own."""

    rows = scores_compute(town=town, period=period, subject=subject)
    actor = actor_for(user)
    if reads_whole_town(actor, town_id=town.pk):
        return rows
    if subject == "village":
        visible = set(
            Village.objects.visible_to(user).filter(town=town).values_list("pk", flat=True)
        )
        return [row for row in rows if row["id"] in visible]
    return [row for row in rows if actor.person is not None and row["id"] == actor.person.pk]
