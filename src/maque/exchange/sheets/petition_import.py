"""Importing the petition register: each row a petition registered through
`petitions.services.petition_register` (numbered, its 15-day limit started, its history
written), with the petitioner's name, phone and ID number stored in the petition's protected
fields. Only registered petitions (待受理) are imported: the later steps are decisions with
notices to issue, taken on the petition's page, not typed into a sheet."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from maque.core.dates import DayKind
from maque.exchange.importer.results import RowPreview
from maque.exchange.layout import NO, YES, normalise
from maque.exchange.sheets.petitions import CHANNEL_NAMES, LAYOUT, STATE_NAMES
from maque.exchange.sheets.rows import Plan, RowReader
from maque.organisation.models import Household
from maque.petitions.models import Petition, State
from maque.petitions.services import petition_register

FIELDS = {
    "channel": "channel",
    "received_on": "received_on",
    "petitioner_name": "name",
    "petitioner_phone": "phone",
    "petitioner_id_number": "id_number",
    "matter": "matter",
    "village": "village",
    "household": "household",
    "owner": "owner",
}


class PetitionReader(RowReader):
    layout = LAYOUT
    required = ("received_on", "name", "matter")

    def read(self, cells: dict[str, Any]) -> None:
        row = cells["_row"]
        errors_before = len(self.result.problems)
        state = self.text(cells, "state")
        if state and normalise(state) != normalise(STATE_NAMES[State.REGISTERED]):
            self.problem(
                row,
                "state",
                _("Only registered petitions (待受理) can be imported; this one is %(state)s.")
                % {"state": state},
            )
        received_on = self.day(cells, "received_on", DayKind.HAPPENED)
        channel = self.choice(cells, "channel", CHANNEL_NAMES)
        name = self.unmasked(cells, "name", self.text(cells, "name", required=True))
        phone = self.unmasked(cells, "phone", self.text(cells, "phone"))
        id_number = self.unmasked(cells, "id_number", self.text(cells, "id_number"))
        matter = self.text(cells, "matter", required=True)
        village = self.village(cells, "village", required=False)
        owner = self.person(cells, "owner", required=False)
        household = self._household(cells, village)
        stability = self.choice(cells, "stability", {"yes": YES, "no": NO}, required=False)
        if len(self.result.problems) > errors_before or received_on is None or channel is None:
            return
        key = (received_on, normalise(name), normalise(matter))
        if not self.once(cells, key, "matter"):
            return
        existing = Petition.objects.filter(
            town=self.town, received_on=received_on, petitioner_name=name, matter=matter
        ).first()
        if existing is not None:
            self.exists(cells, "matter", existing.code)
            return

        def write() -> str:
            return petition_register(
                by=self.by,
                town=self.town,
                channel=channel,
                received_on=received_on,
                petitioner_name=name,
                petitioner_phone=phone,
                petitioner_id_number=id_number,
                matter=matter,
                village=village,
                household=household,
                owner=owner,
                stability=stability == "yes",
                via="import",
            ).code

        self.plans.append(
            Plan(
                rows=[row],
                preview=RowPreview(
                    self.sheet, row, "new", "", village.name if village else "", matter[:60]
                ),
                write=write,
                fields=FIELDS,
            )
        )

    def _household(self, cells: dict[str, Any], village: Any) -> Household | None:
        text = self.text(cells, "household")
        if not text:
            return None
        found = household_of(text, village)
        if found is None:
            self.problem(
                cells["_row"], "household", _("Unknown household of this village.") + f"（{text}）"
            )
        return found


def household_of(text: str, village: Any) -> Household | None:
    """A household of the village named as the sheets write it (户主 #id), or by the head's name
    when it is the only one of that name in the village."""
    if village is None:
        return None
    head, _mark, number = text.rpartition("#")
    if _mark and number.strip().isdigit():
        return Household.objects.filter(village=village, pk=int(number)).first()
    found = list(Household.objects.filter(village=village, head_name=text.strip())[:2])
    return found[0] if len(found) == 1 else None
