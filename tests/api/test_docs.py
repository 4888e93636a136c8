"""The OpenAPI document keeps the contract's paths; the docs page loads nothing from outside."""

from __future__ import annotations

import re
from pathlib import Path

from django.contrib.staticfiles import finders
from django.test import Client

CONTRACT = {
    "/api/v1/auth/token": {"post"},
    "/api/v1/villages": {"get"},
    "/api/v1/people": {"get"},
    "/api/v1/categories": {"get"},
    "/api/v1/categories/{code}": {"get"},
    "/api/v1/items": {"get", "post"},
    "/api/v1/items/{code}": {"get", "patch"},
    "/api/v1/items/{code}/actions/{action}": {"post"},
    "/api/v1/items/{code}/progress": {"post"},
    "/api/v1/items/{code}/attachments": {"get", "post"},
    "/api/v1/items/{code}/history": {"get"},
    "/api/v1/attachments/{attachment_id}": {"get"},
    "/api/v1/plots": {"get", "post"},
}


def test_it_publishes_the_contract_in_openapi(db):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    for path, methods in CONTRACT.items():
        assert path in document["paths"], path
        assert methods <= set(document["paths"][path]), path
    item = document["components"]["schemas"]["ItemOut"]["properties"]
    assert {"code", "state", "light", "overdue", "days_overdue", "version", "actions"} <= set(item)
    field = document["components"]["schemas"]["FieldOut"]["properties"]
    assert {"name", "label", "type", "unit", "required", "choices"} <= set(field)
    schemes = document["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" for s in schemes.values())


def test_it_serves_the_docs_page_from_local_assets(db):
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger" in html.lower()
    external = re.findall(r"""(?:src|href)\s*=\s*["']((?:https?:)?//[^"']+)""", html)
    assert external == []
    assert "cdn" not in html.lower()
    assert '"validatorUrl": null' in html  # no call-out to a validator service
    assets = re.findall(r"""(?:src|href)\s*=\s*["']/static/([^"']+)""", html)
    assert any(asset.endswith(".js") for asset in assets) and any(
        asset.endswith(".css") for asset in assets
    ), assets
    for asset in assets:
        found = finders.find(asset)
        assert found, asset
        assert Path(found).stat().st_size > 0
