"""Writes of accountability cases: rules suggest, the discipline commission opens and decides.

Every status change runs on the shared state machine (`maque.accountability.lifecycle.CASES`):
checked against its table, in a transaction on a locked row with a version, writing a `CaseEvent`. Only the town's discipline commission and principal leaders may act;
to anyone else a case does not exist (the same `DoesNotExist` as a wrong id).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history

from maque.accountability.lifecycle import ACTION_TO, CASES, status_refused
from maque.accountability.models import (
    AccountabilityCase,
    CaseEvent,
    Evidence,
    Measure,
    Rule,
    Status,
)
from maque.accountability.policies import case_viewers, check_handle_cases
from maque.accountability.queries import may_see_cases
from maque.core.statemachine import Context
from maque.notifications.services import Message, notify_many
from maque.organisation.access import actor_for
from maque.organisation.models import Person, Town, Village

RULE_TITLES = {
    Rule.OVERDUE: gettext_lazy("Untimely rectification: overdue beyond the limit"),
    Rule.RETURNS: gettext_lazy("Inadequate rectification: returned repeatedly"),
    Rule.FALSE_CLOSE_OUT: gettext_lazy("False close-out"),
    Rule.LAST_PLACE: gettext_lazy("Last place several periods running"),
    Rule.WEAK_VILLAGE: gettext_lazy("Slow progress and poor rectification in the village"),
    Rule.MANUAL: gettext_lazy("Accountability lead"),
}


def _evidence_rows(case: AccountabilityCase, records: Iterable[Any]) -> list[Evidence]:
    rows = []
    for record in records:
        if record is None or record.pk is None:
            continue
        rows.append(
            Evidence(
                case=case,
                content_type=ContentType.objects.get_for_model(record, for_concrete_model=True),
                object_id=record.pk,
                label=str(record)[:200],
            )
        )
    return rows


def _add_evidence(case: AccountabilityCase, records: Iterable[Any]) -> None:
    Evidence.objects.bulk_create(_evidence_rows(case, records), ignore_conflicts=True)


def _next_number(town_id: int) -> int:
    return (
        AccountabilityCase.objects.filter(town_id=town_id).aggregate(last=Max("number"))["last"]
        or 0
    ) + 1


def _lock_numbering(town_id: int) -> None:
    """Serialise the numbering of the town's cases: the town row is the lock (inside a transaction)."""
    list(Town.objects.select_for_update().filter(pk=town_id).values_list("pk", flat=True))


def _create(**values: Any) -> AccountabilityCase:
    """Insert a case with the next number of its town (numbering under the town's lock)."""
    with transaction.atomic():
        _lock_numbering(values["town"].pk)
        case = AccountabilityCase(number=_next_number(values["town"].pk), **values)
        case._history_user = values.get("opened_by")  # type: ignore[attr-defined]
        case.save()
        return case


@dataclass(frozen=True)
class Suggestion:
    """What a rule suggests: the arguments of `accountability_suggest`, for `accountability_suggest_many`."""

    rule: str
    key: str
    summary: str = ""
    title: str = ""
    subject_person: Person | None = None
    village: Village | None = None
    evidence: tuple[Any, ...] = ()


def accountability_suggest(
    *,
    town: Town,
    rule: str,
    subject_person: Person | None = None,
    village: Village | None = None,
    items: Iterable[Any] = (),
    evidence: Iterable[Any] = (),
    key: str,
    title: str = "",
    summary: str = "",
) -> AccountabilityCase:
    """A rule suggests a case for the discipline commission; once per (town, key).

    Calling again with the same key returns the existing case unchanged (any new evidence is
    added to it). The town's discipline commission and principal leaders are notified, nobody else.
    """
    suggestion = Suggestion(
        rule=rule,
        key=key,
        summary=summary,
        title=title,
        subject_person=subject_person,
        village=village,
        evidence=(*items, *evidence),
    )
    return accountability_suggest_many(town=town, suggestions=[suggestion])[0]


def accountability_suggest_many(
    *, town: Town, suggestions: Sequence[Suggestion], day: date | None = None
) -> list[AccountabilityCase]:
    """`accountability_suggest` for many suggestions of one town at once, in a handful of queries
    (the escalation ladder's first run over a large backlog suggests thousands).

    Returns the case of each suggestion, in order: new ones numbered in order under the town's
    lock, existing ones (same key) unchanged but for any new evidence. Every new case gets its
    history row, its `suggested` event and its evidence, and the town's case handlers of `day`
    (default today) are notified of it, nobody else.
    """
    cleaned: dict[str, Suggestion] = {}
    for suggestion in suggestions:
        if suggestion.rule not in Rule.values:
            raise ValidationError({"rule": [_("Unknown rule.")]})
        key = (suggestion.key or "").strip()[:150]
        if not key:
            raise ValidationError({"key": [_("A suggestion needs a key.")]})
        if key in cleaned:
            # The same key twice in one call: one case, with the evidence of both.
            first = cleaned[key]
            suggestion = replace(first, evidence=(*first.evidence, *suggestion.evidence))
        cleaned[key] = replace(suggestion, key=key)
    if not cleaned:
        return []
    with translation.override(settings.LANGUAGE_CODE):
        # Stored text: in the deployment's language, whoever triggers the rule.
        titles = {rule: str(RULE_TITLES[Rule(rule)]) for rule in Rule.values}
    with transaction.atomic():
        _lock_numbering(town.pk)
        existing = {
            case.key: case
            for case in AccountabilityCase.objects.filter(town=town, key__in=list(cleaned))
        }
        number = _next_number(town.pk)
        fresh = [
            AccountabilityCase(
                town=town,
                number=number + index,
                rule=suggestion.rule,
                key=key,
                title=(suggestion.title or titles[suggestion.rule])[:200],
                summary=suggestion.summary,
                subject_person=suggestion.subject_person,
                village=suggestion.village,
                status=Status.SUGGESTED,
            )
            for index, (key, suggestion) in enumerate(
                (k, s) for k, s in cleaned.items() if k not in existing
            )
        ]
        created = (
            bulk_create_with_history(fresh, AccountabilityCase, batch_size=500) if fresh else []
        )
        cases = {**existing, **{case.key: case for case in created}}
        CaseEvent.objects.bulk_create(
            [
                CaseEvent(case=case, from_status="", to_status=Status.SUGGESTED, note=case.rule)
                for case in created
            ],
            batch_size=500,
        )
        Evidence.objects.bulk_create(
            [
                row
                for key, suggestion in cleaned.items()
                for row in _evidence_rows(cases[key], suggestion.evidence)
            ],
            ignore_conflicts=True,
            batch_size=500,
        )
        if created:
            viewers = tuple(case_viewers(town_id=town.pk, day=day or timezone.localdate()))
            with translation.override(settings.LANGUAGE_CODE):
                messages = [
                    Message(
                        recipients=viewers,
                        kind="accountability.suggested",
                        title=_("Accountability suggested: %(title)s") % {"title": case.title},
                        body=case.summary,
                        link=f"/accountability/{case.pk}",
                        key=f"accountability.suggested:{case.pk}",
                        town=town,
                    )
                    for case in created
                ]
            notify_many(
                messages,
                may_read_confidential=lambda user, town_id: may_see_cases(user, town_id=town_id),
            )
    return [cases[(suggestion.key or "").strip()[:150]] for suggestion in suggestions]


def _require_case_role(by: User, town_id: int) -> None:
    check_handle_cases(actor_for(by), town_id=town_id)


def case_open(
    *,
    town: Town,
    by: User,
    title: str,
    summary: str = "",
    subject_person: Person | None = None,
    village: Village | None = None,
    evidence: Iterable[Any] = (),
) -> AccountabilityCase:
    """Open a case by hand (status `opened`)."""
    _require_case_role(by, town.pk)
    errors: dict[str, list[str]] = {}
    if not (title or "").strip():
        errors["title"] = [_("A case needs a title.")]
    if subject_person is not None and subject_person.town_id != town.pk:
        errors["subject_person"] = [_("The person belongs to another town.")]
    if village is not None and village.town_id != town.pk:
        errors["village"] = [_("The village belongs to another town.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        case = _create(
            town=town,
            rule=Rule.MANUAL,
            key=None,
            title=title.strip()[:200],
            summary=summary,
            subject_person=subject_person,
            village=village,
            status=Status.OPENED,
            opened_by=by,
        )
        CaseEvent.objects.create(case=case, from_status="", to_status=Status.OPENED, by=by)
        _add_evidence(case, evidence)
    return case


def case_change_status(
    *,
    case: AccountabilityCase,
    by: User,
    to: str,
    note: str = "",
    measure: str = "",
    decision: str = "",
    version: int | None = None,
    via: str = "api",
) -> AccountabilityCase:
    """Move a case along suggested → opened → decided → closed, or dismiss it (with a reason).

    Deciding needs a measure (提醒谈话 … 纪律处分) and the decision text. With `version`, a case
    changed meanwhile by someone else is refused (409 with its current version).
    """
    note = (note or "").strip()

    def apply(current: AccountabilityCase, ctx: Context) -> list[str]:
        fields = []
        if to == Status.DECIDED:
            errors = {}
            if measure not in Measure.values:
                errors["measure"] = [_("Choose a measure.")]
            if not (decision or "").strip():
                errors["decision"] = [_("Record the decision.")]
            if errors:
                raise ValidationError(errors)
            current.measure = measure
            current.decision = decision.strip()
            fields += ["measure", "decision"]
        if to == Status.DISMISSED and not note:
            raise ValidationError({"note": [_("Give the reason for dismissing the case.")]})
        if to == Status.OPENED and current.opened_by_id is None:
            current.opened_by = by
            fields.append("opened_by")
        return fields

    ctx = Context(user=by, actor=actor_for(by), via=via)
    with transaction.atomic():
        current = CASES.lock(case, version, queryset=AccountabilityCase.objects.visible_to(by))
        _require_case_role(by, current.town_id)
        if to not in Status.values:
            raise ValidationError({"to": [_("Unknown status.")]})
        action = ACTION_TO.get(to)
        if action is None:
            raise status_refused(current, to)
        return CASES.take(action, current, ctx=ctx, reason=note, apply=apply)


def case_add_evidence(
    *, case: AccountabilityCase, by: User, records: Iterable[Any]
) -> AccountabilityCase:
    current = AccountabilityCase.objects.visible_to(by).get(pk=case.pk)
    _require_case_role(by, current.town_id)
    _add_evidence(current, records)
    return current
