"""Writes of the watch list: the rules' weekly proposals and exit proposals (run by `maque tick`),
a subject proposed by hand, and each step of an entry through the lifecycle's machine."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from maque.core.lengths import NOTE, too_long
from maque.core.statemachine import AUTOMATION, Context
from maque.diagnosis import lifecycle, rules
from maque.diagnosis.models import (
    ACTIVE_STATES,
    EntryState,
    Subject,
    VillageSnapshot,
    WatchEntry,
    WatchEvent,
)
from maque.diagnosis.queries import category_rows, day_rows, latest_day
from maque.ledger.errors import ConflictError, NotPermitted
from maque.ledger.models import Category
from maque.organisation.access import actor_for
from maque.organisation.models import Town, Village
from maque.rhythm.models import rhythm_settings

# The projects' rows of a day for the rules (`rules.project_findings`), when projects exist.
ProjectRows = Callable[[Town, date], Sequence[Mapping[str, Any]]]


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def findings_on(
    *,
    town: Town,
    day: date,
    thresholds: rules.Thresholds,
    projects: ProjectRows | None = None,
    categories: bool = True,
) -> dict[str, rules.Finding]:
    """What the rules flag on `day` (the villages from that day's snapshots, the categories
    within them from the ledger's overdue items of that day), by subject key."""
    villages = day_rows(town=town, day=day)
    findings, _town = rules.village_findings(villages, thresholds)
    if categories:
        findings += rules.category_findings(
            category_rows(town=town, day=day), [row["village_id"] for row in villages], thresholds
        )
    if projects is not None:
        findings += rules.project_findings(projects(town, day), thresholds)
    return {finding.key: finding for finding in findings}


def _new_entry(
    *,
    town: Town,
    subject: str,
    key: str,
    village_id: int | None,
    category_id: int | None,
    reasons: list[dict[str, Any]],
    project_id: int | None = None,
    numbers: dict[str, Any],
    severity: float,
    on: date,
    by: User | None,
    via: str,
    note: str = "",
) -> WatchEntry:
    entry = WatchEntry(
        town=town,
        subject=subject,
        subject_key=key,
        village_id=village_id,
        category_id=category_id,
        project_id=project_id,
        reasons=reasons,
        numbers=numbers,
        severity=severity,
        proposed_on=on,
        proposed_week=week_start(on),
        proposed_by=by,
    )
    entry._history_user = by  # type: ignore[attr-defined]
    entry.save()
    WatchEvent.objects.create(
        entry=entry,
        action="propose",
        from_state=EntryState.PROPOSED,
        to_state=EntryState.PROPOSED,
        by=by,
        reason=note,
        numbers=numbers,
        via=via,
    )
    return entry


def entries_propose(*, town: Town, now: datetime, projects: ProjectRows | None = None) -> int:
    """Propose this week's watch-list entries of the town from the last snapshots: the subjects
    the rules flag, most severe first, at most the town's weekly cap (entries proposed by hand
    count too). Not again a subject already on the list, nor one dismissed within the town's
    dismissal weeks unless its numbers got worse (a greater severity than when dismissed).

    Idempotent: the cap and one active entry per subject (a unique constraint) hold however many
    ticks run, at once or one after another."""
    settings = rhythm_settings(town)
    today = timezone.localdate(now)
    day = latest_day(town, on=today)
    if day is None:
        return 0
    thresholds = rules.Thresholds.of(settings)
    findings = rules.ranked(
        findings_on(town=town, day=day, thresholds=thresholds, projects=projects).values()
    )
    if not findings:
        return 0
    week = week_start(today)
    entries = WatchEntry.objects.filter(town=town)
    active = set(entries.filter(state__in=ACTIVE_STATES).values_list("subject_key", flat=True))
    dismissed: dict[str, float] = {}
    for key, severity in entries.filter(
        state=EntryState.DISMISSED,
        closed_on__gt=today - timedelta(weeks=settings.watch_dismissal_weeks),
    ).values_list("subject_key", "severity"):
        dismissed[key] = max(severity, dismissed.get(key, 0))
    taken = entries.filter(proposed_week=week).count()
    proposed = 0
    for finding in findings:
        if taken >= settings.watch_weekly_cap:
            break
        if finding.key in active:
            continue
        if finding.key in dismissed and finding.severity <= dismissed[finding.key]:
            continue
        try:
            with transaction.atomic():
                _new_entry(
                    town=town,
                    subject=finding.subject,
                    key=finding.key,
                    village_id=finding.village_id,
                    category_id=finding.category_id,
                    project_id=finding.project_id,
                    reasons=[reason.as_dict() for reason in finding.reasons],
                    numbers=finding.numbers,
                    severity=finding.severity,
                    on=today,
                    by=None,
                    via="tick",
                )
        except IntegrityError:
            # Another run proposed it at the same moment: it takes a place of this week's cap.
            taken += 1
            continue
        proposed += 1
        taken = max(taken + 1, entries.filter(proposed_week=week).count())
    return proposed


def exits_propose(*, town: Town, now: datetime, projects: ProjectRows | None = None) -> int:
    """Propose delisting the entries whose triggering numbers have been normal at each of the last
    `watch_exit_weeks` weekly checks (the last snapshot day, and a week before it, …) since they
    were listed: none of the rules that put them there flags them on any of those days. One
    normal week is not enough when the town asks for two."""
    settings = rhythm_settings(town)
    day = latest_day(town, on=timezone.localdate(now))
    if day is None:
        return 0
    thresholds = rules.Thresholds.of(settings)
    checks = [day - timedelta(weeks=back) for back in range(settings.watch_exit_weeks)]
    listed = list(
        WatchEntry.objects.filter(
            town=town,
            state__in=(EntryState.LISTED, EntryState.DISSECTED),
            listed_on__lte=checks[-1],
        ).exclude(subject=Subject.CATEGORY)
    )
    if not listed:
        return 0
    with_snapshots = set(
        VillageSnapshot.objects.filter(town=town, day__in=checks)
        .values_list("day", flat=True)
        .distinct()
    )
    if len(with_snapshots) < len(checks):
        return 0
    flagged = {
        check: findings_on(
            town=town, day=check, thresholds=thresholds, projects=projects, categories=False
        )
        for check in checks
    }
    proposed = 0
    for entry in listed:
        triggers = {reason["rule"] for reason in entry.reasons} - {"by_hand"}
        if any(
            triggers & flagged[check][entry.subject_key].rules
            if entry.subject_key in flagged[check]
            else False
            for check in checks
        ):
            continue
        if not triggers and any(entry.subject_key in flagged[check] for check in checks):
            continue  # proposed by hand: normal means the rules flag nothing of it
        current = flagged[checks[0]].get(entry.subject_key)
        numbers = current.numbers if current else _figures_of(entry, checks[0])
        if _automatic_exit_proposal(entry, numbers):
            proposed += 1
    return proposed


def _figures_of(entry: WatchEntry, day: date) -> dict[str, Any]:
    if entry.village_id is None:
        return {}
    rows = [
        row
        for row in day_rows(town=entry.town_id, day=day)
        if row["village_id"] == entry.village_id
    ]
    return rows[0] if rows else {}


def _automatic_exit_proposal(entry: WatchEntry, numbers: dict[str, Any]) -> bool:
    ctx: Context[Any] = Context(user=None, actor=AUTOMATION, via="tick")

    def note_numbers(current: WatchEntry, ctx: Context[Any]) -> list[str]:
        current._event_numbers = numbers  # type: ignore[attr-defined]
        return []

    try:
        lifecycle.ENTRIES.run(
            "propose_exit",
            entry,
            ctx=ctx,
            version=entry.version,
            reason=_("The numbers that put it on the list have been normal for two weeks running."),
            apply=note_numbers,
        )
    except ConflictError:  # another run took the step first (the state or the version moved)
        return False
    return True


def entry_propose(
    *,
    by: User,
    town: Town,
    village: Village,
    reason: str,
    category: Category | None = None,
) -> WatchEntry:
    """Put a village (or a category within it) on the watch list by hand, with a reason; its
    figures are its last snapshot's."""
    actor = actor_for(by)
    if not lifecycle.may_propose(actor, town_id=town.pk):
        raise NotPermitted(_("Only the principal and the leaders in charge decide the watch list."))
    errors: dict[str, list[str]] = {}
    if village.town_id != town.pk:
        errors["village"] = [_("Every village must belong to the town.")]
    if category is not None and category.town_id != town.pk:
        errors["category"] = [_("The category must be one of the town's.")]
    if not reason.strip():
        errors["reason"] = [_("Say why the subject goes on the watch list.")]
    elif (problem := too_long(reason, NOTE)) is not None:
        errors["reason"] = [problem]
    if errors:
        raise ValidationError(errors)
    today = timezone.localdate()
    day = latest_day(town, on=today)
    numbers = _figures_of_village(town, village, day)
    if category is not None:
        subject, key = Subject.CATEGORY, f"category:{village.pk}:{category.pk}"
    else:
        subject, key = Subject.VILLAGE, f"village:{village.pk}"
    try:
        with transaction.atomic():
            return _new_entry(
                town=town,
                subject=subject,
                key=key,
                village_id=village.pk,
                category_id=category.pk if category is not None else None,
                reasons=[{"rule": "by_hand", "text": reason.strip()}],
                numbers=numbers,
                severity=0,
                on=today,
                by=by,
                via="api",
                note=reason.strip(),
            )
    except IntegrityError:
        raise ValidationError(
            {"village": [_("This subject is already on the watch list or proposed.")]}
        ) from None


def _figures_of_village(town: Town, village: Village, day: date | None) -> dict[str, Any]:
    if day is None:
        return {}
    rows = [row for row in day_rows(town=town, day=day) if row["village_id"] == village.pk]
    return rows[0] if rows else {}


def entry_act(
    *,
    entry: WatchEntry,
    by: User,
    action: str,
    reason: str = "",
    version: int | None = None,
    via: str = "api",
    apply: Callable[[WatchEntry, Context[Any]], list[str]] | None = None,
) -> WatchEntry:
    """Take `action` on the entry (accept, dismiss, propose_exit, exit, keep) as `by`, with a
    reason where the step needs one; `dissect` goes through `maque.diagnosis.dissection`."""
    if action not in lifecycle.TRANSITIONS:
        raise ValidationError({"action": [_("Unknown action.")]})
    actor = actor_for(by)
    lifecycle.ENTRIES.check(actor, entry, action)
    reason = reason.strip()
    if (problem := too_long(reason, NOTE)) is not None:
        raise ValidationError({"reason": [problem]})
    needs_reason = action in lifecycle.NEEDS_REASON or (
        action == "exit" and entry.state != EntryState.EXIT_PROPOSED
    )
    if needs_reason and not reason:
        raise ValidationError({"reason": [_("Give the reason for this decision.")]})
    if action == "dissect" and apply is None:
        raise ValidationError({"meeting": [_("Record the solving meeting that dissects it.")]})
    today = timezone.localdate()

    def change(current: WatchEntry, ctx: Context[Any]) -> list[str]:
        changed = apply(current, ctx) if apply else []
        if action == "accept":
            current.listed_on = today
            changed.append("listed_on")
        if action in ("dismiss", "exit"):
            current.closed_on = today
            changed.append("closed_on")
        if action == "keep":
            dissected = current.events.filter(action="dissect").exists()
            current.state = EntryState.DISSECTED if dissected else EntryState.LISTED
            changed.append("state")
        figures = _figures_of(current, latest_day(current.town_id, on=today) or today)
        current._event_numbers = figures  # type: ignore[attr-defined]
        return changed

    return lifecycle.ENTRIES.run(
        action,
        entry,
        ctx=Context(user=by, actor=actor, via=via),
        version=version,
        reason=reason,
        apply=change,
    )
