"""Chinese first: messages and labels come out in Chinese, and every catalogue is complete and compiled."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import polib
import pytest
from django.utils import translation

import maque
from maque.ledger import lifecycle
from maque.ledger.errors import ConflictError, NotPermitted
from maque.ledger.models import Item, State
from maque.organisation.models import Plot, Role

from ..conftest import drive_to_submitted, make_item

PACKAGE = Path(maque.__file__).resolve().parent
CATALOGUES = sorted(PACKAGE.rglob("locale/*/LC_MESSAGES/*.po"))
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]|%[sdif]")


def test_it_speaks_chinese_in_lifecycle_errors(world):
    # The contact leader registers and submits the work, then may not close it out himself.
    item = drive_to_submitted(world, make_item(world, persona="contact_gaige"), "contact_gaige")
    with translation.override("zh-hans"):
        with pytest.raises(NotPermitted) as refused:
            lifecycle.item_verify(item=item, by=world.user("contact_gaige"), note="自己验收")
        assert str(refused.value) == "事项的责任人或提交人不能验收该事项。"
        with pytest.raises(ConflictError) as conflict:
            lifecycle.item_start(item=item, by=world.user("contact_gaige"))
        assert str(conflict.value) == "事项处于“待验收”状态，不能开始整改。"
    with translation.override("en"):
        with pytest.raises(NotPermitted) as refused:
            lifecycle.item_verify(item=item, by=world.user("contact_gaige"), note="self")
        assert str(refused.value) == "The owner or submitter of an item cannot verify it."
    item.refresh_from_db()
    assert item.state == State.SUBMITTED


def test_it_names_models_fields_and_choices_in_chinese():
    with translation.override("zh-hans"):
        assert str(Item._meta.verbose_name) == "台账事项"
        assert str(Item._meta.get_field("deadline").verbose_name) == "整改时限"
        assert str(Plot._meta.get_field("area_mu").verbose_name) == "面积（亩）"
        assert str(State.CLOSED.label) == "已销号"
        assert str(Role.CONTACT_LEADER.label) == "联村领导"
    with translation.override("en"):
        assert str(Item._meta.verbose_name) == "item"


def test_it_finds_the_catalogues():
    apps = {path.relative_to(PACKAGE).parts[0] for path in CATALOGUES}
    assert {"core", "organisation", "ledger"} <= apps


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda path: str(path.relative_to(PACKAGE)))
def test_it_translates_every_message_and_compiles_it(path):
    catalogue = polib.pofile(str(path))
    problems = []
    for entry in catalogue:
        if entry.obsolete:
            continue
        if "fuzzy" in entry.flags:
            problems.append(f"fuzzy: {entry.msgid!r}")
        translations = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        if not all(text.strip() for text in translations):
            problems.append(f"untranslated: {entry.msgid!r}")
            continue
        wanted = sorted(PLACEHOLDER.findall(entry.msgid))
        for text in translations:
            if sorted(PLACEHOLDER.findall(text)) != wanted:
                problems.append(f"placeholders differ: {entry.msgid!r} → {text!r}")
    assert not problems, "\n".join(problems)

    compiled = path.with_suffix(".mo")
    assert compiled.exists(), f"{compiled} is missing: run msgfmt"
    with compiled.open("rb") as handle:
        shipped = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
    expected: dict[object, str] = {}
    for entry in catalogue.translated_entries():
        key = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
        if entry.msgid_plural:
            for index, text in entry.msgstr_plural.items():
                expected[(key, int(index))] = text
        else:
            expected[key] = entry.msgstr
    shipped = {key: value for key, value in shipped.items() if key != ""}
    assert shipped == expected, f"{compiled.name} is out of date with {path.name}: run msgfmt"
