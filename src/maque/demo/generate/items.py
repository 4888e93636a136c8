"""Generated items with their transitions, requests, progress and evidence, written in batches."""

from __future__ import annotations

import hashlib
import io
import json
import random
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from maque.demo.generate.inserts import _insert
from maque.demo.generate.organisation import _VillageCast
from maque.demo.generate.plans import (
    _BY_INSPECTOR,
    _BY_OWNER,
    _NOTES,
    _TARGET,
    STATE_WEIGHTS,
    _plan,
)
from maque.ledger.models import (
    Attachment,
    Category,
    FieldType,
    Item,
    ItemCounter,
    ItemRequest,
    ProgressLog,
    State,
    Transition,
)
from maque.organisation.models import (
    Role,
    Town,
)

VIA = "generate"  # the channel recorded on generated transitions
TITLES = {
    "farmland-chief": (
        "巡田发现耕地堆放杂物",
        "耕地内违规挖塘",
        "田长巡查发现撂荒",
        "耕地非农化种植",
    ),
    "farmland-outflow": ("撂荒地复耕", "耕地流出恢复", "坡耕地撂荒治理", "林地恢复耕地"),
    "greenhouse": ("设施大棚违规住人", "大棚房违规建设", "大棚看护房超标"),
    "collective-contract": (
        "合同期限超过法定上限",
        "合同未经民主程序",
        "租金长期拖欠",
        "合同要素不全",
    ),
    "grave": ("占用耕地新建坟墓", "坟墓硬化面积超标", "豪华墓整治"),
}


class _ItemWriter:
    """Builds items and their records row by row and inserts them in batches."""

    def __init__(
        self,
        *,
        rng: random.Random,
        today: date,
        towns: list[Town],
        categories: list[Any],
        casts: list[_VillageCast],
    ):
        self.rng = rng
        self.today = today
        # Naive UTC "now" (second precision) and the local day boundary, as the database stores them.
        self.now = timezone.now().astimezone(UTC).replace(tzinfo=None, microsecond=0)
        self.towns = towns
        self.categories = categories
        self.casts = casts
        self.sqlite = connection.vendor == "sqlite"
        self.counts = {"transitions": 0, "requests": 0, "progress": 0, "attachments": 0}
        self.next_item_id = (Item.objects.aggregate(m=Max("id"))["m"] or 0) + 1
        self.next_progress_id = (ProgressLog.objects.aggregate(m=Max("id"))["m"] or 0) + 1
        self.sequences: dict[tuple[int, int], int] = {}
        for counter in ItemCounter.objects.filter(town__in=towns):
            self.sequences[(counter.town_id, counter.year)] = counter.last
        self.states = list(STATE_WEIGHTS)
        self.weights = list(STATE_WEIGHTS.values())
        self.evidence = {town.pk: self._evidence_file(town) for town in towns}

    # Values in the form the database driver takes them.
    def _dt(self, value: datetime) -> Any:
        return str(value) if self.sqlite else value.replace(tzinfo=UTC)

    def _json(self, value: Any) -> str:
        return json.dumps(value, ensure_ascii=False)

    def _evidence_file(self, town: Town) -> tuple[str, int, str]:
        """One real JPEG per town, stored where the evidence of that town goes (by content hash)."""
        from PIL import Image

        buffer = io.BytesIO()
        Image.new("RGB", (64, 48), (70, 130, 60)).save(buffer, "JPEG")
        content = buffer.getvalue()
        sha = hashlib.sha256(content).hexdigest()
        name = f"evidence/{town.pk}/{sha[:2]}/{sha}.jpg"
        if not default_storage.exists(name):
            name = default_storage.save(name, ContentFile(content))
        return name, len(content), sha

    def _found_on(self, state: str) -> date:
        # Closed and cancelled work spreads over two years; open work is mostly recent.
        if state in (State.CLOSED, State.CANCELLED):
            back = self.rng.randint(20, 730)
        elif state == State.SUSPENDED:
            back = self.rng.randint(10, 240)
        else:
            back = int(self.rng.triangular(0, 150, 20))
        return self.today - timedelta(days=back)

    def _attributes(
        self, fields: Sequence[Any], cast: _VillageCast, found_on: date
    ) -> dict[str, Any]:
        rng = self.rng
        values: dict[str, Any] = {}
        for f in fields:
            if not f.required and rng.random() < 0.5:
                continue
            match f.type:
                case FieldType.PLOT:
                    values[f.name] = rng.choice(cast.plot_codes)
                case FieldType.HOUSEHOLD:
                    values[f.name] = rng.choice(cast.household_ids)
                case FieldType.CHOICE:
                    values[f.name] = rng.choice(f.choices)
                case FieldType.DATE:
                    values[f.name] = (found_on - timedelta(days=rng.randint(0, 5))).isoformat()
                case FieldType.NUMBER:
                    values[f.name] = rng.randint(1, 30)
                case FieldType.DECIMAL:
                    minimum = f.min_value or Decimal(0)
                    values[f.name] = str(max(minimum, Decimal(rng.randint(1, 100000)) / 100))
                case _:
                    values[f.name] = f"{f.label}{rng.randint(1, 999):03d}"
        return values

    def _verifier(self, category: Category, cast: _VillageCast) -> tuple[int, int]:
        """Someone the category lets verify: the contact leader where allowed, else a town role."""
        roles = category.verifier_roles or []
        if Role.CONTACT_LEADER in roles and self.rng.random() < 0.7:
            return cast.contact_leader
        if Role.INSPECTOR in roles:
            return cast.inspector
        for role in roles:
            if role in cast.town_roles:
                return cast.town_roles[role]
        return cast.contact_leader

    def write_batch(self, count: int) -> None:
        items: list[tuple[Any, ...]] = []
        transitions: list[tuple[Any, ...]] = []
        requests: list[tuple[Any, ...]] = []
        logs: list[tuple[Any, ...]] = []
        attachments: list[tuple[Any, ...]] = []
        rng = self.rng
        for _ in range(count):
            cast = rng.choice(self.casts)
            town = self.towns[cast.town_index]
            campaign, categories = self.categories[cast.town_index]
            category, fields = rng.choice(categories)
            state = rng.choices(self.states, self.weights)[0]
            path = _plan(rng, state)
            found_on = self._found_on(state)
            deadline = found_on + timedelta(days=category.default_deadline_days)
            original_deadline = deadline
            owner, owner_user = rng.choice(cast.owners)
            item_id = self.next_item_id
            self.next_item_id += 1
            key = (town.pk, found_on.year)
            self.sequences[key] = self.sequences.get(key, 0) + 1
            code = f"{town.code.upper()}-{found_on.year}-{self.sequences[key]:05d}"
            # Registered in office hours (Beijing time, stored as UTC).
            moment = datetime.combine(found_on, datetime.min.time()) + timedelta(
                seconds=rng.randint(0, 9 * 3600)
            )
            moment = min(moment, self.now)
            created_at = moment
            current: str = State.FOUND
            fields_: dict[str, Any] = {
                "returned": 0,
                "reopened": 0,
                "extensions": 0,
                "submitted_by": None,
                "submitted_at": None,
                "verified_by": None,
                "closed_at": None,
                "suspended_on": None,
                "suspended_until": None,
            }
            transitions.append(
                (
                    item_id,
                    "create",
                    State.FOUND,
                    State.FOUND,
                    owner,
                    owner_user,
                    "",
                    VIA,
                    self._dt(moment),
                )
            )
            started_at: datetime | None = None
            after_start: datetime | None = (
                None  # the first action after `start`: reports come before it
            )
            for action in path:
                moment = min(moment + timedelta(seconds=rng.randint(3600, 6 * 86400)), self.now)
                if action in _BY_OWNER:
                    actor, actor_user = owner, owner_user
                elif action in _BY_INSPECTOR:
                    actor, actor_user = cast.inspector
                elif action in ("verify", "return"):
                    actor, actor_user = self._verifier(category, cast)
                else:
                    actor, actor_user = cast.contact_leader
                from_state = current
                target = _TARGET[action]
                if started_at is not None and after_start is None:
                    after_start = moment
                if action == "start":
                    started_at = moment
                elif action == "submit":
                    # Fresh evidence, uploaded just before submitting.
                    name, size, sha = self.evidence[town.pk]
                    attachments.append(
                        (
                            item_id,
                            None,
                            name,
                            "现场照片.jpg",
                            ".jpg",
                            "image/jpeg",
                            "photo",
                            size,
                            sha,
                            owner,
                            self._dt(moment - timedelta(seconds=60)),
                        )
                    )
                    fields_["submitted_by"], fields_["submitted_at"] = owner, moment
                elif action == "verify":
                    fields_["verified_by"], fields_["closed_at"] = actor, moment
                elif action == "return":
                    fields_["returned"] += 1
                elif action == "reopen":
                    fields_["reopened"] += 1
                    fields_["verified_by"], fields_["closed_at"] = None, None
                elif action == "suspend":
                    resume_on = self.today + timedelta(days=rng.randint(10, 120))
                    requests.append(
                        (
                            item_id,
                            ItemRequest.Type.SUSPENSION,
                            ItemRequest.Status.APPROVED,
                            owner,
                            _NOTES["suspend"],
                            None,
                            resume_on,
                            cast.contact_leader[0],
                            _NOTES["approve_suspension"],
                            self._dt(moment),
                            None,
                        )
                    )
                elif action == "approve_suspension":
                    fields_["suspended_on"] = moment.date()
                    fields_["suspended_until"] = requests[-1][6]
                    requests[-1] = (*requests[-1][:10], self._dt(moment))
                elif action == "extend":
                    new_deadline = deadline + timedelta(days=rng.randint(10, 30))
                    requests.append(
                        (
                            item_id,
                            ItemRequest.Type.EXTENSION,
                            ItemRequest.Status.APPROVED,
                            owner,
                            _NOTES["extend"],
                            new_deadline,
                            None,
                            cast.contact_leader[0],
                            _NOTES["approve_extension"],
                            self._dt(moment),
                            None,
                        )
                    )
                elif action == "approve_extension":
                    deadline = requests[-1][5]
                    fields_["extensions"] += 1
                    requests[-1] = (*requests[-1][:10], self._dt(moment))
                if target is not None:
                    current = target
                transitions.append(
                    (
                        item_id,
                        action,
                        from_state,
                        current,
                        actor,
                        actor_user,
                        _NOTES.get(action, ""),
                        VIA,
                        self._dt(moment),
                    )
                )
            assert current == state, (path, current, state)
            last_progress_at = None
            percent = 0
            if started_at is not None and rng.random() < 0.6:
                until = after_start or self.now
                logged = started_at + (until - started_at) * rng.uniform(0.2, 0.9)
                logged = logged.replace(microsecond=0)
                percent = rng.choice((20, 30, 50, 60, 80, 90))
                logs.append(
                    (
                        self.next_progress_id,
                        item_id,
                        owner,
                        "已组织人员开展整改，进展顺利",
                        percent,
                        self._dt(logged),
                    )
                )
                self.next_progress_id += 1
                last_progress_at = logged
            if state == State.CLOSED:
                percent = 100
            attributes = self._attributes(fields, cast, found_on)
            subject = str(
                attributes.get("plot")
                or attributes.get("contract_no")
                or attributes.get("location")
                or ""
            )
            items.append(
                (
                    item_id,
                    town.pk,
                    code,
                    found_on.year,
                    "rectification",
                    campaign.pk,
                    category.pk,
                    cast.village_id,
                    rng.choice(cast.group_ids),
                    None,
                    None,
                    subject[:100],
                    rng.choice(TITLES.get(category.code, ("整改事项",))),
                    "摸排发现的问题，需按标准整改",
                    "制定整改方案，限期整改到位",
                    "",
                    category.standard,
                    owner,
                    found_on,
                    deadline,
                    original_deadline,
                    state,
                    self._json(attributes),
                    fields_["returned"],
                    fields_["reopened"],
                    fields_["extensions"],
                    "survey",
                    fields_["suspended_until"],
                    fields_["suspended_on"],
                    fields_["submitted_by"],
                    self._dt(fields_["submitted_at"]) if fields_["submitted_at"] else None,
                    fields_["verified_by"],
                    self._dt(fields_["closed_at"]) if fields_["closed_at"] else None,
                    self._dt(last_progress_at) if last_progress_at else None,
                    percent,
                    1 + len(path),
                    owner_user,
                    self._dt(created_at),
                    self._dt(max(moment, last_progress_at or moment)),
                )
            )
        with transaction.atomic():
            _insert(Item, _ITEM_COLUMNS, items)
            _insert(
                Transition,
                (
                    "item_id",
                    "action",
                    "from_state",
                    "to_state",
                    "actor_id",
                    "actor_user_id",
                    "reason",
                    "via",
                    "created_at",
                ),
                transitions,
            )
            _insert(
                ItemRequest,
                (
                    "item_id",
                    "type",
                    "status",
                    "requested_by_id",
                    "reason",
                    "new_deadline",
                    "resume_on",
                    "decided_by_id",
                    "decision_note",
                    "created_at",
                    "decided_at",
                ),
                requests,
            )
            _insert(
                ProgressLog, ("id", "item_id", "author_id", "text", "percent", "created_at"), logs
            )
            _insert(
                Attachment,
                (
                    "item_id",
                    "progress_id",
                    "file",
                    "original_name",
                    "extension",
                    "content_type",
                    "kind",
                    "size",
                    "sha256",
                    "uploaded_by_id",
                    "uploaded_at",
                ),
                attachments,
            )
        self.counts["transitions"] += len(transitions)
        self.counts["requests"] += len(requests)
        self.counts["progress"] += len(logs)
        self.counts["attachments"] += len(attachments)

    def finish(self) -> None:
        """Move the code counters past the last code issued; realign id sequences (PostgreSQL)."""
        with transaction.atomic():
            for (town_id, year), last in self.sequences.items():
                ItemCounter.objects.update_or_create(
                    town_id=town_id, year=year, defaults={"last": last}
                )
            statements = connection.ops.sequence_reset_sql(no_style(), [Item, ProgressLog])
            if statements:
                with connection.cursor() as cursor:
                    for statement in statements:
                        cursor.execute(statement)


_ITEM_COLUMNS = (
    "id",
    "town_id",
    "code",
    "year",
    "kind",
    "campaign_id",
    "category_id",
    "village_id",
    "group_id",
    "plot_id",
    "household_id",
    "subject",
    "title",
    "description",
    "measures",
    "scope",
    "standard",
    "owner_id",
    "found_on",
    "deadline",
    "original_deadline",
    "state",
    "attributes",
    "returned_count",
    "reopened_count",
    "extension_count",
    "source",
    "suspended_until",
    "suspended_on",
    "submitted_by_id",
    "submitted_at",
    "verified_by_id",
    "closed_at",
    "last_progress_at",
    "progress_percent",
    "version",
    "created_by_id",
    "created_at",
    "updated_at",
)
