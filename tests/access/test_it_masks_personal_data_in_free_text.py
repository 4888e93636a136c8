"""A phone or ID number typed into an item's free text is masked for every reader whose role sees
no personal data, wherever they read it (API, item page, ledger list, village page), by the one
rule of the people records and the exports (`Actor.masks_personal_data`, `mask_text`)."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from maque.api.services import token_issue
from maque.exchange.layout import neutralise
from maque.ledger.services import progress_add
from tests.conftest import make_item

PHONE, PHONE_MASKED = "13912345678", "139****5678"
ID_NUMBER, ID_MASKED = "61092419800101123X", "610924********123X"
MASKED = ("leader", "inspector", "contact_gaige", "secretary_gaige", "cadre_gaige")
UNMASKED = ("principal", "discipline")


@pytest.fixture
def item(world):  # noqa: ANN001, ANN201
    item = make_item(
        world,
        title=f"王某 {PHONE} 撂荒",
        subject=f"身份证 {ID_NUMBER}",
        description=f"电话 {PHONE}",
    )
    progress_add(item=item, by=world.user("cadre_gaige"), text=f"已联系 {PHONE}")
    return item


def _api(persona: str, path: str) -> str:
    token = token_issue(request=None, username=persona, password="pw-" + persona).token
    response = Client().get(path, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.content
    return response.content.decode()


def _pages(world, persona: str, item) -> list[str]:  # noqa: ANN001
    client = Client()
    client.force_login(world.user(persona))
    pages = []
    for url in (
        reverse("workspace:item", args=[item.pk]),
        reverse("workspace:ledger"),
        reverse("workspace:village", args=[world.gaige.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        pages.append(response.content.decode())
    return pages


@pytest.mark.parametrize("persona", MASKED)
def test_it_masks_free_text_for_roles_without_personal_data(world, item, persona):
    readings = [
        _api(persona, f"/api/v1/items/{item.code}"),
        _api(persona, "/api/v1/items"),
        _api(persona, f"/api/v1/items/{item.code}/history"),
        *_pages(world, persona, item),
    ]
    for text in readings:
        assert PHONE not in text and ID_NUMBER not in text
    assert PHONE_MASKED in readings[0] and ID_MASKED in readings[0]
    assert PHONE_MASKED in readings[3]  # the item page


@pytest.mark.parametrize("persona", UNMASKED)
def test_it_shows_free_text_in_full_to_roles_with_personal_data(world, item, persona):
    detail = _api(persona, f"/api/v1/items/{item.code}")
    page = _pages(world, persona, item)[0]
    assert PHONE in detail and ID_NUMBER in detail and PHONE in page


def test_it_offers_a_cadre_only_their_villages_in_the_template(world):
    token = token_issue(request=None, username="cadre_gaige", password="pw-cadre_gaige").token
    response = Client().get(
        "/api/v1/ledger/template/farmland-outflow", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    offered = {cell.value for sheet in book.worksheets for row in sheet.iter_rows() for cell in row}
    assert "改革村" in offered and "双胜村" not in offered


def test_it_neutralises_a_full_width_equals_sign_like_an_equals_sign():
    assert neutralise("＝HYPERLINK(1)") == "'＝HYPERLINK(1)"
    assert neutralise("=1+1") == "'=1+1"
    assert neutralise("王某") == "王某"
