"""`signed_in`: the screens' one way to get the request's user as the user model."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory

from maque.core.users import signed_in


def test_it_returns_the_signed_in_user() -> None:
    request = RequestFactory().get("/")
    user = User(username="cadre")
    request.user = user
    assert signed_in(request) is user


def test_it_refuses_an_anonymous_request() -> None:
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    with pytest.raises(PermissionDenied):
        signed_in(request)


def test_it_refuses_a_request_without_a_user() -> None:
    with pytest.raises(PermissionDenied):
        signed_in(RequestFactory().get("/"))
