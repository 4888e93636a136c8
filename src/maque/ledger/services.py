"""Writes to the ledger that are not state changes: progress logs and attachments.

State changes live in `maque.ledger.lifecycle`; these append records and check the same rights.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from maque.core.dates import DayKind, day_problem
from maque.core.lengths import NOTE, too_long
from maque.core.uploads import check_upload
from maque.ledger.errors import ConflictError, NotPermitted
from maque.ledger.lifecycle import ACTORS, roles_on_item
from maque.ledger.models import (
    OPEN_STATES,
    Attachment,
    CoordinationLog,
    Item,
    ProgressLog,
    State,
)
from maque.organisation.access import actor_for
from maque.organisation.models import Person, Role

MAX_FILES_PER_LOG = 9


def _check_can_report(item: Item, by: User) -> Person:
    """The reporting person, if `by` may report on the item now."""
    actor = actor_for(by)
    if actor.person is None or not roles_on_item(actor, item) & ACTORS["progress"]:
        raise NotPermitted(_("Only the owner or a leader of this item can report on it."))
    if item.state not in (*OPEN_STATES, State.SUSPENDED):
        raise ConflictError(
            _("A %(state)s item takes no more reports.") % {"state": item.get_state_display()},
            code="transition_not_allowed",
        )
    return actor.person


def progress_allowed(*, item: Item, by: User) -> bool:
    """Whether the user may report progress (and add evidence) on the item now (for screens)."""
    try:
        _check_can_report(item, by)
    except (ConflictError, NotPermitted):
        return False
    return True


def attachment_add(
    *, item: Item, by: User, upload: UploadedFile, progress: ProgressLog | None = None
) -> Attachment:
    """Store one evidence file (type, content and size checked) through Django storage."""
    _check_can_report(item, by)
    checked = check_upload(upload)
    attachment = Attachment(
        item=item, progress=progress, uploaded_by=actor_for(by).person, **checked.model_fields()
    )
    attachment.file.save(checked.name, upload, save=False)
    attachment.save()
    return attachment


def progress_add(
    *,
    item: Item,
    by: User,
    text: str,
    percent: int | None = None,
    files: Sequence[UploadedFile] = (),
) -> ProgressLog:
    """Append a progress report (with optional percent and evidence) and mark the item as moving."""
    author = _check_can_report(item, by)
    errors: dict[str, list[str]] = {}
    text = text.strip() if isinstance(text, str) else ""
    if not text:
        errors["text"] = [_("Describe the progress.")]
    elif (problem := too_long(text, NOTE)) is not None:
        errors["text"] = [problem]
    if percent is not None and (
        not isinstance(percent, int) or isinstance(percent, bool) or not 0 <= percent <= 100
    ):
        errors["percent"] = [_("The percent must be between 0 and 100.")]
    if len(files) > MAX_FILES_PER_LOG:
        errors["files"] = [_("At most %(max)d files per report.") % {"max": MAX_FILES_PER_LOG}]
    checked = []
    for upload in files:
        try:
            checked.append(check_upload(upload))
        except ValidationError as error:
            errors.setdefault("files", []).extend(error.messages)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = Item.objects.select_for_update().get(pk=item.pk)
        log = ProgressLog.objects.create(item=locked, author=author, text=text, percent=percent)
        for upload in files:
            attachment_add(item=locked, by=by, upload=upload, progress=log)
        # Reporting progress is not a state change: it only refreshes the "stale" clock.
        Item.objects.filter(pk=locked.pk).update(
            last_progress_at=timezone.now(),
            progress_percent=percent if percent is not None else locked.progress_percent,
        )
    item.refresh_from_db()
    return log


COORDINATION_ROLES = frozenset({Role.SECRETARY})


def coordination_add(
    *,
    item: Item,
    by: User,
    with_whom: str,
    said: str,
    next_step: str = "",
    on: date | None = None,
) -> CoordinationLog:
    """Log one round of communication and coordination (沟通协调) on an item: the owner, its
    leaders and the village secretary may. `on` is the day it took place (today by default)."""
    actor = actor_for(by)
    roles = roles_on_item(actor, item) if actor.person is not None else set()
    if actor.person is None or not roles & (ACTORS["progress"] | COORDINATION_ROLES):
        raise NotPermitted(
            _("Only the owner, a leader or the village secretary may log coordination.")
        )
    if item.state not in (*OPEN_STATES, State.SUSPENDED):
        raise ConflictError(
            _("A %(state)s item takes no more reports.") % {"state": item.get_state_display()},
            code="transition_not_allowed",
        )
    errors: dict[str, list[str]] = {}
    on = on or actor.day
    problem = day_problem(on, DayKind.HAPPENED, actor.day)
    if problem is None and on < item.found_on:
        problem = _("The day cannot be before %(day)s.") % {"day": item.found_on.isoformat()}
    if problem is not None:
        errors["on"] = [problem]
    with_whom = " ".join((with_whom or "").split())
    if not with_whom:
        errors["with_whom"] = [_("Say with whom.")]
    elif len(with_whom) > 100:
        errors["with_whom"] = [too_long(with_whom, 100) or ""]
    said = (said or "").strip()
    if not said:
        errors["said"] = [_("Say what was said.")]
    for name, text in (("said", said), ("next_step", next_step or "")):
        if name not in errors and (long := too_long(text, NOTE)) is not None:
            errors[name] = [long]
    if errors:
        raise ValidationError(errors)
    return CoordinationLog.objects.create(
        item=item,
        on=on,
        with_whom=with_whom,
        said=said,
        next_step=(next_step or "").strip(),
        author=actor.person,
    )
