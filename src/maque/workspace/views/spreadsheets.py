"""Spreadsheet screens: upload a ledger file, see its preview with the problems, import it, and
download the template, the error workbook and the export. The work is `maque.exchange`'s; the
downloads are its API operations (the session signs them), so nothing is written twice."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from maque.core.users import signed_in
from maque.exchange.models import ImportBatch
from maque.exchange.queries import batch_list
from maque.exchange.services import batch_commit, batch_upload
from maque.ledger.models import Category
from maque.workspace.forms import choice_field, style
from maque.workspace.views.errors import SERVICE_ERRORS, flash_errors, form_errors

API = "/api/v1/ledger"


class UploadForm(forms.Form):
    category = forms.ChoiceField(
        label=gettext_lazy("Category"),
        required=False,
        help_text=gettext_lazy("Only for a sheet that does not say its category itself."),
    )

    def __init__(self, *args: Any, categories: list[Category], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "category").choices = [("", "—")] + [
            (c.code, c.name) for c in categories
        ]
        style(self)


def _categories(request: HttpRequest) -> list[Category]:
    categories = (
        Category.objects.visible_to(request.user).filter(active=True).select_related("campaign")
    )
    return list(categories.order_by("campaign__order", "order", "name"))


def export_url(filters: dict[str, object]) -> str:
    """The export operation for the ledger list's current filters and sort: exactly the listed items."""
    names = (
        "q",
        "campaign",
        "category",
        "village",
        "state",
        "owner",
        "light",
        "due_after",
        "due_before",
    )
    params = {name: filters[name] for name in names if filters.get(name)}
    if filters.get("overdue") is not None:
        params["overdue"] = "true" if filters["overdue"] else "false"
    if filters.get("sort"):
        params["sort"] = filters["sort"]
    return f"{API}/export" + (f"?{urlencode(params)}" if params else "")


@login_required
def spreadsheets(request: HttpRequest) -> HttpResponse:
    """Templates to download, the upload form, and the user's recent imports."""
    categories = _categories(request)
    form = UploadForm(request.POST if request.method == "POST" else None, categories=categories)
    if request.method == "POST" and form.is_valid():
        upload = request.FILES.get("file")
        if upload is None:
            form.input_errors = {"file": [_("Choose the spreadsheet to upload.")]}  # type: ignore[attr-defined]
        else:
            try:
                batch = batch_upload(
                    by=signed_in(request),
                    upload=upload,
                    category=form.cleaned_data["category"] or None,
                )
            except SERVICE_ERRORS as error:
                form_errors(form, error, inputs=("file",))
            else:
                return HttpResponseRedirect(reverse("workspace:import", args=[batch.key]))
    status = 422 if request.method == "POST" else 200
    context = {
        "form": form,
        "templates": [(c, f"{API}/template/{c.code}") for c in categories],
        "batches": batch_list(user=signed_in(request))[:20],
        "export_all": f"{API}/export",
    }
    return render(request, "workspace/spreadsheets.html", context, status=status)


def _batch(request: HttpRequest, key: UUID) -> ImportBatch:
    return get_object_or_404(batch_list(user=signed_in(request)), key=key)


@login_required
def import_preview(request: HttpRequest, key: UUID) -> HttpResponse:
    batch = _batch(request, key)
    context = {
        "batch": batch,
        "may_commit": batch.status == ImportBatch.Status.PREVIEWED,
        "errors_url": f"{API}/imports/{batch.key}/errors",
    }
    return render(request, "workspace/import_preview.html", context)


@login_required
@require_POST
def import_commit(request: HttpRequest, key: UUID) -> HttpResponse:
    batch = _batch(request, key)
    try:
        batch, result = batch_commit(batch=batch, by=signed_in(request))
    except SERVICE_ERRORS as error:
        flash_errors(request, error)
    else:
        if result.committed:
            messages.success(
                request,
                _("Imported: %(new)d new, %(updated)d updated.")
                % {"new": batch.counts.get("new", 0), "updated": batch.counts.get("updated", 0)},
            )
        else:
            messages.error(
                request,
                _(
                    "Nothing was imported: the ledger changed since the preview. See the problems below."
                ),
            )
    return HttpResponseRedirect(reverse("workspace:import", args=[batch.key]))
