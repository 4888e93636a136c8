"""The spreadsheet buttons of the lists beside the ledger (topic board, projects, visits,
petition register): export as .xlsx or CSV with the list's filters, and import (upload → the
ledger's preview screen → commit), shown only to those `maque.exchange.sheets.access` lets. The downloads are the API's operations (the session
signs them), so nothing is written twice."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from maque.core.users import signed_in
from maque.exchange.queries import batch_list
from maque.exchange.services import batch_upload
from maque.exchange.sheets.access import may_export, may_import
from maque.exchange.sheets.importing import IMPORT_KINDS, layout_of
from maque.organisation.access import actor_for
from maque.workspace.views.errors import SERVICE_ERRORS, error_texts

API = "/api/v1"
EXPORTS = {
    "topics": ("/topics/export", False),  # the topic workbook has no CSV form
    "projects": ("/projects/export", True),
    "visits": ("/field-visits/export", True),
    "publicity": ("/publicity/export", True),
    "petitions": ("/petitions/export", True),
}


def sheet_actions(
    request: HttpRequest, kind: str, filters: dict[str, Any] | None = None
) -> dict[str, Any]:
    """What the list's spreadsheet buttons link to, or nothing the user may not use."""
    actor = actor_for(request.user)
    if not may_export(actor, kind):
        return {}
    path, has_csv = EXPORTS[kind]
    params = {name: value for name, value in (filters or {}).items() if value not in (None, "")}
    xlsx = f"{API}{path}" + (f"?{urlencode(params)}" if params else "")
    actions: dict[str, Any] = {"export_xlsx": xlsx}
    if has_csv:
        actions["export_csv"] = f"{API}{path}?{urlencode({**params, 'format': 'csv'})}"
    if kind in IMPORT_KINDS and may_import(actor, kind):
        actions["import_url"] = reverse("workspace:sheet_import", args=[kind])
    return actions


TITLES = {
    "topics": gettext_lazy("Import topics"),
    "projects": gettext_lazy("Import projects and milestones"),
    "visits": gettext_lazy("Import household visits"),
    "petitions": gettext_lazy("Import petitions"),
}


@login_required
def sheet_import(request: HttpRequest, kind: str) -> HttpResponse:
    """Upload a sheet of `kind`; its preview is the ledger's import screen."""
    if kind not in IMPORT_KINDS or not may_import(actor_for(request.user), kind):
        raise Http404
    problems: list[str] = []
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            problems = [_("Choose the spreadsheet to upload.")]
        else:
            try:
                batch = batch_upload(by=signed_in(request), upload=upload, kind=kind)
            except SERVICE_ERRORS as error:
                problems = error_texts(error)
            else:
                return HttpResponseRedirect(reverse("workspace:import", args=[batch.key]))
    context = {
        "kind": kind,
        "title": TITLES[kind],
        "headers": [c.header for c in layout_of(kind).columns if not c.derived],
        "export": sheet_actions(request, kind).get("export_xlsx"),
        "problems": problems,
        "batches": batch_list(user=signed_in(request)).filter(kind=kind)[:10],
    }
    return render(request, "workspace/sheet_import.html", context, status=422 if problems else 200)
