"""Topics as a spreadsheet (.xlsx), written row by row (bounded memory): the board's filtered
topics as the reader may see them. Proposers' phones are masked unless the reader's role sees
personal data (`Actor.masks_personal_data`, the rule of every export), and phone or ID numbers
in free text likewise; a cell that a spreadsheet would read as a formula is written as a text
cell, unchanged (the guard of every export, `maque.core.formulas`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, BinaryIO

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from maque.core.formulas import xlsx_text
from maque.core.masking import mask_phone, mask_text
from maque.deliberation.models import Topic
from maque.organisation.actor import Actor

BATCH = 2000


def headers() -> list[str]:
    return [
        _("Code"),
        _("Village"),
        _("Title"),
        _("Description"),
        _("Concern"),
        _("Domain"),
        _("Source"),
        _("Track"),
        _("State"),
        _("Proposer"),
        _("Proposer's name"),
        _("Proposer's phone"),
        _("Submitted"),
        _("Accept by"),
        _("Reason declined"),
        _("Answer"),
        _("Answered at"),
        _("Satisfaction"),
    ]


def _rows(topics: QuerySet[Topic], *, masks: bool) -> Iterator[list[Any]]:
    def day(moment: Any) -> str:
        return timezone.localtime(moment).strftime("%Y-%m-%d") if moment else ""

    for topic in topics.select_related("village", "proposer").iterator(chunk_size=BATCH):
        name = topic.proposer.name if topic.proposer else topic.proposer_name
        phone = topic.proposer.phone if topic.proposer else topic.proposer_phone
        text = mask_text if masks else (lambda value: value)
        yield [
            topic.code,
            topic.village.name,
            text(topic.title),
            text(topic.description),
            str(topic.get_concern_display()),
            str(topic.get_domain_display()),
            str(topic.get_source_display()),
            str(topic.get_track_display()) if topic.track else "",
            str(topic.get_state_display()),
            str(topic.get_proposer_kind_display()),
            name,
            mask_phone(phone) if masks else phone,
            day(topic.created_at),
            topic.accept_due.isoformat() if topic.accept_due else "",
            text(topic.decline_reason),
            text(topic.answer),
            day(topic.answered_at),
            str(topic.get_satisfaction_display()) if topic.satisfaction else "",
        ]


def topics_export_write(*, topics: QuerySet[Topic], out: BinaryIO, actor: Actor) -> int:
    """Write the topics to `out` as an .xlsx workbook; the number of rows written."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Topics"))
    sheet.append(headers())
    written = 0
    for row in _rows(topics, masks=actor.masks_personal_data()):
        sheet.append([xlsx_text(sheet, value) for value in row])
        written += 1
    book.save(out)
    return written
