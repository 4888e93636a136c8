"""The written notices to the petitioner (受理告知书, 不予受理告知书, 延期告知书, 答复意见书).

Each is issued once per petition and kind, in the same transaction as the decision it tells,
under the next number of its kind, town and year (a row lock on the counter: concurrent issues
never share a number, and a failed issue rolls its number back, so there are no gaps). Its text
is written into `snapshot` at issue, in the deployment's language, and the Word document is
built from the snapshot alone, in the bulletin's official layout (`bulletins.document`); the
snapshot's hash is stored and checked before every download, and the database refuses to change
an issued notice (migration 0002). Limits are calendar days (自然日) and every notice says so.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import F
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from maque.bulletins.document import official_docx
from maque.bulletins.queries import document_date
from maque.petitions import limits
from maque.petitions.models import NoticeCounter, NoticeKind, Petition, PetitionNotice

# The mark of each kind in the document number: 蒿坪信受字〔2026〕3号.
NUMBER_MARKS = {
    NoticeKind.ACCEPTANCE: "信受字",
    NoticeKind.NON_ACCEPTANCE: "信不受字",
    NoticeKind.EXTENSION: "信延字",
    NoticeKind.REPLY: "信复字",
}
MATTER_EXCERPT = 120
TITLES = {
    NoticeKind.ACCEPTANCE: gettext_lazy("Notice of the acceptance of a petition"),
    NoticeKind.NON_ACCEPTANCE: gettext_lazy("Notice that a petition is not accepted"),
    NoticeKind.EXTENSION: gettext_lazy(
        "Notice of the extension of the time for handling a petition"
    ),
    NoticeKind.REPLY: gettext_lazy("Written reply to a petition"),
}


class TamperedNoticeError(Exception):
    """A notice whose stored content no longer matches the hash it was issued with."""


def notice_code(petition: Petition, kind: str, year: int, number: int) -> str:
    return f"{petition.town.short_name}{NUMBER_MARKS[NoticeKind(kind)]}〔{year}〕{number}号"


def digest(snapshot: dict[str, Any]) -> str:
    canonical = json.dumps(snapshot, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _take_number(petition: Petition, kind: str, year: int) -> int:
    NoticeCounter.objects.get_or_create(town_id=petition.town_id, kind=kind, year=year)
    counter = NoticeCounter.objects.select_for_update().get(
        town_id=petition.town_id, kind=kind, year=year
    )
    counter.last = F("last") + 1
    counter.save(update_fields=["last"])
    counter.refresh_from_db(fields=["last"])
    return counter.last


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MATTER_EXCERPT else text[: MATTER_EXCERPT - 1] + "…"


def _blocks(petition: Petition, kind: str, day: date) -> list[tuple[str, str]]:
    values = {
        "received": document_date(petition.received_on),
        "code": petition.code,
        "matter": _excerpt(petition.matter),
        "day": document_date(day),
    }
    opening = (
        _(
            "The petition you submitted on %(received)s (register number %(code)s), concerning: "
            "%(matter)s, has been received."
        )
        % values
    )
    if kind == NoticeKind.ACCEPTANCE:
        due = limits.handling_due(day)
        return [
            ("body", opening),
            (
                "body",
                _(
                    "Under the Regulations on Petition Work, your petition was accepted on "
                    "%(day)s. It will be handled and you will receive a written reply within "
                    "%(days)d calendar days of acceptance, that is by %(due)s."
                )
                % {**values, "days": limits.HANDLING_DAYS, "due": document_date(due)},
            ),
        ]
    if kind == NoticeKind.NON_ACCEPTANCE:
        return [
            ("body", opening),
            (
                "body",
                _(
                    "Under the Regulations on Petition Work, your petition is not accepted, "
                    "for this reason: %(reason)s"
                )
                % {"reason": petition.not_accepted_reason},
            ),
        ]
    if kind == NoticeKind.EXTENSION:
        due = limits.handling_due(petition.decided_on or day, petition.extension_days)
        return [
            ("body", opening),
            (
                "body",
                _(
                    "Because %(reason)s, the time for handling your petition has been extended "
                    "with approval by %(days)d calendar days. You will receive the written reply "
                    "by %(due)s."
                )
                % {
                    "reason": petition.extension_reason.rstrip("。."),
                    "days": petition.extension_days,
                    "due": document_date(due),
                },
            ),
        ]
    until = limits.review_until(day)
    return [
        ("body", opening),
        ("heading1", _("Our reply")),
        *[("body", line.strip()) for line in petition.reply.splitlines() if line.strip()],
        (
            "body",
            _(
                "If you are not satisfied with this reply, you may request a review from the "
                "administrative organ at the next level up within %(days)d calendar days of "
                "receiving it, that is by %(until)s."
            )
            % {"days": limits.REVIEW_DAYS, "until": document_date(until)},
        ),
    ]


def notice_snapshot(petition: Petition, kind: str, *, code: str, day: date) -> dict[str, Any]:
    """The content of the notice, in the deployment's language (stored text)."""
    with translation.override(settings.LANGUAGE_CODE):
        town = petition.town
        return {
            "kind": str(kind),
            "code": code,
            "petition": petition.code,
            "title": str(TITLES[NoticeKind(kind)]),
            "authority": _("%(town)s People's Government") % {"town": town.name},
            "addressee": _("%(name)s:") % {"name": petition.petitioner_name},
            "blocks": [list(block) for block in _blocks(petition, kind, day)],
            "day": day.isoformat(),
            "day_text": document_date(day),
            "copy_to": _("the handling owner, %(owner)s") % {"owner": petition.owner.name},
            "printed_by": _("%(town)s Petition Office") % {"town": town.name},
            "language": settings.LANGUAGE_CODE,
        }


def notice_issue(petition: Petition, kind: str, *, day: date, by: User | None) -> PetitionNotice:
    """Issue the notice of `kind` for the petition (inside the caller's transaction)."""
    year = day.year
    number = _take_number(petition, kind, year)
    code = notice_code(petition, kind, year, number)
    snapshot = notice_snapshot(petition, kind, code=code, day=day)
    return PetitionNotice.objects.create(
        petition=petition,
        town_id=petition.town_id,
        kind=kind,
        year=year,
        number=number,
        code=code,
        issued_on=day,
        snapshot=snapshot,
        sha256=digest(snapshot),
        issued_by=by,
    )


def notice_docx(notice: PetitionNotice) -> bytes:
    """The Word document of an issued notice, from its snapshot, after checking its hash."""
    if digest(notice.snapshot) != notice.sha256:
        raise TamperedNoticeError(notice.code)
    snapshot = notice.snapshot
    with translation.override(snapshot.get("language") or settings.LANGUAGE_CODE):
        return official_docx(snapshot, [(kind, text) for kind, text in snapshot["blocks"]])
