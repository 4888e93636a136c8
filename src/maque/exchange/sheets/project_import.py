"""Importing projects with their milestones: the rows of one project code (one per milestone,
the project's columns repeated) become one project registered through
`projects.services.project_create`, each milestone an item of kind milestone registered
through the ledger's service. The project's columns must agree across its rows; an existing
code is refused (a project is registered once; its later changes are made on its page)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from maque.core.dates import DayKind
from maque.exchange.importer.results import RowPreview
from maque.exchange.layout import normalise, parse_number, text_of
from maque.exchange.sheets.layout import split_names
from maque.exchange.sheets.projects import LAYOUT
from maque.exchange.sheets.rows import Plan, RowReader
from maque.ledger.models import Campaign
from maque.organisation.models import Department
from maque.projects.models import Project
from maque.projects.services import FundingIn, MilestoneIn, project_create

PROJECT_COLUMNS = (
    "name",
    "campaign",
    "villages",
    "owner",
    "department",
    "budget",
    "funding",
    "starts_on",
    "ends_on",
    "description",
)
FIELDS = {
    "code": "code",
    "name": "name",
    "campaign": "campaign",
    "villages": "villages",
    "owner": "owner",
    "lead_department": "department",
    "budget_yuan": "budget",
    "funding": "funding",
    "source": "funding",
    "amount_yuan": "funding",
    "starts_on": "starts_on",
    "ends_on": "ends_on",
    "description": "description",
    "title": "milestone",
    "weight": "weight",
    "planned_start": "planned_start",
    "planned_on": "planned_on",
}


@dataclass
class Pending:
    first: dict[str, Any]  # the first row's cells (the project's columns)
    rows: list[int] = field(default_factory=list)
    milestones: list[MilestoneIn] = field(default_factory=list)
    bad: bool = False


class ProjectReader(RowReader):
    layout = LAYOUT
    required = ("code", "name")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._projects: dict[str, Pending] = {}
        self._campaigns = {
            normalise(c.name): c for c in Campaign.objects.filter(town=self.town, active=True)
        } | {normalise(c.code): c for c in Campaign.objects.filter(town=self.town, active=True)}
        self._departments = {
            normalise(d.name): d for d in Department.objects.filter(town=self.town, active=True)
        }

    def read(self, cells: dict[str, Any]) -> None:
        row = cells["_row"]
        code = self.text(cells, "code", required=True)
        if not code:
            return
        pending = self._projects.get(code)
        if pending is None:
            pending = self._projects[code] = Pending(first=cells)
            if Project.objects.filter(town=self.town, code=code).exists():
                self.exists(cells, "code", code)
                pending.bad = True
        else:
            for key in PROJECT_COLUMNS:
                if key in cells and normalise(text_of(cells[key])) != normalise(
                    text_of(pending.first.get(key))
                ):
                    self.problem(
                        row,
                        key,
                        _("The rows of one project must agree on this column (see row %(row)d).")
                        % {"row": pending.first["_row"]},
                    )
                    pending.bad = True
        pending.rows.append(row)
        if not self.text(cells, "milestone"):
            return
        before = len(self.result.problems)
        start = self.day(cells, "planned_start", DayKind.DEADLINE)
        finish = self.day(cells, "planned_on", DayKind.DEADLINE)
        owner = self.person(cells, "milestone_owner")
        village = self.village(cells, "milestone_village", required=False)
        weight = self._whole(cells, "weight", default=1)
        if len(self.result.problems) > before or None in (start, finish, owner, weight):
            pending.bad = True
            return
        assert start is not None and finish is not None and owner is not None and weight is not None
        pending.milestones.append(
            MilestoneIn(
                title=self.text(cells, "milestone"),
                weight=weight,
                planned_start=start,
                planned_on=finish,
                owner=owner,
                village=village,
                measures=self.text(cells, "measures"),
            )
        )

    def finish(self) -> None:
        for code, pending in self._projects.items():
            self._plan(code, pending)

    def _plan(self, code: str, pending: Pending) -> None:
        cells = pending.first
        before = len(self.result.problems)
        name = self.text(cells, "name", required=True)
        campaign = self._campaign(cells)
        villages = []
        for village_name in split_names(self.text(cells, "villages", required=True)):
            village = self.village({**cells, "villages": village_name}, "villages")
            villages.append(village)
        owner = self.person(cells, "owner")
        department = None
        if department_name := self.text(cells, "department"):
            department = self._departments.get(normalise(department_name))
            if department is None:
                self.problem(
                    cells["_row"],
                    "department",
                    _("Not a department of the town.") + f"（{department_name}）",
                )
        budget = self._amount(cells, "budget", self.text(cells, "budget") or "0")
        funding = self._funding(cells)
        starts_on = self.day(cells, "starts_on", DayKind.DEADLINE)
        ends_on = self.day(cells, "ends_on", DayKind.DEADLINE)
        if pending.bad or len(self.result.problems) > before:
            return
        if None in (campaign, owner, budget, funding, starts_on, ends_on) or None in villages:
            return
        assert campaign is not None and owner is not None and budget is not None
        assert funding is not None and starts_on is not None and ends_on is not None

        def write() -> str:
            return project_create(
                by=self.by,
                town=self.town,
                code=code,
                name=name,
                campaign=campaign,
                villages=[v for v in villages if v is not None],
                owner=owner,
                starts_on=starts_on,
                ends_on=ends_on,
                lead_department=department,
                budget_yuan=budget,
                funding=funding,
                description=self.text(cells, "description"),
                milestones=pending.milestones,
            ).code

        title = f"{name}（{len(pending.milestones)}个节点）"
        self.plans.append(
            Plan(
                rows=pending.rows,
                preview=RowPreview(
                    self.sheet,
                    cells["_row"],
                    "new",
                    code,
                    "、".join(v.name for v in villages if v),
                    title,
                ),
                write=write,
                fields=FIELDS,
            )
        )

    def _campaign(self, cells: dict[str, Any]) -> Campaign | None:
        text = self.text(cells, "campaign", required=True)
        if not text:
            return None
        found = self._campaigns.get(normalise(text))
        if found is None:
            self.problem(
                cells["_row"], "campaign", _("Not a campaign of the town.") + f"（{text}）"
            )
        return found

    def _whole(self, cells: dict[str, Any], key: str, *, default: int) -> int | None:
        text = text_of(cells.get(key))
        if not text:
            return default
        if not text.isdigit():
            self.problem(cells["_row"], key, _("Enter a whole number."))
            return None
        return int(text)

    def _amount(self, cells: dict[str, Any], key: str, value: Any) -> Decimal | None:
        try:
            amount = Decimal(parse_number(value, "元"))
        except (ValueError, InvalidOperation):
            self.problem(cells["_row"], key, _("Enter a number."))
            return None
        if amount < 0:
            self.problem(cells["_row"], key, _("The amount cannot be negative."))
            return None
        return amount

    def _funding(self, cells: dict[str, Any]) -> list[FundingIn] | None:
        """县级财政:200000；村集体自筹:5000 (a colon, full-width or not, between source and amount)."""
        sources: list[FundingIn] = []
        text = self.text(cells, "funding").replace("；", ";").replace("：", ":")
        for part in (p.strip() for p in text.split(";")):
            if not part:
                continue
            source, _colon, amount = part.rpartition(":")
            if not source.strip():
                self.problem(
                    cells["_row"], "funding", _("Write each source as 来源:金额, separated by ；.")
                )
                return None
            parsed = self._amount(cells, "funding", amount)
            if parsed is None:
                return None
            sources.append(FundingIn(source.strip(), parsed))
        return sources
