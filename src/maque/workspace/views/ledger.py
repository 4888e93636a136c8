"""The ledger list (with its htmx table) and the leaders' bulk changes."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from maque.core.users import signed_in
from maque.ledger import lifecycle
from maque.ledger.models import Campaign, Category, Item
from maque.ledger.policies import may_bulk, may_register
from maque.ledger.queries import item_list
from maque.organisation.access import actor_for
from maque.organisation.models import Person, Village
from maque.workspace.forms import BulkForm, LedgerFilterForm
from maque.workspace.views.common import is_htmx
from maque.workspace.views.errors import SERVICE_ERRORS, joined
from maque.workspace.views.spreadsheets import export_url

PAGE_SIZE = 25
# Filters folded away on small screens unless one of them is in use.
MORE_FILTERS = (
    "campaign",
    "category",
    "state",
    "owner",
    "overdue",
    "due_after",
    "due_before",
    "sort",
)


def _may_bulk(request: HttpRequest) -> bool:
    return may_bulk(actor_for(request.user))


def _filter_form(request: HttpRequest) -> LedgerFilterForm:
    user = request.user
    campaigns, categories = Campaign.objects.visible_to(user), Category.objects.visible_to(user)
    if not user.is_superuser:  # the superuser also filters by campaigns no longer active
        campaigns, categories = campaigns.filter(active=True), categories.filter(active=True)
    return LedgerFilterForm(
        request.GET,
        campaigns=campaigns,
        categories=categories,
        villages=Village.objects.visible_to(user).order_by("name"),
        people=Person.objects.visible_to(user).filter(active=True).order_by("name"),
    )


@login_required
def ledger(request: HttpRequest) -> HttpResponse:
    """The ledger list; an htmx request gets only the table, the URL keeps the filter."""
    form = _filter_form(request)
    form.is_valid()
    filters = form.filters()
    items = item_list(user=signed_in(request), **filters)
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "sort": filters["sort"],
        "may_bulk": _may_bulk(request),
        "may_register": may_register(actor_for(request.user)),
        "more_filters": any(request.GET.get(name) for name in MORE_FILTERS),
        "export_url": export_url(filters),
    }
    if context["may_bulk"]:
        context["people"] = (
            Person.objects.visible_to(request.user).filter(active=True).order_by("name")
        )
    if is_htmx(request):
        return render(request, "workspace/partials/ledger_table.html", context)
    return render(request, "workspace/ledger.html", context)


@login_required
@require_POST
def ledger_bulk(request: HttpRequest) -> HttpResponse:
    """Assign an owner or set a deadline on many items, each through `lifecycle.item_update`."""
    back = request.POST.get("next") or reverse("workspace:ledger")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("workspace:ledger")
    # Items the user may not see are ignored, as if they had not been sent.
    ids = [int(pk) for pk in request.POST.getlist("items") if pk.isdigit()]
    items = Item.objects.visible_to(request.user).filter(pk__in=ids).order_by("code")
    form = BulkForm(
        request.POST, people=Person.objects.visible_to(request.user).filter(active=True)
    )
    if not items.exists():
        messages.error(request, _("Select at least one item."))
        return HttpResponseRedirect(back)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:  # an error list yields its messages as text
                messages.error(request, str(error))
        return HttpResponseRedirect(back)
    operation = form.cleaned_data["operation"]
    change = (
        {"owner": form.cleaned_data["owner"]}
        if operation == BulkForm.OWNER
        else {"deadline": form.cleaned_data["deadline"]}
    )
    done, failed = 0, []
    for item in items:
        try:
            lifecycle.item_update(item=item, by=signed_in(request), changes=change, via="web")
            done += 1
        except SERVICE_ERRORS as error:
            failed.append(f"{item.code}: {joined(error)}")
    if done:
        messages.success(request, _("%(count)d items changed.") % {"count": done})
    for failure in failed:
        messages.error(request, failure)
    return HttpResponseRedirect(back)
