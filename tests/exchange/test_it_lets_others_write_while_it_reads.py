"""A long import holds the write lock only while it writes (security issue, point 3).

While the file is read, matched and checked, a colleague registers an item in another
connection with a short lock timeout: it must not wait for the import. The import is still all
or nothing, and a row the colleague changed meanwhile is a problem of the import, not a lost edit.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from maque.exchange.importer import import_prepare
from maque.ledger import lifecycle
from maque.ledger.models import Item
from maque.organisation.models import Plot
from tests.conftest import make_item

from .helpers import outflow_row, xlsx_file

pytestmark = pytest.mark.django_db(transaction=True)

SHORT_WAIT_MS = 1000


def _short_lock_wait() -> None:
    """This connection gives up on a held lock after a second instead of the usual twenty."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"PRAGMA busy_timeout = {SHORT_WAIT_MS}")
        else:
            cursor.execute(f"SET lock_timeout = '{SHORT_WAIT_MS}ms'")


def _in_another_connection(call: Any) -> Any:
    """Run `call` in its own thread (so its own database connection); its result or error."""
    outcome: list[Any] = []

    def worker() -> None:
        try:
            _short_lock_wait()
            outcome.append(call())
        except Exception as error:  # noqa: BLE001 - handed back to the test
            outcome.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join(timeout=60)
    assert not thread.is_alive(), "the colleague's write hung"
    return outcome[0]


def _plots(world: Any, codes: list[str]) -> None:
    for code in codes:
        Plot.objects.create(
            town=world.town,
            village=world.gaige,
            group=world.plots["gaige"].group,
            code=code,
            area_mu="3.50",
        )


def test_a_colleague_registers_an_item_while_a_long_file_is_read(world, tmp_path, monkeypatch):
    monkeypatch.setattr("maque.exchange.importer.sheet.CHUNK_ROWS", 5)
    _plots(world, [f"GG-1{n:02d}" for n in range(20)])
    rows = [outflow_row(事项=f"撂荒地复耕{n}", 地块=f"GG-1{n:02d}") for n in range(20)]
    path = xlsx_file(tmp_path / "long.xlsx", rows)
    colleague: list[Any] = []

    def meanwhile(done: int, total: int | None) -> None:
        if done == 10 and not colleague:  # half-way through reading the file
            colleague.append(
                _in_another_connection(
                    lambda: make_item(world, persona="secretary_gaige", title="村民反映水渠堵塞")
                )
            )

    prepared = import_prepare(
        by=world.user("cadre_gaige"), path=path, name=path.name, progress=meanwhile
    )
    assert isinstance(colleague[0], Item), colleague[0]
    result = prepared.write(commit=True)
    assert result.ok and result.committed, result.problems
    assert result.new == 20
    codes = set(Item.objects.values_list("code", flat=True))
    assert colleague[0].code in codes and set(result.codes) <= codes
    assert len(codes) == 21  # no code given twice


def test_a_row_changed_meanwhile_stops_the_import(world, tmp_path):
    item = make_item(world)
    _plots(world, ["GG-200"])
    path = xlsx_file(
        tmp_path / "edit.xlsx",
        [
            outflow_row(编号=item.code, 问题描述="三组撂荒约4亩"),
            outflow_row(事项="新登记的撂荒地", 地块="GG-200"),
        ],
    )
    prepared = import_prepare(by=world.user("cadre_gaige"), path=path, name=path.name)
    # The owner edits the item between the reading and the writing.
    lifecycle.item_update(
        item=Item.objects.get(pk=item.pk),
        by=world.user("cadre_gaige"),
        changes={"description": "三组撂荒约5亩，已联系农户"},
    )
    result = prepared.write(commit=True)
    assert not result.committed
    assert [p.row for p in result.problems] == [3]
    item.refresh_from_db()
    assert item.description == "三组撂荒约5亩，已联系农户"  # the colleague's edit is kept
    assert not Item.objects.filter(title="新登记的撂荒地").exists()  # all or nothing


def _counter(world: Any) -> int:
    from maque.ledger.models import ItemCounter

    counter = ItemCounter.objects.filter(town=world.town).order_by("-year").first()
    return counter.last if counter is not None else 0


def test_the_codes_are_taken_before_the_write_so_a_colleague_does_not_wait_for_it(world, tmp_path):
    """The import takes its numbers in a short transaction of its own: a colleague registering
    between that and the write gets the next number at once, and the import its own ones."""
    _plots(world, ["GG-301", "GG-302", "GG-303"])
    path = xlsx_file(
        tmp_path / "new.xlsx",
        [outflow_row(事项=f"撂荒地{n}", 地块=f"GG-30{n}") for n in (1, 2, 3)],
    )
    before = _counter(world)
    prepared = import_prepare(by=world.user("cadre_gaige"), path=path, name=path.name)
    prepared.reserve_codes()
    assert _counter(world) == before + 3  # committed already: nothing holds the counter
    colleague = _in_another_connection(
        lambda: make_item(world, persona="secretary_gaige", title="村民反映水渠堵塞")
    )
    assert isinstance(colleague, Item), colleague
    result = prepared.write(commit=True)
    assert result.committed, result.problems
    numbers = sorted(int(code.rsplit("-", 1)[1]) for code in result.codes)
    assert numbers == [before + 1, before + 2, before + 3]
    assert int(colleague.code.rsplit("-", 1)[1]) == before + 4


def test_an_import_that_writes_nothing_gives_its_codes_back(world, tmp_path):
    item = make_item(world)
    _plots(world, ["GG-401"])
    path = xlsx_file(
        tmp_path / "edit.xlsx",
        [
            outflow_row(编号=item.code, 问题描述="三组撂荒约4亩"),
            outflow_row(事项="新登记的撂荒地", 地块="GG-401"),
        ],
    )
    before = _counter(world)
    prepared = import_prepare(by=world.user("cadre_gaige"), path=path, name=path.name)
    prepared.reserve_codes()
    lifecycle.item_update(
        item=Item.objects.get(pk=item.pk),
        by=world.user("cadre_gaige"),
        changes={"description": "三组撂荒约5亩，已联系农户"},
    )
    result = prepared.write(commit=True)
    assert not result.committed
    assert _counter(world) == before  # given back: the next item gets the next number
    assert make_item(world, title="下一件").code.endswith(f"-{before + 1:05d}")


def test_codes_that_cannot_be_given_back_are_named(world, tmp_path):
    item = make_item(world)
    _plots(world, ["GG-501"])
    path = xlsx_file(
        tmp_path / "edit.xlsx",
        [
            outflow_row(编号=item.code, 问题描述="三组撂荒约4亩"),
            outflow_row(事项="新登记的撂荒地", 地块="GG-501"),
        ],
    )
    before = _counter(world)
    prepared = import_prepare(by=world.user("cadre_gaige"), path=path, name=path.name)
    prepared.reserve_codes()
    later = make_item(world, title="其间登记的事项")  # takes the number after the reservation
    lifecycle.item_update(
        item=Item.objects.get(pk=item.pk),
        by=world.user("cadre_gaige"),
        changes={"description": "三组撂荒约5亩，已联系农户"},
    )
    result = prepared.write(commit=True)
    assert not result.committed
    assert _counter(world) == before + 2  # the reserved number stays taken
    reserved = later.code.rsplit("-", 1)[0] + f"-{before + 1:05d}"
    assert any(reserved in problem.message for problem in result.problems), result.problems
