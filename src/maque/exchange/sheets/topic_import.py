"""Importing topics: each row a topic proposed through `deliberation.lifecycle.topic_propose`
with the source 'spreadsheet import' (coded, its acceptance limit started, its history written),
for a person of the town named as proposer or a villager by name and phone. Only new topics
(待受理) are imported: accepting, declining and answering are decisions taken on the board. An
open topic of the same village with the same title is a duplicate."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from maque.deliberation.lifecycle import topic_propose
from maque.deliberation.models import Domain, ProposerKind, Topic, TopicSource, TopicState
from maque.exchange.importer.results import RowPreview
from maque.exchange.layout import normalise
from maque.exchange.sheets.rows import Plan, RowReader
from maque.exchange.sheets.topics import CHOICES, choice_names, layout

FIELDS = {
    "title": "title",
    "description": "description",
    "concern": "concern",
    "domain": "domain",
    "track": "track",
    "proposer": "proposer_name",
    "proposer_kind": "proposer_kind",
    "proposer_name": "proposer_name",
    "proposer_phone": "proposer_phone",
}
CLOSED = (TopicState.DECLINED, TopicState.ANSWERED)


class TopicReader(RowReader):
    required = ("village", "title")

    def __init__(self, **kwargs: Any) -> None:
        self.layout = layout()
        super().__init__(**kwargs)
        self._choices = {key: choice_names(choices) for key, choices in CHOICES.items()}

    def _choice(self, cells: dict[str, Any], key: str, *, required: bool = False) -> str | None:
        names, synonyms = self._choices[key]
        return self.choice(cells, key, names, required=required, synonyms=synonyms)

    def read(self, cells: dict[str, Any]) -> None:
        row = cells["_row"]
        before = len(self.result.problems)
        state = self._choice(cells, "state")
        if state is not None and state != TopicState.SUBMITTED:
            self.problem(
                row,
                "state",
                _("Only new topics (待受理) can be imported; accept or decline them on the board."),
            )
        village = self.village(cells, "village")
        title = self.text(cells, "title", required=True)
        concern = self._choice(cells, "concern", required=True)
        domain = self._choice(cells, "domain") or Domain.OTHER
        track = self._choice(cells, "track") or ""
        kind = self._choice(cells, "proposer_kind")
        name = self.text(cells, "proposer_name")
        proposer = self._people.get(normalise(name), []) if name else []
        person = proposer[0] if len(proposer) == 1 else None
        phone = (
            ""
            if person
            else self.unmasked(cells, "proposer_phone", self.text(cells, "proposer_phone"))
        )
        if person is None and name:
            self.unmasked(cells, "proposer_name", name)
        if len(self.result.problems) > before or village is None or concern is None:
            return
        if not self.once(cells, (village.pk, normalise(title)), "title"):
            return
        existing = (
            Topic.objects.filter(village=village, title=title.strip())
            .exclude(state__in=CLOSED)
            .first()
        )
        if existing is not None:
            self.exists(cells, "title", existing.code)
            return

        def write() -> str:
            return topic_propose(
                by=self.by,
                village=village,
                title=title,
                concern=concern,
                description=self.text(cells, "description"),
                domain=domain,
                proposer_kind=kind
                or (ProposerKind.CADRE if person else ProposerKind.VILLAGER if name else None),
                proposer=person,
                proposer_name="" if person else name,
                proposer_phone=phone,
                source=TopicSource.IMPORT,
                track=track,
                via="import",
            ).topic.code

        self.plans.append(
            Plan(
                rows=[row],
                preview=RowPreview(self.sheet, row, "new", "", village.name, title[:60]),
                write=write,
                fields=FIELDS,
            )
        )
