"""Shared fixtures: a small town with one persona per role (design §6), and item factories.

Personas: principal, leader, leader_projects (a leader of the key-projects campaign only),
inspector, discipline, contact_gaige (contact leader of 改革村), cadre_gaige, secretary_gaige,
cadre_shuangsheng, contact_shuangsheng, outsider (a user with no person), anonymous.
"""

from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import dataclass
from dataclasses import fields as fields_of
from datetime import date, timedelta
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.db.models import Model
from django.db.models.fields import AutoFieldMixin
from django.test import override_settings
from django.utils import timezone, translation
from PIL import Image

from maque.ledger import lifecycle
from maque.ledger.catalogue import catalogue_install
from maque.ledger.models import Attachment, Campaign, Category, Item
from maque.ledger.services import attachment_add
from maque.organisation.models import (
    Person,
    Plot,
    Role,
    RoleAssignment,
    Town,
    Village,
    VillageGroup,
)

User = get_user_model()


@dataclass
class World:
    town: Town
    gaige: Village
    shuangsheng: Village
    campaign: Campaign
    users: dict[str, Any]
    people: dict[str, Person]
    plots: dict[str, Plot]

    def category(self, code: str) -> Category:
        return Category.objects.get(town=self.town, code=code)

    def user(self, persona: str):  # noqa: ANN201
        return self.users[persona]


def jpeg_bytes(colour: str = "green") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(buffer, "JPEG")
    return buffer.getvalue()


def photo(name: str = "evidence.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, jpeg_bytes(), content_type="image/jpeg")


def build_world() -> World:
    town = Town.objects.create(name="蒿坪镇", short_name="蒿坪", code="hp", county="紫阳县")
    gaige = Village.objects.create(town=town, name="改革村")
    shuangsheng = Village.objects.create(town=town, name="双胜村")
    groups = {
        v.name: VillageGroup.objects.create(village=v, name="一组", number=1)
        for v in (gaige, shuangsheng)
    }
    catalogue_install(town=town)
    campaign = Campaign.objects.get(town=town, code="five-rectifications")
    start = date(2020, 1, 1)
    roles = {
        "principal": (Role.PRINCIPAL, None),
        "leader": (Role.LEADER, None),
        "inspector": (Role.INSPECTOR, None),
        "discipline": (Role.DISCIPLINE, None),
        "contact_gaige": (Role.CONTACT_LEADER, gaige),
        "cadre_gaige": (Role.CADRE, gaige),
        "secretary_gaige": (Role.SECRETARY, gaige),
        "cadre_shuangsheng": (Role.CADRE, shuangsheng),
        "contact_shuangsheng": (Role.CONTACT_LEADER, shuangsheng),
    }
    users: dict[str, Any] = {}
    people: dict[str, Person] = {}
    for persona, (role, village) in roles.items():
        user = User.objects.create_user(username=persona, password="pw-" + persona)
        person = Person.objects.create(town=town, name=persona, user=user, phone="13800001234")
        RoleAssignment.objects.create(
            person=person, role=role, town=town, village=village, valid_from=start
        )
        users[persona] = user
        people[persona] = person
    # A leader in charge of one campaign only (重点项目): sees that campaign's items, not the others.
    projects = Campaign.objects.get(town=town, code="key-projects")
    user = User.objects.create_user(username="leader_projects", password="pw-leader_projects")
    person = Person.objects.create(
        town=town, name="leader_projects", user=user, phone="13800001234"
    )
    RoleAssignment.objects.create(
        person=person, role=Role.LEADER, town=town, campaign=projects, valid_from=start
    )
    users["leader_projects"] = user
    people["leader_projects"] = person
    users["outsider"] = User.objects.create_user(username="outsider", password="pw-outsider")
    plots = {
        "gaige": Plot.objects.create(
            town=town, village=gaige, group=groups["改革村"], code="GG-001", area_mu="3.50"
        ),
        "shuangsheng": Plot.objects.create(
            town=town, village=shuangsheng, group=groups["双胜村"], code="SS-001", area_mu="2.00"
        ),
    }
    return World(town, gaige, shuangsheng, campaign, users, people, plots)


@dataclass(frozen=True)
class WorldRows:
    """What `build_world()` writes, captured once per session so that each test can have the
    same world for a few bulk inserts instead of a full build (0.5 s of services and history).

    `rows` holds the field values of every new row, per model; `keys` says which of them are
    the World's fields (a model and a primary key, or a dict of them).
    """

    rows: list[tuple[type[Model], list[dict[str, Any]]]]
    keys: dict[str, Any]


def _key(value: Any) -> Any:
    if isinstance(value, Model):
        return (type(value), value.pk)
    if isinstance(value, dict):
        return {name: _key(inner) for name, inner in value.items()}
    return value


def _stored_models() -> list[type[Model]]:
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    ]


# The world's rows get ids from here on, far above what a test creates before asking for the
# world (an `admin_user` fixture, say), so copying them in never collides with those rows.
WORLD_IDS = 100_000_000


def _ids_from(models: list[type[Model]], start: int) -> None:
    """Make every table hand out ids after `start` (on SQLite until the transaction ends; a
    PostgreSQL sequence stays moved on, which leaves later ids above the world's too)."""
    with connection.cursor() as cursor:
        for model in models:
            if not isinstance(model._meta.pk, AutoFieldMixin):
                continue
            table, column = model._meta.db_table, model._meta.pk.column
            if connection.vendor == "sqlite":
                cursor.execute("DELETE FROM sqlite_sequence WHERE name = %s", [table])
                cursor.execute(
                    "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, start]
                )
            elif connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, %s), %s)",
                    [connection.ops.quote_name(table), column, start],
                )
            else:
                raise NotImplementedError(f"no way to move the id sequences on {connection.vendor}")


def world_capture() -> WorldRows:
    """Build the world once and record its rows, then roll the build back."""
    models = _stored_models()
    before = {model: set(model._base_manager.values_list("pk", flat=True)) for model in models}
    with (
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
        transaction.atomic(),
    ):
        _ids_from(models, WORLD_IDS)
        world = build_world()
        rows = []
        for model in models:
            fields = [field.attname for field in model._meta.concrete_fields]
            new = list(
                model._base_manager.exclude(pk__in=before[model]).order_by("pk").values(*fields)
            )
            if new:
                # Multi-table inheritance would need the parent rows too: bulk_create refuses it.
                assert not model._meta.parents, f"{model.__name__}: cannot copy a multi-table child"
                rows.append((model, new))
        keys = {field.name: _key(getattr(world, field.name)) for field in fields_of(World)}
        transaction.set_rollback(True)
    return WorldRows(rows=rows, keys=keys)


def world_install(captured: WorldRows) -> World:
    """Write the captured world into the database (in the caller's transaction) and return it,
    every object read afresh so that one test's in-memory changes never reach another's."""
    with transaction.atomic():  # in an autocommit (transactional) test, one commit for all
        for model, rows in captured.rows:
            model._base_manager.bulk_create([model(**row) for row in rows])
    wanted: dict[type[Model], set[Any]] = defaultdict(set)

    def collect(key: Any) -> None:
        if isinstance(key, dict):
            for inner in key.values():
                collect(inner)
        elif isinstance(key, tuple):
            wanted[key[0]].add(key[1])

    collect(captured.keys)
    loaded = {model: model._base_manager.in_bulk(pks) for model, pks in wanted.items()}

    def resolve(key: Any) -> Any:
        if isinstance(key, dict):
            return {name: resolve(inner) for name, inner in key.items()}
        if isinstance(key, tuple):
            return loaded[key[0]][key[1]]
        return key

    return World(**{name: resolve(key) for name, key in captured.keys.items()})


@pytest.fixture(scope="session")
def world_rows(django_db_setup, django_db_blocker) -> WorldRows:  # noqa: ANN001
    """The world's rows, built once per session (per worker under xdist) on the empty test database."""
    with django_db_blocker.unblock():
        return world_capture()


@pytest.fixture
def world(db, world_rows: WorldRows) -> World:  # noqa: ANN001
    """The shared town, present in this test only: written in the test's transaction (rolled back
    after it) or, in a transactional test, committed and then flushed with everything else."""
    return world_install(world_rows)


def outflow_attributes(plot_code: str = "GG-001") -> dict[str, Any]:
    return {"plot": plot_code, "area_mu": "3.5", "current_use": "撂荒", "target_use": "复耕"}


def make_item(
    world: World, *, persona: str = "cadre_gaige", village: Village | None = None, **overrides: Any
) -> Item:
    """Register an 耕地流出 item in 改革村 (or `village`) through the lifecycle service."""
    village = village or world.gaige
    plot_code = "GG-001" if village == world.gaige else "SS-001"
    values: dict[str, Any] = {
        "campaign": world.campaign,
        "category": world.category("farmland-outflow"),
        "village": village,
        "title": "三组撂荒地复耕",
        "attributes": outflow_attributes(plot_code),
    }
    values.update(overrides)
    return lifecycle.item_create(by=world.user(persona), **values)


def add_evidence(world: World, item: Item, persona: str = "cadre_gaige") -> Attachment:
    return attachment_add(item=item, by=world.user(persona), upload=photo())


def drive_to_submitted(world: World, item: Item, persona: str = "cadre_gaige") -> Item:
    item = lifecycle.item_start(item=item, by=world.user(persona))
    add_evidence(world, item, persona)
    return lifecycle.item_submit(item=item, by=world.user(persona))


def drive_to_closed(world: World, item: Item, verifier: str = "contact_gaige") -> Item:
    item = drive_to_submitted(world, item)
    return lifecycle.item_verify(item=item, by=world.user(verifier), note="现场核查已复耕")


@pytest.fixture
def today() -> date:
    return timezone.localdate()


@pytest.fixture
def yesterday(today: date) -> date:
    return today - timedelta(days=1)


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):  # noqa: ANN001, ANN202
    """Cheap password hashing, a private media folder and the default language for every test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    # Every test starts in the deployment's language: a request with Accept-Language: en (or an
    # `activate`) in one test must not leave English active for the next one in the worker.
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


def pytest_terminal_summary(terminalreporter, exitstatus, config):  # noqa: ANN001, ANN201
    """Say loudly when the browser tests were skipped. Here, not in tests/e2e/conftest.py: with
    several workers only this process reports, and it reads the skips from the workers' reports."""
    # A skip's longrepr is (path, line, "Skipped: <reason>").
    reasons = [
        report.longrepr[-1]
        for report in terminalreporter.stats.get("skipped", [])
        if isinstance(report.longrepr, tuple)
    ]
    skipped = [reason for reason in reasons if "browser tests skipped: " in reason]
    if skipped:
        why = skipped[0].split("browser tests skipped: ", 1)[1]
        terminalreporter.write_sep(
            "!", f"{len(skipped)} browser tests SKIPPED: {why}", yellow=True, bold=True
        )
