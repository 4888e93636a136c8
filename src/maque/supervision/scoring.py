"""The scoring arithmetic (考评), kept pure so every point can be explained and tested.

score = base − overdue × w − returns × w − false close-outs × w − relapses × w
        + closure rate × closure bonus + inspection pass rate × pass-rate bonus
        [+ the topic rules a town switched on (联村共议, villages only):
         + topics raised × w − median days to accept × w − median days to answer × w
         + share answered in time × bonus + satisfaction rate × bonus]

Each term is one line of the breakdown (rule, count, weight, points), each rounded to 0.01, and the
score is the sum of the lines, so the breakdown always adds up to the score exactly.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext_lazy

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Counts:
    overdue: int = 0
    inadequate: int = 0
    false_close: int = 0
    relapse: int = 0
    closed: int = 0
    registered: int = 0
    passed: int = 0
    inspected: int = 0
    topics: TopicCounts | None = None


@dataclass(frozen=True)
class TopicCounts:
    """A village's topic figures of the period (deliberation's `village_topic_figures`): the
    medians are None and the shares' wholes 0 when there was nothing to measure."""

    raised: int = 0
    median_days_to_accept: Decimal | None = None
    median_days_to_answer: Decimal | None = None
    answered: int = 0
    answered_in_time: int = 0
    rated: int = 0
    satisfied: int = 0


# The topic rules, in the order of the breakdown; each is off unless the town switches it on.
TOPIC_RULES = (
    "topics_raised",
    "topic_accept_days",
    "topic_answer_days",
    "topic_in_time_rate",
    "topic_satisfaction_rate",
)


@dataclass(frozen=True)
class Weights:
    base: Decimal = Decimal("100")
    overdue: Decimal = Decimal("2")
    inadequate: Decimal = Decimal("1")
    false_close: Decimal = Decimal("5")
    relapse: Decimal = Decimal("2")
    closure_bonus: Decimal = Decimal("10")
    pass_rate_bonus: Decimal = Decimal("5")
    # rule of TOPIC_RULES -> its weight, only for the rules switched on
    topic_rules: tuple[tuple[str, Decimal], ...] = ()


# rule -> label shown in the breakdown (stored with the score in the language active when scoring)
LABELS = {
    "base": gettext_lazy("base score"),
    "overdue": gettext_lazy("overdue, not rectified (items)"),
    "inadequate": gettext_lazy("returned as inadequate (times)"),
    "false_close": gettext_lazy("false close-outs (items)"),
    "relapse": gettext_lazy("relapses found by look-backs (items)"),
    "closure_rate": gettext_lazy("closure-rate bonus"),
    "pass_rate": gettext_lazy("inspection pass-rate bonus"),
    "topics_raised": gettext_lazy("topics raised (topics)"),
    "topic_accept_days": gettext_lazy("median days to accept a topic (days)"),
    "topic_answer_days": gettext_lazy("median days to answer a topic (days)"),
    "topic_in_time_rate": gettext_lazy("topics answered in time, bonus"),
    "topic_satisfaction_rate": gettext_lazy("proposers' satisfaction, bonus"),
}
DAYS_RULES = ("topic_accept_days", "topic_answer_days")


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _ratio(part: int, whole: int) -> Decimal:
    return (
        (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
        if whole
        else Decimal(0)
    )


def _count_text(rule: str, count: Decimal) -> str:
    if rule.endswith("rate"):
        return str(count.normalize())
    if rule in DAYS_RULES:  # 10 days reads 10, not 1E+1
        return format(count.normalize(), "f")
    return str(int(count))


def breakdown(counts: Counts, weights: Weights) -> list[dict[str, Any]]:
    """The lines of the score, each with rule, label, count, weight and points (as strings of cents)."""
    lines: list[tuple[str, Decimal, Decimal, Decimal]] = [
        ("base", Decimal(1), weights.base, weights.base)
    ]
    for rule, count, weight in (
        ("overdue", counts.overdue, weights.overdue),
        ("inadequate", counts.inadequate, weights.inadequate),
        ("false_close", counts.false_close, weights.false_close),
        ("relapse", counts.relapse, weights.relapse),
    ):
        lines.append((rule, Decimal(count), weight, -(Decimal(count) * weight)))
    closure = _ratio(counts.closed, counts.registered)
    lines.append(("closure_rate", closure, weights.closure_bonus, closure * weights.closure_bonus))
    passed = _ratio(counts.passed, counts.inspected)
    lines.append(("pass_rate", passed, weights.pass_rate_bonus, passed * weights.pass_rate_bonus))
    if counts.topics is not None:
        lines.extend(_topic_lines(counts.topics, weights))
    return [
        {
            "rule": rule,
            "label": str(LABELS[rule]),
            "count": _count_text(rule, count),
            "weight": str(_cents(weight)),
            "points": str(_cents(points)),
        }
        for rule, count, weight, points in lines
    ]


def _topic_lines(
    topics: TopicCounts, weights: Weights
) -> list[tuple[str, Decimal, Decimal, Decimal]]:
    """The lines of the topic rules switched on: topics raised earn, slow medians cost, the
    shares answered in time and satisfied earn their bonus at 100%."""
    measured = {
        "topics_raised": (Decimal(topics.raised), Decimal(1)),
        "topic_accept_days": (topics.median_days_to_accept or Decimal(0), Decimal(-1)),
        "topic_answer_days": (topics.median_days_to_answer or Decimal(0), Decimal(-1)),
        "topic_in_time_rate": (_ratio(topics.answered_in_time, topics.answered), Decimal(1)),
        "topic_satisfaction_rate": (_ratio(topics.satisfied, topics.rated), Decimal(1)),
    }
    switched_on = dict(weights.topic_rules)
    lines = []
    for rule in TOPIC_RULES:
        if rule in switched_on:
            count, sign = measured[rule]
            lines.append((rule, count, switched_on[rule], sign * count * switched_on[rule]))
    return lines


def total(lines: list[dict[str, Any]]) -> Decimal:
    return sum((Decimal(line["points"]) for line in lines), Decimal("0.00"))


def score(counts: Counts, weights: Weights) -> tuple[Decimal, list[dict[str, Any]]]:
    lines = breakdown(counts, weights)
    return total(lines), lines


def rank(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Order by score (higher first) then name; equal scores share a rank (1, 2, 2, 4)."""
    ordered = sorted(rows, key=lambda row: (-row["score"], row["name"]))
    previous: Decimal | None = None
    position = 0
    for index, row in enumerate(ordered, start=1):
        if row["score"] != previous:
            position = index
            previous = row["score"]
        row["rank"] = position
    return ordered


PERIOD_PATTERNS = {
    "month": re.compile(r"^(\d{4})-(\d{1,2})$"),
    "quarter": re.compile(r"^(\d{4})-Q([1-4])$"),
    "week": re.compile(r"^(\d{4})-W(\d{1,2})$"),
}


def period_bounds(period: str) -> tuple[date, date]:
    """`2026-11`, `2026-Q4` or `2026-W47` → [first day, first day of the next period)."""
    period = period.strip().upper()
    if match := PERIOD_PATTERNS["month"].match(period):
        year, month = int(match[1]), int(match[2])
        if not 1 <= month <= 12:
            raise ValueError(period)
        return date(year, month, 1), date(
            year, month, calendar.monthrange(year, month)[1]
        ) + timedelta(days=1)
    if match := PERIOD_PATTERNS["quarter"].match(period):
        year, quarter = int(match[1]), int(match[2])
        start = date(year, 3 * quarter - 2, 1)
        end = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
        return start, end
    if match := PERIOD_PATTERNS["week"].match(period):
        start = date.fromisocalendar(int(match[1]), int(match[2]), 1)
        return start, start + timedelta(days=7)
    raise ValueError(period)


# How people write periods: 2026年11月, 2026年第4季度, 2026年第47周, 2026/11, 2026.11, 202611.
_WRITTEN_PERIODS = (
    (re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月份?$"), "{0}-{1:02d}"),
    (re.compile(r"^(\d{4})\s*[/.]\s*(\d{1,2})$"), "{0}-{1:02d}"),
    (re.compile(r"^(\d{4})(\d{2})$"), "{0}-{1:02d}"),
    (re.compile(r"^(\d{4})\s*年\s*第?\s*([1-4一二三四])\s*季度?$"), "{0}-Q{1}"),
    (re.compile(r"^(\d{4})\s*年\s*第?\s*(\d{1,2})\s*周$"), "{0}-W{1:02d}"),
)
_CHINESE_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4}
EARLIEST_YEAR = 2000


def period_parse(text: str, *, today: date) -> str:
    """A period as a person may type it, in its canonical form (`2026-11`, `2026-Q4`, `2026-W47`).

    Raises ValueError for what is not a period, or one before 2000 or after next year."""
    value = (text or "").strip().upper().replace("－", "-").replace("—", "-")
    for pattern, form in _WRITTEN_PERIODS:
        if match := pattern.match(value):
            year, part = int(match[1]), match[2]
            value = form.format(year, _CHINESE_DIGITS.get(part) or int(part))
            break
    if match := re.match(r"^(\d{4})-(\d{1,2})$", value):
        value = f"{match[1]}-{int(match[2]):02d}"
    start, _end = period_bounds(value)
    if not EARLIEST_YEAR <= start.year <= today.year + 1:
        raise ValueError(value)
    return value


def period_of(day: date, kind: str = "month") -> str:
    if kind == "week":
        year, week, _weekday = day.isocalendar()
        return f"{year}-W{week:02d}"
    if kind == "quarter":
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    return f"{day.year}-{day.month:02d}"


def previous_period(period: str, kind: str = "month") -> str:
    start, _end = period_bounds(period)
    return period_of(start - timedelta(days=1), kind)
