"""Writes of projects: register a project with its sources of funds and weighted milestones; each
milestone is an item of kind milestone registered through the ledger's service (owner, deadline
= planned finish, evidence and verification as any item)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from maque.core.dates import DayKind, day_problem
from maque.core.lengths import TEXT, too_long
from maque.ledger import lifecycle
from maque.ledger.errors import NotPermitted
from maque.ledger.models import Campaign, Category, Kind, Source
from maque.organisation.access import actor_for
from maque.organisation.models import Department, Person, Town, Village
from maque.projects.models import Funding, Milestone, Project
from maque.projects.policies import check_manage

# The ledger's category of project milestones (`ledger/fixtures/catalogue.json`), used when the
# project's campaign holds it.
MILESTONE_CATEGORY = "project-milestone"


@dataclass(frozen=True)
class FundingIn:
    source: str
    amount_yuan: Decimal


@dataclass(frozen=True)
class MilestoneIn:
    title: str
    weight: int
    planned_start: date
    planned_on: date
    owner: Person
    village: Village | None = None
    measures: str = ""


def _errors(
    *,
    town: Town,
    code: str,
    name: str,
    villages: list[Village],
    owner: Person,
    lead_department: Department | None,
    budget_yuan: Decimal,
    funding: list[FundingIn],
    starts_on: date,
    ends_on: date,
    description: str,
    milestones: list[MilestoneIn],
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not code.strip():
        errors["code"] = [_("The code is required.")]
    elif Project.objects.filter(town=town, code=code.strip()).exists():
        errors["code"] = [_("A project with this code exists already.")]
    if not name.strip():
        errors["name"] = [_("The name is required.")]
    if not villages:
        errors["villages"] = [_("Name the villages of the project.")]
    elif any(v.town_id != town.pk for v in villages):
        errors["villages"] = [_("Every village must belong to the town.")]
    if owner.town_id != town.pk:
        errors["owner"] = [_("The owner must be a person of the town.")]
    if lead_department is not None and lead_department.town_id != town.pk:
        errors["lead_department"] = [_("The department must be one of the town's.")]
    if budget_yuan < 0:
        errors["budget_yuan"] = [_("The number cannot be negative.")]
    for index, source in enumerate(funding):
        if not source.source.strip():
            errors[f"funding[{index}].source"] = [_("Name the source of funds.")]
        if source.amount_yuan < 0:
            errors[f"funding[{index}].amount_yuan"] = [_("The number cannot be negative.")]
    for field, day in (("starts_on", starts_on), ("ends_on", ends_on)):
        if (problem := day_problem(day, DayKind.DEADLINE)) is not None:
            errors[field] = [problem]
    if ends_on < starts_on:
        errors["ends_on"] = [_("The end cannot be before the start.")]
    if (problem := too_long(description, TEXT)) is not None:
        errors["description"] = [problem]
    for index, milestone in enumerate(milestones):
        key = f"milestones[{index}]"
        if not milestone.title.strip():
            errors[f"{key}.title"] = [_("A milestone needs its title.")]
        if not 1 <= milestone.weight <= 1000:
            errors[f"{key}.weight"] = [_("The weight is a whole number from 1 to 1000.")]
        if milestone.planned_on < milestone.planned_start:
            errors[f"{key}.planned_on"] = [_("The finish cannot be before the start.")]
        elif not (starts_on <= milestone.planned_start and milestone.planned_on <= ends_on):
            errors[f"{key}.planned_on"] = [_("A milestone lies within the project's dates.")]
        if milestone.owner.town_id != town.pk:
            errors[f"{key}.owner"] = [_("The owner must be a person of the town.")]
        if milestone.village is not None and milestone.village not in villages:
            errors[f"{key}.village"] = [_("A milestone's village must be one of the project's.")]
    return errors


def project_create(
    *,
    by: User,
    town: Town,
    code: str,
    name: str,
    campaign: Campaign,
    villages: list[Village],
    owner: Person,
    starts_on: date,
    ends_on: date,
    lead_department: Department | None = None,
    budget_yuan: Decimal = Decimal(0),
    funding: list[FundingIn] | None = None,
    description: str = "",
    milestones: list[MilestoneIn] | None = None,
) -> Project:
    """Register a project with its sources of funds and milestones, in one transaction; each
    milestone becomes an item of kind milestone (deadline: its planned finish)."""
    check_manage(actor_for(by), town_id=town.pk)
    funding = funding or []
    milestones = milestones or []
    errors = _errors(
        town=town,
        code=code,
        name=name,
        villages=villages,
        owner=owner,
        lead_department=lead_department,
        budget_yuan=budget_yuan,
        funding=funding,
        starts_on=starts_on,
        ends_on=ends_on,
        description=description,
        milestones=milestones,
    )
    if campaign.town_id != town.pk:
        errors["campaign"] = [_("Unknown campaign.")]
    if errors:
        raise ValidationError(errors)
    category = Category.objects.filter(
        town=town, campaign=campaign, code=MILESTONE_CATEGORY
    ).first()
    try:
        with transaction.atomic():
            project = Project(
                town=town,
                code=code.strip(),
                name=name.strip(),
                campaign=campaign,
                owner=owner,
                lead_department=lead_department,
                budget_yuan=budget_yuan,
                starts_on=starts_on,
                ends_on=ends_on,
                description=description.strip(),
                created_by=by,
            )
            project._history_user = by  # type: ignore[attr-defined]
            project.save()
            project.villages.set(villages)
            for source in funding:
                Funding.objects.create(
                    project=project, source=source.source.strip(), amount_yuan=source.amount_yuan
                )
            for order, milestone in enumerate(milestones):
                milestone_add(
                    project=project, by=by, milestone=milestone, order=order, category=category
                )
    except IntegrityError:
        raise ValidationError({"code": [_("A project with this code exists already.")]}) from None
    return project


def milestone_add(
    *,
    project: Project,
    by: User,
    milestone: MilestoneIn,
    order: int,
    category: Category | None,
) -> Milestone:
    village = milestone.village or project.villages.order_by("pk").first()
    assert village is not None  # a project has its villages
    attributes = {"project": project.name, "weight": milestone.weight} if category else None
    try:
        item = lifecycle.item_create(
            by=by,
            campaign=project.campaign,
            category=category,
            village=village,
            title=milestone.title.strip()[:200],
            owner=milestone.owner,
            found_on=min(milestone.planned_start, timezone.localdate()),
            deadline=milestone.planned_on,
            kind=Kind.MILESTONE,
            source=Source.SURVEY,
            attributes=attributes,
            description=_("Milestone of %(project)s") % {"project": project.name},
            measures=milestone.measures.strip(),
            via="project",
        )
    except NotPermitted as refused:
        raise ValidationError({f"milestones[{order}]": [refused.message]}) from refused
    except ValidationError as invalid:
        raise ValidationError(
            {
                f"milestones[{order}]" if key == "__all__" else f"milestones[{order}].{key}": texts
                for key, texts in invalid.message_dict.items()
            }
        ) from invalid
    row = Milestone(
        project=project,
        item=item,
        weight=milestone.weight,
        planned_start=milestone.planned_start,
        planned_on=milestone.planned_on,
        order=order,
    )
    row._history_user = by  # type: ignore[attr-defined]
    row.save()
    return row
