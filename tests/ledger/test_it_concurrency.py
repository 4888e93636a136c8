"""Two people at once: row locks and versions keep the ledger consistent (design §4).

Each thread has its own database connection, so these are real concurrent transactions, on
SQLite (a file, IMMEDIATE transactions) and on PostgreSQL (row locks).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from maque.ledger import lifecycle
from maque.ledger.errors import ConflictError
from maque.ledger.models import Item, ItemCounter, State, Transition
from tests.conftest import drive_to_submitted, make_item

pytestmark = pytest.mark.django_db(transaction=True)


def run_together(calls: list[Callable[[], Any]]) -> list[Any]:
    """Start every call at the same moment, each in its own thread and connection.

    Returns each call's result or the exception it raised."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def worker(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = call()
        except Exception as error:  # noqa: BLE001 - handed back to the test
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a worker hung"
    return results


def test_it_lets_exactly_one_of_two_concurrent_verifications_win(world):
    item = drive_to_submitted(world, make_item(world))
    version = item.version

    results = run_together(
        [
            lambda: lifecycle.item_verify(
                item=item, by=world.user("leader"), note="已核查", version=version
            ),
            lambda: lifecycle.item_verify(
                item=item, by=world.user("contact_gaige"), note="已核查", version=version
            ),
        ]
    )

    winners = [result for result in results if isinstance(result, Item)]
    losers = [result for result in results if isinstance(result, ConflictError)]
    assert len(winners) == 1 and len(losers) == 1, results
    assert losers[0].code in {"stale_version", "transition_not_allowed"}
    item.refresh_from_db()
    assert item.state == State.CLOSED and item.version == version + 1
    assert item.verified_by == winners[0].verified_by
    assert Transition.objects.filter(item=item, action="verify").count() == 1


def test_it_lets_exactly_one_of_two_concurrent_verifications_win_without_versions(world):
    """Even a client that sends no version cannot close an item twice."""
    item = drive_to_submitted(world, make_item(world))
    results = run_together(
        [
            lambda: lifecycle.item_verify(item=item, by=world.user("leader"), note="已核查"),
            lambda: lifecycle.item_return(item=item, by=world.user("inspector"), reason="不到位"),
        ]
    )
    assert sum(isinstance(result, Item) for result in results) == 1, results
    assert sum(isinstance(result, ConflictError) for result in results) == 1, results
    item.refresh_from_db()
    assert Transition.objects.filter(item=item, action__in=["verify", "return"]).count() == 1
    assert item.state in {State.CLOSED, State.RECTIFYING}


def test_it_gives_concurrent_registrations_unique_gap_free_codes(world):
    workers, per_worker = 4, 3
    personas = ["cadre_gaige", "contact_gaige", "secretary_gaige", "principal"]

    def register(persona: str) -> list[str]:
        return [
            make_item(world, persona=persona, title=f"{persona} {n}").code
            for n in range(per_worker)
        ]

    assert (
        not ItemCounter.objects.exists()
    )  # the first codes of the year race to create the counter
    results = run_together(
        [lambda persona=persona: register(persona) for persona in personas[:workers]]
    )

    assert not [result for result in results if isinstance(result, Exception)], results
    codes = sorted(code for result in results for code in result)
    year = Item.objects.first().year
    assert codes == [f"HP-{year}-{n:05d}" for n in range(1, workers * per_worker + 1)]
    assert ItemCounter.objects.get(town=world.town, year=year).last == workers * per_worker
