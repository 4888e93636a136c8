"""API test helpers: a client per persona that sends a bearer token, and database snapshots."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from maque.api.services import token_issue
from maque.ledger.models import Attachment, Item, ItemRequest, ProgressLog, Transition
from maque.organisation.models import Plot


class Api:
    """A test client speaking JSON with `Authorization: Bearer <token>` (or nothing)."""

    def __init__(self, token: str | None = None) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def _send(self, method: str, path: str, body: Any = None, **extra: Any) -> Any:
        kwargs: dict[str, Any] = {"headers": {**self.headers, **extra.pop("headers", {})}}
        if body is not None:
            kwargs["data"] = body if isinstance(body, (str, bytes)) else json.dumps(body)
            kwargs["content_type"] = "application/json"
        return getattr(self.client, method)(path, **kwargs, **extra)

    def get(self, path: str, params: dict[str, Any] | None = None, **extra: Any) -> Any:
        return self.client.get(path, params or {}, headers=self.headers, **extra)

    def post(self, path: str, body: Any = None, **extra: Any) -> Any:
        return self._send("post", path, body, **extra)

    def patch(self, path: str, body: Any = None, **extra: Any) -> Any:
        return self._send("patch", path, body, **extra)

    def delete(self, path: str, **extra: Any) -> Any:
        return self._send("delete", path, **extra)

    def upload(self, path: str, data: dict[str, Any]) -> Any:
        return self.client.post(path, data, headers=self.headers)  # multipart


@pytest.fixture
def api(world):  # noqa: ANN001, ANN201
    """`api("cadre_gaige")` → a client authenticated with a freshly issued token of that persona."""
    clients: dict[str, Api] = {}

    def for_persona(persona: str | None = None) -> Api:
        if persona is None:
            return Api()
        if persona not in clients:
            issued = token_issue(request=None, username=persona, password="pw-" + persona)
            clients[persona] = Api(issued.token)
        return clients[persona]

    return for_persona


def snapshot() -> dict[str, Any]:
    """Everything an API write could touch, to assert that a refused request changed nothing."""
    return {
        "items": list(Item.objects.order_by("id").values()),
        "item_history": Item.history.count(),
        "transitions": Transition.objects.count(),
        "progress": ProgressLog.objects.count(),
        "attachments": Attachment.objects.count(),
        "requests": list(ItemRequest.objects.order_by("id").values()),
        "plots": list(Plot.objects.order_by("id").values()),
    }


def assert_error(
    response: Any, status: int, *, code: str | None = None, fields: tuple[str, ...] = ()
) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) >= {"detail", "code", "errors"}, body
    assert body["detail"]
    if code is not None:
        assert body["code"] == code, body
    for field in fields:
        assert field in body["errors"] and body["errors"][field], body
    return body


@pytest.fixture(autouse=True)
def _fresh_cache():  # noqa: ANN202
    """Sign-in throttling counts live in the cache: start every test from zero."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
