"""Failed sign-ins pause the account from that address, the account everywhere after many more,
and an address spraying many accounts — on the web and the API alike, from one counter in the
database. One person's typos never lock out a colleague at the same address."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from maque.api.models import ApiToken, SignInThrottle

from .conftest import Api, assert_error

pytestmark = pytest.mark.django_db
OFFICE = "10.1.1.1"  # the township network: everyone behind one address


def web_sign_in(username: str, password: str, address: str = OFFICE, **headers: str) -> object:
    return Client().post(
        "/login/", {"username": username, "password": password}, REMOTE_ADDR=address, **headers
    )


def signed_in(response: object) -> bool:
    return response.status_code == 302  # type: ignore[attr-defined]


def token(username: str, password: str, address: str = OFFICE) -> object:
    return Client().post(
        "/api/v1/auth/token",
        {"username": username, "password": password},
        content_type="application/json",
        REMOTE_ADDR=address,
    )


def fail(username: str, times: int, address: str = OFFICE) -> None:
    for _attempt in range(times):
        assert not signed_in(web_sign_in(username, "wrong", address))


def test_it_pauses_only_the_account_that_failed_from_that_address(world, settings):  # noqa: ANN001
    fail("cadre_gaige", settings.MAQUE_SIGNIN_FAILURES)
    # A colleague at the same address signs in as usual.
    assert signed_in(web_sign_in("principal", "pw-principal"))
    # The account itself is paused here, even with the right password, and is told until when.
    refused = web_sign_in("cadre_gaige", "pw-cadre_gaige")
    page = refused.content.decode()
    assert not signed_in(refused) and "登录失败次数过多" in page
    until = SignInThrottle.objects.get(scope="account_address").locked_until
    assert timezone.localtime(until).strftime("%H:%M") in page and "管理员" in page
    # From elsewhere (the cadre's phone), the right password still works.
    assert signed_in(web_sign_in("cadre_gaige", "pw-cadre_gaige", "10.9.9.9"))


def test_it_holds_the_pause_on_the_api_too(world, settings):  # noqa: ANN001
    fail("cadre_gaige", settings.MAQUE_SIGNIN_FAILURES)
    response = token("cadre_gaige", "pw-cadre_gaige")
    body = assert_error(response, 429, code="throttled")
    assert "登录失败次数过多" in body["detail"]
    assert 0 < int(response["Retry-After"]) <= settings.MAQUE_SIGNIN_LOCK_MINUTES * 60
    assert ApiToken.objects.count() == 0
    # And the other way round: failures through the API pause the web sign-in.
    for _attempt in range(settings.MAQUE_SIGNIN_FAILURES):
        assert token("leader", "wrong").status_code == 401
    assert not signed_in(web_sign_in("leader", "pw-leader"))


def test_it_pauses_an_address_that_sprays_many_accounts(world, settings):  # noqa: ANN001
    names = [f"guess{n}" for n in range(settings.MAQUE_SIGNIN_ADDRESS_ACCOUNTS)]
    responses = [token(name, "Password1", "10.6.6.6") for name in names]
    assert [r.status_code for r in responses] == [401] * len(names)
    assert_error(token("principal", "pw-principal", "10.6.6.6"), 429, code="throttled")
    assert not signed_in(web_sign_in("principal", "pw-principal", "10.6.6.6"))
    assert signed_in(web_sign_in("principal", "pw-principal", OFFICE))


def test_it_pauses_an_account_guessed_from_many_addresses(world, settings):  # noqa: ANN001
    settings.MAQUE_SIGNIN_ACCOUNT_FAILURES = 8
    for n in range(8):
        fail("cadre_gaige", 1, f"10.2.0.{n}")
    assert not signed_in(web_sign_in("cadre_gaige", "pw-cadre_gaige", "10.3.3.3"))
    assert signed_in(web_sign_in("cadre_shuangsheng", "pw-cadre_shuangsheng", "10.3.3.3"))


def test_it_takes_the_address_only_from_the_configured_proxy_header(world, settings):  # noqa: ANN001
    # Without a configured header, a forged one changes nothing: the connection's address counts.
    for n in range(settings.MAQUE_SIGNIN_FAILURES):
        web_sign_in("cadre_gaige", "wrong", OFFICE, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    assert not signed_in(
        web_sign_in("cadre_gaige", "pw-cadre_gaige", OFFICE, HTTP_X_FORWARDED_FOR="192.0.2.99")
    )
    # Behind the proxy, the last address it recorded is the client's.
    settings.MAQUE_CLIENT_ADDRESS_HEADER = "X-Forwarded-For"
    for _attempt in range(settings.MAQUE_SIGNIN_FAILURES):
        web_sign_in(
            "leader", "wrong", "127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.1"
        )
    assert not signed_in(
        web_sign_in("leader", "pw-leader", "127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.1")
    )
    assert signed_in(
        web_sign_in("leader", "pw-leader", "127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.2")
    )


def test_it_lets_an_administrator_unlock_at_once(world, settings):  # noqa: ANN001
    fail("cadre_gaige", settings.MAQUE_SIGNIN_FAILURES)
    admin = get_user_model().objects.create_superuser("root", password="pw-root")
    client = Client()
    client.force_login(admin)
    assert client.get("/admin/api/signinthrottle/").status_code == 200
    paused = SignInThrottle.objects.filter(locked_until__gt=timezone.now())
    response = client.post(
        "/admin/api/signinthrottle/",
        {
            "action": "unlock",
            "_selected_action": [str(pk) for pk in paused.values_list("pk", flat=True)],
        },
    )
    assert response.status_code == 302
    assert not SignInThrottle.objects.filter(locked_until__gt=timezone.now()).exists()
    assert SignInThrottle.objects.filter(unlocked_by=admin).count() >= 1  # reset, never deleted
    assert signed_in(web_sign_in("cadre_gaige", "pw-cadre_gaige"))


def test_it_lifts_the_pause_when_it_runs_out(world, settings):  # noqa: ANN001
    fail("cadre_gaige", settings.MAQUE_SIGNIN_FAILURES)
    SignInThrottle.objects.update(locked_until=timezone.now() - timedelta(seconds=1))
    assert signed_in(web_sign_in("cadre_gaige", "pw-cadre_gaige"))
    # The counter starts again: one more failure does not pause it.
    fail("cadre_gaige", 1)
    assert signed_in(web_sign_in("cadre_gaige", "pw-cadre_gaige"))


def test_it_ends_tokens_issued_before_a_password_change(world):  # noqa: ANN001
    issued = token("cadre_gaige", "pw-cadre_gaige").json()["token"]  # type: ignore[attr-defined]
    assert Api(issued).get("/api/v1/villages").status_code == 200
    user = world.user("cadre_gaige")
    user.set_password("Maque-新密码-2026")
    user.save()
    assert_error(Api(issued).get("/api/v1/villages"), 401)
    fresh = token("cadre_gaige", "Maque-新密码-2026").json()["token"]  # type: ignore[attr-defined]
    assert Api(fresh).get("/api/v1/villages").status_code == 200
