"""Who may register, import and change items in bulk is decided by `ledger/policies.py`; the
role sets behind it are read only by access and policy modules."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.utils import translation

import maque
from maque.core.errors import NotPermitted
from maque.ledger import policies
from maque.organisation.access import actor_for

PACKAGE = Path(maque.__file__).resolve().parent


def test_it_lets_village_and_town_staff_register_but_not_discipline(world):  # noqa: ANN001
    actor = actor_for(world.user("cadre_gaige"))
    assert policies.may_register(actor) and policies.may_register(
        actor, world.gaige, world.campaign
    )
    assert not policies.may_register(actor, world.shuangsheng)
    assert policies.register_villages(actor, [world.gaige, world.shuangsheng]) == [world.gaige.pk]
    discipline = actor_for(world.user("discipline"))
    assert not policies.may_register(discipline) and not policies.may_import(discipline)
    assert not policies.may_register(actor_for(world.user("outsider")))
    with translation.override("zh-hans"), pytest.raises(NotPermitted) as refused:
        policies.check_register(discipline, world.gaige)
    assert "改革村" in refused.value.message and "You may not" not in refused.value.message


def test_it_offers_bulk_changes_to_approvers_only(world):  # noqa: ANN001
    assert policies.may_bulk(actor_for(world.user("contact_gaige")))
    assert policies.may_bulk(actor_for(world.user("principal")))
    assert not policies.may_bulk(actor_for(world.user("cadre_gaige")))
    assert not policies.may_bulk(actor_for(world.user("inspector")))


def test_it_keeps_the_register_and_approver_role_sets_in_access_and_policy_modules():
    readers = {
        path.relative_to(PACKAGE).as_posix()
        for path in PACKAGE.rglob("*.py")
        if re.search(r"\b(REGISTER_ROLES|APPROVER_ROLES)\b", path.read_text(encoding="utf-8"))
    }
    allowed = {
        "organisation/access.py",
        "organisation/policies.py",
        "ledger/policies.py",
        "ledger/lifecycle/rules.py",
    }
    assert readers <= allowed, sorted(readers - allowed)
