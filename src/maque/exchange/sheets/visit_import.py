"""Importing household visits: each row a visit logged through `fieldwork.services.visit_log`
(as the visitor the sheet names, who must work in the village), with its households and the
policies explained. The same visitor in the same village at the same minute is one visit: a
second row or an existing visit like it is refused as a duplicate."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from maque.core.dates import DayKind, day_problem
from maque.exchange.importer.results import RowPreview
from maque.exchange.layout import normalise, parse_date, text_of
from maque.exchange.sheets.layout import split_names
from maque.exchange.sheets.petition_import import household_of
from maque.exchange.sheets.rows import Plan, RowReader
from maque.exchange.sheets.visits import PURPOSE_NAMES, VISITS
from maque.fieldwork.catalogue import policies_of
from maque.fieldwork.models import FieldVisit
from maque.fieldwork.services import visit_log

FIELDS = {
    "visitor": "visitor",
    "visited_at": "visited_at",
    "purpose": "purpose",
    "households": "households",
    "policies": "policies",
    "notes": "notes",
}


def parse_moment(value: Any) -> datetime:
    """A time of day from a date-time cell or text such as 2026-07-18 09:30 (a bare date: the
    start of that day), in the town's time zone; ValueError if none."""
    if isinstance(value, datetime):
        moment = value
    else:
        text = text_of(value).replace("T", " ")
        day_text, _space, clock = text.partition(" ")
        if clock:
            hours, _colon, minutes = clock.partition(":")
            if not (hours.isdigit() and minutes[:2].isdigit()):
                raise ValueError("not a time")
            moment = datetime.combine(parse_date(day_text), time(int(hours), int(minutes[:2])))
        else:
            moment = datetime.combine(parse_date(value), time())
    return timezone.make_aware(moment.replace(tzinfo=None, second=0, microsecond=0))


class VisitReader(RowReader):
    layout = VISITS
    required = ("village", "visited_at", "purpose")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._policies = {normalise(p.name): p for p in policies_of(self.town).filter(active=True)}

    def read(self, cells: dict[str, Any]) -> None:
        row = cells["_row"]
        before = len(self.result.problems)
        village = self.village(cells, "village")
        visitor = self.person(cells, "visitor", required=False) or self.actor.person
        visited_at = self._moment(cells)
        purpose = self.choice(cells, "purpose", PURPOSE_NAMES)
        households = []
        for text in split_names(self.text(cells, "households")):
            found = household_of(text, village)
            if found is None:
                self.problem(
                    row, "households", _("Unknown household of this village.") + f"（{text}）"
                )
            households.append(found)
        policies = []
        for name in split_names(self.text(cells, "policies")):
            policy = self._policies.get(normalise(name))
            if policy is None:
                self.problem(row, "policies", _("Not a policy of the town's list.") + f"（{name}）")
            policies.append(policy)
        notes = self.text(cells, "notes")
        if len(self.result.problems) > before or None in (village, visited_at, purpose, visitor):
            return
        assert village is not None and visited_at is not None and visitor is not None
        if not self.once(cells, (village.pk, visitor.pk, visited_at), "visited_at"):
            return
        if FieldVisit.objects.filter(
            village=village, visitor=visitor, visited_at=visited_at
        ).exists():
            self.exists(
                cells,
                "visited_at",
                f"{visitor.name} {timezone.localtime(visited_at):%Y-%m-%d %H:%M}",
            )
            return

        def write() -> str:
            visit = visit_log(
                by=self.by,
                village=village,
                purpose=str(purpose),
                households=[h for h in households if h is not None],
                policies=[p for p in policies if p is not None],
                notes=notes,
                visited_at=visited_at,
                visitor=visitor,
                via="import",
            )
            return str(visit.pk)

        self.plans.append(
            Plan(
                rows=[row],
                preview=RowPreview(
                    self.sheet,
                    row,
                    "new",
                    "",
                    village.name,
                    f"{visitor.name} · {PURPOSE_NAMES[str(purpose)]}",
                ),
                write=write,
                fields=FIELDS,
            )
        )

    def _moment(self, cells: dict[str, Any]) -> datetime | None:
        value = cells.get("visited_at")
        if value is None:
            self.problem(cells["_row"], "visited_at", _("This cell is required."))
            return None
        try:
            moment = parse_moment(value)
        except ValueError:
            self.problem(cells["_row"], "visited_at", _("Enter a time such as 2026-07-18 09:30."))
            return None
        problem = day_problem(
            timezone.localdate(moment),
            DayKind.HAPPENED,
            too_late=_("A visit cannot take place in the future."),
        )
        if problem is not None:
            self.problem(cells["_row"], "visited_at", problem)
            return None
        return moment
