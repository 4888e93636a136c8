"""`/api/v1/accountability`: cases for the discipline commission and the principal leaders.

Confidential (design §5): to anyone else every operation here answers 404, as if there were no
such thing, and lists are never merely empty for them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.apps import apps
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from maque.accountability.models import AccountabilityCase, Measure, Rule
from maque.accountability.models import Status as CaseStatus
from maque.accountability.policies import case_town_ids, may_handle_cases
from maque.accountability.queries import case_get, case_list
from maque.accountability.services import case_add_evidence, case_change_status, case_open
from maque.api.auth import request_user
from maque.api.paging import LegacyPageQuery, page_of, paginate
from maque.api.schemas import ERRORS, WRITE_ERRORS, Id, InputSchema, Ref
from maque.organisation.access import actor_for
from maque.organisation.models import Person, Town, Village

router = Router(tags=["accountability"])

# Records that may be cited as evidence, as "app_label.model".
EVIDENCE_MODELS = {
    "ledger.item",
    "bulletins.bulletin",
    "supervision.inspectionround",
    "supervision.finding",
    "supervision.inspectionfinding",
    "supervision.sample",
    "meetings.meeting",
}


class EvidenceOut(Schema):
    type: str
    id: int
    label: str


class EventOut(Schema):
    from_status: str
    to_status: str
    by: str | None
    note: str
    created_at: datetime


class CaseOut(Schema):
    id: int
    number: int
    town: Ref
    rule: str
    rule_label: str
    title: str
    summary: str
    status: str
    status_label: str
    measure: str
    measure_label: str
    decision: str
    subject_person: Ref | None
    village: Ref | None
    created_at: datetime
    updated_at: datetime


class CaseDetailOut(CaseOut):
    evidence: list[EvidenceOut]
    events: list[EventOut]


CaseListOut = page_of(CaseOut, legacy="results", name="CaseListOut")


class CaseFilters(LegacyPageQuery):
    status: CaseStatus | None = None
    rule: Rule | None = None
    village: Id | None = None
    q: str | None = Field(None, max_length=100)


class EvidenceIn(InputSchema):
    type: str = Field(
        max_length=60, description="app_label.model, e.g. ledger.item or bulletins.bulletin"
    )
    id: Id


class CaseIn(InputSchema):
    town: Id | None = Field(
        None, description="Needed only when the caller handles cases in several towns"
    )
    title: str = Field(min_length=1, max_length=200)
    summary: str = Field("", max_length=10_000)
    subject_person: Id | None = None
    village: Id | None = None
    evidence: list[EvidenceIn] = Field(default_factory=list, max_length=100)


class StatusIn(InputSchema):
    to: CaseStatus
    note: str = Field("", max_length=5_000)
    measure: Measure | None = None
    decision: str = Field("", max_length=10_000)


class EvidenceAddIn(InputSchema):
    evidence: list[EvidenceIn] = Field(min_length=1, max_length=100)


def _case_user(request: HttpRequest) -> User:
    """The caller, if they handle cases anywhere; 404 for everyone else (the API does not exist for them)."""
    user = request_user(request)
    if not may_handle_cases(actor_for(user)):
        raise Http404
    return user


def _ref(obj: Any) -> dict[str, Any] | None:
    return {"id": obj.pk, "name": obj.name} if obj is not None else None


def _out(case: AccountabilityCase) -> dict[str, Any]:
    return {
        "id": case.pk,
        "number": case.number,
        "town": _ref(case.town),
        "rule": case.rule,
        "rule_label": case.get_rule_display(),
        "title": case.title,
        "summary": case.summary,
        "status": case.status,
        "status_label": case.get_status_display(),
        "measure": case.measure,
        "measure_label": case.get_measure_display() if case.measure else "",
        "decision": case.decision,
        "subject_person": _ref(case.subject_person),
        "village": _ref(case.village),
        "created_at": case.created_at,
        "updated_at": case.updated_at,
    }


def _detail(case: AccountabilityCase) -> dict[str, Any]:
    return {
        **_out(case),
        "evidence": [
            {
                "type": f"{e.content_type.app_label}.{e.content_type.model}",
                "id": e.object_id,
                "label": e.label,
            }
            for e in case.evidence.all()
        ],
        "events": [
            {
                "from_status": event.from_status,
                "to_status": event.to_status,
                "by": event.by.get_username() if event.by else None,
                "note": event.note,
                "created_at": event.created_at,
            }
            for event in case.events.all()
        ],
    }


def _records(town: Town, evidence: list[EvidenceIn]) -> list[Any]:
    """The cited records, each of the case's town; a bad reference is a 422 naming it."""
    records = []
    problems = []
    for ref in evidence:
        label = ref.type.lower()
        model = None
        if label in EVIDENCE_MODELS and "." in label:
            try:
                model = apps.get_model(label)
            except (LookupError, ValueError):
                model = None
        if model is None:
            problems.append(_("%(type)s cannot be cited as evidence.") % {"type": ref.type})
            continue
        record = model._default_manager.filter(pk=ref.id).first()
        if record is None or getattr(record, "town_id", town.pk) != town.pk:
            problems.append(
                _("%(type)s %(id)d does not exist in this town.") % {"type": ref.type, "id": ref.id}
            )
            continue
        records.append(record)
    if problems:
        raise ValidationError({"evidence": problems})
    return records


@router.get("/accountability", response={200: CaseListOut, **ERRORS})
def accountability_list(request: HttpRequest, filters: Query[CaseFilters]) -> dict[str, Any]:
    """Cases of the caller's towns, newest first."""
    cases = case_list(
        user=_case_user(request),
        status=filters.status,
        rule=filters.rule,
        village=filters.village,
        q=filters.q,
    )
    return paginate(cases, filters, out=_out, legacy="results")


@router.get("/accountability/{case_id}", response={200: CaseDetailOut, **ERRORS})
def accountability_detail(request: HttpRequest, case_id: Id) -> dict[str, Any]:
    """One case with its evidence and its history of status changes."""
    return _detail(case_get(user=_case_user(request), case_id=case_id))


@router.post("/accountability", response={201: CaseDetailOut, **WRITE_ERRORS})
def accountability_open(request: HttpRequest, payload: CaseIn) -> Status:
    """Open a case by hand."""
    user = _case_user(request)
    actor = actor_for(user)
    towns = (
        Town.objects.all()
        if actor.is_superuser
        else Town.objects.filter(pk__in=case_town_ids(actor))
    )
    if payload.town is not None:
        town = towns.filter(pk=payload.town).first()
        if town is None:
            raise ValidationError({"town": [_("Unknown town.")]})
    else:
        candidates = list(towns[:2])
        if len(candidates) != 1:
            raise ValidationError({"town": [_("Say which town the case belongs to.")]})
        town = candidates[0]
    errors: dict[str, list[str]] = {}
    person = village = None
    if payload.subject_person is not None:
        person = Person.objects.filter(pk=payload.subject_person, town=town).first()
        if person is None:
            errors["subject_person"] = [_("Unknown person in this town.")]
    if payload.village is not None:
        village = Village.objects.filter(pk=payload.village, town=town).first()
        if village is None:
            errors["village"] = [_("Unknown village in this town.")]
    if errors:
        raise ValidationError(errors)
    case = case_open(
        town=town,
        by=user,
        title=payload.title,
        summary=payload.summary,
        subject_person=person,
        village=village,
        evidence=_records(town, payload.evidence),
    )
    return Status(201, _detail(case_get(user=user, case_id=case.pk)))


@router.post("/accountability/{case_id}/status", response={200: CaseDetailOut, **WRITE_ERRORS})
def accountability_status(request: HttpRequest, case_id: Id, payload: StatusIn) -> dict[str, Any]:
    """Move a case on: open, decide (with a measure and the decision), close or dismiss (with a reason)."""
    user = _case_user(request)
    case = case_get(user=user, case_id=case_id)
    case_change_status(
        case=case,
        by=user,
        to=payload.to,
        note=payload.note,
        measure=payload.measure or "",
        decision=payload.decision,
    )
    return _detail(case_get(user=user, case_id=case_id))


@router.post("/accountability/{case_id}/evidence", response={200: CaseDetailOut, **WRITE_ERRORS})
def accountability_evidence(
    request: HttpRequest, case_id: Id, payload: EvidenceAddIn
) -> dict[str, Any]:
    """Cite more records as evidence of a case."""
    user = _case_user(request)
    case = case_get(user=user, case_id=case_id)
    case_add_evidence(case=case, by=user, records=_records(case.town, payload.evidence))
    return _detail(case_get(user=user, case_id=case_id))
