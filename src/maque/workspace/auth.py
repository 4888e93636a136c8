"""Sign-in with lock-out after repeated failures, sign-out and password change.

Failures are counted in Django's cache per user name and per client address, so guessing one
account's password from many places and many accounts from one place are both slowed down.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import cache
from django.http import HttpRequest
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from maque.workspace.forms import style

MAX_FAILURES = 5
LOCKOUT_SECONDS = 15 * 60


def _keys(request: HttpRequest, username: str) -> list[str]:
    address = request.META.get("REMOTE_ADDR", "")
    return [f"maque:login-fail:user:{username.strip().lower()}", f"maque:login-fail:addr:{address}"]


def is_locked(request: HttpRequest, username: str) -> bool:
    return any((cache.get(key) or 0) >= MAX_FAILURES for key in _keys(request, username))


def record_failure(request: HttpRequest, username: str) -> None:
    for key in _keys(request, username):
        # add() starts the window; incr() keeps its expiry.
        if not cache.add(key, 1, LOCKOUT_SECONDS):
            try:
                cache.incr(key)
            except ValueError:
                cache.set(key, 1, LOCKOUT_SECONDS)


def clear_failures(request: HttpRequest, username: str) -> None:
    cache.delete(_keys(request, username)[0])


class LoginForm(AuthenticationForm):
    """The standard form, refusing to even check a password while the account is locked."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "locked": gettext_lazy(
            "Too many failed sign-in attempts. For your security, sign-in is locked for %(minutes)d minutes. "
            "Try again later or ask the administrator to reset your password."
        ),
    }

    username = forms.CharField(
        label=gettext_lazy("User name"),
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username", "autocapitalize": "none"}),
    )

    def clean(self) -> dict:
        username = self.cleaned_data.get("username") or ""
        if self.request is not None and is_locked(self.request, username):
            raise forms.ValidationError(
                self.error_messages["locked"], code="locked", params={"minutes": LOCKOUT_SECONDS // 60}
            )
        try:
            return super().clean()
        except forms.ValidationError:
            if self.request is not None:
                record_failure(self.request, username)
            raise


class LoginView(auth_views.LoginView):
    template_name = "workspace/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True

    def get_form(self, form_class=None):  # noqa: ANN001, ANN201
        form = super().get_form(form_class)
        style(form)
        return form

    def form_valid(self, form: LoginForm):  # noqa: ANN201
        clear_failures(self.request, form.cleaned_data.get("username") or "")
        return super().form_valid(form)


class LogoutView(auth_views.LogoutView):
    next_page = reverse_lazy("workspace:login")


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "workspace/password_change.html"
    success_url = reverse_lazy("workspace:home")

    def get_form(self, form_class=None):  # noqa: ANN001, ANN201
        form = super().get_form(form_class)
        style(form)
        return form

    def form_valid(self, form):  # noqa: ANN001, ANN201
        messages.success(self.request, _("Your password has been changed."))
        return super().form_valid(form)
