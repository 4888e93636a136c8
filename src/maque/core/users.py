"""The signed-in user of a screen request, typed as the user model.

Behind `login_required` the request's user is always signed in; `signed_in` says so to the
types, and refuses (403) rather than lets an anonymous user reach a service if a view ever
forgets the decorator.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest


def signed_in(request: HttpRequest) -> User:
    """The request's user, who must be signed in."""
    user = getattr(request, "user", None)  # absent when the auth middleware did not run
    if not isinstance(user, User) or not user.is_authenticated:
        raise PermissionDenied
    return user
