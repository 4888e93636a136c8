"""A database too busy to take a request in time (another writer holds the lock past the busy
timeout) is answered 503 with Retry-After — in the API's error shape and as a workspace page —
never 500; other database errors stay errors."""

from __future__ import annotations

import pytest
from django.db import OperationalError

from maque.core.busy import is_busy
from maque.ledger.models import ItemQuerySet


def locked(*args: object, **kwargs: object) -> None:
    raise OperationalError("database is locked")


def test_it_tells_busy_from_broken():
    assert is_busy(OperationalError("database is locked"))
    assert not is_busy(OperationalError("no such table: ledger_item"))
    assert not is_busy(ValueError("database is locked"))


def test_it_answers_503_with_retry_after_in_the_api(client, world, monkeypatch):  # noqa: ANN001
    client.force_login(world.user("principal"))
    monkeypatch.setattr(ItemQuerySet, "visible_to", locked)
    response = client.get("/api/v1/items")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    body = response.json()
    assert body["code"] == "busy" and "稍后" in body["detail"] or "几秒" in body["detail"]


def test_it_shows_a_busy_page_in_the_workspace(client, world, monkeypatch):  # noqa: ANN001
    client.force_login(world.user("principal"))
    monkeypatch.setattr(ItemQuerySet, "visible_to", locked)
    response = client.get("/ledger/")
    assert response.status_code == 503 and response["Retry-After"] == "5"
    page = response.content.decode()
    assert "系统繁忙" in page and "重试" in page


def test_it_still_treats_other_database_errors_as_errors(client, world, monkeypatch):  # noqa: ANN001
    def broken(*args: object, **kwargs: object) -> None:
        raise OperationalError("no such column: ledger_item.nothing")

    client.force_login(world.user("principal"))
    monkeypatch.setattr(ItemQuerySet, "visible_to", broken)
    client.raise_request_exception = False
    assert client.get("/api/v1/items").status_code == 500
    with pytest.raises(OperationalError):
        client.raise_request_exception = True
        client.get("/ledger/")
