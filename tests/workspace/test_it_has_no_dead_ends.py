"""Refused and missing pages speak Chinese in the workspace's look and offer a way back; a
refusal is logged as one line, not a traceback."""

from __future__ import annotations

import logging

from maque.core.logs import ClientErrorsWithoutTraceback

from ..conftest import make_item


def test_it_answers_a_missing_or_hidden_page_in_the_workspace(client, world):  # noqa: ANN001
    hidden = make_item(world, persona="cadre_shuangsheng", village=world.shuangsheng)
    client.force_login(world.user("cadre_gaige"))
    response = client.get(f"/items/{hidden.pk}/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "页面不存在" in page and 'href="/"' in page and "返回首页" in page
    assert hidden.title not in page
    assert "navbar" in page  # the workspace's own look, with its navigation


def test_it_answers_a_refusal_in_the_workspace(client, world):  # noqa: ANN001
    client.force_login(world.user("cadre_gaige"))
    response = client.get("/cases/")
    assert response.status_code in (403, 404)
    page = response.content.decode()
    assert "返回首页" in page and "navbar" in page


def test_it_asks_an_anonymous_visitor_to_sign_in_from_a_missing_page(client, db):  # noqa: ANN001
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "登录" in response.content.decode()


def test_it_logs_a_refusal_without_its_traceback():
    try:
        raise PermissionError("no")
    except PermissionError:
        import sys

        record = logging.LogRecord(
            "django.request", logging.WARNING, __file__, 1, "Forbidden: /x", None, sys.exc_info()
        )
    record.status_code = 403
    assert ClientErrorsWithoutTraceback().filter(record) and record.exc_info is None
    record.status_code, record.exc_info = 500, (ValueError, ValueError("x"), None)
    assert ClientErrorsWithoutTraceback().filter(record) and record.exc_info is not None
