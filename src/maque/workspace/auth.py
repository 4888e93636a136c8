"""Sign-in with pauses after repeated failures, sign-out and password change.

Failures are counted by `maque.api.signin`, the same counters the API's token endpoint uses,
so a pause holds on the web and the API alike and in every server process.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from maque.api import signin
from maque.workspace.forms import style


class LoginForm(AuthenticationForm):
    """The standard form, refusing to even check a password while the account is locked."""

    username = forms.CharField(
        label=gettext_lazy("User name"),
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "username", "autocapitalize": "none"}
        ),
    )

    def clean(self) -> dict:
        username = self.cleaned_data.get("username") or ""
        address = signin.client_address(self.request)
        pause = signin.pause_for(username=username, address=address)
        if pause is not None:
            raise forms.ValidationError(pause.message(), code="locked")
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            signin.record_failure(username=username, address=address)
            raise
        signin.record_success(username=username, address=address)
        return cleaned


class LoginView(auth_views.LoginView):
    template_name = "workspace/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True

    def get_form(self, form_class=None):  # noqa: ANN001, ANN201
        form = super().get_form(form_class)
        style(form)
        return form


class LogoutView(auth_views.LogoutView):
    next_page = reverse_lazy("workspace:login")  # type: ignore[assignment]  # the view resolves a lazy URL too


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
