"""Who may call the API: bearer tokens (hashed, expiring, revocable, throttled) and sessions."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.contrib import admin
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from maque.api.models import ApiToken, SignInThrottle

from .conftest import Api, assert_error


def issue(username: str, password: str) -> object:
    return Client().post(
        "/api/v1/auth/token",
        {"username": username, "password": password},
        content_type="application/json",
    )


def test_it_issues_a_token_and_stores_only_its_hash(world):
    response = issue("cadre_gaige", "pw-cadre_gaige")
    assert response.status_code == 200, response.content
    token = response.json()["token"]
    record = ApiToken.objects.get()
    assert record.user == world.user("cadre_gaige")
    assert record.key_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(list(ApiToken.objects.values()))
    assert record.expires - record.created == timedelta(days=30)
    assert record.last_used is None

    client = Api(token)
    assert client.get("/api/v1/villages").status_code == 200
    record.refresh_from_db()
    assert record.last_used is not None


def test_it_refuses_wrong_passwords_and_expired_or_revoked_tokens(world, settings):
    assert_error(issue("cadre_gaige", "wrong"), 401, code="invalid_credentials")
    assert_error(issue("nobody", "pw"), 401, code="invalid_credentials")
    assert ApiToken.objects.count() == 0

    token = issue("cadre_gaige", "pw-cadre_gaige").json()["token"]
    ApiToken.objects.update(expires=timezone.now() - timedelta(seconds=1))
    assert_error(Api(token).get("/api/v1/items"), 401)

    token = issue("cadre_gaige", "pw-cadre_gaige").json()["token"]
    client = Api(token)
    assert client.get("/api/v1/items").status_code == 200
    assert client.delete("/api/v1/auth/token").status_code == 204
    assert (
        ApiToken.objects.get(key_hash=hashlib.sha256(token.encode()).hexdigest()).revoked_at
        is not None
    )
    assert_error(client.get("/api/v1/items"), 401)

    token = issue("cadre_gaige", "pw-cadre_gaige").json()["token"]
    user = world.user("cadre_gaige")
    user.is_active = False
    user.save()
    assert_error(Api(token).get("/api/v1/items"), 401)


def test_it_honours_the_token_lifetime_setting(world, settings):
    settings.MAQUE_TOKEN_TTL_DAYS = 2
    issue("principal", "pw-principal")
    record = ApiToken.objects.get()
    assert record.expires - record.created == timedelta(days=2)


def test_it_throttles_repeated_bad_passwords_per_username(world, settings):
    limit = settings.MAQUE_SIGNIN_FAILURES
    cache.clear()
    for _attempt in range(limit):
        assert issue("cadre_gaige", "guess").status_code == 401
    response = issue("Cadre_Gaige ", "pw-cadre_gaige")  # even the right password, in any spelling
    body = assert_error(response, 429, code="throttled")
    assert "15" in body["detail"] and "分钟" in body["detail"]
    assert response["Retry-After"]
    assert ApiToken.objects.count() == 0
    # Other users are not affected.
    assert issue("principal", "pw-principal").status_code == 200
    SignInThrottle.objects.update(locked_until=timezone.now())  # the pause has run out
    assert issue("cadre_gaige", "pw-cadre_gaige").status_code == 200


def test_it_accepts_the_browser_session_with_csrf_on_writes(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.user("cadre_gaige"))
    assert client.get("/api/v1/villages").status_code == 200
    body = {"code": "GG-002", "village": "改革村", "area_mu": "1.00"}
    response = client.post("/api/v1/plots", body, content_type="application/json")
    assert_error(response, 403, code="csrf_failed")
    client.get("/admin/login/")  # sets the CSRF cookie
    csrf = client.cookies["csrftoken"].value
    response = client.post(
        "/api/v1/plots", body, content_type="application/json", headers={"X-CSRFToken": csrf}
    )
    assert response.status_code == 201, response.content


def test_it_shows_tokens_in_the_admin_without_delete(world, rf):
    model_admin = admin.site._registry[ApiToken]
    request = rf.get("/admin/")
    request.user = world.user("principal")
    assert not model_admin.has_delete_permission(request)
    assert not model_admin.has_add_permission(request)
    issue("principal", "pw-principal")
    superuser = type(world.user("principal")).objects.create_superuser("root", password="pw-root")
    client = Client()
    client.force_login(superuser)
    response = client.get("/admin/api/apitoken/")
    assert response.status_code == 200
    assert "principal" in response.content.decode()
