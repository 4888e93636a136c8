"""The watch list's rules (design §5, 找麻雀): which subjects to propose, and why.

Each village is compared with its town on one day's snapshots, so that the rules single out the
typical few, not the many:

- `closure_rate`: the closure rate this many points (`watch_rate_gap`) under the town's median;
- `overdue_rate`: overdue items per 100 open ones in the town's worst quartile — at or above the
  third quartile and above the median (a town where every village is alike has no worst quartile);
- `long_overdue`: any item 15 or more days overdue;
- `stale`: this share (`watch_stale_share`) of open items without progress for `stale_days`;
- `returns`: this many returns (`watch_returns`) over the last two weeks;
  (these three also only in the town's worst quartile on that figure: see `ABSOLUTE`);
- `project_behind` / `milestone_late`: a project this many points behind plan, or a milestone
  this many days late (`watch_project_gap`, `watch_milestone_late_days`);
- `category_overdue` (a category within a village): one category carrying this share of the
  village's overdue items (`watch_category_share`, "most" by default: half), with at least this
  many of them (`watch_category_overdue`), and in the town's worst quartile of that category's
  overdue items per village (a category late everywhere is the town's, not one village's).

A subject's severity adds up how far past each threshold it is (1 at a threshold); proposals go
most severe first, at most `watch_weekly_cap` a week. Pure functions over plain rows, so that the
rules can be read, and tested, apart from the database.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

# How many days back the `returns` rule counts (two weeks, including the day itself).
RETURN_WINDOW_DAYS = 14


@dataclass(frozen=True)
class Thresholds:
    """The town's thresholds (`RhythmSettings.watch_*`); the defaults are design §5's."""

    rate_gap: float = 15
    stale_share: float = 30
    returns: int = 3
    project_gap: float = 20
    milestone_late_days: int = 14
    stale_days: int = 14
    category_share: float = 50
    category_overdue: int = 3

    @classmethod
    def of(cls, settings: Any) -> Thresholds:
        return cls(
            rate_gap=settings.watch_rate_gap,
            stale_share=settings.watch_stale_share,
            returns=settings.watch_returns,
            project_gap=settings.watch_project_gap,
            milestone_late_days=settings.watch_milestone_late_days,
            stale_days=settings.stale_days,
            category_share=settings.watch_category_share,
            category_overdue=settings.watch_category_overdue,
        )


@dataclass(frozen=True)
class Reason:
    rule: str
    value: float
    threshold: float
    severity: float
    days: int = 14

    def text(self) -> str:
        """The reason as people read it, in the active language."""
        texts = {
            "closure_rate": _(
                "closure rate %(value)s%%, %(threshold)s points or more under the town's median"
            ),
            "overdue_rate": _(
                "%(value)s overdue per 100 open items, in the town's worst quartile (from %(threshold)s)"
            ),
            "long_overdue": _("%(value)s items overdue 15 days or more"),
            "stale": _(
                "%(value)s%% of open items without progress for %(days)s days (threshold %(threshold)s%%)"
            ),
            "returns": _("returned %(value)s times in two weeks (threshold %(threshold)s)"),
            "project_behind": _("%(value)s points behind plan (threshold %(threshold)s)"),
            "milestone_late": _("a milestone %(value)s days late (threshold %(threshold)s)"),
            "category_overdue": _(
                "%(value)s%% of the village's overdue items in this one category "
                "(threshold %(threshold)s%%), more than in most villages of the town"
            ),
        }
        return texts[self.rule] % {
            "value": _number(self.value),
            "threshold": _number(self.threshold),
            "days": self.days,
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "value": self.value,
            "threshold": self.threshold,
            "severity": round(self.severity, 3),
            "days": self.days,
            "text": self.text(),
        }


def reason_text(stored: Mapping[str, Any]) -> str:
    """A stored reason (`Reason.as_dict`) as people read it in the active language; a reason
    given by hand is its own text."""
    if stored.get("rule") == "by_hand":
        return str(stored.get("text", ""))
    return Reason(
        rule=stored["rule"],
        value=stored["value"],
        threshold=stored["threshold"],
        severity=stored.get("severity", 0),
        days=stored.get("days", 14),
    ).text()


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


@dataclass
class Finding:
    """A subject the rules flag on a day, with its reasons and its figures."""

    subject: str  # "village", "category" or "project"
    key: str
    village_id: int | None
    project_id: int | None = None
    category_id: int | None = None
    reasons: list[Reason] = field(default_factory=list)
    numbers: dict[str, Any] = field(default_factory=dict)

    @property
    def severity(self) -> float:
        return round(sum(reason.severity for reason in self.reasons), 3)

    @property
    def rules(self) -> set[str]:
        return {reason.rule for reason in self.reasons}


@dataclass(frozen=True)
class TownFigures:
    """The town's medians (and the overdue rate's third quartile) that villages are held to."""

    closure_rate: float | None
    overdue_rate: float | None
    overdue_rate_q3: float | None

    def as_dict(self) -> dict[str, float | None]:
        return {
            "closure_rate": self.closure_rate,
            "overdue_rate": self.overdue_rate,
            "overdue_rate_q3": self.overdue_rate_q3,
        }


def median(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return round(statistics.median(present), 1) if present else None


def third_quartile(values: Iterable[float | None]) -> float | None:
    present = sorted(v for v in values if v is not None)
    if len(present) < 2:
        return None
    return round(statistics.quantiles(present, n=4, method="inclusive")[2], 1)


def town_figures(villages: Sequence[Mapping[str, Any]]) -> TownFigures:
    rates = [v["overdue_rate"] for v in villages]
    return TownFigures(
        closure_rate=median(v["closure_rate"] for v in villages),
        overdue_rate=median(rates),
        overdue_rate_q3=third_quartile(rates),
    )


# Rules with a threshold of their own (any item 15+ days overdue, 30% stale, 3 returns) also
# hold a village to its town: it must be in the town's worst quartile on that figure. A problem
# every village shares is the town's, not a sparrow to dissect.
ABSOLUTE = ("overdue_15", "stale_share", "returns")


def _worst_quartile(values: Sequence[float | None]) -> Callable[[float], bool]:
    """Whether a value is in the worst quartile of `values`: at or above the third quartile and
    above the median (where every village is alike, none is)."""
    q3, middle = third_quartile(values), median(values)
    return lambda value: q3 is not None and middle is not None and value >= q3 and value > middle


def village_findings(
    villages: Sequence[Mapping[str, Any]], thresholds: Thresholds
) -> tuple[list[Finding], TownFigures]:
    """The villages the rules flag, from one day's figures per village: `village_id`,
    `closure_rate`, `overdue_rate` (per 100 open), `overdue_15`, `stale_share`, `returns` (over
    the last two weeks); with the town's medians."""
    town = town_figures(villages)
    worst = {key: _worst_quartile([v[key] for v in villages]) for key in ABSOLUTE}
    findings = []
    for row in villages:
        reasons: list[Reason] = []
        rate = row["closure_rate"]
        if rate is not None and town.closure_rate is not None:
            gap = town.closure_rate - rate
            if gap >= thresholds.rate_gap:
                reasons.append(
                    Reason("closure_rate", rate, thresholds.rate_gap, gap / thresholds.rate_gap)
                )
        overdue = row["overdue_rate"]
        if (
            overdue
            and town.overdue_rate_q3 is not None
            and town.overdue_rate is not None
            and overdue >= town.overdue_rate_q3
            and overdue > town.overdue_rate
        ):
            reasons.append(
                Reason(
                    "overdue_rate",
                    overdue,
                    town.overdue_rate_q3,
                    overdue / max(town.overdue_rate_q3, 1.0),
                )
            )
        if row["overdue_15"] and worst["overdue_15"](row["overdue_15"]):
            reasons.append(
                Reason(
                    "long_overdue", row["overdue_15"], 1, min(1 + 0.1 * (row["overdue_15"] - 1), 3)
                )
            )
        share = row["stale_share"]
        if share is not None and share >= thresholds.stale_share and worst["stale_share"](share):
            reasons.append(
                Reason(
                    "stale",
                    share,
                    thresholds.stale_share,
                    share / thresholds.stale_share,
                    days=thresholds.stale_days,
                )
            )
        if row["returns"] >= thresholds.returns and worst["returns"](row["returns"]):
            reasons.append(
                Reason(
                    "returns",
                    row["returns"],
                    thresholds.returns,
                    row["returns"] / thresholds.returns,
                )
            )
        if reasons:
            findings.append(
                Finding(
                    subject="village",
                    key=f"village:{row['village_id']}",
                    village_id=row["village_id"],
                    reasons=reasons,
                    numbers=dict(row),
                )
            )
    return findings, town


def project_findings(
    projects: Sequence[Mapping[str, Any]], thresholds: Thresholds
) -> list[Finding]:
    """The projects the rules flag, from rows of `project_id`, `village_id` (its first village,
    or None), `deviation` (planned − actual, points) and `late_days` (the worst milestone's)."""
    findings = []
    for row in projects:
        reasons = []
        deviation = row.get("deviation")
        if deviation is not None and deviation >= thresholds.project_gap:
            reasons.append(
                Reason(
                    "project_behind",
                    deviation,
                    thresholds.project_gap,
                    deviation / thresholds.project_gap,
                )
            )
        late = row.get("late_days") or 0
        if late >= thresholds.milestone_late_days:
            reasons.append(
                Reason(
                    "milestone_late",
                    late,
                    thresholds.milestone_late_days,
                    late / thresholds.milestone_late_days,
                )
            )
        if reasons:
            findings.append(
                Finding(
                    subject="project",
                    key=f"project:{row['project_id']}",
                    village_id=row.get("village_id"),
                    project_id=row["project_id"],
                    reasons=reasons,
                    numbers=dict(row),
                )
            )
    return findings


def category_findings(
    rows: Sequence[Mapping[str, Any]], villages: Sequence[int], thresholds: Thresholds
) -> list[Finding]:
    """The categories within a village the rules flag, from one day's rows of `village_id`,
    `category_id`, `label` and `overdue` (that category's overdue items in that village; items of
    no category count in the village's total only, as `category_id` None), over the town's
    active `villages`."""
    totals: dict[int, int] = {}
    by_category: dict[int, dict[int, int]] = {}
    labels: dict[int, str] = {}
    for row in rows:
        totals[row["village_id"]] = totals.get(row["village_id"], 0) + row["overdue"]
        if row["category_id"] is not None:
            counts = by_category.setdefault(row["category_id"], {})
            counts[row["village_id"]] = counts.get(row["village_id"], 0) + row["overdue"]
            labels[row["category_id"]] = row.get("label", "")
    findings = []
    for category_id, counts in sorted(by_category.items()):
        # Every active village counts, those without an overdue item of the category as 0.
        worst = _worst_quartile([counts.get(village, 0) for village in villages])
        for village_id, overdue in sorted(counts.items()):
            if village_id not in villages or overdue < thresholds.category_overdue:
                continue
            share = round(100.0 * overdue / totals[village_id], 1)
            if share < thresholds.category_share or not worst(overdue):
                continue
            findings.append(
                Finding(
                    subject="category",
                    key=f"category:{village_id}:{category_id}",
                    village_id=village_id,
                    category_id=category_id,
                    reasons=[
                        Reason(
                            "category_overdue",
                            share,
                            thresholds.category_share,
                            share / thresholds.category_share,
                        )
                    ],
                    numbers={
                        "village_id": village_id,
                        "category_id": category_id,
                        "label": labels[category_id],
                        "category_overdue": overdue,
                        "village_overdue": totals[village_id],
                        "category_share": share,
                    },
                )
            )
    return findings


def ranked(findings: Iterable[Finding]) -> list[Finding]:
    """Most severe first (then the most reasons, then by key, so every run ranks alike)."""
    return sorted(findings, key=lambda f: (-f.severity, -len(f.reasons), f.key))
