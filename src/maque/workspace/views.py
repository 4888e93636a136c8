"""Screens of the workspace: home by role, the ledger list and the village pages.

Views are thin: they parse input, call a selector or a service, and render. Every read starts
from `visible_to(user)`; every write goes through the ledger's services.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from maque.core.masking import mask_phone
from maque.ledger import lifecycle
from maque.ledger.definitions import closure_rate
from maque.ledger.errors import ConflictError, NotPermitted
from maque.ledger.models import OPEN_STATES, Campaign, Category, Item
from maque.ledger.queries import item_list, with_indicators
from maque.organisation import queries as grid
from maque.organisation.access import APPROVER_ROLES, REGISTER_ROLES, Actor, actor_for
from maque.organisation.models import TOWN_WIDE_ROLES, Person, Role, Village
from maque.workspace import maps, queries
from maque.workspace.exchange_views import export_url
from maque.workspace.forms import BulkForm, LedgerFilterForm

PAGE_SIZE = 25
# Filters folded away on small screens unless one of them is in use.
MORE_FILTERS = ("campaign", "category", "state", "owner", "overdue", "due_after", "due_before", "sort")


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-History-Restore-Request") != "true"


@login_required
def home(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    context: dict[str, object] = {"actor": actor, "may_register": may_register(actor)}
    if actor.person is not None:
        context["mine"] = queries.cadre_home(user=request.user, actor=actor)
    if actor.village_ids(Role.CONTACT_LEADER):
        context["contact"] = queries.contact_leader_home(user=request.user, actor=actor)
    if actor.is_superuser or actor.town_ids_for(*TOWN_WIDE_ROLES):
        town = queries.town_overview(user=request.user, actor=actor)
        town["charts"]["labels"] = {"found": _("found"), "closed": pgettext("items", "closed"), "total": _("total")}
        context["town"] = town
    return render(request, "workspace/home.html", context)


def may_register(actor: Actor) -> bool:
    """Whether the user registers items anywhere (the service decides for each village)."""
    return actor.person is not None and any(
        actor.town_roles.get(role) or actor.village_roles.get(role) for role in REGISTER_ROLES
    )


def _may_bulk(request: HttpRequest) -> bool:
    actor = actor_for(request.user)
    return actor.person is not None and bool(
        actor.town_ids_for(*APPROVER_ROLES) or actor.village_ids(*APPROVER_ROLES)
    )


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
    items = item_list(user=request.user, **filters)
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "sort": filters["sort"],
        "may_bulk": _may_bulk(request),
        "more_filters": any(request.GET.get(name) for name in MORE_FILTERS),
        "export_url": export_url(filters),
    }
    if context["may_bulk"]:
        context["people"] = Person.objects.visible_to(request.user).filter(active=True).order_by("name")
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
    form = BulkForm(request.POST, people=Person.objects.visible_to(request.user).filter(active=True))
    if not items.exists():
        messages.error(request, _("Select at least one item."))
        return HttpResponseRedirect(back)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return HttpResponseRedirect(back)
    operation = form.cleaned_data["operation"]
    change = {"owner": form.cleaned_data["owner"]} if operation == BulkForm.OWNER else {"deadline": form.cleaned_data["deadline"]}
    done, failed = 0, []
    for item in items:
        try:
            lifecycle.item_update(item=item, by=request.user, changes=change, via="web")
            done += 1
        except ValidationError as error:
            failed.append(f"{item.code}: {pgettext('clauses', '; ').join(error.messages)}")
        except (ConflictError, NotPermitted) as error:
            failed.append(f"{item.code}: {error.message}")
    if done:
        messages.success(request, _("%(count)d items changed.") % {"count": done})
    for failure in failed:
        messages.error(request, failure)
    return HttpResponseRedirect(back)


@login_required
def village_list(request: HttpRequest) -> HttpResponse:
    villages = queries.village_counts(
        Village.objects.visible_to(request.user).select_related("town").order_by("town__name", "name"),
        timezone.localdate(),
        items=Item.objects.visible_to(request.user),
    )
    return render(request, "workspace/village_list.html", {"villages": villages})


@login_required
def village_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Profile, four teams, the grid now and its history, the village's items and plots."""
    village = get_object_or_404(Village.objects.visible_to(request.user).select_related("town"), pk=pk)
    actor = actor_for(request.user)
    today = timezone.localdate()
    masked = actor.masks_personal_data()
    counts = queries.village_counts(
        Village.objects.filter(pk=village.pk), today, items=Item.objects.visible_to(request.user)
    )[0]
    counts.closure_rate = closure_rate(counts.closed, counts.total)
    grid_now = [
        (label, grid.responsible_on(village=village, role=role, day=today))
        for role, label in ((Role.CONTACT_LEADER, _("Contact leader")), (Role.CADRE, _("Contact cadres")),
                            (Role.SECRETARY, _("Party secretary")))
    ]
    history = list(grid.grid_history(village=village))
    for assignment in history:
        assignment.phone_shown = mask_phone(assignment.person.phone) if masked and assignment.person.phone else assignment.person.phone
    items = with_indicators(Item.objects.visible_to(request.user).filter(village=village), day=today)
    plots = list(village.plots.all()[:300])
    open_plot_codes = set(
        items.filter(state__in=OPEN_STATES, plot__isnull=False).values_list("plot__code", flat=True)
    )
    context = {
        "village": village,
        "counts": counts,
        "teams": village.teams.all(),
        "grid_now": grid_now,
        "department": grid.contact_department_on(village=village, day=today),
        "departments": village.contact_departments.select_related("department").order_by("-valid_from"),
        "history": history,
        "items": items.select_related("owner", "category").order_by("-found_on", "-id")[:20],
        "map": maps.draw([(p.code, p.polygon, p.code in open_plot_codes) for p in plots]),
        "plots": plots,
        "ledger_url": reverse("workspace:ledger") + f"?village={village.pk}",
    }
    return render(request, "workspace/village_detail.html", context)

